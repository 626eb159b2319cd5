//! Live-post verification: the caption that went live, checked against the
//! version the reviewer approved. A creator may edit a post after approval;
//! what matters is that the disclosure is still there, the link or code is
//! still exactly right, and the text is still, in substance, what was
//! approved.

use crate::brief::{Brief, Disclosure};
use crate::diff::{similarity_percent, word_diff, DiffOp};
use crate::report::{CheckId, Status};
use serde::{Deserialize, Serialize};

/// The share of words the live caption must keep from the approved one.
pub const MIN_SIMILARITY_PERCENT: u32 = 80;

/// One verification step: `disclosure`, `link_or_code` or `unchanged`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveCheck {
    pub id: String,
    pub passed: bool,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveReport {
    pub passed: bool,
    /// Word similarity of the live caption to the approved one, 0–100.
    pub similarity_percent: u32,
    pub checks: Vec<LiveCheck>,
}

fn first_words(ops: &[DiffOp], insert: bool) -> String {
    let words: Vec<&str> = ops
        .iter()
        .filter_map(|op| match (op, insert) {
            (DiffOp::Insert(t), true) | (DiffOp::Delete(t), false) => Some(t.as_str()),
            _ => None,
        })
        .flat_map(str::split_whitespace)
        .take(8)
        .collect();
    words.join(" ")
}

/// Checks `live` against `approved` under `brief`; `min_similarity` is a
/// percent (use [`MIN_SIMILARITY_PERCENT`] unless the brand chose another).
pub fn verify_live(brief: &Brief, approved: &str, live: &str, min_similarity: u32) -> LiveReport {
    let report = crate::compile(brief).check(live, None);
    let mut checks = Vec::new();
    let mut engine_step = |id: CheckId, wanted: bool, ok_text: &str| {
        if !wanted {
            return;
        }
        let c = report.get(id);
        let passed = c.is_none_or(|c| c.status != Status::Fail);
        checks.push(LiveCheck {
            id: id.as_str().to_string(),
            passed,
            message: match c {
                Some(c) if !passed => c.message.clone(),
                _ => ok_text.to_string(),
            },
        });
    };
    engine_step(
        CheckId::Disclosure,
        brief.disclosure == Disclosure::Required,
        "the disclosure is still in place",
    );
    engine_step(
        CheckId::LinkOrCode,
        brief.promo_code.is_some() || brief.tracking_link.is_some(),
        "the link or code is intact",
    );
    let similarity = similarity_percent(approved, live);
    let passed = similarity >= min_similarity;
    let message = if passed {
        format!("{similarity}% of the words match the approved version")
    } else {
        let ops = word_diff(approved, live);
        let mut m = format!(
            "only {similarity}% of the words match the approved version (at least {min_similarity}% needed)"
        );
        let (removed, added) = (first_words(&ops, false), first_words(&ops, true));
        if !removed.is_empty() {
            m.push_str(&format!("; removed: “{removed}”"));
        }
        if !added.is_empty() {
            m.push_str(&format!("; added: “{added}”"));
        }
        m
    };
    checks.push(LiveCheck {
        id: "unchanged".into(),
        passed,
        message,
    });
    LiveReport {
        passed: checks.iter().all(|c| c.passed),
        similarity_percent: similarity,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief() -> Brief {
        crate::parse_brief(r##"{"promo_code": "MAYA15", "required_hashtags": ["#trail"]}"##)
            .unwrap()
    }

    const APPROVED: &str =
        "#ad Wet rock, no slips: these shoes grip. Code MAYA15 for 15% off #trail";

    #[test]
    fn an_unchanged_post_passes() {
        let r = verify_live(&brief(), APPROVED, APPROVED, MIN_SIMILARITY_PERCENT);
        assert!(r.passed, "{r:?}");
        assert_eq!(r.similarity_percent, 100);
        let ids: Vec<&str> = r.checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["disclosure", "link_or_code", "unchanged"]);
    }

    #[test]
    fn a_small_edit_still_passes() {
        let live =
            "#ad Wet rock, no slips: these shoes really grip. Code MAYA15 for 15% off #trail";
        assert!(verify_live(&brief(), APPROVED, live, MIN_SIMILARITY_PERCENT).passed);
    }

    #[test]
    fn a_dropped_disclosure_or_code_fails_and_says_why() {
        let live = "Wet rock, no slips: these shoes grip. Code MAYA15 for 15% off #trail";
        let r = verify_live(&brief(), APPROVED, live, MIN_SIMILARITY_PERCENT);
        assert!(!r.passed);
        assert!(
            !r.checks[0].passed && r.checks[1].passed && r.checks[2].passed,
            "{r:?}"
        );
        let live = "#ad Wet rock, no slips: these shoes grip. Code MAYA20 for 15% off #trail";
        let r = verify_live(&brief(), APPROVED, live, MIN_SIMILARITY_PERCENT);
        assert!(!r.checks[1].passed, "{r:?}");
    }

    #[test]
    fn a_rewritten_post_fails_with_the_changed_words() {
        let live = "#ad Honestly these hurt my feet on every run. Code MAYA15 #trail";
        let r = verify_live(&brief(), APPROVED, live, MIN_SIMILARITY_PERCENT);
        let c = &r.checks[2];
        assert!(!r.passed && !c.passed);
        assert!(
            c.message.contains("removed:") && c.message.contains("hurt"),
            "{}",
            c.message
        );
    }

    #[test]
    fn no_disclosure_rule_means_no_disclosure_step() {
        let b = crate::parse_brief(r#"{"disclosure": "none"}"#).unwrap();
        let r = verify_live(&b, "plain words here", "plain words here", 80);
        assert_eq!(r.checks.len(), 1);
        assert!(r.passed);
    }
}
