//! Chorus over HTTP: the JSON API under `/api/v1` (with its OpenAPI
//! document), the server-rendered web UI, health and metrics. Only this crate
//! knows about HTTP. Services that the CLI shares (imports) live here too.

pub mod api;
pub mod auth;
pub mod campaigns;
pub mod discover;
pub mod error;
pub mod ingest;
mod metrics;
pub mod pay;
pub mod payout_details;
pub mod pdf;
pub mod portfolio;
pub mod qualify;
pub mod statements;
pub mod track;
pub mod web;

use auth::{Caller, Via, CSRF_FIELD, CSRF_HEADER};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chorus_store::Store;
use error::ApiError;
use std::sync::Arc;
use std::time::Duration;

/// Server settings that are not storage.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    pub session_ttl: Duration,
    /// Largest accepted upload (imports).
    pub max_body_bytes: usize,
    /// Where files live (draft uploads under `uploads/`); None turns
    /// uploads off with a clear message.
    pub data_dir: Option<std::path::PathBuf>,
    /// Largest file a creator may upload with a draft.
    pub max_upload_bytes: usize,
    /// Encrypts creators' payout details at rest (`CHORUS_SECRET_KEY` or the
    /// key file in the data directory); None: payout details are unavailable.
    pub secret_key: Option<chorus_store::secret::SecretKey>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            cookie_secure: false,
            session_ttl: Duration::from_secs(12 * 3600),
            max_body_bytes: 256 << 20,
            data_dir: None,
            max_upload_bytes: 100 << 20,
            secret_key: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    metrics: Arc<metrics::Metrics>,
    pub tracking: Arc<track::TrackingState>,
    /// Catalog priors for the planner, relearned when the catalog changes.
    pub portfolio: Arc<portfolio::PriorsCache>,
    /// The search index and its indexer (`discover::start` opens the real one).
    pub discover: Arc<discover::Discover>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
            tracking: Arc::new(track::TrackingState::new()),
            portfolio: Arc::new(portfolio::PriorsCache::new()),
            discover: Arc::new(discover::Discover::in_ram()),
        }
    }
}

pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .nest("/api/v1", api::routes())
        .merge(web::routes())
        .merge(discover::routes())
        .merge(qualify::routes())
        .merge(campaigns::routes())
        .merge(portfolio::routes())
        .merge(pay::routes())
        .merge(track::routes())
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state.clone())
        // Outside the authenticate layer: the redirect never waits for the database.
        .merge(track::redirect_router(state))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok"})),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable", "error": e.to_string()})),
        )
            .into_response(),
    }
}

/// Resolve the caller once per request and enforce CSRF on every
/// state-changing request that rides on a session cookie. Token callers are
/// exempt: a bearer header cannot be forged by another site.
async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let caller = match auth::resolve(&state, req.headers()).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let Some(caller) = caller else {
        return next.run(req).await;
    };
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let req = match (&caller.via, safe) {
        (Via::Session { csrf_token, .. }, false) => {
            match check_csrf(req, csrf_token, state.config.max_body_bytes).await {
                Ok(req) => req,
                Err(e) => return e.into_response(),
            }
        }
        _ => req,
    };
    let mut req = req;
    req.extensions_mut().insert::<Caller>(caller);
    next.run(req).await
}

/// Accept the token from the `X-CSRF-Token` header, a `csrf_token` form
/// field, or (for multipart uploads) a `csrf_token` query parameter.
async fn check_csrf(req: Request, expected: &str, limit: usize) -> Result<Request, ApiError> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if auth::ct_eq(v, expected) {
            Ok(req)
        } else {
            Err(ApiError::Csrf)
        };
    }
    let query_token = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v)
    });
    if let Some(v) = query_token {
        return if auth::ct_eq(&v, expected) {
            Ok(req)
        } else {
            Err(ApiError::Csrf)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(ApiError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge(limit))?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let ok = fields
        .iter()
        .any(|(k, v)| k == CSRF_FIELD && auth::ct_eq(v, expected));
    if !ok {
        return Err(ApiError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Serve until `shutdown` resolves, then finish in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

pub(crate) fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}
