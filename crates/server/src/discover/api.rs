//! Search over HTTP: query parsing (query string or JSON body), the
//! organization-scoped parts of a query (exclusions, quality filters)
//! resolved against the store, and the JSON, CSV and lookalike endpoints.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chorus_core::{CampaignId, ListId, OrgId};
use chorus_search::{Facets, Hit, SearchError, SearchQuery, MAX_WINDOW};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Query-string keys whose values form a list (repeat the key, or separate
/// values with commas).
const LIST_FIELDS: &[&str] = &[
    "platforms",
    "countries",
    "languages",
    "audience_countries",
    "audience_ages",
    "niches",
    "exclude_account_ids",
    "only_account_ids",
];
/// Keys that stay strings even when they look like numbers.
const TEXT_FIELDS: &[&str] = &["q", "audience_gender", "audience_language", "sort"];
/// Keys whose value is a JSON object.
const JSON_FIELDS: &[&str] = &["target", "fit_weights"];
/// Keys of a search request that are not filters of the index itself.
const ORG_FIELDS: &[&str] = &["exclude_list_id", "exclude_campaign_id"];

/// A search as the API receives it: every field of the index's query, plus
/// exclusions the server resolves within the caller's organization.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: SearchQuery,
    pub exclude_list_id: Option<i64>,
    pub exclude_campaign_id: Option<i64>,
}

/// The request body of `POST /api/v1/search` (documentation only: the
/// server reads the same fields from the query string of the GET form).
#[allow(dead_code)]
#[derive(Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchBody {
    /// Free text over bio, recent captions and hashtags: words, "quoted phrases", #hashtags.
    q: Option<String>,
    /// Any of: instagram, tiktok, youtube, twitch, x, pinterest, facebook.
    platforms: Vec<String>,
    followers_min: Option<u64>,
    followers_max: Option<u64>,
    /// Engagement rate as a fraction (0.03 = 3%).
    er_min: Option<f64>,
    er_max: Option<f64>,
    /// Creator countries (ISO 3166 alpha-2), any of.
    countries: Vec<String>,
    /// Creator languages (ISO 639-1), any of.
    languages: Vec<String>,
    /// Audience share ≥ `audience_country_min` in any of these countries.
    audience_countries: Vec<String>,
    audience_country_min: Option<f64>,
    /// female, male or other.
    audience_gender: Option<String>,
    audience_gender_min: Option<f64>,
    /// Age bands (13-17, 18-24, 25-34, 35-44, 45-64, 65+) whose shares are summed.
    audience_ages: Vec<String>,
    audience_age_min: Option<f64>,
    audience_language: Option<String>,
    audience_language_min: Option<f64>,
    niches: Vec<String>,
    has_email: Option<bool>,
    posted_within_days: Option<u32>,
    exclude_account_ids: Vec<i64>,
    /// Leave out creators already in this list of the caller's organization.
    exclude_list_id: Option<i64>,
    /// Leave out creators already in this campaign of the caller's organization.
    exclude_campaign_id: Option<i64>,
    /// Only creators whose latest qualify report of the caller's
    /// organization scores at least this (0–100); unqualified creators do not pass.
    min_quality_score: Option<f64>,
    /// Only creators whose latest qualify report of the caller's
    /// organization has no high-severity brand-safety finding; unqualified creators do not pass.
    no_high_severity: Option<bool>,
    /// relevance (default with text), followers (default without), er, audience_fit, best_fit.
    sort: Option<String>,
    /// Target audience for audience_fit and best_fit: `{"countries": {"US": 1}, "genders": {"female": 1}, "ages": {"25-34": 1}}`.
    #[schema(value_type = Option<Object>)]
    #[param(value_type = Option<String>)]
    target: Option<Value>,
    /// `{"gender": 0.5, "age": 0.3, "location": 0.2}` (the defaults).
    #[schema(value_type = Option<Object>)]
    #[param(value_type = Option<String>)]
    fit_weights: Option<Value>,
    offset: Option<usize>,
    /// Page size (default 20); offset + limit ≤ 10,000.
    limit: Option<usize>,
}

