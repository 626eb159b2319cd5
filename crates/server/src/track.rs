//! Tracking redirects, the first-party snippet, order and refund ingestion
//! (API, Shopify webhooks) and attribution reports.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
