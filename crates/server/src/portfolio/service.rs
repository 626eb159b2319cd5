//! What the portfolio pages and API share: candidates from a list or a niche
//! with their qualify results and rate cards, priors learned from the catalog
//! (cached) and updated with the organization's own results, the plan, the
//! plan → campaign step, the comparison, the wave calendar and the dashboard.

use crate::auth::Caller;
use crate::campaigns::brief::CampaignBrief;
use crate::campaigns::stage::Stage;
use crate::campaigns::terms::DealTerms;
use crate::error::ApiError;
use crate::AppState;
use chorus_core::{AccountId, CreatorId, Currency, ListId, Money, OrgId, Platform, Role};
use chorus_portfolio::{
    compare, expected_outcome, learn_priors, mega_and_micro_lists, plan, AccountStats, Candidate,
    Conflict, Deliverable, Exclusivity, FeeModel, Goal, PastResult, Pattern, Plan, PlanRequest,
    PlanTotals, PlatformMix, Priors, Slot, TargetAudience,
};
use chorus_store::campaigns::{Actor, Campaign, Member};
use chorus_store::{from_us, now_us};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Priors learned from the whole catalog, kept until an import changes it
/// (keyed by the store's catalog fingerprint: account count, newest change).
/// The catalog fingerprint the priors were learned at, and the priors.
type Cached = ((i64, i64), Arc<Priors>);

#[derive(Default)]
pub struct PriorsCache {
    inner: Mutex<Option<Cached>>,
}

impl PriorsCache {
    pub fn new() -> PriorsCache {
        PriorsCache::default()
    }
}

/// Catalog priors, learned once per catalog state.
pub async fn catalog_priors(st: &AppState) -> Result<Arc<Priors>, ApiError> {
    let fp = st.store.catalog_fingerprint().await?;
    if let Ok(g) = st.portfolio.inner.lock() {
        if let Some((f, p)) = g.as_ref() {
            if *f == fp {
                return Ok(p.clone());
            }
        }
    }
    let mut stats = Vec::new();
    let mut after = AccountId(0);
    loop {
        let batch = st.store.account_records(after, 1000).await?;
        let Some((last, _, _)) = batch.last() else {
            break;
        };
        after = *last;
        stats.extend(batch.iter().map(|(id, _, r)| {
            AccountStats::of(&Candidate::from_record(
                CreatorId(id.0),
                r,
                None,
                false,
                None,
            ))
        }));
    }
    let priors = Arc::new(learn_priors(stats.into_iter()));
    if let Ok(mut g) = st.portfolio.inner.lock() {
        *g = Some((fp, priors.clone()));
    }
    Ok(priors)
}

/// Catalog priors updated with what the organization's own creators
/// delivered; returns them and how many past results went in.
pub async fn org_priors(st: &AppState, org: OrgId) -> Result<(Priors, usize), ApiError> {
    let base = catalog_priors(st).await?;
    let results = past_results(st, org, &base).await?;
    let mut p = (*base).clone();
    p.update_with_results(&results);
    Ok((p, results.len()))
}

/// Delivered (views, clicks, orders) of every published or completed member
/// of the organization's campaigns. Clicks and orders are the attributed
/// figures; platforms do not report the views of a post to Chorus, so views
/// are the account's recent mean views (or the prior's expectation).
async fn past_results(
    st: &AppState,
    org: OrgId,
    priors: &Priors,
) -> Result<Vec<PastResult>, ApiError> {
    let figures = delivered(st, org).await?;
    let mut accounts = Vec::new();
    let mut done = Vec::new();
    for k in st.store.list_campaigns(org).await? {
        for m in st.store.members(org, k.id).await? {
            if matches!(
                Stage::parse(&m.stage),
                Some(Stage::Published | Stage::Completed)
            ) {
                accounts.push(m.account_id);
                done.push((k.id.0, m.account_id));
            }
        }
    }
    let records: HashMap<i64, Candidate> = st
        .store
        .account_records_by_ids(&accounts)
        .await?
        .into_iter()
        .map(|(id, _, r)| {
            (
                id.0,
                Candidate::from_record(CreatorId(id.0), &r, None, false, None),
            )
        })
        .collect();
    Ok(done
        .into_iter()
        .filter_map(|(k, a)| {
            let c = records.get(&a.0)?;
            let f = figures.get(&(k, a.0)).copied().unwrap_or_default();
            let views = c
                .mean_views
                .unwrap_or_else(|| expected_outcome(c, priors).views.expected);
            Some(PastResult {
                platform: c.platform,
                tier: c.tier(),
                views: views.max(0.0).round() as u64,
                clicks: f.clicks.max(0) as u64,
                orders: f.orders.max(0.0).round() as u64,
            })
        })
        .collect())
}

