//! Qualify reports: the audience-quality score and brand-safety findings of
//! an account, as computed for one organization at one time.

use crate::{get, now_us, Result, Store, StoreError};
use chorus_core::{AccountId, CampaignId, OrgId, UserId};
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

/// A campaign's qualification rule as stored; the server reads it with the
/// qualify engine's `QualifyRule`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRule {
    pub campaign_id: CampaignId,
    pub min_score: f64,
    pub reject_floor: bool,
    pub reject_high: bool,
    pub updated_by: Option<UserId>,
    pub updated_at: i64,
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

impl Store {
    pub async fn qualify_rule(
        &self,
        org: OrgId,
        campaign: CampaignId,
    ) -> Result<Option<StoredRule>> {
        let row = sqlx::query(
            "SELECT campaign_id, min_score, reject_floor, reject_high, updated_by, updated_at \
             FROM qualify_rules WHERE campaign_id = $1 AND org_id = $2",
        )
        .bind(campaign.0)
        .bind(org.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredRule {
                campaign_id: CampaignId(get(&r, "campaign_id")?),
                min_score: get(&r, "min_score")?,
                reject_floor: get::<i64>(&r, "reject_floor")? != 0,
                reject_high: get::<i64>(&r, "reject_high")? != 0,
                updated_by: get::<Option<i64>>(&r, "updated_by")?.map(UserId),
                updated_at: get(&r, "updated_at")?,
            })
        })
        .transpose()
    }

    /// Set (or replace) a campaign's rule. False when the campaign is not in `org`.
    pub async fn set_qualify_rule(
        &self,
        org: OrgId,
        campaign: CampaignId,
        min_score: f64,
        reject_floor: bool,
        reject_high: bool,
        by: Option<UserId>,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO qualify_rules (campaign_id, org_id, min_score, reject_floor, reject_high, updated_by, updated_at) \
             SELECT id, org_id, $3, $4, $5, $6, $7 FROM campaigns WHERE id = $1 AND org_id = $2 \
             ON CONFLICT (campaign_id) DO UPDATE SET min_score = excluded.min_score, \
             reject_floor = excluded.reject_floor, reject_high = excluded.reject_high, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(campaign.0)
        .bind(org.0)
        .bind(min_score)
        .bind(reject_floor as i64)
        .bind(reject_high as i64)
        .bind(by.map(|u| u.0))
        .bind(now_us())
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
