//! Turning a run into a plan a manager can read: why each creator is in,
//! why the best others are out, and deduplicated totals.

use super::context::Context;
use super::greedy::{Blocked, Run, Step, Why};
use super::{ChosenCreator, Goal, LeftOut, Plan, PlanRequest, PlanTotals};
use crate::candidate::{Candidate, Tier};
use crate::outcomes::Priors;
use crate::reach::{Load, Objective};
use chorus_core::{CreatorId, Money};

/// Below this share of its standalone value being new, a creator is
/// explained by its overlap with the chosen set.
const OVERLAP_EXPLAINS: f64 = 0.8;

fn unit(ctx: &Context) -> &'static str {
    match ctx.req.goal {
        Goal::UniqueReach => "unique reach",
        Goal::Orders => "orders",
    }
}

/// Goal units per one major currency unit of fee.
fn per_major(ctx: &Context, gain: f64, fee: i64) -> f64 {
    let scale = 10f64.powi(ctx.req.budget.currency.minor_units() as i32);
    gain / (fee.max(1) as f64 / scale)
}

pub(crate) fn blocked_text(ctx: &Context, i: usize, b: &Blocked) -> String {
    let cur = ctx.req.budget.currency;
    match b {
        Blocked::Budget { remaining } => format!(
            "fee {} is more than the {} left",
            ctx.money(ctx.fee(i)),
            Money {
                minor: *remaining,
                currency: cur
            }
        ),
        Blocked::CountMax => format!("creator limit of {} reached", ctx.req.max_creators),
        Blocked::Niche => format!(
            "niche {:?} already has its maximum of {} creators",
            ctx.cands[i].niche.as_deref().unwrap_or(""),
            ctx.req.niche_cap()
        ),
        Blocked::PlatformMax(p) => format!("{p} already has its maximum number of creators"),
        Blocked::Reserve { needed } => format!(
            "would leave too little for the minimum of {} creators (needs {})",
            ctx.req.min_creators,
            Money {
                minor: *needed,
                currency: cur
            }
        ),
        Blocked::NoGain => format!("adds no {} the chosen set does not already have", unit(ctx)),
    }
}

