//! What the web pages and the JSON API share: every operation takes the
//! caller, scopes by its organization, and returns the same errors.

use super::brief::CampaignBrief;
use super::contract::{self, DEFAULT_TEMPLATE};
use super::stage::{self, Stage};
use super::terms::{Budget, DealTerms, FeeChange};
use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::AppState;
use axum::http::HeaderMap;
use chorus_core::{AccountId, CampaignId, Currency, Money, Platform, Role};
use chorus_store::campaigns::{Actor, Campaign, ContractSend, Member, NewCampaign, NewDeliverable};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Portal links live this long unless revoked.
pub const PORTAL_TTL_DAYS: i64 = 30;
const DAY_US: i64 = 86_400_000_000;

/// A campaign as a form or an API body describes it; all text, parsed here.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    pub name: String,
    pub product: String,
    /// Decimal amount in `currency`, e.g. "20000.00".
    pub budget: String,
    pub currency: String,
    /// YYYY-MM-DD
    pub starts: String,
    /// YYYY-MM-DD
    pub ends: String,
    /// 1–180, default 30.
    pub attribution_window_days: Option<String>,
    /// Brief JSON; empty keeps the current one.
    pub default_brief: String,
    /// Deal terms JSON; empty means a plain fee in the campaign currency.
    pub default_terms: String,
    /// Empty means the standard template.
    pub contract_template: String,
}

fn date_us(field: &str, s: &str) -> Result<Option<i64>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ApiError::Invalid(format!("{field}: {s:?} is not a date (YYYY-MM-DD)")))?;
    Ok(d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_micros()))
}

pub fn date_text(us: Option<i64>) -> String {
    us.map(|u| chorus_store::from_us(u).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl CampaignInput {
    pub fn from_campaign(c: &Campaign) -> CampaignInput {
        let cur = Currency::parse(&c.currency).unwrap_or(Currency::USD);
        CampaignInput {
            name: c.name.clone(),
            product: c.product.clone(),
            budget: Money {
                minor: c.budget_minor,
                currency: cur,
            }
            .to_decimal()
            .to_string(),
            currency: c.currency.clone(),
            starts: date_text(c.starts_at),
            ends: date_text(c.ends_at),
            attribution_window_days: Some(c.attribution_window_days.to_string()),
            default_brief: c.default_brief.clone(),
            default_terms: c.default_terms.clone(),
            contract_template: c.contract_template.clone(),
        }
    }

    pub fn parse(&self, current_brief: Option<&str>) -> Result<NewCampaign, ApiError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ApiError::Invalid(
                "name: give the campaign a name (1–200 characters)".into(),
            ));
        }
        let currency = Currency::parse(if self.currency.trim().is_empty() {
            "USD"
        } else {
            &self.currency
        })
        .map_err(|e| ApiError::Invalid(format!("currency: {e}")))?;
        let budget = if self.budget.trim().is_empty() {
            Money::zero(currency)
        } else {
            Money::parse(&self.budget.replace(',', ""), currency)
                .map_err(|e| ApiError::Invalid(format!("budget: {e}")))?
        };
        if budget.minor < 0 {
            return Err(ApiError::Invalid("budget: must not be negative".into()));
        }
        let window = match self.attribution_window_days.as_deref().map(str::trim) {
            None | Some("") => 30,
            Some(s) => s.parse::<i64>().map_err(|_| {
                ApiError::Invalid(format!(
                    "attribution_window_days: {s:?} is not a whole number"
                ))
            })?,
        };
        if !(1..=180).contains(&window) {
            return Err(ApiError::Invalid(
                "attribution_window_days: allowed are 1 to 180 days".into(),
            ));
        }
        let starts_at = date_us("starts", &self.starts)?;
        let ends_at = date_us("ends", &self.ends)?;
        if let (Some(s), Some(e)) = (starts_at, ends_at) {
            if e < s {
                return Err(ApiError::Invalid(
                    "ends: the campaign ends before it starts".into(),
                ));
            }
        }
        let brief_json = if self.default_brief.trim().is_empty() {
            current_brief.unwrap_or("{}").to_string()
        } else {
            self.default_brief.clone()
        };
        let brief = CampaignBrief::parse(&brief_json).map_err(ApiError::Invalid)?;
        brief
            .validate()
            .map_err(|e| ApiError::Invalid(format!("brief: {e}")))?;
        let terms = if self.default_terms.trim().is_empty() {
            DealTerms::default_for(currency)
        } else {
            DealTerms::parse(&self.default_terms).map_err(ApiError::Invalid)?
        };
        let template = if self.contract_template.trim().is_empty() {
            DEFAULT_TEMPLATE.to_string()
        } else {
            self.contract_template.replace("\r\n", "\n")
        };
        check_template(&template)?;
        Ok(NewCampaign {
            name: name.to_string(),
            product: self.product.trim().to_string(),
            budget_minor: budget.minor,
            currency: currency.code().to_string(),
            starts_at,
            ends_at,
            attribution_window_days: window,
            default_brief: brief.to_json(),
            default_terms: terms.to_json(),
            contract_template: template,
        })
    }
}

