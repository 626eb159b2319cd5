//! Expected outcomes of one deliverable by one creator: views, engagements,
//! clicks and orders, each with a 10th–90th percentile range.
//!
//! # Method
//! * **Reach rate** (views / followers) and **ER** come from the accounts in
//!   the store, per platform and follower tier ([`learn_priors`]). Both are
//!   modelled log-normal (they are positive and right-skewed): a cell's
//!   median is the geometric mean of its accounts and its spread the standard
//!   deviation of the logs. Thin cells are partially pooled towards their
//!   platform (and the platform towards built-in defaults) on the log scale,
//!   with weight `n / (n + POOL_K)`, so one odd account cannot set a prior.
//! * **Click-through** (clicks per view) and **orders per click** have no
//!   public data, so they start from the documented defaults below and are
//!   updated with the organization's own past campaigns
//!   ([`Priors::update_with_results`]): a **beta-binomial** model for
//!   click-through (each view clicks or not) and a **gamma-Poisson** model
//!   for orders per click (orders are counts that can exceed clicks, since
//!   promo codes convert without a click). The defaults act as pseudo-counts
//!   ([`CTR_PRIOR_VIEWS`] views, [`OPC_PRIOR_CLICKS`] clicks), so a campaign
//!   with far more data than that dominates, and a small one only nudges.
//! * A creator's own figures win over the cell prior: mean views per post
//!   and its ER replace the prior medians, with a narrower spread.
//! * **Clicks follow engagement.** A cell's default click-through is the
//!   platform default scaled by how engaged the cell's views are compared
//!   with the platform's (engagements per view, learned from the data), and
//!   a creator's by how engaged its views are compared with its cell's
//!   (clamped to 1/4–4×). Past results then move the cell's level. This is
//!   what lets a 6%-ER micro-creator out-convert a 1%-ER mega-creator per
//!   view, as campaign data consistently shows.
//!
//! Ranges: each quantity is log-normal with mean `expected`; `low`/`high`
//! are its 10th/90th percentiles. Spreads of a product add in quadrature.

use crate::candidate::{Candidate, Tier};
use chorus_core::Platform;
use serde::{Deserialize, Serialize};

/// Pseudo-account weight of the parent level when pooling a thin cell.
pub const POOL_K: f64 = 5.0;
/// Prior strength of the default click-through, in views.
pub const CTR_PRIOR_VIEWS: f64 = 50_000.0;
/// Prior strength of the default orders per click, in clicks.
pub const OPC_PRIOR_CLICKS: f64 = 200.0;
/// Default orders per click before any campaign data (2%, typical e-commerce).
pub const DEFAULT_ORDERS_PER_CLICK: f64 = 0.02;
/// Log-spread of click-through and orders per click across creators.
pub const RATE_SIGMA: f64 = 0.5;
/// Log-spread of views post to post when the creator's mean is known.
pub const KNOWN_VIEWS_SIGMA: f64 = 0.5;
/// Log-spread of engagements post to post when the creator's ER is known.
pub const KNOWN_ER_SIGMA: f64 = 0.4;
/// z of the 90th percentile of a standard normal.
const Z90: f64 = 1.281_551_565_545;

/// Editable default link click-through per view by platform: link-in-bio and
/// stories on Instagram click less than YouTube description links.
pub fn default_ctr(p: Platform) -> f64 {
    match p {
        Platform::Instagram => 0.004,
        Platform::Tiktok => 0.003,
        Platform::Youtube => 0.008,
        Platform::Twitch => 0.002,
        Platform::X => 0.006,
        Platform::Pinterest => 0.010,
        Platform::Facebook => 0.006,
    }
}

/// Fallback reach rate (views per follower per post) when a platform has no
/// data at all. Video platforms push posts beyond followers.
fn default_reach_rate(p: Platform) -> f64 {
    match p {
        Platform::Tiktok => 0.45,
        Platform::Youtube => 0.30,
        Platform::Twitch => 0.05,
        Platform::Instagram => 0.25,
        _ => 0.10,
    }
}

/// Fallback ER by tier when a platform has no data at all (DESIGN.md's
/// 4–8% for micro, under 1% for mega).
fn default_er(t: Tier) -> f64 {
    match t {
        Tier::Nano => 0.06,
        Tier::Micro => 0.045,
        Tier::Mid => 0.025,
        Tier::Macro => 0.015,
        Tier::Mega => 0.008,
    }
}

