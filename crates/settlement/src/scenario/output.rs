//! Rendering a settlement as the spec's JSON and as a readable report.
//!
//! `runs`, `balances` and their rows carry exactly the spec's keys, since
//! callers compare them whole; `lines` and `errors` are free-form and carry
//! every figure needed to check a line by hand.

use crate::engine::{
    to_major, Balance, CommissionDetail, Line, LineDetail, PerformanceKind, ReversalDetail,
    RunResult, SettleError, Settlement, Time, Trigger,
};
use chorus_core::Currency;
use chrono::SecondsFormat;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::fmt::Write;

/// Minor units as a decimal string with the currency's places ("0.00", JPY "0").
pub fn amount(minor: i64, currency: Currency) -> String {
    to_major(minor, currency).to_string()
}

pub fn time(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn to_json(s: &Settlement) -> Value {
    let after = after_refunds(s);
    let lines: Vec<Value> = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| line_json(l, after.get(&i).copied()))
        .collect();
    json!({
        "runs": s.runs.iter().map(run_json).collect::<Vec<_>>(),
        "balances": s.balances.iter().map(balance_json).collect::<Vec<_>>(),
        "lines": lines,
        "errors": s.errors.iter().map(error_json).collect::<Vec<_>>(),
    })
}

fn run_json(r: &RunResult) -> Value {
    let payouts: Vec<Value> = r
        .payouts
        .iter()
        .map(|p| json!({"creator": p.creator, "currency": p.currency.code(), "amount": amount(p.amount, p.currency)}))
        .collect();
    json!({"key": r.key, "payouts": payouts})
}

fn balance_json(b: &Balance) -> Value {
    json!({
        "creator": b.creator,
        "currency": b.currency.code(),
        "pending": amount(b.pending, b.currency),
        "payable": amount(b.payable, b.currency),
        "paid": amount(b.paid, b.currency),
    })
}

fn error_json(e: &SettleError) -> Value {
    json!({"subject": e.subject, "ref": e.reference, "code": e.code, "message": e.message})
}

/// Each commission's value after the refunds counted in the balances, so a
/// reader sees "8.00 earned, 6.00 after refunds" on the commission line
/// itself while the amounts of all lines still add up to the balances.
fn after_refunds(s: &Settlement) -> HashMap<usize, i64> {
    let mut after: HashMap<usize, i64> = HashMap::new();
    for (i, l) in s.lines.iter().enumerate() {
        if !l.status.in_balances() {
            continue;
        }
        match &l.detail {
            LineDetail::Commission(_) => *after.entry(i).or_insert(0) += l.amount,
            LineDetail::Reversal(d) => *after.entry(d.commission_line).or_insert(0) += l.amount,
            LineDetail::Milestone { .. } => {}
        }
    }
    after
}

fn line_json(l: &Line, after: Option<i64>) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), l.kind.as_str().into());
    m.insert("ref".into(), l.reference.clone().into());
    m.insert("creator".into(), l.key.creator.clone().into());
    m.insert("campaign".into(), l.key.campaign.clone().into());
    m.insert("amount".into(), amount(l.amount, l.currency).into());
    m.insert("currency".into(), l.currency.code().into());
    m.insert("status".into(), l.status.as_str().into());
    m.insert("at".into(), l.at.map(time).into());
    m.insert("payable_at".into(), l.payable_at.map(time).into());
    m.insert("paid_in".into(), l.paid_in.clone().into());
    match &l.detail {
        LineDetail::Milestone {
            trigger,
            share,
            base_fee,
            remainder,
        } => {
            let (event, date) = match trigger {
                Trigger::Event(e) => (Some(e.clone()), None),
                Trigger::Date(d) => (None, Some(time(*d))),
            };
            m.insert("event".into(), event.into());
            m.insert("date".into(), date.into());
            m.insert("share".into(), share.normalize().to_string().into());
            m.insert("base_fee".into(), amount(*base_fee, l.currency).into());
            m.insert("remainder".into(), (*remainder).into());
        }
        LineDetail::Commission(d) => {
            commission_fields(&mut m, d, l.currency);
            m.insert(
                "after_refunds".into(),
                after.map(|a| amount(a, l.currency)).into(),
            );
        }
        LineDetail::Reversal(d) => reversal_fields(&mut m, d, l.currency),
    }
    Value::Object(m)
}

