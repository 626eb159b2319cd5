//! Audience fit: how well a creator's audience matches the audience a brand
//! wants to reach. Pure; used by sorting, explanations and lookalikes.

use crate::schema::Dim;
use chorus_core::creator::Audience;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The audience a campaign wants, as shares per key (they need not sum to 1:
/// only their proportions within a dimension matter).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Target {
    pub countries: BTreeMap<String, f64>,
    pub genders: BTreeMap<String, f64>,
    pub ages: BTreeMap<String, f64>,
}

impl Target {
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty() && self.genders.is_empty() && self.ages.is_empty()
    }

    /// The creator's own audience as a target: what lookalikes match against.
    pub fn from_audience(a: &Audience) -> Target {
        Target {
            countries: a.countries.clone(),
            genders: a.genders.clone(),
            ages: a.ages.clone(),
        }
    }

    /// `(dimension, key, share)` of every target entry, keys normalized the
    /// way the index stores them.
    pub(crate) fn entries(&self) -> Vec<(Dim, String, f64)> {
        let mut v = Vec::new();
        for (k, s) in &self.countries {
            v.push((Dim::Country, k.to_ascii_uppercase(), *s));
        }
        for (k, s) in &self.genders {
            v.push((Dim::Gender, k.to_ascii_lowercase(), *s));
        }
        for (k, s) in &self.ages {
            v.push((Dim::Age, k.clone(), *s));
        }
        v
    }
}

/// Weights of the three dimensions; the defaults are gender 50%,
/// age 30%, location 20%.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitWeights {
    pub gender: f64,
    pub age: f64,
    pub location: f64,
}

impl Default for FitWeights {
    fn default() -> Self {
        FitWeights {
            gender: 0.5,
            age: 0.3,
            location: 0.2,
        }
    }
}

/// The fit and its parts, each in 0..=1; a part is `None` when the target
/// says nothing about that dimension (its weight is then spread over the
/// others, so a gender-only target can still reach 1.0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FitBreakdown {
    pub total: f64,
    pub gender: Option<f64>,
    pub age: Option<f64>,
    pub location: Option<f64>,
}

/// Weighted audience overlap. Per dimension: Σ over target keys of
/// min(creator share, target share) ÷ Σ target shares, i.e. the part of the
/// wanted audience the creator actually delivers (1.0 when the creator has at
/// least the target share of every key). Dimensions combine by the weights,
/// renormalized over the dimensions the target names.
pub fn audience_fit(audience: &Audience, target: &Target, weights: &FitWeights) -> FitBreakdown {
    let share = |dim: Dim, key: &str| -> f64 {
        let m = match dim {
            Dim::Country => &audience.countries,
            Dim::Gender => &audience.genders,
            Dim::Age => &audience.ages,
            Dim::Language => &audience.languages,
        };
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map_or(0.0, |(_, v)| *v)
    };
    fit_with(&target.entries(), weights, |dim, key, _| share(dim, key))
}

/// [`audience_fit`] over any source of creator shares: the collector reads
/// them from columns, without building maps per document.
pub(crate) fn fit_with(
    entries: &[(Dim, String, f64)],
    weights: &FitWeights,
    mut share: impl FnMut(Dim, &str, usize) -> f64,
) -> FitBreakdown {
    // (matched, wanted) per dimension: location, gender, age.
    let mut acc = [(0.0f64, 0.0f64); 3];
    for (i, (dim, key, want)) in entries.iter().enumerate() {
        let slot = match dim {
            Dim::Country => 0,
            Dim::Gender => 1,
            Dim::Age => 2,
            Dim::Language => continue,
        };
        let want = want.max(0.0);
        acc[slot].0 += share(*dim, key, i).max(0.0).min(want);
        acc[slot].1 += want;
    }
    let part = |(got, want): (f64, f64)| (want > 0.0).then(|| (got / want).clamp(0.0, 1.0));
    let (location, gender, age) = (part(acc[0]), part(acc[1]), part(acc[2]));
    let mut num = 0.0;
    let mut den = 0.0;
    for (p, w) in [
        (location, weights.location),
        (gender, weights.gender),
        (age, weights.age),
    ] {
        if let Some(p) = p {
            num += p * w.max(0.0);
            den += w.max(0.0);
        }
    }
    FitBreakdown {
        total: if den > 0.0 { num / den } else { 0.0 },
        gender,
        age,
        location,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_core::creator::AudienceSource;

    fn aud(c: &[(&str, f64)], g: &[(&str, f64)], a: &[(&str, f64)]) -> Audience {
        let m = |v: &[(&str, f64)]| v.iter().map(|(k, s)| (k.to_string(), *s)).collect();
        Audience {
            source: AudienceSource::Estimated,
            as_of: chrono::NaiveDate::default(),
            countries: m(c),
            ages: m(a),
            genders: m(g),
            languages: BTreeMap::new(),
        }
    }

    fn target(c: &[(&str, f64)], g: &[(&str, f64)], a: &[(&str, f64)]) -> Target {
        let t = aud(c, g, a);
        Target::from_audience(&t)
    }

    #[test]
    fn identical_audience_fits_perfectly() {
        let a = aud(
            &[("US", 0.6), ("CA", 0.4)],
            &[("female", 0.7), ("male", 0.3)],
            &[("25-34", 1.0)],
        );
        let f = audience_fit(&a, &Target::from_audience(&a), &FitWeights::default());
        assert!((f.total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn overlap_is_min_over_target_share() {
        // Creator: 30% female of a wanted 100% → 0.3; 50% US of wanted 60% → 5/6.
        let a = aud(
            &[("US", 0.5)],
            &[("female", 0.3)],
            &[("25-34", 0.2), ("35-44", 0.3)],
        );
        let t = target(
            &[("US", 0.6)],
            &[("female", 1.0)],
            &[("25-34", 0.7), ("35-44", 0.3)],
        );
        let f = audience_fit(&a, &t, &FitWeights::default());
        assert!((f.gender.unwrap() - 0.3).abs() < 1e-12);
        assert!((f.location.unwrap() - 0.5 / 0.6).abs() < 1e-12);
        assert!((f.age.unwrap() - 0.5).abs() < 1e-12);
        let want = 0.5 * 0.3 + 0.3 * 0.5 + 0.2 * (0.5 / 0.6);
        assert!((f.total - want).abs() < 1e-12);
    }

    #[test]
    fn missing_dimensions_spread_their_weight() {
        let a = aud(&[], &[("female", 0.8)], &[]);
        let t = target(&[], &[("female", 0.8)], &[]);
        let f = audience_fit(&a, &t, &FitWeights::default());
        assert_eq!((f.total, f.age, f.location), (1.0, None, None));
        assert_eq!(
            audience_fit(&a, &Target::default(), &FitWeights::default()).total,
            0.0
        );
    }

    #[test]
    fn custom_weights_apply() {
        let a = aud(&[("US", 1.0)], &[("male", 1.0)], &[]);
        let t = target(&[("US", 1.0)], &[("female", 1.0)], &[]);
        let w = FitWeights {
            gender: 0.0,
            age: 0.0,
            location: 1.0,
        };
        assert_eq!(audience_fit(&a, &t, &w).total, 1.0);
        assert_eq!(
            audience_fit(&a, &t, &FitWeights::default()).total,
            0.2 / 0.7
        );
    }
}
