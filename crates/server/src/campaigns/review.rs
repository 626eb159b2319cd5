//! Review of creators' drafts, shared by the pages, the portal and the API:
//! the automatic checks on every draft (the review engine against the
//! member's own brief), review rounds with comments, batch approval of drafts
//! that pass every check, and live-post verification that fires the
//! `published` milestone.

use super::brief::CampaignBrief;
use super::contract;
use super::service::{self, Outcome};
use super::stage::{self, Stage};
use super::terms::DealTerms;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use chorus_core::{OrgId, Role};
use chorus_review::{CheckId, LiveReport, Report, Status};
use chorus_store::campaigns::{Actor, Campaign, Deliverable, Member};
use chorus_store::review::{Decision, LiveCheckInput, LiveOutcome};
use serde::{Deserialize, Serialize};

/// A reviewer's comment: on one automatic check, or free text (`check` None).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comment {
    #[serde(default)]
    pub check: Option<String>,
    pub text: String,
}

/// The brief as this member sees it: merge fields filled with their name,
/// fee, link and code. An unknown merge field leaves the raw brief and says why.
pub async fn member_brief(
    st: &AppState,
    org: OrgId,
    camp: &Campaign,
    m: &Member,
) -> Result<(CampaignBrief, Option<String>), ApiError> {
    let latest = st.store.latest_brief(org, camp.id).await?;
    let raw = CampaignBrief::parse(latest.as_ref().map_or(&camp.default_brief, |b| &b.body))
        .map_err(ApiError::Invalid)?;
    let terms_json = st
        .store
        .latest_contract(org, m.id)
        .await?
        .map_or_else(|| m.terms.clone(), |k| k.terms);
    let terms = DealTerms::parse(&terms_json).map_err(ApiError::Invalid)?;
    let values = contract::member_values(
        &m.name,
        &m.handle,
        &raw,
        &terms,
        m.tracking_link.as_deref(),
        m.promo_code.as_deref(),
    );
    Ok(match raw.render(&values) {
        Ok(b) => (b, None),
        Err(e) => (raw, Some(e.to_string())),
    })
}

/// What the review engine reads from a campaign brief.
pub fn engine_brief(b: &CampaignBrief) -> chorus_review::Brief {
    // The campaign brief serializes to a superset of the engine's format.
    chorus_review::parse_brief(&b.to_json()).unwrap_or_default()
}

/// Run the automatic checks on a caption submitted at `at` (µs).
pub fn check_caption(brief: &CampaignBrief, caption: &str, at: i64) -> Report {
    chorus_review::check_at(
        &engine_brief(brief),
        caption,
        Some(chorus_store::from_us(at)),
    )
}

/// A stored report, or a fresh run for drafts stored before checks ran.
pub fn stored_or_fresh(brief: &CampaignBrief, d: &Deliverable) -> Option<Report> {
    let caption = d.last_caption.as_deref()?;
    if let Some(r) = d
        .last_checks
        .as_deref()
        .and_then(|j| serde_json::from_str::<Report>(j).ok())
    {
        return Some(Report {
            caption: caption.to_string(),
            ..r
        });
    }
    Some(check_caption(
        brief,
        caption,
        d.last_submitted_at.unwrap_or_else(chorus_store::now_us),
    ))
}

/// Passes every check: no failure and nothing a reviewer should look at.
pub fn passes_every_check(r: &Report) -> bool {
    r.checks.iter().all(|c| c.status == Status::Pass)
}

pub fn failing(r: &Report) -> Vec<CheckId> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.id)
        .collect()
}

/// The member's stage once its deliverables are in these statuses; None
/// when it should stay where it is.
pub fn member_stage_for(statuses: &[&str]) -> Option<Stage> {
    if statuses.contains(&"changes_requested") {
        Some(Stage::ChangesRequested)
    } else if statuses.contains(&"submitted") {
        Some(Stage::ContentSubmitted)
    } else if !statuses.is_empty() && statuses.iter().all(|s| matches!(*s, "approved" | "live")) {
        Some(Stage::Approved)
    } else {
        None
    }
}

/// The member's move `(from, to)` after `deliverable` takes `status`.
fn follow_up(
    member: &Member,
    all: &[Deliverable],
    deliverable: i64,
    status: &str,
) -> Option<Stage> {
    let statuses: Vec<&str> = all
        .iter()
        .map(|d| {
            if d.id == deliverable {
                status
            } else {
                d.status.as_str()
            }
        })
        .collect();
    let from = Stage::parse(&member.stage)?;
    member_stage_for(&statuses).filter(|to| *to != from && stage::allowed(from, *to))
}

