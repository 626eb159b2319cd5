//! Lists, notes, saved searches and batch qualify over HTTP, scoped by organization.

mod common;

use chorus_core::Role;
use common::{api, App};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Two creators: one clean, one with a bought-follower spike, a fake-heavy
/// sample and an unsafe caption.
fn accounts() -> String {
    let posts = |tag: &str, likes: u64| -> Vec<Value> {
        (1..=12)
            .map(|i| json!({"id": format!("{tag}{i}"), "caption": format!("Morning run number {i} #trailrunning"),
                             "published_at": format!("2026-10-{:02}T08:00:00Z", i + 1), "likes": likes, "comments": likes / 20}))
            .collect()
    };
    let real = |i: u64| json!({"username": format!("runner{i}"), "bio": "runs", "followers": 300 + i, "following": 280, "posts": 90, "has_profile_pic": true});
    let fake = |i: u64| json!({"username": format!("xk8392{i:04}"), "followers": 2, "following": 3000 + i, "posts": 0, "has_profile_pic": false});
    let mut bad_posts = posts("b", 150);
    bad_posts[0]["caption"] = json!("Buy followers cheap, f*cking deal #buyfollowers");
    let clean = json!({"platform": "instagram", "handle": "clean_maya", "followers": 20000, "following": 400,
        "posts": posts("c", 1000),
        "follower_history": (0..12).map(|m| json!({"date": format!("2025-{:02}-01", m + 1), "followers": 15000 + m * 400})).collect::<Vec<_>>(),
        "follower_sample": (0..40).map(real).collect::<Vec<_>>()});
    let bought = json!({"platform": "instagram", "handle": "bought_bob", "followers": 60000, "following": 400,
        "posts": bad_posts,
        "follower_history": (0..12).map(|m| json!({"date": format!("2025-{:02}-01", m + 1), "followers": if m < 6 { 10000 + m * 100 } else { 60000 }})).collect::<Vec<_>>(),
        "follower_sample": (0..40).map(|i| if i % 4 == 0 { real(i) } else { fake(i) }).collect::<Vec<_>>()});
    format!("{clean}\n{bought}\n")
}

async fn setup() -> (App, String, String) {
    let app = App::spawn().await;
    let (_, a) = app.org_with_user("org-a", Role::Manager).await;
    let (_, b) = app.org_with_user("org-b", Role::Manager).await;
    let (ta, tb) = (app.token_for(&a).await, app.token_for(&b).await);
    let r = api()
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&ta)
        .body(accounts())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    (app, ta, tb)
}

async fn account_id(app: &App, handle: &str) -> i64 {
    app.store
        .account_by_handle("instagram", handle)
        .await
        .unwrap()
        .unwrap()
        .0
}

