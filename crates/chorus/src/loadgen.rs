//! A small HTTP/1.1 load generator for `chorus bench redirect` and
//! `chorus bench ingest`: N keep-alive connections, each sending one request
//! at a time and reading the whole response before the next, recording the
//! latency of every request. Raw bytes over TCP, so the client costs the same
//! whatever server it measures (Chorus or nginx).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Threads of the load generator's own runtime.
pub const THREADS: usize = 2;

/// Builds the raw bytes of request number `seq`.
pub type MakeRequest = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// When a run ends.
#[derive(Debug, Clone, Copy)]
pub enum Stop {
    After(Duration),
    Requests(u64),
}

#[derive(Debug, Default)]
pub struct LoadResult {
    /// Responses per status code.
    pub statuses: std::collections::BTreeMap<u16, u64>,
    pub errors: u64,
    pub seconds: f64,
    latencies_us: Vec<u32>,
}

impl LoadResult {
    pub fn count(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    pub fn responses(&self) -> u64 {
        self.statuses.values().sum()
    }

    pub fn rps(&self) -> f64 {
        self.responses() as f64 / self.seconds.max(1e-9)
    }

    /// Latency quantile in milliseconds (`q` in 0..=1).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() - 1) as f64 * q).round() as usize;
        f64::from(self.latencies_us[i]) / 1000.0
    }
}

/// Run `conns` connections against `addr` until `stop`, on a runtime of its
/// own so that the generator's work is not scheduled among the server's.
pub fn run(addr: SocketAddr, conns: usize, stop: Stop, make: MakeRequest) -> LoadResult {
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(THREADS)
            .enable_all()
            .build()
            .expect("a tokio runtime for the load generator");
        rt.block_on(run_async(addr, conns, stop, make))
    });
    handle.join().unwrap_or_default()
}

async fn run_async(addr: SocketAddr, conns: usize, stop: Stop, make: MakeRequest) -> LoadResult {
    let tickets = Arc::new(AtomicU64::new(0));
    let (limit, deadline) = match stop {
        Stop::After(d) => (u64::MAX, Some(Instant::now() + d)),
        Stop::Requests(n) => (n, None),
    };
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(conns);
    for _ in 0..conns {
        let tickets = tickets.clone();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            connection(addr, &tickets, limit, deadline, &make).await
        }));
    }
    let mut out = LoadResult::default();
    for t in tasks {
        if let Ok(r) = t.await {
            for (s, n) in r.statuses {
                *out.statuses.entry(s).or_default() += n;
            }
            out.errors += r.errors;
            out.latencies_us.extend(r.latencies_us);
        }
    }
    out.seconds = start.elapsed().as_secs_f64();
    out.latencies_us.sort_unstable();
    out
}

async fn connection(
    addr: SocketAddr,
    tickets: &AtomicU64,
    limit: u64,
    deadline: Option<Instant>,
    make: &MakeRequest,
) -> LoadResult {
    let mut out = LoadResult::default();
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::with_capacity(8192);
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let seq = tickets.fetch_add(1, Ordering::Relaxed);
        if seq >= limit {
            break;
        }
        let req = make(seq);
        let began = Instant::now();
        let s = match stream.take() {
            Some(s) => s,
            None => match TcpStream::connect(addr).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    s
                }
                Err(_) => {
                    out.errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        match exchange(s, &req, &mut buf).await {
            Ok((s, status, keep)) => {
                let us = began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
                out.latencies_us.push(us);
                *out.statuses.entry(status).or_default() += 1;
                if keep {
                    stream = Some(s);
                }
            }
            Err(_) => out.errors += 1,
        }
    }
    out
}

/// Send one request and read its response (headers and a
/// `Content-Length` body). Returns the stream, the status and whether the
/// connection may be reused.
async fn exchange(
    mut s: TcpStream,
    req: &[u8],
    buf: &mut Vec<u8>,
) -> std::io::Result<(TcpStream, u16, bool)> {
    s.write_all(req).await?;
    buf.clear();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(std::io::Error::other)?;
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let mut length = 0usize;
    let mut keep = true;
    for line in head.split("\r\n").skip(1) {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("content-length") {
            length = v.parse().map_err(std::io::Error::other)?;
        } else if k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close") {
            keep = false;
        } else if k.eq_ignore_ascii_case("transfer-encoding") {
            // Neither server under test chunks these small responses.
            return Err(std::io::Error::other("chunked responses are not supported"));
        }
    }
    let mut have = buf.len() - head_end;
    while have < length {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        have += n;
    }
    Ok((s, status, keep))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A free TCP port on 127.0.0.1 (bound, then released for the caller).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
