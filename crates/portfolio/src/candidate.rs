//! What the planner knows about one platform account it may book: the flat
//! figures of its record plus what qualify found (quality score, floor-level
//! brand-safety findings) and the rate card, if the creator quoted one.

use chorus_core::creator::{Audience, CreatorRecord};
use chorus_core::engagement::{ER_MIN_POSTS, ER_WINDOW};
use chorus_core::{engagement_rate, engagement_rate_by_views, CreatorId, Money, Platform};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use chorus_core::Tier;

/// One bookable platform account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: CreatorId,
    pub platform: Platform,
    pub handle: String,
    pub followers: u64,
    /// Engagement rate by followers (DESIGN.md), when known.
    pub er: Option<f64>,
    /// Engagement rate by views (video platforms), when known.
    pub er_by_views: Option<f64>,
    /// Mean views per recent post, when the platform reports views.
    pub mean_views: Option<f64>,
    pub niche: Option<String>,
    pub audience: Option<Audience>,
    /// Usernames from the follower sample, for overlap by identity.
    pub follower_sample: Vec<String>,
    /// Audience-quality score 0–100 from qualify, when computed.
    pub quality: Option<u8>,
    /// True when qualify found a GARM floor-level brand-safety finding.
    pub floor_safety: bool,
    /// The creator's own quote for one deliverable; wins over the fee model.
    pub rate_card: Option<Money>,
}

impl Candidate {
    /// Build from an imported record; quality, safety and rate card come from
    /// other engines and are passed in.
    pub fn from_record(
        id: CreatorId,
        r: &CreatorRecord,
        quality: Option<u8>,
        floor_safety: bool,
        rate_card: Option<Money>,
    ) -> Candidate {
        // The same recent window as ER, so views and ER describe one period.
        let mut recent: Vec<_> = r.posts.iter().collect();
        recent.sort_by(|a, b| {
            b.published_at
                .cmp(&a.published_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        let views: Vec<f64> = recent
            .iter()
            .take(ER_WINDOW)
            .filter_map(|p| p.views.map(|v| v as f64))
            .collect();
        let mean_views =
            (views.len() >= ER_MIN_POSTS).then(|| views.iter().sum::<f64>() / views.len() as f64);
        Candidate {
            id,
            platform: r.platform,
            handle: r.handle.clone(),
            followers: r.followers,
            er: engagement_rate(r.followers, &r.posts),
            er_by_views: engagement_rate_by_views(&r.posts),
            mean_views,
            niche: r.niche.clone(),
            audience: r.audience.clone(),
            follower_sample: r
                .follower_sample
                .iter()
                .filter_map(|f| f.username.clone())
                .collect(),
            quality,
            floor_safety,
            rate_card,
        }
    }

    pub fn tier(&self) -> Tier {
        Tier::of(self.followers)
    }
}

/// The audience a brand wants to reach. An empty list means "any" in that
/// dimension.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetAudience {
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub ages: Vec<String>,
    #[serde(default)]
    pub genders: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

impl TargetAudience {
    /// Share of the candidate's audience inside the target, assuming the
    /// dimensions are independent (audience reports only give marginals).
    /// Unknown audience gives `None`: the caller decides how to treat it.
    pub fn fit(&self, audience: Option<&Audience>) -> Option<f64> {
        let a = audience?;
        let dim = |want: &[String], shares: &BTreeMap<String, f64>| -> f64 {
            if want.is_empty() {
                1.0
            } else {
                want.iter()
                    .filter_map(|k| shares.get(k))
                    .sum::<f64>()
                    .min(1.0)
            }
        };
        Some(
            dim(&self.countries, &a.countries)
                * dim(&self.ages, &a.ages)
                * dim(&self.genders, &a.genders)
                * dim(&self.languages, &a.languages),
        )
    }

    pub fn is_any(&self) -> bool {
        self.countries.is_empty()
            && self.ages.is_empty()
            && self.genders.is_empty()
            && self.languages.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_core::creator::AudienceSource;
    use chrono::NaiveDate;

    #[test]
    fn fit_multiplies_the_target_shares_of_each_dimension() {
        let a = Audience {
            source: AudienceSource::Estimated,
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            countries: [("US".into(), 0.6), ("GB".into(), 0.2)].into(),
            ages: [("18-24".into(), 0.5), ("25-34".into(), 0.3)].into(),
            genders: BTreeMap::new(),
            languages: BTreeMap::new(),
        };
        let t = TargetAudience {
            countries: vec!["US".into(), "GB".into()],
            ages: vec!["25-34".into()],
            ..TargetAudience::default()
        };
        assert!((t.fit(Some(&a)).unwrap() - 0.8 * 0.3).abs() < 1e-12);
        assert_eq!(t.fit(None), None);
        assert_eq!(TargetAudience::default().fit(Some(&a)), Some(1.0));
    }

    #[test]
    fn tiers_follow_design_md() {
        assert_eq!(Tier::of(9_999), Tier::Nano);
        assert_eq!(Tier::of(10_000), Tier::Micro);
        assert_eq!(Tier::of(499_999), Tier::Mid);
        assert_eq!(Tier::of(1_000_000), Tier::Mega);
    }
}
