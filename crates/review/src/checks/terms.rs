//! Words that must not appear: prohibited claims and competitor names.
//!
//! Prohibited terms match as stemmed phrases, case- and accent-insensitive,
//! across hyphens: "cure" catches "Cures" and "cured", "clinically proven"
//! catches "Clinically-proven" and `#clinicallyproven`. Negation does not
//! excuse a term ("not guaranteed" is still flagged): whether it reads as a
//! claim is the reviewer's call, and missing one costs more than a look. A
//! match that lies inside a phrase of `allowed_claims` is not flagged.
//!
//! Competitors match unstemmed (names do not inflect) as a word sequence,
//! or as a hashtag or mention whose compacted body equals the name
//! (`#nike`, `@Nike`, `#LaSportiva`); a mention also matches when it starts
//! with a name of 4+ letters (`@nikerunning`), since brands run many handles.

use super::span;
use super::tags::compact_eq;
use crate::report::{Check, CheckId, Span, Status};
use crate::stems::{self, Terms};
use crate::text::{compact, fold, is_word_char, Caption, Kind};
use rust_stemmers::Stemmer;

/// A prohibited term or an allowed claim.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    shown: String,
    stems: Vec<String>,
    /// Folded words run together, to catch `#clinicallyproven`.
    joined: String,
}

impl Phrase {
    pub fn new(text: &str, stemmer: &Stemmer) -> Option<Phrase> {
        let words = stems::phrase(text, stemmer);
        (!words.is_empty()).then(|| Phrase {
            shown: text.trim().to_string(),
            joined: words.iter().map(|(_, w)| w.as_str()).collect(),
            stems: words.into_iter().map(|(s, _)| s).collect(),
        })
    }

    pub fn stems(&self) -> impl Iterator<Item = &str> {
        self.stems.iter().map(String::as_str)
    }

    /// Term ranges `(first, last + 1)` where the phrase occurs.
    fn ranges(&self, cap: &Caption, terms: &Terms) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = terms
            .phrase_at(&self.stems)
            .into_iter()
            .map(|p| (p, p + self.stems.len()))
            .collect();
        if self.stems.len() > 1 {
            for (p, &ti) in terms.token.iter().enumerate() {
                let t = &cap.tokens[ti];
                if t.kind == Kind::Hashtag && compact_eq(&t.folded, &self.joined) {
                    out.push((p, p + 1));
                }
            }
        }
        out
    }
}

pub(crate) fn check_prohibited(
    cap: &Caption,
    terms: &Terms,
    prohibited: &[Phrase],
    allowed: &[Phrase],
) -> Check {
    let allowed_at: Vec<(usize, usize)> =
        allowed.iter().flat_map(|a| a.ranges(cap, terms)).collect();
    let mut evidence = Vec::new();
    let mut found = Vec::new();
    let mut excused = false;
    for p in prohibited {
        let mut n = 0;
        for (a, b) in p.ranges(cap, terms) {
            if allowed_at.iter().any(|&(c, d)| c <= a && b <= d) {
                excused = true;
                continue;
            }
            let start = cap.tokens[terms.token[a]].start;
            let end = cap.tokens[terms.token[b - 1]].end;
            evidence.push(span(cap, start, end));
            n += 1;
        }
        if n > 0 {
            found.push(occurrences(&p.shown, n, &evidence[evidence.len() - n..]));
        }
    }
    evidence.sort_by_key(|s| s.start);
    let (status, message) = if found.is_empty() {
        let note = if excused {
            " (only in allowed claims)"
        } else {
            ""
        };
        (Status::Pass, format!("no prohibited terms{note}"))
    } else {
        (
            Status::Fail,
            format!("prohibited {}; remove or rephrase", found.join(", ")),
        )
    };
    Check {
        id: CheckId::Prohibited,
        status,
        evidence,
        message,
    }
}

/// `"cure" as "cures" at character 57` / `"guaranteed" (2 times)`.
fn occurrences(shown: &str, n: usize, spans: &[Span]) -> String {
    match spans {
        [one] => format!(
            "\"{shown}\" as \"{}\" at character {}",
            one.text,
            one.start + 1
        ),
        _ => format!("\"{shown}\" ({n} times)"),
    }
}

/// A competitor's name as written in the brief, folded.
#[derive(Debug, Clone)]
pub(crate) struct Competitor {
    shown: String,
    words: Vec<String>,
    compact: String,
}

impl Competitor {
    pub fn new(raw: &str) -> Option<Competitor> {
        let shown = raw.trim();
        let folded = fold(shown.trim_start_matches(['@', '#']));
        let words: Vec<String> = folded
            .split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        (!words.is_empty()).then(|| Competitor {
            shown: shown.to_string(),
            compact: compact(&words.concat()),
            words,
        })
    }

