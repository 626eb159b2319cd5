//! Portfolio over HTTP on a real SQLite store: the planner respects the
//! budget and every constraint, pins and excludes, plan → campaign members
//! with terms, organization scoping, dashboard figures from tracking data,
//! and wave-calendar exclusivity conflicts.

mod common;

use chorus_core::{AccountId, CreatorRecord, OrgId, Role};
use chorus_store::campaigns::Actor;
use chorus_store::tracking::{AttributionRow, Click, CreditRow, NewLink, NewOrder};
use chorus_store::{NewReport, Store};
use common::{api, App};
use serde_json::{json, Value};
use std::collections::HashSet;

/// An Instagram runner with three recent posts; ER about `er`.
fn runner(handle: &str, followers: u64, er: f64, niche: &str) -> CreatorRecord {
    let eng = (followers as f64 * er) as u64;
    let posts: Vec<Value> = (1..=4)
        .map(|d| {
            json!({"id": format!("{handle}-p{d}"), "published_at": format!("2026-01-0{d}T12:00:00Z"),
                   "likes": eng * 9 / 10, "comments": eng / 10, "views": followers / 3})
        })
        .collect();
    let mut r: CreatorRecord = serde_json::from_value(json!({
        "platform": "instagram", "handle": handle, "name": format!("Runner {handle}"),
        "followers": followers, "country": "US", "niche": niche, "posts": posts,
        "audience": {"source": "estimated", "as_of": "2026-01-01",
                     "countries": {"US": 0.7, "GB": 0.2}, "ages": {"18-24": 0.4, "25-34": 0.4},
                     "genders": {"female": 0.6, "male": 0.4}, "languages": {"en": 0.9}}
    }))
    .unwrap();
    r.validate().unwrap();
    r
}

struct Env {
    app: App,
    org: OrgId,
    token: String,
    rival_token: String,
    /// handle → account id
    ids: Vec<(String, i64)>,
}

impl Env {
    async fn new() -> Env {
        let app = App::spawn().await;
        let (org, email) = app.org_with_user("acme", Role::Manager).await;
        let token = app.token_for(&email).await;
        let (_, rival) = app.org_with_user("rival", Role::Manager).await;
        let rival_token = app.token_for(&rival).await;
        let mut recs: Vec<CreatorRecord> = (0..24)
            .map(|i| {
                runner(
                    &format!("run{i:02}"),
                    12_000 + i * 3_500,
                    0.03 + (i % 5) as f64 * 0.01,
                    "running",
                )
            })
            .collect();
        recs.push(runner("megarun", 1_500_000, 0.01, "running"));
        recs.push(runner("baker", 40_000, 0.05, "baking"));
        app.store.upsert_creators(&recs).await.unwrap();
        let mut ids = Vec::new();
        for r in &recs {
            let id = app
                .store
                .account_by_handle("instagram", &r.handle)
                .await
                .unwrap()
                .unwrap();
            ids.push((r.handle.clone(), id.0));
        }
        let env = Env {
            app,
            org,
            token,
            rival_token,
            ids,
        };
        // Qualify: run03 has a floor-level finding, run05 scores 30, the mega
        // account and run07 are unscored; everyone else scores 80.
        let report = json!({});
        let findings = json!([]);
        let reports: Vec<NewReport> = env
            .ids
            .iter()
            .filter(|(h, _)| h != "run07" && h != "megarun")
            .map(|(h, id)| NewReport {
                account_id: AccountId(*id),
                score: if h == "run05" { 30.0 } else { 80.0 },
                high_severity: h == "run03",
                floor_severity: h == "run03",
                report: &report,
                findings: &findings,
            })
            .collect();
        env.app.store.save_reports(env.org, &reports).await.unwrap();
        env
    }

    fn id(&self, handle: &str) -> i64 {
        self.ids.iter().find(|(h, _)| h == handle).unwrap().1
    }

