//! Expected engagement-rate bands per follower tier, learned from the
//! accounts in the store rather than fixed in code: what counts as a normal
//! ER depends on the platform mix and the niche a deployment imports.

use serde::{Deserialize, Serialize};

pub use chorus_core::Tier;

/// Quantiles of ER (as a fraction, 0.05 = 5%) among one tier's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub tier: Tier,
    pub n: usize,
    pub p10: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErBands {
    pub bands: Vec<Band>,
}

/// Fewer accounts than this in a tier and its quantiles mean little.
pub const MIN_ACCOUNTS_PER_TIER: usize = 5;

/// Linear-interpolated quantile of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Per-tier ER quantiles from `(followers, er)` pairs; non-finite or
/// negative ERs are ignored, and tiers with too few accounts get no band.
pub fn learn_er_bands(accounts: impl Iterator<Item = (u64, f64)>) -> ErBands {
    let mut by_tier: Vec<Vec<f64>> = vec![Vec::new(); Tier::ALL.len()];
    for (followers, er) in accounts {
        if er.is_finite() && er >= 0.0 {
            by_tier[Tier::of(followers) as usize].push(er);
        }
    }
    let bands = Tier::ALL
        .iter()
        .zip(by_tier)
        .filter(|(_, v)| v.len() >= MIN_ACCOUNTS_PER_TIER)
        .map(|(tier, mut v)| {
            v.sort_by(f64::total_cmp);
            Band {
                tier: *tier,
                n: v.len(),
                p10: quantile(&v, 0.10),
                p25: quantile(&v, 0.25),
                median: quantile(&v, 0.5),
                p75: quantile(&v, 0.75),
                p90: quantile(&v, 0.90),
            }
        })
        .collect();
    ErBands { bands }
}

impl ErBands {
    pub fn band(&self, followers: u64) -> Option<&Band> {
        let tier = Tier::of(followers);
        self.bands.iter().find(|b| b.tier == tier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_have_their_own_quantiles() {
        let nano = (0..11).map(|i| (5_000, 0.04 + 0.001 * i as f64));
        let mega = (0..11).map(|i| (2_000_000, 0.005 + 0.0001 * i as f64));
        let few = (0..3).map(|_| (50_000, 0.03));
        let b = learn_er_bands(nano.chain(mega).chain(few));
        assert_eq!(b.bands.len(), 2);
        assert!((b.band(9_999).unwrap().median - 0.045).abs() < 1e-12);
        assert!((b.band(1_000_000).unwrap().p10 - 0.0051).abs() < 1e-12);
        assert!(b.band(20_000).is_none());
    }
}
