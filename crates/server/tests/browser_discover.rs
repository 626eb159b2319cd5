//! Discover in headless Chromium: filter in the sidebar, select a result,
//! add it to a new list. Skipped (with a message) when chromedriver is absent.

mod common;

use chorus_core::Role;
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

#[tokio::test]
async fn manager_filters_selects_and_adds_to_a_list() {
    let Some(driver) = start_driver().await else {
        return;
    };
    let app = App::spawn().await;
    let (org, email) = app.org_with_user("acme", Role::Manager).await;
    let token = app.token_for(&email).await;
    let lines: Vec<String> = [
        ("trail_ana", "instagram", "trail running ultra"),
        ("trail_carl", "tiktok", "trail running vert"),
        ("yoga_bea", "instagram", "yoga flow"),
    ]
    .iter()
    .map(|(h, p, bio)| {
        json!({"platform": p, "handle": h, "followers": 20000, "bio": bio}).to_string()
    })
    .collect();
    let r = api()
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&token)
        .body(lines.join("\n"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // Readiness: the indexer has all three.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let v: Value = api()
            .get(app.url("/api/v1/search"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["total"] == 3 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let c = browser(&driver).await;
    c.goto(&app.url("/login")).await.unwrap();
    type_into(&c, "input[name=email]", &email).await;
    type_into(&c, "input[name=password]", PASSWORD).await;
    click(&c, "form button[type=submit]").await;
    assert!(has_text(&c, ".who", &email).await, "signed in");
    c.goto(&app.url("/discover")).await.unwrap();
    assert!(
        has_text(&c, "h1", "3 of 3").await,
        "{}",
        text_of(&c, "h1").await
    );
    type_into(&c, "#filters input[name=q]", "trail").await;
    click(&c, "#filters input[name=platforms][value=instagram]").await;
    click(&c, "#filters button[type=submit]").await;
    assert!(
        has_text(&c, "h1", "1 of 3").await,
        "{}",
        text_of(&c, "h1").await
    );
    assert!(has_text(&c, "table", "@trail_ana").await);
    assert!(!text_of(&c, "table").await.contains("@trail_carl"));
    click(&c, "input[name=account_id]").await;
    type_into(&c, "input[name=new_list]", "Trail picks").await;
    click(&c, "form[action='/lists/add'] button[type=submit]").await;
    assert!(
        has_text(&c, "main", "@trail_ana").await,
        "{}",
        text_of(&c, "main").await
    );
    let lists = app.store.lists(org).await.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].name, "Trail picks");
    assert_eq!(lists[0].size, 1);
    c.close().await.unwrap();
    app.stop().await;
}
