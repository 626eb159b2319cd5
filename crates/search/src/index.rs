//! [`SearchIndex`]: opening, batch writes and queries.

use crate::collect::{Entry, Fruit, SearchCollector, TIERS};
use crate::doc::{audience_from_json, SearchDoc};
use crate::filter::{Cols, Plan};
use crate::fit::{audience_fit, Target};
use crate::query::{SearchQuery, Sort};
use crate::results::{Facets, Hit, SearchResults, Why};
use crate::schema::Fields;
use crate::text::{clauses, TextClause};
use crate::SearchError;
use chrono::{DateTime, Utc};
use std::collections::hash_map::Entry as Entry_;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, EnableScoring, Occur, Query, TermQuery, TermSetQuery, Weight,
};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentOrdinal,
    TantivyDocument, Term,
};

/// Indexing memory budget shared by the writer threads: bounded whatever
/// the number of creators, because tantivy flushes a segment when it fills.
pub const WRITER_MEMORY: usize = 256 << 20;

/// A text clause's label and its weight, to test hits against.
type ClauseWeight = (String, Box<dyn Weight>);

/// What building the hits of one page needs; columns are opened once per
/// segment (opening a JSON column scans the segment's column directory).
struct Page<'a> {
    searcher: &'a Searcher,
    q: &'a SearchQuery,
    plan: &'a Plan,
    weights: Vec<ClauseWeight>,
    fruit: &'a Fruit,
    cols: HashMap<SegmentOrdinal, Cols>,
}

/// The index: readers take lock-free searcher snapshots; the one writer
/// sits behind its own mutex, so a search never waits for a write, and a
/// write becomes visible to searches all at once, when it commits.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// Created on the first write, so read-only users never take the
    /// directory lock.
    writer: Mutex<Option<IndexWriter>>,
    writer_memory: usize,
}

