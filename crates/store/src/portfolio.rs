//! Portfolio planning data: the organization's editable fee model, the rate
//! cards creators quoted to it, and record reads the planner needs (by ids,
//! by niche, and a cheap fingerprint of the catalog for caching priors).

use crate::creators::RECORD_SELECT;
use crate::{get, now_us, Result, Store};
use chorus_core::{AccountId, CreatorRecord, OrgId};

/// A creator's quote for one deliverable, as the organization recorded it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RateCard {
    pub account_id: AccountId,
    pub amount_minor: i64,
    pub currency: String,
    pub updated_at: i64,
}

/// Most records one planner request reads.
pub const MAX_CANDIDATES: i64 = 20_000;

impl Store {
    /// The organization's fee model JSON, when it has edited one.
    pub async fn fee_model(&self, org: OrgId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT model FROM portfolio_fee_models WHERE org_id = $1")
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| get(&r, "model")).transpose()
    }

    pub async fn set_fee_model(&self, org: OrgId, model_json: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO portfolio_fee_models (org_id, model, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id) DO UPDATE SET model = excluded.model, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(model_json)
        .bind(now_us())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn rate_cards(&self, org: OrgId) -> Result<Vec<RateCard>> {
        let rows = sqlx::query(
            "SELECT account_id, amount_minor, currency, updated_at FROM portfolio_rate_cards \
             WHERE org_id = $1 ORDER BY account_id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RateCard {
                    account_id: AccountId(get(r, "account_id")?),
                    amount_minor: get(r, "amount_minor")?,
                    currency: get(r, "currency")?,
                    updated_at: get(r, "updated_at")?,
                })
            })
            .collect()
    }

    /// Record (or replace) a creator's quote; false when the account does not exist.
    pub async fn set_rate_card(
        &self,
        org: OrgId,
        account: AccountId,
        amount_minor: i64,
        currency: &str,
    ) -> Result<bool> {
        if self.account_by_id_exists(account).await? {
            sqlx::query(
                "INSERT INTO portfolio_rate_cards (org_id, account_id, amount_minor, currency, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, account_id) DO UPDATE SET \
                 amount_minor = excluded.amount_minor, currency = excluded.currency, updated_at = excluded.updated_at",
            )
            .bind(org.0)
            .bind(account.0)
            .bind(amount_minor)
            .bind(currency)
            .bind(now_us())
            .execute(&self.pool)
            .await?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    async fn account_by_id_exists(&self, account: AccountId) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM platform_accounts WHERE id = $1")
                .bind(account.0)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// (number of accounts, newest change): changes whenever an import adds
    /// or updates an account, so priors learned from the catalog can be cached.
    pub async fn catalog_fingerprint(&self) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), 0) AS latest FROM platform_accounts",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((get(&row, "n")?, get(&row, "latest")?))
    }

    /// Whole records of the given accounts (unknown ids are skipped), id order.
    pub async fn account_records_by_ids(
        &self,
        ids: &[AccountId],
    ) -> Result<Vec<(AccountId, i64, CreatorRecord)>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut sorted: Vec<i64> = ids.iter().map(|a| a.0).collect();
        sorted.sort_unstable();
        sorted.dedup();
        for chunk in sorted.chunks(500) {
            // Integers only, so inlining them is safe.
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!("{RECORD_SELECT} WHERE a.id IN ({list}) ORDER BY a.id");
            let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
            out.extend(self.assemble_records(rows).await?);
        }
        Ok(out)
    }

    /// Whole records of the accounts in a niche (case-insensitive), largest
    /// first, at most `limit`.
    pub async fn account_records_in_niche(
        &self,
        niche: &str,
        limit: i64,
    ) -> Result<Vec<(AccountId, i64, CreatorRecord)>> {
        let sql = format!(
            "{RECORD_SELECT} WHERE LOWER(a.niche) = $1 ORDER BY a.followers DESC, a.id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(niche.trim().to_lowercase())
            .bind(limit.clamp(1, MAX_CANDIDATES))
            .fetch_all(&self.pool)
            .await?;
        self.assemble_records(rows).await
    }
}
