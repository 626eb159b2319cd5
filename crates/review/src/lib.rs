//! Automatic checks of a creator's caption against its campaign brief, so a
//! reviewer sees at once what is missing or wrong in forty drafts instead of
//! reading each against the brief. Pure: no I/O, no clock.
//!
//! ```
//! let brief = chorus_review::parse_brief(r##"{
//!     "required_hashtags": ["#trailrunning"],
//!     "promo_code": "MAYA15",
//!     "prohibited": ["cure"]
//! }"##).unwrap();
//! let report = chorus_review::check(&brief, "#ad Muddy miles! #TrailRunning code maya15");
//! assert!(report.passed());
//! assert_eq!(report.to_json()["checks"][0]["id"], "disclosure");
//! ```
//!
//! Checks, in report order (each documented in its module under `checks`):
//! `disclosure`, `hashtags`, `mentions`, `link_or_code`, `talking_points`,
//! `prohibited`, `competitors`, `brand_safety`, `deadline`. A check whose
//! brief field is absent or empty is not run; `disclosure` runs unless the
//! brief says `"disclosure": "none"`; `brand_safety` always runs and only
//! ever warns. The verdict fails when any check fails.
//!
//! Evidence spans and the "character N" in messages count Unicode scalar
//! values (chars, not bytes); spans start at 0, messages count from 1.
//!
//! For many captions against one brief, [`compile`] the brief once and call
//! [`CompiledBrief::check`].

mod brief;
mod checks;
mod compiled;
pub mod diff;
mod lexicon;
pub mod live;
mod report;
mod stems;
mod text;

pub use brief::{parse_brief, Brief, BriefError, Disclosure};
pub use checks::disclosure::MORE_CUT;
pub use compiled::{compile, CompiledBrief};
pub use live::{verify_live, LiveCheck, LiveReport, MIN_SIMILARITY_PERCENT};
pub use report::{Check, CheckId, Highlight, Report, Span, Status, Verdict};

use chrono::{DateTime, Utc};

/// Checks a caption, taking the submission time from the brief's
/// `submitted_at` (the deadline check warns when there is none).
pub fn check(brief: &Brief, caption: &str) -> Report {
    check_at(brief, caption, None)
}

/// Checks a caption submitted at `submitted_at` (falls back to the brief's
/// `submitted_at`). Callers that mean "now" pass the clock's time, which
/// keeps this crate free of it.
pub fn check_at(brief: &Brief, caption: &str, submitted_at: Option<DateTime<Utc>>) -> Report {
    compile(brief).check(caption, submitted_at)
}
