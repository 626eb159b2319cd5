//! Hand-computed scenarios, one per pinned edge case of
//! `formats/settlement-scenario.md`. Each expected figure is worked out in
//! the comment above it.

use chorus_settlement::{explain, ScenarioError};
use serde_json::{json, Value};

fn run(scenario: Value) -> Value {
    explain(&scenario.to_string())
        .expect("scenario settles")
        .to_json()
}

fn deal(creator: &str, currency: &str, performance: Value, hold_days: Option<u32>) -> Value {
    let mut d = json!({"creator": creator, "campaign": "spring", "currency": currency, "performance": performance});
    if let Some(h) = hold_days {
        d["hold_days"] = json!(h);
    }
    d
}

fn order(id: &str, creator: &str, at: &str, amount: &str, currency: &str) -> Value {
    json!({"order_id": id, "creator": creator, "campaign": "spring", "at": at, "amount": amount, "currency": currency})
}

fn rev_share(rate: &str) -> Value {
    json!({"type": "rev_share", "basis": "revenue", "tiers": [{"from": "0", "rate": rate}]})
}

fn lines<'a>(out: &'a Value, kind: &str, reference: &str) -> Vec<&'a Value> {
    out["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == kind && l["ref"] == reference)
        .collect()
}

fn amounts(out: &Value, kind: &str) -> Vec<String> {
    out["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == kind)
        .map(|l| l["amount"].as_str().unwrap().to_string())
        .collect()
}

fn balance(creator: &str, currency: &str, pending: &str, payable: &str, paid: &str) -> Value {
    json!({"creator": creator, "currency": currency, "pending": pending, "payable": payable, "paid": paid})
}

fn error_codes(out: &Value) -> Vec<String> {
    out["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn spec_example() {
    let out = explain(include_str!("fixtures/spec_example.json"))
        .unwrap()
        .to_json();
    assert_eq!(
        out["runs"],
        json!([{"key": "2026-04", "payouts": [{"creator": "maya", "currency": "USD", "amount": "256.00"}]}])
    );
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "0.00", "0.00", "256.00")])
    );
    assert_eq!(out["errors"], json!([]));
    let signed = lines(&out, "milestone", "signed");
    assert_eq!(
        (
            signed[0]["amount"].as_str(),
            signed[0]["payable_at"].as_str()
        ),
        (Some("250.00"), Some("2026-03-01T09:00:00Z"))
    );
    assert_eq!(
        lines(&out, "milestone", "published")[0]["status"],
        "not_earned"
    );
    let c = lines(&out, "commission", "1001");
    assert_eq!(
        (c[0]["amount"].as_str(), c[0]["after_refunds"].as_str()),
        (Some("8.00"), Some("6.00"))
    );
    assert_eq!(c[0]["payable_at"], "2026-04-19T18:00:00Z");
    let r = lines(&out, "reversal", "1001");
    assert_eq!(
        (r[0]["amount"].as_str(), r[0]["payable_at"].as_str()),
        (Some("-2.00"), Some("2026-04-19T18:00:00Z"))
    );
    assert!(explain(include_str!("fixtures/spec_example.json"))
        .unwrap()
        .to_text()
        .contains("256.00"));
}

/// JPY has no minor unit: 10001 × 1/2 = 5000.5 → 5000 (half-to-even), the
/// last milestone takes 5001; 12345 × 0.05 = 617.25 → 617. Paid 10618.
#[test]
fn jpy_has_zero_decimals() {
    let mut d = deal(
        "kenji",
        "JPY",
        json!({"type": "rev_share", "rate": "0.05"}),
        Some(0),
    );
    d["base_fee"] = json!("10001");
    d["milestones"] =
        json!([{"event": "signed", "share": "1/2"}, {"event": "published", "share": "1/2"}]);
    let out = run(json!({
        "deals": [d],
        "events": [{"creator": "kenji", "campaign": "spring", "event": "signed", "at": "2026-01-05T00:00:00Z"},
                   {"creator": "kenji", "campaign": "spring", "event": "published", "at": "2026-01-10T00:00:00Z"}],
        "orders": [order("J1", "kenji", "2026-01-20T00:00:00Z", "12345", "JPY")],
        "payout_runs": [{"key": "jan", "as_of": "2026-01-31T00:00:00Z", "min_payout": "1000"}]
    }));
    assert_eq!(amounts(&out, "milestone"), ["5000", "5001"]);
    assert_eq!(amounts(&out, "commission"), ["617"]);
    assert_eq!(out["runs"][0]["payouts"][0]["amount"], "10618");
    assert_eq!(
        out["balances"],
        json!([balance("kenji", "JPY", "0", "0", "10618")])
    );
}

