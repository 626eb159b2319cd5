//! The embedded follower model loads, and labels follow the rule order.

use chorus_core::creator::FollowerProfile;
use chorus_qualify::{classify, embedded_model, Label, Model};

fn profile(user: &str, followers: u64, following: u64, posts: u64, pic: bool) -> FollowerProfile {
    FollowerProfile {
        username: Some(user.into()),
        followers: Some(followers),
        following: Some(following),
        posts: Some(posts),
        has_profile_pic: Some(pic),
        is_private: Some(false),
        bio: Some(String::new()),
        ..FollowerProfile::default()
    }
}

#[test]
fn bot_like_profile_is_suspicious() {
    let p = profile("xk83920193", 5, 2000, 0, false);
    let c = classify(embedded_model(), &p);
    assert_eq!(c.label, Label::Suspicious, "p = {}", c.p_suspicious);
    assert!(c.p_suspicious >= 0.5);
}

#[test]
fn ordinary_person_is_real() {
    let mut p = profile("maya.runs", 420, 380, 150, true);
    p.bio = Some("Trail runner, coffee, Dolomites".into());
    let c = classify(embedded_model(), &p);
    assert_eq!(c.label, Label::Real, "p = {}", c.p_suspicious);
}

#[test]
fn reach_rules_apply_after_the_model() {
    let mut big = profile("trail.maya", 25_000, 600, 900, true);
    big.bio = Some("Mountain photographer. Prints in the shop below".into());
    big.has_external_url = Some(true);
    let c = classify(embedded_model(), &big);
    assert_eq!(c.label, Label::Influencer, "p = {}", c.p_suspicious);

    let mut busy = profile("tom.walks", 900, 4_000, 300, true);
    busy.bio = Some("Walking the Alps one hut at a time".into());
    let c = classify(embedded_model(), &busy);
    assert!(
        matches!(c.label, Label::MassFollower | Label::Suspicious),
        "{c:?}"
    );
}

#[test]
fn missing_fields_still_classify() {
    let c = classify(embedded_model(), &FollowerProfile::default());
    assert!((0.0..=1.0).contains(&c.p_suspicious));
    assert_ne!(c.label, Label::Influencer);
}

#[test]
fn labels_serialize_as_snake_case() {
    let c = classify(embedded_model(), &profile("xk83920193", 5, 2000, 0, false));
    let v = serde_json::to_value(c).unwrap();
    assert_eq!(v["label"], "suspicious");
    assert_eq!(
        serde_json::to_value(Label::MassFollower).unwrap(),
        "mass_follower"
    );
}

#[test]
fn model_round_trips_through_json() {
    let m = embedded_model();
    let back = Model::from_json_str(&m.to_json_string()).unwrap();
    let p = profile("xk83920193", 5, 2000, 0, false);
    assert_eq!(classify(&back, &p), classify(m, &p));
    assert!(Model::from_json_str("{}").is_err());
}

#[test]
fn batch_classification_equals_profile_by_profile() {
    let mut profiles: Vec<FollowerProfile> = (0..300u64)
        .map(|i| {
            profile(
                &format!("user{}", i * 7919 % 100_000),
                i * 37 % 20_000,
                (i * 53) % 7_000,
                i % 40,
                i % 3 != 0,
            )
        })
        .collect();
    profiles.push(FollowerProfile::default());
    let model = embedded_model();
    let batch = chorus_qualify::classify_batch(model, &profiles);
    assert_eq!(batch.len(), profiles.len());
    for (p, b) in profiles.iter().zip(&batch) {
        assert_eq!(*b, classify(model, p));
    }
    assert!(chorus_qualify::classify_batch(model, &[]).is_empty());
}
