//! Discover over HTTP: the server's own search index fed by its background
//! indexer, org-scoped filters, pagination, lookalikes, CSV and the page.

mod common;

use chorus_core::{AccountId, OrgId, Role};
use chorus_store::NewReport;
use common::{api, App};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Posts whose ER is `er` of `followers`, newest yesterday.
fn posts(words: &str, followers: u64, er: f64) -> Value {
    let per = (followers as f64 * er) as u64;
    let now = chrono::Utc::now();
    let v: Vec<Value> = (0..4)
        .map(|i| {
            json!({"id": format!("p{i}"), "caption": format!("{words} day {i}"),
                   "hashtags": [words.split(' ').next().unwrap()],
                   "published_at": (now - chrono::Duration::days(1 + i * 3)).to_rfc3339(),
                   "likes": per - 10 + i as u64 * 5, "comments": 10})
        })
        .collect();
    json!(v)
}

fn creator(
    handle: &str,
    platform: &str,
    country: &str,
    niche: &str,
    followers: u64,
    bio: &str,
    aud: Value,
) -> Value {
    json!({"platform": platform, "handle": handle, "name": format!("Name {handle}"),
           "followers": followers, "country": country, "language": "en", "niche": niche,
           "bio": bio, "email": format!("{handle}@example.com"),
           "posts": posts(bio, followers, 0.05), "audience": aud})
}

fn audience(countries: Value, genders: Value, ages: Value) -> Value {
    json!({"source": "estimated", "as_of": "2026-10-01", "countries": countries,
           "genders": genders, "ages": ages, "languages": {"en": 0.9}})
}

