//! Tracking redirects, the first-party snippet, order and refund ingestion
//! (API, Shopify webhooks, CSV) and attribution reports. The rules of
//! attribution live in `chorus_attribution`; this module only feeds them.
//!
//! # Invariant: the redirect never waits for the database
//! Links are cached in memory ([`TrackingState`]): all of them are loaded by
//! [`start`], changes made through this server update the cache at once, and
//! a background task picks up changes made by other instances every few
//! seconds. The cache is a map replaced as a whole on change; each worker
//! thread keeps a snapshot and checks one counter per redirect, so readers
//! never contend on a lock. Clicks go into a bounded queue; the click log
//! ([`clicklog`]) writes them durably with group commit and applies them to
//! the store in batches.
//!
//! # The first-party snippet
//! Put this on every page of the shop (the key is shown in Settings, or
//! returned by `GET /api/v1/attribution/settings` as `public_key`):
//!
//! ```html
//! <script src="https://chorus.example.com/t.js?k=pk_YOUR_PUBLIC_KEY" async></script>
//! ```
//!
//! When a shopper lands from a tracking link (`…?chorus_cid=…`), the snippet
//! keeps the click id in a first-party cookie `chorus_cid` for the
//! attribution window (30 days unless `&days=N`, 1–180, is added to the
//! script URL). At checkout read it and send it with the order:
//!
//! ```html
//! <script>
//!   // e.g. put it in a hidden field or a Shopify cart attribute named chorus_cid
//!   var cid = window.chorus && window.chorus.clickId();   // null when none
//!   // once the shopper is known (login, checkout), link them to the click:
//!   window.chorus && window.chorus.identify("customer-42"); // or a hashed email
//! </script>
//! ```
//!
//! `identify` posts `{click_id, customer_key}` to `/api/v1/identify?k=…`,
//! which lets a later purchase by that customer, on any device, be credited
//! through the customer-history rule.
//!
//! # Signed order webhooks
//! `POST /api/v1/orders` and `POST /api/v1/refunds` accept either an API
//! token (`Authorization: Bearer …`) or a signature made with the
//! organization's webhook secret, in the manner of Stripe:
//! `Chorus-Org: <org slug>` and
//! `Chorus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! A timestamp more than 5 minutes from the server's clock is refused, and
//! so is a signature seen before within that window. Orders are idempotent on
//! `(organization, order_id)`; the response comes after the commit.
//! Organizations' webhook and Shopify secrets are read once per
//! [`orders::SECRETS_TTL`]: a secret rotated through this server is used at
//! once, one rotated through another instance within that time.

pub mod admin;
pub mod attribute;
pub mod clicklog;
pub mod codes;
pub mod commit;
pub mod leaks;
pub mod openapi;
pub mod orders;
pub mod redirect;
pub mod report;
pub mod snippet;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use chorus_attribution::geo::IpCountryTable;
use chorus_store::tracking::Click;
use chorus_store::Store;
use redirect::{CachedLink, Dedup};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub use attribute::{attribute_orders, rerun_attribution};
pub use orders::{import_orders_csv, import_refunds_csv};

/// Names a full IP-range → country table (`start,end,country` CSV) to use
/// instead of the bundled one.
pub const IP_COUNTRY_FILE_ENV: &str = "CHORUS_IP_COUNTRY_FILE";

/// The table `CHORUS_IP_COUNTRY_FILE` names, or `None` when it is unset.
pub fn ip_table_from_env() -> anyhow::Result<Option<IpCountryTable>> {
    let Some(path) = std::env::var_os(IP_COUNTRY_FILE_ENV) else {
        return Ok(None);
    };
    load_ip_table(Path::new(&path)).map(Some)
}

pub fn load_ip_table(path: &Path) -> anyhow::Result<IpCountryTable> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    IpCountryTable::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// How often links changed by other instances are picked up.
const REFRESH: Duration = Duration::from_secs(3);

/// The link cache: code → link, replaced as a whole on every change
/// (copy-on-write) so readers never wait for a writer.
type LinkMap = HashMap<String, Arc<CachedLink>>;

/// Tells the link caches of different [`TrackingState`]s apart in the
/// per-thread snapshots.
static NEXT_STATE_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's snapshot of one state's link map: (state id,
    /// generation, map). Reading it costs one atomic load of the state's
    /// generation; the shared lock is taken only after a change.
    static LINK_SNAPSHOT: std::cell::RefCell<(u64, u64, Arc<LinkMap>)> =
        std::cell::RefCell::new((0, 0, Arc::new(HashMap::new())));
}

