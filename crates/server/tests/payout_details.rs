//! Payout details over HTTP: a creator saves them through the portal form,
//! bad fields come back named, the exports' accessor reads them decrypted,
//! and another organization cannot read them.

mod common;

use chorus_core::{AccountId, BankAccount, CreatorRecord, OrgId, PayoutDetails, Role};
use chorus_server::{auth, payout_details, AppState, Config};
use chorus_store::secret::SecretKey;
use common::{browser, hidden_field, App};
use reqwest::StatusCode;

const IBAN: &str = "DE89370400440532013000";

async fn seed_maya(app: &App) -> AccountId {
    let r: CreatorRecord = serde_json::from_value(serde_json::json!({
        "platform": "instagram", "handle": "maya", "name": "Maya Lopez",
        "email": "maya@creators.test", "followers": 25_000
    }))
    .unwrap();
    app.store.upsert_creators(&[r]).await.unwrap();
    app.store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap()
}

/// A campaign of `org` with maya in it, and a portal link for her; returns
/// the link and the path of her member page.
async fn portal_link(app: &App, org: OrgId, maya: AccountId, clear: &str) -> (String, String) {
    let campaign = chorus_server::campaigns::create_sample_campaign(&app.store, org, &[maya])
        .await
        .unwrap();
    let member = app.store.members(org, campaign).await.unwrap()[0].id;
    app.store
        .create_portal_token(
            org,
            member,
            &auth::digest(clear),
            &format!("csrf-{clear}"),
            chorus_store::now_us() + 86_400_000_000,
        )
        .await
        .unwrap()
        .unwrap();
    (
        app.url(&format!("/p/{clear}")),
        format!("/campaigns/{}/members/{member}", campaign.0),
    )
}

async fn get_text(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn creator_saves_payout_details_encrypted_and_only_their_org_reads_them() {
    let key = SecretKey::generate();
    let config = || Config {
        secret_key: Some(key.clone()),
        ..Config::default()
    };
    let app = App::spawn_with(config()).await;
    let maya = seed_maya(&app).await;
    let (acme, manager) = app.org_with_user("acme", Role::Manager).await;
    let rival = app.store.create_org("rival", "Rival").await.unwrap().id;
    let (link, member_page) = portal_link(&app, acme, maya, "maya-acme-link").await;
    let (rival_link, _) = portal_link(&app, rival, maya, "maya-rival-link").await;

    let c = browser();
    let (status, page) = get_text(&c, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"payout-form\""),
        "the portal has the form"
    );
    let csrf = hidden_field(&page, "portal_csrf").unwrap();

    let wise = |iban: &str| {
        vec![
            ("portal_csrf", csrf.clone()),
            ("method", "wise".to_string()),
            ("holder", "Maya Lopez".to_string()),
            ("wise_email", "maya.bank@example.org".to_string()),
            ("currency", "EUR".to_string()),
            ("iban", iban.to_string()),
        ]
    };
    // A typo in the IBAN: 422, the field named, nothing saved.
    let r = c
        .post(format!("{link}/payout"))
        .form(&wise("DE89 3704 0044 0532 0130 01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("data-field=\"iban\""), "{body}");
    assert!(body.contains("check digits do not match"));
    assert!(
        !body.contains("data-field=\"holder\""),
        "only the bad field is marked"
    );
    let state = AppState::new(app.store.clone(), config());
    assert_eq!(
        payout_details::payout_destination(&state, acme, maya)
            .await
            .unwrap(),
        None
    );

    // A wrong portal CSRF value is refused.
    let mut forged = wise(IBAN);
    forged[0].1 = "forged".into();
    let r = c
        .post(format!("{link}/payout"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The valid form saves and the page shows only the masked form.
    let r = c
        .post(format!("{link}/payout"))
        .form(&wise("de89 3704 0044 0532 0130 00"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_text(&c, &link).await;
    assert!(
        page.contains("Wise EUR to Maya Lopez, IBAN •••• 3000"),
        "{page}"
    );
    assert!(!page.contains(IBAN));
    // The brand's manager sees the masked form only.
    let (manager_browser, _) = app.browser_login(&manager).await;
    let (status, page) = get_text(&manager_browser, &app.url(&member_page)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("IBAN •••• 3000"), "{page}");
    assert!(!page.contains(IBAN) && !page.contains("maya.bank@example.org"));

    // The exports' accessor gets them decrypted and typed.
    let got = payout_details::payout_destination(&state, acme, maya)
        .await
        .unwrap()
        .unwrap();
    match &got {
        PayoutDetails::Wise {
            holder, account, ..
        } => {
            assert_eq!(holder, "Maya Lopez");
            assert_eq!(
                account,
                &BankAccount::Iban {
                    iban: IBAN.to_string()
                }
            );
        }
        other => panic!("expected Wise details, got {other}"),
    }
    // At rest the database holds no part of them in clear.
    let sealed: Vec<String> = sqlx::query_scalar("SELECT sealed FROM payout_details")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(sealed.len(), 1);
    assert!(!sealed[0].contains(IBAN) && !sealed[0].contains("maya.bank@example.org"));

    // Another organization working with the same creator reads nothing.
    assert_eq!(
        payout_details::payout_destination(&state, rival, maya)
            .await
            .unwrap(),
        None
    );
    let (_, rival_page) = get_text(&browser(), &rival_link).await;
    assert!(!rival_page.contains("•••• 3000"), "{rival_page}");

    // A server started with another key cannot read them, and says why.
    let other = AppState::new(
        app.store.clone(),
        Config {
            secret_key: Some(SecretKey::generate()),
            ..Config::default()
        },
    );
    let e = payout_details::payout_destination(&other, acme, maya)
        .await
        .unwrap_err();
    match e {
        chorus_server::error::ApiError::Internal(inner) => {
            assert!(inner.to_string().contains("CHORUS_SECRET_KEY"), "{inner}")
        }
        other => panic!("expected an internal error, got {other}"),
    }

    // Other methods validate their own fields.
    let r = c
        .post(format!("{link}/payout"))
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("method", "stripe"),
            ("stripe_account", "1Nv0FGQ9RKHgCVdK"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-field=\"stripe_account\""));
    let r = c
        .post(format!("{link}/payout"))
        .form(&[
            ("portal_csrf", csrf.as_str()),
            ("method", "paypal"),
            ("paypal_email", "maya.pay@example.com"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get_text(&c, &link).await;
    assert!(page.contains("PayPal m***@example.com"), "{page}");
    app.stop().await;
}
