//! Synthetic candidates (seeded, so runs repeat) and the planner benchmark
//! behind `chorus bench plan`.

use crate::candidate::{Candidate, Tier};
use crate::fees::FeeModel;
use crate::outcomes::{learn_priors, AccountStats};
use crate::planner::{plan, Goal, PlanRequest};
use chorus_core::creator::{Audience, AudienceSource};
use chorus_core::{CreatorId, Currency, Money, Platform};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

const COUNTRIES: [&str; 12] = [
    "US", "GB", "DE", "FR", "BR", "IN", "ES", "IT", "CA", "AU", "MX", "JP",
];
const NICHES: usize = 30;

/// Log-normal noise with median 1.
fn noise(rng: &mut ChaCha8Rng, sigma: f64) -> f64 {
    // Box–Muller: enough for synthetic data and keeps the dependency list short.
    let (u1, u2): (f64, f64) = (rng.gen_range(1e-12..1.0), rng.gen());
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (sigma * z).exp()
}

fn audience(rng: &mut ChaCha8Rng) -> Audience {
    let k = rng.gen_range(2..=4);
    let mut weights: Vec<(String, f64)> = (0..k)
        .map(|_| {
            (
                COUNTRIES[rng.gen_range(0..COUNTRIES.len())].to_string(),
                rng.gen_range(0.1..1.0),
            )
        })
        .collect();
    let total: f64 = weights.iter().map(|w| w.1).sum();
    weights.iter_mut().for_each(|w| w.1 /= total * 1.0001);
    let mut countries = std::collections::BTreeMap::new();
    for (c, s) in weights {
        *countries.entry(c).or_insert(0.0) += s;
    }
    Audience {
        source: AudienceSource::Estimated,
        as_of: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date"),
        countries,
        ages: Default::default(),
        genders: Default::default(),
        languages: Default::default(),
    }
}

/// `n` candidates shaped like a real index: mostly nano and micro accounts,
/// a long tail up to mega, thirty niches, a dozen markets.
pub fn synthetic_candidates(n: usize, seed: u64) -> Vec<Candidate> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fees = FeeModel::default();
    (0..n)
        .map(|i| {
            let platform = match rng.gen_range(0..20) {
                0..10 => Platform::Instagram,
                10..17 => Platform::Tiktok,
                _ => Platform::Youtube,
            };
            // log10 followers: 3.3 (2k) .. 6.7 (5M), most mass in micro.
            let followers = 10f64.powf(3.3 + 3.4 * rng.gen::<f64>().powf(1.6)) as u64;
            let er = 0.08 / (followers as f64 / 5_000.0).powf(0.3) * noise(&mut rng, 0.4);
            // Larger accounts reach a smaller share of their followers.
            let base = if platform.is_video() { 0.4 } else { 0.25 };
            let reach = base * (followers as f64 / 10_000.0).powf(-0.15);
            let rate_card = (rng.gen_range(0..10) < 3)
                .then(|| fees.model_fee(platform, followers))
                .flatten()
                .map(|m| Money {
                    minor: (m.minor as f64 * noise(&mut rng, 0.3)) as i64,
                    ..m
                });
            Candidate {
                id: CreatorId(i as i64 + 1),
                platform,
                handle: format!("creator{i}"),
                followers,
                er: Some(er),
                er_by_views: None,
                mean_views: Some(followers as f64 * reach * noise(&mut rng, 0.5)),
                niche: Some(format!("niche{}", rng.gen_range(0..NICHES))),
                audience: Some(audience(&mut rng)),
                follower_sample: Vec::new(),
                quality: Some(rng.gen_range(30..=100)),
                floor_safety: rng.gen_range(0..100) == 0,
                rate_card,
            }
        })
        .collect()
}

/// Plan `choose` creators out of `candidates` synthetic ones; returns the
/// number chosen and the seconds `plan` took (priors learned beforehand).
pub fn bench_plan(candidates: usize, choose: usize, seed: u64) -> (usize, f64) {
    let cands = synthetic_candidates(candidates, seed);
    let priors = learn_priors(cands.iter().map(AccountStats::of));
    let mut req = PlanRequest::new(
        Money {
            minor: 250_000 * choose as i64,
            currency: Currency::USD,
        },
        Goal::UniqueReach,
    );
    req.min_creators = choose;
    req.max_creators = choose;
    req.max_creator_share_bp = 1_000;
    req.min_quality = Some(60);
    req.max_niche_share_pct = 20;
    req.tiers = vec![Tier::Nano, Tier::Micro, Tier::Mid];
    let start = Instant::now();
    let p = plan(&req, &cands, &priors);
    (p.chosen.len(), start.elapsed().as_secs_f64())
}
