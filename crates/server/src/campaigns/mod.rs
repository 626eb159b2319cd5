//! Campaign pages and API: pipeline board, briefs, deal terms, contracts,
//! creator portal and deliverables.
//!
//! - [`stage`]: the pipeline stages and the one transition rule (pure).
//! - [`brief`]: the brief format and merge fields (pure).
//! - [`terms`]: deal terms, bulk fee edits and the budget check (pure).
//! - [`contract`]: contract text, hash and PDF (pure).
//! - [`mail`]: the outbox job and deliverable reminders.
//! - [`qualify_rule`]: the manager's qualification rule and qualifying the shortlist.
//! - `service`: what the web pages and the API share (send contracts, moves…).
//! - [`review`]: automatic checks on drafts, review rounds, batch approval
//!   and live-post verification (what pages, portal and API share).
//! - [`uploads`]: draft files in the data dir, typed by their first bytes.
//! - `pages`, `review_pages`, `portal`, `api`: the HTTP faces.

mod api;
pub mod bench;
pub mod brief;
pub mod contract;
pub mod mail;
mod pages;
mod portal;
pub mod qualify_rule;
pub mod review;
mod review_pages;
mod service;
pub mod stage;
pub mod terms;
pub mod uploads;

pub use api::CampaignsApiDoc;
pub use mail::{deliver_outbox, queue_reminders, spawn_outbox_worker, Mailer};
pub use qualify_rule::QualifyRuleApiDoc;
pub(crate) use service::{budget, campaign, current_brief};

use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pages::routes())
        .merge(review_pages::routes())
        .merge(portal::routes())
        .merge(qualify_rule::page_routes())
        .nest(
            "/api/v1/campaigns",
            api::routes().merge(qualify_rule::api_routes()),
        )
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

/// A ready-to-run example wave for the demo: a brief, hybrid deal terms
/// (base fee in two milestones plus a capped revenue share) and its members
/// shortlisted.
pub async fn create_sample_campaign(
    store: &chorus_store::Store,
    org: chorus_core::OrgId,
    members: &[chorus_core::AccountId],
) -> anyhow::Result<chorus_core::CampaignId> {
    let start = chrono::Utc::now().date_naive() + chrono::Days::new(14);
    let end = start + chrono::Days::new(30);
    let brief = serde_json::json!({
        "key_message": "Ridgeline trail shoes grip on wet rock and stay light after 40 km",
        "talking_points": ["grip on wet rock", "light after long miles", "recycled upper"],
        "disclosure": "required",
        "disclosure_text": "#ad",
        "required_hashtags": ["#RidgelineRun"],
        "required_mentions": ["@ridgeline"],
        "promo_code": "{{promo_code}}",
        "prohibited": ["injury-proof", "guaranteed"],
        "competitors": ["Trailcraft"],
        "deliverables": [{"platform": "instagram", "format": "reel", "count": 1, "due": (start + chrono::Days::new(10)).to_string()}],
        "creative_freedom": "Tell it your way: your route, your voice. We only ask for the points above.",
        "usage_rights": "Organic reposting on the brand's channels for 90 days."
    });
    let terms = serde_json::json!({
        "currency": "USD",
        "base_fee": "500.00",
        "milestones": [{"event": "signed", "share": "0.5"}, {"event": "published", "share": "0.5"}],
        "performance": {"type": "rev_share", "basis": "revenue", "rate": "0.10", "cap": "1500.00"},
        "hold_days": 30,
        "exclusivity_days": 30,
        "competitors": ["Trailcraft"],
        "usage_rights_days": 90
    });
    let input = service::CampaignInput {
        name: "Spring trail wave".into(),
        product: "Ridgeline trail running shoe".into(),
        budget: "40000.00".into(),
        currency: "USD".into(),
        starts: start.to_string(),
        ends: end.to_string(),
        attribution_window_days: Some("30".into()),
        default_brief: brief.to_string(),
        default_terms: terms.to_string(),
        contract_template: String::new(),
    };
    let new = input
        .parse(None)
        .map_err(|e| anyhow::anyhow!("sample campaign: {e}"))?;
    let c = store.create_campaign(org, None, &new).await?;
    store
        .add_members(
            org,
            c.id,
            members,
            &new.default_terms,
            chorus_store::campaigns::Actor::System,
        )
        .await?;
    Ok(c.id)
}
