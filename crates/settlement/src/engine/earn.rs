//! Earning: base-fee milestones and performance commissions, computed from
//! deals, events, orders and rates alone. Refunds never change what was
//! earned (the spec: "tiers and cap room are not recomputed by refunds"), so
//! this runs once, before the timeline of refunds and payout runs.

use super::{
    to_major, to_minor, CommissionDetail, Deal, DealKey, Input, Line, LineDetail, LineKind,
    LineStatus, Milestone, Order, Performance, PerformanceKind, Rate, SettleError, Time, Trigger,
};
use chorus_core::Currency;
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

pub(super) fn error(
    subject: &'static str,
    reference: impl Into<String>,
    code: &'static str,
    message: String,
) -> SettleError {
    SettleError {
        subject,
        reference: reference.into(),
        code,
        message,
    }
}

/// Deals by key. A second deal for the same creator and campaign would make
/// every event and order ambiguous, so it is reported and ignored.
pub(super) fn index_deals(
    deals: &[Deal],
    errors: &mut Vec<SettleError>,
) -> HashMap<DealKey, usize> {
    let mut index = HashMap::new();
    for (i, deal) in deals.iter().enumerate() {
        if index.contains_key(&deal.key) {
            errors.push(error(
                "deal",
                deal.key.to_string(),
                "duplicate_deal",
                format!("deal {}: a deal for this creator and campaign is listed earlier; this one is ignored", deal.key),
            ));
        } else {
            index.insert(deal.key.clone(), i);
        }
    }
    index
}

/// Milestone amounts: `base × share` rounded half-to-even, the last one
/// taking the remainder so they always sum to the base fee exactly.
pub(super) fn milestone_amounts(
    base: i64,
    milestones: &[Milestone],
    currency: Currency,
) -> Vec<i64> {
    let mut amounts = Vec::with_capacity(milestones.len());
    let mut sum = 0i64;
    for (i, m) in milestones.iter().enumerate() {
        if i + 1 == milestones.len() {
            amounts.push(base - sum);
        } else {
            let a = to_minor(to_major(base, currency) * m.share, currency);
            sum += a;
            amounts.push(a);
        }
    }
    amounts
}

/// First occurrence (earliest time) of each event per deal: a repeated
/// event never pays a milestone twice. Events of no deal are errors.
fn first_events<'a>(
    input: &'a Input,
    index: &HashMap<DealKey, usize>,
    errors: &mut Vec<SettleError>,
) -> HashMap<(&'a DealKey, &'a str), Time> {
    let mut first: HashMap<(&DealKey, &str), Time> = HashMap::new();
    for ev in &input.events {
        if !index.contains_key(&ev.key) {
            errors.push(error(
                "event",
                ev.event.clone(),
                "no_deal",
                format!(
                    "event {:?} of {} at {}: no deal for this creator and campaign; ignored",
                    ev.event,
                    ev.key,
                    ev.at.to_rfc3339()
                ),
            ));
            continue;
        }
        let at = first.entry((&ev.key, ev.event.as_str())).or_insert(ev.at);
        *at = (*at).min(ev.at);
    }
    first
}

/// One line per milestone of every deal, earned or not, so the report
/// explains the whole base fee. A base fee without milestones has no rule to
/// become payable, so it earns nothing and is reported.
pub(super) fn milestone_lines(
    input: &Input,
    index: &HashMap<DealKey, usize>,
    errors: &mut Vec<SettleError>,
) -> Vec<Line> {
    let first = first_events(input, index, errors);
    let mut lines = Vec::new();
    for (i, deal) in input.deals.iter().enumerate() {
        if index.get(&deal.key) != Some(&i) {
            continue;
        }
        let Some(base) = deal.base_fee else {
            if !deal.milestones.is_empty() {
                errors.push(error(
                    "deal",
                    deal.key.to_string(),
                    "milestones_without_base_fee",
                    format!(
                        "deal {}: milestones but no base_fee; they earn nothing",
                        deal.key
                    ),
                ));
            }
            continue;
        };
        if deal.milestones.is_empty() {
            errors.push(error("deal", deal.key.to_string(), "base_fee_without_milestones",
                format!("deal {}: base_fee {} {} has no milestones, so it never becomes payable and earns nothing",
                    deal.key, to_major(base, deal.currency), deal.currency)));
            continue;
        }
        let amounts = milestone_amounts(base, &deal.milestones, deal.currency);
        for (n, (m, amount)) in deal.milestones.iter().zip(amounts).enumerate() {
            let (reference, at) = match &m.trigger {
                Trigger::Event(name) => (
                    name.clone(),
                    first.get(&(&deal.key, name.as_str())).copied(),
                ),
                Trigger::Date(d) => (d.date_naive().to_string(), Some(*d)),
            };
            lines.push(Line {
                kind: LineKind::Milestone,
                reference,
                key: deal.key.clone(),
                currency: deal.currency,
                amount,
                at,
                payable_at: at,
                paid_in: None,
                status: LineStatus::NotEarned,
                detail: LineDetail::Milestone {
                    trigger: m.trigger.clone(),
                    share: m.share,
                    base_fee: base,
                    remainder: n + 1 == deal.milestones.len(),
                },
            });
        }
    }
    lines
}