fn decision_email(
    camp: &Campaign,
    m: &Member,
    approve: bool,
    comments: &[Comment],
) -> (String, String) {
    let who = if m.name.is_empty() {
        &m.handle
    } else {
        &m.name
    };
    if approve {
        (
            format!("Your draft for {} was approved", camp.name),
            format!(
                "Hi {who},\n\nyour draft for the {} campaign was approved. Post it as approved, \
                 then give the live post's link (and its caption) through your campaign link.\n",
                camp.name
            ),
        )
    } else {
        let mut body = format!(
            "Hi {who},\n\nthe brand asks for changes to your draft for the {} campaign:\n\n",
            camp.name
        );
        for c in comments {
            match &c.check {
                Some(k) => body.push_str(&format!("- {k}: {}\n", c.text)),
                None => body.push_str(&format!("- {}\n", c.text)),
            }
        }
        body.push_str(
            "\nOpen your campaign link (from the email with your contract) to see the comments and submit a new version.\n",
        );
        (
            format!("Changes requested on your draft for {}", camp.name),
            body,
        )
    }
}

/// A deliverable of this campaign in the caller's organization.
pub async fn deliverable(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    did: i64,
) -> Result<Deliverable, ApiError> {
    st.store
        .deliverable(c.org(), did)
        .await?
        .filter(|d| d.campaign_id == camp.id)
        .ok_or(ApiError::NotFound("deliverable"))
}

/// Approve a draft version, or request changes with comments: a new review
/// round, the member's stage, the `approved` milestone and the creator's
/// email, in one transaction. `version` None means the latest draft.
pub async fn decide(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    did: i64,
    version: Option<i64>,
    approve: bool,
    comments: &[Comment],
) -> Result<(), ApiError> {
    c.require(Role::can_review)?;
    let d = deliverable(st, c, camp, did).await?;
    let comments: Vec<Comment> = comments
        .iter()
        .filter(|k| !k.text.trim().is_empty())
        .map(|k| Comment {
            check: k.check.clone(),
            text: k.text.trim().to_string(),
        })
        .collect();
    if !approve && comments.is_empty() {
        return Err(ApiError::Invalid(
            "comments: say what to change, on a check or in the free-text comment".into(),
        ));
    }
    if d.status != "submitted" {
        return Err(ApiError::Conflict(format!(
            "deliverable {did} is {}, not awaiting review",
            d.status.replace('_', " ")
        )));
    }
    let version = version.or(d.last_version).unwrap_or(0);
    let m = service::member(st, c, camp, d.member_id).await?;
    let all = st.store.member_deliverables(c.org(), m.id).await?;
    let status = if approve {
        "approved"
    } else {
        "changes_requested"
    };
    let to = follow_up(&m, &all, d.id, status);
    let (subject, body) = decision_email(camp, &m, approve, &comments);
    let comments_json =
        serde_json::to_string(&comments).map_err(|e| ApiError::Internal(e.into()))?;
    let ok = st
        .store
        .decide(
            c.org(),
            &Decision {
                member: m.id,
                deliverable: d.id,
                version,
                approve,
                comments_json: &comments_json,
                reviewer: c.user.id,
                member_move: to.map(|to| (m.stage.as_str(), to.as_str())),
                milestone: (to == Some(Stage::Approved)).then_some("approved"),
                email: m
                    .email
                    .as_deref()
                    .map(|e| (e, subject.as_str(), body.as_str())),
            },
        )
        .await?;
    if ok {
        Ok(())
    } else {
        Err(ApiError::Conflict(
            "a newer draft arrived or the member moved meanwhile; reload and review again".into(),
        ))
    }
}

/// One submitted draft in the review queue.
pub struct QueueItem {
    pub d: Deliverable,
    pub m: Member,
    pub report: Report,
}

/// Every draft awaiting review, with its automatic checks.
pub async fn queue(st: &AppState, c: &Caller, camp: &Campaign) -> Result<Vec<QueueItem>, ApiError> {
    let members = st.store.members(c.org(), camp.id).await?;
    let mut briefs: Vec<(i64, CampaignBrief)> = Vec::new();
    let mut out = Vec::new();
    for d in st.store.deliverables(c.org(), camp.id).await? {
        if d.status != "submitted" {
            continue;
        }
        let Some(m) = members.iter().find(|m| m.id == d.member_id) else {
            continue;
        };
        let brief = match briefs.iter().find(|(id, _)| *id == m.id) {
            Some((_, b)) => b.clone(),
            None => {
                let b = member_brief(st, c.org(), camp, m).await?.0;
                briefs.push((m.id, b.clone()));
                b
            }
        };
        if let Some(report) = stored_or_fresh(&brief, &d) {
            out.push(QueueItem {
                d,
                m: m.clone(),
                report,
            });
        }
    }
    Ok(out)
}