impl SearchIndex {
    /// Open the index in `dir`, creating it (and `dir`) when absent. An
    /// index of another schema is an error: rebuild it from the store.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, SearchError> {
        let open_err = |e: &dyn std::fmt::Display| SearchError::Open {
            path: dir.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        let (schema, fields) = Fields::build();
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_err(&e))?;
        let index = Index::open_or_create(mmap, schema)
            .map_err(|e| open_err(&format!("{e}; delete it and run `chorus index rebuild`")))?;
        Self::wrap(index, fields, ReloadPolicy::OnCommitWithDelay)
    }

    /// A throw-away index in memory, for tests and one-off tools.
    pub fn in_ram() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = Fields::build();
        Self::wrap(Index::create_in_ram(schema), fields, ReloadPolicy::Manual)
    }

    /// Every commit of ours reloads the reader (an index on disk also
    /// follows commits of other processes): a searcher holds exactly one
    /// committed state, never part of a batch.
    fn wrap(
        mut index: Index,
        fields: Fields,
        policy: ReloadPolicy,
    ) -> Result<SearchIndex, SearchError> {
        // One query collects its segments on every core.
        index.set_default_multithread_executor()?;
        let reader = index.reader_builder().reload_policy(policy).try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            reader,
            writer: Mutex::new(None),
            writer_memory: WRITER_MEMORY,
        })
    }

    /// Change the indexing memory budget (before the first write).
    pub fn set_writer_memory(&mut self, bytes: usize) {
        self.writer_memory = bytes.max(32 << 20);
    }

    /// The writer, locked until the returned batch commits or is dropped
    /// (a batch dropped without `commit` is rolled back). Searches do not
    /// take this lock: they go on reading the last commit meanwhile.
    pub fn writer(&self) -> Result<BatchWriter<'_>, SearchError> {
        let mut slot = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            let threads = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(4);
            let per_thread = (self.writer_memory / threads).max(16 << 20);
            *slot = Some(
                self.index
                    .writer_with_num_threads(threads, per_thread * threads)?,
            );
        }
        Ok(BatchWriter {
            ix: self,
            slot,
            dirty: false,
        })
    }

    /// Upsert `docs` by account id and commit once; searches see the whole
    /// batch or none of it.
    pub fn index_batch(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        let mut w = self.writer()?;
        for d in docs {
            w.upsert(d)?;
        }
        w.commit()
    }

    /// Remove accounts (deleted or merged in the store); one commit.
    pub fn delete(&self, account_ids: &[i64]) -> Result<(), SearchError> {
        let mut w = self.writer()?;
        for id in account_ids {
            w.delete(*id);
        }
        w.commit()
    }

    /// Wait for background merges to finish (after a rebuild), releasing
    /// the writer; smaller segment counts make queries faster.
    pub fn finish_merges(&self) -> Result<(), SearchError> {
        let taken = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = taken {
            w.wait_merging_threads()?;
            self.reader.reload()?;
        }
        Ok(())
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    fn analyzer(&self) -> TextAnalyzer {
        self.index
            .tokenizers()
            .get("default")
            .expect("tantivy registers `default`")
    }

    /// Run a query on one snapshot. `now` anchors `posted_within_days`.
    pub fn search(
        &self,
        q: &SearchQuery,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, SearchError> {
        q.validate()?;
        let searcher = self.reader.searcher();
        let text = q
            .text()
            .map(|t| clauses(&self.fields, &searcher, &mut self.analyzer(), t))
            .unwrap_or_default();
        let query = self.build_query(q, &text);
        let plan = Arc::new(Plan::new(q, now));
        let fruit = searcher.search(&*query, &SearchCollector { plan: plan.clone() })?;
        let mut page = Page {
            searcher: &searcher,
            q,
            plan: &plan,
            weights: self.clause_weights(&searcher, text)?,
            fruit: &fruit,
            cols: HashMap::new(),
        };
        let (offset, _) = q.window();
        let mut results = Vec::new();
        for e in fruit.top.iter().skip(offset) {
            results.push(self.hit(&mut page, e)?);
        }
        Ok(SearchResults {
            total: fruit.total,
            facets: facets(&fruit),
            results,
        })
    }

    /// The free text as the index will search it: kept words, "phrases"
    /// and #hashtags, without the words too common to select anyone. The
    /// SQL baselines search for the same words.
    pub fn effective_text(&self, text: &str) -> String {
        let searcher = self.reader.searcher();
        let cs = clauses(&self.fields, &searcher, &mut self.analyzer(), text);
        cs.into_iter()
            .map(|c| c.label)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Text clauses AND keyword filters (postings), minus excluded ids.
    fn build_query(&self, q: &SearchQuery, text: &[TextClause]) -> Box<dyn Query> {
        let f = &self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !text.is_empty() {
            let subs = text
                .iter()
                .map(|c| (c.occur, c.query.box_clone()))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(subs))));
        }
        let mut any_of = |field, values: Vec<String>| {
            if !values.is_empty() {
                let terms = values.iter().map(|v| Term::from_field_text(field, v));
                must.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
            }
        };
        any_of(
            f.platform,
            q.platforms.iter().map(|p| p.as_str().to_owned()).collect(),
        );
        any_of(
            f.country,
            q.countries
                .iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .collect(),
        );
        any_of(
            f.language,
            q.languages
                .iter()
                .map(|l| l.trim().to_ascii_lowercase())
                .collect(),
        );
        any_of(
            f.niche,
            q.niches.iter().map(|n| n.trim().to_lowercase()).collect(),
        );
        if let Some(e) = q.has_email {
            let t = TermQuery::new(
                Term::from_field_bool(f.has_email, e),
                IndexRecordOption::Basic,
            );
            must.push((Occur::Must, Box::new(t)));
        }
        if must.is_empty() {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        if !q.exclude_account_ids.is_empty() {
            let ids = q
                .exclude_account_ids
                .iter()
                .map(|id| Term::from_field_i64(f.account_id, *id));
            must.push((Occur::MustNot, Box::new(TermSetQuery::new(ids))));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// Weights of each text clause alone, to test which ones a hit matched.
    fn clause_weights(
        &self,
        searcher: &Searcher,
        text: Vec<TextClause>,
    ) -> Result<Vec<ClauseWeight>, SearchError> {
        let scoring = EnableScoring::disabled_from_searcher(searcher);
        text.into_iter()
            .map(|c| Ok((c.label, c.query.weight(scoring)?)))
            .collect()
    }

    /// One result with its explanation.
    fn hit(&self, p: &mut Page, e: &Entry) -> Result<Hit, SearchError> {
        let (q, plan, fruit) = (p.q, p.plan, p.fruit);
        let seg = p.searcher.segment_reader(e.segment);
        let mut why = Why::default();
        for (label, w) in &p.weights {
            if contains(w.as_ref(), seg, e.doc)? {
                why.matched_terms.push(label.clone());
            }
        }
        why.filters = keyword_reasons(q);
        let cols = match p.cols.entry(e.segment) {
            Entry_::Occupied(o) => o.into_mut(),
            Entry_::Vacant(v) => v.insert(Cols::open(seg, plan)?),
        };
        cols.matches(e.doc, plan, Some(&mut why.filters));
        let mut hit = self.stored_hit(p.searcher, DocAddress::new(e.segment, e.doc))?;
        if let (Some(t), Some(a)) = (q.target.as_ref().filter(|t| !t.is_empty()), &hit.1) {
            let fb = audience_fit(a, t, &q.fit_weights.unwrap_or_default());
            hit.0.fit = Some(fb.total);
            why.fit_breakdown = Some(fb);
        }
        let mut h = hit.0;
        h.score = match plan.sort {
            Sort::BestFit if fruit.max_score > 0.0 && plan.has_text => {
                e.key / fruit.max_score as f64
            }
            Sort::BestFit => e.key,
            _ => e.score as f64,
        };
        h.why = why;
        Ok(h)
    }

    /// The stored fields of a document as a hit (score and why empty), and
    /// its audience.
    fn stored_hit(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> Result<(Hit, Option<chorus_core::creator::Audience>), SearchError> {
        let f = &self.fields;
        let d: TantivyDocument = searcher.doc(addr)?;
        let s = |field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let audience = d
            .get_first(f.aud)
            .map(|v| serde_json::to_value(OwnedValue::from(v)).unwrap_or_default())
            .and_then(|v| audience_from_json(&v));
        let hit = Hit {
            account_id: d
                .get_first(f.account_id)
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            platform: s(f.platform)
                .and_then(|p| p.parse().ok())
                .unwrap_or(chorus_core::Platform::Instagram),
            handle: s(f.handle).unwrap_or_default(),
            name: s(f.name).unwrap_or_default(),
            followers: d
                .get_first(f.followers)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            er: d.get_first(f.er).and_then(|v| v.as_f64()),
            niche: s(f.niche),
            country: s(f.country),
            score: 0.0,
            fit: None,
            why: Why::default(),
        };
        Ok((hit, audience))
    }

    /// Creators like `account_id`: content similarity (its most frequent
    /// words, re-queried with BM25 so rare words weigh most) combined with
    /// how well their audience fits its audience, 60% / 40%. The seed is
    /// excluded. Scores are in 0..1.
    pub fn lookalikes(&self, account_id: i64, k: usize) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let seed_q = TermQuery::new(
            Term::from_field_i64(f.account_id, account_id),
            IndexRecordOption::Basic,
        );
        let seed = searcher.search(&seed_q, &TopDocs::with_limit(1))?;
        let Some((_, addr)) = seed.first() else {
            return Err(SearchError::NotFound(account_id));
        };
        let d: TantivyDocument = searcher.doc(*addr)?;
        let words = d
            .get_first(f.keywords)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned();
        let (_, seed_aud) = self.stored_hit(&searcher, *addr)?;
        let target = seed_aud
            .as_ref()
            .map(Target::from_audience)
            .unwrap_or_default();
        let text = clauses(f, &searcher, &mut self.analyzer(), &words);
        let mut subs: Vec<(Occur, Box<dyn Query>)> = text
            .iter()
            .map(|c| (Occur::Should, c.query.box_clone()))
            .collect();
        subs.push((Occur::MustNot, Box::new(seed_q)));
        let cands = searcher.search(
            &BooleanQuery::new(subs),
            &TopDocs::with_limit((k * 10).max(100)),
        )?;
        let max = cands.first().map_or(1.0, |c| c.0.max(f32::MIN_POSITIVE)) as f64;
        let mut hits = Vec::new();
        for (score, addr) in cands {
            let (mut h, aud) = self.stored_hit(&searcher, addr)?;
            let fb = aud.map(|a| audience_fit(&a, &target, &Default::default()));
            let fit = fb.map_or(0.0, |b| b.total);
            h.score =
                0.6 * (score as f64 / max) + 0.4 * fit * if target.is_empty() { 0.0 } else { 1.0 };
            h.fit = fb.map(|b| b.total);
            h.why.fit_breakdown = fb;
            hits.push((h, addr));
        }
        hits.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.account_id.cmp(&b.0.account_id))
        });
        hits.truncate(k);
        let weights = self.clause_weights(&searcher, text)?;
        for (h, addr) in &mut hits {
            let seg = searcher.segment_reader(addr.segment_ord);
            for (label, w) in &weights {
                if contains(w.as_ref(), seg, addr.doc_id)? {
                    h.why.matched_terms.push(label.clone());
                }
            }
        }
        Ok(hits.into_iter().map(|(h, _)| h).collect())
    }
}

