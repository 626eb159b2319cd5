//! Campaigns over HTTP: the batch contract flow, the creator portal and its
//! security, tenant isolation of every campaign route, the outbox against a
//! local SMTP stand-in, and reminders.

mod common;

use chorus_core::{CreatorRecord, OrgId, Role};
use chorus_server::campaigns::{deliver_outbox, queue_reminders, Mailer};
use common::{api, browser, hidden_field, App};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn seed_creators(app: &App, prefix: &str, n: usize) -> Vec<String> {
    let recs: Vec<CreatorRecord> = (0..n)
        .map(|i| {
            let mut r: CreatorRecord = serde_json::from_value(json!({
                "platform": "instagram", "handle": format!("{prefix}{i}"), "name": format!("Creator {prefix}{i}"),
                "email": format!("{prefix}{i}@creators.test"), "followers": 20_000 + 5_000 * i as u64
            }))
            .unwrap();
            r.validate().unwrap();
            r
        })
        .collect();
    app.store.upsert_creators(&recs).await.unwrap();
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

struct Setup {
    org: OrgId,
    token: String,
    campaign: i64,
}

const TERMS: &str = r#"{"currency": "USD", "base_fee": "500.00",
  "milestones": [{"event": "signed", "share": "0.5"}, {"event": "published", "share": "0.5"}],
  "performance": {"type": "cpa", "amount": "5.00", "cap": "250.00"}}"#;

async fn campaign_with_members(app: &App, slug: &str, handles: &[String]) -> Setup {
    let brief = json!({"key_message": "Hi {{creator_name}}, grip matters",
        "required_hashtags": ["#trail"], "promo_code": "SPRING",
        "deliverables": [{"platform": "instagram", "format": "reel", "count": 1, "due": "2026-05-01"}]});
    campaign_with_brief(app, slug, handles, &brief).await
}