/// A template may only use known merge fields.
fn check_template(template: &str) -> Result<(), ApiError> {
    let t = DealTerms::default_for(Currency::USD);
    let base = contract::member_values("", "", &CampaignBrief::default(), &t, None, None);
    let v = contract::contract_values(&base, "", "", "", &t);
    contract::render(template, &v)
        .map(|_| ())
        .map_err(|e| ApiError::Invalid(format!("contract_template: {e}")))
}

pub async fn campaign(st: &AppState, c: &Caller, id: i64) -> Result<Campaign, ApiError> {
    st.store
        .campaign(c.org(), CampaignId(id))
        .await?
        .ok_or(ApiError::NotFound("campaign"))
}

pub async fn member(
    st: &AppState,
    c: &Caller,
    campaign: &Campaign,
    id: i64,
) -> Result<Member, ApiError> {
    st.store
        .member(c.org(), id)
        .await?
        .filter(|m| m.campaign_id == campaign.id)
        .ok_or(ApiError::NotFound("campaign member"))
}

pub async fn create(
    st: &AppState,
    c: &Caller,
    input: &CampaignInput,
) -> Result<Campaign, ApiError> {
    c.require(Role::can_manage)?;
    let new = input.parse(None)?;
    let camp = st
        .store
        .create_campaign(c.org(), Some(c.user.id), &new)
        .await?;
    st.store
        .add_brief_version(c.org(), camp.id, &new.default_brief, Some(c.user.id))
        .await?;
    Ok(camp)
}

pub async fn update(
    st: &AppState,
    c: &Caller,
    id: i64,
    input: &CampaignInput,
) -> Result<Campaign, ApiError> {
    c.require(Role::can_manage)?;
    let old = campaign(st, c, id).await?;
    let current = current_brief(st, &old).await?;
    let new = input.parse(Some(&current))?;
    st.store.update_campaign(c.org(), old.id, &new).await?;
    if new.default_brief != current {
        st.store
            .add_brief_version(c.org(), old.id, &new.default_brief, Some(c.user.id))
            .await?;
    }
    campaign(st, c, id).await
}

/// The latest brief version's JSON (the campaign's default when none yet).
pub async fn current_brief(st: &AppState, camp: &Campaign) -> Result<String, ApiError> {
    Ok(st
        .store
        .latest_brief(camp.org_id, camp.id)
        .await?
        .map_or_else(|| camp.default_brief.clone(), |b| b.body))
}

pub async fn save_brief(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    brief: &CampaignBrief,
) -> Result<i64, ApiError> {
    c.require(Role::can_manage)?;
    brief
        .validate()
        .map_err(|e| ApiError::Invalid(format!("brief: {e}")))?;
    st.store
        .add_brief_version(c.org(), camp.id, &brief.to_json(), Some(c.user.id))
        .await?
        .ok_or(ApiError::NotFound("campaign"))
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct AddResult {
    pub added: usize,
    pub already: usize,
    /// Handles or ids that match no account.
    pub unknown: Vec<String>,
}

/// Add accounts by id or by handle (`@maya`, `instagram:maya`, or a bare
/// handle, looked up on every platform).
pub async fn add_members(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    account_ids: &[i64],
    handles: &[String],
) -> Result<AddResult, ApiError> {
    c.require(Role::can_manage)?;
    let mut ids: Vec<AccountId> = Vec::new();
    let mut res = AddResult::default();
    for id in account_ids {
        if st.store.account(AccountId(*id)).await?.is_some() {
            ids.push(AccountId(*id));
        } else {
            res.unknown.push(id.to_string());
        }
    }
    for raw in handles {
        let h = raw.trim().trim_start_matches('@').to_lowercase();
        if h.is_empty() {
            continue;
        }
        let found = match h.split_once(':') {
            Some((p, handle)) => {
                st.store
                    .account_by_handle(p, handle.trim_start_matches('@'))
                    .await?
            }
            None => {
                let mut hit = None;
                for p in Platform::ALL {
                    if let Some(a) = st.store.account_by_handle(p.as_str(), &h).await? {
                        hit = Some(a);
                        break;
                    }
                }
                hit
            }
        };
        match found {
            Some(a) => ids.push(a),
            None => res.unknown.push(raw.trim().to_string()),
        }
    }
    ids.sort();
    ids.dedup();
    let added = st
        .store
        .add_members(
            c.org(),
            camp.id,
            &ids,
            &camp.default_terms,
            Actor::User(c.user.id),
        )
        .await?;
    res.added = added.len();
    res.already = ids.len() - added.len();
    Ok(res)
}

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub done: usize,
    /// Members left alone, with why.
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub member_id: i64,
    pub handle: String,
    pub reason: String,
}

