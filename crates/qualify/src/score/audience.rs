//! Components read from the follower sample and the audience shares.

use super::{ramp, wilson_interval, ComponentKey, Evidence, Measured};
use crate::classifier::{classify, Classification, Label, Model};
use chorus_core::creator::{Audience, FollowerProfile};

/// Up to this many followers are listed as evidence, worst first.
const MAX_LISTED: usize = 10;

pub(super) fn classify_sample(model: &Model, sample: &[FollowerProfile]) -> Vec<Classification> {
    sample.iter().map(|p| classify(model, p)).collect()
}

fn listed(sample: &[FollowerProfile], labels: &[Classification], want: Label) -> Vec<Evidence> {
    let mut idx: Vec<usize> = (0..labels.len())
        .filter(|&i| labels[i].label == want)
        .collect();
    idx.sort_by(|&a, &b| {
        labels[b]
            .p_suspicious
            .total_cmp(&labels[a].p_suspicious)
            .then(a.cmp(&b))
    });
    idx.into_iter()
        .take(MAX_LISTED)
        .map(|i| Evidence::Follower {
            index: i,
            username: sample[i].username.clone(),
            label: labels[i].label,
            p_suspicious: labels[i].p_suspicious,
        })
        .collect()
}

/// Share of the sample labeled `want`, with its interval and examples.
fn share_component(
    key: ComponentKey,
    sample: &[FollowerProfile],
    labels: &[Classification],
    want: Label,
    (good, bad): (f64, f64),
) -> Measured {
    if sample.is_empty() {
        return Measured::not_applicable(key, "no follower sample");
    }
    let k = labels.iter().filter(|c| c.label == want).count();
    let n = labels.len();
    let share = k as f64 / n as f64;
    let (low, high) = wilson_interval(k, n);
    let mut evidence = vec![Evidence::Interval {
        share,
        low,
        high,
        n,
    }];
    evidence.extend(listed(sample, labels, want));
    Measured {
        key,
        value: Some(share),
        fraction: Some(ramp(share, good, bad)),
        evidence,
    }
}

/// Full points up to 10% suspicious followers (few real audiences are
/// cleaner), none from 50% (most of the audience is not people).
pub(super) fn suspicious(sample: &[FollowerProfile], labels: &[Classification]) -> Measured {
    let key = ComponentKey::SuspiciousFollowers;
    share_component(key, sample, labels, Label::Suspicious, (0.10, 0.50))
}

/// Mass followers follow so many accounts that a post rarely reaches them:
/// full points up to 10% of the sample, none from 40%.
pub(super) fn mass_followers(sample: &[FollowerProfile], labels: &[Classification]) -> Measured {
    let key = ComponentKey::MassFollowers;
    share_component(key, sample, labels, Label::MassFollower, (0.10, 0.40))
}

/// Share of the audience in the brief's countries: full points from 50%.
pub(super) fn geography(audience: Option<&Audience>, targets: &[String]) -> Measured {
    let key = ComponentKey::GeographyMatch;
    if targets.is_empty() {
        return Measured::not_applicable(key, "no target geography given");
    }
    let Some(a) = audience.filter(|a| !a.countries.is_empty()) else {
        return Measured::not_applicable(key, "no audience country shares");
    };
    let mut evidence = Vec::new();
    let mut share = 0.0;
    for t in targets {
        let code = t.trim().to_ascii_uppercase();
        let s = a.countries.get(&code).copied().unwrap_or(0.0);
        share += s;
        evidence.push(Evidence::Figure {
            name: format!("audience share {code}"),
            value: s,
            expected: None,
        });
    }
    evidence.push(Evidence::Note {
        text: format!("audience source {:?}, as of {}", a.source, a.as_of),
    });
    Measured {
        key,
        value: Some(share),
        fraction: Some((share / 0.5).min(1.0)),
        evidence,
    }
}
