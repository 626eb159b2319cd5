//! Feeding the attribution engine from the store: at ingestion only the
//! data one order depends on, on re-run the whole organization. The rules
//! themselves are `chorus_attribution::engine`'s; nothing here decides.

use chorus_attribution::engine::{self, Input, Model, Policy};
use chorus_core::{Currency, OrgId};
use chorus_store::tracking::{AttributionRow, ClickFacts, CreditRow, Order, PromoCode};
use chorus_store::Store;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

/// How a customer's email becomes a customer key: SHA-256 of the trimmed,
/// lower-cased address, so no address is stored.
pub fn email_key(email: &str) -> String {
    hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
}

fn t(us: i64) -> DateTime<Utc> {
    chorus_store::from_us(us)
}

fn engine_order(o: &Order) -> engine::Order {
    engine::Order {
        order_id: o.external_id.clone(),
        at: t(o.at),
        amount: Decimal::from_str(&o.amount).unwrap_or_default(),
        currency: o.currency.clone(),
        customer_key: o.customer_key.clone(),
        click_id: o.click_id.clone(),
        codes: o.codes.clone(),
    }
}

fn policy(model: &str) -> Policy {
    Policy {
        model: Model::parse(model).unwrap_or_default(),
        ..Policy::default()
    }
}

/// Everything the engine reads, assembled from store rows.
struct Facts {
    orders: Vec<Order>,
    clicks: Vec<ClickFacts>,
    codes: Vec<PromoCode>,
    identifies: Vec<chorus_store::tracking::Identify>,
    refunds: Vec<chorus_store::tracking::Refund>,
}

async fn build_input(store: &Store, org: OrgId, f: &Facts) -> anyhow::Result<Input> {
    let settings = store.tracking_settings(org).await?;
    let campaigns = store
        .campaign_windows(org)
        .await?
        .into_iter()
        .map(|(id, days)| engine::Campaign {
            id: id.to_string(),
            window_days: u32::try_from(days).unwrap_or(engine::DEFAULT_WINDOW_DAYS),
        })
        .collect();
    let mut links = BTreeSet::new();
    let mut accounts = BTreeSet::new();
    for c in &f.clicks {
        links.insert((c.link_code.clone(), c.account_id, c.campaign_id));
        accounts.insert(c.account_id);
    }
    for c in &f.codes {
        accounts.insert(c.account_id);
    }
    let account_list: Vec<i64> = accounts.iter().copied().collect();
    let mut keys: HashMap<i64, Vec<String>> = HashMap::new();
    for (acc, email) in store.account_emails(&account_list).await? {
        let e = keys.entry(acc).or_default();
        e.push(email_key(&email));
        e.push(email.trim().to_lowercase());
    }
    Ok(Input {
        policy: policy(&settings.model),
        campaigns,
        creators: account_list
            .iter()
            .map(|a| engine::Creator {
                id: a.to_string(),
                customer_keys: keys.remove(a).unwrap_or_default(),
            })
            .collect(),
        links: links
            .into_iter()
            .map(|(code, acc, camp)| engine::Link {
                code,
                creator: acc.to_string(),
                campaign: camp.to_string(),
            })
            .collect(),
        codes: f
            .codes
            .iter()
            .map(|c| engine::PromoCode {
                code: c.code.clone(),
                creator: c.account_id.to_string(),
                campaign: c.campaign_id.to_string(),
                valid_from: c.valid_from.map(t),
                valid_to: c.valid_to.map(t),
                single_use: c.single_use,
            })
            .collect(),
        clicks: f
            .clicks
            .iter()
            .map(|c| engine::Click {
                click_id: c.click_id.clone(),
                link: c.link_code.clone(),
                at: t(c.at),
                bot: c.bot,
            })
            .collect(),
        identifies: f
            .identifies
            .iter()
            .map(|i| engine::Identify {
                customer_key: i.customer_key.clone(),
                click_id: i.click_id.clone(),
                at: t(i.at),
            })
            .collect(),
        orders: f.orders.iter().map(engine_order).collect(),
        refunds: f
            .refunds
            .iter()
            .map(|r| engine::Refund {
                order_id: r.order_external_id.clone(),
                at: t(r.at),
                amount: Decimal::from_str(&r.amount).unwrap_or_default(),
            })
            .collect(),
    })
}

