//! The work behind `chorus bench contracts`: send contracts to N creators in
//! one batch (render, hash, store with a portal link and a queued email, in
//! one transaction) and render every contract's PDF — beside the same work
//! done one creator per call, as a client looping over the API would.

use super::contract;
use super::service;
use crate::auth::{Caller, Via};
use crate::{AppState, Config};
use chorus_core::{AccountId, CreatorRecord, OrgId, Role};
use chorus_store::{NewUser, Store};
use std::time::Instant;

/// Seconds for the batch and for the one-at-a-time baseline, with what they made.
#[derive(Debug, Clone, Copy)]
pub struct ContractsFigures {
    pub batch_s: f64,
    pub per_creator_s: f64,
    pub contracts: usize,
    pub emails: usize,
    pub pdf_bytes: usize,
}

async fn members(store: &Store, prefix: &str, n: usize) -> anyhow::Result<Vec<AccountId>> {
    let recs: Vec<CreatorRecord> = (0..n)
        .map(|i| {
            let mut r: CreatorRecord = serde_json::from_value(serde_json::json!({
                "platform": "instagram", "handle": format!("{prefix}{i:04}"),
                "name": format!("Bench Creator {prefix}{i}"), "email": format!("{prefix}{i}@bench.test"),
                "followers": 10_000 + 37 * i as u64
            }))?;
            r.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            Ok(r)
        })
        .collect::<anyhow::Result<_>>()?;
    store.upsert_creators(&recs).await?;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let a = store
            .account_by_handle("instagram", &format!("{prefix}{i:04}"))
            .await?
            .ok_or_else(|| anyhow::anyhow!("bench creator {i} vanished"))?;
        ids.push(a);
    }
    Ok(ids)
}

/// Send, then render each sent contract's PDF; returns (contracts, PDF bytes).
async fn send_and_pdf(
    st: &AppState,
    c: &Caller,
    camp: &chorus_store::campaigns::Campaign,
    ids: &[i64],
) -> anyhow::Result<(usize, usize)> {
    let out = service::send_contracts(st, c, camp, ids, "https://chorus.example")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut bytes = 0;
    for id in ids {
        if let Some(k) = st.store.latest_contract(c.org(), *id).await? {
            bytes += contract::pdf(&camp.name, &k.body, None).len();
        }
    }
    Ok((out.done, bytes))
}

/// Two campaigns of `creators` members each in `store`: one sent in one
/// batch, the other one member per call.
pub async fn bench_contracts(store: &Store, creators: usize) -> anyhow::Result<ContractsFigures> {
    let org: OrgId = store.create_org("bench", "Bench Brand").await?.id;
    let user = store
        .create_user(NewUser {
            org_id: org,
            email: "manager@bench.test",
            name: "Bench",
            password_hash: "-",
            role: Role::Manager,
        })
        .await?;
    let caller = Caller {
        user,
        via: Via::Token,
    };
    let st = AppState::new(store.clone(), Config::default());
    let batch_members = members(store, "b", creators).await?;
    let single_members = members(store, "s", creators).await?;
    let batch = super::create_sample_campaign(store, org, &batch_members).await?;
    let single = super::create_sample_campaign(store, org, &single_members).await?;
    let mut batch_ids = Vec::new();
    let mut single_ids = Vec::new();
    for (k, into) in [(batch, &mut batch_ids), (single, &mut single_ids)] {
        *into = store
            .members(org, k)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
    }
    let batch = service::campaign(&st, &caller, batch.0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let single = service::campaign(&st, &caller, single.0)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let t = Instant::now();
    let (contracts, pdf_bytes) = send_and_pdf(&st, &caller, &batch, &batch_ids).await?;
    let batch_s = t.elapsed().as_secs_f64();
    let emails = store.outbox(org, 1000).await?.len();

    let t = Instant::now();
    for id in &single_ids {
        send_and_pdf(&st, &caller, &single, &[*id]).await?;
    }
    let per_creator_s = t.elapsed().as_secs_f64();

    Ok(ContractsFigures {
        batch_s,
        per_creator_s,
        contracts,
        emails,
        pdf_bytes,
    })
}
