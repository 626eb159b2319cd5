//! A campaign's qualification rule: shortlisted members with a stored report
//! move to qualified or rejected (logged with who and why), members without
//! one stay; one action qualifies the shortlist; scoped to the organization.

mod common;

use chorus_core::Role;
use common::{api, App};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Three creators: a clean one, one with bought followers and an unsafe
/// caption, and one with nothing to score yet.
fn accounts() -> String {
    let posts = |tag: &str, likes: u64, caption: &str| -> Vec<Value> {
        (1..=12u64)
            .map(|i| {
                json!({"id": format!("{tag}{i}"), "caption": format!("{caption} {i} #trailrunning"),
                             "published_at": format!("2026-10-{:02}T08:00:00Z", i + 1),
                             "likes": likes + (i * 37 % 11) * likes / 10, "comments": likes / 25})
            })
            .collect()
    };
    let real = |i: u64| json!({"username": format!("runner{i}"), "bio": "runs", "followers": 300 + i, "following": 280, "posts": 90, "has_profile_pic": true});
    let fake = |i: u64| json!({"username": format!("xk8392{i:04}"), "followers": 2, "following": 3000 + i, "posts": 0, "has_profile_pic": false});
    let mut bad_posts = posts("b", 150, "Morning run");
    bad_posts[0]["caption"] = json!("Buy followers cheap, f*cking deal #buyfollowers");
    let clean = json!({"platform": "instagram", "handle": "clean_maya", "followers": 20000, "following": 400,
        "posts": posts("c", 1000, "Morning run"),
        "follower_history": (0..12).map(|m| json!({"date": format!("2025-{:02}-01", m + 1), "followers": 15000 + m * 400})).collect::<Vec<_>>(),
        "follower_sample": (0..40).map(real).collect::<Vec<_>>()});
    let bought = json!({"platform": "instagram", "handle": "bought_bob", "followers": 60000, "following": 400,
        "posts": bad_posts,
        "follower_history": (0..12).map(|m| json!({"date": format!("2025-{:02}-01", m + 1), "followers": if m < 6 { 10000 + m * 100 } else { 60000 }})).collect::<Vec<_>>(),
        "follower_sample": (0..40).map(|i| if i % 4 == 0 { real(i) } else { fake(i) }).collect::<Vec<_>>()});
    let new = json!({"platform": "instagram", "handle": "new_nina", "followers": 30000, "following": 300});
    format!("{clean}\n{bought}\n{new}\n")
}

struct Setup {
    app: App,
    token: String,
    other: String,
    campaign: i64,
}