/// Rates EUR→USD: 03-01 1.0850, 03-10 1.1000, 03-25 1.2000.
/// E1 at 03-20: latest earlier date 03-10 → 100.00 × 1.1 = 110.00 → 11.00.
/// E2 at 2026-03-25T00:30+02:00 is 03-24 in UTC → 1.1: 33.33 × 1.1 = 36.663
/// → 36.66 → 3.666 → 3.67. E3 at 02-28 has no rate; the USD→EUR rate is
/// never inverted → error, skipped.
#[test]
fn foreign_currency_uses_latest_earlier_utc_date() {
    let out = run(json!({
        "currency_rates": [
            {"date": "2026-03-01", "from": "EUR", "to": "USD", "rate": "1.0850"},
            {"date": "2026-03-10", "from": "EUR", "to": "USD", "rate": "1.1000"},
            {"date": "2026-03-25", "from": "EUR", "to": "USD", "rate": "1.2000"},
            {"date": "2026-02-01", "from": "USD", "to": "EUR", "rate": "0.9000"}],
        "deals": [deal("maya", "USD", rev_share("0.10"), None)],
        "orders": [order("E1", "maya", "2026-03-20T12:00:00Z", "100.00", "EUR"),
                   order("E2", "maya", "2026-03-25T00:30:00+02:00", "33.33", "EUR"),
                   order("E3", "maya", "2026-02-28T12:00:00Z", "10.00", "EUR")]
    }));
    let e1 = lines(&out, "commission", "E1");
    assert_eq!(
        (e1[0]["converted"].as_str(), e1[0]["amount"].as_str()),
        (Some("110.00"), Some("11.00"))
    );
    assert_eq!(e1[0]["fx_date"], "2026-03-10");
    let e2 = lines(&out, "commission", "E2");
    assert_eq!(
        (e2[0]["converted"].as_str(), e2[0]["amount"].as_str()),
        (Some("36.66"), Some("3.67"))
    );
    assert!(lines(&out, "commission", "E3").is_empty());
    assert_eq!(error_codes(&out), ["no_rate"]);
    // No runs: balances as of the latest order time (E2), both on hold.
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "14.67", "0.00", "0.00")])
    );
}

/// A refund of a foreign-currency order converts at the order's date rate
/// (1.10), not the refund's (1.20): net 60.00 EUR → 66.00 USD → 6.60,
/// reversal 6.60 − 11.00 = −4.40.
#[test]
fn refund_of_foreign_order_uses_order_date_rate() {
    let out = run(json!({
        "currency_rates": [
            {"date": "2026-03-10", "from": "EUR", "to": "USD", "rate": "1.1000"},
            {"date": "2026-03-25", "from": "EUR", "to": "USD", "rate": "1.2000"}],
        "deals": [deal("maya", "USD", rev_share("0.10"), None)],
        "orders": [order("E1", "maya", "2026-03-20T12:00:00Z", "100.00", "EUR")],
        "refunds": [{"order_id": "E1", "at": "2026-03-28T00:00:00Z", "amount": "40.00"}]
    }));
    assert_eq!(amounts(&out, "reversal"), ["-4.40"]);
    assert_eq!(lines(&out, "commission", "E1")[0]["after_refunds"], "6.60");
}

/// cpa tiers by orders: from 0 → 5.00, from 2 → 8.00. Order "1" at t1, then
/// "10" and "9" tie at t2 and sort as strings ("10" < "9"): "10" has 1
/// earlier order → 5.00, "9" has 2 → 8.00.
#[test]
fn tiers_by_orders_with_string_tie_break() {
    let perf = json!({"type": "cpa", "basis": "orders", "tiers": [{"from": "0", "amount": "5.00"}, {"from": "2", "amount": "8.00"}]});
    let out = run(json!({
        "deals": [deal("maya", "USD", perf, Some(0))],
        "orders": [order("9", "maya", "2026-03-02T00:00:00Z", "1.00", "USD"),
                   order("10", "maya", "2026-03-02T00:00:00Z", "1.00", "USD"),
                   order("1", "maya", "2026-03-01T00:00:00Z", "1.00", "USD")]
    }));
    assert_eq!(lines(&out, "commission", "1")[0]["amount"], "5.00");
    assert_eq!(lines(&out, "commission", "10")[0]["amount"], "5.00");
    assert_eq!(lines(&out, "commission", "9")[0]["amount"], "8.00");
}