/// One page of a search.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    /// Creators matching every filter (not just this page).
    pub total: u64,
    pub offset: usize,
    pub limit: usize,
    /// Counts over the whole result set: `{"niche": [["yoga", 12], …], "country": …, "follower_tier": …, "platform": …}`.
    #[schema(value_type = Object)]
    pub facets: Facets,
    /// Best first; each with `why` (matched terms, each filter with the creator's value, fit breakdown).
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Hit>,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::BadQuery(msg.into())
}

/// Query-string pairs as the JSON object a POST body would carry: list
/// fields collected, numbers and booleans typed, empty values dropped.
pub fn pairs_to_json(pairs: &[(String, String)]) -> ApiResult<Value> {
    let mut obj = Map::new();
    for (k, v) in pairs {
        let v = v.trim();
        if v.is_empty() || k == crate::auth::CSRF_FIELD {
            continue;
        }
        if LIST_FIELDS.contains(&k.as_str()) {
            let list = obj.entry(k.clone()).or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(a) = list {
                a.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| match k.as_str() {
                            "exclude_account_ids" | "only_account_ids" => scalar(s),
                            _ => Value::String(s.to_owned()),
                        }),
                );
            }
        } else if JSON_FIELDS.contains(&k.as_str()) {
            let j: Value = serde_json::from_str(v)
                .map_err(|e| bad(format!("{k}: not a JSON object ({e})")))?;
            obj.insert(k.clone(), j);
        } else if TEXT_FIELDS.contains(&k.as_str()) {
            obj.insert(k.clone(), Value::String(v.to_owned()));
        } else {
            obj.insert(k.clone(), scalar(v));
        }
    }
    Ok(Value::Object(obj))
}

impl SearchRequest {
    /// From query-string pairs (empty values are absent, as web forms send them).
    pub fn from_pairs(pairs: &[(String, String)]) -> ApiResult<SearchRequest> {
        SearchRequest::from_json(pairs_to_json(pairs)?)
    }

    /// From a JSON object (the POST body).
    pub fn from_json(v: Value) -> ApiResult<SearchRequest> {
        let Value::Object(mut obj) = v else {
            return Err(bad("the search must be a JSON object"));
        };
        let mut org_id = |k: &str| -> ApiResult<Option<i64>> {
            match obj.remove(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| bad(format!("{k}: expected an integer id, got {v}"))),
            }
        };
        let exclude_list_id = org_id(ORG_FIELDS[0])?;
        let exclude_campaign_id = org_id(ORG_FIELDS[1])?;
        let query: SearchQuery =
            serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
                let path = e.path().to_string();
                if path == "." {
                    bad(e.inner().to_string())
                } else {
                    bad(format!("{path}: {}", e.inner()))
                }
            })?;
        query.validate().map_err(search_error)?;
        if let Some(m) = query.min_quality_score {
            if !(0.0..=100.0).contains(&m) {
                return Err(bad(format!(
                    "min_quality_score is {m}; expected a score between 0 and 100"
                )));
            }
        }
        Ok(SearchRequest {
            query,
            exclude_list_id,
            exclude_campaign_id,
        })
    }
}

/// A query-string value as JSON: a number or boolean when it reads as one.
fn scalar(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(f) = s.parse::<f64>() {
        if f.is_finite() {
            return Value::from(f);
        }
    }
    match s {
        "true" | "on" | "yes" => Value::Bool(true),
        "false" | "off" | "no" => Value::Bool(false),
        _ => Value::String(s.to_owned()),
    }
}

pub fn search_error(e: SearchError) -> ApiError {
    match e {
        SearchError::InvalidQuery(m) => ApiError::BadQuery(m),
        SearchError::NotFound(_) => ApiError::NotFound("creator"),
        other => ApiError::Internal(other.into()),
    }
}