async fn setup() -> Setup {
    let app = App::spawn().await;
    let (_, a) = app.org_with_user("org-a", Role::Manager).await;
    let (_, b) = app.org_with_user("org-b", Role::Manager).await;
    let (token, other) = (app.token_for(&a).await, app.token_for(&b).await);
    let c = api();
    let r = c
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&token)
        .body(accounts())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let k: Value = c
        .post(app.url("/api/v1/campaigns"))
        .bearer_auth(&token)
        .json(&json!({"name": "Spring wave", "product": "Trail shoe", "budget": "20000.00", "currency": "USD"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let campaign = k["id"].as_i64().unwrap();
    let added: Value = c
        .post(app.url(&format!("/api/v1/campaigns/{campaign}/members")))
        .bearer_auth(&token)
        .json(&json!({"handles": ["clean_maya", "bought_bob", "new_nina"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(added["added"], 3, "{added}");
    Setup {
        app,
        token,
        other,
        campaign,
    }
}

async fn call(s: &Setup, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let c = api();
    let url = s
        .app
        .url(&format!("/api/v1/campaigns/{}{path}", s.campaign));
    let req = match method {
        "GET" => c.get(url),
        "PUT" => c.put(url).json(&body),
        _ => c.post(url).json(&body),
    };
    let r = req.bearer_auth(&s.token).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn stages(s: &Setup) -> Vec<(String, String)> {
    let (_, v) = call(s, "GET", "/members", Value::Null).await;
    let mut out: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["handle"].as_str().unwrap().to_string(),
                m["stage"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn handles(v: &Value) -> Vec<&str> {
    let mut h: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["handle"].as_str().unwrap())
        .collect();
    h.sort();
    h
}

#[tokio::test]
async fn the_rule_moves_reported_shortlisted_members_and_logs_why() {
    let s = setup().await;
    let (st, rule) = call(&s, "GET", "/qualify-rule", Value::Null).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (
            rule["min_score"].as_f64(),
            &rule["reject_floor"],
            &rule["stored"]
        ),
        (Some(70.0), &json!(true), &json!(false)),
        "the default rule: {rule}"
    );

    // Nothing has a report yet: nobody moves, everybody is "not qualified yet".
    let (_, o) = call(&s, "POST", "/qualify-rule/apply", Value::Null).await;
    assert_eq!(
        handles(&o["not_qualified_yet"]),
        ["bought_bob", "clean_maya", "new_nina"]
    );
    assert!(o["qualified"].as_array().unwrap().is_empty());

    let (st, saved) = call(
        &s,
        "PUT",
        "/qualify-rule",
        json!({"min_score": 60, "reject_floor": true, "reject_high": true}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    assert_eq!(saved["stored"], true);
    let (st, bad) = call(&s, "PUT", "/qualify-rule", json!({"min_score": 140})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // Qualify the shortlist in one action and apply the rule.
    let (st, q) = call(&s, "POST", "/qualify", json!({"apply_rule": true})).await;
    assert_eq!(st, StatusCode::OK, "{q}");
    assert_eq!(q["reports"].as_array().unwrap().len(), 3, "{q}");
    let o = &q["rule"];
    assert_eq!(handles(&o["qualified"]), ["clean_maya"], "{q}");
    assert_eq!(handles(&o["rejected"]), ["bought_bob"], "{q}");
    // A report with nothing to score (no posts, history or sample) is no verdict.
    assert_eq!(handles(&o["not_qualified_yet"]), ["new_nina"], "{q}");
    assert_eq!(
        stages(&s).await,
        [
            ("bought_bob".to_string(), "rejected".to_string()),
            ("clean_maya".into(), "qualified".into()),
            ("new_nina".into(), "shortlisted".into()),
        ]
    );

    // The stage log says who moved them and why.
    let (_, log) = call(&s, "GET", "/log", Value::Null).await;
    let rejected = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["handle"] == "bought_bob" && e["to_stage"] == "rejected")
        .expect("a log entry for the rejection");
    assert_eq!(rejected["from_stage"], "shortlisted");
    assert_eq!(rejected["actor"], "user");
    assert_eq!(rejected["actor_email"], "manager@org-a.test");
    let note = rejected["note"].as_str().unwrap();
    assert!(
        note.contains("rule not met") && note.contains("< 60"),
        "{note}"
    );
    assert!(rejected["at"].as_i64().unwrap() > 0);

    // Applying again changes nothing: only shortlisted members are judged.
    let (_, again) = call(&s, "POST", "/qualify-rule/apply", Value::Null).await;
    assert!(again["qualified"].as_array().unwrap().is_empty());
    assert!(again["rejected"].as_array().unwrap().is_empty());

    // A manager may still decide by hand.
    let (_, members) = call(&s, "GET", "/members", Value::Null).await;
    let nina = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["handle"] == "new_nina")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (st, moved) = call(
        &s,
        "POST",
        "/members/move",
        json!({"member_ids": [nina], "to": "rejected", "note": "not our audience"}),
    )
    .await;
    assert_eq!((st, &moved["done"]), (StatusCode::OK, &json!(1)), "{moved}");
    s.app.stop().await;
}

#[tokio::test]
async fn members_without_a_report_stay_shortlisted() {
    let s = setup().await;
    let clean = s
        .app
        .store
        .account_by_handle("instagram", "clean_maya")
        .await
        .unwrap()
        .unwrap();
    let r = api()
        .post(s.app.url("/api/v1/qualify"))
        .bearer_auth(&s.token)
        .json(&json!({"account_ids": [clean.0]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, o) = call(&s, "POST", "/qualify-rule/apply", Value::Null).await;
    assert_eq!(handles(&o["qualified"]), ["clean_maya"], "{o}");
    assert_eq!(handles(&o["not_qualified_yet"]), ["bought_bob", "new_nina"]);
    let st = stages(&s).await;
    assert_eq!(st[0], ("bought_bob".into(), "shortlisted".into()));
    assert_eq!(st[2], ("new_nina".into(), "shortlisted".into()));
    s.app.stop().await;
}

#[tokio::test]
async fn another_organizations_campaign_is_not_found() {
    let s = setup().await;
    let c = api();
    let base = format!("/api/v1/campaigns/{}", s.campaign);
    for (method, path, body) in [
        ("GET", "/qualify-rule", Value::Null),
        ("PUT", "/qualify-rule", json!({"min_score": 0})),
        ("POST", "/qualify-rule/apply", Value::Null),
        ("POST", "/qualify", json!({"apply_rule": true})),
    ] {
        let url = s.app.url(&format!("{base}{path}"));
        let req = match method {
            "GET" => c.get(url),
            "PUT" => c.put(url).json(&body),
            _ => c.post(url).json(&body),
        };
        let r = req.bearer_auth(&s.other).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    // Nothing moved, no rule stored, no report made for the other organization.
    assert!(stages(&s).await.iter().all(|(_, st)| st == "shortlisted"));
    let (_, rule) = call(&s, "GET", "/qualify-rule", Value::Null).await;
    assert_eq!(rule["stored"], false);
    s.app.stop().await;
}

#[tokio::test]
async fn the_board_form_saves_and_applies_the_rule() {
    let s = setup().await;
    let (browser, csrf) = s.app.browser_login("manager@org-a.test").await;
    let board = browser
        .get(s.app.url(&format!("/campaigns/{}", s.campaign)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        board.contains("id=\"qualify-rule\""),
        "the board has the rule form"
    );
    let r = browser
        .post(
            s.app
                .url(&format!("/campaigns/{}/qualify-rule", s.campaign)),
        )
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("min_score", "60"),
            ("reject_floor", "1"),
            ("action", "qualify"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let page = browser
        .get(s.app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("1 qualified"), "{to}");
    assert!(page.contains("Current rule"));
    let st = stages(&s).await;
    assert_eq!(st[1], ("clean_maya".into(), "qualified".into()));
    s.app.stop().await;
}
