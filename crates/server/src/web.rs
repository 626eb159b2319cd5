//! The server-rendered web UI: login, the navigation shell, creator pages
//! (with follower-history, ER-over-posts and audience charts), imports and
//! settings; Discover lives in `discover::page`. Every form carries the
//! session's CSRF token.

use crate::auth::{self, Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::ApiError;
use crate::ingest::{self, ImportSource, ImportSummary};
use crate::{header_value, AppState};
use askama::Template;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chorus_core::{AccountId, Role, TokenId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/creators/{id}", get(creator_page))
        .route(
            "/review",
            get(|c: WebCaller, s: State<AppState>| section(c, s, "review")),
        )
        .route("/settings", get(settings))
        .route("/settings/tokens", post(create_token))
        .route("/settings/tokens/{id}/revoke", post(revoke_token))
        .route("/imports", get(imports_page).post(upload_import))
        .route(
            "/static/htmx.min.js",
            get(|| static_file("text/javascript", include_bytes!("../static/htmx.min.js"))),
        )
        .route(
            "/static/app.css",
            get(|| static_file("text/css", include_bytes!("../static/app.css"))),
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

/// A signed-in browser user; anyone else is sent to the login page.
pub struct WebCaller(pub Caller);

impl FromRequestParts<AppState> for WebCaller {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await {
            Ok(c) => Ok(WebCaller(c)),
            Err(ApiError::Unauthenticated) => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{q}")).into_response())
            }
            Err(e) => Err(page_error(e)),
        }
    }
}

fn page_error(e: ApiError) -> Response {
    let status = e.status();
    (status, Html(format!(
        "<!doctype html><title>{status}</title><link rel=stylesheet href=/static/app.css>\
         <main><div class=card><h1>{}</h1><p>{}</p><p><a href=/>Back to Chorus</a></p></div></main>",
        status.canonical_reason().unwrap_or("Error"),
        askama_escape(&e.to_string())
    )))
        .into_response()
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What every page's layout shows.
pub struct Layout {
    pub csrf: String,
    pub user_email: String,
    pub org_name: String,
    pub role: String,
    pub active: &'static str,
    pub nav: Vec<(&'static str, &'static str)>,
}

pub const NAV: [(&str, &str); 7] = [
    ("/discover", "Discover"),
    ("/qualify", "Qualify"),
    ("/portfolio", "Plan"),
    ("/campaigns", "Campaigns"),
    ("/review", "Review"),
    ("/performance", "Performance"),
    ("/payouts", "Payouts"),
];

pub async fn layout(st: &AppState, c: &Caller, active: &'static str) -> Result<Layout, ApiError> {
    let org = st
        .store
        .org(c.org())
        .await?
        .ok_or(ApiError::NotFound("organization"))?;
    Ok(Layout {
        csrf: c.csrf_token().to_string(),
        user_email: c.user.email.clone(),
        org_name: org.name,
        role: c.user.role.to_string(),
        active,
        nav: NAV.to_vec(),
    })
}

pub fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => page_error(ApiError::Internal(e.into())),
    }
}

type PageResult = Result<Response, Response>;

pub fn fail(e: impl Into<ApiError>) -> Response {
    page_error(e.into())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

/// Only local paths: never redirect to another site after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_response(
    st: &AppState,
    next: String,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    // Double-submit cookie: the form must echo this value back.
    let csrf = auth::random_secret();
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Lax{}",
        if st.config.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    );
    let mut resp = render(LoginPage {
        csrf,
        next,
        email,
        error,
    });
    *resp.status_mut() = status;
    resp.headers_mut()
        .append(header::SET_COOKIE, header_value(&cookie));
    resp
}

async fn login_page(State(st): State<AppState>, Query(q): Query<NextParam>) -> Response {
    login_response(
        &st,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let expected = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !auth::ct_eq(expected, &f.csrf_token) {
        let msg = "Your sign-in form expired. Please try again.".to_string();
        return login_response(&st, next, f.email, Some(msg), StatusCode::FORBIDDEN);
    }
    let email = f.email.trim().to_lowercase();
    let user = match st.store.user_by_email(&email).await {
        Ok(u) => u.filter(|u| !u.disabled),
        Err(e) => return fail(e),
    };
    // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
    let hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.to_string(), |u| u.password_hash.clone());
    let ok = auth::verify_password_blocking(f.password, hash).await;
    let Some(user) = user.filter(|_| ok) else {
        let msg = "Wrong email or password.".to_string();
        return login_response(&st, next, f.email, Some(msg), StatusCode::UNAUTHORIZED);
    };
    let token = auth::random_secret();
    let ttl = st.config.session_ttl;
    let expires = chorus_store::now_us() + ttl.as_micros() as i64;
    if let Err(e) = st
        .store
        .create_session(
            &auth::digest(&token),
            user.id,
            &auth::random_secret(),
            expires,
        )
        .await
    {
        return fail(e);
    }
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ttl.as_secs(),
        if st.config.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    );
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, header_value(&cookie));
    resp.headers_mut().append(
        header::SET_COOKIE,
        header_value(&format!("{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0")),
    );
    resp
}

