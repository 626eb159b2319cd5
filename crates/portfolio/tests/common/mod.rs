//! Small random instances with heavy audience overlap: three niches and
//! three markets, so the set objective is far from additive.

#![allow(dead_code)]

use chorus_core::creator::{Audience, AudienceSource};
use chorus_core::{CreatorId, Currency, Money, Platform};
use chorus_portfolio::Candidate;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn usd(minor: i64) -> Money {
    Money {
        minor,
        currency: Currency::USD,
    }
}

pub fn candidate(
    id: i64,
    platform: Platform,
    followers: u64,
    niche: usize,
    country: usize,
) -> Candidate {
    let countries = ["US", "GB", "DE"];
    let mut shares = std::collections::BTreeMap::new();
    shares.insert(countries[country % 3].to_string(), 0.8);
    shares.insert(countries[(country + 1) % 3].to_string(), 0.2);
    Candidate {
        id: CreatorId(id),
        platform,
        handle: format!("c{id}"),
        followers,
        er: Some(0.04),
        er_by_views: None,
        mean_views: Some(followers as f64 * 0.3),
        niche: Some(format!("niche{niche}")),
        audience: Some(Audience {
            source: AudienceSource::Estimated,
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            countries: shares,
            ages: Default::default(),
            genders: Default::default(),
            languages: Default::default(),
        }),
        follower_sample: Vec::new(),
        quality: Some(70),
        floor_safety: false,
        rate_card: None,
    }
}

/// `n` candidates; about half quote a rate card, fees vary ~100×.
pub fn instance(n: usize, seed: u64) -> Vec<Candidate> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let platform =
                [Platform::Instagram, Platform::Tiktok, Platform::Youtube][rng.gen_range(0..3)];
            let followers = 10f64.powf(rng.gen_range(3.5..6.5)) as u64;
            let mut c = candidate(
                i as i64 + 1,
                platform,
                followers,
                rng.gen_range(0..3),
                rng.gen_range(0..3),
            );
            c.mean_views = Some(followers as f64 * rng.gen_range(0.05..0.6));
            if rng.gen_bool(0.5) {
                c.rate_card = Some(usd(rng.gen_range(5_000..500_000)));
            }
            c.quality = rng.gen_bool(0.9).then(|| rng.gen_range(0..=100));
            c.floor_safety = rng.gen_bool(0.1);
            c
        })
        .collect()
}