fn skip(out: &mut Outcome, m: &Member, reason: impl Into<String>) {
    out.skipped.push(Skipped {
        member_id: m.id,
        handle: m.handle.clone(),
        reason: reason.into(),
    });
}

async fn selected(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    ids: &[i64],
) -> Result<Vec<Member>, ApiError> {
    let all = st.store.members(c.org(), camp.id).await?;
    let mut out = Vec::new();
    for id in ids {
        match all.iter().find(|m| m.id == *id) {
            Some(m) => out.push(m.clone()),
            None => return Err(ApiError::NotFound("campaign member")),
        }
    }
    Ok(out)
}

pub async fn move_members(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    ids: &[i64],
    to: &str,
    note: &str,
) -> Result<Outcome, ApiError> {
    c.require(Role::can_manage)?;
    let to =
        Stage::parse(to).ok_or_else(|| ApiError::Invalid(format!("to: {to:?} is not a stage")))?;
    let mut out = Outcome::default();
    for m in selected(st, c, camp, ids).await? {
        let from = Stage::parse(&m.stage).unwrap_or(Stage::Shortlisted);
        if from == to {
            continue;
        }
        if !stage::allowed(from, to) {
            skip(&mut out, &m, format!("cannot move from {from} to {to}"));
            continue;
        }
        if st
            .store
            .move_member(
                c.org(),
                m.id,
                from.as_str(),
                to.as_str(),
                Actor::User(c.user.id),
                note,
            )
            .await?
        {
            out.done += 1;
        } else {
            skip(&mut out, &m, "changed meanwhile; reload");
        }
    }
    Ok(out)
}

/// The scheme and host the caller reached us at, for links in emails.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(axum::http::header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("http");
    format!("{proto}://{host}")
}

/// One member's contract: text, hash and terms JSON.
pub struct Rendered {
    pub text: String,
    pub sha256: String,
    pub terms: DealTerms,
}

pub fn render_contract(
    camp: &Campaign,
    brand: &str,
    brief: &CampaignBrief,
    m: &Member,
    terms_json: &str,
    amendment: Option<&str>,
) -> Result<Rendered, String> {
    let terms = DealTerms::parse(terms_json).map_err(|e| format!("@{}: {e}", m.handle))?;
    let base = contract::member_values(
        &m.name,
        &m.handle,
        brief,
        &terms,
        m.tracking_link.as_deref(),
        m.promo_code.as_deref(),
    );
    let values = contract::contract_values(&base, &camp.name, &camp.product, brand, &terms);
    let mut text = contract::render(&camp.contract_template, &values)
        .map_err(|e| format!("@{}: {e}", m.handle))?;
    if let Some(a) = amendment.filter(|a| !a.trim().is_empty()) {
        text.push_str(&format!(
            "\nAgreed changes to the deliverables: {}\n",
            a.trim()
        ));
    }
    Ok(Rendered {
        sha256: contract::sha256_hex(&text),
        text,
        terms,
    })
}

pub struct NewLink {
    pub clear: String,
    pub digest: String,
    pub csrf: String,
    pub expires_at: i64,
}

pub fn new_portal_link() -> NewLink {
    let clear = auth::random_secret();
    NewLink {
        digest: auth::digest(&clear),
        csrf: auth::random_secret(),
        expires_at: chorus_store::now_us() + PORTAL_TTL_DAYS * DAY_US,
        clear,
    }
}

