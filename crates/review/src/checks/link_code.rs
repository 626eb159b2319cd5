//! Tracking link and promo code, the two things attribution depends on.
//!
//! - Code: a whole token, case-insensitive (`maya15` matches `MAYA15`,
//!   `MAYA150` does not). Text inside a link does not count: the code must be
//!   readable for a shopper to type.
//! - Link: same host (scheme, `www.` and a trailing `/` ignored) and the same
//!   path, case-sensitively, because short-link paths are. Extra query
//!   parameters (`?utm_source=ig`) pass with a note as long as every parameter
//!   of the brief's link is kept with its value; a dropped one fails. A path
//!   that differs only in letter case warns. A link on the same domain with
//!   another path or subdomain (another creator's code) fails.
//! - With no link at all but "link in bio" in the caption, the link part
//!   warns: the reviewer must look at the bio.
//! - When the brief sets both code and link, both are required ("link or
//!   code" in the brief means whichever the brand asks for); the worse of
//!   the two statuses counts.

use super::span;
use crate::report::{Check, CheckId, Span, Status};
use crate::text::{fold_char, is_word_char, parse_url, Caption, Kind, Link, UrlParts};

#[derive(Debug, Clone)]
pub(crate) struct Code {
    shown: String,
    folded: Vec<char>,
}

