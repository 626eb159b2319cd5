//! Engagement authenticity: is the engagement what an audience of people
//! would give? Three signals, each optional: ER against the learned band of
//! the account's tier, the likes-per-comment ratio, and the share of generic
//! or repeated comments (the fingerprint of engagement pods and bought
//! comments).

use super::{ramp, AccountInput, ComponentKey, ErBands, Evidence, Measured, Tier};
use chorus_core::creator::Post;
use chorus_core::engagement::{engagement_rate, ER_WINDOW};
use std::collections::BTreeMap;

/// Likes per comment of organic posts; outside, bought likes (too many per
/// comment) or pods and bought comments (too few) are likely.
const LIKES_PER_COMMENT_RANGE: (f64, f64) = (10.0, 200.0);
/// Below this many sampled comments the comment share says little.
const MIN_COMMENTS: usize = 10;
/// A comment text seen this often across the account is "repeated".
const REPEATED_MIN: usize = 3;

const GENERIC: &[&str] = &[
    "nice",
    "nice pic",
    "nice post",
    "nice photo",
    "nice shot",
    "nice one",
    "great post",
    "great pic",
    "great photo",
    "great shot",
    "great content",
    "love it",
    "love this",
    "love that",
    "amazing",
    "awesome",
    "cool",
    "so cool",
    "wow",
    "beautiful",
    "gorgeous",
    "perfect",
    "lovely",
    "super",
    "great",
    "good",
    "yes",
    "omg",
    "cute",
    "so cute",
    "stunning",
    "fire",
    "lit",
    "keep it up",
    "well done",
    "nice feed",
    "great feed",
    "follow me",
    "follow back",
    "check my page",
    "check out my page",
    "dm me",
    "dm us",
    "love your feed",
    "amazing pic",
    "amazing post",
    "awesome pic",
    "awesome post",
    "beautiful pic",
    "so beautiful",
    "wow amazing",
    "looks great",
    "looks good",
    "very nice",
    "so nice",
    "cool pic",
];

