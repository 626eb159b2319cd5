//! Properties of pay through the service and a real store: random deals,
//! orders (some split between creators), refunds and payout runs with
//! provider failures. Whatever happens: debits equal credits, the ledger
//! agrees with the commission states, no line is paid twice, nothing is paid
//! before its hold ends, and re-running a key changes nothing.

mod common;

use chorus_core::Role;
use chorus_server::auth::{Caller, Via};
use chorus_server::pay::service::{self, NewRun};
use chorus_store::testing::TestDb;
use chorus_store::{from_us, NewUser};
use chrono::{Duration, Utc};
use common::pay::{event, order, refund, world};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct Case {
    hold_days: u32,
    signed: Vec<bool>,
    /// (creator index, or 3 for a split between 0 and 1; days ago; cents)
    orders: Vec<(usize, i64, i64)>,
    /// (order index, percent refunded, days after the order)
    refunds: Vec<(usize, i64, i64)>,
    /// (days ago, minimum in whole units, fail mask over creators)
    runs: Vec<(i64, i64, u8)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0u32..40,
        proptest::collection::vec(any::<bool>(), 3),
        proptest::collection::vec((0usize..4, 1i64..90, 100i64..50_000), 1..10),
        proptest::collection::vec((0usize..10, 1i64..=100, 0i64..40), 0..4),
        proptest::collection::vec((0i64..80, 0i64..30, any::<u8>()), 1..4),
    )
        .prop_map(|(hold_days, signed, orders, refunds, mut runs)| {
            // Runs are made in time order, as finance would.
            runs.sort_by_key(|r| std::cmp::Reverse(r.0));
            Case {
                hold_days,
                signed,
                orders,
                refunds,
                runs,
            }
        })
}

