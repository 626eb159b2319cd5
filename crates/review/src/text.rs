//! One pass over a caption: links, hashtags, mentions and words, each with
//! its character span, plus a case- and accent-folded copy of the text.
//!
//! Every check works on this analysis, so the caption is scanned once however
//! many checks run. Offsets are in Unicode scalar values (chars), the unit a
//! person and the 125-character "more" cut count in.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Hashtag,
    Mention,
}

/// A hashtag, mention or word. `start..end` covers the sigil of tags.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// Folded text without the sigil and without combining marks.
    pub folded: String,
}

impl Token {
    /// Whether the token reads as a word in prose (hashtag bodies do: `#waterproof`).
    pub fn is_term(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Hashtag)
    }
}

/// A web address written in the caption.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub start: usize,
    pub end: usize,
    pub parts: UrlParts,
}

/// A URL split into the pieces the link check compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlParts {
    /// Lower-cased, without scheme, port and a leading `www.`.
    pub host: String,
    /// As written (short-link paths are case-sensitive), without trailing `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
}

/// The analysed caption.
pub(crate) struct Caption<'a> {
    pub text: &'a str,
    /// Byte offset of each char, plus the text length at the end.
    byte_at: Vec<usize>,
    /// Folded char per original char (same length as the char count).
    pub folded: Vec<char>,
    pub tokens: Vec<Token>,
    pub links: Vec<Link>,
}

impl<'a> Caption<'a> {
    pub fn analyze(text: &'a str) -> Self {
        let mut byte_at = Vec::with_capacity(text.len() + 1);
        let mut chars = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            byte_at.push(i);
            chars.push(c);
        }
        byte_at.push(text.len());
        let folded: Vec<char> = chars.iter().map(|&c| fold_char(c)).collect();
        let links = find_links(&chars);
        let tokens = tokenize(&chars, &folded, &links);
        Caption {
            text,
            byte_at,
            folded,
            tokens,
            links,
        }
    }

    /// Number of chars.
    pub fn len(&self) -> usize {
        self.folded.len()
    }

    /// The original text of a char range.
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        &self.text[self.byte_at[start]..self.byte_at[end]]
    }

    /// The original char at an index, if any.
    pub fn char_at(&self, i: usize) -> Option<char> {
        self.text[self.byte_at.get(i).copied()?..].chars().next()
    }
}

/// Lower-cases and strips accents one char to one char, so folded offsets
/// stay the original's offsets. Chars without a canonical decomposition
/// (`ß`, `ł`) stay as they are.
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let mut base = None;
    decompose_canonical(lower, |d| {
        base.get_or_insert(d);
    });
    base.unwrap_or(lower)
}

/// Folds a whole string (used for brief terms), dropping combining marks.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_combining_mark(c))
        .map(fold_char)
        .collect()
}

/// Removes the punctuation people vary inside tags: `#Trail_Running`,
/// `@trail.co` and `trail-running` all compact to `trailrunning`/`trailco`.
pub(crate) fn compact(folded: &str) -> String {
    folded
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | '#' | '@') && !c.is_whitespace())
        .collect()
}

pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c)
}

fn tokenize(chars: &[char], folded: &[char], links: &[Link]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut links = links.iter().peekable();
    let mut i = 0;
    while i < chars.len() {
        if let Some(link) = links.peek() {
            if i >= link.start {
                i = i.max(link.end);
                links.next();
                continue;
            }
        }
        let prev_is_word = i > 0 && (is_word_char(chars[i - 1]) || chars[i - 1] == '_');
        let (kind, end) = match chars[i] {
            '#' | '＃' if !prev_is_word => (Kind::Hashtag, tag_end(chars, i + 1, false)),
            '@' | '＠' if !prev_is_word => (Kind::Mention, tag_end(chars, i + 1, true)),
            c if is_word_char(c) => (Kind::Word, word_end(chars, i)),
            _ => {
                i += 1;
                continue;
            }
        };
        let body = if kind == Kind::Word { i } else { i + 1 };
        let folded_body: String = (body..end)
            .filter(|&j| chars[j].is_ascii() || !is_combining_mark(chars[j]))
            .map(|j| folded[j])
            .collect();
        if kind != Kind::Word && !folded_body.chars().any(|c| c.is_alphabetic()) {
            // "#1 fan", "@ 9am": not tags; read any digits as a word next.
            i += 1;
            continue;
        }
        if folded_body.is_empty() {
            // A stray combining mark: nothing to match.
            i = end;
            continue;
        }
        tokens.push(Token {
            kind,
            start: i,
            end,
            folded: folded_body,
        });
        i = end;
    }
    tokens
}

fn word_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && is_word_char(chars[i]) {
        i += 1;
    }
    i
}

/// End of a hashtag or mention body. Handles may contain dots but not end
/// in one ("thanks @trailco." ends the sentence).
fn tag_end(chars: &[char], mut i: usize, allow_dot: bool) -> usize {
    while i < chars.len() {
        let c = chars[i];
        if is_word_char(c) || c == '_' || (allow_dot && c == '.') {
            i += 1;
        } else {
            break;
        }
    }
    while allow_dot && i > 0 && chars[i - 1] == '.' {
        i -= 1;
    }
    i
}