/// A tier list starting above the figure earns 0 for that order.
#[test]
fn tier_above_figure_earns_zero() {
    let perf =
        json!({"type": "cpa", "basis": "orders", "tiers": [{"from": "1", "amount": "5.00"}]});
    let out = run(json!({
        "deals": [deal("maya", "USD", perf, Some(0))],
        "orders": [order("a", "maya", "2026-03-01T00:00:00Z", "10.00", "USD"),
                   order("b", "maya", "2026-03-02T00:00:00Z", "10.00", "USD")]
    }));
    assert_eq!(amounts(&out, "commission"), ["0.00", "5.00"]);
}

/// rev_share by revenue: from 0 → 10%, from 100.00 → 20%. Orders 60, 50,
/// 30: figures 0, 60, 110 → 6.00, 5.00, 6.00. A EUR order without a rate
/// between them does not count toward the figure.
#[test]
fn tiers_by_revenue() {
    let perf = json!({"type": "rev_share", "basis": "revenue", "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100.00", "rate": "0.20"}]});
    let out = run(json!({
        "deals": [deal("maya", "USD", perf, None)],
        "orders": [order("o1", "maya", "2026-03-01T00:00:00Z", "60.00", "USD"),
                   order("o2", "maya", "2026-03-02T00:00:00Z", "50.00", "USD"),
                   order("ox", "maya", "2026-03-02T12:00:00Z", "500.00", "EUR"),
                   order("o3", "maya", "2026-03-03T00:00:00Z", "30.00", "USD")]
    }));
    assert_eq!(amounts(&out, "commission"), ["6.00", "5.00", "6.00"]);
    assert_eq!(lines(&out, "commission", "o3")[0]["basis_figure"], "110.00");
    assert_eq!(error_codes(&out), ["no_rate"]);
}

/// Cap 10.00 at 10%: o1 60 → 6.00; o2 50 → 5.00 cut to 4.00; o3 30 → 0.
/// Refund o2 10 → min(4.00, 4.00) = 4.00, reversal 0; again 15 → net 25 →
/// min(2.50, 4.00) → −1.50. o3 refunded fully → 0. o1 refunded fully →
/// −6.00. Cap room is not freed: o4 later still earns 0.
#[test]
fn cap_crossing_then_refund_of_cut_order() {
    let mut perf = rev_share("0.10");
    perf["cap"] = json!("10.00");
    let out = run(json!({
        "deals": [deal("maya", "USD", perf, Some(0))],
        "orders": [order("o1", "maya", "2026-03-01T00:00:00Z", "60.00", "USD"),
                   order("o2", "maya", "2026-03-02T00:00:00Z", "50.00", "USD"),
                   order("o3", "maya", "2026-03-03T00:00:00Z", "30.00", "USD"),
                   order("o4", "maya", "2026-03-10T00:00:00Z", "40.00", "USD")],
        "refunds": [{"order_id": "o2", "at": "2026-03-04T00:00:00Z", "amount": "10.00"},
                    {"order_id": "o2", "at": "2026-03-05T00:00:00Z", "amount": "15.00"},
                    {"order_id": "o3", "at": "2026-03-06T00:00:00Z", "amount": "30.00"},
                    {"order_id": "o1", "at": "2026-03-07T00:00:00Z", "amount": "60.00"}],
        "payout_runs": [{"key": "m", "as_of": "2026-03-31T00:00:00Z", "min_payout": "0"}]
    }));
    assert_eq!(
        amounts(&out, "commission"),
        ["6.00", "4.00", "0.00", "0.00"]
    );
    assert_eq!(lines(&out, "commission", "o2")[0]["cap_cut"], "1.00");
    assert_eq!(
        amounts(&out, "reversal"),
        ["0.00", "-1.50", "0.00", "-6.00"]
    );
    assert_eq!(lines(&out, "commission", "o1")[0]["status"], "reversed");
    assert_eq!(
        out["runs"][0]["payouts"],
        json!([{"creator": "maya", "currency": "USD", "amount": "2.50"}])
    );
}