fn fixtures() -> String {
    let mut v = vec![
        creator(
            "trail_ana",
            "instagram",
            "US",
            "trail running",
            30_000,
            "trail running ultra mountains",
            audience(
                json!({"US": 0.6, "CA": 0.1}),
                json!({"female": 0.7, "male": 0.3}),
                json!({"25-34": 0.5, "18-24": 0.2}),
            ),
        ),
        creator(
            "trail_carl",
            "tiktok",
            "CA",
            "trail running",
            12_000,
            "trail running mountains vert",
            audience(
                json!({"US": 0.3, "CA": 0.5}),
                json!({"female": 0.3, "male": 0.7}),
                json!({"25-34": 0.3, "35-44": 0.3}),
            ),
        ),
        creator(
            "yoga_bea",
            "instagram",
            "GB",
            "yoga",
            50_000,
            "yoga breath flow",
            audience(
                json!({"GB": 0.7}),
                json!({"female": 0.8, "male": 0.2}),
                json!({"25-34": 0.6}),
            ),
        ),
        creator(
            "cook_dan",
            "youtube",
            "US",
            "cooking",
            80_000,
            "cooking pasta recipes",
            audience(
                json!({"US": 0.8}),
                json!({"female": 0.5, "male": 0.5}),
                json!({"35-44": 0.5}),
            ),
        ),
    ];
    for i in 0..30 {
        v.push(
            json!({"platform": "instagram", "handle": format!("coffee_{i:02}"),
                      "followers": 1000 + (i % 10) * 100, "country": "DE", "niche": "coffee",
                      "bio": "coffee roasting espresso"}),
        );
    }
    v.iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

struct Ctx {
    app: App,
    org_a: OrgId,
    org_b: OrgId,
    token_a: String,
    token_b: String,
}

async fn setup() -> Ctx {
    let app = App::spawn().await;
    let (org_a, a) = app.org_with_user("org-a", Role::Manager).await;
    let (org_b, b) = app.org_with_user("org-b", Role::Manager).await;
    let token_a = app.token_for(&a).await;
    let token_b = app.token_for(&b).await;
    let r = api()
        .post(app.url("/api/v1/imports/creators"))
        .bearer_auth(&token_a)
        .body(fixtures())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let ctx = Ctx {
        app,
        org_a,
        org_b,
        token_a,
        token_b,
    };
    wait_total(&ctx, "", 34).await;
    ctx
}

async fn search(ctx: &Ctx, token: &str, qs: &str) -> (StatusCode, Value) {
    let r = api()
        .get(ctx.app.url(&format!("/api/v1/search?{qs}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

/// Readiness: poll until the indexer has made `total` creators match.
async fn wait_total(ctx: &Ctx, qs: &str, total: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (s, v) = search(ctx, &ctx.token_a, qs).await;
        if s == StatusCode::OK && v["total"] == total {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "index never reached {total} for {qs:?}: {v}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn handles(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["handle"].as_str().unwrap().to_string())
        .collect()
}

async fn id_of(ctx: &Ctx, handle: &str) -> AccountId {
    let platform = if handle == "trail_carl" {
        "tiktok"
    } else if handle == "cook_dan" {
        "youtube"
    } else {
        "instagram"
    };
    ctx.app
        .store
        .account_by_handle(platform, handle)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn api_search_combines_filters_and_explains_each_hit() {
    let ctx = setup().await;
    let (s, v) = search(&ctx, &ctx.token_a,
        "q=trail&audience_countries=US&audience_countries=GB&audience_country_min=0.4&platforms=instagram,tiktok").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(handles(&v), ["trail_ana"]);
    let why = &v["results"][0]["why"];
    assert!(
        why["matched_terms"]
            .as_array()
            .unwrap()
            .contains(&json!("trail")),
        "{why}"
    );
    let filters: Vec<&str> = why["filters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(filters.contains(&"audience US 60% ≥ 40%"), "{filters:?}");
    assert!(
        filters.iter().any(|f| f.starts_with("platform ")),
        "{filters:?}"
    );
    // The same search as a JSON body, with an age-band sum and a fit sort.
    let r = api()
        .post(ctx.app.url("/api/v1/search"))
        .bearer_auth(&ctx.token_a)
        .json(
            &json!({"niches": ["trail running"], "audience_ages": ["25-34", "35-44"],
                      "audience_age_min": 0.55, "sort": "audience_fit",
                      "target": {"genders": {"male": 1.0}}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(handles(&v), ["trail_carl"], "{v}");
    assert!(v["results"][0]["fit"].as_f64().unwrap() > 0.5);
    let filters = v["results"][0]["why"]["filters"].to_string();
    assert!(filters.contains("ages 25-34+35-44 60% ≥ 55%"), "{filters}");
    // Facets count the whole filtered set.
    let (_, v) = search(&ctx, &ctx.token_a, "limit=1").await;
    assert_eq!(v["total"], 34);
    assert!(
        v["facets"]["niche"]
            .as_array()
            .unwrap()
            .contains(&json!(["coffee", 30])),
        "{v}"
    );
    ctx.app.stop().await;
}

#[tokio::test]
async fn bad_filters_are_400_naming_the_field() {
    let ctx = setup().await;
    for (qs, field) in [
        ("followers_min=lots", "followers_min"),
        ("bogus=1", "bogus"),
        (
            "audience_country_min=40&audience_countries=US",
            "audience_country_min",
        ),
        ("audience_ages=20-30", "20-30"),
        ("min_quality_score=120", "min_quality_score"),
        ("exclude_list_id=x", "exclude_list_id"),
        ("sort=audience_fit", "target"),
    ] {
        let (s, v) = search(&ctx, &ctx.token_a, qs).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{qs}: {v}");
        assert_eq!(v["error"]["code"], "invalid_query");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(field), "{qs}: {msg}");
    }
    ctx.app.stop().await;
}

#[tokio::test]
async fn pagination_is_stable() {
    let ctx = setup().await;
    // Ten creators share each follower count: ties break by account id.
    let (_, all) = search(&ctx, &ctx.token_a, "q=coffee&sort=followers&limit=20").await;
    let (_, p1) = search(&ctx, &ctx.token_a, "q=coffee&sort=followers&limit=10").await;
    let (_, p2) = search(
        &ctx,
        &ctx.token_a,
        "q=coffee&sort=followers&limit=10&offset=10",
    )
    .await;
    assert_eq!(p1["total"], 30);
    assert_eq!(p2["offset"], 10);
    let mut paged = handles(&p1);
    paged.extend(handles(&p2));
    assert_eq!(paged, handles(&all));
    let mut unique = paged.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 20);
    ctx.app.stop().await;
}

#[tokio::test]
async fn the_indexer_picks_up_an_import_without_a_restart() {
    let ctx = setup().await;
    let (_, v) = search(&ctx, &ctx.token_a, "q=kayak").await;
    assert_eq!(v["total"], 0);
    let line = json!({"platform": "instagram", "handle": "late_kayaker", "followers": 5000,
                      "bio": "kayak rivers"})
    .to_string();
    let r = api()
        .post(ctx.app.url("/api/v1/imports/creators"))
        .bearer_auth(&ctx.token_b)
        .body(line)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    wait_total(&ctx, "q=kayak", 1).await;
    // Re-importing a changed profile replaces its document.
    let line = json!({"platform": "instagram", "handle": "late_kayaker", "followers": 5000,
                      "bio": "canoe lakes"})
    .to_string();
    api()
        .post(ctx.app.url("/api/v1/imports/creators"))
        .bearer_auth(&ctx.token_b)
        .body(line)
        .send()
        .await
        .unwrap();
    wait_total(&ctx, "q=canoe", 1).await;
    wait_total(&ctx, "q=kayak", 0).await;
    wait_total(&ctx, "", 35).await;
    ctx.app.stop().await;
}

async fn report(ctx: &Ctx, org: OrgId, handle: &str, score: f64, high: bool) {
    let body = json!({});
    ctx.app
        .store
        .save_reports(
            org,
            &[NewReport {
                account_id: id_of(ctx, handle).await,
                score,
                high_severity: high,
                floor_severity: false,
                report: &body,
                findings: &json!([]),
            }],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn quality_filters_read_only_the_callers_organization() {
    let ctx = setup().await;
    report(&ctx, ctx.org_a, "trail_ana", 78.0, false).await;
    report(&ctx, ctx.org_a, "trail_carl", 55.0, false).await;
    report(&ctx, ctx.org_a, "yoga_bea", 90.0, true).await;
    // Org B's report must not make org B... nor org A, pass on its strength.
    report(&ctx, ctx.org_b, "cook_dan", 99.0, false).await;
    let (s, v) = search(&ctx, &ctx.token_a, "min_quality_score=70").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut h = handles(&v);
    h.sort();
    assert_eq!(h, ["trail_ana", "yoga_bea"]);
    let ana = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["handle"] == "trail_ana")
        .unwrap();
    assert!(
        ana["why"]["filters"]
            .as_array()
            .unwrap()
            .contains(&json!("quality 78 ≥ 70")),
        "{ana}"
    );
    let (_, v) = search(
        &ctx,
        &ctx.token_a,
        "min_quality_score=70&no_high_severity=true",
    )
    .await;
    assert_eq!(handles(&v), ["trail_ana"]);
    assert!(v["results"][0]["why"]["filters"]
        .as_array()
        .unwrap()
        .contains(&json!("no high-severity finding")));
    // Unqualified creators do not pass; another org's reports count for nothing.
    let (_, v) = search(&ctx, &ctx.token_b, "min_quality_score=70").await;
    assert_eq!(handles(&v), ["cook_dan"]);
    let (_, v) = search(&ctx, &ctx.token_b, "no_high_severity=true&q=trail").await;
    assert_eq!(v["total"], 0);
    ctx.app.stop().await;
}

#[tokio::test]
async fn exclusions_resolve_within_the_organization() {
    let ctx = setup().await;
    let ana = id_of(&ctx, "trail_ana").await;
    let list_a = ctx
        .app
        .store
        .create_list(ctx.org_a, "shortlist")
        .await
        .unwrap();
    ctx.app
        .store
        .add_to_list(ctx.org_a, list_a.id, &[ana])
        .await
        .unwrap();
    let (_, v) = search(
        &ctx,
        &ctx.token_a,
        &format!("q=trail&exclude_list_id={}", list_a.id),
    )
    .await;
    assert_eq!(handles(&v), ["trail_carl"], "{v}");
    // Another organization's list is not found.
    let (s, v) = search(
        &ctx,
        &ctx.token_b,
        &format!("q=trail&exclude_list_id={}", list_a.id),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    let carl = id_of(&ctx, "trail_carl").await;
    let camp = chorus_server::campaigns::create_sample_campaign(&ctx.app.store, ctx.org_a, &[carl])
        .await
        .unwrap();
    let r = api()
        .post(ctx.app.url("/api/v1/search"))
        .bearer_auth(&ctx.token_a)
        .json(&json!({"q": "trail", "exclude_campaign_id": camp.0}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(handles(&v), ["trail_ana"], "{v}");
    let r = api()
        .post(ctx.app.url("/api/v1/search"))
        .bearer_auth(&ctx.token_b)
        .json(&json!({"q": "trail", "exclude_campaign_id": camp.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    ctx.app.stop().await;
}

#[tokio::test]
async fn lookalikes_and_csv_export() {
    let ctx = setup().await;
    let ana = id_of(&ctx, "trail_ana").await;
    let r = api()
        .get(
            ctx.app
                .url(&format!("/api/v1/creators/{}/lookalikes?limit=3", ana.0)),
        )
        .bearer_auth(&ctx.token_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["results"][0]["handle"], "trail_carl", "{v}");
    assert!(!handles(&v).contains(&"trail_ana".to_string()));
    let r = api()
        .get(ctx.app.url("/api/v1/creators/999999/lookalikes"))
        .bearer_auth(&ctx.token_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = api()
        .get(ctx.app.url("/api/v1/search.csv?niches=coffee&limit=5"))
        .bearer_auth(&ctx.token_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with(
            "platform,handle,name,followers,engagement_rate,niche,country,score,audience_fit,why"
        ),
        "{csv}"
    );
    assert_eq!(lines.len(), 31, "the whole result set, not one page: {csv}");
    assert!(lines[1].starts_with("instagram,coffee_"), "{csv}");
    assert!(lines[1].contains("niche coffee"), "{csv}");
    ctx.app.stop().await;
}

#[tokio::test]
async fn openapi_documents_the_search_endpoints() {
    let ctx = setup().await;
    let v: Value = api()
        .get(ctx.app.url("/api/v1/openapi.json"))
        .bearer_auth(&ctx.token_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/search",
        "/api/v1/search.csv",
        "/api/v1/creators/{account_id}/lookalikes",
    ] {
        assert!(v["paths"][p].is_object(), "{p} missing");
    }
    assert!(v["paths"]["/api/v1/search"]["post"].is_object());
    assert!(v["components"]["schemas"]["SearchBody"]["properties"]["exclude_list_id"].is_object());
    ctx.app.stop().await;
}

#[tokio::test]
async fn web_page_shows_facets_pagination_and_saves_searches() {
    let ctx = setup().await;
    let (b, csrf) = ctx.app.browser_login("manager@org-a.test").await;
    let get = |path: String| {
        let b = b.clone();
        async move { b.get(path).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(ctx.app.url("/discover")).await;
    assert!(page.contains("34 of 34 creators match"), "{page}");
    assert!(page.contains("1–25 of 34"), "{page}");
    assert!(page.contains("rel=\"next\""));
    assert!(
        page.contains("href=\"/discover?niches=coffee\""),
        "facet link: {page}"
    );
    let page2 = get(ctx.app.url("/discover?offset=25")).await;
    assert!(
        page2.contains("26–34 of 34") && page2.contains("rel=\"prev\""),
        "{page2}"
    );
    let trail = get(ctx
        .app
        .url("/discover?q=trail&platforms=instagram&has_email=true"))
    .await;
    assert!(
        trail.contains("@trail_ana") && !trail.contains("@trail_carl"),
        "{trail}"
    );
    assert!(trail.contains("matched trail"), "{trail}");
    assert!(trail.contains("Creators like this"));
    assert!(
        trail.contains("/discover.csv?q=trail&#38;platforms=instagram&#38;has_email=true"),
        "{trail}"
    );
    // A bad filter is explained beside the form.
    let bad = get(ctx.app.url("/discover?followers_min=many")).await;
    assert!(bad.contains("followers_min"), "{bad}");
    // Save the search and find it listed.
    let r = b
        .post(ctx.app.url("/discover/saved"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("name", "Trail IG"),
            ("query", "q=trail&platforms=instagram"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = ctx.app.store.saved_searches(ctx.org_a).await.unwrap();
    assert_eq!(
        saved[0].query,
        json!({"q": "trail", "platforms": ["instagram"]})
    );
    let page = get(ctx.app.url("/discover")).await;
    assert!(page.contains(">Trail IG</a>"), "{page}");
    // The lookalikes page and the creator's charts.
    let ana = id_of(&ctx, "trail_ana").await;
    let like = get(ctx.app.url(&format!("/creators/{}/lookalikes", ana.0))).await;
    assert!(like.contains("@trail_carl"), "{like}");
    let creator = get(ctx.app.url(&format!("/creators/{}", ana.0))).await;
    assert!(
        creator.contains("Engagement rate over posts") && creator.contains("<rect"),
        "{creator}"
    );
    let _ = ctx.token_b;
    ctx.app.stop().await;
}

/// The server's searches answer while an indexer pass holds the writer in
/// the middle of a batch, from the last commit; the batch then appears whole.
#[test]
fn searches_never_wait_for_an_indexer_pass() {
    use chorus_search::{SearchDoc, SearchQuery};
    use std::sync::{mpsc, Arc};
    let doc = |id: i64, bio: &str| SearchDoc {
        account_id: id,
        platform: chorus_core::Platform::Tiktok,
        handle: format!("paddler{id}"),
        name: format!("Paddler {id}"),
        bio: bio.into(),
        captions: String::new(),
        hashtags: String::new(),
        niche: None,
        country: None,
        language: None,
        followers: 2000,
        er: None,
        has_email: false,
        last_post_at: None,
        audience: None,
        quality_score: None,
        has_high_severity_finding: None,
    };
    let total = |d: &chorus_server::discover::Discover, text: &str| {
        let q = SearchQuery {
            q: Some(text.into()),
            ..Default::default()
        };
        d.search(&q, chrono::Utc::now()).unwrap().total
    };
    let d = Arc::new(chorus_server::discover::Discover::in_ram());
    d.index().index_batch(&[doc(1, "kayak rivers")]).unwrap();

    let index = d.index();
    let mut pass = index.writer().unwrap();
    for id in 2..=200 {
        pass.upsert(&doc(id, "kayak lakes")).unwrap();
    }
    let (tx, rx) = mpsc::channel();
    let reader = d.clone();
    std::thread::spawn(move || {
        let _ = tx.send((total(&reader, "kayak"), reader.num_docs()));
    });
    let seen = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("a search waited for the indexer's writer");
    assert_eq!(seen, (1, 1));
    pass.commit().unwrap();
    assert_eq!((total(&d, "kayak"), d.num_docs()), (200, 200));
}