/// One batch of writes, holding the writer's lock: nothing of it is
/// visible to searches until [`BatchWriter::commit`].
pub struct BatchWriter<'a> {
    ix: &'a SearchIndex,
    slot: MutexGuard<'a, Option<IndexWriter>>,
    dirty: bool,
}

impl BatchWriter<'_> {
    fn w(&mut self) -> &mut IndexWriter {
        self.slot.as_mut().expect("created by SearchIndex::writer")
    }

    /// Add or replace the document of `d.account_id`.
    pub fn upsert(&mut self, d: &SearchDoc) -> Result<(), SearchError> {
        let f = &self.ix.fields;
        let (term, doc) = (
            Term::from_field_i64(f.account_id, d.account_id),
            d.to_tantivy(f),
        );
        self.dirty = true;
        let w = self.w();
        w.delete_term(term);
        w.add_document(doc)?;
        Ok(())
    }

    /// Add `d` without looking for an older document of the same account:
    /// only for an index known not to hold it (a rebuild from empty), where
    /// skipping the delete saves a term lookup per document at commit.
    pub fn append(&mut self, d: &SearchDoc) -> Result<(), SearchError> {
        let doc = d.to_tantivy(&self.ix.fields);
        self.dirty = true;
        self.w().add_document(doc)?;
        Ok(())
    }

    /// [`BatchWriter::append`] for many items at once, converted to
    /// documents by `to_doc` on every core while tantivy's threads index
    /// them (the writer takes documents from several threads).
    pub fn append_all<T: Sync>(
        &mut self,
        items: &[T],
        to_doc: impl Fn(&T) -> SearchDoc + Sync,
    ) -> Result<(), SearchError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per = items.len().div_ceil(threads).max(1);
        self.dirty = true;
        let (f, w) = (
            &self.ix.fields,
            self.slot.as_ref().expect("created by writer"),
        );
        std::thread::scope(|s| {
            let parts: Vec<_> = items
                .chunks(per)
                .map(|part| {
                    let to_doc = &to_doc;
                    s.spawn(move || -> Result<(), SearchError> {
                        for it in part {
                            w.add_document(to_doc(it).to_tantivy(f))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            parts
                .into_iter()
                .try_for_each(|h| h.join().expect("a conversion thread panicked"))
        })
    }

    /// Remove the document of `account_id`, if any.
    pub fn delete(&mut self, account_id: i64) {
        let term = Term::from_field_i64(self.ix.fields.account_id, account_id);
        self.dirty = true;
        self.w().delete_term(term);
    }

    /// Make the batch durable and visible to the next searches at once.
    pub fn commit(mut self) -> Result<(), SearchError> {
        self.dirty = false;
        self.w().commit()?;
        self.ix.reader.reload()?;
        Ok(())
    }
}

impl Drop for BatchWriter<'_> {
    /// An abandoned batch (an error half-way) must not ride along with the
    /// next one's commit.
    fn drop(&mut self) {
        // A writer that cannot roll back is dropped with its uncommitted
        // documents; the next batch opens a fresh one.
        if self.dirty && self.w().rollback().is_err() {
            *self.slot = None;
        }
    }
}

/// Whether `weight` matches `doc` (a fresh scorer may already be past it,
/// and `seek` must only move forward).
fn contains(
    weight: &dyn Weight,
    seg: &tantivy::SegmentReader,
    doc: tantivy::DocId,
) -> tantivy::Result<bool> {
    let mut s = weight.scorer(seg, 1.0)?;
    Ok(match s.doc() {
        d if d > doc => false,
        d if d == doc => true,
        _ => s.seek(doc) == doc,
    })
}

/// Keyword filters hold for every hit by construction; say so once each.
fn keyword_reasons(q: &SearchQuery) -> Vec<String> {
    let mut v = Vec::new();
    let list = |name: &str, vals: Vec<String>, v: &mut Vec<String>| {
        if !vals.is_empty() {
            v.push(format!("{name} {}", vals.join("|")));
        }
    };
    list(
        "platform",
        q.platforms.iter().map(|p| p.to_string()).collect(),
        &mut v,
    );
    list("country", q.countries.clone(), &mut v);
    list("language", q.languages.clone(), &mut v);
    list("niche", q.niches.clone(), &mut v);
    if let Some(e) = q.has_email {
        v.push(if e { "has email" } else { "no email" }.into());
    }
    v
}

fn facets(fruit: &Fruit) -> Facets {
    let sorted = |m: &std::collections::HashMap<String, u64>| {
        let mut v: Vec<(String, u64)> = m.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    };
    Facets {
        niche: sorted(&fruit.niche),
        country: sorted(&fruit.country),
        follower_tier: TIERS
            .iter()
            .zip(fruit.tier)
            .map(|(t, n)| (t.0.to_owned(), n))
            .collect(),
        platform: sorted(&fruit.platform),
    }
}
