//! The creator portal at `/p/{token}`: no account, only a private link.
//!
//! The token in the URL is looked up by its SHA-256 digest (the clear token
//! is never stored) and compared in constant time; it opens one member's
//! pages only. Forms carry a per-token CSRF value stored with the token,
//! because portal requests have no session for the global check to use.

use super::brief::CampaignBrief;
use super::contract;
use super::pages::{escape, render};
use super::review;
use super::service::{self, date_text, Counter};
use super::stage::Stage;
use super::uploads::{self, Received, Refused};
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::payout_details;
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use chorus_core::{FieldError, OrgId, PayoutForm};
use chorus_store::campaigns::{Actor, Answer, Campaign, Contract, Member, PortalToken, Signature};
use chorus_store::now_us;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/p/{token}", get(home))
        .route("/p/{token}/sign", post(sign))
        .route("/p/{token}/decline", post(decline))
        .route("/p/{token}/counter", post(counter))
        .route("/p/{token}/contract.pdf", get(pdf))
        .route("/p/{token}/statement", get(statement))
        .route("/p/{token}/payout", post(payout))
        .route("/p/{token}/deliverables/{did}/draft", post(draft))
        .route("/p/{token}/deliverables/{did}/live", post(live))
        .route("/p/{token}/uploads/{uid}", get(upload))
}

/// Why a link does not open: each with its own status and a clear page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkProblem {
    Unknown,
    Expired,
    Revoked,
}

fn link_page(p: LinkProblem) -> Response {
    let (status, title, text) = match p {
        LinkProblem::Unknown => (
            StatusCode::NOT_FOUND,
            "This link is not valid",
            "We could not find this campaign link. Check that you copied the whole link from your email.",
        ),
        LinkProblem::Expired => (
            StatusCode::GONE,
            "This link has expired",
            "Campaign links expire after a while to keep your contract private. Ask the brand for a new link.",
        ),
        LinkProblem::Revoked => (
            StatusCode::FORBIDDEN,
            "This link was withdrawn",
            "The brand has withdrawn this link. If you still need access, ask them for a new one.",
        ),
    };
    portal_message(status, title, text)
}

fn portal_message(status: StatusCode, title: &str, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
             <title>{t} · Chorus</title><link rel=stylesheet href=/static/app.css><link rel=stylesheet href=/static/campaigns.css>\
             <main class=portal><div class=\"card\"><h1>{t}</h1><p>{x}</p></div></main></html>",
            t = escape(title),
            x = escape(text)
        )),
    )
        .into_response()
}

fn problem(e: ApiError) -> Response {
    let status = e.status();
    portal_message(
        status,
        status.canonical_reason().unwrap_or("Error"),
        &e.to_string(),
    )
}

/// Everything a portal request is about.
struct Ctx {
    token: PortalToken,
    org: OrgId,
    camp: Campaign,
    m: Member,
}

async fn open(st: &AppState, clear: &str) -> Result<Ctx, Response> {
    let digest = auth::digest(clear);
    let t = st
        .store
        .portal_token(&digest)
        .await
        .map_err(|e| problem(e.into()))?
        // The lookup is by digest; compare again in constant time anyway.
        .filter(|t| auth::ct_eq(&t.token_hash, &digest))
        .ok_or_else(|| link_page(LinkProblem::Unknown))?;
    if t.revoked_at.is_some() {
        return Err(link_page(LinkProblem::Revoked));
    }
    if t.expires_at <= now_us() {
        return Err(link_page(LinkProblem::Expired));
    }
    let camp = st
        .store
        .campaign(t.org_id, t.campaign_id)
        .await
        .map_err(|e| problem(e.into()))?
        .ok_or_else(|| link_page(LinkProblem::Unknown))?;
    let m = st
        .store
        .member(t.org_id, t.member_id)
        .await
        .map_err(|e| problem(e.into()))?
        .ok_or_else(|| link_page(LinkProblem::Unknown))?;
    Ok(Ctx {
        org: t.org_id,
        token: t,
        camp,
        m,
    })
}

fn csrf_ok(ctx: &Ctx, given: &str) -> bool {
    auth::ct_eq(&ctx.token.csrf, given)
}