/// The quality filters of a query, held back from the index and applied
/// from the organization's reports instead.
#[derive(Debug, Clone, Default)]
struct QualityFilter {
    min_score: Option<f64>,
    no_high_severity: bool,
    /// Latest (score, high severity) per qualified account of the org.
    reports: HashMap<i64, (f64, bool)>,
}

impl QualityFilter {
    fn passes(&self, account: i64) -> bool {
        let Some((score, high)) = self.reports.get(&account) else {
            return false;
        };
        self.min_score.is_none_or(|m| *score >= m) && !(self.no_high_severity && *high)
    }

    fn explain(&self, hit: &mut Hit) {
        let Some((score, _)) = self.reports.get(&hit.account_id) else {
            return;
        };
        if let Some(m) = self.min_score {
            hit.why.filters.push(format!("quality {score:.0} ≥ {m:.0}"));
        }
        if self.no_high_severity {
            hit.why.filters.push("no high-severity finding".into());
        }
    }
}

/// A query ready for the index: exclusions and quality filters resolved
/// within `org`, so nothing of another organization can change a result.
pub struct Resolved {
    pub query: SearchQuery,
    quality: Option<QualityFilter>,
}

pub async fn resolve(st: &AppState, org: OrgId, req: SearchRequest) -> ApiResult<Resolved> {
    let mut q = req.query;
    if let Some(id) = req.exclude_list_id {
        let ids = st
            .store
            .list_accounts_of(org, ListId(id))
            .await?
            .ok_or(ApiError::NotFound("list"))?;
        q.exclude_account_ids.extend(ids.iter().map(|a| a.0));
    }
    if let Some(id) = req.exclude_campaign_id {
        st.store
            .campaign(org, CampaignId(id))
            .await?
            .ok_or(ApiError::NotFound("campaign"))?;
        let members = st.store.members(org, CampaignId(id)).await?;
        q.exclude_account_ids
            .extend(members.iter().map(|m| m.account_id.0));
    }
    let min_score = q.min_quality_score.take();
    let no_high_severity = q.no_high_severity.take() == Some(true);
    let mut quality = None;
    if min_score.is_some() || no_high_severity {
        let mut f = QualityFilter {
            min_score,
            no_high_severity,
            reports: HashMap::new(),
        };
        for (a, score, high) in st.store.latest_scores(org).await? {
            f.reports.insert(a.0, (score, high));
        }
        let pass: Vec<i64> = f.reports.keys().copied().filter(|a| f.passes(*a)).collect();
        q.only_account_ids = Some(match q.only_account_ids.take() {
            Some(only) => only.into_iter().filter(|a| f.passes(*a)).collect(),
            None => pass,
        });
        quality = Some(f);
    }
    Ok(Resolved { query: q, quality })
}

/// Resolve and run a search for the caller's organization.
pub async fn run(st: &AppState, org: OrgId, req: SearchRequest) -> ApiResult<SearchPage> {
    let r = resolve(st, org, req).await?;
    let (offset, limit) = r.query.window();
    let d = st.discover.clone();
    let q = r.query;
    let mut res = tokio::task::spawn_blocking(move || d.search(&q, chrono::Utc::now()))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(search_error)?;
    if let Some(f) = &r.quality {
        res.results.iter_mut().for_each(|h| f.explain(h));
    }
    Ok(SearchPage {
        total: res.total,
        offset,
        limit,
        facets: res.facets,
        results: res.results,
    })
}

pub fn pairs(raw: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| bad(format!("the query string is malformed: {e}")))
}