/// Hold 10 days. A 100.00 → 10.00, paid in r1. Full refund after payment →
/// −10.00 payable at once. B 50.00 → 5.00. r2: −10 + 5 = −5 → not paid,
/// payable −5.00 carries. C 200.00 → 20.00. r3: −10 + 5 + 20 = 15.00 paid.
#[test]
fn refund_after_payment_carries_negative_balance() {
    let base = json!({
        "deals": [deal("maya", "USD", rev_share("0.10"), Some(10))],
        "orders": [order("A", "maya", "2026-03-01T00:00:00Z", "100.00", "USD"),
                   order("B", "maya", "2026-04-10T00:00:00Z", "50.00", "USD"),
                   order("C", "maya", "2026-05-01T00:00:00Z", "200.00", "USD")],
        "refunds": [{"order_id": "A", "at": "2026-04-05T00:00:00Z", "amount": "100.00"}],
        "payout_runs": [{"key": "r1", "as_of": "2026-03-31T00:00:00Z"},
                        {"key": "r2", "as_of": "2026-04-30T00:00:00Z"}]
    });
    let out = run(base.clone());
    let rev = lines(&out, "reversal", "A");
    assert_eq!(
        (
            rev[0]["amount"].as_str(),
            rev[0]["before_payment"].as_bool()
        ),
        (Some("-10.00"), Some(false))
    );
    assert_eq!(rev[0]["payable_at"], "2026-04-05T00:00:00Z");
    assert_eq!(out["runs"][1]["payouts"], json!([]));
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "0.00", "-5.00", "10.00")])
    );
    let mut more = base;
    more["payout_runs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"key": "r3", "as_of": "2026-05-31T00:00:00Z"}));
    let out = run(more);
    assert_eq!(out["runs"][2]["payouts"][0]["amount"], "15.00");
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "0.00", "0.00", "25.00")])
    );
}

/// min 50.00: r1 has 30.00 payable → carried; r2 has 30 + 30 = 60.00 → paid.
#[test]
fn min_payout_carries_over() {
    let out = run(json!({
        "deals": [deal("maya", "USD", json!({"type": "cpa", "amount": "30.00"}), Some(0))],
        "orders": [order("a", "maya", "2026-03-01T00:00:00Z", "1.00", "USD"),
                   order("b", "maya", "2026-04-01T00:00:00Z", "1.00", "USD")],
        "payout_runs": [{"key": "r1", "as_of": "2026-03-31T00:00:00Z", "min_payout": "50.00"},
                        {"key": "r2", "as_of": "2026-04-30T00:00:00Z", "min_payout": "50.00"}]
    }));
    assert_eq!(
        out["runs"],
        json!([{"key": "r1", "payouts": []},
        {"key": "r2", "payouts": [{"creator": "maya", "currency": "USD", "amount": "60.00"}]}])
    );
}

/// A repeated key is skipped (even with a later as_of, even after a later
/// run) and does not appear twice; balances are as of the last run not skipped.
#[test]
fn repeated_run_key_is_skipped() {
    let out = run(json!({
        "deals": [deal("maya", "USD", json!({"type": "cpa", "amount": "30.00"}), Some(0))],
        "orders": [order("a", "maya", "2026-03-01T00:00:00Z", "1.00", "USD"),
                   order("b", "maya", "2026-04-15T00:00:00Z", "1.00", "USD")],
        "payout_runs": [{"key": "r1", "as_of": "2026-03-31T00:00:00Z"},
                        {"key": "r1", "as_of": "2026-04-30T00:00:00Z"},
                        {"key": "r2", "as_of": "2026-04-10T00:00:00Z"},
                        {"key": "r1", "as_of": "2026-03-31T00:00:00Z"}]
    }));
    assert_eq!(
        out["runs"],
        json!([
        {"key": "r1", "payouts": [{"creator": "maya", "currency": "USD", "amount": "30.00"}]},
        {"key": "r2", "payouts": []}])
    );
    // Order b (04-15) is after r2's as_of (04-10): not in the balances.
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "0.00", "0.00", "30.00")])
    );
    assert_eq!(lines(&out, "commission", "b")[0]["status"], "after_as_of");
}