const DEFAULT_SIGMA: f64 = 0.8;

/// Figures of one account, the input of [`learn_priors`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AccountStats {
    pub platform: Platform,
    pub followers: u64,
    pub er: Option<f64>,
    pub er_by_views: Option<f64>,
    pub mean_views: Option<f64>,
}

impl AccountStats {
    pub fn of(c: &Candidate) -> AccountStats {
        AccountStats {
            platform: c.platform,
            followers: c.followers,
            er: c.er,
            er_by_views: c.er_by_views,
            mean_views: c.mean_views,
        }
    }
}

/// Log-normal parameters: median and log standard deviation, with the number
/// of accounts behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogNormal {
    pub median: f64,
    pub sigma: f64,
    pub n: usize,
}

/// Priors of one platform and tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CellPrior {
    pub platform: Platform,
    pub tier: Tier,
    pub reach_rate: LogNormal,
    pub er: LogNormal,
    pub er_by_views: Option<f64>,
    /// Median engagements per view of the cell's accounts.
    pub engagement_per_view: f64,
    /// Beta(alpha, beta) over click-through per view.
    pub ctr_alpha: f64,
    pub ctr_beta: f64,
    /// Gamma(shape, rate) over orders per click.
    pub opc_shape: f64,
    pub opc_rate: f64,
}

impl CellPrior {
    pub fn ctr(&self) -> f64 {
        self.ctr_alpha / (self.ctr_alpha + self.ctr_beta)
    }
    pub fn orders_per_click(&self) -> f64 {
        self.opc_shape / self.opc_rate
    }
}

/// Priors for every platform × tier cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priors {
    pub cells: Vec<CellPrior>,
}

fn cell_index(p: Platform, t: Tier) -> usize {
    let pi = Platform::ALL.iter().position(|x| *x == p).unwrap_or(0);
    pi * Tier::ALL.len() + t as usize
}

impl Default for Priors {
    /// Built-in defaults only: what a deployment with an empty store gets.
    fn default() -> Self {
        learn_priors(std::iter::empty())
    }
}

impl Priors {
    pub fn cell(&self, p: Platform, t: Tier) -> &CellPrior {
        &self.cells[cell_index(p, t)]
    }

    /// Fold the organization's past campaign results into the click-through
    /// and orders-per-click posteriors of their cells (conjugate updates:
    /// alpha += clicks, beta += views − clicks; shape += orders, rate +=
    /// clicks). Order of results does not matter.
    pub fn update_with_results(&mut self, results: &[PastResult]) {
        for r in results {
            let c = &mut self.cells[cell_index(r.platform, r.tier)];
            let clicks = r.clicks.min(r.views) as f64;
            c.ctr_alpha += clicks;
            c.ctr_beta += r.views as f64 - clicks;
            c.opc_shape += r.orders as f64;
            c.opc_rate += r.clicks as f64;
        }
    }
}

/// What one creator of a past campaign delivered, as attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastResult {
    pub platform: Platform,
    pub tier: Tier,
    pub views: u64,
    pub clicks: u64,
    pub orders: u64,
}

/// Sum and sum of squares of logs, for a geometric mean and log spread.
#[derive(Debug, Clone, Copy, Default)]
struct LogAcc {
    n: usize,
    s: f64,
    ss: f64,
}

impl LogAcc {
    fn push(&mut self, x: f64) {
        if x.is_finite() && x > 0.0 {
            let l = x.ln();
            self.n += 1;
            self.s += l;
            self.ss += l * l;
        }
    }
    fn add(&mut self, o: &LogAcc) {
        self.n += o.n;
        self.s += o.s;
        self.ss += o.ss;
    }
    /// Partially pooled (log mean, log sd) towards a parent.
    fn pooled(&self, parent: (f64, f64)) -> (f64, f64) {
        let n = self.n as f64;
        if self.n == 0 {
            return parent;
        }
        let mean = self.s / n;
        let var = (self.ss / n - mean * mean).max(0.0);
        let w = n / (n + POOL_K);
        let sd = if self.n >= 2 { var.sqrt() } else { parent.1 };
        (
            w * mean + (1.0 - w) * parent.0,
            w * sd + (1.0 - w) * parent.1,
        )
    }
}

