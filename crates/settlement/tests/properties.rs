//! Invariants over random deals, orders, refunds and runs (DESIGN.md,
//! "Settlement"): the ledger balances and agrees with the commissions, no
//! line is paid twice or before its hold ends, the variable total never
//! exceeds the cap, a repeated run key changes nothing, and the balances are
//! exactly the sum of the rounded lines.

use chorus_core::{Currency, Money};
use chorus_settlement::engine::{
    settle, Basis, Deal, DealKey, Event, Input, LineDetail, LineKind, Milestone, Order, PayoutRun,
    Performance, PerformanceKind, Rate, Refund, Settlement, Tier, Trigger,
};
use chorus_settlement::ledger;
use chorus_settlement::payout::{pay_run, synthetic_lines};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

const CREATORS: [&str; 3] = ["ana", "ben", "cho"];

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn jpy() -> Currency {
    Currency::parse("JPY").unwrap()
}

fn deal_strategy(creator: &'static str) -> impl Strategy<Value = Deal> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec((0u32..20, 0u32..3000), 1..4),
        prop::option::of(0i64..5_000),
        0u32..40,
        prop::option::of(0i64..100_000),
    )
        .prop_map(move |(is_jpy, cpa, by_revenue, tiers, cap, hold, base)| {
            let currency = if is_jpy { jpy() } else { Currency::USD };
            let tiers = tiers
                .into_iter()
                .map(|(from, v)| Tier {
                    from: Decimal::from(from * if by_revenue { 50 } else { 1 }),
                    value: if cpa {
                        Decimal::new(v as i64, currency.minor_units())
                    } else {
                        Decimal::new(v as i64, 4)
                    },
                })
                .collect();
            Deal {
                key: DealKey::new(creator, "c"),
                currency,
                base_fee: base,
                milestones: vec![
                    Milestone {
                        trigger: Trigger::Event("signed".into()),
                        share: Decimal::ONE / Decimal::from(3),
                    },
                    Milestone {
                        trigger: Trigger::Event("published".into()),
                        share: Decimal::new(2, 0) / Decimal::from(3),
                    },
                ],
                performance: Some(Performance {
                    kind: if cpa {
                        PerformanceKind::Cpa
                    } else {
                        PerformanceKind::RevShare
                    },
                    basis: if by_revenue {
                        Basis::Revenue
                    } else {
                        Basis::Orders
                    },
                    tiers,
                    cap,
                }),
                hold_days: hold,
            }
        })
}

fn input_strategy() -> impl Strategy<Value = Input> {
    let deals = (
        deal_strategy(CREATORS[0]),
        deal_strategy(CREATORS[1]),
        deal_strategy(CREATORS[2]),
    );
    let orders =
        prop::collection::vec((0usize..3, 0i64..2_000, 1i64..50_000, any::<bool>()), 0..25);
    let refunds = prop::collection::vec((0usize..25, 0i64..500, 1i64..30_000), 0..12);
    let runs = prop::collection::vec((0u8..4, 1i64..400, 0i64..3_000), 0..5);
    let events = prop::collection::vec((0usize..3, any::<bool>(), 0i64..2_000), 0..6);
    (deals, orders, refunds, runs, events).prop_map(|(deals, orders, refunds, runs, events)| {
        let deals = vec![deals.0, deals.1, deals.2];
        let orders: Vec<Order> = orders
            .into_iter()
            .enumerate()
            .map(|(i, (d, hours, minor, eur))| Order {
                order_id: format!("o{i}"),
                key: deals[d].key.clone(),
                at: t0() + Duration::hours(hours),
                amount: Money {
                    minor,
                    currency: if eur {
                        Currency::EUR
                    } else {
                        deals[d].currency
                    },
                },
            })
            .collect();
        let refunds = refunds
            .into_iter()
            .filter(|(o, _, _)| *o < orders.len())
            .map(|(o, hours, minor)| Refund {
                order_id: orders[o].order_id.clone(),
                at: orders[o].at + Duration::hours(hours),
                amount: Decimal::new(minor, orders[o].amount.currency.minor_units()),
            })
            .collect();
        let mut as_of = t0();
        let runs = runs
            .into_iter()
            .map(|(key, step_hours, min)| {
                as_of += Duration::hours(step_hours * 3);
                PayoutRun {
                    key: format!("r{key}"),
                    as_of,
                    min_payout: Decimal::new(min, 2),
                    failed: Vec::new(),
                }
            })
            .collect();
        let events = events
            .into_iter()
            .map(|(d, signed, hours)| Event {
                key: deals[d].key.clone(),
                event: if signed { "signed" } else { "published" }.into(),
                at: t0() + Duration::hours(hours),
            })
            .collect();
        let rates = (0..3)
            .flat_map(|m| {
                let date = NaiveDate::from_ymd_opt(2026, 1 + m, 10).unwrap();
                [
                    (Currency::USD, Decimal::new(10850 + m as i64, 4)),
                    (jpy(), Decimal::new(16234, 2)),
                ]
                .map(|(to, rate)| Rate {
                    date,
                    from: Currency::EUR,
                    to,
                    rate,
                })
            })
            .collect();
        Input {
            deals,
            events,
            orders,
            refunds,
            rates,
            runs,
        }
    })
}

