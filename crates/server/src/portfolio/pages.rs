//! The planner, comparison, fee model, wave calendar and dashboard pages.
//! The planner form is a GET form, so a plan is a bookmarkable URL; pins and
//! excludes round-trip in its fields. "Add to campaign" posts the same
//! request (with the CSRF token), re-plans and adds the chosen creators.

use super::charts;
use super::service::{self, CalendarQuery, CompareInput, MixInput, PlanInput, TargetInput};
use crate::auth::Caller;
use crate::campaigns;
use crate::error::ApiError;
use crate::web::{self, Layout, WebCaller};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chorus_core::{Currency, Platform};
use chorus_portfolio::{FeeModel, FeeRule, Plan, PlanTotals, Tier};
use chorus_store::campaigns::Campaign;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portfolio", get(planner))
        .route("/portfolio/apply", axum::routing::post(apply))
        .route("/portfolio/compare", get(compare_page))
        .route("/portfolio/fees", get(fees_page).post(save_fees))
        .route("/campaigns/{id}/dashboard", get(dashboard_page))
        .route("/campaigns/{id}/calendar", get(calendar_page))
}

type PageResult = Result<Response, Response>;

fn fail(e: impl Into<ApiError>) -> Response {
    web::fail(e)
}

async fn layout(st: &AppState, c: &Caller, active: &'static str) -> Result<Layout, Response> {
    web::layout(st, c, active).await.map_err(fail)
}

fn money(minor: i64, cur: Currency) -> String {
    format!("{} {}", cur.major(minor), cur)
}

fn num(x: f64) -> String {
    web::thousands(x.round() as i64)
}

/// The planner form as typed: every field text, lists comma-separated.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    list_id: String,
    #[serde(default)]
    niche: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    min_creators: String,
    #[serde(default)]
    max_creators: String,
    #[serde(default)]
    max_share_pct: String,
    #[serde(default)]
    min_quality: String,
    /// `on` leaves out floor-level brand-safety findings; the hidden
    /// `safety_seen` field tells an unticked box from a first visit.
    #[serde(default)]
    exclude_floor: String,
    #[serde(default)]
    safety_seen: String,
    #[serde(default)]
    max_niche_share_pct: String,
    /// `instagram:2-10, tiktok:0-5`
    #[serde(default)]
    platform_mix: String,
    #[serde(default)]
    countries: String,
    #[serde(default)]
    genders: String,
    #[serde(default)]
    ages: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    pinned: String,
    #[serde(default)]
    excluded: String,
    /// One-click actions from the result tables.
    #[serde(default)]
    pin: String,
    #[serde(default)]
    exclude: String,
    #[serde(default)]
    unpin: String,
    #[serde(default)]
    include: String,
    #[serde(default)]
    compare_list_id: String,
    #[serde(default)]
    micro_count: String,
}

fn split(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn ids(s: &str) -> Result<Vec<i64>, ApiError> {
    split(s)
        .iter()
        .map(|x| {
            x.parse::<i64>()
                .map_err(|_| ApiError::Invalid(format!("{x:?} is not an account id")))
        })
        .collect()
}

fn opt<T: FromStr>(s: &str, what: &str) -> Result<Option<T>, ApiError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| ApiError::Invalid(format!("{what}: {s:?} is not a number")))
}

