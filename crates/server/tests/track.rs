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

async fn shopify_post_raw(s: &Server, topic: &str, hmac: Option<&str>, body: &[u8]) -> u16 {
    let mut r = api()
        .post(s.url("/webhooks/shopify/acme"))
        .header("X-Shopify-Topic", topic)
        .header("content-type", "application/json");
    if let Some(h) = hmac {
        r = r.header(signing::SHOPIFY_HEADER, h);
    }
    r.body(body.to_vec())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn rfc3339_now() -> String {
    chrono::Utc::now().to_rfc3339()
}

#[tokio::test]
async fn shopify_webhooks_with_documented_payloads() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let store = &env.db.store;
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

    // Shopify's sample, byte for byte; the expected header was computed
    // apart from this code base (HMAC-SHA256, base64, over the raw file).
    let order = fixture("shopify_orders_create.json");
    let good = signing::sign_shopify(secret, &order);
    assert_eq!(good, "BNAeZbW71cQHMQG/xA0XcvNrt8HBSQOVFPmd+jBY040=");

    // The signature covers the exact bytes: the same JSON re-serialized,
    // a changed amount, another secret or no header at all is refused.
    let compact = serde_json::to_vec(&serde_json::from_slice::<Value>(&order).unwrap()).unwrap();
    assert_ne!(compact, order);
    assert_eq!(
        shopify_post_raw(&s, "orders/create", Some(&good), &compact).await,
        401
    );
    let mut tampered = order.clone();
    let pos = tampered
        .windows(24)
        .position(|w| w == b"\"total_price\": \"404.95\",")
        .unwrap();
    tampered[pos + 16] = b'9';
    assert_eq!(
        shopify_post_raw(&s, "orders/create", Some(&good), &tampered).await,
        401
    );
    let wrong = signing::sign_shopify(b"another shop's secret", &order);
    assert_eq!(
        shopify_post_raw(&s, "orders/create", Some(&wrong), &order).await,
        401
    );
    assert_eq!(
        shopify_post_raw(&s, "orders/create", None, &order).await,
        401
    );
    assert_eq!(
        shopify_post_raw(&s, "orders/create", Some("not base64!"), &order).await,
        401
    );
    assert_eq!(store.count_orders(env.org).await.unwrap(), 0);

    let r = shopify_post(&s, "orders/create", secret, &order).await;
    assert_eq!(r.status(), 200);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(
        (ack["created"].as_bool(), ack["rule"].as_str()),
        (Some(true), Some("none")),
        "the sample has no code, no click id and no known customer"
    );
    let stored = store
        .order_by_external_id(env.org, "820982911946154508")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            stored.amount.as_str(),
            stored.amount_minor,
            stored.currency.as_str()
        ),
        ("404.95", 40_495, "USD")
    );
    assert_eq!(
        stored.at,
        chrono::DateTime::parse_from_rfc3339("2022-01-01T00:00:00Z")
            .unwrap()
            .timestamp_micros()
    );
    assert_eq!(stored.click_id, None);
    assert!(stored.codes.is_empty());
    assert_eq!(stored.referrer, None);
    assert_eq!(stored.source, "shopify");
    assert_eq!(
        stored.customer_key.as_deref(),
        Some(chorus_server::track::attribute::email_key("john@example.com").as_str()),
        "the customer's own email, hashed"
    );

    // Shopify retries a delivery until it is acknowledged: a replay of the
    // same order is acknowledged again and stored once.
    let again = shopify_post(&s, "orders/create", secret, &order).await;
    assert_eq!(again.status(), 200);
    let ack: Value = again.json().await.unwrap();
    assert_eq!(ack["created"], false);
    assert_eq!(store.count_orders(env.org).await.unwrap(), 1);

    // The sample's shape with an influencer's traces filled in: a discount
    // code, a landing URL carrying a real click id, other cart attributes.
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
    let mut v: Value = serde_json::from_slice(&order).unwrap();
    v["id"] = json!(820982911946154509u64);
    v["created_at"] = json!(rfc3339_now());
    v["discount_codes"] = json!([{"code": "maya15", "amount": "20.00", "type": "fixed_amount"}]);
    v["landing_site"] = json!(format!(
        "/products/aviator?utm_source=instagram&chorus_cid={cid}"
    ));
    v["referring_site"] = json!("https://l.instagram.com/");
    v["note_attributes"] = json!([{"name": "gift_wrap", "value": "yes"}]);
    let coded = serde_json::to_vec(&v).unwrap();
    let r = shopify_post(&s, "orders/create", secret, &coded).await;
    assert_eq!(r.status(), 200);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["rule"], "code", "a code beats a click");
    let o = store
        .order_by_external_id(env.org, "820982911946154509")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.codes, vec!["maya15".to_string()]);
    assert_eq!(o.click_id.as_deref(), Some(cid.as_str()));
    assert_eq!(o.referrer.as_deref(), Some("https://l.instagram.com/"));

    // A guest checkout: no customer object, the total only as
    // `total_price_set`, the click id in a cart attribute.
    let mut v: Value = serde_json::from_slice(&order).unwrap();
    v["id"] = json!(820982911946154510u64);
    v["created_at"] = json!(rfc3339_now());
    v["customer"] = Value::Null;
    v["discount_codes"] = Value::Null;
    v.as_object_mut().unwrap().remove("total_price");
    v["note_attributes"] = json!([{"name": "chorus_cid", "value": cid}]);
    let guest = serde_json::to_vec(&v).unwrap();
    let r = shopify_post(&s, "orders/create", secret, &guest).await;
    assert_eq!(r.status(), 200);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["rule"], "click");
    let o = store
        .order_by_external_id(env.org, "820982911946154510")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((o.amount.as_str(), o.amount_minor), ("404.95", 40_495));
    assert_eq!(o.click_id.as_deref(), Some(cid.as_str()));
    assert_eq!(
        o.customer_key.as_deref(),
        Some(chorus_server::track::attribute::email_key("jon@example.com").as_str()),
        "without a customer, the order's email"
    );
    let mut v: Value = serde_json::from_slice(&order).unwrap();
    v["id"] = json!(820982911946154511u64);
    v.as_object_mut().unwrap().remove("total_price");
    v.as_object_mut().unwrap().remove("total_price_set");
    let r = api()
        .post(s.url("/webhooks/shopify/acme"))
        .header("X-Shopify-Topic", "orders/create")
        .header(
            signing::SHOPIFY_HEADER,
            signing::sign_shopify(secret, &serde_json::to_vec(&v).unwrap()),
        )
        .body(serde_json::to_vec(&v).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("total_price"));

    // Shopify's refund sample: two successful refund transactions (75.00 +
    // 10.00) beside five refunded line items worth 414.95.
    let refund = fixture("shopify_refunds_create.json");
    assert_eq!(
        signing::sign_shopify(secret, &refund),
        "GSrWupmE11ZYgU1s2bx5G8LPDvLwcgxxXsRzyJfz2Uw="
    );
    let wrong = signing::sign_shopify(b"another shop's secret", &refund);
    assert_eq!(
        shopify_post_raw(&s, "refunds/create", Some(&wrong), &refund).await,
        401
    );
    let r = shopify_post(&s, "refunds/create", secret, &refund).await;
    assert_eq!(r.status(), 200);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["created"], true);
    let refunds = store.refunds_of(env.org, Some(&[stored.id])).await.unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        (refunds[0].amount.as_str(), refunds[0].amount_minor),
        ("85.00", 8_500),
        "the money returned, not the line items' value"
    );
    assert_eq!(refunds[0].external_id, "shopify:890088186047892319");
    let a = store
        .attribution(env.org, stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.net_amount, "319.95");
    let again = shopify_post(&s, "refunds/create", secret, &refund).await;
    let ack: Value = again.json().await.unwrap();
    assert_eq!(ack["created"], false, "a replayed refund counts once");

    // A refund without transactions (store credit) counts its line items
    // and their tax; here the sunglasses only, on the coded order.
    let mut v: Value = serde_json::from_slice(&refund).unwrap();
    v["id"] = json!(890088186047892320u64);
    v["order_id"] = json!(820982911946154509u64);
    v["transactions"] = json!([]);
    let first_line = v["refund_line_items"][0].clone();
    v["refund_line_items"] = json!([first_line]);
    let credit = serde_json::to_vec(&v).unwrap();
    let r = shopify_post(&s, "refunds/create", secret, &credit).await;
    assert_eq!(r.status(), 200);
    let coded_order = store
        .order_by_external_id(env.org, "820982911946154509")
        .await
        .unwrap()
        .unwrap();
    let a = store
        .attribution(env.org, coded_order.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((a.rule.as_str(), a.net_amount.as_str()), ("code", "314.96"));
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

async fn campaign_with_maya(env: &Env) -> i64 {
    let store = &env.db.store;
    let k = store
        .create_campaign(
            env.org,
            None,
            &chorus_store::campaigns::NewCampaign {
                name: "Spring".into(),
                product: "Trail shoe".into(),
                budget_minor: 2_000_000,
                currency: "USD".into(),
                starts_at: None,
                ends_at: None,
                attribution_window_days: 30,
                default_brief: r#"{"key_message":"Grip"}"#.into(),
                default_terms: r#"{"currency":"USD","base_fee":"800.00"}"#.into(),
                contract_template: "Fee {{fee}}".into(),
            },
        )
        .await
        .unwrap();
    store
        .add_members(
            env.org,
            k.id,
            &[chorus_core::AccountId(env.account)],
            "{}",
            chorus_store::campaigns::Actor::System,
        )
        .await
        .unwrap();
    k.id.0
}

#[tokio::test]
async fn concurrent_signed_orders_are_group_committed_once_each() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let secret = webhook_secret(&s, &env.token).await;
    let now = chrono::Utc::now().timestamp();
    let mut posts = Vec::new();
    for i in 0..60 {
        // Every order twice, concurrently: one of the two creates it.
        let body = order_body(&format!("g{}", i % 30), json!({"n": i}));
        let url = s.url("/api/v1/orders");
        let sig = signing::sign(secret.as_bytes(), now, &body);
        posts.push(tokio::spawn(async move {
            let r = api()
                .post(url)
                .header("Chorus-Org", "acme")
                .header(signing::HEADER, sig)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            (status, v)
        }));
    }
    let mut results = Vec::new();
    for p in posts {
        results.push(p.await.unwrap());
    }
    let created = results.iter().filter(|(st, _)| *st == 201).count();
    let again = results.iter().filter(|(st, _)| *st == 200).count();
    assert_eq!((created, again), (30, 30), "{results:?}");
    for (st, v) in &results {
        if *st == 201 {
            assert_eq!(v["rule"], "none");
        }
    }
    assert_eq!(env.db.store.count_orders(env.org).await.unwrap(), 30);
    assert!(env
        .db
        .store
        .unattributed_order_ids(env.org)
        .await
        .unwrap()
        .is_empty());
    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn country_comes_from_the_ip_table_without_a_proxy_header() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let link = create_link(&s, &env.token, env.account).await;
    let code = link["code"].as_str().unwrap();
    let visit = |ip: &'static str| {
        api()
            .get(s.url(&format!("/r/{code}")))
            .header("user-agent", BROWSER)
            .header("x-forwarded-for", ip)
            .send()
    };
    // The bundled table knows Apple's 17.0.0.0/8.
    let r = visit("17.1.2.3").await.unwrap();
    let bundled = cid_of(r.headers()["location"].to_str().unwrap());
    let r = visit("198.51.100.7").await.unwrap();
    let unknown = cid_of(r.headers()["location"].to_str().unwrap());
    // A full table from a file replaces it.
    let file = env.dir.path().join("ip.csv");
    std::fs::write(&file, "start,end,country\n198.51.100.0,198.51.100.255,NL\n").unwrap();
    s.state
        .tracking
        .set_ip_countries(chorus_server::track::load_ip_table(&file).unwrap());
    let r = visit("198.51.100.7").await.unwrap();
    let from_file = cid_of(r.headers()["location"].to_str().unwrap());
    s.state.tracking.flush().await;
    let country = |cid: String| {
        let store = env.db.store.clone();
        let org = env.org;
        async move { store.click(org, &cid).await.unwrap().unwrap().country }
    };
    assert_eq!(country(bundled).await.as_deref(), Some("US"));
    assert_eq!(country(unknown).await, None);
    assert_eq!(country(from_file).await.as_deref(), Some("NL"));
    std::fs::write(&file, "start,end,country\nnot-an-ip,1.0.0.1,NL\n").unwrap();
    let e = chorus_server::track::load_ip_table(&file).unwrap_err();
    assert!(e.to_string().contains("line 2: start"), "{e}");
    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn promo_codes_import_and_single_use_batches() {
    let env = Env::new().await;
    let campaign = campaign_with_maya(&env).await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    let csv = "handle,code,valid_from,single_use\n\
               @maya,MAYA15,2026-03-01,no\n\
               nobody,NOPE10,,\n\
               maya,maya15,,\n\
               maya,SPRING20,yesterday,\n\
               maya,,,\n\
               maya,MAYAVIP,,yes\n";
    let r = api()
        .post(s.url(&format!(
            "/api/v1/promo-codes/import?campaign_id={campaign}"
        )))
        .bearer_auth(&env.token)
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let summary: Value = r.json().await.unwrap();
    assert_eq!(
        (&summary["rows"], &summary["created"], &summary["failed"]),
        (&json!(6), &json!(2), &json!(4)),
        "{summary}"
    );
    let errors: Vec<(u64, String)> = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "handle".into()),
            (4, "code".into()),
            (5, "valid_from".into()),
            (6, "code".into())
        ]
    );

    let batch = |seed: u64| {
        api()
            .post(s.url("/api/v1/promo-codes/batches"))
            .bearer_auth(&env.token)
            .json(&json!({"campaign_id": campaign, "count": 3, "seed": seed}))
            .send()
    };
    let r = batch(42).await.unwrap();
    assert_eq!(r.status(), 201);
    let b: Value = r.json().await.unwrap();
    let codes: Vec<String> = b["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.starts_with("MAYA") && c.len() == 10));
    assert!(b["codes"][0]["single_use"].as_bool().unwrap());
    assert_eq!(b["seed"], 42);

    // The first order with a single-use code is credited through it; the
    // second is flagged and falls through to the other rules.
    let secret = webhook_secret(&s, &env.token).await;
    let now = chrono::Utc::now().timestamp();
    let first = order_body("su-1", json!({"codes": [codes[0].to_lowercase()]}));
    let r = signed_post(&s, "/api/v1/orders", &secret, now, &first, &first).await;
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["rule"], "code");
    let second = order_body(
        "su-2",
        json!({"codes": [codes[0].clone()], "at": "2026-03-21T10:00:00Z"}),
    );
    let r = signed_post(&s, "/api/v1/orders", &secret, now, &second, &second).await;
    let ack: Value = r.json().await.unwrap();
    assert_eq!(ack["rule"], "none", "{ack}");
    let id = ack["id"].as_i64().unwrap();
    let a = env
        .db
        .store
        .attribution(env.org, id)
        .await
        .unwrap()
        .unwrap();
    assert!(a.code_reused && a.credits.is_empty());
    // A re-run agrees with ingestion.
    let rerun = chorus_server::track::rerun_attribution(&env.db.store, env.org, None, None)
        .await
        .unwrap();
    assert_eq!((rerun.orders, rerun.changed), (2, 0));

    s.shutdown().await;
    env.db.cleanup().await;
}

