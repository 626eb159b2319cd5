//! The index schema: one tantivy document per platform account.
//!
//! Text that is searched (bio, captions, hashtags) is indexed but not stored,
//! which keeps the index small at millions of creators; the store stays the
//! system of record. Everything a filter, a sort or a facet reads is a fast
//! (columnar) field, so filtering never touches the document store.

use tantivy::schema::{
    Field, JsonObjectOptions, NumericOptions, Schema, TextOptions, FAST, INDEXED, STORED, STRING,
    TEXT,
};

/// Key prefixes of the audience JSON fast field (`aud.c.US`, `aud.g.female`…):
/// every country, band, gender and language is its own sparse column, so
/// "≥ 40% in FI" is as cheap as "≥ 40% in US" without a fixed country list.
pub const AUD: &str = "aud";

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub account_id: Field,
    pub platform: Field,
    pub handle: Field,
    pub name: Field,
    pub bio: Field,
    pub captions: Field,
    pub hashtags: Field,
    pub niche: Field,
    pub niche_text: Field,
    pub country: Field,
    pub language: Field,
    pub followers: Field,
    pub er: Field,
    pub has_email: Field,
    pub last_post_at: Field,
    pub quality: Field,
    pub high_severity: Field,
    pub has_audience: Field,
    pub aud: Field,
    pub keywords: Field,
}

/// Searched text: tokenized, lower-cased, with positions for phrases.
fn text() -> TextOptions {
    TEXT
}

/// Exact keyword: filterable by term, countable as a facet, returned in hits.
fn keyword() -> TextOptions {
    STRING | FAST | STORED
}

impl Fields {
    pub fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let num = || NumericOptions::default().set_fast().set_stored();
        let aud = JsonObjectOptions::default().set_fast(None).set_stored();
        let f = Fields {
            account_id: b.add_i64_field("account_id", INDEXED | FAST | STORED),
            platform: b.add_text_field("platform", keyword()),
            handle: b.add_text_field("handle", STRING | STORED),
            name: b.add_text_field("name", TEXT | STORED),
            bio: b.add_text_field("bio", text()),
            captions: b.add_text_field("captions", text()),
            hashtags: b.add_text_field("hashtags", text()),
            niche: b.add_text_field("niche", keyword()),
            niche_text: b.add_text_field("niche_text", text()),
            country: b.add_text_field("country", keyword()),
            language: b.add_text_field("language", keyword()),
            followers: b.add_u64_field("followers", num()),
            er: b.add_f64_field("er", num()),
            has_email: b.add_bool_field("has_email", INDEXED | FAST),
            last_post_at: b.add_i64_field("last_post_at", FAST),
            quality: b.add_f64_field("quality", FAST),
            high_severity: b.add_bool_field("high_severity", FAST),
            has_audience: b.add_bool_field("has_audience", FAST),
            aud: b.add_json_field(AUD, aud),
            // Stored only: the seed terms of a lookalike query.
            keywords: b.add_text_field("keywords", STORED),
        };
        (b.build(), f)
    }

    /// Fields that free text is matched against, with their BM25 boosts.
    /// Niche and hashtags weigh more than captions: they are the creator's
    /// own summary of the topic, captions are noisier.
    pub fn text_fields(&self) -> [(Field, f32); 5] {
        [
            (self.niche_text, 2.0),
            (self.hashtags, 1.5),
            (self.bio, 1.5),
            (self.name, 1.0),
            (self.captions, 1.0),
        ]
    }

    /// Fields with positions that quoted phrases are matched against.
    pub fn phrase_fields(&self) -> [Field; 4] {
        [self.bio, self.captions, self.name, self.niche_text]
    }
}

/// Column name of one audience share in the JSON fast field.
pub fn aud_column(dim: Dim, key: &str) -> String {
    format!("{AUD}.{}.{key}", dim.code())
}

/// The four audience dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Country,
    Age,
    Gender,
    Language,
}

impl Dim {
    pub fn code(self) -> &'static str {
        match self {
            Dim::Country => "c",
            Dim::Age => "a",
            Dim::Gender => "g",
            Dim::Language => "l",
        }
    }
}