fn join(v: &[i64]) -> String {
    v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

impl PlanForm {
    /// Apply the one-click pin/exclude actions to the id fields.
    fn normalize(&mut self) -> Result<(), ApiError> {
        let mut pinned = ids(&self.pinned)?;
        let mut excluded = ids(&self.excluded)?;
        for p in ids(&self.pin)? {
            excluded.retain(|x| *x != p);
            if !pinned.contains(&p) {
                pinned.push(p);
            }
        }
        for x in ids(&self.exclude)? {
            pinned.retain(|p| *p != x);
            if !excluded.contains(&x) {
                excluded.push(x);
            }
        }
        for u in ids(&self.unpin)? {
            pinned.retain(|p| *p != u);
        }
        for i in ids(&self.include)? {
            excluded.retain(|x| *x != i);
        }
        self.pinned = join(&pinned);
        self.excluded = join(&excluded);
        self.pin.clear();
        self.exclude.clear();
        self.unpin.clear();
        self.include.clear();
        Ok(())
    }

    fn input(&self) -> Result<PlanInput, ApiError> {
        let mut mix = Vec::new();
        for part in self
            .platform_mix
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (p, range) = part.split_once(':').ok_or_else(|| {
                ApiError::Invalid(format!(
                    "platform mix: {part:?}; write platform:min-max, e.g. instagram:2-10"
                ))
            })?;
            let (lo, hi) = range.split_once('-').unwrap_or((range, range));
            let n = |s: &str| {
                s.trim().parse::<usize>().map_err(|_| {
                    ApiError::Invalid(format!("platform mix: {part:?}: counts are numbers"))
                })
            };
            mix.push(MixInput {
                platform: p.trim().to_string(),
                min: n(lo)?,
                max: n(hi)?,
            });
        }
        Ok(PlanInput {
            list_id: opt(&self.list_id, "list")?,
            niche: Some(self.niche.trim().to_string()).filter(|n| !n.is_empty()),
            account_ids: vec![],
            budget: self.budget.trim().to_string(),
            currency: self.currency.trim().to_uppercase(),
            min_creators: opt(&self.min_creators, "minimum creators")?.unwrap_or(0),
            max_creators: opt(&self.max_creators, "maximum creators")?.unwrap_or(40),
            max_share_pct: opt(&self.max_share_pct, "max share per creator")?,
            min_quality: opt(&self.min_quality, "minimum quality")?,
            exclude_floor_safety: self.safety_seen.is_empty() || self.exclude_floor == "on",
            max_niche_share_pct: opt(&self.max_niche_share_pct, "niche share")?,
            platform_mix: mix,
            target: TargetInput {
                countries: split(&self.countries),
                ages: split(&self.ages),
                genders: split(&self.genders),
                languages: vec![],
                weight: None,
            },
            goal: Some(self.goal.clone()).filter(|g| !g.is_empty()),
            pinned: ids(&self.pinned)?,
            excluded: ids(&self.excluded)?,
        })
    }

    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("list_id", &self.list_id),
            ("niche", &self.niche),
            ("budget", &self.budget),
            ("currency", &self.currency),
            ("min_creators", &self.min_creators),
            ("max_creators", &self.max_creators),
            ("max_share_pct", &self.max_share_pct),
            ("min_quality", &self.min_quality),
            ("exclude_floor", &self.exclude_floor),
            ("safety_seen", &"1".to_string()),
            ("max_niche_share_pct", &self.max_niche_share_pct),
            ("platform_mix", &self.platform_mix),
            ("countries", &self.countries),
            ("genders", &self.genders),
            ("ages", &self.ages),
            ("goal", &self.goal),
            ("pinned", &self.pinned),
            ("excluded", &self.excluded),
            ("compare_list_id", &self.compare_list_id),
            ("micro_count", &self.micro_count),
        ])
        .unwrap_or_default()
    }
}

struct Row {
    id: i64,
    handle: String,
    platform: String,
    fee: String,
    views: String,
    clicks: String,
    orders: String,
    reason: String,
    pinned: bool,
    excluded: bool,
}