struct RoundNote {
    round: i64,
    decision: String,
    /// (check id or empty, text)
    comments: Vec<(String, String)>,
}

struct DeliverableView {
    id: i64,
    what: String,
    due: String,
    state: &'static str,
    versions: i64,
    caption: String,
    live_url: Option<String>,
    can_submit: bool,
    can_go_live: bool,
    verified: bool,
    /// The latest review round.
    review: Option<RoundNote>,
    /// The automatic checks' messages on the latest draft that did not pass.
    hints: Vec<String>,
    uploads: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "portal/portal.html")]
struct PortalPage {
    token: String,
    csrf: String,
    session_csrf: String,
    brand: String,
    camp: Campaign,
    m: Member,
    brief: CampaignBrief,
    brief_version: i64,
    brief_updated: bool,
    brief_error: Option<String>,
    contract: Option<Contract>,
    contract_intact: bool,
    signed_when: String,
    signable: bool,
    deliverables: Vec<DeliverableView>,
    can_deliver: bool,
    msg: Option<String>,
    payout: PayoutView,
    earnings: Earnings,
}

/// The creator's money from this deal: sums per currency and every line.
#[derive(Default)]
struct Earnings {
    /// (currency, pending, payable, paid)
    totals: Vec<(String, String, String, String)>,
    lines: Vec<crate::pay::service::LineView>,
    error: Option<String>,
}

async fn earnings(st: &AppState, ctx: &Ctx) -> Earnings {
    use crate::pay::service;
    let s = match service::settle(&st.store, ctx.org, None, chrono::Utc::now()).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "portal earnings");
            return Earnings {
                error: Some("Earnings could not be computed right now.".into()),
                ..Earnings::default()
            };
        }
    };
    let creator = ctx.m.account_id.0.to_string();
    let campaign = ctx.camp.id.0.to_string();
    let lines = service::line_views(&s, Some(&creator), Some(&campaign));
    let mut sums: std::collections::BTreeMap<String, [i64; 3]> = Default::default();
    for l in &lines {
        let e = sums.entry(l.currency.clone()).or_default();
        match l.status.as_str() {
            "pending" => e[0] += l.amount_minor,
            "payable" => e[1] += l.amount_minor,
            "paid" => e[2] += l.amount_minor,
            _ => {}
        }
    }
    let totals = sums
        .into_iter()
        .map(|(cur, [p, q, r])| {
            let c = chorus_core::Currency::parse(&cur).unwrap_or(chorus_core::Currency::USD);
            (
                cur,
                service::major(p, c),
                service::major(q, c),
                service::major(r, c),
            )
        })
        .collect();
    Earnings {
        totals,
        lines,
        error: None,
    }
}

/// The payout details card: what is saved (masked) and the form.
#[derive(Default)]
struct PayoutView {
    /// The saved details, masked.
    current: Option<String>,
    /// Why details cannot be shown or saved here, if so.
    problem: Option<String>,
    /// What the creator typed, shown again with the errors.
    form: PayoutForm,
    errors: Vec<FieldError>,
}

impl PortalPage {
    /// The error of a payout form field, or "".
    fn payout_error(&self, field: &str) -> &str {
        self.payout
            .errors
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.reason.as_str())
    }

    fn payout_method_is(&self, method: &str) -> bool {
        self.payout.form.method == method
    }
}

#[derive(Deserialize, Default)]
struct Msg {
    msg: Option<String>,
}

async fn home(
    State(st): State<AppState>,
    Path(token): Path<String>,
    caller: Option<Caller>,
    axum::extract::Query(q): axum::extract::Query<Msg>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match home_page(&st, &ctx, &token, caller, q.msg, None).await {
        Ok(r) => r,
        Err(e) => problem(e),
    }
}

