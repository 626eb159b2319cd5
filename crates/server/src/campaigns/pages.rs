//! The manager's web pages: campaign list and forms, the pipeline board and
//! table, the audit log, brief editor, member page with terms and contracts,
//! deliverables and the outbox viewer. Every form carries the CSRF token.

use super::brief::{CampaignBrief, DeliverableSpec, FORMATS, MERGE_FIELDS};
use super::contract::{self, AuditTrail};
use super::service::{self, date_text, BulkTerms, CampaignInput, Outcome};
use super::stage::Stage;
use super::terms::{DealTerms, FeeChange, TermsForm};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::web::{thousands, Layout, WebCaller, NAV};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chorus_core::Role;
use chorus_store::campaigns::{Campaign, Contract, Member};
use chorus_store::now_us;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(list).post(create))
        .route("/campaigns/outbox", get(outbox))
        .route("/campaigns/{id}", get(board))
        .route("/campaigns/{id}/edit", get(edit_page).post(edit))
        .route("/campaigns/{id}/table", get(table))
        .route("/campaigns/{id}/log", get(log))
        .route("/campaigns/{id}/brief", get(brief_page).post(save_brief))
        .route("/campaigns/{id}/members", post(add_members))
        .route("/campaigns/{id}/bulk", post(bulk))
        .route("/campaigns/{id}/terms", post(bulk_terms))
        .route("/campaigns/{id}/deliverables", get(deliverables))
        .route("/campaigns/{id}/members/{mid}", get(member_page))
        .route("/campaigns/{id}/members/{mid}/terms", post(member_terms))
        .route("/campaigns/{id}/members/{mid}/counter", post(counter))
        .route("/campaigns/{id}/members/{mid}/revoke", post(revoke))
        .route("/campaigns/{id}/members/{mid}/link", post(new_link))
        .route("/campaigns/{id}/contracts/{cid}/pdf", get(contract_pdf))
}

pub(super) fn page_error(e: ApiError) -> Response {
    let status = e.status();
    (
        status,
        Html(format!(
            "<!doctype html><title>{status}</title><link rel=stylesheet href=/static/app.css>\
             <main><div class=card><h1>{}</h1><p>{}</p><p><a href=/campaigns>Back to campaigns</a></p></div></main>",
            status.canonical_reason().unwrap_or("Error"),
            escape(&e.to_string())
        )),
    )
        .into_response()
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) type PageResult = Result<Response, Response>;

pub(super) fn fail(e: impl Into<ApiError>) -> Response {
    page_error(e.into())
}

pub(super) fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => page_error(ApiError::Internal(e.into())),
    }
}

/// A form page, answered 422 when it shows a validation error.
fn render_form(t: impl Template, invalid: bool) -> Response {
    let mut resp = render(t);
    if invalid {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

pub(super) async fn layout(st: &AppState, c: &Caller) -> Result<Layout, Response> {
    let org = st
        .store
        .org(c.org())
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ApiError::NotFound("organization")))?;
    Ok(Layout {
        csrf: c.csrf_token().to_string(),
        user_email: c.user.email.clone(),
        org_name: org.name,
        role: c.user.role.to_string(),
        active: "/campaigns",
        nav: NAV.to_vec(),
    })
}

