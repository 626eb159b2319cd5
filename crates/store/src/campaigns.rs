//! Campaigns, members, briefs, deal terms, contracts, portal tokens,
//! deliverables and the email outbox (organization-scoped).
//!
//! The store keeps stages and statuses as the strings DESIGN.md uses; which
//! stage may follow which is decided by the server's pure transition
//! function. Stage changes are compare-and-set on the current stage and are
//! logged in the same transaction, so the audit log never disagrees with the
//! board.

use crate::{get, now_us, Result, Store, StoreError};
use chorus_core::{AccountId, CampaignId, OrgId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub name: String,
    pub product: String,
    pub budget_minor: i64,
    pub currency: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub attribution_window_days: i64,
    /// Brief JSON (a superset of the review engine's brief format).
    pub default_brief: String,
    /// Deal terms JSON.
    pub default_terms: String,
    pub contract_template: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub org_id: OrgId,
    pub name: String,
    pub product: String,
    pub budget_minor: i64,
    pub currency: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub attribution_window_days: i64,
    pub default_brief: String,
    pub default_terms: String,
    pub contract_template: String,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub members: i64,
}

/// Who changed something: a user, the creator through the portal, or a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    Creator,
    System,
}

impl Actor {
    fn kind(self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::Creator => "creator",
            Actor::System => "system",
        }
    }
    fn user(self) -> Option<i64> {
        match self {
            Actor::User(u) => Some(u.0),
            _ => None,
        }
    }
}