/// Everything at exactly as_of belongs to the run: the event's milestone and
/// the order (hold 0) are paid, and the refund at as_of is applied first,
/// so it reduces the unpaid commission (20.00 → 15.00) instead of creating
/// a negative line.
#[test]
fn tie_at_as_of_belongs_to_the_run() {
    let at = "2026-04-30T23:59:59Z";
    let mut d = deal("maya", "USD", rev_share("0.10"), Some(0));
    d["base_fee"] = json!("100.00");
    d["milestones"] = json!([{"event": "published", "share": "1"}]);
    let out = run(json!({
        "deals": [d],
        "events": [{"creator": "maya", "campaign": "spring", "event": "published", "at": at}],
        "orders": [order("o", "maya", at, "200.00", "USD")],
        "refunds": [{"order_id": "o", "at": at, "amount": "50.00"}],
        "payout_runs": [{"key": "r", "as_of": at, "min_payout": "0"}]
    }));
    assert_eq!(out["runs"][0]["payouts"][0]["amount"], "115.00");
    assert_eq!(lines(&out, "reversal", "o")[0]["before_payment"], true);
}

/// Default hold 30 days: payable at exactly order.at + 30 days.
#[test]
fn hold_defaults_to_30_days_and_ends_exactly() {
    let scenario = |as_of: &str| {
        json!({
            "deals": [deal("maya", "USD", json!({"type": "cpa", "amount": "10.00"}), None)],
            "orders": [order("a", "maya", "2026-03-01T00:00:00Z", "1.00", "USD")],
            "payout_runs": [{"key": "r", "as_of": as_of}]
        })
    };
    let before = run(scenario("2026-03-30T23:59:59Z"));
    assert_eq!(before["runs"][0]["payouts"], json!([]));
    assert_eq!(before["balances"][0]["pending"], "10.00");
    let at = run(scenario("2026-03-31T00:00:00Z"));
    assert_eq!(at["runs"][0]["payouts"][0]["amount"], "10.00");
    assert_eq!(
        lines(&at, "commission", "a")[0]["payable_at"],
        "2026-03-31T00:00:00Z"
    );
}

/// 100.00 in thirds: 33.33, 33.33 and the remainder 33.34. A repeated event
/// counts at its first occurrence; an event with no milestone is ignored;
/// an event of no deal is an error.
#[test]
fn milestones_thirds_and_repeated_events() {
    let mut d = deal("maya", "USD", Value::Null, None);
    d["base_fee"] = json!("100.00");
    d["milestones"] = json!([{"event": "signed", "share": "1/3"}, {"event": "approved", "share": "1/3"}, {"event": "published", "share": "1/3"}]);
    let ev = |event: &str, at: &str| json!({"creator": "maya", "campaign": "spring", "event": event, "at": at});
    let out = run(json!({
        "deals": [d],
        "events": [ev("signed", "2026-03-05T00:00:00Z"), ev("signed", "2026-03-01T00:00:00Z"), ev("kickoff", "2026-03-02T00:00:00Z"),
                   json!({"creator": "nobody", "campaign": "spring", "event": "signed", "at": "2026-03-01T00:00:00Z"})]
    }));
    assert_eq!(amounts(&out, "milestone"), ["33.33", "33.33", "33.34"]);
    assert_eq!(
        lines(&out, "milestone", "signed")[0]["payable_at"],
        "2026-03-01T00:00:00Z"
    );
    assert_eq!(error_codes(&out), ["no_deal"]);
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "0.00", "33.33", "0.00")])
    );
}

#[test]
fn base_fee_without_milestones_earns_nothing() {
    let mut d = deal("maya", "USD", Value::Null, None);
    d["base_fee"] = json!("500.00");
    let out =
        run(json!({"deals": [d], "payout_runs": [{"key": "r", "as_of": "2026-04-30T00:00:00Z"}]}));
    assert_eq!(error_codes(&out), ["base_fee_without_milestones"]);
    assert!(out["lines"].as_array().unwrap().is_empty());
    assert_eq!(
        out["balances"],
        json!([balance("maya", "USD", "0.00", "0.00", "0.00")])
    );
}

/// cpa: a partial refund keeps the full amount; only a full refund zeroes it.
#[test]
fn cpa_zero_only_when_fully_refunded() {
    let out = run(json!({
        "deals": [deal("maya", "USD", json!({"type": "cpa", "amount": "7.00"}), None)],
        "orders": [order("a", "maya", "2026-03-01T00:00:00Z", "50.00", "USD")],
        "refunds": [{"order_id": "a", "at": "2026-03-02T00:00:00Z", "amount": "49.99"},
                    {"order_id": "a", "at": "2026-03-03T00:00:00Z", "amount": "0.01"}]
    }));
    assert_eq!(amounts(&out, "reversal"), ["0.00", "-7.00"]);
    assert_eq!(lines(&out, "commission", "a")[0]["status"], "reversed");
}

