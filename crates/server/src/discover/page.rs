//! The Discover web page on the search index: a filter sidebar whose
//! fields are the API's query parameters, facet counts that refine the
//! query, result rows with their why, pagination, CSV export, saved
//! searches and bulk add-to-list; and the "creators like this" page.
//! Server-rendered; works without JavaScript.

use super::api::{self, why_line, SearchRequest};
use crate::error::ApiError;
use crate::web::{self, fail, percent, thousands, Layout, WebCaller};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chorus_core::creator::{AGE_BANDS, GENDERS};
use chorus_core::Platform;
use chorus_search::Hit;
use serde_json::{Map, Value};

type PageResult = Result<Response, Response>;

/// Rows per page.
const PER_PAGE: usize = 25;

/// Web-only fields that build the target audience of `audience_fit` and
/// `best_fit` (the API takes `target` as JSON).
const TARGET_FIELDS: [&str; 3] = ["target_country", "target_gender", "target_age"];

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FacetView {
    pub name: &'static str,
    pub items: Vec<(String, u64, String)>,
}

pub struct HitRow {
    pub id: i64,
    pub handle: String,
    pub name: String,
    pub platform: String,
    pub niche: String,
    pub country: String,
    pub followers: String,
    pub er: String,
    pub score: String,
    pub fit: String,
    pub why: String,
}

#[derive(Template)]
#[template(path = "discover.html")]
struct DiscoverPage {
    l: Layout,
    pairs: Vec<(String, String)>,
    error: Option<String>,
    indexed: u64,
    total: u64,
    from: usize,
    to: usize,
    rows: Vec<HitRow>,
    facets: Vec<FacetView>,
    platforms: Vec<Opt>,
    genders: Vec<Opt>,
    ages: Vec<Opt>,
    target_genders: Vec<Opt>,
    target_ages: Vec<Opt>,
    sorts: Vec<Opt>,
    exclude_lists: Vec<Opt>,
    exclude_campaigns: Vec<Opt>,
    lists: Vec<chorus_store::List>,
    saved: Vec<(String, String)>,
    prev_href: Option<String>,
    next_href: Option<String>,
    csv_href: String,
    query_string: String,
}

impl DiscoverPage {
    /// The first value of a field of the current query, for text inputs.
    fn val(&self, k: &str) -> &str {
        self.pairs
            .iter()
            .find(|(n, v)| n == k && !v.is_empty())
            .map_or("", |(_, v)| v.as_str())
    }

    fn checked(&self, k: &str) -> bool {
        matches!(self.val(k), "true" | "on" | "1")
    }
}

fn opts(values: &[(&str, &str)], pairs: &[(String, String)], field: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|(v, label)| Opt {
            value: v.to_string(),
            label: label.to_string(),
            selected: pairs
                .iter()
                .any(|(k, x)| k == field && x.split(',').any(|x| x.trim() == *v)),
        })
        .collect()
}

/// The query string of `pairs` with `set` replacing (or, with an empty
/// value, removing) fields, and the page reset unless `offset` is set.
fn href(path: &str, pairs: &[(String, String)], set: &[(&str, String)]) -> String {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| !v.is_empty() && k != "offset" && !set.iter().any(|(s, _)| s == k))
        .cloned()
        .collect();
    for (k, v) in set {
        if !v.is_empty() {
            out.push((k.to_string(), v.clone()));
        }
    }
    let qs = serde_urlencoded::to_string(&out).unwrap_or_default();
    if qs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{qs}")
    }
}

/// Add a value to a list field (a facet click): keep what is there.
fn refine(pairs: &[(String, String)], field: &str, value: &str) -> String {
    let mut p: Vec<(String, String)> = pairs.to_vec();
    if !p.iter().any(|(k, v)| k == field && v == value) {
        p.push((field.to_string(), value.to_string()));
    }
    href("/discover", &p, &[])
}