/// Per-process tracking state: the link cache, the click queue, dedup and
/// replay memories.
pub struct TrackingState {
    id: u64,
    links: RwLock<Arc<LinkMap>>,
    /// Bumped after every change of `links`.
    links_gen: AtomicU64,
    links_seen_us: AtomicI64,
    ip_key: RwLock<Vec<u8>>,
    /// The current day (days since the epoch) and its IP-hash MAC, keyed
    /// with that day's salt.
    salt: RwLock<(i64, Arc<redirect::DayMac>)>,
    log: OnceLock<mpsc::Sender<clicklog::Msg>>,
    /// The group commit of orders, started on first use.
    orders: OnceLock<mpsc::Sender<commit::Job>>,
    /// Set only when no log was started (tests, tools): clicks go straight
    /// to the store from a spawned task.
    fallback_store: OnceLock<Store>,
    pub(crate) dedup: Dedup,
    /// Signatures accepted recently, with their expiry (unix seconds).
    pub(crate) seen_signatures: Mutex<HashMap<String, i64>>,
    /// Country by IP range, for clicks that arrive without a proxy's country header.
    ip_countries: RwLock<Arc<IpCountryTable>>,
    /// Organizations' ingestion secrets by slug, read for a few seconds
    /// before being read again (see [`orders::SECRETS_TTL`]).
    pub(crate) secrets: orders::SecretCache,
}

impl Default for TrackingState {
    fn default() -> Self {
        TrackingState::new()
    }
}

impl TrackingState {
    pub fn new() -> TrackingState {
        TrackingState {
            id: NEXT_STATE_ID.fetch_add(1, Ordering::Relaxed),
            links: RwLock::new(Arc::new(HashMap::new())),
            links_gen: AtomicU64::new(1),
            links_seen_us: AtomicI64::new(i64::MIN),
            ip_key: RwLock::new(crate::auth::random_secret().into_bytes()),
            salt: RwLock::new((i64::MIN, Arc::new(redirect::DayMac::new(&[0; 32])))),
            log: OnceLock::new(),
            orders: OnceLock::new(),
            fallback_store: OnceLock::new(),
            dedup: Dedup::default(),
            seen_signatures: Mutex::new(HashMap::new()),
            ip_countries: RwLock::new(Arc::new(IpCountryTable::bundled())),
            secrets: orders::SecretCache::default(),
        }
    }

    pub(crate) fn link(&self, code: &str) -> Option<Arc<CachedLink>> {
        let generation = self.links_gen.load(Ordering::Acquire);
        LINK_SNAPSHOT.with(|snap| {
            let mut snap = snap.borrow_mut();
            if snap.0 != self.id || snap.1 != generation {
                let map = self.links.read().ok()?.clone();
                *snap = (self.id, generation, map);
            }
            snap.2.get(code).cloned()
        })
    }

    pub(crate) fn ip_countries(&self) -> Arc<IpCountryTable> {
        self.ip_countries
            .read()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// Replace the IP-range table (the bundled one is used until then).
    pub fn set_ip_countries(&self, table: IpCountryTable) {
        if let Ok(mut t) = self.ip_countries.write() {
            *t = Arc::new(table);
        }
    }

    pub(crate) fn ip_key(&self) -> Vec<u8> {
        self.ip_key.read().map(|k| k.clone()).unwrap_or_default()
    }

    /// The IP-hash MAC of `day` (days since the epoch), keyed with the
    /// day's salt, derived once a day.
    pub(crate) fn mac_of_day(&self, day: i64) -> Arc<redirect::DayMac> {
        if let Ok(s) = self.salt.read() {
            if s.0 == day {
                return s.1.clone();
            }
        }
        let date = chrono::DateTime::from_timestamp(day * 86_400, 0)
            .unwrap_or_default()
            .format("%Y-%m-%d")
            .to_string();
        let mac = Arc::new(redirect::DayMac::new(&redirect::day_salt(
            &self.ip_key(),
            &date,
        )));
        if let Ok(mut s) = self.salt.write() {
            *s = (day, mac.clone());
        }
        mac
    }

    /// Put links (new, changed or disabled) into the cache.
    pub fn apply_links(&self, links: &[chorus_store::tracking::Link]) {
        if links.is_empty() {
            return;
        }
        let Ok(mut shared) = self.links.write() else {
            return;
        };
        let mut map: LinkMap = (**shared).clone();
        for l in links {
            if l.disabled_at.is_some() {
                map.remove(&l.code);
            } else {
                map.insert(l.code.clone(), Arc::new(CachedLink::from_link(l)));
            }
            self.links_seen_us
                .fetch_max(l.updated_at, Ordering::Relaxed);
        }
        *shared = Arc::new(map);
        self.links_gen.fetch_add(1, Ordering::Release);
    }

    /// Load links changed since the last load.
    pub async fn refresh_links(&self, store: &Store) -> chorus_store::Result<()> {
        let since = self.links_seen_us.load(Ordering::Relaxed);
        // Re-read the last instant too: two changes may share a microsecond.
        let links = store.links_changed_since(since.saturating_sub(1)).await?;
        self.apply_links(&links);
        Ok(())
    }

    pub(crate) fn enqueue(&self, click: Click) {
        if let Some(tx) = self.log.get() {
            if let Err(mpsc::error::TrySendError::Full(msg)) =
                tx.try_send(clicklog::Msg::Click(Box::new(click)))
            {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(msg).await;
                });
            }
        } else if let Some(store) = self.fallback_store.get() {
            let store = store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.insert_clicks(&[click]).await {
                    tracing::error!(error = %e, "storing a click");
                }
            });
        }
    }

    /// Queue a valid order for the group commit; the answer comes after the
    /// durable commit (and the attribution) of its group.
    pub(crate) async fn commit_order(
        &self,
        store: &Store,
        org: chorus_core::OrgId,
        order: orders::ValidOrder,
    ) -> oneshot::Receiver<Result<orders::Ack, orders::IngestError>> {
        let (done, wait) = oneshot::channel();
        let tx = self.orders.get_or_init(|| commit::spawn(store.clone()));
        if let Err(mpsc::error::SendError(job)) = tx.send(commit::Job { org, order, done }).await {
            let _ = job.done.send(Err(orders::IngestError::Failed(
                "the commit queue stopped".into(),
            )));
        }
        wait
    }

    /// Wait until every click enqueued so far is durable and applied.
    pub async fn flush(&self) {
        if let Some(tx) = self.log.get() {
            let (done, wait) = oneshot::channel();
            if tx.send(clicklog::Msg::Flush(done)).await.is_ok() {
                let _ = wait.await;
            }
        }
    }
}

