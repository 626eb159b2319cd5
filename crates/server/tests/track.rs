//! Tracking over HTTP: redirects and the click log, signed and Shopify order
//! ingestion, idempotency, CSV import, identify, reports and tenant isolation.

mod common;

use chorus_attribution::signing;
use chorus_core::{OrgId, Role};
use chorus_server::track::clicklog;
use chorus_server::{auth, AppState, Config};
use chorus_store::testing::TestDb;
use chorus_store::tracking::Click;
use chorus_store::{NewUser, Store};
use common::api;
use serde_json::{json, Value};
use std::path::PathBuf;

const BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

struct Server {
    base: String,
    state: AppState,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(store: Store, data_dir: &std::path::Path) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(store, Config::default());
        chorus_server::track::start(&state, data_dir).await.unwrap();
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let handle = tokio::spawn(async move {
            chorus_server::serve(listener, st, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Server {
            base,
            state,
            stop,
            handle,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn shutdown(self) {
        self.state.tracking.flush().await;
        let _ = self.stop.send(());
        let _ = self.handle.await;
    }
}

struct Env {
    db: TestDb,
    dir: tempfile::TempDir,
    org: OrgId,
    token: String,
    account: i64,
}

impl Env {
    async fn new() -> Env {
        let db = TestDb::sqlite().await.unwrap();
        let org = db.store.create_org("acme", "Acme").await.unwrap().id;
        let token = token(&db.store, org, "manager@acme.test").await;
        let mut rec: chorus_core::CreatorRecord = serde_json::from_value(json!({
            "platform": "instagram", "handle": "maya", "followers": 25000, "email": "maya@creators.test"
        }))
        .unwrap();
        rec.validate().unwrap();
        db.store.upsert_creators(&[rec]).await.unwrap();
        let account = db
            .store
            .account_by_handle("instagram", "maya")
            .await
            .unwrap()
            .unwrap()
            .0;
        Env {
            db,
            dir: tempfile::tempdir().unwrap(),
            org,
            token,
            account,
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

async fn token(store: &Store, org: OrgId, email: &str) -> String {
    let u = store
        .create_user(NewUser {
            org_id: org,
            email,
            name: "T",
            password_hash: "x",
            role: Role::Owner,
        })
        .await
        .unwrap();
    let t = auth::new_api_token();
    store
        .create_token(org, u.id, "t", &t.prefix, &t.digest)
        .await
        .unwrap();
    t.clear
}

async fn create_link(s: &Server, token: &str, account: i64) -> Value {
    let r = api()
        .post(s.url("/api/v1/links"))
        .bearer_auth(token)
        .json(&json!({"campaign_id": 7, "account_id": account,
                      "destination": "https://shop.example/p?color=red#top"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn hit(s: &Server, code: &str, method: reqwest::Method, ua: &str) -> reqwest::Response {
    api()
        .request(method, s.url(&format!("/r/{code}")))
        .header("user-agent", ua)
        .header("x-forwarded-for", "203.0.113.9")
        .header("cf-ipcountry", "DE")
        .send()
        .await
        .unwrap()
}

fn cid_of(location: &str) -> String {
    let q = location
        .split('?')
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap();
    q.split('&')
        .find_map(|kv| kv.strip_prefix("chorus_cid="))
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn redirect_adds_utm_and_click_id_and_records_the_click() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let link = create_link(&s, &env.token, env.account).await;
    let code = link["code"].as_str().unwrap();

    let r = hit(&s, code, reqwest::Method::GET, BROWSER).await;
    assert_eq!(r.status(), 302);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        loc.starts_with("https://shop.example/p?color=red&utm_source=instagram&utm_medium=influencer&utm_campaign=campaign-7&utm_content=maya&chorus_cid="),
        "{loc}"
    );
    assert!(loc.ends_with("#top"));
    let cid = cid_of(&loc);
    assert_eq!(cid.len(), 16);

    let again = hit(&s, code, reqwest::Method::GET, BROWSER).await;
    let cid2 = cid_of(again.headers()["location"].to_str().unwrap());
    assert_ne!(cid, cid2, "every click gets its own id");
    let head = hit(&s, code, reqwest::Method::HEAD, BROWSER).await;
    assert_eq!(head.status(), 302);
    let fb = hit(
        &s,
        code,
        reqwest::Method::GET,
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    )
    .await;
    let cid_fb = cid_of(fb.headers()["location"].to_str().unwrap());
    assert_eq!(
        hit(&s, "nope", reqwest::Method::GET, BROWSER)
            .await
            .status(),
        404
    );

    s.state.tracking.flush().await;
    let store = &env.db.store;
    assert_eq!(store.count_clicks(env.org).await.unwrap(), 4);
    let first = store.click(env.org, &cid).await.unwrap().unwrap();
    assert!(!first.bot && first.unique);
    assert_eq!(first.country.as_deref(), Some("DE"));
    assert!(!first.ip_hash.contains("203.0.113.9"));
    let second = store.click(env.org, &cid2).await.unwrap().unwrap();
    assert!(
        !second.bot && !second.unique,
        "same IP + UA + link within an hour"
    );
    assert_eq!(second.ip_hash, first.ip_hash);
    assert!(store.click(env.org, &cid_fb).await.unwrap().unwrap().bot);

    // A disabled link stops redirecting at once.
    let id = link["id"].as_i64().unwrap();
    let r = api()
        .post(s.url(&format!("/api/v1/links/{id}/disable")))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        hit(&s, code, reqwest::Method::GET, BROWSER).await.status(),
        404
    );
    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn the_click_log_is_replayed_after_a_restart() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let link = create_link(&s, &env.token, env.account).await;
    s.shutdown().await;
    // A crash after the log was written and before the store was: append
    // directly, one of them twice (already applied before the crash).
    let path = clicklog::log_path(&env.data_dir());
    let mut f = clicklog::open_log(&path).unwrap();
    let click = |id: &str| Click {
        click_id: id.into(),
        org_id: env.org.0,
        link_id: link["id"].as_i64().unwrap(),
        at: chorus_store::now_us(),
        ip_hash: "h".into(),
        user_agent: Some(BROWSER.into()),
        referrer: None,
        country: None,
        bot: false,
        unique: true,
    };
    env.db
        .store
        .insert_clicks(&[click("logged0")])
        .await
        .unwrap();
    clicklog::append(
        &mut f,
        &[click("logged0"), click("logged1"), click("logged2")],
    )
    .unwrap();
    use std::io::Write;
    f.write_all(b"{\"click_id\":\"torn").unwrap();
    drop(f);
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    assert_eq!(env.db.store.count_clicks(env.org).await.unwrap(), 3);
    assert!(env
        .db
        .store
        .click(env.org, "logged2")
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "applied log is emptied"
    );
    s.shutdown().await;
    env.db.cleanup().await;
}

fn order_body(id: &str, extra: Value) -> Vec<u8> {
    let mut o =
        json!({"order_id": id, "at": "2026-03-20T18:00:00Z", "amount": "80.00", "currency": "USD"});
    if let (Some(o), Some(e)) = (o.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    serde_json::to_vec(&o).unwrap()
}

async fn signed_post(
    s: &Server,
    path: &str,
    secret: &str,
    t: i64,
    body: &[u8],
    sig_body: &[u8],
) -> reqwest::Response {
    api()
        .post(s.url(path))
        .header("Chorus-Org", "acme")
        .header(
            signing::HEADER,
            signing::sign(secret.as_bytes(), t, sig_body),
        )
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn webhook_secret(s: &Server, token: &str) -> String {
    let r: Value = api()
        .post(s.url("/api/v1/attribution/webhook-secret"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["webhook_secret"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn signed_orders_are_verified_fresh_unreplayed_and_stored_once() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let secret = webhook_secret(&s, &env.token).await;
    let now = chrono::Utc::now().timestamp();
    let body = order_body("1001", json!({}));

    let ok = signed_post(&s, "/api/v1/orders", &secret, now, &body, &body).await;
    assert_eq!(ok.status(), 201);
    let ack: Value = ok.json().await.unwrap();
    assert_eq!(
        (ack["created"].as_bool(), ack["rule"].as_str()),
        (Some(true), Some("none"))
    );

    let replay = signed_post(&s, "/api/v1/orders", &secret, now, &body, &body).await;
    assert_eq!(replay.status(), 401, "the same signature twice is a replay");
    let tampered = order_body("1001", json!({"amount": "8000.00"}));
    let r = signed_post(&s, "/api/v1/orders", &secret, now + 1, &tampered, &body).await;
    assert_eq!(r.status(), 401);
    let r = signed_post(&s, "/api/v1/orders", &secret, now - 301, &body, &body).await;
    assert_eq!(r.status(), 401, "older than five minutes");
    let r = signed_post(&s, "/api/v1/orders", "wrong", now + 2, &body, &body).await;
    assert_eq!(r.status(), 401);
    let unsigned = api()
        .post(s.url("/api/v1/orders"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);

    // A fresh signature on a re-delivery is accepted and changes nothing.
    let again = signed_post(&s, "/api/v1/orders", &secret, now + 3, &body, &body).await;
    assert_eq!(again.status(), 200);
    let ack: Value = again.json().await.unwrap();
    assert_eq!(ack["created"], false);
    // And with a token.
    let by_token = api()
        .post(s.url("/api/v1/orders"))
        .bearer_auth(&env.token)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 200);
    assert_eq!(env.db.store.count_orders(env.org).await.unwrap(), 1);

    let bad = order_body("1002", json!({"amount": "12.345"}));
    let r = signed_post(&s, "/api/v1/orders", &secret, now + 4, &bad, &bad).await;
    assert_eq!(r.status(), 422);

    let refund = serde_json::to_vec(&json!({"refund_id": "r1", "order_id": "1001", "at": "2026-03-25T00:00:00Z", "amount": "20.00"})).unwrap();
    let r = signed_post(&s, "/api/v1/refunds", &secret, now, &refund, &refund).await;
    assert_eq!(r.status(), 201);
    let o = env
        .db
        .store
        .order_by_external_id(env.org, "1001")
        .await
        .unwrap()
        .unwrap();
    let a = env
        .db
        .store
        .attribution(env.org, o.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.net_amount, "60.00");
    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn click_then_identify_then_order_credits_the_creator() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let link = create_link(&s, &env.token, env.account).await;
    let r = hit(
        &s,
        link["code"].as_str().unwrap(),
        reqwest::Method::GET,
        BROWSER,
    )
    .await;
    let cid = cid_of(r.headers()["location"].to_str().unwrap());
    s.state.tracking.flush().await;

    let settings: Value = api()
        .get(s.url("/api/v1/attribution/settings"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = settings["public_key"].as_str().unwrap();
    let js = api()
        .get(s.url(&format!("/t.js?k={key}")))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200);
    let js = js.text().await.unwrap();
    assert!(js.contains("chorus_cid") && js.contains("identify") && js.contains(key));

    let identify = |k: String, body: Value| {
        let url = s.url(&format!("/api/v1/identify?k={k}"));
        async move {
            api()
                .post(url)
                .header("content-type", "text/plain")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        identify(key.into(), json!({"click_id": cid, "customer_key": "c-42"})).await,
        202
    );
    assert_eq!(
        identify(
            "pk_wrong".into(),
            json!({"click_id": cid, "customer_key": "c-42"})
        )
        .await,
        404
    );
    assert_eq!(
        identify(
            key.into(),
            json!({"click_id": "nope", "customer_key": "c-42"})
        )
        .await,
        404
    );
    assert_eq!(
        identify(key.into(), json!({"click_id": cid, "customer_key": ""})).await,
        422
    );

    let at = chrono::Utc::now().to_rfc3339();
    let body = json!({"order_id": "2001", "at": at, "amount": "50.00", "currency": "USD", "customer_key": "c-42"});
    let ack: Value = api()
        .post(s.url("/api/v1/orders"))
        .bearer_auth(&env.token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ack["rule"], "customer");

    let report: Value = api()
        .get(s.url("/api/v1/reports/performance?by=creator"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = &report["rows"][0];
    assert_eq!(row["key"], env.account);
    assert_eq!(row["clicks_human"], 1);
    assert_eq!(row["revenue_minor"], 5000);
    assert_eq!(report["delay_histogram"][0][1], 1);
    let csv = api()
        .get(s.url("/api/v1/reports/performance?by=campaign&format=csv"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("campaign_id,day,clicks_human"), "{csv}");
    assert!(csv.contains(",50.00,"), "{csv}");

    // Re-running changes nothing: attribution is deterministic.
    let rerun = chorus_server::track::rerun_attribution(&env.db.store, env.org, None, None)
        .await
        .unwrap();
    assert_eq!((rerun.orders, rerun.changed), (1, 0));
    s.shutdown().await;
    env.db.cleanup().await;
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn shopify_post(s: &Server, topic: &str, secret: &[u8], body: &[u8]) -> reqwest::Response {
    api()
        .post(s.url("/webhooks/shopify/acme"))
        .header("X-Shopify-Topic", topic)
        .header(signing::SHOPIFY_HEADER, signing::sign_shopify(secret, body))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn shopify_webhooks_with_documented_payloads() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let secret = b"shpss_test_secret";
    let r = api()
        .put(s.url("/api/v1/attribution/settings"))
        .bearer_auth(&env.token)
        .json(&json!({"shopify_secret": "shpss_test_secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = api()
        .post(s.url("/api/v1/promo-codes"))
        .bearer_auth(&env.token)
        .json(&json!({"campaign_id": 7, "account_id": env.account, "pattern": "{HANDLE}15"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let code: Value = r.json().await.unwrap();
    assert_eq!(code["code"], "MAYA15");

    let order = fixture("shopify_orders_create.json");
    let r = shopify_post(&s, "orders/create", secret, &order).await;
    assert_eq!(r.status(), 200);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(
        (ack["created"].as_bool(), ack["rule"].as_str()),
        (Some(true), Some("code"))
    );
    let stored = env
        .db
        .store
        .order_by_external_id(env.org, "820982911946154508")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.amount, "369.97");
    assert_eq!(stored.click_id.as_deref(), Some("CLICKIDFROMLINK"));
    assert_eq!(stored.codes, vec!["maya15".to_string()]);
    let key = stored.customer_key.clone().unwrap();
    assert_eq!(key.len(), 64, "the email is stored only as a hash");
    assert!(!key.contains("example"));

    let r = shopify_post(&s, "orders/create", b"wrong secret", &order).await;
    assert_eq!(r.status(), 401);
    let mut tampered = order.clone();
    let pos = tampered.windows(6).position(|w| w == b"369.97").unwrap();
    tampered[pos] = b'9';
    let r = api()
        .post(s.url("/webhooks/shopify/acme"))
        .header("X-Shopify-Topic", "orders/create")
        .header(
            signing::SHOPIFY_HEADER,
            signing::sign_shopify(secret, &order),
        )
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let again = shopify_post(&s, "orders/create", secret, &order).await;
    let ack: Value = again.json().await.unwrap();
    assert_eq!(ack["created"], false);
    assert_eq!(env.db.store.count_orders(env.org).await.unwrap(), 1);

    let refund = fixture("shopify_refunds_create.json");
    let r = shopify_post(&s, "refunds/create", secret, &refund).await;
    assert_eq!(r.status(), 200);
    let a = env
        .db
        .store
        .attribution(env.org, stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a.net_amount, "319.97",
        "the failed transaction is not a refund"
    );
    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn csv_import_reports_bad_rows_and_stores_good_ones_once() {
    let env = Env::new().await;
    let csv = "order_id,at,amount,currency,customer_key,click_id,codes\n\
               a1,2026-03-01T10:00:00Z,10.00,USD,c1,,\n\
               a2,yesterday,10.00,USD,,,\n\
               a3,2026-03-01T10:00:00Z,1.001,USD,,,MAYA15;OTHER\n\
               a1,2026-03-01T10:00:00Z,10.00,USD,c1,,\n";
    let s = chorus_server::track::import_orders_csv(&env.db.store, env.org, csv.as_bytes())
        .await
        .unwrap();
    assert_eq!((s.rows, s.created, s.duplicates, s.failed), (4, 1, 1, 2));
    assert_eq!(s.errors[0].line, 3);
    assert_eq!(s.errors[0].field, "at");
    assert_eq!(s.errors[1].field, "amount");
    let refunds = "refund_id,order_id,at,amount\nr1,a1,2026-03-02T00:00:00Z,5.00\nr2,zz,2026-03-02T00:00:00Z,1.00\n";
    let r = chorus_server::track::import_refunds_csv(&env.db.store, env.org, refunds.as_bytes())
        .await
        .unwrap();
    assert_eq!((r.created, r.failed), (1, 1));
    assert_eq!(r.errors[0].field, "order_id");
    env.db.cleanup().await;
}

#[tokio::test]
async fn another_organization_sees_none_of_it() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let other = env
        .db
        .store
        .create_org("globex", "Globex")
        .await
        .unwrap()
        .id;
    let other_token = token(&env.db.store, other, "owner@globex.test").await;
    let link = create_link(&s, &env.token, env.account).await;
    let ack: Value = api()
        .post(s.url("/api/v1/orders"))
        .bearer_auth(&env.token)
        .body(order_body("1001", json!({})))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let order_id = ack["id"].as_i64().unwrap();
    let link_id = link["id"].as_i64().unwrap();
    let cases = [
        (reqwest::Method::GET, format!("/api/v1/orders/{order_id}")),
        (reqwest::Method::GET, format!("/api/v1/links/{link_id}")),
        (
            reqwest::Method::POST,
            format!("/api/v1/links/{link_id}/disable"),
        ),
    ];
    for (m, path) in cases {
        let r = api()
            .request(m.clone(), s.url(&path))
            .bearer_auth(&other_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{m} {path}");
        let r = api()
            .request(m.clone(), s.url(&path))
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{m} {path} for the owner");
    }
    for path in ["/api/v1/orders", "/api/v1/links", "/api/v1/promo-codes"] {
        let v: Value = api()
            .get(s.url(path))
            .bearer_auth(&other_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 0, "{path}");
    }
    let report: Value = api()
        .get(s.url("/api/v1/reports/performance"))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(report["rows"].as_array().unwrap().is_empty());
    // The same order id in another organization is another order.
    let r = api()
        .post(s.url("/api/v1/orders"))
        .bearer_auth(&other_token)
        .body(order_body("1001", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn the_performance_page_renders_charts() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let hash = auth::hash_password(common::PASSWORD).unwrap();
    env.db
        .store
        .create_user(NewUser {
            org_id: env.org,
            email: "viewer@acme.test",
            name: "V",
            password_hash: &hash,
            role: Role::Viewer,
        })
        .await
        .unwrap();
    let c = common::browser();
    let login = c
        .get(s.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = common::hidden_field(&login, "csrf_token").unwrap();
    let r = c
        .post(s.url("/login"))
        .form(&[
            ("email", "viewer@acme.test"),
            ("password", common::PASSWORD),
            ("csrf_token", &csrf),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = c
        .get(s.url("/performance?by=campaign"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<svg") && html.contains("Click-to-purchase delay"),
        "{html}"
    );
    let anonymous = common::browser()
        .get(s.url("/performance"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    s.shutdown().await;
    env.db.cleanup().await;
}
