//! Discover in the server: the search index this process owns, the
//! background indexer that feeds it from the store, and search over HTTP
//! (`api`: JSON and CSV; `page`: the web page).
//!
//! The index is derived data. Only the indexer writes it, in batches of
//! changed accounts (one commit each); request handlers only read, and every
//! query runs on one searcher snapshot. Reads never wait for the indexer:
//! the writer has its own lock inside [`SearchIndex`], and a searcher is a
//! lock-free snapshot of the last commit.

pub mod api;
pub mod page;

use crate::AppState;
use chorus_core::AccountId;
use chorus_search::{Hit, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults};
use chorus_store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::Notify;

/// Accounts read from the store and committed per index batch.
const BATCH: i64 = 1000;
/// Each pass re-reads changes this far behind its watermark: a transaction
/// that stamped its rows before the last pass but committed after it is
/// still found. Rows already indexed at the same `updated_at` are skipped.
const OVERLAP_US: i64 = 30_000_000;
/// Indexing memory of the server's writer: batches are small.
const WRITER_MEMORY: usize = 64 << 20;
/// Where the indexer keeps its watermark, beside the index files.
const WATERMARK_FILE: &str = "chorus-watermark.json";

/// The server's search index and its indexer's controls.
pub struct Discover {
    /// Replaced once, when `start` opens the index on disk; held only to
    /// clone the `Arc`, never across a search or a write.
    index: RwLock<Arc<SearchIndex>>,
    nudge: Notify,
    /// Earliest `updated_at` (µs) a nudge asks the indexer to re-read from.
    rewind: AtomicI64,
    /// `updated_at` of the newest change indexed so far (µs).
    watermark: AtomicI64,
    /// Completed indexer passes.
    passes: AtomicU64,
}

impl Discover {
    /// An empty in-memory index (tests, and until `start` opens the real one).
    pub fn in_ram() -> Discover {
        Discover::with_index(SearchIndex::in_ram().expect("an in-memory index always opens"))
    }

    fn with_index(mut index: SearchIndex) -> Discover {
        index.set_writer_memory(WRITER_MEMORY);
        Discover {
            index: RwLock::new(Arc::new(index)),
            nudge: Notify::new(),
            rewind: AtomicI64::new(i64::MAX),
            watermark: AtomicI64::new(i64::MIN),
            passes: AtomicU64::new(0),
        }
    }

    /// Ask the indexer to run now, re-reading changes stamped at or after
    /// `since` (µs): an import passes its start time, so rows its
    /// transactions stamped earlier than they committed are not missed.
    pub fn nudge(&self, since: i64) {
        self.rewind.fetch_min(since, Ordering::SeqCst);
        self.nudge.notify_one();
    }

