//! Group commit for orders received over HTTP.
//!
//! Each request validates its orders and queues them here; one task takes
//! whatever has queued up (up to [`MAX_GROUP`]), stores it in one
//! transaction with one durable sync, and only then lets the requests
//! answer. While a group commits, the next one gathers, so a busy server
//! commits large groups and an idle one commits single orders at once.
//! Committed groups go to one attribution task, which attributes whatever
//! groups have committed since its last run together (one engine run and
//! one transaction of verdicts per organization), off the commit path; so
//! a busy server also attributes in large batches.

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

/// A committed group waiting for its attribution.
struct Committed {
    jobs: Vec<Job>,
    ingested: Vec<chorus_store::tracking::Ingested>,
}

pub fn spawn(store: Store) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (done_tx, done_rx) = mpsc::unbounded_channel();
    tokio::spawn(committer(store.clone(), rx, done_tx));
    tokio::spawn(attributor(store, done_rx));
    tx
}

/// Attribute every group committed since the last run, together.
async fn attributor(store: Store, mut rx: mpsc::UnboundedReceiver<Committed>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = first.jobs;
        let mut ingested = first.ingested;
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(c) => {
                    jobs.extend(c.jobs);
                    ingested.extend(c.ingested);
                }
                Err(_) => break,
            }
        }
        attribute_and_answer(store.clone(), jobs, ingested).await;
    }
}

async fn committer(
    store: Store,
    mut rx: mpsc::Receiver<Job>,
    attribute: mpsc::UnboundedSender<Committed>,
) {
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
                if let Err(mpsc::error::SendError(c)) = attribute.send(Committed { jobs, ingested })
                {
                    // The attribution task is gone (shutdown): answer
                    // unattributed; start-up attributes the orders.
                    for (j, ing) in c.jobs.into_iter().zip(c.ingested) {
                        let _ = j.done.send(Ok(Ack {
                            id: ing.id,
                            external_id: j.order.external_id,
                            created: ing.created,
                            rule: None,
                        }));
                    }
                }
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
