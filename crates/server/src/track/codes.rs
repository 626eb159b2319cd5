//! Promo codes of a campaign: import existing codes from CSV (row-level
//! errors with line and field), generate batches of single-use codes from a
//! seeded generator, and the campaign's tracking page with both forms.
//! Codes belong to campaign members; a single-use code is credited once
//! (the engine flags later orders with `code_reused`).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::web::{Layout, WebCaller, NAV};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chorus_attribution::codes;
use chorus_core::import::RowError;
use chorus_core::{CampaignId, OrgId, Role};
use chorus_store::campaigns::Member;
use chorus_store::tracking::{NewCodeBatch, NewPromoCode, PromoCode};
use chorus_store::Store;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// Most codes one batch may create.
pub const MAX_BATCH_CODES: usize = 100_000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct CodeImportSummary {
    pub rows: u64,
    pub created: u64,
    pub failed: u64,
    pub errors: Vec<RowError>,
}

fn row_error(line: u64, field: &str, reason: impl Into<String>) -> RowError {
    RowError {
        line,
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// `2026-03-01` (midnight UTC, or the day's last microsecond for an end)
/// or RFC 3339, as microseconds.
fn parse_bound(s: &str, end: bool) -> Result<i64, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_micros());
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is neither YYYY-MM-DD nor RFC 3339"))?;
    let t = if end {
        d.and_hms_micro_opt(23, 59, 59, 999_999)
    } else {
        d.and_hms_opt(0, 0, 0)
    };
    t.map(|t| t.and_utc().timestamp_micros())
        .ok_or_else(|| format!("{s:?} is not a valid date"))
}

fn parse_flag(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" => Ok(false),
        "1" | "true" | "yes" | "y" => Ok(true),
        other => Err(format!("{other:?} is not true/false")),
    }
}

async fn members_of(store: &Store, org: OrgId, campaign: i64) -> ApiResult<Vec<Member>> {
    store
        .campaign(org, CampaignId(campaign))
        .await?
        .ok_or(ApiError::NotFound("campaign"))?;
    Ok(store.members(org, CampaignId(campaign)).await?)
}

async fn taken_codes(store: &Store, org: OrgId) -> ApiResult<HashSet<String>> {
    Ok(store
        .list_promo_codes(org)
        .await?
        .into_iter()
        .map(|p| p.code.to_uppercase())
        .collect())
}

/// Import codes for the members of `campaign` from CSV with the header
/// `handle` (or `member`, a member id), `code`, and optionally `platform`,
/// `valid_from`, `valid_to`, `single_use`. Good rows are stored in one
/// transaction; every bad row is reported with its line and field.
pub async fn import_codes_csv<R: Read>(
    store: &Store,
    org: OrgId,
    campaign: i64,
    reader: R,
) -> ApiResult<CodeImportSummary> {
    let members = members_of(store, org, campaign).await?;
    let mut taken = taken_codes(store, org).await?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| ApiError::Invalid(format!("CSV header: {e}")))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if !headers.iter().any(|h| h == "code")
        || !headers.iter().any(|h| h == "handle" || h == "member")
    {
        return Err(ApiError::Invalid(
            "the CSV header needs `code` and `handle` (or `member`)".into(),
        ));
    }
    let mut s = CodeImportSummary::default();
    let mut good: Vec<ImportRow> = Vec::new();
    for rec in rdr.records() {
        s.rows += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                push_error(&mut s, row_error(line, "row", e.to_string()));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |k: &str| {
            headers
                .iter()
                .position(|h| h == k)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .to_string()
        };
        match import_row(&members, &mut taken, &get) {
            Ok(row) => good.push(row),
            Err((field, why)) => push_error(&mut s, row_error(line, field, why)),
        }
    }
    let new: Vec<NewPromoCode<'_>> = good
        .iter()
        .map(|(account, code, from, to, single)| NewPromoCode {
            org_id: org,
            campaign_id: campaign,
            account_id: *account,
            code,
            valid_from: *from,
            valid_to: *to,
            single_use: *single,
        })
        .collect();
    s.created = store.create_promo_codes(&new, None).await?.len() as u64;
    Ok(s)
}

fn push_error(s: &mut CodeImportSummary, e: RowError) {
    s.failed += 1;
    if s.errors.len() < crate::ingest::MAX_LISTED_ERRORS {
        s.errors.push(e);
    }
}

type ImportRow = (i64, String, Option<i64>, Option<i64>, bool);

