//! Was the draft submitted by the brief's due time?
//!
//! The submission time is a parameter (the engine never reads the clock);
//! without one the check warns instead of guessing.

use crate::report::{Check, CheckId, Status};
use chrono::{DateTime, TimeDelta, Utc};

pub(crate) fn check(due: DateTime<Utc>, submitted: Option<DateTime<Utc>>) -> Check {
    let due_s = due.format("%Y-%m-%d %H:%M UTC");
    let (status, message) = match submitted {
        None => (
            Status::Warn,
            format!("no submission time given; cannot compare with the due time {due_s}"),
        ),
        Some(at) if at <= due => (
            Status::Pass,
            format!("submitted {} before the due time {due_s}", human(due - at)),
        ),
        Some(at) => (
            Status::Fail,
            format!(
                "submitted {} late (due {due_s}, submitted {}); agree a new date with the brand",
                human(at - due),
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
    };
    Check {
        id: CheckId::Deadline,
        status,
        evidence: Vec::new(),
        message,
    }
}

/// "2 days 3 h", "45 min", "20 s": the two largest units are enough.
fn human(d: TimeDelta) -> String {
    let s = d.num_seconds();
    let (days, hours, mins) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, h, _) => format!("1 day {h} h"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn on_time_late_and_unknown() {
        let due = t("2024-05-01T17:00:00Z");
        assert_eq!(check(due, Some(due)).status, Status::Pass);
        let late = check(due, Some(t("2024-05-03T20:30:00Z")));
        assert_eq!(late.status, Status::Fail);
        assert!(
            late.message.starts_with("submitted 2 days 3 h late"),
            "{}",
            late.message
        );
        assert_eq!(check(due, None).status, Status::Warn);
        assert_eq!(human(TimeDelta::minutes(90)), "1 h 30 min");
    }
}
