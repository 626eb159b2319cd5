//! Is the ad disclosed where a viewer sees it?
//!
//! Rules (FTC / ASA / Landesmedienanstalten guidance, condensed):
//! - a marker is a whole token: `#ad`, `#Werbung`, `#sponsorisé`, a label
//!   such as `Ad:` / `[ad]` / `(Anzeige)` / `AD |`, or a phrase such as
//!   "paid partnership" or "sponsored by" (unless denied: "not sponsored
//!   by"). `#adventure`, `#adidas`, `#bad`, `#ads4you` and "bad:" are not
//!   markers;
//! - it must end within the first [`MORE_CUT`] characters, which the feed
//!   shows before "… more"; otherwise the check fails;
//! - a marker hashtag that is not the first of a run of consecutive hashtags
//!   is "buried": in a run of 5 or more (a hashtag wall) the check fails, in a
//!   run of 3–4 it warns. Leading the run (`#ad #trailrunning #mud …`) is fine.
//!
//! With several markers the best one decides the status; all are evidence.

use super::span;
use crate::lexicon::{self, Lang};
use crate::report::{Check, CheckId, Status};
use crate::text::{compact, Caption, Kind, Token};

/// Characters shown before Instagram's "more" cut.
pub const MORE_CUT: usize = 125;
/// Hashtags in a row from which a non-leading marker fails.
const WALL: usize = 5;
/// Hashtags in a row from which a non-leading marker warns.
const CLUSTER: usize = 3;

/// Words that turn a disclosure phrase into a denial ("not sponsored by
/// anyone", "isn't a paid partnership": `isn't` splits into `isn` `t`).
const NEGATIONS: &[&str] = &[
    "not", "no", "t", "never", "nicht", "kein", "keine", "pas", "non", "sin",
];

const ARTICLES: &[&str] = &["a", "an", "ein", "eine", "un", "une", "una"];

struct Marker {
    start: usize,
    end: usize,
    /// Length of the hashtag run and the marker's 0-based place in it.
    run: Option<(usize, usize)>,
}

pub(crate) fn check(cap: &Caption, lang: Lang) -> Check {
    let mut markers = find_markers(cap);
    markers.sort_by_key(|m| m.start);
    let judged: Vec<(Status, String)> = markers.iter().map(|m| judge(cap, m)).collect();
    let best = judged.iter().enumerate().min_by_key(|(i, (s, _))| (*s, *i));
    let (status, message) = match best {
        Some((_, (s, msg))) => (*s, msg.clone()),
        None => (
            Status::Fail,
            format!(
                "no disclosure found; add {} in the first {MORE_CUT} characters",
                lexicon::suggested_disclosure(lang)
            ),
        ),
    };
    Check {
        id: CheckId::Disclosure,
        status,
        evidence: markers.iter().map(|m| span(cap, m.start, m.end)).collect(),
        message,
    }
}

fn judge(cap: &Caption, m: &Marker) -> (Status, String) {
    let text = cap.slice(m.start, m.end);
    let at = m.start + 1;
    if m.end > MORE_CUT {
        return (
            Status::Fail,
            format!(
                "disclosure {text} appears at character {at}, after the {MORE_CUT}-character \
                 'more' cut; move it to the start of the caption"
            ),
        );
    }
    if let Some((len, pos)) = m.run.filter(|&(len, pos)| pos > 0 && len >= CLUSTER) {
        let (status, what) = if len >= WALL {
            (Status::Fail, "buried in a hashtag wall")
        } else {
            (Status::Warn, "easy to overlook")
        };
        return (
            status,
            format!(
                "disclosure {text} is hashtag {} of {len} in a row, {what}; put it first, \
                 apart from the other hashtags",
                pos + 1
            ),
        );
    }
    (
        Status::Pass,
        format!("disclosure {text} at character {at}, before the {MORE_CUT}-character 'more' cut"),
    )
}

fn find_markers(cap: &Caption) -> Vec<Marker> {
    let lex = lexicon::disclosure();
    let runs = hashtag_runs(cap);
    let toks = &cap.tokens;
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let hit = match t.kind {
            Kind::Hashtag => lex.tags.contains(&compact(&t.folded)),
            Kind::Word => is_label(cap, t) && lex.labels.contains(&t.folded),
            Kind::Mention => false,
        };
        if hit {
            out.push(Marker {
                start: t.start,
                end: t.end,
                run: runs[i],
            });
        }
        let negated = is_negated(toks, i);
        for phrase in lex.phrases.iter().filter(|_| !negated) {
            let words = toks[i..].iter().take(phrase.len());
            if words.len() == phrase.len()
                && words
                    .zip(phrase)
                    .all(|(t, w)| t.kind == Kind::Word && t.folded == *w)
            {
                let last = &toks[i + phrase.len() - 1];
                out.push(Marker {
                    start: t.start,
                    end: last.end,
                    run: None,
                });
            }
        }
    }
    out
}