/// One creator (platform account) in one campaign.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: i64,
    pub campaign_id: CampaignId,
    pub account_id: AccountId,
    pub platform: String,
    pub handle: String,
    pub name: String,
    pub email: Option<String>,
    pub followers: i64,
    pub stage: String,
    pub terms: String,
    pub tracking_link: Option<String>,
    pub promo_code: Option<String>,
    pub brief_version_sent: Option<i64>,
    pub stage_changed_at: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageEvent {
    pub id: i64,
    pub member_id: i64,
    pub handle: String,
    pub from_stage: Option<String>,
    pub to_stage: String,
    /// `user`, `creator` or `system`.
    pub actor: String,
    pub actor_user_id: Option<UserId>,
    pub actor_email: Option<String>,
    pub note: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefVersion {
    pub campaign_id: CampaignId,
    pub version: i64,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Contract {
    pub id: i64,
    pub member_id: i64,
    pub version: i64,
    pub status: String,
    pub body: String,
    pub body_sha256: String,
    pub terms: String,
    pub signer_name: Option<String>,
    pub signed_at: Option<i64>,
    pub signer_ip: Option<String>,
    pub signer_user_agent: Option<String>,
    pub signed_hash: Option<String>,
    pub counter: Option<String>,
    pub decline_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a signature records.
#[derive(Debug, Clone)]
pub struct Signature<'a> {
    pub name: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// The SHA-256 of the text the signer saw; must equal the stored one.
    pub document_hash: &'a str,
    pub at: i64,
}

/// The creator's answer to an open contract other than signing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    /// Counter-offer JSON; the contract becomes `countered`.
    Counter(&'a str),
    /// Reason; the contract becomes `declined`.
    Decline(&'a str),
}

/// Everything one "send contract" stores for one member, in one transaction
/// with the others of the batch.
#[derive(Debug, Clone)]
pub struct ContractSend {
    pub member_id: i64,
    pub body: String,
    pub body_sha256: String,
    pub terms: String,
    pub token_hash: String,
    pub token_csrf: String,
    pub token_expires_at: i64,
    pub email_to: Option<String>,
    pub email_subject: String,
    pub email_body: String,
    pub brief_version: Option<i64>,
    /// Stage before the send (compare-and-set) and after it.
    pub from_stage: String,
    pub to_stage: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PortalToken {
    pub id: i64,
    pub org_id: OrgId,
    pub member_id: i64,
    pub campaign_id: CampaignId,
    pub token_hash: String,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeliverable {
    pub platform: String,
    pub format: String,
    pub due_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deliverable {
    pub id: i64,
    pub member_id: i64,
    pub handle: String,
    pub platform: String,
    pub format: String,
    pub due_at: Option<i64>,
    /// `pending`, `submitted`, `changes_requested`, `approved` or `live`.
    pub status: String,
    pub submissions: i64,
    pub last_caption: Option<String>,
    pub last_media: Option<String>,
    pub last_submitted_at: Option<i64>,
    pub live_url: Option<String>,
    pub campaign_id: CampaignId,
    /// The latest draft's version number, when there is one.
    pub last_version: Option<i64>,
    /// The review engine's report (JSON) on the latest draft, when it ran.
    pub last_checks: Option<String>,
    /// `pass` or `fail`: the latest draft's automatic verdict.
    pub last_verdict: Option<String>,
    /// When the live post passed verification against the approved version.
    pub verified_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Email {
    pub id: i64,
    pub org_id: OrgId,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// A deliverable that is due soon or late and whose creator has an address.
#[derive(Debug, Clone)]
pub struct ReminderDue {
    pub deliverable_id: i64,
    pub org_id: OrgId,
    pub member_id: i64,
    pub campaign_name: String,
    pub email: String,
    pub handle: String,
    pub platform: String,
    pub format: String,
    pub due_at: i64,
    pub late: bool,
}

const CAMPAIGN_COLS: &str = "c.id, c.org_id, c.name, c.product, c.budget_minor, c.currency, \
     c.starts_at, c.ends_at, c.attribution_window_days, c.default_brief, c.default_terms, \
     c.contract_template, c.created_by, c.created_at, c.updated_at, \
     (SELECT COUNT(*) FROM campaign_members m WHERE m.campaign_id = c.id) AS members";

fn campaign_from(r: &AnyRow) -> Result<Campaign> {
    Ok(Campaign {
        id: CampaignId(get(r, "id")?),
        org_id: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        product: get(r, "product")?,
        budget_minor: get(r, "budget_minor")?,
        currency: get(r, "currency")?,
        starts_at: get(r, "starts_at")?,
        ends_at: get(r, "ends_at")?,
        attribution_window_days: get(r, "attribution_window_days")?,
        default_brief: get(r, "default_brief")?,
        default_terms: get(r, "default_terms")?,
        contract_template: get(r, "contract_template")?,
        created_by: get::<Option<i64>>(r, "created_by")?.map(UserId),
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        members: get(r, "members")?,
    })
}

const MEMBER_COLS: &str = "m.id, m.campaign_id, m.account_id, a.platform, a.handle, cr.name, \
     cr.email, a.followers, m.stage, m.terms, m.tracking_link, m.promo_code, \
     m.brief_version_sent, m.stage_changed_at, m.created_at";
const MEMBER_FROM: &str = "campaign_members m JOIN platform_accounts a ON a.id = m.account_id \
     JOIN creators cr ON cr.id = a.creator_id";

fn member_from(r: &AnyRow) -> Result<Member> {
    Ok(Member {
        id: get(r, "id")?,
        campaign_id: CampaignId(get(r, "campaign_id")?),
        account_id: AccountId(get(r, "account_id")?),
        platform: get(r, "platform")?,
        handle: get(r, "handle")?,
        name: get(r, "name")?,
        email: get(r, "email")?,
        followers: get(r, "followers")?,
        stage: get(r, "stage")?,
        terms: get(r, "terms")?,
        tracking_link: get(r, "tracking_link")?,
        promo_code: get(r, "promo_code")?,
        brief_version_sent: get(r, "brief_version_sent")?,
        stage_changed_at: get(r, "stage_changed_at")?,
        created_at: get(r, "created_at")?,
    })
}

const CONTRACT_COLS: &str = "k.id, k.member_id, k.version, k.status, k.body, k.body_sha256, \
     k.terms, k.signer_name, k.signed_at, k.signer_ip, k.signer_user_agent, k.signed_hash, \
     k.counter, k.decline_reason, k.created_at, k.updated_at";

fn contract_from(r: &AnyRow) -> Result<Contract> {
    Ok(Contract {
        id: get(r, "id")?,
        member_id: get(r, "member_id")?,
        version: get(r, "version")?,
        status: get(r, "status")?,
        body: get(r, "body")?,
        body_sha256: get(r, "body_sha256")?,
        terms: get(r, "terms")?,
        signer_name: get(r, "signer_name")?,
        signed_at: get(r, "signed_at")?,
        signer_ip: get(r, "signer_ip")?,
        signer_user_agent: get(r, "signer_user_agent")?,
        signed_hash: get(r, "signed_hash")?,
        counter: get(r, "counter")?,
        decline_reason: get(r, "decline_reason")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

const EMAIL_COLS: &str = "id, org_id, to_addr, subject, body, status, attempts, next_attempt_at, \
     last_error, created_at, sent_at";

fn email_from(r: &AnyRow) -> Result<Email> {
    Ok(Email {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        to_addr: get(r, "to_addr")?,
        subject: get(r, "subject")?,
        body: get(r, "body")?,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        last_error: get(r, "last_error")?,
        created_at: get(r, "created_at")?,
        sent_at: get(r, "sent_at")?,
    })
}

const DELIVERABLE_SELECT: &str = "SELECT d.id, d.member_id, a.handle, d.platform, d.format, \
     d.due_at, d.status, \
     (SELECT COUNT(*) FROM submissions s WHERE s.deliverable_id = d.id) AS submissions, \
     s.caption AS last_caption, s.media AS last_media, s.created_at AS last_submitted_at, \
     s.live_url, m.campaign_id, s.version AS last_version, s.checks AS last_checks, \
     s.verdict AS last_verdict, d.verified_at \
     FROM deliverables d JOIN campaign_members m ON m.id = d.member_id \
     JOIN platform_accounts a ON a.id = m.account_id \
     LEFT JOIN submissions s ON s.deliverable_id = d.id AND s.version = \
       (SELECT MAX(version) FROM submissions s2 WHERE s2.deliverable_id = d.id)";

fn deliverable_from(r: &AnyRow) -> Result<Deliverable> {
    Ok(Deliverable {
        id: get(r, "id")?,
        member_id: get(r, "member_id")?,
        handle: get(r, "handle")?,
        platform: get(r, "platform")?,
        format: get(r, "format")?,
        due_at: get(r, "due_at")?,
        status: get(r, "status")?,
        submissions: get(r, "submissions")?,
        last_caption: get(r, "last_caption")?,
        last_media: get(r, "last_media")?,
        last_submitted_at: get(r, "last_submitted_at")?,
        live_url: get(r, "live_url")?,
        campaign_id: CampaignId(get(r, "campaign_id")?),
        last_version: get(r, "last_version")?,
        last_checks: get(r, "last_checks")?,
        last_verdict: get(r, "last_verdict")?,
        verified_at: get(r, "verified_at")?,
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn log_stage(
    tx: &mut Transaction<'static, Any>,
    org: OrgId,
    member: i64,
    from: Option<&str>,
    to: &str,
    actor: Actor,
    note: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stage_events (org_id, member_id, from_stage, to_stage, actor, actor_user_id, note, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(org.0)
    .bind(member)
    .bind(from)
    .bind(to)
    .bind(actor.kind())
    .bind(actor.user())
    .bind(note)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Compare-and-set the stage of one member and log it; false when the member
/// is not in `org` or is no longer at `from`.
pub(crate) async fn move_in_tx(
    tx: &mut Transaction<'static, Any>,
    org: OrgId,
    member: i64,
    from: &str,
    to: &str,
    actor: Actor,
    note: &str,
) -> Result<bool> {
    let now = now_us();
    let r = sqlx::query(
        "UPDATE campaign_members SET stage = $1, stage_changed_at = $2 \
         WHERE id = $3 AND org_id = $4 AND stage = $5",
    )
    .bind(to)
    .bind(now)
    .bind(member)
    .bind(org.0)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    if from != to {
        log_stage(tx, org, member, Some(from), to, actor, note, now).await?;
    }
    Ok(true)
}

pub(crate) async fn insert_email(
    tx: &mut Transaction<'static, Any>,
    org: OrgId,
    to: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO email_outbox (org_id, to_addr, subject, body, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $5) RETURNING id",
    )
    .bind(org.0)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    get(&row, "id")
}

impl Store {
    pub async fn create_campaign(
        &self,
        org: OrgId,
        by: Option<UserId>,
        c: &NewCampaign,
    ) -> Result<Campaign> {
        let now = now_us();
        let row = sqlx::query(
            "INSERT INTO campaigns (org_id, name, product, budget_minor, currency, starts_at, ends_at, \
             attribution_window_days, default_brief, default_terms, contract_template, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             RETURNING id",
        )
        .bind(org.0)
        .bind(&c.name)
        .bind(&c.product)
        .bind(c.budget_minor)
        .bind(&c.currency)
        .bind(c.starts_at)
        .bind(c.ends_at)
        .bind(c.attribution_window_days)
        .bind(&c.default_brief)
        .bind(&c.default_terms)
        .bind(&c.contract_template)
        .bind(by.map(|u| u.0))
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        let id = CampaignId(get(&row, "id")?);
        self.campaign(org, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("campaign vanished after insert".into()))
    }

    pub async fn update_campaign(
        &self,
        org: OrgId,
        id: CampaignId,
        c: &NewCampaign,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE campaigns SET name = $1, product = $2, budget_minor = $3, currency = $4, \
             starts_at = $5, ends_at = $6, attribution_window_days = $7, default_brief = $8, \
             default_terms = $9, contract_template = $10, updated_at = $11 \
             WHERE id = $12 AND org_id = $13",
        )
        .bind(&c.name)
        .bind(&c.product)
        .bind(c.budget_minor)
        .bind(&c.currency)
        .bind(c.starts_at)
        .bind(c.ends_at)
        .bind(c.attribution_window_days)
        .bind(&c.default_brief)
        .bind(&c.default_terms)
        .bind(&c.contract_template)
        .bind(now_us())
        .bind(id.0)
        .bind(org.0)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn campaign(&self, org: OrgId, id: CampaignId) -> Result<Option<Campaign>> {
        let sql =
            format!("SELECT {CAMPAIGN_COLS} FROM campaigns c WHERE c.id = $1 AND c.org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(campaign_from).transpose()
    }

    pub async fn list_campaigns(&self, org: OrgId) -> Result<Vec<Campaign>> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns c WHERE c.org_id = $1 ORDER BY c.id DESC"
        );
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(campaign_from).collect()
    }

    /// Add accounts to a campaign as `shortlisted` with the given terms;
    /// accounts already in it are left alone. Returns the ids of new members.
    pub async fn add_members(
        &self,
        org: OrgId,
        campaign: CampaignId,
        accounts: &[AccountId],
        terms: &str,
        actor: Actor,
    ) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 AS one FROM campaigns WHERE id = $1 AND org_id = $2")
            .bind(campaign.0)
            .bind(org.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(vec![]);
        }
        let now = now_us();
        let mut added = Vec::new();
        for a in accounts {
            let row = sqlx::query(
                "INSERT INTO campaign_members (org_id, campaign_id, account_id, stage, terms, stage_changed_at, created_at) \
                 VALUES ($1, $2, $3, 'shortlisted', $4, $5, $5) ON CONFLICT (campaign_id, account_id) DO NOTHING RETURNING id",
            )
            .bind(org.0)
            .bind(campaign.0)
            .bind(a.0)
            .bind(terms)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                let id: i64 = get(&row, "id")?;
                log_stage(&mut tx, org, id, None, "shortlisted", actor, "added", now).await?;
                added.push(id);
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    pub async fn members(&self, org: OrgId, campaign: CampaignId) -> Result<Vec<Member>> {
        let sql = format!(
            "SELECT {MEMBER_COLS} FROM {MEMBER_FROM} WHERE m.org_id = $1 AND m.campaign_id = $2 ORDER BY m.id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(campaign.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(member_from).collect()
    }

    pub async fn member(&self, org: OrgId, id: i64) -> Result<Option<Member>> {
        let sql =
            format!("SELECT {MEMBER_COLS} FROM {MEMBER_FROM} WHERE m.org_id = $1 AND m.id = $2");
        Ok(self
            .rows_by(&sql, org, id, member_from)
            .await?
            .into_iter()
            .next())
    }

    /// Rows of `sql` (with `$1` the organization and `$2` an id), each read by `from`.
    pub(crate) async fn rows_by<T>(
        &self,
        sql: &str,
        org: OrgId,
        id: i64,
        from: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = sqlx::query(sql)
            .bind(org.0)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from).collect()
    }

    /// Move one member from `from` to `to` and log who did it. False when the
    /// member is not in `org` or has meanwhile left `from`.
    pub async fn move_member(
        &self,
        org: OrgId,
        member: i64,
        from: &str,
        to: &str,
        actor: Actor,
        note: &str,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let ok = move_in_tx(&mut tx, org, member, from, to, actor, note).await?;
        tx.commit().await?;
        Ok(ok)
    }

    pub async fn stage_events(&self, org: OrgId, campaign: CampaignId) -> Result<Vec<StageEvent>> {
        let rows = sqlx::query(
            "SELECT e.id, e.member_id, a.handle, e.from_stage, e.to_stage, e.actor, e.actor_user_id, \
             u.email AS actor_email, e.note, e.at FROM stage_events e \
             JOIN campaign_members m ON m.id = e.member_id \
             JOIN platform_accounts a ON a.id = m.account_id \
             LEFT JOIN users u ON u.id = e.actor_user_id \
             WHERE e.org_id = $1 AND m.campaign_id = $2 ORDER BY e.id DESC",
        )
        .bind(org.0)
        .bind(campaign.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StageEvent {
                    id: get(r, "id")?,
                    member_id: get(r, "member_id")?,
                    handle: get(r, "handle")?,
                    from_stage: get(r, "from_stage")?,
                    to_stage: get(r, "to_stage")?,
                    actor: get(r, "actor")?,
                    actor_user_id: get::<Option<i64>>(r, "actor_user_id")?.map(UserId),
                    actor_email: get(r, "actor_email")?,
                    note: get(r, "note")?,
                    at: get(r, "at")?,
                })
            })
            .collect()
    }

    /// Replace the deal terms of several members at once (one transaction).
    pub async fn set_member_terms(&self, org: OrgId, terms: &[(i64, String)]) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut n = 0;
        for (member, t) in terms {
            n +=
                sqlx::query("UPDATE campaign_members SET terms = $1 WHERE id = $2 AND org_id = $3")
                    .bind(t)
                    .bind(member)
                    .bind(org.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn set_member_links(
        &self,
        org: OrgId,
        member: i64,
        tracking_link: Option<&str>,
        promo_code: Option<&str>,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE campaign_members SET tracking_link = $1, promo_code = $2 WHERE id = $3 AND org_id = $4",
        )
        .bind(tracking_link)
        .bind(promo_code)
        .bind(member)
        .bind(org.0)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Store a new brief version of a campaign; returns its number (1, 2, …).
    pub async fn add_brief_version(
        &self,
        org: OrgId,
        campaign: CampaignId,
        body: &str,
        by: Option<UserId>,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(b.version), 0) AS v, COUNT(c.id) AS n FROM campaigns c \
             LEFT JOIN briefs b ON b.campaign_id = c.id WHERE c.id = $1 AND c.org_id = $2",
        )
        .bind(campaign.0)
        .bind(org.0)
        .fetch_one(&mut *tx)
        .await?;
        if get::<i64>(&row, "n")? == 0 {
            return Ok(None);
        }
        let version = get::<i64>(&row, "v")? + 1;
        sqlx::query(
            "INSERT INTO briefs (org_id, campaign_id, version, body, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.0)
        .bind(campaign.0)
        .bind(version)
        .bind(body)
        .bind(by.map(|u| u.0))
        .bind(now_us())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                StoreError::Conflict(format!("brief version {version}"))
            } else {
                e.into()
            }
        })?;
        tx.commit().await?;
        Ok(Some(version))
    }

    pub async fn briefs(&self, org: OrgId, campaign: CampaignId) -> Result<Vec<BriefVersion>> {
        let rows = sqlx::query(
            "SELECT campaign_id, version, body, created_at FROM briefs \
             WHERE org_id = $1 AND campaign_id = $2 ORDER BY version DESC",
        )
        .bind(org.0)
        .bind(campaign.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BriefVersion {
                    campaign_id: CampaignId(get(r, "campaign_id")?),
                    version: get(r, "version")?,
                    body: get(r, "body")?,
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    pub async fn latest_brief(
        &self,
        org: OrgId,
        campaign: CampaignId,
    ) -> Result<Option<BriefVersion>> {
        Ok(self.briefs(org, campaign).await?.into_iter().next())
    }

    /// Send contracts to many members in one transaction: each gets a new
    /// contract version (earlier open ones become `void`), a portal token, a
    /// queued email, and moves `from_stage → to_stage`. A member that is not
    /// in `org` or has left `from_stage` is skipped; returns the members sent.
    pub async fn send_contracts(
        &self,
        org: OrgId,
        sends: &[ContractSend],
        actor: Actor,
    ) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let now = now_us();
        let mut sent = Vec::new();
        for s in sends {
            if !move_in_tx(
                &mut tx,
                org,
                s.member_id,
                &s.from_stage,
                &s.to_stage,
                actor,
                "contract sent",
            )
            .await?
            {
                continue;
            }
            insert_contract(
                &mut tx,
                org,
                s.member_id,
                &s.body,
                &s.body_sha256,
                &s.terms,
                "sent",
                now,
            )
            .await?;
            sqlx::query(
                "INSERT INTO portal_tokens (org_id, member_id, token_hash, csrf, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(org.0)
            .bind(s.member_id)
            .bind(&s.token_hash)
            .bind(&s.token_csrf)
            .bind(now)
            .bind(s.token_expires_at)
            .execute(&mut *tx)
            .await?;
            if let Some(to) = &s.email_to {
                insert_email(&mut tx, org, to, &s.email_subject, &s.email_body, now).await?;
            }
            sqlx::query(
                "UPDATE campaign_members SET brief_version_sent = $1 WHERE id = $2 AND org_id = $3",
            )
            .bind(s.brief_version)
            .bind(s.member_id)
            .bind(org.0)
            .execute(&mut *tx)
            .await?;
            sent.push(s.member_id);
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// A new contract version for a member (e.g. after an accepted counter):
    /// earlier open versions become `void`.
    pub async fn new_contract_version(
        &self,
        org: OrgId,
        member: i64,
        body: &str,
        sha: &str,
        terms: &str,
        status: &str,
    ) -> Result<Option<Contract>> {
        let mut tx = self.pool.begin().await?;
        let owned =
            sqlx::query("SELECT 1 AS one FROM campaign_members WHERE id = $1 AND org_id = $2")
                .bind(member)
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?;
        if owned.is_none() {
            return Ok(None);
        }
        let id = insert_contract(&mut tx, org, member, body, sha, terms, status, now_us()).await?;
        tx.commit().await?;
        self.contract(org, id).await
    }

    pub async fn contract(&self, org: OrgId, id: i64) -> Result<Option<Contract>> {
        let sql =
            format!("SELECT {CONTRACT_COLS} FROM contracts k WHERE k.id = $1 AND k.org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(contract_from).transpose()
    }

    pub async fn contracts_of_member(&self, org: OrgId, member: i64) -> Result<Vec<Contract>> {
        let sql = format!(
            "SELECT {CONTRACT_COLS} FROM contracts k WHERE k.member_id = $1 AND k.org_id = $2 ORDER BY k.version DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(member)
            .bind(org.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(contract_from).collect()
    }

    pub async fn latest_contract(&self, org: OrgId, member: i64) -> Result<Option<Contract>> {
        Ok(self
            .contracts_of_member(org, member)
            .await?
            .into_iter()
            .next())
    }

    /// The latest contract of every member of a campaign.
    pub async fn latest_contracts(
        &self,
        org: OrgId,
        campaign: CampaignId,
    ) -> Result<Vec<Contract>> {
        let sql = format!(
            "SELECT {CONTRACT_COLS} FROM contracts k JOIN campaign_members m ON m.id = k.member_id \
             WHERE k.org_id = $1 AND m.campaign_id = $2 AND k.version = \
             (SELECT MAX(version) FROM contracts k2 WHERE k2.member_id = k.member_id) ORDER BY k.member_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(campaign.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(contract_from).collect()
    }

    /// Compare-and-set a contract's status; false when it is not in `org` or
    /// not in one of `from`.
    pub async fn set_contract_status(
        &self,
        org: OrgId,
        id: i64,
        from: &[&str],
        to: &str,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let ok = contract_cas(&mut tx, org, id, from, to).await?;
        tx.commit().await?;
        Ok(ok)
    }

    /// Record a signature and move the member, atomically. False when the
    /// contract is not open for signing or the member has left `member_from`.
    pub async fn sign_contract(
        &self,
        org: OrgId,
        id: i64,
        sig: &Signature<'_>,
        member_from: &str,
        member_to: &str,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE contracts SET status = 'signed', signer_name = $1, signed_at = $2, signer_ip = $3, \
             signer_user_agent = $4, signed_hash = $5, updated_at = $2 \
             WHERE id = $6 AND org_id = $7 AND status IN ('sent', 'viewed') AND body_sha256 = $5",
        )
        .bind(sig.name)
        .bind(sig.at)
        .bind(sig.ip)
        .bind(sig.user_agent)
        .bind(sig.document_hash)
        .bind(id)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        let member: i64 = get(
            &sqlx::query("SELECT member_id FROM contracts WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
            "member_id",
        )?;
        if !move_in_tx(
            &mut tx,
            org,
            member,
            member_from,
            member_to,
            Actor::Creator,
            "signed",
        )
        .await?
        {
            return Ok(false);
        }
        crate::review::insert_milestone(&mut tx, org, member, "signed", "contract signed", sig.at)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The creator counters (`countered`, with the counter JSON) or declines
    /// (`declined`, with the reason); the member moves in the same transaction.
    pub async fn respond_to_contract(
        &self,
        org: OrgId,
        id: i64,
        answer: Answer<'_>,
        member_from: &str,
        member_to: &str,
    ) -> Result<bool> {
        let (status, counter, decline_reason) = match answer {
            Answer::Counter(c) => ("countered", Some(c), None),
            Answer::Decline(r) => ("declined", None, Some(r)),
        };
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE contracts SET status = $1, counter = $2, decline_reason = $3, updated_at = $4 \
             WHERE id = $5 AND org_id = $6 AND status IN ('sent', 'viewed')",
        )
        .bind(status)
        .bind(counter)
        .bind(decline_reason)
        .bind(now_us())
        .bind(id)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        let member: i64 = get(
            &sqlx::query("SELECT member_id FROM contracts WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
            "member_id",
        )?;
        let note = decline_reason.unwrap_or(if counter.is_some() {
            "counter-offer"
        } else {
            ""
        });
        if !move_in_tx(
            &mut tx,
            org,
            member,
            member_from,
            member_to,
            Actor::Creator,
            note,
        )
        .await?
        {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Overwrite a contract's stored text without touching its hash. Exists
    /// only so tests can simulate tampering with the database.
    #[doc(hidden)]
    pub async fn tamper_contract_body(&self, org: OrgId, id: i64, body: &str) -> Result<bool> {
        let r = sqlx::query("UPDATE contracts SET body = $1 WHERE id = $2 AND org_id = $3")
            .bind(body)
            .bind(id)
            .bind(org.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn create_portal_token(
        &self,
        org: OrgId,
        member: i64,
        token_hash: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<Option<i64>> {
        let row = sqlx::query(
            "INSERT INTO portal_tokens (org_id, member_id, token_hash, csrf, created_at, expires_at) \
             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS \
             (SELECT 1 FROM campaign_members WHERE id = $2 AND org_id = $1) RETURNING id",
        )
        .bind(org.0)
        .bind(member)
        .bind(token_hash)
        .bind(csrf)
        .bind(now_us())
        .bind(expires_at)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| get(&r, "id")).transpose()
    }

    /// Look a portal token up by its digest, whatever its state: the caller
    /// decides between expired, revoked and live.
    pub async fn portal_token(&self, token_hash: &str) -> Result<Option<PortalToken>> {
        let row = sqlx::query(
            "SELECT t.id, t.org_id, t.member_id, m.campaign_id, t.token_hash, t.csrf, t.created_at, \
             t.expires_at, t.revoked_at FROM portal_tokens t JOIN campaign_members m ON m.id = t.member_id \
             WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PortalToken {
                id: get(&r, "id")?,
                org_id: OrgId(get(&r, "org_id")?),
                member_id: get(&r, "member_id")?,
                campaign_id: CampaignId(get(&r, "campaign_id")?),
                token_hash: get(&r, "token_hash")?,
                csrf: get(&r, "csrf")?,
                created_at: get(&r, "created_at")?,
                expires_at: get(&r, "expires_at")?,
                revoked_at: get(&r, "revoked_at")?,
            })
        })
        .transpose()
    }

    /// Revoke every live portal token of a member; returns how many.
    pub async fn revoke_portal_tokens(&self, org: OrgId, member: i64) -> Result<u64> {
        let r = sqlx::query(
            "UPDATE portal_tokens SET revoked_at = $1 WHERE member_id = $2 AND org_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_us())
        .bind(member)
        .bind(org.0)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    pub async fn add_deliverables(
        &self,
        org: OrgId,
        member: i64,
        items: &[NewDeliverable],
    ) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let owned =
            sqlx::query("SELECT 1 AS one FROM campaign_members WHERE id = $1 AND org_id = $2")
                .bind(member)
                .bind(org.0)
                .fetch_optional(&mut *tx)
                .await?;
        if owned.is_none() {
            return Ok(vec![]);
        }
        let now = now_us();
        let mut ids = Vec::new();
        for d in items {
            let row = sqlx::query(
                "INSERT INTO deliverables (org_id, member_id, platform, format, due_at, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id",
            )
            .bind(org.0)
            .bind(member)
            .bind(&d.platform)
            .bind(&d.format)
            .bind(d.due_at)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(get(&row, "id")?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn deliverables(&self, org: OrgId, campaign: CampaignId) -> Result<Vec<Deliverable>> {
        self.deliverables_where("m.campaign_id", org, campaign.0)
            .await
    }

    pub async fn member_deliverables(&self, org: OrgId, member: i64) -> Result<Vec<Deliverable>> {
        self.deliverables_where("d.member_id", org, member).await
    }

    /// One deliverable with its latest draft; None when not in `org`.
    pub async fn deliverable(&self, org: OrgId, id: i64) -> Result<Option<Deliverable>> {
        Ok(self
            .deliverables_where("d.id", org, id)
            .await?
            .into_iter()
            .next())
    }

    async fn deliverables_where(&self, col: &str, org: OrgId, id: i64) -> Result<Vec<Deliverable>> {
        let sql = format!(
            "{DELIVERABLE_SELECT} WHERE d.org_id = $1 AND {col} = $2 ORDER BY d.due_at, d.id"
        );
        self.rows_by(&sql, org, id, deliverable_from).await
    }

    /// A new draft version of a deliverable of `member`; marks it `submitted`.
    /// None when the deliverable is not that member's.
    pub async fn add_submission(
        &self,
        org: OrgId,
        member: i64,
        deliverable: i64,
        caption: &str,
        media_json: &str,
    ) -> Result<Option<i64>> {
        let draft = crate::review::Draft {
            caption,
            media_json,
            checks_json: None,
            verdict: None,
            uploads: &[],
        };
        self.add_draft(org, member, deliverable, &draft).await
    }

    /// Record the live post URL on the latest submission; marks it `live`.
    pub async fn set_live_url(
        &self,
        org: OrgId,
        member: i64,
        deliverable: i64,
        url: &str,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query("UPDATE deliverables SET status = 'live' WHERE id = $1 AND member_id = $2 AND org_id = $3")
            .bind(deliverable)
            .bind(member)
            .bind(org.0)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        let updated = sqlx::query(
            "UPDATE submissions SET live_url = $1 WHERE deliverable_id = $2 AND version = \
             (SELECT MAX(version) FROM submissions WHERE deliverable_id = $2)",
        )
        .bind(url)
        .bind(deliverable)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO submissions (org_id, deliverable_id, version, caption, media, live_url, created_at) \
                 VALUES ($1, $2, 1, '', '[]', $3, $4)",
            )
            .bind(org.0)
            .bind(deliverable)
            .bind(url)
            .bind(now_us())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn set_deliverable_status(
        &self,
        org: OrgId,
        deliverable: i64,
        status: &str,
    ) -> Result<bool> {
        let r = sqlx::query("UPDATE deliverables SET status = $1 WHERE id = $2 AND org_id = $3")
            .bind(status)
            .bind(deliverable)
            .bind(org.0)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn queue_email(
        &self,
        org: OrgId,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let id = insert_email(&mut tx, org, to, subject, body, now_us()).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn outbox(&self, org: OrgId, limit: i64) -> Result<Vec<Email>> {
        let sql = format!(
            "SELECT {EMAIL_COLS} FROM email_outbox WHERE org_id = $1 ORDER BY id DESC LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(email_from).collect()
    }

    /// Claim up to `limit` queued emails that are due, across organizations.
    /// A claim pushes `next_attempt_at` forward by `lease_us` with a
    /// compare-and-set, so two workers never send the same email at once and
    /// a crashed worker's claim expires.
    pub async fn claim_emails(&self, now: i64, limit: i64, lease_us: i64) -> Result<Vec<Email>> {
        let sql = format!(
            "SELECT {EMAIL_COLS} FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT {}",
            limit.clamp(1, 1000)
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.pool).await?;
        let mut claimed = Vec::new();
        for r in &rows {
            let mut e = email_from(r)?;
            let won = sqlx::query(
                "UPDATE email_outbox SET next_attempt_at = $1 WHERE id = $2 AND status = 'queued' AND next_attempt_at = $3",
            )
            .bind(now + lease_us)
            .bind(e.id)
            .bind(e.next_attempt_at)
            .execute(&self.pool)
            .await?
            .rows_affected()
                == 1;
            if won {
                e.next_attempt_at = now + lease_us;
                claimed.push(e);
            }
        }
        Ok(claimed)
    }

    pub async fn mark_email_sent(&self, id: i64) -> Result<()> {
        let now = now_us();
        sqlx::query(
            "UPDATE email_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Record a failed attempt: retry at `retry_at`, or give up (`failed`) when None.
    pub async fn mark_email_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE email_outbox SET attempts = attempts + 1, last_error = $1, \
             status = CASE WHEN $2 = 1 THEN 'queued' ELSE 'failed' END, \
             next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $4",
        )
        .bind(error)
        .bind(i64::from(retry_at.is_some()))
        .bind(retry_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deliverables not yet submitted that are due within `before_us` of
    /// `now` (and not reminded yet), or late (and not reminded of that yet).
    pub async fn reminders_due(&self, now: i64, before_us: i64) -> Result<Vec<ReminderDue>> {
        let rows = sqlx::query(
            "SELECT d.id, d.org_id, d.member_id, c.name AS campaign_name, cr.email, a.handle, d.platform, \
             d.format, d.due_at, d.reminded_before_at, d.reminded_late_at \
             FROM deliverables d JOIN campaign_members m ON m.id = d.member_id \
             JOIN campaigns c ON c.id = m.campaign_id \
             JOIN platform_accounts a ON a.id = m.account_id JOIN creators cr ON cr.id = a.creator_id \
             WHERE d.status IN ('pending', 'changes_requested') AND d.due_at IS NOT NULL \
             AND cr.email IS NOT NULL AND d.due_at <= $1 \
             AND ((d.due_at > $2 AND d.reminded_before_at IS NULL) OR (d.due_at <= $2 AND d.reminded_late_at IS NULL)) \
             ORDER BY d.id",
        )
        .bind(now + before_us)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let due_at: i64 = get(r, "due_at")?;
                Ok(ReminderDue {
                    deliverable_id: get(r, "id")?,
                    org_id: OrgId(get(r, "org_id")?),
                    member_id: get(r, "member_id")?,
                    campaign_name: get(r, "campaign_name")?,
                    email: get(r, "email")?,
                    handle: get(r, "handle")?,
                    platform: get(r, "platform")?,
                    format: get(r, "format")?,
                    due_at,
                    late: due_at <= now,
                })
            })
            .collect()
    }

    /// Queue a reminder email and mark the deliverable reminded, atomically.
    pub async fn queue_reminder(&self, r: &ReminderDue, subject: &str, body: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let col = if r.late {
            "reminded_late_at"
        } else {
            "reminded_before_at"
        };
        let now = now_us();
        let sql = format!("UPDATE deliverables SET {col} = $1 WHERE id = $2 AND {col} IS NULL");
        let won = sqlx::query(&sql)
            .bind(now)
            .bind(r.deliverable_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if won {
            insert_email(&mut tx, r.org_id, &r.email, subject, body, now).await?;
        }
        tx.commit().await?;
        Ok(won)
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_contract(
    tx: &mut Transaction<'static, Any>,
    org: OrgId,
    member: i64,
    body: &str,
    sha: &str,
    terms: &str,
    status: &str,
    now: i64,
) -> Result<i64> {
    sqlx::query(
        "UPDATE contracts SET status = 'void', updated_at = $1 WHERE member_id = $2 AND org_id = $3 \
         AND status IN ('draft', 'sent', 'viewed', 'countered')",
    )
    .bind(now)
    .bind(member)
    .bind(org.0)
    .execute(&mut **tx)
    .await?;
    let row =
        sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM contracts WHERE member_id = $1")
            .bind(member)
            .fetch_one(&mut **tx)
            .await?;
    let version = get::<i64>(&row, "v")? + 1;
    let row = sqlx::query(
        "INSERT INTO contracts (org_id, member_id, version, status, body, body_sha256, terms, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(org.0)
    .bind(member)
    .bind(version)
    .bind(status)
    .bind(body)
    .bind(sha)
    .bind(terms)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    get(&row, "id")
}

async fn contract_cas(
    tx: &mut Transaction<'static, Any>,
    org: OrgId,
    id: i64,
    from: &[&str],
    to: &str,
) -> Result<bool> {
    if from.is_empty() {
        return Ok(false);
    }
    let list: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "UPDATE contracts SET status = $1, updated_at = $2 WHERE id = $3 AND org_id = $4 \
         AND status IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query(&sql)
        .bind(to)
        .bind(now_us())
        .bind(id)
        .bind(org.0);
    for f in from {
        q = q.bind(*f);
    }
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}
