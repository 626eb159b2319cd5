//! The click log: an append-only file of JSON lines in the data directory,
//! written with group commit and applied to the store in batches.
//!
//! The redirect only enqueues a click into a bounded channel. One writer task
//! drains whatever has queued up, appends it to the log, fsyncs once for the
//! whole batch, then inserts the batch into the store. Clicks are keyed by
//! their click id and stored with `ON CONFLICT DO NOTHING`, so replaying the
//! log after a crash (which may re-apply clicks already stored) is harmless.
//! Once everything written has been applied, a log past [`ROTATE_BYTES`] is
//! truncated.

use chorus_store::tracking::Click;
use chorus_store::Store;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use tokio::sync::{mpsc, oneshot};

/// Clicks waiting for the writer; beyond this the redirect hands the click
/// to a spawned task rather than wait.
pub const QUEUE: usize = 65_536;
/// Largest batch written and applied at once.
const BATCH: usize = 4_096;
/// Truncate the log once it is fully applied and larger than this.
pub const ROTATE_BYTES: u64 = 16 << 20;

pub enum Msg {
    Click(Box<Click>),
    /// Answered once every click queued before it is durable and applied.
    Flush(oneshot::Sender<()>),
}

pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join("tracking").join("clicks.log")
}

/// Read every complete record of the log; a torn last line (the process died
/// mid-write) or any unreadable line is skipped.
pub fn read_log(path: &Path) -> std::io::Result<Vec<Click>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line?;
        if let Ok(c) = serde_json::from_str::<Click>(&line) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Append records as JSON lines and fsync; used by the writer and by tests
/// that simulate a crash between logging and applying.
pub fn append(file: &mut File, clicks: &[Click]) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(clicks.len() * 256);
    for c in clicks {
        serde_json::to_writer(&mut buf, c).map_err(std::io::Error::other)?;
        buf.push(b'\n');
    }
    file.write_all(&buf)?;
    file.sync_data()
}

pub fn open_log(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Apply whatever a previous run logged but may not have stored; returns
/// how many clicks were new to the store. The log is then emptied.
pub async fn replay(store: &Store, path: &Path) -> anyhow::Result<u64> {
    let clicks = read_log(path)?;
    let mut new = 0;
    for chunk in clicks.chunks(BATCH) {
        new += store.insert_clicks(chunk).await?;
    }
    if path.exists() {
        let f = OpenOptions::new().write(true).open(path)?;
        f.set_len(0)?;
        f.sync_all()?;
    }
    Ok(new)
}

/// Start the writer; it ends when every sender is gone, after draining.
pub fn spawn_writer(store: Store, file: File) -> mpsc::Sender<Msg> {
    let (tx, rx) = mpsc::channel(QUEUE);
    tokio::spawn(writer(store, file, rx));
    tx
}

async fn writer(store: Store, mut file: File, mut rx: mpsc::Receiver<Msg>) {
    let mut pending: Vec<Click> = Vec::new();
    let mut written: u64 = file.metadata().map(|m| m.len()).unwrap_or(0);
    while let Some(first) = rx.recv().await {
        let mut batch = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(m) = next.take() {
            match m {
                Msg::Click(c) => batch.push(*c),
                Msg::Flush(done) => flushes.push(done),
            }
            if batch.len() < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            let res = tokio::task::spawn_blocking(move || {
                let r = append(&mut file, &batch);
                (file, batch, r)
            })
            .await;
            let Ok((f, b, r)) = res else {
                tracing::error!("click log writer panicked");
                return;
            };
            file = f;
            if let Err(e) = r {
                // Still apply: the store is the record; the log is the safety net.
                tracing::error!(error = %e, "writing the click log");
            }
            written += b.len() as u64 * 200;
            pending.extend(b);
        }
        if !pending.is_empty() {
            match store.insert_clicks(&pending).await {
                Ok(_) => pending.clear(),
                Err(e) => {
                    tracing::warn!(error = %e, queued = pending.len(), "applying clicks; will retry")
                }
            }
        }
        if pending.is_empty() && written > ROTATE_BYTES {
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            if len > ROTATE_BYTES && file.set_len(0).is_ok() {
                written = 0;
            } else {
                written = len;
            }
        }
        for f in flushes {
            let _ = f.send(());
        }
    }
    if !pending.is_empty() {
        if let Err(e) = store.insert_clicks(&pending).await {
            tracing::error!(error = %e, "applying clicks at shutdown; the log keeps them for replay");
        }
    }
}