#[tokio::test]
async fn batch_qualify_a_list_stores_explained_reports() {
    let (app, ta, tb) = setup().await;
    let c = api();
    let (clean, bought) = (
        account_id(&app, "clean_maya").await,
        account_id(&app, "bought_bob").await,
    );
    let list: Value = c
        .post(app.url("/api/v1/lists"))
        .bearer_auth(&ta)
        .json(&json!({"name": "Wave 1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lid = list["id"].as_i64().unwrap();
    let added: Value = c
        .post(app.url(&format!("/api/v1/lists/{lid}/items")))
        .bearer_auth(&ta)
        .json(&json!({"account_ids": [clean, bought]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(added["added"], 2);
    let r: Value = c
        .post(app.url("/api/v1/qualify"))
        .bearer_auth(&ta)
        .json(&json!({"list_id": lid}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reports = r["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    let score = |h: &str| {
        reports.iter().find(|x| x["handle"] == h).unwrap()["score"]
            .as_f64()
            .unwrap()
    };
    assert!(score("clean_maya") > score("bought_bob") + 20.0, "{r}");
    let bob = reports
        .iter()
        .find(|x| x["handle"] == "bought_bob")
        .unwrap();
    assert_eq!(
        bob["high_severity"], true,
        "the unsafe caption is a high-severity finding: {bob}"
    );

    let q: Value = c
        .get(app.url(&format!("/api/v1/creators/{bought}/quality")))
        .bearer_auth(&ta)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let comps = q["report"]["components"].as_array().unwrap();
    let total: f64 = comps.iter().map(|c| c["points"].as_f64().unwrap()).sum();
    assert!(
        (total - q["score"].as_f64().unwrap()).abs() < 1e-6,
        "the score is the sum of its components"
    );
    assert!(
        q["findings"][0]["post_id"] == "b1",
        "the finding names the post: {}",
        q["findings"]
    );
    // Organization B sees neither the list nor the reports.
    let r = c
        .get(app.url(&format!("/api/v1/creators/{bought}/quality")))
        .bearer_auth(&tb)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .post(app.url("/api/v1/qualify"))
        .bearer_auth(&tb)
        .json(&json!({"list_id": lid}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let reps: Value = c
        .get(app.url("/api/v1/qualify/reports"))
        .bearer_auth(&tb)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(reps["items"].as_array().unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn lists_notes_and_saved_searches_are_scoped() {
    let (app, ta, tb) = setup().await;
    let c = api();
    let clean = account_id(&app, "clean_maya").await;
    let list: Value = c
        .post(app.url("/api/v1/lists"))
        .bearer_auth(&ta)
        .json(&json!({"name": "Shortlist"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lid = list["id"].as_i64().unwrap();
    c.post(app.url(&format!("/api/v1/lists/{lid}/items")))
        .bearer_auth(&ta)
        .json(&json!({"account_ids": [clean]}))
        .send()
        .await
        .unwrap();
    let csv = c
        .get(app.url(&format!("/api/v1/lists/{lid}/export.csv")))
        .bearer_auth(&ta)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("instagram,clean_maya,"),
        "{csv}"
    );
    let note = c
        .put(app.url(&format!("/api/v1/creators/{clean}/note")))
        .bearer_auth(&ta)
        .json(&json!({"note": "loves trail races", "tags": ["Trail", " US "]}))
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), StatusCode::OK);
    let n: Value = c
        .get(app.url(&format!("/api/v1/creators/{clean}/note")))
        .bearer_auth(&ta)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(n["tags"], json!(["trail", "us"]));
    let s = c
        .post(app.url("/api/v1/saved-searches"))
        .bearer_auth(&ta)
        .json(&json!({"name": "US runners", "query": {"q": "trail"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(s.status(), StatusCode::CREATED);
    let saved_id = s.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Table of B's view of A's objects: every one is 404.
    let cases = [
        ("GET", format!("/api/v1/lists/{lid}")),
        ("DELETE", format!("/api/v1/lists/{lid}")),
        ("POST", format!("/api/v1/lists/{lid}/items")),
        ("GET", format!("/api/v1/lists/{lid}/export.csv")),
        ("GET", format!("/api/v1/creators/{clean}/note")),
        ("DELETE", format!("/api/v1/saved-searches/{saved_id}")),
    ];
    for (m, path) in &cases {
        let req = match *m {
            "GET" => c.get(app.url(path)),
            "DELETE" => c.delete(app.url(path)),
            _ => c.post(app.url(path)).json(&json!({"account_ids": [clean]})),
        };
        let r = req.bearer_auth(&tb).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{m} {path}");
    }
    let lists: Value = c
        .get(app.url("/api/v1/lists"))
        .bearer_auth(&tb)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(lists["items"].as_array().unwrap().is_empty());
    let saved: Value = c
        .get(app.url("/api/v1/saved-searches"))
        .bearer_auth(&tb)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(saved["items"].as_array().unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn discover_bulk_adds_to_a_new_list_and_qualify_page_shows_scores() {
    let (app, _ta, _) = setup().await;
    let (b, csrf) = app.browser_login("manager@org-a.test").await;
    let clean = account_id(&app, "clean_maya").await;
    let bought = account_id(&app, "bought_bob").await;
    let body =
        format!("csrf_token={csrf}&new_list=Spring+wave&account_id={clean}&account_id={bought}");
    let r = b
        .post(app.url("/lists/add"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let page = b
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("@clean_maya") && page.contains("@bought_bob"));
    let lid = loc.trim_start_matches("/lists/");
    let r = b
        .post(app.url("/qualify"))
        .form(&[("csrf_token", csrf.as_str()), ("list_id", lid)])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("Qualified 2 creators"), "{html}");
    assert!(html.contains("high-severity finding"));
    let creator = b
        .get(app.url(&format!("/creators/{bought}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(creator.contains("Audience quality:") && creator.contains("Brand-safety findings"));
    let csv = b
        .get(app.url("/qualify.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    app.stop().await;
}
