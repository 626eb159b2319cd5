//! Links, promo codes and the attribution settings over the API.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chorus_core::{OrgId, Role};
use chorus_store::tracking::{NewLink, NewPromoCode};
use chorus_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashSet;

#[derive(Deserialize)]
pub struct LinkBody {
    pub campaign_id: i64,
    pub account_id: i64,
    pub destination: String,
}

fn check_destination(d: &str) -> ApiResult<()> {
    let ok = (d.starts_with("https://") || d.starts_with("http://"))
        && d.len() <= 2000
        && !d.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(ApiError::Invalid(
            "destination must be an http(s) URL without spaces".into(),
        ))
    }
}

pub async fn create_link(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<LinkBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    c.require(Role::can_manage)?;
    check_destination(&b.destination)?;
    // A code collision is rare (62^7 codes) and simply retried.
    for _ in 0..5 {
        let taken: HashSet<String> = HashSet::new();
        let code = chorus_attribution::codes::unique_short_code(&mut rand::thread_rng(), &taken);
        match st
            .store
            .create_link(NewLink {
                org_id: c.org(),
                campaign_id: b.campaign_id,
                account_id: b.account_id,
                code: &code,
                destination: &b.destination,
            })
            .await
        {
            Ok(link) => {
                st.tracking.apply_links(std::slice::from_ref(&link));
                return Ok((StatusCode::CREATED, Json(json!(link))));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(StoreError::Db(e))
                if e.to_string().contains("FOREIGN KEY")
                    || e.to_string().contains("foreign key") =>
            {
                return Err(ApiError::NotFound("account"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict("could not find a free link code".into()))
}

pub async fn list_links(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"items": st.store.list_links(c.org()).await?})))
}

pub async fn get_link(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let link = st
        .store
        .link(c.org(), id)
        .await?
        .ok_or(ApiError::NotFound("link"))?;
    Ok(Json(json!(link)))
}

pub async fn disable_link(
    State(st): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    if !st.store.disable_link(c.org(), id).await? {
        return Err(ApiError::NotFound("link"));
    }
    let link = st
        .store
        .link(c.org(), id)
        .await?
        .ok_or(ApiError::NotFound("link"))?;
    st.tracking.apply_links(std::slice::from_ref(&link));
    Ok(Json(json!(link)))
}

#[derive(Deserialize)]
pub struct CodeBody {
    pub campaign_id: i64,
    pub account_id: i64,
    /// The code itself, or a pattern such as `{HANDLE}15` to generate it.
    pub code: Option<String>,
    pub pattern: Option<String>,
    pub valid_from: Option<chrono::DateTime<chrono::Utc>>,
    pub valid_to: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub single_use: bool,
}

async fn handle_of(st: &AppState, account: i64) -> ApiResult<String> {
    let detail = st
        .store
        .account(chorus_core::AccountId(account))
        .await?
        .ok_or(ApiError::NotFound("account"))?;
    Ok(detail.row.handle)
}

pub async fn create_code(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<CodeBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    c.require(Role::can_manage)?;
    let code = match (&b.code, &b.pattern) {
        (Some(code), _) => {
            let clean = chorus_attribution::codes::sanitize(code);
            if clean.is_empty() || clean.len() > 40 {
                return Err(ApiError::Invalid(
                    "code must have 1 to 40 letters or digits".into(),
                ));
            }
            clean
        }
        (None, Some(pattern)) => {
            let handle = handle_of(&st, b.account_id).await?;
            let taken: HashSet<String> = st
                .store
                .list_promo_codes(c.org())
                .await?
                .into_iter()
                .map(|p| p.code)
                .collect();
            chorus_attribution::codes::promo_code(pattern, &handle, &taken)
                .map_err(|e| ApiError::Invalid(e.to_string()))?
        }
        (None, None) => return Err(ApiError::Invalid("give a code or a pattern".into())),
    };
    let created = st
        .store
        .create_promo_code(NewPromoCode {
            org_id: c.org(),
            campaign_id: b.campaign_id,
            account_id: b.account_id,
            code: &code,
            valid_from: b.valid_from.map(|t| t.timestamp_micros()),
            valid_to: b.valid_to.map(|t| t.timestamp_micros()),
            single_use: b.single_use,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(json!(created))))
}

pub async fn list_codes(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"items": st.store.list_promo_codes(c.org()).await?}),
    ))
}

/// The snippet's public key, created on first use.
pub async fn public_key(st: &AppState, org: OrgId) -> ApiResult<String> {
    if let Some(k) = st.store.tracking_settings(org).await?.public_key {
        return Ok(k);
    }
    let key = format!("pk_{}", &crate::auth::random_secret()[..24]);
    st.store.set_public_key(org, &key).await?;
    Ok(key)
}

pub async fn get_settings(State(st): State<AppState>, c: Caller) -> ApiResult<Json<Value>> {
    let key = public_key(&st, c.org()).await?;
    let s = st.store.tracking_settings(c.org()).await?;
    Ok(Json(json!({
        "model": s.model,
        "public_key": key,
        "webhook_secret_set": s.webhook_secret.is_some(),
        "shopify_secret_set": s.shopify_secret.is_some(),
    })))
}

#[derive(Deserialize)]
pub struct SettingsBody {
    pub model: Option<String>,
    /// The shop's webhook signing secret (Shopify admin → Notifications → Webhooks).
    pub shopify_secret: Option<String>,
}

pub async fn put_settings(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<SettingsBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_administer)?;
    if let Some(m) = &b.model {
        if chorus_attribution::engine::Model::parse(m).is_none() {
            return Err(ApiError::Invalid(
                "model must be last, first or linear".into(),
            ));
        }
        st.store.set_attribution_model(c.org(), m).await?;
    }
    if let Some(s) = &b.shopify_secret {
        st.store.set_shopify_secret(c.org(), s.trim()).await?;
        st.tracking.secrets.clear();
    }
    get_settings(State(st), c).await
}

/// A new webhook secret, shown once; the previous one stops working.
pub async fn rotate_webhook_secret(
    State(st): State<AppState>,
    c: Caller,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_administer)?;
    let secret = format!("whsec_{}", crate::auth::random_secret());
    st.store.set_webhook_secret(c.org(), &secret).await?;
    st.tracking.secrets.clear();
    Ok(Json(json!({"webhook_secret": secret})))
}

#[derive(Deserialize)]
pub struct RerunBody {
    pub campaign_id: Option<i64>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn rerun(
    State(st): State<AppState>,
    c: Caller,
    Json(b): Json<RerunBody>,
) -> ApiResult<Json<Value>> {
    c.require(Role::can_manage)?;
    let s = super::rerun_attribution(&st.store, c.org(), b.campaign_id, b.since).await?;
    Ok(Json(json!(s)))
}
