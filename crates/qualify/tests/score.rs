//! The audience-quality score on hand-made accounts: each component moves
//! the way a manager would expect and shows the evidence that moved it.

use chorus_core::creator::{Audience, AudienceSource, FollowerPoint, FollowerProfile, Post};
use chorus_qualify::score::{
    learn_er_bands, score_account, wilson_interval, AccountInput, ComponentKey, Evidence,
    QualityReport, ScoreContext,
};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// A store whose micro-tier accounts engage at 2–8%.
fn ctx() -> ScoreContext<'static> {
    let micro = (0..30).map(|i| (20_000 + i * 1000, 0.02 + 0.002 * i as f64));
    let nano = (0..30).map(|i| (2_000 + i * 100, 0.04 + 0.003 * i as f64));
    ScoreContext::new(learn_er_bands(micro.chain(nano)))
}

fn post(i: usize, likes: u64, comments: u64, samples: Vec<String>) -> Post {
    Post {
        id: format!("p{i}"),
        caption: format!("Trail day {i}"),
        hashtags: vec!["trailrunning".into()],
        published_at: Utc.from_utc_datetime(
            &(day0() + Duration::days(5 * i as i64))
                .and_hms_opt(12, 0, 0)
                .unwrap(),
        ),
        likes,
        comments,
        views: None,
        comment_samples: samples,
    }
}

fn person(i: usize) -> FollowerProfile {
    FollowerProfile {
        username: Some(format!(
            "{}.{}",
            ["maya", "tom", "lea", "sam", "ines"][i % 5],
            ["runs", "hikes", "climbs"][i % 3]
        )),
        bio: Some("Mountains and coffee".into()),
        followers: Some(200 + (i as u64 * 37) % 900),
        following: Some(150 + (i as u64 * 53) % 700),
        posts: Some(20 + (i as u64 * 11) % 300),
        has_profile_pic: Some(true),
        is_private: Some(i % 4 == 0),
        ..FollowerProfile::default()
    }
}

fn bot(i: usize) -> FollowerProfile {
    FollowerProfile {
        username: Some(format!("xk{}", 83920193 + i * 7919)),
        bio: Some(String::new()),
        followers: Some(3 + i as u64 % 10),
        following: Some(1900 + i as u64 * 13),
        posts: Some(0),
        has_profile_pic: Some(false),
        is_private: Some(false),
        ..FollowerProfile::default()
    }
}

fn steady_history(start: u64, per_day: u64, days: usize) -> Vec<FollowerPoint> {
    (0..days)
        .map(|d| FollowerPoint {
            date: day0() + Duration::days(d as i64),
            followers: start + per_day * d as u64 + (d as u64 * 7) % 5,
        })
        .collect()
}

fn specific_comments(i: usize) -> Vec<String> {
    vec![
        format!("Which trail is this, day {i}?"),
        format!("The light on that ridge in shot {i} is unreal"),
        format!("How long did stage {i} take you?"),
    ]
}

fn us_audience(us: f64) -> Audience {
    Audience {
        source: AudienceSource::Estimated,
        as_of: day0(),
        countries: [("US".to_string(), us), ("CA".to_string(), 0.1)].into(),
        ages: Default::default(),
        genders: Default::default(),
        languages: Default::default(),
    }
}

fn component(r: &QualityReport, k: ComponentKey) -> &chorus_qualify::score::Component {
    r.components.iter().find(|c| c.key == k).unwrap()
}

struct Account {
    followers: u64,
    posts: Vec<Post>,
    history: Vec<FollowerPoint>,
    sample: Vec<FollowerProfile>,
    audience: Option<Audience>,
}

impl Account {
    fn score(&self, ctx: &ScoreContext) -> QualityReport {
        let input = AccountInput {
            followers: self.followers,
            following: 500,
            posts: &self.posts,
            follower_history: &self.history,
            follower_sample: &self.sample,
            audience: self.audience.as_ref(),
        };
        score_account(&input, ctx)
    }
}

fn clean() -> Account {
    Account {
        followers: 20_000,
        posts: (0..12)
            .map(|i| post(i, 800 + i as u64 * 10, 25, specific_comments(i)))
            .collect(),
        history: steady_history(18_800, 20, 60),
        sample: (0..60).map(person).collect(),
        audience: Some(us_audience(0.6)),
    }
}

#[test]
fn clean_account_scores_high() {
    let mut c = ctx();
    c.target_countries = vec!["US".into()];
    let r = clean().score(&c);
    assert!(r.score >= 85.0, "{r:#?}");
    let max: f64 = r.components.iter().map(|c| c.max_points).sum();
    assert!((max - 100.0).abs() < 0.5);
    let sum: f64 = r.components.iter().map(|c| c.points).sum();
    assert!((sum - r.score).abs() < 0.05);
}

#[test]
fn bought_followers_score_low_with_the_spike_as_evidence() {
    let mut history = steady_history(13_000, 15, 60);
    for p in history.iter_mut().skip(40) {
        p.followers += 7_000;
    }
    let a = Account {
        followers: 20_900,
        posts: (0..12).map(|i| post(i, 70, 2, vec![])).collect(),
        history,
        sample: (0..60)
            .map(|i| if i % 2 == 0 { bot(i) } else { person(i) })
            .collect(),
        audience: None,
    };
    let r = a.score(&ctx());
    assert!(r.score < 40.0, "{r:#?}");
    let growth = component(&r, ComponentKey::GrowthAnomalies);
    let spike_day = day0() + Duration::days(40);
    assert!(growth.evidence.iter().any(|e| matches!(e,
        Evidence::Spike { date, gain, explained_by_post: None, .. } if *date == spike_day && *gain > 7_000)));
    let sus = component(&r, ComponentKey::SuspiciousFollowers);
    assert!(sus.value.unwrap() >= 0.45);
    assert!(sus.evidence.iter().any(
        |e| matches!(e, Evidence::Interval { n: 60, low, high, .. } if *low < 0.5 && *high > 0.5)
    ));
    assert!(sus
        .evidence
        .iter()
        .any(|e| matches!(e, Evidence::Follower { username: Some(u), .. } if u.starts_with("xk"))));
    let eng = component(&r, ComponentKey::EngagementAuthenticity);
    assert!(eng.points < eng.max_points * 0.5, "{eng:#?}");
}

