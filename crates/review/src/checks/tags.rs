//! Required hashtags and @mentions.
//!
//! Compared after folding case and accents and removing `_ - .`, so
//! `#TrailRunning`, `#trail_running` and `#Trail-Running` all satisfy
//! `trailrunning`, and `@trail.co` satisfies `@trailco`. The whole tag must
//! match: `#running` does not satisfy `#run`. The brief may write the tag
//! with or without its sigil.

use super::{plural, span};
use crate::report::{Check, CheckId, Status};
use crate::text::{compact, fold, Caption, Kind};

/// A tag the brief requires.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    /// As shown in messages, with its sigil: `#trailrunning`.
    pub shown: String,
    /// Compacted folded body: `trailrunning`.
    pub key: String,
}

impl Wanted {
    pub fn new(raw: &str, sigil: char) -> Option<Wanted> {
        let body = raw.trim().trim_start_matches(['#', '@', '＃', '＠']).trim();
        let key = compact(&fold(body));
        (!key.is_empty()).then(|| Wanted {
            shown: format!("{sigil}{body}"),
            key,
        })
    }
}

/// Compares a token's folded body with a compacted key without allocating.
pub(crate) fn compact_eq(folded: &str, key: &str) -> bool {
    let mut body = folded.chars().filter(|c| !matches!(c, '_' | '-' | '.'));
    let mut key = key.chars();
    loop {
        match (body.next(), key.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

pub(crate) fn check(cap: &Caption, wanted: &[Wanted], kind: Kind) -> Check {
    let (id, noun) = match kind {
        Kind::Mention => (CheckId::Mentions, "mention"),
        _ => (CheckId::Hashtags, "hashtag"),
    };
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for w in wanted {
        let before = evidence.len();
        for t in cap.tokens.iter().filter(|t| t.kind == kind) {
            if compact_eq(&t.folded, &w.key) {
                evidence.push(span(cap, t.start, t.end));
            }
        }
        if evidence.len() == before {
            missing.push(w.shown.as_str());
        }
    }
    evidence.sort_by_key(|s| s.start);
    let (status, message) = if missing.is_empty() {
        let all = if wanted.len() == 1 { "" } else { "all " };
        (
            Status::Pass,
            format!(
                "{all}{} present",
                plural(wanted.len(), &format!("required {noun}"))
            ),
        )
    } else {
        let (what, them) = if missing.len() == 1 {
            (format!("required {noun}"), "it")
        } else {
            (format!("required {noun}s"), "them")
        };
        (
            Status::Fail,
            format!(
                "missing {what} {}; add {them} to the caption",
                missing.join(", ")
            ),
        )
    };
    Check {
        id,
        status,
        evidence,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(caption: &str, wanted: &[&str]) -> Check {
        let wanted: Vec<Wanted> = wanted.iter().filter_map(|w| Wanted::new(w, '#')).collect();
        check(&Caption::analyze(caption), &wanted, Kind::Hashtag)
    }

    #[test]
    fn punctuation_and_case_tolerant_but_whole_tag() {
        assert_eq!(
            run("#Trail_Running rocks", &["trailrunning"]).status,
            Status::Pass
        );
        assert_eq!(
            run("#TRAILRUNNING", &["#trail-running"]).status,
            Status::Pass
        );
        let c = run("#running #runs", &["#run", "#trailco"]);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(
            c.message,
            "missing required hashtags #run, #trailco; add them to the caption"
        );
    }

    #[test]
    fn mentions_tolerate_dots() {
        let wanted = vec![Wanted::new("@trailco", '@').unwrap()];
        let c = check(
            &Caption::analyze("thanks @Trail.Co."),
            &wanted,
            Kind::Mention,
        );
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.evidence[0].text, "@Trail.Co");
    }
}
