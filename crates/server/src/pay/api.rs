//! Pay over the JSON API: balances and commission lines, payout runs
//! (create with an idempotency key, review, approve, export, provider
//! results), daily exchange rates and the ledger. Owner and finance only.

use super::service::{
    self, BalanceView, ExportFormat, LineView, NewRun, RatesSummary, Recorded, ResultSummary,
    RunView,
};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chorus_core::Role;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(
        balances,
        lines,
        create_run,
        list_runs,
        get_run,
        approve_run,
        export_run,
        import_results,
        import_rates,
        list_rates,
        record_ledger,
        check_ledger
    ),
    components(schemas(
        BalanceView,
        LineView,
        NewRun,
        RunView,
        service::RunItemView,
        ResultSummary,
        RatesSummary,
        Recorded,
        CheckReport
    ))
)]
pub struct PayApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/payouts/balances", get(balances))
        .route("/payouts/lines", get(lines))
        .route("/payouts/statements/{creator}", get(statement))
        .route("/payout-runs", get(list_runs).post(create_run))
        .route("/payout-runs/{id}", get(get_run))
        .route("/payout-runs/{id}/approve", post(approve_run))
        .route("/payout-runs/{id}/export/{format}", get(export_run))
        .route("/payout-runs/{id}/results", post(import_results))
        .route("/fx-rates", get(list_rates).post(import_rates))
        .route("/ledger/record", post(record_ledger))
        .route("/ledger/check", get(check_ledger))
}

fn utf8(body: &Bytes, what: &str) -> ApiResult<String> {
    String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::Invalid(format!("{what}: the file is not UTF-8 text")))
}

#[utoipa::path(get, path = "/api/v1/payouts/balances",
    responses((status = 200, description = "Pending, payable and paid per creator and currency, as of now", body = Vec<BalanceView>),
              (status = 403, body = ErrorBody)))]
async fn balances(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    c.require(Role::can_pay)?;
    let (s, recorded) = service::settle_and_record(&st.store, c.org()).await?;
    Ok(Json(json!({
        "as_of": s.settlement.as_of.map(|t| t.to_rfc3339()),
        "items": service::balance_views(&s),
        "problems": s.problems,
        "ledger_ok": recorded.is_ok(),
    })))
}

#[derive(Deserialize)]
struct LineQuery {
    creator: Option<String>,
    campaign: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/payouts/lines",
    params(("creator" = Option<String>, Query, description = "account id"), ("campaign" = Option<String>, Query, description = "campaign id")),
    responses((status = 200, description = "Every milestone, commission and reversal in the balances, with its state", body = Vec<LineView>),
              (status = 403, body = ErrorBody)))]
async fn lines(
    State(st): State<AppState>,
    c: Caller,
    Query(q): Query<LineQuery>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_pay)?;
    let (s, _) = service::settle_and_record(&st.store, c.org()).await?;
    Ok(Json(json!({
        "items": service::line_views(&s, q.creator.as_deref(), q.campaign.as_deref()),
    })))
}

#[utoipa::path(post, path = "/api/v1/payout-runs", request_body = NewRun,
    params(("Idempotency-Key" = Option<String>, Header, description = "Run key; re-posting it returns the same run and changes nothing")),
    responses((status = 201, description = "Draft run created", body = RunView),
              (status = 200, description = "A run with this key already exists: returned unchanged", body = RunView),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_run(
    State(st): State<AppState>,
    c: Caller,
    headers: HeaderMap,
    Json(mut body): Json<NewRun>,
) -> ApiResult<(StatusCode, Json<RunView>)> {
    if let Some(k) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) {
        body.key = Some(k.to_string());
    }
    let (run, created) = service::create_run(&st.store, &c, &body, chrono::Utc::now()).await?;
    let view = service::run_view(&st.store, c.org(), &run).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/payout-runs",
    responses((status = 200, description = "Runs of the organization, newest first"), (status = 403, body = ErrorBody)))]
async fn list_runs(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    c.require(Role::can_pay)?;
    Ok(Json(json!({"items": st.store.payout_runs(c.org()).await?})))
}

#[utoipa::path(get, path = "/api/v1/payout-runs/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "A run with its items (a draft: what it would pay now)", body = RunView),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_run(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RunView>> {
    let run = service::run_of(&st.store, &c, id).await?;
    Ok(Json(service::run_view(&st.store, c.org(), &run).await?))
}

