//! Qualify and shortlists over HTTP: batch-qualify accounts or a whole list,
//! store dated reports, show and export them; lists, notes and saved searches.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::web::{self, WebCaller};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use chorus_core::{AccountId, ListId, Role};
use chorus_qualify::safety::Severity;
use chorus_store::{NewReport, Store, StoredReport};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qualify", post(api_qualify))
        .route("/api/v1/qualify/reports", get(api_reports))
        .route("/api/v1/creators/{id}/quality", get(api_quality))
        .route(
            "/api/v1/creators/{id}/note",
            get(api_get_note).put(api_put_note),
        )
        .route("/api/v1/lists", get(api_lists).post(api_create_list))
        .route("/api/v1/lists/{id}", get(api_list).delete(api_delete_list))
        .route(
            "/api/v1/lists/{id}/items",
            post(api_add_items).delete(api_remove_items),
        )
        .route("/api/v1/lists/{id}/export.csv", get(list_csv))
        .route(
            "/api/v1/saved-searches",
            get(api_saved).post(api_save_search),
        )
        .route(
            "/api/v1/saved-searches/{id}",
            axum::routing::delete(api_delete_saved),
        )
        .route("/qualify", get(qualify_page).post(qualify_form))
        .route("/qualify.csv", get(reports_csv))
        .route("/lists", get(lists_page).post(create_list_form))
        .route("/lists/add", post(add_to_list_form))
        .route("/lists/{id}", get(list_page))
        .route("/lists/{id}/export.csv", get(list_csv))
        .route("/creators/{id}/note", put(api_put_note))
}

/// What a batch qualification compares against.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct QualifyOptions {
    /// ISO 3166 codes of the target audience's countries, for the geography component.
    #[serde(default)]
    pub target_countries: Vec<String>,
    /// The brand's own words to avoid.
    #[serde(default)]
    pub blocklist: Vec<String>,
    /// Competitor brand names.
    #[serde(default)]
    pub competitors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QualifySummary {
    pub account_id: i64,
    pub handle: String,
    pub platform: String,
    pub score: f64,
    pub high_severity: bool,
    pub floor_severity: bool,
    pub findings: usize,
}