async fn home_page(
    st: &AppState,
    ctx: &Ctx,
    token: &str,
    caller: Option<Caller>,
    msg: Option<String>,
    typed: Option<(PayoutForm, Vec<FieldError>)>,
) -> Result<Response, ApiError> {
    let brand = st
        .store
        .org(ctx.org)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let latest = st.store.latest_brief(ctx.org, ctx.camp.id).await?;
    let mut contract = st.store.latest_contract(ctx.org, ctx.m.id).await?;
    if let Some(k) = &contract {
        if k.status == "sent"
            && st
                .store
                .set_contract_status(ctx.org, k.id, &["sent"], "viewed")
                .await?
        {
            contract = st.store.contract(ctx.org, k.id).await?;
        }
    }
    let (brief, brief_error) = review::member_brief(st, ctx.org, &ctx.camp, &ctx.m).await?;
    let brief_version = latest.as_ref().map_or(0, |b| b.version);
    let now = now_us();
    let stage = Stage::parse(&ctx.m.stage).unwrap_or(Stage::Shortlisted);
    let can_deliver = matches!(
        stage,
        Stage::Contracted
            | Stage::ContentSubmitted
            | Stage::ChangesRequested
            | Stage::Approved
            | Stage::Published
    );
    let rounds = st.store.member_review_rounds(ctx.org, ctx.m.id).await?;
    let mut deliverables = Vec::new();
    for d in st.store.member_deliverables(ctx.org, ctx.m.id).await? {
        let last_round = rounds
            .iter()
            .rev()
            .find(|r| r.deliverable_id == d.id)
            .map(|r| {
                let comments = serde_json::from_str::<Vec<review::Comment>>(&r.comments)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (c.check.unwrap_or_default(), c.text))
                    .collect();
                RoundNote {
                    round: r.round,
                    decision: r.decision.replace('_', " "),
                    comments,
                }
            });
        let hints = review::stored_or_fresh(&brief, &d)
            .map(|r| {
                r.checks
                    .into_iter()
                    .filter(|c| c.status != chorus_review::Status::Pass)
                    .map(|c| format!("{}: {}", c.id.as_str(), c.message))
                    .collect()
            })
            .unwrap_or_default();
        let uploads = st
            .store
            .uploads(ctx.org, d.id)
            .await?
            .into_iter()
            .map(|u| (u.id, format!("v{} {}", u.version, u.original_name)))
            .collect();
        deliverables.push(DeliverableView {
            state: service::deliverable_state(&d.status, d.due_at, now, None),
            can_submit: can_deliver
                && matches!(
                    d.status.as_str(),
                    "pending" | "submitted" | "changes_requested"
                ),
            can_go_live: can_deliver && matches!(d.status.as_str(), "approved" | "live"),
            verified: d.verified_at.is_some(),
            id: d.id,
            what: format!("{} {}", d.platform, d.format),
            due: date_text(d.due_at),
            versions: d.submissions,
            caption: d.last_caption.unwrap_or_default(),
            live_url: d.live_url,
            review: last_round,
            hints,
            uploads,
        });
    }
    Ok(render(PortalPage {
        token: token.to_string(),
        csrf: ctx.token.csrf.clone(),
        session_csrf: caller
            .map(|c| c.csrf_token().to_string())
            .unwrap_or_default(),
        brand,
        brief_updated: ctx
            .m
            .brief_version_sent
            .is_some_and(|sent| brief_version > sent),
        signed_when: contract
            .as_ref()
            .and_then(|k| k.signed_at)
            .map(|t| {
                chorus_store::from_us(t)
                    .format("%Y-%m-%d %H:%M UTC")
                    .to_string()
            })
            .unwrap_or_default(),
        contract_intact: contract
            .as_ref()
            .is_some_and(|k| contract::sha256_hex(&k.body) == k.body_sha256),
        signable: contract
            .as_ref()
            .is_some_and(|k| matches!(k.status.as_str(), "sent" | "viewed")),
        camp: ctx.camp.clone(),
        m: ctx.m.clone(),
        brief,
        brief_version,
        brief_error,
        contract,
        deliverables,
        can_deliver,
        msg,
        payout: payout_view(st, ctx, typed).await,
        earnings: earnings(st, ctx).await,
    }))
}

