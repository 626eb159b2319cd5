//! `/t.js`, the first-party snippet, and `/api/v1/identify`, the call it
//! makes. Both are public: the organization is named by its public key.

use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

const SCRIPT: &str = r#"(function(w,d){
  var K="__KEY__",DAYS=__DAYS__,N="chorus_cid",ORIGIN="__ORIGIN__";
  function get(){var m=d.cookie.match(/(?:^|; )chorus_cid=([A-Za-z0-9]{1,64})/);return m?m[1]:null;}
  try{var p=new URLSearchParams(w.location.search).get(N);
    if(p&&/^[A-Za-z0-9]{1,64}$/.test(p)){
      d.cookie=N+"="+p+"; Max-Age="+(DAYS*86400)+"; Path=/; SameSite=Lax"+(w.location.protocol==="https:"?"; Secure":"");}
  }catch(e){}
  w.chorus={clickId:get,identify:function(customerKey){
    var c=get();if(!c||!customerKey)return false;
    var body=JSON.stringify({click_id:c,customer_key:String(customerKey)});
    var url=ORIGIN+"/api/v1/identify?k="+encodeURIComponent(K);
    if(w.navigator.sendBeacon){return w.navigator.sendBeacon(url,new Blob([body],{type:"text/plain"}));}
    w.fetch(url,{method:"POST",body:body,keepalive:true,mode:"no-cors"});return true;}};
})(window,document);
"#;

#[derive(Deserialize)]
pub struct ScriptQuery {
    pub k: Option<String>,
    pub days: Option<u32>,
}

fn valid_key(k: &str) -> bool {
    k.len() <= 64
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub async fn script(Query(q): Query<ScriptQuery>, headers: axum::http::HeaderMap) -> Response {
    let key = q.k.unwrap_or_default();
    if key.is_empty() || !valid_key(&key) {
        return (StatusCode::BAD_REQUEST, "add ?k=YOUR_PUBLIC_KEY").into_response();
    }
    let days = q
        .days
        .unwrap_or(chorus_attribution::engine::DEFAULT_WINDOW_DAYS)
        .clamp(
            chorus_attribution::engine::MIN_WINDOW_DAYS,
            chorus_attribution::engine::MAX_WINDOW_DAYS,
        );
    // The identify call goes back to the host that served the script.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .unwrap_or("");
    let origin = if host.is_empty() {
        String::new()
    } else {
        format!("//{host}")
    };
    let body = SCRIPT
        .replace("__KEY__", &key)
        .replace("__DAYS__", &days.to_string())
        .replace("__ORIGIN__", &origin);
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct KeyQuery {
    pub k: Option<String>,
}

#[derive(Deserialize)]
struct IdentifyBody {
    click_id: String,
    customer_key: String,
}

fn valid_token(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && !s.chars().any(char::is_control)
}

/// Accepts `text/plain` JSON (what `sendBeacon` sends) as well as JSON.
pub async fn identify(
    State(st): State<AppState>,
    Query(q): Query<KeyQuery>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let key = q.k.unwrap_or_default();
    if !valid_key(&key) || key.is_empty() {
        return Err(ApiError::NotFound("public key"));
    }
    if body.len() > 2048 {
        return Err(ApiError::TooLarge(2048));
    }
    let b: IdentifyBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::Invalid(format!("body: {e}")))?;
    if !valid_token(&b.click_id, 64) || !b.click_id.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::Invalid("click_id is not a click id".into()));
    }
    if !valid_token(b.customer_key.trim(), 200) {
        return Err(ApiError::Invalid(
            "customer_key must be 1 to 200 characters".into(),
        ));
    }
    let org = st
        .store
        .org_by_public_key(&key)
        .await?
        .ok_or(ApiError::NotFound("public key"))?;
    // Only clicks of this organization link a customer: a forged id of
    // another tenant's click is refused rather than stored.
    let click = st
        .store
        .click(org, &b.click_id)
        .await?
        .ok_or(ApiError::NotFound("click"))?;
    let created = st
        .store
        .record_identify(
            org,
            b.customer_key.trim(),
            &click.click_id,
            chorus_store::now_us(),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"recorded": created}))))
}
