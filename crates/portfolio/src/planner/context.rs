//! Everything the planner derives from the request and candidates once:
//! fees, outcomes, eligibility, and the reach model.

use super::{Goal, PlanRequest};
use crate::candidate::Candidate;
use crate::outcomes::{expected_outcome, Outcome, Priors};
use crate::reach::{Objective, ReachModel};
use chorus_core::{CreatorId, Money};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Why a candidate cannot be in any plan for this request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rejection {
    Excluded,
    NoFee,
    Currency(Money),
    OverShare(Money),
    QualityUnknown,
    LowQuality(u8),
    FloorSafety,
    Tier,
    PlatformClosed,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Excluded => write!(f, "excluded by the manager"),
            Rejection::NoFee => write!(f, "no rate card and no fee rule for its platform and tier"),
            Rejection::Currency(m) => {
                write!(f, "rate card is in {} but the budget is not", m.currency)
            }
            Rejection::OverShare(m) => write!(f, "fee {m} exceeds the per-creator budget share"),
            Rejection::QualityUnknown => write!(f, "audience-quality score not computed yet"),
            Rejection::LowQuality(q) => write!(f, "audience-quality score {q} below the minimum"),
            Rejection::FloorSafety => write!(f, "floor-level brand-safety findings"),
            Rejection::Tier => write!(f, "follower tier not in this plan"),
            Rejection::PlatformClosed => write!(f, "platform mix allows none on its platform"),
        }
    }
}

pub(crate) struct Context<'a> {
    pub req: &'a PlanRequest,
    pub cands: &'a [Candidate],
    pub outcomes: Vec<Outcome>,
    /// Fee in minor units of the budget currency, when known.
    pub fees: Vec<Option<i64>>,
    pub rejected: Vec<Option<Rejection>>,
    pub eligible: Vec<usize>,
    /// Interned lower-case niche, for the per-niche cap.
    pub niche: Vec<Option<u32>>,
    pub model: ReachModel,
    /// Multiplier of the goal value for target-audience fit.
    pub fit: Vec<f64>,
    /// Eligible (fee, index), cheapest first, for the minimum-count reserve.
    pub cheapest: Vec<(i64, usize)>,
}

impl<'a> Context<'a> {
    pub fn new(req: &'a PlanRequest, cands: &'a [Candidate], priors: &Priors) -> Context<'a> {
        let outcomes: Vec<Outcome> = cands.iter().map(|c| expected_outcome(c, priors)).collect();
        let views: Vec<f64> = outcomes.iter().map(|o| o.views.expected).collect();
        let mut model = ReachModel::new(cands, &views, &req.reach);
        model.calibrate(cands, &req.overlap, 2_000);
        let fees: Vec<Option<Money>> = cands.iter().map(|c| req.fee_model.fee(c)).collect();
        let excluded: HashSet<CreatorId> = req.excluded.iter().copied().collect();
        let rejected: Vec<Option<Rejection>> = cands
            .iter()
            .zip(&fees)
            .map(|(c, f)| eligibility(req, &excluded, c, *f).err())
            .collect();
        let eligible: Vec<usize> = (0..cands.len())
            .filter(|&i| rejected[i].is_none())
            .collect();
        let fees: Vec<Option<i64>> = fees
            .iter()
            .map(|f| {
                f.filter(|m| m.currency == req.budget.currency)
                    .map(|m| m.minor.max(0))
            })
            .collect();
        let mut cheapest: Vec<(i64, usize)> = eligible
            .iter()
            .filter_map(|&i| fees[i].map(|f| (f, i)))
            .collect();
        cheapest.sort_unstable();
        Context {
            req,
            cands,
            outcomes,
            fit: fit_multipliers(req, cands),
            niche: intern_niches(cands),
            fees,
            rejected,
            eligible,
            model,
            cheapest,
        }
    }

    pub fn fee(&self, i: usize) -> i64 {
        self.fees[i].unwrap_or(i64::MAX)
    }

    pub fn money(&self, minor: i64) -> Money {
        Money {
            minor,
            currency: self.req.budget.currency,
        }
    }

    pub fn goal_objective(&self) -> Objective<'_> {
        let values: Vec<f64> = (0..self.cands.len())
            .map(|i| {
                let o = &self.outcomes[i];
                let v = match self.req.goal {
                    Goal::UniqueReach => o.views.expected,
                    Goal::Orders => o.orders.expected,
                };
                v * self.fit[i]
            })
            .collect();
        self.model.objective(&values)
    }

    /// Objective over one outcome field, for totals.
    pub fn metric(&self, f: impl Fn(&Outcome) -> f64) -> Objective<'_> {
        let values: Vec<f64> = self.outcomes.iter().map(f).collect();
        self.model.objective(&values)
    }

    pub fn indices_of(&self, ids: &[CreatorId]) -> (Vec<usize>, Vec<CreatorId>) {
        let mut by_id: HashMap<CreatorId, Vec<usize>> = HashMap::new();
        for (i, c) in self.cands.iter().enumerate() {
            by_id.entry(c.id).or_default().push(i);
        }
        let (mut found, mut unknown) = (Vec::new(), Vec::new());
        let mut seen = HashSet::new();
        for id in ids {
            match by_id.get(id) {
                Some(v) => found.extend(v.iter().filter(|i| seen.insert(**i))),
                None => unknown.push(*id),
            }
        }
        (found, unknown)
    }
}

