//! Who is calling: a browser session (cookie + CSRF token) or an API token
//! (bearer). Secrets are random, stored only as digests, and compared in
//! constant time.

use crate::error::ApiError;
use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::Engine;
use chorus_core::{OrgId, Role};
use chorus_store::User;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "chorus_session";
pub const LOGIN_CSRF_COOKIE: &str = "chorus_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf_token";
pub const TOKEN_PREFIX: &str = "chorus_";

/// 32 random bytes, URL-safe base64 without padding.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Argon2 is deliberately slow: keep it off the async workers.
pub async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

pub async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A new API token in clear (shown once) and what is stored of it.
pub struct NewToken {
    pub clear: String,
    pub prefix: String,
    pub digest: String,
}

pub fn new_api_token() -> NewToken {
    let clear = format!("{TOKEN_PREFIX}{}", random_secret());
    NewToken {
        prefix: clear[..TOKEN_PREFIX.len() + 6].to_string(),
        digest: digest(&clear),
        clear,
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

#[derive(Debug, Clone)]
pub enum Via {
    Session {
        csrf_token: String,
        token_hash: String,
    },
    Token,
}

/// The authenticated caller. Every handler that touches organization data
/// takes one and scopes by `org()`.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
}

impl Caller {
    pub fn org(&self) -> OrgId {
        self.user.org_id
    }

    pub fn require(&self, allowed: fn(Role) -> bool) -> Result<(), ApiError> {
        if allowed(self.user.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(self.user.role))
        }
    }

    pub fn csrf_token(&self) -> &str {
        match &self.via {
            Via::Session { csrf_token, .. } => csrf_token,
            Via::Token => "",
        }
    }
}

/// Resolve the caller from a bearer token or the session cookie.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    if let Some(tok) = bearer(headers) {
        // A presented but unknown or revoked token is an error, never a fallback to the cookie.
        let found = state.store.authenticate_token(&digest(tok)).await?;
        return match found {
            Some((_, user)) => Ok(Some(Caller {
                user,
                via: Via::Token,
            })),
            None => Err(ApiError::Unauthenticated),
        };
    }
    let Some(raw) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let token_hash = digest(raw);
    Ok(state.store.session(&token_hash).await?.map(|s| Caller {
        user: s.user,
        via: Via::Session {
            csrf_token: s.csrf_token,
            token_hash,
        },
    }))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        resolve(state, &parts.headers)
            .await?
            .ok_or(ApiError::Unauthenticated)
    }
}

impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(Some(c.clone()));
        }
        match resolve(state, &parts.headers).await {
            Ok(c) => Ok(c),
            Err(ApiError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let a = new_api_token();
        let b = new_api_token();
        assert_ne!(a.clear, b.clear);
        assert!(a.clear.starts_with("chorus_") && a.clear.len() > 40);
        assert_eq!(a.digest, digest(&a.clear));
        assert!(a.clear.starts_with(&a.prefix));
        assert!(!a.digest.contains(&a.clear));
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; chorus_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "missing"), None);
    }
}