/// Search creators. Every field of the body is a query parameter; list
/// fields repeat (`platforms=instagram&platforms=tiktok`) or take commas;
/// `target` and `fit_weights` are JSON text.
#[utoipa::path(get, path = "/api/v1/search",
    params(SearchBody),
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody), (status = 404, description = "exclude_list_id or exclude_campaign_id is not one of the organization's", body = ErrorBody)))]
pub async fn api_search_get(
    State(st): State<AppState>,
    c: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SearchPage>> {
    let req = SearchRequest::from_pairs(&pairs(raw.as_deref())?)?;
    Ok(Json(run(&st, c.org(), req).await?))
}

#[utoipa::path(post, path = "/api/v1/search", request_body = SearchBody,
    responses((status = 200, body = SearchPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_search_post(
    State(st): State<AppState>,
    c: Caller,
    body: Bytes,
) -> ApiResult<Json<SearchPage>> {
    let v: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not JSON: {e}")))?
    };
    let req = SearchRequest::from_json(v)?;
    Ok(Json(run(&st, c.org(), req).await?))
}

#[derive(Deserialize)]
pub struct LookalikeParams {
    limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/creators/{account_id}/lookalikes",
    params(("account_id" = i64, Path), ("limit" = Option<usize>, Query, description = "1–100, default 20")),
    responses((status = 200, description = "`{\"account_id\", \"results\": [hit…]}`: creators with similar content vocabulary and audience, best first; scores 0..1"),
              (status = 404, body = ErrorBody)))]
pub async fn api_lookalikes(
    State(st): State<AppState>,
    _c: Caller,
    Path(account_id): Path<i64>,
    Query(p): Query<LookalikeParams>,
) -> ApiResult<Json<Value>> {
    let results = lookalikes(&st, account_id, p.limit).await?;
    Ok(Json(
        serde_json::json!({"account_id": account_id, "results": results}),
    ))
}

pub async fn lookalikes(
    st: &AppState,
    account_id: i64,
    limit: Option<usize>,
) -> ApiResult<Vec<Hit>> {
    let k = limit.unwrap_or(20);
    if !(1..=100).contains(&k) {
        return Err(bad(format!("limit is {k}; expected 1 to 100")));
    }
    let d = st.discover.clone();
    tokio::task::spawn_blocking(move || d.lookalikes(account_id, k))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(search_error)
}

/// The whole result set of a search as CSV (offset and limit are ignored).
#[utoipa::path(get, path = "/api/v1/search.csv",
    params(SearchBody),
    responses((status = 200, description = "The whole result set (up to 10,000 rows) as CSV, best first", content_type = "text/csv"),
              (status = 400, body = ErrorBody)))]
pub async fn api_search_csv(
    State(st): State<AppState>,
    c: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    csv_export(&st, c.org(), raw.as_deref()).await
}

pub async fn csv_export(st: &AppState, org: OrgId, raw: Option<&str>) -> ApiResult<Response> {
    let mut req = SearchRequest::from_pairs(&pairs(raw)?)?;
    req.query.offset = Some(0);
    req.query.limit = Some(MAX_WINDOW);
    let page = run(st, org, req).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| ApiError::Internal(e.into());
    w.write_record([
        "platform",
        "handle",
        "name",
        "followers",
        "engagement_rate",
        "niche",
        "country",
        "score",
        "audience_fit",
        "why",
        "account_id",
    ])
    .map_err(csv_err)?;
    for h in &page.results {
        w.write_record([
            h.platform.to_string(),
            h.handle.clone(),
            h.name.clone(),
            h.followers.to_string(),
            h.er.map(|v| format!("{v:.6}")).unwrap_or_default(),
            h.niche.clone().unwrap_or_default(),
            h.country.clone().unwrap_or_default(),
            format!("{:.4}", h.score),
            h.fit.map(|v| format!("{v:.4}")).unwrap_or_default(),
            why_line(h),
            h.account_id.to_string(),
        ])
        .map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"creators.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A hit's explanation as one line: matched terms, then each filter, then fit.
pub fn why_line(h: &Hit) -> String {
    let mut parts = Vec::new();
    if !h.why.matched_terms.is_empty() {
        parts.push(format!("matched {}", h.why.matched_terms.join(", ")));
    }
    parts.extend(h.why.filters.iter().cloned());
    if let Some(f) = h.fit {
        parts.push(format!("fit {:.0}%", f * 100.0));
    }
    parts.join("; ")
}