fn normalize_comment(text: &str) -> String {
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Generic: says nothing about the post ("nice pic", "🔥🔥", "love it!!").
pub fn is_generic_comment(text: &str) -> bool {
    let norm = normalize_comment(text);
    norm.is_empty() || GENERIC.contains(&norm.as_str())
}

fn recent(posts: &[Post]) -> Vec<&Post> {
    let mut v: Vec<&Post> = posts.iter().collect();
    v.sort_by(|a, b| {
        b.published_at
            .cmp(&a.published_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    v.truncate(ER_WINDOW);
    v
}

/// Fraction earned by an ER: full inside [p25, 2·p90], falling below p25
/// (too few people engage) and, gently, far above p90 (bought engagement).
fn er_fraction(er: f64, p10: f64, p25: f64, p90: f64) -> f64 {
    if er < p10 {
        0.7 * (er / p10.max(1e-12))
    } else if er < p25 {
        0.7 + 0.3 * (er - p10) / (p25 - p10).max(1e-12)
    } else if er <= 2.0 * p90 {
        1.0
    } else {
        (1.0 - (er / p90 - 2.0) / 4.0).max(0.5)
    }
}

fn er_part(input: &AccountInput, bands: &ErBands, ev: &mut Vec<Evidence>) -> Option<(f64, f64)> {
    let Some(er) = engagement_rate(input.followers, input.posts) else {
        ev.push(Evidence::Note {
            text: "engagement rate unknown (fewer than 3 posts)".into(),
        });
        return None;
    };
    let tier = Tier::of(input.followers);
    let Some(b) = bands.band(input.followers) else {
        let text = format!("no learned ER band for tier {tier:?}; ER {er:.4} not compared");
        ev.push(Evidence::Note { text });
        return Some((er, f64::NAN));
    };
    ev.push(Evidence::Figure {
        name: format!("engagement rate vs {tier:?} band p10–p90 (n={})", b.n).to_lowercase(),
        value: er,
        expected: Some((b.p10, b.p90)),
    });
    Some((er, er_fraction(er, b.p10, b.p25, b.p90)))
}

/// Full points inside the organic range, losing all over one decade outside.
fn ratio_fraction(r: f64) -> f64 {
    let (lo, hi) = LIKES_PER_COMMENT_RANGE;
    if r < lo {
        (1.0 - (lo / r.max(1e-9)).log10()).max(0.0)
    } else if r > hi {
        (1.0 - (r / hi).log10()).max(0.0)
    } else {
        1.0
    }
}

fn ratio_part(posts: &[&Post], ev: &mut Vec<Evidence>) -> Option<f64> {
    let mut rs: Vec<(f64, &Post)> = posts
        .iter()
        .filter(|p| p.likes + p.comments > 0)
        .map(|p| (p.likes as f64 / p.comments.max(1) as f64, *p))
        .collect();
    if rs.len() < 3 {
        return None;
    }
    rs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = super::quantile(&rs.iter().map(|r| r.0).collect::<Vec<_>>(), 0.5);
    ev.push(Evidence::Figure {
        name: "likes per comment (median of recent posts)".into(),
        value: median,
        expected: Some(LIKES_PER_COMMENT_RANGE),
    });
    let (lo, hi) = LIKES_PER_COMMENT_RANGE;
    for (r, p) in rs.iter().filter(|(r, _)| *r < lo || *r > hi).take(5) {
        ev.push(Evidence::Post {
            post_id: p.id.clone(),
            reason: format!("{r:.1} likes per comment"),
        });
    }
    Some(ratio_fraction(median))
}

fn comments_part(posts: &[Post], ev: &mut Vec<Evidence>) -> Option<f64> {
    let mut seen: BTreeMap<String, (usize, Vec<String>, String)> = BTreeMap::new();
    let mut total = 0;
    for p in posts {
        for c in &p.comment_samples {
            total += 1;
            let e = seen
                .entry(normalize_comment(c))
                .or_insert_with(|| (0, Vec::new(), c.clone()));
            e.0 += 1;
            if !e.1.contains(&p.id) {
                e.1.push(p.id.clone());
            }
        }
    }
    if total < MIN_COMMENTS {
        return None;
    }
    let mut flagged: Vec<(usize, Vec<String>, String)> = seen
        .into_iter()
        .filter(|(norm, (n, _, raw))| {
            (*n >= REPEATED_MIN && !norm.is_empty()) || is_generic_comment(raw)
        })
        .map(|(_, v)| v)
        .collect();
    let share = flagged.iter().map(|f| f.0).sum::<usize>() as f64 / total as f64;
    ev.push(Evidence::Figure {
        name: format!("generic or repeated comments among {total} sampled"),
        value: share,
        expected: Some((0.0, 0.2)),
    });
    flagged.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    ev.extend(
        flagged
            .into_iter()
            .take(10)
            .map(|(count, post_ids, text)| Evidence::Comment {
                text,
                count,
                post_ids,
            }),
    );
    Some(ramp(share, 0.2, 0.6))
}

pub(super) fn authenticity(input: &AccountInput, bands: &ErBands) -> Measured {
    let key = ComponentKey::EngagementAuthenticity;
    let mut evidence = Vec::new();
    let er = er_part(input, bands, &mut evidence);
    let parts = [
        (0.5, er.map(|e| e.1).filter(|f| f.is_finite())),
        (0.2, ratio_part(&recent(input.posts), &mut evidence)),
        (0.3, comments_part(input.posts, &mut evidence)),
    ];
    let weight: f64 = parts.iter().filter(|p| p.1.is_some()).map(|p| p.0).sum();
    if weight == 0.0 {
        evidence.push(Evidence::Note {
            text: "too few posts to judge engagement".into(),
        });
        return Measured {
            key,
            value: er.map(|e| e.0),
            fraction: None,
            evidence,
        };
    }
    let earned: f64 = parts.iter().filter_map(|(w, f)| f.map(|f| w * f)).sum();
    Measured {
        key,
        value: er.map(|e| e.0),
        fraction: Some(earned / weight),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_comments() {
        assert!(is_generic_comment("Nice pic!!"));
        assert!(is_generic_comment("🔥🔥🔥"));
        assert!(is_generic_comment("love it"));
        assert!(!is_generic_comment(
            "Which trail is this? Looks like the Dolomites"
        ));
    }

    #[test]
    fn ratio_bands() {
        assert_eq!(ratio_fraction(50.0), 1.0);
        assert!((ratio_fraction(2000.0)).abs() < 1e-12);
        assert!((ratio_fraction(1.0)).abs() < 1e-12);
        assert!(ratio_fraction(400.0) > 0.6 && ratio_fraction(400.0) < 0.75);
    }
}