#[derive(Template)]
#[template(path = "portfolio_plan.html")]
struct PlannerPage {
    l: Layout,
    f: PlanForm,
    exclude_floor: bool,
    lists: Vec<(i64, String)>,
    campaigns: Vec<(i64, String)>,
    error: Option<String>,
    plan: Option<Plan>,
    rows: Vec<Row>,
    left: Vec<Row>,
    totals: Vec<(&'static str, String)>,
    candidates: usize,
    past_results: usize,
    plan_json: String,
    can_manage: bool,
    query: String,
}

fn fmt_est(e: &chorus_portfolio::Estimate) -> String {
    format!("{} ({}–{})", num(e.expected), num(e.low), num(e.high))
}

async fn planner(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Query(mut f): Query<PlanForm>,
) -> PageResult {
    let l = layout(&st, &c, "/portfolio").await?;
    let lists = st
        .store
        .lists(c.org())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|x| (x.id.0, x.name))
        .collect();
    let campaigns = st
        .store
        .list_campaigns(c.org())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|k| (k.id.0, format!("{} ({})", k.name, k.currency)))
        .collect();
    let mut page = PlannerPage {
        l,
        exclude_floor: f.safety_seen.is_empty() || f.exclude_floor == "on",
        f: PlanForm::default(),
        lists,
        campaigns,
        error: None,
        plan: None,
        rows: vec![],
        left: vec![],
        totals: vec![],
        candidates: 0,
        past_results: 0,
        plan_json: String::new(),
        can_manage: c.user.role.can_manage(),
        query: String::new(),
    };
    if f.currency.trim().is_empty() {
        f.currency = service::fee_model(&st, c.org())
            .await
            .map_err(fail)?
            .currency
            .to_string();
    }
    if f.budget.trim().is_empty() {
        page.f = f;
        return Ok(web::render(page));
    }
    let result = async {
        f.normalize()?;
        let input = f.input()?;
        let planned = service::make_plan(&st, &c, &input).await?;
        Ok::<_, ApiError>((input, planned))
    }
    .await;
    match result {
        Err(e) => page.error = Some(e.to_string()),
        Ok((input, planned)) => {
            let p = planned.plan;
            page.rows = p
                .chosen
                .iter()
                .map(|ch| Row {
                    id: ch.id.0,
                    handle: ch.handle.clone(),
                    platform: ch.platform.to_string(),
                    fee: money(ch.fee.minor, ch.fee.currency),
                    views: fmt_est(&ch.outcome.views),
                    clicks: fmt_est(&ch.outcome.clicks),
                    orders: fmt_est(&ch.outcome.orders),
                    reason: ch.reason.clone(),
                    pinned: input.pinned.contains(&ch.id.0),
                    excluded: false,
                })
                .collect();
            page.left = p
                .left_out
                .iter()
                .map(|x| Row {
                    id: x.id.0,
                    handle: x.handle.clone(),
                    platform: String::new(),
                    fee: x.fee.map_or("—".into(), |m| money(m.minor, m.currency)),
                    views: String::new(),
                    clicks: String::new(),
                    orders: String::new(),
                    reason: x.reason.clone(),
                    pinned: false,
                    excluded: input.excluded.contains(&x.id.0),
                })
                .collect();
            let t = &p.totals;
            page.totals = totals_rows(t);
            page.candidates = planned.candidates;
            page.past_results = planned.past_results;
            page.plan_json = serde_json::to_string(&input).unwrap_or_default();
            page.plan = Some(p);
        }
    }
    page.query = f.query();
    page.f = f;
    Ok(web::render(page))
}

fn totals_rows(t: &PlanTotals) -> Vec<(&'static str, String)> {
    vec![
        ("Creators", t.creators.to_string()),
        ("Cost", money(t.cost.minor, t.cost.currency)),
        (
            "Within budget",
            if t.within_budget { "yes" } else { "no" }.into(),
        ),
        ("Unique reach", num(t.unique_reach)),
        ("Views (not deduplicated)", num(t.views)),
        ("Engagements", num(t.engagements)),
        ("Clicks", num(t.clicks)),
        ("Orders", format!("{:.1}", t.orders)),
        (
            "Cost per order",
            t.cost_per_order
                .map_or("—".into(), |m| money(m.minor, m.currency)),
        ),
    ]
}

#[derive(Deserialize)]
struct ApplyForm {
    plan: String,
    campaign_id: i64,
}

async fn apply(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(f): Form<ApplyForm>,
) -> PageResult {
    let input: PlanInput =
        serde_json::from_str(&f.plan).map_err(|e| fail(ApiError::Invalid(format!("plan: {e}"))))?;
    let k = campaigns::campaign(&st, &c, f.campaign_id)
        .await
        .map_err(fail)?;
    let r = service::apply_plan(&st, &c, &k, &input)
        .await
        .map_err(fail)?;
    let msg = format!(
        "Added {} creators from the plan{}",
        r.added.len(),
        if r.already.is_empty() {
            String::new()
        } else {
            format!("; {} were already in the campaign", r.already.len())
        }
    );
    let q = serde_urlencoded::to_string([("msg", msg)]).unwrap_or_default();
    Ok(Redirect::to(&format!("/campaigns/{}?{q}", k.id.0)).into_response())
}

