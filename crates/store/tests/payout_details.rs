//! Payout details are stored encrypted, per organization: SQLite always,
//! PostgreSQL when `CHORUS_TEST_POSTGRES_URL` is set.

use chorus_core::{AccountId, BankAccount, Currency, Email, OrgId, PayoutDetails};
use chorus_store::secret::SecretKey;
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
    details_are_encrypted_at_rest_and_per_org,
    a_wrong_key_is_an_error_not_garbage,
);

async fn setup(store: &Store) -> (OrgId, OrgId, AccountId) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    let b = store.create_org("rival", "Rival").await.unwrap().id;
    let record = serde_json::from_value(serde_json::json!({
        "platform": "instagram", "handle": "maya", "followers": 20000
    }))
    .unwrap();
    store.upsert_creators(&[record]).await.unwrap();
    let maya = store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap();
    (a, b, maya)
}

fn wise() -> PayoutDetails {
    PayoutDetails::Wise {
        holder: "Maya Lopez".into(),
        email: Email::parse("maya.lopez@example.com").unwrap(),
        currency: Currency::parse("EUR").unwrap(),
        account: BankAccount::Iban {
            iban: "DE89370400440532013000".into(),
        },
    }
}

async fn raw_rows(store: &Store) -> Vec<(String, String)> {
    use sqlx::Row;
    sqlx::query("SELECT method, sealed FROM payout_details")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("method"), r.get::<String, _>("sealed")))
        .collect()
}

async fn details_are_encrypted_at_rest_and_per_org(store: &Store) {
    let (a, b, maya) = setup(store).await;
    let key = SecretKey::generate();
    assert!(store.payout_details(a, maya, &key).await.unwrap().is_none());
    store
        .set_payout_details(a, maya, &wise(), &key)
        .await
        .unwrap();
    let (got, _) = store.payout_details(a, maya, &key).await.unwrap().unwrap();
    assert_eq!(got, wise());
    let rows = raw_rows(store).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "wise");
    for plain in [
        "maya.lopez@example.com",
        "DE89370400440532013000",
        "Maya Lopez",
        "EUR",
    ] {
        assert!(!rows[0].1.contains(plain), "{plain} stored in clear");
    }
    // Another organization sees nothing, and its own details are separate.
    assert!(store.payout_details(b, maya, &key).await.unwrap().is_none());
    let paypal = PayoutDetails::Paypal {
        email: Email::parse("maya@rival.example").unwrap(),
    };
    store
        .set_payout_details(b, maya, &paypal, &key)
        .await
        .unwrap();
    assert_eq!(
        store
            .payout_details(b, maya, &key)
            .await
            .unwrap()
            .unwrap()
            .0,
        paypal
    );
    assert_eq!(
        store
            .payout_details(a, maya, &key)
            .await
            .unwrap()
            .unwrap()
            .0,
        wise()
    );
    assert_eq!(
        store.payout_methods(a).await.unwrap(),
        vec![(maya, "wise".to_string())]
    );
    // Saving again replaces, with a fresh nonce.
    store
        .set_payout_details(a, maya, &wise(), &key)
        .await
        .unwrap();
    let again = raw_rows(store).await;
    assert_eq!(again.len(), 2);
    assert!(
        !again.iter().any(|r| r.1 == rows[0].1),
        "a new nonce per save"
    );
}

async fn a_wrong_key_is_an_error_not_garbage(store: &Store) {
    let (a, b, maya) = setup(store).await;
    store
        .set_payout_details(a, maya, &wise(), &SecretKey::generate())
        .await
        .unwrap();
    let e = store
        .payout_details(a, maya, &SecretKey::generate())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Secret(_)), "{e}");
    assert!(e.to_string().contains("CHORUS_SECRET_KEY"), "{e}");
    // A sealed value moved to another organization's row does not open there.
    let key = SecretKey::generate();
    store
        .set_payout_details(a, maya, &wise(), &key)
        .await
        .unwrap();
    store
        .set_payout_details(
            b,
            maya,
            &PayoutDetails::Stripe {
                account: "acct_123".into(),
            },
            &key,
        )
        .await
        .unwrap();
    sqlx::query(
        "UPDATE payout_details SET sealed = (SELECT sealed FROM payout_details WHERE org_id = $1) WHERE org_id = $2",
    )
    .bind(a.0)
    .bind(b.0)
    .execute(store.pool())
    .await
    .unwrap();
    assert!(store.payout_details(b, maya, &key).await.is_err());
}