    /// Run a query on one snapshot of the index (blocking: CPU work).
    pub fn search(
        &self,
        q: &SearchQuery,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SearchResults, SearchError> {
        self.index().search(q, now)
    }

    pub fn lookalikes(&self, account_id: i64, k: usize) -> Result<Vec<Hit>, SearchError> {
        self.index().lookalikes(account_id, k)
    }

    pub fn num_docs(&self) -> u64 {
        self.index().num_docs()
    }

    /// `updated_at` (µs) of the newest change indexed, and completed passes.
    pub fn progress(&self) -> (i64, u64) {
        (
            self.watermark.load(Ordering::SeqCst),
            self.passes.load(Ordering::SeqCst),
        )
    }

    /// The current index. Its `writer()` is the lock an indexer pass
    /// holds while it writes; searches never take it.
    pub fn index(&self) -> Arc<SearchIndex> {
        self.index.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn replace(&self, index: SearchIndex) {
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(index);
    }
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/api/v1/search",
            get(api::api_search_get).post(api::api_search_post),
        )
        .route("/api/v1/search.csv", get(api::api_search_csv))
        .route("/api/v1/creators/{id}/lookalikes", get(api::api_lookalikes))
        .route("/discover", get(page::discover))
        .route("/discover.csv", get(page::discover_csv))
        .route("/discover/saved", post(page::save_search))
        .route("/creators/{id}/lookalikes", get(page::lookalikes_page))
}

/// Open the index in `dir` (or keep the in-memory one when `None`) and
/// start the indexer: it catches up at once (everything, when the index is
/// empty or has no watermark), then runs when nudged and every `poll`.
pub fn start(state: &AppState, dir: Option<&Path>, poll: Duration) -> anyhow::Result<()> {
    let d = state.discover.clone();
    let mut watermark = None;
    if let Some(dir) = dir {
        let mut ix = SearchIndex::open_or_create(dir)?;
        ix.set_writer_memory(WRITER_MEMORY);
        if ix.num_docs() > 0 {
            watermark = read_watermark(dir);
        }
        d.replace(ix);
    }
    let mut ix = Indexer {
        store: state.store.clone(),
        d: d.clone(),
        dir: dir.map(Path::to_path_buf),
        watermark: watermark.unwrap_or((i64::MIN, 0)),
        recent: HashMap::new(),
    };
    tokio::spawn(async move {
        loop {
            match ix.pass().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(indexed = n, "search index updated"),
                Err(e) => tracing::warn!(error = %e, "search indexer pass failed"),
            }
            ix.d.passes.fetch_add(1, Ordering::SeqCst);
            tokio::select! {
                _ = ix.d.nudge.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    });
    Ok(())
}

/// The index directory of a data directory, unless `CHORUS_INDEX_DIR` says otherwise.
pub fn index_dir(data_dir: &Path) -> PathBuf {
    match std::env::var_os("CHORUS_INDEX_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => data_dir.join("index"),
    }
}

/// Record that the index in `dir` holds every change up to `(updated_at, id)`
/// (`chorus index rebuild` calls this, so a server starts from there).
pub fn save_watermark(dir: &Path, updated_at: i64, id: i64) -> std::io::Result<()> {
    let tmp = dir.join(format!("{WATERMARK_FILE}.tmp"));
    let body = serde_json::json!({"updated_at": updated_at, "id": id}).to_string();
    std::fs::write(&tmp, body)?;
    std::fs::rename(tmp, dir.join(WATERMARK_FILE))
}

fn read_watermark(dir: &Path) -> Option<(i64, i64)> {
    let s = std::fs::read_to_string(dir.join(WATERMARK_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&s).ok()?;
    Some((v["updated_at"].as_i64()?, v["id"].as_i64()?))
}

struct Indexer {
    store: Store,
    d: Arc<Discover>,
    dir: Option<PathBuf>,
    /// Keyset cursor `(updated_at, account id)` of the newest change indexed.
    watermark: (i64, i64),
    /// `updated_at` of accounts indexed within the overlap window.
    recent: HashMap<i64, i64>,
}

impl Indexer {
    /// Index every change since the watermark (minus the overlap, or from
    /// a nudge's rewind); returns how many accounts were (re)indexed.
    async fn pass(&mut self) -> anyhow::Result<u64> {
        let rewind = self.d.rewind.swap(i64::MAX, Ordering::SeqCst);
        let from = self
            .watermark
            .0
            .saturating_sub(OVERLAP_US)
            .min(rewind)
            .saturating_sub(1);
        // Strictly after (from, MAX) = at or after from + 1.
        let mut cur = (from, i64::MAX);
        let mut n = 0;
        loop {
            let batch = self
                .store
                .account_records_changed_after(cur.0, AccountId(cur.1), BATCH)
                .await?;
            let Some(last) = batch.last() else { break };
            cur = (last.1, last.0 .0);
            let docs: Vec<SearchDoc> = batch
                .iter()
                .filter(|(id, at, _)| self.recent.get(&id.0) != Some(at))
                .map(|(id, _, rec)| SearchDoc::from_record(id.0, rec))
                .collect();
            for (id, at, _) in &batch {
                self.recent.insert(id.0, *at);
            }
            if !docs.is_empty() {
                n += docs.len() as u64;
                let ix = self.d.index();
                tokio::task::spawn_blocking(move || ix.index_batch(&docs)).await??;
            }
            if cur > self.watermark {
                self.watermark = cur;
                self.d.watermark.store(cur.0, Ordering::SeqCst);
            }
            if (batch.len() as i64) < BATCH {
                break;
            }
            if self.recent.len() > 200_000 {
                self.prune();
            }
        }
        self.prune();
        if n > 0 {
            if let Some(dir) = &self.dir {
                save_watermark(dir, self.watermark.0, self.watermark.1)?;
            }
        }
        Ok(n)
    }

    fn prune(&mut self) {
        let keep = self.watermark.0.saturating_sub(OVERLAP_US);
        self.recent.retain(|_, at| *at >= keep);
    }
}