/// Bring tracking up: load every link, replay the click log of a previous
/// run, start the log writer and the link refresher. Call once, before
/// serving; without it links are loaded lazily and clicks are not logged.
pub async fn start(state: &AppState, data_dir: &Path) -> anyhow::Result<()> {
    let t = &state.tracking;
    let key = state
        .store
        .server_secret("click-ip-hash-key", &crate::auth::random_secret())
        .await?;
    if let Ok(mut k) = t.ip_key.write() {
        *k = key.into_bytes();
    }
    if let Ok(mut s) = t.salt.write() {
        s.0 = i64::MIN;
    }
    if let Some(table) = ip_table_from_env()? {
        tracing::info!(ranges = table.len(), "IP-range country table loaded");
        t.set_ip_countries(table);
    }
    t.refresh_links(&state.store).await?;
    let path = clicklog::log_path(data_dir);
    let replayed = clicklog::replay(&state.store, &path).await?;
    if replayed > 0 {
        tracing::info!(replayed, "clicks recovered from the click log");
    }
    let file = clicklog::open_log(&path)?;
    let _ = t.log.set(clicklog::spawn_writer(state.store.clone(), file));
    let weak = Arc::downgrade(&state.tracking);
    let store = state.store.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(REFRESH).await;
            let Some(t) = weak.upgrade() else { break };
            if let Err(e) = t.refresh_links(&store).await {
                tracing::warn!(error = %e, "refreshing tracking links");
            }
        }
    });
    attribute::attribute_pending(&state.store).await?;
    Ok(())
}

/// Without [`start`] (tests that build an `AppState` directly), load links
/// on first use and store clicks directly.
pub(crate) async fn ensure_started(state: &AppState) {
    let t = &state.tracking;
    if t.log.get().is_none() && t.fallback_store.get().is_none() {
        let _ = t.fallback_store.set(state.store.clone());
        if let Err(e) = t.refresh_links(&state.store).await {
            tracing::warn!(error = %e, "loading tracking links");
        }
    }
}

/// The redirect alone, for `chorus serve --redirect-bind ADDR`: no session
/// or token resolution, nothing that reads the database.
pub fn redirect_router(state: AppState) -> Router {
    Router::new()
        .route("/r/{code}", get(redirect::redirect))
        .with_state(state)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/t.js", get(snippet::script))
        .route("/api/v1/identify", post(snippet::identify))
        .route(
            "/api/v1/orders",
            post(orders::post_orders).get(orders::list_orders),
        )
        .route("/api/v1/orders/{id}", get(orders::get_order))
        .route("/api/v1/refunds", post(orders::post_refunds))
        .route("/api/v1/imports/orders", post(orders::import_orders))
        .route("/api/v1/imports/refunds", post(orders::import_refunds))
        .route("/webhooks/shopify/{org}", post(orders::shopify))
        .route(
            "/api/v1/links",
            get(admin::list_links).post(admin::create_link),
        )
        .route("/api/v1/links/{id}", get(admin::get_link))
        .route("/api/v1/links/{id}/disable", post(admin::disable_link))
        .route(
            "/api/v1/promo-codes",
            get(admin::list_codes).post(admin::create_code),
        )
        .route("/api/v1/promo-codes/import", post(codes::import_api))
        .route("/api/v1/promo-codes/batches", post(codes::batch_api))
        .route("/campaigns/{id}/tracking", get(codes::page))
        .route(
            "/campaigns/{id}/tracking/codes/import",
            post(codes::import_form),
        )
        .route(
            "/campaigns/{id}/tracking/codes/batch",
            post(codes::batch_form),
        )
        .route(
            "/api/v1/attribution/settings",
            get(admin::get_settings).put(admin::put_settings),
        )
        .route(
            "/api/v1/attribution/webhook-secret",
            post(admin::rotate_webhook_secret),
        )
        .route("/api/v1/attribution/rerun", post(admin::rerun))
        .route("/api/v1/reports/performance", get(report::api))
        .route("/api/v1/reports/leaked-codes", get(report::leaked_api))
        .route("/performance", get(report::page))
}