/// Daily rates by (from, to), sorted by date. Only the listed direction is
/// kept: inverse rates are never derived (the spec), since a provider's
/// EUR→USD and USD→EUR rates are not exact inverses.
pub(super) struct Rates(HashMap<(Currency, Currency), Vec<(NaiveDate, Decimal)>>);

impl Rates {
    pub(super) fn new(rates: &[Rate], errors: &mut Vec<SettleError>) -> Rates {
        let mut map: HashMap<(Currency, Currency), Vec<(NaiveDate, Decimal)>> = HashMap::new();
        for r in rates {
            let days = map.entry((r.from, r.to)).or_default();
            if days.iter().any(|(d, _)| *d == r.date) {
                errors.push(error(
                    "rate",
                    format!("{}->{} {}", r.from, r.to, r.date),
                    "duplicate_rate",
                    format!(
                        "rate {}→{} on {} is listed twice; the first is used",
                        r.from, r.to, r.date
                    ),
                ));
                continue;
            }
            days.push((r.date, r.rate));
        }
        for days in map.values_mut() {
            days.sort();
        }
        Rates(map)
    }

    /// The rate of `date`, or of the latest earlier date that has one.
    pub(super) fn lookup(
        &self,
        from: Currency,
        to: Currency,
        date: NaiveDate,
    ) -> Option<(Decimal, NaiveDate)> {
        let days = self.0.get(&(from, to))?;
        let n = days.partition_point(|(d, _)| *d <= date);
        n.checked_sub(1).map(|i| (days[i].1, days[i].0))
    }
}

/// Convert `minor` units of `from` with `rate`, rounding half-to-even in `to`.
pub(super) fn convert(minor: i64, from: Currency, to: Currency, rate: Option<Decimal>) -> i64 {
    match rate {
        Some(r) => to_minor(to_major(minor, from) * r, to),
        None => minor,
    }
}

/// What the refund timeline needs to know about a settled order.
#[derive(Debug, Clone)]
pub(super) struct SettledOrder {
    pub at: Time,
    pub currency: Currency,
    pub deal_currency: Currency,
    /// Order amount left after refunds so far (order currency, minor units).
    pub net: i64,
    /// Rate of the order's date: refunds convert at the same rate.
    pub fx: Option<Decimal>,
    /// Commission line and how it was computed; `None` for a flat deal.
    pub commission: Option<Earned>,
}

#[derive(Debug, Clone)]
pub(super) struct Earned {
    pub line: usize,
    pub kind: PerformanceKind,
    pub tier_value: Option<Decimal>,
    /// As first earned (after the cap): refunds never raise it above this.
    pub earned: i64,
    /// Current value: earned plus reversals so far.
    pub value: i64,
}

impl Earned {
    /// The commission recomputed on `net` (order currency) with the tier of
    /// the order's time, never more than originally earned (this is what
    /// keeps a cap-cut order cut, and an order earning 0 past the cap at 0).
    pub(super) fn recompute(&self, order: &SettledOrder, net: i64) -> (i64, i64) {
        let recomputed = match (self.kind, self.tier_value) {
            (_, None) => 0,
            (PerformanceKind::Cpa, Some(_)) if net == 0 => 0,
            (PerformanceKind::Cpa, Some(amount)) => to_minor(amount, order.deal_currency),
            (PerformanceKind::RevShare, Some(rate)) => {
                let converted = convert(net, order.currency, order.deal_currency, order.fx);
                to_minor(
                    to_major(converted, order.deal_currency) * rate,
                    order.deal_currency,
                )
            }
        };
        (recomputed, recomputed.min(self.earned))
    }
}

/// Orders worth settling: matched to a deal, listed once. The first listing
/// of an order id wins (the same external order id counts once).
fn matched_orders<'a>(
    input: &'a Input,
    index: &HashMap<DealKey, usize>,
    errors: &mut Vec<SettleError>,
) -> Vec<(usize, &'a Order)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for order in &input.orders {
        if !seen.insert(order.order_id.as_str()) {
            errors.push(error(
                "order",
                order.order_id.clone(),
                "duplicate_order",
                format!(
                    "order {}: listed before; counted once, this listing is ignored",
                    order.order_id
                ),
            ));
        } else if let Some(&deal) = index.get(&order.key) {
            out.push((deal, order));
        } else {
            errors.push(error(
                "order",
                order.order_id.clone(),
                "no_deal",
                format!(
                    "order {} of {}: no deal for this creator and campaign; ignored",
                    order.order_id, order.key
                ),
            ));
        }
    }
    out
}

