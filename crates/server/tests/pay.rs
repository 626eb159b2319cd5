//! Pay end to end over HTTP: attributed orders → commissions pending →
//! payable after the hold → run → approve → export → provider results with a
//! failure → the failed amount payable again and paid by a later run; a
//! refund after payment carried as a negative balance; idempotent run keys;
//! roles and organization scoping.

mod common;

use chorus_core::Role;
use chrono::{Duration, Utc};
use common::pay::{app_with_key, event, order, paypal, refund, stripe, world, TERMS};
use common::{api, App};
use serde_json::{json, Value};

async fn get(app: &App, token: &str, path: &str) -> (u16, String) {
    let r = api()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn get_json(app: &App, token: &str, path: &str) -> (u16, Value) {
    let (s, t) = get(app, token, path).await;
    (s, serde_json::from_str(&t).unwrap_or(Value::Null))
}

async fn post(app: &App, token: &str, path: &str, body: Value, key: Option<&str>) -> (u16, Value) {
    let mut r = api().post(app.url(path)).bearer_auth(token).json(&body);
    if let Some(k) = key {
        r = r.header("Idempotency-Key", k);
    }
    let r = r.send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn post_text(app: &App, token: &str, path: &str, body: &str) -> (u16, Value) {
    let r = api()
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// (pending, payable, paid) of a creator in USD.
fn balance(v: &Value, creator: i64) -> (String, String, String) {
    let b = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["creator"].as_str().and_then(|c| c.parse::<i64>().ok()) == Some(creator)
                && b["currency"] == "USD"
        })
        .unwrap_or_else(|| panic!("no balance for {creator} in {v}"));
    (
        b["pending"].as_str().unwrap().to_string(),
        b["payable"].as_str().unwrap().to_string(),
        b["paid"].as_str().unwrap().to_string(),
    )
}

fn s3(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[tokio::test]
async fn orders_to_commissions_to_runs_exports_and_results() {
    let (app, key) = app_with_key().await;
    let (org, finance) = app.org_with_user("acme", Role::Finance).await;
    app.add_user(org, "manager@acme.test", Role::Manager).await;
    let (_, other) = app.org_with_user("beta", Role::Finance).await;
    let fin = app.token_for(&finance).await;
    let mgr = app.token_for("manager@acme.test").await;
    let beta = app.token_for(&other).await;
    let store = &app.store;
    let now = Utc::now();
    let w = world(store, org, "Spring", &["maya", "kenji"], TERMS).await;
    let (maya, kenji) = (w.accounts[0], w.accounts[1]);
    let k = w.campaign;
    paypal(store, &key, org, maya, "maya.pay@example.com").await;
    event(store, org, w.members[0], "signed", now - Duration::days(50)).await;
    // maya: 10% of 200.00, payable 15 days ago; kenji: 10% of 100.00.
    order(
        store,
        org,
        "o1",
        now - Duration::days(45),
        "200.00",
        "USD",
        &[(k, maya, 1, 1)],
    )
    .await;
    order(
        store,
        org,
        "k1",
        now - Duration::days(44),
        "100.00",
        "USD",
        &[(k, kenji, 1, 1)],
    )
    .await;
    // Linear credit, half each of 101.00: 50.50 each → 5.05 each, payable 10 days ago.
    order(
        store,
        org,
        "o2",
        now - Duration::days(40),
        "101.00",
        "USD",
        &[(k, kenji, 1, 2), (k, maya, 1, 2)],
    )
    .await;
    // Still on hold.
    order(
        store,
        org,
        "o3",
        now - Duration::days(5),
        "50.00",
        "USD",
        &[(k, maya, 1, 1)],
    )
    .await;

    let (s, b) = get_json(&app, &fin, "/api/v1/payouts/balances").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(balance(&b, maya), s3("5.00", "125.05", "0.00"));
    assert_eq!(balance(&b, kenji), s3("0.00", "15.05", "0.00"));
    let (_, lines) = get_json(&app, &fin, &format!("/api/v1/payouts/lines?creator={maya}")).await;
    let kinds: Vec<(&str, &str, &str)> = lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap(),
                l["amount"].as_str().unwrap(),
                l["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("milestone", "100.00", "payable")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("commission", "20.00", "payable")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("commission", "5.05", "payable")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("commission", "5.00", "pending")),
        "{kinds:?}"
    );

    // Roles: only owner and finance touch money.
    let run_body = json!({"as_of": (now - Duration::days(12)).to_rfc3339(), "min_payout": "5.00"});
    let (s, _) = post(
        &app,
        &mgr,
        "/api/v1/payout-runs",
        run_body.clone(),
        Some("r1"),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(get(&app, &mgr, "/api/v1/payouts/balances").await.0, 403);

    // A draft as of 12 days ago: o2 is not payable yet by then.
    let (s, r1) = post(
        &app,
        &fin,
        "/api/v1/payout-runs",
        run_body.clone(),
        Some("r1"),
    )
    .await;
    assert_eq!(s, 201, "{r1}");
    assert_eq!(r1["status"], "draft");
    let id = r1["id"].as_i64().unwrap();
    let amounts = |v: &Value| -> Vec<(String, String, i64)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["creator"].as_str().unwrap().to_string(),
                    i["amount"].as_str().unwrap().to_string(),
                    i["lines"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let mut want = vec![
        (maya.to_string(), "120.00".to_string(), 2),
        (kenji.to_string(), "10.00".to_string(), 1),
    ];
    want.sort();
    let mut got = amounts(&r1);
    got.sort();
    assert_eq!(got, want);
    // The same key again: the same run, nothing new.
    let (s, again) = post(
        &app,
        &fin,
        "/api/v1/payout-runs",
        json!({"as_of": now.to_rfc3339(), "min_payout": "1"}),
        Some("r1"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(again["id"], r1["id"]);
    assert_eq!(again["min_payout"], "5.00");
    let (_, runs) = get_json(&app, &fin, "/api/v1/payout-runs").await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 1);

    // Drafts cannot be exported; other organizations see nothing.
    let (s, _) = get(
        &app,
        &fin,
        &format!("/api/v1/payout-runs/{id}/export/paypal"),
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(
        get(&app, &beta, &format!("/api/v1/payout-runs/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(
        post(
            &app,
            &beta,
            &format!("/api/v1/payout-runs/{id}/approve"),
            json!({}),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        get(
            &app,
            &beta,
            &format!("/api/v1/payout-runs/{id}/export/wise")
        )
        .await
        .0,
        404
    );
    let (_, beta_runs) = get_json(&app, &beta, "/api/v1/payout-runs").await;
    assert!(beta_runs["items"].as_array().unwrap().is_empty());
    assert_eq!(
        post(
            &app,
            &mgr,
            &format!("/api/v1/payout-runs/{id}/approve"),
            json!({}),
            None
        )
        .await
        .0,
        403
    );

    let (s, approved) = post(
        &app,
        &fin,
        &format!("/api/v1/payout-runs/{id}/approve"),
        json!({}),
        None,
    )
    .await;
    assert_eq!(s, 200, "{approved}");
    assert_eq!(approved["status"], "approved");
    let mut got = amounts(&approved);
    got.sort();
    assert_eq!(got, want);
    assert_eq!(
        post(
            &app,
            &beta,
            &format!("/api/v1/payout-runs/{id}/results"),
            json!({}),
            None
        )
        .await
        .0,
        404
    );

    // Kenji has not given payout details yet: left out, and named.
    let r = api()
        .get(app.url(&format!("/api/v1/payout-runs/{id}/export/paypal")))
        .bearer_auth(&fin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["x-chorus-missing-payout-details"],
        format!("r1:{kenji}:USD").as_str()
    );
    assert_eq!(
        r.text().await.unwrap(),
        format!("maya.pay@example.com,120.00,USD,r1:{maya}:USD,Chorus payout r1,PAYPAL\n")
    );
    // Nobody here is paid through Wise: nothing to export, and why.
    let (s, body) = get(&app, &fin, &format!("/api/v1/payout-runs/{id}/export/wise")).await;
    assert_eq!(s, 409);
    assert!(
        body.contains("paid by paypal, not Wise") && body.contains("missing payout details"),
        "{body}"
    );
    // Kenji adds a Stripe account: the Stripe file pays him, in minor units.
    stripe(store, &key, org, kenji, "acct_1Kenji").await;
    let (s, jsonl) = get(
        &app,
        &fin,
        &format!("/api/v1/payout-runs/{id}/export/stripe"),
    )
    .await;
    assert_eq!(s, 200, "{jsonl}");
    let line: Value = serde_json::from_str(jsonl.trim()).unwrap();
    assert_eq!(line["amount"], 1000);
    assert_eq!(line["currency"], "usd");
    assert_eq!(line["destination"], "acct_1Kenji");
    assert_eq!(line["idempotency_key"], format!("r1:{kenji}:USD"));
    // Statements: every line and the payout, per creator; scoped.
    let (s, csv) = get(
        &app,
        &fin,
        &format!("/api/v1/payouts/statements/{maya}?format=csv"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(csv.contains("o1"), "{csv}");
    assert_eq!(
        get(&app, &beta, &format!("/api/v1/payouts/statements/{maya}"))
            .await
            .0,
        404
    );
    let pdf = api()
        .get(app.url(&format!("/api/v1/payouts/statements/{maya}?format=pdf")))
        .bearer_auth(&fin)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // Provider results: maya paid, kenji failed.
    let result = format!("Sender Item ID,Status,Amount\nr1:{maya}:USD,SUCCESS,120.00\nr1:{kenji}:USD,FAILED,10.00\nr9:nobody:USD,SUCCESS,1\n");
    assert_eq!(
        post_text(
            &app,
            &mgr,
            &format!("/api/v1/payout-runs/{id}/results"),
            &result
        )
        .await
        .0,
        403
    );
    let (s, summary) = post_text(
        &app,
        &fin,
        &format!("/api/v1/payout-runs/{id}/results"),
        &result,
    )
    .await;
    assert_eq!(s, 200, "{summary}");
    assert_eq!(summary["paid"], 1);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["unknown"], json!(["r9:nobody:USD"]));
    assert_eq!(summary["status"], "paid");
    let (_, b) = get_json(&app, &fin, "/api/v1/payouts/balances").await;
    assert_eq!(balance(&b, maya), s3("5.00", "5.05", "120.00"));
    assert_eq!(
        balance(&b, kenji),
        s3("0.00", "15.05", "0.00"),
        "failed amount payable again"
    );
    // Importing the same file again changes nothing.
    let (_, again) = post_text(
        &app,
        &fin,
        &format!("/api/v1/payout-runs/{id}/results"),
        &result,
    )
    .await;
    assert_eq!(again["unchanged"], 2);

    // A refund after payment: a negative line, payable at once.
    refund(
        store,
        org,
        "o1",
        "rf1",
        now - Duration::minutes(5),
        "200.00",
        20000,
    )
    .await;
    let (_, b) = get_json(&app, &fin, "/api/v1/payouts/balances").await;
    assert_eq!(balance(&b, maya), s3("5.00", "-14.95", "120.00"));

    // The next run pays kenji's returned amount; maya's negative balance carries over.
    let (s, r2) = post(&app, &fin, "/api/v1/payout-runs", json!({"key": "r2", "as_of": (now - Duration::minutes(1)).to_rfc3339(), "min_payout": "5.00"}), None).await;
    assert_eq!(s, 201, "{r2}");
    assert_eq!(
        amounts(&r2),
        vec![(kenji.to_string(), "15.05".to_string(), 2)]
    );
    let id2 = r2["id"].as_i64().unwrap();
    let (s, _) = post(
        &app,
        &fin,
        &format!("/api/v1/payout-runs/{id2}/approve"),
        json!({}),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (_, b) = get_json(&app, &fin, "/api/v1/payouts/balances").await;
    assert_eq!(
        balance(&b, maya),
        s3("5.00", "-14.95", "120.00"),
        "carried into the next run"
    );
    assert_eq!(balance(&b, kenji), s3("0.00", "0.00", "15.05"));

    // The ledger: recording again appends nothing, and it checks out.
    let before = store.ledger_entries(org).await.unwrap().len();
    assert!(before > 0);
    let (_, rec) = post(&app, &fin, "/api/v1/ledger/record", json!({}), None).await;
    assert_eq!(rec, json!({"lines": 0, "entries": 0}));
    let (_, check) = get_json(&app, &fin, "/api/v1/ledger/check").await;
    assert_eq!(check["ok"], true, "{check}");
    assert!(store
        .ledger_entries(chorus_core::OrgId(org.0 + 1))
        .await
        .unwrap()
        .is_empty());

    // An order dated before run r1 but stored after it was approved: the
    // check names the run whose payment no longer matches.
    order(
        store,
        org,
        "late",
        now - Duration::days(60),
        "10.00",
        "USD",
        &[(k, kenji, 1, 1)],
    )
    .await;
    let (_, check) = get_json(&app, &fin, "/api/v1/ledger/check").await;
    assert_eq!(check["ok"], false, "{check}");
    let msg = check["problems"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "run r1: @kenji was sent 1000 USD minor units, but the settlement now pays 1100"
        ),
        "{msg}"
    );

    // The OpenAPI document lists the routes.
    let (_, doc) = get_json(&app, &fin, "/api/v1/openapi.json").await;
    for p in [
        "/api/v1/payout-runs",
        "/api/v1/payout-runs/{id}/approve",
        "/api/v1/payout-runs/{id}/export/{format}",
        "/api/v1/payout-runs/{id}/results",
        "/api/v1/fx-rates",
        "/api/v1/payouts/balances",
        "/api/v1/ledger/check",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing from OpenAPI");
    }
    app.stop().await;
}

#[tokio::test]
async fn rates_convert_orders_at_their_date_and_bad_rows_store_nothing() {
    let app = App::spawn().await;
    let (org, finance) = app.org_with_user("acme", Role::Finance).await;
    let fin = app.token_for(&finance).await;
    let store = &app.store;
    let w = world(store, org, "Spring", &["maya"], TERMS).await;
    let (s, bad) = post_text(
        &app,
        &fin,
        "/api/v1/fx-rates",
        "date,from,to,rate\n2026-03-01,EUR,USD,1.0850\n2026-03-02,EUR,USD,abc\n",
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(bad["errors"][0]["line"], 3);
    assert_eq!(bad["errors"][0]["field"], "rate");
    assert!(
        store.fx_rates(org).await.unwrap().is_empty(),
        "nothing stored"
    );
    let (s, ok) = post_text(
        &app,
        &fin,
        "/api/v1/fx-rates",
        "date,from,to,rate\n2026-03-01,EUR,USD,1.0850\n2026-03-05,EUR,USD,1.2000\n",
    )
    .await;
    assert_eq!(s, 200, "{ok}");
    assert_eq!(ok["stored"], 2);
    // An order on 2026-03-03 uses the rate of 2026-03-01: 100.00 EUR = 108.50 USD → 10.85.
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-03T23:30:00Z")
        .unwrap()
        .with_timezone(&Utc);
    order(
        store,
        org,
        "e1",
        at,
        "100.00",
        "EUR",
        &[(w.campaign, w.accounts[0], 1, 1)],
    )
    .await;
    let (_, lines) = get_json(&app, &fin, "/api/v1/payouts/lines").await;
    let amounts: Vec<&str> = lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, vec!["10.85"]);
    app.stop().await;
}

/// The finance pages with a signed-in browser: balances, a new run from the
/// form, review and approve, the export download, the result upload; other
/// roles are refused; the creator's portal shows their earnings.
#[tokio::test]
async fn finance_pages_and_portal_earnings() {
    let (app, key) = app_with_key().await;
    let (org, finance) = app.org_with_user("acme", Role::Finance).await;
    app.add_user(org, "viewer@acme.test", Role::Viewer).await;
    let store = &app.store;
    let now = Utc::now();
    let w = world(store, org, "Spring", &["maya"], TERMS).await;
    let maya = w.accounts[0];
    paypal(store, &key, org, maya, "maya@creators.test").await;
    event(store, org, w.members[0], "signed", now - Duration::days(50)).await;
    order(
        store,
        org,
        "o1",
        now - Duration::days(45),
        "200.00",
        "USD",
        &[(w.campaign, maya, 1, 1)],
    )
    .await;
    order(
        store,
        org,
        "o3",
        now - Duration::days(5),
        "50.00",
        "USD",
        &[(w.campaign, maya, 1, 1)],
    )
    .await;

    let (viewer, _) = app.browser_login("viewer@acme.test").await;
    let r = viewer.get(app.url("/payouts")).send().await.unwrap();
    assert_eq!(r.status(), 403);

    let (c, csrf) = app.browser_login(&finance).await;
    let page = c
        .get(app.url("/payouts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("data-creator=\"{maya}\"")), "{page}");
    assert!(
        page.contains("<td class=\"num payable\">120.00</td>"),
        "{page}"
    );
    assert!(
        page.contains("<td class=\"num pending\">5.00</td>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/payouts/statements/{maya}?format=pdf")),
        "{page}"
    );
    // Without the CSRF token the form is refused.
    let r = c
        .post(app.url("/payouts/runs"))
        .form(&[("key", "w1"), ("as_of", "2020-01-01"), ("min_payout", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let yesterday = (now - Duration::days(1)).date_naive().to_string();
    let r = c
        .post(app.url("/payouts/runs"))
        .form(&[
            ("key", "w1"),
            ("as_of", yesterday.as_str()),
            ("min_payout", "50.00"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let run_url = r.headers()["location"].to_str().unwrap().to_string();
    let page = c
        .get(app.url(&run_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<span id=\"run-status\">draft</span>"),
        "{page}"
    );
    assert!(page.contains("120.00"), "{page}");
    assert!(page.contains("id=\"approve\""), "{page}");
    assert!(!page.contains("export-paypal"), "no export before approval");
    let r = c
        .post(app.url(&format!("{run_url}/approve")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = c
        .get(app.url(&run_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<span id=\"run-status\">approved</span>"),
        "{page}"
    );
    assert!(
        page.contains("PayPal m") && page.contains("@creators.test"),
        "masked destination: {page}"
    );
    let href = format!("{run_url}/export/paypal?currency=USD");
    assert!(page.contains(&href), "{page}");
    let r = c.get(app.url(&href)).send().await.unwrap();
    let status = r.status();
    let csv = r.text().await.unwrap();
    assert_eq!(status, 200, "{csv}");
    assert_eq!(
        csv,
        format!("maya@creators.test,120.00,USD,w1:{maya}:USD,Chorus payout w1,PAYPAL\n")
    );

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(format!(
            "paymentReference,status\nw1:{maya}:USD,outgoing_payment_sent\n"
        ))
        .file_name("result.csv"),
    );
    let r = c
        .post(app.url(&format!("{run_url}/results?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = c
        .get(app.url(r.headers()["location"].to_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("1 paid, 0 failed"), "{page}");
    assert!(
        page.contains("<span id=\"run-status\">paid</span>"),
        "{page}"
    );

    // The creator's portal: earnings of this deal with every line.
    let clear = "portal-token-for-pay-test";
    store
        .create_portal_token(
            org,
            w.members[0],
            &chorus_server::auth::digest(clear),
            "c",
            chorus_store::now_us() + 3_600_000_000,
        )
        .await
        .unwrap();
    let page = common::browser()
        .get(app.url(&format!("/p/{clear}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"earnings\""), "{page}");
    assert!(page.contains("pending <span class=\"pending\">5.00</span> · payable <span class=\"payable\">0.00</span> · paid <span class=\"paid\">120.00</span>"), "{page}");
    assert!(page.contains("(run w1)"), "{page}");
    let r = common::browser()
        .get(app.url(&format!("/p/{clear}/statement?format=csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("o1"));
    app.stop().await;
}