/// Tracked figures of one creator in one campaign.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Human (non-bot) clicks.
    pub clicks: i64,
    /// Credited orders; a linear split counts its share.
    pub orders: f64,
    /// Net attributed revenue, minor units (currency of the order).
    pub net_revenue_minor: i64,
    pub currency: Option<Currency>,
    /// Orders in another currency than the first one seen (not added up).
    pub other_currency_orders: usize,
}

/// (campaign id, account id) → tracked figures, over all time.
async fn delivered(st: &AppState, org: OrgId) -> Result<HashMap<(i64, i64), Figures>, ApiError> {
    let end = now_us() + 86_400_000_000 * 366;
    let mut out: HashMap<(i64, i64), Figures> = HashMap::new();
    for c in st.store.click_days(org, 0, end).await? {
        out.entry((c.campaign_id, c.account_id)).or_default().clicks += c.human;
    }
    for f in st.store.credit_facts(org, 0, end).await? {
        let e = out.entry((f.campaign_id, f.account_id)).or_default();
        let cur = Currency::parse(&f.currency).ok();
        if e.currency.is_none() {
            e.currency = cur;
        }
        if e.currency != cur {
            e.other_currency_orders += 1;
            continue;
        }
        e.orders += f.share_num as f64 / f.share_den.max(1) as f64;
        e.net_revenue_minor += share(f.net_minor, f.share_num, f.share_den);
    }
    Ok(out)
}

/// Share of an amount, rounded half-to-even to the minor unit.
fn share(amount: i64, num: i64, den: i64) -> i64 {
    if den <= 0 {
        return 0;
    }
    let d = rust_decimal::Decimal::from(amount) * rust_decimal::Decimal::from(num)
        / rust_decimal::Decimal::from(den);
    i64::try_from(d.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven))
        .unwrap_or(0)
}

// ---------------------------------------------------------------- fee model

/// The organization's fee model, or the documented USD defaults.
pub async fn fee_model(st: &AppState, org: OrgId) -> Result<FeeModel, ApiError> {
    match st.store.fee_model(org).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored fee model: {e}"))),
        None => Ok(FeeModel::default()),
    }
}

pub async fn set_fee_model(st: &AppState, c: &Caller, m: &FeeModel) -> Result<(), ApiError> {
    c.require(Role::can_manage)?;
    for r in &m.rules {
        if r.per_1k_minor < 0 || r.floor_minor < 0 {
            return Err(ApiError::Invalid(format!(
                "fee model: {} {}: amounts must not be negative",
                r.platform,
                r.tier.as_str()
            )));
        }
    }
    let json = serde_json::to_string(m).map_err(|e| ApiError::Internal(e.into()))?;
    st.store.set_fee_model(c.org(), &json).await?;
    Ok(())
}

