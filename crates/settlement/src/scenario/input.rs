//! The scenario file as written, and its translation into engine input.
//!
//! Shape and value errors (wrong type, bad currency, non-decimal amount)
//! surface while deserializing, with path, line and column. Checks that need
//! two fields (an amount's places against its currency, runs in order) run
//! after, and name the field by its path.

use super::values::{Cur, Day, Dec, Id, Ratio, Share, Ts};
use super::ScenarioError;
use crate::engine::{
    self, Basis, Deal, DealKey, Milestone, Performance, PerformanceKind, Tier, Trigger,
};
use chorus_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// Every list may be absent (empty); unknown keys are ignored so a file can
/// carry notes.
#[derive(Debug, Deserialize)]
pub struct RawScenario {
    #[serde(default)]
    currency_rates: Vec<RawRate>,
    #[serde(default)]
    deals: Vec<RawDeal>,
    #[serde(default)]
    events: Vec<RawEvent>,
    #[serde(default)]
    orders: Vec<RawOrder>,
    #[serde(default)]
    refunds: Vec<RawRefund>,
    #[serde(default)]
    payout_runs: Vec<RawRun>,
}

#[derive(Debug, Deserialize)]
struct RawRate {
    date: Day,
    from: Cur,
    to: Cur,
    rate: Dec,
}

#[derive(Debug, Deserialize)]
struct RawDeal {
    creator: Id,
    campaign: Id,
    currency: Cur,
    base_fee: Option<Dec>,
    milestones: Option<Vec<RawMilestone>>,
    performance: Option<RawPerformance>,
    hold_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct RawMilestone {
    event: Option<String>,
    date: Option<Ts>,
    share: Option<Share>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    Cpa,
    #[serde(alias = "revshare", alias = "rev-share")]
    RevShare,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawBasis {
    Orders,
    Revenue,
}

#[derive(Debug, Deserialize)]
struct RawPerformance {
    #[serde(rename = "type")]
    kind: RawKind,
    basis: Option<RawBasis>,
    tiers: Option<Vec<RawTier>>,
    rate: Option<Ratio>,
    amount: Option<Dec>,
    cap: Option<Dec>,
}

#[derive(Debug, Deserialize)]
struct RawTier {
    from: Dec,
    rate: Option<Ratio>,
    amount: Option<Dec>,
}

#[derive(Debug, Deserialize)]
struct RawEvent {
    creator: Id,
    campaign: Id,
    event: String,
    at: Ts,
}

#[derive(Debug, Deserialize)]
struct RawOrder {
    order_id: Id,
    creator: Id,
    campaign: Id,
    at: Ts,
    amount: Dec,
    currency: Option<Cur>,
}

#[derive(Debug, Deserialize)]
struct RawRefund {
    order_id: Id,
    at: Ts,
    amount: Dec,
    currency: Option<Cur>,
}

#[derive(Debug, Deserialize)]
struct RawRun {
    key: Id,
    as_of: Ts,
    min_payout: Option<Dec>,
}

fn invalid(path: String, reason: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        path,
        reason: reason.into(),
    }
}

/// An amount of `currency` with no more places than it allows, and not negative.
fn money(d: Decimal, currency: Currency, path: String) -> Result<i64, ScenarioError> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(invalid(path, format!("{d} is negative")));
    }
    Money::from_decimal_exact(d, currency)
        .map(|m| m.minor)
        .map_err(|e| invalid(path, e.to_string()))
}

fn non_negative(d: Decimal, path: String) -> Result<Decimal, ScenarioError> {
    if d.is_sign_negative() && !d.is_zero() {
        return Err(invalid(path, format!("{d} is negative")));
    }
    Ok(d)
}

