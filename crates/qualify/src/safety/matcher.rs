//! Word matching that survives how people actually write: word boundaries
//! (so "class" never matches "ass"), simple inflections ("guns", "stabbing"),
//! stretched letters ("fuuuck"), leetspeak ("b1tch", "$hit"), masked letters
//! ("f*ck", "sh**"), hashtags written together ("#buyfollowers") or in
//! CamelCase ("#KillThem").

use std::collections::HashMap;

/// One token of a text: its normalized form and the form it was written in.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub norm: String,
    pub shown: String,
    /// A CamelCase part of the token before it.
    pub camel_part: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '*' | '@' | '$' | '\'' | '’')
}

fn deleet(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '7' => 't',
        '@' => 'a',
        '$' | '5' => 's',
        '!' => 'i',
        c => c,
    }
}

fn normalize(raw: &str) -> String {
    let lower: String = raw
        .chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .flat_map(char::to_lowercase)
        .collect();
    // Digits are letters in disguise only inside a word ("h0e"), not in "2024".
    if lower.chars().any(char::is_alphabetic) {
        lower.chars().map(deleet).collect()
    } else {
        lower
    }
}

/// Split "KillThemAll" into "kill", "them", "all"; `None` if not CamelCase.
fn camel_parts(raw: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in raw.chars() {
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase();
        cur.push(c);
    }
    parts.push(cur);
    (parts.len() > 1).then(|| parts.iter().map(|p| normalize(p)).collect())
}

