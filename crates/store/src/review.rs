//! Review of creators' content (organization-scoped): drafts with their
//! automatic-check reports and uploaded files, review rounds, live-post
//! verification, and the milestone events base-fee milestones are paid on.
//!
//! A decision, a verification and the member's stage move that follows from
//! it are one transaction, so the board, the audit log and the milestone
//! events never disagree.

use crate::campaigns::{insert_email, move_in_tx, Actor};
use crate::{get, now_us, Result, Store};
use chorus_core::{CampaignId, OrgId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// A file kept in the data dir with a draft; the store only knows its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    /// Random file name under the campaign's upload folder.
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// Everything one draft stores.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    pub caption: &'a str,
    /// JSON list of media links.
    pub media_json: &'a str,
    /// The review engine's report on the caption (JSON), and its verdict.
    pub checks_json: Option<&'a str>,
    pub verdict: Option<&'a str>,
    pub uploads: &'a [NewUpload],
}

#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    pub id: i64,
    pub deliverable_id: i64,
    pub version: i64,
    pub caption: String,
    pub media: String,
    pub live_url: Option<String>,
    pub checks: Option<String>,
    pub verdict: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewRound {
    pub id: i64,
    pub deliverable_id: i64,
    /// 1, 2, … per deliverable.
    pub round: i64,
    /// The draft version decided on.
    pub version: i64,
    /// `approved` or `changes_requested`.
    pub decision: String,
    /// JSON list of `{"check": id or null, "text": …}`.
    pub comments: String,
    pub reviewer_email: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    pub id: i64,
    pub org_id: OrgId,
    pub campaign_id: CampaignId,
    pub member_id: i64,
    pub deliverable_id: i64,
    pub version: i64,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LiveCheckRow {
    pub id: i64,
    pub deliverable_id: i64,
    /// The approved draft version the live caption was compared with.
    pub version: i64,
    pub caption: String,
    pub passed: bool,
    /// The verification report (JSON).
    pub report: String,
    pub actor: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneEvent {
    pub member_id: i64,
    pub handle: String,
    /// `signed`, `approved` or `published`.
    pub event: String,
    pub at: i64,
    pub note: String,
}

/// A reviewer's decision on one draft version.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub member: i64,
    pub deliverable: i64,
    /// Must still be the latest version, and the deliverable `submitted`.
    pub version: i64,
    pub approve: bool,
    pub comments_json: &'a str,
    pub reviewer: UserId,
    /// The member's stage move `(from, to)` that follows, compare-and-set.
    pub member_move: Option<(&'a str, &'a str)>,
    /// A milestone event the move fires (`approved`).
    pub milestone: Option<&'a str>,
    /// `(to, subject, body)` of the email telling the creator.
    pub email: Option<(&'a str, &'a str, &'a str)>,
}

/// One live-post verification to record.
#[derive(Debug, Clone, Copy)]
pub struct LiveCheckInput<'a> {
    pub member: i64,
    pub deliverable: i64,
    pub version: i64,
    pub caption: &'a str,
    pub passed: bool,
    pub report_json: &'a str,
    pub actor: Actor,
    /// The member's stage now; it moves to `published` (and the `published`
    /// milestone fires) when this check passes and every deliverable of the
    /// member is verified.
    pub member_stage: &'a str,
}

/// What recording a verification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOutcome {
    pub verified: bool,
    pub published: bool,
}

/// Record a milestone event once per member (the first occurrence counts,
/// as in settlement).
pub(crate) async fn insert_milestone(
    tx: &mut Transaction<'static, Any>,
    org: OrgId,
    member: i64,
    event: &str,
    note: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO milestone_events (org_id, member_id, event, at, note) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (member_id, event) DO NOTHING",
    )
    .bind(org.0)
    .bind(member)
    .bind(event)
    .bind(at)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn submission_from(r: &AnyRow) -> Result<Submission> {
    Ok(Submission {
        id: get(r, "id")?,
        deliverable_id: get(r, "deliverable_id")?,
        version: get(r, "version")?,
        caption: get(r, "caption")?,
        media: get(r, "media")?,
        live_url: get(r, "live_url")?,
        checks: get(r, "checks")?,
        verdict: get(r, "verdict")?,
        created_at: get(r, "created_at")?,
    })
}