// ---------------------------------------------------------------- planning

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetInput {
    /// ISO country codes, e.g. `["US", "GB"]`; empty = any.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Age bands (`18-24`, `25-34`, …); empty = any.
    #[serde(default)]
    pub ages: Vec<String>,
    /// `female`, `male`, …; empty = any.
    #[serde(default)]
    pub genders: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// 0 ignores the target, 1 counts only the on-target share (default 1 when a target is set).
    #[serde(default)]
    pub weight: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MixInput {
    pub platform: String,
    pub min: usize,
    pub max: usize,
}

fn forty() -> usize {
    40
}
fn yes() -> bool {
    true
}

/// What the manager asks the planner. Candidates are the union of a list of
/// the organization, a niche of the catalog and explicit account ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    #[serde(default)]
    pub list_id: Option<i64>,
    /// A niche of the catalog (case-insensitive), e.g. `running`.
    #[serde(default)]
    pub niche: Option<String>,
    #[serde(default)]
    pub account_ids: Vec<i64>,
    /// Decimal amount, e.g. `"20000.00"`.
    pub budget: String,
    pub currency: String,
    #[serde(default)]
    pub min_creators: usize,
    #[serde(default = "forty")]
    pub max_creators: usize,
    /// Largest fee of one creator, percent of the budget (default: no cap).
    #[serde(default)]
    pub max_share_pct: Option<f64>,
    /// Minimum audience-quality score from the organization's qualify reports.
    #[serde(default)]
    pub min_quality: Option<u8>,
    /// Leave out creators with floor-level brand-safety findings (default true).
    #[serde(default = "yes")]
    pub exclude_floor_safety: bool,
    /// At most this percent of `max_creators` from one niche (default 100).
    #[serde(default)]
    pub max_niche_share_pct: Option<u32>,
    #[serde(default)]
    pub platform_mix: Vec<MixInput>,
    #[serde(default)]
    pub target: TargetInput,
    /// `unique_reach` (default) or `orders`.
    #[serde(default)]
    pub goal: Option<String>,
    /// Account ids that must be in.
    #[serde(default)]
    pub pinned: Vec<i64>,
    /// Account ids that must stay out.
    #[serde(default)]
    pub excluded: Vec<i64>,
}

/// The plan with what it was made from.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub candidates: usize,
    /// Past results of the organization folded into the priors.
    pub past_results: usize,
    pub fee_model_currency: Currency,
    pub plan: Plan,
}

/// Everything a plan needs, loaded once.
pub struct Prepared {
    pub req: PlanRequest,
    pub candidates: Vec<Candidate>,
    pub priors: Priors,
    pub past_results: usize,
}

fn invalid(s: impl Into<String>) -> ApiError {
    ApiError::Invalid(s.into())
}

/// Accounts of a list of the caller's organization; another organization's
/// list is "not found".
pub async fn list_accounts(st: &AppState, org: OrgId, id: i64) -> Result<Vec<AccountId>, ApiError> {
    st.store
        .list_accounts_of(org, ListId(id))
        .await?
        .ok_or(ApiError::NotFound("list"))
}