pub(super) fn when(us: i64) -> String {
    chorus_store::from_us(us)
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

fn money(minor: i64, currency: &str) -> String {
    let cur = chorus_core::Currency::parse(currency).unwrap_or(chorus_core::Currency::USD);
    chorus_core::Money {
        minor,
        currency: cur,
    }
    .to_string()
}

/// A flash message from a redirect's query string.
#[derive(Deserialize, Default)]
pub(super) struct Flash {
    pub msg: Option<String>,
    pub err: Option<String>,
    stage: Option<String>,
}

/// The first value of a form field, or empty.
pub(super) fn form_field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub(super) fn back(path: &str, msg: &str) -> Response {
    let q = serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default();
    Redirect::to(&format!("{path}?{q}")).into_response()
}

pub(super) fn outcome_text(verb: &str, o: &Outcome) -> String {
    let mut s = format!("{verb} {}.", o.done);
    for k in o.skipped.iter().take(10) {
        s.push_str(&format!(" @{}: {}.", k.handle, k.reason));
    }
    if o.skipped.len() > 10 {
        s.push_str(&format!(" …and {} more skipped.", o.skipped.len() - 10));
    }
    s
}

// ---------- campaign list, create, edit ----------

struct CampaignRow {
    id: i64,
    name: String,
    product: String,
    budget: String,
    window: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<CampaignRow>,
    can_manage: bool,
    form: CampaignInput,
    error: Option<String>,
}

async fn list_view(
    st: &AppState,
    c: &Caller,
    form: CampaignInput,
    error: Option<String>,
) -> PageResult {
    let l = layout(st, c).await?;
    let rows = st
        .store
        .list_campaigns(c.org())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|k| CampaignRow {
            id: k.id.0,
            budget: money(k.budget_minor, &k.currency),
            window: match (k.starts_at, k.ends_at) {
                (None, None) => "–".into(),
                (s, e) => format!("{} → {}", date_text(s), date_text(e)),
            },
            name: k.name,
            product: k.product,
            members: k.members,
        })
        .collect();
    let invalid = error.is_some();
    Ok(render_form(
        ListPage {
            l,
            rows,
            can_manage: c.user.role.can_manage(),
            form,
            error,
        },
        invalid,
    ))
}

async fn list(State(st): State<AppState>, WebCaller(c): WebCaller) -> PageResult {
    let form = CampaignInput {
        currency: "USD".into(),
        attribution_window_days: Some("30".into()),
        ..Default::default()
    };
    list_view(&st, &c, form, None).await
}

async fn create(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(f): Form<CampaignInput>,
) -> PageResult {
    match service::create(&st, &c, &f).await {
        Ok(k) => Ok(Redirect::to(&format!("/campaigns/{}", k.id)).into_response()),
        Err(ApiError::Invalid(e)) => list_view(&st, &c, f, Some(e)).await,
        Err(e) => Err(fail(e)),
    }
}

#[derive(Template)]
#[template(path = "campaigns/edit.html")]
struct EditPage {
    l: Layout,
    id: i64,
    name: String,
    form: CampaignInput,
    error: Option<String>,
}

async fn edit_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c).await?;
    let mut form = CampaignInput::from_campaign(&k);
    form.default_brief = String::new();
    Ok(render(EditPage {
        l,
        id,
        name: k.name,
        form,
        error: None,
    }))
}

async fn edit(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<CampaignInput>,
) -> PageResult {
    match service::update(&st, &c, id, &f).await {
        Ok(_) => Ok(back(&format!("/campaigns/{id}"), "Campaign saved.")),
        Err(ApiError::Invalid(e)) => {
            let l = layout(&st, &c).await?;
            Ok(render_form(
                EditPage {
                    l,
                    id,
                    name: f.name.clone(),
                    form: f,
                    error: Some(e),
                },
                true,
            ))
        }
        Err(e) => Err(fail(e)),
    }
}

// ---------- board and table ----------

struct Card {
    id: i64,
    handle: String,
    name: String,
    followers: String,
    fee: String,
    contract: String,
    since: String,
    overdue: bool,
}

struct Column {
    stage: &'static str,
    label: &'static str,
    cards: Vec<Card>,
}

struct BudgetView {
    budget: String,
    committed: String,
    planned: String,
    variable: String,
    worst_case: String,
    over: bool,
    other_currency: usize,
}

#[derive(Template)]
#[template(path = "campaigns/board.html")]
struct BoardPage {
    l: Layout,
    k: Campaign,
    window: String,
    columns: Vec<Column>,
    stages: Vec<(&'static str, &'static str)>,
    budget: BudgetView,
    msg: Option<String>,
    err: Option<String>,
    can_manage: bool,
    total: usize,
    rule: super::qualify_rule::RuleBody,
}

