//! [`SearchDoc`]: the flat, denormalized view of one platform account that
//! the index holds, and its conversion into a tantivy document.

use crate::schema::{Dim, Fields};
use chorus_core::creator::{Audience, CreatorRecord, Platform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use tantivy::TantivyDocument;

/// Captions of this many most recent posts are searchable: enough to say
/// what a creator talks about now, without letting old topics dominate,
/// and a bound on the text indexed per creator (most show 12–20 posts).
pub const RECENT_POSTS: usize = 12;
/// Terms kept per document as the seed of a lookalike query.
const KEYWORDS: usize = 24;

/// Everything search needs to know about one platform account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub account_id: i64,
    pub platform: Platform,
    pub handle: String,
    pub name: String,
    pub bio: String,
    /// Captions of the most recent posts, one per line.
    pub captions: String,
    /// Distinct hashtags of the same posts, without `#`, space-separated.
    pub hashtags: String,
    pub niche: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub followers: u64,
    pub er: Option<f64>,
    pub has_email: bool,
    pub last_post_at: Option<DateTime<Utc>>,
    pub audience: Option<Audience>,
    /// Filled by Qualify; absent until then.
    pub quality_score: Option<f64>,
    pub has_high_severity_finding: Option<bool>,
}

impl SearchDoc {
    /// The search view of `rec`, stored under `account_id`.
    pub fn from_record(account_id: i64, rec: &CreatorRecord) -> SearchDoc {
        let mut posts: Vec<_> = rec.posts.iter().collect();
        posts.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        posts.truncate(RECENT_POSTS);
        let mut captions = String::new();
        let mut hashtags = String::new();
        // Each distinct tag once: creators repeat their signature tags on
        // every post, which says nothing more about them and would only
        // multiply the tokens indexed.
        let mut seen: Vec<&str> = Vec::new();
        for p in &posts {
            captions.push_str(&p.caption);
            captions.push('\n');
            for h in &p.hashtags {
                let h = h.trim_start_matches('#');
                if !seen.iter().any(|s| s.eq_ignore_ascii_case(h)) {
                    seen.push(h);
                    hashtags.push_str(h);
                    hashtags.push(' ');
                }
            }
        }
        SearchDoc {
            account_id,
            platform: rec.platform,
            handle: rec.handle.clone(),
            name: rec.name.clone(),
            bio: rec.bio.clone(),
            captions,
            hashtags,
            niche: rec.niche.clone(),
            country: rec.country.clone(),
            language: rec.language.clone(),
            followers: rec.followers,
            er: chorus_core::engagement_rate(rec.followers, &rec.posts),
            has_email: rec.email.is_some(),
            last_post_at: rec.last_post_at(),
            audience: rec.audience.clone(),
            quality_score: None,
            has_high_severity_finding: None,
        }
    }

    /// Attach what Qualify found, once it has run.
    pub fn with_qualify(mut self, quality_score: Option<f64>, high_severity: Option<bool>) -> Self {
        self.quality_score = quality_score;
        self.has_high_severity_finding = high_severity;
        self
    }

    pub(crate) fn to_tantivy(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_i64(f.account_id, self.account_id);
        d.add_text(f.platform, self.platform.as_str());
        d.add_text(f.handle, &self.handle);
        d.add_text(f.name, &self.name);
        d.add_text(f.bio, &self.bio);
        d.add_text(f.captions, &self.captions);
        d.add_text(f.hashtags, &self.hashtags);
        if let Some(n) = &self.niche {
            d.add_text(f.niche, n.trim().to_lowercase());
            d.add_text(f.niche_text, n);
        }
        if let Some(c) = &self.country {
            d.add_text(f.country, c.to_ascii_uppercase());
        }
        if let Some(l) = &self.language {
            d.add_text(f.language, l.to_ascii_lowercase());
        }
        d.add_u64(f.followers, self.followers);
        if let Some(er) = self.er.filter(|x| x.is_finite()) {
            d.add_f64(f.er, er);
        }
        d.add_bool(f.has_email, self.has_email);
        if let Some(t) = self.last_post_at {
            d.add_i64(f.last_post_at, t.timestamp());
        }
        if let Some(q) = self.quality_score.filter(|x| x.is_finite()) {
            d.add_f64(f.quality, q);
        }
        if let Some(h) = self.has_high_severity_finding {
            d.add_bool(f.high_severity, h);
        }
        d.add_bool(f.has_audience, self.audience.is_some());
        if let Some(a) = &self.audience {
            d.add_object(f.aud, audience_object(a));
        }
        d.add_text(f.keywords, keywords(self));
        d
    }
}

