//! Runs every hand-written caption in `tests/fixtures/captions.json` and
//! reports all mismatches at once, so one run shows the whole picture.

use chorus_review::{compile, parse_brief, CheckId, Report, Status};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

#[derive(Deserialize)]
struct Fixtures {
    briefs: BTreeMap<String, Value>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    brief: String,
    #[serde(default)]
    brief_override: Map<String, Value>,
    caption: String,
    submitted_at: Option<DateTime<Utc>>,
    expect: BTreeMap<String, Status>,
    verdict: Option<String>,
    #[serde(default)]
    evidence: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    message_contains: BTreeMap<String, String>,
}

fn load() -> Fixtures {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/captions.json");
    let text = std::fs::read_to_string(path).expect("fixture file");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn run_case(fx: &Fixtures, case: &Case) -> Result<Report, String> {
    let mut brief = fx
        .briefs
        .get(&case.brief)
        .and_then(Value::as_object)
        .ok_or_else(|| format!("unknown brief {}", case.brief))?
        .clone();
    brief.extend(case.brief_override.clone());
    let brief = parse_brief(&Value::Object(brief).to_string()).map_err(|e| e.to_string())?;
    Ok(compile(&brief).check(&case.caption, case.submitted_at))
}

/// Every way the report differs from what the case expects.
fn mismatches(case: &Case, report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for id in CheckId::ALL {
        let got = report.get(id);
        let want = case.expect.get(id.as_str()).copied().or_else(|| {
            // brand_safety always runs; unlisted means it must pass.
            (id == CheckId::BrandSafety).then_some(Status::Pass)
        });
        match (want, got) {
            (None, Some(c)) => {
                out.push(format!("{}: unexpected check ({})", id.as_str(), c.message))
            }
            (Some(_), None) => out.push(format!("{}: check missing", id.as_str())),
            (Some(w), Some(c)) if w != c.status => out.push(format!(
                "{}: expected {}, got {} ({})",
                id.as_str(),
                w.as_str(),
                c.status.as_str(),
                c.message
            )),
            _ => {}
        }
    }
    for key in case.expect.keys() {
        if CheckId::parse(key).is_none() {
            out.push(format!("unknown check id {key} in expect"));
        }
    }
    for (key, texts) in &case.evidence {
        let got: Vec<&str> = CheckId::parse(key)
            .and_then(|id| report.get(id))
            .map(|c| c.evidence.iter().map(|s| s.text.as_str()).collect())
            .unwrap_or_default();
        if got != *texts {
            out.push(format!("{key}: evidence {got:?}, expected {texts:?}"));
        }
    }
    for (key, needle) in &case.message_contains {
        let msg = CheckId::parse(key)
            .and_then(|id| report.get(id))
            .map(|c| c.message.as_str());
        if !msg.is_some_and(|m| m.contains(needle.as_str())) {
            out.push(format!("{key}: message {msg:?} lacks {needle:?}"));
        }
    }
    if let Some(v) = &case.verdict {
        let got = report.to_json()["verdict"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if got != *v {
            out.push(format!("verdict {got}, expected {v}"));
        }
    }
    out
}

#[test]
fn every_fixture_caption_gets_its_expected_statuses() {
    let fx = load();
    assert!(
        fx.cases.len() >= 60,
        "only {} fixture cases",
        fx.cases.len()
    );
    let mut names = HashSet::new();
    let mut failures = Vec::new();
    for case in &fx.cases {
        if !names.insert(case.name.as_str()) {
            failures.push(format!("duplicate case name {:?}", case.name));
        }
        match run_case(&fx, case) {
            Ok(report) => {
                for m in mismatches(case, &report) {
                    failures.push(format!("[{}] {m}", case.name));
                }
                // Evidence spans must point at their text, counted in chars.
                for c in &report.checks {
                    for s in &c.evidence {
                        let text: String = case
                            .caption
                            .chars()
                            .skip(s.start)
                            .take(s.end - s.start)
                            .collect();
                        if text != s.text {
                            failures.push(format!(
                                "[{}] {}: span {}..{} is {text:?}, not {:?}",
                                case.name,
                                c.id.as_str(),
                                s.start,
                                s.end,
                                s.text
                            ));
                        }
                    }
                }
            }
            Err(e) => failures.push(format!("[{}] {e}", case.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixture cases mismatched:\n{}",
        failures.len(),
        fx.cases.len(),
        failures.join("\n")
    );
}

/// Prints every fixture's text report: `cargo test --test fixtures -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_all_reports() {
    let fx = load();
    for case in &fx.cases {
        let report = run_case(&fx, case).unwrap();
        println!("=== {}\n{}", case.name, report.to_text());
    }
}
