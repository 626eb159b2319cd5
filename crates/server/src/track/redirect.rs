//! `/r/{code}`: look the code up in memory, record the click by enqueueing
//! it, answer 302. Nothing on this path touches the database.

use super::TrackingState;
use crate::AppState;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chorus_attribution::bots::is_bot;
use chorus_store::tracking::{Click, Link};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Length of a click id: 62^16 ≈ 4.8e28, unguessable.
pub const CLICK_ID_LEN: usize = 16;
/// The query parameter carrying the click id to the merchant's site.
pub const CID_PARAM: &str = "chorus_cid";
const UNIQUE_WINDOW_US: i64 = 3_600_000_000;
const US_PER_DAY: i64 = 86_400_000_000;
const MAX_HEADER_CHARS: usize = 512;

/// A live link, with its destination split so a redirect only concatenates.
#[derive(Debug)]
pub struct CachedLink {
    pub id: i64,
    pub org_id: i64,
    /// Destination up to (without) its fragment, with the UTM parameters it
    /// lacked appended, ending in `?` or `&` ready for the click id.
    pub prefix: String,
    /// `#…` or empty.
    pub fragment: String,
}

impl CachedLink {
    pub fn from_link(l: &Link) -> CachedLink {
        let (base, fragment) = match l.destination.split_once('#') {
            Some((b, f)) => (b.to_string(), format!("#{f}")),
            None => (l.destination.clone(), String::new()),
        };
        let (path, query) = match base.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (base, String::new()),
        };
        // Keep the merchant's parameters (and their own UTM values); drop a
        // stale click id so each click carries exactly one.
        let mut params: Vec<String> = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .filter(|kv| kv.split('=').next() != Some(CID_PARAM))
            .map(str::to_string)
            .collect();
        let has =
            |params: &[String], k: &str| params.iter().any(|kv| kv.split('=').next() == Some(k));
        let utm = [
            ("utm_source", l.platform.clone()),
            ("utm_medium", "influencer".to_string()),
            ("utm_campaign", format!("campaign-{}", l.campaign_id)),
            ("utm_content", l.handle.clone()),
        ];
        for (k, v) in utm {
            if !has(&params, k) {
                params.push(serde_urlencoded::to_string([(k, v)]).unwrap_or_default());
            }
        }
        let mut prefix = path;
        prefix.push('?');
        for p in &params {
            prefix.push_str(p);
            prefix.push('&');
        }
        CachedLink {
            id: l.id,
            org_id: l.org_id.0,
            prefix,
            fragment,
        }
    }

    pub fn location(&self, click_id: &str) -> String {
        let mut s = String::with_capacity(
            self.prefix.len() + CID_PARAM.len() + 1 + click_id.len() + self.fragment.len(),
        );
        s.push_str(&self.prefix);
        s.push_str(CID_PARAM);
        s.push('=');
        s.push_str(click_id);
        s.push_str(&self.fragment);
        s
    }
}

pub fn new_click_id() -> String {
    chorus_attribution::codes::short_code(&mut rand::thread_rng(), CLICK_ID_LEN)
}

/// HMAC(key, date) is the day's salt; the IP is hashed with it, so the same
/// visitor hashes alike within a day and cannot be followed across days.
pub fn ip_hash(key: &[u8], day: &str, ip: &str) -> String {
    ip_hash_salted(&day_salt(key, day), ip)
}

/// The salt of `day` (`YYYY-MM-DD`): HMAC(key, day).
pub fn day_salt(key: &[u8], day: &str) -> [u8; 32] {
    let mut m = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC takes any key");
    m.update(day.as_bytes());
    let mut salt = [0u8; 32];
    salt.copy_from_slice(&m.finalize().into_bytes());
    salt
}

pub fn ip_hash_salted(salt: &[u8; 32], ip: &str) -> String {
    DayMac::new(salt).hash(ip)
}

/// HMAC-SHA256 keyed with a day's salt, keyed once and cloned per click.
#[derive(Clone)]
pub struct DayMac(Hmac<Sha256>);