fn contract_email(
    camp: &Campaign,
    brand: &str,
    m: &Member,
    link: &str,
    updated: bool,
) -> (String, String) {
    let what = if updated {
        "An updated contract"
    } else {
        "Your brief and contract"
    };
    (
        format!("{what} for {} from {brand}", camp.name),
        format!(
            "Hi {},\n\n{what} for the {} campaign ({}) is ready.\n\
             Read the brief, then sign, counter or decline here:\n\n{link}\n\n\
             The link is personal to you and expires in {PORTAL_TTL_DAYS} days.\n",
            if m.name.is_empty() {
                &m.handle
            } else {
                &m.name
            },
            camp.name,
            camp.product
        ),
    )
}

/// Render, hash and store a contract for every selected member, each with a
/// new portal link and a queued email, and move them to `offered` — in one
/// transaction. Members whose stage does not allow an offer, or whose
/// contract does not render, are reported and left alone.
pub async fn send_contracts(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    ids: &[i64],
    base: &str,
) -> Result<Outcome, ApiError> {
    c.require(Role::can_manage)?;
    let brand = st
        .store
        .org(c.org())
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let brief_row = st.store.latest_brief(c.org(), camp.id).await?;
    let brief = CampaignBrief::parse(brief_row.as_ref().map_or(&camp.default_brief, |b| &b.body))
        .map_err(ApiError::Invalid)?;
    let mut out = Outcome::default();
    let mut sends = Vec::new();
    let mut members = Vec::new();
    for m in selected(st, c, camp, ids).await? {
        let from = Stage::parse(&m.stage).unwrap_or(Stage::Shortlisted);
        if !from.can_send_contract() {
            skip(
                &mut out,
                &m,
                format!("is {from}; a contract goes out before signing only"),
            );
            continue;
        }
        let r = match render_contract(camp, &brand, &brief, &m, &m.terms, None) {
            Ok(r) => r,
            Err(e) => {
                skip(&mut out, &m, e);
                continue;
            }
        };
        let link = new_portal_link();
        let (subject, body) =
            contract_email(camp, &brand, &m, &format!("{base}/p/{}", link.clear), false);
        sends.push(ContractSend {
            member_id: m.id,
            body: r.text,
            body_sha256: r.sha256,
            terms: r.terms.to_json(),
            token_hash: link.digest,
            token_csrf: link.csrf,
            token_expires_at: link.expires_at,
            email_to: m.email.clone(),
            email_subject: subject,
            email_body: body,
            brief_version: brief_row.as_ref().map(|b| b.version),
            from_stage: from.as_str().to_string(),
            to_stage: Stage::Offered.as_str().to_string(),
        });
        members.push(m);
    }
    let sent = st
        .store
        .send_contracts(c.org(), &sends, Actor::User(c.user.id))
        .await?;
    out.done = sent.len();
    for m in &members {
        if !sent.contains(&m.id) {
            skip(&mut out, m, "changed meanwhile; reload");
        } else if m.email.is_none() {
            skip(
                &mut out,
                m,
                "sent, but no email address: share the link from the member page",
            );
        }
    }
    Ok(out)
}

/// The counter-offer a creator sends from the portal.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Counter {
    /// Proposed base fee, decimal in the deal currency; empty keeps it.
    pub fee: String,
    pub deliverables: String,
    pub message: String,
}