async fn run_case(c: Case) -> Result<(), TestCaseError> {
    let db = TestDb::sqlite().await.unwrap();
    let store = &db.store;
    let org = store.create_org("acme", "Acme").await.unwrap().id;
    let user = store
        .create_user(NewUser {
            org_id: org,
            email: "fin@acme.test",
            name: "Fin",
            password_hash: "x",
            role: Role::Finance,
        })
        .await
        .unwrap();
    let caller = Caller {
        user,
        via: Via::Token,
    };
    let terms = format!(
        r#"{{"currency":"USD","base_fee":"90.00","milestones":[{{"event":"signed","share":"0.25"}},{{"event":"published","share":"0.75"}}],"performance":{{"type":"rev_share","basis":"revenue","tiers":[{{"from":"0","rate":"0.10"}},{{"from":"500","rate":"0.15"}}],"cap":"60.00"}},"hold_days":{}}}"#,
        c.hold_days
    );
    let w = world(store, org, "Wave", &["ana", "ben", "cy"], &terms).await;
    let now = Utc::now();
    for (i, signed) in c.signed.iter().enumerate() {
        if *signed {
            event(store, org, w.members[i], "signed", now - Duration::days(85)).await;
        }
    }
    let mut placed = Vec::new();
    for (n, (who, days, cents)) in c.orders.iter().enumerate() {
        let id = format!("o{n}");
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        let at = now - Duration::days(*days);
        let credits: Vec<(i64, i64, i64, i64)> = if *who == 3 {
            vec![
                (w.campaign, w.accounts[0], 1, 2),
                (w.campaign, w.accounts[1], 1, 2),
            ]
        } else {
            vec![(w.campaign, w.accounts[*who], 1, 1)]
        };
        order(store, org, &id, at, &amount, "USD", &credits).await;
        placed.push((id, at, *cents));
    }
    let mut refunded: BTreeMap<usize, i64> = BTreeMap::new();
    for (r, (o, pct, after)) in c.refunds.iter().enumerate() {
        let Some((id, at, cents)) = placed.get(*o) else {
            continue;
        };
        let left = cents - refunded.get(o).copied().unwrap_or(0);
        let minor = (cents * pct / 100).min(left);
        let when = (*at + Duration::days(*after)).min(now - Duration::minutes(1));
        if minor <= 0 {
            continue;
        }
        *refunded.entry(*o).or_insert(0) += minor;
        let amount = format!("{}.{:02}", minor / 100, minor % 100);
        refund(store, org, id, &format!("rf{r}"), when, &amount, minor).await;
    }

    let mut keys = Vec::new();
    for (i, (days, min, fail)) in c.runs.iter().enumerate() {
        let key = format!("run{i}");
        let as_of = now - Duration::days(*days) - Duration::minutes(1);
        let (run, created) = service::create_run(
            store,
            &caller,
            &NewRun {
                key: Some(key.clone()),
                as_of: as_of.to_rfc3339(),
                min_payout: Some(min.to_string()),
            },
            now,
        )
        .await
        .unwrap();
        prop_assert!(created);
        let run = service::approve_run(store, &caller, run.id).await.unwrap();
        let items = store.payout_items(org, run.id).await.unwrap();
        let mut result = String::from("item id,status\n");
        for it in &items {
            let who = w.accounts.iter().position(|a| *a == it.account_id).unwrap();
            let status = if fail & (1 << who) != 0 {
                "FAILED"
            } else {
                "SUCCESS"
            };
            result.push_str(&format!("{},{status}\n", it.item_id));
        }
        service::import_results(store, &caller, run.id, &result)
            .await
            .unwrap();
        keys.push((key, run.id));
    }

    // Re-running every key changes nothing.
    let entries_before = store.ledger_entries(org).await.unwrap();
    let items_before: Vec<_> = {
        let mut v = Vec::new();
        for (_, id) in &keys {
            v.push(store.payout_items(org, *id).await.unwrap());
        }
        v
    };
    for (key, id) in &keys {
        let (run, created) = service::create_run(
            store,
            &caller,
            &NewRun {
                key: Some(key.clone()),
                as_of: now.to_rfc3339(),
                min_payout: Some("0".into()),
            },
            now,
        )
        .await
        .unwrap();
        prop_assert!(!created);
        prop_assert_eq!(run.id, *id);
        service::approve_run(store, &caller, *id).await.unwrap();
    }
    let (s, recorded) = service::settle_and_record(store, org).await.unwrap();
    prop_assert!(s.problems.is_empty(), "{:?}", s.problems);
    prop_assert!(
        s.settlement.lines.len() >= c.orders.len(),
        "every order settles: {} lines",
        s.settlement.lines.len()
    );
    let recorded = recorded.unwrap();
    prop_assert_eq!(
        recorded.entries,
        0,
        "recording the same state appends nothing"
    );
    prop_assert_eq!(store.ledger_entries(org).await.unwrap(), entries_before);
    for ((_, id), before) in keys.iter().zip(&items_before) {
        prop_assert_eq!(&store.payout_items(org, *id).await.unwrap(), before);
    }

    // Debits equal credits, and the ledger agrees with the commission states.
    let entries = store.ledger_entries(org).await.unwrap();
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for e in &entries {
        let sign = if e.side == "debit" { 1 } else { -1 };
        *sums.entry(e.currency.clone()).or_insert(0) += sign * e.minor;
    }
    prop_assert!(sums.values().all(|v| *v == 0), "{:?}", sums);
    let problems = service::check_ledger(store, org).await.unwrap();
    prop_assert!(problems.is_empty(), "{:?}", problems);

    // Money marked paid by providers is exactly the engine's paid balance:
    // no line is paid twice, and failed payments are not counted as paid.
    let mut paid_items: BTreeMap<String, i64> = BTreeMap::new();
    for (_, id) in &keys {
        for it in store.payout_items(org, *id).await.unwrap() {
            if it.status == "paid" {
                *paid_items.entry(it.account_id.to_string()).or_insert(0) += it.amount_minor;
            }
        }
    }
    for b in &s.settlement.balances {
        prop_assert_eq!(
            paid_items.get(&b.creator).copied().unwrap_or(0),
            b.paid,
            "creator {}",
            &b.creator
        );
    }
    // Nothing paid before its hold ends (or before it was earned).
    let as_of: BTreeMap<String, chrono::DateTime<Utc>> = store
        .payout_runs(org)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.key, from_us(r.as_of)))
        .collect();
    for l in &s.settlement.lines {
        if let Some(run) = &l.paid_in {
            let t = as_of[run];
            prop_assert!(l.payable_at.is_some_and(|p| p <= t), "{:?}", l);
            prop_assert!(l.at.is_some_and(|a| a <= t), "{:?}", l);
        }
    }
    db.cleanup().await;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn pay_keeps_its_invariants(c in case()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run_case(c))?;
    }
}