#[derive(Default, Clone, Copy)]
struct CellAcc {
    reach: LogAcc,
    er: LogAcc,
    erv: LogAcc,
    epv: LogAcc,
}

/// Learn reach-rate and ER priors per platform and tier from the accounts in
/// the store (see the module docs for the pooling); click-through and orders
/// per click start at their documented defaults.
pub fn learn_priors(accounts: impl Iterator<Item = AccountStats>) -> Priors {
    let mut acc = vec![CellAcc::default(); Platform::ALL.len() * Tier::ALL.len()];
    for a in accounts {
        if a.followers == 0 {
            continue;
        }
        let c = &mut acc[cell_index(a.platform, Tier::of(a.followers))];
        if let Some(v) = a.mean_views {
            c.reach.push(v / a.followers as f64);
        }
        c.er.push(a.er.unwrap_or(f64::NAN));
        c.erv.push(a.er_by_views.unwrap_or(f64::NAN));
        let epv = match (a.er, a.mean_views) {
            (Some(er), Some(v)) if v > 0.0 => er * a.followers as f64 / v,
            _ => a.er_by_views.unwrap_or(f64::NAN),
        };
        c.epv.push(epv);
    }
    let mut cells = Vec::with_capacity(acc.len());
    for (pi, &p) in Platform::ALL.iter().enumerate() {
        let row = &acc[pi * Tier::ALL.len()..(pi + 1) * Tier::ALL.len()];
        let (mut platform_reach, mut platform_epv) = (LogAcc::default(), LogAcc::default());
        for c in row {
            platform_reach.add(&c.reach);
            platform_epv.add(&c.epv);
        }
        let reach_parent = platform_reach.pooled((default_reach_rate(p).ln(), DEFAULT_SIGMA));
        let default_epv = (default_er(Tier::Micro) / default_reach_rate(p)).ln();
        let epv_parent = platform_epv.pooled((default_epv, DEFAULT_SIGMA));
        for (&t, c) in Tier::ALL.iter().zip(row) {
            cells.push(cell_prior(p, t, c, reach_parent, epv_parent.0));
        }
    }
    Priors { cells }
}

fn cell_prior(
    p: Platform,
    t: Tier,
    c: &CellAcc,
    reach_parent: (f64, f64),
    platform_epv_ln: f64,
) -> CellPrior {
    // ER depends strongly on tier, so it pools towards the tier default
    // rather than towards the platform's other tiers.
    let (rm, rs) = c.reach.pooled(reach_parent);
    let (em, es) = c.er.pooled((default_er(t).ln(), DEFAULT_SIGMA));
    let (epv, _) = c.epv.pooled((platform_epv_ln, DEFAULT_SIGMA));
    let ctr = default_ctr(p) * engagement_factor((epv - platform_epv_ln).exp());
    CellPrior {
        platform: p,
        tier: t,
        reach_rate: LogNormal {
            median: rm.exp(),
            sigma: rs,
            n: c.reach.n,
        },
        er: LogNormal {
            median: em.exp(),
            sigma: es,
            n: c.er.n,
        },
        er_by_views: (c.erv.n > 0).then(|| (c.erv.s / c.erv.n as f64).exp()),
        engagement_per_view: epv.exp(),
        ctr_alpha: ctr * CTR_PRIOR_VIEWS,
        ctr_beta: (1.0 - ctr) * CTR_PRIOR_VIEWS,
        opc_shape: DEFAULT_ORDERS_PER_CLICK * OPC_PRIOR_CLICKS,
        opc_rate: OPC_PRIOR_CLICKS,
    }
}

/// Relative engagement, clamped: engagement is a noisy proxy for intent.
fn engagement_factor(ratio: f64) -> f64 {
    if ratio.is_finite() {
        ratio.clamp(0.25, 4.0)
    } else {
        1.0
    }
}

/// A log-normal estimate: mean and 10th–90th percentile range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub expected: f64,
    pub low: f64,
    pub high: f64,
    /// Log standard deviation, kept so products can combine spreads.
    pub sigma: f64,
}

