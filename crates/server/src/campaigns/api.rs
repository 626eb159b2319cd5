//! JSON API under `/api/v1/campaigns`. Another organization's campaign is
//! "not found", never "forbidden".

use super::brief::CampaignBrief;
use super::pages::parse_bulk_terms;
use super::review;
use super::service::{self, AddResult, CampaignInput, Outcome};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chorus_store::now_us;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list,
        create,
        get_one,
        update,
        members,
        add_members,
        move_members,
        send_contracts,
        get_brief,
        put_brief,
        budget,
        bulk_terms,
        member_terms,
        deliverables,
        log,
        review_queue,
        review_decide,
        milestones
    ),
    components(schemas(
        CampaignInput,
        AddBody,
        MoveBody,
        SendBody,
        TermsBody,
        BulkTermsBody,
        AddResult,
        Outcome,
        service::Skipped,
        DecideBody,
        review::Comment
    ))
)]
pub struct CampaignsApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(create))
        .route("/{id}", get(get_one).put(update))
        .route("/{id}/members", get(members).post(add_members))
        .route("/{id}/members/move", post(move_members))
        .route(
            "/{id}/members/{mid}/terms",
            axum::routing::put(member_terms),
        )
        .route("/{id}/contracts/send", post(send_contracts))
        .route("/{id}/brief", get(get_brief).put(put_brief))
        .route("/{id}/budget", get(budget))
        .route("/{id}/terms/bulk", post(bulk_terms))
        .route("/{id}/deliverables", get(deliverables))
        .route("/{id}/log", get(log))
        .route("/{id}/review", get(review_queue))
        .route("/{id}/deliverables/{did}/review", post(review_decide))
        .route("/{id}/milestones", get(milestones))
}

#[utoipa::path(get, path = "/api/v1/campaigns", responses((status = 200, description = "The organization's campaigns")))]
async fn list(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"items": st.store.list_campaigns(c.org()).await?}),
    ))
}

#[utoipa::path(post, path = "/api/v1/campaigns", request_body = CampaignInput,
    responses((status = 201, description = "Created"), (status = 422, body = ErrorBody)))]
async fn create(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<CampaignInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let k = service::create(&st, &c, &b).await?;
    Ok((StatusCode::CREATED, Json(json!(k))))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "The campaign"), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(service::campaign(&st, &c, id).await?)))
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}", params(("id" = i64, Path)), request_body = CampaignInput,
    responses((status = 200, description = "Updated"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<CampaignInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(service::update(&st, &c, id, &b).await?)))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/members", params(("id" = i64, Path)),
    responses((status = 200, description = "Members with stage and terms"), (status = 404, body = ErrorBody)))]
