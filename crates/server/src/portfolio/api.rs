//! JSON API under `/api/v1/portfolio`. Lists and campaigns of another
//! organization are "not found".

use super::service::{self, CalendarQuery, CompareInput, PlanInput};
use crate::auth::Caller;
use crate::campaigns;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chorus_core::{AccountId, Currency, Money, Role};
use chorus_portfolio::FeeModel;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        plan,
        apply,
        compare,
        calendar,
        dashboard,
        get_fees,
        put_fees,
        put_rate_card
    ),
    components(schemas(
        PlanInput,
        CompareInput,
        service::TargetInput,
        service::MixInput,
        service::Applied,
        service::AddedMember,
        RateCardBody
    ))
)]
pub struct PortfolioApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plan", post(plan))
        .route("/compare", post(compare))
        .route("/campaigns/{id}/apply", post(apply))
        .route("/campaigns/{id}/calendar", get(calendar))
        .route("/campaigns/{id}/dashboard", get(dashboard))
        .route("/fee-model", get(get_fees).put(put_fees))
        .route("/rate-cards/{account_id}", put(put_rate_card))
}

#[utoipa::path(post, path = "/api/v1/portfolio/plan", request_body = PlanInput,
    responses((status = 200, description = "The plan: chosen creators with fee, expected outcomes (with ranges) and why each is in; the best left out and why; totals; warnings. Also the number of candidates and of the organization's past results folded into the priors."),
              (status = 404, body = ErrorBody, description = "The list is not the organization's"),
              (status = 422, body = ErrorBody)))]
async fn plan(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<PlanInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(service::make_plan(&st, &c, &b).await?)))
}

#[utoipa::path(post, path = "/api/v1/portfolio/campaigns/{id}/apply", params(("id" = i64, Path)), request_body = PlanInput,
    responses((status = 200, body = service::Applied, description = "The chosen creators added as shortlisted members: the campaign's default terms with the planned fee as base fee; each addition is in the stage log"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn apply(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<PlanInput>,
) -> ApiResult<Json<service::Applied>> {
    let k = campaigns::campaign(&st, &c, id).await?;
    Ok(Json(service::apply_plan(&st, &c, &k, &b).await?))
}

#[utoipa::path(post, path = "/api/v1/portfolio/compare", request_body = CompareInput,
    responses((status = 200, description = "Totals side by side for the same budget: the optimized plan, one mega-creator, N micro-creators and the manager's list (unique reach, views, engagements, clicks, orders, cost, cost per order)"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn compare(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<CompareInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"items": service::compare_plans(&st, &c, &b).await?}),
    ))
}

#[utoipa::path(get, path = "/api/v1/portfolio/campaigns/{id}/calendar", params(("id" = i64, Path), CalendarQuery),
    responses((status = 200, description = "A publish time for every deliverable in the campaign window, staggered to the pattern, with exclusivity and due-date conflicts"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn calendar(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<CalendarQuery>,
) -> ApiResult<Json<Value>> {
    let k = campaigns::campaign(&st, &c, id).await?;
    Ok(Json(json!(service::calendar(&st, &c, &k, &q).await?)))
}

#[utoipa::path(get, path = "/api/v1/portfolio/campaigns/{id}/dashboard", params(("id" = i64, Path)),
    responses((status = 200, description = "Creators by stage, committed spend vs budget, delivered vs planned (clicks, orders, net revenue from tracking; planned views), per-creator ROI and outliers; amounts in minor units"),
              (status = 404, body = ErrorBody)))]
async fn dashboard(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = campaigns::campaign(&st, &c, id).await?;
    Ok(Json(json!(service::dashboard(&st, &c, &k).await?)))
}

#[utoipa::path(get, path = "/api/v1/portfolio/fee-model",
    responses((status = 200, description = "The organization's fee model (currency and, per platform and tier, minor units per 1,000 followers and a floor); the documented USD defaults until edited")))]
async fn get_fees(State(st): State<AppState>, c: Caller) -> ApiResult<Json<FeeModel>> {
    Ok(Json(service::fee_model(&st, c.org()).await?))
}

#[utoipa::path(put, path = "/api/v1/portfolio/fee-model",
    request_body(content = Object, description = "The whole fee model, as `GET` returns it: `{\"currency\": \"USD\", \"rules\": [{\"platform\", \"tier\", \"per_1k_minor\", \"floor_minor\"}]}`"),
    responses((status = 200, description = "Stored"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_fees(
    State(st): State<AppState>,
    c: Caller,
    Json(v): Json<Value>,
) -> ApiResult<Json<FeeModel>> {
    let m: FeeModel =
        serde_json::from_value(v).map_err(|e| ApiError::Invalid(format!("fee model: {e}")))?;
    service::set_fee_model(&st, &c, &m).await?;
    Ok(Json(m))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RateCardBody {
    /// Decimal amount for one deliverable, e.g. `"350.00"`.
    amount: String,
    currency: String,
}

#[utoipa::path(put, path = "/api/v1/portfolio/rate-cards/{account_id}", params(("account_id" = i64, Path)), request_body = RateCardBody,
    responses((status = 200, description = "Stored; the planner uses it instead of the fee model"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_rate_card(
    State(st): State<AppState>,
    c: Caller,
    Path(account): Path<i64>,
    Json(b): Json<RateCardBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    let cur = Currency::parse(b.currency.trim())
        .map_err(|e| ApiError::Invalid(format!("currency: {e}")))?;
    let m = Money::parse(&b.amount, cur).map_err(|e| ApiError::Invalid(format!("amount: {e}")))?;
    if m.minor < 0 {
        return Err(ApiError::Invalid("amount: must not be negative".into()));
    }
    if !st
        .store
        .set_rate_card(c.org(), AccountId(account), m.minor, cur.code())
        .await?
    {
        return Err(ApiError::NotFound("account"));
    }
    Ok(Json(
        json!({"account_id": account, "amount": m.to_decimal().to_string(), "currency": cur}),
    ))
}
