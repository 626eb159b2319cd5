//! Creators as they are imported: one record per platform account, with its
//! posts, follower history, audience and follower sample. The same shape is
//! written by `chorus generate creators` and read by `chorus import creators`
//! (NDJSON; CSV carries the flat fields only). See README "Import formats".

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Instagram,
    Tiktok,
    Youtube,
    Twitch,
    X,
    Pinterest,
    Facebook,
}

impl Platform {
    pub const ALL: [Platform; 7] = [
        Platform::Instagram,
        Platform::Tiktok,
        Platform::Youtube,
        Platform::Twitch,
        Platform::X,
        Platform::Pinterest,
        Platform::Facebook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Instagram => "instagram",
            Platform::Tiktok => "tiktok",
            Platform::Youtube => "youtube",
            Platform::Twitch => "twitch",
            Platform::X => "x",
            Platform::Pinterest => "pinterest",
            Platform::Facebook => "facebook",
        }
    }

    /// Platforms where views are the primary reach figure.
    pub fn is_video(self) -> bool {
        matches!(
            self,
            Platform::Tiktok | Platform::Youtube | Platform::Twitch
        )
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let lower = if lower == "twitter" {
            "x".to_string()
        } else {
            lower
        };
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "unknown platform {s:?}; expected one of {}",
                    Platform::ALL.map(Platform::as_str).join(", ")
                )
            })
    }
}

/// Follower tiers. Engagement bands, priors and fees are kept per tier because
/// reach, engagement and price all scale non-linearly with size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// < 10k followers.
    Nano,
    /// 10k – 100k.
    Micro,
    /// 100k – 500k.
    Mid,
    /// 500k – 1M.
    Macro,
    /// ≥ 1M.
    Mega,
}

impl Tier {
    pub const ALL: [Tier; 5] = [Tier::Nano, Tier::Micro, Tier::Mid, Tier::Macro, Tier::Mega];

    pub fn of(followers: u64) -> Tier {
        match followers {
            0..10_000 => Tier::Nano,
            10_000..100_000 => Tier::Micro,
            100_000..500_000 => Tier::Mid,
            500_000..1_000_000 => Tier::Macro,
            _ => Tier::Mega,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Nano => "nano",
            Tier::Micro => "micro",
            Tier::Mid => "mid",
            Tier::Macro => "macro",
            Tier::Mega => "mega",
        }
    }
}

/// Age bands of DESIGN.md, in order.
pub const AGE_BANDS: [&str; 6] = ["13-17", "18-24", "25-34", "35-44", "45-64", "65+"];
pub const GENDERS: [&str; 3] = ["female", "male", "other"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// The platform's post id, or any id unique within the account.
    pub id: String,
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub hashtags: Vec<String>,
    pub published_at: DateTime<Utc>,
    #[serde(default)]
    pub likes: u64,
    #[serde(default)]
    pub comments: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub views: Option<u64>,
    /// Text of some comments, where the source provides them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comment_samples: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FollowerPoint {
    pub date: NaiveDate,
    pub followers: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudienceSource {
    Estimated,
    CreatorAuthorized,
}

/// Audience shares as fractions in 0..=1 keyed by country (ISO 3166 alpha-2),
/// age band, gender and language (ISO 639-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Audience {
    pub source: AudienceSource,
    pub as_of: NaiveDate,
    #[serde(default)]
    pub countries: BTreeMap<String, f64>,
    #[serde(default)]
    pub ages: BTreeMap<String, f64>,
    #[serde(default)]
    pub genders: BTreeMap<String, f64>,
    #[serde(default)]
    pub languages: BTreeMap<String, f64>,
}

/// A profile from the account's follower sample; any field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FollowerProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub following: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posts: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_profile_pic: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_external_url: Option<bool>,
}

/// One platform account of a creator, as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorRecord {
    pub platform: Platform,
    pub handle: String,
    /// Groups several accounts into one creator; defaults to `platform:handle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_key: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub bio: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub followers: u64,
    #[serde(default)]
    pub following: u64,
    #[serde(default)]
    pub post_count: u64,
    /// Topical niche when known (e.g. "trail running").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub niche: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<Post>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follower_history: Vec<FollowerPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follower_sample: Vec<FollowerProfile>,
}

/// One problem with one field of one imported record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Normalize a handle: strip a leading `@`, lower-case, and allow only
/// letters, digits, `.`, `_` and `-`, 1 to 64 characters.
pub fn normalize_handle(raw: &str) -> Result<String, String> {
    let h = raw.trim().trim_start_matches('@').to_lowercase();
    if h.is_empty() {
        return Err("is empty".into());
    }
    if h.chars().count() > 64 {
        return Err("is longer than 64 characters".into());
    }
    if let Some(c) = h
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "contains {c:?}; only letters, digits, '.', '_' and '-' are allowed"
        ));
    }
    Ok(h)
}