#[test]
fn a_viral_post_explains_its_spike() {
    let mut a = clean();
    for p in a.history.iter_mut().skip(30) {
        p.followers += 3_000;
    }
    // Post p6 is published on day 30, the day of the jump, and took off.
    a.posts[6].likes = 30_000;
    let r = a.score(&ctx());
    let growth = component(&r, ComponentKey::GrowthAnomalies);
    assert!(
        growth.evidence.iter().any(|e| matches!(e,
        Evidence::Spike { explained_by_post: Some(p), .. } if p == "p6")),
        "{growth:#?}"
    );
    assert_eq!(growth.points, growth.max_points);
}

#[test]
fn pod_comments_are_flagged() {
    let mut a = clean();
    let pod = ["🔥🔥", "nice pic", "Great post!", "love it", "Amazing!!"];
    for (i, p) in a.posts.iter_mut().enumerate() {
        p.comment_samples = pod.iter().map(|s| s.to_string()).collect();
        p.comment_samples
            .push(format!("Which trail is this, day {i}?"));
    }
    let clean_r = clean().score(&ctx());
    let r = a.score(&ctx());
    let eng = component(&r, ComponentKey::EngagementAuthenticity);
    assert!(eng.points < component(&clean_r, ComponentKey::EngagementAuthenticity).points);
    let fire = eng.evidence.iter().find_map(|e| match e {
        Evidence::Comment {
            text,
            count,
            post_ids,
        } if text == "🔥🔥" => Some((*count, post_ids.len())),
        _ => None,
    });
    assert_eq!(fire, Some((12, 12)), "{eng:#?}");
}

#[test]
fn geography_follows_the_target() {
    let mut c = ctx();
    c.target_countries = vec!["DE".into()];
    let r = clean().score(&c);
    let geo = component(&r, ComponentKey::GeographyMatch);
    assert_eq!(geo.value, Some(0.0));
    assert_eq!(geo.points, 0.0);
    c.target_countries = vec!["us".into(), "CA".into()];
    let geo = clean().score(&c);
    let geo = component(&geo, ComponentKey::GeographyMatch);
    assert!((geo.value.unwrap() - 0.7).abs() < 1e-9 && geo.points == geo.max_points);
}

#[test]
fn missing_data_is_not_applicable_and_the_rest_spans_100() {
    let a = Account {
        followers: 20_000,
        posts: vec![],
        history: vec![],
        sample: vec![],
        audience: None,
    };
    let r = a.score(&ctx());
    assert!(r
        .components
        .iter()
        .all(|c| !c.applicable && c.max_points == 0.0));
    assert_eq!(r.score, 0.0);
    let mut b = clean();
    b.sample.clear();
    let r = b.score(&ctx());
    let max: f64 = r.components.iter().map(|c| c.max_points).sum();
    assert!((max - 100.0).abs() < 0.5);
    assert!(!component(&r, ComponentKey::SuspiciousFollowers).applicable);
}

#[test]
fn wilson_interval_narrows_with_sample_size() {
    let (l1, h1) = wilson_interval(5, 10);
    let (l2, h2) = wilson_interval(500, 1000);
    assert!(l1 < l2 && h1 > h2 && l2 < 0.5 && h2 > 0.5);
    assert_eq!(wilson_interval(0, 0), (0.0, 1.0));
    let (l, h) = wilson_interval(0, 50);
    assert_eq!(l, 0.0);
    assert!(h > 0.0 && h < 0.1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn score_is_the_sum_of_bounded_points(
        followers in 0u64..3_000_000,
        likes in proptest::collection::vec((0u64..100_000, 0u64..5_000), 0..15),
        growth in proptest::collection::vec(0u64..50_000, 0..30),
        bots in 0usize..20,
        people in 0usize..20,
    ) {
        let posts: Vec<Post> = likes.iter().enumerate().map(|(i, (l, c))| post(i, *l, *c, vec![])).collect();
        let mut total = 0;
        let history: Vec<FollowerPoint> = growth.iter().enumerate().map(|(d, g)| {
            total += g;
            FollowerPoint { date: day0() + Duration::days(d as i64), followers: total }
        }).collect();
        let sample: Vec<FollowerProfile> = (0..bots).map(bot).chain((0..people).map(person)).collect();
        let a = Account { followers, posts, history, sample, audience: Some(us_audience(0.3)) };
        let mut c = ctx();
        c.target_countries = vec!["US".into()];
        let r = a.score(&c);
        prop_assert!((0.0..=100.0).contains(&r.score));
        for comp in &r.components {
            prop_assert!(comp.points >= 0.0 && comp.points <= comp.max_points + 1e-9);
        }
        let sum: f64 = r.components.iter().map(|c| c.points).sum();
        prop_assert!((sum - r.score).abs() < 0.05 + 1e-9);
    }
}
