//! Qualifying a campaign's shortlist: the manager's rule (e.g. score ≥ 70
//! and no floor-level finding), applying it to the members still in
//! `shortlisted` (each move logged with who and why), and batch-qualifying
//! those members in one action. Moving a member by hand stays possible
//! through the ordinary stage moves.

use super::pages::{back, page_error};
use super::service;
use super::stage::Stage;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::qualify::{qualify_accounts, QualifyOptions, QualifySummary};
use crate::web::WebCaller;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chorus_core::Role;
use chorus_qualify::rule::{QualifyRule, ReportFacts};
use chorus_store::campaigns::{Actor, Campaign};
use serde::{Deserialize, Serialize};

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_rule, put_rule, apply, qualify_shortlist),
    components(schemas(RuleBody, QualifyShortlistBody, RuleOutcome, Decided, NotYet))
)]
pub struct QualifyRuleApiDoc;

/// Under `/api/v1/campaigns`.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/{id}/qualify-rule", get(get_rule).put(put_rule))
        .route("/{id}/qualify-rule/apply", post(apply))
        .route("/{id}/qualify", post(qualify_shortlist))
}

pub fn page_routes() -> Router<AppState> {
    Router::new().route("/campaigns/{id}/qualify-rule", post(rule_form))
}

/// A campaign's rule as the API shows and takes it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RuleBody {
    /// 0–100: the audience-quality score a member needs.
    pub min_score: f64,
    /// Reject members with a GARM floor-level finding (default true).
    #[serde(default = "yes")]
    pub reject_floor: bool,
    /// Also reject members with a high-severity finding (default false).
    #[serde(default)]
    pub reject_high: bool,
    /// The rule in words (ignored on input).
    #[serde(default, skip_deserializing)]
    pub text: String,
    /// False while the campaign still uses the default rule.
    #[serde(default, skip_deserializing)]
    pub stored: bool,
}

fn yes() -> bool {
    true
}

impl RuleBody {
    fn rule(&self) -> QualifyRule {
        QualifyRule {
            min_score: self.min_score,
            reject_floor: self.reject_floor,
            reject_high: self.reject_high,
        }
    }

    fn of(rule: QualifyRule, stored: bool) -> RuleBody {
        RuleBody {
            min_score: rule.min_score,
            reject_floor: rule.reject_floor,
            reject_high: rule.reject_high,
            text: rule.describe(),
            stored,
        }
    }
}

/// The campaign's rule, or the default (score ≥ 70, no floor-level finding).
pub async fn rule_of(st: &AppState, c: &Caller, k: &Campaign) -> Result<RuleBody, ApiError> {
    Ok(match st.store.qualify_rule(c.org(), k.id).await? {
        Some(r) => RuleBody::of(
            QualifyRule {
                min_score: r.min_score,
                reject_floor: r.reject_floor,
                reject_high: r.reject_high,
            },
            true,
        ),
        None => RuleBody::of(QualifyRule::default(), false),
    })
}

pub async fn set_rule(
    st: &AppState,
    c: &Caller,
    k: &Campaign,
    rule: QualifyRule,
) -> Result<RuleBody, ApiError> {
    c.require(Role::can_manage)?;
    rule.validate().map_err(ApiError::Invalid)?;
    let (s, f, h) = (rule.min_score, rule.reject_floor, rule.reject_high);
    if !st
        .store
        .set_qualify_rule(c.org(), k.id, s, f, h, Some(c.user.id))
        .await?
    {
        return Err(ApiError::NotFound("campaign"));
    }
    Ok(RuleBody::of(rule, true))
}

/// A member the rule moved, with the score and the reason logged.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Decided {
    pub member_id: i64,
    pub handle: String,
    pub score: f64,
    pub reason: String,
}