/// Score and scan each account, and store one dated report per account.
/// Engagement bands are learned from every account in the store.
pub async fn qualify_accounts(
    store: &Store,
    org: chorus_core::OrgId,
    ids: &[AccountId],
    opts: &QualifyOptions,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<QualifySummary>> {
    qualify_accounts_with(store, org, ids, opts, now, false).await
}

/// [`qualify_accounts`], optionally classifying follower samples profile by
/// profile (the reference path `chorus bench qualify` measures beside it).
pub async fn qualify_accounts_with(
    store: &Store,
    org: chorus_core::OrgId,
    ids: &[AccountId],
    opts: &QualifyOptions,
    now: chrono::DateTime<chrono::Utc>,
    per_profile_classifier: bool,
) -> anyhow::Result<Vec<QualifySummary>> {
    let bands = chorus_qualify::learn_er_bands(store.engagement_points().await?.into_iter());
    let mut ctx = chorus_qualify::ScoreContext::new(bands);
    ctx.per_profile_classifier = per_profile_classifier;
    ctx.target_countries = opts
        .target_countries
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect();
    let safety = chorus_qualify::SafetyOptions {
        blocklist: opts.blocklist.clone(),
        competitors: opts.competitors.clone(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(ids.len());
    let mut pending: Vec<(AccountId, f64, bool, bool, Value, Value)> = Vec::new();
    for id in ids {
        let Some(d) = store.account(*id).await? else {
            continue;
        };
        let input = chorus_qualify::AccountInput {
            followers: d.row.followers.max(0) as u64,
            following: d.row.following.max(0) as u64,
            posts: &d.posts,
            follower_history: &d.follower_history,
            follower_sample: &d.follower_sample,
            audience: d.audience.as_ref(),
        };
        let report = chorus_qualify::score_account(&input, &ctx);
        let findings = chorus_qualify::scan_posts(&d.posts, now, &safety);
        let high = findings.iter().any(|f| f.severity >= Severity::High);
        let floor = findings.iter().any(|f| f.severity == Severity::Floor);
        out.push(QualifySummary {
            account_id: id.0,
            handle: d.row.handle.clone(),
            platform: d.row.platform.clone(),
            score: report.score,
            high_severity: high,
            floor_severity: floor,
            findings: findings.len(),
        });
        pending.push((
            *id,
            report.score,
            high,
            floor,
            serde_json::to_value(&report)?,
            serde_json::to_value(&findings)?,
        ));
    }
    let rows: Vec<NewReport> = pending
        .iter()
        .map(|(id, score, high, floor, rep, f)| NewReport {
            account_id: *id,
            score: *score,
            high_severity: *high,
            floor_severity: *floor,
            report: rep,
            findings: f,
        })
        .collect();
    store.save_reports(org, &rows).await?;
    Ok(out)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QualifyBody {
    #[serde(default)]
    account_ids: Vec<i64>,
    list_id: Option<i64>,
    #[serde(flatten)]
    options: QualifyOptions,
}

async fn resolve_ids(
    st: &AppState,
    c: &Caller,
    ids: &[i64],
    list: Option<i64>,
) -> ApiResult<Vec<AccountId>> {
    let mut out: Vec<AccountId> = ids.iter().map(|i| AccountId(*i)).collect();
    if let Some(l) = list {
        out.extend(
            st.store
                .list_accounts_of(c.org(), ListId(l))
                .await?
                .ok_or(ApiError::NotFound("list"))?,
        );
    }
    if out.is_empty() {
        return Err(ApiError::Invalid(
            "give account_ids or a list_id to qualify".into(),
        ));
    }
    if out.len() > 10_000 {
        return Err(ApiError::Invalid(
            "qualify at most 10,000 accounts at once".into(),
        ));
    }
    Ok(out)
}

#[utoipa::path(post, path = "/api/v1/qualify", request_body = QualifyBody,
    responses((status = 200, description = "One stored report per account: score 0–100 and brand-safety flags")))]
pub async fn api_qualify(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<QualifyBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    let ids = resolve_ids(&st, &c, &b.account_ids, b.list_id).await?;
    let reports =
        qualify_accounts(&st.store, c.org(), &ids, &b.options, chrono::Utc::now()).await?;
    Ok(Json(json!({ "reports": reports })))
}

#[derive(Deserialize)]
pub struct Page {
    page: Option<i64>,
    per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/qualify/reports", responses((status = 200, description = "The latest report of every qualified account, best first")))]
pub async fn api_reports(
    State(st): State<AppState>,
    c: Caller,
    Query(p): Query<Page>,
) -> ApiResult<Json<Value>> {
    let per = p.per_page.unwrap_or(50).clamp(1, 500);
    let page = p.page.unwrap_or(1).max(1);
    let items = st
        .store
        .latest_reports(c.org(), per, (page - 1) * per)
        .await?;
    Ok(Json(
        json!({ "page": page, "per_page": per, "items": items }),
    ))
}

#[utoipa::path(get, path = "/api/v1/creators/{id}/quality", responses((status = 200, description = "The latest report with every component's value, points and evidence"), (status = 404)))]
pub async fn api_quality(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<StoredReport>> {
    Ok(Json(
        st.store
            .latest_report(c.org(), AccountId(id))
            .await?
            .ok_or(ApiError::NotFound("quality report"))?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteBody {
    #[serde(default)]
    note: String,
    #[serde(default)]
    tags: Vec<String>,
}

async fn api_get_note(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let n = st
        .store
        .note(c.org(), AccountId(id))
        .await?
        .ok_or(ApiError::NotFound("note"))?;
    Ok(Json(json!(n)))
}

async fn api_put_note(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<NoteBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    st.store
        .account(AccountId(id))
        .await?
        .ok_or(ApiError::NotFound("creator"))?;
    let tags: Vec<String> = b
        .tags
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && !t.contains(','))
        .collect();
    Ok(Json(json!(
        st.store
            .set_note(c.org(), AccountId(id), b.note.trim(), &tags)
            .await?
    )))
}

#[utoipa::path(get, path = "/api/v1/lists", responses((status = 200, description = "The organization's shortlists with sizes")))]
pub async fn api_lists(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": st.store.lists(c.org()).await? })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewListBody {
    name: String,
}

fn list_name(raw: &str) -> ApiResult<&str> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 120 {
        return Err(ApiError::Invalid(
            "name: give the list a name of 1 to 120 characters".into(),
        ));
    }
    Ok(n)
}

#[utoipa::path(post, path = "/api/v1/lists", request_body = NewListBody, responses((status = 201), (status = 409)))]
pub async fn api_create_list(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<NewListBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    c.require(Role::can_manage)?;
    Ok((
        StatusCode::CREATED,
        Json(json!(
            st.store.create_list(c.org(), list_name(&b.name)?).await?
        )),
    ))
}

#[utoipa::path(get, path = "/api/v1/lists/{id}", responses((status = 200, description = "A list and its creators"), (status = 404)))]
pub async fn api_list(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (list, rows) = list_rows(&st, &c, id).await?;
    Ok(Json(json!({ "list": list, "items": rows })))
}

async fn list_rows(
    st: &AppState,
    c: &Caller,
    id: i64,
) -> ApiResult<(chorus_store::List, Vec<chorus_store::AccountRow>)> {
    let list = st
        .store
        .list(c.org(), ListId(id))
        .await?
        .ok_or(ApiError::NotFound("list"))?;
    let ids = st
        .store
        .list_accounts_of(c.org(), list.id)
        .await?
        .ok_or(ApiError::NotFound("list"))?;
    let mut rows = Vec::with_capacity(ids.len());
    for a in ids {
        if let Some(d) = st.store.account(a).await? {
            rows.push(d.row);
        }
    }
    Ok((list, rows))
}

async fn api_delete_list(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    c.require(Role::can_manage)?;
    if st.store.delete_list(c.org(), ListId(id)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("list"))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ItemsBody {
    account_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/lists/{id}/items", request_body = ItemsBody, responses((status = 200, description = "How many were added"), (status = 404)))]
pub async fn api_add_items(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<ItemsBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    let ids: Vec<AccountId> = b.account_ids.iter().map(|i| AccountId(*i)).collect();
    let added = st
        .store
        .add_to_list(c.org(), ListId(id), &ids)
        .await?
        .ok_or(ApiError::NotFound("list"))?;
    Ok(Json(json!({ "added": added })))
}

async fn api_remove_items(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Json(b): Json<ItemsBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    let ids: Vec<AccountId> = b.account_ids.iter().map(|i| AccountId(*i)).collect();
    let removed = st
        .store
        .remove_from_list(c.org(), ListId(id), &ids)
        .await?
        .ok_or(ApiError::NotFound("list"))?;
    Ok(Json(json!({ "removed": removed })))
}

async fn api_saved(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "items": st.store.saved_searches(c.org()).await? }),
    ))
}

#[derive(Deserialize)]
struct SaveSearchBody {
    name: String,
    query: Value,
}

async fn api_save_search(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<SaveSearchBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = list_name(&b.name)?;
    Ok((
        StatusCode::CREATED,
        Json(json!(st.store.save_search(c.org(), name, &b.query).await?)),
    ))
}

async fn api_delete_saved(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if st.store.delete_saved_search(c.org(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("saved search"))
    }
}

fn csv_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn list_csv(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (list, rows) = list_rows(&st, &c, id).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "platform",
        "handle",
        "name",
        "niche",
        "country",
        "followers",
        "engagement_rate",
        "has_email",
        "quality_score",
    ])
    .map_err(anyhow::Error::from)?;
    for r in rows {
        let q = st
            .store
            .latest_report(c.org(), r.id)
            .await?
            .map(|q| format!("{:.1}", q.score))
            .unwrap_or_default();
        w.write_record([
            r.platform.as_str(),
            &r.handle,
            &r.name,
            r.niche.as_deref().unwrap_or(""),
            r.country.as_deref().unwrap_or(""),
            &r.followers.to_string(),
            &r.engagement_rate
                .map(|v| format!("{v:.6}"))
                .unwrap_or_default(),
            if r.has_email { "true" } else { "false" },
            &q,
        ])
        .map_err(anyhow::Error::from)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(csv_response(
        &format!("{}.csv", crate::web::file_stem(&list.name)),
        bytes,
    ))
}

async fn reports_csv(State(st): State<AppState>, WebCaller(c): WebCaller) -> ApiResult<Response> {
    let reports = st.store.latest_reports(c.org(), 100_000, 0).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "platform",
        "handle",
        "score",
        "high_severity",
        "floor_severity",
        "findings",
        "qualified_at",
    ])
    .map_err(anyhow::Error::from)?;
    for r in reports {
        let Some(d) = st.store.account(r.account_id).await? else {
            continue;
        };
        w.write_record([
            d.row.platform.as_str(),
            &d.row.handle,
            &format!("{:.1}", r.score),
            &r.high_severity.to_string(),
            &r.floor_severity.to_string(),
            &r.findings.as_array().map_or(0, Vec::len).to_string(),
            &chorus_store::from_us(r.created_at).to_rfc3339(),
        ])
        .map_err(anyhow::Error::from)?;
    }
    Ok(csv_response(
        "quality-reports.csv",
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?,
    ))
}

