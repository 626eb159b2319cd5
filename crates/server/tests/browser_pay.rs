//! Finance in headless Chromium: a finance user creates a payout run from the
//! Payouts page, reviews and approves it, and downloads the PayPal export,
//! whose content is checked. Skipped (with a message) when chromedriver is
//! absent.

mod common;

use chorus_core::Role;
use chrono::Utc;
use common::pay::{app_with_key, event, order, paypal, world, TERMS};
use common::PASSWORD;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
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

#[allow(dead_code)]
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

#[tokio::test]
async fn finance_creates_approves_and_downloads_a_payout_export() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let (app, key) = app_with_key().await;
    let (org, email) = app.org_with_user("acme", Role::Finance).await;
    let store = &app.store;
    let now = Utc::now();
    let w = world(store, org, "Spring", &["maya"], TERMS).await;
    let maya = w.accounts[0];
    paypal(store, &key, org, maya, "maya@creators.test").await;
    event(
        store,
        org,
        w.members[0],
        "signed",
        now - chrono::Duration::days(50),
    )
    .await;
    order(
        store,
        org,
        "o1",
        now - chrono::Duration::days(45),
        "200.00",
        "USD",
        &[(w.campaign, maya, 1, 1)],
    )
    .await;

    let c = browser(&driver).await;
    c.goto(&app.url("/login")).await.unwrap();
    type_into(&c, "input[name=email]", &email).await;
    type_into(&c, "input[name=password]", PASSWORD).await;
    click(&c, "form button[type=submit]").await;
    assert!(has_text(&c, ".who", &email).await, "signed in");
    c.goto(&app.url("/payouts")).await.unwrap();
    assert!(
        has_text(&c, "#balances", "120.00").await,
        "payable balance shown"
    );
    // The form defaults to yesterday and a key; set the minimum and submit.
    let min = c
        .find(Locator::Css("#new-run input[name=min_payout]"))
        .await
        .unwrap();
    min.clear().await.unwrap();
    min.send_keys("50.00").await.unwrap();
    click(&c, "#new-run button[type=submit]").await;
    assert!(has_text(&c, "#run-status", "draft").await, "a draft run");
    assert!(
        has_text(&c, "#items", "120.00").await,
        "the draft pays maya"
    );
    click(&c, "#approve").await;
    assert!(has_text(&c, "#run-status", "approved").await, "approved");
    let link = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#export-paypal-USD"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().expect("a download link");
    // Download with the browser's session cookie.
    let cookie = c.get_named_cookie("chorus_session").await.unwrap();
    let body = common::api()
        .get(app.url(&href))
        .header("cookie", format!("chorus_session={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(body.status(), 200);
    assert!(body
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("attachment")));
    let text = body.text().await.unwrap();
    let key = store.payout_runs(org).await.unwrap()[0].key.clone();
    assert_eq!(
        text,
        format!("maya@creators.test,120.00,USD,{key}:{maya}:USD,Chorus payout {key},PAYPAL\n")
    );
    c.close().await.unwrap();
    app.stop().await;
}
