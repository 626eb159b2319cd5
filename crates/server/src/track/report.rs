//! Performance reports per creator (platform account) or campaign, by day:
//! clicks, orders, revenue, refunds and the click-to-purchase delay. The same
//! figures serve the API (JSON), the CSV export and the `/performance` page.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::web::{Layout, WebCaller, NAV};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chorus_core::money::share_of;
use chorus_core::OrgId;
use chorus_store::Store;
use chrono::{NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const US_PER_DAY: i64 = 86_400_000_000;
const US_PER_HOUR: i64 = 3_600_000_000;

/// Upper bounds (hours) of the delay histogram buckets; the last is open.
pub const DELAY_BUCKETS: [(&str, i64); 7] = [
    ("<1h", 1),
    ("1-24h", 24),
    ("1-3d", 72),
    ("3-7d", 168),
    ("7-14d", 336),
    ("14-30d", 720),
    ("30d+", i64::MAX),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum By {
    #[default]
    Creator,
    Campaign,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ReportQuery {
    pub by: Option<By>,
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today, UTC).
    pub to: Option<NaiveDate>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Row {
    /// Account id (`by=creator`) or campaign id.
    pub key: i64,
    pub day: NaiveDate,
    pub clicks_human: i64,
    pub clicks_bot: i64,
    pub unique_clicks: i64,
    /// Credited orders; a linear split counts its share.
    pub orders: f64,
    pub revenue_minor: i64,
    pub refunds_minor: i64,
    pub net_revenue_minor: i64,
    pub conversion_rate: Option<f64>,
    pub aov_minor: Option<i64>,
    /// Unknown until deal terms give the cost.
    pub cost_per_order_minor: Option<i64>,
    pub roas: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub by: By,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The currency of the revenue figures (`null` with no orders).
    pub currency: Option<String>,
    pub mixed_currencies: bool,
    pub rows: Vec<Row>,
    /// Credited orders by delay between the credited click and the purchase.
    pub delay_histogram: Vec<(String, i64)>,
}

fn day_of(us: i64) -> NaiveDate {
    chorus_store::from_us(us.div_euclid(US_PER_DAY) * US_PER_DAY).date_naive()
}

fn bounds(q: &ReportQuery) -> ApiResult<(NaiveDate, NaiveDate, i64, i64)> {
    let to = q.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = q.from.unwrap_or(to - TimeDelta::days(29));
    if from > to || (to - from).num_days() > 3660 {
        return Err(ApiError::Invalid(
            "from must not be after to, and at most ten years apart".into(),
        ));
    }
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end = (to + TimeDelta::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    Ok((from, to, start.timestamp_micros(), end.timestamp_micros()))
}

/// Share of an amount, rounded half-to-even to the minor unit.
pub async fn build(store: &Store, org: OrgId, q: &ReportQuery) -> ApiResult<Report> {
    let by = q.by.unwrap_or_default();
    let (from, to, start, end) = bounds(q)?;
    let pick = |campaign: i64, account: i64| match by {
        By::Creator => account,
        By::Campaign => campaign,
    };
    let mut rows: BTreeMap<(i64, NaiveDate), Row> = BTreeMap::new();
    for c in store.click_days(org, start, end).await? {
        let key = pick(c.campaign_id, c.account_id);
        let day = day_of(c.day * US_PER_DAY);
        let r = rows.entry((key, day)).or_insert_with(|| Row {
            key,
            day,
            ..Row::default()
        });
        r.clicks_human += c.human;
        r.clicks_bot += c.bot;
        r.unique_clicks += c.unique_human;
    }
    let mut currencies = std::collections::BTreeSet::new();
    let mut hist = vec![0i64; DELAY_BUCKETS.len()];
    for f in store.credit_facts(org, start, end).await? {
        currencies.insert(f.currency.clone());
        let key = pick(f.campaign_id, f.account_id);
        let day = day_of(f.order_at);
        let r = rows.entry((key, day)).or_insert_with(|| Row {
            key,
            day,
            ..Row::default()
        });
        r.orders += f.share_num as f64 / f.share_den.max(1) as f64;
        let revenue = share_of(f.amount_minor, f.share_num, f.share_den);
        let net = share_of(f.net_minor, f.share_num, f.share_den);
        r.revenue_minor += revenue;
        r.net_revenue_minor += net;
        r.refunds_minor += revenue - net;
        if let Some(click_at) = f.click_at {
            let hours = (f.order_at - click_at).max(0) / US_PER_HOUR;
            let i = DELAY_BUCKETS
                .iter()
                .position(|(_, max)| hours < *max)
                .unwrap_or(DELAY_BUCKETS.len() - 1);
            hist[i] += 1;
        }
    }
    let rows = rows
        .into_values()
        .map(|mut r| {
            r.conversion_rate = (r.unique_clicks > 0).then(|| r.orders / r.unique_clicks as f64);
            r.aov_minor =
                (r.orders > 0.0).then(|| (r.revenue_minor as f64 / r.orders).round() as i64);
            r
        })
        .collect();
    Ok(Report {
        by,
        from,
        to,
        currency: currencies.iter().next().cloned(),
        mixed_currencies: currencies.len() > 1,
        rows,
        delay_histogram: DELAY_BUCKETS
            .iter()
            .zip(hist)
            .map(|((label, _), n)| (label.to_string(), n))
            .collect(),
    })
}

pub fn to_csv(r: &Report) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        match r.by {
            By::Creator => "account_id",
            By::Campaign => "campaign_id",
        },
        "day",
        "clicks_human",
        "clicks_bot",
        "unique_clicks",
        "orders",
        "revenue",
        "refunds",
        "net_revenue",
        "conversion_rate",
        "aov",
        "cost_per_order",
        "roas",
        "currency",
    ])?;
    let money = |m: i64| {
        let places = r
            .currency
            .as_deref()
            .and_then(|c| chorus_core::Currency::parse(c).ok())
            .map_or(2, |c| c.minor_units());
        rust_decimal::Decimal::new(m, places).to_string()
    };
    let opt = |x: Option<f64>| x.map(|v| format!("{v:.4}")).unwrap_or_default();
    for row in &r.rows {
        w.write_record([
            row.key.to_string(),
            row.day.to_string(),
            row.clicks_human.to_string(),
            row.clicks_bot.to_string(),
            row.unique_clicks.to_string(),
            format!("{:.4}", row.orders),
            money(row.revenue_minor),
            money(row.refunds_minor),
            money(row.net_revenue_minor),
            opt(row.conversion_rate),
            row.aov_minor.map(money).unwrap_or_default(),
            row.cost_per_order_minor.map(money).unwrap_or_default(),
            opt(row.roas),
            r.currency.clone().unwrap_or_default(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

pub async fn api(
    State(st): State<AppState>,
    c: Caller,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Response> {
    let report = build(&st.store, c.org(), &q).await?;
    if q.format.as_deref() == Some("csv") {
        let body = to_csv(&report)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"performance.csv\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(Json(report).into_response())
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct LeakQuery {
    /// One campaign; all of the organization's when absent.
    pub campaign_id: Option<i64>,
    /// Fewest credited orders before a code is judged (default 5).
    pub min_orders: Option<usize>,
}

/// `GET /api/v1/reports/leaked-codes`: codes whose credited orders mostly
/// came without a prior click from their creator and from coupon sites.
pub async fn leaked_api(
    State(st): State<AppState>,
    c: Caller,
    Query(q): Query<LeakQuery>,
) -> ApiResult<Json<super::leaks::LeakReport>> {
    let min = q.min_orders.unwrap_or(super::leaks::DEFAULT_MIN_ORDERS);
    Ok(Json(
        super::leaks::leaked_codes(&st.store, c.org(), q.campaign_id, min).await?,
    ))
}

/// One leaked code as the page shows it.
struct LeakRow {
    campaign_id: i64,
    account_id: i64,
    code: String,
    orders: usize,
    without_prior_click: String,
    from_coupon_sites: String,
    sites: String,
}

/// One bar of a chart, in SVG units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub h: i64,
    pub label: String,
}

/// Per-key totals for the page's table.
pub struct Total {
    pub key: i64,
    pub clicks_human: i64,
    pub clicks_bot: i64,
    pub unique_clicks: i64,
    pub orders: String,
    pub revenue: String,
    pub net_revenue: String,
    pub conversion: String,
}

#[derive(Template)]
#[template(path = "track/performance.html")]
struct PerformancePage {
    l: Layout,
    by: &'static str,
    from: String,
    to: String,
    currency: String,
    totals: Vec<Total>,
    click_bars: Vec<Bar>,
    order_bars: Vec<Bar>,
    delay_bars: Vec<Bar>,
    leaks: Vec<LeakRow>,
    leak_min_orders: usize,
}

const CHART_H: i64 = 100;

fn bars(values: &[(String, f64)], width: i64) -> Vec<Bar> {
    let max = values.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let n = values.len().max(1) as i64;
    let w = (width / n).max(1);
    values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = if max > 0.0 {
                ((v / max) * CHART_H as f64).round() as i64
            } else {
                0
            };
            Bar {
                x: i as i64 * w,
                y: CHART_H - h,
                h,
                label: format!("{label}: {v}"),
            }
        })
        .collect()
}

pub async fn page(
    WebCaller(c): WebCaller,
    State(st): State<AppState>,
    Query(q): Query<ReportQuery>,
) -> Response {
    match page_inner(&st, &c, &q).await {
        Ok(html) => Html(html).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn page_inner(st: &AppState, c: &Caller, q: &ReportQuery) -> ApiResult<String> {
    let org = st
        .store
        .org(c.org())
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    let report = build(&st.store, c.org(), q).await?;
    let places = report
        .currency
        .as_deref()
        .and_then(|c| chorus_core::Currency::parse(c).ok())
        .map_or(2, |c| c.minor_units());
    let money = |m: i64| rust_decimal::Decimal::new(m, places).to_string();
    let mut totals: BTreeMap<i64, (i64, i64, i64, f64, i64, i64)> = BTreeMap::new();
    let mut by_day: BTreeMap<NaiveDate, (f64, f64)> = BTreeMap::new();
    for r in &report.rows {
        let t = totals.entry(r.key).or_default();
        t.0 += r.clicks_human;
        t.1 += r.clicks_bot;
        t.2 += r.unique_clicks;
        t.3 += r.orders;
        t.4 += r.revenue_minor;
        t.5 += r.net_revenue_minor;
        let d = by_day.entry(r.day).or_default();
        d.0 += r.clicks_human as f64;
        d.1 += r.orders;
    }
    let totals = totals
        .into_iter()
        .map(|(key, t)| Total {
            key,
            clicks_human: t.0,
            clicks_bot: t.1,
            unique_clicks: t.2,
            orders: format!("{:.2}", t.3),
            revenue: money(t.4),
            net_revenue: money(t.5),
            conversion: if t.2 > 0 {
                format!("{:.2}%", 100.0 * t.3 / t.2 as f64)
            } else {
                "–".into()
            },
        })
        .collect();
    let clicks: Vec<(String, f64)> = by_day.iter().map(|(d, v)| (d.to_string(), v.0)).collect();
    let orders: Vec<(String, f64)> = by_day.iter().map(|(d, v)| (d.to_string(), v.1)).collect();
    let delays: Vec<(String, f64)> = report
        .delay_histogram
        .iter()
        .map(|(l, n)| (l.clone(), *n as f64))
        .collect();
    let leak_min_orders = super::leaks::DEFAULT_MIN_ORDERS;
    let leaks = super::leaks::leaked_codes(&st.store, c.org(), None, leak_min_orders)
        .await?
        .leaked
        .into_iter()
        .map(|l| LeakRow {
            campaign_id: l.campaign_id,
            account_id: l.account_id,
            code: l.code,
            orders: l.orders,
            without_prior_click: format!(
                "{} ({:.0}%)",
                l.without_prior_click,
                100.0 * l.share_without_prior_click
            ),
            from_coupon_sites: format!(
                "{} ({:.0}%)",
                l.from_coupon_sites,
                100.0 * l.share_from_coupon_sites
            ),
            sites: l
                .coupon_sites
                .iter()
                .map(|(h, n)| format!("{h} ×{n}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let page = PerformancePage {
        l: Layout {
            csrf: c.csrf_token().to_string(),
            user_email: c.user.email.clone(),
            org_name: org.name,
            role: c.user.role.to_string(),
            active: "/performance",
            nav: NAV.to_vec(),
        },
        by: match report.by {
            By::Creator => "creator",
            By::Campaign => "campaign",
        },
        from: report.from.to_string(),
        to: report.to.to_string(),
        currency: report.currency.clone().unwrap_or_default(),
        totals,
        click_bars: bars(&clicks, 600),
        order_bars: bars(&orders, 600),
        delay_bars: bars(&delays, 600),
        leaks,
        leak_min_orders,
    };
    page.render().map_err(|e| ApiError::Internal(e.into()))
}