struct ReportRow {
    id: i64,
    handle: String,
    platform: String,
    score: String,
    flags: String,
    when: String,
}

#[derive(Template)]
#[template(path = "qualify.html")]
struct QualifyPage {
    l: web::Layout,
    lists: Vec<chorus_store::List>,
    rows: Vec<ReportRow>,
    flash: Option<String>,
}

async fn qualify_view(
    st: &AppState,
    c: &Caller,
    flash: Option<String>,
) -> Result<Response, Response> {
    let l = web::layout(st, c, "/qualify").await.map_err(web::fail)?;
    let lists = st.store.lists(c.org()).await.map_err(web::fail)?;
    let mut rows = Vec::new();
    for r in st
        .store
        .latest_reports(c.org(), 200, 0)
        .await
        .map_err(web::fail)?
    {
        let Some(d) = st.store.account(r.account_id).await.map_err(web::fail)? else {
            continue;
        };
        let flags = match (r.floor_severity, r.high_severity) {
            (true, _) => "floor-level finding",
            (false, true) => "high-severity finding",
            _ => "",
        };
        rows.push(ReportRow {
            id: r.account_id.0,
            handle: d.row.handle,
            platform: d.row.platform,
            score: format!("{:.0}", r.score),
            flags: flags.to_string(),
            when: chorus_store::from_us(r.created_at)
                .format("%Y-%m-%d")
                .to_string(),
        });
    }
    Ok(web::render(QualifyPage {
        l,
        lists,
        rows,
        flash,
    }))
}