/// Accept the creator's counter: new terms, a new contract version to
/// re-sign, a fresh link by email, and the member back to `offered`.
pub async fn accept_counter(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    m: &Member,
    base: &str,
) -> Result<(), ApiError> {
    c.require(Role::can_manage)?;
    let k = st
        .store
        .latest_contract(c.org(), m.id)
        .await?
        .filter(|k| k.status == "countered")
        .ok_or_else(|| ApiError::Conflict("there is no open counter-offer".into()))?;
    let counter: Counter = serde_json::from_str(k.counter.as_deref().unwrap_or("{}"))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut terms = DealTerms::parse(&k.terms).map_err(ApiError::Invalid)?;
    if !counter.fee.trim().is_empty() {
        let fee = Decimal::from_str(counter.fee.trim()).map_err(|_| {
            ApiError::Invalid(format!("counter fee {:?} is not an amount", counter.fee))
        })?;
        terms.base_fee = Some(fee);
        terms.validate().map_err(ApiError::Invalid)?;
    }
    let brand = st
        .store
        .org(c.org())
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let brief = CampaignBrief::parse(&current_brief(st, camp).await?).map_err(ApiError::Invalid)?;
    let r = render_contract(
        camp,
        &brand,
        &brief,
        m,
        &terms.to_json(),
        Some(&counter.deliverables),
    )
    .map_err(ApiError::Invalid)?;
    st.store
        .set_member_terms(c.org(), &[(m.id, r.terms.to_json())])
        .await?;
    st.store
        .new_contract_version(
            c.org(),
            m.id,
            &r.text,
            &r.sha256,
            &r.terms.to_json(),
            "sent",
        )
        .await?;
    if !st
        .store
        .move_member(
            c.org(),
            m.id,
            "negotiating",
            "offered",
            Actor::User(c.user.id),
            "counter accepted",
        )
        .await?
    {
        return Err(ApiError::Conflict(
            "the member is no longer negotiating".into(),
        ));
    }
    let link = new_portal_link();
    st.store
        .create_portal_token(c.org(), m.id, &link.digest, &link.csrf, link.expires_at)
        .await?;
    if let Some(to) = &m.email {
        let (s, b) = contract_email(camp, &brand, m, &format!("{base}/p/{}", link.clear), true);
        st.store.queue_email(c.org(), to, &s, &b).await?;
    }
    Ok(())
}

