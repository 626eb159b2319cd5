//! Filters evaluated on columns, per matching document: numeric ranges and
//! audience shares. Keyword filters (platform, country, niche…) are term
//! queries instead, where postings lists make them nearly free. The same
//! code explains a hit, so "why" can never disagree with "what matched".

use crate::fit::{fit_with, FitBreakdown, FitWeights};
use crate::query::{SearchQuery, Sort};
use crate::schema::{aud_column, Dim};
use chrono::{DateTime, Utc};
use tantivy::columnar::Column;
use tantivy::{DocId, SegmentReader};

/// Shares summed from floats (several age bands) may miss an exact
/// threshold by rounding noise; a share this close counts as reaching it.
const EPS: f64 = 1e-9;

/// A "share ≥ min" filter over one or several keys of one dimension.
#[derive(Debug, Clone)]
pub(crate) struct ShareFilter {
    pub dim: Dim,
    pub keys: Vec<String>,
    pub min: f64,
    /// Any of the keys (countries) or their sum (age bands).
    pub summed: bool,
}

/// A query compiled for the collector.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub followers: (Option<u64>, Option<u64>),
    pub er: (Option<f64>, Option<f64>),
    pub posted_since: Option<i64>,
    /// Unix seconds of the query's `now`.
    pub now: i64,
    pub min_quality: Option<f64>,
    pub no_high_severity: bool,
    /// Sorted account ids a hit must be one of.
    pub only: Option<Vec<i64>>,
    pub shares: Vec<ShareFilter>,
    pub sort: Sort,
    pub target: Vec<(Dim, String, f64)>,
    pub weights: FitWeights,
    pub has_text: bool,
    /// offset + limit.
    pub want: usize,
}

impl Plan {
    pub fn new(q: &SearchQuery, now: DateTime<Utc>) -> Plan {
        let mut shares = Vec::new();
        let mut share = |dim, keys: Vec<String>, min: Option<f64>, summed| {
            if !keys.is_empty() {
                let min = min.unwrap_or(0.0);
                shares.push(ShareFilter {
                    dim,
                    keys,
                    min,
                    summed,
                });
            }
        };
        let upper = |v: &[String]| v.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
        share(
            Dim::Country,
            upper(&q.audience_countries),
            q.audience_country_min,
            false,
        );
        let gender = q
            .audience_gender
            .iter()
            .map(|g| g.to_ascii_lowercase())
            .collect();
        share(Dim::Gender, gender, q.audience_gender_min, false);
        share(Dim::Age, q.audience_ages.clone(), q.audience_age_min, true);
        let lang = q
            .audience_language
            .iter()
            .map(|l| l.to_ascii_lowercase())
            .collect();
        share(Dim::Language, lang, q.audience_language_min, false);
        let (offset, limit) = q.window();
        Plan {
            followers: (q.followers_min, q.followers_max),
            er: (q.er_min, q.er_max),
            posted_since: q
                .posted_within_days
                .map(|d| now.timestamp() - i64::from(d) * 86_400),
            now: now.timestamp(),
            min_quality: q.min_quality_score,
            no_high_severity: q.no_high_severity == Some(true),
            only: q.only_account_ids.as_ref().map(|ids| {
                let mut v = ids.clone();
                v.sort_unstable();
                v.dedup();
                v
            }),
            shares,
            sort: q.effective_sort(),
            target: q.target.as_ref().map(|t| t.entries()).unwrap_or_default(),
            weights: q.fit_weights.unwrap_or_default(),
            has_text: q.text().is_some(),
            want: offset + limit,
        }
    }
}

/// The columns one segment needs for a plan.
pub(crate) struct Cols {
    account_id: Option<Column<i64>>,
    followers: Option<Column<u64>>,
    er: Option<Column<f64>>,
    last_post: Option<Column<i64>>,
    quality: Option<Column<f64>>,
    high_severity: Option<Column<bool>>,
    has_audience: Option<Column<bool>>,
    /// Per share filter, per key.
    shares: Vec<Vec<Option<Column<f64>>>>,
    /// Per target entry.
    target: Vec<Option<Column<f64>>>,
}

impl Cols {
    pub fn open(r: &SegmentReader, plan: &Plan) -> tantivy::Result<Cols> {
        let ff = r.fast_fields();
        let aud = |dim, key: &str| ff.column_opt::<f64>(&aud_column(dim, key));
        let shares = plan
            .shares
            .iter()
            .map(|s| s.keys.iter().map(|k| aud(s.dim, k)).collect())
            .collect::<tantivy::Result<_>>()?;
        let target = plan
            .target
            .iter()
            .map(|(d, k, _)| aud(*d, k))
            .collect::<tantivy::Result<_>>()?;
        // Opening a column costs a lookup in the segment's column directory:
        // only open what this plan reads.
        let er = plan.er != (None, None) || matches!(plan.sort, Sort::Er | Sort::BestFit);
        let audience = !plan.shares.is_empty() || !plan.target.is_empty();
        Ok(Cols {
            account_id: ff.column_opt("account_id")?,
            followers: ff.column_opt("followers")?,
            er: open_if(er, || ff.column_opt("er"))?,
            last_post: open_if(plan.posted_since.is_some(), || {
                ff.column_opt("last_post_at")
            })?,
            quality: open_if(plan.min_quality.is_some(), || ff.column_opt("quality"))?,
            high_severity: open_if(plan.no_high_severity, || ff.column_opt("high_severity"))?,
            has_audience: open_if(audience, || ff.column_opt("has_audience"))?,
            shares,
            target,
        })
    }

