//! The log of imports: who imported what, and which rows failed and why.

use crate::{get, now_us, Result, Store};
use chorus_core::{OrgId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;

pub struct NewImport<'a> {
    pub org_id: Option<OrgId>,
    pub user_id: Option<UserId>,
    pub kind: &'a str,
    pub source: &'a str,
    pub rows_total: u64,
    pub inserted: u64,
    pub updated: u64,
    pub failed: u64,
    /// JSON array of row errors.
    pub errors: &'a serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub source: String,
    pub rows_total: i64,
    pub inserted: i64,
    pub updated: i64,
    pub failed: i64,
    pub errors: serde_json::Value,
    pub created_at: i64,
}

fn import_from(r: &AnyRow) -> Result<ImportRecord> {
    let errors: String = get(r, "errors")?;
    Ok(ImportRecord {
        id: get(r, "id")?,
        kind: get(r, "kind")?,
        source: get(r, "source")?,
        rows_total: get(r, "rows_total")?,
        inserted: get(r, "inserted")?,
        updated: get(r, "updated")?,
        failed: get(r, "failed")?,
        errors: serde_json::from_str(&errors).unwrap_or(serde_json::Value::Null),
        created_at: get(r, "created_at")?,
    })
}

const COLS: &str = "id, kind, source, rows_total, inserted, updated, failed, errors, created_at";

impl Store {
    pub async fn record_import(&self, i: NewImport<'_>) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO imports (org_id, user_id, kind, source, rows_total, inserted, updated, failed, \
             errors, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(i.org_id.map(|o| o.0))
        .bind(i.user_id.map(|u| u.0))
        .bind(i.kind)
        .bind(i.source)
        .bind(i.rows_total as i64)
        .bind(i.inserted as i64)
        .bind(i.updated as i64)
        .bind(i.failed as i64)
        .bind(i.errors.to_string())
        .bind(now_us())
        .fetch_one(&self.pool)
        .await?;
        get(&row, "id")
    }

    pub async fn import(&self, org: OrgId, id: i64) -> Result<Option<ImportRecord>> {
        let sql = format!("SELECT {COLS} FROM imports WHERE id = $1 AND org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(import_from).transpose()
    }

    pub async fn list_imports(&self, org: OrgId, limit: i64) -> Result<Vec<ImportRecord>> {
        let sql = format!("SELECT {COLS} FROM imports WHERE org_id = $1 ORDER BY id DESC LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(import_from).collect()
    }
}
