//! JSON API under `/api/v1`. Every handler takes a `Caller` and scopes every
//! organization-owned object by the caller's organization: another
//! organization's object is "not found", never "forbidden".

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ingest::{self, ImportSource, ImportSummary};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chorus_core::import::Format;
use chorus_core::{AccountId, Email, Role, TokenId, UserId};
use chorus_store::{AccountSort, CreatorQuery, NewUser};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Chorus API", description = "Micro-influencer campaigns: discover, qualify, brief, approve, attribute and pay. Authenticate with `Authorization: Bearer <token>`; create tokens in Settings or with `chorus token create`."),
    paths(me, list_users, create_user, get_user, list_tokens, create_token, get_token, revoke_token,
          list_creators, get_creator, import_creators, list_imports, get_import,
          crate::qualify::api_qualify, crate::qualify::api_reports, crate::qualify::api_quality,
          crate::qualify::api_lists, crate::qualify::api_create_list, crate::qualify::api_list,
          crate::qualify::api_add_items,
          crate::discover::api::api_search_get, crate::discover::api::api_search_post,
          crate::discover::api::api_search_csv, crate::discover::api::api_lookalikes),
    components(schemas(ErrorBody, ImportSummary, NewUserBody, NewTokenBody, CreatedToken,
          crate::qualify::QualifyBody, crate::qualify::QualifyOptions, crate::qualify::NewListBody,
          crate::qualify::ItemsBody, crate::discover::api::SearchBody,
          crate::discover::api::SearchPage)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let comps = openapi.components.get_or_insert_with(Default::default);
        comps.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/me", get(me))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", get(get_token).delete(revoke_token))
        .route("/creators", get(list_creators))
        .route("/creators/{id}", get(get_creator))
        .route("/imports/creators", post(import_creators))
        .route("/imports", get(list_imports))
        .route("/imports/{id}", get(get_import))
        .merge(crate::pay::api_routes())
        .fallback(|| async { ApiError::NotFound("route") })
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::campaigns::CampaignsApiDoc::openapi());
    doc.merge(crate::portfolio::PortfolioApiDoc::openapi());
    doc.merge(crate::campaigns::QualifyRuleApiDoc::openapi());
    doc.merge(crate::track::openapi::TrackingApiDoc::openapi());
    doc.merge(crate::pay::PayApiDoc::openapi());
    Json(doc)
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, description = "The caller, their organization and role")))]
async fn me(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    let org = st
        .store
        .org(c.org())
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    Ok(Json(json!({"user": c.user, "organization": org})))
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, description = "Users of the caller's organization")))]
async fn list_users(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"items": st.store.list_users(c.org()).await?})))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUserBody {
    email: String,
    name: String,
    password: String,
    /// owner, manager, reviewer, finance or viewer
    role: String,
}

#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserBody,
    responses((status = 201, description = "Created"), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<NewUserBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    c.require(Role::can_administer)?;
    let email = Email::parse(&b.email).map_err(|e| ApiError::Invalid(format!("email: {e}")))?;
    let role: Role = b
        .role
        .parse()
        .map_err(|e| ApiError::Invalid(format!("role: {e}")))?;
    if b.password.chars().count() < 10 {
        return Err(ApiError::Invalid(
            "password: use at least 10 characters".into(),
        ));
    }
    let hash = auth::hash_password_blocking(b.password).await?;
    let u = st
        .store
        .create_user(NewUser {
            org_id: c.org(),
            email: email.as_str(),
            name: b.name.trim(),
            password_hash: &hash,
            role,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!(u))))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", responses((status = 200), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let u = st
        .store
        .user(c.org(), UserId(id))
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    Ok(Json(json!(u)))
}

