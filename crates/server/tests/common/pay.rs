//! A small pay world written straight to the store: creators with emails, a
//! campaign whose members carry deal terms, milestone events, orders with
//! their attribution credits, and refunds.

use chorus_core::{AccountId, OrgId};
use chorus_store::campaigns::{Actor, NewCampaign};
use chorus_store::tracking::{AttributionRow, CreditRow, NewOrder, NewRefund};
use chorus_store::Store;
use chrono::{DateTime, Utc};

pub struct World {
    pub org: OrgId,
    pub campaign: i64,
    /// account id per handle, in the order given
    pub accounts: Vec<i64>,
    pub members: Vec<i64>,
}

pub const TERMS: &str = r#"{"currency":"USD","base_fee":"100.00","milestones":[{"event":"signed","share":"1"}],"performance":{"type":"rev_share","basis":"revenue","rate":"0.10"},"hold_days":30}"#;

pub async fn account(store: &Store, handle: &str) -> i64 {
    let mut rec: chorus_core::CreatorRecord = serde_json::from_value(serde_json::json!({
        "platform": "instagram", "handle": handle, "followers": 25000,
        "email": format!("{handle}@creators.test")
    }))
    .unwrap();
    rec.validate().unwrap();
    store.upsert_creators(&[rec]).await.unwrap();
    store
        .account_by_handle("instagram", handle)
        .await
        .unwrap()
        .unwrap()
        .0
}

pub async fn world(store: &Store, org: OrgId, name: &str, handles: &[&str], terms: &str) -> World {
    let mut accounts = Vec::new();
    for h in handles {
        accounts.push(account(store, h).await);
    }
    let k = store
        .create_campaign(
            org,
            None,
            &NewCampaign {
                name: name.into(),
                product: "Trail shoe".into(),
                budget_minor: 10_000_000,
                currency: "USD".into(),
                starts_at: None,
                ends_at: None,
                attribution_window_days: 30,
                default_brief: r#"{"key_message":"Grip"}"#.into(),
                default_terms: terms.into(),
                contract_template: "Fee {{fee}}".into(),
            },
        )
        .await
        .unwrap();
    let ids: Vec<AccountId> = accounts.iter().map(|a| AccountId(*a)).collect();
    let members = store
        .add_members(org, k.id, &ids, terms, Actor::System)
        .await
        .unwrap();
    World {
        org,
        campaign: k.id.0,
        accounts,
        members,
    }
}

pub async fn event(store: &Store, org: OrgId, member: i64, event: &str, at: DateTime<Utc>) {
    sqlx::query(
        "INSERT INTO milestone_events (org_id, member_id, event, at, note) VALUES ($1, $2, $3, $4, 'test')",
    )
    .bind(org.0)
    .bind(member)
    .bind(event)
    .bind(at.timestamp_micros())
    .execute(store.pool())
    .await
    .unwrap();
}

/// Store an order and credit it: `credits` are (campaign, account, num, den).
pub async fn order(
    store: &Store,
    org: OrgId,
    id: &str,
    at: DateTime<Utc>,
    amount: &str,
    currency: &str,
    credits: &[(i64, i64, i64, i64)],
) -> i64 {
    let places = chorus_core::Currency::parse(currency)
        .unwrap()
        .minor_units();
    let d: rust_decimal::Decimal = amount.parse().unwrap();
    let minor = (d * rust_decimal::Decimal::from(10i64.pow(places)))
        .trunc()
        .to_string()
        .parse::<i64>()
        .unwrap();
    let ing = store
        .ingest_order(
            org,
            &NewOrder {
                external_id: id,
                at: at.timestamp_micros(),
                amount,
                amount_minor: minor,
                currency,
                customer_key: None,
                click_id: None,
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
                order_pk: ing.id,
                rule: "code".into(),
                self_referral: false,
                code_reused: false,
                net_amount: amount.into(),
                net_minor: minor,
                credits: credits
                    .iter()
                    .map(|(campaign_id, account_id, n, d)| CreditRow {
                        campaign_id: *campaign_id,
                        account_id: *account_id,
                        click_id: None,
                        share_num: *n,
                        share_den: *d,
                    })
                    .collect(),
            }],
        )
        .await
        .unwrap();
    ing.id
}

pub async fn refund(
    store: &Store,
    org: OrgId,
    order_id: &str,
    refund_id: &str,
    at: DateTime<Utc>,
    amount: &str,
    minor: i64,
) {
    store
        .ingest_refund(
            org,
            &NewRefund {
                order_external_id: order_id,
                external_id: refund_id,
                at: at.timestamp_micros(),
                amount,
                amount_minor: minor,
                source: "test",
                raw: "{}",
            },
        )
        .await
        .unwrap()
        .expect("the order exists");
}

/// A server whose secret key is known, so tests can store payout details.
pub async fn app_with_key() -> (super::App, chorus_store::secret::SecretKey) {
    let key = chorus_store::secret::SecretKey::generate();
    let app = super::App::spawn_with(chorus_server::Config {
        secret_key: Some(key.clone()),
        ..chorus_server::Config::default()
    })
    .await;
    (app, key)
}

pub async fn paypal(
    store: &Store,
    key: &chorus_store::secret::SecretKey,
    org: OrgId,
    account: i64,
    email: &str,
) {
    let d = chorus_core::PayoutDetails::Paypal {
        email: chorus_core::Email::parse(email).unwrap(),
    };
    store
        .set_payout_details(org, AccountId(account), &d, key)
        .await
        .unwrap();
}

pub async fn stripe(
    store: &Store,
    key: &chorus_store::secret::SecretKey,
    org: OrgId,
    account: i64,
    acct: &str,
) {
    let d = chorus_core::PayoutDetails::Stripe {
        account: acct.to_string(),
    };
    store
        .set_payout_details(org, AccountId(account), &d, key)
        .await
        .unwrap();
}