#[utoipa::path(post, path = "/api/v1/payout-runs/{id}/approve", params(("id" = i64, Path)),
    responses((status = 200, description = "Approved (approving again changes nothing)", body = RunView),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_run(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RunView>> {
    let run = service::approve_run(&st.store, &c, id).await?;
    Ok(Json(service::run_view(&st.store, c.org(), &run).await?))
}

#[derive(Deserialize, Default)]
pub(crate) struct ExportQuery {
    pub currency: Option<String>,
    pub source_currency: Option<String>,
}

/// The file as a download; items left out for missing payout details are
/// named in `X-Chorus-Missing-Payout-Details` (item ids, comma-separated).
pub(crate) fn file_response(f: service::ExportFile) -> Response {
    let missing = f
        .missing
        .iter()
        .map(|m| m.item_id.as_str())
        .collect::<Vec<_>>()
        .join(",");
    (
        [
            (header::CONTENT_TYPE, f.content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.filename),
            ),
            (
                header::HeaderName::from_static("x-chorus-missing-payout-details"),
                missing,
            ),
        ],
        if f.bytes.is_empty() {
            f.body.into_bytes()
        } else {
            f.bytes
        },
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct StatementQuery {
    pub format: Option<String>,
}

pub(crate) fn is_pdf(q: &StatementQuery) -> ApiResult<bool> {
    match q.format.as_deref().unwrap_or("csv") {
        "csv" => Ok(false),
        "pdf" => Ok(true),
        other => Err(ApiError::Invalid(format!(
            "format: {other:?} is not csv or pdf"
        ))),
    }
}

#[utoipa::path(get, path = "/api/v1/payouts/statements/{creator}",
    params(("creator" = String, Path, description = "account id"), ("format" = Option<String>, Query, description = "csv (default) or pdf")),
    responses((status = 200, description = "The creator's statement: every milestone and attributed order with its commission, reversals, payouts and totals per currency"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn statement(
    State(st): State<AppState>,
    c: Caller,
    Path(creator): Path<String>,
    Query(q): Query<StatementQuery>,
) -> ApiResult<Response> {
    c.require(Role::can_pay)?;
    let f = service::statement_file(&st.store, c.org(), &creator, is_pdf(&q)?).await?;
    Ok(file_response(f))
}

#[utoipa::path(get, path = "/api/v1/payout-runs/{id}/export/{format}",
    params(("id" = i64, Path), ("format" = String, Path, description = "paypal (Payouts batch CSV), wise (batch payment CSV) or stripe (Connect transfers, JSON lines)"),
           ("currency" = Option<String>, Query, description = "PayPal: the currency of the file when the run pays several"),
           ("source_currency" = Option<String>, Query, description = "Wise: the currency paid from")),
    responses((status = 200, description = "The payout file of the run's unsettled items; items of creators without payout details for this provider are left out and named in the X-Chorus-Missing-Payout-Details header"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn export_run(
    State(st): State<AppState>,
    c: Caller,
    Path((id, format)): Path<(i64, String)>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let format: ExportFormat = format.parse()?;
    let f = service::export_run(
        &st.store,
        st.config.secret_key.as_ref(),
        &c,
        id,
        format,
        q.currency.as_deref(),
        q.source_currency.as_deref(),
    )
    .await?;
    Ok(file_response(f))
}

#[utoipa::path(post, path = "/api/v1/payout-runs/{id}/results", params(("id" = i64, Path)),
    request_body(content = String, description = "The provider's result CSV: a header row with an item id column (Sender Item ID, paymentReference, idempotency_key, …) and a status column", content_type = "text/csv"),
    responses((status = 200, body = ResultSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_results(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<ResultSummary>> {
    let text = utf8(&body, "result file")?;
    Ok(Json(
        service::import_results(&st.store, &c, id, &text).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/fx-rates",
    request_body(content = String, description = "CSV with header date,from,to,rate: 1 `from` = `rate` `to` on that UTC date", content_type = "text/csv"),
    responses((status = 200, description = "Stored (all rows) or rejected (errors, nothing stored)", body = RatesSummary), (status = 403, body = ErrorBody)))]
async fn import_rates(
    State(st): State<AppState>,
    c: Caller,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<RatesSummary>)> {
    c.require(Role::can_pay)?;
    let text = utf8(&body, "rates file")?;
    let s = service::import_rates(&st.store, c.org(), &text).await?;
    let status = if s.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(s)))
}

#[utoipa::path(get, path = "/api/v1/fx-rates",
    responses((status = 200, description = "Stored daily rates"), (status = 403, body = ErrorBody)))]
async fn list_rates(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    c.require(Role::can_pay)?;
    Ok(Json(json!({"items": st.store.fx_rates(c.org()).await?})))
}

#[utoipa::path(post, path = "/api/v1/ledger/record",
    responses((status = 200, description = "Settled as of now; what changed was appended", body = Recorded),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn record_ledger(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Recorded>> {
    c.require(Role::can_pay)?;
    let s = service::settle(&st.store, c.org(), None, chrono::Utc::now()).await?;
    Ok(Json(service::record(&st.store, c.org(), &s).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckReport {
    ok: bool,
    #[schema(value_type = Vec<Object>)]
    problems: Vec<service::Problem>,
}

#[utoipa::path(get, path = "/api/v1/ledger/check",
    responses((status = 200, description = "Debits equal credits per transaction and currency, and balances agree with commission states", body = CheckReport),
              (status = 403, body = ErrorBody)))]
async fn check_ledger(State(st): State<AppState>, c: Caller) -> ApiResult<Json<CheckReport>> {
    c.require(Role::can_pay)?;
    let problems = service::check_ledger(&st.store, c.org()).await?;
    Ok(Json(CheckReport {
        ok: problems.is_empty(),
        problems,
    }))
}
