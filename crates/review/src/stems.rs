//! Snowball stems of caption words and brief phrases, so "cures", "cured"
//! and "cure" meet, and "keeps my feet dry" meets "keep feet dry".

use crate::text::Caption;
use rust_stemmers::Stemmer;

/// The prose words of a caption (words and hashtag bodies) with their stems,
/// in order, plus an index sorted by stem for lookups.
pub(crate) struct Terms {
    /// Token index in `Caption::tokens` of each term.
    pub token: Vec<usize>,
    pub stem: Vec<String>,
    by_stem: Vec<usize>,
}

impl Terms {
    /// Stems the words `filter` admits; the others keep their folded form,
    /// which cannot equal any stem the filter was built from.
    pub fn new(cap: &Caption, stemmer: &Stemmer, filter: &StemFilter) -> Terms {
        let mut token = Vec::with_capacity(cap.tokens.len());
        let mut stem = Vec::with_capacity(cap.tokens.len());
        for (i, t) in cap.tokens.iter().enumerate().filter(|(_, t)| t.is_term()) {
            token.push(i);
            stem.push(if filter.admits(&t.folded) {
                stemmer.stem(&t.folded).into_owned()
            } else {
                t.folded.clone()
            });
        }
        let mut by_stem: Vec<usize> = (0..stem.len()).collect();
        by_stem.sort_by(|&a, &b| stem[a].cmp(&stem[b]).then(a.cmp(&b)));
        Terms {
            token,
            stem,
            by_stem,
        }
    }

    /// Term positions whose stem is `s`, in caption order.
    pub fn find(&self, s: &str) -> &[usize] {
        let lo = self.by_stem.partition_point(|&i| self.stem[i].as_str() < s);
        let hi = self
            .by_stem
            .partition_point(|&i| self.stem[i].as_str() <= s);
        &self.by_stem[lo..hi]
    }

    /// Positions `p` where the term stems `p..p + phrase.len()` equal the phrase.
    pub fn phrase_at(&self, phrase: &[String]) -> Vec<usize> {
        let Some(first) = phrase.first() else {
            return Vec::new();
        };
        self.find(first)
            .iter()
            .copied()
            .filter(|&p| {
                p + phrase.len() <= self.stem.len()
                    && self.stem[p..p + phrase.len()]
                        .iter()
                        .zip(phrase)
                        .all(|(a, b)| a == b)
            })
            .collect()
    }
}

/// The first two chars of every stem the brief looks for. Stemming is the
/// costliest step of a check, and Snowball only rewrites word endings, so a
/// caption word that starts like none of the brief's stems is not stemmed.
/// A second `y` counts as `i` because English stems "lying" to "lie".
#[derive(Debug, Clone, Default)]
pub(crate) struct StemFilter(Vec<(char, char)>);

impl StemFilter {
    pub fn new<'a>(stems: impl IntoIterator<Item = &'a str>) -> StemFilter {
        let mut keys: Vec<(char, char)> = stems.into_iter().map(key).collect();
        keys.sort_unstable();
        keys.dedup();
        StemFilter(keys)
    }

    fn admits(&self, word: &str) -> bool {
        let k = key(word);
        self.0.binary_search(&k).is_ok() || self.0.binary_search(&(k.0, '\0')).is_ok()
    }
}

fn key(s: &str) -> (char, char) {
    let mut c = s.chars();
    let first = c.next().unwrap_or('\0');
    let second = match c.next() {
        Some('y') => 'i',
        Some(x) => x,
        None => '\0',
    };
    (first, second)
}

/// Stems of a brief phrase, paired with the folded word each came from.
pub(crate) fn phrase(text: &str, stemmer: &Stemmer) -> Vec<(String, String)> {
    Caption::analyze(text)
        .tokens
        .into_iter()
        .filter(|t| t.is_term())
        .map(|t| (stemmer.stem(&t.folded).into_owned(), t.folded))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_stemmers::Algorithm;

    #[test]
    fn inflections_share_a_stem() {
        let st = Stemmer::create(Algorithm::English);
        let cap = Caption::analyze("It cured my skin; it cures, curing all, lying");
        let p: Vec<String> = phrase("cures my", &st)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let filter = StemFilter::new(p.iter().map(String::as_str).chain(["lie"]));
        let terms = Terms::new(&cap, &st, &filter);
        assert_eq!(terms.find("cure").len(), 3);
        assert_eq!(terms.phrase_at(&p), vec![1]);
        assert_eq!(terms.find("lie").len(), 1);
        assert_eq!(
            terms.find("skin").len(),
            1,
            "unfiltered words keep their form"
        );
    }
}
