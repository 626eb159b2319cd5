//! Journey simulator (issue 7, item 7): synthetic shoppers with known ground
//! truth, attributed under several policies, to measure how much true
//! creator credit each policy recovers and how much organic revenue it
//! wrongly hands out.
//!
//! The journeys model what the policies disagree about: a post seen on a
//! phone and bought days or weeks later (heavy tail up to 60 days), often on
//! another device; cookies that a browser clears; identify events that tie
//! devices to one customer; promo codes remembered from a video; and, among
//! organic buyers, codes copied from coupon sites and stale clicks from long
//! ago. The rates are plausible, not measured: the report compares policies
//! on the same journeys, it does not forecast a campaign.

use crate::engine::{self, Click, Identify, Input, Link, Model, Order, Policy, PromoCode};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::fmt::Write as _;

const CREATORS: usize = 8;
const CAMPAIGN: &str = "wave";
/// Shoppers are exposed over this many days.
const EXPOSURE_DAYS: i64 = 90;

/// One attribution policy under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimPolicy {
    /// DESIGN.md: code → click id → customer history, last, 30 days.
    ChorusDefault,
    /// A 7-day cookie: only a click on the purchase device, within 7 days.
    LastClick7d,
    /// The same with a 30-day cookie.
    LastClick30d,
    /// Only promo codes count.
    CodeOnly,
}