    pub fn account_id(&self, doc: DocId) -> i64 {
        first(&self.account_id, doc).unwrap_or(0)
    }

    pub fn followers(&self, doc: DocId) -> u64 {
        first(&self.followers, doc).unwrap_or(0)
    }

    pub fn er(&self, doc: DocId) -> Option<f64> {
        first(&self.er, doc)
    }

    fn has_audience(&self, doc: DocId) -> bool {
        first(&self.has_audience, doc).unwrap_or(false)
    }

    /// Fit against the plan's target; `None` without an audience.
    pub fn fit(&self, doc: DocId, plan: &Plan) -> Option<FitBreakdown> {
        if !self.has_audience(doc) {
            return None;
        }
        let share = |_: Dim, _: &str, i: usize| first(&self.target[i], doc).unwrap_or(0.0);
        Some(fit_with(&plan.target, &plan.weights, share))
    }

    /// Whether `doc` passes every column filter; with `why`, also say how.
    pub fn matches(&self, doc: DocId, plan: &Plan, why: Option<&mut Vec<String>>) -> bool {
        let mut note = Notes(why);
        if !self.numbers_match(doc, plan, &mut note) {
            return false;
        }
        if plan.shares.is_empty() {
            return true;
        }
        if !self.has_audience(doc) {
            return false;
        }
        plan.shares
            .iter()
            .zip(&self.shares)
            .all(|(f, cols)| share_matches(f, cols, doc, &mut note))
    }

    fn numbers_match(&self, doc: DocId, plan: &Plan, note: &mut Notes) -> bool {
        if let Some(only) = &plan.only {
            if only.binary_search(&self.account_id(doc)).is_err() {
                return false;
            }
        }
        let (lo, hi) = plan.followers;
        if lo.is_some() || hi.is_some() {
            let f = self.followers(doc);
            if lo.is_some_and(|m| f < m) || hi.is_some_and(|m| f > m) {
                return false;
            }
            note.add(|| format!("followers {f} in {}", range(lo, hi, |x| x.to_string())));
        }
        let (lo, hi) = plan.er;
        if lo.is_some() || hi.is_some() {
            let Some(e) = self.er(doc) else { return false };
            if lo.is_some_and(|m| e < m) || hi.is_some_and(|m| e > m) {
                return false;
            }
            note.add(|| format!("ER {} in {}", pct(e), range(lo, hi, pct)));
        }
        if let Some(since) = plan.posted_since {
            match first(&self.last_post, doc) {
                Some(t) if t >= since => {
                    let (ago, within) = ((plan.now - t) / 86_400, (plan.now - since) / 86_400);
                    note.add(|| format!("posted {ago} days ago ≤ {within} days"))
                }
                _ => return false,
            }
        }
        if let Some(min) = plan.min_quality {
            match first(&self.quality, doc) {
                Some(q) if q >= min => note.add(|| format!("quality {q:.0} ≥ {min:.0}")),
                _ => return false,
            }
        }
        if plan.no_high_severity {
            match first(&self.high_severity, doc) {
                Some(false) => note.add(|| "no high-severity finding".into()),
                _ => return false,
            }
        }
        true
    }
}

fn share_matches(
    f: &ShareFilter,
    cols: &[Option<Column<f64>>],
    doc: DocId,
    note: &mut Notes,
) -> bool {
    let vals = cols.iter().map(|c| first(c, doc).unwrap_or(0.0));
    if f.summed {
        let sum: f64 = vals.sum();
        if sum + EPS < f.min {
            return false;
        }
        note.add(|| format!("ages {} {} ≥ {}", f.keys.join("+"), pct(sum), pct(f.min)));
        return true;
    }
    let best = f
        .keys
        .iter()
        .zip(vals)
        .filter(|(_, v)| *v + EPS >= f.min)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let Some((key, v)) = best else { return false };
    let label = if f.dim == Dim::Language {
        "audience language "
    } else {
        "audience "
    };
    note.add(|| format!("{label}{key} {} ≥ {}", pct(v), pct(f.min)));
    true
}

fn open_if<T>(
    wanted: bool,
    open: impl FnOnce() -> tantivy::Result<Option<T>>,
) -> tantivy::Result<Option<T>> {
    if wanted {
        open()
    } else {
        Ok(None)
    }
}

/// Explanations, built only when asked for: formatting on every candidate
/// document would cost more than the filtering itself.
struct Notes<'a>(Option<&'a mut Vec<String>>);

impl Notes<'_> {
    fn add(&mut self, s: impl FnOnce() -> String) {
        if let Some(w) = self.0.as_deref_mut() {
            w.push(s());
        }
    }
}

fn first<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static>(
    c: &Option<Column<T>>,
    doc: DocId,
) -> Option<T> {
    c.as_ref().and_then(|c| c.first(doc))
}

fn range<T: Copy>(lo: Option<T>, hi: Option<T>, show: impl Fn(T) -> String) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) => format!("{}–{}", show(a), show(b)),
        (Some(a), None) => format!("≥ {}", show(a)),
        (None, Some(b)) => format!("≤ {}", show(b)),
        (None, None) => String::new(),
    }
}

/// A fraction as a percentage, with a decimal only when it has one.
pub fn pct(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}