/// Turn the web-only target fields into the API's `target` JSON.
fn with_target(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut target = Map::new();
    let mut add = |dim: &str, key: &str| {
        let e = target
            .entry(dim.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = e {
            m.insert(key.to_string(), Value::from(1.0));
        }
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        let v = v.trim();
        match k.as_str() {
            "target_country" => v
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .for_each(|c| add("countries", &c.to_ascii_uppercase())),
            "target_gender" if !v.is_empty() => add("genders", v),
            "target_age" if !v.is_empty() => add("ages", v),
            "offset" | "limit" => {}
            _ if TARGET_FIELDS.contains(&k.as_str()) => {}
            _ => out.push((k.clone(), v.to_string())),
        }
    }
    if !target.is_empty() {
        out.push(("target".into(), Value::Object(target).to_string()));
    }
    out
}

fn hit_row(h: &Hit) -> HitRow {
    HitRow {
        id: h.account_id,
        handle: h.handle.clone(),
        name: h.name.clone(),
        platform: h.platform.to_string(),
        niche: h.niche.clone().unwrap_or_default(),
        country: h.country.clone().unwrap_or_default(),
        followers: thousands(h.followers as i64),
        er: percent(h.er),
        score: format!("{:.2}", h.score),
        fit: h
            .fit
            .map(|f| format!("{:.0}%", f * 100.0))
            .unwrap_or_default(),
        why: why_line(h),
    }
}

pub async fn discover(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let pairs = api::pairs(raw.as_deref()).map_err(fail)?;
    let l = web::layout(&st, &c, "/discover").await.map_err(fail)?;
    let offset: usize = pairs
        .iter()
        .find(|(k, _)| k == "offset")
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let search_pairs = with_target(&pairs);
    let outcome = match SearchRequest::from_pairs(&search_pairs) {
        Ok(mut req) => {
            req.query.offset = Some(offset.min(chorus_search::MAX_WINDOW - PER_PAGE));
            req.query.limit = Some(PER_PAGE);
            api::run(&st, c.org(), req).await
        }
        Err(e) => Err(e),
    };
    let (page, error) = match outcome {
        Ok(p) => (Some(p), None),
        // A bad filter is shown beside the form, not as an error page.
        Err(e @ (ApiError::BadQuery(_) | ApiError::NotFound(_))) => (None, Some(e.to_string())),
        Err(e) => return Err(fail(e)),
    };
    let total = page.as_ref().map_or(0, |p| p.total);
    let shown = page.as_ref().map_or(0, |p| p.results.len());
    let rows = page
        .as_ref()
        .map(|p| p.results.iter().map(hit_row).collect())
        .unwrap_or_default();
    let facets = page
        .as_ref()
        .map(|p| facet_views(&pairs, &p.facets))
        .unwrap_or_default();
    let lists = st.store.lists(c.org()).await.map_err(fail)?;
    let campaigns = st.store.list_campaigns(c.org()).await.map_err(fail)?;
    let saved = st
        .store
        .saved_searches(c.org())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|s| (s.name, saved_href(&s.query)))
        .collect();
    let id_opts = |items: Vec<(i64, String)>, field: &str| {
        let owned: Vec<(String, String)> = items
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect();
        let refs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        opts(&refs, &pairs, field)
    };
    let platforms: Vec<(&str, &str)> = Platform::ALL
        .iter()
        .map(|p| (p.as_str(), p.as_str()))
        .collect();
    let genders: Vec<(&str, &str)> = GENDERS.iter().map(|g| (*g, *g)).collect();
    let ages: Vec<(&str, &str)> = AGE_BANDS.iter().map(|a| (*a, *a)).collect();
    let next = offset + PER_PAGE;
    Ok(web::render(DiscoverPage {
        l,
        error,
        indexed: st.discover.num_docs(),
        total,
        from: if shown == 0 { 0 } else { offset + 1 },
        to: offset + shown,
        rows,
        facets,
        platforms: opts(&platforms, &pairs, "platforms"),
        genders: opts(&genders, &pairs, "audience_gender"),
        ages: opts(&ages, &pairs, "audience_ages"),
        target_genders: opts(&genders, &pairs, "target_gender"),
        target_ages: opts(&ages, &pairs, "target_age"),
        sorts: opts(
            &[
                ("", "relevance with text, else followers"),
                ("relevance", "relevance"),
                ("followers", "followers"),
                ("er", "engagement rate"),
                ("audience_fit", "audience fit (set a target)"),
                ("best_fit", "best fit"),
            ],
            &pairs,
            "sort",
        ),
        exclude_lists: id_opts(
            lists.iter().map(|li| (li.id.0, li.name.clone())).collect(),
            "exclude_list_id",
        ),
        exclude_campaigns: id_opts(
            campaigns.iter().map(|k| (k.id.0, k.name.clone())).collect(),
            "exclude_campaign_id",
        ),
        lists,
        saved,
        prev_href: (offset > 0).then(|| {
            href(
                "/discover",
                &pairs,
                &[("offset", offset.saturating_sub(PER_PAGE).to_string())],
            )
        }),
        next_href: ((next as u64) < total && next + PER_PAGE <= chorus_search::MAX_WINDOW)
            .then(|| href("/discover", &pairs, &[("offset", next.to_string())])),
        csv_href: href("/discover.csv", &search_pairs, &[]),
        query_string: serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(k, v)| k != "offset" && !v.is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default(),
        pairs,
    }))
}