impl Estimate {
    pub fn from_mean(mean: f64, sigma: f64) -> Estimate {
        let mean = if mean.is_finite() { mean.max(0.0) } else { 0.0 };
        let median = mean * (-sigma * sigma / 2.0).exp();
        Estimate {
            expected: mean,
            low: median * (-Z90 * sigma).exp(),
            high: median * (Z90 * sigma).exp(),
            sigma,
        }
    }

    /// This estimate times an independent log-normal rate.
    pub fn times(&self, rate: f64, rate_sigma: f64) -> Estimate {
        Estimate::from_mean(self.expected * rate, self.sigma.hypot(rate_sigma))
    }
}

/// Expected outcome of one deliverable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub views: Estimate,
    pub engagements: Estimate,
    pub clicks: Estimate,
    pub orders: Estimate,
}

/// Expected views, engagements, clicks and orders of one deliverable by `c`.
pub fn expected_outcome(c: &Candidate, priors: &Priors) -> Outcome {
    let p = priors.cell(c.platform, c.tier());
    let f = c.followers as f64;
    let views = match c.mean_views.filter(|v| v.is_finite() && *v > 0.0) {
        Some(v) => Estimate::from_mean(v, KNOWN_VIEWS_SIGMA),
        None => {
            let s = p.reach_rate.sigma;
            Estimate::from_mean(f * p.reach_rate.median * (s * s / 2.0).exp(), s)
        }
    };
    let engagements = match (c.er, c.er_by_views) {
        (Some(er), _) if er.is_finite() => Estimate::from_mean(f * er, KNOWN_ER_SIGMA),
        (None, Some(erv)) if erv.is_finite() => views.times(erv, KNOWN_ER_SIGMA),
        _ => {
            let s = p.er.sigma;
            Estimate::from_mean(f * p.er.median * (s * s / 2.0).exp(), s)
        }
    };
    let epv = engagements.expected / views.expected.max(1e-9);
    let ctr = p.ctr() * engagement_factor(epv / p.engagement_per_view);
    let clicks = views.times(ctr, RATE_SIGMA);
    let orders = clicks.times(p.orders_per_click(), RATE_SIGMA);
    Outcome {
        views,
        engagements,
        clicks,
        orders,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(p: Platform, followers: u64, views: f64, er: f64) -> AccountStats {
        AccountStats {
            platform: p,
            followers,
            er: Some(er),
            er_by_views: None,
            mean_views: Some(views),
        }
    }

    #[test]
    fn priors_come_from_the_data() {
        let accounts = (0..200).map(|i| stats(Platform::Tiktok, 20_000 + i, 8_000.0, 0.06));
        let p = learn_priors(accounts);
        let c = p.cell(Platform::Tiktok, Tier::Micro);
        assert!((c.reach_rate.median - 0.4).abs() < 0.01, "{c:?}");
        assert!((c.er.median - 0.06).abs() < 0.001);
        // An empty cell falls back to the platform and defaults.
        let mega = p.cell(Platform::Tiktok, Tier::Mega);
        assert!(mega.reach_rate.median > 0.0);
        assert!((mega.er.median - default_er(Tier::Mega)).abs() < 1e-12);
    }

    #[test]
    fn past_results_shrink_towards_the_data() {
        let mut p = Priors::default();
        let before = p.cell(Platform::Instagram, Tier::Micro).ctr();
        assert!((before - 0.004).abs() < 1e-12);
        // A million views at 1% click-through outweighs 50k pseudo-views.
        p.update_with_results(&[PastResult {
            platform: Platform::Instagram,
            tier: Tier::Micro,
            views: 1_000_000,
            clicks: 10_000,
            orders: 500,
        }]);
        let c = p.cell(Platform::Instagram, Tier::Micro);
        assert!(c.ctr() > 0.009 && c.ctr() < 0.01, "{}", c.ctr());
        assert!((c.orders_per_click() - 0.0498).abs() < 0.001);
        // Other cells are untouched.
        assert_eq!(p.cell(Platform::Instagram, Tier::Mid).ctr(), before);
    }

    #[test]
    fn ranges_bracket_the_mean() {
        let e = Estimate::from_mean(1000.0, 0.8);
        assert!(e.low < e.expected && e.expected < e.high);
        let m = Estimate::from_mean(1000.0, 0.0);
        assert_eq!((m.low, m.high), (1000.0, 1000.0));
    }
}
