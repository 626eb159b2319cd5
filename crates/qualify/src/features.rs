//! One feature vector for every source of follower profiles.
//!
//! The two labeled datasets describe accounts differently: instafake has
//! username length and digit count and privacy but no link; purba has bio
//! length, picture and link but no username and no privacy. A live follower
//! sample may have any subset. So every source is mapped to the same vector
//! and an absent field is `NaN`, which the trees route explicitly (a learned
//! "missing" branch per split) instead of imputing a made-up value.

use chorus_core::creator::FollowerProfile;

/// Names of the profile features, in vector order; stored in the model file so
/// a model and the code that feeds it cannot silently disagree.
pub const PROFILE_FEATURES: [&str; 12] = [
    "log_followers",
    "log_following",
    "log_posts",
    "log_followers_per_following",
    "log_posts_per_follower",
    "bio_length",
    "username_length",
    "username_digits",
    "username_digit_share",
    "has_profile_pic",
    "is_private",
    "has_external_url",
];

/// Raw profile fields as numbers; `None` = unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProfileFields {
    pub followers: Option<f64>,
    pub following: Option<f64>,
    pub posts: Option<f64>,
    pub bio_length: Option<f64>,
    pub username_length: Option<f64>,
    pub username_digits: Option<f64>,
    pub has_profile_pic: Option<bool>,
    pub is_private: Option<bool>,
    pub has_external_url: Option<bool>,
}

impl ProfileFields {
    pub fn from_profile(p: &FollowerProfile) -> ProfileFields {
        let name = p
            .username
            .as_deref()
            .map(|u| u.trim().trim_start_matches('@'));
        ProfileFields {
            followers: p.followers.map(|v| v as f64),
            following: p.following.map(|v| v as f64),
            posts: p.posts.map(|v| v as f64),
            bio_length: p.bio.as_deref().map(|b| b.trim().chars().count() as f64),
            username_length: name.map(|u| u.chars().count() as f64),
            username_digits: name.map(|u| u.chars().filter(char::is_ascii_digit).count() as f64),
            has_profile_pic: p.has_profile_pic,
            is_private: p.is_private,
            has_external_url: p.has_external_url,
        }
    }

    /// The model input, in [`PROFILE_FEATURES`] order.
    pub fn to_vector(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(PROFILE_FEATURES.len());
        self.push_vector(&mut v);
        v
    }

    /// Append the model input to `out` (for building a batch without an
    /// allocation per profile).
    pub fn push_vector(&self, out: &mut Vec<f64>) {
        let o = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let b = |v: Option<bool>| v.map_or(f64::NAN, |b| b as u8 as f64);
        let ln1p = |v: Option<f64>| v.map_or(f64::NAN, f64::ln_1p);
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a + 1.0).ln() - (b + 1.0).ln(),
            _ => f64::NAN,
        };
        let digit_share = match (self.username_digits, self.username_length) {
            (Some(d), Some(l)) if l > 0.0 => d / l,
            _ => f64::NAN,
        };
        out.extend_from_slice(&[
            ln1p(self.followers),
            ln1p(self.following),
            ln1p(self.posts),
            ratio(self.followers, self.following),
            ratio(self.posts, self.followers),
            o(self.bio_length),
            o(self.username_length),
            o(self.username_digits),
            digit_share,
            b(self.has_profile_pic),
            b(self.is_private),
            b(self.has_external_url),
        ]);
    }
}

pub fn profile_vector(p: &FollowerProfile) -> Vec<f64> {
    ProfileFields::from_profile(p).to_vector()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_are_nan_not_zero() {
        let v = profile_vector(&FollowerProfile {
            username: Some("ab12".into()),
            followers: Some(10),
            ..Default::default()
        });
        assert_eq!(v.len(), PROFILE_FEATURES.len());
        assert!((v[0] - 11f64.ln()).abs() < 1e-12);
        assert!(v[1].is_nan() && v[3].is_nan() && v[5].is_nan() && v[9].is_nan());
        assert_eq!((v[6], v[7], v[8]), (4.0, 2.0, 0.5));
    }
}
