//! Order-webhook signatures.
//!
//! Chorus's own scheme follows Stripe's: the header
//! `Chorus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
//! Signing the timestamp with the body lets the receiver refuse replays of an
//! old, validly signed request: anything outside the tolerance is rejected.
//! Several `v1` values may appear so a merchant can roll its secret without
//! downtime; one matching value is enough. Unknown schemes (`v0=…`) are
//! ignored for the same reason Stripe ignores them: forward compatibility.
//!
//! Shopify signs only the raw body: `X-Shopify-Hmac-Sha256` is the base64 of
//! HMAC-SHA256(secret, body), with no timestamp; replay protection there is
//! the idempotency of order ids.
//!
//! Every comparison is constant-time (`Mac::verify_slice`), so an attacker
//! cannot learn a valid signature byte by byte from response times.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Name of the HTTP header carrying a Chorus signature.
pub const HEADER: &str = "Chorus-Signature";
/// Name of the HTTP header carrying a Shopify signature.
pub const SHOPIFY_HEADER: &str = "X-Shopify-Hmac-Sha256";
/// Default replay tolerance: five minutes, as Stripe's.
pub const DEFAULT_TOLERANCE_S: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("malformed signature header: {0}")]
    Malformed(String),
    #[error("signature timestamp {timestamp} is {age_s} s away from now; at most {tolerance_s} s is accepted")]
    OutsideTolerance {
        timestamp: i64,
        age_s: i64,
        tolerance_s: i64,
    },
    #[error("signature does not match the body")]
    Mismatch,
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key"))
}

fn chorus_mac(secret: &[u8], t: i64, body: &[u8]) -> HmacSha256 {
    let mut m = mac(secret);
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The full header value for `body` sent at unix time `t`.
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let digest = chorus_mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(digest))
}

/// Check a `Chorus-Signature` header against the raw body at `now_unix`.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_unix: i64,
    tolerance_s: i64,
) -> Result<(), SignatureError> {
    let (t, candidates) = parse_header(header)?;
    let age_s = now_unix.saturating_sub(t).saturating_abs();
    if age_s > tolerance_s {
        return Err(SignatureError::OutsideTolerance {
            timestamp: t,
            age_s,
            tolerance_s,
        });
    }
    let m = chorus_mac(secret, t, body);
    if candidates.iter().any(|c| m.clone().verify_slice(c).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// `t=…` once, at least one `v1=…`; other keys are ignored.
fn parse_header(header: &str) -> Result<(i64, Vec<Vec<u8>>), SignatureError> {
    let malformed = |why: &str| SignatureError::Malformed(why.to_string());
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("each part must be key=value"))?;
        match key {
            "t" if t.is_some() => return Err(malformed("more than one t=")),
            "t" => {
                t = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| malformed("t= is not unix seconds"))?,
                )
            }
            // A non-hex v1 cannot match; skipping it lets another v1 match.
            "v1" => v1.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| malformed("no t= timestamp"))?;
    if v1.is_empty() {
        return Err(malformed("no v1= signature"));
    }
    Ok((t, v1))
}

/// Check Shopify's `X-Shopify-Hmac-Sha256` header against the raw body.
pub fn verify_shopify(secret: &[u8], header_b64: &str, body: &[u8]) -> Result<(), SignatureError> {
    let expected = base64::engine::general_purpose::STANDARD
        .decode(header_b64.trim())
        .map_err(|_| SignatureError::Malformed("X-Shopify-Hmac-Sha256 is not base64".into()))?;
    let mut m = mac(secret);
    m.update(body);
    m.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// Shopify's header value for `body`, for tests and for replaying fixtures.
pub fn sign_shopify(secret: &[u8], body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(body);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] = br#"{"order_id":"1001","amount":"80.00","currency":"USD"}"#;
    const NOW: i64 = 1_772_000_000;

    #[test]
    fn signed_body_verifies() {
        let h = sign(SECRET, NOW, BODY);
        assert!(h.starts_with(&format!("t={NOW},v1=")));
        assert_eq!(
            verify(SECRET, &h, BODY, NOW + 10, DEFAULT_TOLERANCE_S),
            Ok(())
        );
    }

    #[test]
    fn known_vector_matches_an_independent_hmac() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style vector.
        let mut m = mac(b"key");
        m.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex::encode(m.finalize().into_bytes()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn tampered_body_or_wrong_secret_is_a_mismatch() {
        let h = sign(SECRET, NOW, BODY);
        let tampered = br#"{"order_id":"1001","amount":"8000.00","currency":"USD"}"#;
        assert_eq!(
            verify(SECRET, &h, tampered, NOW, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", &h, BODY, NOW, 300),
            Err(SignatureError::Mismatch)
        );
        // The timestamp is signed too: changing it breaks the signature.
        let moved = h.replacen(&NOW.to_string(), &(NOW + 1).to_string(), 1);
        assert_eq!(
            verify(SECRET, &moved, BODY, NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn old_or_future_timestamps_are_replays() {
        let h = sign(SECRET, NOW, BODY);
        assert_eq!(verify(SECRET, &h, BODY, NOW + 300, 300), Ok(()));
        assert!(matches!(
            verify(SECRET, &h, BODY, NOW + 301, 300),
            Err(SignatureError::OutsideTolerance { age_s: 301, .. })
        ));
        assert!(matches!(
            verify(SECRET, &h, BODY, NOW - 301, 300),
            Err(SignatureError::OutsideTolerance { .. })
        ));
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let good = sign(SECRET, NOW, BODY);
        let good_v1 = good.split_once(",v1=").unwrap().1;
        let old = sign(b"old secret", NOW, BODY);
        let old_v1 = old.split_once(",v1=").unwrap().1;
        let h = format!("t={NOW},v1={old_v1},v0=abc,v1=zz-not-hex,v1={good_v1}");
        assert_eq!(verify(SECRET, &h, BODY, NOW, 300), Ok(()));
        let h = format!("t={NOW}, v1={old_v1}");
        assert_eq!(
            verify(SECRET, &h, BODY, NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for h in [
            "",
            "v1=00",
            "t=abc,v1=00",
            "t=1,t=2,v1=00",
            "t=1",
            "t=1,v1=xyz",
            "garbage",
        ] {
            assert!(
                matches!(
                    verify(SECRET, h, BODY, 1, 300),
                    Err(SignatureError::Malformed(_))
                ),
                "{h}"
            );
        }
    }

    #[test]
    fn shopify_signature_verifies_and_detects_tampering() {
        let body = br#"{"id":820982911946154508,"email":"jon@example.com","discount_codes":[{"code":"MAYA15","amount":"12.00","type":"percentage"}]}"#;
        let h = sign_shopify(b"shpss_secret", body);
        assert_eq!(verify_shopify(b"shpss_secret", &h, body), Ok(()));
        assert_eq!(
            verify_shopify(b"wrong", &h, body),
            Err(SignatureError::Mismatch)
        );
        let mut tampered = body.to_vec();
        tampered[10] = b'9';
        assert_eq!(
            verify_shopify(b"shpss_secret", &h, &tampered),
            Err(SignatureError::Mismatch)
        );
        assert!(matches!(
            verify_shopify(b"shpss_secret", "not base64!!", body),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn shopify_known_vector() {
        // base64(HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")).
        assert_eq!(
            sign_shopify(b"key", b"The quick brown fox jumps over the lazy dog"),
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        );
    }
}
