//! The finance pages: balances per creator, payout runs (new run, review
//! and approve, export downloads, provider result upload) and rates upload.
//! Owner and finance only; forms carry the session's CSRF token.

use super::api::{file_response, is_pdf, ExportQuery, StatementQuery};
use super::service::{self, BalanceView, ExportFormat, NewRun, RunView};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::web::{self, Layout, WebCaller};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chorus_core::Role;
use chorus_store::from_us;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payouts", get(payouts_page))
        .route("/payouts/runs", post(create_run))
        .route("/payouts/rates", post(upload_rates))
        .route("/payouts/runs/{id}", get(run_page))
        .route("/payouts/statements/{creator}", get(statement))
        .route("/payouts/runs/{id}/approve", post(approve))
        .route("/payouts/runs/{id}/export/{format}", get(export))
        .route("/payouts/runs/{id}/results", post(upload_results))
}

type PageResult = Result<Response, Response>;

fn fail(e: impl Into<ApiError>) -> Response {
    web::fail(e)
}

async fn layout(st: &AppState, c: &Caller) -> Result<Layout, Response> {
    c.require(Role::can_pay).map_err(fail)?;
    web::layout(st, c, "/payouts").await.map_err(fail)
}

struct RunRow {
    id: i64,
    key: String,
    as_of: String,
    min_payout: String,
    status: String,
}

#[derive(Template)]
#[template(path = "payouts.html")]
struct PayoutsPage {
    l: Layout,
    as_of: String,
    balances: Vec<BalanceView>,
    runs: Vec<RunRow>,
    default_as_of: String,
    default_key: String,
    problems: Vec<String>,
    ledger_problem: Option<String>,
    msg: Option<String>,
}

#[derive(Deserialize, Default)]
struct Msg {
    msg: Option<String>,
}

async fn payouts_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Query(m): Query<Msg>,
) -> PageResult {
    let l = layout(&st, &c).await?;
    let (s, recorded) = service::settle_and_record(&st.store, c.org())
        .await
        .map_err(fail)?;
    let runs = st
        .store
        .payout_runs(c.org())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|r| RunRow {
            id: r.id,
            as_of: from_us(r.as_of).format("%Y-%m-%d %H:%M UTC").to_string(),
            key: r.key,
            min_payout: r.min_payout,
            status: r.status,
        })
        .collect();
    let yesterday = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    Ok(web::render(PayoutsPage {
        l,
        as_of: s
            .settlement
            .as_of
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        balances: service::balance_views(&s),
        runs,
        default_as_of: yesterday.to_string(),
        default_key: format!("run-{}", yesterday.format("%Y%m%d")),
        problems: s.problems,
        ledger_problem: recorded.err().map(|p| {
            format!(
                "The stored ledger does not check out ({} problem(s)); nothing new is recorded until it is repaired. Run `chorus ledger check`.",
                p.len()
            )
        }),
        msg: m.msg,
    }))
}

#[derive(Deserialize)]
struct RunForm {
    key: String,
    as_of: String,
    #[serde(default)]
    min_payout: String,
}

async fn create_run(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(f): Form<RunForm>,
) -> PageResult {
    let (run, _) = service::create_run(
        &st.store,
        &c,
        &NewRun {
            key: Some(f.key),
            as_of: f.as_of,
            min_payout: Some(f.min_payout),
        },
        chrono::Utc::now(),
    )
    .await
    .map_err(fail)?;
    Ok(Redirect::to(&format!("/payouts/runs/{}", run.id)).into_response())
}

async fn upload_rates(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    mp: Multipart,
) -> PageResult {
    c.require(Role::can_pay).map_err(fail)?;
    let text = file_text(mp).await.map_err(fail)?;
    let s = service::import_rates(&st.store, c.org(), &text)
        .await
        .map_err(fail)?;
    let msg = if s.errors.is_empty() {
        format!("{} rate(s) stored", s.stored)
    } else {
        let first: Vec<String> = s.errors.iter().take(5).map(|e| e.to_string()).collect();
        format!(
            "Nothing stored: {} row(s) are wrong: {}",
            s.errors.len(),
            first.join("; ")
        )
    };
    let q = serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default();
    Ok(Redirect::to(&format!("/payouts?{q}")).into_response())
}

async fn file_text(mut mp: Multipart) -> Result<String, ApiError> {
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::Invalid(e.to_string()))?
    {
        if field.name() == Some("file") {
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::Invalid(e.to_string()))?;
            return String::from_utf8(bytes.to_vec())
                .map_err(|_| ApiError::Invalid("file: not UTF-8 text".into()));
        }
    }
    Err(ApiError::Invalid("choose a file to upload".into()))
}

#[derive(Template)]
#[template(path = "payout_run.html")]
struct RunPage {
    l: Layout,
    run: RunView,
    /// Where each item is paid (masked), index-aligned with `run.items`.
    destinations: Vec<String>,
    missing: usize,
    currencies: Vec<String>,
    msg: Option<String>,
}

async fn run_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(m): Query<Msg>,
) -> PageResult {
    let l = layout(&st, &c).await?;
    let run = service::run_of(&st.store, &c, id).await.map_err(fail)?;
    let run = service::run_view(&st.store, c.org(), &run)
        .await
        .map_err(fail)?;
    let mut destinations = Vec::new();
    for i in &run.items {
        let account = chorus_core::AccountId(i.creator.parse().unwrap_or(0));
        destinations.push(
            match crate::payout_details::masked_destination(&st, c.org(), account).await {
                Ok(Some(d)) => d,
                Ok(None) => "missing payout details".to_string(),
                Err(e) => e.to_string(),
            },
        );
    }
    let missing = destinations
        .iter()
        .filter(|d| d.as_str() == "missing payout details")
        .count();
    let mut currencies: Vec<String> = run.items.iter().map(|i| i.currency.clone()).collect();
    currencies.sort();
    currencies.dedup();
    Ok(web::render(RunPage {
        l,
        run,
        destinations,
        missing,
        currencies,
        msg: m.msg,
    }))
}

async fn approve(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    service::approve_run(&st.store, &c, id)
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&format!("/payouts/runs/{id}?msg=Run+approved")).into_response())
}

async fn export(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path((id, format)): Path<(i64, String)>,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    let format: ExportFormat = format.parse().map_err(fail)?;
    let f = service::export_run(
        &st.store,
        st.config.secret_key.as_ref(),
        &c,
        id,
        format,
        q.currency.as_deref(),
        q.source_currency.as_deref(),
    )
    .await
    .map_err(fail)?;
    Ok(file_response(f))
}

async fn statement(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(creator): Path<String>,
    Query(q): Query<StatementQuery>,
) -> PageResult {
    c.require(Role::can_pay).map_err(fail)?;
    let pdf = is_pdf(&q).map_err(fail)?;
    let f = service::statement_file(&st.store, c.org(), &creator, pdf)
        .await
        .map_err(fail)?;
    Ok(file_response(f))
}

async fn upload_results(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    mp: Multipart,
) -> PageResult {
    c.require(Role::can_pay).map_err(fail)?;
    let text = file_text(mp).await.map_err(fail)?;
    let s = service::import_results(&st.store, &c, id, &text)
        .await
        .map_err(fail)?;
    let mut msg = format!(
        "{} paid, {} failed (back to payable), {} not final yet, {} unchanged",
        s.paid, s.failed, s.pending, s.unchanged
    );
    if !s.unknown.is_empty() {
        msg.push_str(&format!("; not in this run: {}", s.unknown.join(", ")));
    }
    let q = serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default();
    Ok(Redirect::to(&format!("/payouts/runs/{id}?{q}")).into_response())
}
