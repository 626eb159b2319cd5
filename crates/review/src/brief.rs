//! The part of a campaign brief that the automatic checks read.
//!
//! The brief JSON used by the API carries more (deliverables, usage rights,
//! …); unknown keys are ignored here so the same document can be passed
//! as-is. Every field is optional: a check whose field is absent (or empty)
//! is simply not run.

use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether the caption itself must carry an advertising disclosure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Disclosure {
    /// A disclosure marker (`#ad`, `#Werbung`, "paid partnership", …) must be
    /// visible in the caption. The default, because an undisclosed ad is the
    /// costliest mistake a campaign can make.
    #[default]
    Required,
    /// No caption disclosure is checked (e.g. organic seeding, or the brand
    /// relies on the platform's own paid-partnership label).
    None,
}

/// The fields of a brief that [`crate::check`] reads.
///
/// List fields accept either a JSON list of strings or a single string;
/// `null` counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Brief {
    #[serde(deserialize_with = "one_or_many")]
    pub required_hashtags: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub required_mentions: Vec<String>,
    pub promo_code: Option<String>,
    pub tracking_link: Option<String>,
    /// Covered like one more talking point.
    pub key_message: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub talking_points: Vec<String>,
    /// Words and claims that must not appear ("cure", "clinically proven").
    #[serde(deserialize_with = "one_or_many")]
    pub prohibited: Vec<String>,
    /// Claims the brand's legal team has cleared. A prohibited match that
    /// lies inside an allowed claim is not flagged, so "clinically proven to
    /// reduce redness" can be allowed while "clinically proven" stays banned.
    #[serde(deserialize_with = "one_or_many")]
    pub allowed_claims: Vec<String>,
    /// Brand names or handles (`Nike`, `@nike`, `#nike`) that must not appear.
    #[serde(deserialize_with = "one_or_many")]
    pub competitors: Vec<String>,
    #[serde(deserialize_with = "disclosure_or_null")]
    pub disclosure: Disclosure,
    pub due: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Language hint for stemming and stop words (`"en"`, `"de-AT"`, `"french"`);
    /// English when absent or unknown.
    pub language: Option<String>,
}

/// A brief that could not be read, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("brief field `{path}` (line {line}, column {column}): {message}")]
pub struct BriefError {
    /// Path of the offending field, e.g. `required_hashtags[2]`; `.` for
    /// errors in the document as a whole (bad JSON syntax).
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads a brief from the API's JSON, naming the field and position of the
/// first problem so an author can fix the file without guessing.
pub fn parse_brief(json: &str) -> Result<Brief, BriefError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let brief: Brief = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        BriefError {
            path,
            line: inner.line(),
            column: inner.column(),
            message: strip_position(&inner.to_string()),
        }
    })?;
    de.end().map_err(|inner| BriefError {
        path: ".".into(),
        line: inner.line(),
        column: inner.column(),
        message: strip_position(&inner.to_string()),
    })?;
    Ok(brief)
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    struct OneOrMany;
    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_string()])
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<String>()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    de.deserialize_any(OneOrMany)
}

fn disclosure_or_null<'de, D: Deserializer<'de>>(de: D) -> Result<Disclosure, D::Error> {
    Ok(Option::<Disclosure>::deserialize(de)?.unwrap_or_default())
}

impl Brief {
    /// The promo code, if the brief sets a non-blank one.
    pub(crate) fn code(&self) -> Option<&str> {
        non_blank(self.promo_code.as_deref())
    }

    /// The tracking link, if the brief sets a non-blank one.
    pub(crate) fn link(&self) -> Option<&str> {
        non_blank(self.tracking_link.as_deref())
    }
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_single_strings_and_ignores_unknown_keys() {
        let brief = parse_brief(
            r##"{"required_hashtags": "#trailrunning", "promo_code": "MAYA15",
                "deliverables": [{"platform": "instagram"}], "disclosure": "none"}"##,
        )
        .unwrap();
        assert_eq!(brief.required_hashtags, vec!["#trailrunning"]);
        assert_eq!(brief.code(), Some("MAYA15"));
        assert_eq!(brief.disclosure, Disclosure::None);
    }

    #[test]
    fn null_and_missing_fields_are_absent() {
        let brief = parse_brief(r#"{"talking_points": null, "disclosure": null}"#).unwrap();
        assert_eq!(brief, Brief::default());
    }

    #[test]
    fn errors_name_the_field_and_position() {
        let err = parse_brief("{\n  \"required_hashtags\": [\"#a\", 3]\n}").unwrap_err();
        assert_eq!(err.path, "required_hashtags[1]");
        assert_eq!(err.line, 2);
        let err = parse_brief(r#"{"due": "tomorrow"}"#).unwrap_err();
        assert_eq!(err.path, "due");
        let err = parse_brief(r#"{"disclosure": "maybe"}"#).unwrap_err();
        assert!(err.message.contains("required"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_point_at_the_document() {
        let err = parse_brief("{\"promo_code\": \"A\",}").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.to_string().contains("line 1"));
    }
}
