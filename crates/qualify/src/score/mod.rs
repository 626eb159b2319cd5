//! The audience-quality score (0–100) of one platform account: the sum of
//! explained components, each with its measured value, its points out of its
//! maximum, and the evidence a manager can check (which followers, which
//! spike, which posts, which comments).
//!
//! A component without data (no follower sample, no history, no target
//! geography) is marked not applicable and its maximum is shared out over the
//! others in proportion, so the score always spans 0–100 and never rewards or
//! punishes an account for what we could not see.

mod audience;
mod bands;
mod engagement;
mod growth;

pub use bands::{learn_er_bands, quantile, Band, ErBands, Tier, MIN_ACCOUNTS_PER_TIER};
pub use engagement::is_generic_comment;

use crate::classifier::{Label, Model};
use chorus_core::creator::{Audience, CreatorRecord, FollowerPoint, FollowerProfile, Post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the score reads of one account (borrowed, so scoring thousands of
/// accounts copies nothing).
#[derive(Debug, Clone, Copy)]
pub struct AccountInput<'a> {
    pub followers: u64,
    pub following: u64,
    pub posts: &'a [Post],
    pub follower_history: &'a [FollowerPoint],
    pub follower_sample: &'a [FollowerProfile],
    pub audience: Option<&'a Audience>,
}

impl<'a> AccountInput<'a> {
    pub fn from_record(r: &'a CreatorRecord) -> AccountInput<'a> {
        AccountInput {
            followers: r.followers,
            following: r.following,
            posts: &r.posts,
            follower_history: &r.follower_history,
            follower_sample: &r.follower_sample,
            audience: r.audience.as_ref(),
        }
    }
}

/// What the score compares an account against.
#[derive(Debug, Clone)]
pub struct ScoreContext<'a> {
    pub er_bands: ErBands,
    /// ISO 3166 alpha-2 codes of the brief's target countries; empty = none.
    pub target_countries: Vec<String>,
    pub model: &'a Model,
    /// Classify the follower sample profile by profile ([`crate::classify`])
    /// instead of in one batch ([`crate::classify_batch`]): the same labels,
    /// slower; the reference path `chorus bench qualify` compares against.
    pub per_profile_classifier: bool,
}

impl ScoreContext<'static> {
    /// Bands from the store, no target geography, the embedded model.
    pub fn new(er_bands: ErBands) -> ScoreContext<'static> {
        ScoreContext {
            er_bands,
            target_countries: Vec::new(),
            model: crate::classifier::embedded_model(),
            per_profile_classifier: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKey {
    SuspiciousFollowers,
    MassFollowers,
    EngagementAuthenticity,
    GrowthAnomalies,
    GeographyMatch,
}

impl ComponentKey {
    /// Share of the 100 points when every component applies.
    pub fn weight(self) -> f64 {
        match self {
            ComponentKey::SuspiciousFollowers => 35.0,
            ComponentKey::MassFollowers => 10.0,
            ComponentKey::EngagementAuthenticity => 30.0,
            ComponentKey::GrowthAnomalies => 15.0,
            ComponentKey::GeographyMatch => 10.0,
        }
    }
}

/// One piece of evidence behind a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A follower from the sample (index into it) and how it was classified.
    Follower {
        index: usize,
        username: Option<String>,
        label: Label,
        p_suspicious: f64,
    },
    /// A Wilson 95% confidence interval for a share estimated from a sample.
    Interval {
        share: f64,
        low: f64,
        high: f64,
        n: usize,
    },
    /// A day-over-day follower jump far above the account's typical growth.
    Spike {
        date: NaiveDate,
        gain: i64,
        typical_daily_gain: f64,
        /// A post between the jump's two measurements (±3 days) that went
        /// viral, if one explains the jump.
        explained_by_post: Option<String>,
    },
    /// A post and why it matters here.
    Post {
        post_id: String,
        reason: String,
    },
    /// A comment text seen `count` times (generic or repeated).
    Comment {
        text: String,
        count: usize,
        post_ids: Vec<String>,
    },
    /// A measured figure with its expected range.
    Figure {
        name: String,
        value: f64,
        expected: Option<(f64, f64)>,
    },
    Note {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub key: ComponentKey,
    pub applicable: bool,
    /// The measured quantity (a share, an ER, …); see `evidence` for its unit.
    pub value: Option<f64>,
    pub points: f64,
    pub max_points: f64,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// 0–100: the sum of the components' points.
    pub score: f64,
    pub components: Vec<Component>,
}

/// A component before points are assigned: `fraction` of its maximum earned.
pub(crate) struct Measured {
    pub key: ComponentKey,
    pub value: Option<f64>,
    /// `None` = not applicable.
    pub fraction: Option<f64>,
    pub evidence: Vec<Evidence>,
}

impl Measured {
    pub fn not_applicable(key: ComponentKey, why: &str) -> Measured {
        Measured {
            key,
            value: None,
            fraction: None,
            evidence: vec![Evidence::Note { text: why.into() }],
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Linear ramp: 1 at or below `good`, 0 at or above `bad` (or the mirror).
pub(crate) fn ramp(x: f64, good: f64, bad: f64) -> f64 {
    ((bad - x) / (bad - good)).clamp(0.0, 1.0)
}

fn assign_points(measured: Vec<Measured>) -> QualityReport {
    let applicable: f64 = measured
        .iter()
        .filter(|m| m.fraction.is_some())
        .map(|m| m.key.weight())
        .sum();
    let scale = if applicable > 0.0 {
        100.0 / applicable
    } else {
        0.0
    };
    let components: Vec<Component> = measured
        .into_iter()
        .map(|m| {
            let max_points = m.fraction.map_or(0.0, |_| round1(m.key.weight() * scale));
            Component {
                key: m.key,
                applicable: m.fraction.is_some(),
                value: m.value,
                points: round1(m.fraction.unwrap_or(0.0).clamp(0.0, 1.0) * max_points),
                max_points,
                evidence: m.evidence,
            }
        })
        .collect();
    let score = round1(components.iter().map(|c| c.points).sum::<f64>()).clamp(0.0, 100.0);
    QualityReport { score, components }
}

/// Score one account. Pure: same input, same report.
pub fn score_account(input: &AccountInput, ctx: &ScoreContext) -> QualityReport {
    let labels = if ctx.per_profile_classifier {
        audience::classify_sample(ctx.model, input.follower_sample)
    } else {
        crate::classifier::classify_batch(ctx.model, input.follower_sample)
    };
    assign_points(vec![
        audience::suspicious(input.follower_sample, &labels),
        audience::mass_followers(input.follower_sample, &labels),
        engagement::authenticity(input, &ctx.er_bands),
        growth::anomalies(input),
        audience::geography(input.audience, &ctx.target_countries),
    ])
}

/// Wilson score interval at 95% for `k` successes out of `n`.
pub fn wilson_interval(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (z, n_f) = (1.959_963_984_540_054_f64, n as f64);
    let p = k as f64 / n_f;
    let denom = 1.0 + z * z / n_f;
    let center = (p + z * z / (2.0 * n_f)) / denom;
    let half = z / denom * (p * (1.0 - p) / n_f + z * z / (4.0 * n_f * n_f)).sqrt();
    ((center - half).max(0.0), (center + half).min(1.0))
}
