//! The reviewer's pages: the review queue of a campaign (automatic checks,
//! filter by failing check, batch approval, keyboard shortcuts) and one
//! deliverable's review page (versions with a word diff, checks with the
//! evidence highlighted, rounds with comments, live-post verification).

use super::pages::{back, fail, form_field, layout, render, when, PageResult};
use super::review::{self, Comment};
use super::service;
use super::uploads;
use crate::error::ApiError;
use crate::web::{Layout, WebCaller};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chorus_review::diff::{similarity_percent, word_diff, DiffOp};
use chorus_review::{CheckId, LiveReport, Report, Status};
use chorus_store::campaigns::{Actor, Campaign, Deliverable};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/review", get(queue))
        .route(
            "/campaigns/{id}/review/approve-passing",
            post(approve_passing),
        )
        .route("/campaigns/{id}/deliverables/{did}", get(detail))
        .route("/campaigns/{id}/deliverables/{did}/review", post(decide))
        .route("/campaigns/{id}/deliverables/{did}/verify", post(verify))
        .route("/campaigns/{id}/uploads/{uid}", get(upload))
}

// ---------- queue ----------

struct QueueRow {
    did: i64,
    member_id: i64,
    handle: String,
    what: String,
    version: i64,
    caption: String,
    passes: bool,
    failing: Vec<&'static str>,
    warnings: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "campaigns/review.html")]
struct QueuePage {
    l: Layout,
    k: Campaign,
    rows: Vec<QueueRow>,
    total: usize,
    passing: usize,
    failing: String,
    filters: Vec<(&'static str, usize)>,
    msg: Option<String>,
    err: Option<String>,
}

#[derive(Deserialize, Default)]
struct QueueQuery {
    failing: Option<String>,
    msg: Option<String>,
    err: Option<String>,
}

fn ids_with(r: &Report, status: Status) -> Vec<&'static str> {
    r.checks
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.id.as_str())
        .collect()
}

async fn queue(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c).await?;
    let failing = q.failing.unwrap_or_default();
    if !failing.is_empty() && CheckId::parse(&failing).is_none() {
        return Err(fail(ApiError::Invalid(format!(
            "failing: {failing:?} is not a check id"
        ))));
    }
    let items = review::queue(&st, &c, &k).await.map_err(fail)?;
    let all: Vec<QueueRow> = items
        .into_iter()
        .map(|i| QueueRow {
            did: i.d.id,
            member_id: i.m.id,
            handle: i.m.handle,
            what: format!("{} {}", i.d.platform, i.d.format),
            version: i.d.last_version.unwrap_or(0),
            caption: i.d.last_caption.unwrap_or_default(),
            passes: review::passes_every_check(&i.report),
            failing: ids_with(&i.report, Status::Fail),
            warnings: ids_with(&i.report, Status::Warn),
        })
        .collect();
    let filters = CheckId::ALL
        .iter()
        .map(|id| {
            let n = all
                .iter()
                .filter(|r| r.failing.contains(&id.as_str()))
                .count();
            (id.as_str(), n)
        })
        .collect();
    let total = all.len();
    let passing = all.iter().filter(|r| r.passes).count();
    let rows = all
        .into_iter()
        .filter(|r| failing.is_empty() || r.failing.contains(&failing.as_str()))
        .collect();
    Ok(render(QueuePage {
        l,
        k,
        rows,
        total,
        passing,
        failing,
        filters,
        msg: q.msg,
        err: q.err,
    }))
}

async fn approve_passing(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let o = review::approve_passing(&st, &c, &k).await.map_err(fail)?;
    Ok(back(
        &format!("/campaigns/{id}/review"),
        &super::pages::outcome_text("Approved (every check passed):", &o),
    ))
}

// ---------- one deliverable ----------

struct CheckView {
    id: &'static str,
    status: &'static str,
    message: String,
    evidence: String,
}

struct RoundView {
    round: i64,
    version: i64,
    decision: String,
    who: String,
    at: String,
    comments: Vec<(String, String)>,
}

struct LiveView {
    at: String,
    actor: String,
    passed: bool,
    caption: String,
    lines: Vec<(String, bool, String)>,
}

