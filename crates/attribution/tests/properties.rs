//! Property tests of the attribution rules on random worlds built directly
//! as engine input (faster than JSON, and the scenario layer is covered by
//! `scenario_rules.rs`).

use chorus_attribution::engine::{
    attribute, Campaign, Click, Creator, Identify, Input, Link, Model, Order, Outcome, Policy,
    PromoCode, Refund, Rule, Share,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

const DAY: i64 = 86_400;

fn base(window_days: u32, model: Model) -> Input {
    Input {
        policy: Policy {
            model,
            default_window_days: 30,
        },
        campaigns: vec![
            Campaign {
                id: "a".into(),
                window_days,
            },
            Campaign {
                id: "b".into(),
                window_days: 7,
            },
        ],
        creators: (0..3)
            .map(|c| Creator {
                id: format!("cr{c}"),
                customer_keys: vec![format!("own{c}")],
            })
            .collect(),
        links: (0..3)
            .map(|c| Link {
                code: format!("L{c}"),
                creator: format!("cr{c}"),
                campaign: if c == 2 { "b".into() } else { "a".into() },
            })
            .collect(),
        codes: (0..3)
            .map(|c| PromoCode {
                code: format!("CODE{c}"),
                creator: format!("cr{c}"),
                campaign: "a".into(),
                valid_from: Some(at(0)),
                valid_to: Some(at(90 * DAY)),
                single_use: false,
            })
            .collect(),
        ..Input::default()
    }
}

fn order(id: &str, secs: i64) -> Order {
    Order {
        order_id: id.into(),
        at: at(secs),
        amount: Decimal::new(8000, 2),
        currency: "USD".into(),
        customer_key: None,
        click_id: None,
        codes: vec![],
    }
}

/// A random world: clicks, identifies and orders over ~100 days.
fn world() -> impl Strategy<Value = Input> {
    let clicks = prop::collection::vec((0usize..4, 0i64..100 * DAY, any::<bool>()), 0..25);
    let idents = prop::collection::vec((0usize..5, 0usize..30, 0i64..100 * DAY), 0..15);
    let orders = prop::collection::vec(
        (
            0i64..100 * DAY,
            prop::option::of(0usize..8),
            prop::option::of(0usize..30),
            0usize..5,
            1i64..20_000,
        ),
        0..25,
    );
    let model = prop_oneof![Just(Model::Last), Just(Model::First), Just(Model::Linear)];
    (clicks, idents, orders, model, 1u32..=180).prop_map(|(clicks, idents, orders, model, w)| {
        let mut input = base(w, model);
        input.clicks = clicks
            .into_iter()
            .enumerate()
            .map(|(i, (l, t, bot))| Click {
                click_id: format!("k{i}"),
                link: format!("L{l}"),
                at: at(t),
                bot,
            })
            .collect();
        input.identifies = idents
            .into_iter()
            .map(|(key, k, t)| Identify {
                customer_key: key_name(key),
                click_id: format!("k{k}"),
                at: at(t),
            })
            .collect();
        input.orders = orders
            .into_iter()
            .enumerate()
            .map(|(i, (t, code, click, key, amount))| Order {
                codes: code.map(|c| vec![format!("code{c}")]).unwrap_or_default(),
                click_id: click.map(|k| format!("k{k}")),
                customer_key: Some(key_name(key)).filter(|_| key < 4),
                amount: Decimal::new(amount, 2),
                ..order(&format!("o{i}"), t)
            })
            .collect();
        input
    })
}

fn key_name(key: usize) -> String {
    if key == 0 {
        "own1".into()
    } else {
        format!("cust{key}")
    }
}

fn shuffled<T: Clone>(v: &[T], seed: u64) -> Vec<T> {
    // A seeded Fisher–Yates, so the property stays reproducible.
    let mut v = v.to_vec();
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
    v
}

fn only(outcome: &Outcome) -> &chorus_attribution::engine::Attribution {
    assert_eq!(outcome.attributions.len(), 1);
    &outcome.attributions[0]
}

proptest! {
    #[test]
    fn window_edges_are_inclusive(w in 1u32..=180, click_at in 0i64..10 * DAY, via_customer in any::<bool>()) {
        let mut input = base(w, Model::Last);
        input.clicks = vec![Click { click_id: "k".into(), link: "L0".into(), at: at(click_at), bot: false }];
        let edge = click_at + i64::from(w) * DAY;
        let mk = |id: &str, secs: i64| {
            let mut o = order(id, secs);
            if via_customer {
                o.customer_key = Some(format!("c-{id}"));
            } else {
                o.click_id = Some("k".into());
            }
            o
        };
        input.orders = vec![mk("in", edge), mk("out", edge + 1)];
        input.identifies = ["in", "out"].iter()
            .map(|id| Identify { customer_key: format!("c-{id}"), click_id: "k".into(), at: at(click_at) })
            .collect();
        let out = attribute(&input);
        let rule = if via_customer { Rule::Customer } else { Rule::Click };
        prop_assert_eq!(out.attributions[0].rule, rule);
        prop_assert_eq!(&out.attributions[0].credits[0].creator, "cr0");
        prop_assert_eq!(out.attributions[1].rule, Rule::None);
    }

    #[test]
    fn code_beats_click(click_at in 0i64..DAY, delay in 0i64..DAY, code in 0usize..3, link in 0usize..3) {
        let mut input = base(30, Model::Last);
        input.clicks = vec![Click { click_id: "k".into(), link: format!("L{link}"), at: at(click_at), bot: false }];
        input.orders = vec![Order {
            click_id: Some("k".into()),
            codes: vec![format!("code{code}")],
            ..order("o", click_at + delay)
        }];
        let out = attribute(&input);
        let a = only(&out);
        prop_assert_eq!(a.rule, Rule::Code);
        prop_assert_eq!(&a.credits[0].creator, &format!("cr{code}"));
        prop_assert_eq!(a.credits[0].click_id.as_deref(), None);
    }

    #[test]
    fn bot_clicks_are_never_credited(mut input in world()) {
        for c in &mut input.clicks {
            c.bot = true;
        }
        for a in attribute(&input).attributions {
            prop_assert!(matches!(a.rule, Rule::Code | Rule::None), "{:?}", a.rule);
        }
    }

    #[test]
    fn duplicates_are_counted_once(input in world(), pick in any::<prop::sample::Index>(), copies in 1usize..5, later in 0i64..DAY) {
        prop_assume!(!input.orders.is_empty());
        let plain = attribute(&input);
        let original = pick.get(&input.orders).clone();
        let mut dup = input.clone();
        for n in 0..copies {
            // Re-deliveries later in time, with contents that would change the verdict.
            dup.orders.push(Order {
                at: original.at + TimeDelta::seconds(later + n as i64),
                codes: vec!["CODE2".into()],
                ..original.clone()
            });
        }
        let out = attribute(&dup);
        prop_assert_eq!(out.attributions.len(), plain.attributions.len());
        for (a, b) in out.attributions.iter().zip(&plain.attributions) {
            let flagged = a.order_id == original.order_id;
            prop_assert_eq!(a.duplicate_seen, flagged);
            prop_assert_eq!(&a.credits, &b.credits);
            prop_assert_eq!(a.rule, b.rule);
        }
    }

    #[test]
    fn refunds_reduce_net_and_never_below_zero(mut input in world(), refunds in prop::collection::vec((0usize..25, 0i64..30_000), 0..10)) {
        input.refunds = refunds
            .into_iter()
            .map(|(o, amount)| Refund { order_id: format!("o{o}"), at: at(200 * DAY), amount: Decimal::new(amount, 2) })
            .collect();
        let out = attribute(&input);
        let before = attribute(&Input { refunds: vec![], ..input.clone() });
        for (a, b) in out.attributions.iter().zip(&before.attributions) {
            let refunded: Decimal = input.refunds.iter().filter(|r| r.order_id == a.order_id).map(|r| r.amount).sum();
            prop_assert_eq!(a.net_amount, (a.amount - refunded).max(Decimal::ZERO));
            prop_assert!(a.net_amount >= Decimal::ZERO);
            prop_assert_eq!(a.net_amount.scale(), a.amount.scale());
            // Refunds change money, never credit.
            prop_assert_eq!(&a.credits, &b.credits);
        }
        let unknown = input.refunds.iter().filter(|r| !input.orders.iter().any(|o| o.order_id == r.order_id)).count();
        prop_assert_eq!(out.unknown_refunds.len(), unknown);
    }

    #[test]
    fn shuffling_the_input_changes_nothing(input in world(), seed in any::<u64>()) {
        let expected = attribute(&input);
        let mut shuffled_input = input.clone();
        shuffled_input.clicks = shuffled(&input.clicks, seed);
        shuffled_input.identifies = shuffled(&input.identifies, seed ^ 1);
        shuffled_input.orders = shuffled(&input.orders, seed ^ 2);
        shuffled_input.links = shuffled(&input.links, seed ^ 3);
        shuffled_input.codes = shuffled(&input.codes, seed ^ 4);
        shuffled_input.creators = shuffled(&input.creators, seed ^ 5);
        prop_assert_eq!(attribute(&shuffled_input), expected);
    }

    #[test]
    fn shares_of_each_credited_order_sum_to_one(input in world()) {
        for a in attribute(&input).attributions {
            if a.credits.is_empty() {
                continue;
            }
            let den = a.credits[0].share.denominator();
            prop_assert!(a.credits.iter().all(|c| c.share == Share::new(1, den).unwrap()));
            prop_assert_eq!(a.credits.len() as u32, den);
            let total: Decimal = a.credits.iter().map(|c| c.share.to_decimal()).sum();
            prop_assert!((total - Decimal::ONE).abs() < Decimal::new(1, 20));
            let mut creators: Vec<&str> = a.credits.iter().map(|c| c.creator.as_str()).collect();
            let sorted = { let mut s = creators.clone(); s.sort(); s };
            prop_assert_eq!(&creators, &sorted);
            creators.dedup();
            prop_assert_eq!(creators.len(), a.credits.len());
        }
    }

    #[test]
    fn self_referral_is_never_credited(input in world()) {
        let out = attribute(&input);
        for a in &out.attributions {
            let order = input.orders.iter().find(|o| o.order_id == a.order_id).unwrap();
            if order.customer_key.as_deref() == Some("own1") {
                prop_assert!(a.credits.iter().all(|c| c.creator != "cr1"));
            }
        }
    }
}

#[test]
fn shares_are_exact_fractions() {
    assert_eq!(Share::new(2, 6).unwrap().to_string(), "1/3");
    assert_eq!(Share::new(3, 3).unwrap().to_string(), "1");
    assert_eq!(Share::new(1, 2).unwrap().to_string(), "1/2");
    assert!(Share::new(1, 0).is_none());
}