async fn cards(st: &AppState, c: &Caller, k: &Campaign) -> Result<Vec<(Stage, Card)>, Response> {
    let members = st.store.members(c.org(), k.id).await.map_err(fail)?;
    let contracts = st
        .store
        .latest_contracts(c.org(), k.id)
        .await
        .map_err(fail)?;
    let now = now_us();
    Ok(members
        .into_iter()
        .map(|m| {
            let stage = Stage::parse(&m.stage).unwrap_or(Stage::Shortlisted);
            let fee = DealTerms::parse(&m.terms)
                .map(|t| t.fee_text())
                .unwrap_or_else(|e| e);
            let contract = contracts
                .iter()
                .find(|x| x.member_id == m.id)
                .map(|x| format!("v{} {}", x.version, x.status))
                .unwrap_or_default();
            (
                stage,
                Card {
                    id: m.id,
                    overdue: service::is_overdue(stage, m.stage_changed_at, now),
                    since: date_text(Some(m.stage_changed_at)),
                    handle: m.handle,
                    name: m.name,
                    followers: thousands(m.followers),
                    fee,
                    contract,
                },
            )
        })
        .collect())
}

fn budget_view(b: &super::terms::Budget) -> BudgetView {
    BudgetView {
        budget: b.money(b.budget),
        committed: b.money(b.committed_base),
        planned: b.money(b.planned_base),
        variable: b
            .worst_case_variable
            .map(|v| b.money(v))
            .unwrap_or_else(|| "unbounded (a deal has no cap)".into()),
        worst_case: b
            .worst_case_total()
            .map(|v| b.money(v))
            .unwrap_or_else(|| "unbounded".into()),
        over: b.over_budget(),
        other_currency: b.other_currency,
    }
}

fn stage_options() -> Vec<(&'static str, &'static str)> {
    Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}

async fn board(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c).await?;
    let all = cards(&st, &c, &k).await?;
    let total = all.len();
    let mut columns: Vec<Column> = Stage::ALL
        .iter()
        .map(|s| Column {
            stage: s.as_str(),
            label: s.label(),
            cards: vec![],
        })
        .collect();
    for (s, card) in all {
        if let Some(col) = columns.iter_mut().find(|c| c.stage == s.as_str()) {
            col.cards.push(card);
        }
    }
    let budget = budget_view(&service::budget(&st, &c, &k).await.map_err(fail)?);
    let rule = super::qualify_rule::rule_of(&st, &c, &k)
        .await
        .map_err(fail)?;
    Ok(render(BoardPage {
        l,
        window: format!("{} → {}", date_text(k.starts_at), date_text(k.ends_at)),
        k,
        columns,
        stages: stage_options(),
        budget,
        msg: f.msg,
        err: f.err,
        can_manage: c.user.role.can_manage(),
        total,
        rule,
    }))
}

#[derive(Template)]
#[template(path = "campaigns/table.html")]
struct TablePage {
    l: Layout,
    k: Campaign,
    rows: Vec<(&'static str, Card)>,
    stages: Vec<(&'static str, &'static str)>,
    stage: String,
    counts: Vec<(&'static str, usize)>,
}

async fn table(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c).await?;
    let stage = f.stage.unwrap_or_default();
    if !stage.is_empty() && Stage::parse(&stage).is_none() {
        return Err(fail(ApiError::Invalid(format!(
            "stage: {stage:?} is not a stage"
        ))));
    }
    let all = cards(&st, &c, &k).await?;
    let counts = Stage::ALL
        .iter()
        .map(|s| (s.as_str(), all.iter().filter(|(x, _)| x == s).count()))
        .collect();
    let rows = all
        .into_iter()
        .filter(|(s, _)| stage.is_empty() || s.as_str() == stage)
        .map(|(s, card)| (s.label(), card))
        .collect();
    Ok(render(TablePage {
        l,
        k,
        rows,
        stages: stage_options(),
        stage,
        counts,
    }))
}

#[derive(Template)]
#[template(path = "campaigns/log.html")]
struct LogPage {
    l: Layout,
    k: Campaign,
    events: Vec<(String, String, String, String, String, String)>,
}

async fn log(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c).await?;
    let events = st
        .store
        .stage_events(c.org(), k.id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|e| {
            let who = match (e.actor.as_str(), e.actor_email) {
                ("user", Some(email)) => email,
                (a, _) => a.to_string(),
            };
            (
                when(e.at),
                e.handle,
                e.from_stage.unwrap_or_else(|| "–".into()),
                e.to_stage,
                who,
                e.note,
            )
        })
        .collect();
    Ok(render(LogPage { l, k, events }))
}

