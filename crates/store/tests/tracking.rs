//! Tracking storage, run against SQLite always and PostgreSQL when
//! `CHORUS_TEST_POSTGRES_URL` is set.

use chorus_core::{CreatorRecord, OrgId};
use chorus_store::tracking::{
    AttributionRow, Click, CreditRow, NewLink, NewOrder, NewPromoCode, NewRefund,
};
use chorus_store::{Store, StoreError};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let db = chorus_store::testing::TestDb::sqlite().await.expect("sqlite test db");
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                let Some(db) = chorus_store::testing::TestDb::postgres().await.expect("postgres test db") else {
                    eprintln!("CHORUS_TEST_POSTGRES_URL not set: PostgreSQL conformance skipped");
                    return;
                };
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
    };
}

conformance!(
    links_are_unique_scoped_and_feed_the_cache,
    clicks_are_idempotent_by_click_id,
    orders_are_stored_once_per_org,
    refunds_need_a_known_order_of_the_org,
    settings_and_secrets_round_trip,
    promo_codes_match_case_insensitively,
    attributions_replace_and_report,
);

async fn setup(store: &Store) -> (OrgId, OrgId, i64) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    let b = store.create_org("globex", "Globex").await.unwrap().id;
    let mut rec: CreatorRecord = serde_json::from_value(serde_json::json!({
        "platform": "instagram", "handle": "maya", "followers": 25000, "email": "Maya@Example.com"
    }))
    .unwrap();
    rec.validate().unwrap();
    store.upsert_creators(&[rec]).await.unwrap();
    let acc = store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap();
    (a, b, acc.0)
}

fn link<'a>(org: OrgId, account: i64, code: &'a str) -> NewLink<'a> {
    NewLink {
        org_id: org,
        campaign_id: 7,
        account_id: account,
        code,
        destination: "https://shop.example/p?x=1",
    }
}

fn click(org: OrgId, link_id: i64, id: &str, at: i64) -> Click {
    Click {
        click_id: id.into(),
        org_id: org.0,
        link_id,
        at,
        ip_hash: "h".into(),
        user_agent: Some("Mozilla/5.0".into()),
        referrer: None,
        country: Some("US".into()),
        bot: false,
        unique: true,
    }
}

fn order<'a>(id: &'a str, at: i64, codes: &'a [String]) -> NewOrder<'a> {
    NewOrder {
        external_id: id,
        at,
        amount: "80.00",
        amount_minor: 8000,
        currency: "USD",
        customer_key: Some("c-42"),
        click_id: None,
        codes,
        referrer: None,
        source: "api",
        raw: "{}",
    }
}

async fn links_are_unique_scoped_and_feed_the_cache(store: &Store) {
    let (a, b, acc) = setup(store).await;
    let l = store.create_link(link(a, acc, "mA1x")).await.unwrap();
    assert_eq!(l.handle, "maya");
    assert!(matches!(
        store.create_link(link(b, acc, "mA1x")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.link(b, l.id).await.unwrap().is_none());
    assert_eq!(store.list_links(a).await.unwrap().len(), 1);
    assert!(store.list_links(b).await.unwrap().is_empty());
    let all = store.links_changed_since(i64::MIN).await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(!store.disable_link(b, l.id).await.unwrap());
    assert!(store.disable_link(a, l.id).await.unwrap());
    let changed = store
        .links_changed_since(all[0].updated_at - 1)
        .await
        .unwrap();
    assert!(changed[0].disabled_at.is_some());
}

async fn clicks_are_idempotent_by_click_id(store: &Store) {
    let (a, b, acc) = setup(store).await;
    let l = store.create_link(link(a, acc, "mA1x")).await.unwrap();
    let batch: Vec<Click> = (0..1200)
        .map(|i| click(a, l.id, &format!("k{i}"), 1_000 + i))
        .collect();
    assert_eq!(store.insert_clicks(&batch).await.unwrap(), 1200);
    assert_eq!(store.insert_clicks(&batch[..10]).await.unwrap(), 0);
    assert_eq!(store.count_clicks(a).await.unwrap(), 1200);
    assert_eq!(store.count_clicks(b).await.unwrap(), 0);
    assert!(store.click(b, "k1").await.unwrap().is_none());
    let facts = store
        .click_facts(a, &["k1".into(), "nope".into()])
        .await
        .unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].link_code, "mA1x");
    assert!(store
        .click_facts(b, &["k1".into()])
        .await
        .unwrap()
        .is_empty());
}

async fn orders_are_stored_once_per_org(store: &Store) {
    let (a, b, _) = setup(store).await;
    let codes = vec!["MAYA15".to_string()];
    let first = store
        .ingest_order(a, &order("1001", 5, &codes))
        .await
        .unwrap();
    assert!(first.created);
    let again = store
        .ingest_order(a, &order("1001", 5, &codes))
        .await
        .unwrap();
    assert_eq!((again.id, again.created), (first.id, false));
    let other = store
        .ingest_order(b, &order("1001", 5, &codes))
        .await
        .unwrap();
    assert!(other.created && other.id != first.id);
    let o = store.order(a, first.id).await.unwrap().unwrap();
    assert_eq!((o.deliveries, o.codes.clone()), (2, codes.clone()));
    assert!(store.order(b, first.id).await.unwrap().is_none());
    assert_eq!(store.count_orders(a).await.unwrap(), 1);
    assert_eq!(store.orders_of_customer(a, "c-42").await.unwrap().len(), 1);
    assert_eq!(
        store.unattributed_order_ids(a).await.unwrap(),
        vec![first.id]
    );
}