impl SimPolicy {
    pub const ALL: [SimPolicy; 4] = [
        SimPolicy::ChorusDefault,
        SimPolicy::LastClick7d,
        SimPolicy::LastClick30d,
        SimPolicy::CodeOnly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SimPolicy::ChorusDefault => "chorus_default",
            SimPolicy::LastClick7d => "last_click_7d",
            SimPolicy::LastClick30d => "last_click_30d",
            SimPolicy::CodeOnly => "code_only",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResult {
    pub policy: SimPolicy,
    /// Creator-driven orders credited (wholly or in part) to their creator.
    pub correct_credit_share: f64,
    /// Organic orders credited to any creator.
    pub wrong_organic_credit_share: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SimulationReport {
    pub shoppers: usize,
    pub seed: u64,
    pub orders: usize,
    pub creator_driven_orders: usize,
    pub organic_orders: usize,
    pub policies: Vec<PolicyResult>,
}

/// Generate `shoppers` journeys from `seed` and score every policy on them.
pub fn simulate(shoppers: usize, seed: u64) -> SimulationReport {
    let world = generate(shoppers, seed);
    let creator_driven = world.truth.iter().filter(|t| t.is_some()).count();
    let policies = SimPolicy::ALL
        .iter()
        .map(|&p| score(p, &world, creator_driven))
        .collect();
    SimulationReport {
        shoppers,
        seed,
        orders: world.orders.len(),
        creator_driven_orders: creator_driven,
        organic_orders: world.orders.len() - creator_driven,
        policies,
    }
}

impl SimulationReport {
    pub fn to_json(&self) -> Value {
        let policies: Vec<Value> = self
            .policies
            .iter()
            .map(|p| {
                json!({
                    "policy": p.policy.name(),
                    "correct_credit_share": round4(p.correct_credit_share),
                    "wrong_organic_credit_share": round4(p.wrong_organic_credit_share),
                })
            })
            .collect();
        json!({
            "shoppers": self.shoppers,
            "seed": self.seed,
            "orders": self.orders,
            "creator_driven_orders": self.creator_driven_orders,
            "organic_orders": self.organic_orders,
            "policies": policies,
        })
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} shoppers (seed {}): {} orders, {} creator-driven, {} organic",
            self.shoppers, self.seed, self.orders, self.creator_driven_orders, self.organic_orders
        );
        let _ = writeln!(
            out,
            "{:<16} {:>16} {:>22}",
            "policy", "correct credit", "wrong organic credit"
        );
        for p in &self.policies {
            let _ = writeln!(
                out,
                "{:<16} {:>15.1}% {:>21.1}%",
                p.policy.name(),
                p.correct_credit_share * 100.0,
                p.wrong_organic_credit_share * 100.0
            );
        }
        out
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The generated facts, in the merchant's view, plus the ground truth.
struct World {
    clicks: Vec<Click>,
    identifies: Vec<Identify>,
    /// Full orders as a merchant running the Chorus snippet would send them.
    orders: Vec<Order>,
    /// Per order: the creator who truly drove it, or `None` when organic.
    truth: Vec<Option<usize>>,
}

fn creator_id(c: usize) -> String {
    format!("creator{c}")
}

fn link_code(c: usize) -> String {
    format!("L{c}")
}

fn promo(c: usize) -> String {
    format!("CREATOR{c}15")
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

fn seconds(rng: &mut ChaCha8Rng, days: f64) -> TimeDelta {
    TimeDelta::seconds((days * 86_400.0 * rng.gen::<f64>()) as i64)
}

/// Purchase delay in days: most buy within days, a heavy tail to 60.
fn delay(rng: &mut ChaCha8Rng) -> TimeDelta {
    let u: f64 = rng.gen();
    TimeDelta::seconds((60.0 * 86_400.0 * u.powi(3)) as i64)
}

struct Gen {
    rng: ChaCha8Rng,
    world: World,
}

fn generate(shoppers: usize, seed: u64) -> World {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        world: World {
            clicks: Vec::new(),
            identifies: Vec::new(),
            orders: Vec::new(),
            truth: Vec::new(),
        },
    };
    for shopper in 0..shoppers {
        if g.rng.gen_bool(0.6) {
            g.exposed_shopper(shopper);
        } else {
            g.organic_shopper(shopper);
        }
    }
    g.world
}

impl Gen {
    fn click(&mut self, creator: usize, at: DateTime<Utc>) -> String {
        let id = format!("k{}", self.world.clicks.len());
        // Link-preview fetchers hit the link around the same time.
        if self.rng.gen_bool(0.2) {
            let bot_id = format!("k{}b", self.world.clicks.len());
            self.world.clicks.push(Click {
                click_id: bot_id,
                link: link_code(creator),
                at,
                bot: true,
            });
        }
        self.world.clicks.push(Click {
            click_id: id.clone(),
            link: link_code(creator),
            at,
            bot: false,
        });
        id
    }

    fn order(
        &mut self,
        shopper: usize,
        at: DateTime<Utc>,
        click: Option<String>,
        code: Option<String>,
    ) -> Order {
        Order {
            order_id: format!("o{}", self.world.orders.len()),
            at,
            amount: Decimal::new(5_000 + self.rng.gen_range(0..10_000), 2),
            currency: "USD".into(),
            customer_key: Some(format!("cust{shopper}")),
            click_id: click,
            codes: code.into_iter().collect(),
        }
    }

    /// Saw a creator's post; maybe clicked on the phone, maybe bought later.
    fn exposed_shopper(&mut self, shopper: usize) {
        let creator = self.rng.gen_range(0..CREATORS);
        let seen = start() + seconds(&mut self.rng, EXPOSURE_DAYS as f64);
        let clicked = self.rng.gen_bool(0.55).then(|| self.click(creator, seen));
        if !self.rng.gen_bool(0.35) {
            return;
        }
        let at = seen + delay(&mut self.rng);
        let same_device = self.rng.gen_bool(0.4);
        // The first-party cookie survives on the same device unless cleared.
        let cookie = clicked
            .clone()
            .filter(|_| same_device && self.rng.gen_bool(0.85));
        if let Some(k) = clicked.clone().filter(|_| self.rng.gen_bool(0.3)) {
            let ident_at = seen + seconds(&mut self.rng, 3.0);
            self.identify(shopper, k, ident_at);
        }
        let code_p = if clicked.is_some() { 0.3 } else { 0.5 };
        let code = self.rng.gen_bool(code_p).then(|| promo(creator));
        let o = self.order(shopper, at, cookie, code);
        self.world.orders.push(o);
        self.world.truth.push(Some(creator));
    }

    fn identify(&mut self, shopper: usize, click_id: String, at: DateTime<Utc>) {
        self.world.identifies.push(Identify {
            customer_key: format!("cust{shopper}"),
            click_id,
            at,
        });
    }

    /// Would have bought anyway; some carry a coupon-site code or an old or
    /// incidental click that a policy may wrongly reward.
    fn organic_shopper(&mut self, shopper: usize) {
        if !self.rng.gen_bool(0.3) {
            return;
        }
        let at = start() + seconds(&mut self.rng, (EXPOSURE_DAYS + 60) as f64);
        let creator = self.rng.gen_range(0..CREATORS);
        let code = self.rng.gen_bool(0.12).then(|| promo(creator));
        let roll: f64 = self.rng.gen();
        let click = if roll < 0.06 {
            // Clicked long ago, out of curiosity; the cookie is still there.
            let days = 20.0 + 100.0 * self.rng.gen::<f64>();
            let before = TimeDelta::seconds((days * 86_400.0) as i64);
            Some(self.click(creator, at - before))
        } else if roll < 0.09 {
            // Clicked on the way to a purchase already decided.
            let before = seconds(&mut self.rng, 2.0);
            Some(self.click(creator, at - before))
        } else {
            None
        };
        let o = self.order(shopper, at, click, code);
        self.world.orders.push(o);
        self.world.truth.push(None);
    }
}

/// What the merchant's data looks like to a system running `policy`.
fn input_for(policy: SimPolicy, world: &World) -> Input {
    let (window, use_click, use_code, use_customer) = match policy {
        SimPolicy::ChorusDefault => (30, true, true, true),
        SimPolicy::LastClick7d => (7, true, false, false),
        SimPolicy::LastClick30d => (30, true, false, false),
        SimPolicy::CodeOnly => (30, false, true, false),
    };
    let orders = world
        .orders
        .iter()
        .map(|o| Order {
            click_id: o.click_id.clone().filter(|_| use_click),
            codes: if use_code {
                o.codes.clone()
            } else {
                Vec::new()
            },
            customer_key: o.customer_key.clone().filter(|_| use_customer),
            ..o.clone()
        })
        .collect();
    Input {
        policy: Policy {
            model: Model::Last,
            default_window_days: window,
        },
        campaigns: vec![engine::Campaign {
            id: CAMPAIGN.into(),
            window_days: window,
        }],
        creators: Vec::new(),
        links: (0..CREATORS)
            .map(|c| Link {
                code: link_code(c),
                creator: creator_id(c),
                campaign: CAMPAIGN.into(),
            })
            .collect(),
        codes: (0..CREATORS)
            .map(|c| PromoCode {
                code: promo(c),
                creator: creator_id(c),
                campaign: CAMPAIGN.into(),
                valid_from: None,
                valid_to: None,
                single_use: false,
            })
            .collect(),
        clicks: world.clicks.clone(),
        identifies: if use_customer {
            world.identifies.clone()
        } else {
            Vec::new()
        },
        orders,
        refunds: Vec::new(),
    }
}

fn score(policy: SimPolicy, world: &World, creator_driven: usize) -> PolicyResult {
    let outcome = engine::attribute(&input_for(policy, world));
    let truth: std::collections::HashMap<&str, Option<usize>> = world
        .orders
        .iter()
        .zip(&world.truth)
        .map(|(o, t)| (o.order_id.as_str(), *t))
        .collect();
    let (mut correct, mut wrong) = (0usize, 0usize);
    for a in &outcome.attributions {
        match truth.get(a.order_id.as_str()).copied().flatten() {
            Some(c) => {
                correct += usize::from(a.credits.iter().any(|cr| cr.creator == creator_id(c)))
            }
            None => wrong += usize::from(!a.credits.is_empty()),
        }
    }
    let organic = world.orders.len() - creator_driven;
    PolicyResult {
        policy,
        correct_credit_share: ratio(correct, creator_driven),
        wrong_organic_credit_share: ratio(wrong, organic),
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// A large synthetic organization for `chorus bench attribute`: `clicks`
/// clicks over 100 creators, `orders` orders of which a third carry a click
/// id, a tenth a code, and most a customer key shared with identify events.
/// Deterministic for a seed.
pub fn bench_input(orders: usize, clicks: usize, seed: u64) -> Input {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let creators = 100;
    let span = 180 * 86_400;
    let customers = (orders / 2).max(1);
    let clicks: Vec<Click> = (0..clicks)
        .map(|i| Click {
            click_id: format!("k{i}"),
            link: link_code(i % creators),
            at: start() + TimeDelta::seconds(rng.gen_range(0..span)),
            bot: rng.gen_bool(0.1),
        })
        .collect();
    let n_clicks = clicks.len().max(1);
    let identifies = (0..orders / 2)
        .map(|_| Identify {
            customer_key: format!("cust{}", rng.gen_range(0..customers)),
            click_id: format!("k{}", rng.gen_range(0..n_clicks)),
            at: start() + TimeDelta::seconds(rng.gen_range(0..span)),
        })
        .collect();
    let orders = (0..orders)
        .map(|i| Order {
            order_id: format!("o{i}"),
            at: start() + TimeDelta::seconds(rng.gen_range(0..span)),
            amount: Decimal::new(rng.gen_range(500..50_000), 2),
            currency: "USD".into(),
            customer_key: rng
                .gen_bool(0.9)
                .then(|| format!("cust{}", rng.gen_range(0..customers))),
            click_id: rng
                .gen_bool(0.33)
                .then(|| format!("k{}", rng.gen_range(0..n_clicks))),
            codes: if rng.gen_bool(0.1) {
                vec![promo(rng.gen_range(0..creators))]
            } else {
                Vec::new()
            },
        })
        .collect();
    Input {
        policy: Policy::default(),
        campaigns: vec![engine::Campaign {
            id: CAMPAIGN.into(),
            window_days: 30,
        }],
        creators: Vec::new(),
        links: (0..creators)
            .map(|c| Link {
                code: link_code(c),
                creator: creator_id(c),
                campaign: CAMPAIGN.into(),
            })
            .collect(),
        codes: (0..creators)
            .map(|c| PromoCode {
                code: promo(c),
                creator: creator_id(c),
                campaign: CAMPAIGN.into(),
                valid_from: None,
                valid_to: None,
                single_use: false,
            })
            .collect(),
        clicks,
        identifies,
        orders,
        refunds: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_report() {
        assert_eq!(simulate(2_000, 42), simulate(2_000, 42));
        assert_ne!(simulate(2_000, 42).orders, 0);
    }

    #[test]
    fn chorus_default_recovers_most_credit() {
        let r = simulate(20_000, 7);
        let get = |p: SimPolicy| r.policies.iter().find(|x| x.policy == p).unwrap().clone();
        let chorus = get(SimPolicy::ChorusDefault);
        for other in [
            SimPolicy::LastClick7d,
            SimPolicy::LastClick30d,
            SimPolicy::CodeOnly,
        ] {
            assert!(
                chorus.correct_credit_share > get(other).correct_credit_share,
                "{other:?}"
            );
        }
        assert!(
            get(SimPolicy::LastClick7d).correct_credit_share
                <= get(SimPolicy::LastClick30d).correct_credit_share
        );
        assert_eq!(r.orders, r.creator_driven_orders + r.organic_orders);
    }

    #[test]
    fn json_has_the_documented_keys() {
        let v = simulate(500, 1).to_json();
        for key in [
            "shoppers",
            "seed",
            "orders",
            "creator_driven_orders",
            "organic_orders",
        ] {
            assert!(v[key].is_u64(), "{key}");
        }
        let names: Vec<&str> = v["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["policy"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "chorus_default",
                "last_click_7d",
                "last_click_30d",
                "code_only"
            ]
        );
        assert!(v["policies"][0]["correct_credit_share"].is_f64());
        assert!(simulate(500, 1).to_text().contains("chorus_default"));
    }
}
