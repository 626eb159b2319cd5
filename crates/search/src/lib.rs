//! Discover: the creator search engine (issue 3).
//!
//! A tantivy index derived from the store — never the system of record —
//! holding one document per platform account ([`SearchDoc`]). It is written
//! only in batches ([`SearchIndex::index_batch`], one commit each) and every
//! query runs on one searcher snapshot. A [`SearchQuery`] combines BM25 free
//! text with filters on columns (followers, ER, audience shares…); one pass
//! counts facets over the whole filtered set, ranks, and the page's hits say
//! why they matched. [`audience_fit`] scores an audience against a target;
//! [`SearchIndex::lookalikes`] finds creators like a given one.

mod collect;
mod doc;
mod filter;
mod fit;
mod index;
mod query;
mod results;
mod schema;
mod text;

pub mod bench;

pub use collect::{er_sanity, tier_of, TIERS};
pub use doc::{SearchDoc, RECENT_POSTS};
pub use filter::pct;
pub use fit::{audience_fit, FitBreakdown, FitWeights, Target};
pub use index::{BatchWriter, SearchIndex, WRITER_MEMORY};
pub use query::{parse_text, Clause, SearchQuery, Sort, DEFAULT_LIMIT, MAX_WINDOW};
pub use results::{Facets, Hit, SearchResults, Why};

/// Errors of the search crate; the API maps `InvalidQuery` to 400 and
/// `NotFound` to 404, the rest to 500.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("invalid search: {0}")]
    InvalidQuery(String),
    #[error("no creator with account id {0} in the search index")]
    NotFound(i64),
    #[error("search index at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}
