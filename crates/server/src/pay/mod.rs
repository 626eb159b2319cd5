//! Pay over HTTP: commissions and balances, payout runs, exports, provider
//! results, exchange rates and the ledger. The money rules are
//! `chorus_settlement`'s pure engine; this module feeds it from the store
//! and records what it returns.
//!
//! - [`service`]: what the pages, the API and the CLI share.
//! - `pages`, `api`: the HTTP faces.

mod api;
mod pages;
pub mod service;

pub use api::PayApiDoc;
pub(crate) use api::{file_response, is_pdf, StatementQuery};

use crate::AppState;
use axum::Router;

/// The finance pages.
pub fn routes() -> Router<AppState> {
    pages::routes()
}

/// The JSON routes, relative to `/api/v1`.
pub fn api_routes() -> Router<AppState> {
    api::routes()
}