// ---------- bulk actions ----------

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    handles: String,
}

async fn add_members(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<AddForm>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let mut ids = vec![];
    let mut handles = vec![];
    for tok in f.handles.split(|ch: char| ch.is_whitespace() || ch == ',') {
        let tok = tok.trim();
        if tok.is_empty() {
            continue;
        }
        match tok.parse::<i64>() {
            Ok(n) => ids.push(n),
            Err(_) => handles.push(tok.to_string()),
        }
    }
    let r = service::add_members(&st, &c, &k, &ids, &handles)
        .await
        .map_err(fail)?;
    let mut msg = format!(
        "Added {} creators ({} already in the campaign).",
        r.added, r.already
    );
    if !r.unknown.is_empty() {
        msg.push_str(&format!(" Not found: {}.", r.unknown.join(", ")));
    }
    Ok(back(&format!("/campaigns/{id}"), &msg))
}

/// The board's bulk form: selected members plus an action.
async fn bulk(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| form_field(&fields, name);
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "member")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(back(
            &format!("/campaigns/{id}"),
            "Select at least one creator first.",
        ));
    }
    let msg = match field("action").as_str() {
        "send" => {
            let o = service::send_contracts(&st, &c, &k, &ids, &service::base_url(&headers))
                .await
                .map_err(fail)?;
            outcome_text("Contracts sent:", &o)
        }
        _ => {
            let to = field("to");
            let o = service::move_members(&st, &c, &k, &ids, &to, "bulk move")
                .await
                .map_err(fail)?;
            outcome_text(&format!("Moved to {to}:"), &o)
        }
    };
    Ok(back(&format!("/campaigns/{id}"), &msg))
}

#[derive(Deserialize)]
struct BulkTermsForm {
    #[serde(default)]
    min_followers: String,
    kind: String,
    amount: String,
}

pub(super) fn parse_bulk_terms(
    min_followers: &str,
    kind: &str,
    amount: &str,
) -> Result<BulkTerms, ApiError> {
    let min_followers = match min_followers.trim().replace(',', "") {
        s if s.is_empty() => 0,
        s => s
            .parse()
            .map_err(|_| ApiError::Invalid(format!("min_followers: {s:?} is not a number")))?,
    };
    let amount = Decimal::from_str(amount.trim().trim_end_matches('%'))
        .map_err(|_| ApiError::Invalid(format!("amount: {amount:?} is not a number")))?;
    let change = match kind {
        "percent" => FeeChange::Percent(amount),
        "absolute" => FeeChange::Absolute(amount),
        other => {
            return Err(ApiError::Invalid(format!(
                "kind: {other:?} is neither percent nor absolute"
            )))
        }
    };
    Ok(BulkTerms {
        min_followers,
        change,
    })
}

async fn bulk_terms(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<BulkTermsForm>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let b = parse_bulk_terms(&f.min_followers, &f.kind, &f.amount).map_err(fail)?;
    let o = service::bulk_terms(&st, &c, &k, b).await.map_err(fail)?;
    Ok(back(
        &format!("/campaigns/{id}"),
        &outcome_text("Fees changed:", &o),
    ))
}

// ---------- brief ----------

