//! The selection itself: seeding, the lazy-greedy variants, best singleton.

use super::context::Context;
use super::Variant;
use crate::reach::{Load, Objective};
use chorus_core::Platform;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// Below this marginal gain a creator adds nothing worth paying for.
const MIN_GAIN: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Why {
    Pinned,
    PlatformMin(Platform),
    Greedy,
    Single,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub idx: usize,
    pub gain: f64,
    pub why: Why,
}

/// Why a constraint stopped an eligible creator in one run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Blocked {
    Budget { remaining: i64 },
    CountMax,
    Niche,
    PlatformMax(Platform),
    Reserve { needed: i64 },
    NoGain,
}

#[derive(Clone)]
pub(crate) struct State {
    pub chosen: Vec<usize>,
    pub steps: Vec<Step>,
    pub load: Load,
    pub spent: i64,
    in_set: Vec<bool>,
    per_niche: HashMap<u32, usize>,
    per_platform: HashMap<Platform, usize>,
}

impl State {
    fn new(ctx: &Context, goal: &Objective) -> State {
        State {
            chosen: Vec::new(),
            steps: Vec::new(),
            load: goal.empty_load(),
            spent: 0,
            in_set: vec![false; ctx.cands.len()],
            per_niche: HashMap::new(),
            per_platform: HashMap::new(),
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        self.in_set[i]
    }

    fn add(&mut self, ctx: &Context, goal: &Objective, i: usize, gain: f64, why: Why) {
        goal.add(&mut self.load, i);
        self.spent += ctx.fee(i);
        self.in_set[i] = true;
        self.chosen.push(i);
        self.steps.push(Step { idx: i, gain, why });
        if let Some(n) = ctx.niche[i] {
            *self.per_niche.entry(n).or_default() += 1;
        }
        *self.per_platform.entry(ctx.cands[i].platform).or_default() += 1;
    }

    fn count_on(&self, p: Platform) -> usize {
        self.per_platform.get(&p).copied().unwrap_or(0)
    }

    /// Constraints that only tighten as the set grows (so a failure is final).
    pub fn check(&self, ctx: &Context, i: usize, reserve: bool) -> Result<(), Blocked> {
        let remaining = ctx.req.budget.minor - self.spent;
        let fee = ctx.fee(i);
        if fee > remaining {
            return Err(Blocked::Budget { remaining });
        }
        if self.chosen.len() >= ctx.req.max_creators {
            return Err(Blocked::CountMax);
        }
        if let Some(n) = ctx.niche[i] {
            if self.per_niche.get(&n).copied().unwrap_or(0) >= ctx.req.niche_cap() {
                return Err(Blocked::Niche);
            }
        }
        let p = ctx.cands[i].platform;
        if let Some(m) = ctx.req.platform_mix.iter().find(|m| m.platform == p) {
            if self.count_on(p) >= m.max {
                return Err(Blocked::PlatformMax(p));
            }
        }
        let still_needed = ctx.req.min_creators.saturating_sub(self.chosen.len() + 1);
        if reserve && still_needed > 0 {
            let needed = fee.saturating_add(self.reserve(ctx, still_needed, i));
            if needed > remaining {
                return Err(Blocked::Reserve { needed });
            }
        }
        Ok(())
    }

    /// Cheapest total of `k` more eligible creators outside the set and `i`;
    /// keeps greedy from spending the money the minimum count needs. Never
    /// decreases as the set grows, so the check above stays final.
    fn reserve(&self, ctx: &Context, k: usize, i: usize) -> i64 {
        let (count, total) = ctx
            .cheapest
            .iter()
            .filter(|(_, j)| *j != i && !self.in_set[*j])
            .take(k)
            .fold((0, 0i64), |(n, t), (f, _)| (n + 1, t.saturating_add(*f)));
        // Too few creators left at all: the minimum is out of reach anyway,
        // so reserve nothing rather than block everyone.
        if count < k {
            0
        } else {
            total
        }
    }
}

/// Pinned creators first, then each platform's minimum by gain per cost.
pub(crate) fn seed(ctx: &Context, goal: &Objective) -> (State, Vec<String>) {
    let mut st = State::new(ctx, goal);
    let mut warnings = Vec::new();
    let (pinned, unknown) = ctx.indices_of(&ctx.req.pinned);
    for id in unknown {
        warnings.push(format!("pinned creator {id} is not among the candidates"));
    }
    for i in pinned {
        let handle = &ctx.cands[i].handle;
        if let Some(r) = &ctx.rejected[i] {
            warnings.push(format!("pinned @{handle} left out: {r}"));
        } else if let Err(b) = st.check(ctx, i, false) {
            warnings.push(format!(
                "pinned @{handle} left out: {}",
                super::explain::blocked_text(ctx, i, &b)
            ));
        } else {
            let g = goal.gain(&st.load, i);
            st.add(ctx, goal, i, g, Why::Pinned);
        }
    }
    for m in &ctx.req.platform_mix {
        while st.count_on(m.platform) < m.min {
            let best = ctx
                .eligible
                .iter()
                .filter(|&&i| ctx.cands[i].platform == m.platform && !st.contains(i))
                .filter(|&&i| st.check(ctx, i, false).is_ok())
                .map(|&i| (goal.gain(&st.load, i), i))
                .max_by(|a, b| ratio(ctx, a).total_cmp(&ratio(ctx, b)).then(b.1.cmp(&a.1)));
            let Some((g, i)) = best else {
                warnings.push(format!(
                    "could not reach the minimum of {} creators on {}",
                    m.min, m.platform
                ));
                break;
            };
            st.add(ctx, goal, i, g, Why::PlatformMin(m.platform));
        }
    }
    (st, warnings)
}

fn ratio(ctx: &Context, (gain, i): &(f64, usize)) -> f64 {
    gain / ctx.fee(*i).max(1) as f64
}

/// One finished variant.
pub(crate) struct Run {
    pub variant: Variant,
    pub state: State,
    pub blocked: HashMap<usize, Blocked>,
    pub value: f64,
}

struct Entry {
    key: f64,
    idx: usize,
    round: usize,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    /// Highest key first; on ties the lower index, so output is deterministic.
    fn cmp(&self, o: &Self) -> Ordering {
        self.key.total_cmp(&o.key).then(o.idx.cmp(&self.idx))
    }
}

/// CELF lazy greedy from `st`, keyed by gain per cost or by gain.
fn lazy_greedy(ctx: &Context, goal: &Objective, mut st: State, per_cost: bool) -> Run {
    let key = |g: f64, i: usize| {
        if per_cost {
            g / ctx.fee(i).max(1) as f64
        } else {
            g
        }
    };
    let round = st.chosen.len();
    let mut heap: BinaryHeap<Entry> = ctx
        .eligible
        .iter()
        .filter(|&&i| !st.contains(i))
        .map(|&i| Entry {
            key: key(goal.gain(&st.load, i), i),
            idx: i,
            round,
        })
        .collect();
    let mut blocked = HashMap::new();
    while let Some(e) = heap.pop() {
        if e.round != st.chosen.len() {
            let g = goal.gain(&st.load, e.idx);
            heap.push(Entry {
                key: key(g, e.idx),
                round: st.chosen.len(),
                ..e
            });
            continue;
        }
        if let Err(b) = st.check(ctx, e.idx, true) {
            blocked.insert(e.idx, b);
            continue;
        }
        let g = goal.gain(&st.load, e.idx);
        if g <= MIN_GAIN && st.chosen.len() >= ctx.req.min_creators {
            blocked.insert(e.idx, Blocked::NoGain);
            break;
        }
        st.add(ctx, goal, e.idx, g, Why::Greedy);
    }
    let value = goal.value(&st.chosen);
    let variant = if per_cost {
        Variant::GainPerCost
    } else {
        Variant::Gain
    };
    Run {
        variant,
        state: st,
        blocked,
        value,
    }
}

/// The seed plus the one affordable creator with the largest gain.
fn best_single(ctx: &Context, goal: &Objective, mut st: State) -> Run {
    let best = ctx
        .eligible
        .iter()
        .filter(|&&i| !st.contains(i) && st.check(ctx, i, false).is_ok())
        .map(|&i| (goal.gain(&st.load, i), i))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    if let Some((g, i)) = best {
        st.add(ctx, goal, i, g, Why::Single);
    }
    let value = goal.value(&st.chosen);
    Run {
        variant: Variant::BestSingle,
        state: st,
        blocked: HashMap::new(),
        value,
    }
}

/// Run all three variants; keep the best that meets the minimum count (or
/// the best overall if none does). Ties go to the earlier variant.
pub(crate) fn best_variant(ctx: &Context, goal: &Objective, seed: State) -> Run {
    let runs = [
        lazy_greedy(ctx, goal, seed.clone(), true),
        lazy_greedy(ctx, goal, seed.clone(), false),
        best_single(ctx, goal, seed),
    ];
    let meets = |r: &Run| r.state.chosen.len() >= ctx.req.min_creators;
    let any_meets = runs.iter().any(meets);
    runs.into_iter()
        .filter(|r| !any_meets || meets(r))
        .reduce(|best, r| if r.value > best.value { r } else { best })
        .expect("three runs")
}