/// Reject the counter: the original offer stands and can be signed again.
pub async fn reject_counter(st: &AppState, c: &Caller, m: &Member) -> Result<(), ApiError> {
    c.require(Role::can_manage)?;
    let k = st
        .store
        .latest_contract(c.org(), m.id)
        .await?
        .filter(|k| k.status == "countered")
        .ok_or_else(|| ApiError::Conflict("there is no open counter-offer".into()))?;
    st.store
        .set_contract_status(c.org(), k.id, &["countered"], "sent")
        .await?;
    st.store
        .move_member(
            c.org(),
            m.id,
            "negotiating",
            "offered",
            Actor::User(c.user.id),
            "counter rejected",
        )
        .await?;
    if let Some(to) = &m.email {
        st.store
            .queue_email(
                c.org(),
                to,
                "Your counter-offer was not accepted",
                "Hi,\n\nthe brand keeps the original offer. You can still sign or decline it through your campaign link.\n",
            )
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub struct BulkTerms {
    pub min_followers: i64,
    pub change: FeeChange,
}

/// Change the base fee of every member over a follower threshold (those not
/// yet contracted), exactly and half-to-even.
pub async fn bulk_terms(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    b: BulkTerms,
) -> Result<Outcome, ApiError> {
    c.require(Role::can_manage)?;
    let mut out = Outcome::default();
    let mut updates = Vec::new();
    for m in st.store.members(c.org(), camp.id).await? {
        if m.followers < b.min_followers {
            continue;
        }
        let stage = Stage::parse(&m.stage).unwrap_or(Stage::Shortlisted);
        if !stage.can_send_contract() {
            skip(
                &mut out,
                &m,
                format!("is {stage}; signed terms are not changed"),
            );
            continue;
        }
        let t = DealTerms::parse(&m.terms).map_err(ApiError::Invalid)?;
        match b.change.apply(&t) {
            Ok(n) => updates.push((m.id, n.to_json())),
            Err(e) => skip(&mut out, &m, e),
        }
    }
    out.done = st.store.set_member_terms(c.org(), &updates).await? as usize;
    Ok(out)
}

pub async fn set_terms(
    st: &AppState,
    c: &Caller,
    m: &Member,
    json: &str,
) -> Result<DealTerms, ApiError> {
    c.require(Role::can_manage)?;
    let t = DealTerms::parse(json).map_err(ApiError::Invalid)?;
    st.store
        .set_member_terms(c.org(), &[(m.id, t.to_json())])
        .await?;
    Ok(t)
}

pub async fn budget(st: &AppState, c: &Caller, camp: &Campaign) -> Result<Budget, ApiError> {
    let members = st.store.members(c.org(), camp.id).await?;
    let parsed: Vec<(Stage, DealTerms)> = members
        .iter()
        .filter_map(|m| Some((Stage::parse(&m.stage)?, DealTerms::parse(&m.terms).ok()?)))
        .collect();
    let cur = Currency::parse(&camp.currency).unwrap_or(Currency::USD);
    Ok(Budget::compute(
        cur,
        camp.budget_minor,
        parsed.iter().map(|(s, t)| (*s, t)),
    ))
}

/// Deliverables a signed member owes, from the brief (count × each line).
pub fn deliverables_from_brief(brief: &CampaignBrief) -> Vec<NewDeliverable> {
    brief
        .deliverables
        .iter()
        .flat_map(|d| {
            let due_at = d
                .due
                .and_then(|d| d.and_hms_opt(23, 59, 59))
                .map(|t| t.and_utc().timestamp_micros());
            (0..d.count.max(1)).map(move |_| NewDeliverable {
                platform: d.platform.clone(),
                format: d.format.clone(),
                due_at,
            })
        })
        .collect()
}

/// not started / submitted / late / missing / approved / live.
pub fn deliverable_state(
    status: &str,
    due_at: Option<i64>,
    now: i64,
    campaign_ends: Option<i64>,
) -> &'static str {
    match status {
        "approved" => "approved",
        "live" => "live",
        "submitted" => "submitted",
        "changes_requested" if due_at.is_some_and(|d| d < now) => "late",
        "changes_requested" => "changes requested",
        _ => match due_at {
            Some(d) if campaign_ends.is_some_and(|e| e < now) && d < now => "missing",
            Some(d) if d < now => "late",
            _ => "not started",
        },
    }
}

/// The member is overdue when it sat in its stage longer than usual.
pub fn is_overdue(stage: Stage, changed_at: i64, now: i64) -> bool {
    stage
        .overdue_after_days()
        .is_some_and(|d| now - changed_at > d * DAY_US)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_input_is_checked_field_by_field() {
        let mut i = CampaignInput {
            name: "Spring".into(),
            budget: "20,000.00".into(),
            currency: "usd".into(),
            starts: "2026-04-01".into(),
            ends: "2026-05-31".into(),
            ..Default::default()
        };
        let n = i.parse(None).unwrap();
        assert_eq!(
            (
                n.budget_minor,
                n.currency.as_str(),
                n.attribution_window_days
            ),
            (2_000_000, "USD", 30)
        );
        assert_eq!(n.contract_template, DEFAULT_TEMPLATE);
        i.attribution_window_days = Some("181".into());
        assert!(i
            .parse(None)
            .unwrap_err()
            .to_string()
            .contains("attribution_window_days"));
        i.attribution_window_days = None;
        i.ends = "2026-03-01".into();
        assert!(i.parse(None).unwrap_err().to_string().contains("ends"));
        i.ends = String::new();
        i.contract_template = "Hi {{nick}}".into();
        assert!(i.parse(None).unwrap_err().to_string().contains("nick"));
        i.contract_template = String::new();
        i.budget = "1.001".into();
        assert!(i.parse(None).unwrap_err().to_string().contains("budget"));
    }

    #[test]
    fn deliverable_states() {
        let now = 100 * DAY_US;
        assert_eq!(
            deliverable_state("pending", Some(now + 1), now, None),
            "not started"
        );
        assert_eq!(
            deliverable_state("pending", Some(now - 1), now, None),
            "late"
        );
        assert_eq!(
            deliverable_state("pending", Some(now - 1), now, Some(now - 1)),
            "missing"
        );
        assert_eq!(
            deliverable_state("submitted", Some(now - 1), now, None),
            "submitted"
        );
        assert_eq!(deliverable_state("approved", None, now, None), "approved");
        assert_eq!(deliverable_state("live", None, now, None), "live");
    }

    #[test]
    fn overdue_depends_on_the_stage() {
        let now = 100 * DAY_US;
        assert!(is_overdue(Stage::Offered, now - 8 * DAY_US, now));
        assert!(!is_overdue(Stage::Offered, now - 6 * DAY_US, now));
        assert!(!is_overdue(Stage::Shortlisted, 0, now));
    }

    #[test]
    fn brief_lines_become_deliverables() {
        let b = CampaignBrief::parse(r#"{"deliverables": [{"platform": "instagram", "format": "reel", "count": 2, "due": "2026-05-01"}, {"platform": "tiktok", "format": "short"}]}"#).unwrap();
        let d = deliverables_from_brief(&b);
        assert_eq!(d.len(), 3);
        assert_eq!(d[2].format, "short");
        assert!(d[0].due_at.is_some() && d[2].due_at.is_none());
    }
}
