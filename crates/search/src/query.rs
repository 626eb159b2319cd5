//! [`SearchQuery`]: what the CLI, the API and saved searches send. Every
//! field is optional and all of them combine (AND).

use crate::fit::{FitWeights, Target};
use crate::SearchError;
use chorus_core::creator::{Platform, AGE_BANDS, GENDERS};
use serde::{Deserialize, Serialize};

/// Deepest page a query may ask for: past this, ranking a result set
/// by hand is not what anyone does, and the top-k heap stays small.
pub const MAX_WINDOW: usize = 10_000;
pub const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    Relevance,
    Followers,
    Er,
    AudienceFit,
    /// relevance (normalized to the best match) × audience fit × ER sanity;
    /// factors that a query lacks (no text, no target) count as 1.
    BestFit,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchQuery {
    /// Free text: words, "quoted phrases" (required), #hashtags.
    pub q: Option<String>,
    pub platforms: Vec<Platform>,
    pub followers_min: Option<u64>,
    pub followers_max: Option<u64>,
    pub er_min: Option<f64>,
    pub er_max: Option<f64>,
    /// Creator country (ISO alpha-2), any of.
    pub countries: Vec<String>,
    /// Creator language (ISO 639-1), any of.
    pub languages: Vec<String>,
    /// Audience share ≥ `audience_country_min` in ANY of these countries.
    pub audience_countries: Vec<String>,
    pub audience_country_min: Option<f64>,
    pub audience_gender: Option<String>,
    pub audience_gender_min: Option<f64>,
    /// Age bands whose shares are SUMMED before comparing to the minimum.
    pub audience_ages: Vec<String>,
    pub audience_age_min: Option<f64>,
    pub audience_language: Option<String>,
    pub audience_language_min: Option<f64>,
    pub niches: Vec<String>,
    pub has_email: Option<bool>,
    /// Last post at or after `now - days`.
    pub posted_within_days: Option<u32>,
    /// Accounts already in the list or campaign (resolved by the caller).
    pub exclude_account_ids: Vec<i64>,
    /// Only these accounts, when set (resolved by the caller, e.g. from an
    /// organization's qualify reports); an empty set matches nothing.
    pub only_account_ids: Option<Vec<i64>>,
    pub min_quality_score: Option<f64>,
    pub no_high_severity: Option<bool>,
    pub sort: Option<Sort>,
    pub target: Option<Target>,
    pub fit_weights: Option<FitWeights>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

impl SearchQuery {
    pub fn text(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|q| !q.is_empty())
    }

    /// Relevance with text, else followers.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(if self.text().is_some() {
            Sort::Relevance
        } else {
            Sort::Followers
        })
    }

    pub fn window(&self) -> (usize, usize) {
        (
            self.offset.unwrap_or(0),
            self.limit.unwrap_or(DEFAULT_LIMIT),
        )
    }

    /// Reject what would otherwise silently match nothing or everything.
    pub fn validate(&self) -> Result<(), SearchError> {
        let bad = |m: String| Err(SearchError::InvalidQuery(m));
        for (name, v) in [
            ("audience_country_min", self.audience_country_min),
            ("audience_gender_min", self.audience_gender_min),
            ("audience_age_min", self.audience_age_min),
            ("audience_language_min", self.audience_language_min),
        ] {
            if let Some(x) = v.filter(|x| !(0.0..=1.0).contains(x)) {
                return bad(format!(
                    "{name} is {x}; expected a fraction between 0 and 1"
                ));
            }
        }
        if let Some(b) = self
            .audience_ages
            .iter()
            .find(|b| !AGE_BANDS.contains(&b.as_str()))
        {
            return bad(format!(
                "unknown age band {b:?}; expected one of {}",
                AGE_BANDS.join(", ")
            ));
        }
        if let Some(g) = &self.audience_gender {
            if !GENDERS.contains(&g.to_ascii_lowercase().as_str()) {
                return bad(format!(
                    "unknown gender {g:?}; expected one of {}",
                    GENDERS.join(", ")
                ));
            }
        }
        let sort = self.effective_sort();
        if sort == Sort::AudienceFit && self.target.as_ref().is_none_or(Target::is_empty) {
            return bad("sort audience_fit needs a target audience".into());
        }
        let (offset, limit) = self.window();
        if offset.saturating_add(limit) > MAX_WINDOW {
            return bad(format!("offset + limit must be at most {MAX_WINDOW}"));
        }
        Ok(())
    }
}

/// One piece of free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    Word(String),
    Phrase(String),
    Hashtag(String),
}

/// Split free text into words, "quoted phrases" and #hashtags. An unclosed
/// quote runs to the end of the text rather than failing: people type.
pub fn parse_text(q: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut quoted = false;
    for part in q.split('"') {
        if quoted {
            if !part.trim().is_empty() {
                out.push(Clause::Phrase(part.trim().to_owned()));
            }
        } else {
            for w in part.split_whitespace() {
                match w.strip_prefix('#') {
                    Some(tag) if !tag.is_empty() => out.push(Clause::Hashtag(tag.to_lowercase())),
                    Some(_) => {}
                    None => out.push(Clause::Word(w.to_owned())),
                }
            }
        }
        quoted = !quoted;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_splits_into_words_phrases_and_hashtags() {
        let c = parse_text(r#"trail "carbon plate" #TrailRunning shoes "open"#);
        assert_eq!(
            c,
            vec![
                Clause::Word("trail".into()),
                Clause::Phrase("carbon plate".into()),
                Clause::Hashtag("trailrunning".into()),
                Clause::Word("shoes".into()),
                Clause::Phrase("open".into()),
            ]
        );
    }

    #[test]
    fn queries_deserialize_with_defaults() {
        let q: SearchQuery = serde_json::from_str(
            r#"{"q":"yoga","audience_ages":["25-34","35-44"],"audience_age_min":0.4,
                "sort":"best_fit","target":{"genders":{"female":1.0}}}"#,
        )
        .unwrap();
        assert_eq!(q.effective_sort(), Sort::BestFit);
        q.validate().unwrap();
        assert_eq!(SearchQuery::default().effective_sort(), Sort::Followers);
        let bad = SearchQuery {
            audience_ages: vec!["20-30".into()],
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
