//! Choose the creators of one wave: maximize expected unique reach or
//! expected orders under a budget and the manager's constraints, and say why
//! each creator is in and why the best others are out.
//!
//! # Algorithm
//! The objective ([`crate::reach`]) is monotone submodular, costs are fees,
//! so this is budgeted submodular maximization. After the seed (pinned
//! creators, then the best creators of each platform with a minimum), three
//! lazy-greedy variants extend it (CELF, Leskovec et al. 2007: marginal gains
//! only shrink, so a stale gain in the priority queue is an upper bound and
//! only the top needs re-evaluating):
//! 1. by marginal gain per unit of fee (cost-benefit greedy),
//! 2. by marginal gain alone (unit-cost greedy),
//! 3. the single best affordable creator.
//!
//! The best of the three is returned. With only the budget as constraint,
//! max(1, 3) is at least `(1 − 1/e)/2 ≈ 0.316` of the optimum (Khuller, Moss
//! & Naor 1999), and max(1, 2) too (Leskovec et al.); with equal fees and a
//! count limit, greedy alone reaches `1 − 1/e` (Nemhauser, Wolsey & Fisher
//! 1978). These hold for the residual problem after the seed. Niche,
//! platform and minimum-count constraints are honoured exactly but void the
//! bounds (they make the feasible sets a non-matroid system).
//!
//! Every constraint only tightens as creators are added, so a creator that
//! fails one is dropped from the queue for good.

mod context;
mod explain;
mod greedy;

pub use explain::{compare, mega_and_micro_lists};

use crate::candidate::{Candidate, TargetAudience, Tier};
use crate::fees::FeeModel;
use crate::outcomes::{Outcome, Priors};
use crate::overlap::OverlapModel;
use crate::reach::ReachParams;
use chorus_core::{CreatorId, Money, Platform};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    UniqueReach,
    Orders,
}

/// Minimum and maximum number of creators on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformMix {
    pub platform: Platform,
    pub min: usize,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRequest {
    pub budget: Money,
    pub goal: Goal,
    pub min_creators: usize,
    pub max_creators: usize,
    /// Largest fee of one creator, in basis points of the budget (10000 = no cap).
    pub max_creator_share_bp: u32,
    /// Minimum audience-quality score; creators without a score are left out.
    pub min_quality: Option<u8>,
    /// Leave out creators with GARM floor-level brand-safety findings.
    pub exclude_floor_safety: bool,
    /// At most this percent of `max_creators` from one niche (at least one).
    pub max_niche_share_pct: u32,
    pub platform_mix: Vec<PlatformMix>,
    /// Only these tiers; empty means all.
    pub tiers: Vec<Tier>,
    pub pinned: Vec<CreatorId>,
    pub excluded: Vec<CreatorId>,
    pub target: TargetAudience,
    /// 0 ignores the target; 1 counts only the on-target share of an audience.
    pub target_fit_weight: f64,
    pub fee_model: FeeModel,
    pub reach: ReachParams,
    pub overlap: OverlapModel,
    /// How many of the best left-out creators to explain.
    pub explain_left_out: usize,
}

impl PlanRequest {
    /// No constraints beyond the budget and a creator count of 1–40.
    pub fn new(budget: Money, goal: Goal) -> PlanRequest {
        PlanRequest {
            budget,
            goal,
            min_creators: 0,
            max_creators: 40,
            max_creator_share_bp: 10_000,
            min_quality: None,
            exclude_floor_safety: true,
            max_niche_share_pct: 100,
            platform_mix: Vec::new(),
            tiers: Vec::new(),
            pinned: Vec::new(),
            excluded: Vec::new(),
            target: TargetAudience::default(),
            target_fit_weight: 0.0,
            fee_model: FeeModel::default(),
            reach: ReachParams::default(),
            overlap: OverlapModel::default(),
            explain_left_out: 10,
        }
    }

    /// Per-niche creator cap derived from `max_niche_share_pct`.
    pub fn niche_cap(&self) -> usize {
        (self.max_creators * self.max_niche_share_pct as usize / 100).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenCreator {
    pub id: CreatorId,
    pub handle: String,
    pub platform: Platform,
    pub fee: Money,
    pub outcome: Outcome,
    /// Goal units this creator adds on top of those chosen before it.
    pub marginal_gain: f64,
    /// Goal units it would bring alone.
    pub standalone: f64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub id: CreatorId,
    pub handle: String,
    pub fee: Option<Money>,
    pub standalone: f64,
    pub reason: String,
}

/// Expected totals of a set of creators, deduplicated where people repeat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanTotals {
    pub name: String,
    pub creators: usize,
    pub cost: Money,
    pub within_budget: bool,
    pub unique_reach: f64,
    /// Views summed without deduplication, for contrast.
    pub views: f64,
    pub engagements: f64,
    pub clicks: f64,
    pub orders: f64,
    /// Estimate, rounded to the minor unit; `None` when no orders expected.
    pub cost_per_order: Option<Money>,
    /// Ids of the list that are not among the candidates.
    pub unknown: Vec<CreatorId>,
}

/// Which variant won; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    GainPerCost,
    Gain,
    BestSingle,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub goal: Goal,
    pub variant: Variant,
    /// Value of the goal objective (unique reach or unique orders).
    pub objective: f64,
    pub chosen: Vec<ChosenCreator>,
    pub left_out: Vec<LeftOut>,
    pub totals: PlanTotals,
    /// Pinned creators that could not go in, unmet minimums.
    pub warnings: Vec<String>,
}

/// Plan the wave; see the module docs for the algorithm and its guarantee.
pub fn plan(req: &PlanRequest, candidates: &[Candidate], priors: &Priors) -> Plan {
    let ctx = context::Context::new(req, candidates, priors);
    let goal = ctx.goal_objective();
    let (seed, mut warnings) = greedy::seed(&ctx, &goal);
    let best = greedy::best_variant(&ctx, &goal, seed);
    if best.state.chosen.len() < req.min_creators {
        warnings.push(format!(
            "only {} creators fit the budget and constraints; at least {} were asked for",
            best.state.chosen.len(),
            req.min_creators
        ));
    }
    explain::build_plan(&ctx, &goal, best, warnings)
}
