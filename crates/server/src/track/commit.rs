//! Group commit for orders received over HTTP.
//!
//! Each request validates its orders and queues them here; one task takes
//! whatever has queued up (up to [`MAX_GROUP`]), stores it in one
//! transaction with one durable sync, and only then lets the requests
//! answer. While a group commits, the next one gathers, so a busy server
//! commits large groups and an idle one commits single orders at once.
//! The new orders of a group are then attributed together (one engine run,
//! one transaction of verdicts) off the commit path.

use super::attribute::attribute_orders;
use super::orders::{Ack, IngestError, ValidOrder};
use chorus_core::OrgId;
use chorus_store::Store;
use std::collections::{BTreeMap, HashMap};
use tokio::sync::{mpsc, oneshot};

/// Largest group of orders committed at once.
pub const MAX_GROUP: usize = 1_000;
/// Orders waiting for the committer; beyond this, requests wait to queue.
const QUEUE: usize = 8_192;

pub struct Job {
    pub org: OrgId,
    pub order: ValidOrder,
    pub done: oneshot::Sender<Result<Ack, IngestError>>,
}

pub fn spawn(store: Store) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(committer(store, rx));
    tx
}

async fn committer(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let items: Vec<(OrgId, chorus_store::tracking::NewOrder<'_>)> =
            jobs.iter().map(|j| (j.org, j.order.as_new())).collect();
        let res = store.ingest_orders(&items).await;
        drop(items);
        match res {
            Ok(ingested) => {
                let store = store.clone();
                tokio::spawn(attribute_and_answer(store, jobs, ingested));
            }
            Err(e) => {
                tracing::error!(error = %e, orders = jobs.len(), "committing a group of orders");
                let msg = e.to_string();
                for j in jobs {
                    let _ = j.done.send(Err(IngestError::Failed(msg.clone())));
                }
            }
        }
    }
}

/// The group is durable: attribute its new orders, then answer every request.
async fn attribute_and_answer(
    store: Store,
    jobs: Vec<Job>,
    ingested: Vec<chorus_store::tracking::Ingested>,
) {
    let mut new_by_org: BTreeMap<OrgId, Vec<i64>> = BTreeMap::new();
    for (j, ing) in jobs.iter().zip(&ingested) {
        if ing.created {
            new_by_org.entry(j.org).or_default().push(ing.id);
        }
    }
    let mut rules: HashMap<i64, String> = HashMap::new();
    for (org, pks) in new_by_org {
        // A failure leaves the orders without a verdict; start-up retries them.
        match attribute_orders(&store, org, &pks).await {
            Ok(rows) => rules.extend(rows.into_iter().map(|r| (r.order_pk, r.rule))),
            Err(e) => tracing::error!(error = %e, orders = pks.len(), "attributing orders"),
        }
    }
    for (j, ing) in jobs.into_iter().zip(ingested) {
        let _ = j.done.send(Ok(Ack {
            id: ing.id,
            external_id: j.order.external_id,
            created: ing.created,
            rule: rules.remove(&ing.id),
        }));
    }
}