/// Raw words of `text`. A '!' between letters is a disguised 'i' ("sh!t"),
/// elsewhere punctuation.
fn raw_words(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let letter = |k: usize| chars.get(k).is_some_and(|(_, c)| c.is_alphabetic());
    let mut out = Vec::new();
    let mut start = None;
    for (k, &(at, c)) in chars.iter().enumerate() {
        let word = is_word_char(c) || (c == '!' && k > 0 && letter(k - 1) && letter(k + 1));
        match (word, start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                out.push(&text[s..at]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Tokens of `text` in order; CamelCase words add their parts after them.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for raw in raw_words(text) {
        // A leading '@' is a mention, not a disguised 'a'.
        let raw = raw
            .trim_start_matches('@')
            .trim_matches(|c| matches!(c, '\'' | '’'));
        if raw.is_empty() {
            continue;
        }
        out.push(Token {
            norm: normalize(raw),
            shown: raw.to_string(),
            camel_part: false,
        });
        for part in camel_parts(raw).unwrap_or_default() {
            out.push(Token {
                norm: part,
                shown: raw.to_string(),
                camel_part: true,
            });
        }
    }
    out
}

/// Forms a word may take: plural, past, gerund, agent, slang "-in".
pub fn inflections(w: &str) -> Vec<String> {
    let mut v: Vec<String> = ["s", "es", "ed", "ing", "in", "er", "ers", "y", "z"]
        .iter()
        .map(|s| format!("{w}{s}"))
        .collect();
    let chars: Vec<char> = w.chars().collect();
    if let Some(stem) = w.strip_suffix('e') {
        v.extend(["ing", "in", "d", "r", "rs"].map(|s| format!("{stem}{s}")));
        v.push(format!("{w}d"));
    }
    if let Some(stem) = w.strip_suffix('y') {
        v.push(format!("{stem}ies"));
    }
    let vowel = |c: char| "aeiou".contains(c);
    if let [.., a, b, c] = chars[..] {
        if !vowel(a) && vowel(b) && !vowel(c) && c.is_alphabetic() {
            v.extend(["ing", "ed", "er", "in"].map(|s| format!("{w}{c}{s}")));
        }
    }
    v
}

/// Collapse runs of a letter longer than `keep` ("fuuuck" → "fuck" at 1).
fn squeeze(s: &str, keep: usize) -> String {
    let mut out = String::new();
    let mut run = 0;
    let mut prev = None;
    for c in s.chars() {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        if run <= keep {
            out.push(c);
        }
    }
    out
}

fn has_long_run(s: &str) -> bool {
    squeeze(s, 2) != s
}

/// `*` in a token stands for one or more letters.
fn glob_matches(pattern: &str, word: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let w: Vec<char> = word.chars().collect();
    fn go(p: &[char], w: &[char]) -> bool {
        match (p.first(), w.first()) {
            (None, None) => true,
            (Some('*'), Some(_)) => {
                let rest = &p[p.iter().take_while(|c| **c == '*').count()..];
                (1..=w.len()).any(|k| go(rest, &w[k..]))
            }
            (Some(a), Some(b)) if a == b => go(&p[1..], &w[1..]),
            _ => false,
        }
    }
    go(&p, &w)
}

/// An index from word forms to the entries (by id) they belong to.
#[derive(Debug, Default)]
pub struct Index {
    /// Single-word form → entry ids. Phrases also live here written together.
    words: HashMap<String, Vec<usize>>,
    /// First word → (entry id, all words) of multi-word phrases.
    phrases: HashMap<String, Vec<(usize, Vec<String>)>>,
    /// Stems matched inside longer words.
    stems: Vec<(String, usize)>,
}

impl Index {
    /// Add a term (already lower-case) for entry `id`.
    pub fn add(&mut self, term: &str, id: usize) {
        let (term, stem) = match term.strip_suffix('*') {
            Some(t) => (t, true),
            None => (term, false),
        };
        let words: Vec<String> = tokenize(term).into_iter().map(|t| t.norm).collect();
        if words.is_empty() {
            return;
        }
        if stem {
            self.stems.push((words.concat(), id));
        }
        if words.len() > 1 {
            self.phrases
                .entry(words[0].clone())
                .or_default()
                .push((id, words.clone()));
        }
        self.words.entry(words.concat()).or_default().push(id);
    }

    /// Inflected forms are added after all exact terms so that an exact
    /// term always wins its own spelling.
    pub fn add_inflections(&mut self) {
        let exact: Vec<(String, Vec<usize>)> = self
            .words
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (w, ids) in exact {
            for form in inflections(&w) {
                self.words.entry(form).or_insert_with(|| ids.clone());
            }
        }
    }

    fn word_ids(&self, norm: &str) -> Vec<usize> {
        if let Some(ids) = self.words.get(norm) {
            return ids.clone();
        }
        if has_long_run(norm) {
            for keep in [2, 1] {
                if let Some(ids) = self.words.get(&squeeze(norm, keep)) {
                    return ids.clone();
                }
            }
        }
        if norm.contains('*') && norm.chars().next().is_some_and(char::is_alphabetic) {
            let mut hits: Vec<(&String, &Vec<usize>)> = self
                .words
                .iter()
                .filter(|(k, _)| k.chars().count() >= norm.chars().count() && glob_matches(norm, k))
                .collect();
            hits.sort();
            if let Some((_, ids)) = hits.first() {
                return (*ids).clone();
            }
        }
        let mut ids: Vec<usize> = self
            .stems
            .iter()
            .filter(|(s, _)| norm.contains(s.as_str()))
            .map(|(_, id)| *id)
            .collect();
        ids.dedup();
        ids
    }

    fn phrase_at(&self, tokens: &[Token], i: usize) -> Vec<(usize, usize)> {
        let Some(cands) = self.phrases.get(&tokens[i].norm) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (id, words) in cands {
            let n = words.len();
            if i + n > tokens.len() {
                continue;
            }
            let last_ok = |t: &str, w: &str| t == w || inflections(w).iter().any(|f| f == t);
            let ok = (1..n).all(|k| {
                let t = &tokens[i + k].norm;
                if k + 1 == n {
                    last_ok(t, &words[k])
                } else {
                    *t == words[k]
                }
            });
            if ok {
                out.push((*id, n));
            }
        }
        out
    }

    /// Every match in `tokens` as (entry id, first token, token count),
    /// skipping tokens in `consumed`, which is updated with the new matches.
    pub fn find(&self, tokens: &[Token], consumed: &mut [bool]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for i in 0..tokens.len() {
            if consumed[i] {
                continue;
            }
            for (id, n) in self.phrase_at(tokens, i) {
                if consumed[i..i + n].iter().all(|c| !c) {
                    out.push((id, i, n));
                    consumed[i..i + n].iter_mut().for_each(|c| *c = true);
                }
            }
            if consumed[i] {
                continue;
            }
            let ids = self.word_ids(&tokens[i].norm);
            if !ids.is_empty() {
                // The whole word matched: its CamelCase parts add nothing.
                let parts = tokens[i + 1..].iter().take_while(|t| t.camel_part).count();
                consumed[i..=i + parts].iter_mut().for_each(|c| *c = true);
            }
            out.extend(ids.into_iter().map(|id| (id, i, 1)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(terms: &[&str]) -> Index {
        let mut ix = Index::default();
        for (id, t) in terms.iter().enumerate() {
            ix.add(t, id);
        }
        ix.add_inflections();
        ix
    }

    fn hits(ix: &Index, text: &str) -> Vec<usize> {
        let toks = tokenize(text);
        let mut consumed = vec![false; toks.len()];
        ix.find(&toks, &mut consumed)
            .into_iter()
            .map(|h| h.0)
            .collect()
    }

    #[test]
    fn word_boundaries_and_inflections() {
        let ix = index(&["ass", "gun", "stab"]);
        assert!(hits(&ix, "first class assistant, classic").is_empty());
        assert_eq!(hits(&ix, "Guns and stabbing"), vec![1, 2]);
        assert_eq!(hits(&ix, "what an ASSSS"), vec![0]);
    }

    #[test]
    fn obfuscation_is_seen_through() {
        let ix = index(&["fuck*", "bitch", "shit"]);
        assert_eq!(hits(&ix, "f*ck that"), vec![0]);
        assert_eq!(hits(&ix, "b1tch please"), vec![1]);
        assert_eq!(hits(&ix, "$hit happens"), vec![2]);
        assert_eq!(hits(&ix, "fuuuuck"), vec![0]);
        assert_eq!(hits(&ix, "motherfuckers"), vec![0]);
    }

    #[test]
    fn phrases_and_hashtags() {
        let ix = index(&["buy followers", "kill them"]);
        assert_eq!(hits(&ix, "want to BUY followers?"), vec![0]);
        assert_eq!(hits(&ix, "#buyfollowers #KillThem"), vec![0, 1]);
        assert!(hits(&ix, "buy more followers").is_empty());
    }
}
