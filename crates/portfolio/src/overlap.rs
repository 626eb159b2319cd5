//! Audience overlap of two creators: the share of the smaller audience that
//! also follows the other.
//!
//! Two estimators, best evidence first:
//! * **Follower-sample identities** (same platform, both samples large
//!   enough): a capture–recapture (Lincoln–Petersen) estimate. If the samples
//!   are uniform draws of `s_A` of `N_A` and `s_B` of `N_B` followers, each of
//!   the `K` shared followers shows up in both samples with probability
//!   `(s_A/N_A)(s_B/N_B)`, so `K ≈ m · (N_A/s_A) · (N_B/s_B)` where `m` is the
//!   number of usernames the samples share; the overlap is
//!   `K / min(N_A, N_B)`. Equivalently: the share of B's sample also in A,
//!   divided by A's sampling rate. Usernames on different platforms are
//!   different accounts, so this needs the same platform.
//! * **Audience-distribution similarity** otherwise: the Bhattacharyya
//!   coefficient of the country, age, gender and language shares (geometric
//!   mean over the dimensions both report), raised to a power because two
//!   unrelated audiences in one market already score ~0.8, times a cap that
//!   depends on whether the creators share a niche, and halved across
//!   platforms. It ranks pairs sensibly but is a prior, not a measurement.

use crate::candidate::Candidate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Editable parameters of the distribution-based fallback.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverlapModel {
    /// Fewer sampled usernames than this and identities are not used.
    pub min_sample: usize,
    /// Overlap of two identical audiences in the same niche.
    pub same_niche_cap: f64,
    /// Overlap of two identical audiences in different or unknown niches.
    pub other_niche_cap: f64,
    /// Multiplier when the creators are on different platforms.
    pub cross_platform_factor: f64,
    /// Exponent on the similarity, to spread the 0.8–1.0 band out.
    pub similarity_power: f64,
    /// Similarity assumed when neither reports an audience dimension.
    pub unknown_similarity: f64,
}

impl Default for OverlapModel {
    fn default() -> Self {
        OverlapModel {
            min_sample: 30,
            same_niche_cap: 0.30,
            other_niche_cap: 0.05,
            cross_platform_factor: 0.5,
            similarity_power: 4.0,
            unknown_similarity: 0.5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum OverlapEvidence {
    FollowerSample { shared_in_samples: usize },
    Distribution { similarity: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverlapEstimate {
    /// Share of the smaller audience also in the other, 0..=1.
    pub fraction: f64,
    pub evidence: OverlapEvidence,
}

/// Overlap share with the default model; see the module docs.
pub fn pairwise_overlap(a: &Candidate, b: &Candidate) -> f64 {
    OverlapModel::default().estimate(a, b).fraction
}

impl OverlapModel {
    pub fn estimate(&self, a: &Candidate, b: &Candidate) -> OverlapEstimate {
        let usable = |c: &Candidate| c.follower_sample.len() >= self.min_sample && c.followers > 0;
        if a.platform == b.platform && usable(a) && usable(b) {
            let (fraction, shared) = capture_recapture(a, b);
            return OverlapEstimate {
                fraction,
                evidence: OverlapEvidence::FollowerSample {
                    shared_in_samples: shared,
                },
            };
        }
        let similarity = distribution_similarity(a, b).unwrap_or(self.unknown_similarity);
        let same_niche = match (&a.niche, &b.niche) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => false,
        };
        let cap = if same_niche {
            self.same_niche_cap
        } else {
            self.other_niche_cap
        };
        let platform = if a.platform == b.platform {
            1.0
        } else {
            self.cross_platform_factor
        };
        OverlapEstimate {
            fraction: (cap * similarity.powf(self.similarity_power) * platform).clamp(0.0, 1.0),
            evidence: OverlapEvidence::Distribution { similarity },
        }
    }
}

/// Lincoln–Petersen estimate of the shared share of the smaller audience,
/// and the number of usernames the two samples share.
fn capture_recapture(a: &Candidate, b: &Candidate) -> (f64, usize) {
    let sa: HashSet<&str> = a.follower_sample.iter().map(String::as_str).collect();
    let sb: HashSet<&str> = b.follower_sample.iter().map(String::as_str).collect();
    let m = sa.intersection(&sb).count();
    let (na, nb) = (a.followers as f64, b.followers as f64);
    let rate_a = (sa.len() as f64 / na).min(1.0);
    let rate_b = (sb.len() as f64 / nb).min(1.0);
    let shared = m as f64 / (rate_a * rate_b);
    ((shared / na.min(nb)).clamp(0.0, 1.0), m)
}

/// Geometric mean of the Bhattacharyya coefficients of the audience
/// dimensions both creators report; `None` when they share none.
pub fn distribution_similarity(a: &Candidate, b: &Candidate) -> Option<f64> {
    let (x, y) = (a.audience.as_ref()?, b.audience.as_ref()?);
    let dims = [
        (&x.countries, &y.countries),
        (&x.ages, &y.ages),
        (&x.genders, &y.genders),
        (&x.languages, &y.languages),
    ];
    let bcs: Vec<f64> = dims
        .iter()
        .filter_map(|(p, q)| bhattacharyya(p, q))
        .collect();
    if bcs.is_empty() {
        return None;
    }
    let log_mean = bcs.iter().map(|v| v.max(1e-12).ln()).sum::<f64>() / bcs.len() as f64;
    Some(log_mean.exp())
}

/// Bhattacharyya coefficient of two share maps, each normalized to sum 1.
fn bhattacharyya(p: &BTreeMap<String, f64>, q: &BTreeMap<String, f64>) -> Option<f64> {
    let (sp, sq): (f64, f64) = (p.values().sum(), q.values().sum());
    if sp <= 0.0 || sq <= 0.0 {
        return None;
    }
    let bc = p
        .iter()
        .filter_map(|(k, v)| q.get(k).map(|w| (v / sp * w / sq).max(0.0).sqrt()))
        .sum::<f64>();
    Some(bc.clamp(0.0, 1.0))
}
