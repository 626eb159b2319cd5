//! A small gradient-boosted decision-tree classifier (logistic loss), written
//! here rather than pulled in because it is ~300 lines, trains in seconds on
//! tens of thousands of rows, is reproducible from one seed, and serializes to
//! a plain JSON file we can review and embed.
//!
//! Features are pre-binned into at most 254 quantile bins per column (bin 0 is
//! reserved for a *missing* value, so missing data is handled explicitly: each
//! split learns which side missing values go to, as XGBoost does).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Training knobs. The defaults are the shipped follower model's, chosen by
/// 5-fold CV on `shared/data` as the cheapest setting that holds the targets
/// across seeds (more or deeper trees gained < 0.5 point; see the model README).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub n_trees: usize,
    pub max_depth: usize,
    pub learning_rate: f64,
    /// L2 penalty on leaf values; keeps small leaves from overreacting.
    pub lambda: f64,
    /// Minimum hessian sum in a child; stops splits on a handful of rows.
    pub min_child_weight: f64,
    /// Fraction of rows drawn (without replacement) for each tree.
    pub subsample: f64,
    /// Maximum number of bins per feature (excluding the missing bin).
    pub max_bins: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            n_trees: 100,
            max_depth: 3,
            learning_rate: 0.2,
            lambda: 1.0,
            min_child_weight: 1.0,
            subsample: 0.6,
            max_bins: 64,
        }
    }
}

/// One tree node. Leaves carry the (learning-rate scaled) log-odds step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Node {
    Split {
        /// Feature index.
        f: usize,
        /// Go left when `x <= t`.
        t: f64,
        /// Where a missing (NaN) value goes.
        ml: bool,
        l: usize,
        r: usize,
        /// The same threshold as a bin index, only needed while training.
        #[serde(skip)]
        bin: u8,
    },
    Leaf {
        v: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// A trained ensemble: `p = sigmoid(base + Σ tree(x))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booster {
    pub n_features: usize,
    pub base: f64,
    pub trees: Vec<Tree>,
}

pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Tree {
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                Node::Leaf { v } => return *v,
                Node::Split { f, t, ml, l, r, .. } => {
                    let v = x[*f];
                    let left = if v.is_nan() { *ml } else { v <= *t };
                    i = if left { *l } else { *r };
                }
            }
        }
    }

    /// Written without the closure of [`Tree::predict`]: it runs for every
    /// training row after every tree, and debug builds do not inline.
    fn predict_binned(&self, bins: &Binned, row: usize) -> f64 {
        let nodes: &[Node] = &self.nodes;
        let mut i = 0;
        loop {
            match &nodes[i] {
                Node::Leaf { v } => return *v,
                Node::Split {
                    f, ml, bin, l, r, ..
                } => {
                    let col: &[u8] = &bins.cols[*f];
                    let b = col[row];
                    let left = if b == 0 { *ml } else { b <= *bin };
                    i = if left { *l } else { *r };
                }
            }
        }
    }
}

impl Booster {
    /// Probability of the positive class. `x.len()` must be `n_features`.
    pub fn predict_proba(&self, x: &[f64]) -> f64 {
        let z: f64 = self.base + self.trees.iter().map(|t| t.predict(x)).sum::<f64>();
        sigmoid(z)
    }

    /// [`Booster::predict_proba`] of many rows at once (`rows` row-major,
    /// `n_features` values each), identical to row-by-row prediction. Walks
    /// tree by tree over all rows, so each tree's few nodes stay in cache
    /// while thousands of rows pass through it.
    pub fn predict_proba_batch(&self, rows: &[f64]) -> Vec<f64> {
        let n = self.n_features.max(1);
        let mut sums = vec![0.0; rows.len() / n];
        for t in &self.trees {
            for (z, x) in sums.iter_mut().zip(rows.chunks_exact(n)) {
                *z += t.predict(x);
            }
        }
        // Added last, as the row-by-row sum does, so the results agree bit for bit.
        sums.into_iter().map(|z| sigmoid(self.base + z)).collect()
    }
}

/// Column-major binned copy of the training matrix.
struct Binned {
    cols: Vec<Vec<u8>>,
    /// Upper edges per feature: bin `k` (1-based) holds `edges[k-2] < x <= edges[k-1]`.
    edges: Vec<Vec<f64>>,
}

fn bin_edges(mut vals: Vec<f64>, max_bins: usize) -> Vec<f64> {
    vals.retain(|v| !v.is_nan());
    vals.sort_by(f64::total_cmp);
    let mut uniq = vals.clone();
    uniq.dedup();
    if uniq.len() <= max_bins {
        uniq.pop();
        return uniq;
    }
    let mut edges: Vec<f64> = (1..max_bins)
        .map(|i| vals[i * vals.len() / max_bins])
        .collect();
    edges.dedup();
    edges
}

