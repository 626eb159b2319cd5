//! The manager's qualification rule for a campaign: which stored reports
//! qualify a shortlisted creator and which reject them, with the reason in
//! words for the stage log. Pure; the server applies it to members.

use serde::{Deserialize, Serialize};

/// "Score at least `min_score`, no floor-level finding, and (optionally) no
/// high-severity finding."
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QualifyRule {
    /// 0–100: the audience-quality score a creator needs.
    pub min_score: f64,
    /// Reject any creator with a GARM brand-safety floor finding.
    pub reject_floor: bool,
    /// Also reject any creator with a high-severity (or floor) finding.
    pub reject_high: bool,
}

impl Default for QualifyRule {
    /// The example: score ≥ 70 and no floor-level finding.
    fn default() -> Self {
        QualifyRule {
            min_score: 70.0,
            reject_floor: true,
            reject_high: false,
        }
    }
}

/// What a stored report says, as far as the rule reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportFacts {
    pub score: f64,
    pub floor_severity: bool,
    pub high_severity: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub qualified: bool,
    /// Every reason the rule gave, e.g. "score 64.2 < 70".
    pub reason: String,
}

impl QualifyRule {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=100.0).contains(&self.min_score) {
            return Err("min_score: give a score from 0 to 100".into());
        }
        Ok(())
    }

    /// The rule's words, for the page and the log.
    pub fn describe(&self) -> String {
        let mut s = format!("score ≥ {}", trim(self.min_score));
        if self.reject_high {
            s.push_str(", no high-severity or floor-level finding");
        } else if self.reject_floor {
            s.push_str(", no floor-level finding");
        }
        s
    }

    pub fn judge(&self, r: &ReportFacts) -> Verdict {
        let mut fails = Vec::new();
        if r.score < self.min_score {
            fails.push(format!(
                "score {} < {}",
                trim(r.score),
                trim(self.min_score)
            ));
        }
        if (self.reject_floor || self.reject_high) && r.floor_severity {
            fails.push("floor-level brand-safety finding".to_string());
        } else if self.reject_high && r.high_severity {
            fails.push("high-severity brand-safety finding".to_string());
        }
        if fails.is_empty() {
            Verdict {
                qualified: true,
                reason: format!("rule met ({}): score {}", self.describe(), trim(r.score)),
            }
        } else {
            Verdict {
                qualified: false,
                reason: format!("rule not met ({}): {}", self.describe(), fails.join("; ")),
            }
        }
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(score: f64, floor: bool, high: bool) -> ReportFacts {
        ReportFacts {
            score,
            floor_severity: floor,
            high_severity: high,
        }
    }

    #[test]
    fn the_default_rule_is_score_70_and_no_floor_finding() {
        let r = QualifyRule::default();
        assert!(r.judge(&facts(70.0, false, true)).qualified);
        let low = r.judge(&facts(69.9, false, false));
        assert!(!low.qualified);
        assert!(low.reason.contains("score 69.9 < 70"), "{}", low.reason);
        let floor = r.judge(&facts(95.0, true, true));
        assert!(!floor.qualified && floor.reason.contains("floor-level"));
    }

    #[test]
    fn high_severity_rejects_only_when_asked() {
        let strict = QualifyRule {
            reject_high: true,
            ..QualifyRule::default()
        };
        let v = strict.judge(&facts(90.0, false, true));
        assert!(!v.qualified && v.reason.contains("high-severity"), "{v:?}");
        assert!(strict.describe().contains("no high-severity"));
        let lax = QualifyRule {
            min_score: 50.0,
            reject_floor: false,
            reject_high: false,
        };
        assert!(lax.judge(&facts(50.0, true, true)).qualified);
        assert!(QualifyRule {
            min_score: 101.0,
            ..lax
        }
        .validate()
        .is_err());
    }
}
