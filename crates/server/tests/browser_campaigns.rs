//! The batch contract flow in headless Chromium: the manager selects 40
//! creators and sends contracts in one action; one creator signs and the
//! board shows `contracted`; another counters, the manager accepts, and the
//! creator re-signs. Skipped (with a message) when chromedriver is absent.

mod common;

use chorus_core::{CampaignId, CreatorRecord, Role};
use common::{api, App, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::time::Duration;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver {
    child: std::process::Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Option<Driver> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        eprintln!("{CHROMEDRIVER} not found: browser test skipped (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = std::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let d = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(d);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("chromedriver did not start: browser test skipped");
    None
}

async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    let mut opts = json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]});
    for bin in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if std::path::Path::new(bin).exists() {
            opts["binary"] = json!(bin);
            break;
        }
    }
    caps.insert("goog:chromeOptions".into(), opts);
    ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a chromium session")
}

async fn text_of(c: &Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Whether the element comes to contain `needle` within 20 s: a click that
/// submits a form returns before the next page has loaded, so poll.
async fn has_text(c: &Client, css: &str, needle: &str) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if e.text().await.is_ok_and(|t| t.contains(needle)) {
                return true;
            }
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

async fn sign_in_portal(c: &Client, link: &str) {
    c.goto(link).await.unwrap();
    type_into(c, "#legal-name", "Creator Legal Name").await;
    click(c, "#consent").await;
    click(c, "#sign").await;
    assert!(
        has_text(c, "#flash", "Signed").await,
        "{}",
        text_of(c, "#flash").await
    );
}

#[tokio::test]
async fn manager_sends_forty_contracts_and_creators_sign() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let app = App::spawn().await;
    let (org, email) = app.org_with_user("acme", Role::Manager).await;
    let recs: Vec<CreatorRecord> = (0..40)
        .map(|i| {
            let mut r: CreatorRecord = serde_json::from_value(json!({
                "platform": "instagram", "handle": format!("wave{i:02}"), "name": format!("Wave Creator {i}"),
                "email": format!("wave{i:02}@creators.test"), "followers": 15_000 + 1_000 * i
            }))
            .unwrap();
            r.validate().unwrap();
            r
        })
        .collect();
    app.store.upsert_creators(&recs).await.unwrap();
    let token = app.token_for(&email).await;
    let k: Value = api()
        .post(app.url("/api/v1/campaigns"))
        .bearer_auth(&token)
        .json(&json!({"name": "Forty wave", "product": "Trail shoe", "budget": "40000.00", "currency": "USD",
            "default_terms": r#"{"currency": "USD", "base_fee": "600.00", "milestones": [{"event": "signed", "share": "1"}]}"#,
            "default_brief": r#"{"key_message": "{{creator_name}}: grip on wet rock", "deliverables": [{"platform": "instagram", "format": "reel", "count": 1, "due": "2026-05-01"}]}"#}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = k["id"].as_i64().expect("campaign created");
    let handles: Vec<String> = (0..40).map(|i| format!("wave{i:02}")).collect();
    api()
        .post(app.url(&format!("/api/v1/campaigns/{id}/members")))
        .bearer_auth(&token)
        .json(&json!({"handles": handles}))
        .send()
        .await
        .unwrap();

    // The manager signs in, selects all 40 on the board and sends in one action.
    let manager = browser(&driver).await;
    manager.goto(&app.url("/login")).await.unwrap();
    type_into(&manager, "input[name=email]", &email).await;
    type_into(&manager, "input[name=password]", PASSWORD).await;
    manager
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the signed-in page, so the session cookie is set before we navigate.
    assert!(
        has_text(&manager, ".who", &email).await,
        "the manager is signed in"
    );
    manager
        .goto(&app.url(&format!("/campaigns/{id}")))
        .await
        .unwrap();
    assert_eq!(text_of(&manager, "#col-shortlisted .count").await, "40");
    click(&manager, "#select-all").await;
    click(&manager, "#send-contracts").await;
    assert!(
        has_text(&manager, "#flash", "Contracts sent: 40").await,
        "{}",
        text_of(&manager, "#flash").await
    );
    assert_eq!(text_of(&manager, "#col-offered .count").await, "40");

    let outbox = app.store.outbox(org, 100).await.unwrap();
    assert_eq!(outbox.len(), 40, "one email per creator");
    let link = |handle: &str| {
        let e = outbox
            .iter()
            .find(|e| e.to_addr.starts_with(handle))
            .unwrap();
        let start = e.body.find("http://").unwrap();
        e.body[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };

    // One creator opens their link and signs; the board shows `contracted`.
    let creator = browser(&driver).await;
    sign_in_portal(&creator, &link("wave07")).await;
    manager
        .goto(&app.url(&format!("/campaigns/{id}")))
        .await
        .unwrap();
    assert_eq!(text_of(&manager, "#col-contracted .count").await, "1");
    assert!(has_text(&manager, "#col-contracted", "@wave07").await);

    // Another counters; the manager accepts; the creator re-signs.
    creator.goto(&link("wave21")).await.unwrap();
    creator
        .find(Locator::XPath("//summary[contains(., 'Counter-offer')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    type_into(&creator, "#counter-fee", "720.00").await;
    click(&creator, "#send-counter").await;
    assert!(has_text(&creator, "#flash", "counter-offer").await);
    let members = app.store.members(org, CampaignId(id)).await.unwrap();
    let m = members.iter().find(|m| m.handle == "wave21").unwrap();
    assert_eq!(m.stage, "negotiating");
    manager
        .goto(&app.url(&format!("/campaigns/{id}/members/{}", m.id)))
        .await
        .unwrap();
    click(&manager, "#accept-counter").await;
    assert!(has_text(&manager, ".flash", "Counter accepted").await);
    sign_in_portal(&creator, &link("wave21")).await;
    assert!(has_text(&creator, "#contract-text", "720.00 USD").await);
    manager
        .goto(&app.url(&format!("/campaigns/{id}")))
        .await
        .unwrap();
    assert_eq!(text_of(&manager, "#col-contracted .count").await, "2");

    manager.close().await.ok();
    creator.close().await.ok();
    app.stop().await;
}

/// Issue 6 in the browser: the reviewer requests changes on a check, the
/// creator sees the comment and resubmits in the portal, the reviewer sees
/// the word diff and approves, and the board shows `approved`.
#[tokio::test]
async fn reviewer_requests_changes_creator_resubmits_reviewer_approves() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let app = App::spawn().await;
    let (org, email) = app.org_with_user("acme", Role::Manager).await;
    let mut rec: CreatorRecord = serde_json::from_value(json!({
        "platform": "instagram", "handle": "brw00", "name": "Browser Creator",
        "email": "brw00@creators.test", "followers": 30_000
    }))
    .unwrap();
    rec.validate().unwrap();
    app.store.upsert_creators(&[rec]).await.unwrap();
    let token = app.token_for(&email).await;
    let brief = json!({"disclosure_text": "#ad", "required_hashtags": ["#trail"], "promo_code": "SPRING",
        "deliverables": [{"platform": "instagram", "format": "reel", "count": 1, "due": "2099-05-01"}]});
    let k: Value = api()
        .post(app.url("/api/v1/campaigns"))
        .bearer_auth(&token)
        .json(&json!({"name": "Review wave", "product": "Trail shoe", "budget": "5000.00", "currency": "USD",
            "default_terms": r#"{"currency": "USD", "base_fee": "600.00", "milestones": [{"event": "signed", "share": "0.5"}, {"event": "published", "share": "0.5"}]}"#,
            "default_brief": brief.to_string()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = k["id"].as_i64().expect("campaign created");
    api()
        .post(app.url(&format!("/api/v1/campaigns/{id}/members")))
        .bearer_auth(&token)
        .json(&json!({"handles": ["brw00"]}))
        .send()
        .await
        .unwrap();
    let m = app.store.members(org, CampaignId(id)).await.unwrap()[0].id;
    api()
        .post(app.url(&format!("/api/v1/campaigns/{id}/contracts/send")))
        .bearer_auth(&token)
        .json(&json!({"member_ids": [m]}))
        .send()
        .await
        .unwrap();
    let mail = &app.store.outbox(org, 10).await.unwrap()[0];
    let start = mail.body.find("http://").unwrap();
    let link = mail.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    // The creator signs and submits a draft without the disclosure.
    let creator = browser(&driver).await;
    sign_in_portal(&creator, &link).await;
    type_into(
        &creator,
        ".draft-caption",
        "Wet rock, no slips. Code SPRING #trail",
    )
    .await;
    click(&creator, ".submit-draft").await;
    assert!(has_text(&creator, "#flash", "Draft version 1").await);

    // The reviewer finds it in the queue, comments on the failing check.
    let manager = browser(&driver).await;
    manager.goto(&app.url("/login")).await.unwrap();
    type_into(&manager, "input[name=email]", &email).await;
    type_into(&manager, "input[name=password]", PASSWORD).await;
    click(&manager, "form button[type=submit]").await;
    assert!(has_text(&manager, ".who", &email).await);
    manager
        .goto(&app.url(&format!("/campaigns/{id}/review")))
        .await
        .unwrap();
    assert!(has_text(&manager, "#queue", "✗ disclosure").await);
    click(&manager, "#queue a.review").await;
    text_of(&manager, "#c-disclosure").await; // waits for the review page
    type_into(&manager, "#c-disclosure", "Start with #ad, please").await;
    click(&manager, "#request").await;
    assert!(has_text(&manager, "#flash", "changes requested").await);

    // The creator sees the comment and resubmits.
    creator.goto(&link).await.unwrap();
    assert!(has_text(&creator, ".comments", "Start with #ad, please").await);
    type_into(
        &creator,
        ".draft-caption",
        "#ad Wet rock, no slips. Code SPRING #trail",
    )
    .await;
    click(&creator, ".submit-draft").await;
    assert!(has_text(&creator, "#flash", "Draft version 2").await);

    // The reviewer sees what changed and approves; the board shows it.
    manager
        .goto(&app.url(&format!("/campaigns/{id}/review")))
        .await
        .unwrap();
    assert!(has_text(&manager, "#queue", "all pass").await);
    click(&manager, "#queue a.review").await;
    assert!(has_text(&manager, "#diff ins", "#ad").await);
    click(&manager, "#approve").await;
    assert!(has_text(&manager, "#flash", "approved").await);
    manager
        .goto(&app.url(&format!("/campaigns/{id}")))
        .await
        .unwrap();
    assert_eq!(text_of(&manager, "#col-approved .count").await, "1");
    assert!(has_text(&manager, "#col-approved", "@brw00").await);

    manager.close().await.ok();
    creator.close().await.ok();
    app.stop().await;
}