async fn members(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(
        json!({"items": st.store.members(c.org(), k.id).await?}),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AddBody {
    #[serde(default)]
    account_ids: Vec<i64>,
    /// `@handle`, `platform:handle` or a bare handle.
    #[serde(default)]
    handles: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/members", params(("id" = i64, Path)), request_body = AddBody,
    responses((status = 200, body = AddResult), (status = 404, body = ErrorBody)))]
async fn add_members(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<AddBody>,
) -> ApiResult<Json<AddResult>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(
        service::add_members(&st, &c, &k, &b.account_ids, &b.handles).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MoveBody {
    member_ids: Vec<i64>,
    /// The stage to move to.
    to: String,
    #[serde(default)]
    note: String,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/members/move", params(("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = Outcome), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_members(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<MoveBody>,
) -> ApiResult<Json<Outcome>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(
        service::move_members(&st, &c, &k, &b.member_ids, &b.to, &b.note).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SendBody {
    member_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/contracts/send", params(("id" = i64, Path)), request_body = SendBody,
    responses((status = 200, body = Outcome, description = "Contracts rendered, stored, linked and emailed in one transaction"),
              (status = 404, body = ErrorBody)))]
async fn send_contracts(
    State(st): State<AppState>,
    c: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<SendBody>,
) -> ApiResult<Json<Outcome>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(
        service::send_contracts(&st, &c, &k, &b.member_ids, &service::base_url(&headers)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/brief", params(("id" = i64, Path)),
    responses((status = 200, description = "The latest brief version and its number"), (status = 404, body = ErrorBody)))]
async fn get_brief(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let latest = st.store.latest_brief(c.org(), k.id).await?;
    let body: Value = serde_json::from_str(latest.as_ref().map_or(&k.default_brief, |b| &b.body))
        .unwrap_or(Value::Null);
    Ok(Json(
        json!({"version": latest.map_or(0, |b| b.version), "brief": body}),
    ))
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}/brief", params(("id" = i64, Path)),
    responses((status = 200, description = "Stored as a new version"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_brief(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    body: String,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let brief = CampaignBrief::parse(&body).map_err(ApiError::Invalid)?;
    let v = service::save_brief(&st, &c, &k, &brief).await?;
    Ok(Json(json!({"version": v})))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/budget", params(("id" = i64, Path)),
    responses((status = 200, description = "Committed base fees and worst-case variable spend (null = unbounded) against the budget, minor units"),
              (status = 404, body = ErrorBody)))]
async fn budget(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let b = service::budget(&st, &c, &k).await?;
    Ok(Json(json!({
        "currency": b.currency, "budget": b.budget, "committed_base": b.committed_base,
        "planned_base": b.planned_base, "worst_case_variable": b.worst_case_variable,
        "worst_case_total": b.worst_case_total(), "over_budget": b.over_budget(),
        "other_currency_members": b.other_currency,
    })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct BulkTermsBody {
    #[serde(default)]
    min_followers: i64,
    /// `percent` or `absolute`.
    kind: String,
    /// Decimal: percent (10 = +10%) or an amount in the deal currency.
    amount: String,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/terms/bulk", params(("id" = i64, Path)), request_body = BulkTermsBody,
    responses((status = 200, body = Outcome), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn bulk_terms(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<BulkTermsBody>,
) -> ApiResult<Json<Outcome>> {
    let k = service::campaign(&st, &c, id).await?;
    let bt = parse_bulk_terms(&b.min_followers.to_string(), &b.kind, &b.amount)?;
    Ok(Json(service::bulk_terms(&st, &c, &k, bt).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TermsBody {
    /// Deal terms (see the README's deal terms format).
    terms: Value,
}

#[utoipa::path(put, path = "/api/v1/campaigns/{id}/members/{mid}/terms", params(("id" = i64, Path), ("mid" = i64, Path)),
    request_body = TermsBody,
    responses((status = 200, description = "The stored terms"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn member_terms(
    State(st): State<AppState>,
    c: Caller,
    Path((id, mid)): Path<(i64, i64)>,
    Json(b): Json<TermsBody>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let m = service::member(&st, &c, &k, mid).await?;
    let t = service::set_terms(&st, &c, &m, &b.terms.to_string()).await?;
    Ok(Json(json!(t)))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/deliverables", params(("id" = i64, Path)),
    responses((status = 200, description = "Every deliverable of the campaign with its state"), (status = 404, body = ErrorBody)))]
async fn deliverables(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let now = now_us();
    let items: Vec<Value> = st
        .store
        .deliverables(c.org(), k.id)
        .await?
        .into_iter()
        .map(|d| {
            let state = service::deliverable_state(&d.status, d.due_at, now, k.ends_at);
            let mut v = json!(d);
            v["state"] = json!(state);
            v
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/log", params(("id" = i64, Path)),
    responses((status = 200, description = "Stage changes, newest first"), (status = 404, body = ErrorBody)))]
async fn log(State(st): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    Ok(Json(
        json!({"items": st.store.stage_events(c.org(), k.id).await?}),
    ))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/review", params(("id" = i64, Path)),
    responses((status = 200, description = "Drafts awaiting review with their automatic-check reports"), (status = 404, body = ErrorBody)))]
async fn review_queue(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let items: Vec<Value> = review::queue(&st, &c, &k)
        .await?
        .into_iter()
        .map(|i| {
            json!({"deliverable_id": i.d.id, "member_id": i.m.id, "handle": i.m.handle,
                   "version": i.d.last_version, "caption": i.d.last_caption,
                   "passes_every_check": review::passes_every_check(&i.report),
                   "report": i.report.to_json()})
        })
        .collect();
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct DecideBody {
    /// `approve` or `request_changes`.
    decision: String,
    /// The draft version decided on; the latest when absent.
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    comments: Vec<review::Comment>,
}

#[utoipa::path(post, path = "/api/v1/campaigns/{id}/deliverables/{did}/review", request_body = DecideBody,
    params(("id" = i64, Path), ("did" = i64, Path)),
    responses((status = 200, description = "Decided; a new review round"), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_decide(
    State(st): State<AppState>,
    c: Caller,
    Path((id, did)): Path<(i64, i64)>,
    Json(b): Json<DecideBody>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let approve = match b.decision.as_str() {
        "approve" => true,
        "request_changes" => false,
        other => {
            return Err(ApiError::Invalid(format!(
                "decision: {other:?} is neither approve nor request_changes"
            )))
        }
    };
    review::decide(&st, &c, &k, did, b.version, approve, &b.comments).await?;
    Ok(Json(
        json!({"rounds": st.store.review_rounds(c.org(), did).await?}),
    ))
}

#[utoipa::path(get, path = "/api/v1/campaigns/{id}/milestones", params(("id" = i64, Path)),
    responses((status = 200, description = "Milestone events (signed, approved, published) per member, in time order, as settlement reads them"),
              (status = 404, body = ErrorBody)))]
async fn milestones(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let k = service::campaign(&st, &c, id).await?;
    let items: Vec<Value> = st
        .store
        .milestone_events(c.org(), k.id)
        .await?
        .into_iter()
        .map(|e| {
            json!({"member_id": e.member_id, "handle": e.handle, "event": e.event,
                   "at": chorus_store::from_us(e.at).to_rfc3339(), "note": e.note})
        })
        .collect();
    Ok(Json(json!({"items": items})))
}
