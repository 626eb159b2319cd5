//! Campaign pages and API: pipeline board, briefs, deal terms, contracts,
//! creator portal and deliverables.
//!
//! - [`stage`]: the pipeline stages and the one transition rule (pure).
//! - [`brief`]: the brief format and merge fields (pure).
//! - [`terms`]: deal terms, bulk fee edits and the budget check (pure).
//! - [`contract`]: contract text, hash and PDF (pure).
//! - [`mail`]: the outbox job and deliverable reminders.
//! - `service`: what the web pages and the API share (send contracts, moves…).
//! - `pages`, `portal`, `api`: the HTTP faces.

mod api;
pub mod brief;
pub mod contract;
pub mod mail;
mod pages;
mod portal;
mod service;
pub mod stage;
pub mod terms;

pub use api::CampaignsApiDoc;
pub use mail::{deliver_outbox, queue_reminders, spawn_outbox_worker, Mailer};

use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(portal::routes())
        .nest("/api/v1/campaigns", api::routes())
        .route(
            "/static/campaigns.js",
            get(|| {
                static_file(
                    "text/javascript",
                    include_bytes!("../../static/campaigns.js"),
                )
            }),
        )
        .route(
            "/static/campaigns.css",
            get(|| static_file("text/css", include_bytes!("../../static/campaigns.css"))),
        )
}

async fn static_file(ct: &'static str, bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response()
}
