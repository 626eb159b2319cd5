//! The wave calendar: a publish time for every deliverable, inside the
//! campaign window and the manager's pattern, with exclusivity conflicts.
//!
//! Deliverables are ordered round-robin by creator (every creator's first
//! deliverable before anyone's second), so a creator's posts spread out and
//! the first hours of a moment carry as many creators as possible.
//! * `Within { hours, anchor }`: all deliverables inside
//!   `[anchor, anchor + hours]` (clipped to the window), evenly spaced at the
//!   centres of `n` equal sub-intervals, for a category-level moment.
//! * `Staggered { every_hours }`: waves `every_hours` apart from the window
//!   start. When the window has fewer waves than deliverables, each wave
//!   carries several: the spacing the manager asked for is kept and nothing
//!   falls outside the window.

use chorus_core::{CreatorId, Platform};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliverable {
    pub id: String,
    pub creator: CreatorId,
    pub platform: Platform,
    /// The brief's due date, if any.
    pub due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pattern {
    Within { hours: u32, anchor: DateTime<Utc> },
    Staggered { every_hours: u32 },
}

/// A creator's promise not to promote `competitor` between `from` and `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusivity {
    pub creator: CreatorId,
    pub competitor: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conflict {
    /// The slot falls inside an exclusivity window for a competitor.
    Exclusivity {
        competitor: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// The slot is later than the brief's due date.
    AfterDue { due: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub deliverable: String,
    pub creator: CreatorId,
    pub platform: Platform,
    pub publish_at: DateTime<Utc>,
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the campaign window ends before it starts")]
    EmptyWindow,
    #[error("the pattern's {hours} hours from {anchor} do not meet the campaign window")]
    AnchorOutsideWindow { hours: u32, anchor: DateTime<Utc> },
    #[error("a staggered pattern needs a step of at least one hour")]
    ZeroStep,
}

/// Assign every deliverable a publish time; see the module docs.
pub fn wave_calendar(
    deliverables: &[Deliverable],
    window: (DateTime<Utc>, DateTime<Utc>),
    pattern: Pattern,
    exclusivity: &[Exclusivity],
) -> Result<Vec<Slot>, CalendarError> {
    let (start, end) = window;
    if end < start {
        return Err(CalendarError::EmptyWindow);
    }
    let order = round_robin(deliverables);
    let times = match pattern {
        Pattern::Within { hours, anchor } => {
            let s = anchor.max(start);
            let e = (anchor + Duration::hours(hours.into())).min(end);
            if e < s {
                return Err(CalendarError::AnchorOutsideWindow { hours, anchor });
            }
            evenly_within(s, e, order.len())
        }
        Pattern::Staggered { every_hours: 0 } => return Err(CalendarError::ZeroStep),
        Pattern::Staggered { every_hours } => {
            staggered(start, end, Duration::hours(every_hours.into()), order.len())
        }
    };
    Ok(order
        .into_iter()
        .zip(times)
        .map(|(d, t)| Slot {
            deliverable: d.id.clone(),
            creator: d.creator,
            platform: d.platform,
            publish_at: t,
            conflicts: conflicts(d, t, exclusivity),
        })
        .collect())
}

/// Every creator's k-th deliverable before anyone's (k+1)-th; creators by
/// id, deliverables by id, so the calendar is deterministic.
fn round_robin(deliverables: &[Deliverable]) -> Vec<&Deliverable> {
    let mut by_creator: BTreeMap<CreatorId, Vec<&Deliverable>> = BTreeMap::new();
    for d in deliverables {
        by_creator.entry(d.creator).or_default().push(d);
    }
    by_creator
        .values_mut()
        .for_each(|v| v.sort_by(|a, b| a.id.cmp(&b.id)));
    let rounds = by_creator.values().map(Vec::len).max().unwrap_or(0);
    (0..rounds)
        .flat_map(|k| by_creator.values().filter_map(move |v| v.get(k).copied()))
        .collect()
}

/// Centres of `n` equal sub-intervals of `[s, e]`, truncated to the minute
/// (never before `s`, since `s` itself may carry seconds).
fn evenly_within(s: DateTime<Utc>, e: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
    let span = (e - s).num_seconds();
    (0..n as i64)
        .map(|k| {
            let t = s + Duration::seconds(span * (2 * k + 1) / (2 * n as i64));
            let floored = t.duration_trunc(Duration::minutes(1)).unwrap_or(t);
            floored.max(s)
        })
        .collect()
}

/// Waves `step` apart from `s`, as many per wave as needed to stay in `[s, e]`.
fn staggered(s: DateTime<Utc>, e: DateTime<Utc>, step: Duration, n: usize) -> Vec<DateTime<Utc>> {
    let waves = ((e - s).num_seconds() / step.num_seconds()) as usize + 1;
    let per_wave = n.div_ceil(waves).max(1);
    (0..n).map(|k| s + step * ((k / per_wave) as i32)).collect()
}

fn conflicts(d: &Deliverable, t: DateTime<Utc>, exclusivity: &[Exclusivity]) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = exclusivity
        .iter()
        .filter(|x| x.creator == d.creator && x.from <= t && t <= x.to)
        .map(|x| Conflict::Exclusivity {
            competitor: x.competitor.clone(),
            from: x.from,
            to: x.to,
        })
        .collect();
    if let Some(due) = d.due.filter(|due| t > *due) {
        out.push(Conflict::AfterDue { due });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
    }

    fn deliverables(creators: i64, each: usize) -> Vec<Deliverable> {
        (0..creators)
            .flat_map(|c| {
                (0..each).map(move |k| Deliverable {
                    id: format!("c{c}-d{k}"),
                    creator: CreatorId(c),
                    platform: Platform::Instagram,
                    due: None,
                })
            })
            .collect()
    }

    #[test]
    fn within_keeps_every_slot_inside_the_moment() {
        let ds = deliverables(40, 2);
        let p = Pattern::Within {
            hours: 72,
            anchor: at(10, 9),
        };
        let slots = wave_calendar(&ds, (at(1, 0), at(28, 0)), p, &[]).unwrap();
        assert_eq!(slots.len(), 80);
        for s in &slots {
            assert!(
                s.publish_at >= at(10, 9) && s.publish_at <= at(13, 9),
                "{s:?}"
            );
        }
        // Round robin: the first 40 slots are 40 different creators.
        let firsts: std::collections::HashSet<_> = slots[..40].iter().map(|s| s.creator).collect();
        assert_eq!(firsts.len(), 40);
    }

    #[test]
    fn staggered_keeps_the_step_and_the_window() {
        let ds = deliverables(10, 1);
        let p = Pattern::Staggered { every_hours: 24 };
        let slots = wave_calendar(&ds, (at(1, 0), at(5, 0)), p, &[]).unwrap();
        // 5 waves of 2.
        let times: Vec<_> = slots.iter().map(|s| s.publish_at).collect();
        assert_eq!(times[0], at(1, 0));
        assert_eq!(times[1], at(1, 0));
        assert_eq!(times[2], at(2, 0));
        assert_eq!(*times.last().unwrap(), at(5, 0));
    }

    #[test]
    fn exclusivity_and_due_dates_are_reported() {
        let mut ds = deliverables(2, 1);
        ds[1].due = Some(at(1, 1));
        let ex = vec![Exclusivity {
            creator: CreatorId(0),
            competitor: "RivalCo".into(),
            from: at(1, 0),
            to: at(3, 0),
        }];
        let p = Pattern::Staggered { every_hours: 24 };
        let slots = wave_calendar(&ds, (at(1, 0), at(10, 0)), p, &ex).unwrap();
        assert!(
            matches!(&slots[0].conflicts[..], [Conflict::Exclusivity { competitor, .. }] if competitor == "RivalCo")
        );
        assert_eq!(
            slots[1].conflicts,
            vec![Conflict::AfterDue { due: at(1, 1) }]
        );
    }

    #[test]
    fn bad_patterns_are_errors() {
        let ds = deliverables(1, 1);
        let w = (at(1, 0), at(5, 0));
        let far = Pattern::Within {
            hours: 72,
            anchor: at(20, 0),
        };
        assert!(wave_calendar(&ds, w, far, &[]).is_err());
        assert!(wave_calendar(&ds, w, Pattern::Staggered { every_hours: 0 }, &[]).is_err());
        assert!(wave_calendar(
            &ds,
            (at(5, 0), at(1, 0)),
            Pattern::Staggered { every_hours: 1 },
            &[]
        )
        .is_err());
    }
}