#[derive(Template)]
#[template(path = "portfolio_compare.html")]
struct ComparePage {
    l: Layout,
    error: Option<String>,
    names: Vec<String>,
    rows: Vec<(&'static str, Vec<String>)>,
    back: String,
}

async fn compare_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Query(mut f): Query<PlanForm>,
) -> PageResult {
    let l = layout(&st, &c, "/portfolio").await?;
    let result = async {
        f.normalize()?;
        let input = CompareInput {
            plan: f.input()?,
            compare_list_id: opt(&f.compare_list_id, "your list")?,
            compare_account_ids: vec![],
            micro_count: opt(&f.micro_count, "micro-creators")?,
        };
        service::compare_plans(&st, &c, &input).await
    }
    .await;
    let mut page = ComparePage {
        l,
        error: None,
        names: vec![],
        rows: vec![],
        back: format!("/portfolio?{}", f.query()),
    };
    match result {
        Err(e) => page.error = Some(e.to_string()),
        Ok(items) => {
            page.names = items.iter().map(|t| t.name.clone()).collect();
            let cols: Vec<Vec<(&'static str, String)>> = items.iter().map(totals_rows).collect();
            if let Some(first) = cols.first() {
                for (i, (label, _)) in first.iter().enumerate() {
                    page.rows
                        .push((*label, cols.iter().map(|c| c[i].1.clone()).collect()));
                }
            }
        }
    }
    Ok(web::render(page))
}

// ---------------------------------------------------------------- fee model

struct FeeRow {
    platform: &'static str,
    tier: &'static str,
    per_1k: String,
    floor: String,
}

#[derive(Template)]
#[template(path = "portfolio_fees.html")]
struct FeesPage {
    l: Layout,
    currency: String,
    rows: Vec<FeeRow>,
    msg: Option<String>,
    can_manage: bool,
}

#[derive(Deserialize)]
struct Msg {
    msg: Option<String>,
}

async fn fees_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Query(m): Query<Msg>,
) -> PageResult {
    let l = layout(&st, &c, "/portfolio").await?;
    let model = service::fee_model(&st, c.org()).await.map_err(fail)?;
    let places = model.currency.minor_units();
    let mut rows = Vec::new();
    for p in Platform::ALL {
        for t in Tier::ALL {
            let r = model.rules.iter().find(|r| r.platform == p && r.tier == t);
            rows.push(FeeRow {
                platform: p.as_str(),
                tier: t.as_str(),
                per_1k: r.map_or(String::new(), |r| {
                    Decimal::new(r.per_1k_minor, places).to_string()
                }),
                floor: r.map_or(String::new(), |r| {
                    Decimal::new(r.floor_minor, places).to_string()
                }),
            });
        }
    }
    Ok(web::render(FeesPage {
        l,
        currency: model.currency.to_string(),
        rows,
        msg: m.msg,
        can_manage: c.user.role.can_manage(),
    }))
}

async fn save_fees(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let cur = Currency::parse(&get("currency"))
        .map_err(|e| fail(ApiError::Invalid(format!("currency: {e}"))))?;
    let amount = |s: String, what: &str| -> Result<i64, ApiError> {
        let s = if s.is_empty() { "0".to_string() } else { s };
        chorus_core::Money::parse(&s, cur)
            .map(|m| m.minor)
            .map_err(|e| ApiError::Invalid(format!("{what}: {e}")))
    };
    let mut rules = Vec::new();
    for p in Platform::ALL {
        for t in Tier::ALL {
            let per = get(&format!("per1k_{}_{}", p.as_str(), t.as_str()));
            let floor = get(&format!("floor_{}_{}", p.as_str(), t.as_str()));
            if per.is_empty() && floor.is_empty() {
                continue;
            }
            let what = format!("{} {}", p.as_str(), t.as_str());
            rules.push(FeeRule {
                platform: p,
                tier: t,
                per_1k_minor: amount(per, &what).map_err(fail)?,
                floor_minor: amount(floor, &what).map_err(fail)?,
            });
        }
    }
    service::set_fee_model(
        &st,
        &c,
        &FeeModel {
            currency: cur,
            rules,
        },
    )
    .await
    .map_err(fail)?;
    Ok(Redirect::to("/portfolio/fees?msg=Fee+model+saved").into_response())
}

// ---------------------------------------------------------------- campaign pages

#[derive(Template)]
#[template(path = "portfolio_dashboard.html")]
struct DashboardPage {
    l: Layout,
    k: Campaign,
    d: service::Dashboard,
    budget: String,
    committed: String,
    remaining: String,
    used_pct: u32,
    stage_chart: String,
    delivery_chart: String,
    roi_chart: String,
    rows: Vec<(service::CreatorRow, String, String, String)>,
}