    fn matches_tag(&self, kind: Kind, folded: &str) -> bool {
        compact_eq(folded, &self.compact)
            || (kind == Kind::Mention
                && self.compact.chars().count() >= 4
                && compact(folded).starts_with(&self.compact))
    }
}

pub(crate) fn check_competitors(cap: &Caption, competitors: &[Competitor]) -> Check {
    let toks = &cap.tokens;
    let mut evidence = Vec::new();
    let mut found = Vec::new();
    for c in competitors {
        let before = evidence.len();
        for (i, t) in toks.iter().enumerate() {
            if t.kind != Kind::Word {
                if c.matches_tag(t.kind, &t.folded) {
                    evidence.push(span(cap, t.start, t.end));
                }
                continue;
            }
            let n = c.words.len();
            if toks.len() >= i + n
                && toks[i..i + n]
                    .iter()
                    .zip(&c.words)
                    .all(|(t, w)| t.kind == Kind::Word && t.folded == *w)
            {
                evidence.push(span(cap, t.start, toks[i + n - 1].end));
            }
        }
        if evidence.len() > before {
            let texts: Vec<String> = evidence[before..].iter().map(|s| s.text.clone()).collect();
            found.push(format!("{} (as {})", c.shown, super::quoted(&texts)));
        }
    }
    evidence.sort_by_key(|s| s.start);
    let (status, message) = if found.is_empty() {
        (Status::Pass, "no competitor mentioned".to_string())
    } else {
        (
            Status::Fail,
            format!(
                "competitor mentioned: {}; remove {}",
                found.join(", "),
                if evidence.len() == 1 { "it" } else { "them" }
            ),
        )
    };
    Check {
        id: CheckId::Competitors,
        status,
        evidence,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stems::StemFilter;
    use rust_stemmers::Algorithm;

    fn prohibited(caption: &str, banned: &[&str], allowed: &[&str]) -> Check {
        let st = Stemmer::create(Algorithm::English);
        let banned: Vec<Phrase> = banned.iter().filter_map(|p| Phrase::new(p, &st)).collect();
        let allowed: Vec<Phrase> = allowed.iter().filter_map(|p| Phrase::new(p, &st)).collect();
        let cap = Caption::analyze(caption);
        let filter = StemFilter::new(banned.iter().chain(&allowed).flat_map(Phrase::stems));
        let terms = Terms::new(&cap, &st, &filter);
        check_prohibited(&cap, &terms, &banned, &allowed)
    }

    #[test]
    fn stems_case_and_hyphens() {
        let c = prohibited(
            "This serum CURED my acne. Clinically-proven!",
            &["cure", "clinically proven"],
            &[],
        );
        assert_eq!(c.status, Status::Fail);
        let texts: Vec<&str> = c.evidence.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["CURED", "Clinically-proven"]);
        assert!(
            c.message.contains("\"cure\" as \"CURED\" at character 12"),
            "{}",
            c.message
        );
        assert_eq!(
            prohibited("secure and curious", &["cure"], &[]).status,
            Status::Pass
        );
        assert_eq!(
            prohibited("#ClinicallyProven", &["clinically proven"], &[]).status,
            Status::Fail
        );
    }

    #[test]
    fn allowed_claims_excuse_only_their_own_span() {
        let allowed = ["clinically proven to reduce redness"];
        let ok = prohibited(
            "Clinically proven to reduce redness",
            &["clinically proven"],
            &allowed,
        );
        assert_eq!(ok.status, Status::Pass);
        assert!(ok.message.contains("allowed"));
        let bad = prohibited(
            "Clinically proven to reduce redness and clinically proven to cure acne",
            &["clinically proven", "cure"],
            &allowed,
        );
        assert_eq!(bad.evidence.len(), 2);
    }

    #[test]
    fn competitors_as_words_tags_and_handles() {
        let comps: Vec<Competitor> = ["Nike", "@lasportiva", "On Running"]
            .iter()
            .filter_map(|c| Competitor::new(c))
            .collect();
        let run = |t: &str| check_competitors(&Caption::analyze(t), &comps);
        assert_eq!(run("better than my old NIKE pair").status, Status::Fail);
        assert_eq!(run("#LaSportiva fans").status, Status::Fail);
        assert_eq!(run("shoutout @nikerunning").status, Status::Fail);
        assert_eq!(run("love my On Running Cloudmonsters").status, Status::Fail);
        assert_eq!(
            run("running on trails with #nikeless feet").status,
            Status::Pass
        );
    }
}