fn minor(amount: Decimal, currency: &str) -> i64 {
    let Ok(c) = Currency::parse(currency) else {
        return 0;
    };
    chorus_core::Money::from_decimal_rounded(amount, c)
        .map(|m| m.minor)
        .unwrap_or(0)
}

fn to_row(a: &engine::Attribution, order_pk: i64) -> AttributionRow {
    let mut row = AttributionRow {
        order_pk,
        rule: a.rule.as_str().to_string(),
        self_referral: a.self_referral,
        code_reused: a.code_reused,
        net_amount: a.net_amount.to_string(),
        net_minor: minor(a.net_amount, &a.currency),
        credits: a
            .credits
            .iter()
            .map(|c| CreditRow {
                campaign_id: c.campaign.parse().unwrap_or_default(),
                account_id: c.creator.parse().unwrap_or_default(),
                click_id: c.click_id.clone(),
                share_num: i64::from(c.share.numerator()),
                share_den: i64::from(c.share.denominator()),
            })
            .collect(),
    };
    // Stored credits come back in this order; keep it so re-runs compare equal.
    row.credits.sort_by_key(|c| (c.account_id, c.campaign_id));
    row
}

/// Attribute one stored order and store the verdict.
pub async fn attribute_order(
    store: &Store,
    org: OrgId,
    order_pk: i64,
) -> anyhow::Result<AttributionRow> {
    attribute_orders(store, org, &[order_pk])
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("order {order_pk} not found"))
}

