//! Engagement authenticity: is the engagement what an audience of people
//! would give? Four signals, each optional: ER against the learned band of
//! the account's tier, how much engagement varies from post to post (pods
//! deliver the same engagement to every post; audiences do not), the
//! likes-per-comment ratio, and the share of generic or repeated comments
//! (the fingerprint of engagement pods and bought comments).

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
/// Post-to-post variation of engagement (robust standard deviation of log
/// engagement, see [`variation_part`]): organic posts of one account differ
/// typically differ by ×1.3 to ×2 from one to the next (0.3–0.6). Full
/// points at or above the first figure, none at or below the second (every
/// post within about 10% of the last).
const ORGANIC_VARIATION: (f64, f64) = (0.25, 0.12);
/// Fewer consecutive post pairs than this and the variation says little.
const MIN_PAIRS: usize = 5;

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
    "so good",
    "great job",
    "awesome content",
    "amazing content",
    "nice content",
    "this is everything",
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

/// How different each post's engagement is from the previous one's: the
/// median absolute change of log engagement between consecutive recent
/// posts, scaled to a standard deviation (÷ 0.6745·√2, exact for log-normal
/// noise). Consecutive differences ignore a steady growth trend, and the
/// median ignores one viral post. Engagement pods answer every post with the
/// same members at the same rate, so their posts all land within a few
/// percent of each other.
fn variation_part(posts: &[&Post], ev: &mut Vec<Evidence>) -> Option<f64> {
    let mut by_time: Vec<&Post> = posts
        .iter()
        .copied()
        .filter(|p| p.likes + p.comments > 0)
        .collect();
    by_time.sort_by(|a, b| a.published_at.cmp(&b.published_at).then(a.id.cmp(&b.id)));
    let mut changes: Vec<f64> = by_time
        .windows(2)
        .map(|w| {
            let e = |p: &Post| ((p.likes + p.comments) as f64).ln();
            (e(w[1]) - e(w[0])).abs()
        })
        .collect();
    if changes.len() < MIN_PAIRS {
        return None;
    }
    changes.sort_by(f64::total_cmp);
    let variation = super::quantile(&changes, 0.5) / (0.674_489_75 * std::f64::consts::SQRT_2);
    let (good, bad) = ORGANIC_VARIATION;
    ev.push(Evidence::Figure {
        name: format!(
            "post-to-post engagement variation (robust sd of log engagement, {} posts)",
            by_time.len()
        ),
        value: variation,
        expected: Some((good, 1.5)),
    });
    if variation < good {
        for w in by_time.windows(2).take(5) {
            let (a, b) = (w[0].likes + w[0].comments, w[1].likes + w[1].comments);
            ev.push(Evidence::Post {
                post_id: w[1].id.clone(),
                reason: format!("{b} engagements after {a} on the post before"),
            });
        }
    }
    Some(ramp(variation, good, bad))
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

/// The rate earns its points only as far as the engagement looks like an
/// audience's: `fraction = ER fit × genuineness`, where genuineness is the
/// weighted mean of the post-to-post variation, likes-per-comment and
/// comment checks that have data. A pod lifts the ER into (or above) its
/// band, so an ER that fits says nothing once the engagement is shown to be
/// manufactured; averaging the two instead would let the inflated rate pay
/// for the pod.
pub(super) fn authenticity(input: &AccountInput, bands: &ErBands) -> Measured {
    let key = ComponentKey::EngagementAuthenticity;
    let mut evidence = Vec::new();
    let er = er_part(input, bands, &mut evidence);
    let recent = recent(input.posts);
    let checks = [
        ("variation", 0.45, variation_part(&recent, &mut evidence)),
        ("likes per comment", 0.2, ratio_part(&recent, &mut evidence)),
        ("comments", 0.35, comments_part(input.posts, &mut evidence)),
    ];
    let known: Vec<(&str, f64, f64)> = checks
        .iter()
        .filter_map(|(name, w, f)| f.map(|f| (*name, *w, f)))
        .collect();
    let genuine = (!known.is_empty()).then(|| {
        known.iter().map(|k| k.1 * k.2).sum::<f64>() / known.iter().map(|k| k.1).sum::<f64>()
    });
    let fit = er.map(|e| e.1).filter(|f| f.is_finite());
    let fraction = match (fit, genuine) {
        (Some(f), Some(g)) => Some(f * g),
        (f, g) => f.or(g),
    };
    let Some(fraction) = fraction else {
        evidence.push(Evidence::Note {
            text: "too few posts to judge engagement".into(),
        });
        return Measured {
            key,
            value: er.map(|e| e.0),
            fraction: None,
            evidence,
        };
    };
    let parts: Vec<String> = known
        .iter()
        .map(|(name, _, f)| format!("{name} {f:.2}"))
        .collect();
    evidence.push(Evidence::Note {
        text: format!(
            "earned {fraction:.2} = ER fit {} × genuineness {} ({})",
            fit.map_or("n/a".into(), |f| format!("{f:.2}")),
            genuine.map_or("n/a".into(), |g| format!("{g:.2}")),
            if parts.is_empty() {
                "no checks with data".to_string()
            } else {
                parts.join(", ")
            }
        ),
    });
    Measured {
        key,
        value: er.map(|e| e.0),
        fraction: Some(fraction),
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