impl RawScenario {
    pub fn into_input(self) -> Result<engine::Input, ScenarioError> {
        let deals = self
            .deals
            .into_iter()
            .enumerate()
            .map(|(i, d)| d.into_deal(&format!("deals[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let deal_currency: HashMap<DealKey, Currency> = deals
            .iter()
            .map(|d| (d.key.clone(), d.currency))
            .rev()
            .collect();
        let orders = orders(self.orders, &deal_currency)?;
        Ok(engine::Input {
            refunds: refunds(self.refunds, &orders)?,
            rates: rates(self.currency_rates)?,
            runs: runs(self.payout_runs)?,
            events: self
                .events
                .into_iter()
                .map(|e| engine::Event {
                    key: DealKey::new(e.creator.0, e.campaign.0),
                    event: e.event,
                    at: e.at.0,
                })
                .collect(),
            deals,
            orders,
        })
    }
}

impl RawDeal {
    fn into_deal(self, path: &str) -> Result<Deal, ScenarioError> {
        let currency = self.currency.0;
        let base_fee = match self.base_fee {
            Some(fee) => Some(money(fee.0, currency, format!("{path}.base_fee"))?),
            None => None,
        };
        let raw = self.milestones.unwrap_or_default();
        let n = raw.len();
        let milestones = raw
            .into_iter()
            .enumerate()
            .map(|(j, m)| m.into_milestone(n, &format!("{path}.milestones[{j}]")))
            .collect::<Result<_, _>>()?;
        let performance = match self.performance {
            Some(p) => Some(p.into_performance(currency, &format!("{path}.performance"))?),
            None => None,
        };
        Ok(Deal {
            key: DealKey::new(self.creator.0, self.campaign.0),
            currency,
            base_fee,
            milestones,
            performance,
            hold_days: self.hold_days.unwrap_or(engine::DEFAULT_HOLD_DAYS),
        })
    }
}

impl RawMilestone {
    /// A `date` makes a calendar milestone; otherwise `event` names the
    /// event. A missing share means an equal split.
    fn into_milestone(self, count: usize, path: &str) -> Result<Milestone, ScenarioError> {
        let trigger = match (self.date, self.event) {
            (Some(date), _) => Trigger::Date(date.0),
            (None, Some(event)) => Trigger::Event(event),
            (None, None) => {
                return Err(invalid(
                    format!("{path}.event"),
                    "a milestone needs an `event` (or a `date`)",
                ))
            }
        };
        let share = match self.share {
            Some(s) => s.0,
            None => Decimal::ONE / Decimal::from(count as u64),
        };
        if share.is_sign_negative() || share > Decimal::ONE {
            return Err(invalid(
                format!("{path}.share"),
                format!("share {share} is not between 0 and 1"),
            ));
        }
        Ok(Milestone { trigger, share })
    }
}

impl RawPerformance {
    /// Tiers as listed; without `tiers`, a single tier from 0 with the
    /// top-level `rate` (rev_share) or `amount` (cpa). Basis defaults to orders.
    fn into_performance(
        self,
        currency: Currency,
        path: &str,
    ) -> Result<Performance, ScenarioError> {
        let kind = match self.kind {
            RawKind::Cpa => PerformanceKind::Cpa,
            RawKind::RevShare => PerformanceKind::RevShare,
        };
        let tiers = match self.tiers {
            Some(tiers) => tiers
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    tier(
                        kind,
                        currency,
                        t.from.0,
                        t.rate,
                        t.amount,
                        &format!("{path}.tiers[{i}]"),
                    )
                })
                .collect::<Result<_, _>>()?,
            None => vec![tier(
                kind,
                currency,
                Decimal::ZERO,
                self.rate,
                self.amount,
                path,
            )?],
        };
        let cap = match self.cap {
            Some(cap) => Some(money(cap.0, currency, format!("{path}.cap"))?),
            None => None,
        };
        let basis = match self.basis {
            Some(RawBasis::Revenue) => Basis::Revenue,
            Some(RawBasis::Orders) | None => Basis::Orders,
        };
        Ok(Performance {
            kind,
            basis,
            tiers,
            cap,
        })
    }
}

fn tier(
    kind: PerformanceKind,
    currency: Currency,
    from: Decimal,
    rate: Option<Ratio>,
    amount: Option<Dec>,
    path: &str,
) -> Result<Tier, ScenarioError> {
    let value = match (kind, rate, amount) {
        (PerformanceKind::Cpa, _, Some(a)) => {
            money(a.0, currency, format!("{path}.amount"))?;
            a.0
        }
        (PerformanceKind::Cpa, _, None) => {
            return Err(invalid(
                format!("{path}.amount"),
                "a cpa tier needs `amount` per order",
            ))
        }
        (PerformanceKind::RevShare, Some(r), _) => non_negative(r.0, format!("{path}.rate"))?,
        (PerformanceKind::RevShare, None, _) => {
            return Err(invalid(
                format!("{path}.rate"),
                "a rev_share tier needs `rate`",
            ))
        }
    };
    Ok(Tier { from, value })
}

fn orders(
    raw: Vec<RawOrder>,
    deal_currency: &HashMap<DealKey, Currency>,
) -> Result<Vec<engine::Order>, ScenarioError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, o)| {
            let key = DealKey::new(o.creator.0, o.campaign.0);
            let currency = match (o.currency, deal_currency.get(&key)) {
                (Some(c), _) => c.0,
                (None, Some(c)) => *c,
                (None, None) => {
                    return Err(invalid(format!("orders[{i}].currency"), "missing currency"))
                }
            };
            let minor = money(o.amount.0, currency, format!("orders[{i}].amount"))?;
            Ok(engine::Order {
                order_id: o.order_id.0,
                key,
                at: o.at.0,
                amount: Money { minor, currency },
            })
        })
        .collect()
}