/// Attribute stored orders from the data they depend on (their codes, their
/// clicks, their customers' identify events and earlier orders) and store
/// the verdicts in one transaction. Deterministic: the same data gives the
/// same verdicts as a re-run, whether an order is attributed alone or in a
/// batch (each verdict depends only on its own customer's history).
pub async fn attribute_orders(
    store: &Store,
    org: OrgId,
    order_pks: &[i64],
) -> anyhow::Result<Vec<AttributionRow>> {
    let batch = store.orders_by_ids(org, order_pks).await?;
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = batch
        .iter()
        .filter_map(|o| o.customer_key.clone())
        .filter(|k| !k.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut orders = batch.clone();
    let in_batch: BTreeSet<i64> = batch.iter().map(|o| o.id).collect();
    orders.extend(
        store
            .orders_of_customers(org, &keys)
            .await?
            .into_iter()
            .filter(|o| !in_batch.contains(&o.id)),
    );
    let codes: Vec<String> = batch
        .iter()
        .flat_map(|o| o.codes.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut code_defs = Vec::new();
    for chunk in codes.chunks(100) {
        code_defs.extend(store.promo_codes_matching(org, chunk).await?);
    }
    code_defs.sort_by_key(|c| c.id);
    code_defs.dedup_by_key(|c| c.id);
    // Whether a single-use code was redeemed before depends on every order
    // that carried it.
    let single: Vec<String> = code_defs
        .iter()
        .filter(|c| c.single_use)
        .map(|c| c.code.clone())
        .collect();
    if !single.is_empty() {
        let known: BTreeSet<i64> = orders.iter().map(|o| o.id).collect();
        orders.extend(
            store
                .orders_using_codes(org, &single)
                .await?
                .into_iter()
                .filter(|o| !known.contains(&o.id)),
        );
    }
    let identifies = store.identifies_of(org, &keys).await?;
    let mut click_ids: BTreeSet<String> =
        orders.iter().filter_map(|o| o.click_id.clone()).collect();
    click_ids.extend(identifies.iter().map(|i| i.click_id.clone()));
    let click_ids: Vec<String> = click_ids.into_iter().collect();
    let pks: Vec<i64> = batch.iter().map(|o| o.id).collect();
    let facts = Facts {
        clicks: store.click_facts(org, &click_ids).await?,
        codes: code_defs,
        refunds: store.refunds_of(org, Some(&pks)).await?,
        identifies,
        orders,
    };
    let input = build_input(store, org, &facts).await?;
    let outcome = engine::attribute(&input);
    let verdicts: HashMap<&str, &engine::Attribution> = outcome
        .attributions
        .iter()
        .map(|a| (a.order_id.as_str(), a))
        .collect();
    let mut rows = Vec::with_capacity(batch.len());
    for o in &batch {
        let a = verdicts.get(o.external_id.as_str()).ok_or_else(|| {
            anyhow::anyhow!("engine returned no verdict for order {}", o.external_id)
        })?;
        rows.push(to_row(a, o.id));
    }
    store.save_attributions(org, &rows).await?;
    Ok(rows)
}

/// Orders read per query by a re-run.
const READ_PAGE: i64 = 10_000;
/// Verdicts compared and written per transaction by a re-run.
const WRITE_PAGE: usize = 1_000;

/// What a re-run changed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RerunSummary {
    pub orders: u64,
    pub changed: u64,
}

/// Re-attribute the organization's orders (those at or after `since`, and
/// when `campaign` is given only those credited to it before or after) over
/// all of its data. Deterministic: running it twice changes nothing.
pub async fn rerun_attribution(
    store: &Store,
    org: OrgId,
    campaign: Option<i64>,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<RerunSummary> {
    // Every order (the customer rule reads history), read in pages; of the
    // clicks only those an order or identify event names, in chunks.
    let mut orders = Vec::new();
    let mut after = 0;
    loop {
        let page = store.orders_page(org, after, READ_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        orders.extend(page);
    }
    let identifies = store.identifies(org, None).await?;
    let mut wanted: BTreeSet<String> = orders.iter().filter_map(|o| o.click_id.clone()).collect();
    wanted.extend(identifies.iter().map(|i| i.click_id.clone()));
    let wanted: Vec<String> = wanted.into_iter().collect();
    let facts = Facts {
        clicks: store.click_facts(org, &wanted).await?,
        codes: store.list_promo_codes(org).await?,
        refunds: store.refunds_of(org, None).await?,
        identifies,
        orders,
    };
    let input = build_input(store, org, &facts).await?;
    let outcome = engine::attribute(&input);
    drop(input);
    let pk: HashMap<&str, i64> = facts
        .orders
        .iter()
        .map(|o| (o.external_id.as_str(), o.id))
        .collect();
    let since_us = since.map(|s| s.timestamp_micros());
    let mut summary = RerunSummary::default();
    let selected: Vec<(i64, &engine::Attribution)> = outcome
        .attributions
        .iter()
        .filter(|a| since_us.is_none_or(|s| a.at.timestamp_micros() >= s))
        .filter_map(|a| pk.get(a.order_id.as_str()).map(|&p| (p, a)))
        .collect();
    for page in selected.chunks(WRITE_PAGE) {
        let pks: Vec<i64> = page.iter().map(|(p, _)| *p).collect();
        let old = store.attributions_of(org, &pks).await?;
        let mut changed = Vec::new();
        for (order_pk, a) in page {
            let row = to_row(a, *order_pk);
            let before = old.get(order_pk);
            if let Some(c) = campaign {
                let touches = |r: &AttributionRow| r.credits.iter().any(|k| k.campaign_id == c);
                if !touches(&row) && !before.is_some_and(touches) {
                    continue;
                }
            }
            summary.orders += 1;
            if before != Some(&row) {
                changed.push(row);
            }
        }
        summary.changed += changed.len() as u64;
        store.save_attributions(org, &changed).await?;
    }
    Ok(summary)
}

/// Attribute orders committed without a verdict (the process stopped
/// between the two), in every organization.
pub async fn attribute_pending(store: &Store) -> anyhow::Result<()> {
    for org in store.list_orgs().await? {
        for id in store.unattributed_order_ids(org.id).await? {
            attribute_order(store, org.id, id).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn email_keys_ignore_case_and_spaces() {
        assert_eq!(
            super::email_key(" Jon@Example.com "),
            super::email_key("jon@example.com")
        );
        assert_eq!(super::email_key("a@b.c").len(), 64);
    }
}