async fn dashboard_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let k = campaigns::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c, "/campaigns").await?;
    let d = service::dashboard(&st, &c, &k).await.map_err(fail)?;
    let cur = d.currency;
    let stage_items: Vec<(String, f64, String)> = d
        .stages
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(_, label, n)| (label.to_string(), *n as f64, n.to_string()))
        .collect();
    let major = |m: i64| m as f64 / 10f64.powi(cur.minor_units() as i32);
    let mut pairs = vec![
        ("Clicks".to_string(), d.planned.clicks, d.delivered.clicks),
        ("Orders".to_string(), d.planned.orders, d.delivered.orders),
    ];
    if let Some(p) = d.planned.net_revenue_minor {
        pairs.push((
            format!("Net revenue ({cur})"),
            major(p),
            major(d.delivered.net_revenue_minor.unwrap_or(0)),
        ));
    }
    let roi: Vec<(String, f64, String)> = d
        .creators
        .iter()
        .filter_map(|r| {
            r.roi
                .map(|x| (format!("@{}", r.handle), x, format!("{:+.0}%", x * 100.0)))
        })
        .collect();
    let rows = d
        .creators
        .iter()
        .map(|r| {
            (
                r.clone(),
                money(r.fee_minor, cur),
                money(r.delivered.net_revenue_minor.unwrap_or(0), cur),
                r.roi.map_or("—".into(), |x| format!("{:+.0}%", x * 100.0)),
            )
        })
        .collect();
    Ok(web::render(DashboardPage {
        budget: money(d.budget_minor, cur),
        committed: money(d.committed_minor, cur),
        remaining: money(d.budget_minor - d.committed_minor, cur),
        used_pct: if d.budget_minor > 0 {
            (d.committed_minor * 100 / d.budget_minor).clamp(0, 999) as u32
        } else {
            0
        },
        stage_chart: charts::hbars("creators by stage", &stage_items),
        delivery_chart: charts::paired("planned vs delivered", &pairs),
        roi_chart: charts::hbars("return on base fee by creator", &roi),
        rows,
        l,
        k,
        d,
    }))
}

#[derive(Template)]
#[template(path = "portfolio_calendar.html")]
struct CalendarPage {
    l: Layout,
    k: Campaign,
    q: CalendarForm,
    error: Option<String>,
    window: String,
    cal: Option<service::Calendar>,
}

#[derive(Debug, Default, Deserialize)]
struct CalendarForm {
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    anchor: String,
    #[serde(default)]
    every_hours: String,
}

async fn calendar_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
    Query(f): Query<CalendarForm>,
) -> PageResult {
    let k = campaigns::campaign(&st, &c, id).await.map_err(fail)?;
    let l = layout(&st, &c, "/campaigns").await?;
    let result = async {
        let q = CalendarQuery {
            pattern: Some(f.pattern.clone()).filter(|p| !p.is_empty()),
            hours: opt(&f.hours, "hours")?,
            anchor: Some(f.anchor.clone()).filter(|p| !p.is_empty()),
            every_hours: opt(&f.every_hours, "every hours")?,
        };
        service::calendar(&st, &c, &k, &q).await
    }
    .await;
    let (cal, error) = match result {
        Ok(cal) => (Some(cal), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let window = cal.as_ref().map_or(String::new(), |c| {
        format!(
            "{} → {}",
            c.window.0.format("%Y-%m-%d %H:%M"),
            c.window.1.format("%Y-%m-%d %H:%M")
        )
    });
    Ok(web::render(CalendarPage {
        l,
        k,
        q: f,
        error,
        window,
        cal,
    }))
}

impl CalendarPage {
    /// Conflict text for the calendar table.
    fn conflict_text(&self, c: &chorus_portfolio::Conflict) -> String {
        match c {
            chorus_portfolio::Conflict::Exclusivity {
                competitor,
                from,
                to,
            } => format!(
                "exclusivity for {competitor} {} → {}",
                from.format("%Y-%m-%d"),
                to.format("%Y-%m-%d")
            ),
            chorus_portfolio::Conflict::AfterDue { due } => {
                format!("after the due date {}", due.format("%Y-%m-%d %H:%M"))
            }
        }
    }
}
