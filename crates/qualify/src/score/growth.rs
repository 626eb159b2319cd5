//! Growth anomalies: day-over-day follower jumps far above the account's
//! typical growth that no viral post explains. Bought followers arrive in
//! such jumps; organic spikes follow a post that took off.

use super::{quantile, ramp, AccountInput, ComponentKey, Evidence, Measured};
use chorus_core::creator::{FollowerPoint, Post};
use chrono::NaiveDate;

/// Fewer history points than this and "typical growth" is not knowable.
const MIN_POINTS: usize = 8;
/// A jump must exceed the median daily gain by this many robust deviations…
const SPIKE_MADS: f64 = 6.0;
/// …be this many times the median daily gain…
const SPIKE_TIMES_TYPICAL: f64 = 3.0;
/// …and add at least this share of the followers it started from.
const SPIKE_MIN_SHARE: f64 = 0.005;
/// A post published between the two measurements of a jump, or up to this
/// many days around them, may explain it (with monthly points the jump shows
/// up to a month after the post)…
const VIRAL_WINDOW_DAYS: i64 = 3;
/// …if its engagement is at least this multiple of the median post's.
const VIRAL_TIMES_MEDIAN: f64 = 3.0;

struct Step {
    /// The measurement before this one.
    prev: NaiveDate,
    date: NaiveDate,
    gain: i64,
    daily: f64,
    from: u64,
}

fn steps(history: &[FollowerPoint]) -> Vec<Step> {
    let mut h = history.to_vec();
    h.sort_by_key(|p| p.date);
    h.dedup_by_key(|p| p.date);
    h.windows(2)
        .map(|w| {
            let days = (w[1].date - w[0].date).num_days().max(1);
            let gain = w[1].followers as i64 - w[0].followers as i64;
            Step {
                prev: w[0].date,
                date: w[1].date,
                gain,
                daily: gain as f64 / days as f64,
                from: w[0].followers,
            }
        })
        .collect()
}

/// Median daily gain and its scaled median absolute deviation.
fn typical(steps: &[Step]) -> (f64, f64) {
    let mut d: Vec<f64> = steps.iter().map(|s| s.daily).collect();
    d.sort_by(f64::total_cmp);
    let med = quantile(&d, 0.5);
    let mut dev: Vec<f64> = d.iter().map(|x| (x - med).abs()).collect();
    dev.sort_by(f64::total_cmp);
    (med, 1.4826 * quantile(&dev, 0.5))
}

fn viral_post(posts: &[Post], prev: NaiveDate, date: NaiveDate) -> Option<String> {
    let eng = |p: &Post| (p.likes + p.comments) as f64;
    let mut all: Vec<f64> = posts.iter().map(eng).collect();
    if all.len() < 3 {
        return None;
    }
    all.sort_by(f64::total_cmp);
    let median = quantile(&all, 0.5);
    posts
        .iter()
        .filter(|p| {
            let d = p.published_at.date_naive();
            (d - prev).num_days() >= -VIRAL_WINDOW_DAYS
                && (d - date).num_days() <= VIRAL_WINDOW_DAYS
        })
        .filter(|p| eng(p) >= VIRAL_TIMES_MEDIAN * median.max(1.0))
        .max_by(|a, b| eng(a).total_cmp(&eng(b)).then_with(|| b.id.cmp(&a.id)))
        .map(|p| p.id.clone())
}

pub(super) fn anomalies(input: &AccountInput) -> Measured {
    let key = ComponentKey::GrowthAnomalies;
    if input.follower_history.len() < MIN_POINTS {
        return Measured::not_applicable(key, "follower history too short (fewer than 8 points)");
    }
    let steps = steps(input.follower_history);
    let (med, mad) = typical(&steps);
    let mut evidence = vec![Evidence::Figure {
        name: "typical daily follower gain (median)".into(),
        value: med,
        expected: None,
    }];
    let mut unexplained = 0i64;
    let mut any_unexplained = false;
    for s in &steps {
        let is_spike = s.daily > med + SPIKE_MADS * mad
            && s.daily > SPIKE_TIMES_TYPICAL * med.max(1.0)
            && s.gain as f64 > SPIKE_MIN_SHARE * s.from.max(1) as f64;
        if !is_spike {
            continue;
        }
        let explained_by_post = viral_post(input.posts, s.prev, s.date);
        if explained_by_post.is_none() {
            unexplained += s.gain;
            any_unexplained = true;
        }
        evidence.push(Evidence::Spike {
            date: s.date,
            gain: s.gain,
            typical_daily_gain: med,
            explained_by_post,
        });
    }
    let share = unexplained as f64 / input.followers.max(1) as f64;
    let cap = if any_unexplained { 0.5 } else { 1.0 };
    Measured {
        key,
        value: Some(share),
        fraction: Some(ramp(share, 0.0, 0.2).min(cap)),
        evidence,
    }
}
