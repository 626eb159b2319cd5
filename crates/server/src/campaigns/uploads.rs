//! Media files a creator uploads with a draft: kept in the data dir as
//! `uploads/<org>/<campaign>/<random>.<ext>`, typed by their first bytes
//! (never by the name or the browser's claim), limited in size and count,
//! and served only to the creator's portal link and the organization's users.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::multipart::Field;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chorus_core::{CampaignId, OrgId};
use chorus_store::review::{NewUpload, Upload};
use rand::RngCore;
use std::path::{Path, PathBuf};

/// At most this many files with one draft.
pub const MAX_FILES: usize = 10;

/// The types we keep, by magic bytes: (content type, extension).
pub const ACCEPTED: &str = "JPEG, PNG, GIF, WebP, MP4, MOV or WebM";

/// The content type and extension of a file, from its first bytes.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str)> {
    let starts = |p: &[u8]| head.starts_with(p);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        if &head[8..12] == b"qt  " {
            Some(("video/quicktime", "mov"))
        } else {
            Some(("video/mp4", "mp4"))
        }
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(("video/webm", "webm"))
    } else {
        None
    }
}

pub fn size_text(bytes: i64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn folder(data_dir: &Path, org: OrgId, campaign: CampaignId) -> PathBuf {
    data_dir
        .join("uploads")
        .join(org.0.to_string())
        .join(campaign.0.to_string())
}

/// A file name as the creator gave it, safe to show and to send back.
fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = base
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(120)
        .collect();
    if s.trim().is_empty() {
        "file".into()
    } else {
        s
    }
}

/// Why an upload was refused, with the status the error page carries.
#[derive(Debug)]
pub enum Refused {
    TooLarge(String),
    BadType(String),
    Other(ApiError),
}

impl Refused {
    pub fn status(&self) -> StatusCode {
        match self {
            Refused::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refused::BadType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Refused::Other(e) => e.status(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refused::TooLarge(m) | Refused::BadType(m) => m.clone(),
            Refused::Other(e) => e.to_string(),
        }
    }
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Refused {
        Refused::Other(e)
    }
}

fn io(e: std::io::Error) -> Refused {
    Refused::Other(ApiError::Internal(e.into()))
}

/// Files written so far for one draft; removed again unless kept.
pub struct Received {
    pub files: Vec<NewUpload>,
    paths: Vec<PathBuf>,
    keep: bool,
}

impl Received {
    pub fn new() -> Received {
        Received {
            files: vec![],
            paths: vec![],
            keep: false,
        }
    }

    /// The draft is stored: the files stay.
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Default for Received {
    fn default() -> Received {
        Received::new()
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        if !self.keep {
            for p in &self.paths {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// Stream one multipart file field to the data dir, checking its type from
/// the first bytes and its size as it arrives. An empty file field (no file
/// chosen) is skipped.
pub async fn receive(
    st: &AppState,
    org: OrgId,
    campaign: CampaignId,
    mut field: Field<'_>,
    into: &mut Received,
) -> Result<(), Refused> {
    let original = clean_name(field.file_name().unwrap_or(""));
    let max = st.config.max_upload_bytes;
    let Some(dir) = st.config.data_dir.as_deref() else {
        // Drain nothing: the caller reports that uploads are off.
        return Err(Refused::Other(ApiError::Invalid(
            "File uploads are not enabled on this server; add media links instead.".into(),
        )));
    };
    let mut head: Vec<u8> = Vec::new();
    let mut file: Option<(tokio::fs::File, PathBuf, &'static str)> = None;
    let mut size: usize = 0;
    let too_large = || {
        Refused::TooLarge(format!(
            "{original} is too large: files may be at most {} (upload a shorter cut or share a link)",
            size_text(max as i64)
        ))
    };
    let bad_type = || {
        Refused::BadType(format!(
            "{original} is not a file type we accept: upload {ACCEPTED}"
        ))
    };
    loop {
        let chunk = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                Refused::Other(ApiError::Invalid(format!(
                    "{original}: the upload broke off ({e})"
                )))
            }
        })?;
        let Some(chunk) = chunk else { break };
        size += chunk.len();
        if size > max {
            return Err(too_large());
        }
        if file.is_none() {
            head.extend_from_slice(&chunk);
            if head.len() < 12 {
                continue;
            }
            let (ct, ext) = sniff(&head).ok_or_else(bad_type)?;
            let dir = folder(dir, org, campaign);
            tokio::fs::create_dir_all(&dir).await.map_err(io)?;
            let mut r = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut r);
            let path = dir.join(format!("{}.{ext}", hex::encode(r)));
            let f = tokio::fs::File::create(&path).await.map_err(io)?;
            into.paths.push(path.clone());
            file = Some((f, path, ct));
            let (f, _, _) = file.as_mut().expect("just set");
            tokio::io::AsyncWriteExt::write_all(f, &head)
                .await
                .map_err(io)?;
        } else if let Some((f, _, _)) = file.as_mut() {
            tokio::io::AsyncWriteExt::write_all(f, &chunk)
                .await
                .map_err(io)?;
        }
    }
    match file {
        None if size == 0 => Ok(()),
        None => Err(bad_type()),
        Some((mut f, path, ct)) => {
            tokio::io::AsyncWriteExt::flush(&mut f).await.map_err(io)?;
            into.files.push(NewUpload {
                stored_name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                original_name: original.clone(),
                content_type: ct.to_string(),
                size_bytes: size as i64,
            });
            Ok(())
        }
    }
}

/// Send a stored file back, typed as stored, never sniffed by the browser.
pub async fn serve(st: &AppState, u: &Upload) -> Result<Response, ApiError> {
    let dir = st
        .config
        .data_dir
        .as_deref()
        .ok_or(ApiError::NotFound("file"))?;
    // Stored names are ours (hex + extension); refuse anything else.
    if !u
        .stored_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        return Err(ApiError::NotFound("file"));
    }
    let path = folder(dir, u.org_id, u.campaign_id).join(&u.stored_name);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| ApiError::NotFound("file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, u.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", u.original_name.replace('"', "")),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_first_bytes() {
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01").unwrap().0,
            "image/jpeg"
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\r").unwrap().1, "png");
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42\0\0").unwrap().0, "video/mp4");
        assert_eq!(
            sniff(b"\0\0\0\x14ftypqt  \0\0").unwrap().0,
            "video/quicktime"
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().0, "image/webp");
        assert!(sniff(b"<html><script>alert").is_none());
        assert!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0").is_none());
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\clips\\my \"reel\".mp4"), "my reel.mp4");
        assert_eq!(clean_name(""), "file");
    }
}
