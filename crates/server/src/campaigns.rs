//! Campaign pages and API: pipeline board, briefs, deal terms, contracts,
//! creator portal and deliverables.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
