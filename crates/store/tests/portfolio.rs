//! Conformance suite for portfolio data (fee models, rate cards, planner
//! record reads): SQLite always, PostgreSQL when `CHORUS_TEST_POSTGRES_URL`
//! is set.

use chorus_core::{AccountId, CreatorRecord, OrgId};
use chorus_store::Store;

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
    fee_models_and_rate_cards_are_per_org,
    planner_reads_records_by_ids_and_niche,
);

fn record(handle: &str, followers: u64, niche: &str) -> CreatorRecord {
    serde_json::from_value(serde_json::json!({
        "platform": "instagram", "handle": handle, "followers": followers, "niche": niche
    }))
    .unwrap()
}

async fn two_orgs(store: &Store) -> (OrgId, OrgId) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    let b = store.create_org("rival", "Rival").await.unwrap().id;
    (a, b)
}

async fn fee_models_and_rate_cards_are_per_org(store: &Store) {
    let (a, b) = two_orgs(store).await;
    assert_eq!(store.fee_model(a).await.unwrap(), None);
    store.set_fee_model(a, r#"{"v":1}"#).await.unwrap();
    store.set_fee_model(a, r#"{"v":2}"#).await.unwrap();
    assert_eq!(
        store.fee_model(a).await.unwrap().as_deref(),
        Some(r#"{"v":2}"#)
    );
    assert_eq!(store.fee_model(b).await.unwrap(), None);

    store
        .upsert_creators(&[record("maya", 20_000, "running")])
        .await
        .unwrap();
    let maya = store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap();
    assert!(store.set_rate_card(a, maya, 30_000, "USD").await.unwrap());
    assert!(store.set_rate_card(a, maya, 35_000, "USD").await.unwrap());
    assert!(!store
        .set_rate_card(a, AccountId(987_654), 1, "USD")
        .await
        .unwrap());
    let cards = store.rate_cards(a).await.unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!((cards[0].account_id, cards[0].amount_minor), (maya, 35_000));
    assert!(store.rate_cards(b).await.unwrap().is_empty());
}

async fn planner_reads_records_by_ids_and_niche(store: &Store) {
    let before = store.catalog_fingerprint().await.unwrap();
    assert_eq!(before, (0, 0));
    store
        .upsert_creators(&[
            record("maya", 20_000, "Running"),
            record("leo", 50_000, "running"),
            record("ada", 30_000, "baking"),
        ])
        .await
        .unwrap();
    let after = store.catalog_fingerprint().await.unwrap();
    assert_eq!(after.0, 3);
    assert!(after.1 > 0);
    let running = store
        .account_records_in_niche(" RUNNING ", 10)
        .await
        .unwrap();
    let handles: Vec<&str> = running.iter().map(|(_, _, r)| r.handle.as_str()).collect();
    assert_eq!(handles, ["leo", "maya"], "case-insensitive, largest first");
    let leo = store
        .account_by_handle("instagram", "leo")
        .await
        .unwrap()
        .unwrap();
    let ada = store
        .account_by_handle("instagram", "ada")
        .await
        .unwrap()
        .unwrap();
    let got = store
        .account_records_by_ids(&[ada, leo, leo, AccountId(987_654)])
        .await
        .unwrap();
    let ids: Vec<AccountId> = got.iter().map(|(id, _, _)| *id).collect();
    let mut want = vec![leo, ada];
    want.sort();
    assert_eq!(ids, want, "unknown ids skipped, duplicates once, id order");
}