async fn payout_view(
    st: &AppState,
    ctx: &Ctx,
    typed: Option<(PayoutForm, Vec<FieldError>)>,
) -> PayoutView {
    let (current, problem) = match payout_details::masked_destination(st, ctx.org, ctx.m.account_id)
        .await
    {
        Ok(m) => (m, None),
        Err(e) => {
            tracing::warn!(member = ctx.m.id, error = %e, "payout details unavailable");
            let text = if st.config.secret_key.is_none() {
                "Payout details cannot be saved on this server yet. Please ask the brand how you will be paid."
            } else {
                "Your saved payout details cannot be read right now. You can enter them again below."
            };
            (None, Some(text.to_string()))
        }
    };
    let (form, errors) = typed.unwrap_or_else(|| {
        (
            PayoutForm {
                method: "paypal".into(),
                currency: ctx.camp.currency.clone(),
                ..PayoutForm::default()
            },
            Vec::new(),
        )
    });
    PayoutView {
        current,
        problem,
        form,
        errors,
    }
}

fn back(token: &str, msg: &str) -> Response {
    let q = serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default();
    Redirect::to(&format!("/p/{token}?{q}")).into_response()
}

/// The signer's address: the first X-Forwarded-For hop (set by the reverse
/// proxy in front of us), else the peer.
fn client_ip(headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| peer.map(|p| p.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

async fn open_contract(st: &AppState, ctx: &Ctx) -> Result<Contract, Response> {
    st.store
        .latest_contract(ctx.org, ctx.m.id)
        .await
        .map_err(|e| problem(e.into()))?
        .ok_or_else(|| problem(ApiError::NotFound("contract")))
}

#[derive(Deserialize)]
struct SignForm {
    portal_csrf: String,
    legal_name: String,
    consent: Option<String>,
    document_hash: String,
}

async fn sign(
    State(st): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<SignForm>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&ctx, &f.portal_csrf) {
        return problem(ApiError::Csrf);
    }
    let name = f.legal_name.trim();
    if name.chars().count() < 2 || f.consent.is_none() {
        return problem(ApiError::Invalid(
            "Type your full legal name and tick the box to confirm you agree.".into(),
        ));
    }
    let k = match open_contract(&st, &ctx).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    // Tamper check: the stored text must still hash to what was sent, and
    // the signer must have seen that same text.
    let recomputed = contract::sha256_hex(&k.body);
    if recomputed != k.body_sha256 {
        tracing::error!(
            contract = k.id,
            "contract text does not match its stored hash"
        );
        return problem(ApiError::Conflict(
            "This contract's text was changed after it was sent, so it cannot be signed. The brand has been told; please wait for a new version."
                .into(),
        ));
    }
    if !auth::ct_eq(&f.document_hash, &recomputed) {
        return problem(ApiError::Conflict(
            "The contract changed while you were reading it. Reload the page, read the current version and sign again."
                .into(),
        ));
    }
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ip = client_ip(&headers, peer.map(|Extension(ConnectInfo(a))| a));
    let stage = ctx.m.stage.clone();
    let sig = Signature {
        name,
        ip: &ip,
        user_agent: ua,
        document_hash: &recomputed,
        at: now_us(),
    };
    match st
        .store
        .sign_contract(ctx.org, k.id, &sig, &stage, "contracted")
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return problem(ApiError::Conflict(
                "This contract is no longer open for signing.".into(),
            ))
        }
        Err(e) => return problem(e.into()),
    }
    // The deliverables the brief asks for are now owed.
    let brief = service::current_brief(&st, &ctx.camp)
        .await
        .ok()
        .and_then(|b| CampaignBrief::parse(&b).ok())
        .unwrap_or_default();
    let existing = st
        .store
        .member_deliverables(ctx.org, ctx.m.id)
        .await
        .unwrap_or_default();
    if existing.is_empty() {
        let items = service::deliverables_from_brief(&brief);
        if let Err(e) = st.store.add_deliverables(ctx.org, ctx.m.id, &items).await {
            tracing::warn!(error = %e, "could not create deliverables after signing");
        }
    }
    back(
        &token,
        "Signed. Thank you! Your signed contract is ready to download.",
    )
}

#[derive(Deserialize)]
struct DeclineForm {
    portal_csrf: String,
    reason: String,
}