fn commission_fields(m: &mut Map<String, Value>, d: &CommissionDetail, currency: Currency) {
    let order = d.order_amount;
    m.insert("type".into(), kind_str(d.kind).into());
    m.insert(
        "order_amount".into(),
        amount(order.minor, order.currency).into(),
    );
    m.insert("order_currency".into(), order.currency.code().into());
    m.insert("converted".into(), amount(d.converted, currency).into());
    m.insert("fx_rate".into(), d.fx.map(|f| f.0.to_string()).into());
    m.insert("fx_date".into(), d.fx.map(|f| f.1.to_string()).into());
    m.insert("basis_figure".into(), d.basis_figure.to_string().into());
    m.insert("tier".into(), d.tier.into());
    let value = d.tier_value.map(|v| v.to_string());
    match d.kind {
        PerformanceKind::Cpa => m.insert("tier_amount".into(), value.into()),
        PerformanceKind::RevShare => m.insert("rate".into(), value.into()),
    };
    m.insert("uncapped".into(), amount(d.uncapped, currency).into());
    m.insert("cap_cut".into(), amount(d.cap_cut, currency).into());
}

fn reversal_fields(m: &mut Map<String, Value>, d: &ReversalDetail, currency: Currency) {
    let (refund, net) = (d.refund_amount, d.net_amount);
    m.insert(
        "refund_amount".into(),
        amount(refund.minor, refund.currency).into(),
    );
    m.insert("order_currency".into(), refund.currency.code().into());
    m.insert("net_amount".into(), amount(net.minor, net.currency).into());
    m.insert("recomputed".into(), amount(d.recomputed, currency).into());
    m.insert(
        "commission_after".into(),
        amount(d.new_commission, currency).into(),
    );
    m.insert("before_payment".into(), d.before_payment.into());
}

fn kind_str(k: PerformanceKind) -> &'static str {
    match k {
        PerformanceKind::Cpa => "cpa",
        PerformanceKind::RevShare => "rev_share",
    }
}

pub fn to_text(s: &Settlement) -> String {
    let mut out = String::new();
    let as_of = s.as_of.map_or("(no activity)".to_string(), time);
    let _ = writeln!(out, "Settlement as of {as_of}\n\nLines");
    for l in &s.lines {
        let _ = writeln!(
            out,
            "  {:<10} {:<12} {:<16} {:>12} {} {:<11} payable {}{}",
            l.kind.as_str(),
            l.reference,
            l.key.to_string(),
            amount(l.amount, l.currency),
            l.currency,
            l.status.as_str(),
            l.payable_at.map_or("never".to_string(), time),
            l.paid_in
                .as_ref()
                .map_or(String::new(), |k| format!(", paid in {k}")),
        );
    }
    text_runs(&mut out, s);
    let _ = writeln!(out, "\nBalances (pending / payable / paid)");
    for b in &s.balances {
        let f = |m| amount(m, b.currency);
        let _ = writeln!(
            out,
            "  {:<16} {} {:>12} {:>12} {:>12}",
            b.creator,
            b.currency,
            f(b.pending),
            f(b.payable),
            f(b.paid)
        );
    }
    if !s.errors.is_empty() {
        let _ = writeln!(out, "\nErrors");
        for e in &s.errors {
            let _ = writeln!(out, "  {}", e.message);
        }
    }
    out
}

fn text_runs(out: &mut String, s: &Settlement) {
    let _ = writeln!(out, "\nPayout runs");
    for r in &s.runs {
        let _ = writeln!(
            out,
            "  {} as of {}: {} payout(s)",
            r.key,
            time(r.as_of),
            r.payouts.len()
        );
        for p in &r.payouts {
            let _ = writeln!(
                out,
                "    {:<16} {:>12} {}",
                p.creator,
                amount(p.amount, p.currency),
                p.currency
            );
        }
    }
    for k in &s.skipped_runs {
        let _ = writeln!(out, "  {k}: key seen before, skipped");
    }
}