async fn campaign_with_brief(app: &App, slug: &str, handles: &[String], brief: &Value) -> Setup {
    let (org, email) = app.org_with_user(slug, Role::Manager).await;
    let token = app.token_for(&email).await;
    let c = api();
    let r = c
        .post(app.url("/api/v1/campaigns"))
        .bearer_auth(&token)
        .json(&json!({"name": "Spring wave", "product": "Trail shoe", "budget": "20000.00", "currency": "USD",
                      "starts": "2026-04-01", "ends": "2026-06-30", "default_terms": TERMS,
                      "default_brief": brief.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let k: Value = r.json().await.unwrap();
    let campaign = k["id"].as_i64().unwrap();
    let r: Value = c
        .post(app.url(&format!("/api/v1/campaigns/{campaign}/members")))
        .bearer_auth(&token)
        .json(&json!({"handles": handles}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["added"], handles.len(), "{r}");
    Setup {
        org,
        token,
        campaign,
    }
}

async fn member_ids(app: &App, s: &Setup) -> Vec<(i64, String)> {
    let v: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/members", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_i64().unwrap(),
                m["handle"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn send_all(app: &App, s: &Setup) -> Value {
    let ids: Vec<i64> = member_ids(app, s)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let r = api()
        .post(app.url(&format!("/api/v1/campaigns/{}/contracts/send", s.campaign)))
        .bearer_auth(&s.token)
        .json(&json!({"member_ids": ids}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Portal links by recipient, read from the outbox as a creator would from their email.
async fn portal_links(app: &App, org: OrgId) -> Vec<(String, String)> {
    app.store
        .outbox(org, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| {
            let start = e.body.find("http://")?;
            let link = e.body[start..].split_whitespace().next()?.to_string();
            Some((e.to_addr, link))
        })
        .collect()
}

fn link_for<'a>(links: &'a [(String, String)], handle: &str) -> &'a str {
    &links
        .iter()
        .find(|(to, _)| to.starts_with(&format!("{handle}@")))
        .unwrap_or_else(|| panic!("no email for {handle}"))
        .1
}

async fn get_text(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn sign(c: &reqwest::Client, link: &str, ua: &str) -> reqwest::Response {
    let (_, page) = get_text(c, link).await;
    let csrf = hidden_field(&page, "portal_csrf").expect("portal form has its CSRF value");
    let hash = hidden_field(&page, "document_hash").expect("sign form carries the hash");
    c.post(format!("{link}/sign"))
        .header("user-agent", ua)
        .header("x-forwarded-for", "203.0.113.7, 10.0.0.1")
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("legal_name", "Maya Runner"),
            ("consent", "on"),
            ("document_hash", hash.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

async fn stage_of(app: &App, s: &Setup, handle: &str) -> String {
    let v: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/members", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["handle"] == handle)
        .unwrap()["stage"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn batch_send_sign_and_download() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "run", 5).await;
    let s = campaign_with_members(&app, "acme", &handles).await;

    // Bulk terms: +10% for everyone with at least 30k followers (run2..run4).
    let r: Value = api()
        .post(app.url(&format!("/api/v1/campaigns/{}/terms/bulk", s.campaign)))
        .bearer_auth(&s.token)
        .json(&json!({"min_followers": 30000, "kind": "percent", "amount": "10"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["done"], 3, "{r}");

    let out = send_all(&app, &s).await;
    assert_eq!(out["done"], 5, "{out}");
    let budget: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/budget", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // 2 × 500 + 3 × 550 committed; 5 × 250 caps.
    assert_eq!(budget["committed_base"], 265_000, "{budget}");
    assert_eq!(budget["worst_case_variable"], 125_000);
    assert_eq!(budget["over_budget"], false);

    let links = portal_links(&app, s.org).await;
    assert_eq!(links.len(), 5, "one email with a private link each");
    let creator = browser();
    let (status, page) = get_text(&creator, link_for(&links, "run3")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Hi Creator run3, grip matters"),
        "merge fields rendered"
    );
    assert!(page.contains("550.00 USD"), "the member's own fee");
    assert!(!page.contains("Creator run1"));
    let r = sign(&creator, link_for(&links, "run3"), "TestBrowser/1.0").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, &s, "run3").await, "contracted");
    let (_, page) = get_text(&creator, link_for(&links, "run3")).await;
    assert!(page.contains("Signed by Maya Runner"));
    assert!(
        page.contains("instagram reel"),
        "deliverables from the brief are listed"
    );

    // The signed PDF carries the audit trail, for both sides.
    let pdf = creator
        .get(format!("{}/contract.pdf", link_for(&links, "run3")))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        text.contains("AUDIT TRAIL")
            && text.contains("203.0.113.7")
            && text.contains("TestBrowser/1.0")
    );

    let log: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/log", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &log["items"][0];
    assert_eq!(
        (first["to_stage"].as_str(), first["actor"].as_str()),
        (Some("contracted"), Some("creator"))
    );

    // A draft moves the member to content_submitted and shows in the table.
    let (_, page) = get_text(&creator, link_for(&links, "run3")).await;
    let csrf = hidden_field(&page, "portal_csrf").unwrap();
    let start = page.find("/deliverables/").unwrap() + "/deliverables/".len();
    let did: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let r = creator
        .post(format!(
            "{}/deliverables/{did}/draft",
            link_for(&links, "run3")
        ))
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("caption", "#ad trail day #trail SPRING"),
            ("media", "https://cdn.test/a.mp4"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, &s, "run3").await, "content_submitted");
    let d: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/deliverables", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["items"][0]["state"], "submitted", "{d}");
    app.stop().await;
}

#[tokio::test]
async fn counter_accept_and_resign() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "neg", 2).await;
    let s = campaign_with_members(&app, "acme", &handles).await;
    send_all(&app, &s).await;
    let links = portal_links(&app, s.org).await;
    let creator = browser();
    let link = link_for(&links, "neg1").to_string();
    let (_, page) = get_text(&creator, &link).await;
    let csrf = hidden_field(&page, "portal_csrf").unwrap();
    let r = creator
        .post(format!("{link}/counter"))
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("fee", "650.00"),
            ("deliverables", "one story instead of a reel"),
            ("message", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, &s, "neg1").await, "negotiating");

    let (_, email) = ("", format!("{}@acme.test", Role::Manager.as_str()));
    let (manager, mcsrf) = app.browser_login(&email).await;
    let mid = member_ids(&app, &s)
        .await
        .into_iter()
        .find(|(_, h)| h == "neg1")
        .unwrap()
        .0;
    let r = manager
        .post(app.url(&format!("/campaigns/{}/members/{mid}/counter", s.campaign)))
        .form(&[("csrf_token", mcsrf.as_str()), ("decision", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, &s, "neg1").await, "offered");
    let (_, page) = get_text(&creator, &link).await;
    assert!(page.contains("650.00 USD") && page.contains("one story instead of a reel"));
    assert!(page.contains("v2"));
    let r = sign(&creator, &link, "UA").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, &s, "neg1").await, "contracted");
    let terms: Value =
        serde_json::from_str(&app.store.member(s.org, mid).await.unwrap().unwrap().terms).unwrap();
    assert_eq!(terms["base_fee"], "650.00");
    app.stop().await;
}

#[tokio::test]
async fn portal_tokens_are_scoped_expiring_and_revocable() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "sec", 2).await;
    let s = campaign_with_members(&app, "acme", &handles).await;
    send_all(&app, &s).await;
    let links = portal_links(&app, s.org).await;
    let a = link_for(&links, "sec0").to_string();
    let b = link_for(&links, "sec1").to_string();
    let c = browser();

    // A token opens its own creator's pages only.
    let (_, page_a) = get_text(&c, &a).await;
    assert!(page_a.contains("@sec0") && !page_a.contains("@sec1"));
    // Another token's CSRF value does not work on this token's forms.
    let (_, page_b) = get_text(&c, &b).await;
    let csrf_b = hidden_field(&page_b, "portal_csrf").unwrap();
    let hash_a = hidden_field(&page_a, "document_hash").unwrap();
    let r = c
        .post(format!("{a}/sign"))
        .form(&[
            ("portal_csrf", csrf_b.as_str()),
            ("legal_name", "X Y"),
            ("consent", "on"),
            ("document_hash", hash_a.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "CSRF value of another token"
    );
    // Without any CSRF value the form is refused too.
    let r = c
        .post(format!("{a}/decline"))
        .form(&[("reason", "x")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    assert_eq!(stage_of(&app, &s, "sec0").await, "offered");

    // Unknown, tampered and truncated tokens: a clear 404 page.
    for bad in [
        format!("{a}x"),
        app.url("/p/nope"),
        a[..a.len() - 1].to_string(),
    ] {
        let (status, page) = get_text(&c, &bad).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(page.contains("This link is not valid"));
    }

    // Revoked: 403 with its own page.
    let mid_a = member_ids(&app, &s)
        .await
        .into_iter()
        .find(|(_, h)| h == "sec0")
        .unwrap()
        .0;
    app.store.revoke_portal_tokens(s.org, mid_a).await.unwrap();
    let (status, page) = get_text(&c, &a).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("withdrawn"));
    let r = c.get(format!("{a}/contract.pdf")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Expired: 410 Gone.
    let mid_b = member_ids(&app, &s)
        .await
        .into_iter()
        .find(|(_, h)| h == "sec1")
        .unwrap()
        .0;
    let clear = "expired-token-for-test";
    app.store
        .create_portal_token(
            s.org,
            mid_b,
            &chorus_server::auth::digest(clear),
            "c",
            chorus_store::now_us() - 1,
        )
        .await
        .unwrap();
    let (status, page) = get_text(&c, &app.url(&format!("/p/{clear}"))).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("expired"));
    app.stop().await;
}

#[tokio::test]
async fn tampered_contract_is_detected() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "tam", 1).await;
    let s = campaign_with_members(&app, "acme", &handles).await;
    send_all(&app, &s).await;
    let links = portal_links(&app, s.org).await;
    let link = link_for(&links, "tam0").to_string();
    let c = browser();
    let (_, page) = get_text(&c, &link).await;
    let csrf = hidden_field(&page, "portal_csrf").unwrap();
    let hash = hidden_field(&page, "document_hash").unwrap();

    let mid = member_ids(&app, &s).await[0].0;
    let k = app
        .store
        .latest_contract(s.org, mid)
        .await
        .unwrap()
        .unwrap();
    let forged = k.body.replace("500.00 USD", "5000.00 USD");
    assert_ne!(forged, k.body);
    app.store
        .tamper_contract_body(s.org, k.id, &forged)
        .await
        .unwrap();

    let (_, page) = get_text(&c, &link).await;
    assert!(
        page.contains("no longer matches"),
        "the portal flags the change"
    );
    let r = c
        .post(format!("{link}/sign"))
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("legal_name", "Tam Zero"),
            ("consent", "on"),
            ("document_hash", hash.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("changed after it was sent"));
    assert_eq!(stage_of(&app, &s, "tam0").await, "offered");
    let r = c.get(format!("{link}/contract.pdf")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "a tampered document is not handed out"
    );

    // Restore, sign, then tamper again: the download refuses.
    app.store
        .tamper_contract_body(s.org, k.id, &k.body)
        .await
        .unwrap();
    assert_eq!(sign(&c, &link, "UA").await.status(), StatusCode::SEE_OTHER);
    app.store
        .tamper_contract_body(s.org, k.id, &forged)
        .await
        .unwrap();
    let r = c.get(format!("{link}/contract.pdf")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let email = format!("{}@acme.test", Role::Manager.as_str());
    let (manager, _) = app.browser_login(&email).await;
    let (_, page) = get_text(
        &manager,
        &app.url(&format!("/campaigns/{}/members/{mid}", s.campaign)),
    )
    .await;
    assert!(page.contains("text does not match its hash"));
    app.stop().await;
}

#[tokio::test]
async fn every_campaign_route_is_tenant_scoped() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "ten", 1).await;
    let s = campaign_with_members(&app, "acme", &handles).await;
    send_all(&app, &s).await;
    let mid = member_ids(&app, &s).await[0].0;
    let cid = app
        .store
        .latest_contract(s.org, mid)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, other_email) = app.org_with_user("globex", Role::Owner).await;
    let other_token = app.token_for(&other_email).await;
    let (other, csrf) = app.browser_login(&other_email).await;
    let k = s.campaign;
    let web_get = [
        format!("/campaigns/{k}"),
        format!("/campaigns/{k}/edit"),
        format!("/campaigns/{k}/table"),
        format!("/campaigns/{k}/log"),
        format!("/campaigns/{k}/brief"),
        format!("/campaigns/{k}/deliverables"),
        format!("/campaigns/{k}/members/{mid}"),
        format!("/campaigns/{k}/contracts/{cid}/pdf"),
        format!("/campaigns/{k}/review"),
        format!("/campaigns/{k}/deliverables/1"),
        format!("/campaigns/{k}/uploads/1"),
    ];
    for path in &web_get {
        let r = other.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "GET {path}");
    }
    let web_post = [
        format!("/campaigns/{k}/edit"),
        format!("/campaigns/{k}/brief"),
        format!("/campaigns/{k}/members"),
        format!("/campaigns/{k}/bulk"),
        format!("/campaigns/{k}/terms"),
        format!("/campaigns/{k}/deliverables/1/review"),
        format!("/campaigns/{k}/deliverables/1/verify"),
        format!("/campaigns/{k}/review/approve-passing"),
        format!("/campaigns/{k}/members/{mid}/terms"),
        format!("/campaigns/{k}/members/{mid}/counter"),
        format!("/campaigns/{k}/members/{mid}/revoke"),
        format!("/campaigns/{k}/members/{mid}/link"),
    ];
    for path in &web_post {
        let r = other
            .post(app.url(path))
            .form(&[
                ("csrf_token", csrf.as_str()),
                ("member", &mid.to_string()),
                ("name", "x"),
                ("kind", "percent"),
                ("amount", "10"),
                ("terms", "{}"),
                ("decision", "accept"),
                ("handles", "ten0"),
                ("caption", "#ad x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    let c = api();
    let api_calls: Vec<(&str, String, Value)> = vec![
        ("GET", format!("/api/v1/campaigns/{k}"), json!(null)),
        (
            "PUT",
            format!("/api/v1/campaigns/{k}"),
            json!({"name": "x"}),
        ),
        ("GET", format!("/api/v1/campaigns/{k}/members"), json!(null)),
        (
            "POST",
            format!("/api/v1/campaigns/{k}/members"),
            json!({"handles": ["ten0"]}),
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{k}/members/move"),
            json!({"member_ids": [mid], "to": "declined"}),
        ),
        (
            "PUT",
            format!("/api/v1/campaigns/{k}/members/{mid}/terms"),
            json!({"terms": {"currency": "USD"}}),
        ),
        (
            "POST",
            format!("/api/v1/campaigns/{k}/contracts/send"),
            json!({"member_ids": [mid]}),
        ),
        ("GET", format!("/api/v1/campaigns/{k}/brief"), json!(null)),
        ("PUT", format!("/api/v1/campaigns/{k}/brief"), json!({})),
        ("GET", format!("/api/v1/campaigns/{k}/budget"), json!(null)),
        (
            "POST",
            format!("/api/v1/campaigns/{k}/terms/bulk"),
            json!({"kind": "percent", "amount": "10"}),
        ),
        (
            "GET",
            format!("/api/v1/campaigns/{k}/deliverables"),
            json!(null),
        ),
        ("GET", format!("/api/v1/campaigns/{k}/log"), json!(null)),
        ("GET", format!("/api/v1/campaigns/{k}/review"), json!(null)),
        (
            "POST",
            format!("/api/v1/campaigns/{k}/deliverables/1/review"),
            json!({"decision": "approve"}),
        ),
        (
            "GET",
            format!("/api/v1/campaigns/{k}/milestones"),
            json!(null),
        ),
    ];
    for (method, path, body) in &api_calls {
        let req = match *method {
            "GET" => c.get(app.url(path)),
            "PUT" => c.put(app.url(path)).json(body),
            _ => c.post(app.url(path)).json(body),
        };
        let r = req.bearer_auth(&other_token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {path}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "not_found");
    }
    let list: Value = c
        .get(app.url("/api/v1/campaigns"))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let (_, outbox) = get_text(&other, &app.url("/campaigns/outbox")).await;
    assert!(
        !outbox.contains("ten0@creators.test"),
        "another org's emails stay hidden"
    );
    // Nothing changed for the owner.
    assert_eq!(stage_of(&app, &s, "ten0").await, "offered");
    app.stop().await;
}

#[tokio::test]
async fn pages_render_and_bulk_forms_work() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "web", 3).await;
    let (_, email) = app.org_with_user("acme", Role::Manager).await;
    let (b, csrf) = app.browser_login(&email).await;
    let r = b
        .post(app.url("/campaigns"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "Web wave"),
            ("product", "Shoe"),
            ("budget", "1000.00"),
            ("currency", "USD"),
            ("attribution_window_days", "200"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("1 to 180"));
    let r = b
        .post(app.url("/campaigns"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "Web wave"),
            ("product", "Shoe"),
            ("budget", "1000.00"),
            ("currency", "USD"),
            ("attribution_window_days", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.trim_start_matches("/campaigns/").parse().unwrap();
    let r = b
        .post(app.url(&format!("/campaigns/{id}/members")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            (
                "handles",
                &format!("@{} {}, nobody", handles[0], handles[1]),
            ),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.contains("Added+2") && loc.contains("nobody"), "{loc}");
    let (status, board) = get_text(&b, &app.url(&format!("/campaigns/{id}"))).await;
    assert_eq!(status, 200);
    assert!(board.contains("@web0") && board.contains("id=\"col-shortlisted\""));
    let members = app
        .store
        .members(
            app.store.org_by_slug("acme").await.unwrap().unwrap().id,
            chorus_core::CampaignId(id),
        )
        .await
        .unwrap();
    let m0 = members[0].id.to_string();
    // Bulk move: an allowed and a refused move.
    let r = b
        .post(app.url(&format!("/campaigns/{id}/bulk")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("member", m0.as_str()),
            ("to", "qualified"),
            ("action", "move"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("qualified"));
    let r = b
        .post(app.url(&format!("/campaigns/{id}/bulk")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("member", m0.as_str()),
            ("to", "completed"),
            ("action", "move"),
        ])
        .send()
        .await
        .unwrap();
    let loc = urlencoding_decode(r.headers()["location"].to_str().unwrap());
    assert!(
        loc.contains("cannot move from qualified to completed"),
        "{loc}"
    );
    // The same move through the JSON API with the session's CSRF header (as the board's JS does).
    let r = b
        .post(app.url(&format!("/api/v1/campaigns/{id}/members/move")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"member_ids": [members[1].id], "to": "rejected"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, table) = get_text(
        &b,
        &app.url(&format!("/campaigns/{id}/table?stage=rejected")),
    )
    .await;
    assert!(table.contains("@web1") && !table.contains("@web0"));
    let (_, log) = get_text(&b, &app.url(&format!("/campaigns/{id}/log"))).await;
    assert!(log.contains(&email) && log.contains("rejected"));
    // Brief: versioned, and unknown merge fields are named.
    let r = b
        .post(app.url(&format!("/campaigns/{id}/brief")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("key_message", "Hi {{nickname}}"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("nickname"));
    let r = b
        .post(app.url(&format!("/campaigns/{id}/brief")))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("key_message", "Hi {{creator_name}}"),
            ("deliverables", "instagram reel 2 2026-05-01\ntiktok short"),
            ("disclosure_required", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("version+2"));
    for path in [
        "/campaigns",
        "/campaigns/outbox",
        &format!("/campaigns/{id}/edit"),
        &format!("/campaigns/{id}/deliverables"),
        &format!("/campaigns/{id}/brief"),
    ] {
        let (status, _) = get_text(&b, &app.url(path)).await;
        assert_eq!(status, 200, "{path}");
    }
    let js = b.get(app.url("/static/campaigns.js")).send().await.unwrap();
    assert_eq!(js.status(), 200);
    let doc: Value = api()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/campaigns/{id}/contracts/send"].is_object());
    app.stop().await;
}

fn urlencoding_decode(s: &str) -> String {
    let q = s.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .unwrap_or_default()
        .into_iter()
        .map(|(_, v)| v)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A few lines of SMTP: enough for lettre to hand over one message.
async fn smtp_stand_in() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 stand-in ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            tx.send(data.take().unwrap()).ok();
                            w.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 stand-in\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.ok();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn outbox_is_delivered_over_smtp_with_retries() {
    let app = App::spawn().await;
    let org = app.store.create_org("acme", "Acme").await.unwrap().id;
    app.store
        .queue_email(
            org,
            "maya@creators.test",
            "Your contract",
            "Sign here: http://x/p/abc",
        )
        .await
        .unwrap();
    let (port, mut rx) = smtp_stand_in().await;
    let mailer = Mailer::smtp(&format!("smtp://127.0.0.1:{port}"), "chorus@brand.test").unwrap();
    assert_eq!(deliver_outbox(&app.store, &mailer).await.unwrap(), 1);
    let msg = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(msg.contains("Subject: Your contract"), "{msg}");
    assert!(msg.contains("maya@creators.test"));
    let e = &app.store.outbox(org, 10).await.unwrap()[0];
    assert_eq!((e.status.as_str(), e.attempts), ("sent", 1));

    // A server that is down: the email stays queued with a later retry.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    app.store
        .queue_email(org, "zoe@creators.test", "Hi", "Body")
        .await
        .unwrap();
    let dead = Mailer::smtp(
        &format!("smtp://127.0.0.1:{dead_port}"),
        "chorus@brand.test",
    )
    .unwrap();
    assert_eq!(deliver_outbox(&app.store, &dead).await.unwrap(), 0);
    let e = &app.store.outbox(org, 10).await.unwrap()[0];
    assert_eq!((e.status.as_str(), e.attempts), ("queued", 1));
    assert!(e.last_error.is_some() && e.next_attempt_at > chorus_store::now_us());
    // Nothing is due yet, so the log mailer does not touch it.
    assert_eq!(deliver_outbox(&app.store, &Mailer::Log).await.unwrap(), 0);
    app.stop().await;
}

#[tokio::test]
async fn reminders_are_queued_before_due_and_when_late() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "rem", 1).await;
    let s = campaign_with_members(&app, "acme", &handles).await;
    send_all(&app, &s).await;
    let links = portal_links(&app, s.org).await;
    let c = browser();
    assert_eq!(
        sign(&c, link_for(&links, "rem0"), "UA").await.status(),
        StatusCode::SEE_OTHER
    );
    // The reel is due 2026-05-01 23:59:59 UTC.
    let due = chrono::DateTime::parse_from_rfc3339("2026-05-01T23:59:59Z")
        .unwrap()
        .timestamp_micros();
    let day = 86_400_000_000i64;
    assert_eq!(
        queue_reminders(&app.store, due - 10 * day).await.unwrap(),
        0
    );
    assert_eq!(queue_reminders(&app.store, due - day).await.unwrap(), 1);
    assert_eq!(
        queue_reminders(&app.store, due - day).await.unwrap(),
        0,
        "once"
    );
    assert_eq!(
        queue_reminders(&app.store, due + day).await.unwrap(),
        1,
        "late"
    );
    let out = app.store.outbox(s.org, 10).await.unwrap();
    assert!(out[0].subject.starts_with("Overdue"));
    assert!(out[1].subject.starts_with("Reminder"));
    app.stop().await;
}

// ---------- review (issue 6) and draft uploads ----------

/// A brief every well-made caption can pass: disclosure, hashtag, code, a
/// due date far ahead.
fn review_brief() -> Value {
    json!({"disclosure_text": "#ad", "required_hashtags": ["#trail"], "promo_code": "SPRING",
        "deliverables": [{"platform": "instagram", "format": "reel", "count": 1, "due": "2099-05-01"}]})
}

const GOOD: &str = "#ad Wet rock, no slips: these grip. Code SPRING for 15% off #trail";
const NO_AD: &str = "Wet rock, no slips: these grip. Code SPRING for 15% off #trail";

/// The creator signs through their link; returns their browser, link and deliverable id.
async fn signed(app: &App, s: &Setup, handle: &str) -> (reqwest::Client, String, i64) {
    let links = portal_links(app, s.org).await;
    let link = link_for(&links, handle).to_string();
    let c = browser();
    assert_eq!(
        sign(&c, &link, "Test/1").await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = get_text(&c, &link).await;
    let start = page.find("/deliverables/").unwrap() + "/deliverables/".len();
    let did: String = page[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (c, link, did.parse().unwrap())
}

async fn submit(c: &reqwest::Client, link: &str, did: i64, caption: &str) -> reqwest::Response {
    let (_, page) = get_text(c, link).await;
    let csrf = hidden_field(&page, "portal_csrf").unwrap();
    c.post(format!("{link}/deliverables/{did}/draft"))
        .form(&[("portal_csrf", csrf.as_str()), ("caption", caption)])
        .send()
        .await
        .unwrap()
}

async fn go_live(c: &reqwest::Client, link: &str, did: i64, caption: &str) -> reqwest::Response {
    let (_, page) = get_text(c, link).await;
    let csrf = hidden_field(&page, "portal_csrf").unwrap();
    c.post(format!("{link}/deliverables/{did}/live"))
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("url", "https://instagram.com/p/live1"),
            ("caption", caption),
        ])
        .send()
        .await
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    urlencoding_decode(r.headers()["location"].to_str().unwrap())
}

async fn milestones(app: &App, s: &Setup) -> Vec<(String, String)> {
    let v: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/milestones", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["handle"].as_str().unwrap().to_string(),
                e["event"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn review_rounds_with_comments_and_a_word_diff() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "rev", 1).await;
    let s = campaign_with_brief(&app, "acme", &handles, &review_brief()).await;
    send_all(&app, &s).await;
    let (creator, link, did) = signed(&app, &s, "rev0").await;
    let k = s.campaign;
    assert_eq!(submit(&creator, &link, did, NO_AD).await.status(), 303);

    // The queue shows the draft with its failing check, and filters by it.
    let email = format!("{}@acme.test", Role::Manager.as_str());
    let (b, csrf) = app.browser_login(&email).await;
    let (st, queue) = get_text(&b, &app.url(&format!("/campaigns/{k}/review"))).await;
    assert_eq!(st, 200);
    assert!(
        queue.contains(&format!("draft-{did}")) && queue.contains("✗ disclosure"),
        "{queue}"
    );
    assert!(queue.contains("Approve the 0 drafts"));
    let (_, only) = get_text(
        &b,
        &app.url(&format!("/campaigns/{k}/review?failing=disclosure")),
    )
    .await;
    assert!(only.contains(&format!("draft-{did}")));
    let (_, none) = get_text(
        &b,
        &app.url(&format!("/campaigns/{k}/review?failing=hashtags")),
    )
    .await;
    assert!(!none.contains(&format!("draft-{did}")));

    // Requesting changes needs a comment; with one, the creator is told.
    let review_url = app.url(&format!("/campaigns/{k}/deliverables/{did}/review"));
    let r = b
        .post(&review_url)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "changes"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).contains("say what to change"),
        "{}",
        location(&r)
    );
    assert_eq!(stage_of(&app, &s, "rev0").await, "content_submitted");
    let r = b
        .post(&review_url)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "changes"),
            ("version", "1"),
            ("c_disclosure", "Put #ad at the very start"),
            ("comment", "Love the wet-rock line."),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).contains("changes requested"),
        "{}",
        location(&r)
    );
    assert_eq!(stage_of(&app, &s, "rev0").await, "changes_requested");
    let mail = app.store.outbox(s.org, 10).await.unwrap();
    assert!(
        mail[0].subject.starts_with("Changes requested")
            && mail[0]
                .body
                .contains("disclosure: Put #ad at the very start"),
        "{:?}",
        mail[0]
    );
    let (_, portal) = get_text(&creator, &link).await;
    assert!(
        portal.contains("Review round 1: changes requested"),
        "{portal}"
    );
    assert!(
        portal.contains("Put #ad at the very start") && portal.contains("Love the wet-rock line.")
    );

    // The creator resubmits; the reviewer sees the word diff and round 1.
    assert_eq!(submit(&creator, &link, did, GOOD).await.status(), 303);
    assert_eq!(stage_of(&app, &s, "rev0").await, "content_submitted");
    let (_, detail) = get_text(&b, &app.url(&format!("/campaigns/{k}/deliverables/{did}"))).await;
    assert!(detail.contains("<ins>#ad</ins>"), "{detail}");
    assert!(detail.contains("Round 1") && detail.contains("Put #ad at the very start"));
    let (_, old_diff) = get_text(
        &b,
        &app.url(&format!("/campaigns/{k}/deliverables/{did}?from=2&to=1")),
    )
    .await;
    assert!(old_diff.contains("<del>#ad</del>"));

    // A decision on the old version is refused; on the new one it approves.
    let r = b
        .post(&review_url)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
            ("version", "1"),
        ])
        .send()
        .await
        .unwrap();
    let raw = r.headers()["location"].to_str().unwrap();
    assert!(
        raw.contains("err=") && location(&r).contains("newer draft"),
        "{raw}"
    );
    let r = b
        .post(&review_url)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("decision", "approve"),
            ("version", "2"),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&r).contains("approved"), "{}", location(&r));
    assert_eq!(stage_of(&app, &s, "rev0").await, "approved");
    let events = milestones(&app, &s).await;
    assert_eq!(
        events,
        vec![
            ("rev0".into(), "signed".into()),
            ("rev0".into(), "approved".into())
        ]
    );
    let rounds = app.store.review_rounds(s.org, did).await.unwrap();
    assert_eq!(
        rounds
            .iter()
            .map(|r| (r.round, r.version, r.decision.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, 1, "changes_requested"), (2, 2, "approved")]
    );
    app.stop().await;
}

#[tokio::test]
async fn batch_approve_takes_only_drafts_that_pass_every_check() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "bat", 3).await;
    let s = campaign_with_brief(&app, "acme", &handles, &review_brief()).await;
    send_all(&app, &s).await;
    for (h, caption) in [("bat0", GOOD), ("bat1", NO_AD), ("bat2", GOOD)] {
        let (c, link, did) = signed(&app, &s, h).await;
        assert_eq!(submit(&c, &link, did, caption).await.status(), 303);
    }
    let q: Value = api()
        .get(app.url(&format!("/api/v1/campaigns/{}/review", s.campaign)))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let passing: Vec<&str> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["passes_every_check"] == true)
        .map(|i| i["handle"].as_str().unwrap())
        .collect();
    assert_eq!(passing, ["bat0", "bat2"], "{q}");
    let email = format!("{}@acme.test", Role::Manager.as_str());
    let (b, csrf) = app.browser_login(&email).await;
    let r = b
        .post(app.url(&format!("/campaigns/{}/review/approve-passing", s.campaign)))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).contains("Approved (every check passed): 2."),
        "{}",
        location(&r)
    );
    assert_eq!(stage_of(&app, &s, "bat0").await, "approved");
    assert_eq!(stage_of(&app, &s, "bat1").await, "content_submitted");
    assert_eq!(stage_of(&app, &s, "bat2").await, "approved");
    let (_, queue) = get_text(&b, &app.url(&format!("/campaigns/{}/review", s.campaign))).await;
    assert!(queue.contains("@bat1") && !queue.contains("@bat0"));
    app.stop().await;
}