fn eligibility(
    req: &PlanRequest,
    excluded: &HashSet<CreatorId>,
    c: &Candidate,
    fee: Option<Money>,
) -> Result<(), Rejection> {
    if excluded.contains(&c.id) {
        return Err(Rejection::Excluded);
    }
    let fee = fee.ok_or(Rejection::NoFee)?;
    if fee.currency != req.budget.currency {
        return Err(Rejection::Currency(fee));
    }
    let cap = req.budget.minor as i128 * req.max_creator_share_bp as i128;
    if fee.minor as i128 * 10_000 > cap {
        return Err(Rejection::OverShare(fee));
    }
    if let Some(min) = req.min_quality {
        match c.quality {
            None => return Err(Rejection::QualityUnknown),
            Some(q) if q < min => return Err(Rejection::LowQuality(q)),
            _ => {}
        }
    }
    if req.exclude_floor_safety && c.floor_safety {
        return Err(Rejection::FloorSafety);
    }
    if !req.tiers.is_empty() && !req.tiers.contains(&c.tier()) {
        return Err(Rejection::Tier);
    }
    if req
        .platform_mix
        .iter()
        .any(|m| m.platform == c.platform && m.max == 0)
    {
        return Err(Rejection::PlatformClosed);
    }
    Ok(())
}

/// `1 − w + w·fit`; a candidate without audience data gets the mean fit of
/// those with data, so missing data neither wins nor loses by default.
fn fit_multipliers(req: &PlanRequest, cands: &[Candidate]) -> Vec<f64> {
    let w = req.target_fit_weight.clamp(0.0, 1.0);
    if w == 0.0 || req.target.is_any() {
        return vec![1.0; cands.len()];
    }
    let fits: Vec<Option<f64>> = cands
        .iter()
        .map(|c| req.target.fit(c.audience.as_ref()))
        .collect();
    let known: Vec<f64> = fits.iter().flatten().copied().collect();
    let mean = if known.is_empty() {
        0.5
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    fits.iter()
        .map(|f| 1.0 - w + w * f.unwrap_or(mean))
        .collect()
}

fn intern_niches(cands: &[Candidate]) -> Vec<Option<u32>> {
    let mut ids: HashMap<String, u32> = HashMap::new();
    cands
        .iter()
        .map(|c| {
            c.niche.as_deref().map(|n| {
                let next = ids.len() as u32;
                *ids.entry(n.trim().to_lowercase()).or_insert(next)
            })
        })
        .collect()
}
