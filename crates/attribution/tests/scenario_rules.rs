//! One test per rule and per pinned edge case of
//! `formats/attribution-scenario.md`, driven through the public JSON format.

use chorus_attribution::scenario::{explain, ScenarioError};
use serde_json::{json, Value};

fn run(scenario: Value) -> Value {
    explain(&scenario.to_string())
        .unwrap_or_else(|e| panic!("scenario rejected: {e}"))
        .to_json()
}

fn fail(text: &str) -> ScenarioError {
    explain(text).expect_err("scenario should be rejected")
}

/// A base world: two creators, two campaigns (30 and 7 days), links, codes.
fn world() -> Value {
    json!({
        "policy": {"model": "last"},
        "campaigns": [{"id": "spring", "window_days": 30}, {"id": "flash", "window_days": 7}],
        "creators": [
            {"id": "maya", "customer_keys": ["cust-maya"]},
            {"id": "noah", "customer_keys": ["cust-noah"]},
            {"id": "zoe"}
        ],
        "links": [
            {"code": "mA1x", "creator": "maya", "campaign": "spring"},
            {"code": "nB2y", "creator": "noah", "campaign": "spring"},
            {"code": "zC3z", "creator": "zoe", "campaign": "spring"},
            {"code": "mF7", "creator": "maya", "campaign": "flash"},
            {"code": "ghost", "creator": "ghost", "campaign": "nowhere"}
        ],
        "codes": [
            {"code": "MAYA15", "creator": "maya", "campaign": "spring",
             "valid_from": "2026-03-01T00:00:00Z", "valid_to": "2026-04-30T23:59:59Z"},
            {"code": "NOAH10", "creator": "noah", "campaign": "spring"},
            {"code": "ÉTÉ20", "creator": "zoe", "campaign": "summer"}
        ],
        "clicks": [],
        "identifies": [],
        "orders": [],
        "refunds": []
    })
}

fn with(mut base: Value, key: &str, items: Value) -> Value {
    base[key] = items;
    base
}

fn order(id: &str, at: &str) -> Value {
    json!({"order_id": id, "at": at, "amount": "80.00", "currency": "USD",
           "customer_key": null, "click_id": null, "codes": []})
}

fn order_with(id: &str, at: &str, extra: Value) -> Value {
    let mut o = order(id, at);
    for (k, v) in extra.as_object().unwrap() {
        o[k] = v.clone();
    }
    o
}

fn click(id: &str, link: &str, at: &str) -> Value {
    json!({"click_id": id, "link": link, "at": at})
}

fn first(out: &Value) -> &Value {
    &out["attributions"][0]
}