fn bin_of(edges: &[f64], x: f64) -> u8 {
    if x.is_nan() {
        0
    } else {
        1 + edges.partition_point(|e| *e < x) as u8
    }
}

impl Binned {
    fn new(rows: &[Vec<f64>], n_features: usize, max_bins: usize) -> Binned {
        let max_bins = max_bins.min(254);
        let mut cols = Vec::with_capacity(n_features);
        let mut edges = Vec::with_capacity(n_features);
        for f in 0..n_features {
            let e = bin_edges(rows.iter().map(|r| r[f]).collect(), max_bins);
            cols.push(rows.iter().map(|r| bin_of(&e, r[f])).collect());
            edges.push(e);
        }
        Binned { cols, edges }
    }
}

/// Gradient and hessian sums of one histogram bin (or one node).
#[derive(Debug, Clone, Copy, Default)]
struct GH {
    g: f64,
    h: f64,
}

impl GH {
    fn add(self, o: GH) -> GH {
        GH {
            g: self.g + o.g,
            h: self.h + o.h,
        }
    }
    fn sub(self, o: GH) -> GH {
        GH {
            g: self.g - o.g,
            h: self.h - o.h,
        }
    }
    fn score(self, lambda: f64) -> f64 {
        self.g * self.g / (self.h + lambda)
    }
}

struct SplitChoice {
    gain: f64,
    /// Gradient sums of the left child (the right is the parent's minus it).
    left: GH,
    f: usize,
    bin: u8,
    missing_left: bool,
}

struct Grower<'a> {
    bins: &'a Binned,
    grad: &'a [GH],
    p: &'a Params,
}

impl Grower<'_> {
    fn histogram(&self, f: usize, rows: &[u32]) -> Vec<GH> {
        // Plain slices: this loop is most of the training time.
        let col: &[u8] = &self.bins.cols[f];
        let grad: &[GH] = self.grad;
        let mut hist = vec![GH::default(); self.bins.edges[f].len() + 2];
        let h: &mut [GH] = &mut hist;
        for &r in rows {
            let r = r as usize;
            let b = &mut h[col[r] as usize];
            b.g += grad[r].g;
            b.h += grad[r].h;
        }
        hist
    }

    /// Best split of one feature: left = bins `1..=t` (plus missing if `ml`).
    fn best_for_feature(&self, f: usize, hist: &[GH], total: GH) -> Option<SplitChoice> {
        let missing = hist[0];
        let (lambda, mcw) = (self.p.lambda, self.p.min_child_weight);
        let parent = total.score(lambda);
        let mut best: Option<SplitChoice> = None;
        let mut left = GH::default();
        // The last bin never goes left: the right child would be empty.
        for (t, bin) in hist.iter().enumerate().take(hist.len() - 1).skip(1) {
            left = left.add(*bin);
            for ml in [false, true] {
                let l = if ml { left.add(missing) } else { left };
                let r = total.sub(l);
                if l.h < mcw || r.h < mcw {
                    continue;
                }
                let gain = l.score(lambda) + r.score(lambda) - parent;
                if best.as_ref().is_none_or(|b| gain > b.gain) {
                    best = Some(SplitChoice {
                        gain,
                        left: l,
                        f,
                        bin: t as u8,
                        missing_left: ml,
                    });
                }
            }
        }
        best
    }

    fn histograms(&self, rows: &[u32]) -> Vec<Vec<GH>> {
        (0..self.bins.cols.len())
            .map(|f| self.histogram(f, rows))
            .collect()
    }

    fn grow(&self, rows: Vec<u32>) -> Tree {
        let mut tree = Tree { nodes: Vec::new() };
        let total = rows
            .iter()
            .fold(GH::default(), |a, &r| a.add(self.grad[r as usize]));
        let hists = self.wants_split(0).then(|| self.histograms(&rows));
        self.grow_node(&mut tree, rows, total, hists, 0);
        tree
    }

    fn wants_split(&self, depth: usize) -> bool {
        depth < self.p.max_depth
    }

    /// Grows one node; `hists` are its histograms when it may split. Only
    /// the smaller child's histograms are counted from rows: the larger
    /// child's are the parent's minus the smaller's, which halves the work.
    fn grow_node(
        &self,
        tree: &mut Tree,
        rows: Vec<u32>,
        total: GH,
        hists: Option<Vec<Vec<GH>>>,
        depth: usize,
    ) -> usize {
        let id = tree.nodes.len();
        let v = -total.g / (total.h + self.p.lambda) * self.p.learning_rate;
        tree.nodes.push(Node::Leaf { v });
        let Some(hists) = hists else { return id };
        if total.h < 2.0 * self.p.min_child_weight {
            return id;
        }
        let best = hists
            .iter()
            .enumerate()
            .filter_map(|(f, h)| self.best_for_feature(f, h, total))
            .max_by(|a, b| a.gain.total_cmp(&b.gain));
        let Some(s) = best.filter(|s| s.gain > 1e-9) else {
            return id;
        };
        let col = &self.bins.cols[s.f];
        let (lrows, rrows): (Vec<u32>, Vec<u32>) = rows.iter().partition(|&&r| {
            let b = col[r as usize];
            if b == 0 {
                s.missing_left
            } else {
                b <= s.bin
            }
        });
        drop(rows);
        let (lh, rh) = self.child_histograms(hists, &lrows, &rrows, depth + 1);
        let l = self.grow_node(tree, lrows, s.left, lh, depth + 1);
        let r = self.grow_node(tree, rrows, total.sub(s.left), rh, depth + 1);
        tree.nodes[id] = Node::Split {
            f: s.f,
            t: self.bins.edges[s.f][s.bin as usize - 1],
            ml: s.missing_left,
            l,
            r,
            bin: s.bin,
        };
        id
    }

    #[allow(clippy::type_complexity)]
    fn child_histograms(
        &self,
        mut parent: Vec<Vec<GH>>,
        lrows: &[u32],
        rrows: &[u32],
        depth: usize,
    ) -> (Option<Vec<Vec<GH>>>, Option<Vec<Vec<GH>>>) {
        if !self.wants_split(depth) {
            return (None, None);
        }
        let left_small = lrows.len() <= rrows.len();
        let small = self.histograms(if left_small { lrows } else { rrows });
        for (p, s) in parent.iter_mut().zip(&small) {
            for (pb, sb) in p.iter_mut().zip(s) {
                *pb = pb.sub(*sb);
            }
        }
        if left_small {
            (Some(small), Some(parent))
        } else {
            (Some(parent), Some(small))
        }
    }
}