#[derive(Template)]
#[template(path = "campaigns/deliverable.html")]
struct DetailPage {
    l: Layout,
    k: Campaign,
    d: Deliverable,
    what: String,
    versions: Vec<(i64, String)>,
    from: i64,
    to: i64,
    diff: Vec<(&'static str, String)>,
    similarity: u32,
    caption: Vec<(&'static str, String)>,
    checks: Vec<CheckView>,
    rounds: Vec<RoundView>,
    uploads: Vec<(i64, String, String)>,
    live: Vec<LiveView>,
    reviewable: bool,
    verifiable: bool,
    msg: Option<String>,
    err: Option<String>,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    from: Option<i64>,
    to: Option<i64>,
    msg: Option<String>,
    err: Option<String>,
}

/// The caption cut into runs: plain, `found` (evidence of a passing check)
/// and `problem` (evidence of a failing or warning one).
fn highlight(r: &Report) -> Vec<(&'static str, String)> {
    let chars: Vec<char> = r.caption.chars().collect();
    let mut marks = vec![0u8; chars.len()];
    for c in &r.checks {
        let problem = matches!(
            c.id,
            CheckId::Prohibited | CheckId::Competitors | CheckId::BrandSafety
        ) || c.status != Status::Pass;
        for s in &c.evidence {
            for m in marks.iter_mut().take(s.end.min(chars.len())).skip(s.start) {
                *m = (*m).max(if problem { 2 } else { 1 });
            }
        }
    }
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (ch, m) in chars.iter().zip(marks) {
        let class = ["", "found", "problem"][m as usize];
        match out.last_mut() {
            Some((c, t)) if *c == class => t.push(*ch),
            _ => out.push((class, ch.to_string())),
        }
    }
    out
}

fn diff_view(old: &str, new: &str) -> Vec<(&'static str, String)> {
    word_diff(old, new)
        .into_iter()
        .map(|op| match op {
            DiffOp::Equal(t) => ("equal", t),
            DiffOp::Insert(t) => ("ins", t),
            DiffOp::Delete(t) => ("del", t),
        })
        .collect()
}

fn comment_lines(json: &str) -> Vec<(String, String)> {
    serde_json::from_str::<Vec<Comment>>(json)
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.check.unwrap_or_else(|| "comment".into()), c.text))
        .collect()
}