#[tokio::test]
async fn live_post_is_verified_against_the_approved_version() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "liv", 1).await;
    let s = campaign_with_brief(&app, "acme", &handles, &review_brief()).await;
    send_all(&app, &s).await;
    let (creator, link, did) = signed(&app, &s, "liv0").await;
    assert_eq!(submit(&creator, &link, did, GOOD).await.status(), 303);
    // Not approved yet: no live post.
    assert_eq!(
        go_live(&creator, &link, did, GOOD).await.status(),
        StatusCode::CONFLICT
    );
    let r = api()
        .post(app.url(&format!(
            "/api/v1/campaigns/{}/deliverables/{did}/review",
            s.campaign
        )))
        .bearer_auth(&s.token)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(stage_of(&app, &s, "liv0").await, "approved");

    // The live caption dropped the disclosure: recorded, not verified, and why.
    let r = go_live(&creator, &link, did, NO_AD).await;
    assert!(
        location(&r).contains("not verified") && location(&r).contains("disclosure"),
        "{}",
        location(&r)
    );
    assert_eq!(stage_of(&app, &s, "liv0").await, "approved");
    // A reviewer pastes a rewritten caption: refused with the changed words.
    let email = format!("{}@acme.test", Role::Manager.as_str());
    let (b, csrf) = app.browser_login(&email).await;
    let r = b
        .post(app.url(&format!(
            "/campaigns/{}/deliverables/{did}/verify",
            s.campaign
        )))
        .form(&[
            ("csrf_token", csrf.as_str()),
            (
                "caption",
                "#ad Totally different words now, code SPRING #trail",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&r).contains("unchanged: only"), "{}", location(&r));
    assert!(!milestones(&app, &s)
        .await
        .iter()
        .any(|(_, e)| e == "published"));

    // The post as approved (one word added) passes: published, milestone fired.
    let live = GOOD.replace("these grip", "these really grip");
    let r = go_live(&creator, &link, did, &live).await;
    assert!(
        location(&r).contains("verified against the approved version"),
        "{}",
        location(&r)
    );
    assert_eq!(stage_of(&app, &s, "liv0").await, "published");
    assert!(milestones(&app, &s)
        .await
        .contains(&("liv0".into(), "published".into())));
    let (_, detail) = get_text(
        &b,
        &app.url(&format!("/campaigns/{}/deliverables/{did}", s.campaign)),
    )
    .await;
    assert!(
        detail.contains("id=\"verified\"") && detail.contains("failed"),
        "{detail}"
    );
    app.stop().await;
}