/// `{"c": {"US": 0.43}, "a": {...}, "g": {...}, "l": {...}}`; every value an
/// f64 so each column has one numeric type across segments.
fn audience_object(a: &Audience) -> BTreeMap<String, tantivy::schema::OwnedValue> {
    use tantivy::schema::OwnedValue;
    let dim = |m: &BTreeMap<String, f64>, upper: bool| {
        let obj: Vec<(String, OwnedValue)> = m
            .iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| {
                let k = if upper {
                    k.to_ascii_uppercase()
                } else {
                    k.to_ascii_lowercase()
                };
                (k, OwnedValue::F64(*v))
            })
            .collect();
        OwnedValue::Object(obj)
    };
    BTreeMap::from([
        (Dim::Country.code().to_owned(), dim(&a.countries, true)),
        (Dim::Age.code().to_owned(), dim(&a.ages, false)),
        (Dim::Gender.code().to_owned(), dim(&a.genders, false)),
        (Dim::Language.code().to_owned(), dim(&a.languages, false)),
    ])
}

/// The stored audience of a hit, back as maps (for explanations).
pub(crate) fn audience_from_json(v: &Value) -> Option<Audience> {
    let get = |k: &str| -> BTreeMap<String, f64> {
        v.get(k)
            .and_then(Value::as_object)
            .map(|m: &Map<String, Value>| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(Audience {
        source: chorus_core::creator::AudienceSource::Estimated,
        as_of: chrono::NaiveDate::default(),
        countries: get("c"),
        ages: get("a"),
        genders: get("g"),
        languages: get("l"),
    })
}

/// Words too common to tell creators apart.
const STOP: &[&str] = &[
    "the", "and", "for", "with", "this", "that", "you", "your", "are", "was", "our", "from",
    "have", "has", "but", "not", "all", "out", "just", "what", "who", "how", "more", "new", "get",
    "got", "can", "will", "about", "into", "today", "link", "bio", "here", "its",
];

/// The most frequent content words of a creator (bio, captions, hashtags):
/// the "TF" half of a TF-IDF lookalike query, computed once at index time
/// because the searched text itself is not stored. Words are counted by
/// sorting borrowed slices (lower-cased copies only where needed), which is
/// several times cheaper per document than a map of owned strings.
fn keywords(d: &SearchDoc) -> String {
    let mut words: Vec<Cow<str>> = Vec::with_capacity(256);
    for text in [&d.bio, &d.captions, &d.hashtags] {
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            if w.len() < 3
                || (!w.is_ascii() && w.chars().count() < 3)
                || w.bytes().all(|b| b.is_ascii_digit())
            {
                continue;
            }
            let w = if !w.is_ascii() {
                Cow::Owned(w.to_lowercase())
            } else if w.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(w.to_ascii_lowercase())
            } else {
                Cow::Borrowed(w)
            };
            if !STOP.contains(&w.as_ref()) {
                words.push(w);
            }
        }
    }
    words.sort_unstable();
    let mut tf: Vec<(Cow<str>, u32)> = Vec::new();
    for w in words {
        match tf.last_mut() {
            Some((last, n)) if *last == w => *n += 1,
            _ => tf.push((w, 1)),
        }
    }
    tf.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    tf.truncate(KEYWORDS);
    let mut out = String::new();
    for (i, (w, _)) in tf.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The plain definition of `keywords`: a map of owned lower-cased words.
    fn keywords_by_map(d: &SearchDoc) -> String {
        let mut tf: HashMap<String, u32> = HashMap::new();
        for text in [&d.bio, &d.captions, &d.hashtags] {
            for w in text.split(|c: char| !c.is_alphanumeric()) {
                if w.chars().count() < 3 || w.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                let w = w.to_lowercase();
                if !STOP.contains(&w.as_str()) {
                    *tf.entry(w).or_default() += 1;
                }
            }
        }
        let mut v: Vec<(String, u32)> = tf.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(KEYWORDS);
        v.into_iter().map(|(w, _)| w).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn keywords_agree_with_the_plain_definition() {
        let mut g = chorus_generate::Generator::new(5, Default::default());
        let mut rec = chorus_generate::empty_record();
        for i in 0..300 {
            g.fill(i, &mut rec);
            let d = SearchDoc::from_record(i as i64, &rec);
            assert_eq!(keywords(&d), keywords_by_map(&d), "creator {i}");
        }
        let mut d = SearchDoc::from_record(0, &rec);
        d.bio = "Ÿoga ÉTÉ été Été 2026 ab 12ab Çà çàè The THE Trail-Running trail".into();
        d.captions = "ÅÄÖ åäö åäö Straße STRASSE".into();
        d.hashtags = "ÅÄÖ trail".into();
        assert_eq!(keywords(&d), keywords_by_map(&d));
        assert!(
            keywords(&d).starts_with("åäö trail été"),
            "{}",
            keywords(&d)
        );
    }
}