/// Running figures of one deal, in time order of its orders.
#[derive(Default)]
struct Running {
    orders: u64,
    revenue: i64,
    variable: i64,
}

/// Tier with the greatest `from` ≤ `figure`; none when every tier starts above it.
fn tier_for(perf: &Performance, figure: Decimal) -> Option<usize> {
    perf.tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| t.from <= figure)
        .max_by(|a, b| a.1.from.cmp(&b.1.from))
        .map(|(i, _)| i)
}

fn earn_one(
    perf: &Performance,
    dc: Currency,
    converted: i64,
    run: &mut Running,
) -> (Decimal, Option<usize>, i64, i64) {
    let figure = match perf.basis {
        super::Basis::Orders => Decimal::from(run.orders),
        super::Basis::Revenue => to_major(run.revenue, dc),
    };
    let tier = tier_for(perf, figure);
    let uncapped = match (perf.kind, tier) {
        (_, None) => 0,
        (PerformanceKind::Cpa, Some(t)) => to_minor(perf.tiers[t].value, dc),
        (PerformanceKind::RevShare, Some(t)) => {
            to_minor(to_major(converted, dc) * perf.tiers[t].value, dc)
        }
    };
    let earned = match perf.cap {
        Some(cap) => uncapped.min((cap - run.variable).max(0)),
        None => uncapped,
    };
    run.orders += 1;
    run.revenue += converted;
    run.variable += earned;
    (figure, tier, uncapped, earned)
}

/// Commission lines for all orders, in time order per deal (ties by order id
/// as strings). An order with no usable rate is skipped before it can count
/// toward tiers. Returns the settled orders by id for the refund timeline.
pub(super) fn commission_lines(
    input: &Input,
    index: &HashMap<DealKey, usize>,
    lines: &mut Vec<Line>,
    errors: &mut Vec<SettleError>,
) -> HashMap<String, SettledOrder> {
    let rates = Rates::new(&input.rates, errors);
    let mut orders = matched_orders(input, index, errors);
    orders.sort_by(|a, b| (a.1.at, &a.1.order_id).cmp(&(b.1.at, &b.1.order_id)));
    let mut running: HashMap<usize, Running> = HashMap::new();
    let mut settled = HashMap::new();
    for (d, order) in orders {
        let deal = &input.deals[d];
        let fx = if order.amount.currency == deal.currency {
            None
        } else if let Some(found) =
            rates.lookup(order.amount.currency, deal.currency, order.at.date_naive())
        {
            Some(found)
        } else {
            errors.push(error("order", order.order_id.clone(), "no_rate",
                format!("order {}: no {}→{} rate on or before {}; skipped: earns nothing and does not count toward tiers",
                    order.order_id, order.amount.currency, deal.currency, order.at.date_naive())));
            continue;
        };
        let converted = convert(
            order.amount.minor,
            order.amount.currency,
            deal.currency,
            fx.map(|f| f.0),
        );
        let commission = deal.performance.as_ref().map(|perf| {
            let run = running.entry(d).or_default();
            let (figure, tier, uncapped, earned) = earn_one(perf, deal.currency, converted, run);
            lines.push(commission_line(
                deal,
                order,
                CommissionDetail {
                    kind: perf.kind,
                    order_amount: order.amount,
                    converted,
                    fx,
                    basis_figure: figure,
                    tier,
                    tier_value: tier.map(|t| perf.tiers[t].value),
                    uncapped,
                    cap_cut: uncapped - earned,
                },
                earned,
            ));
            Earned {
                line: lines.len() - 1,
                kind: perf.kind,
                tier_value: tier.map(|t| perf.tiers[t].value),
                earned,
                value: earned,
            }
        });
        settled.insert(
            order.order_id.clone(),
            SettledOrder {
                at: order.at,
                currency: order.amount.currency,
                deal_currency: deal.currency,
                net: order.amount.minor,
                fx: fx.map(|f| f.0),
                commission,
            },
        );
    }
    settled
}

/// A commission is payable at exactly `order.at + hold_days` (the spec).
fn commission_line(deal: &Deal, order: &Order, detail: CommissionDetail, earned: i64) -> Line {
    Line {
        kind: LineKind::Commission,
        reference: order.order_id.clone(),
        key: deal.key.clone(),
        currency: deal.currency,
        amount: earned,
        at: Some(order.at),
        payable_at: Some(order.at + Duration::days(i64::from(deal.hold_days))),
        paid_in: None,
        status: LineStatus::Pending,
        detail: LineDetail::Commission(detail),
    }
}
