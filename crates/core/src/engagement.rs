//! Engagement rate exactly as DESIGN.md defines it.

use crate::creator::Post;

/// Number of most recent posts that enter the engagement rate.
pub const ER_WINDOW: usize = 12;
/// Fewer posts than this and the engagement rate is unknown.
pub const ER_MIN_POSTS: usize = 3;

fn recent(posts: &[Post]) -> Vec<&Post> {
    let mut v: Vec<&Post> = posts.iter().collect();
    // Newest first; ties by id so the choice is deterministic.
    v.sort_by(|a, b| {
        b.published_at
            .cmp(&a.published_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    v.truncate(ER_WINDOW);
    v
}

/// Mean over the most recent 12 posts (at least 3) of
/// (likes + comments) / followers. `None` when unknown.
pub fn engagement_rate(followers: u64, posts: &[Post]) -> Option<f64> {
    if followers == 0 {
        return None;
    }
    let r = recent(posts);
    if r.len() < ER_MIN_POSTS {
        return None;
    }
    let sum: f64 = r
        .iter()
        .map(|p| (p.likes + p.comments) as f64 / followers as f64)
        .sum();
    Some(sum / r.len() as f64)
}

/// For video platforms: mean of (likes + comments) / views over the same
/// recent posts that report views (at least 3 of them).
pub fn engagement_rate_by_views(posts: &[Post]) -> Option<f64> {
    let rates: Vec<f64> = recent(posts)
        .into_iter()
        .filter_map(|p| match p.views {
            Some(v) if v > 0 => Some((p.likes + p.comments) as f64 / v as f64),
            _ => None,
        })
        .collect();
    if rates.len() < ER_MIN_POSTS {
        return None;
    }
    Some(rates.iter().sum::<f64>() / rates.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn post(day: u32, likes: u64, comments: u64, views: Option<u64>) -> Post {
        Post {
            id: format!("p{day}"),
            caption: String::new(),
            hashtags: vec![],
            published_at: Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0).unwrap(),
            likes,
            comments,
            views,
            comment_samples: vec![],
        }
    }

    #[test]
    fn fewer_than_three_posts_is_unknown() {
        let posts = vec![post(1, 100, 10, None), post(2, 100, 10, None)];
        assert_eq!(engagement_rate(1000, &posts), None);
        assert_eq!(
            engagement_rate(
                0,
                &[
                    post(1, 1, 1, None),
                    post(2, 1, 1, None),
                    post(3, 1, 1, None)
                ]
            ),
            None
        );
    }

    #[test]
    fn only_the_twelve_most_recent_posts_count() {
        // 12 recent posts at 5% and 5 old posts at 50%.
        let mut posts: Vec<Post> = (10..22).map(|d| post(d, 45, 5, None)).collect();
        posts.extend((1..6).map(|d| post(d, 450, 50, None)));
        let er = engagement_rate(1000, &posts).unwrap();
        assert!((er - 0.05).abs() < 1e-12, "{er}");
    }

    #[test]
    fn er_is_a_mean_of_per_post_rates() {
        let posts = vec![
            post(1, 10, 0, None),
            post(2, 20, 0, None),
            post(3, 60, 0, None),
        ];
        let er = engagement_rate(100, &posts).unwrap();
        assert!((er - 0.3).abs() < 1e-12);
    }

    #[test]
    fn er_by_views_skips_posts_without_views() {
        let posts = vec![
            post(1, 10, 0, Some(100)),
            post(2, 10, 10, Some(200)),
            post(3, 30, 0, Some(100)),
            post(4, 99, 0, None),
        ];
        let er = engagement_rate_by_views(&posts).unwrap();
        assert!((er - (0.1 + 0.1 + 0.3) / 3.0).abs() < 1e-12);
    }
}