    fn handle(&self, id: i64) -> &str {
        &self.ids.iter().find(|(_, i)| *i == id).unwrap().0
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let c = api();
        let url = self.app.url(path);
        let req = match method {
            "GET" => c.get(url),
            "PUT" => c.put(url),
            _ => c.post(url),
        }
        .bearer_auth(token);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn plan(&self, body: Value) -> Value {
        let (s, v) = self
            .call("POST", "/api/v1/portfolio/plan", &self.token, Some(body))
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    /// A campaign with one reel per creator in its brief; `terms` JSON or "" for a plain fee.
    async fn campaign(
        &self,
        name: &str,
        product: &str,
        starts: &str,
        ends: &str,
        terms: &str,
    ) -> i64 {
        let brief = json!({"key_message": "Grip on wet rock", "deliverables": [
            {"platform": "instagram", "format": "reel", "count": 1}]});
        let (s, v) = self
            .call(
                "POST",
                "/api/v1/campaigns",
                &self.token,
                Some(json!({
                "name": name, "product": product, "budget": "10000.00", "currency": "USD",
                "starts": starts, "ends": ends, "default_brief": brief.to_string(),
                "default_terms": terms})),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        v["id"].as_i64().unwrap()
    }
}

fn chosen_ids(plan: &Value) -> Vec<i64> {
    plan["plan"]["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn base_request() -> Value {
    json!({"niche": "running", "budget": "3000.00", "currency": "USD", "max_creators": 8,
           "max_share_pct": 25, "min_quality": 50, "exclude_floor_safety": true})
}

#[tokio::test]
async fn plan_respects_budget_and_every_constraint() {
    let env = Env::new().await;
    let v = env.plan(base_request()).await;
    let chosen = v["plan"]["chosen"].as_array().unwrap();
    assert!(!chosen.is_empty(), "{v}");
    assert!(chosen.len() <= 8);
    assert_eq!(v["candidates"], 25, "the running niche, not the baker");
    let fees: Vec<i64> = chosen
        .iter()
        .map(|c| c["fee"]["minor"].as_i64().unwrap())
        .collect();
    let total: i64 = fees.iter().sum();
    assert!(total <= 300_000, "within budget: {total}");
    assert!(
        fees.iter().all(|f| *f <= 75_000),
        "no creator above 25% of the budget: {fees:?}"
    );
    assert_eq!(
        v["plan"]["totals"]["cost"]["minor"].as_i64().unwrap(),
        total
    );
    for c in chosen {
        let h = env.handle(c["id"].as_i64().unwrap());
        assert!(
            !["run03", "run05", "run07", "megarun", "baker"].contains(&h),
            "{h} breaks a constraint"
        );
        assert!(!c["reason"].as_str().unwrap().is_empty());
        let views = &c["outcome"]["views"];
        assert!(views["low"].as_f64().unwrap() <= views["expected"].as_f64().unwrap());
        assert!(views["expected"].as_f64().unwrap() <= views["high"].as_f64().unwrap());
    }
    let left = v["plan"]["left_out"].as_array().unwrap();
    assert!(!left.is_empty());
    assert!(left
        .iter()
        .all(|l| !l["reason"].as_str().unwrap().is_empty()));

    // The organization's fee model is editable and the planner uses it.
    let (s, mut model) = env
        .call("GET", "/api/v1/portfolio/fee-model", &env.token, None)
        .await;
    assert_eq!(s, 200);
    for r in model["rules"].as_array_mut().unwrap() {
        r["per_1k_minor"] = json!(0);
        r["floor_minor"] = json!(12_345);
    }
    let (s, _) = env
        .call(
            "PUT",
            "/api/v1/portfolio/fee-model",
            &env.token,
            Some(model),
        )
        .await;
    assert_eq!(s, 200);
    // A rate card wins over the model.
    let (s, _) = env
        .call(
            "PUT",
            &format!("/api/v1/portfolio/rate-cards/{}", env.id("run10")),
            &env.token,
            Some(json!({"amount": "99.00", "currency": "USD"})),
        )
        .await;
    assert_eq!(s, 200);
    let v = env
        .plan(
            json!({"niche": "running", "budget": "3000.00", "currency": "USD", "max_creators": 40}),
        )
        .await;
    for c in v["plan"]["chosen"].as_array().unwrap() {
        let want = if c["id"] == env.id("run10") {
            9_900
        } else {
            12_345
        };
        assert_eq!(c["fee"]["minor"], want, "{c}");
    }
    // Another organization still plans with the defaults.
    let (_, other) = env
        .call("GET", "/api/v1/portfolio/fee-model", &env.rival_token, None)
        .await;
    assert_ne!(other["rules"][0]["floor_minor"], 12_345);
    env.app.stop().await;
}

#[tokio::test]
async fn pins_and_excludes_are_honoured() {
    let env = Env::new().await;
    let first = env.plan(base_request()).await;
    let chosen = chosen_ids(&first);
    let out = first["plan"]["left_out"].as_array().unwrap();
    let pin = out
        .iter()
        .filter(|l| l["fee"]["minor"].as_i64().is_some_and(|f| f <= 75_000))
        .map(|l| l["id"].as_i64().unwrap())
        .find(|id| !["run03", "run05", "run07", "megarun"].contains(&env.handle(*id)))
        .expect("an eligible creator left out");
    let drop = chosen[0];
    let mut req = base_request();
    req["pinned"] = json!([pin]);
    req["excluded"] = json!([drop]);
    let second = env.plan(req).await;
    let ids = chosen_ids(&second);
    assert!(ids.contains(&pin), "pinned {pin} is in: {ids:?}");
    assert!(!ids.contains(&drop), "excluded {drop} is out: {ids:?}");
    let fees: i64 = second["plan"]["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fee"]["minor"].as_i64().unwrap())
        .sum();
    assert!(fees <= 300_000);
    env.app.stop().await;
}

#[tokio::test]
async fn plan_becomes_campaign_members_with_terms_and_a_stage_log() {
    let env = Env::new().await;
    let terms = json!({"currency": "USD", "base_fee": "1.00",
        "milestones": [{"event": "signed", "share": "0.5"}, {"event": "published", "share": "0.5"}],
        "performance": {"type": "rev_share", "basis": "revenue", "rate": "0.10", "cap": "500.00"},
        "hold_days": 30});
    let k = env
        .campaign(
            "Spring wave",
            "Trail shoe",
            "2026-03-01",
            "2026-03-31",
            &terms.to_string(),
        )
        .await;
    let plan = env.plan(base_request()).await;
    let planned: Vec<(i64, i64)> = plan["plan"]["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["fee"]["minor"].as_i64().unwrap(),
            )
        })
        .collect();
    let (s, applied) = env
        .call(
            "POST",
            &format!("/api/v1/portfolio/campaigns/{k}/apply"),
            &env.token,
            Some(base_request()),
        )
        .await;
    assert_eq!(s, 200, "{applied}");
    assert_eq!(applied["added"].as_array().unwrap().len(), planned.len());
    let (_, members) = env
        .call(
            "GET",
            &format!("/api/v1/campaigns/{k}/members"),
            &env.token,
            None,
        )
        .await;
    let members = members["items"].as_array().unwrap();
    assert_eq!(members.len(), planned.len());
    for m in members {
        let (_, fee) = planned
            .iter()
            .find(|(id, _)| m["account_id"] == *id)
            .expect("a planned creator");
        assert_eq!(m["stage"], "shortlisted");
        let t: Value = serde_json::from_str(m["terms"].as_str().unwrap()).unwrap();
        let want = rust_decimal::Decimal::new(*fee, 2);
        let got: rust_decimal::Decimal = t["base_fee"].as_str().unwrap().parse().unwrap();
        assert_eq!(got, want, "base fee is the planned fee");
        assert_eq!(
            t["performance"]["type"], "rev_share",
            "the campaign's default terms otherwise"
        );
    }
    let (_, log) = env
        .call(
            "GET",
            &format!("/api/v1/campaigns/{k}/log"),
            &env.token,
            None,
        )
        .await;
    let added = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to_stage"] == "shortlisted")
        .count();
    assert_eq!(added, planned.len(), "each addition is in the stage log");
    // Applying again adds nobody twice.
    let (_, again) = env
        .call(
            "POST",
            &format!("/api/v1/portfolio/campaigns/{k}/apply"),
            &env.token,
            Some(base_request()),
        )
        .await;
    assert_eq!(again["added"].as_array().unwrap().len(), 0);
    assert_eq!(again["already"].as_array().unwrap().len(), planned.len());
    env.app.stop().await;
}

#[tokio::test]
async fn another_organizations_lists_and_campaigns_are_not_found() {
    let env = Env::new().await;
    let (s, list) = env
        .call(
            "POST",
            "/api/v1/lists",
            &env.token,
            Some(json!({"name": "Shortlist"})),
        )
        .await;
    assert!(s == 200 || s == 201, "{list}");
    let list_id = list["id"].as_i64().unwrap();
    let (s, v) = env
        .call(
            "POST",
            &format!("/api/v1/lists/{list_id}/items"),
            &env.token,
            Some(json!({"account_ids": [env.id("run01"), env.id("run02"), env.id("megarun")]})),
        )
        .await;
    assert!(s == 200 || s == 201, "{v}");
    let req = json!({"list_id": list_id, "budget": "100000.00", "currency": "USD"});
    let mine = env.plan(req.clone()).await;
    assert_eq!(mine["candidates"], 3);
    let (s, _) = env
        .call(
            "POST",
            "/api/v1/portfolio/plan",
            &env.rival_token,
            Some(req.clone()),
        )
        .await;
    assert_eq!(s, 404, "another organization's list");
    let k = env
        .campaign("Wave", "Shoe", "2026-03-01", "2026-03-31", "")
        .await;
    for (m, path) in [
        ("POST", format!("/api/v1/portfolio/campaigns/{k}/apply")),
        ("GET", format!("/api/v1/portfolio/campaigns/{k}/dashboard")),
        ("GET", format!("/api/v1/portfolio/campaigns/{k}/calendar")),
    ] {
        let (s, v) = env
            .call(m, &path, &env.rival_token, Some(req.clone()))
            .await;
        assert_eq!(s, 404, "{path}: {v}");
    }
    let mut cmp = req.clone();
    cmp["compare_list_id"] = json!(list_id);
    let (s, _) = env
        .call(
            "POST",
            "/api/v1/portfolio/compare",
            &env.rival_token,
            Some(cmp.clone()),
        )
        .await;
    assert_eq!(s, 404);
    // The owner compares the same budget side by side.
    cmp["niche"] = json!("running");
    cmp["micro_count"] = json!(10);
    let (s, v) = env
        .call("POST", "/api/v1/portfolio/compare", &env.token, Some(cmp))
        .await;
    assert_eq!(s, 200, "{v}");
    let items = v["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "optimized plan",
            "one mega-creator",
            "10 micro-creators",
            "your list"
        ]
    );
    assert_eq!(items[1]["creators"], 1);
    assert_eq!(items[3]["creators"], 3);
    env.app.stop().await;
}