#[derive(Template)]
#[template(path = "campaigns/brief.html")]
struct BriefPage {
    l: Layout,
    k: Campaign,
    version: i64,
    f: BriefForm,
    versions: Vec<(i64, String)>,
    merge_fields: Vec<String>,
    formats: Vec<&'static str>,
    msg: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BriefForm {
    key_message: String,
    talking_points: String,
    disclosure_required: Option<String>,
    disclosure_text: String,
    required_hashtags: String,
    required_mentions: String,
    tracking_link: String,
    promo_code: String,
    prohibited: String,
    competitors: String,
    deliverables: String,
    creative_freedom: String,
    usage_rights: String,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl BriefForm {
    fn from_brief(b: &CampaignBrief) -> BriefForm {
        BriefForm {
            key_message: b.key_message.clone().unwrap_or_default(),
            talking_points: b.talking_points.join("\n"),
            disclosure_required: (b.disclosure == chorus_review::Disclosure::Required)
                .then(|| "on".into()),
            disclosure_text: b.disclosure_text.clone().unwrap_or_default(),
            required_hashtags: b.required_hashtags.join(" "),
            required_mentions: b.required_mentions.join(" "),
            tracking_link: b.tracking_link.clone().unwrap_or_default(),
            promo_code: b.promo_code.clone().unwrap_or_default(),
            prohibited: b.prohibited.join("\n"),
            competitors: b.competitors.join("\n"),
            deliverables: b
                .deliverables
                .iter()
                .map(|d| {
                    format!(
                        "{} {} {} {}",
                        d.platform,
                        d.format,
                        d.count,
                        d.due.map(|d| d.to_string()).unwrap_or_default()
                    )
                    .trim()
                    .to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
            creative_freedom: b.creative_freedom.clone().unwrap_or_default(),
            usage_rights: b.usage_rights.clone().unwrap_or_default(),
        }
    }

    /// Deliverable lines read "platform format [count] [YYYY-MM-DD]".
    fn to_brief(&self, base: &CampaignBrief) -> Result<CampaignBrief, String> {
        let mut deliverables = Vec::new();
        for (i, line) in lines(&self.deliverables).iter().enumerate() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.len() < 2 {
                return Err(format!(
                    "deliverables line {}: write \"platform format [count] [YYYY-MM-DD]\", e.g. \"instagram reel 2 2026-05-01\"",
                    i + 1
                ));
            }
            let mut d = DeliverableSpec {
                platform: parts[0].to_lowercase(),
                format: parts[1].to_lowercase(),
                count: 1,
                due: None,
            };
            for p in &parts[2..] {
                if let Ok(n) = p.parse::<u32>() {
                    d.count = n.max(1);
                } else if let Ok(date) = chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d") {
                    d.due = Some(date);
                } else {
                    return Err(format!(
                        "deliverables line {}: {p:?} is neither a count nor a date",
                        i + 1
                    ));
                }
            }
            deliverables.push(d);
        }
        Ok(CampaignBrief {
            key_message: opt(&self.key_message),
            talking_points: lines(&self.talking_points),
            disclosure: if self.disclosure_required.is_some() {
                chorus_review::Disclosure::Required
            } else {
                chorus_review::Disclosure::None
            },
            disclosure_text: opt(&self.disclosure_text),
            required_hashtags: words(&self.required_hashtags),
            required_mentions: words(&self.required_mentions),
            tracking_link: opt(&self.tracking_link),
            promo_code: opt(&self.promo_code),
            prohibited: lines(&self.prohibited),
            allowed_claims: base.allowed_claims.clone(),
            competitors: lines(&self.competitors),
            deliverables,
            creative_freedom: opt(&self.creative_freedom),
            usage_rights: opt(&self.usage_rights),
            due: None,
            language: base.language.clone(),
        })
    }
}

async fn brief_view(
    st: &AppState,
    c: &Caller,
    k: Campaign,
    form: Option<BriefForm>,
    msg: Option<String>,
    error: Option<String>,
) -> PageResult {
    let l = layout(st, c).await?;
    let versions = st.store.briefs(c.org(), k.id).await.map_err(fail)?;
    let current = versions
        .first()
        .map_or(k.default_brief.as_str(), |b| b.body.as_str());
    let f = match form {
        Some(f) => f,
        None => BriefForm::from_brief(&CampaignBrief::parse(current).unwrap_or_default()),
    };
    let invalid = error.is_some();
    Ok(render_form(
        BriefPage {
            version: versions.first().map_or(0, |b| b.version),
            versions: versions
                .iter()
                .map(|b| (b.version, when(b.created_at)))
                .collect(),
            l,
            k,
            f,
            merge_fields: MERGE_FIELDS
                .iter()
                .map(|f| format!("{{{{{f}}}}}"))
                .collect(),
            formats: FORMATS.to_vec(),
            msg,
            error,
        },
        invalid,
    ))
}

async fn brief_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    brief_view(&st, &c, k, None, f.msg, None).await
}

async fn save_brief(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<BriefForm>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let base = CampaignBrief::parse(&service::current_brief(&st, &k).await.map_err(fail)?)
        .unwrap_or_default();
    let brief = match f.to_brief(&base) {
        Ok(b) => b,
        Err(e) => return brief_view(&st, &c, k, Some(f), None, Some(e)).await,
    };
    match service::save_brief(&st, &c, &k, &brief).await {
        Ok(v) => Ok(back(
            &format!("/campaigns/{id}/brief"),
            &format!("Saved as version {v}."),
        )),
        Err(ApiError::Invalid(e)) => brief_view(&st, &c, k, Some(f), None, Some(e)).await,
        Err(e) => Err(fail(e)),
    }
}

// ---------- member page ----------

struct ContractView {
    id: i64,
    version: i64,
    status: String,
    sha: String,
    intact: bool,
    signed: Option<String>,
    counter: Option<String>,
    decline_reason: Option<String>,
}

fn contract_view(k: &Contract) -> ContractView {
    ContractView {
        id: k.id,
        version: k.version,
        status: k.status.clone(),
        intact: contract::sha256_hex(&k.body) == k.body_sha256,
        sha: k.body_sha256.clone(),
        signed: k.signed_at.map(|t| {
            format!(
                "{} at {} from {}",
                k.signer_name.clone().unwrap_or_default(),
                when(t),
                k.signer_ip.clone().unwrap_or_default()
            )
        }),
        counter: k.counter.as_deref().map(|c| {
            let c: service::Counter = serde_json::from_str(c).unwrap_or_default();
            format!(
                "fee {}; deliverables: {}; message: {}",
                if c.fee.is_empty() {
                    "unchanged".into()
                } else {
                    c.fee
                },
                if c.deliverables.is_empty() {
                    "unchanged".into()
                } else {
                    c.deliverables
                },
                c.message
            )
        }),
        decline_reason: k.decline_reason.clone(),
    }
}

#[derive(Template)]
#[template(path = "campaigns/member.html")]
struct MemberPage {
    l: Layout,
    k: Campaign,
    m: Member,
    stage: &'static str,
    terms_json: String,
    terms_text: Vec<(&'static str, String)>,
    contracts: Vec<ContractView>,
    latest_text: Option<String>,
    open_counter: bool,
    new_link: Option<String>,
    msg: Option<String>,
    err: Option<String>,
    tf: TermsForm,
    /// The creator's payout details, masked; never the details themselves.
    payout: String,
}

/// What the member page shows besides the member: a new link, a message,
/// or a refused terms form as it was sent.
#[derive(Default)]
struct MemberExtras {
    new_link: Option<String>,
    msg: Option<String>,
    err: Option<String>,
    form: Option<TermsForm>,
}

async fn member_view(st: &AppState, c: &Caller, id: i64, mid: i64, x: MemberExtras) -> PageResult {
    let MemberExtras {
        new_link,
        msg,
        err,
        form,
    } = x;
    let k = service::campaign(st, c, id).await.map_err(fail)?;
    let m = service::member(st, c, &k, mid).await.map_err(fail)?;
    let l = layout(st, c).await?;
    let contracts = st
        .store
        .contracts_of_member(c.org(), m.id)
        .await
        .map_err(fail)?;
    let terms = DealTerms::parse(&m.terms).ok();
    let tf = form.unwrap_or_else(|| {
        terms
            .as_ref()
            .map(TermsForm::from_terms)
            .unwrap_or_default()
    });
    let terms_text = terms
        .map(|t| {
            vec![
                ("Base fee", t.fee_text()),
                ("Milestones", t.milestones_text()),
                ("Performance", t.performance_text()),
                ("Hold", format!("{} days", t.hold_days)),
                (
                    "Exclusivity",
                    format!(
                        "{} days; competitors: {}",
                        t.exclusivity_days,
                        t.competitors.join(", ")
                    ),
                ),
                ("Usage rights", format!("{} days", t.usage_rights_days)),
            ]
        })
        .unwrap_or_default();
    let pretty = serde_json::from_str::<serde_json::Value>(&m.terms)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| m.terms.clone());
    let invalid = err.is_some();
    let payout = match crate::payout_details::masked_destination(st, c.org(), m.account_id).await {
        Ok(Some(masked)) => masked,
        Ok(None) => "not given yet (the creator enters them in the portal)".to_string(),
        Err(e) => {
            tracing::warn!(member = m.id, error = %e, "payout details unavailable");
            "unavailable".to_string()
        }
    };
    Ok(render_form(
        MemberPage {
            payout,
            stage: Stage::parse(&m.stage).map_or("?", Stage::label),
            terms_json: pretty,
            terms_text,
            open_counter: contracts.first().is_some_and(|x| x.status == "countered"),
            latest_text: contracts.first().map(|x| x.body.clone()),
            contracts: contracts.iter().map(contract_view).collect(),
            l,
            k,
            m,
            new_link,
            msg,
            err,
            tf,
        },
        invalid,
    ))
}

async fn member_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, mid)): Path<(i64, i64)>,
    Query(f): Query<Flash>,
) -> PageResult {
    let x = MemberExtras {
        msg: f.msg,
        err: f.err,
        ..Default::default()
    };
    member_view(&st, &c, id, mid, x).await
}