/// A shortlisted member the rule could not judge: not qualified yet.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotYet {
    pub member_id: i64,
    pub handle: String,
    pub reason: String,
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct RuleOutcome {
    /// The rule applied, in words.
    pub rule: String,
    pub qualified: Vec<Decided>,
    pub rejected: Vec<Decided>,
    /// Shortlisted members with no stored report, or one with nothing to
    /// score (no posts, history or sample); left in `shortlisted`.
    pub not_qualified_yet: Vec<NotYet>,
    /// Members that left `shortlisted` while the rule ran.
    pub changed_meanwhile: Vec<NotYet>,
}

/// Move every `shortlisted` member with a stored report to `qualified` or
/// `rejected` by the campaign's rule. Members in any other stage are left
/// alone: a manager's earlier decision (or a later stage) is never undone.
pub async fn apply_rule(st: &AppState, c: &Caller, k: &Campaign) -> Result<RuleOutcome, ApiError> {
    c.require(Role::can_manage)?;
    let rule = rule_of(st, c, k).await?.rule();
    let mut out = RuleOutcome {
        rule: rule.describe(),
        ..RuleOutcome::default()
    };
    let shortlisted = Stage::Shortlisted.as_str();
    for m in st.store.members(c.org(), k.id).await? {
        if m.stage != shortlisted {
            continue;
        }
        let report = st.store.latest_report(c.org(), m.account_id).await?;
        let why_not = match &report {
            None => Some("no quality report yet"),
            Some(r) if !scorable(&r.report) => {
                Some("the report has nothing to score (no posts, history or follower sample)")
            }
            Some(_) => None,
        };
        let (Some(report), None) = (report, why_not) else {
            out.not_qualified_yet.push(NotYet {
                member_id: m.id,
                handle: m.handle,
                reason: why_not.unwrap_or_default().to_string(),
            });
            continue;
        };
        let verdict = rule.judge(&ReportFacts {
            score: report.score,
            floor_severity: report.floor_severity,
            high_severity: report.high_severity,
        });
        let to = if verdict.qualified {
            Stage::Qualified
        } else {
            Stage::Rejected
        };
        let moved = st
            .store
            .move_member(
                c.org(),
                m.id,
                shortlisted,
                to.as_str(),
                Actor::User(c.user.id),
                &verdict.reason,
            )
            .await?;
        let d = Decided {
            member_id: m.id,
            handle: m.handle,
            score: report.score,
            reason: verdict.reason,
        };
        match (moved, verdict.qualified) {
            (false, _) => out.changed_meanwhile.push(NotYet {
                member_id: d.member_id,
                handle: d.handle,
                reason: "left shortlisted meanwhile".into(),
            }),
            (true, true) => out.qualified.push(d),
            (true, false) => out.rejected.push(d),
        }
    }
    Ok(out)
}

/// A stored report with at least one applicable component: a score of 0
/// from no data at all is no verdict on the creator.
fn scorable(report: &serde_json::Value) -> bool {
    report["components"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["applicable"] == true))
}

/// Batch-qualify the members still in `shortlisted` (one stored report
/// each, as for a list), then optionally apply the rule.
pub async fn qualify_members(
    st: &AppState,
    c: &Caller,
    k: &Campaign,
    opts: &QualifyOptions,
    apply: bool,
) -> Result<(Vec<QualifySummary>, Option<RuleOutcome>), ApiError> {
    c.require(Role::can_manage)?;
    let ids: Vec<_> = st
        .store
        .members(c.org(), k.id)
        .await?
        .into_iter()
        .filter(|m| m.stage == Stage::Shortlisted.as_str())
        .map(|m| m.account_id)
        .collect();
    let reports = qualify_accounts(&st.store, c.org(), &ids, opts, chrono::Utc::now()).await?;
    let outcome = if apply {
        Some(apply_rule(st, c, k).await?)
    } else {
        None
    };
    Ok((reports, outcome))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/qualify-rule", params(("id" = i64, Path)),
    responses((status = 200, body = RuleBody, description = "The campaign's rule, or the default (score ≥ 70, no floor-level finding)"),
              (status = 404, body = ErrorBody)))]