async fn decline(
    State(st): State<AppState>,
    Path(token): Path<String>,
    Form(f): Form<DeclineForm>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&ctx, &f.portal_csrf) {
        return problem(ApiError::Csrf);
    }
    let reason = f.reason.trim();
    if reason.is_empty() {
        return problem(ApiError::Invalid(
            "Tell the brand briefly why you decline.".into(),
        ));
    }
    let k = match open_contract(&st, &ctx).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    match st
        .store
        .respond_to_contract(
            ctx.org,
            k.id,
            Answer::Decline(reason),
            &ctx.m.stage,
            "declined",
        )
        .await
    {
        Ok(true) => back(&token, "You declined this offer. The brand has been told."),
        Ok(false) => problem(ApiError::Conflict(
            "This contract is no longer open.".into(),
        )),
        Err(e) => problem(e.into()),
    }
}

#[derive(Deserialize)]
struct CounterForm {
    portal_csrf: String,
    #[serde(default)]
    fee: String,
    #[serde(default)]
    deliverables: String,
    #[serde(default)]
    message: String,
}

async fn counter(
    State(st): State<AppState>,
    Path(token): Path<String>,
    Form(f): Form<CounterForm>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&ctx, &f.portal_csrf) {
        return problem(ApiError::Csrf);
    }
    let fee = f.fee.trim().replace(',', "");
    if !fee.is_empty() {
        let ok = rust_decimal::Decimal::from_str_exact(&fee).is_ok_and(|d| !d.is_sign_negative());
        if !ok {
            return problem(ApiError::Invalid(format!(
                "{fee:?} is not an amount, e.g. 950.00"
            )));
        }
    }
    if fee.is_empty() && f.deliverables.trim().is_empty() {
        return problem(ApiError::Invalid(
            "Propose a fee or a change to the deliverables.".into(),
        ));
    }
    let k = match open_contract(&st, &ctx).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let counter = Counter {
        fee,
        deliverables: f.deliverables.trim().to_string(),
        message: f.message.trim().to_string(),
    };
    let json = serde_json::to_string(&counter).unwrap_or_default();
    match st
        .store
        .respond_to_contract(
            ctx.org,
            k.id,
            Answer::Counter(&json),
            &ctx.m.stage,
            "negotiating",
        )
        .await
    {
        Ok(true) => back(&token, "Your counter-offer was sent to the brand."),
        Ok(false) => problem(ApiError::Conflict(
            "This contract is no longer open.".into(),
        )),
        Err(e) => problem(e.into()),
    }
}

#[derive(Deserialize)]
struct PayoutPost {
    portal_csrf: String,
    #[serde(flatten)]
    form: PayoutForm,
}

/// Save the creator's payout details, encrypted; invalid fields show again
/// on the page with their errors (422).
async fn payout(
    State(st): State<AppState>,
    Path(token): Path<String>,
    caller: Option<Caller>,
    Form(f): Form<PayoutPost>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&ctx, &f.portal_csrf) {
        return problem(ApiError::Csrf);
    }
    match f.form.validate() {
        Ok(details) => match payout_details::save(&st, ctx.org, ctx.m.account_id, &details).await {
            Ok(()) => back(&token, "Your payout details were saved."),
            Err(e) => problem(e),
        },
        Err(errors) => {
            let mut form = f.form;
            form.method = form.method.trim().to_string();
            match home_page(&st, &ctx, &token, caller, None, Some((form, errors))).await {
                Ok(mut r) => {
                    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    r
                }
                Err(e) => problem(e),
            }
        }
    }
}

async fn pdf(State(st): State<AppState>, Path(token): Path<String>) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let k = match open_contract(&st, &ctx).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    super::pages::contract_pdf_response(&ctx.camp, &ctx.m, &k).unwrap_or_else(problem)
}

/// The creator's earnings statement with this organization (CSV or PDF).
async fn statement(
    State(st): State<AppState>,
    Path(token): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::pay::StatementQuery>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let pdf = match crate::pay::is_pdf(&q) {
        Ok(p) => p,
        Err(e) => return problem(e),
    };
    let creator = ctx.m.account_id.0.to_string();
    match crate::pay::service::statement_file(&st.store, ctx.org, &creator, pdf).await {
        Ok(f) => crate::pay::file_response(f),
        Err(e) => problem(e),
    }
}