/// An argon2id hash of a random string, for constant-time failed logins.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qz2tc1Xxm3jB0J7y3k7Jv1Q3q4S6y0cKf8m2GQvJ0dE";

async fn logout(State(st): State<AppState>, WebCaller(c): WebCaller) -> Response {
    if let auth::Via::Session { token_hash, .. } = &c.via {
        if let Err(e) = st.store.delete_session(token_hash).await {
            return fail(e);
        }
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        header_value(&format!(
            "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        )),
    );
    resp
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    accounts: i64,
    imports: usize,
    users: usize,
}

async fn home(State(st): State<AppState>, WebCaller(c): WebCaller) -> PageResult {
    let l = layout(&st, &c, "/").await.map_err(fail)?;
    let accounts = st.store.count_accounts().await.map_err(fail)?;
    let imports = st
        .store
        .list_imports(c.org(), 1000)
        .await
        .map_err(fail)?
        .len();
    let users = st.store.list_users(c.org()).await.map_err(fail)?.len();
    Ok(render(HomePage {
        l,
        accounts,
        imports,
        users,
    }))
}

#[derive(Template)]
#[template(path = "section.html")]
struct SectionPage {
    l: Layout,
    heading: &'static str,
    blurb: &'static str,
}

async fn section(
    WebCaller(c): WebCaller,
    State(st): State<AppState>,
    which: &'static str,
) -> PageResult {
    let (active, heading, blurb) = match which {
        "review" => (
            "/review",
            "Review",
            "Drafts waiting for review, with their automatic checks, appear here.",
        ),
        _ => (
            "/payouts",
            "Payouts",
            "Commissions, payout runs and statements appear here.",
        ),
    };
    let l = layout(&st, &c, active).await.map_err(fail)?;
    Ok(render(SectionPage { l, heading, blurb }))
}

/// A safe file name from a user-given name.
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "export".into()
    } else {
        s
    }
}

