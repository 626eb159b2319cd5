//! The result of checking one caption: per-check status, evidence spans and
//! an actionable message, as JSON for the API and as text for terminals.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Outcome of one check, ordered by severity so `max` gives the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Worth a reviewer's look; does not fail the verdict.
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }

    fn mark(self) -> char {
        match self {
            Status::Pass => '✓',
            Status::Warn => '!',
            Status::Fail => '✗',
        }
    }
}

/// Overall result: `Fail` when any check fails; warnings do not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// The checks, in the order reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    Disclosure,
    Hashtags,
    Mentions,
    LinkOrCode,
    TalkingPoints,
    Prohibited,
    Competitors,
    BrandSafety,
    Deadline,
}

impl CheckId {
    pub const ALL: [CheckId; 9] = [
        CheckId::Disclosure,
        CheckId::Hashtags,
        CheckId::Mentions,
        CheckId::LinkOrCode,
        CheckId::TalkingPoints,
        CheckId::Prohibited,
        CheckId::Competitors,
        CheckId::BrandSafety,
        CheckId::Deadline,
    ];

    /// The stable id used in JSON and the API (`"link_or_code"`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Disclosure => "disclosure",
            CheckId::Hashtags => "hashtags",
            CheckId::Mentions => "mentions",
            CheckId::LinkOrCode => "link_or_code",
            CheckId::TalkingPoints => "talking_points",
            CheckId::Prohibited => "prohibited",
            CheckId::Competitors => "competitors",
            CheckId::BrandSafety => "brand_safety",
            CheckId::Deadline => "deadline",
        }
    }

    pub fn parse(id: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == id)
    }

    /// Whether this check's evidence shows what is wrong (a banned word)
    /// rather than what was found (a required hashtag), so the text view
    /// highlights only problems as problems.
    fn evidence_is_problem(self, status: Status) -> bool {
        match self {
            CheckId::Hashtags | CheckId::Mentions | CheckId::TalkingPoints => false,
            CheckId::Prohibited | CheckId::Competitors | CheckId::BrandSafety => true,
            _ => status != Status::Pass,
        }
    }
}

/// A stretch of the caption. Offsets count Unicode scalar values (chars,
/// not bytes), `start` inclusive and `end` exclusive, from 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    pub evidence: Vec<Span>,
    /// What a creator or reviewer should do, in one sentence or two.
    pub message: String,
}

/// All checks run for one caption. Serializes to the API's JSON shape
/// (`{"verdict", "checks"}`); the caption is kept for [`Report::to_text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub verdict: Verdict,
    pub checks: Vec<Check>,
    #[serde(skip)]
    pub caption: String,
}

/// How [`Report::render_text`] marks evidence in the caption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Highlight {
    /// `[found]` and `>>problem<<`: survives copy-paste and logs.
    Brackets,
    /// Green for found, red for problems (terminals).
    Ansi,
}

impl Report {
    pub(crate) fn new(caption: &str, mut checks: Vec<Check>) -> Report {
        checks.sort_by_key(|c| c.id);
        let failed = checks.iter().any(|c| c.status == Status::Fail);
        Report {
            verdict: if failed { Verdict::Fail } else { Verdict::Pass },
            checks,
            caption: caption.to_string(),
        }
    }

    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// The result of one check, if it ran.
    pub fn get(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// `{"verdict": "pass"|"fail", "checks": [{"id", "status", "evidence", "message"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report always serializes")
    }

    /// Plain-text rendering with bracket highlights.
    pub fn to_text(&self) -> String {
        self.render_text(Highlight::Brackets)
    }

    /// One line per check with a ✓ / ✗ / ! mark, then the caption with the
    /// evidence highlighted.
    pub fn render_text(&self, style: Highlight) -> String {
        let mut out = String::new();
        let failed = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count();
        let warned = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Warn)
            .count();
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        let _ = writeln!(
            out,
            "{verdict}: {} checks, {failed} failed, {warned} warnings",
            self.checks.len()
        );
        for c in &self.checks {
            let _ = writeln!(
                out,
                "{} {:<15} {}",
                c.status.mark(),
                c.id.as_str(),
                c.message
            );
        }
        out.push_str("\ncaption:\n");
        out.push_str(&self.highlighted(style));
        out.push('\n');
        out
    }

    /// The caption with every evidence span marked; a span that is a problem
    /// for any check wins over one that was merely found.
    fn highlighted(&self, style: Highlight) -> String {
        let chars: Vec<char> = self.caption.chars().collect();
        let mut marks = vec![0u8; chars.len()]; // 0 none, 1 found, 2 problem
        for c in &self.checks {
            let level = if c.id.evidence_is_problem(c.status) {
                2
            } else {
                1
            };
            for s in &c.evidence {
                for m in marks.iter_mut().take(s.end.min(chars.len())).skip(s.start) {
                    *m = (*m).max(level);
                }
            }
        }
        let (open, close) = match style {
            Highlight::Brackets => (["", "[", ">>"], ["", "]", "<<"]),
            Highlight::Ansi => (["", "\x1b[32m", "\x1b[1;31m"], ["", "\x1b[0m", "\x1b[0m"]),
        };
        let mut out = String::with_capacity(self.caption.len() + 16);
        let mut current = 0u8;
        for (ch, &m) in chars.iter().zip(&marks) {
            if m != current {
                out.push_str(close[current as usize]);
                out.push_str(open[m as usize]);
                current = m;
            }
            out.push(*ch);
        }
        out.push_str(close[current as usize]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report::new(
            "#ad this cures all",
            vec![
                Check {
                    id: CheckId::Prohibited,
                    status: Status::Fail,
                    evidence: vec![Span {
                        start: 9,
                        end: 14,
                        text: "cures".into(),
                    }],
                    message: "remove \"cure\"".into(),
                },
                Check {
                    id: CheckId::Disclosure,
                    status: Status::Pass,
                    evidence: vec![Span {
                        start: 0,
                        end: 3,
                        text: "#ad".into(),
                    }],
                    message: "ok".into(),
                },
            ],
        )
    }

    #[test]
    fn json_shape_and_order() {
        let json = report().to_json();
        assert_eq!(json["verdict"], "fail");
        assert_eq!(json["checks"][0]["id"], "disclosure");
        assert_eq!(json["checks"][1]["evidence"][0]["text"], "cures");
        assert!(json.get("caption").is_none());
    }

    #[test]
    fn text_marks_and_highlights() {
        let text = report().to_text();
        assert!(text.starts_with("FAIL"));
        assert!(text.contains("✓ disclosure"));
        assert!(text.contains("✗ prohibited"));
        assert!(text.contains("[#ad] this >>cures<< all"), "{text}");
        let ansi = report().render_text(Highlight::Ansi);
        assert!(ansi.contains("\x1b[1;31mcures\x1b[0m"));
    }
}
