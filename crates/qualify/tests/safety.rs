//! Brand-safety findings point to the right post, category and words.
//! Fixtures are written here; no dataset text is used.

use chorus_core::creator::Post;
use chorus_qualify::safety::{scan_posts, scan_text, Category, SafetyOptions, Severity};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn post(id: &str, days_ago: i64, caption: &str, tags: &[&str]) -> Post {
    Post {
        id: id.into(),
        caption: caption.into(),
        hashtags: tags.iter().map(|t| t.to_string()).collect(),
        published_at: now() - Duration::days(days_ago),
        likes: 10,
        comments: 1,
        views: None,
        comment_samples: vec![],
    }
}

#[test]
fn findings_name_the_post_the_category_and_the_words() {
    let posts = vec![
        post(
            "clean",
            3,
            "Sunrise on the ridge, new trail shoes",
            &["trailrunning"],
        ),
        post("beer", 10, "Cold beers after the long run", &[]),
        post("swear", 20, "This climb was f*cking brutal", &[]),
        post("followers", 30, "Want to grow?", &["BuyFollowers", "f4f"]),
    ];
    let f = scan_posts(&posts, now(), &SafetyOptions::default());
    assert!(f.iter().all(|f| f.post_id != "clean"), "{f:#?}");
    let swear = f.iter().find(|f| f.post_id == "swear").unwrap();
    assert_eq!(swear.category, Category::HateObscenity);
    assert_eq!(swear.severity, Severity::High);
    assert_eq!(swear.matched, vec!["f*cking"]);
    let beer = f.iter().find(|f| f.post_id == "beer").unwrap();
    assert_eq!(
        (beer.category, beer.severity),
        (Category::DrugsAlcoholTobacco, Severity::Low)
    );
    assert_eq!(beer.matched, vec!["beers"]);
    let spam = f.iter().find(|f| f.post_id == "followers").unwrap();
    assert_eq!(spam.category, Category::SpamMisinformation);
    assert_eq!(spam.matched, vec!["BuyFollowers", "f4f"]);
    assert_eq!(spam.severity, Severity::High);
    // Worst first.
    assert!(f.windows(2).all(|w| w[0].severity >= w[1].severity));
}

#[test]
fn only_the_window_is_scanned() {
    let posts = vec![
        post("old", 800, "weed for sale", &[]),
        post("recent", 100, "weed for sale", &[]),
    ];
    let f = scan_posts(&posts, now(), &SafetyOptions::default());
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].post_id.as_str(), f[0].severity),
        ("recent", Severity::Floor)
    );
    let wide = SafetyOptions {
        window_months: 36,
        ..SafetyOptions::default()
    };
    assert_eq!(scan_posts(&posts, now(), &wide).len(), 2);
}

#[test]
fn blocklist_and_competitors() {
    let opts = SafetyOptions {
        blocklist: vec!["diet pills".into()],
        competitors: vec!["Salomon".into(), "Hoka One".into()],
        ..SafetyOptions::default()
    };
    let posts = vec![
        post("a", 1, "Loving my new #Salomon kicks", &[]),
        post("b", 2, "Race day in Hoka One shoes", &["diet-pills"]),
        post("c", 3, "These diet pills changed my life", &[]),
    ];
    let f = scan_posts(&posts, now(), &opts);
    let cats = |id: &str| {
        let mut v: Vec<Category> = f
            .iter()
            .filter(|f| f.post_id == id)
            .map(|f| f.category)
            .collect();
        v.sort();
        v
    };
    assert_eq!(cats("a"), vec![Category::Competitor]);
    assert_eq!(cats("b"), vec![Category::Blocklist, Category::Competitor]);
    assert_eq!(cats("c"), vec![Category::Blocklist]);
    let b = f
        .iter()
        .find(|f| f.post_id == "b" && f.category == Category::Competitor)
        .unwrap();
    assert_eq!(b.matched, vec!["Hoka One"]);
}

#[test]
fn innocent_captions_raise_nothing() {
    for text in [
        "Photo shoot day! Killing it with the massage gun after leg day",
        "Class of 2026, first class assistant, classic Scunthorpe trip",
        "Nude lipstick and a naked palette, gore-tex jacket for 12 kms",
        "Shot on iPhone. Stolen my heart, this view. Died laughing",
    ] {
        assert!(scan_text(text).is_empty(), "{text}: {:?}", scan_text(text));
    }
}

#[test]
fn disguised_words_are_found() {
    for (text, cat) in [
        ("what a b1tch", Category::HateObscenity),
        ("sh!t happens", Category::HateObscenity),
        ("fuuuuck this", Category::HateObscenity),
        ("#GunsForSale today", Category::ArmsViolence),
        ("free download of the full album torrent", Category::Piracy),
        ("vote in the election", Category::Politics),
    ] {
        let hits = scan_text(text);
        assert!(hits.iter().any(|h| h.category == cat), "{text}: {hits:?}");
    }
}