fn png(len: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.resize(len, 7);
    v
}

async fn upload_draft(
    c: &reqwest::Client,
    link: &str,
    did: i64,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let (_, page) = get_text(c, link).await;
    let csrf = hidden_field(&page, "portal_csrf").unwrap();
    let form = reqwest::multipart::Form::new()
        .text("portal_csrf", csrf)
        .text("caption", GOOD)
        .text("media", "")
        .part(
            "files",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("image/png")
                .unwrap(),
        );
    c.post(format!("{link}/deliverables/{did}/draft"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn draft_uploads_are_limited_and_served_only_to_their_creator_and_org() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::spawn_with(chorus_server::Config {
        data_dir: Some(dir.path().to_path_buf()),
        max_upload_bytes: 4096,
        ..Default::default()
    })
    .await;
    let handles = seed_creators(&app, "upl", 2).await;
    let s = campaign_with_brief(&app, "acme", &handles, &review_brief()).await;
    send_all(&app, &s).await;
    let (maya, link, did) = signed(&app, &s, "upl0").await;
    let (other, other_link, _) = signed(&app, &s, "upl1").await;

    // Too large and wrong type are refused with a clear page; nothing is kept.
    let r = upload_draft(&maya, &link, did, "big.png", png(5000)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("big.png is too large: files may be at most 4 KB"));
    let r = upload_draft(
        &maya,
        &link,
        did,
        "notes.png",
        b"<html><script>alert(1)</script>".to_vec(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("not a file type we accept"));
    assert!(app.store.submissions(s.org, did).await.unwrap().is_empty());

    // A good file is kept under the campaign's folder with a random name.
    let bytes = png(3000);
    let r = upload_draft(&maya, &link, did, "../reel cover.png", bytes.clone()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ups = app.store.uploads(s.org, did).await.unwrap();
    assert_eq!(ups.len(), 1);
    let u = &ups[0];
    assert_eq!(
        (
            u.original_name.as_str(),
            u.content_type.as_str(),
            u.size_bytes
        ),
        ("reel cover.png", "image/png", 3000)
    );
    let stored = dir.path().join(format!(
        "uploads/{}/{}/{}",
        s.org.0, s.campaign, u.stored_name
    ));
    assert_eq!(std::fs::read(&stored).unwrap(), bytes);
    let leftovers = std::fs::read_dir(stored.parent().unwrap()).unwrap().count();
    assert_eq!(leftovers, 1, "refused uploads leave no files behind");

    // Served to the creator's own link and to the org's users, to nobody else.
    let (_, page) = get_text(&maya, &link).await;
    assert!(page.contains(&format!("/uploads/{}", u.id)));
    let r = maya
        .get(format!("{link}/uploads/{}", u.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);
    let r = other
        .get(format!("{other_link}/uploads/{}", u.id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let email = format!("{}@acme.test", Role::Manager.as_str());
    let (b, _) = app.browser_login(&email).await;
    let url = app.url(&format!("/campaigns/{}/uploads/{}", s.campaign, u.id));
    assert_eq!(b.get(&url).send().await.unwrap().status(), 200);
    let (_, globex) = app.org_with_user("globex", Role::Owner).await;
    let (g, _) = app.browser_login(&globex).await;
    assert_eq!(
        g.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_ne!(browser().get(&url).send().await.unwrap().status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn member_terms_are_edited_in_a_form_with_named_field_errors() {
    let app = App::spawn().await;
    let handles = seed_creators(&app, "trm", 1).await;
    let s = campaign_with_members(&app, "acme", &handles).await;
    let mid = member_ids(&app, &s).await[0].0;
    let email = format!("{}@acme.test", Role::Manager.as_str());
    let (b, csrf) = app.browser_login(&email).await;
    let page_url = app.url(&format!("/campaigns/{}/members/{mid}", s.campaign));
    let (_, page) = get_text(&b, &page_url).await;
    assert!(
        page.contains("name=\"base_fee\" id=\"base-fee\" value=\"500.00\""),
        "{page}"
    );
    assert!(page.contains("signed 50\npublished 50"));
    let form = |fee: &'static str, hold: &'static str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("currency", "USD".to_string()),
            ("base_fee", fee.to_string()),
            ("milestones", "signed 40\npublished 60".to_string()),
            ("performance", "rev_share".to_string()),
            ("basis", "revenue".to_string()),
            ("rate", "".to_string()),
            ("tiers", "0 10\n2000 12.5".to_string()),
            ("cap", "400.00".to_string()),
            ("hold_days", hold.to_string()),
            ("exclusivity_days", "30".to_string()),
            ("competitors", "Trailcraft\nRockgrip".to_string()),
            ("usage_rights_days", "90".to_string()),
        ]
    };
    let url = format!("{page_url}/terms");
    let r = b
        .post(&url)
        .form(&form("900.00", "two weeks"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("hold_days: ")
            && body.contains("two weeks")
            && body.contains("is not a whole number of days"),
        "{body}"
    );
    assert!(
        body.contains("value=\"900.00\""),
        "the form keeps what was typed"
    );
    let r = b
        .post(&url)
        .form(&form("900.00", "14"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let m = app.store.member(s.org, mid).await.unwrap().unwrap();
    let t: Value = serde_json::from_str(&m.terms).unwrap();
    assert_eq!(t["base_fee"], "900.00");
    assert_eq!(
        t["milestones"][1],
        json!({"event": "published", "share": "0.6"})
    );
    assert_eq!(
        t["performance"]["tiers"][1],
        json!({"from": "2000", "rate": "0.125"})
    );
    assert_eq!(
        (t["hold_days"].as_i64(), t["competitors"][1].as_str()),
        (Some(14), Some("Rockgrip"))
    );
    app.stop().await;
}