/// The member's terms: the structured form, or (when its `terms` field is
/// filled) the terms as JSON.
async fn member_terms(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, mid)): Path<(i64, i64)>,
    body: axum::body::Bytes,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let m = service::member(&st, &c, &k, mid).await.map_err(fail)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let json = form_field(&fields, "terms").trim().to_string();
    let form: TermsForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let from_form = json.is_empty();
    let parsed = if from_form {
        form.to_terms().map(|t| t.to_json())
    } else {
        Ok(json)
    };
    let result = match parsed {
        Ok(j) => service::set_terms(&st, &c, &m, &j).await,
        Err(e) => Err(ApiError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(back(
            &format!("/campaigns/{id}/members/{mid}"),
            "Terms saved.",
        )),
        Err(ApiError::Invalid(e)) => {
            let x = MemberExtras {
                err: Some(e),
                form: from_form.then_some(form),
                ..Default::default()
            };
            member_view(&st, &c, id, mid, x).await
        }
        Err(e) => Err(fail(e)),
    }
}

#[derive(Deserialize)]
struct CounterForm {
    decision: String,
}

async fn counter(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    headers: HeaderMap,
    Path((id, mid)): Path<(i64, i64)>,
    Form(f): Form<CounterForm>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let m = service::member(&st, &c, &k, mid).await.map_err(fail)?;
    let msg = match f.decision.as_str() {
        "accept" => {
            service::accept_counter(&st, &c, &k, &m, &service::base_url(&headers))
                .await
                .map_err(fail)?;
            "Counter accepted: a new contract version was sent to sign."
        }
        _ => {
            service::reject_counter(&st, &c, &m).await.map_err(fail)?;
            "Counter rejected: the original offer stands."
        }
    };
    Ok(back(&format!("/campaigns/{id}/members/{mid}"), msg))
}