fn facet_views(pairs: &[(String, String)], f: &chorus_search::Facets) -> Vec<FacetView> {
    let list = |name, field: &'static str, items: &[(String, u64)]| FacetView {
        name,
        items: items
            .iter()
            .take(12)
            .map(|(v, n)| (v.clone(), *n, refine(pairs, field, v)))
            .collect(),
    };
    let tiers = FacetView {
        name: "Follower tier",
        items: f
            .follower_tier
            .iter()
            .enumerate()
            .filter(|(_, (_, n))| *n > 0)
            .map(|(i, (name, n))| {
                let lo = chorus_search::TIERS[i].1;
                let hi = chorus_search::TIERS
                    .get(i + 1)
                    .map(|t| (t.1 - 1).to_string())
                    .unwrap_or_default();
                let h = href(
                    "/discover",
                    pairs,
                    &[("followers_min", lo.to_string()), ("followers_max", hi)],
                );
                (name.clone(), *n, h)
            })
            .collect(),
    };
    vec![
        list("Niche", "niches", &f.niche),
        list("Country", "countries", &f.country),
        tiers,
        list("Platform", "platforms", &f.platform),
    ]
}

/// A saved search (the JSON of `POST /api/v1/search`) as a Discover link.
fn saved_href(q: &Value) -> String {
    let mut pairs = Vec::new();
    if let Some(obj) = q.as_object() {
        for (k, v) in obj {
            match v {
                Value::Array(a) => a.iter().for_each(|x| pairs.push((k.clone(), plain(x)))),
                Value::Object(_) => pairs.push((k.clone(), v.to_string())),
                Value::Null => {}
                other => pairs.push((k.clone(), plain(other))),
            }
        }
    }
    href("/discover", &pairs, &[])
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Save the current Discover query under a name (the form posts the query
/// string it was rendered with).
pub async fn save_search(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    body: axum::body::Bytes,
) -> PageResult {
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&body).map_err(|e| fail(ApiError::Invalid(e.to_string())))?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let name = get("name");
    if name.is_empty() || name.chars().count() > 120 {
        return Err(fail(ApiError::Invalid(
            "name the search (1 to 120 characters)".into(),
        )));
    }
    let pairs = api::pairs(Some(&get("query"))).map_err(fail)?;
    let search_pairs = with_target(&pairs);
    // Only a query that runs is worth saving.
    SearchRequest::from_pairs(&search_pairs).map_err(fail)?;
    let json = api::pairs_to_json(&search_pairs).map_err(fail)?;
    st.store
        .save_search(c.org(), &name, &json)
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&href("/discover", &pairs, &[])).into_response())
}

pub async fn discover_csv(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    RawQuery(raw): RawQuery,
) -> PageResult {
    api::csv_export(&st, c.org(), raw.as_deref())
        .await
        .map_err(fail)
}

#[derive(Template)]
#[template(path = "lookalikes.html")]
struct LookalikesPage {
    l: Layout,
    seed_id: i64,
    seed_handle: String,
    rows: Vec<HitRow>,
    lists: Vec<chorus_store::List>,
}

pub async fn lookalikes_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let seed = st
        .store
        .account(chorus_core::AccountId(id))
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ApiError::NotFound("creator")))?;
    let l = web::layout(&st, &c, "/discover").await.map_err(fail)?;
    let hits = api::lookalikes(&st, id, Some(25)).await.map_err(fail)?;
    Ok(web::render(LookalikesPage {
        l,
        seed_id: id,
        seed_handle: seed.row.handle,
        rows: hits.iter().map(hit_row).collect(),
        lists: st.store.lists(c.org()).await.map_err(fail)?,
    }))
}
