//! The campaign brief (DESIGN.md, "Brief") and merge fields.
//!
//! The brief serializes to a superset of the review engine's brief format
//! (`chorus_review::Brief`), so a member's rendered brief can be handed to
//! the automatic checks as-is. Text fields may carry merge fields such as
//! `{{creator_name}}`; an unknown merge field is an error that names it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FORMATS: [&str; 5] = ["reel", "story", "short", "video", "post"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliverableSpec {
    pub platform: String,
    /// reel, story, short, video or post.
    pub format: String,
    pub count: u32,
    pub due: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignBrief {
    pub key_message: Option<String>,
    pub talking_points: Vec<String>,
    /// `required` (default) or `none`: whether the caption must disclose.
    pub disclosure: chorus_review::Disclosure,
    /// The disclosure the brand asks for, e.g. `#ad` or the platform's
    /// paid-partnership label.
    pub disclosure_text: Option<String>,
    pub required_hashtags: Vec<String>,
    pub required_mentions: Vec<String>,
    pub tracking_link: Option<String>,
    pub promo_code: Option<String>,
    pub prohibited: Vec<String>,
    pub allowed_claims: Vec<String>,
    pub competitors: Vec<String>,
    pub deliverables: Vec<DeliverableSpec>,
    pub creative_freedom: Option<String>,
    pub usage_rights: Option<String>,
    /// The last deliverable's due date as an instant, for the deadline check.
    pub due: Option<DateTime<Utc>>,
    pub language: Option<String>,
}

/// A merge field in a brief or contract that we do not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("unknown merge field {{{{{0}}}}} (known: {1})")]
    Unknown(String, String),
    #[error("unclosed merge field starting at character {0}: close it with }}}}")]
    Unclosed(usize),
}

/// The values merge fields are replaced with, for one member.
pub type MergeValues = BTreeMap<&'static str, String>;

pub const MERGE_FIELDS: [&str; 7] = [
    "creator_name",
    "handle",
    "fee",
    "deliverables",
    "due_dates",
    "tracking_link",
    "promo_code",
];

/// Replace every `{{ name }}` in `text`; names not in `values` are errors.
pub fn merge(text: &str, values: &MergeValues) -> Result<String, MergeError> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(MergeError::Unclosed(text[..offset + start].chars().count()));
        };
        let name = after[..end].trim();
        match values.get(name) {
            Some(v) => out.push_str(v),
            None => {
                let known: Vec<&str> = values.keys().copied().collect();
                return Err(MergeError::Unknown(name.to_string(), known.join(", ")));
            }
        }
        let consumed = start + 2 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    Ok(out)
}

