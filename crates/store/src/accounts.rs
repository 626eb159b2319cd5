//! Organizations, users, sessions and API tokens. Secrets never reach this
//! layer in clear: callers pass argon2 hashes and SHA-256 digests.

use crate::{get, is_unique_violation, now_us, Result, Store, StoreError};
use chorus_core::{OrgId, Role, TokenId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: i64,
    pub disabled: bool,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("org_id", &self.org_id)
            .field("email", &self.email)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

pub struct NewUser<'a> {
    pub org_id: OrgId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub org_id: OrgId,
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the token, to recognise it in lists.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn org_from(row: &AnyRow) -> Result<Org> {
    Ok(Org {
        id: OrgId(get(row, "id")?),
        slug: get(row, "slug")?,
        name: get(row, "name")?,
        created_at: get(row, "created_at")?,
    })
}

const USER_COLS: &str =
    "u.id, u.org_id, u.email, u.name, u.password_hash, u.role, u.created_at, u.disabled_at";

fn user_from(row: &AnyRow) -> Result<User> {
    let role: String = get(row, "role")?;
    Ok(User {
        id: UserId(get(row, "id")?),
        org_id: OrgId(get(row, "org_id")?),
        email: get(row, "email")?,
        name: get(row, "name")?,
        password_hash: get(row, "password_hash")?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        created_at: get(row, "created_at")?,
        disabled: get::<Option<i64>>(row, "disabled_at")?.is_some(),
    })
}

const TOKEN_COLS: &str =
    "t.id, t.org_id, t.user_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at";

fn token_from(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: TokenId(get(row, "id")?),
        org_id: OrgId(get(row, "org_id")?),
        user_id: UserId(get(row, "user_id")?),
        name: get(row, "name")?,
        prefix: get(row, "prefix")?,
        created_at: get(row, "created_at")?,
        last_used_at: get(row, "last_used_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

impl Store {
    pub async fn create_org(&self, slug: &str, name: &str) -> Result<Org> {
        let row = sqlx::query(
            "INSERT INTO organizations (slug, name, created_at) VALUES ($1, $2, $3) \
             RETURNING id, slug, name, created_at",
        )
        .bind(slug)
        .bind(name)
        .bind(now_us())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!("organization {slug:?}"))
            } else {
                e.into()
            }
        })?;
        org_from(&row)
    }

    pub async fn org_by_slug(&self, slug: &str) -> Result<Option<Org>> {
        let row =
            sqlx::query("SELECT id, slug, name, created_at FROM organizations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(org_from).transpose()
    }

    pub async fn org(&self, id: OrgId) -> Result<Option<Org>> {
        let row = sqlx::query("SELECT id, slug, name, created_at FROM organizations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(org_from).transpose()
    }

    pub async fn list_orgs(&self) -> Result<Vec<Org>> {
        let rows = sqlx::query("SELECT id, slug, name, created_at FROM organizations ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(org_from).collect()
    }

    pub async fn create_user(&self, u: NewUser<'_>) -> Result<User> {
        let row = sqlx::query(
            "INSERT INTO users (org_id, email, name, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(u.org_id.0)
        .bind(u.email)
        .bind(u.name)
        .bind(u.password_hash)
        .bind(u.role.as_str())
        .bind(now_us())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!("user {:?}", u.email))
            } else {
                e.into()
            }
        })?;
        let id = UserId(get(&row, "id")?);
        self.user(u.org_id, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("user vanished after insert".into()))
    }

    /// Login looks users up across organizations: the email is unique.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.email = $1");
        let row = sqlx::query(&sql)
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn user(&self, org: OrgId, id: UserId) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1 AND u.org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn list_users(&self, org: OrgId) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.org_id = $1 ORDER BY u.id");
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(user_from).collect()
    }

    pub async fn set_password(&self, org: OrgId, id: UserId, password_hash: &str) -> Result<bool> {
        let r = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND org_id = $3")
            .bind(password_hash)
            .bind(id.0)
            .bind(org.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf_token)
        .bind(now_us())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session for a token digest; expired sessions and disabled
    /// users do not count.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let sql = format!(
            "SELECT {USER_COLS}, s.csrf_token, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now_us())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(Session {
                user: user_from(&r)?,
                csrf_token: get(&r, "csrf_token")?,
                expires_at: get(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_token(
        &self,
        org: OrgId,
        user: UserId,
        name: &str,
        prefix: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, created_at) \
             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
             (SELECT 1 FROM users WHERE id = $2 AND org_id = $1) RETURNING id",
        )
        .bind(org.0)
        .bind(user.0)
        .bind(name)
        .bind(prefix)
        .bind(token_hash)
        .bind(now_us())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("user {user} is not in organization {org}")))?;
        let id = TokenId(get(&row, "id")?);
        self.token(org, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("token vanished after insert".into()))
    }

    pub async fn token(&self, org: OrgId, id: TokenId) -> Result<Option<ApiToken>> {
        let sql =
            format!("SELECT {TOKEN_COLS} FROM api_tokens t WHERE t.id = $1 AND t.org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_from).transpose()
    }

    pub async fn list_tokens(&self, org: OrgId) -> Result<Vec<ApiToken>> {
        let sql =
            format!("SELECT {TOKEN_COLS} FROM api_tokens t WHERE t.org_id = $1 ORDER BY t.id");
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(token_from).collect()
    }

    /// The user behind a live (unrevoked) token digest, and the token; marks it used.
    pub async fn authenticate_token(&self, token_hash: &str) -> Result<Option<(ApiToken, User)>> {
        let sql = format!(
            "SELECT {TOKEN_COLS}, {USER_COLS_AS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
            USER_COLS_AS = "u.email, u.password_hash, u.role, u.disabled_at, u.created_at AS u_created_at"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let token = token_from(&row)?;
        let role: String = get(&row, "role")?;
        let user = User {
            id: token.user_id,
            org_id: token.org_id,
            email: get(&row, "email")?,
            name: String::new(),
            role: role.parse().map_err(StoreError::Corrupt)?,
            password_hash: String::new(),
            created_at: get(&row, "u_created_at")?,
            disabled: false,
        };
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now_us())
            .bind(token.id.0)
            .execute(&self.pool)
            .await?;
        Ok(Some((token, user)))
    }

    /// Revoke a token of this organization; false when there is no such token.
    pub async fn revoke_token(&self, org: OrgId, id: TokenId) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND org_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_us())
        .bind(id.0)
        .bind(org.0)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