fn import_row(
    members: &[Member],
    taken: &mut HashSet<String>,
    get: &dyn Fn(&str) -> String,
) -> Result<ImportRow, (&'static str, String)> {
    let member = get("member");
    let handle = get("handle");
    let platform = get("platform").to_ascii_lowercase();
    let account = if !member.is_empty() {
        let id: i64 = member
            .parse()
            .map_err(|_| ("member", format!("{member:?} is not a member id")))?;
        members
            .iter()
            .find(|m| m.id == id)
            .ok_or(("member", format!("no member {id} in this campaign")))?
            .account_id
            .0
    } else {
        let h = handle.trim_start_matches('@').to_lowercase();
        if h.is_empty() {
            return Err(("handle", "give a handle or a member id".into()));
        }
        let found: Vec<&Member> = members
            .iter()
            .filter(|m| m.handle.to_lowercase() == h)
            .filter(|m| platform.is_empty() || m.platform == platform)
            .collect();
        match found.as_slice() {
            [m] => m.account_id.0,
            [] => return Err(("handle", format!("@{h} is not a member of this campaign"))),
            _ => {
                return Err((
                    "platform",
                    format!("@{h} is on several platforms here; say which"),
                ))
            }
        }
    };
    let code = codes::sanitize(&get("code"));
    if code.is_empty() || code.len() > 40 {
        return Err(("code", "must have 1 to 40 letters or digits".into()));
    }
    if !taken.insert(code.to_uppercase()) {
        return Err(("code", format!("{code} already exists")));
    }
    let bound = |k: &'static str, end: bool| {
        let v = get(k);
        if v.is_empty() {
            Ok(None)
        } else {
            parse_bound(&v, end).map(Some).map_err(|e| (k, e))
        }
    };
    let result = (|| -> Result<ImportRow, (&'static str, String)> {
        let from = bound("valid_from", false)?;
        let to = bound("valid_to", true)?;
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(("valid_to", "is before valid_from".to_string()));
            }
        }
        let single = parse_flag(&get("single_use")).map_err(|e| ("single_use", e))?;
        Ok((account, code.clone(), from, to, single))
    })();
    if result.is_err() {
        taken.remove(&code.to_uppercase());
    }
    result
}