#[test]
fn unmatched_orders_and_refunds_are_errors() {
    let out = run(json!({
        "deals": [deal("maya", "USD", rev_share("0.10"), None)],
        "orders": [order("x", "ghost", "2026-03-01T00:00:00Z", "10.00", "USD")],
        "refunds": [{"order_id": "nope", "at": "2026-03-02T00:00:00Z", "amount": "1.00"}]
    }));
    assert_eq!(error_codes(&out), ["no_deal", "no_order"]);
    assert!(out["lines"].as_array().unwrap().is_empty());
}

/// Balances are per creator and currency, sorted; min_payout is compared in
/// each currency's own units (50 JPY is not paid, 60.00 USD is).
#[test]
fn min_payout_per_currency() {
    let mut jpy = deal(
        "maya",
        "JPY",
        json!({"type": "cpa", "amount": "50"}),
        Some(0),
    );
    jpy["campaign"] = json!("autumn");
    let out = run(json!({
        "deals": [deal("maya", "USD", json!({"type": "cpa", "amount": "60.00"}), Some(0)), jpy],
        "orders": [order("u", "maya", "2026-03-01T00:00:00Z", "1.00", "USD"),
                   json!({"order_id": "j", "creator": "maya", "campaign": "autumn", "at": "2026-03-01T00:00:00Z", "amount": "100", "currency": "JPY"})],
        "payout_runs": [{"key": "r", "as_of": "2026-03-31T00:00:00Z", "min_payout": "55"}]
    }));
    assert_eq!(
        out["runs"][0]["payouts"],
        json!([{"creator": "maya", "currency": "USD", "amount": "60.00"}])
    );
    assert_eq!(
        out["balances"],
        json!([
            balance("maya", "JPY", "0", "50", "0"),
            balance("maya", "USD", "0.00", "0.00", "60.00")
        ])
    );
}

fn error_of(scenario: &str) -> ScenarioError {
    explain(scenario).expect_err("scenario is refused")
}

#[test]
fn malformed_input_names_path_line_and_column() {
    let e = error_of("{\"orders\": [{\"order_id\": \"1\", \"creator\": \"m\", \"campaign\": \"c\",\n \"at\": \"2026-03-01T00:00:00Z\", \"amount\": 80.5, \"currency\": \"USD\"}]}");
    let ScenarioError::Malformed { path, line, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!((path.as_str(), *line), ("orders[0].amount", 2));
    assert!(e.to_string().contains("orders[0].amount"), "{e}");
    let e = error_of(r#"{"deals": [{"creator": "m", "campaign": "c", "currency": "US"}]}"#);
    assert!(
        e.to_string().contains("deals[0].currency") && e.to_string().contains("line 1"),
        "{e}"
    );
    let e = error_of(
        r#"{"deals": [{"creator": "m", "campaign": "c", "currency": "USD", "base_fee": "ten"}]}"#,
    );
    assert!(e.to_string().contains("deals[0].base_fee"), "{e}");
    let e = error_of(r#"{"deals": [{"creator": "m", "currency": "USD"}]}"#);
    assert!(e.to_string().contains("campaign"), "{e}");
    assert!(matches!(
        error_of("{\"deals\": ["),
        ScenarioError::Malformed { .. }
    ));
    assert!(matches!(error_of("[]"), ScenarioError::Malformed { .. }));
    assert!(matches!(error_of(""), ScenarioError::Malformed { .. }));
}

#[test]
fn invalid_values_name_the_field() {
    let e = error_of(
        r#"{"payout_runs": [{"key": "a", "as_of": "2026-04-30T00:00:00Z"}, {"key": "b", "as_of": "2026-03-31T00:00:00Z"}]}"#,
    );
    assert!(e.to_string().contains("payout_runs[1].as_of"), "{e}");
    let e = error_of(
        r#"{"deals": [{"creator": "m", "campaign": "c", "currency": "JPY", "base_fee": "12.5", "milestones": [{"event": "signed"}]}]}"#,
    );
    assert!(e.to_string().contains("deals[0].base_fee"), "{e}");
    let e = error_of(
        r#"{"orders": [{"order_id": "1", "creator": "m", "campaign": "c", "at": "2026-03-01T00:00:00Z", "amount": "1.005", "currency": "USD"}]}"#,
    );
    assert!(e.to_string().contains("orders[0].amount"), "{e}");
}
