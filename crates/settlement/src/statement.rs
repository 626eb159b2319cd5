//! Per-creator statements: every base-fee milestone and every attributed
//! order with its commission, the reversals of refunds and the payouts, per
//! currency, with totals a creator and finance can check line by line.
//!
//! A statement as of `T` covers the period since the last payout run before
//! `T` (or since the beginning when there is none):
//!
//! - `opening` is what was owed (earned, unpaid) at the start of the period;
//! - `earned` is the sum of the lines dated in the period;
//! - `paid_in_period` is what the runs of the period paid;
//! - `closing = opening + earned - paid_in_period = pending + payable`.
//!
//! `pending`, `payable` and `paid` (all runs up to `T`) use the engine's own
//! rules, so for `T` equal to the settlement's balances time they equal the
//! engine's [`Balance`](crate::engine::Balance) of the creator exactly.

use crate::engine::{to_major, LineDetail, LineKind, PerformanceKind, Settlement, Time, Trigger};
use chorus_core::{Currency, Money};
use chrono::SecondsFormat;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// State of a statement line as of the statement's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineState {
    /// A milestone whose event has not happened yet: listed, not counted.
    NotEarned,
    Pending,
    Payable,
    Paid,
    /// A commission refunded to zero before payment, and its reversals.
    Reversed,
}