async fn qualify_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
) -> Result<Response, Response> {
    qualify_view(&st, &c, None).await
}

#[derive(Deserialize)]
struct QualifyForm {
    list_id: i64,
    #[serde(default)]
    target_countries: String,
    #[serde(default)]
    competitors: String,
}

fn split_words(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

async fn qualify_form(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(f): Form<QualifyForm>,
) -> Result<Response, Response> {
    c.require(Role::can_manage).map_err(web::fail)?;
    let ids = resolve_ids(&st, &c, &[], Some(f.list_id))
        .await
        .map_err(web::fail)?;
    let opts = QualifyOptions {
        target_countries: split_words(&f.target_countries),
        competitors: split_words(&f.competitors),
        blocklist: vec![],
    };
    let n = qualify_accounts(&st.store, c.org(), &ids, &opts, chrono::Utc::now())
        .await
        .map_err(|e| web::fail(ApiError::Internal(e)))?
        .len();
    qualify_view(&st, &c, Some(format!("Qualified {n} creators."))).await
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    l: web::Layout,
    lists: Vec<chorus_store::List>,
}

async fn lists_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
) -> Result<Response, Response> {
    let l = web::layout(&st, &c, "/discover").await.map_err(web::fail)?;
    let lists = st.store.lists(c.org()).await.map_err(web::fail)?;
    Ok(web::render(ListsPage { l, lists }))
}

