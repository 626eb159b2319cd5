//! Expected **unique** reach (and unique clicks and orders) of a set of
//! creators, as a monotone submodular function so budgeted greedy keeps its
//! guarantee.
//!
//! # Model
//! People are grouped into **cells**: (niche, country), plus a "general"
//! niche for the part of every audience that follows creators across niches
//! (`1 − in_niche_share` of it). A creator spreads its expected views
//! `λ_i` over cells by its audience's country shares (unknown → cell `*`).
//! A cell holds `P_c` people, each reached by creator `i` independently
//! (Poisson), so the people of cell `c` reached at least once by a set `S` are
//!
//! ```text
//! U_c(S) = P_c · (1 − exp(−Σ_{i∈S} λ_ic / P_c))
//! ```
//!
//! and unique reach is `Σ_c U_c(S)`. A concave non-decreasing function of a
//! non-negative sum is monotone submodular, and sums of such are too, so
//! greedy guarantees apply. Two creators in one cell overlap by about
//! `λ_i·λ_j / P_c`: same-niche, same-country creators overlap, others barely.
//!
//! `P_c = max(pool_multiple · max_i λ_ic, Σ_i λ_ic / density)` over all
//! candidates: a niche market is at least several times its largest creator,
//! and candidates together reach each of its people about `density` times.
//! Where follower samples exist, [`ReachModel::calibrate`] rescales every
//! `P_c` so the overlaps this model implies match the capture–recapture
//! overlaps measured from identities (median ratio).
//!
//! Clicks and orders use the same cells with capacities scaled by the
//! cell's clicks (orders) per view: the same people do not buy twice because
//! they saw two creators.

use crate::candidate::Candidate;
use crate::overlap::{OverlapEvidence, OverlapModel};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Editable parameters of the unique-reach model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReachParams {
    /// Share of a creator's audience that lives in its niche's cells.
    pub in_niche_share: f64,
    /// A cell holds at least this many times its largest creator's reach.
    pub pool_multiple: f64,
    /// All candidates together reach a cell's people this many times.
    pub density: f64,
    /// Countries kept per creator; the rest go to cell `*`.
    pub max_countries: usize,
}

impl Default for ReachParams {
    fn default() -> Self {
        ReachParams {
            in_niche_share: 0.7,
            pool_multiple: 10.0,
            density: 2.0,
            max_countries: 8,
        }
    }
}

/// Cells and pool sizes for one candidate set. Candidates are referred to by
/// their index in the slice the model was built from.
#[derive(Debug, Clone)]
pub struct ReachModel {
    offsets: Vec<usize>,
    cells: Vec<u32>,
    weights: Vec<f64>,
    views: Vec<f64>,
    pool: Vec<f64>,
}

impl ReachModel {
    /// `views[i]` is candidate `i`'s expected views per deliverable.
    pub fn new(candidates: &[Candidate], views: &[f64], params: &ReachParams) -> ReachModel {
        let mut interner = CellInterner::default();
        let mut offsets = Vec::with_capacity(candidates.len() + 1);
        let (mut cells, mut weights) = (Vec::new(), Vec::new());
        offsets.push(0);
        for c in candidates {
            for (cell, w) in interner.spread(c, params) {
                cells.push(cell);
                weights.push(w);
            }
            offsets.push(cells.len());
        }
        let n_cells = interner.len();
        let (mut sum, mut max) = (vec![0.0; n_cells], vec![0.0f64; n_cells]);
        for (i, v) in views.iter().enumerate() {
            for k in offsets[i]..offsets[i + 1] {
                let l = v.max(0.0) * weights[k];
                let c = cells[k] as usize;
                sum[c] += l;
                max[c] = max[c].max(l);
            }
        }
        let pool = sum
            .iter()
            .zip(&max)
            .map(|(s, m)| (params.pool_multiple * m).max(s / params.density).max(1.0))
            .collect();
        ReachModel {
            offsets,
            cells,
            weights,
            views: views.iter().map(|v| v.max(0.0)).collect(),
            pool,
        }
    }

    fn entries(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (self.offsets[i]..self.offsets[i + 1]).map(|k| (self.cells[k] as usize, self.weights[k]))
    }

    /// A coverage function over per-candidate `values` (views, clicks,
    /// orders, or fit-weighted views); capacities scale with the cell's
    /// value per view.
    pub fn objective(&self, values: &[f64]) -> Objective<'_> {
        let (mut val, mut vw) = (vec![0.0; self.pool.len()], vec![0.0; self.pool.len()]);
        for (i, v) in values.iter().enumerate() {
            for (c, w) in self.entries(i) {
                val[c] += v.max(0.0) * w;
                vw[c] += self.views[i] * w;
            }
        }
        let cap = self
            .pool
            .iter()
            .zip(val.iter().zip(&vw))
            .map(|(p, (v, w))| if *w > 0.0 { (p * v / w).max(1e-9) } else { *p })
            .collect();
        Objective {
            model: self,
            cap,
            values: values.iter().map(|v| v.max(0.0)).collect(),
        }
    }

    /// Overlap share of the smaller reach that this model implies for a pair.
    pub fn implied_overlap(&self, i: usize, j: usize) -> f64 {
        let mut shared = 0.0;
        for (c, wi) in self.entries(i) {
            for (d, wj) in self.entries(j) {
                if c == d {
                    let p = self.pool[c];
                    let qi = 1.0 - (-self.views[i] * wi / p).exp();
                    let qj = 1.0 - (-self.views[j] * wj / p).exp();
                    shared += p * qi * qj;
                }
            }
        }
        let smaller = self.views[i].min(self.views[j]);
        if smaller > 0.0 {
            (shared / smaller).min(1.0)
        } else {
            0.0
        }
    }
}