fn round_from(r: &AnyRow) -> Result<ReviewRound> {
    Ok(ReviewRound {
        id: get(r, "id")?,
        deliverable_id: get(r, "deliverable_id")?,
        round: get(r, "round")?,
        version: get(r, "version")?,
        decision: get(r, "decision")?,
        comments: get(r, "comments")?,
        reviewer_email: get(r, "reviewer_email")?,
        created_at: get(r, "created_at")?,
    })
}

fn upload_from(r: &AnyRow) -> Result<Upload> {
    Ok(Upload {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        campaign_id: CampaignId(get(r, "campaign_id")?),
        member_id: get(r, "member_id")?,
        deliverable_id: get(r, "deliverable_id")?,
        version: get(r, "version")?,
        stored_name: get(r, "stored_name")?,
        original_name: get(r, "original_name")?,
        content_type: get(r, "content_type")?,
        size_bytes: get(r, "size_bytes")?,
        created_at: get(r, "created_at")?,
    })
}

fn live_check_from(r: &AnyRow) -> Result<LiveCheckRow> {
    Ok(LiveCheckRow {
        id: get(r, "id")?,
        deliverable_id: get(r, "deliverable_id")?,
        version: get(r, "version")?,
        caption: get(r, "caption")?,
        passed: get::<i64>(r, "passed")? != 0,
        report: get(r, "report")?,
        actor: get(r, "actor")?,
        created_at: get(r, "created_at")?,
    })
}

const ROUND_SELECT: &str = "SELECT r.id, r.deliverable_id, r.round, r.version, r.decision, \
     r.comments, u.email AS reviewer_email, r.created_at FROM review_rounds r \
     JOIN deliverables d ON d.id = r.deliverable_id \
     LEFT JOIN users u ON u.id = r.reviewer_id";

const UPLOAD_SELECT: &str = "SELECT f.id, f.org_id, m.campaign_id, d.member_id, f.deliverable_id, \
     f.version, f.stored_name, f.original_name, f.content_type, f.size_bytes, f.created_at \
     FROM uploads f JOIN deliverables d ON d.id = f.deliverable_id \
     JOIN campaign_members m ON m.id = d.member_id";

