//! The server over HTTP: sessions, CSRF, tokens, imports and tenant isolation.

mod common;

use chorus_core::Role;
use common::{api, browser, creators_ndjson, hidden_field, App, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn health_metrics_and_openapi_are_served() {
    let app = App::spawn().await;
    let c = api();
    let h: Value = c
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    let doc: Value = c
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/creators",
        "/api/v1/tokens/{id}",
        "/api/v1/imports/creators",
    ] {
        assert!(doc["paths"][path].is_object(), "OpenAPI documents {path}");
    }
    let m = c
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("chorus_http_requests_total"), "{m}");
    assert!(
        m.contains("route=\"/healthz\""),
        "requests are counted by route"
    );
    app.stop().await;
}

#[tokio::test]
async fn login_and_logout() {
    let app = App::spawn().await;
    let (_, email) = app.org_with_user("acme", Role::Manager).await;
    // Anonymous pages redirect to the login form, keeping where the user was going.
    let anon = browser();
    let r = anon.get(app.url("/discover?page=2")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/login?next=%2Fdiscover%3Fpage%3D2"
    );

    // A wrong password is refused with a message and no session cookie.
    let page = anon
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let r = anon
        .post(app.url("/login"))
        .form(&[
            ("email", email.as_str()),
            ("password", "wrong password!"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("Wrong email or password"));

    let (c, csrf) = app.browser_login(&email).await;
    let home = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    for section in [
        "Discover",
        "Qualify",
        "Campaigns",
        "Review",
        "Performance",
        "Payouts",
    ] {
        assert!(
            html.contains(&format!(">{section}</a>")),
            "navigation has {section}"
        );
    }
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        c.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "session is gone"
    );
    app.stop().await;
}

#[tokio::test]
async fn session_cookie_is_httponly_and_samesite() {
    let app = App::spawn().await;
    let (_, email) = app.org_with_user("acme", Role::Viewer).await;
    let c = browser();
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("chorus_session="))
        .expect("session cookie set");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    app.stop().await;
}

