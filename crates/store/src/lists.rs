//! Shortlists, per-organization notes and tags, and saved searches.

use crate::{get, is_unique_violation, now_us, values_placeholders, Result, Store, StoreError};
use chorus_core::{AccountId, ListId, OrgId};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct List {
    pub id: ListId,
    pub name: String,
    pub size: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Note {
    pub account_id: AccountId,
    pub note: String,
    pub tags: Vec<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    pub query: serde_json::Value,
    pub created_at: i64,
}

impl Store {
    pub async fn create_list(&self, org: OrgId, name: &str) -> Result<List> {
        let row = sqlx::query("INSERT INTO lists (org_id, name, created_at) VALUES ($1, $2, $3) RETURNING id, created_at")
            .bind(org.0)
            .bind(name)
            .bind(now_us())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict(format!("list {name:?}")) } else { e.into() })?;
        Ok(List {
            id: ListId(get(&row, "id")?),
            name: name.to_string(),
            size: 0,
            created_at: get(&row, "created_at")?,
        })
    }

    pub async fn lists(&self, org: OrgId) -> Result<Vec<List>> {
        let rows = sqlx::query(
            "SELECT l.id, l.name, l.created_at, (SELECT COUNT(*) FROM list_items i WHERE i.list_id = l.id) AS size \
             FROM lists l WHERE l.org_id = $1 ORDER BY l.name",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(List {
                    id: ListId(get(r, "id")?),
                    name: get(r, "name")?,
                    size: get(r, "size")?,
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    pub async fn list(&self, org: OrgId, id: ListId) -> Result<Option<List>> {
        Ok(self.lists(org).await?.into_iter().find(|l| l.id == id))
    }

    pub async fn delete_list(&self, org: OrgId, id: ListId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM lists WHERE id = $1 AND org_id = $2")
            .bind(id.0)
            .bind(org.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Add accounts to a list of this organization; returns how many were new.
    /// `None` when the list is not the organization's.
    pub async fn add_to_list(
        &self,
        org: OrgId,
        id: ListId,
        accounts: &[AccountId],
    ) -> Result<Option<u64>> {
        if self.list(org, id).await?.is_none() {
            return Ok(None);
        }
        let mut added = 0;
        let now = now_us();
        for chunk in accounts.chunks(500) {
            let sql = format!(
                "INSERT INTO list_items (list_id, account_id, added_at) SELECT v.column1, v.column2, v.column3 \
                 FROM (VALUES {}) AS v WHERE EXISTS (SELECT 1 FROM platform_accounts p WHERE p.id = v.column2) \
                 ON CONFLICT DO NOTHING",
                values_placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q.bind(id.0).bind(a.0).bind(now);
            }
            added += q.execute(&self.pool).await?.rows_affected();
        }
        Ok(Some(added))
    }

    pub async fn remove_from_list(
        &self,
        org: OrgId,
        id: ListId,
        accounts: &[AccountId],
    ) -> Result<Option<u64>> {
        if self.list(org, id).await?.is_none() {
            return Ok(None);
        }
        let mut removed = 0;
        for a in accounts {
            removed += sqlx::query("DELETE FROM list_items WHERE list_id = $1 AND account_id = $2")
                .bind(id.0)
                .bind(a.0)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(Some(removed))
    }

    /// Account ids of a list in the order they were added.
    pub async fn list_accounts_of(&self, org: OrgId, id: ListId) -> Result<Option<Vec<AccountId>>> {
        if self.list(org, id).await?.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT account_id FROM list_items WHERE list_id = $1 ORDER BY added_at, account_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(
            rows.iter()
                .map(|r| get(r, "account_id").map(AccountId))
                .collect::<Result<_>>()?,
        ))
    }

    pub async fn set_note(
        &self,
        org: OrgId,
        account: AccountId,
        note: &str,
        tags: &[String],
    ) -> Result<Note> {
        let tags_joined = tags.join(",");
        let now = now_us();
        sqlx::query(
            "INSERT INTO creator_notes (org_id, account_id, note, tags, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, account_id) DO UPDATE SET note = excluded.note, tags = excluded.tags, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(account.0)
        .bind(note)
        .bind(&tags_joined)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(Note {
            account_id: account,
            note: note.to_string(),
            tags: tags.to_vec(),
            updated_at: now,
        })
    }

    pub async fn note(&self, org: OrgId, account: AccountId) -> Result<Option<Note>> {
        let row = sqlx::query("SELECT note, tags, updated_at FROM creator_notes WHERE org_id = $1 AND account_id = $2")
            .bind(org.0)
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let tags: String = get(&r, "tags")?;
            Ok(Note {
                account_id: account,
                note: get(&r, "note")?,
                tags: tags
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
                updated_at: get(&r, "updated_at")?,
            })
        })
        .transpose()
    }

    pub async fn save_search(
        &self,
        org: OrgId,
        name: &str,
        query: &serde_json::Value,
    ) -> Result<SavedSearch> {
        let now = now_us();
        let row = sqlx::query(
            "INSERT INTO saved_searches (org_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, name) DO UPDATE SET query = excluded.query RETURNING id",
        )
        .bind(org.0)
        .bind(name)
        .bind(query.to_string())
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(SavedSearch {
            id: get(&row, "id")?,
            name: name.to_string(),
            query: query.clone(),
            created_at: now,
        })
    }

    pub async fn saved_searches(&self, org: OrgId) -> Result<Vec<SavedSearch>> {
        let rows = sqlx::query("SELECT id, name, query, created_at FROM saved_searches WHERE org_id = $1 ORDER BY name")
            .bind(org.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let q: String = get(r, "query")?;
                Ok(SavedSearch {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    query: serde_json::from_str(&q)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    pub async fn delete_saved_search(&self, org: OrgId, id: i64) -> Result<bool> {
        let r = sqlx::query("DELETE FROM saved_searches WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }
}
