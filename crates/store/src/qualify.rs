//! Qualify reports: the audience-quality score and brand-safety findings of
//! an account, as computed for one organization at one time.

use crate::{get, now_us, Result, Store, StoreError};
use chorus_core::{AccountId, OrgId};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct StoredReport {
    pub id: i64,
    pub account_id: AccountId,
    pub score: f64,
    pub high_severity: bool,
    pub floor_severity: bool,
    pub report: serde_json::Value,
    pub findings: serde_json::Value,
    pub created_at: i64,
}

pub struct NewReport<'a> {
    pub account_id: AccountId,
    pub score: f64,
    pub high_severity: bool,
    pub floor_severity: bool,
    pub report: &'a serde_json::Value,
    pub findings: &'a serde_json::Value,
}

fn report_from(r: &AnyRow) -> Result<StoredReport> {
    let parse = |col: &str| -> Result<serde_json::Value> {
        let s: String = get(r, col)?;
        serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    Ok(StoredReport {
        id: get(r, "id")?,
        account_id: AccountId(get(r, "account_id")?),
        score: get(r, "score")?,
        high_severity: get::<i64>(r, "high_severity")? != 0,
        floor_severity: get::<i64>(r, "floor_severity")? != 0,
        report: parse("report")?,
        findings: parse("findings")?,
        created_at: get(r, "created_at")?,
    })
}

const COLS: &str =
    "id, account_id, score, high_severity, floor_severity, report, findings, created_at";

impl Store {
    pub async fn save_reports(&self, org: OrgId, reports: &[NewReport<'_>]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let now = now_us();
        for r in reports {
            sqlx::query(
                "INSERT INTO qualify_reports (org_id, account_id, score, high_severity, floor_severity, report, findings, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(org.0)
            .bind(r.account_id.0)
            .bind(r.score)
            .bind(r.high_severity as i64)
            .bind(r.floor_severity as i64)
            .bind(r.report.to_string())
            .bind(r.findings.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest report of each account this organization has qualified.
    pub async fn latest_reports(
        &self,
        org: OrgId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredReport>> {
        let sql = format!(
            "SELECT {COLS} FROM qualify_reports q WHERE q.org_id = $1 AND q.id = \
             (SELECT MAX(id) FROM qualify_reports q2 WHERE q2.org_id = q.org_id AND q2.account_id = q.account_id) \
             ORDER BY q.score DESC, q.account_id LIMIT $2 OFFSET $3"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(report_from).collect()
    }

    pub async fn latest_report(
        &self,
        org: OrgId,
        account: AccountId,
    ) -> Result<Option<StoredReport>> {
        let sql = format!("SELECT {COLS} FROM qualify_reports WHERE org_id = $1 AND account_id = $2 ORDER BY id DESC LIMIT 1");
        let row = sqlx::query(&sql)
            .bind(org.0)
            .bind(account.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(report_from).transpose()
    }

    /// `(account, score, high_severity)` of the newest report of every
    /// account this organization has qualified: what Discover's quality
    /// filters read, without the report bodies.
    pub async fn latest_scores(&self, org: OrgId) -> Result<Vec<(AccountId, f64, bool)>> {
        let rows = sqlx::query(
            "SELECT q.account_id, q.score, q.high_severity FROM qualify_reports q WHERE q.org_id = $1 AND q.id = \
             (SELECT MAX(id) FROM qualify_reports q2 WHERE q2.org_id = q.org_id AND q2.account_id = q.account_id)",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    AccountId(get(r, "account_id")?),
                    get::<f64>(r, "score")?,
                    get::<i64>(r, "high_severity")? != 0,
                ))
            })
            .collect()
    }

    /// (followers, engagement rate) of every account with a known rate: the
    /// data the expected engagement bands are learned from.
    pub async fn engagement_points(&self) -> Result<Vec<(u64, f64)>> {
        let rows = sqlx::query("SELECT followers, er FROM platform_accounts WHERE er IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get::<i64>(r, "followers")?.max(0) as u64,
                    get::<f64>(r, "er")?,
                ))
            })
            .collect()
    }
}