#[derive(Deserialize)]
struct NewListForm {
    name: String,
}

async fn create_list_form(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(f): Form<NewListForm>,
) -> Result<Response, Response> {
    c.require(Role::can_manage).map_err(web::fail)?;
    let name = list_name(&f.name).map_err(web::fail)?;
    let list = st
        .store
        .create_list(c.org(), name)
        .await
        .map_err(web::fail)?;
    Ok(Redirect::to(&format!("/lists/{}", list.id)).into_response())
}

/// Bulk add from Discover: `list_id` (or `new_list` to create one) and
/// repeated `account_id` fields.
async fn add_to_list_form(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    c.require(Role::can_manage).map_err(web::fail)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| web::fail(ApiError::Invalid(e.to_string())))?;
    let field = |k: &str| {
        fields
            .iter()
            .find(|(n, v)| n == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    };
    let ids: Vec<AccountId> = fields
        .iter()
        .filter(|(k, _)| k == "account_id")
        .filter_map(|(_, v)| v.parse().ok())
        .map(AccountId)
        .collect();
    if ids.is_empty() {
        return Err(web::fail(ApiError::Invalid(
            "select at least one creator".into(),
        )));
    }
    let list_id = match (field("new_list"), field("list_id")) {
        (Some(name), _) => {
            st.store
                .create_list(c.org(), list_name(&name).map_err(web::fail)?)
                .await
                .map_err(web::fail)?
                .id
        }
        (None, Some(id)) => ListId(
            id.parse()
                .map_err(|_| web::fail(ApiError::Invalid("list_id is not a number".into())))?,
        ),
        (None, None) => {
            return Err(web::fail(ApiError::Invalid(
                "choose a list or name a new one".into(),
            )))
        }
    };
    st.store
        .add_to_list(c.org(), list_id, &ids)
        .await
        .map_err(web::fail)?
        .ok_or_else(|| web::fail(ApiError::NotFound("list")))?;
    Ok(Redirect::to(&format!("/lists/{list_id}")).into_response())
}

struct ListRowView {
    id: i64,
    handle: String,
    platform: String,
    followers: String,
    er: String,
    score: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    l: web::Layout,
    list: chorus_store::List,
    rows: Vec<ListRowView>,
}

async fn list_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let l = web::layout(&st, &c, "/discover").await.map_err(web::fail)?;
    let (list, rows) = list_rows(&st, &c, id).await.map_err(web::fail)?;
    let mut views = Vec::with_capacity(rows.len());
    for r in rows {
        let score = st
            .store
            .latest_report(c.org(), r.id)
            .await
            .map_err(web::fail)?
            .map(|q| format!("{:.0}", q.score))
            .unwrap_or_else(|| "–".into());
        views.push(ListRowView {
            id: r.id.0,
            handle: r.handle,
            platform: r.platform,
            followers: web::thousands(r.followers),
            er: web::percent(r.engagement_rate),
            score,
        });
    }
    Ok(web::render(ListPage {
        l,
        list,
        rows: views,
    }))
}
