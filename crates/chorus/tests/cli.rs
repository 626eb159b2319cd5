//! The `chorus` binary as a user runs it.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn chorus(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chorus"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("CHORUS_DATABASE_URL")
        .output()
        .expect("run chorus")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).expect("stdout is JSON")
}

#[test]
fn generate_is_deterministic_and_import_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b, labels) = (d.join("a.ndjson"), d.join("b.ndjson"), d.join("labels.csv"));
    ok(&chorus(
        d,
        &[
            "generate",
            "creators",
            "--count",
            "150",
            "--seed",
            "9",
            "--out",
            a.to_str().unwrap(),
            "--labels",
            labels.to_str().unwrap(),
        ],
    ));
    ok(&chorus(
        d,
        &[
            "generate",
            "creators",
            "--count",
            "150",
            "--seed",
            "9",
            "--out",
            b.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "same seed, same bytes"
    );
    assert_eq!(std::fs::read_to_string(&a).unwrap().lines().count(), 150);
    let l = std::fs::read_to_string(&labels).unwrap();
    assert_eq!(
        l.lines().next().unwrap(),
        "platform,handle,niche,label,kind"
    );
    assert_eq!(l.lines().count(), 151);

    let first = json(&chorus(
        d,
        &["import", "creators", a.to_str().unwrap(), "--json"],
    ));
    assert_eq!(
        (
            first["rows"].as_u64(),
            first["inserted"].as_u64(),
            first["failed"].as_u64()
        ),
        (Some(150), Some(150), Some(0))
    );
    let again = json(&chorus(
        d,
        &["import", "creators", a.to_str().unwrap(), "--json"],
    ));
    assert_eq!(
        (again["inserted"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(150))
    );
}

#[test]
fn import_reports_bad_rows_with_file_line_and_field_and_keeps_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("creators.csv");
    std::fs::write(&csv, "platform,handle,followers,email\ninstagram,good,1200,\ninstagram,bad,12k,\nfriendster,old,5,\ntiktok,fine,900,x@example.com\n").unwrap();
    let o = chorus(d, &["import", "creators", csv.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rejected rows make the exit status 1"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("creators.csv:3: followers:"), "{err}");
    assert!(err.contains("creators.csv:4: platform:"), "{err}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("4 rows: 2 inserted, 0 updated, 2 rejected")
    );
    let missing = chorus(
        d,
        &["import", "creators", d.join("nope.csv").to_str().unwrap()],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.csv"));
}

#[test]
fn orgs_users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let org = json(&chorus(d, &["org", "create", "Acme Outdoor", "--json"]));
    assert_eq!(org["slug"], "acme-outdoor");
    let user = json(&chorus(
        d,
        &[
            "user",
            "create",
            "--org",
            "acme-outdoor",
            "--email",
            "Fin@Acme.test",
            "--role",
            "finance",
            "--json",
        ],
    ));
    assert_eq!(user["email"], "fin@acme.test");
    assert_eq!(user["role"], "finance");
    assert!(user["password"].as_str().unwrap().len() >= 10);
    let bad_role = chorus(
        d,
        &[
            "user",
            "create",
            "--org",
            "acme-outdoor",
            "--email",
            "x@acme.test",
            "--role",
            "admin",
        ],
    );
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role"));
    let tok = json(&chorus(
        d,
        &[
            "token",
            "create",
            "--org",
            "acme-outdoor",
            "--user",
            "fin@acme.test",
            "--name",
            "ci",
            "--json",
        ],
    ));
    let secret = tok["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("chorus_"));
    let list = ok(&chorus(
        d,
        &["token", "list", "--org", "acme-outdoor", "--json"],
    ));
    assert!(!list.contains(&secret), "the secret is never listed");
    let id = tok["id"].as_i64().unwrap().to_string();
    ok(&chorus(
        d,
        &["token", "revoke", "--org", "acme-outdoor", &id],
    ));
    let list: Value = serde_json::from_str(&ok(&chorus(
        d,
        &["token", "list", "--org", "acme-outdoor", "--json"],
    )))
    .unwrap();
    assert!(list[0]["revoked_at"].is_i64());
}

#[test]
fn demo_seeds_once_and_prints_the_same_login_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = ok(&chorus(d, &["demo", "--creators", "120", "--no-serve"]));
    let second = ok(&chorus(d, &["demo", "--creators", "120", "--no-serve"]));
    let pw = |s: &str| {
        s.lines()
            .find(|l| l.contains("password"))
            .unwrap()
            .to_string()
    };
    assert_eq!(pw(&first), pw(&second));
    assert!(first.contains("manager@demo.chorus.test"));
}

const ATTRIBUTION_EXAMPLE: &str = r#"{
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
}"#;

#[test]
fn attribute_explain_prints_the_format_of_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.json");
    std::fs::write(&f, ATTRIBUTION_EXAMPLE).unwrap();
    let v = json(&chorus(
        dir.path(),
        &[
            "attribute",
            "explain",
            "--scenario",
            f.to_str().unwrap(),
            "--json",
        ],
    ));
    let expected: Value = serde_json::from_str(
        r#"{"attributions": [{"order_id": "1001", "rule": "customer", "net_amount": "60.00", "currency": "USD",
            "credits": [{"creator": "maya", "campaign": "spring", "click_id": "k1", "share": "1"}], "flags": []}],
            "errors": []}"#,
    )
    .unwrap();
    assert_eq!(v, expected);
    std::fs::write(
        &f,
        r#"{"orders": [{"order_id": "1", "at": "soon", "amount": "1.00", "currency": "USD"}]}"#,
    )
    .unwrap();
    let bad = chorus(
        dir.path(),
        &["attribute", "explain", "--scenario", f.to_str().unwrap()],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("orders[0].at"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn settle_explain_reproduces_the_spec_example() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.json");
    std::fs::write(
        &f,
        r#"{
  "currency_rates": [{"date": "2026-03-01", "from": "EUR", "to": "USD", "rate": "1.0850"}],
  "deals": [{"creator": "maya", "campaign": "spring", "currency": "USD", "base_fee": "500.00",
    "milestones": [{"event": "signed", "share": "1/2"}, {"event": "published", "share": "1/2"}],
    "performance": {"type": "rev_share", "basis": "revenue",
                    "tiers": [{"from": "0", "rate": "0.10"}, {"from": "5000.00", "rate": "0.15"}], "cap": "1500.00"},
    "hold_days": 30}],
  "events": [{"creator": "maya", "campaign": "spring", "event": "signed", "at": "2026-03-01T09:00:00Z"}],
  "orders": [{"order_id": "1001", "creator": "maya", "campaign": "spring", "at": "2026-03-20T18:00:00Z", "amount": "80.00", "currency": "USD"}],
  "refunds": [{"order_id": "1001", "at": "2026-03-25T00:00:00Z", "amount": "20.00"}],
  "payout_runs": [{"key": "2026-04", "as_of": "2026-04-30T23:59:59Z", "min_payout": "50.00"}]
}"#,
    )
    .unwrap();
    let v = json(&chorus(
        dir.path(),
        &[
            "settle",
            "explain",
            "--scenario",
            f.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(v["runs"][0]["key"], "2026-04");
    assert_eq!(
        v["runs"][0]["payouts"],
        serde_json::json!([{"creator": "maya", "currency": "USD", "amount": "256.00"}])
    );
    assert_eq!(
        v["balances"],
        serde_json::json!([{"creator": "maya", "currency": "USD", "pending": "0.00", "payable": "0.00", "paid": "256.00"}])
    );
}

#[test]
fn review_check_reports_each_check_and_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let (brief, caption) = (
        dir.path().join("brief.json"),
        dir.path().join("caption.txt"),
    );
    std::fs::write(&brief, r##"{"required_hashtags": ["#trailrunning"], "promo_code": "MAYA15", "prohibited": ["guaranteed"]}"##).unwrap();
    std::fs::write(
        &caption,
        "#ad Sunrise miles in the new Ridge shoes, use maya15 for 15% off #TrailRunning\n",
    )
    .unwrap();
    let v = json(&chorus(
        dir.path(),
        &[
            "review",
            "check",
            "--brief",
            brief.to_str().unwrap(),
            "--caption",
            caption.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(v["verdict"], "pass", "{v}");
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "disclosure",
            "hashtags",
            "link_or_code",
            "prohibited",
            "brand_safety"
        ]
    );
    std::fs::write(&caption, "Results guaranteed! #adventure #trailrunning\n").unwrap();
    let o = chorus(
        dir.path(),
        &[
            "review",
            "check",
            "--brief",
            brief.to_str().unwrap(),
            "--caption",
            caption.to_str().unwrap(),
            "--json",
            "--strict",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "--strict fails on a failing verdict"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
}

#[test]
fn qualify_classify_prints_one_line_per_profile() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("followers.ndjson");
    std::fs::write(
        &f,
        concat!(
            r#"{"username": "xk83920193", "followers": 5, "following": 2000, "posts": 0, "has_profile_pic": false}"#, "\n",
            r#"{"username": "maya.runs", "full_name": "Maya", "bio": "runner, coffee", "followers": 640, "following": 380, "posts": 210, "has_profile_pic": true, "is_private": false}"#, "\n",
            r#"{"username": "bigshot", "followers": 250000, "following": 300, "posts": 900, "has_profile_pic": true}"#, "\n",
            "{}\n",
        ),
    )
    .unwrap();
    let out = ok(&chorus(
        dir.path(),
        &["qualify", "classify", f.to_str().unwrap(), "--json"],
    ));
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["label"], "suspicious");
    assert_eq!(rows[1]["label"], "real");
    assert_eq!(rows[2]["label"], "influencer");
    for r in &rows {
        let p = r["p_suspicious"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
}

#[test]
fn simulate_journeys_is_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let a = ok(&chorus(
        dir.path(),
        &[
            "simulate",
            "journeys",
            "--shoppers",
            "2000",
            "--seed",
            "3",
            "--json",
        ],
    ));
    let b = ok(&chorus(
        dir.path(),
        &[
            "simulate",
            "journeys",
            "--shoppers",
            "2000",
            "--seed",
            "3",
            "--json",
        ],
    ));
    assert_eq!(a, b);
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["policies"].as_array().unwrap().len(), 4);
}

#[test]
fn index_rebuild_then_search_with_filters_and_facets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = d.join("c.ndjson");
    ok(&chorus(
        d,
        &[
            "generate",
            "creators",
            "--count",
            "300",
            "--seed",
            "4",
            "--out",
            f.to_str().unwrap(),
        ],
    ));
    ok(&chorus(d, &["import", "creators", f.to_str().unwrap()]));
    let none = chorus(d, &["search", "--query", "coffee"]);
    assert_eq!(
        none.status.code(),
        Some(2),
        "searching before a rebuild says what to do"
    );
    assert!(String::from_utf8_lossy(&none.stderr).contains("index rebuild"));
    let built: Value = json(&chorus(d, &["index", "rebuild", "--json"]));
    assert_eq!(built["indexed"], 300);
    let v = json(&chorus(
        d,
        &[
            "search",
            "--followers-min",
            "10000",
            "--followers-max",
            "100000",
            "--limit",
            "5",
            "--json",
        ],
    ));
    let total = v["total"].as_u64().unwrap();
    assert!(total > 0 && total < 300, "{total}");
    let results = v["results"].as_array().unwrap();
    assert!(results.len() <= 5);
    for r in results {
        let f = r["followers"].as_u64().unwrap();
        assert!((10_000..=100_000).contains(&f));
        assert!(r["why"].is_object() && r["handle"].is_string() && r["score"].is_number());
    }
    let tiers: u64 = v["facets"]["platform"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .sum();
    assert_eq!(tiers, total, "facet counts cover the whole filtered set");
}

/// A deal with a signed base fee, written straight to the store of `dir`.
fn seed_pay(dir: &Path) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chorus_store::Store::open(&chorus_store::sqlite_url_for(dir))
            .await
            .unwrap();
        let org = store.org_by_slug("acme").await.unwrap().unwrap().id;
        let mut rec: chorus_core::CreatorRecord = serde_json::from_value(serde_json::json!({
            "platform": "instagram", "handle": "maya", "followers": 25000
        }))
        .unwrap();
        rec.validate().unwrap();
        store.upsert_creators(&[rec]).await.unwrap();
        let account = store
            .account_by_handle("instagram", "maya")
            .await
            .unwrap()
            .unwrap()
            .0;
        let terms = r#"{"currency":"USD","base_fee":"100.00","milestones":[{"event":"signed","share":"1"}]}"#;
        let k = store
            .create_campaign(
                org,
                None,
                &chorus_store::campaigns::NewCampaign {
                    name: "Spring".into(),
                    product: "Shoe".into(),
                    budget_minor: 100_000,
                    currency: "USD".into(),
                    starts_at: None,
                    ends_at: None,
                    attribution_window_days: 30,
                    default_brief: "{}".into(),
                    default_terms: terms.into(),
                    contract_template: String::new(),
                },
            )
            .await
            .unwrap();
        let members = store
            .add_members(
                org,
                k.id,
                &[chorus_core::AccountId(account)],
                terms,
                chorus_store::campaigns::Actor::System,
            )
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO milestone_events (org_id, member_id, event, at, note) VALUES ($1, $2, 'signed', $3, 'test')",
        )
        .bind(org.0)
        .bind(members[0])
        .bind(chrono::Utc::now().timestamp_micros() - 86_400_000_000)
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
    });
}

