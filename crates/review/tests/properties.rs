//! Invariants that hold for any caption, checked on generated ones.

use chorus_review::{check_at, compile, parse_brief, Brief, CheckId, Status, Verdict};
use proptest::prelude::*;

fn full_brief() -> Brief {
    parse_brief(
        r##"{
        "required_hashtags": ["#trailrunning", "#TrailCoAlpine"],
        "required_mentions": "@trailco",
        "promo_code": "MAYA15",
        "tracking_link": "https://go.trailco.com/maya15?ref=maya",
        "key_message": "grip you can trust on wet rock",
        "talking_points": ["waterproof membrane keeps feet dry"],
        "prohibited": ["cure", "clinically proven"],
        "allowed_claims": ["clinically proven to dry fast"],
        "competitors": ["Salomon", "La Sportiva"],
        "due": "2024-06-14T17:00:00Z"
    }"##,
    )
    .unwrap()
}

/// Text that exercises the tokenizer: letters with accents, emoji,
/// combining marks, sigils, URL punctuation and line breaks.
fn caption() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9]{1,8}",
            Just("#".to_string()),
            Just("@".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just(".".to_string()),
            Just("/".to_string()),
            Just("?x=1&ref=maya".to_string()),
            Just("#ad".to_string()),
            Just("go.trailco.com/maya15".to_string()),
            Just("é".to_string()),
            Just("e\u{301}".to_string()),
            Just("\u{301}".to_string()),
            Just("🏃‍♀️".to_string()),
            Just("MAYA15".to_string()),
            Just("Clinically-proven".to_string()),
            "\\PC{1,3}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn reports_are_consistent_for_any_caption(text in caption()) {
        let brief = full_brief();
        let report = compile(&brief).check(&text, None);
        let chars: Vec<char> = text.chars().collect();
        let ids: Vec<CheckId> = report.checks.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        prop_assert_eq!(&ids, &sorted, "checks in canonical order, once each");
        let any_fail = report.checks.iter().any(|c| c.status == Status::Fail);
        prop_assert_eq!(report.verdict == Verdict::Fail, any_fail);
        for c in &report.checks {
            if c.id == CheckId::BrandSafety {
                prop_assert_ne!(c.status, Status::Fail);
            }
            prop_assert!(!c.message.is_empty());
            for s in &c.evidence {
                prop_assert!(s.start <= s.end && s.end <= chars.len());
                let got: String = chars[s.start..s.end].iter().collect();
                prop_assert_eq!(&got, &s.text);
            }
        }
        prop_assert!(report.to_text().contains("caption:"));
    }

    #[test]
    fn required_hashtag_matches_in_any_case(tag in "[a-z]{3,12}", flips in prop::collection::vec(any::<bool>(), 12)) {
        let written: String = tag
            .chars()
            .zip(flips.iter().cycle())
            .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
            .collect();
        let brief = Brief { required_hashtags: vec![tag.clone()], ..Brief::default() };
        let report = check_at(&brief, &format!("#ad trail day #{written}!"), None);
        prop_assert_eq!(report.get(CheckId::Hashtags).unwrap().status, Status::Pass);
        let longer = check_at(&brief, &format!("#ad #{written}x"), None);
        prop_assert_eq!(longer.get(CheckId::Hashtags).unwrap().status, Status::Fail);
    }

    #[test]
    fn code_must_be_a_whole_token(code in "[A-Z]{3,6}[0-9]{1,3}", extra in "[a-z0-9]") {
        let brief = Brief { promo_code: Some(code.clone()), ..Brief::default() };
        let ok = check_at(&brief, &format!("#ad use {} now", code.to_lowercase()), None);
        prop_assert_eq!(ok.get(CheckId::LinkOrCode).unwrap().status, Status::Pass);
        let glued = check_at(&brief, &format!("#ad use {code}{extra} now"), None);
        prop_assert_eq!(glued.get(CheckId::LinkOrCode).unwrap().status, Status::Fail);
    }

    #[test]
    fn leading_disclosure_passes_before_plain_words(words in "[a-z ]{0,300}") {
        let report = check_at(&Brief::default(), &format!("#ad {words}"), None);
        prop_assert_eq!(report.get(CheckId::Disclosure).unwrap().status, Status::Pass);
    }

    #[test]
    fn parse_brief_never_panics(json in "\\PC{0,200}") {
        let _ = parse_brief(&json);
    }
}

#[test]
fn omitted_checks_follow_the_brief() {
    let none = parse_brief(r#"{"disclosure": "none"}"#).unwrap();
    let ids: Vec<&str> = check_at(&none, "hello", None)
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["brand_safety"]);
    let all: Vec<&str> = compile(&full_brief())
        .check("x", None)
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        all,
        [
            "disclosure",
            "hashtags",
            "mentions",
            "link_or_code",
            "talking_points",
            "prohibited",
            "competitors",
            "brand_safety",
            "deadline"
        ]
    );
}

#[test]
fn json_report_matches_the_cli_contract() {
    let report = check_at(
        &full_brief(),
        "#ad Grip on wet rock I trust. Waterproof membrane, feet dry. @trailco MAYA15 \
         go.trailco.com/maya15?ref=maya #trailrunning #TrailCoAlpine",
        "2024-06-01T00:00:00Z".parse().ok(),
    );
    let json = report.to_json();
    assert_eq!(json["verdict"], "pass", "{}", report.to_text());
    let first = &json["checks"][0];
    assert_eq!(first["id"], "disclosure");
    assert_eq!(first["status"], "pass");
    assert_eq!(
        first["evidence"][0],
        serde_json::json!({"start": 0, "end": 3, "text": "#ad"})
    );
    assert!(first["message"].as_str().unwrap().contains("character 1"));
}