impl Code {
    pub fn new(raw: &str) -> Code {
        Code {
            shown: raw.to_string(),
            folded: raw.chars().map(fold_char).collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Target {
    shown: String,
    parts: Option<UrlParts>,
}

impl Target {
    pub fn new(raw: &str) -> Target {
        Target {
            shown: raw.to_string(),
            parts: parse_url(raw, true),
        }
    }
}

struct Part {
    status: Status,
    evidence: Vec<Span>,
    message: String,
}

pub(crate) fn check(cap: &Caption, code: Option<&Code>, link: Option<&Target>) -> Check {
    let parts: Vec<Part> = code
        .map(|c| check_code(cap, c))
        .into_iter()
        .chain(link.map(|l| check_link(cap, l)))
        .collect();
    let status = parts.iter().map(|p| p.status).max().unwrap_or(Status::Pass);
    let message = parts
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut evidence: Vec<Span> = parts.into_iter().flat_map(|p| p.evidence).collect();
    evidence.sort_by_key(|s| s.start);
    Check {
        id: CheckId::LinkOrCode,
        status,
        evidence,
        message,
    }
}

fn check_code(cap: &Caption, code: &Code) -> Part {
    let hits = find_code(cap, &code.folded);
    if !hits.is_empty() {
        return Part {
            status: Status::Pass,
            evidence: hits.iter().map(|&(s, e)| span(cap, s, e)).collect(),
            message: format!("promo code {} present", code.shown),
        };
    }
    let key: String = code.folded.iter().collect();
    let near: Vec<Span> = cap
        .tokens
        .iter()
        .filter(|t| t.kind != Kind::Mention && t.folded.contains(&key))
        .map(|t| span(cap, t.start, t.end))
        .collect();
    let in_link = cap.links.iter().any(|l| {
        let folded: String = cap.folded[l.start..l.end].iter().collect();
        folded.contains(&key)
    });
    let message = match near.first() {
        None if in_link => format!(
            "promo code {} appears only inside a link; write it out so shoppers can type it",
            code.shown
        ),
        Some(s) => format!(
            "promo code {} not found as a word (\"{}\" is a different code); write it exactly",
            code.shown, s.text
        ),
        None => format!("missing promo code {}; add it to the caption", code.shown),
    };
    Part {
        status: Status::Fail,
        evidence: near,
        message,
    }
}

/// Char ranges where the code stands as its own token, outside links.
fn find_code(cap: &Caption, code: &[char]) -> Vec<(usize, usize)> {
    let f = &cap.folded;
    let n = code.len();
    let mut hits = Vec::new();
    if n == 0 || n > f.len() {
        return hits;
    }
    for s in 0..=f.len() - n {
        if f[s] != code[0] || f[s..s + n] != *code {
            continue;
        }
        let e = s + n;
        let bounded = (s == 0 || !is_word_char(f[s - 1])) && (e == f.len() || !is_word_char(f[e]));
        let in_link = cap.links.iter().any(|l| l.start < e && s < l.end);
        if bounded && !in_link {
            hits.push((s, e));
        }
    }
    hits
}

fn check_link(cap: &Caption, target: &Target) -> Part {
    let Some(want) = &target.parts else {
        return Part {
            status: Status::Warn,
            evidence: Vec::new(),
            message: format!(
                "the brief's tracking link \"{}\" is not a web address; check the brief",
                target.shown
            ),
        };
    };
    let judged = cap
        .links
        .iter()
        .filter_map(|l| judge_link(want, l).map(|(s, m)| (s, m, l)))
        .min_by_key(|(s, _, l)| (*s, l.start));
    let shown = &target.shown;
    let (status, evidence, message) = match judged {
        Some((status, problem, l)) => {
            let got = cap.slice(l.start, l.end);
            let message = match status {
                Status::Pass => format!("tracking link present as {got}{problem}"),
                _ => format!("link {got} {problem} the tracking link {shown}; copy it exactly"),
            };
            (status, vec![span(cap, l.start, l.end)], message)
        }
        None if says_link_in_bio(cap) => (
            Status::Warn,
            Vec::new(),
            format!(
                "no link in the caption, which points to the bio; confirm the bio links to {shown}"
            ),
        ),
        None => (
            Status::Fail,
            Vec::new(),
            format!("missing tracking link {shown}; add it to the caption"),
        ),
    };
    Part {
        status,
        evidence,
        message,
    }
}

/// Compares one caption link with the brief's: the status and how it
/// differs (a note when it passes); `None` when it is on an unrelated site
/// and so is not an attempt at the tracking link.
fn judge_link(want: &UrlParts, link: &Link) -> Option<(Status, String)> {
    let got = &link.parts;
    if got.host != want.host {
        let related = base_domain(&got.host) == base_domain(&want.host);
        return related.then(|| (Status::Fail, "has another host than".into()));
    }
    if got.path != want.path {
        if got.path.eq_ignore_ascii_case(&want.path) {
            return Some((
                Status::Warn,
                "differs only in letter case (short links are case-sensitive) from".into(),
            ));
        }
        return Some((Status::Fail, "has another path than".into()));
    }
    let dropped: Vec<String> = want
        .query
        .iter()
        .filter(|p| !got.query.contains(p))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !dropped.is_empty() {
        return Some((Status::Fail, format!("drops {} of", dropped.join("&"))));
    }
    let note = if got.query.len() > want.query.len() {
        " (extra parameters added, the tracking link's own kept)"
    } else {
        ""
    };
    Some((Status::Pass, note.into()))
}

/// The registrable part of a host, roughly: its last two labels.
fn base_domain(host: &str) -> &str {
    let mut dots = host.rmatch_indices('.');
    dots.nth(1).map_or(host, |(i, _)| &host[i + 1..])
}

const BIO_PHRASES: &[&[&str]] = &[
    &["link", "in", "bio"],
    &["link", "in", "my", "bio"],
    &["link", "in", "der", "bio"],
    &["lien", "en", "bio"],
    &["lien", "dans", "ma", "bio"],
    &["enlace", "en", "mi", "bio"],
    &["link", "en", "bio"],
    &["link", "na", "bio"],
];

fn says_link_in_bio(cap: &Caption) -> bool {
    let toks = &cap.tokens;
    (0..toks.len()).any(|i| {
        BIO_PHRASES.iter().any(|p| {
            toks.len() >= i + p.len()
                && toks[i..i + p.len()]
                    .iter()
                    .zip(p.iter())
                    .all(|(t, w)| t.folded == *w)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(caption: &str, code: Option<&str>, link: Option<&str>) -> Check {
        let code = code.map(Code::new);
        let link = link.map(Target::new);
        check(&Caption::analyze(caption), code.as_ref(), link.as_ref())
    }

    #[test]
    fn code_is_a_case_insensitive_whole_token() {
        assert_eq!(
            run("use maya15 at checkout", Some("MAYA15"), None).status,
            Status::Pass
        );
        assert_eq!(
            run("code: MAYA15!", Some("maya15"), None).status,
            Status::Pass
        );
        let c = run("use MAYA150", Some("MAYA15"), None);
        assert_eq!(c.status, Status::Fail);
        assert!(c.message.contains("MAYA150"), "{}", c.message);
        let c = run("go.trailco.com/maya15", Some("MAYA15"), None);
        assert_eq!(c.status, Status::Fail);
    }

    #[test]
    fn link_rules() {
        let want = Some("https://go.trailco.com/maya15");
        assert_eq!(
            run("go.trailco.com/maya15/", None, want).status,
            Status::Pass
        );
        assert_eq!(
            run(
                "https://www.go.trailco.com/maya15?utm_source=ig",
                None,
                want
            )
            .status,
            Status::Pass
        );
        assert_eq!(
            run("go.trailco.com/MAYA15", None, want).status,
            Status::Warn
        );
        assert_eq!(
            run("go.trailco.com/maya20", None, want).status,
            Status::Fail
        );
        assert_eq!(run("maya.trailco.com/x", None, want).status, Status::Fail);
        assert_eq!(
            run("strava.com/athletes/1", None, want).status,
            Status::Fail
        );
        assert_eq!(run("link in bio!", None, want).status, Status::Warn);
        let q = Some("trailco.com/shoes?ref=maya");
        assert_eq!(
            run("trailco.com/shoes?utm=1&ref=maya", None, q).status,
            Status::Pass
        );
        assert_eq!(run("trailco.com/shoes?utm=1", None, q).status, Status::Fail);
    }

    #[test]
    fn both_required_when_both_set() {
        let c = run(
            "MAYA15 at go.trailco.com/maya15",
            Some("MAYA15"),
            Some("go.trailco.com/maya15"),
        );
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.evidence.len(), 2);
        let c = run(
            "MAYA15, link in bio",
            Some("MAYA15"),
            Some("go.trailco.com/maya15"),
        );
        assert_eq!(c.status, Status::Warn);
    }
}
