//! What a search returns; serializes to the CLI's and the API's JSON:
//! `{"total": N, "facets": {...}, "results": [{"platform", "handle", "score", "why", …}]}`.

use crate::fit::FitBreakdown;
use chorus_core::creator::Platform;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Documents matching every filter (not just this page).
    pub total: u64,
    pub facets: Facets,
    pub results: Vec<Hit>,
}

/// Counts over the whole filtered result set, as `(value, count)`, most
/// frequent first (follower tiers in tier order, empty tiers included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub niche: Vec<(String, u64)>,
    pub country: Vec<(String, u64)>,
    pub follower_tier: Vec<(String, u64)>,
    pub platform: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub account_id: i64,
    pub platform: Platform,
    pub handle: String,
    pub name: String,
    pub followers: u64,
    pub er: Option<f64>,
    pub niche: Option<String>,
    pub country: Option<String>,
    /// The sort's score: BM25 for relevance, the combined score for
    /// best fit and lookalikes (0..1).
    pub score: f64,
    /// Audience fit against the query's target, when it has one.
    pub fit: Option<f64>,
    pub why: Why,
}

/// Why a creator is in the results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// Words, "phrases" and #hashtags of the query this creator matched.
    pub matched_terms: Vec<String>,
    /// Each filter with the creator's own value, e.g. "audience US 43% ≥ 40%".
    pub filters: Vec<String>,
    pub fit_breakdown: Option<FitBreakdown>,
}
