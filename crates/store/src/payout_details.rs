//! Creators' payout details per organization, encrypted at rest.
//!
//! The details are JSON sealed with the server's [`SecretKey`] and bound to
//! their (organization, account) row; the database holds only the method and
//! the sealed value. Reading needs the same key.

use crate::secret::SecretKey;
use crate::{get, now_us, Result, Store, StoreError};
use chorus_core::{AccountId, OrgId, PayoutDetails};

/// Associated data of a sealed value: the row it belongs to.
fn context(org: OrgId, account: AccountId) -> String {
    format!("payout_details:{}:{}", org.0, account.0)
}

impl Store {
    /// Save (or replace) the payout details of an account for an organization.
    pub async fn set_payout_details(
        &self,
        org: OrgId,
        account: AccountId,
        details: &PayoutDetails,
        key: &SecretKey,
    ) -> Result<()> {
        let json = serde_json::to_vec(details).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sealed = key.seal(&json, &context(org, account));
        sqlx::query(
            "INSERT INTO payout_details (org_id, account_id, method, sealed, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id, account_id) DO UPDATE SET method = excluded.method, \
             sealed = excluded.sealed, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(account.0)
        .bind(details.method().as_str())
        .bind(sealed)
        .bind(now_us())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The decrypted payout details of an account for an organization, with
    /// when they were last saved (microseconds).
    pub async fn payout_details(
        &self,
        org: OrgId,
        account: AccountId,
        key: &SecretKey,
    ) -> Result<Option<(PayoutDetails, i64)>> {
        let row = sqlx::query(
            "SELECT sealed, updated_at FROM payout_details WHERE org_id = $1 AND account_id = $2",
        )
        .bind(org.0)
        .bind(account.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let sealed: String = get(&row, "sealed")?;
        let json = key.open(&sealed, &context(org, account)).map_err(|e| {
            StoreError::Secret(format!("payout details of account {}: {e}", account.0))
        })?;
        let details = serde_json::from_slice(&json).map_err(|e| {
            StoreError::Corrupt(format!("payout details of account {}: {e}", account.0))
        })?;
        Ok(Some((details, get(&row, "updated_at")?)))
    }

    /// Accounts of the organization with payout details, and their method.
    pub async fn payout_methods(&self, org: OrgId) -> Result<Vec<(AccountId, String)>> {
        let rows = sqlx::query(
            "SELECT account_id, method FROM payout_details WHERE org_id = $1 ORDER BY account_id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((AccountId(get(r, "account_id")?), get(r, "method")?)))
            .collect()
    }
}
