//! Brand safety: scans the captions and hashtags of an account's recent posts
//! for the GARM Brand Safety Floor + Suitability categories, a brand's own
//! blocklist and its competitors' names. Every finding names the post and the
//! words, as written, that caused it, so a manager can judge it in seconds.
//!
//! The scanner is a lexicon, not a learned model: it is explainable word by
//! word, needs no training data in every language, and what is measured on
//! davidson ([`eval_safety`]) is exactly what runs.

mod eval;
mod lexicon;
pub mod matcher;

pub use eval::{eval_safety, eval_safety_rows, SafetyEvalReport, SafetyMetrics};

use chorus_core::creator::Post;
use chrono::{DateTime, Months, Utc};
use matcher::{tokenize, Index, Token};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Adult,
    ArmsViolence,
    Crime,
    DeathInjury,
    Piracy,
    HateObscenity,
    DrugsAlcoholTobacco,
    SpamMisinformation,
    SensitiveSocialIssues,
    Politics,
    /// A word on the brand's own blocklist.
    Blocklist,
    /// A competitor's name: matters for exclusivity, not for safety.
    Competitor,
}

impl Category {
    fn parse(s: &str) -> Option<Category> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// GARM risk levels, ordered so that `max` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    /// The GARM Brand Safety Floor: unsuitable for any brand.
    Floor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyOptions {
    /// Only posts published in the last this-many months are scanned.
    pub window_months: u32,
    /// The brand's own words to avoid (category `blocklist`, severity high).
    pub blocklist: Vec<String>,
    /// Competitor brand names (category `competitor`, severity medium).
    pub competitors: Vec<String>,
}

impl Default for SafetyOptions {
    fn default() -> Self {
        SafetyOptions {
            window_months: 24,
            blocklist: Vec::new(),
            competitors: Vec::new(),
        }
    }
}

/// One category found in one post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub post_id: String,
    pub published_at: DateTime<Utc>,
    pub category: Category,
    /// The worst severity among the matched words.
    pub severity: Severity,
    /// The words as written in the post (e.g. "f*ck", "#BuyFollowers").
    pub matched: Vec<String>,
    /// The lexicon terms they matched.
    pub terms: Vec<String>,
}

/// One matched word before findings are grouped by post and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub category: Category,
    pub severity: Severity,
    pub term: String,
    pub shown: String,
}

struct Entry {
    term: String,
    category: Option<Category>,
    severity: Severity,
}

/// The parsed lexicon: entries and their index. `category: None` = allow.
struct Lexicon {
    entries: Vec<Entry>,
    index: Index,
}

fn parse_severity(s: &str) -> Severity {
    match s {
        "floor" => Severity::Floor,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        _ => Severity::Low,
    }
}

impl Lexicon {
    fn build(lines: impl Iterator<Item = (Option<Category>, Severity, String)>) -> Lexicon {
        let mut lex = Lexicon {
            entries: Vec::new(),
            index: Index::default(),
        };
        for (category, severity, term) in lines {
            lex.index.add(&term, lex.entries.len());
            let term = term.trim_end_matches('*').to_string();
            lex.entries.push(Entry {
                term,
                category,
                severity,
            });
        }
        lex.index.add_inflections();
        lex
    }

    fn builtin() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(|| {
            let lines = lexicon::LEXICON.lines().filter(|l| !l.trim().is_empty());
            Lexicon::build(lines.flat_map(|line| {
                let mut cols = line.split('|').map(str::trim);
                let (cat, sev, terms) = (cols.next(), cols.next(), cols.next());
                let cat = cat.and_then(Category::parse);
                let sev = parse_severity(sev.unwrap_or_default());
                terms
                    .unwrap_or_default()
                    .split(',')
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .map(move |t| (cat, sev, t))
                    .collect::<Vec<_>>()
            }))
        })
    }

    fn custom(opts: &SafetyOptions) -> Lexicon {
        let words = |list: &[String], c: Category, s: Severity| {
            list.iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .map(move |w| (Some(c), s, w))
                .collect::<Vec<_>>()
        };
        let block = words(&opts.blocklist, Category::Blocklist, Severity::High);
        let comp = words(&opts.competitors, Category::Competitor, Severity::Medium);
        Lexicon::build(block.into_iter().chain(comp))
    }

    fn hits(&self, tokens: &[Token], consumed: &mut [bool], out: &mut Vec<Hit>) {
        for (id, first, n) in self.index.find(tokens, consumed) {
            let e = &self.entries[id];
            let Some(category) = e.category else { continue };
            let shown: Vec<&str> = tokens[first..first + n]
                .iter()
                .map(|t| t.shown.as_str())
                .collect();
            out.push(Hit {
                category,
                severity: e.severity,
                term: e.term.clone(),
                shown: shown.join(" "),
            });
        }
    }
}

fn scan_tokens(tokens: &[Token], custom: Option<&Lexicon>) -> Vec<Hit> {
    let mut consumed = vec![false; tokens.len()];
    let mut out = Vec::new();
    // The brand's own words first: a competitor named "Rum & Co" is a
    // competitor mention, not an alcohol one.
    if let Some(c) = custom {
        c.hits(tokens, &mut consumed, &mut out);
    }
    Lexicon::builtin().hits(tokens, &mut consumed, &mut out);
    out
}

/// Matched words in one text with the built-in lexicon only.
pub fn scan_text(text: &str) -> Vec<Hit> {
    scan_tokens(&tokenize(text), None)
}

/// Caption, then each hashtag as its own word ("#" optional).
fn post_tokens(p: &Post) -> Vec<Token> {
    let mut tokens = tokenize(&p.caption);
    for tag in &p.hashtags {
        tokens.extend(tokenize(&format!("#{}", tag.trim_start_matches('#'))));
    }
    tokens
}

fn group(post: &Post, hits: Vec<Hit>) -> Vec<Finding> {
    let mut by_cat: BTreeMap<Category, Finding> = BTreeMap::new();
    for h in hits {
        let f = by_cat.entry(h.category).or_insert_with(|| Finding {
            post_id: post.id.clone(),
            published_at: post.published_at,
            category: h.category,
            severity: h.severity,
            matched: Vec::new(),
            terms: Vec::new(),
        });
        f.severity = f.severity.max(h.severity);
        if !f.matched.contains(&h.shown) {
            f.matched.push(h.shown);
        }
        if !f.terms.contains(&h.term) {
            f.terms.push(h.term);
        }
    }
    by_cat.into_values().collect()
}

/// Findings in the posts published in the window before `now`, worst first,
/// then newest first.
pub fn scan_posts(posts: &[Post], now: DateTime<Utc>, opts: &SafetyOptions) -> Vec<Finding> {
    let since = now
        .checked_sub_months(Months::new(opts.window_months))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let custom = Lexicon::custom(opts);
    let mut findings: Vec<Finding> = posts
        .iter()
        .filter(|p| p.published_at >= since && p.published_at <= now)
        .flat_map(|p| group(p, scan_tokens(&post_tokens(p), Some(&custom))))
        .collect();
    findings.sort_by(|a, b| {
        (b.severity, b.published_at, &a.post_id, a.category).cmp(&(
            a.severity,
            a.published_at,
            &b.post_id,
            b.category,
        ))
    });
    findings
}