#[tokio::test]
async fn csrf_is_required_on_state_changing_session_requests() {
    let app = App::spawn().await;
    let (_, email) = app.org_with_user("acme", Role::Owner).await;
    let (c, csrf) = app.browser_login(&email).await;
    // Without a token: refused, and nothing was created.
    let r = c
        .post(app.url("/settings/tokens"))
        .form(&[("name", "no csrf")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(app.url("/settings/tokens"))
        .form(&[("name", "bad csrf"), ("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "json no csrf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    let org = app
        .store
        .user_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .org_id;
    assert!(app.store.list_tokens(org).await.unwrap().is_empty());
    // A login form without its double-submit cookie is refused too.
    let r = browser()
        .post(app.url("/login"))
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // With the token (form field or header): accepted.
    let r = c
        .post(app.url("/settings/tokens"))
        .form(&[("name", "with csrf"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("chorus_"), "the new token is shown once");
    let r = c
        .post(app.url("/api/v1/tokens"))
        .header("x-csrf-token", &csrf)
        .json(&serde_json::json!({"name": "json with csrf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(app.store.list_tokens(org).await.unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let app = App::spawn().await;
    let (_, email) = app.org_with_user("acme", Role::Manager).await;
    let token = app.token_for(&email).await;
    let c = api();
    assert_eq!(
        c.get(app.url("/api/v1/me")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let r = c
        .get(app.url("/api/v1/me"))
        .bearer_auth("chorus_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let me: Value = c
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["email"], email.as_str());
    assert!(
        me["user"].get("password_hash").is_none(),
        "hashes never leave the server"
    );
    // Bearer requests need no CSRF token; mint a second token and revoke the first with it.
    let created: Value = c
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "second"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second = created["token"].as_str().unwrap().to_string();
    let list: Value = c
        .get(app.url("/api/v1/tokens"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !list.to_string().contains(&token),
        "listing never shows secrets"
    );
    let first_id = list["items"][0]["id"].as_i64().unwrap();
    let r = c
        .delete(app.url(&format!("/api/v1/tokens/{first_id}")))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&second)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test]
async fn roles_are_enforced() {
    let app = App::spawn().await;
    let (org, viewer) = app.org_with_user("acme", Role::Viewer).await;
    app.add_user(org, "owner@acme.test", Role::Owner).await;
    let vt = app.token_for(&viewer).await;
    let ot = app.token_for("owner@acme.test").await;
    let c = api();
    let r = c
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&vt)
        .body(creators_ndjson(&["a"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let new_user = serde_json::json!({"email": "new@acme.test", "name": "New", "password": "long enough pw", "role": "reviewer"});
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&vt)
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&ot)
        .json(&new_user)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        app.store.count_accounts().await.unwrap(),
        0,
        "the viewer's import stored nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn import_keeps_good_rows_and_locates_bad_ones() {
    let app = App::spawn().await;
    let (_, email) = app.org_with_user("acme", Role::Manager).await;
    let token = app.token_for(&email).await;
    let body = format!(
        "{}\n{}\n{}\n{}\n",
        serde_json::json!({"platform": "instagram", "handle": "good_one", "followers": 12000}),
        serde_json::json!({"platform": "instagram", "handle": "bad one", "followers": 5}),
        serde_json::json!({"platform": "tiktok", "handle": "good_two", "followers": "lots"}),
        serde_json::json!({"platform": "tiktok", "handle": "good_three", "followers": 40000, "email": "g3@example.com"}),
    );
    let c = api();
    let r: Value = c
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&token)
        .body(body.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            r["rows"].as_i64(),
            r["inserted"].as_i64(),
            r["failed"].as_i64()
        ),
        (Some(4), Some(2), Some(2))
    );
    assert_eq!(r["errors"][0]["line"], 2);
    assert_eq!(r["errors"][0]["field"], "handle");
    assert_eq!(r["errors"][1]["line"], 3);
    assert_eq!(r["errors"][1]["field"], "followers");
    // Re-importing is idempotent: the same two accounts, now updated.
    let again: Value = c
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&token)
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["inserted"].as_i64(), again["updated"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(app.store.count_accounts().await.unwrap(), 2);
    // CSV too, with the row error on its file line.
    let csv = "platform,handle,followers\ninstagram,csv_ok,1000\nfacebook,,10\n";
    let r: Value = c
        .post(app.url("/api/v1/imports/creators?format=csv"))
        .bearer_auth(&token)
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (r["inserted"].as_i64(), r["failed"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["errors"][0]["line"], 3);
    let list: Value = c
        .get(app.url("/api/v1/creators?sort=followers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 3);
    assert_eq!(list["items"][0]["handle"], "good_three");
    let imports: Value = c
        .get(app.url("/api/v1/imports"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(imports["items"].as_array().unwrap().len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn web_import_upload_reports_row_errors() {
    let app = App::spawn().await;
    let (_, email) = app.org_with_user("acme", Role::Manager).await;
    let (c, csrf) = app.browser_login(&email).await;
    let file = "platform,handle,followers\ninstagram,web_ok,1000\ninstagram,web_bad,-3\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(file).file_name("creators.csv"),
    );
    let r = c
        .post(app.url(&format!("/imports?csrf_token={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("1 new"), "{html}");
    assert!(html.contains("line 3, <b>followers</b>"), "{html}");
    // The indexer picks the import up in the background.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let page = c
            .get(app.url("/discover"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.contains("@web_ok") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{page}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let csv = c
        .get(app.url("/discover.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("platform,handle,") && csv.contains("instagram,web_ok,"),
        "{csv}"
    );
    app.stop().await;
}

/// Every organization-owned object of B, seen by A: 404 on every route.
/// New routes that hold organization data join this table.
#[tokio::test]
async fn tenant_isolation_every_route_returns_404_for_another_org() {
    let app = App::spawn().await;
    let (_, a_email) = app.org_with_user("org-a", Role::Owner).await;
    let (b_org, b_email) = app.org_with_user("org-b", Role::Owner).await;
    let a_token = app.token_for(&a_email).await;
    let b_token = app.token_for(&b_email).await;
    let c = api();
    // Objects of B.
    let b_user = app
        .store
        .user_by_email(&b_email)
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let b_token_id = app.store.list_tokens(b_org).await.unwrap()[0].id.0;
    let imp: Value = c
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&b_token)
        .body(creators_ndjson(&["b_creator"]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b_import = imp["import_id"].as_i64().unwrap();

    let cases: Vec<(&str, String)> = vec![
        ("GET", format!("/api/v1/users/{b_user}")),
        ("GET", format!("/api/v1/tokens/{b_token_id}")),
        ("DELETE", format!("/api/v1/tokens/{b_token_id}")),
        ("GET", format!("/api/v1/imports/{b_import}")),
    ];
    for (method, path) in &cases {
        let req = match *method {
            "GET" => c.get(app.url(path)),
            "DELETE" => c.delete(app.url(path)),
            _ => unreachable!(),
        };
        let r = req.bearer_auth(&a_token).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::NOT_FOUND,
            "{method} {path} must be 404 for another organization"
        );
        // B itself sees its object (so the 404 above is about scoping, not a bad route).
        if *method == "GET" {
            let r = c
                .get(app.url(path))
                .bearer_auth(&b_token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path} exists for its owner");
        }
    }
    // Lists never include B's objects.
    for path in ["/api/v1/users", "/api/v1/tokens", "/api/v1/imports"] {
        let v: Value = c
            .get(app.url(path))
            .bearer_auth(&a_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let s = v.to_string();
        assert!(
            !s.contains(&b_email) && !s.contains("org-b"),
            "{path} leaks B: {s}"
        );
    }
    // B's token still works: A's DELETE did nothing.
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&b_token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // The web UI route for revoking scopes the same way.
    let (browser_a, csrf) = app.browser_login(&a_email).await;
    let r = browser_a
        .post(app.url(&format!("/settings/tokens/{b_token_id}/revoke")))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