#[derive(Deserialize, Default)]
struct DraftForm {
    portal_csrf: String,
    caption: String,
    #[serde(default)]
    media: String,
}

const MAX_CAPTION: usize = 5_000;
const MAX_MEDIA_LINKS: usize = 20;

fn media_links(raw: &str) -> Result<Vec<String>, ApiError> {
    let links: Vec<String> = raw.split_whitespace().map(str::to_string).collect();
    if links.len() > MAX_MEDIA_LINKS {
        return Err(ApiError::Invalid(format!(
            "at most {MAX_MEDIA_LINKS} media links"
        )));
    }
    for l in &links {
        if !(l.starts_with("https://") || l.starts_with("http://")) || l.len() > 2_000 {
            return Err(ApiError::Invalid(format!(
                "{l:?} is not a web link (https://…)"
            )));
        }
    }
    Ok(links)
}

fn refused(r: Refused) -> Response {
    portal_message(r.status(), "Upload refused", &r.message())
}

/// The draft form, as a plain form (links only) or multipart (with files).
/// Files are written only after the portal CSRF value, which the form sends
/// first, checked out.
async fn read_draft(
    st: &AppState,
    ctx: &Ctx,
    req: Request,
    files: &mut Received,
) -> Result<DraftForm, Response> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        let Form(f) = Form::<DraftForm>::from_request(req, st)
            .await
            .map_err(|e| problem(ApiError::Invalid(e.body_text())))?;
        return Ok(f);
    }
    let mut mp = Multipart::from_request(req, st)
        .await
        .map_err(|e| problem(ApiError::Invalid(e.body_text())))?;
    let mut f = DraftForm::default();
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refused(Refused::TooLarge(format!(
                "The upload is too large: files may be at most {} each.",
                uploads::size_text(st.config.max_upload_bytes as i64)
            )))
        } else {
            problem(ApiError::Invalid(format!(
                "The form could not be read: {}",
                e.body_text()
            )))
        }
    };
    while let Some(field) = mp.next_field().await.map_err(broken)? {
        match field.name().unwrap_or("") {
            "portal_csrf" => f.portal_csrf = field.text().await.map_err(broken)?,
            "caption" => f.caption = field.text().await.map_err(broken)?,
            "media" => f.media = field.text().await.map_err(broken)?,
            // A file input left empty still sends a part, with no file name.
            "files" if field.file_name().is_none_or(str::is_empty) => {}
            "files" => {
                if !csrf_ok(ctx, &f.portal_csrf) {
                    return Err(problem(ApiError::Csrf));
                }
                if files.files.len() >= uploads::MAX_FILES {
                    return Err(refused(Refused::TooLarge(format!(
                        "At most {} files with one draft.",
                        uploads::MAX_FILES
                    ))));
                }
                uploads::receive(st, ctx.org, ctx.camp.id, field, files)
                    .await
                    .map_err(refused)?;
            }
            _ => {}
        }
    }
    Ok(f)
}