#[derive(Debug, Clone, Deserialize)]
pub struct BatchBody {
    pub campaign_id: i64,
    /// Member ids; every member of the campaign when absent or empty.
    #[serde(default)]
    pub members: Vec<i64>,
    /// Codes per member.
    pub count: usize,
    /// With `{RANDOM}`, optionally `{HANDLE}`; default `{HANDLE}{RANDOM}`.
    pub pattern: Option<String>,
    /// Seed of the generator; random (and returned) when absent.
    pub seed: Option<u64>,
    pub valid_from: Option<chrono::DateTime<chrono::Utc>>,
    pub valid_to: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchResult {
    pub batch_id: Option<i64>,
    pub seed: u64,
    pub codes: Vec<PromoCode>,
}

/// Generate `count` single-use codes for each chosen member in one
/// transaction. The same seed, members and existing codes give the same codes.
pub async fn create_batch(store: &Store, org: OrgId, b: &BatchBody) -> ApiResult<BatchResult> {
    let members = members_of(store, org, b.campaign_id).await?;
    let chosen: Vec<&Member> = if b.members.is_empty() {
        members.iter().collect()
    } else {
        let by_id: HashMap<i64, &Member> = members.iter().map(|m| (m.id, m)).collect();
        b.members
            .iter()
            .map(|id| {
                by_id
                    .get(id)
                    .copied()
                    .ok_or_else(|| ApiError::Invalid(format!("no member {id} in this campaign")))
            })
            .collect::<ApiResult<_>>()?
    };
    if b.count == 0 || chosen.is_empty() || b.count * chosen.len() > MAX_BATCH_CODES {
        return Err(ApiError::Invalid(format!(
            "count × members must be between 1 and {MAX_BATCH_CODES}"
        )));
    }
    let pattern = b
        .pattern
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| codes::DEFAULT_BATCH_PATTERN.to_string());
    let seed = b.seed.unwrap_or_else(rand::random);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut taken = taken_codes(store, org).await?;
    let mut made: Vec<(i64, String)> = Vec::new();
    for m in &chosen {
        for code in codes::single_use_codes(&mut rng, &pattern, &m.handle, b.count, &mut taken)
            .map_err(|e| ApiError::Invalid(e.to_string()))?
        {
            made.push((m.account_id.0, code));
        }
    }
    let new: Vec<NewPromoCode<'_>> = made
        .iter()
        .map(|(account, code)| NewPromoCode {
            org_id: org,
            campaign_id: b.campaign_id,
            account_id: *account,
            code,
            valid_from: b.valid_from.map(|t| t.timestamp_micros()),
            valid_to: b.valid_to.map(|t| t.timestamp_micros()),
            single_use: true,
        })
        .collect();
    let codes = store
        .create_promo_codes(
            &new,
            Some(NewCodeBatch {
                org_id: org,
                campaign_id: b.campaign_id,
                pattern: &pattern,
                per_creator: b.count as i64,
                seed: seed as i64,
            }),
        )
        .await?;
    Ok(BatchResult {
        batch_id: codes.first().and_then(|c| c.batch_id),
        seed,
        codes,
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct ImportQuery {
    pub campaign_id: i64,
}

/// `POST /api/v1/promo-codes/import?campaign_id=ID` with a CSV body.
pub async fn import_api(
    State(st): State<AppState>,
    c: Caller,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<CodeImportSummary>> {
    c.require(Role::can_manage)?;
    Ok(Json(
        import_codes_csv(&st.store, c.org(), q.campaign_id, &body[..]).await?,
    ))
}

/// `POST /api/v1/promo-codes/batches`.
pub async fn batch_api(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<BatchBody>,
) -> ApiResult<(StatusCode, Json<BatchResult>)> {
    c.require(Role::can_manage)?;
    Ok((
        StatusCode::CREATED,
        Json(create_batch(&st.store, c.org(), &b).await?),
    ))
}

// ---- the campaign's tracking page ----

struct CodeRow {
    code: String,
    handle: String,
    single_use: bool,
    validity: String,
}

#[derive(Template)]
#[template(path = "track/campaign.html")]
struct TrackingPage {
    l: Layout,
    id: i64,
    name: String,
    msg: Option<String>,
    links: Vec<(String, String, String)>,
    codes: Vec<CodeRow>,
    errors: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub msg: Option<String>,
}

fn page_fail(e: ApiError) -> Response {
    e.into_response()
}

async fn render_page(
    st: &AppState,
    c: &Caller,
    id: i64,
    msg: Option<String>,
    errors: Vec<String>,
) -> Result<Response, Response> {
    let org = c.org();
    let k = st
        .store
        .campaign(org, CampaignId(id))
        .await
        .map_err(|e| page_fail(e.into()))?
        .ok_or_else(|| page_fail(ApiError::NotFound("campaign")))?;
    let org_row = st
        .store
        .org(org)
        .await
        .map_err(|e| page_fail(e.into()))?
        .ok_or_else(|| page_fail(ApiError::NotFound("organization")))?;
    let members = st
        .store
        .members(org, CampaignId(id))
        .await
        .map_err(|e| page_fail(e.into()))?;
    let handle: HashMap<i64, String> = members
        .iter()
        .map(|m| (m.account_id.0, format!("@{} ({})", m.handle, m.platform)))
        .collect();
    let name_of = |a: i64| handle.get(&a).cloned().unwrap_or_else(|| a.to_string());
    let links = st
        .store
        .list_links(org)
        .await
        .map_err(|e| page_fail(e.into()))?
        .into_iter()
        .filter(|l| l.campaign_id == id && l.disabled_at.is_none())
        .map(|l| (l.code.clone(), name_of(l.account_id), l.destination))
        .collect();
    let day = |us: Option<i64>| {
        us.map_or("…".to_string(), |t| {
            chorus_store::from_us(t).format("%Y-%m-%d").to_string()
        })
    };
    let codes = st
        .store
        .list_promo_codes(org)
        .await
        .map_err(|e| page_fail(e.into()))?
        .into_iter()
        .filter(|p| p.campaign_id == id)
        .map(|p| CodeRow {
            validity: if p.valid_from.is_none() && p.valid_to.is_none() {
                "always".into()
            } else {
                format!("{} – {}", day(p.valid_from), day(p.valid_to))
            },
            handle: name_of(p.account_id),
            single_use: p.single_use,
            code: p.code,
        })
        .collect();
    let page = TrackingPage {
        l: Layout {
            csrf: c.csrf_token().to_string(),
            user_email: c.user.email.clone(),
            org_name: org_row.name,
            role: c.user.role.to_string(),
            active: "/campaigns",
            nav: NAV.to_vec(),
        },
        id,
        name: k.name,
        msg,
        links,
        codes,
        errors,
    };
    page.render()
        .map(|h| Html(h).into_response())
        .map_err(|e| page_fail(ApiError::Internal(e.into())))
}

/// `GET /campaigns/{id}/tracking`: links, codes, and the code forms.
pub async fn page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Response {
    render_page(&st, &c, id, q.msg, Vec::new())
        .await
        .unwrap_or_else(|e| e)
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    pub csv: String,
}

pub async fn import_form(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<ImportForm>,
) -> Response {
    if let Err(e) = c.require(Role::can_manage) {
        return e.into_response();
    }
    match import_codes_csv(&st.store, c.org(), id, f.csv.as_bytes()).await {
        Ok(s) => {
            let msg = format!("Imported {} codes; {} rows rejected.", s.created, s.failed);
            let errors = s.errors.iter().map(ToString::to_string).collect();
            render_page(&st, &c, id, Some(msg), errors)
                .await
                .unwrap_or_else(|e| e)
        }
        Err(e) => render_page(&st, &c, id, Some(e.to_string()), Vec::new())
            .await
            .unwrap_or_else(|e| e),
    }
}

#[derive(Deserialize)]
pub struct BatchForm {
    pub count: usize,
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub seed: String,
}

pub async fn batch_form(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Form(f): Form<BatchForm>,
) -> Response {
    if let Err(e) = c.require(Role::can_manage) {
        return e.into_response();
    }
    let body = BatchBody {
        campaign_id: id,
        members: Vec::new(),
        count: f.count,
        pattern: Some(f.pattern),
        seed: f.seed.trim().parse().ok(),
        valid_from: None,
        valid_to: None,
    };
    let msg = match create_batch(&st.store, c.org(), &body).await {
        Ok(r) => format!(
            "Generated {} single-use codes (seed {}).",
            r.codes.len(),
            r.seed
        ),
        Err(e) => e.to_string(),
    };
    let q = serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default();
    Redirect::to(&format!("/campaigns/{id}/tracking?{q}")).into_response()
}
