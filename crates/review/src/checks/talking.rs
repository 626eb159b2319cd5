//! Talking points and the key message: covered, in the creator's words?
//!
//! A point's content terms are its words minus stop words, Snowball-stemmed.
//! It is covered when at least [`COVERED`] of them appear anywhere in the
//! caption (hashtag bodies count), so "keeps my feet dry" covers
//! "waterproof membrane keeps feet dry" (3 of 5). A verbatim phrase has all
//! its terms and is covered too. Briefs ask for outcomes, not scripts, so
//! word order is not required.
//!
//! Status: pass when every point is covered, warn when some are missing,
//! fail when fewer than half are covered.

use super::{plural, span};
use crate::report::{Check, CheckId, Status};
use crate::stems::{self, Terms};
use crate::text::Caption;
use rust_stemmers::Stemmer;
use std::collections::HashSet;

/// Share of a point's content terms that must be present: 3/5.
const COVERED: (usize, usize) = (3, 5);

#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// `"grippy outsole"` or `key message "…"`, for messages.
    label: String,
    /// (stem, word) of each distinct content term.
    terms: Vec<(String, String)>,
}

impl Point {
    pub fn new(
        text: &str,
        is_key: bool,
        stemmer: &Stemmer,
        stop: &HashSet<String>,
    ) -> Option<Point> {
        let all = stems::phrase(text, stemmer);
        let content: Vec<_> = all
            .iter()
            .filter(|(_, w)| !stop.contains(w))
            .cloned()
            .collect();
        // A point made only of stop words ("all in") still has to be said.
        let mut terms = if content.is_empty() { all } else { content };
        let mut seen = HashSet::new();
        terms.retain(|(s, _)| seen.insert(s.clone()));
        let text = text.trim();
        let label = if is_key {
            format!("key message \"{text}\"")
        } else {
            format!("\"{text}\"")
        };
        (!terms.is_empty()).then_some(Point { label, terms })
    }
}

impl Point {
    pub fn stems(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|(s, _)| s.as_str())
    }
}

pub(crate) fn check(cap: &Caption, terms: &Terms, points: &[Point]) -> Check {
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for p in points {
        let hits: Vec<usize> = p
            .terms
            .iter()
            .filter_map(|(s, _)| terms.find(s).first().copied())
            .collect();
        let (num, den) = COVERED;
        if hits.len() * den >= p.terms.len() * num {
            for h in hits {
                let t = &cap.tokens[terms.token[h]];
                evidence.push(span(cap, t.start, t.end));
            }
        } else {
            let absent: Vec<&str> = p
                .terms
                .iter()
                .filter(|(s, _)| terms.find(s).is_empty())
                .map(|(_, w)| w.as_str())
                .collect();
            missing.push(format!("{} (missing: {})", p.label, absent.join(", ")));
        }
    }
    evidence.sort_by_key(|s| s.start);
    evidence.dedup();
    let covered = points.len() - missing.len();
    let status = if covered * 2 < points.len() {
        Status::Fail
    } else if covered < points.len() {
        Status::Warn
    } else {
        Status::Pass
    };
    let message = if missing.is_empty() {
        format!("{} covered", plural(points.len(), "talking point"))
    } else {
        format!(
            "{covered} of {} covered; not covered: {}",
            plural(points.len(), "talking point"),
            missing.join("; ")
        )
    };
    Check {
        id: CheckId::TalkingPoints,
        status,
        evidence,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::{stop_words, Lang};
    use crate::stems::StemFilter;
    use rust_stemmers::Algorithm;

    fn run(caption: &str, points: &[&str]) -> Check {
        let st = Stemmer::create(Algorithm::English);
        let stop = stop_words(Lang::English);
        let points: Vec<Point> = points
            .iter()
            .filter_map(|p| Point::new(p, false, &st, &stop))
            .collect();
        let cap = Caption::analyze(caption);
        let filter = StemFilter::new(points.iter().flat_map(Point::stems));
        let terms = Terms::new(&cap, &st, &filter);
        check(&cap, &terms, &points)
    }

    #[test]
    fn paraphrase_counts_when_most_stems_present() {
        let c = run(
            "These keep my feet dry on every creek crossing",
            &["waterproof membrane keeps feet dry"],
        );
        assert_eq!(c.status, Status::Pass, "{}", c.message);
        assert_eq!(c.evidence.len(), 3);
    }

    #[test]
    fn status_by_share_covered() {
        let pts = [
            "waterproof membrane keeps feet dry",
            "grippy outsole for wet rock",
            "made from recycled plastic",
        ];
        assert_eq!(
            run(
                "keeps feet dry, grippy outsole on wet rock, recycled plastic",
                &pts
            )
            .status,
            Status::Pass
        );
        let c = run("keeps feet dry, grippy outsole on wet rock", &pts);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.message
                .contains("\"made from recycled plastic\" (missing: made, recycled, plastic)"),
            "{}",
            c.message
        );
        assert_eq!(run("keeps feet dry", &pts).status, Status::Fail);
    }
}