/// Train on `rows` (each of `n_features` values, NaN = missing) with 0/1
/// labels `y`, optionally weighted. Same inputs and seed, same booster.
pub fn fit(rows: &[Vec<f64>], y: &[f64], w: Option<&[f64]>, p: &Params, seed: u64) -> Booster {
    let n_features = rows.first().map_or(0, Vec::len);
    let bins = Binned::new(rows, n_features, p.max_bins);
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let wsum: f64 = (0..y.len()).map(weight).sum();
    let pos: f64 = (0..y.len()).map(|i| weight(i) * y[i]).sum();
    let prior = (pos / wsum).clamp(1e-6, 1.0 - 1e-6);
    let base = (prior / (1.0 - prior)).ln();
    let mut score = vec![base; y.len()];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut trees = Vec::with_capacity(p.n_trees);
    let mut grad = vec![GH::default(); y.len()];
    for _ in 0..p.n_trees {
        for (i, g) in grad.iter_mut().enumerate() {
            let pr = sigmoid(score[i]);
            let wi = weight(i);
            *g = GH {
                g: wi * (pr - y[i]),
                h: wi * (pr * (1.0 - pr)).max(1e-12),
            };
        }
        let sample: Vec<u32> = (0..y.len() as u32)
            .filter(|_| p.subsample >= 1.0 || rng.gen::<f64>() < p.subsample)
            .collect();
        let grower = Grower {
            bins: &bins,
            grad: &grad,
            p,
        };
        let tree = grower.grow(sample);
        for (i, s) in score.iter_mut().enumerate() {
            *s += tree.predict_binned(&bins, i);
        }
        trees.push(tree);
    }
    Booster {
        n_features,
        base,
        trees,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_threshold_and_routes_missing() {
        // y = 1 when x0 > 5, and when x0 is missing.
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..200 {
            let x = (i % 10) as f64;
            let missing = i % 7 == 0;
            rows.push(vec![if missing { f64::NAN } else { x }, (i % 3) as f64]);
            y.push(if missing || x > 5.0 { 1.0 } else { 0.0 });
        }
        let b = fit(&rows, &y, None, &Params::default(), 7);
        assert!(b.predict_proba(&[9.0, 0.0]) > 0.9);
        assert!(b.predict_proba(&[2.0, 0.0]) < 0.1);
        assert!(b.predict_proba(&[f64::NAN, 1.0]) > 0.9);
        let json = serde_json::to_string(&b).unwrap();
        let back: Booster = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.predict_proba(&[9.0, 0.0]),
            b.predict_proba(&[9.0, 0.0])
        );
    }

    #[test]
    fn same_seed_same_model() {
        let rows: Vec<Vec<f64>> = (0..100)
            .map(|i| vec![i as f64, (i * 7 % 13) as f64])
            .collect();
        let y: Vec<f64> = (0..100).map(|i| ((i * 7 % 13) > 6) as u8 as f64).collect();
        let a = fit(&rows, &y, None, &Params::default(), 1);
        let b = fit(&rows, &y, None, &Params::default(), 1);
        assert_eq!(a, b);
    }
}