async fn revoke(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, mid)): Path<(i64, i64)>,
) -> PageResult {
    c.require(Role::can_manage).map_err(fail)?;
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let m = service::member(&st, &c, &k, mid).await.map_err(fail)?;
    let n = st
        .store
        .revoke_portal_tokens(c.org(), m.id)
        .await
        .map_err(fail)?;
    Ok(back(
        &format!("/campaigns/{id}/members/{mid}"),
        &format!("Revoked {n} portal links."),
    ))
}

/// A fresh portal link, shown once (for creators without an email address).
async fn new_link(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    headers: HeaderMap,
    Path((id, mid)): Path<(i64, i64)>,
) -> PageResult {
    c.require(Role::can_manage).map_err(fail)?;
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let m = service::member(&st, &c, &k, mid).await.map_err(fail)?;
    let link = service::new_portal_link();
    st.store
        .create_portal_token(c.org(), m.id, &link.digest, &link.csrf, link.expires_at)
        .await
        .map_err(fail)?;
    let url = format!("{}/p/{}", service::base_url(&headers), link.clear);
    let x = MemberExtras {
        new_link: Some(url),
        ..Default::default()
    };
    member_view(&st, &c, id, mid, x).await
}

/// The contract PDF (with the audit trail once signed); refused when the
/// stored text no longer matches its hash.
pub(super) fn contract_pdf_response(
    camp: &Campaign,
    m: &Member,
    k: &Contract,
) -> Result<Response, ApiError> {
    let recomputed = contract::sha256_hex(&k.body);
    if recomputed != k.body_sha256 || k.signed_hash.as_ref().is_some_and(|h| *h != recomputed) {
        return Err(ApiError::Conflict(
            "the stored contract text does not match its SHA-256: it was changed after it was sent or signed. \
             The document is withheld; contact the brand."
                .into(),
        ));
    }
    let audit = k.signed_at.map(|t| AuditTrail {
        contract_version: k.version,
        stored_hash: k.body_sha256.clone(),
        recomputed_hash: recomputed.clone(),
        sent_at: when(k.created_at),
        signer_name: k.signer_name.clone().unwrap_or_default(),
        signed_at: when(t),
        signer_ip: k.signer_ip.clone().unwrap_or_default(),
        signer_user_agent: k.signer_user_agent.clone().unwrap_or_default(),
        signed_hash: k.signed_hash.clone().unwrap_or_default(),
    });
    let title = format!("{} — @{} — contract v{}", camp.name, m.handle, k.version);
    let bytes = contract::pdf(&title, &k.body, audit.as_ref());
    let filename = format!("contract-{}-{}-v{}.pdf", camp.id, m.handle, k.version);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn contract_pdf(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, cid)): Path<(i64, i64)>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let doc = st
        .store
        .contract(c.org(), cid)
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ApiError::NotFound("contract")))?;
    let m = service::member(&st, &c, &k, doc.member_id)
        .await
        .map_err(fail)?;
    contract_pdf_response(&k, &m, &doc).map_err(fail)
}