async fn detail(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, did)): Path<(i64, i64)>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let d = review::deliverable(&st, &c, &k, did).await.map_err(fail)?;
    let m = service::member(&st, &c, &k, d.member_id)
        .await
        .map_err(fail)?;
    let l = layout(&st, &c).await?;
    let subs = st.store.submissions(c.org(), d.id).await.map_err(fail)?;
    let latest = subs.last().map_or(0, |s| s.version);
    let to = q.to.unwrap_or(latest);
    let from = q.from.unwrap_or(to - 1);
    let text_of = |v: i64| {
        subs.iter()
            .find(|s| s.version == v)
            .map(|s| s.caption.as_str())
    };
    let (diff, similarity) = match (text_of(from), text_of(to)) {
        (Some(a), Some(b)) => (diff_view(a, b), similarity_percent(a, b)),
        (None, Some(b)) => (vec![("equal", b.to_string())], 100),
        _ => (vec![], 100),
    };
    let brief = review::member_brief(&st, c.org(), &k, &m)
        .await
        .map_err(fail)?
        .0;
    let report = review::stored_or_fresh(&brief, &d);
    let checks = report
        .as_ref()
        .map(|r| {
            r.checks
                .iter()
                .map(|x| CheckView {
                    id: x.id.as_str(),
                    status: x.status.as_str(),
                    message: x.message.clone(),
                    evidence: x
                        .evidence
                        .iter()
                        .map(|s| s.text.clone())
                        .collect::<Vec<_>>()
                        .join(" · "),
                })
                .collect()
        })
        .unwrap_or_default();
    let rounds = st
        .store
        .review_rounds(c.org(), d.id)
        .await
        .map_err(fail)?
        .into_iter()
        .rev()
        .map(|r| RoundView {
            round: r.round,
            version: r.version,
            decision: r.decision.replace('_', " "),
            who: r.reviewer_email.unwrap_or_default(),
            at: when(r.created_at),
            comments: comment_lines(&r.comments),
        })
        .collect();
    let live = st
        .store
        .live_checks(c.org(), d.id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|x| LiveView {
            at: when(x.created_at),
            actor: x.actor,
            passed: x.passed,
            caption: x.caption,
            lines: serde_json::from_str::<LiveReport>(&x.report)
                .map(|r| {
                    r.checks
                        .into_iter()
                        .map(|c| (c.id, c.passed, c.message))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let uploads = st
        .store
        .uploads(c.org(), d.id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|u| {
            (
                u.id,
                format!("v{} {}", u.version, u.original_name),
                uploads::size_text(u.size_bytes),
            )
        })
        .collect();
    Ok(render(DetailPage {
        l,
        what: format!("@{} · {} {}", m.handle, d.platform, d.format),
        versions: subs
            .iter()
            .map(|s| (s.version, when(s.created_at)))
            .collect(),
        from,
        to,
        diff,
        similarity,
        caption: report.as_ref().map(highlight).unwrap_or_default(),
        checks,
        rounds,
        uploads,
        live,
        reviewable: d.status == "submitted",
        verifiable: d.status == "live",
        k,
        d,
        msg: q.msg,
        err: q.err,
    }))
}

fn back_err(path: &str, err: &str) -> Response {
    let q = serde_urlencoded::to_string([("err", err)]).unwrap_or_default();
    Redirect::to(&format!("{path}?{q}")).into_response()
}

/// The review form: `decision` (approve | changes), `version`, a free-text
/// `comment` and one `c_<check id>` comment per check; `back=queue` returns
/// to the queue.
async fn decide(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, did)): Path<(i64, i64)>,
    body: axum::body::Bytes,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form_field(&fields, name);
    let approve = field("decision") == "approve";
    let version = field("version").parse::<i64>().ok();
    let mut comments: Vec<Comment> = fields
        .iter()
        .filter_map(|(k, v)| {
            let check = CheckId::parse(k.strip_prefix("c_")?)?;
            Some(Comment {
                check: Some(check.as_str().into()),
                text: v.clone(),
            })
        })
        .collect();
    comments.push(Comment {
        check: None,
        text: field("comment"),
    });
    let to_queue = field("back") == "queue";
    let page = if to_queue {
        format!("/campaigns/{id}/review")
    } else {
        format!("/campaigns/{id}/deliverables/{did}")
    };
    match review::decide(&st, &c, &k, did, version, approve, &comments).await {
        Ok(()) => Ok(back(
            &page,
            &format!(
                "Deliverable {did}: {}.",
                if approve {
                    "approved"
                } else {
                    "changes requested"
                }
            ),
        )),
        Err(e @ (ApiError::Invalid(_) | ApiError::Conflict(_))) => {
            Ok(back_err(&page, &e.to_string()))
        }
        Err(e) => Err(fail(e)),
    }
}

#[derive(Deserialize)]
struct VerifyForm {
    caption: String,
    #[serde(default)]
    url: String,
}

/// The reviewer pastes the live caption (and the URL when the creator did
/// not give it).
async fn verify(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, did)): Path<(i64, i64)>,
    Form(f): Form<VerifyForm>,
) -> PageResult {
    c.require(chorus_core::Role::can_review).map_err(fail)?;
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let mut d = review::deliverable(&st, &c, &k, did).await.map_err(fail)?;
    let m = service::member(&st, &c, &k, d.member_id)
        .await
        .map_err(fail)?;
    let page = format!("/campaigns/{id}/deliverables/{did}");
    let url = f.url.trim();
    if !url.is_empty() {
        if !matches!(d.status.as_str(), "approved" | "live") {
            return Ok(back_err(&page, "Only an approved draft can go live."));
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Ok(back_err(
                &page,
                "url: give the live post's web link (https://…)",
            ));
        }
        st.store
            .set_live_url(c.org(), m.id, d.id, url)
            .await
            .map_err(fail)?;
        d.status = "live".into();
    }
    match review::verify_live(&st, c.org(), &k, &m, &d, &f.caption, Actor::User(c.user.id)).await {
        Ok((r, o)) if r.passed => Ok(back(&page, &review::live_summary(&r, &o))),
        Ok((r, o)) => Ok(back_err(&page, &review::live_summary(&r, &o))),
        Err(e @ (ApiError::Invalid(_) | ApiError::Conflict(_))) => {
            Ok(back_err(&page, &e.to_string()))
        }
        Err(e) => Err(fail(e)),
    }
}

async fn upload(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, uid)): Path<(i64, i64)>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let u = st
        .store
        .upload(c.org(), uid)
        .await
        .map_err(fail)?
        .filter(|u| u.campaign_id == k.id)
        .ok_or_else(|| fail(ApiError::NotFound("file")))?;
    uploads::serve(&st, &u).await.map_err(fail)
}
