//! Encryption at rest for values the database must not hold in clear
//! (creators' payout details).
//!
//! XChaCha20-Poly1305 with a fresh random 192-bit nonce per value; a value is
//! stored as `v1:` + base64(nonce ‖ ciphertext ‖ tag). The row it belongs to
//! is bound as associated data, so a sealed value copied into another row
//! does not open. The key never enters the database: it comes from
//! `CHORUS_SECRET_KEY` or a key file in the data directory.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::fmt;
use std::path::Path;

/// The environment variable that holds the key (64 hex digits or base64 of 32 bytes).
pub const KEY_ENV: &str = "CHORUS_SECRET_KEY";
/// The key file created in the data directory when the variable is unset.
pub const KEY_FILE: &str = "secret.key";

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error(
        "{source_name}: a secret key is 32 bytes written as 64 hex digits or as base64 ({reason})"
    )]
    BadKey { source_name: String, reason: String },
    #[error("key file {path}: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("encrypted value is not in the v1 format ({0})")]
    Malformed(String),
    #[error(
        "encrypted value cannot be decrypted: the secret key differs from the one it was \
         saved with ({KEY_ENV} or the key file), or the stored value was altered"
    )]
    WrongKey,
}

/// A 256-bit key. Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(bytes)
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> SecretKey {
        SecretKey(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    /// Parse 64 hex digits or base64 of exactly 32 bytes; `source_name`
    /// says where the text came from in the error.
    pub fn parse(text: &str, source_name: &str) -> Result<SecretKey, SecretError> {
        let t = text.trim();
        let bytes = if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(t).map_err(|e| e.to_string())
        } else {
            B64.decode(t)
                .map_err(|e| format!("not hex, and not base64: {e}"))
        };
        let bytes = bytes.map_err(|reason| SecretError::BadKey {
            source_name: source_name.to_string(),
            reason,
        })?;
        let arr: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| SecretError::BadKey {
            source_name: source_name.to_string(),
            reason: format!("got {} bytes", b.len()),
        })?;
        Ok(SecretKey(arr))
    }

    /// The key from `env_value` (the content of `CHORUS_SECRET_KEY`) when
    /// set, else from `data_dir/secret.key`, created with a new random key
    /// and permissions 0600 on first start.
    pub fn load(env_value: Option<&str>, data_dir: &Path) -> Result<SecretKey, SecretError> {
        if let Some(v) = env_value.filter(|v| !v.trim().is_empty()) {
            return SecretKey::parse(v, KEY_ENV);
        }
        let path = data_dir.join(KEY_FILE);
        let file_err = |reason: String| SecretError::KeyFile {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretKey::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir).map_err(|e| file_err(e.to_string()))?;
                let key = SecretKey::generate();
                match write_new_private(&path, &format!("{}\n", hex::encode(key.0))) {
                    Ok(()) => Ok(key),
                    // Another instance created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        let text =
                            std::fs::read_to_string(&path).map_err(|e| file_err(e.to_string()))?;
                        SecretKey::parse(&text, &path.display().to_string())
                    }
                    Err(e) => Err(file_err(e.to_string())),
                }
            }
            Err(e) => Err(file_err(e.to_string())),
        }
    }

    /// Encrypt `plaintext` for the row `context` names.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        // Encryption into memory fails only beyond 256 GiB per value.
        let ct = cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// Decrypt what [`seal`](Self::seal) produced for the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SecretError> {
        let body = sealed
            .strip_prefix(PREFIX)
            .ok_or_else(|| SecretError::Malformed("no v1: prefix".into()))?;
        let raw = B64
            .decode(body)
            .map_err(|e| SecretError::Malformed(e.to_string()))?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(SecretError::Malformed("too short".into()));
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::WrongKey)
    }
}

/// Create `path` with `content`, readable by its owner only; fails if it exists.
fn write_new_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_context_binding() {
        let k = SecretKey::generate();
        let sealed = k.seal(b"maya@example.com", "payout:1:7");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("maya"));
        assert_eq!(k.open(&sealed, "payout:1:7").unwrap(), b"maya@example.com");
        assert_eq!(k.open(&sealed, "payout:2:7"), Err(SecretError::WrongKey));
    }

    #[test]
    fn wrong_key_is_a_clear_error() {
        let sealed = SecretKey::generate().seal(b"GB82WEST12345698765432", "x");
        let e = SecretKey::generate().open(&sealed, "x").unwrap_err();
        assert_eq!(e, SecretError::WrongKey);
        assert!(e.to_string().contains(KEY_ENV));
        let k = SecretKey::from_bytes([1; 32]);
        let mut raw = B64
            .decode(&k.seal(b"GB82WEST12345698765432", "x")[3..])
            .unwrap();
        raw[NONCE_LEN + 2] ^= 1;
        let tampered = format!("v1:{}", B64.encode(raw));
        assert_eq!(k.open(&tampered, "x"), Err(SecretError::WrongKey));
        assert!(matches!(
            SecretKey::generate().open("plain text", "x"),
            Err(SecretError::Malformed(_))
        ));
    }

    #[test]
    fn every_value_gets_its_own_nonce() {
        let k = SecretKey::from_bytes([7; 32]);
        let seals: std::collections::HashSet<String> =
            (0..1000).map(|_| k.seal(b"same", "same")).collect();
        assert_eq!(seals.len(), 1000);
        let nonces: std::collections::HashSet<Vec<u8>> = seals
            .iter()
            .map(|s| B64.decode(&s[3..]).unwrap()[..NONCE_LEN].to_vec())
            .collect();
        assert_eq!(nonces.len(), 1000);
    }

    #[test]
    fn keys_parse_from_hex_or_base64() {
        let hex_key = "00".repeat(31) + "ff";
        assert_eq!(
            SecretKey::parse(&hex_key, KEY_ENV).unwrap(),
            SecretKey::parse(
                &B64.encode(
                    [0u8; 31]
                        .iter()
                        .chain(&[255u8])
                        .copied()
                        .collect::<Vec<_>>()
                ),
                KEY_ENV
            )
            .unwrap()
        );
        let e = SecretKey::parse("c2hvcnQ=", KEY_ENV).unwrap_err();
        assert!(e.to_string().contains("got 5 bytes"), "{e}");
        assert!(SecretKey::parse("not a key!", KEY_ENV).is_err());
    }

    #[test]
    fn key_file_is_created_private_once() {
        let dir = std::env::temp_dir().join(format!(
            "chorus-key-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let a = SecretKey::load(None, &dir).unwrap();
        let b = SecretKey::load(Some(""), &dir).unwrap();
        assert_eq!(a, b, "the second start reads the same key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let env = SecretKey::load(Some(&"ab".repeat(32)), &dir).unwrap();
        assert_eq!(env, SecretKey::from_bytes([0xab; 32]));
        std::fs::write(dir.join(KEY_FILE), "garbage").unwrap();
        let e = SecretKey::load(None, &dir).unwrap_err();
        assert!(e.to_string().contains("secret.key"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
