//! Overlap from follower samples on generated creators whose shared
//! followers are known: the estimate is within 10 percentage points.

mod common;

use chorus_core::Platform;
use chorus_portfolio::*;
use common::candidate;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Two populations sharing `frac` of the smaller one; each creator gets a
/// uniform sample of `share` of its followers. Returns (truth, estimate).
fn trial(rng: &mut ChaCha8Rng, na: usize, nb: usize, frac: f64, share: f64) -> (f64, f64) {
    let shared = (frac * na.min(nb) as f64).round() as usize;
    // A = ids [0, na); B = ids [na - shared, na - shared + nb).
    let b0 = na - shared;
    let draw = |rng: &mut ChaCha8Rng, n: usize, offset: usize| -> Vec<String> {
        let k = (n as f64 * share).round() as usize;
        sample(rng, n, k)
            .into_iter()
            .map(|i| format!("u{}", i + offset))
            .collect()
    };
    let mut a = candidate(1, Platform::Instagram, na as u64, 0, 0);
    let mut b = candidate(2, Platform::Instagram, nb as u64, 0, 0);
    a.follower_sample = draw(rng, na, 0);
    b.follower_sample = draw(rng, nb, b0);
    (shared as f64 / na.min(nb) as f64, pairwise_overlap(&a, &b))
}

#[test]
fn sample_overlap_is_within_ten_points() {
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut worst: f64 = 0.0;
    let mut trials = 0;
    for &(na, nb) in &[
        (20_000, 10_000),
        (50_000, 50_000),
        (8_000, 30_000),
        (100_000, 12_000),
    ] {
        for &frac in &[0.0, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0] {
            for _ in 0..10 {
                let share = rng.gen_range(0.2..0.4);
                let (truth, est) = trial(&mut rng, na, nb, frac, share);
                worst = worst.max((est - truth).abs());
                trials += 1;
                assert!(
                    (est - truth).abs() <= 0.10,
                    "{na}/{nb} frac {frac} share {share}: {est}"
                );
            }
        }
    }
    eprintln!(
        "overlap: {trials} trials, worst error {:.1} points",
        worst * 100.0
    );
}

#[test]
fn without_samples_similar_audiences_overlap_more() {
    let a = candidate(1, Platform::Instagram, 20_000, 0, 0);
    let same = candidate(2, Platform::Instagram, 30_000, 0, 0);
    let other_niche = candidate(3, Platform::Instagram, 30_000, 1, 0);
    let other_market = candidate(4, Platform::Instagram, 30_000, 0, 1);
    let other_platform = candidate(5, Platform::Tiktok, 30_000, 0, 0);
    let o = |x: &Candidate| pairwise_overlap(&a, x);
    assert!(o(&same) > o(&other_niche));
    assert!(o(&same) > o(&other_market));
    assert!(o(&same) > o(&other_platform));
    assert!(
        (o(&same) - 0.30).abs() < 1e-9,
        "identical audiences in one niche hit the cap"
    );
}

/// Where samples show more overlap than the reach model assumes, calibration
/// shrinks the pools until the model's implied overlap matches.
#[test]
fn calibration_pulls_implied_overlap_towards_measured() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Eight creators, each following-base a random 10k slice of one 15k pool:
    // pairwise overlap about two thirds.
    let cands: Vec<Candidate> = (0..8)
        .map(|i| {
            let mut c = candidate(i + 1, Platform::Instagram, 10_000, 0, 0);
            let followers: Vec<usize> = sample(&mut rng, 15_000, 10_000).into_vec();
            c.follower_sample = followers[..3_000].iter().map(|u| format!("u{u}")).collect();
            c.mean_views = Some(10_000.0);
            c
        })
        .collect();
    let measured = pairwise_overlap(&cands[0], &cands[1]);
    let views = vec![10_000.0; cands.len()];
    let mut model = ReachModel::new(&cands, &views, &ReachParams::default());
    let before = model.implied_overlap(0, 1);
    let factor = model
        .calibrate(&cands, &OverlapModel::default(), 100)
        .unwrap();
    let after = model.implied_overlap(0, 1);
    assert!(
        factor < 1.0 && before < measured,
        "{factor} {before} {measured}"
    );
    assert!(
        (after - measured).abs() < (before - measured).abs(),
        "{before} → {after} vs {measured}"
    );
}