async fn draft(
    State(st): State<AppState>,
    Path((token, did)): Path<(String, i64)>,
    req: Request,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let d = match st.store.deliverable(ctx.org, did).await {
        Ok(Some(d)) if d.member_id == ctx.m.id => d,
        Ok(_) => return problem(ApiError::NotFound("deliverable")),
        Err(e) => return problem(e.into()),
    };
    if !matches!(
        d.status.as_str(),
        "pending" | "submitted" | "changes_requested"
    ) {
        return problem(ApiError::Conflict(
            "This deliverable is already approved: post it, then give the live post's link below."
                .into(),
        ));
    }
    let mut files = Received::new();
    let f = match read_draft(&st, &ctx, req, &mut files).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if !csrf_ok(&ctx, &f.portal_csrf) {
        return problem(ApiError::Csrf);
    }
    let caption = f.caption.trim();
    if caption.is_empty() || caption.chars().count() > MAX_CAPTION {
        return problem(ApiError::Invalid(format!(
            "Write the caption (1 to {MAX_CAPTION} characters)."
        )));
    }
    let links = match media_links(&f.media) {
        Ok(l) => l,
        Err(e) => return problem(e),
    };
    let media = serde_json::to_string(&links).unwrap_or_else(|_| "[]".into());
    // The automatic checks run once, on submission, against this member's brief.
    let (report, verdict) = match review::member_brief(&st, ctx.org, &ctx.camp, &ctx.m).await {
        Ok((brief, _)) => {
            let r = review::check_caption(&brief, caption, now_us());
            let verdict = if r.passed() { "pass" } else { "fail" };
            (serde_json::to_string(&r).ok(), Some(verdict))
        }
        Err(e) => {
            tracing::warn!(error = %e, "draft stored without automatic checks");
            (None, None)
        }
    };
    let draft = chorus_store::review::Draft {
        caption,
        media_json: &media,
        checks_json: report.as_deref(),
        verdict,
        uploads: &files.files,
    };
    match st.store.add_draft(ctx.org, ctx.m.id, did, &draft).await {
        Ok(Some(v)) => {
            files.keep();
            let from = Stage::parse(&ctx.m.stage).unwrap_or(Stage::Shortlisted);
            if super::stage::allowed(from, Stage::ContentSubmitted) {
                let _ = st
                    .store
                    .move_member(
                        ctx.org,
                        ctx.m.id,
                        from.as_str(),
                        Stage::ContentSubmitted.as_str(),
                        Actor::Creator,
                        &format!("draft v{v} of deliverable {did}"),
                    )
                    .await;
            }
            back(&token, &format!("Draft version {v} submitted for review."))
        }
        Ok(None) => problem(ApiError::NotFound("deliverable")),
        Err(e) => problem(e.into()),
    }
}

#[derive(Deserialize)]
struct LiveForm {
    portal_csrf: String,
    url: String,
    #[serde(default)]
    caption: String,
}

/// The live post's URL, and optionally its caption: with the caption the
/// post is verified against the approved version at once.
async fn live(
    State(st): State<AppState>,
    Path((token, did)): Path<(String, i64)>,
    Form(f): Form<LiveForm>,
) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !csrf_ok(&ctx, &f.portal_csrf) {
        return problem(ApiError::Csrf);
    }
    let url = match media_links(&f.url) {
        Ok(l) if l.len() == 1 => l[0].clone(),
        Ok(_) => {
            return problem(ApiError::Invalid(
                "Paste the one link of the live post.".into(),
            ))
        }
        Err(e) => return problem(e),
    };
    let mut d = match st.store.deliverable(ctx.org, did).await {
        Ok(Some(d)) if d.member_id == ctx.m.id => d,
        Ok(_) => return problem(ApiError::NotFound("deliverable")),
        Err(e) => return problem(e.into()),
    };
    if !matches!(d.status.as_str(), "approved" | "live") {
        return problem(ApiError::Conflict(
            "Wait for the brand to approve your draft before it goes live.".into(),
        ));
    }
    match st.store.set_live_url(ctx.org, ctx.m.id, did, &url).await {
        Ok(true) => {}
        Ok(false) => return problem(ApiError::NotFound("deliverable")),
        Err(e) => return problem(e.into()),
    }
    d.status = "live".into();
    if f.caption.trim().is_empty() {
        return back(
            &token,
            "Live post recorded. Paste its caption too, so it can be verified.",
        );
    }
    match review::verify_live(
        &st,
        ctx.org,
        &ctx.camp,
        &ctx.m,
        &d,
        &f.caption,
        Actor::Creator,
    )
    .await
    {
        Ok((r, o)) => back(&token, &review::live_summary(&r, &o)),
        Err(e) => problem(e),
    }
}

/// A file uploaded with one of this creator's drafts.
async fn upload(State(st): State<AppState>, Path((token, uid)): Path<(String, i64)>) -> Response {
    let ctx = match open(&st, &token).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match st.store.upload(ctx.org, uid).await {
        Ok(Some(u)) if u.member_id == ctx.m.id => {
            uploads::serve(&st, &u).await.unwrap_or_else(problem)
        }
        Ok(_) => problem(ApiError::NotFound("file")),
        Err(e) => problem(e.into()),
    }
}
