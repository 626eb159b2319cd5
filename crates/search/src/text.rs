//! Free text to tantivy queries. Our own small grammar rather than
//! tantivy's `QueryParser`: people type `-`, `:` and unbalanced quotes into a
//! search box, and that must never be a syntax error.

use crate::query::{parse_text, Clause};
use crate::schema::Fields;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

/// One clause of the text: how it is shown in "why", its query, and
/// whether it is required (quoted phrases) or only ranks (words, hashtags).
pub(crate) struct TextClause {
    pub label: String,
    pub query: Box<dyn Query>,
    pub occur: Occur,
}

/// Tokens with their positions, as the index analyzed the same text.
fn tokens(an: &mut TextAnalyzer, s: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut ts = an.token_stream(s);
    while ts.advance() {
        let t = ts.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

fn term_any_field(fields: &[(Field, f32)], token: &str) -> Box<dyn Query> {
    let subs = fields
        .iter()
        .map(|(f, boost)| {
            let t = TermQuery::new(
                Term::from_field_text(*f, token),
                IndexRecordOption::WithFreqs,
            );
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(t), *boost)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(subs))
}

fn phrase_any_field(fields: &[Field], toks: &[(usize, String)]) -> Box<dyn Query> {
    let subs = fields
        .iter()
        .map(|f| {
            let terms = toks
                .iter()
                .map(|(p, t)| (*p, Term::from_field_text(*f, t)))
                .collect();
            (
                Occur::Should,
                Box::new(PhraseQuery::new_with_offset(terms)) as Box<dyn Query>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(subs))
}

/// A word in more than this share of creators selects nobody in particular
/// ("and", "day", "your"): it would only make every query traverse most of
/// the index. Such words are dropped, like stop words learnt from the data,
/// unless the text has nothing else.
pub const COMMON_WORD_SHARE: f64 = 0.08;

/// Below this many documents shares say little, and traversal is cheap.
const COMMON_MIN_DOCS: u64 = 1_000;

/// The share of documents that contain `token` in its most common field.
fn doc_share(f: &Fields, s: &Searcher, token: &str) -> f64 {
    if s.num_docs() < COMMON_MIN_DOCS {
        return 0.0;
    }
    let n = s.num_docs() as f64;
    f.text_fields()
        .iter()
        .map(|(field, _)| {
            s.doc_freq(&Term::from_field_text(*field, token))
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0) as f64
        / n
}

/// Words match any text field (BM25, field-boosted); a word that the
/// analyzer splits (`carbon-plate`) is matched as a phrase; `#tag` matches
/// hashtags only. Quoted phrases are required and keep common words.
pub(crate) fn clauses(f: &Fields, s: &Searcher, an: &mut TextAnalyzer, q: &str) -> Vec<TextClause> {
    let all = parse_text(q);
    let common = |c: &Clause| match c {
        Clause::Word(w) => {
            let t = tokens(an, w);
            t.len() == 1 && doc_share(f, s, &t[0].1) > COMMON_WORD_SHARE
        }
        _ => false,
    };
    let flags: Vec<bool> = all.iter().map(common).collect();
    let keep_all = flags.iter().all(|c| *c);
    let kept = all
        .into_iter()
        .zip(flags)
        .filter(|(_, c)| keep_all || !c)
        .map(|x| x.0);
    build(f, an, kept)
}

fn build(f: &Fields, an: &mut TextAnalyzer, cs: impl Iterator<Item = Clause>) -> Vec<TextClause> {
    let phrase_fields = f.phrase_fields();
    let mut out = Vec::new();
    for c in cs {
        let (label, toks, occur, fields): (String, _, _, Vec<(Field, f32)>) = match &c {
            Clause::Word(w) => (
                w.to_lowercase(),
                tokens(an, w),
                Occur::Should,
                f.text_fields().to_vec(),
            ),
            Clause::Phrase(p) => (
                format!("\"{}\"", p.to_lowercase()),
                tokens(an, p),
                Occur::Must,
                f.text_fields().to_vec(),
            ),
            Clause::Hashtag(h) => (
                format!("#{h}"),
                tokens(an, h),
                Occur::Should,
                vec![(f.hashtags, 1.0)],
            ),
        };
        let query = match toks.len() {
            0 => continue,
            1 => term_any_field(&fields, &toks[0].1),
            _ if matches!(c, Clause::Hashtag(_)) => phrase_any_field(&[f.hashtags], &toks),
            _ => phrase_any_field(&phrase_fields, &toks),
        };
        out.push(TextClause {
            label,
            query,
            occur,
        });
    }
    out
}