pub async fn prepare(
    st: &AppState,
    org: OrgId,
    input: &PlanInput,
    extra: &[AccountId],
) -> Result<Prepared, ApiError> {
    let cur =
        Currency::parse(input.currency.trim()).map_err(|e| invalid(format!("currency: {e}")))?;
    let budget = Money::parse(&input.budget, cur).map_err(|e| invalid(format!("budget: {e}")))?;
    if budget.minor <= 0 {
        return Err(invalid("budget: must be more than zero"));
    }
    if input.max_creators == 0 || input.min_creators > input.max_creators {
        return Err(invalid(
            "creator count: the maximum must be at least 1 and not below the minimum",
        ));
    }
    let fees = fee_model(st, org).await?;
    if fees.currency != cur {
        return Err(invalid(format!(
            "currency: the organization's fee model is in {}; plan in {} or edit the fee model",
            fees.currency, fees.currency
        )));
    }
    let goal = match input.goal.as_deref().map(str::trim) {
        None | Some("") | Some("unique_reach") | Some("reach") => Goal::UniqueReach,
        Some("orders") => Goal::Orders,
        Some(g) => {
            return Err(invalid(format!(
                "goal: {g:?} is not unique_reach or orders"
            )))
        }
    };
    let mut ids: Vec<AccountId> = input.account_ids.iter().map(|i| AccountId(*i)).collect();
    ids.extend(input.pinned.iter().map(|i| AccountId(*i)));
    ids.extend_from_slice(extra);
    if let Some(l) = input.list_id {
        ids.extend(list_accounts(st, org, l).await?);
    }
    let niche = input
        .niche
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if input.list_id.is_none() && niche.is_none() && input.account_ids.is_empty() {
        return Err(invalid("candidates: choose a list or a niche"));
    }
    let mut records = st.store.account_records_by_ids(&ids).await?;
    if let Some(n) = niche {
        let seen: HashSet<i64> = records.iter().map(|(a, _, _)| a.0).collect();
        records.extend(
            st.store
                .account_records_in_niche(n, chorus_store::portfolio::MAX_CANDIDATES)
                .await?
                .into_iter()
                .filter(|(a, _, _)| !seen.contains(&a.0)),
        );
    }
    let reports: HashMap<i64, (f64, bool)> = st
        .store
        .latest_reports(org, 1_000_000, 0)
        .await?
        .into_iter()
        .map(|r| (r.account_id.0, (r.score, r.floor_severity)))
        .collect();
    let cards: HashMap<i64, Money> = st
        .store
        .rate_cards(org)
        .await?
        .into_iter()
        .filter(|r| r.currency == cur.code())
        .map(|r| {
            (
                r.account_id.0,
                Money {
                    minor: r.amount_minor,
                    currency: cur,
                },
            )
        })
        .collect();
    let candidates: Vec<Candidate> = records
        .iter()
        .map(|(id, _, r)| {
            let q = reports.get(&id.0);
            Candidate::from_record(
                CreatorId(id.0),
                r,
                q.map(|(s, _)| s.round().clamp(0.0, 100.0) as u8),
                q.is_some_and(|(_, f)| *f),
                cards.get(&id.0).copied(),
            )
        })
        .collect();
    let mut mix = Vec::new();
    for m in &input.platform_mix {
        let platform: Platform = m
            .platform
            .trim()
            .parse()
            .map_err(|e| invalid(format!("platform mix: {e}")))?;
        if m.min > m.max {
            return Err(invalid(format!(
                "platform mix: {platform}: the minimum is above the maximum"
            )));
        }
        mix.push(PlatformMix {
            platform,
            min: m.min,
            max: m.max,
        });
    }
    let target = TargetAudience {
        countries: clean(&input.target.countries, true),
        ages: clean(&input.target.ages, false),
        genders: clean(&input.target.genders, false),
        languages: clean(&input.target.languages, false),
    };
    let mut req = PlanRequest::new(budget, goal);
    req.min_creators = input.min_creators;
    req.max_creators = input.max_creators;
    if let Some(p) = input.max_share_pct {
        if !(p > 0.0 && p <= 100.0) {
            return Err(invalid(
                "max share per creator: a percent above 0 and at most 100",
            ));
        }
        req.max_creator_share_bp = (p * 100.0).round() as u32;
    }
    req.min_quality = input.min_quality;
    req.exclude_floor_safety = input.exclude_floor_safety;
    req.max_niche_share_pct = input.max_niche_share_pct.unwrap_or(100).clamp(1, 100);
    req.platform_mix = mix;
    req.target_fit_weight = input
        .target
        .weight
        .unwrap_or(if target.is_any() { 0.0 } else { 1.0 })
        .clamp(0.0, 1.0);
    req.target = target;
    req.pinned = input.pinned.iter().map(|i| CreatorId(*i)).collect();
    req.excluded = input.excluded.iter().map(|i| CreatorId(*i)).collect();
    req.fee_model = fees;
    let (priors, past_results) = org_priors(st, org).await?;
    Ok(Prepared {
        req,
        candidates,
        priors,
        past_results,
    })
}

fn clean(v: &[String], upper: bool) -> Vec<String> {
    v.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            if upper {
                s.to_uppercase()
            } else {
                s.to_lowercase()
            }
        })
        .collect()
}

pub async fn make_plan(st: &AppState, c: &Caller, input: &PlanInput) -> Result<Planned, ApiError> {
    let p = prepare(st, c.org(), input, &[]).await?;
    let plan = plan(&p.req, &p.candidates, &p.priors);
    Ok(Planned {
        candidates: p.candidates.len(),
        past_results: p.past_results,
        fee_model_currency: p.req.fee_model.currency,
        plan,
    })
}

