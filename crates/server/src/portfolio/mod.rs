//! Portfolio over HTTP: the planner (candidates from a list or a niche,
//! constraints, pins and excludes), plan → campaign members, the side-by-side
//! comparison, the organization's fee model and rate cards, the wave calendar
//! and the campaign dashboard. The selection itself is `chorus_portfolio`'s
//! pure engine; this module loads its inputs from the store.
//!
//! - `service`: what the pages and the API share.
//! - `pages`, `api`: the HTTP faces.
//! - [`charts`]: small inline-SVG bar charts (pure).

mod api;
pub mod charts;
mod pages;
mod service;

pub use api::PortfolioApiDoc;
pub use service::PriorsCache;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1/portfolio", api::routes())
}