async fn seed_tracking(
    store: &Store,
    org: OrgId,
    campaign: i64,
    account: i64,
    human: usize,
    bot: usize,
    orders: &[(&str, i64)],
) {
    let link = store
        .create_link(NewLink {
            org_id: org,
            campaign_id: campaign,
            account_id: account,
            code: &format!("c{campaign}a{account}"),
            destination: "https://shop.test/",
        })
        .await
        .unwrap();
    let now = chorus_store::now_us();
    let clicks: Vec<Click> = (0..human + bot)
        .map(|i| Click {
            click_id: format!("k{campaign}-{account}-{i}"),
            org_id: org.0,
            link_id: link.id,
            at: now - 3_600_000_000,
            ip_hash: format!("ip{i}"),
            user_agent: None,
            referrer: None,
            country: None,
            bot: i >= human,
            unique: true,
        })
        .collect();
    store.insert_clicks(&clicks).await.unwrap();
    for (n, (ext, minor)) in orders.iter().enumerate() {
        let amount = rust_decimal::Decimal::new(*minor, 2).to_string();
        let o = store
            .ingest_order(
                org,
                &NewOrder {
                    external_id: ext,
                    at: now,
                    amount: &amount,
                    amount_minor: *minor,
                    currency: "USD",
                    customer_key: None,
                    click_id: Some(&format!("k{campaign}-{account}-{n}")),
                    codes: &[],
                    referrer: None,
                    source: "test",
                    raw: "{}",
                },
            )
            .await
            .unwrap();
        store
            .save_attributions(
                org,
                &[AttributionRow {
                    order_pk: o.id,
                    rule: "click".into(),
                    self_referral: false,
                    code_reused: false,
                    net_amount: amount.clone(),
                    net_minor: *minor,
                    credits: vec![CreditRow {
                        campaign_id: campaign,
                        account_id: account,
                        click_id: Some(format!("k{campaign}-{account}-{n}")),
                        share_num: 1,
                        share_den: 1,
                    }],
                }],
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn dashboard_figures_match_the_tracking_data() {
    let env = Env::new().await;
    let k = env
        .campaign("Wave", "Shoe", "2026-03-01", "2026-03-31", "")
        .await;
    let fee = |amount: &str| {
        json!({"currency": "USD", "base_fee": amount, "milestones": [{"event": "signed", "share": "1"}]})
            .to_string()
    };
    let (a, b) = (env.id("run01"), env.id("run02"));
    let kid = chorus_core::CampaignId(k);
    env.app
        .store
        .add_members(env.org, kid, &[AccountId(a)], &fee("100.00"), Actor::System)
        .await
        .unwrap();
    env.app
        .store
        .add_members(env.org, kid, &[AccountId(b)], &fee("200.00"), Actor::System)
        .await
        .unwrap();
    seed_tracking(
        &env.app.store,
        env.org,
        k,
        a,
        5,
        2,
        &[("o1", 10_000), ("o2", 5_000)],
    )
    .await;
    seed_tracking(&env.app.store, env.org, k, b, 3, 0, &[]).await;
    let (s, d) = env
        .call(
            "GET",
            &format!("/api/v1/portfolio/campaigns/{k}/dashboard"),
            &env.token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["budget_minor"], 1_000_000);
    assert_eq!(
        d["planned_base_minor"], 30_000,
        "both shortlisted: planned, not committed"
    );
    assert_eq!(d["committed_minor"], 0);
    assert_eq!(d["delivered"]["clicks"], 8.0, "human clicks only");
    assert_eq!(d["delivered"]["orders"], 2.0);
    assert_eq!(d["delivered"]["net_revenue_minor"], 15_000);
    let shortlisted = d["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "shortlisted")
        .unwrap();
    assert_eq!(shortlisted[2], 2);
    let rows = d["creators"].as_array().unwrap();
    let ra = rows.iter().find(|r| r["account_id"] == a).unwrap();
    assert_eq!(ra["delivered"]["clicks"], 5.0);
    assert_eq!(ra["delivered"]["net_revenue_minor"], 15_000);
    assert!(
        (ra["roi"].as_f64().unwrap() - 0.5).abs() < 1e-9,
        "(150 − 100) / 100"
    );
    let rb = rows.iter().find(|r| r["account_id"] == b).unwrap();
    assert!((rb["roi"].as_f64().unwrap() + 1.0).abs() < 1e-9);
    assert!(ra["planned"]["orders"].as_f64().unwrap() > 0.0);
    // The page renders the same figures with its charts.
    let (c, _) = env.app.browser_login("manager@acme.test").await;
    let html = c
        .get(env.app.url(&format!("/campaigns/{k}/dashboard")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg"), "inline charts");
    assert!(html.contains("150.00 USD"), "net revenue of run01");
    env.app.stop().await;
}

#[tokio::test]
async fn calendar_staggers_the_wave_and_shows_exclusivity_conflicts() {
    let env = Env::new().await;
    let (x, y) = (env.id("run01"), env.id("run02"));
    // An earlier campaign where run01 promised not to promote Trailcraft.
    let excl = json!({"currency": "USD", "base_fee": "100.00", "milestones": [{"event": "signed", "share": "1"}],
                      "exclusivity_days": 30, "competitors": ["Trailcraft"]});
    let other = env
        .campaign(
            "Ridgeline spring",
            "Ridgeline shoe",
            "2026-02-01",
            "2026-02-28",
            &excl.to_string(),
        )
        .await;
    let ids = env
        .app
        .store
        .add_members(
            env.org,
            chorus_core::CampaignId(other),
            &[AccountId(x)],
            &excl.to_string(),
            Actor::System,
        )
        .await
        .unwrap();
    assert!(env
        .app
        .store
        .move_member(
            env.org,
            ids[0],
            "shortlisted",
            "contracted",
            Actor::System,
            ""
        )
        .await
        .unwrap());
    let k = env
        .campaign(
            "Trailcraft launch",
            "Trailcraft trail shoe",
            "2026-03-01",
            "2026-04-30",
            "",
        )
        .await;
    let plain = json!({"currency": "USD", "base_fee": "100.00", "milestones": [{"event": "signed", "share": "1"}]});
    env.app
        .store
        .add_members(
            env.org,
            chorus_core::CampaignId(k),
            &[AccountId(x), AccountId(y)],
            &plain.to_string(),
            Actor::System,
        )
        .await
        .unwrap();
    let (s, cal) = env
        .call("GET", &format!("/api/v1/portfolio/campaigns/{k}/calendar?pattern=within&hours=72&anchor=2026-03-05T09:00:00Z"), &env.token, None)
        .await;
    assert_eq!(s, 200, "{cal}");
    let slots = cal["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 2, "one reel each, from the brief");
    for sl in slots {
        let t = chrono::DateTime::parse_from_rfc3339(sl["publish_at"].as_str().unwrap()).unwrap();
        let from = chrono::DateTime::parse_from_rfc3339("2026-03-05T09:00:00Z").unwrap();
        assert!(
            t >= from && t <= from + chrono::Duration::hours(72),
            "{t} within the 72 hours"
        );
        let conflicted = !sl["conflicts"].as_array().unwrap().is_empty();
        assert_eq!(conflicted, sl["account_id"] == x, "{sl}");
    }
    assert_eq!(cal["conflicts"], 1);
    assert_eq!(
        slots.iter().find(|s| s["account_id"] == x).unwrap()["conflicts"][0]["competitor"],
        "Trailcraft"
    );
    // After the exclusivity ends (Feb 28 + 30 days), no conflict.
    let (_, late) = env
        .call("GET", &format!("/api/v1/portfolio/campaigns/{k}/calendar?pattern=within&hours=48&anchor=2026-04-10"), &env.token, None)
        .await;
    assert_eq!(late["conflicts"], 0, "{late}");
    let (s, bad) = env
        .call(
            "GET",
            &format!("/api/v1/portfolio/campaigns/{k}/calendar?pattern=staggered&every_hours=0"),
            &env.token,
            None,
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    env.app.stop().await;
}

#[tokio::test]
async fn planner_page_round_trips_pins_and_adds_the_plan_to_a_campaign() {
    let env = Env::new().await;
    let k = env
        .campaign("Wave", "Shoe", "2026-03-01", "2026-03-31", "")
        .await;
    let (c, csrf) = env.app.browser_login("manager@acme.test").await;
    let pin = env.id("run20");
    let q = format!("/portfolio?niche=running&budget=3000.00&currency=USD&max_creators=5&safety_seen=1&exclude_floor=on&pin={pin}");
    let html = c
        .get(env.app.url(&q))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("name=\"pinned\" value=\"{pin}\"")),
        "the pin round-trips in the form"
    );
    assert!(
        html.contains(&format!("name=\"unpin\" value=\"{pin}\"")),
        "pinned creator is chosen"
    );
    let plan = common::hidden_field(&html, "plan").expect("apply form");
    let plan = plan
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&");
    let kid = k.to_string();
    let resp = c
        .post(env.app.url("/portfolio/apply"))
        .form(&[
            ("plan", plan.as_str()),
            ("campaign_id", kid.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let members = env
        .app
        .store
        .members(env.org, chorus_core::CampaignId(k))
        .await
        .unwrap();
    assert!(members.iter().any(|m| m.account_id.0 == pin));
    let set: HashSet<i64> = members.iter().map(|m| m.account_id.0).collect();
    assert_eq!(set.len(), members.len());
    env.app.stop().await;
}