impl LineState {
    pub fn as_str(self) -> &'static str {
        match self {
            LineState::NotEarned => "not_earned",
            LineState::Pending => "pending",
            LineState::Payable => "payable",
            LineState::Paid => "paid",
            LineState::Reversed => "reversed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// When it was earned (event, order or refund time); `None` if not yet.
    pub at: Option<Time>,
    pub campaign: String,
    pub kind: LineKind,
    /// Milestone event (or date), order id for commissions and reversals.
    pub reference: String,
    /// The order for a commission, the refunded amount (negative) for a reversal.
    pub order_amount: Option<Money>,
    /// Exchange rate when the order was in another currency.
    pub fx_rate: Option<Decimal>,
    /// 1-based tier number and its rate (`10%`) or amount per order (`5.00`).
    pub tier: Option<(usize, String)>,
    /// Minor units of the section's currency; negative for reversals.
    pub amount: i64,
    pub payable_at: Option<Time>,
    pub state: LineState,
    /// Key of the run that paid it, when that run is at or before the statement time.
    pub paid_in: Option<String>,
    /// Dated in the statement's period.
    pub in_period: bool,
    /// How the amount came about, in words (share, cap cut, refund).
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementPayout {
    pub run: String,
    pub as_of: Time,
    /// Minor units.
    pub amount: i64,
}

/// One currency of a statement; all amounts are minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub currency: Currency,
    /// In time order (undated milestones last), ties in engine order.
    pub lines: Vec<StatementLine>,
    pub payouts: Vec<StatementPayout>,
    pub opening: i64,
    pub earned: i64,
    pub paid_in_period: i64,
    pub closing: i64,
    pub pending: i64,
    pub payable: i64,
    /// Paid by every run up to the statement time.
    pub paid: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub creator: String,
    pub as_of: Time,
    /// The `as_of` of the last run before `as_of`; `None`: since the beginning.
    pub period_start: Option<Time>,
    /// Sorted by currency code.
    pub sections: Vec<Section>,
}

/// The statement of `creator` as of `as_of`.
pub fn build(settlement: &Settlement, creator: &str, as_of: Time) -> Statement {
    let run_time: HashMap<&str, Time> = settlement
        .runs
        .iter()
        .map(|r| (r.key.as_str(), r.as_of))
        .collect();
    let period_start = settlement
        .runs
        .iter()
        .map(|r| r.as_of)
        .filter(|t| *t < as_of)
        .max();
    let paid_by = |paid_in: &Option<String>, t: Time| {
        paid_in
            .as_deref()
            .and_then(|k| run_time.get(k))
            .is_some_and(|run| *run <= t)
    };
    let reversed = reversed_commissions(settlement, as_of);
    let mut sections: BTreeMap<Currency, Section> = BTreeMap::new();
    for b in settlement.balances.iter().filter(|b| b.creator == creator) {
        section(&mut sections, b.currency);
    }
    for (i, line) in settlement.lines.iter().enumerate() {
        if line.key.creator != creator {
            continue;
        }
        let earned_at = line.at.filter(|at| *at <= as_of);
        if earned_at.is_none() && line.kind != LineKind::Milestone {
            continue;
        }
        let paid = earned_at.is_some() && paid_by(&line.paid_in, as_of);
        let state = match earned_at {
            None => LineState::NotEarned,
            Some(_) if reversed.contains_key(&commission_of(settlement, i)) => LineState::Reversed,
            Some(_) if paid => LineState::Paid,
            Some(_) if line.payable_at.is_some_and(|p| p <= as_of) => LineState::Payable,
            Some(_) => LineState::Pending,
        };
        let s = section(&mut sections, line.currency);
        if let Some(at) = earned_at {
            if period_start.is_none_or(|start| at > start) {
                s.earned += line.amount;
            } else if !period_start.is_some_and(|start| paid_by(&line.paid_in, start)) {
                s.opening += line.amount;
            }
            if paid {
                s.paid += line.amount;
                if !period_start.is_some_and(|start| paid_by(&line.paid_in, start)) {
                    s.paid_in_period += line.amount;
                }
            } else if line.payable_at.is_some_and(|p| p <= as_of) {
                s.payable += line.amount;
            } else {
                s.pending += line.amount;
            }
        }
        s.lines
            .push(statement_line(line, state, paid, period_start));
    }
    for run in settlement.runs.iter().filter(|r| r.as_of <= as_of) {
        for p in run.payouts.iter().filter(|p| p.creator == creator) {
            section(&mut sections, p.currency)
                .payouts
                .push(StatementPayout {
                    run: run.key.clone(),
                    as_of: run.as_of,
                    amount: p.amount,
                });
        }
    }
    let mut sections: Vec<Section> = sections.into_values().collect();
    for s in &mut sections {
        s.closing = s.pending + s.payable;
        s.lines.sort_by_key(|l| (l.at.is_none(), l.at));
    }
    Statement {
        creator: creator.to_string(),
        as_of,
        period_start,
        sections,
    }
}

fn section(sections: &mut BTreeMap<Currency, Section>, currency: Currency) -> &mut Section {
    sections.entry(currency).or_insert_with(|| Section {
        currency,
        lines: Vec::new(),
        payouts: Vec::new(),
        opening: 0,
        earned: 0,
        paid_in_period: 0,
        closing: 0,
        pending: 0,
        payable: 0,
        paid: 0,
    })
}

/// The commission a line belongs to: itself, or the one a reversal reverses.
fn commission_of(settlement: &Settlement, i: usize) -> usize {
    match &settlement.lines[i].detail {
        LineDetail::Reversal(d) if d.before_payment => d.commission_line,
        _ => i,
    }
}

/// Commissions refunded to zero before payment by refunds up to `as_of`
/// (the engine's rule, at the statement time), by line index.
fn reversed_commissions(settlement: &Settlement, as_of: Time) -> HashMap<usize, i64> {
    let mut net: HashMap<usize, i64> = HashMap::new();
    for line in &settlement.lines {
        if let LineDetail::Reversal(d) = &line.detail {
            if d.before_payment && line.at.is_some_and(|at| at <= as_of) {
                *net.entry(d.commission_line)
                    .or_insert(settlement.lines[d.commission_line].amount) += line.amount;
            }
        }
    }
    net.retain(|c, sum| *sum == 0 && settlement.lines[*c].amount != 0);
    net
}

fn statement_line(
    line: &crate::engine::Line,
    state: LineState,
    paid: bool,
    period_start: Option<Time>,
) -> StatementLine {
    let major = |minor: i64| to_major(minor, line.currency).to_string();
    let (order_amount, fx_rate, tier, note) = match &line.detail {
        LineDetail::Milestone {
            trigger,
            share,
            base_fee,
            remainder,
        } => {
            let on = match trigger {
                Trigger::Event(e) => format!("on {e}"),
                Trigger::Date(d) => format!("on {}", d.date_naive()),
            };
            let share = if *remainder {
                "remainder".to_string()
            } else {
                share.normalize().to_string()
            };
            let note = format!("base fee {} × {share}, {on}", major(*base_fee));
            (None, None, None, note)
        }
        LineDetail::Commission(d) => {
            let tier = d.tier.zip(d.tier_value).map(|(n, v)| {
                let value = match d.kind {
                    PerformanceKind::RevShare => {
                        format!("{}%", (v * Decimal::ONE_HUNDRED).normalize())
                    }
                    PerformanceKind::Cpa => v.normalize().to_string(),
                };
                (n + 1, value)
            });
            let mut note = match d.fx {
                Some((_, date)) => {
                    format!("converted {} at the rate of {date}", major(d.converted))
                }
                None => String::new(),
            };
            if d.cap_cut > 0 {
                if !note.is_empty() {
                    note.push_str("; ");
                }
                note.push_str(&format!("cap cut {}", major(d.cap_cut)));
            }
            (Some(d.order_amount), d.fx.map(|f| f.0), tier, note)
        }
        LineDetail::Reversal(d) => {
            let refund = Money {
                minor: -d.refund_amount.minor,
                currency: d.refund_amount.currency,
            };
            let when = if d.before_payment {
                "before payment"
            } else {
                "after payment"
            };
            let note = format!(
                "refund {} {}, {when}; commission now {}",
                d.refund_amount.to_decimal(),
                d.refund_amount.currency,
                major(d.new_commission)
            );
            (Some(refund), None, None, note)
        }
    };
    StatementLine {
        at: line.at,
        campaign: line.key.campaign.clone(),
        kind: line.kind,
        reference: line.reference.clone(),
        order_amount,
        fx_rate,
        tier,
        amount: line.amount,
        payable_at: line.payable_at,
        state,
        paid_in: if paid { line.paid_in.clone() } else { None },
        in_period: line
            .at
            .is_some_and(|at| period_start.is_none_or(|start| at > start)),
        note,
    }
}

/// Header of [`to_csv`].
pub const CSV_COLUMNS: [&str; 15] = [
    "date",
    "campaign",
    "kind",
    "reference",
    "order_amount",
    "order_currency",
    "fx_rate",
    "tier",
    "tier_value",
    "commission",
    "currency",
    "status",
    "payable_at",
    "paid_in",
    "note",
];

fn time(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// One row per line, all currencies in one file; amounts are exact decimal
/// strings of the minor units (`8.00`, JPY `1200`).
pub fn to_csv(statement: &Statement) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(CSV_COLUMNS);
    for s in &statement.sections {
        for l in &s.lines {
            let order = l.order_amount;
            let _ = w.write_record([
                l.at.map(|t| t.date_naive().to_string()).unwrap_or_default(),
                l.campaign.clone(),
                l.kind.as_str().to_string(),
                l.reference.clone(),
                order
                    .map(|m| m.to_decimal().to_string())
                    .unwrap_or_default(),
                order
                    .map(|m| m.currency.code().to_string())
                    .unwrap_or_default(),
                l.fx_rate.map(|r| r.to_string()).unwrap_or_default(),
                l.tier.as_ref().map(|t| t.0.to_string()).unwrap_or_default(),
                l.tier.as_ref().map(|t| t.1.clone()).unwrap_or_default(),
                to_major(l.amount, s.currency).to_string(),
                s.currency.code().to_string(),
                l.state.as_str().to_string(),
                l.payable_at.map(time).unwrap_or_default(),
                l.paid_in.clone().unwrap_or_default(),
                l.note.clone(),
            ]);
        }
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::explain;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> Time {
        s.parse::<DateTime<Utc>>().unwrap()
    }

    fn spec_example() -> Settlement {
        explain(include_str!("../tests/fixtures/spec_example.json"))
            .unwrap()
            .settlement
    }

    /// Two campaigns in two currencies, an EUR order converted, a cap, a
    /// refund after payment and two runs.
    fn richer() -> Settlement {
        explain(
            r#"{
          "currency_rates": [{"date": "2026-03-01", "from": "EUR", "to": "USD", "rate": "1.0850"}],
          "deals": [
            {"creator": "maya", "campaign": "spring", "currency": "USD", "base_fee": "100.00",
             "milestones": [{"event": "signed", "share": "1"}],
             "performance": {"type": "rev_share", "basis": "orders",
                             "tiers": [{"from": "0", "rate": "0.10"}, {"from": "2", "rate": "0.20"}],
                             "cap": "30.00"},
             "hold_days": 10},
            {"creator": "maya", "campaign": "tokyo", "currency": "JPY",
             "performance": {"type": "cpa", "basis": "orders", "tiers": [{"from": "0", "amount": "500"}]},
             "hold_days": 0},
            {"creator": "zoe", "campaign": "spring", "currency": "USD", "base_fee": "50.00",
             "milestones": [{"event": "signed", "share": "1"}]}
          ],
          "events": [{"creator": "maya", "campaign": "spring", "event": "signed", "at": "2026-03-01T09:00:00Z"},
                     {"creator": "zoe", "campaign": "spring", "event": "signed", "at": "2026-03-02T09:00:00Z"}],
          "orders": [
            {"order_id": "A1", "creator": "maya", "campaign": "spring", "at": "2026-03-02T10:00:00Z", "amount": "100.00", "currency": "EUR"},
            {"order_id": "A2", "creator": "maya", "campaign": "spring", "at": "2026-03-03T10:00:00Z", "amount": "50.00", "currency": "USD"},
            {"order_id": "A3", "creator": "maya", "campaign": "spring", "at": "2026-03-04T10:00:00Z", "amount": "200.00", "currency": "USD"},
            {"order_id": "T1", "creator": "maya", "campaign": "tokyo", "at": "2026-03-05T10:00:00Z", "amount": "3000", "currency": "JPY"},
            {"order_id": "A4", "creator": "maya", "campaign": "spring", "at": "2026-04-20T10:00:00Z", "amount": "10.00", "currency": "USD"}
          ],
          "refunds": [{"order_id": "A2", "at": "2026-04-05T00:00:00Z", "amount": "50.00"}],
          "payout_runs": [{"key": "2026-03", "as_of": "2026-03-31T23:59:59Z", "min_payout": "0.01"},
                          {"key": "2026-04", "as_of": "2026-04-30T23:59:59Z", "min_payout": "1000.00"}]
        }"#,
        )
        .unwrap()
        .settlement
    }

    fn usd(s: &Statement) -> &Section {
        s.sections
            .iter()
            .find(|x| x.currency == Currency::USD)
            .unwrap()
    }

    #[test]
    fn spec_example_statement_is_hand_checked() {
        let s = spec_example();
        let st = build(&s, "maya", at("2026-04-30T23:59:59Z"));
        assert_eq!(
            st.period_start, None,
            "the only run is at the statement time"
        );
        assert_eq!(st.sections.len(), 1);
        let sec = usd(&st);
        // signed 250.00, published not earned, order 1001 8.00, refund -2.00.
        let rows: Vec<(&str, &str, i64, &str)> = sec
            .lines
            .iter()
            .map(|l| {
                (
                    l.kind.as_str(),
                    l.reference.as_str(),
                    l.amount,
                    l.state.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("milestone", "signed", 25000, "paid"),
                ("commission", "1001", 800, "paid"),
                ("reversal", "1001", -200, "paid"),
                ("milestone", "published", 25000, "not_earned"),
            ]
        );
        assert_eq!(
            (sec.opening, sec.earned, sec.paid_in_period),
            (0, 25600, 25600)
        );
        assert_eq!(
            (sec.pending, sec.payable, sec.paid, sec.closing),
            (0, 0, 25600, 0)
        );
        assert_eq!(sec.payouts.len(), 1);
        assert_eq!(
            (sec.payouts[0].run.as_str(), sec.payouts[0].amount),
            ("2026-04", 25600)
        );
        let csv = to_csv(&st);
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), CSV_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "2026-03-01,spring,milestone,signed,,,,,,250.00,USD,paid,2026-03-01T09:00:00Z,2026-04,\"base fee 500.00 × 0.5, on signed\""
        );
        assert_eq!(
            lines.next().unwrap(),
            "2026-03-20,spring,commission,1001,80.00,USD,,1,10%,8.00,USD,paid,2026-04-19T18:00:00Z,2026-04,"
        );
        assert_eq!(
            lines.next().unwrap(),
            "2026-03-25,spring,reversal,1001,-20.00,USD,,,,-2.00,USD,paid,2026-04-19T18:00:00Z,2026-04,\"refund 20.00 USD, before payment; commission now 6.00\""
        );
        assert!(lines
            .next()
            .unwrap()
            .starts_with(",spring,milestone,published,,,,,,250.00,USD,not_earned,,,"));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn before_the_run_nothing_is_paid_and_the_hold_shows() {
        let s = spec_example();
        let st = build(&s, "maya", at("2026-04-01T00:00:00Z"));
        let sec = usd(&st);
        assert_eq!((sec.pending, sec.payable, sec.paid), (600, 25000, 0));
        assert_eq!(sec.closing, 25600);
        let order = sec.lines.iter().find(|l| l.reference == "1001").unwrap();
        assert_eq!(
            (order.state, order.paid_in.as_deref()),
            (LineState::Pending, None)
        );
    }

    #[test]
    fn converted_capped_and_refunded_after_payment() {
        let s = richer();
        let st = build(&s, "maya", at("2026-04-30T23:59:59Z"));
        assert_eq!(st.period_start, Some(at("2026-03-31T23:59:59Z")));
        assert_eq!(
            st.sections
                .iter()
                .map(|x| x.currency.code())
                .collect::<Vec<_>>(),
            vec!["JPY", "USD"]
        );
        let sec = usd(&st);
        // A1: 100.00 EUR × 1.0850 = 108.50 USD × 10% = 10.85 (tier 1, 0 earlier orders).
        let a1 = sec.lines.iter().find(|l| l.reference == "A1").unwrap();
        assert_eq!(a1.amount, 1085);
        assert_eq!(a1.fx_rate, Some(Decimal::new(10850, 4)));
        assert_eq!(a1.tier, Some((1, "10%".into())));
        // A2: 50.00 × 10% = 5.00 (1 earlier order, still tier 1).
        // A3: 200.00 × 20% = 40.00 uncapped; cap room 30.00 - 15.85 = 14.15.
        let a3 = sec
            .lines
            .iter()
            .find(|l| l.reference == "A3" && l.kind == LineKind::Commission)
            .unwrap();
        assert_eq!(a3.amount, 1415);
        assert_eq!(a3.tier, Some((2, "20%".into())));
        assert!(a3.note.contains("cap cut 25.85"), "{}", a3.note);
        // Run 2026-03 paid 100.00 + 10.85 + 5.00 + 14.15 = 130.00 (holds of 10 days ended).
        // A2 refunded in full after payment: -5.00 payable at once; A4 earns 0 (cap reached).
        let a2_rev = sec
            .lines
            .iter()
            .find(|l| l.reference == "A2" && l.kind == LineKind::Reversal)
            .unwrap();
        assert_eq!((a2_rev.amount, a2_rev.state), (-500, LineState::Payable));
        assert_eq!(sec.opening, 0, "everything owed at the first run was paid");
        assert_eq!(sec.earned, -500);
        assert_eq!(
            sec.paid_in_period, 0,
            "2026-04 pays nothing below its minimum"
        );
        assert_eq!((sec.pending, sec.payable, sec.paid), (0, -500, 13000));
        assert_eq!(sec.closing, -500);
        assert_eq!(sec.opening + sec.earned - sec.paid_in_period, sec.closing);
        let jpy = &st.sections[0];
        assert_eq!((jpy.paid, jpy.payable), (500, 0));
        let csv = to_csv(&st);
        assert!(
            csv.contains(",A1,100.00,EUR,1.0850,1,10%,10.85,USD,paid,"),
            "{csv}"
        );
        assert!(csv.contains(",T1,3000,JPY,,1,500,500,JPY,paid,"), "{csv}");
        assert!(!csv.contains("zoe"));
    }

    #[test]
    fn totals_equal_the_engine_balances() {
        for s in [spec_example(), richer()] {
            let as_of = s.as_of.unwrap();
            for creator in ["maya", "zoe"] {
                let st = build(&s, creator, as_of);
                let mine: Vec<_> = s.balances.iter().filter(|b| b.creator == creator).collect();
                assert_eq!(st.sections.len(), mine.len(), "{creator}");
                for (sec, b) in st.sections.iter().zip(mine) {
                    assert_eq!(sec.currency, b.currency);
                    assert_eq!(
                        (sec.pending, sec.payable, sec.paid),
                        (b.pending, b.payable, b.paid),
                        "{creator} {}",
                        b.currency
                    );
                    assert_eq!(sec.closing, b.pending + b.payable);
                    assert_eq!(sec.opening + sec.earned - sec.paid_in_period, sec.closing);
                    let paid: i64 = sec.payouts.iter().map(|p| p.amount).sum();
                    assert_eq!(paid, b.paid, "payouts add up to what was paid");
                }
            }
        }
    }
}