/// Whether the words before token `i` deny it: "not", or "not a(n)".
fn is_negated(toks: &[Token], i: usize) -> bool {
    let word = |j: usize| toks[j].folded.as_str();
    match i {
        0 => false,
        1 => NEGATIONS.contains(&word(0)),
        _ if ARTICLES.contains(&word(i - 1)) => NEGATIONS.contains(&word(i - 2)),
        _ => NEGATIONS.contains(&word(i - 1)),
    }
}

/// A plain word is a disclosure label when set off: followed by `:`, or in
/// brackets, or — capitalised, so "not an ad - honestly" stays prose —
/// followed by `|` or a dash.
fn is_label(cap: &Caption, t: &Token) -> bool {
    let next = (t.end..cap.len())
        .map(|i| cap.folded[i])
        .find(|c| *c != ' ');
    let prev = t.start.checked_sub(1).map(|i| cap.folded[i]);
    let capitalised = cap.char_at(t.start).is_some_and(char::is_uppercase);
    match next {
        Some(':') => true,
        Some(')' | ']' | '}') => matches!(prev, Some('(' | '[' | '{')),
        Some('|' | '-' | '–' | '—') => capitalised,
        _ => false,
    }
}

/// For each token that is a hashtag: the length of its run of consecutive
/// hashtags (nothing but spaces, punctuation or emoji between them) and its
/// place in the run.
fn hashtag_runs(cap: &Caption) -> Vec<Option<(usize, usize)>> {
    let toks = &cap.tokens;
    let mut out = vec![None; toks.len()];
    let mut i = 0;
    while i < toks.len() {
        if toks[i].kind != Kind::Hashtag {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < toks.len()
            && toks[j].kind == Kind::Hashtag
            && !link_between(cap, &toks[j - 1], &toks[j])
        {
            j += 1;
        }
        for (pos, slot) in out[i..j].iter_mut().enumerate() {
            *slot = Some((j - i, pos));
        }
        i = j;
    }
    out
}

fn link_between(cap: &Caption, a: &Token, b: &Token) -> bool {
    cap.links
        .iter()
        .any(|l| l.start >= a.end && l.end <= b.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str) -> Status {
        check(&Caption::analyze(text), Lang::English).status
    }

    #[test]
    fn whole_tokens_only() {
        assert_eq!(status("#ad New shoes!"), Status::Pass);
        assert_eq!(
            status("#adventure #adidas #bad #ads4you #adorable"),
            Status::Fail
        );
        assert_eq!(status("bad: no disclosure here"), Status::Fail);
        assert_eq!(status("Ad: trail day"), Status::Pass);
        assert_eq!(status("trail day (ad)"), Status::Pass);
        assert_eq!(status("not an ad - honestly"), Status::Fail);
        assert_eq!(status("AD | trail day"), Status::Pass);
        assert_eq!(status("In paid partnership with @trailco"), Status::Pass);
        assert_eq!(
            status("Not sponsored by anyone, I just love them"),
            Status::Fail
        );
        assert_eq!(status("this isn't a paid partnership"), Status::Fail);
        assert_eq!(
            status("no joke, paid partnership with @trailco"),
            Status::Pass
        );
    }

    #[test]
    fn localized_markers() {
        assert_eq!(status("#Werbung Neue Schuhe"), Status::Pass);
        assert_eq!(status("#Sponsorisé nouvelles chaussures"), Status::Pass);
        assert_eq!(status("[Anzeige] Neue Schuhe"), Status::Pass);
    }

    #[test]
    fn the_cut_is_inclusive_at_125_chars() {
        // Accented letters count as one char each, like the feed counts them.
        let fits = format!("{} #ad", "é".repeat(121));
        assert_eq!(status(&fits), Status::Pass);
        let cut = format!("{} #ad", "é".repeat(122));
        assert_eq!(status(&cut), Status::Fail);
    }

    #[test]
    fn visibility_and_burial() {
        let late = format!("{} #ad", "x".repeat(130));
        assert_eq!(status(&late), Status::Fail);
        assert_eq!(status("Run! #ad #trail #mud #run #fun"), Status::Pass);
        assert_eq!(status("Run! #trail #mud #ad"), Status::Warn);
        assert_eq!(status("Run! #trail #mud #run #fun #ad"), Status::Fail);
        assert_eq!(
            status("#ad first. Run! #trail #mud #run #fun #ad"),
            Status::Pass
        );
    }
}