impl DayMac {
    pub fn new(salt: &[u8; 32]) -> DayMac {
        DayMac(<Hmac<Sha256>>::new_from_slice(salt).expect("HMAC takes any key"))
    }

    /// The first 16 bytes of HMAC(salt, ip), in hex.
    pub fn hash(&self, ip: &str) -> String {
        let mut m = self.0.clone();
        m.update(ip.as_bytes());
        hex::encode(&m.finalize().into_bytes()[..16])
    }
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn clip(s: Option<&str>) -> Option<String> {
    s.map(|s| {
        if s.len() <= MAX_HEADER_CHARS {
            s.to_string()
        } else {
            s.chars().take(MAX_HEADER_CHARS).collect()
        }
    })
}

/// The visitor's address: the first `X-Forwarded-For` hop or `X-Real-IP`
/// (set by the proxy in front), else the peer address.
fn client_ip(h: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if let Some(first) = header_str(h, "x-forwarded-for").and_then(|v| v.split(',').next()) {
        return first.trim().to_string();
    }
    if let Some(ip) = header_str(h, "x-real-ip") {
        return ip.to_string();
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_default()
}

/// Two ASCII letters from the proxy's geolocation header, else unknown.
fn country(h: &HeaderMap) -> Option<String> {
    let c = header_str(h, "cf-ipcountry").or_else(|| header_str(h, "x-country"))?;
    (c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) && c != "XX")
        .then(|| c.to_ascii_uppercase())
}

/// Same hashed IP + user agent + link within an hour counts once. The
/// memory is split into shards, each behind its own lock, so concurrent
/// redirects rarely wait for each other.
pub struct Dedup {
    shards: Vec<Mutex<HashMap<u64, i64>>>,
}

const DEDUP_SHARDS: usize = 64;
/// Keys kept per shard before expired ones are dropped.
const DEDUP_SHARD_KEYS: usize = 500_000 / DEDUP_SHARDS;

impl Default for Dedup {
    fn default() -> Self {
        Dedup {
            shards: (0..DEDUP_SHARDS)
                .map(|_| Mutex::new(HashMap::new()))
                .collect(),
        }
    }
}

impl Dedup {
    pub fn is_unique(&self, ip_hash: &str, ua: Option<&str>, link: i64, now: i64) -> bool {
        let mut h = DefaultHasher::new();
        (ip_hash, ua, link).hash(&mut h);
        let key = h.finish();
        let Ok(mut seen) = self.shards[(key % DEDUP_SHARDS as u64) as usize].lock() else {
            return true;
        };
        if seen.len() > DEDUP_SHARD_KEYS {
            seen.retain(|_, t| now - *t < UNIQUE_WINDOW_US);
        }
        match seen.get(&key) {
            Some(t) if now - *t < UNIQUE_WINDOW_US => false,
            _ => {
                seen.insert(key, now);
                true
            }
        }
    }
}

thread_local! {
    /// Bot verdicts of user agents this thread saw recently: the same few
    /// browsers send most clicks, and the token scan is the costly part.
    static BOT_VERDICTS: RefCell<HashMap<Box<str>, bool>> = RefCell::new(HashMap::new());
}
/// User agents remembered per thread before the memory is cleared.
const BOT_VERDICTS_KEPT: usize = 4_096;

fn is_bot_cached(method: &Method, ua: Option<&str>) -> bool {
    if *method == Method::HEAD {
        return true;
    }
    let Some(ua) = ua else {
        return is_bot(method.as_str(), None);
    };
    BOT_VERDICTS.with(|v| {
        let mut v = v.borrow_mut();
        if let Some(b) = v.get(ua) {
            return *b;
        }
        let b = is_bot(method.as_str(), Some(ua));
        if v.len() >= BOT_VERDICTS_KEPT {
            v.clear();
        }
        v.insert(ua.into(), b);
        b
    })
}

pub async fn redirect(
    State(st): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    super::ensure_started(&st).await;
    let t = &st.tracking;
    let Some(link) = t.link(&code) else {
        return (StatusCode::NOT_FOUND, "unknown link").into_response();
    };
    let click_id = new_click_id();
    let location = link.location(&click_id);
    record(t, &link, click_id, &req);
    let mut res = Response::new(axum::body::Body::empty());
    *res.status_mut() = StatusCode::FOUND;
    let h = res.headers_mut();
    h.insert(
        header::LOCATION,
        header::HeaderValue::from_maybe_shared(bytes::Bytes::from(location))
            .unwrap_or_else(|_| header::HeaderValue::from_static("")),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    res
}

fn record(t: &Arc<TrackingState>, link: &CachedLink, click_id: String, req: &Request) {
    let h = req.headers();
    let at = chrono::Utc::now().timestamp_micros();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ua = header_str(h, "user-agent");
    let client = client_ip(h, peer);
    let country = country(h).or_else(|| {
        let addr = client.parse().ok()?;
        t.ip_countries().lookup(addr).map(str::to_string)
    });
    let ip = t.mac_of_day(at.div_euclid(US_PER_DAY)).hash(&client);
    let bot = is_bot_cached(req.method(), ua);
    let unique = t.dedup.is_unique(&ip, ua, link.id, at);
    let click = Click {
        click_id,
        org_id: link.org_id,
        link_id: link.id,
        at,
        ip_hash: ip,
        user_agent: clip(ua),
        referrer: clip(header_str(h, "referer")),
        country,
        bot,
        unique,
    };
    t.enqueue(click);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_core::OrgId;

    fn link(dest: &str) -> Link {
        Link {
            id: 1,
            org_id: OrgId(1),
            campaign_id: 7,
            account_id: 3,
            code: "mA1x".into(),
            destination: dest.into(),
            platform: "instagram".into(),
            handle: "maya".into(),
            created_at: 0,
            updated_at: 0,
            disabled_at: None,
        }
    }

    #[test]
    fn destination_keeps_its_query_and_fragment() {
        let l = CachedLink::from_link(&link(
            "https://shop.example/p?color=red&utm_source=newsletter&chorus_cid=old#reviews",
        ));
        assert_eq!(
            l.location("K1"),
            "https://shop.example/p?color=red&utm_source=newsletter&utm_medium=influencer\
             &utm_campaign=campaign-7&utm_content=maya&chorus_cid=K1#reviews"
        );
        let l = CachedLink::from_link(&link("https://shop.example/"));
        assert!(l
            .location("K")
            .starts_with("https://shop.example/?utm_source=instagram&"));
    }

    #[test]
    fn ip_hashes_rotate_daily_and_hide_the_address() {
        let a = ip_hash(b"k", "2026-03-01", "203.0.113.9");
        assert_eq!(a, ip_hash(b"k", "2026-03-01", "203.0.113.9"));
        assert_ne!(a, ip_hash(b"k", "2026-03-02", "203.0.113.9"));
        assert_ne!(a, ip_hash(b"other", "2026-03-01", "203.0.113.9"));
        assert!(!a.contains("203"));
    }

    #[test]
    fn dedup_counts_once_per_hour() {
        let d = Dedup::default();
        assert!(d.is_unique("h", Some("ua"), 1, 0));
        assert!(!d.is_unique("h", Some("ua"), 1, UNIQUE_WINDOW_US - 1));
        assert!(d.is_unique("h", Some("ua"), 2, 10));
        assert!(d.is_unique("h", Some("other"), 1, 10));
        assert!(d.is_unique("h", Some("ua"), 1, UNIQUE_WINDOW_US + 1));
    }

    #[test]
    fn country_comes_from_the_proxy_header() {
        let mut h = HeaderMap::new();
        assert_eq!(country(&h), None);
        h.insert("cf-ipcountry", "de".parse().unwrap());
        assert_eq!(country(&h).as_deref(), Some("DE"));
        h.insert("cf-ipcountry", "XX".parse().unwrap());
        assert_eq!(country(&h), None);
    }
}
