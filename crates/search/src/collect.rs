//! One pass over the matching documents that applies the column filters,
//! counts facets over the whole filtered set, and keeps the top
//! `offset + limit` by the requested sort — so a query costs one traversal
//! whatever it asks for.

use crate::filter::{Cols, Plan};
use crate::query::Sort;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A candidate for the page. Greater means better: higher key, then lower
/// account id, so equal keys page stably.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub key: f64,
    pub account_id: i64,
    pub segment: SegmentOrdinal,
    pub doc: DocId,
    pub score: f32,
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
    fn cmp(&self, o: &Self) -> Ordering {
        self.key
            .total_cmp(&o.key)
            .then_with(|| o.account_id.cmp(&self.account_id))
    }
}

/// Facet counts by value, per facet.
pub(crate) type Counts = HashMap<String, u64>;

/// What collection yields.
#[derive(Debug, Default)]
pub(crate) struct Fruit {
    pub total: u64,
    pub max_score: f32,
    /// Best first.
    pub top: Vec<Entry>,
    pub niche: Counts,
    pub country: Counts,
    pub platform: Counts,
    pub tier: [u64; TIERS.len()],
}

/// Follower tiers of the facet: (name, lower bound inclusive).
pub const TIERS: [(&str, u64); 5] = [
    ("nano", 0),
    ("micro", 10_000),
    ("mid", 100_000),
    ("macro", 500_000),
    ("mega", 1_000_000),
];

pub fn tier_of(followers: u64) -> usize {
    TIERS.iter().rposition(|t| followers >= t.1).unwrap_or(0)
}

pub(crate) struct SearchCollector {
    pub plan: Arc<Plan>,
}

/// Counts per term ordinal of one keyword column of one segment.
struct OrdCounts {
    col: Option<StrColumn>,
    counts: Vec<u64>,
}

impl OrdCounts {
    fn new(col: Option<StrColumn>) -> Self {
        let n = col.as_ref().map_or(0, |c| c.num_terms());
        OrdCounts {
            col,
            counts: vec![0; n],
        }
    }

    fn add(&mut self, doc: DocId) {
        if let Some(o) = self.col.as_ref().and_then(|c| c.ords().first(doc)) {
            self.counts[o as usize] += 1;
        }
    }

    fn into_counts(self) -> Counts {
        let mut out = Counts::new();
        let Some(col) = self.col else { return out };
        let mut s = String::new();
        for (ord, n) in self.counts.into_iter().enumerate().filter(|x| x.1 > 0) {
            s.clear();
            if col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                out.insert(s.clone(), n);
            }
        }
        out
    }
}

pub(crate) struct SegCollector {
    plan: Arc<Plan>,
    cols: Cols,
    segment: SegmentOrdinal,
    total: u64,
    max_score: f32,
    heap: BinaryHeap<Reverse<Entry>>,
    niche: OrdCounts,
    country: OrdCounts,
    platform: OrdCounts,
    tier: [u64; TIERS.len()],
}

impl Collector for SearchCollector {
    type Fruit = Fruit;
    type Child = SegCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegCollector> {
        let cols = Cols::open(reader, &self.plan)?;
        let ff = reader.fast_fields();
        Ok(SegCollector {
            plan: self.plan.clone(),
            segment,
            total: 0,
            max_score: 0.0,
            heap: BinaryHeap::with_capacity(self.plan.want + 1),
            niche: OrdCounts::new(ff.str("niche")?),
            country: OrdCounts::new(ff.str("country")?),
            platform: OrdCounts::new(ff.str("platform")?),
            tier: [0; TIERS.len()],
            cols,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.plan.has_text
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut out = Fruit::default();
        for f in fruits {
            out.total += f.total;
            out.max_score = out.max_score.max(f.max_score);
            out.top.extend(f.top);
            for (mine, theirs) in [
                (&mut out.niche, f.niche),
                (&mut out.country, f.country),
                (&mut out.platform, f.platform),
            ] {
                for (k, n) in theirs {
                    *mine.entry(k).or_default() += n;
                }
            }
            for (a, b) in out.tier.iter_mut().zip(f.tier) {
                *a += b;
            }
        }
        out.top.sort_by(|a, b| b.cmp(a));
        out.top.truncate(self.plan.want);
        Ok(out)
    }
}

impl SegmentCollector for SegCollector {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if !self.cols.matches(doc, &self.plan, None) {
            return;
        }
        self.total += 1;
        self.max_score = self.max_score.max(score);
        self.niche.add(doc);
        self.country.add(doc);
        self.platform.add(doc);
        let followers = self.cols.followers(doc);
        self.tier[tier_of(followers)] += 1;
        if self.plan.want == 0 {
            return;
        }
        let e = Entry {
            key: self.sort_key(doc, score, followers),
            account_id: self.cols.account_id(doc),
            segment: self.segment,
            doc,
            score,
        };
        if self.heap.len() < self.plan.want {
            self.heap.push(Reverse(e));
        } else if self.heap.peek().is_some_and(|w| e > w.0) {
            self.heap.pop();
            self.heap.push(Reverse(e));
        }
    }

    fn harvest(self) -> Fruit {
        Fruit {
            total: self.total,
            max_score: self.max_score,
            top: self.heap.into_iter().map(|r| r.0).collect(),
            niche: self.niche.into_counts(),
            country: self.country.into_counts(),
            platform: self.platform.into_counts(),
            tier: self.tier,
        }
    }
}

impl SegCollector {
    fn sort_key(&self, doc: DocId, score: Score, followers: u64) -> f64 {
        let p = &self.plan;
        match p.sort {
            Sort::Relevance => score as f64,
            Sort::Followers => followers as f64,
            Sort::Er => self.cols.er(doc).unwrap_or(-1.0),
            Sort::AudienceFit => self.cols.fit(doc, p).map_or(-1.0, |f| f.total),
            Sort::BestFit => {
                let rel = if p.has_text { score as f64 } else { 1.0 };
                let fit = if p.target.is_empty() {
                    1.0
                } else {
                    self.cols.fit(doc, p).map_or(0.0, |f| f.total)
                };
                rel * fit * er_sanity(self.cols.er(doc))
            }
        }
    }
}

/// How much to trust a creator's engagement, 0.2..=1: unknown ER counts
/// half; below 1% it fades linearly to a floor of 0.2 (an audience that does
/// not react); above 25% it counts half, because at scale that is the
/// signature of engagement pods or bought likes rather than real fans.
pub fn er_sanity(er: Option<f64>) -> f64 {
    match er {
        None => 0.5,
        Some(e) if e > 0.25 => 0.5,
        Some(e) => (e / 0.01).clamp(0.2, 1.0),
    }
}