fn check_code(field: &str, v: &str, len: usize, errs: &mut Vec<FieldError>) {
    if v.len() != len || !v.chars().all(|c| c.is_ascii_alphabetic()) {
        errs.push(FieldError::new(
            field,
            format!("{v:?} is not a {len}-letter code"),
        ));
    }
}

fn check_shares(field: &str, shares: &BTreeMap<String, f64>, errs: &mut Vec<FieldError>) {
    let mut sum = 0.0;
    for (k, v) in shares {
        if !v.is_finite() || *v < 0.0 || *v > 1.0 {
            errs.push(FieldError::new(
                format!("{field}.{k}"),
                format!("share {v} is not a fraction between 0 and 1"),
            ));
        }
        sum += v;
    }
    if sum > 1.0 + 1e-6 {
        errs.push(FieldError::new(
            field,
            format!("shares sum to {sum:.4}, more than 1"),
        ));
    }
}

impl CreatorRecord {
    /// Check and normalize a record in place; every problem is reported with
    /// its field path, not just the first.
    pub fn validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut errs = Vec::new();
        match normalize_handle(&self.handle) {
            Ok(h) => self.handle = h,
            Err(e) => errs.push(FieldError::new("handle", e)),
        }
        if let Some(c) = &mut self.country {
            *c = c.trim().to_ascii_uppercase();
            check_code("country", c, 2, &mut errs);
        }
        if let Some(l) = &mut self.language {
            *l = l.trim().to_ascii_lowercase();
            check_code("language", l, 2, &mut errs);
        }
        if let Some(e) = &self.email {
            if e.trim().is_empty() {
                self.email = None;
            } else {
                match crate::Email::parse(e) {
                    Ok(ok) => self.email = Some(ok.to_string()),
                    Err(r) => errs.push(FieldError::new("email", r)),
                }
            }
        }
        if self.name.chars().count() > 200 {
            errs.push(FieldError::new("name", "is longer than 200 characters"));
        }
        if self.bio.chars().count() > 2000 {
            errs.push(FieldError::new("bio", "is longer than 2000 characters"));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in self.posts.iter().enumerate() {
            if p.id.trim().is_empty() {
                errs.push(FieldError::new(format!("posts[{i}].id"), "is empty"));
            } else if !seen.insert(p.id.as_str()) {
                errs.push(FieldError::new(
                    format!("posts[{i}].id"),
                    format!("{:?} appears twice", p.id),
                ));
            }
        }
        if let Some(a) = &self.audience {
            check_shares("audience.countries", &a.countries, &mut errs);
            check_shares("audience.ages", &a.ages, &mut errs);
            check_shares("audience.genders", &a.genders, &mut errs);
            check_shares("audience.languages", &a.languages, &mut errs);
            for k in a.ages.keys() {
                if !AGE_BANDS.contains(&k.as_str()) {
                    errs.push(FieldError::new(
                        format!("audience.ages.{k}"),
                        format!("unknown age band; expected one of {}", AGE_BANDS.join(", ")),
                    ));
                }
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    pub fn creator_key(&self) -> String {
        self.creator_key
            .clone()
            .unwrap_or_else(|| format!("{}:{}", self.platform, self.handle))
    }

    pub fn last_post_at(&self) -> Option<DateTime<Utc>> {
        self.posts.iter().map(|p| p.published_at).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> CreatorRecord {
        serde_json::from_str(r#"{"platform":"instagram","handle":"@Trail.Maya","followers":23000}"#)
            .unwrap()
    }

    #[test]
    fn handles_are_normalized() {
        let mut r = minimal();
        r.validate().unwrap();
        assert_eq!(r.handle, "trail.maya");
        assert_eq!(r.creator_key(), "instagram:trail.maya");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut r = minimal();
        r.handle = "bad handle!".into();
        r.country = Some("USA".into());
        r.email = Some("nope".into());
        let errs = r.validate().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["handle", "country", "email"]);
    }

    #[test]
    fn audience_shares_must_be_fractions() {
        let mut r = minimal();
        r.audience = Some(Audience {
            source: AudienceSource::Estimated,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            countries: [("US".into(), 0.7), ("CA".into(), 0.6)].into(),
            ages: [("18-20".into(), 0.1)].into(),
            genders: BTreeMap::new(),
            languages: BTreeMap::new(),
        });
        let errs = r.validate().unwrap_err();
        assert!(errs.iter().any(|e| e.field == "audience.countries"));
        assert!(errs.iter().any(|e| e.field == "audience.ages.18-20"));
    }

    #[test]
    fn twitter_is_x() {
        assert_eq!("Twitter".parse::<Platform>().unwrap(), Platform::X);
        assert!("myspace".parse::<Platform>().is_err());
    }
}
