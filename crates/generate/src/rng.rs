//! Small sampling helpers over the per-creator ChaCha stream. Written here
//! rather than pulled from `rand_distr` because four one-liners are all the
//! generator needs.

use rand::{Rng as _, RngCore as _};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

pub type Rng = ChaCha8Rng;

pub fn unit(r: &mut Rng) -> f64 {
    r.gen::<f64>()
}

pub fn range(r: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * r.gen::<f64>()
}

pub fn below(r: &mut Rng, n: usize) -> usize {
    r.gen_range(0..n)
}

pub fn chance(r: &mut Rng, p: f64) -> bool {
    r.gen::<f64>() < p
}

const NORMAL_TABLE: usize = 4096;

/// Standard normal quantiles at the midpoints of 4096 equal-probability bins.
fn normal_table() -> &'static [f64; NORMAL_TABLE + 1] {
    static TABLE: OnceLock<[f64; NORMAL_TABLE + 1]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0.0; NORMAL_TABLE + 1];
        for (i, v) in t.iter_mut().enumerate() {
            let p = (i as f64 + 0.5) / (NORMAL_TABLE as f64 + 1.0);
            *v = inverse_normal_cdf(p);
        }
        t
    })
}

/// Acklam's rational approximation of the normal quantile (relative error
/// below 1.2e-9), used only to build the table.
fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Standard normal from a quantile table with linear interpolation: a
/// fraction of the cost of Box–Muller (no log, sqrt or cos per draw), and
/// exact enough for synthetic data (tails end near ±3.5σ).
pub fn normal(r: &mut Rng) -> f64 {
    let x = r.next_u32();
    let i = (x >> 20) as usize;
    let frac = f64::from(x & 0xF_FFFF) / f64::from(1u32 << 20);
    let t = normal_table();
    t[i] + (t[i + 1] - t[i]) * frac
}

/// Log-normal with the given median.
pub fn lognormal(r: &mut Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(r)).exp()
}

/// Log-normal noise factor with mean 1, so multiplying by it keeps averages.
pub fn mean_one(r: &mut Rng, sigma: f64) -> f64 {
    (sigma * normal(r) - sigma * sigma / 2.0).exp()
}

pub fn pick<'a, T>(r: &mut Rng, s: &'a [T]) -> &'a T {
    &s[below(r, s.len())]
}

/// Index of an item drawn with probability proportional to `weight(item)`.
pub fn weighted_by<T>(r: &mut Rng, items: &[T], weight: impl Fn(&T) -> f64) -> usize {
    let total: f64 = items.iter().map(&weight).sum();
    let mut x = unit(r) * total;
    for (i, it) in items.iter().enumerate() {
        let w = weight(it);
        if x < w {
            return i;
        }
        x -= w;
    }
    items.len() - 1
}

/// A word from a list; like [`pick`] but copies the `&'static str` out.
pub fn word(r: &mut Rng, s: &[&'static str]) -> &'static str {
    s[below(r, s.len())]
}
