//! The leaked-code report: promo codes whose credited orders mostly came
//! without any prior click from the code's creator and from coupon sites,
//! with that evidence. The judgement is `chorus_attribution::codes::leaked_codes`;
//! this module gathers the facts from the store.

use chorus_attribution::codes::{self, CodeOrder};
use chorus_core::OrgId;
use chorus_store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Fewest code orders before a code is judged at all.
pub const DEFAULT_MIN_ORDERS: usize = 5;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeakedCode {
    pub campaign_id: i64,
    pub account_id: i64,
    pub code: String,
    pub orders: usize,
    pub without_prior_click: usize,
    pub from_coupon_sites: usize,
    pub share_without_prior_click: f64,
    pub share_from_coupon_sites: f64,
    /// Orders per coupon-site host.
    pub coupon_sites: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeakReport {
    pub campaign_id: Option<i64>,
    pub min_orders: usize,
    /// Distinct codes with credited orders that were examined.
    pub codes_checked: usize,
    pub leaked: Vec<LeakedCode>,
}

/// `https://www.retailmenot.com/view/x` → `www.retailmenot.com`.
pub fn referrer_host(referrer: &str) -> Option<String> {
    let r = referrer.trim();
    let rest = r.split_once("://").map_or(r, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

pub async fn leaked_codes(
    store: &Store,
    org: OrgId,
    campaign: Option<i64>,
    min_orders: usize,
) -> anyhow::Result<LeakReport> {
    let credited = store.code_credited_orders(org, campaign).await?;
    let defs = store.list_promo_codes(org).await?;
    // (campaign, account) → its codes, lower-cased.
    let mut own: HashMap<(i64, i64), Vec<String>> = HashMap::new();
    for d in &defs {
        own.entry((d.campaign_id, d.account_id))
            .or_default()
            .push(d.code.to_lowercase());
    }
    let keys: Vec<String> = credited
        .iter()
        .filter_map(|(o, ..)| o.customer_key.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let identifies = store.identifies_of(org, &keys).await?;
    let mut by_key: HashMap<&str, Vec<(&str, i64)>> = HashMap::new();
    for i in &identifies {
        by_key
            .entry(i.customer_key.as_str())
            .or_default()
            .push((i.click_id.as_str(), i.at));
    }
    let mut click_ids: BTreeSet<String> = credited
        .iter()
        .filter_map(|(o, ..)| o.click_id.clone())
        .collect();
    click_ids.extend(identifies.iter().map(|i| i.click_id.clone()));
    let click_ids: Vec<String> = click_ids.into_iter().collect();
    let clicks: HashMap<String, chorus_store::tracking::ClickFacts> = store
        .click_facts(org, &click_ids)
        .await?
        .into_iter()
        .map(|c| (c.click_id.clone(), c))
        .collect();

    let mut per_campaign: BTreeMap<i64, Vec<CodeOrder>> = BTreeMap::new();
    let mut owner: HashMap<(i64, String), i64> = HashMap::new();
    for (o, camp, account) in &credited {
        let Some(mine) = own.get(&(*camp, *account)) else {
            continue;
        };
        let Some(code) = o.codes.iter().find(|c| mine.contains(&c.to_lowercase())) else {
            continue;
        };
        let mut touches: Vec<&str> = o.click_id.iter().map(String::as_str).collect();
        if let Some(ids) = o.customer_key.as_deref().and_then(|k| by_key.get(k)) {
            touches.extend(ids.iter().filter(|(_, at)| *at <= o.at).map(|(id, _)| *id));
        }
        let had_prior_click = touches.iter().any(|id| {
            clicks
                .get(*id)
                .is_some_and(|c| !c.bot && c.account_id == *account && c.at <= o.at)
        });
        owner.insert((*camp, code.to_uppercase()), *account);
        per_campaign.entry(*camp).or_default().push(CodeOrder {
            code: code.clone(),
            had_prior_click,
            referrer_host: o.referrer.as_deref().and_then(referrer_host),
        });
    }
    let codes_checked = owner.len();
    let mut leaked = Vec::new();
    for (camp, orders) in per_campaign {
        for r in codes::leaked_codes(&orders, min_orders) {
            let n = r.orders.max(1) as f64;
            leaked.push(LeakedCode {
                campaign_id: camp,
                account_id: owner.get(&(camp, r.code.clone())).copied().unwrap_or(0),
                share_without_prior_click: r.without_prior_click as f64 / n,
                share_from_coupon_sites: r.from_coupon_sites as f64 / n,
                code: r.code,
                orders: r.orders,
                without_prior_click: r.without_prior_click,
                from_coupon_sites: r.from_coupon_sites,
                coupon_sites: r.coupon_sites,
            });
        }
    }
    Ok(LeakReport {
        campaign_id: campaign,
        min_orders,
        codes_checked,
        leaked,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn referrer_hosts() {
        use super::referrer_host as h;
        assert_eq!(
            h("https://www.RetailMeNot.com/view/shop.example").as_deref(),
            Some("www.retailmenot.com")
        );
        assert_eq!(h("slickdeals.net").as_deref(), Some("slickdeals.net"));
        assert_eq!(
            h("http://u:p@groupon.com:8080/x?y").as_deref(),
            Some("groupon.com")
        );
        assert_eq!(h(""), None);
    }
}