impl Store {
    /// A new draft version of a deliverable of `member`, with its check
    /// report and uploaded files; marks it `submitted`. None when the
    /// deliverable is not that member's or no longer takes drafts (approved
    /// or live).
    pub async fn add_draft(
        &self,
        org: OrgId,
        member: i64,
        deliverable: i64,
        d: &Draft<'_>,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "UPDATE deliverables SET status = 'submitted' WHERE id = $1 AND member_id = $2 AND org_id = $3 \
             AND status IN ('pending', 'submitted', 'changes_requested')",
        )
        .bind(deliverable)
        .bind(member)
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS v FROM submissions WHERE deliverable_id = $1",
        )
        .bind(deliverable)
        .fetch_one(&mut *tx)
        .await?;
        let version = get::<i64>(&row, "v")? + 1;
        let now = now_us();
        sqlx::query(
            "INSERT INTO submissions (org_id, deliverable_id, version, caption, media, checks, verdict, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org.0)
        .bind(deliverable)
        .bind(version)
        .bind(d.caption)
        .bind(d.media_json)
        .bind(d.checks_json)
        .bind(d.verdict)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for u in d.uploads {
            sqlx::query(
                "INSERT INTO uploads (org_id, deliverable_id, version, stored_name, original_name, \
                 content_type, size_bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(org.0)
            .bind(deliverable)
            .bind(version)
            .bind(&u.stored_name)
            .bind(&u.original_name)
            .bind(&u.content_type)
            .bind(u.size_bytes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(version))
    }

    /// Every draft version of a deliverable, oldest first.
    pub async fn submissions(&self, org: OrgId, deliverable: i64) -> Result<Vec<Submission>> {
        self.rows_by(
            "SELECT id, deliverable_id, version, caption, media, live_url, checks, verdict, created_at \
             FROM submissions WHERE org_id = $1 AND deliverable_id = $2 ORDER BY version",
            org,
            deliverable,
            submission_from,
        )
        .await
    }

    /// Review rounds of one deliverable, oldest first.
    pub async fn review_rounds(&self, org: OrgId, deliverable: i64) -> Result<Vec<ReviewRound>> {
        let sql = format!(
            "{ROUND_SELECT} WHERE r.org_id = $1 AND r.deliverable_id = $2 ORDER BY r.round"
        );
        self.rows_by(&sql, org, deliverable, round_from).await
    }

    /// Review rounds of every deliverable of a member, oldest first.
    pub async fn member_review_rounds(&self, org: OrgId, member: i64) -> Result<Vec<ReviewRound>> {
        let sql = format!(
            "{ROUND_SELECT} WHERE r.org_id = $1 AND d.member_id = $2 ORDER BY r.deliverable_id, r.round"
        );
        self.rows_by(&sql, org, member, round_from).await
    }

    /// Decide on a draft: a new review round, the deliverable's status, the
    /// member's move, a milestone and the creator's email, atomically. False
    /// when the deliverable is not the member's, not awaiting review, a newer
    /// draft arrived, or the member left the expected stage.
    pub async fn decide(&self, org: OrgId, d: &Decision<'_>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let status = if d.approve {
            "approved"
        } else {
            "changes_requested"
        };
        let r = sqlx::query(
            "UPDATE deliverables SET status = $1 WHERE id = $2 AND member_id = $3 AND org_id = $4 \
             AND status = 'submitted' AND $5 = (SELECT MAX(version) FROM submissions s WHERE s.deliverable_id = $2)",
        )
        .bind(status)
        .bind(d.deliverable)
        .bind(d.member)
        .bind(org.0)
        .bind(d.version)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        let row = sqlx::query(
            "SELECT COALESCE(MAX(round), 0) AS n FROM review_rounds WHERE deliverable_id = $1",
        )
        .bind(d.deliverable)
        .fetch_one(&mut *tx)
        .await?;
        let round = get::<i64>(&row, "n")? + 1;
        let now = now_us();
        sqlx::query(
            "INSERT INTO review_rounds (org_id, deliverable_id, round, version, decision, comments, \
             reviewer_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org.0)
        .bind(d.deliverable)
        .bind(round)
        .bind(d.version)
        .bind(status)
        .bind(d.comments_json)
        .bind(d.reviewer.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let note = format!("deliverable {} v{} {status}", d.deliverable, d.version);
        if let Some((from, to)) = d.member_move {
            if !move_in_tx(
                &mut tx,
                org,
                d.member,
                from,
                to,
                Actor::User(d.reviewer),
                &note,
            )
            .await?
            {
                return Ok(false);
            }
        }
        if let Some(event) = d.milestone {
            insert_milestone(&mut tx, org, d.member, event, &note, now).await?;
        }
        if let Some((to, subject, body)) = d.email {
            insert_email(&mut tx, org, to, subject, body, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Record a live-post verification. When it passes the deliverable is
    /// verified; when then every deliverable of the member is, the member
    /// moves to `published` and the `published` milestone fires.
    pub async fn record_live_check(
        &self,
        org: OrgId,
        c: &LiveCheckInput<'_>,
    ) -> Result<Option<LiveOutcome>> {
        let mut tx = self.pool.begin().await?;
        let owned = sqlx::query(
            "SELECT 1 AS one FROM deliverables WHERE id = $1 AND member_id = $2 AND org_id = $3",
        )
        .bind(c.deliverable)
        .bind(c.member)
        .bind(org.0)
        .fetch_optional(&mut *tx)
        .await?;
        if owned.is_none() {
            return Ok(None);
        }
        let now = now_us();
        let actor = match c.actor {
            Actor::User(_) => "user",
            Actor::Creator => "creator",
            Actor::System => "system",
        };
        sqlx::query(
            "INSERT INTO live_checks (org_id, deliverable_id, version, caption, passed, report, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org.0)
        .bind(c.deliverable)
        .bind(c.version)
        .bind(c.caption)
        .bind(i64::from(c.passed))
        .bind(c.report_json)
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut out = LiveOutcome {
            verified: false,
            published: false,
        };
        if c.passed {
            sqlx::query(
                "UPDATE deliverables SET verified_at = COALESCE(verified_at, $1) WHERE id = $2 AND org_id = $3",
            )
            .bind(now)
            .bind(c.deliverable)
            .bind(org.0)
            .execute(&mut *tx)
            .await?;
            out.verified = true;
            let open = sqlx::query(
                "SELECT COUNT(*) AS n FROM deliverables WHERE member_id = $1 AND org_id = $2 AND verified_at IS NULL",
            )
            .bind(c.member)
            .bind(org.0)
            .fetch_one(&mut *tx)
            .await?;
            if get::<i64>(&open, "n")? == 0 && c.member_stage == "approved" {
                let note = format!("live post of deliverable {} verified", c.deliverable);
                if move_in_tx(
                    &mut tx,
                    org,
                    c.member,
                    "approved",
                    "published",
                    c.actor,
                    &note,
                )
                .await?
                {
                    insert_milestone(&mut tx, org, c.member, "published", &note, now).await?;
                    out.published = true;
                }
            }
        }
        tx.commit().await?;
        Ok(Some(out))
    }

    /// Verifications of one deliverable, newest first.
    pub async fn live_checks(&self, org: OrgId, deliverable: i64) -> Result<Vec<LiveCheckRow>> {
        self.rows_by(
            "SELECT id, deliverable_id, version, caption, passed, report, actor, created_at \
             FROM live_checks WHERE org_id = $1 AND deliverable_id = $2 ORDER BY id DESC",
            org,
            deliverable,
            live_check_from,
        )
        .await
    }

    /// One uploaded file; None when not in `org`.
    pub async fn upload(&self, org: OrgId, id: i64) -> Result<Option<Upload>> {
        let sql = format!("{UPLOAD_SELECT} WHERE f.org_id = $1 AND f.id = $2");
        Ok(self
            .rows_by(&sql, org, id, upload_from)
            .await?
            .into_iter()
            .next())
    }

    /// Files uploaded with the drafts of a deliverable, by version.
    pub async fn uploads(&self, org: OrgId, deliverable: i64) -> Result<Vec<Upload>> {
        let sql = format!(
            "{UPLOAD_SELECT} WHERE f.org_id = $1 AND f.deliverable_id = $2 ORDER BY f.version, f.id"
        );
        self.rows_by(&sql, org, deliverable, upload_from).await
    }

    /// The milestone events of a campaign's members, in time order: what a
    /// settlement run reads as its `events`.
    pub async fn milestone_events(
        &self,
        org: OrgId,
        campaign: CampaignId,
    ) -> Result<Vec<MilestoneEvent>> {
        self.rows_by(
            "SELECT e.member_id, a.handle, e.event, e.at, e.note FROM milestone_events e \
             JOIN campaign_members m ON m.id = e.member_id \
             JOIN platform_accounts a ON a.id = m.account_id \
             WHERE e.org_id = $1 AND m.campaign_id = $2 ORDER BY e.at, e.id",
            org,
            campaign.0,
            |r| {
                Ok(MilestoneEvent {
                    member_id: get(r, "member_id")?,
                    handle: get(r, "handle")?,
                    event: get(r, "event")?,
                    at: get(r, "at")?,
                    note: get(r, "note")?,
                })
            },
        )
        .await
    }
}