/// The chosen creator that shares most audience with `i`, and that share.
fn most_overlapping(ctx: &Context, i: usize, among: &[usize]) -> Option<(usize, f64)> {
    among
        .iter()
        .filter(|&&j| j != i)
        .map(|&j| {
            (
                j,
                ctx.req
                    .overlap
                    .estimate(&ctx.cands[i], &ctx.cands[j])
                    .fraction,
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

fn overlap_note(ctx: &Context, i: usize, new_share: f64, among: &[usize]) -> String {
    let mut s = format!(
        "{:.0}% of its standalone {} is new",
        new_share * 100.0,
        unit(ctx)
    );
    if new_share < 0.95 {
        if let Some((j, o)) = most_overlapping(ctx, i, among) {
            s += &format!(
                "; overlaps most with @{} ({:.0}% of the smaller audience)",
                ctx.cands[j].handle,
                o * 100.0
            );
        }
    }
    s
}

fn chosen_reason(
    ctx: &Context,
    step: &Step,
    k: usize,
    standalone: f64,
    before: &[usize],
) -> String {
    let i = step.idx;
    let head = match step.why {
        Why::Pinned => "pinned by the manager".to_string(),
        Why::PlatformMin(p) => format!("best {} per cost on {p}, which has a minimum", unit(ctx)),
        Why::Greedy => format!(
            "pick {}: {:.1} {} per {} at +{:.0} for {}",
            k + 1,
            per_major(ctx, step.gain, ctx.fee(i)),
            unit(ctx),
            ctx.req.budget.currency,
            step.gain,
            ctx.money(ctx.fee(i))
        ),
        Why::Single => format!("the single affordable creator with the most {}", unit(ctx)),
    };
    let new_share = if standalone > 0.0 {
        step.gain / standalone
    } else {
        1.0
    };
    format!("{head}; {}", overlap_note(ctx, i, new_share, before))
}

fn left_out_reason(ctx: &Context, run: &Run, goal: &Objective, load: &Load, i: usize) -> String {
    if let Some(r) = &ctx.rejected[i] {
        return r.to_string();
    }
    if let Some(b) = run.blocked.get(&i) {
        return blocked_text(ctx, i, b);
    }
    let standalone = goal.gain(&goal.empty_load(), i);
    let marginal = goal.gain(load, i);
    let share = if standalone > 0.0 {
        marginal / standalone
    } else {
        1.0
    };
    if share < OVERLAP_EXPLAINS {
        return format!(
            "low marginal gain: only {}",
            overlap_note(ctx, i, share, &run.state.chosen)
        );
    }
    let last = run.state.steps.last();
    let last_ratio = last.map_or(0.0, |s| per_major(ctx, s.gain, ctx.fee(s.idx)));
    format!(
        "lower {} per {} ({:.1}) than the chosen (last pick {:.1})",
        unit(ctx),
        ctx.req.budget.currency,
        per_major(ctx, marginal, ctx.fee(i)),
        last_ratio
    )
}

pub(crate) fn build_plan(ctx: &Context, goal: &Objective, run: Run, warnings: Vec<String>) -> Plan {
    let empty = goal.empty_load();
    let mut chosen = Vec::with_capacity(run.state.steps.len());
    for (k, step) in run.state.steps.iter().enumerate() {
        let i = step.idx;
        let standalone = goal.gain(&empty, i);
        chosen.push(ChosenCreator {
            id: ctx.cands[i].id,
            handle: ctx.cands[i].handle.clone(),
            platform: ctx.cands[i].platform,
            fee: ctx.money(ctx.fee(i)),
            outcome: ctx.outcomes[i],
            marginal_gain: step.gain,
            standalone,
            reason: chosen_reason(ctx, step, k, standalone, &run.state.chosen[..k]),
        });
    }
    let left_out = best_left_out(ctx, &run, goal);
    Plan {
        goal: ctx.req.goal,
        variant: run.variant,
        objective: run.value,
        totals: totals(ctx, "plan", &run.state.chosen, Vec::new()),
        chosen,
        left_out,
        warnings,
    }
}

/// The `explain_left_out` creators with the largest standalone value that
/// did not make it, each with its reason.
fn best_left_out(ctx: &Context, run: &Run, goal: &Objective) -> Vec<LeftOut> {
    let n = ctx.req.explain_left_out;
    let empty = goal.empty_load();
    let mut rest: Vec<(f64, usize)> = (0..ctx.cands.len())
        .filter(|&i| !run.state.contains(i))
        .map(|i| (goal.gain(&empty, i), i))
        .collect();
    let by_value = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if rest.len() > n && n > 0 {
        rest.select_nth_unstable_by(n - 1, by_value);
    }
    rest.truncate(n);
    rest.sort_by(by_value);
    let load = &run.state.load;
    rest.iter()
        .map(|&(standalone, i)| LeftOut {
            id: ctx.cands[i].id,
            handle: ctx.cands[i].handle.clone(),
            fee: ctx.fees[i].map(|f| ctx.money(f)),
            standalone,
            reason: left_out_reason(ctx, run, goal, load, i),
        })
        .collect()
}

/// Deduplicated totals of a set of candidate indices.
pub(crate) fn totals(
    ctx: &Context,
    name: &str,
    set: &[usize],
    unknown: Vec<CreatorId>,
) -> PlanTotals {
    let cost: i64 = set
        .iter()
        .filter_map(|&i| ctx.fees[i])
        .fold(0, i64::saturating_add);
    let orders = ctx.metric(|o| o.orders.expected).value(set);
    let cost_per_order = (orders > 1e-9).then(|| ctx.money((cost as f64 / orders).round() as i64));
    PlanTotals {
        name: name.to_string(),
        creators: set.len(),
        cost: ctx.money(cost),
        within_budget: cost <= ctx.req.budget.minor,
        unique_reach: ctx.metric(|o| o.views.expected).value(set),
        views: set.iter().map(|&i| ctx.outcomes[i].views.expected).sum(),
        engagements: set
            .iter()
            .map(|&i| ctx.outcomes[i].engagements.expected)
            .sum(),
        clicks: ctx.metric(|o| o.clicks.expected).value(set),
        orders,
        cost_per_order,
        unknown,
    }
}

/// Totals of named creator lists side by side, under one request's fees and
/// models, e.g. "one mega-creator" vs "forty micro-creators" vs a manual
/// list. Lists are evaluated as given: constraints are not applied.
pub fn compare(
    plans: &[(&str, Vec<CreatorId>)],
    candidates: &[Candidate],
    priors: &Priors,
    req: &PlanRequest,
) -> Vec<PlanTotals> {
    let ctx = Context::new(req, candidates, priors);
    plans
        .iter()
        .map(|(name, ids)| {
            let (set, unknown) = ctx.indices_of(ids);
            totals(&ctx, name, &set, unknown)
        })
        .collect()
}

/// The two stock alternatives for `compare`: the best single creator of the
/// mega tier within the budget, and the best `n` micro-creators.
pub fn mega_and_micro_lists(
    req: &PlanRequest,
    candidates: &[Candidate],
    priors: &Priors,
    n: usize,
) -> [(String, Vec<CreatorId>); 2] {
    let pick = |tiers: Vec<Tier>, count: usize| {
        let mut r = req.clone();
        r.tiers = tiers;
        r.min_creators = count;
        r.max_creators = count;
        r.pinned.clear();
        r.platform_mix.clear();
        r.explain_left_out = 0;
        super::plan(&r, candidates, priors)
            .chosen
            .iter()
            .map(|c| c.id)
            .collect()
    };
    [
        ("one mega-creator".to_string(), pick(vec![Tier::Mega], 1)),
        (format!("{n} micro-creators"), pick(vec![Tier::Micro], n)),
    ]
}