// ---------- deliverables and outbox ----------

struct DeliverableRow {
    id: i64,
    member_id: i64,
    handle: String,
    what: String,
    due: String,
    state: &'static str,
    versions: i64,
    caption: String,
    media: Vec<String>,
    live_url: Option<String>,
    reviewable: bool,
}

#[derive(Template)]
#[template(path = "campaigns/deliverables.html")]
struct DeliverablesPage {
    l: Layout,
    k: Campaign,
    rows: Vec<DeliverableRow>,
    counts: Vec<(&'static str, usize)>,
    msg: Option<String>,
}

async fn deliverables(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(f): Query<Flash>,
) -> PageResult {
    let k = service::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c).await?;
    let now = now_us();
    let rows: Vec<DeliverableRow> = st
        .store
        .deliverables(c.org(), k.id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|d| DeliverableRow {
            state: service::deliverable_state(&d.status, d.due_at, now, k.ends_at),
            reviewable: d.status == "submitted",
            id: d.id,
            member_id: d.member_id,
            handle: d.handle,
            what: format!("{} {}", d.platform, d.format),
            due: date_text(d.due_at),
            versions: d.submissions,
            caption: d.last_caption.unwrap_or_default(),
            media: serde_json::from_str(d.last_media.as_deref().unwrap_or("[]"))
                .unwrap_or_default(),
            live_url: d.live_url,
        })
        .collect();
    let counts = [
        "not started",
        "submitted",
        "late",
        "missing",
        "approved",
        "live",
    ]
    .into_iter()
    .map(|s| (s, rows.iter().filter(|r| r.state == s).count()))
    .collect();
    Ok(render(DeliverablesPage {
        l,
        k,
        rows,
        counts,
        msg: f.msg,
    }))
}

#[derive(Template)]
#[template(path = "campaigns/outbox.html")]
struct OutboxPage {
    l: Layout,
    emails: Vec<(String, chorus_store::campaigns::Email)>,
}

async fn outbox(State(st): State<AppState>, WebCaller(c): WebCaller) -> PageResult {
    let l = layout(&st, &c).await?;
    let emails = st
        .store
        .outbox(c.org(), 500)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|e| (when(e.created_at), e))
        .collect();
    Ok(render(OutboxPage { l, emails }))
}