pub fn thousands(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

pub fn percent(er: Option<f64>) -> String {
    er.map_or_else(|| "–".to_string(), |v| format!("{:.2}%", v * 100.0))
}

#[derive(Template)]
#[template(path = "creator.html")]
struct CreatorPage {
    l: Layout,
    id: i64,
    handle: String,
    name: String,
    platform: String,
    followers: String,
    er: String,
    niche: String,
    country: String,
    language: String,
    bio: String,
    email: Option<String>,
    history_svg: String,
    er_svg: String,
    audience: Vec<(&'static str, String, String)>,
    posts: Vec<(String, String, String, String, String)>,
    quality: Option<QualityView>,
}

/// The latest quality report of the caller's organization, flattened for the page.
struct QualityView {
    score: String,
    when: String,
    components: Vec<(String, String, String, u32, String)>,
    findings: Vec<(String, String, String, String)>,
}

fn quality_view(r: &chorus_store::StoredReport) -> QualityView {
    let components = r.report["components"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let pts = c["points"].as_f64().unwrap_or(0.0);
                    let max = c["max_points"].as_f64().unwrap_or(0.0);
                    let width = if max > 0.0 {
                        (pts / max * 100.0).round() as u32
                    } else {
                        0
                    };
                    let evidence: Vec<String> = c["evidence"]
                        .as_array()
                        .map(|e| e.iter().take(4).map(evidence_text).collect())
                        .unwrap_or_default();
                    let applicable = c["applicable"].as_bool().unwrap_or(true);
                    (
                        c["key"].as_str().unwrap_or("").replace('_', " "),
                        if applicable {
                            format!("{pts:.1}")
                        } else {
                            "n/a".into()
                        },
                        format!("{max:.0}"),
                        width,
                        evidence.join(" · "),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let findings = r
        .findings
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    let words: Vec<&str> = f["matched"]
                        .as_array()
                        .map(|m| m.iter().filter_map(|w| w.as_str()).collect())
                        .unwrap_or_default();
                    (
                        f["post_id"].as_str().unwrap_or("").to_string(),
                        f["category"].as_str().unwrap_or("").replace('_', " "),
                        f["severity"].as_str().unwrap_or("").to_string(),
                        words.join(", "),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    QualityView {
        score: format!("{:.0}", r.score),
        when: chorus_store::from_us(r.created_at)
            .format("%Y-%m-%d")
            .to_string(),
        components,
        findings,
    }
}

/// One line of evidence as text, whatever its kind.
fn evidence_text(e: &serde_json::Value) -> String {
    if let Some(s) = e.as_str() {
        return s.to_string();
    }
    let Some(obj) = e.as_object() else {
        return e.to_string();
    };
    obj.iter()
        .filter(|(k, _)| k.as_str() != "kind")
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}: {s}"),
            serde_json::Value::Number(n) => format!(
                "{k}: {}",
                n.as_f64().map_or(n.to_string(), |x| format!("{x:.3}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
                    .to_string())
            ),
            other => format!("{k}: {other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn creator_page(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let d = st
        .store
        .account(AccountId(id))
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ApiError::NotFound("creator")))?;
    let l = layout(&st, &c, "/discover").await.map_err(fail)?;
    let mut audience = Vec::new();
    if let Some(a) = &d.audience {
        for (dim, m) in [
            ("country", &a.countries),
            ("age", &a.ages),
            ("gender", &a.genders),
            ("language", &a.languages),
        ] {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|x, y| y.1.total_cmp(x.1));
            for (k, share) in v.into_iter().take(6) {
                audience.push((dim, k.clone(), format!("{:.1}", share * 100.0)));
            }
        }
    }
    let posts = d
        .posts
        .iter()
        .take(24)
        .map(|p| {
            (
                p.published_at.format("%Y-%m-%d").to_string(),
                p.caption.chars().take(160).collect(),
                thousands(p.likes as i64),
                thousands(p.comments as i64),
                p.views.map(|v| thousands(v as i64)).unwrap_or_default(),
            )
        })
        .collect();
    let er_svg = er_chart(&d.posts, d.row.followers);
    let quality = st
        .store
        .latest_report(c.org(), AccountId(id))
        .await
        .map_err(fail)?
        .as_ref()
        .map(quality_view);
    Ok(render(CreatorPage {
        l,
        quality,
        er_svg,
        id,
        history_svg: sparkline(
            &d.follower_history
                .iter()
                .map(|p| p.followers as f64)
                .collect::<Vec<_>>(),
        ),
        handle: d.row.handle,
        name: d.row.name,
        platform: d.row.platform,
        followers: thousands(d.row.followers),
        er: percent(d.row.engagement_rate),
        niche: d.row.niche.unwrap_or_else(|| "–".into()),
        country: d.row.country.unwrap_or_else(|| "–".into()),
        language: d.row.language.unwrap_or_else(|| "–".into()),
        bio: d.bio,
        email: d.email,
        audience,
        posts,
    }))
}

/// Engagement rate per post, (likes + comments) / followers, oldest post
/// first, as an inline SVG bar chart with the mean as a line.
pub fn er_chart(posts: &[chorus_core::creator::Post], followers: i64) -> String {
    if posts.len() < 2 || followers <= 0 {
        return String::new();
    }
    let mut ps: Vec<_> = posts.iter().collect();
    ps.sort_by_key(|p| p.published_at);
    let ers: Vec<f64> = ps
        .iter()
        .map(|p| (p.likes + p.comments) as f64 / followers as f64)
        .collect();
    let (w, h) = (600.0, 120.0);
    let max = ers.iter().copied().fold(0.0, f64::max).max(1e-9);
    let mean = ers.iter().sum::<f64>() / ers.len() as f64;
    let step = w / ers.len() as f64;
    let bars: String = ers
        .iter()
        .zip(&ps)
        .enumerate()
        .map(|(i, (e, p))| {
            let bh = e / max * (h - 10.0);
            format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#5b3cc4\"><title>{} · {:.2}%</title></rect>",
                i as f64 * step + 1.0,
                h - bh,
                (step - 2.0).max(1.0),
                p.published_at.format("%Y-%m-%d"),
                e * 100.0
            )
        })
        .collect();
    let my = h - mean / max * (h - 10.0);
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" height=\"{h}\" role=\"img\" aria-label=\"engagement rate over {} posts\">{bars}\
         <line x1=\"0\" x2=\"{w}\" y1=\"{my:.1}\" y2=\"{my:.1}\" stroke=\"#b42318\" stroke-dasharray=\"4 3\"/></svg>\
         <p class=\"muted\">{} posts, {} → {}; mean {:.2}% (dashed), highest {:.2}%</p>",
        ers.len(),
        ers.len(),
        ps[0].published_at.format("%Y-%m-%d"),
        ps[ps.len() - 1].published_at.format("%Y-%m-%d"),
        mean * 100.0,
        max * 100.0
    )
}

/// An inline SVG line chart; numbers only, so it is safe to embed unescaped.
pub fn sparkline(values: &[f64]) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let (w, h) = (600.0, 120.0);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if max > min { max - min } else { 1.0 };
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = i as f64 / (values.len() - 1) as f64 * w;
            let y = h - (v - min) / span * (h - 10.0) - 5.0;
            format!("{x:.1},{y:.1}")
        })
        .collect();
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" height=\"{h}\" role=\"img\" aria-label=\"follower history from {min:.0} to {max:.0}\">\
         <polyline fill=\"none\" stroke=\"#5b3cc4\" stroke-width=\"2\" points=\"{}\"/></svg>\
         <p class=\"muted\">{} → {}</p>",
        pts.join(" "),
        thousands(values[0] as i64),
        thousands(values[values.len() - 1] as i64)
    )
}