async fn refunds_need_a_known_order_of_the_org(store: &Store) {
    let (a, b, _) = setup(store).await;
    let o = store.ingest_order(a, &order("1001", 5, &[])).await.unwrap();
    let r = NewRefund {
        order_external_id: "1001",
        external_id: "r1",
        at: 9,
        amount: "20.00",
        amount_minor: 2000,
        source: "api",
        raw: "{}",
    };
    assert!(store.ingest_refund(b, &r).await.unwrap().is_none());
    let first = store.ingest_refund(a, &r).await.unwrap().unwrap();
    assert!(first.created);
    let again = store.ingest_refund(a, &r).await.unwrap().unwrap();
    assert_eq!((again.id, again.created), (first.id, false));
    let refunds = store.refunds_of(a, Some(&[o.id])).await.unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].order_external_id, "1001");
    assert!(store.refunds_of(b, None).await.unwrap().is_empty());
}

async fn settings_and_secrets_round_trip(store: &Store) {
    let (a, b, acc) = setup(store).await;
    assert_eq!(store.tracking_settings(a).await.unwrap().model, "last");
    store.set_attribution_model(a, "linear").await.unwrap();
    assert!(store.set_attribution_model(a, "bogus").await.is_err());
    store.set_webhook_secret(a, "whsec").await.unwrap();
    store.set_public_key(a, "pk_1").await.unwrap();
    assert!(store.set_public_key(b, "pk_1").await.is_err());
    let s = store.tracking_settings(a).await.unwrap();
    assert_eq!(s.model, "linear");
    assert_eq!(s.webhook_secret.as_deref(), Some("whsec"));
    assert!(!format!("{s:?}").contains("whsec"));
    assert_eq!(store.org_by_public_key("pk_1").await.unwrap(), Some(a));
    assert_eq!(store.org_by_public_key("pk_2").await.unwrap(), None);
    assert_eq!(store.server_secret("ip", "one").await.unwrap(), "one");
    assert_eq!(store.server_secret("ip", "two").await.unwrap(), "one");
    assert!(store.record_identify(a, "c", "k1", 5).await.unwrap());
    assert!(!store.record_identify(a, "c", "k1", 6).await.unwrap());
    assert_eq!(store.identifies(a, Some("c")).await.unwrap().len(), 1);
    assert!(store.identifies(b, None).await.unwrap().is_empty());
    let emails = store.account_emails(&[acc]).await.unwrap();
    assert_eq!(emails.len(), 1);
    assert!(store.campaign_windows(a).await.unwrap().is_empty());
}

async fn promo_codes_match_case_insensitively(store: &Store) {
    let (a, b, acc) = setup(store).await;
    store
        .create_promo_code(NewPromoCode {
            org_id: a,
            campaign_id: 7,
            account_id: acc,
            code: "MAYA15",
            valid_from: None,
            valid_to: Some(100),
            single_use: false,
        })
        .await
        .unwrap();
    let found = store
        .promo_codes_matching(a, &["maya15".into()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].valid_to, Some(100));
    assert!(store
        .promo_codes_matching(b, &["MAYA15".into()])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.list_promo_codes(a).await.unwrap().len(), 1);
}

async fn attributions_replace_and_report(store: &Store) {
    let (a, b, acc) = setup(store).await;
    let l = store.create_link(link(a, acc, "mA1x")).await.unwrap();
    store
        .insert_clicks(&[click(a, l.id, "k1", 1_000_000)])
        .await
        .unwrap();
    let o = store
        .ingest_order(a, &order("1001", 2_000_000, &[]))
        .await
        .unwrap();
    let verdict = |num| AttributionRow {
        order_pk: o.id,
        rule: "click".into(),
        self_referral: false,
        code_reused: false,
        net_amount: "80.00".into(),
        net_minor: 8000,
        credits: vec![CreditRow {
            campaign_id: 7,
            account_id: acc,
            click_id: Some("k1".into()),
            share_num: num,
            share_den: 1,
        }],
    };
    store.save_attributions(a, &[verdict(1)]).await.unwrap();
    store.save_attributions(a, &[verdict(1)]).await.unwrap();
    let got = store.attribution(a, o.id).await.unwrap().unwrap();
    assert_eq!(got, verdict(1));
    assert!(store.attribution(b, o.id).await.unwrap().is_none());
    let facts = store.credit_facts(a, 0, i64::MAX).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].click_at, Some(1_000_000));
    let days = store.click_days(a, 0, i64::MAX).await.unwrap();
    assert_eq!((days.len(), days[0].human, days[0].unique_human), (1, 1, 1));
    assert!(store.credit_facts(b, 0, i64::MAX).await.unwrap().is_empty());
}