#[derive(Default)]
struct CellInterner {
    niches: HashMap<String, u32>,
    countries: HashMap<String, u32>,
    cells: HashMap<(u32, u32), u32>,
}

const GENERAL: u32 = 0;

impl CellInterner {
    fn len(&self) -> usize {
        self.cells.len()
    }

    fn id(map: &mut HashMap<String, u32>, key: &str) -> u32 {
        let next = map.len() as u32 + 1;
        *map.entry(key.to_string()).or_insert(next)
    }

    fn cell(&mut self, niche: u32, country: u32) -> u32 {
        let next = self.cells.len() as u32;
        *self.cells.entry((niche, country)).or_insert(next)
    }

    /// The candidate's (cell, share of its reach) pairs; shares sum to 1.
    fn spread(&mut self, c: &Candidate, p: &ReachParams) -> Vec<(u32, f64)> {
        let mut countries = country_shares(c, p.max_countries);
        let niche = c
            .niche
            .as_deref()
            .map(|n| Self::id(&mut self.niches, &n.trim().to_lowercase()));
        let mut out = Vec::with_capacity(countries.len() * 2);
        for (country, share) in countries.drain(..) {
            let cid = Self::id(&mut self.countries, &country);
            match niche {
                Some(n) => {
                    out.push((self.cell(n, cid), share * p.in_niche_share));
                    out.push((self.cell(GENERAL, cid), share * (1.0 - p.in_niche_share)));
                }
                None => out.push((self.cell(GENERAL, cid), share)),
            }
        }
        out
    }
}

/// Normalized country shares, the top `max` kept and the rest in `*`.
fn country_shares(c: &Candidate, max: usize) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = c
        .audience
        .as_ref()
        .map(|a| {
            a.countries
                .iter()
                .filter(|(_, s)| s.is_finite() && **s > 0.0)
                .map(|(k, s)| (k.clone(), *s))
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(max);
    let kept: f64 = v.iter().map(|x| x.1).sum();
    if kept > 1.0 {
        v.iter_mut().for_each(|x| x.1 /= kept);
    } else if kept < 1.0 - 1e-9 {
        v.push(("*".to_string(), 1.0 - kept));
    }
    v
}

impl ReachModel {
    /// Rescale pool sizes so implied overlaps match those measured from
    /// follower samples (same platform and niche, up to `max_pairs` pairs of
    /// neighbours in input order). Returns the factor applied, or `None`
    /// when fewer than five pairs had usable samples.
    pub fn calibrate(
        &mut self,
        candidates: &[Candidate],
        overlap: &OverlapModel,
        max_pairs: usize,
    ) -> Option<f64> {
        let mut groups: HashMap<(chorus_core::Platform, String), Vec<usize>> = HashMap::new();
        for (i, c) in candidates.iter().enumerate() {
            if c.follower_sample.len() >= overlap.min_sample {
                let niche = c.niche.clone().unwrap_or_default().to_lowercase();
                groups.entry((c.platform, niche)).or_default().push(i);
            }
        }
        let mut keys: Vec<_> = groups.keys().cloned().collect();
        keys.sort();
        let mut ratios = Vec::new();
        'outer: for k in keys {
            for w in groups[&k].windows(2) {
                if ratios.len() >= max_pairs {
                    break 'outer;
                }
                let est = overlap.estimate(&candidates[w[0]], &candidates[w[1]]);
                if let OverlapEvidence::FollowerSample { .. } = est.evidence {
                    let implied = self.implied_overlap(w[0], w[1]);
                    ratios.push(implied / est.fraction.max(0.005));
                }
            }
        }
        if ratios.len() < 5 {
            return None;
        }
        ratios.sort_by(f64::total_cmp);
        let factor = ratios[ratios.len() / 2].clamp(0.1, 10.0);
        self.pool.iter_mut().for_each(|p| *p *= factor);
        Some(factor)
    }
}

/// A monotone submodular coverage function over candidate indices.
pub struct Objective<'a> {
    model: &'a ReachModel,
    cap: Vec<f64>,
    values: Vec<f64>,
}

/// How much of each cell a partial set already covers.
#[derive(Debug, Clone)]
pub struct Load(Vec<f64>);

impl Objective<'_> {
    pub fn empty_load(&self) -> Load {
        Load(vec![0.0; self.cap.len()])
    }

    /// f(S ∪ {i}) − f(S) for the set whose load is given.
    pub fn gain(&self, load: &Load, i: usize) -> f64 {
        self.model
            .entries(i)
            .map(|(c, w)| {
                let cap = self.cap[c];
                cap * (-load.0[c] / cap).exp() * -(-self.values[i] * w / cap).exp_m1()
            })
            .sum()
    }

    pub fn add(&self, load: &mut Load, i: usize) {
        for (c, w) in self.model.entries(i) {
            load.0[c] += self.values[i] * w;
        }
    }

    /// f(S) of a whole set.
    pub fn value(&self, set: &[usize]) -> f64 {
        let mut load = self.empty_load();
        set.iter().for_each(|&i| self.add(&mut load, i));
        load.0
            .iter()
            .zip(&self.cap)
            .map(|(l, cap)| -cap * (-l / cap).exp_m1())
            .sum()
    }

    /// Plain sum of the members' values: what double counting would say.
    pub fn naive(&self, set: &[usize]) -> f64 {
        set.iter().map(|&i| self.values[i]).sum()
    }
}