struct TokenView {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    status: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    l: Layout,
    new_token: Option<String>,
    tokens: Vec<TokenView>,
    users: Vec<chorus_store::User>,
}

fn date(us: i64) -> String {
    chorus_store::from_us(us)
        .format("%Y-%m-%d %H:%M UTC")
        .to_string()
}

async fn settings_page(st: &AppState, c: &Caller, new_token: Option<String>) -> PageResult {
    let l = layout(st, c, "/settings").await.map_err(fail)?;
    let tokens = st
        .store
        .list_tokens(c.org())
        .await
        .map_err(fail)?
        .into_iter()
        .map(|t| TokenView {
            id: t.id.0,
            name: t.name,
            prefix: t.prefix,
            created: date(t.created_at),
            last_used: t.last_used_at.map(date).unwrap_or_else(|| "never".into()),
            status: if t.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            },
            active: t.revoked_at.is_none(),
        })
        .collect();
    let users = st.store.list_users(c.org()).await.map_err(fail)?;
    Ok(render(SettingsPage {
        l,
        new_token,
        tokens,
        users,
    }))
}

async fn settings(State(st): State<AppState>, WebCaller(c): WebCaller) -> PageResult {
    settings_page(&st, &c, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

async fn create_token(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Form(f): Form<TokenForm>,
) -> PageResult {
    let name = f.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(fail(ApiError::Invalid(
            "Give the token a name of 1 to 100 characters.".into(),
        )));
    }
    let t = auth::new_api_token();
    st.store
        .create_token(c.org(), c.user.id, name, &t.prefix, &t.digest)
        .await
        .map_err(fail)?;
    settings_page(&st, &c, Some(t.clear)).await
}

async fn revoke_token(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let t = st
        .store
        .token(c.org(), TokenId(id))
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(ApiError::NotFound("token")))?;
    if t.user_id != c.user.id {
        c.require(Role::can_administer).map_err(fail)?;
    }
    st.store.revoke_token(c.org(), t.id).await.map_err(fail)?;
    Ok(Redirect::to("/settings").into_response())
}

struct ImportView {
    id: i64,
    source: String,
    rows_total: i64,
    inserted: i64,
    updated: i64,
    failed: i64,
    when: String,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    l: Layout,
    summary: Option<ImportSummary>,
    can_manage: bool,
    history: Vec<ImportView>,
}

async fn imports_view(st: &AppState, c: &Caller, summary: Option<ImportSummary>) -> PageResult {
    let l = layout(st, c, "/imports").await.map_err(fail)?;
    let history = st
        .store
        .list_imports(c.org(), 50)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|i| ImportView {
            id: i.id,
            source: i.source,
            rows_total: i.rows_total,
            inserted: i.inserted,
            updated: i.updated,
            failed: i.failed,
            when: date(i.created_at),
        })
        .collect();
    Ok(render(ImportsPage {
        l,
        summary,
        can_manage: c.user.role.can_manage(),
        history,
    }))
}

async fn imports_page(State(st): State<AppState>, WebCaller(c): WebCaller) -> PageResult {
    imports_view(&st, &c, None).await
}

async fn upload_import(
    State(st): State<AppState>,
    WebCaller(c): WebCaller,
    mut mp: Multipart,
) -> PageResult {
    c.require(Role::can_manage).map_err(fail)?;
    let mut file: Option<(String, axum::body::Bytes)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| fail(ApiError::Invalid(e.to_string())))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| fail(ApiError::Invalid(e.to_string())))?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| fail(ApiError::Invalid("choose a file to import".into())))?;
    let rows = ingest::rows_from(
        std::io::Cursor::new(bytes),
        chorus_core::import::Format::from_path(&name),
    )
    .map_err(fail)?;
    let source = ImportSource {
        org_id: Some(c.org()),
        user_id: Some(c.user.id),
        name: &name,
    };
    let started = chorus_store::now_us();
    let summary = ingest::import_creators(&st.store, rows, source, |_| {})
        .await
        .map_err(fail)?;
    st.discover.nudge(started);
    imports_view(&st, &c, Some(summary)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_parameter_stays_on_this_site() {
        assert_eq!(safe_next(Some("/discover?x=1")), "/discover?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(percent(Some(0.04567)), "4.57%");
    }

    #[test]
    fn dummy_hash_is_a_valid_argon2_hash() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
