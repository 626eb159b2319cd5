//! Portfolio: plan a forty-creator wave for a budget.
//!
//! Pure engines, no I/O:
//! - [`outcomes`]: expected views, engagements, clicks and orders of one
//!   deliverable, from priors learned from the store and the organization's
//!   own past campaigns; [`fees`]: what a creator will cost.
//! - [`overlap`]: how much two creators' audiences overlap; [`reach`]: the
//!   expected unique reach of a set (monotone submodular).
//! - [`planner`]: the budgeted, constrained, explained selection, and side by
//!   side comparison of alternative lists.
//! - [`calendar`]: publish times for the wave, with exclusivity conflicts.
//! - [`bench`]: synthetic candidates and the `chorus bench plan` figures.

pub mod bench;
pub mod calendar;
pub mod candidate;
pub mod fees;
pub mod outcomes;
pub mod overlap;
pub mod planner;
pub mod reach;

pub use bench::{bench_plan, synthetic_candidates};
pub use calendar::{
    wave_calendar, CalendarError, Conflict, Deliverable, Exclusivity, Pattern, Slot,
};
pub use candidate::{Candidate, TargetAudience, Tier};
pub use fees::{FeeModel, FeeRule};
pub use outcomes::{
    expected_outcome, learn_priors, AccountStats, Estimate, Outcome, PastResult, Priors,
};
pub use overlap::{pairwise_overlap, OverlapEstimate, OverlapModel};
pub use planner::{
    compare, mega_and_micro_lists, plan, ChosenCreator, Goal, LeftOut, Plan, PlanRequest,
    PlanTotals, PlatformMix, Variant,
};
pub use reach::{ReachModel, ReachParams};