fn sql(dir: &Path, statement: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chorus_store::Store::open(&chorus_store::sqlite_url_for(dir))
            .await
            .unwrap();
        sqlx::query(statement).execute(store.pool()).await.unwrap();
        store.close().await;
    });
}

#[test]
fn ledger_check_passes_on_a_recorded_ledger_and_fails_on_a_corrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&chorus(d, &["org", "create", "Acme"]));
    seed_pay(d);
    let out = ok(&chorus(d, &["ledger", "record", "--org", "acme"]));
    assert!(
        out.contains("recorded 1 line state(s) and 4 ledger entries"),
        "{out}"
    );
    let again = ok(&chorus(d, &["ledger", "record", "--org", "acme"]));
    assert!(
        again.contains("recorded 0 line state(s) and 0 ledger entries"),
        "{again}"
    );
    let out = ok(&chorus(d, &["ledger", "check", "--org", "acme"]));
    assert!(out.contains("acme: ok (4 entries"), "{out}");
    let report = json(&chorus(d, &["ledger", "check", "--json"]));
    assert_eq!(report["ok"], true);

    // A posting without its other side: debits no longer equal credits.
    sql(
        d,
        "INSERT INTO ledger_entries (org_id, txn, account, side, minor, currency, reference, recorded_at) \
         SELECT id, 'earn:forged', 'expense:creator_fees', 'debit', 500, 'USD', 'forged', 0 FROM organizations WHERE slug = 'acme'",
    );
    let o = chorus(d, &["ledger", "check", "--org", "acme"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("transaction earn:forged: debits 500 ≠ credits 0"),
        "{out}"
    );
    assert!(
        out.contains("txn earn:forged expense:creator_fees debit 500 USD (forged)"),
        "{out}"
    );
    // Recording refuses to build on it.
    let o = chorus(d, &["ledger", "record", "--org", "acme"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not check out"));

    // A balanced transaction that moves money the commission states do not know of.
    sql(d, "DELETE FROM ledger_entries WHERE txn = 'earn:forged'");
    ok(&chorus(d, &["ledger", "check", "--org", "acme"]));
    sql(
        d,
        "INSERT INTO ledger_entries (org_id, txn, account, side, minor, currency, reference, recorded_at) \
         SELECT id, 'payout:forged:x:USD', a, s, 700, 'USD', 'forged', 0 FROM organizations, \
         (SELECT 'asset:cash' AS a, 'credit' AS s UNION ALL SELECT 'liability:creator:x:payable', 'debit') \
         WHERE slug = 'acme'",
    );
    let o = chorus(d, &["ledger", "check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("x payable: ledger says -700, commissions say 0"),
        "{out}"
    );
    assert!(
        out.contains("x paid: ledger says 700, commissions say 0"),
        "{out}"
    );
}

#[test]
fn rates_import_reports_rows_and_stores_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&chorus(d, &["org", "create", "Acme"]));
    let bad = d.join("bad.csv");
    std::fs::write(
        &bad,
        "date,from,to,rate\n2026-03-01,EUR,USD,1.0850\n2026-03-02,EUR,ZZZ,1.1\n",
    )
    .unwrap();
    let o = chorus(
        d,
        &["rates", "import", bad.to_str().unwrap(), "--org", "acme"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.csv:3: to:"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("nothing stored"));
    let good = d.join("good.csv");
    std::fs::write(
        &good,
        "date,from,to,rate\n2026-03-01,EUR,USD,1.0850\n2026-03-02,EUR,JPY,162.34\n",
    )
    .unwrap();
    let out = json(&chorus(
        d,
        &[
            "rates",
            "import",
            good.to_str().unwrap(),
            "--org",
            "acme",
            "--json",
        ],
    ));
    assert_eq!(out["stored"], 2);
}