impl CampaignBrief {
    pub fn parse(json: &str) -> Result<CampaignBrief, String> {
        if json.trim().is_empty() {
            return Ok(CampaignBrief::default());
        }
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error_lite(&mut de)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// "2 × instagram reel (due 2026-05-01), 1 × tiktok short".
    pub fn deliverables_text(&self) -> String {
        let parts: Vec<String> = self
            .deliverables
            .iter()
            .map(|d| {
                let due = d.due.map(|d| format!(" (due {d})")).unwrap_or_default();
                format!("{} × {} {}{due}", d.count.max(1), d.platform, d.format)
            })
            .collect();
        if parts.is_empty() {
            "as agreed".into()
        } else {
            parts.join(", ")
        }
    }

    pub fn due_dates_text(&self) -> String {
        let mut dates: Vec<NaiveDate> = self.deliverables.iter().filter_map(|d| d.due).collect();
        dates.sort();
        dates.dedup();
        if dates.is_empty() {
            "to be agreed".into()
        } else {
            dates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    /// Check the brief's own values before it is stored.
    pub fn validate(&self) -> Result<(), String> {
        for (i, d) in self.deliverables.iter().enumerate() {
            if d.platform.trim().is_empty() {
                return Err(format!("deliverables[{i}].platform: name the platform"));
            }
            if !FORMATS.contains(&d.format.as_str()) {
                return Err(format!(
                    "deliverables[{i}].format: {:?} is not one of {}",
                    d.format,
                    FORMATS.join(", ")
                ));
            }
        }
        // Merge fields must be known ones, whatever the member.
        let probe: MergeValues = MERGE_FIELDS.iter().map(|k| (*k, String::new())).collect();
        self.render(&probe).map(|_| ()).map_err(|e| e.to_string())
    }

    /// The brief one member sees: merge fields replaced in every text, the
    /// member's own tracking link and promo code filled in, and `due` set to
    /// the last deliverable's date so the deadline check can run.
    pub fn render(&self, values: &MergeValues) -> Result<CampaignBrief, MergeError> {
        let m = |s: &Option<String>| s.as_deref().map(|t| merge(t, values)).transpose();
        let ml = |v: &Vec<String>| v.iter().map(|t| merge(t, values)).collect::<Result<_, _>>();
        let mut b = CampaignBrief {
            key_message: m(&self.key_message)?,
            talking_points: ml(&self.talking_points)?,
            disclosure: self.disclosure,
            disclosure_text: m(&self.disclosure_text)?,
            required_hashtags: ml(&self.required_hashtags)?,
            required_mentions: ml(&self.required_mentions)?,
            tracking_link: m(&self.tracking_link)?,
            promo_code: m(&self.promo_code)?,
            prohibited: ml(&self.prohibited)?,
            allowed_claims: ml(&self.allowed_claims)?,
            competitors: ml(&self.competitors)?,
            deliverables: self.deliverables.clone(),
            creative_freedom: m(&self.creative_freedom)?,
            usage_rights: m(&self.usage_rights)?,
            due: self.due,
            language: self.language.clone(),
        };
        for (key, field) in [
            ("tracking_link", &mut b.tracking_link),
            ("promo_code", &mut b.promo_code),
        ] {
            if let Some(v) = values.get(key).filter(|v| !v.is_empty()) {
                *field = Some(v.clone());
            }
            // A merge field that rendered to nothing leaves no link or code to check.
            if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *field = None;
            }
        }
        if b.due.is_none() {
            b.due = self
                .deliverables
                .iter()
                .filter_map(|d| d.due)
                .max()
                .and_then(|d| d.and_hms_opt(23, 59, 59))
                .map(|t| t.and_utc());
        }
        Ok(b)
    }
}

/// serde_json with the failing field's path in the message.
fn serde_path_to_error_lite(
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
) -> Result<CampaignBrief, String> {
    let v: serde_json::Value =
        serde::Deserialize::deserialize(&mut *de).map_err(|e| format!("brief: {e}"))?;
    serde_json::from_value(v).map_err(|e| format!("brief: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> MergeValues {
        let mut v = MergeValues::new();
        v.insert("creator_name", "Maya".into());
        v.insert("handle", "@maya".into());
        v.insert("fee", "800.00 USD".into());
        v.insert("tracking_link", "https://go.test/maya".into());
        v.insert("promo_code", "MAYA15".into());
        v
    }

    #[test]
    fn merge_fields_are_replaced_with_or_without_spaces() {
        let out = merge(
            "Hi {{creator_name}} ({{ handle }}), fee {{fee}}.",
            &values(),
        )
        .unwrap();
        assert_eq!(out, "Hi Maya (@maya), fee 800.00 USD.");
        assert_eq!(merge("no fields", &values()).unwrap(), "no fields");
    }

    #[test]
    fn unknown_merge_field_is_named() {
        let err = merge("Hi {{first_name}}", &values()).unwrap_err();
        assert!(matches!(&err, MergeError::Unknown(n, _) if n == "first_name"));
        assert!(err.to_string().contains("{{first_name}}"), "{err}");
        assert!(matches!(
            merge("Hi {{handle", &values()),
            Err(MergeError::Unclosed(3))
        ));
    }

    fn sample() -> CampaignBrief {
        CampaignBrief::parse(
            r##"{"key_message": "{{creator_name}}, show the grip", "talking_points": ["Use {{promo_code}}"],
                "disclosure_text": "#ad", "required_hashtags": ["#trail"], "promo_code": "SPRING",
                "prohibited": ["cure"], "deliverables": [{"platform": "instagram", "format": "reel", "count": 2, "due": "2026-05-01"},
                {"platform": "tiktok", "format": "short", "count": 1, "due": "2026-04-20"}],
                "creative_freedom": "Your voice", "usage_rights": "90 days organic"}"##,
        )
        .unwrap()
    }

    #[test]
    fn a_rendered_brief_is_read_by_the_review_engine() {
        let b = sample();
        b.validate().unwrap();
        let r = b.render(&values()).unwrap();
        assert_eq!(r.key_message.as_deref(), Some("Maya, show the grip"));
        assert_eq!(r.talking_points, vec!["Use MAYA15"]);
        assert_eq!(
            r.promo_code.as_deref(),
            Some("MAYA15"),
            "the member's own code wins"
        );
        let review = chorus_review::parse_brief(&r.to_json()).unwrap();
        assert_eq!(review.promo_code.as_deref(), Some("MAYA15"));
        assert_eq!(review.required_hashtags, vec!["#trail"]);
        assert_eq!(review.prohibited, vec!["cure"]);
        assert_eq!(
            review.due.unwrap().to_rfc3339(),
            "2026-05-01T23:59:59+00:00"
        );
        let report = chorus_review::check(&review, "#ad trail day #trail with code MAYA15");
        assert!(!report.checks.is_empty());
    }

    #[test]
    fn deliverables_and_dates_read_well() {
        let b = sample();
        assert_eq!(
            b.deliverables_text(),
            "2 × instagram reel (due 2026-05-01), 1 × tiktok short (due 2026-04-20)"
        );
        assert_eq!(b.due_dates_text(), "2026-04-20, 2026-05-01");
    }

    #[test]
    fn validation_names_the_problem() {
        let mut b = sample();
        b.deliverables[0].format = "tweet".into();
        assert!(b.validate().unwrap_err().contains("deliverables[0].format"));
        let mut b = sample();
        b.usage_rights = Some("{{brand_name}}".into());
        assert!(b.validate().unwrap_err().contains("brand_name"));
    }
}