#[utoipa::path(get, path = "/api/v1/tokens", responses((status = 200, description = "API tokens of the organization (never the secret)")))]
async fn list_tokens(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"items": st.store.list_tokens(c.org()).await?})))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewTokenBody {
    name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    id: i64,
    name: String,
    /// The secret, shown only in this response.
    token: String,
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewTokenBody, responses((status = 201, body = CreatedToken)))]
async fn create_token(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let name = b.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ApiError::Invalid(
            "name: give the token a name of 1 to 100 characters".into(),
        ));
    }
    let t = auth::new_api_token();
    let row = st
        .store
        .create_token(c.org(), c.user.id, name, &t.prefix, &t.digest)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: row.id.0,
            name: row.name,
            token: t.clear,
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/tokens/{id}", responses((status = 200), (status = 404, body = ErrorBody)))]
async fn get_token(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let t = st
        .store
        .token(c.org(), TokenId(id))
        .await?
        .ok_or(ApiError::NotFound("token"))?;
    Ok(Json(json!(t)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let t = st
        .store
        .token(c.org(), TokenId(id))
        .await?
        .ok_or(ApiError::NotFound("token"))?;
    if t.user_id != c.user.id {
        c.require(Role::can_administer)?;
    }
    st.store.revoke_token(c.org(), t.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct CreatorListParams {
    pub platform: Option<String>,
    pub handle: Option<String>,
    pub min_followers: Option<i64>,
    pub max_followers: Option<i64>,
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl CreatorListParams {
    pub fn to_query(&self) -> ApiResult<CreatorQuery> {
        let per_page = self.per_page.unwrap_or(50).clamp(1, 500);
        let page = self.page.unwrap_or(1).max(1);
        let sort = match self.sort.as_deref().filter(|s| !s.is_empty()) {
            None => AccountSort::default(),
            Some(s) => AccountSort::parse(s).ok_or_else(|| {
                ApiError::Invalid(format!(
                    "sort: {s:?} is not one of followers, followers_asc, er, handle, newest"
                ))
            })?,
        };
        if let Some(p) = self.platform.as_deref().filter(|p| !p.is_empty()) {
            p.parse::<chorus_core::Platform>()
                .map_err(|e| ApiError::Invalid(format!("platform: {e}")))?;
        }
        Ok(CreatorQuery {
            platform: self
                .platform
                .clone()
                .filter(|p| !p.is_empty())
                .map(|p| p.to_lowercase()),
            handle_prefix: self
                .handle
                .clone()
                .filter(|h| !h.is_empty())
                .map(|h| h.trim_start_matches('@').to_string()),
            min_followers: self.min_followers,
            max_followers: self.max_followers,
            sort,
            offset: (page - 1) * per_page,
            limit: per_page,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/creators",
    params(("platform" = Option<String>, Query), ("handle" = Option<String>, Query, description = "handle prefix"),
           ("min_followers" = Option<i64>, Query), ("max_followers" = Option<i64>, Query),
           ("sort" = Option<String>, Query, description = "followers (default), followers_asc, er, handle, newest"),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, description = "A page of creator accounts with the total")))]
async fn list_creators(
    State(st): State<AppState>,
    _c: Caller,
    Query(p): Query<CreatorListParams>,
) -> ApiResult<Json<Value>> {
    let q = p.to_query()?;
    let page = st.store.list_accounts(&q).await?;
    Ok(Json(
        json!({"total": page.total, "page": q.offset / q.limit + 1, "per_page": q.limit, "items": page.items}),
    ))
}

#[utoipa::path(get, path = "/api/v1/creators/{id}", responses((status = 200, description = "One account with posts, history, audience and sample"), (status = 404, body = ErrorBody)))]
async fn get_creator(
    State(st): State<AppState>,
    _c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let d = st
        .store
        .account(AccountId(id))
        .await?
        .ok_or(ApiError::NotFound("creator"))?;
    Ok(Json(json!(d)))
}

#[derive(Deserialize)]
struct ImportParams {
    format: Option<String>,
    name: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/imports/creators",
    params(("format" = Option<String>, Query, description = "ndjson or csv; sniffed from the body when absent")),
    request_body(content = String, description = "NDJSON or CSV creator records (README: Import formats)", content_type = "application/x-ndjson"),
    responses((status = 200, body = ImportSummary), (status = 403, body = ErrorBody)))]
async fn import_creators(
    State(st): State<AppState>,
    c: Caller,
    Query(p): Query<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportSummary>> {
    c.require(Role::can_manage)?;
    let format = match p.format.as_deref() {
        Some("csv") => Some(Format::Csv),
        Some("ndjson") | Some("jsonl") => Some(Format::Ndjson),
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "format: {other:?} is not csv or ndjson"
            )))
        }
        None => headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| {
                if ct.contains("csv") {
                    Some(Format::Csv)
                } else if ct.contains("ndjson") {
                    Some(Format::Ndjson)
                } else {
                    None
                }
            }),
    };
    let rows = ingest::rows_from(std::io::Cursor::new(body), format)?;
    let name = p.name.unwrap_or_else(|| "api upload".to_string());
    let source = ImportSource {
        org_id: Some(c.org()),
        user_id: Some(c.user.id),
        name: &name,
    };
    let started = chorus_store::now_us();
    let summary = ingest::import_creators(&st.store, rows, source, |_| {}).await?;
    st.discover.nudge(started);
    Ok(Json(summary))
}

#[utoipa::path(get, path = "/api/v1/imports", responses((status = 200, description = "Recent imports of the organization")))]
async fn list_imports(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"items": st.store.list_imports(c.org(), 100).await?}),
    ))
}

#[utoipa::path(get, path = "/api/v1/imports/{id}", responses((status = 200), (status = 404, body = ErrorBody)))]
async fn get_import(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let i = st
        .store
        .import(c.org(), id)
        .await?
        .ok_or(ApiError::NotFound("import"))?;
    Ok(Json(json!(i)))
}