/// A refund's amount is in its order's currency; its places are checked
/// here when the order is known (an unknown order is an engine error).
fn refunds(
    raw: Vec<RawRefund>,
    orders: &[engine::Order],
) -> Result<Vec<engine::Refund>, ScenarioError> {
    let mut currency_of: HashMap<&str, Currency> = HashMap::new();
    for o in orders {
        currency_of
            .entry(o.order_id.as_str())
            .or_insert(o.amount.currency);
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let amount = r.amount.0;
            if amount <= Decimal::ZERO {
                return Err(invalid(
                    format!("refunds[{i}].amount"),
                    format!("{amount} is not a positive amount"),
                ));
            }
            if let Some(&c) = currency_of.get(r.order_id.0.as_str()) {
                if r.currency.as_ref().is_some_and(|rc| rc.0 != c) {
                    return Err(invalid(
                        format!("refunds[{i}].currency"),
                        format!("order {} is in {c}", r.order_id.0),
                    ));
                }
                money(amount, c, format!("refunds[{i}].amount"))?;
            }
            Ok(engine::Refund {
                order_id: r.order_id.0,
                at: r.at.0,
                amount,
            })
        })
        .collect()
}

fn rates(raw: Vec<RawRate>) -> Result<Vec<engine::Rate>, ScenarioError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| {
            if r.rate.0 <= Decimal::ZERO {
                return Err(invalid(
                    format!("currency_rates[{i}].rate"),
                    format!("{} is not a positive rate", r.rate.0),
                ));
            }
            if r.from.0 == r.to.0 {
                return Err(invalid(
                    format!("currency_rates[{i}].to"),
                    "from and to are the same currency",
                ));
            }
            Ok(engine::Rate {
                date: r.date.0,
                from: r.from.0,
                to: r.to.0,
                rate: r.rate.0,
            })
        })
        .collect()
}

/// Runs must have non-decreasing `as_of`. A repeated key is skipped before
/// this check: re-running an old run later in the file is the idempotent
/// no-op the spec asks for, not an ordering mistake.
fn runs(raw: Vec<RawRun>) -> Result<Vec<engine::PayoutRun>, ScenarioError> {
    let mut seen = HashSet::new();
    let mut last: Option<(usize, engine::Time)> = None;
    let mut out = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        let min_payout = non_negative(
            r.min_payout.map_or(Decimal::ZERO, |m| m.0),
            format!("payout_runs[{i}].min_payout"),
        )?;
        if seen.insert(r.key.0.clone()) {
            if let Some((j, prev)) = last.filter(|(_, prev)| r.as_of.0 < *prev) {
                return Err(invalid(format!("payout_runs[{i}].as_of"), format!(
                    "{} is before payout_runs[{j}].as_of {}; runs must be listed with non-decreasing as_of",
                    r.as_of.0.to_rfc3339(), prev.to_rfc3339())));
            }
            last = Some((i, r.as_of.0));
        }
        out.push(engine::PayoutRun {
            key: r.key.0,
            as_of: r.as_of.0,
            min_payout,
            failed: Vec::new(),
        });
    }
    Ok(out)
}