fn credited(a: &Value) -> Vec<(String, String)> {
    a["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["creator"].as_str().unwrap().to_string(),
                c["share"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn spec_example_gives_spec_output() {
    let scenario = json!({
      "policy": {"model": "last"},
      "campaigns": [{"id": "spring", "window_days": 30}],
      "creators": [{"id": "maya", "customer_keys": ["cust-maya"]}],
      "links": [{"code": "mA1x", "creator": "maya", "campaign": "spring"}],
      "codes": [{"code": "MAYA15", "creator": "maya", "campaign": "spring",
                 "valid_from": "2026-03-01T00:00:00Z", "valid_to": "2026-04-30T23:59:59Z"}],
      "clicks": [{"click_id": "k1", "link": "mA1x", "at": "2026-03-02T10:00:00Z", "bot": false}],
      "identifies": [{"customer_key": "c-42", "click_id": "k1", "at": "2026-03-02T10:05:00Z"}],
      "orders": [{"order_id": "1001", "at": "2026-03-20T18:00:00Z", "amount": "80.00",
                  "currency": "USD", "customer_key": "c-42", "click_id": null, "codes": []}],
      "refunds": [{"order_id": "1001", "at": "2026-03-25T00:00:00Z", "amount": "20.00"}]
    });
    let expected = json!({
      "attributions": [
        {"order_id": "1001", "rule": "customer", "net_amount": "60.00", "currency": "USD",
         "credits": [{"creator": "maya", "campaign": "spring", "click_id": "k1", "share": "1"}],
         "flags": []}
      ],
      "errors": []
    });
    assert_eq!(run(scenario), expected);
}

#[test]
fn empty_document_and_null_arrays_are_empty() {
    assert_eq!(run(json!({})), json!({"attributions": [], "errors": []}));
    let s = json!({"policy": null, "orders": null, "clicks": null,
                   "campaigns": [{"id": "c"}]});
    assert_eq!(run(s), json!({"attributions": [], "errors": []}));
}

#[test]
fn code_credits_with_null_click_id() {
    let o = order_with("1", "2026-03-10T00:00:00Z", json!({"codes": ["MAYA15"]}));
    let out = run(with(world(), "orders", json!([o])));
    let a = first(&out);
    assert_eq!(a["rule"], "code");
    assert_eq!(
        a["credits"],
        json!([{"creator": "maya", "campaign": "spring", "click_id": null, "share": "1"}])
    );
}

#[test]
fn code_beats_click() {
    let s = with(
        world(),
        "clicks",
        json!([click("k1", "nB2y", "2026-03-09T00:00:00Z")]),
    );
    let o = order_with(
        "1",
        "2026-03-10T00:00:00Z",
        json!({"codes": ["MAYA15"], "click_id": "k1"}),
    );
    let out = run(with(s, "orders", json!([o])));
    assert_eq!(first(&out)["rule"], "code");
    assert_eq!(credited(first(&out)), vec![("maya".into(), "1".into())]);
}

#[test]
fn code_matching_is_case_insensitive_unicode() {
    let orders = json!([
        order_with("1", "2026-03-10T00:00:00Z", json!({"codes": ["maya15"]})),
        order_with("2", "2026-03-11T00:00:00Z", json!({"codes": ["été20"]})),
    ]);
    let out = run(with(world(), "orders", orders));
    assert_eq!(out["attributions"][0]["rule"], "code");
    assert_eq!(out["attributions"][1]["rule"], "code");
    assert_eq!(out["attributions"][1]["credits"][0]["creator"], "zoe");
    // A campaign missing from `campaigns` does not stop a code.
    assert_eq!(out["attributions"][1]["credits"][0]["campaign"], "summer");
}

#[test]
fn code_validity_is_inclusive_at_both_ends() {
    let orders = json!([
        order_with("a", "2026-03-01T00:00:00Z", json!({"codes": ["MAYA15"]})),
        order_with("b", "2026-04-30T23:59:59Z", json!({"codes": ["MAYA15"]})),
        order_with("c", "2026-02-28T23:59:59Z", json!({"codes": ["MAYA15"]})),
        order_with("d", "2026-05-01T00:00:00Z", json!({"codes": ["MAYA15"]})),
    ]);
    let out = run(with(world(), "orders", orders));
    let rules: Vec<(&str, &str)> = out["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["order_id"].as_str().unwrap(), a["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        vec![("c", "none"), ("a", "code"), ("b", "code"), ("d", "none")]
    );
}

#[test]
fn first_matching_code_in_the_order_wins() {
    // "NOPE" is unknown and MAYA15 has expired: NOAH10 is the first match.
    let o = order_with(
        "1",
        "2026-06-01T00:00:00Z",
        json!({"codes": ["NOPE", "MAYA15", "noah10", "été20"]}),
    );
    let out = run(with(world(), "orders", json!([o])));
    assert_eq!(credited(first(&out)), vec![("noah".into(), "1".into())]);
}

#[test]
fn click_window_is_inclusive_and_one_second_more_is_out() {
    let clicks = json!([
        click("k1", "mA1x", "2026-03-01T12:00:00Z"),
        click("k2", "mA1x", "2026-03-01T11:59:59Z"),
    ]);
    let orders = json!([
        order_with("1", "2026-03-31T12:00:00Z", json!({"click_id": "k1"})),
        order_with("2", "2026-03-31T12:00:00Z", json!({"click_id": "k2"})),
    ]);
    let out = run(with(with(world(), "clicks", clicks), "orders", orders));
    assert_eq!(out["attributions"][0]["rule"], "click");
    assert_eq!(out["attributions"][0]["credits"][0]["click_id"], "k1");
    assert_eq!(out["attributions"][1]["rule"], "none");
}

#[test]
fn click_window_is_the_clicks_campaigns() {
    // Link mF7 belongs to the 7-day campaign "flash".
    let clicks = json!([click("k1", "mF7", "2026-03-01T00:00:00Z")]);
    let orders = json!([
        order_with("1", "2026-03-08T00:00:00Z", json!({"click_id": "k1"})),
        order_with("2", "2026-03-08T00:00:01Z", json!({"click_id": "k1"})),
    ]);
    let out = run(with(with(world(), "clicks", clicks), "orders", orders));
    assert_eq!(out["attributions"][0]["rule"], "click");
    assert_eq!(out["attributions"][0]["credits"][0]["campaign"], "flash");
    assert_eq!(out["attributions"][1]["rule"], "none");
}

#[test]
fn unlisted_campaign_uses_default_thirty_days() {
    let mut s = world();
    s["links"] = json!([{"code": "L", "creator": "maya", "campaign": "unlisted"}]);
    s["clicks"] = json!([click("k1", "L", "2026-03-01T00:00:00Z")]);
    s["orders"] = json!([
        order_with("1", "2026-03-31T00:00:00Z", json!({"click_id": "k1"})),
        order_with("2", "2026-03-31T00:00:01Z", json!({"click_id": "k1"})),
    ]);
    let out = run(s);
    assert_eq!(out["attributions"][0]["rule"], "click");
    assert_eq!(out["attributions"][1]["rule"], "none");
}

#[test]
fn click_after_the_order_is_not_credited() {
    let s = with(
        world(),
        "clicks",
        json!([click("k1", "mA1x", "2026-03-10T00:00:01Z")]),
    );
    let o = order_with("1", "2026-03-10T00:00:00Z", json!({"click_id": "k1"}));
    assert_eq!(first(&run(with(s, "orders", json!([o]))))["rule"], "none");
}

#[test]
fn unknown_click_and_click_on_unknown_link_are_not_credited() {
    let s = with(
        world(),
        "clicks",
        json!([click("k1", "no-such-link", "2026-03-09T00:00:00Z")]),
    );
    let orders = json!([
        order_with("1", "2026-03-10T00:00:00Z", json!({"click_id": "k1"})),
        order_with("2", "2026-03-10T00:00:00Z", json!({"click_id": "k404"})),
    ]);
    let out = run(with(s, "orders", orders));
    assert_eq!(out["attributions"][0]["rule"], "none");
    assert_eq!(out["attributions"][1]["rule"], "none");
}

#[test]
fn bot_click_falls_through_to_customer_history() {
    let mut s = world();
    s["clicks"] = json!([
        {"click_id": "bot1", "link": "mA1x", "at": "2026-03-09T00:00:00Z", "bot": true},
        click("h1", "nB2y", "2026-03-05T00:00:00Z"),
    ]);
    s["identifies"] =
        json!([{"customer_key": "c1", "click_id": "h1", "at": "2026-03-05T00:00:00Z"}]);
    s["orders"] = json!([order_with(
        "1",
        "2026-03-10T00:00:00Z",
        json!({"click_id": "bot1", "customer_key": "c1"})
    )]);
    let out = run(s);
    let a = first(&out);
    assert_eq!(a["rule"], "customer");
    assert_eq!(a["credits"][0]["click_id"], "h1");
}

#[test]
fn bot_click_linked_by_identify_is_ignored() {
    let mut s = world();
    s["clicks"] =
        json!([{"click_id": "b", "link": "mA1x", "at": "2026-03-09T00:00:00Z", "bot": true}]);
    s["identifies"] =
        json!([{"customer_key": "c1", "click_id": "b", "at": "2026-03-09T00:00:00Z"}]);
    s["orders"] = json!([order_with(
        "1",
        "2026-03-10T00:00:00Z",
        json!({"customer_key": "c1"})
    )]);
    assert_eq!(first(&run(s))["rule"], "none");
}

#[test]
fn identify_counts_only_when_not_after_the_order_whatever_the_click_time() {
    let mut s = world();
    s["clicks"] = json!([
        click("k1", "mA1x", "2026-03-01T00:00:00Z"),
        click("k2", "nB2y", "2026-03-02T00:00:00Z"),
    ]);
    // k1 is identified long after its click but before the order: counts.
    // k2 is identified after the order: does not count.
    s["identifies"] = json!([
        {"customer_key": "c1", "click_id": "k1", "at": "2026-03-10T00:00:00Z"},
        {"customer_key": "c1", "click_id": "k2", "at": "2026-03-10T00:00:01Z"},
    ]);
    s["orders"] = json!([order_with(
        "1",
        "2026-03-10T00:00:00Z",
        json!({"customer_key": "c1"})
    )]);
    let out = run(s);
    assert_eq!(first(&out)["rule"], "customer");
    assert_eq!(first(&out)["credits"][0]["click_id"], "k1");
}

#[test]
fn identified_click_after_the_order_does_not_qualify() {
    let mut s = world();
    s["clicks"] = json!([click("k1", "mA1x", "2026-03-11T00:00:00Z")]);
    s["identifies"] =
        json!([{"customer_key": "c1", "click_id": "k1", "at": "2026-03-01T00:00:00Z"}]);
    s["orders"] = json!([order_with(
        "1",
        "2026-03-10T00:00:00Z",
        json!({"customer_key": "c1"})
    )]);
    assert_eq!(first(&run(s))["rule"], "none");
}

#[test]
fn earlier_order_links_its_click_to_the_customer() {
    let mut s = world();
    s["clicks"] = json!([click("k1", "mA1x", "2026-03-01T00:00:00Z")]);
    s["orders"] = json!([
        order_with("2", "2026-03-20T00:00:00Z", json!({"customer_key": "c1"})),
        order_with(
            "1",
            "2026-03-02T00:00:00Z",
            json!({"customer_key": "c1", "click_id": "k1"})
        ),
        // Beyond the 30-day window of k1: linked, but not qualifying.
        order_with("3", "2026-04-01T00:00:00Z", json!({"customer_key": "c1"})),
        order_with(
            "4",
            "2026-03-20T00:00:00Z",
            json!({"customer_key": "other"})
        ),
    ]);
    let out = run(s);
    let rules: Vec<(&str, &str)> = out["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["order_id"].as_str().unwrap(), a["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("1", "click"),
            ("2", "customer"),
            ("4", "none"),
            ("3", "none")
        ]
    );
}

#[test]
fn earlier_order_at_the_same_instant_counts_when_its_id_sorts_first() {
    let mut s = world();
    s["clicks"] = json!([click("k1", "mA1x", "2026-03-01T00:00:00Z")]);
    s["orders"] = json!([
        order_with("B", "2026-03-02T00:00:00Z", json!({"customer_key": "c1"})),
        order_with(
            "A",
            "2026-03-02T00:00:00Z",
            json!({"customer_key": "c1", "click_id": "k1"})
        ),
        order_with(
            "C",
            "2026-03-02T00:00:00Z",
            json!({"customer_key": "c2", "click_id": "k1"})
        ),
        order_with("0", "2026-03-02T00:00:00Z", json!({"customer_key": "c2"})),
    ]);
    let out = run(s);
    let rules: Vec<(&str, &str)> = out["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["order_id"].as_str().unwrap(), a["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("0", "none"),
            ("A", "click"),
            ("B", "customer"),
            ("C", "click")
        ]
    );
}

#[test]
fn earlier_order_with_unknown_click_links_nothing() {
    let mut s = world();
    s["orders"] = json!([
        order_with(
            "1",
            "2026-03-02T00:00:00Z",
            json!({"customer_key": "c1", "click_id": "nope"})
        ),
        order_with("2", "2026-03-03T00:00:00Z", json!({"customer_key": "c1"})),
    ]);
    let out = run(s);
    assert_eq!(out["attributions"][1]["rule"], "none");
}

#[test]
fn null_customer_key_skips_the_customer_rule() {
    let mut s = world();
    s["clicks"] = json!([click("k1", "mA1x", "2026-03-01T00:00:00Z")]);
    s["orders"] = json!([
        order_with("1", "2026-03-02T00:00:00Z", json!({"click_id": "k1"})),
        order_with("2", "2026-03-03T00:00:00Z", json!({})),
        {"order_id": "3", "at": "2026-03-03T00:00:00Z", "amount": "1.00", "currency": "USD"},
    ]);
    let out = run(s);
    assert_eq!(out["attributions"][1]["rule"], "none");
    assert_eq!(out["attributions"][2]["rule"], "none");
}

fn history_world(model: &str) -> Value {
    let mut s = world();
    s["policy"] = json!({"model": model});
    s["clicks"] = json!([
        click("k3", "mA1x", "2026-03-05T00:00:00Z"),
        click("k2", "mA1x", "2026-03-05T00:00:00Z"),
        click("k9", "nB2y", "2026-03-01T00:00:00Z"),
        click("k8", "nB2y", "2026-03-01T00:00:00Z"),
        click("k5", "zC3z", "2026-03-03T00:00:00Z"),
        click("k1", "mA1x", "2026-03-02T00:00:00Z"),
    ]);
    s["identifies"] = json!(["k1", "k2", "k3", "k5", "k8", "k9"]
        .iter()
        .map(|k| json!({"customer_key": "c1", "click_id": k, "at": "2026-03-06T00:00:00Z"}))
        .collect::<Vec<_>>());
    s["orders"] = json!([order_with(
        "1",
        "2026-03-10T00:00:00Z",
        json!({"customer_key": "c1"})
    )]);
    s
}

#[test]
fn last_takes_the_latest_click_ties_by_smallest_click_id() {
    let out = run(history_world("last"));
    assert_eq!(first(&out)["credits"][0]["click_id"], "k2");
}

#[test]
fn first_takes_the_earliest_click_ties_by_smallest_click_id() {
    let out = run(history_world("first"));
    assert_eq!(first(&out)["credits"][0]["click_id"], "k8");
}

#[test]
fn missing_policy_means_last() {
    let mut s = history_world("last");
    s.as_object_mut().unwrap().remove("policy");
    assert_eq!(first(&run(s))["credits"][0]["click_id"], "k2");
}

#[test]
fn linear_splits_equally_per_creator_with_each_latest_click() {
    let out = run(history_world("linear"));
    assert_eq!(
        first(&out)["credits"],
        json!([
            {"creator": "maya", "campaign": "spring", "click_id": "k2", "share": "1/3"},
            {"creator": "noah", "campaign": "spring", "click_id": "k8", "share": "1/3"},
            {"creator": "zoe", "campaign": "spring", "click_id": "k5", "share": "1/3"},
        ])
    );
}

#[test]
fn self_referral_under_linear_resplits_the_others() {
    let mut s = history_world("linear");
    s["orders"][0]["customer_key"] = json!("cust-maya");
    for i in s["identifies"].as_array_mut().unwrap() {
        i["customer_key"] = json!("cust-maya");
    }
    let out = run(s);
    let a = first(&out);
    assert_eq!(a["rule"], "customer");
    assert_eq!(
        credited(a),
        vec![("noah".into(), "1/2".into()), ("zoe".into(), "1/2".into())]
    );
    assert_eq!(a["flags"], json!(["self_referral"]));
}

#[test]
fn linear_without_the_buyers_creator_has_no_flag() {
    let mut s = world();
    s["policy"] = json!({"model": "linear"});
    s["clicks"] = json!([click("k1", "nB2y", "2026-03-01T00:00:00Z")]);
    s["identifies"] =
        json!([{"customer_key": "cust-maya", "click_id": "k1", "at": "2026-03-01T00:00:00Z"}]);
    s["orders"] = json!([order_with(
        "1",
        "2026-03-02T00:00:00Z",
        json!({"customer_key": "cust-maya"})
    )]);
    let out = run(s);
    assert_eq!(credited(first(&out)), vec![("noah".into(), "1".into())]);
    assert_eq!(first(&out)["flags"], json!([]));
}

#[test]
fn linear_with_only_the_buyers_creator_keeps_rule_and_no_credits() {
    let mut s = world();
    s["policy"] = json!({"model": "linear"});
    s["clicks"] = json!([click("k1", "mA1x", "2026-03-01T00:00:00Z")]);
    s["identifies"] =
        json!([{"customer_key": "cust-maya", "click_id": "k1", "at": "2026-03-01T00:00:00Z"}]);
    s["orders"] = json!([order_with(
        "1",
        "2026-03-02T00:00:00Z",
        json!({"customer_key": "cust-maya"})
    )]);
    let a = run(s)["attributions"][0].clone();
    assert_eq!(
        (a["rule"].clone(), a["credits"].clone()),
        (json!("customer"), json!([]))
    );
    assert_eq!(a["flags"], json!(["self_referral"]));
}

#[test]
fn self_referral_never_falls_through() {
    let mut s = world();
    s["clicks"] = json!([
        click("k1", "mA1x", "2026-03-01T00:00:00Z"),
        click("k2", "nB2y", "2026-03-01T00:00:00Z"),
    ]);
    s["identifies"] = json!([
        {"customer_key": "cust-maya", "click_id": "k2", "at": "2026-03-01T00:00:00Z"},
        {"customer_key": "cust-maya", "click_id": "k1", "at": "2026-03-01T00:00:00Z"},
    ]);
    // Code of maya (even with noah's code after it), click of maya, history whose last is maya.
    s["orders"] = json!([
        order_with(
            "1",
            "2026-03-02T00:00:00Z",
            json!({"customer_key": "cust-maya", "codes": ["MAYA15", "NOAH10"]})
        ),
        order_with(
            "2",
            "2026-03-02T00:00:00Z",
            json!({"customer_key": "cust-maya", "click_id": "k1"})
        ),
        order_with(
            "3",
            "2026-03-03T00:00:00Z",
            json!({"customer_key": "cust-maya"})
        ),
        // Someone else buying with maya's code is credited normally.
        order_with(
            "4",
            "2026-03-03T00:00:00Z",
            json!({"customer_key": "c9", "codes": ["MAYA15"]})
        ),
    ]);
    let out = run(s);
    let got: Vec<(Value, Value, Value)> = out["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["rule"].clone(),
                a["credits"].as_array().unwrap().len().into(),
                a["flags"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (json!("code"), json!(0), json!(["self_referral"])),
            (json!("click"), json!(0), json!(["self_referral"])),
            (json!("customer"), json!(0), json!(["self_referral"])),
            (json!("code"), json!(1), json!([])),
        ]
    );
}

#[test]
fn duplicates_are_reported_once_flagged_and_feed_no_history() {
    let mut s = world();
    s["clicks"] = json!([click("k1", "mA1x", "2026-03-01T00:00:00Z")]);
    s["orders"] = json!([
        order_with("1", "2026-03-05T00:00:00Z", json!({"customer_key": "c1"})),
        // A later re-delivery carrying a click: ignored, links nothing.
        order_with(
            "1",
            "2026-03-06T00:00:00Z",
            json!({"customer_key": "c1", "click_id": "k1"})
        ),
        order_with(
            "1",
            "2026-03-07T00:00:00Z",
            json!({"customer_key": "c1", "codes": ["MAYA15"]})
        ),
        order_with("2", "2026-03-08T00:00:00Z", json!({"customer_key": "c1"})),
    ]);
    s["refunds"] = json!([{"order_id": "1", "at": "2026-03-09T00:00:00Z", "amount": "5.00"}]);
    let out = run(s);
    let atts = out["attributions"].as_array().unwrap();
    assert_eq!(atts.len(), 2);
    assert_eq!(atts[0]["order_id"], "1");
    assert_eq!(atts[0]["rule"], "none");
    assert_eq!(atts[0]["flags"], json!(["duplicate_seen"]));
    assert_eq!(atts[0]["net_amount"], "75.00");
    assert_eq!(atts[1]["rule"], "none");
    assert_eq!(atts[1]["flags"], json!([]));
}

#[test]
fn the_first_occurrence_is_the_earliest_in_time() {
    let mut s = world();
    s["orders"] = json!([
        order_with("1", "2026-03-07T00:00:00Z", json!({"codes": ["MAYA15"]})),
        order_with("1", "2026-03-05T00:00:00Z", json!({})),
    ]);
    let out = run(s);
    assert_eq!(first(&out)["rule"], "none");
    assert_eq!(first(&out)["flags"], json!(["duplicate_seen"]));
}

#[test]
fn ties_in_time_are_broken_by_order_id_as_strings() {
    let at = "2026-03-05T00:00:00Z";
    let mut s = world();
    s["orders"] = json!([
        order("9", at),
        order("10", at),
        order("a", at),
        order("B", at)
    ]);
    let ids: Vec<String> = run(s)["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["order_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec!["10", "9", "B", "a"]);
}

#[test]
fn refunds_sum_floor_at_zero_keep_places_and_ignore_time() {
    let mut s = world();
    s["orders"] = json!([
        order_with("1", "2026-03-05T00:00:00Z", json!({"amount": "80.00"})),
        order_with("2", "2026-03-05T00:00:00Z", json!({"amount": "80"})),
        order_with("3", "2026-03-05T00:00:00Z", json!({"amount": "10.5"})),
        order_with("4", "2026-03-05T00:00:00Z", json!({"amount": "99.99"})),
        order_with("5", "2026-03-05T00:00:00Z", json!({"amount": "-0.00"})),
    ]);
    s["refunds"] = json!([
        {"order_id": "1", "at": "2026-03-06T00:00:00Z", "amount": "20.00"},
        {"order_id": "1", "at": "2026-03-01T00:00:00Z", "amount": "10"},
        {"order_id": "2", "at": "2026-03-06T00:00:00Z", "amount": "20.00"},
        {"order_id": "3", "at": "2026-03-06T00:00:00Z", "amount": "20.00"},
        {"order_id": "9999", "at": "2026-03-06T00:00:00Z", "amount": "1.00"},
    ]);
    let out = run(s);
    let nets: Vec<&str> = out["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["net_amount"].as_str().unwrap())
        .collect();
    assert_eq!(nets, vec!["50.00", "60", "0.0", "99.99", "0.00"]);
    let errors = out["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(errors[0]
        .as_str()
        .unwrap()
        .contains("refund for unknown order 9999"));
}

#[test]
fn text_output_has_one_line_per_order_and_the_errors() {
    let mut s = history_world("linear");
    s["refunds"] = json!([{"order_id": "x", "amount": "1"}]);
    let text = explain(&s.to_string()).unwrap().to_text();
    assert!(text.contains("customer"), "{text}");
    assert!(text.contains("maya@spring 1/3 (k2)"), "{text}");
    assert!(
        text.contains("error: refunds[0]: refund for unknown order x"),
        "{text}"
    );
}

#[test]
fn malformed_time_names_its_path_and_line() {
    let text = r#"{
  "orders": [
    {"order_id": "1", "at": "2026-03-05T00:00:00Z", "amount": "1", "currency": "USD"},
    {"order_id": "2", "at": "yesterday", "amount": "1", "currency": "USD"}
  ]
}"#;
    let e = fail(text);
    assert_eq!(e.path, "orders[1].at");
    assert_eq!(e.line, 4);
    let shown = e.to_string();
    assert!(shown.starts_with("orders[1].at: line 4, column"), "{shown}");
    assert!(shown.contains("yesterday"), "{shown}");
}

#[test]
fn bad_values_name_their_field() {
    let cases = [
        (
            json!({"campaigns": [{"id": "c", "window_days": 0}]}),
            "campaigns[0].window_days",
        ),
        (
            json!({"campaigns": [{"id": "c", "window_days": 181}]}),
            "campaigns[0].window_days",
        ),
        (
            json!({"campaigns": [{"id": "c", "window_days": 7.5}]}),
            "campaigns[0].window_days",
        ),
        (
            json!({"campaigns": [{"id": "c", "window_days": "30"}]}),
            "campaigns[0].window_days",
        ),
        (json!({"policy": {"model": "middle"}}), "policy.model"),
        (
            json!({"orders": [{"order_id": "1", "at": "2026-03-05T00:00:00Z",
                            "amount": "ten", "currency": "USD"}]}),
            "orders[0].amount",
        ),
        (
            json!({"orders": [{"order_id": "1", "at": "2026-03-05T00:00:00Z",
                            "amount": "1_000", "currency": "USD"}]}),
            "orders[0].amount",
        ),
        (
            json!({"orders": [{"order_id": "1", "at": "2026-03-05T00:00:00Z",
                            "amount": "-1.00", "currency": "USD"}]}),
            "orders[0].amount",
        ),
        (
            json!({"orders": [{"order_id": "1", "at": "2026-03-05T00:00:00Z",
                            "amount": "1", "currency": "dollars"}]}),
            "orders[0].currency",
        ),
        (
            json!({"refunds": [{"order_id": "1", "amount": "x"}]}),
            "refunds[0].amount",
        ),
        (
            json!({"clicks": [{"click_id": "k", "link": "l", "at": "2026-13-01T00:00:00Z"}]}),
            "clicks[0].at",
        ),
        (
            json!({"codes": [{"code": "A", "creator": "c", "campaign": "c", "valid_to": "soon"}]}),
            "codes[0].valid_to",
        ),
        (
            json!({"orders": [{"at": "2026-03-05T00:00:00Z", "amount": "1", "currency": "USD"}]}),
            "orders[0]",
        ),
        (json!({"orders": {"order_id": "1"}}), "orders"),
    ];
    for (scenario, path) in cases {
        let e = fail(&scenario.to_string());
        assert_eq!(e.path, path, "{scenario}: {e}");
        assert!(e.to_string().starts_with(path), "{e}");
    }
}

#[test]
fn window_bounds_are_accepted() {
    for days in [1, 180] {
        let s = json!({"campaigns": [{"id": "c", "window_days": days}]});
        assert!(explain(&s.to_string()).is_ok());
    }
}

#[test]
fn syntax_error_reports_line_and_column() {
    let e = fail("{\n  \"orders\": [\n    {\"order_id\": }\n  ]\n}");
    assert_eq!(e.line, 3);
    assert!(e.to_string().contains("line 3, column"), "{e}");
}