#[tokio::test]
async fn leaked_codes_are_reported_with_their_evidence() {
    let env = Env::new().await;
    let s = Server::start(env.db.store.clone(), &env.data_dir()).await;
    for (code, campaign) in [("MAYA15", 7), ("MAYALOYAL", 7)] {
        let r = api()
            .post(s.url("/api/v1/promo-codes"))
            .bearer_auth(&env.token)
            .json(&json!({"campaign_id": campaign, "account_id": env.account, "code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let secret = webhook_secret(&s, &env.token).await;
    let now = chrono::Utc::now().timestamp();
    for i in 0..6 {
        let referrer = if i < 4 {
            "https://www.retailmenot.com/view/shop.example"
        } else {
            "https://www.instagram.com/"
        };
        let leaked = order_body(
            &format!("L{i}"),
            json!({"codes": ["maya15"], "referrer": referrer}),
        );
        signed_post(&s, "/api/v1/orders", &secret, now, &leaked, &leaked).await;
        let loyal = order_body(&format!("Y{i}"), json!({"codes": ["MAYALOYAL"]}));
        signed_post(&s, "/api/v1/orders", &secret, now, &loyal, &loyal).await;
    }
    let r: Value = api()
        .get(s.url("/api/v1/reports/leaked-codes?campaign_id=7"))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["codes_checked"], 2, "{r}");
    let leaked = r["leaked"].as_array().unwrap();
    assert_eq!(leaked.len(), 1, "{r}");
    let l = &leaked[0];
    assert_eq!(
        (
            &l["code"],
            &l["orders"],
            &l["without_prior_click"],
            &l["from_coupon_sites"]
        ),
        (&json!("MAYA15"), &json!(6), &json!(6), &json!(4))
    );
    assert_eq!(l["account_id"], env.account);
    assert_eq!(l["coupon_sites"]["www.retailmenot.com"], 4);
    s.shutdown().await;
    env.db.cleanup().await;
}

/// Orders, clicks and identify events of a shop with many returning
/// customers, stored in the given order of order ids.
async fn seed_history(env: &Env, order_ids: &[u64]) {
    let store = &env.db.store;
    let link = store
        .create_link(chorus_store::tracking::NewLink {
            org_id: env.org,
            campaign_id: 7,
            account_id: env.account,
            code: "hist01",
            destination: "https://shop.example/",
        })
        .await
        .unwrap();
    let day = 86_400_000_000i64;
    let t0 = 1_772_000_000_000_000i64;
    let clicks: Vec<Click> = (0..300)
        .map(|i| Click {
            click_id: format!("k{i}"),
            org_id: env.org.0,
            link_id: link.id,
            at: t0 + i * day / 10,
            ip_hash: "h".into(),
            user_agent: None,
            referrer: None,
            country: None,
            bot: i % 13 == 0,
            unique: true,
        })
        .collect();
    store.insert_clicks(&clicks).await.unwrap();
    for i in 0..100 {
        store
            .record_identify(
                env.org,
                &format!("c{i}"),
                &format!("k{}", i * 3),
                t0 + i * day / 10,
            )
            .await
            .unwrap();
    }
    store
        .create_promo_code(chorus_store::tracking::NewPromoCode {
            org_id: env.org,
            campaign_id: 7,
            account_id: env.account,
            code: "HIST15",
            valid_from: None,
            valid_to: None,
            single_use: false,
        })
        .await
        .unwrap();
    // (order id, amount, customer, click id, codes, placed at)
    type OwnedOrder = (
        String,
        String,
        Option<String>,
        Option<String>,
        Vec<String>,
        i64,
    );
    let owned: Vec<OwnedOrder> = order_ids
        .iter()
        .map(|&i| {
            (
                format!("o{i}"),
                format!("{}.{:02}", 10 + i % 90, i % 100),
                Some(format!("c{}", i % 400)).filter(|_| i % 5 != 0),
                Some(format!("k{}", i % 300)).filter(|_| i % 7 == 0),
                if i % 11 == 0 {
                    vec!["hist15".to_string()]
                } else {
                    Vec::new()
                },
                t0 + (i as i64) * day / 200,
            )
        })
        .collect();
    for chunk in owned.chunks(2_000) {
        let batch: Vec<(OrgId, chorus_store::tracking::NewOrder<'_>)> = chunk
            .iter()
            .map(|(id, amount, key, cid, codes, at)| {
                let minor = amount.replace('.', "").parse().unwrap();
                (
                    env.org,
                    chorus_store::tracking::NewOrder {
                        external_id: id,
                        at: *at,
                        amount,
                        amount_minor: minor,
                        currency: "USD",
                        customer_key: key.as_deref(),
                        click_id: cid.as_deref(),
                        codes,
                        referrer: None,
                        source: "test",
                        raw: "{}",
                    },
                )
            })
            .collect();
        store.ingest_orders(&batch).await.unwrap();
    }
}

/// Each order's verdict by order id: rule, flags, net amount and credits.
async fn verdicts(env: &Env) -> std::collections::BTreeMap<String, String> {
    let store = &env.db.store;
    let orders = store.list_orders(env.org, None).await.unwrap();
    let pks: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let rows = store.attributions_of(env.org, &pks).await.unwrap();
    orders
        .iter()
        .map(|o| {
            let a = &rows[&o.id];
            let credits: Vec<String> = a
                .credits
                .iter()
                .map(|c| {
                    format!(
                        "{}:{}:{:?}:{}/{}",
                        c.campaign_id, c.account_id, c.click_id, c.share_num, c.share_den
                    )
                })
                .collect();
            (
                o.external_id.clone(),
                format!(
                    "{} {} {} {} {:?}",
                    a.rule, a.self_referral, a.code_reused, a.net_amount, credits
                ),
            )
        })
        .collect()
}

#[tokio::test]
async fn rerun_reads_in_pages_and_is_deterministic_and_idempotent() {
    // More orders than one read page (10 000) and many write pages.
    let n = 12_500u64;
    let forward: Vec<u64> = (0..n).collect();
    let a = Env::new().await;
    seed_history(&a, &forward).await;
    let first = chorus_server::track::rerun_attribution(&a.db.store, a.org, None, None)
        .await
        .unwrap();
    assert_eq!((first.orders, first.changed), (n, n));
    let again = chorus_server::track::rerun_attribution(&a.db.store, a.org, None, None)
        .await
        .unwrap();
    assert_eq!((again.orders, again.changed), (n, 0), "idempotent");
    let va = verdicts(&a).await;
    let rules: std::collections::BTreeSet<&str> =
        va.values().map(|v| v.split(' ').next().unwrap()).collect();
    assert_eq!(
        rules,
        ["click", "code", "customer", "none"].into_iter().collect(),
        "the history exercises every rule"
    );

    // The same history stored in another order gives the same verdicts.
    let b = Env::new().await;
    let backward: Vec<u64> = (0..n).rev().collect();
    seed_history(&b, &backward).await;
    chorus_server::track::rerun_attribution(&b.db.store, b.org, None, None)
        .await
        .unwrap();
    assert_eq!(va, verdicts(&b).await, "deterministic");

    // A verdict at ingestion equals the re-run's.
    let sample: Vec<i64> =
        a.db.store
            .list_orders(a.org, None)
            .await
            .unwrap()
            .iter()
            .step_by(97)
            .map(|o| o.id)
            .collect();
    chorus_server::track::attribute_orders(&a.db.store, a.org, &sample)
        .await
        .unwrap();
    assert_eq!(va, verdicts(&a).await, "ingestion agrees with re-run");
    a.db.cleanup().await;
    b.db.cleanup().await;
}