async fn get_rule(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RuleBody>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(rule_of(&st, &c, &k).await?))
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}/qualify-rule", params(("id" = i64, Path)), request_body = RuleBody,
    responses((status = 200, body = RuleBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_rule(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<RuleBody>,
) -> ApiResult<Json<RuleBody>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(set_rule(&st, &c, &k, b.rule()).await?))
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/qualify-rule/apply", params(("id" = i64, Path)),
    responses((status = 200, body = RuleOutcome, description = "Shortlisted members with a stored report moved to qualified or rejected (logged); the others listed as not qualified yet"),
              (status = 404, body = ErrorBody)))]
async fn apply(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RuleOutcome>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(apply_rule(&st, &c, &k).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct QualifyShortlistBody {
    #[serde(flatten)]
    pub options: QualifyOptions,
    /// Apply the campaign's rule to the fresh reports right away.
    #[serde(default)]
    pub apply_rule: bool,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/qualify", params(("id" = i64, Path)), request_body = QualifyShortlistBody,
    responses((status = 200, description = "One stored report per shortlisted member (`reports`), and with `apply_rule` the rule's outcome (`rule`)"),
              (status = 404, body = ErrorBody)))]
async fn qualify_shortlist(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<QualifyShortlistBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let (reports, outcome) = qualify_members(&st, &c, &k, &b.options, b.apply_rule).await?;
    Ok(Json(
        serde_json::json!({"reports": reports, "rule": outcome}),
    ))
}

/// The board's rule form: `action` = `save`, `apply` or `qualify`
/// (qualify the shortlist, then apply the rule).
#[derive(Deserialize)]
struct RuleForm {
    min_score: String,
    /// Checkboxes: present when ticked.
    reject_floor: Option<String>,
    reject_high: Option<String>,
    #[serde(default)]
    target_countries: String,
    #[serde(default)]
    action: String,
}

pub fn outcome_text(o: &RuleOutcome) -> String {
    let mut s = format!(
        "Rule ({}): {} qualified, {} rejected.",
        o.rule,
        o.qualified.len(),
        o.rejected.len()
    );
    if !o.not_qualified_yet.is_empty() {
        let names: Vec<String> = o
            .not_qualified_yet
            .iter()
            .take(10)
            .map(|m| format!("@{}", m.handle))
            .collect();
        s.push_str(&format!(
            " Not qualified yet ({}): {}.",
            o.not_qualified_yet.len(),
            names.join(", ")
        ));
    }
    s
}

async fn rule_form(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<RuleForm>,
) -> Result<Response, Response> {
    let fail = |e: ApiError| page_error(e);
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let min_score: f64 = f.min_score.trim().parse().map_err(|_| {
        fail(ApiError::Invalid(format!(
            "min_score: {:?} is not a number",
            f.min_score
        )))
    })?;
    let rule = QualifyRule {
        min_score,
        reject_floor: f.reject_floor.is_some(),
        reject_high: f.reject_high.is_some(),
    };
    set_rule(&st, &c, &k, rule).await.map_err(fail)?;
    let path = format!("/campaigns/{id}");
    let msg = match f.action.as_str() {
        "apply" => outcome_text(&apply_rule(&st, &c, &k).await.map_err(fail)?),
        "qualify" => {
            let opts = QualifyOptions {
                target_countries: f
                    .target_countries
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect(),
                ..QualifyOptions::default()
            };
            let (reports, o) = qualify_members(&st, &c, &k, &opts, true)
                .await
                .map_err(fail)?;
            format!(
                "Qualified {} shortlisted creators. {}",
                reports.len(),
                o.as_ref().map(outcome_text).unwrap_or_default()
            )
        }
        _ => format!("Rule saved: {}.", rule.describe()),
    };
    Ok(back(&path, &msg))
}