fn run_as_of(s: &Settlement) -> HashMap<&str, chrono::DateTime<Utc>> {
    s.runs.iter().map(|r| (r.key.as_str(), r.as_of)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn ledger_balances_and_agrees_with_commissions(input in input_strategy()) {
        let s = settle(&input);
        let entries = ledger::entries_from_settlement(&s);
        prop_assert!(ledger::check(&entries).is_ok(), "{:?}", ledger::check(&entries));
        prop_assert!(ledger::check_against(&entries, &s).is_ok(), "{:?}", ledger::check_against(&entries, &s));
    }

    #[test]
    fn paid_once_never_before_hold(input in input_strategy()) {
        let s = settle(&input);
        let as_of = run_as_of(&s);
        let mut paid_lines: BTreeMap<(String, String, Currency), i64> = BTreeMap::new();
        for l in &s.lines {
            if let Some(run) = &l.paid_in {
                let payable = l.payable_at.expect("a paid line was payable");
                prop_assert!(payable <= as_of[run.as_str()], "paid before its hold ended");
                *paid_lines.entry((run.clone(), l.key.creator.clone(), l.currency)).or_insert(0) += l.amount;
            }
        }
        let payouts: BTreeMap<(String, String, Currency), i64> = s.runs.iter()
            .flat_map(|r| r.payouts.iter().map(move |p| ((r.key.clone(), p.creator.clone(), p.currency), p.amount)))
            .collect();
        prop_assert_eq!(paid_lines, payouts);
    }

    #[test]
    fn variable_total_never_exceeds_cap(input in input_strategy()) {
        let s = settle(&input);
        for deal in &input.deals {
            let Some(cap) = deal.performance.as_ref().and_then(|p| p.cap) else { continue };
            let mine = |kind| s.lines.iter().filter(move |l| l.key == deal.key && l.kind == kind);
            let earned: i64 = mine(LineKind::Commission).map(|l| l.amount).sum();
            let reversed: i64 = mine(LineKind::Reversal).map(|l| l.amount).sum();
            prop_assert!(earned <= cap && earned + reversed <= cap);
            prop_assert!(earned + reversed >= 0);
        }
        for l in &s.lines {
            if let LineDetail::Reversal(d) = &l.detail {
                prop_assert!(d.new_commission >= 0 && d.new_commission <= s.lines[d.commission_line].amount);
            }
        }
    }

    #[test]
    fn rerun_with_same_key_is_a_no_op(input in input_strategy(), pick in 0usize..5, shift in 0i64..1_000) {
        prop_assume!(!input.runs.is_empty());
        let before = settle(&input);
        let mut again = input.clone();
        let mut rerun = input.runs[pick % input.runs.len()].clone();
        rerun.as_of = input.runs.last().unwrap().as_of + Duration::hours(shift);
        rerun.min_payout = Decimal::ZERO;
        again.runs.push(rerun);
        let after = settle(&again);
        prop_assert_eq!(&before.lines, &after.lines);
        prop_assert_eq!(&before.runs, &after.runs);
        prop_assert_eq!(&before.balances, &after.balances);
    }

    #[test]
    fn balances_are_the_sum_of_rounded_lines(input in input_strategy()) {
        let s = settle(&input);
        let mut sums: BTreeMap<(String, Currency), i64> = BTreeMap::new();
        for l in s.lines.iter().filter(|l| l.status.in_balances()) {
            *sums.entry((l.key.creator.clone(), l.currency)).or_insert(0) += l.amount;
        }
        for b in &s.balances {
            let total = sums.get(&(b.creator.clone(), b.currency)).copied().unwrap_or(0);
            prop_assert_eq!(b.pending + b.payable + b.paid, total);
        }
    }
}

/// Zero drift over 1M lines: what the payouts report is exactly the sum of
/// the per-line amounts they paid, and what stays unpaid is the rest.
#[test]
fn no_drift_over_a_million_lines() {
    let as_of = Utc.with_ymd_and_hms(2026, 4, 30, 0, 0, 0).unwrap();
    let mut lines = synthetic_lines(10_000, 1_000_000, 42, as_of);
    let total: i128 = lines.iter().map(|l| i128::from(l.amount)).sum();
    let paid = pay_run(&mut lines, 0, as_of, Decimal::new(5000, 2));
    let reported: i128 = paid.iter().map(|p| i128::from(p.2)).sum();
    let paid_lines: i128 = lines
        .iter()
        .filter(|l| l.paid_in.is_some())
        .map(|l| i128::from(l.amount))
        .sum();
    let unpaid: i128 = lines
        .iter()
        .filter(|l| l.paid_in.is_none())
        .map(|l| i128::from(l.amount))
        .sum();
    assert_eq!(reported, paid_lines);
    assert_eq!(paid_lines + unpaid, total);
    assert!(paid.iter().all(|p| p.2 > 0));
}