// ---------------------------------------------------------------- plan → campaign

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AddedMember {
    pub member_id: i64,
    pub account_id: i64,
    pub handle: String,
    /// Base fee, decimal in the campaign currency.
    pub base_fee: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Applied {
    pub added: Vec<AddedMember>,
    /// Account ids already in the campaign (left alone).
    pub already: Vec<i64>,
    pub warnings: Vec<String>,
}

/// Plan, then add the chosen creators to the campaign as shortlisted members
/// with the campaign's default terms and the planned fee as base fee. The
/// stage log records each addition.
pub async fn apply_plan(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    input: &PlanInput,
) -> Result<Applied, ApiError> {
    c.require(Role::can_manage)?;
    let cur = Currency::parse(&camp.currency).map_err(|e| invalid(format!("campaign: {e}")))?;
    if Currency::parse(input.currency.trim()).ok() != Some(cur) {
        return Err(invalid(format!(
            "currency: the campaign is in {cur}; plan in the same currency"
        )));
    }
    let planned = make_plan(st, c, input).await?;
    let defaults = DealTerms::parse(&camp.default_terms)
        .ok()
        .filter(|t| t.currency == cur)
        .unwrap_or_else(|| DealTerms::default_for(cur));
    let mut out = Applied {
        warnings: planned.plan.warnings.clone(),
        ..Applied::default()
    };
    for ch in &planned.plan.chosen {
        let mut t = defaults.clone();
        t.base_fee = Some(ch.fee.to_decimal());
        t.validate().map_err(ApiError::Invalid)?;
        let ids = st
            .store
            .add_members(
                c.org(),
                camp.id,
                &[AccountId(ch.id.0)],
                &t.to_json(),
                Actor::User(c.user.id),
            )
            .await?;
        match ids.first() {
            Some(mid) => out.added.push(AddedMember {
                member_id: *mid,
                account_id: ch.id.0,
                handle: ch.handle.clone(),
                base_fee: ch.fee.to_decimal().to_string(),
            }),
            None => out.already.push(ch.id.0),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- compare

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CompareInput {
    /// The plan request: its candidates, budget and models.
    #[serde(flatten)]
    pub plan: PlanInput,
    /// The manager's own list to compare (a list of the organization).
    #[serde(default)]
    pub compare_list_id: Option<i64>,
    /// Or the manager's own accounts.
    #[serde(default)]
    pub compare_account_ids: Vec<i64>,
    /// Size of the micro-creator alternative (default 40).
    #[serde(default)]
    pub micro_count: Option<usize>,
}

/// Side by side for the same budget: the optimized plan, one mega-creator,
/// N micro-creators and the manager's list.
pub async fn compare_plans(
    st: &AppState,
    c: &Caller,
    input: &CompareInput,
) -> Result<Vec<PlanTotals>, ApiError> {
    let mut manual: Vec<AccountId> = input
        .compare_account_ids
        .iter()
        .map(|i| AccountId(*i))
        .collect();
    if let Some(l) = input.compare_list_id {
        manual.extend(list_accounts(st, c.org(), l).await?);
    }
    let p = prepare(st, c.org(), &input.plan, &manual).await?;
    let n = input.micro_count.unwrap_or(40).clamp(1, 1000);
    let best = plan(&p.req, &p.candidates, &p.priors);
    let [mega, micro] = mega_and_micro_lists(&p.req, &p.candidates, &p.priors, n);
    let mut lists: Vec<(&str, Vec<CreatorId>)> = vec![
        ("optimized plan", best.chosen.iter().map(|c| c.id).collect()),
        (mega.0.as_str(), mega.1.clone()),
        (micro.0.as_str(), micro.1.clone()),
    ];
    if !manual.is_empty() {
        lists.push(("your list", manual.iter().map(|a| CreatorId(a.0)).collect()));
    }
    Ok(compare(&lists, &p.candidates, &p.priors, &p.req))
}

// ---------------------------------------------------------------- calendar

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// `within` (default) or `staggered`.
    pub pattern: Option<String>,
    /// `within`: length of the moment in hours (default 72).
    pub hours: Option<u32>,
    /// `within`: start of the moment, RFC 3339 or `YYYY-MM-DD` (default: campaign start).
    pub anchor: Option<String>,
    /// `staggered`: hours between waves (default 24).
    pub every_hours: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarSlot {
    pub deliverable: String,
    pub member_id: i64,
    pub account_id: i64,
    pub handle: String,
    pub platform: Platform,
    pub publish_at: DateTime<Utc>,
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Calendar {
    pub window: (DateTime<Utc>, DateTime<Utc>),
    pub pattern: Pattern,
    pub slots: Vec<CalendarSlot>,
    pub conflicts: usize,
    /// Exclusivity promises of these creators in the organization's other campaigns.
    pub exclusivity: Vec<Exclusivity>,
}

fn active(m: &Member) -> bool {
    !matches!(
        Stage::parse(&m.stage),
        Some(Stage::Rejected | Stage::Declined) | None
    )
}

pub fn parse_time(s: &str) -> Result<DateTime<Utc>, ApiError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        return Ok(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| invalid(format!("anchor: {s:?} is not a date or RFC 3339 time")))
}

pub async fn calendar(
    st: &AppState,
    c: &Caller,
    camp: &Campaign,
    q: &CalendarQuery,
) -> Result<Calendar, ApiError> {
    let (Some(s), Some(e)) = (camp.starts_at, camp.ends_at) else {
        return Err(invalid(
            "the campaign needs a start and an end date for a calendar",
        ));
    };
    let window = (from_us(s), from_us(e));
    let pattern = match q.pattern.as_deref().unwrap_or("within") {
        "within" | "" => Pattern::Within {
            hours: q.hours.unwrap_or(72),
            anchor: match q.anchor.as_deref().filter(|a| !a.trim().is_empty()) {
                Some(a) => parse_time(a)?,
                None => window.0,
            },
        },
        "staggered" => Pattern::Staggered {
            every_hours: q.every_hours.unwrap_or(24),
        },
        p => {
            return Err(invalid(format!(
                "pattern: {p:?} is not within or staggered"
            )))
        }
    };
    let members: Vec<Member> = st
        .store
        .members(c.org(), camp.id)
        .await?
        .into_iter()
        .filter(active)
        .collect();
    let by_member: HashMap<i64, &Member> = members.iter().map(|m| (m.id, m)).collect();
    let mut ds = Vec::new();
    let mut with_stored = HashSet::new();
    for d in st.store.deliverables(c.org(), camp.id).await? {
        let Some(m) = by_member.get(&d.member_id) else {
            continue;
        };
        with_stored.insert(m.id);
        ds.push((
            m.id,
            Deliverable {
                id: format!("d{}", d.id),
                creator: CreatorId(m.account_id.0),
                platform: d.platform.parse().unwrap_or(Platform::Instagram),
                due: d.due_at.map(from_us),
            },
        ));
    }
    // Members without stored deliverables yet owe what the brief asks.
    let brief = CampaignBrief::parse(&crate::campaigns::current_brief(st, camp).await?).ok();
    for m in members.iter().filter(|m| !with_stored.contains(&m.id)) {
        let mut k = 0;
        for spec in brief.iter().flat_map(|b| b.deliverables.iter()) {
            for _ in 0..spec.count.max(1) {
                k += 1;
                ds.push((
                    m.id,
                    Deliverable {
                        id: format!("m{}-{k:02}", m.id),
                        creator: CreatorId(m.account_id.0),
                        platform: spec
                            .platform
                            .parse()
                            .unwrap_or_else(|_| m.platform.parse().unwrap_or(Platform::Instagram)),
                        due: spec
                            .due
                            .and_then(|d| d.and_hms_opt(23, 59, 59))
                            .map(|t| t.and_utc()),
                    },
                ));
            }
        }
        if k == 0 {
            ds.push((
                m.id,
                Deliverable {
                    id: format!("m{}-01", m.id),
                    creator: CreatorId(m.account_id.0),
                    platform: m.platform.parse().unwrap_or(Platform::Instagram),
                    due: None,
                },
            ));
        }
    }
    let exclusivity = exclusivity_for(st, c.org(), camp, &members).await?;
    let deliverables: Vec<Deliverable> = ds.iter().map(|(_, d)| d.clone()).collect();
    let member_of: HashMap<String, i64> = ds.iter().map(|(m, d)| (d.id.clone(), *m)).collect();
    let slots: Vec<Slot> =
        chorus_portfolio::wave_calendar(&deliverables, window, pattern, &exclusivity)
            .map_err(|e| invalid(e.to_string()))?;
    let slots: Vec<CalendarSlot> = slots
        .into_iter()
        .map(|s| {
            let mid = member_of.get(&s.deliverable).copied().unwrap_or_default();
            CalendarSlot {
                handle: by_member
                    .get(&mid)
                    .map(|m| m.handle.clone())
                    .unwrap_or_default(),
                member_id: mid,
                account_id: s.creator.0,
                deliverable: s.deliverable,
                platform: s.platform,
                publish_at: s.publish_at,
                conflicts: s.conflicts,
            }
        })
        .collect();
    Ok(Calendar {
        window,
        pattern,
        conflicts: slots.iter().filter(|s| !s.conflicts.is_empty()).count(),
        slots,
        exclusivity,
    })
}

/// Exclusivity a creator promised in another campaign of the organization
/// (signed terms with `exclusivity_days` and competitors) that names this
/// campaign's brand or product: from that campaign's start to its end plus
/// the exclusivity days.
async fn exclusivity_for(
    st: &AppState,
    org: OrgId,
    camp: &Campaign,
    members: &[Member],
) -> Result<Vec<Exclusivity>, ApiError> {
    let ours: HashSet<i64> = members.iter().map(|m| m.account_id.0).collect();
    let here = format!("{} {}", camp.name, camp.product).to_lowercase();
    let mut out = Vec::new();
    for other in st.store.list_campaigns(org).await? {
        if other.id == camp.id {
            continue;
        }
        for m in st.store.members(org, other.id).await? {
            if !ours.contains(&m.account_id.0)
                || !Stage::parse(&m.stage).is_some_and(Stage::is_committed)
            {
                continue;
            }
            let Ok(t) = DealTerms::parse(&m.terms) else {
                continue;
            };
            if t.exclusivity_days == 0 {
                continue;
            }
            let from = from_us(other.starts_at.unwrap_or(m.stage_changed_at));
            let end = other.ends_at.map(from_us).unwrap_or(from);
            let to = end + chrono::Duration::days(t.exclusivity_days.into());
            for comp in &t.competitors {
                let name = comp.trim().to_lowercase();
                if !name.is_empty() && here.contains(&name) {
                    out.push(Exclusivity {
                        creator: CreatorId(m.account_id.0),
                        competitor: comp.trim().to_string(),
                        from,
                        to,
                    });
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- dashboard

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Totals {
    pub views: Option<f64>,
    pub clicks: f64,
    pub orders: f64,
    /// Minor units of the campaign currency.
    pub net_revenue_minor: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatorRow {
    pub member_id: i64,
    pub account_id: i64,
    pub handle: String,
    pub platform: String,
    pub stage: String,
    /// Base fee, minor units of the campaign currency.
    pub fee_minor: i64,
    pub planned: Totals,
    pub delivered: Totals,
    /// (net revenue − base fee) / base fee; none without a fee.
    pub roi: Option<f64>,
    /// `high` or `low` when the ROI lies more than 3 MADs from the median.
    pub outlier: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub campaign_id: i64,
    pub currency: Currency,
    pub budget_minor: i64,
    pub committed_minor: i64,
    pub planned_base_minor: i64,
    pub worst_case_variable_minor: Option<i64>,
    pub over_budget: bool,
    /// (stage, label, members).
    pub stages: Vec<(&'static str, &'static str, usize)>,
    pub planned: Totals,
    pub delivered: Totals,
    pub creators: Vec<CreatorRow>,
    /// Orders in another currency than the campaign's (not added up).
    pub other_currency_orders: usize,
}

pub async fn dashboard(st: &AppState, c: &Caller, camp: &Campaign) -> Result<Dashboard, ApiError> {
    let org = c.org();
    let cur = Currency::parse(&camp.currency).unwrap_or(Currency::USD);
    let budget = crate::campaigns::budget(st, c, camp).await?;
    let members = st.store.members(org, camp.id).await?;
    let mut stages: Vec<(&'static str, &'static str, usize)> = Stage::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(), 0))
        .collect();
    for m in &members {
        if let Some(row) = stages.iter_mut().find(|(s, _, _)| *s == m.stage) {
            row.2 += 1;
        }
    }
    let (priors, _) = org_priors(st, org).await?;
    let ids: Vec<AccountId> = members.iter().map(|m| m.account_id).collect();
    let cands: HashMap<i64, Candidate> = st
        .store
        .account_records_by_ids(&ids)
        .await?
        .into_iter()
        .map(|(id, _, r)| {
            (
                id.0,
                Candidate::from_record(CreatorId(id.0), &r, None, false, None),
            )
        })
        .collect();
    let brief = CampaignBrief::parse(&crate::campaigns::current_brief(st, camp).await?).ok();
    let per_creator = brief
        .map(|b| {
            b.deliverables
                .iter()
                .map(|d| d.count.max(1) as f64)
                .sum::<f64>()
        })
        .filter(|n| *n > 0.0)
        .unwrap_or(1.0);
    let figures = delivered(st, org).await?;
    let mut other_currency_orders = 0;
    let mut rows = Vec::new();
    let mut planned = Totals {
        views: Some(0.0),
        ..Totals::default()
    };
    let mut got = Totals {
        net_revenue_minor: Some(0),
        ..Totals::default()
    };
    // Average net order value across the organization, to price planned orders.
    let (mut all_orders, mut all_net) = (0.0, 0i64);
    for f in figures.values().filter(|f| f.currency == Some(cur)) {
        all_orders += f.orders;
        all_net += f.net_revenue_minor;
    }
    let aov = (all_orders > 0.0).then(|| all_net as f64 / all_orders);
    for m in members.iter().filter(|m| active(m)) {
        let fee = DealTerms::parse(&m.terms)
            .ok()
            .filter(|t| t.currency == cur)
            .map_or(0, |t| t.base_fee_minor());
        let p = cands.get(&m.account_id.0).map(|cand| {
            let o = expected_outcome(cand, &priors);
            Totals {
                views: Some(o.views.expected * per_creator),
                clicks: o.clicks.expected * per_creator,
                orders: o.orders.expected * per_creator,
                net_revenue_minor: aov
                    .map(|a| (a * o.orders.expected * per_creator).round() as i64),
            }
        });
        let p = p.unwrap_or_default();
        let f = figures
            .get(&(camp.id.0, m.account_id.0))
            .copied()
            .unwrap_or_default();
        let (net, orders) = if f.currency.is_none() || f.currency == Some(cur) {
            (f.net_revenue_minor, f.orders)
        } else {
            other_currency_orders += f.orders.ceil() as usize;
            (0, 0.0)
        };
        other_currency_orders += f.other_currency_orders;
        let d = Totals {
            views: None,
            clicks: f.clicks as f64,
            orders,
            net_revenue_minor: Some(net),
        };
        planned.views = Some(planned.views.unwrap_or(0.0) + p.views.unwrap_or(0.0));
        planned.clicks += p.clicks;
        planned.orders += p.orders;
        planned.net_revenue_minor = match (planned.net_revenue_minor, p.net_revenue_minor) {
            (Some(a), Some(b)) => Some(a + b),
            (None, Some(b)) => Some(b),
            (a, None) => a,
        };
        got.clicks += d.clicks;
        got.orders += d.orders;
        got.net_revenue_minor = Some(got.net_revenue_minor.unwrap_or(0) + net);
        rows.push(CreatorRow {
            member_id: m.id,
            account_id: m.account_id.0,
            handle: m.handle.clone(),
            platform: m.platform.clone(),
            stage: m.stage.clone(),
            fee_minor: fee,
            planned: p,
            delivered: d,
            roi: (fee > 0).then(|| (net - fee) as f64 / fee as f64),
            outlier: None,
        });
    }
    mark_outliers(&mut rows);
    Ok(Dashboard {
        campaign_id: camp.id.0,
        currency: cur,
        budget_minor: budget.budget,
        committed_minor: budget.committed_base,
        planned_base_minor: budget.planned_base,
        worst_case_variable_minor: budget.worst_case_variable,
        over_budget: budget.over_budget(),
        stages,
        planned,
        delivered: got,
        creators: rows,
        other_currency_orders,
    })
}

/// Median and median absolute deviation; an ROI more than 3 MADs away is an
/// outlier (needs at least 4 creators with an ROI and a non-zero MAD).
pub fn mark_outliers(rows: &mut [CreatorRow]) {
    let mut rois: Vec<f64> = rows.iter().filter_map(|r| r.roi).collect();
    if rois.len() < 4 {
        return;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let med = median(&mut rois);
    let mut dev: Vec<f64> = rois.iter().map(|r| (r - med).abs()).collect();
    let mad = median(&mut dev);
    if mad <= 0.0 {
        return;
    }
    for r in rows.iter_mut() {
        if let Some(x) = r.roi {
            if x - med > 3.0 * mad {
                r.outlier = Some("high");
            } else if med - x > 3.0 * mad {
                r.outlier = Some("low");
            }
        }
    }
}