/// Approve every draft awaiting review that passes every automatic check
/// (no failure, no warning); the others are left for a person.
pub async fn approve_passing(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
) -> Result<Outcome, ApiError> {
    c.require(Role::can_review)?;
    let mut out = Outcome::default();
    let note = [Comment {
        check: None,
        text: "Batch-approved: every automatic check passed.".into(),
    }];
    for item in queue(st, c, camp).await? {
        if !passes_every_check(&item.report) {
            continue;
        }
        match decide(st, c, camp, item.d.id, item.d.last_version, true, &note).await {
            Ok(()) => out.done += 1,
            Err(ApiError::Conflict(why)) => out.skipped.push(service::Skipped {
                member_id: item.m.id,
                handle: item.m.handle.clone(),
                reason: why,
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The approved draft of a deliverable: its version and caption.
pub async fn approved_version(
    st: &AppState,
    org: OrgId,
    did: i64,
) -> Result<Option<(i64, String)>, ApiError> {
    let Some(round) = st
        .store
        .review_rounds(org, did)
        .await?
        .into_iter()
        .rev()
        .find(|r| r.decision == "approved")
    else {
        return Ok(None);
    };
    Ok(st
        .store
        .submissions(org, did)
        .await?
        .into_iter()
        .find(|s| s.version == round.version)
        .map(|s| (s.version, s.caption)))
}

/// Check the live caption against the approved version and record it;
/// passing verifies the deliverable and, once all of the member's are,
/// moves the member to `published` with the `published` milestone.
pub async fn verify_live(
    st: &AppState,
    org: OrgId,
    camp: &Campaign,
    m: &Member,
    d: &Deliverable,
    caption: &str,
    actor: Actor,
) -> Result<(LiveReport, LiveOutcome), ApiError> {
    let caption = caption.trim();
    if caption.is_empty() {
        return Err(ApiError::Invalid(
            "caption: paste the caption of the live post".into(),
        ));
    }
    if d.status != "live" {
        return Err(ApiError::Conflict(
            "give the live post's URL first; only an approved draft goes live".into(),
        ));
    }
    let (version, approved) = approved_version(st, org, d.id)
        .await?
        .ok_or_else(|| ApiError::Conflict("this deliverable has no approved draft".into()))?;
    let brief = member_brief(st, org, camp, m).await?.0;
    let report = chorus_review::verify_live(
        &engine_brief(&brief),
        &approved,
        caption,
        chorus_review::MIN_SIMILARITY_PERCENT,
    );
    let json = serde_json::to_string(&report).map_err(|e| ApiError::Internal(e.into()))?;
    let outcome = st
        .store
        .record_live_check(
            org,
            &LiveCheckInput {
                member: m.id,
                deliverable: d.id,
                version,
                caption,
                passed: report.passed,
                report_json: &json,
                actor,
                member_stage: &m.stage,
            },
        )
        .await?
        .ok_or(ApiError::NotFound("deliverable"))?;
    Ok((report, outcome))
}

/// "Verified: …" or "Not verified: …" for a flash message.
pub fn live_summary(r: &LiveReport, o: &LiveOutcome) -> String {
    if r.passed {
        let mut s = "Live post verified against the approved version".to_string();
        if o.published {
            s.push_str(": the creator is now published");
        }
        s.push('.');
        s
    } else {
        let why: Vec<String> = r
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.id, c.message))
            .collect();
        format!("Live post not verified. {}", why.join(". "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_stage_follows_its_deliverables() {
        assert_eq!(
            member_stage_for(&["approved", "live"]),
            Some(Stage::Approved)
        );
        assert_eq!(
            member_stage_for(&["approved", "changes_requested", "submitted"]),
            Some(Stage::ChangesRequested)
        );
        assert_eq!(
            member_stage_for(&["approved", "submitted"]),
            Some(Stage::ContentSubmitted)
        );
        assert_eq!(member_stage_for(&["approved", "pending"]), None);
        assert_eq!(member_stage_for(&[]), None);
    }
}