/// Finds whitespace-separated chunks that read as web addresses.
fn find_links(chars: &[char]) -> Vec<Link> {
    let mut links = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && !chars[end].is_whitespace() {
            end += 1;
        }
        // Trim what surrounds a URL in prose: "👉go.trailco.com/maya15!"
        let mut s = i;
        while s < end && !chars[s].is_alphanumeric() {
            s += 1;
        }
        let mut e = end;
        while e > s && !(chars[e - 1].is_alphanumeric() || chars[e - 1] == '/') {
            e -= 1;
        }
        // Every address has a dot between two characters; most words have none.
        let dotted = s < e && chars[s + 1..e].contains(&'.');
        if dotted && (s == i || chars[s - 1] != '#' && chars[s - 1] != '@') {
            let chunk: String = chars[s..e].iter().collect();
            if let Some(parts) = parse_url(&chunk, false) {
                links.push(Link {
                    start: s,
                    end: e,
                    parts,
                });
            }
        }
        i = end;
    }
    links
}

/// Top-level domains common enough that a bare `host.tld` without a path is
/// taken as a link; anything else needs a scheme, `www.` or a path, so that
/// "feet.dry" from a missing space is not read as an address.
const BARE_TLDS: &[&str] = &[
    "com", "net", "org", "io", "co", "de", "uk", "fr", "es", "it", "nl", "pl", "se", "dk", "no",
    "fi", "at", "ch", "be", "pt", "eu", "us", "ca", "au", "shop", "store", "app", "link", "ly",
    "me", "gg", "to", "tv",
];

/// Splits a URL into host, path and query. `lenient` is for the brief's own
/// link, which is a URL by definition and needs no plausibility test.
pub(crate) fn parse_url(raw: &str, lenient: bool) -> Option<UrlParts> {
    let lower = raw.to_ascii_lowercase();
    let scheme_len = ["https://", "http://"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or(0, |p| p.len());
    let rest = &raw[scheme_len..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host_port = rest[..host_end].to_lowercase();
    if host_port.contains('@') {
        return None;
    }
    let host = host_port.split(':').next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    let valid = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    let tld = labels.last().copied().unwrap_or("");
    let tld_ok = (2..=24).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_alphabetic());
    if !valid || !tld_ok {
        return None;
    }
    let after = &rest[host_end..];
    let plausible =
        scheme_len > 0 || host.starts_with("www.") || !after.is_empty() || BARE_TLDS.contains(&tld);
    if !(plausible || lenient) {
        return None;
    }
    let after = after.split('#').next().unwrap_or("");
    let (path, query) = after.split_once('?').unwrap_or((after, ""));
    Some(UrlParts {
        host: host.strip_prefix("www.").unwrap_or(host).to_string(),
        path: path.trim_end_matches('/').to_string(),
        query: query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        Caption::analyze(text)
            .tokens
            .into_iter()
            .map(|t| (t.kind, t.folded))
            .collect()
    }

    #[test]
    fn splits_tags_mentions_and_words() {
        let toks = kinds("Trail day w/ @TrailCo. #TrailRunning #ad!");
        assert_eq!(
            toks,
            vec![
                (Kind::Word, "trail".into()),
                (Kind::Word, "day".into()),
                (Kind::Word, "w".into()),
                (Kind::Mention, "trailco".into()),
                (Kind::Hashtag, "trailrunning".into()),
                (Kind::Hashtag, "ad".into()),
            ]
        );
    }

    #[test]
    fn emails_and_numbers_are_not_tags() {
        let toks = kinds("mail hi@trailco.com — my #1 pick");
        assert!(toks.iter().all(|(k, _)| *k == Kind::Word), "{toks:?}");
    }

    #[test]
    fn folds_case_and_accents_keeping_offsets() {
        let cap = Caption::analyze("Café #Sponsorisé");
        assert_eq!(cap.tokens[1].folded, "sponsorise");
        assert_eq!(
            cap.slice(cap.tokens[1].start, cap.tokens[1].end),
            "#Sponsorisé"
        );
    }

    #[test]
    fn finds_links_and_skips_their_words() {
        let cap = Caption::analyze("Code 👉go.trailco.com/maya15?utm_source=ig! and e.g. feet.dry");
        assert_eq!(cap.links.len(), 1);
        let link = &cap.links[0];
        assert_eq!(link.parts.host, "go.trailco.com");
        assert_eq!(link.parts.path, "/maya15");
        assert_eq!(link.parts.query, vec![("utm_source".into(), "ig".into())]);
        assert!(cap.tokens.iter().all(|t| t.folded != "maya15"));
    }

    #[test]
    fn parse_url_normalizes_host() {
        let p = parse_url("HTTPS://www.TrailCo.com/Maya15/", true).unwrap();
        assert_eq!(
            (p.host.as_str(), p.path.as_str()),
            ("trailco.com", "/Maya15")
        );
    }
}
