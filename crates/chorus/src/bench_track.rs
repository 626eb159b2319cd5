//! `chorus bench redirect` and `chorus bench ingest`: the tracking server
//! under HTTP load, each beside a baseline measured in the same run.

use crate::loadgen::{self, MakeRequest, Stop};
use chorus_core::OrgId;
use chorus_server::{AppState, Config};
use chorus_store::testing::TestDb;
use chorus_store::Store;
use clap::Args;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BROWSER_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) \
    AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

#[derive(Args)]
pub struct RedirectBench {
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Measured seconds per server (after a warm-up of a fifth of it).
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct IngestBench {
    #[arg(long, default_value_t = 20_000)]
    pub orders: u64,
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

/// A Chorus server on a free port of 127.0.0.1 with a fresh SQLite database
/// and the click log on, in this process.
struct Server {
    addr: SocketAddr,
    state: AppState,
    db: TestDb,
    org: OrgId,
    data_dir: PathBuf,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(work: &Path) -> anyhow::Result<Server> {
        let db = TestDb::sqlite().await?;
        let org = db.store.create_org("bench", "Bench").await?.id;
        let data_dir = work.join("data");
        std::fs::create_dir_all(&data_dir)?;
        let state = AppState::new(db.store.clone(), Config::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let handle = tokio::spawn(async move {
            let _ = chorus_server::serve(listener, st, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(Server {
            addr,
            state,
            db,
            org,
            data_dir,
            stop,
            handle,
        })
    }

    async fn shutdown(self) {
        self.state.tracking.flush().await;
        let _ = self.stop.send(());
        let _ = self.handle.await;
        self.db.cleanup().await;
    }
}

/// One creator account with a tracking link; returns the link's code.
async fn seed_link(store: &Store, org: OrgId) -> anyhow::Result<String> {
    let mut rec: chorus_core::CreatorRecord = serde_json::from_value(json!({
        "platform": "instagram", "handle": "bench_creator", "followers": 25000
    }))?;
    rec.validate().map_err(|errs| {
        let why: Vec<String> = errs
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect();
        anyhow::anyhow!("the bench creator is invalid: {}", why.join("; "))
    })?;
    store.upsert_creators(&[rec]).await?;
    let account = store
        .account_by_handle("instagram", "bench_creator")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the seeded account is missing"))?
        .0;
    let code = "bEnch01".to_string();
    store
        .create_link(chorus_store::tracking::NewLink {
            org_id: org,
            campaign_id: 1,
            account_id: account,
            code: &code,
            destination: "https://shop.example/products/trail-shoe?color=red",
        })
        .await?;
    Ok(code)
}

fn get_request(path: &str) -> MakeRequest {
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: {BROWSER_UA}\r\n\
         Referer: https://www.instagram.com/\r\n\r\n"
    )
    .into_bytes();
    Arc::new(move |_| req.clone())
}

/// Warm up for a fifth of the time, then measure; returns (warm-up, measured).
fn measure(
    addr: SocketAddr,
    conns: usize,
    seconds: f64,
    make: MakeRequest,
) -> (loadgen::LoadResult, loadgen::LoadResult) {
    let warm = loadgen::run(
        addr,
        conns,
        Stop::After(Duration::from_secs_f64(seconds / 5.0)),
        make.clone(),
    );
    let run = loadgen::run(
        addr,
        conns,
        Stop::After(Duration::from_secs_f64(seconds)),
        make,
    );
    (warm, run)
}

pub async fn bench_redirect(a: RedirectBench) -> anyhow::Result<Value> {
    let work = crate::bench::tempfile_dir()?.join("redirect");
    std::fs::create_dir_all(&work)?;
    // Both servers get the same budget: the Chorus server runs on this
    // process's runtime (one worker thread per core), nginx on as many
    // worker processes, and the load generator on its own two threads
    // beside either, all on the same cores.
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let nginx = match Nginx::start(&work.join("nginx"), workers) {
        Ok(n) => Some(n),
        Err(e) => {
            eprintln!(
                "nginx baseline unavailable ({e}); install it with `apt-get install nginx` \
                 (Debian/Ubuntu) and run again"
            );
            None
        }
    };
    let nginx_figures = nginx.map(|n| {
        let (_, run) = measure(n.addr, a.connections, a.seconds, get_request("/r/bEnch01"));
        n.stop();
        run
    });

    let server = Server::start(&work).await?;
    let code = seed_link(&server.db.store, server.org).await?;
    chorus_server::track::start(&server.state, &server.data_dir).await?;
    let addr = server.addr;
    let conns = a.connections;
    let seconds = a.seconds;
    let path = format!("/r/{code}");
    let (warm, run) =
        tokio::task::spawn_blocking(move || measure(addr, conns, seconds, get_request(&path)))
            .await?;
    let served = warm.count(302) + run.count(302);
    let flush_start = Instant::now();
    server.state.tracking.flush().await;
    let flush_s = flush_start.elapsed().as_secs_f64();
    let stored = server.db.store.count_clicks(server.org).await?;
    let other = run.responses() - run.count(302) + warm.responses() - warm.count(302);
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&work);
    if other > 0 || run.errors > 0 {
        eprintln!(
            "warning: {other} responses were not 302 and {} requests failed",
            run.errors
        );
    }
    Ok(json!({
        "bench": "redirect",
        "params": {
            "connections": a.connections, "seconds": a.seconds, "json": a.json,
            "cores": cores, "server_worker_threads": workers,
            "nginx_worker_processes": workers, "loadgen_threads": loadgen::THREADS,
        },
        "figures": {
            "rps": run.rps(),
            "p50_ms": run.quantile_ms(0.50),
            "p99_ms": run.quantile_ms(0.99),
            "nginx_rps": nginx_figures.as_ref().map(|r| r.rps()),
            "nginx_p50_ms": nginx_figures.as_ref().map(|r| r.quantile_ms(0.50)),
            "nginx_p99_ms": nginx_figures.as_ref().map(|r| r.quantile_ms(0.99)),
            "requests_served": served,
            "clicks_stored": stored,
            "click_flush_s": flush_s,
        }
    }))
}

/// nginx with a temporary configuration: `return 302` on a free port, with
/// an access log, as the baseline a redirect cannot beat by much.
struct Nginx {
    addr: SocketAddr,
    dir: PathBuf,
    child: std::process::Child,
}

impl Nginx {
    /// `workers` worker processes: as many as the Chorus server has runtime
    /// worker threads, so both get the same share of the cores.
    fn start(dir: &Path, workers: usize) -> anyhow::Result<Nginx> {
        let bin = ["nginx", "/usr/sbin/nginx"]
            .into_iter()
            .find(|b| {
                std::process::Command::new(b)
                    .arg("-v")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .ok_or_else(|| anyhow::anyhow!("nginx is not installed"))?;
        std::fs::create_dir_all(dir.join("tmp"))?;
        let port = loadgen::free_port()?;
        let d = dir.display();
        let conf = format!(
            "worker_processes {workers};\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/tmp;\n  \
             proxy_temp_path {d}/tmp;\n  fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  \
             scgi_temp_path {d}/tmp;\n  keepalive_requests 1000000;\n  \
             server {{\n    listen 127.0.0.1:{port};\n    location /r/ {{\n      \
             return 302 \"https://shop.example/products/trail-shoe?color=red&utm_source=instagram\
             &utm_medium=influencer&utm_campaign=campaign-1&utm_content=bench_creator\
             &chorus_cid=0123456789abcdef\";\n    }}\n  }}\n}}\n"
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let child = std::process::Command::new(bin)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf_path)
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let mut n = Nginx {
            addr,
            dir: dir.to_path_buf(),
            child,
        };
        let began = Instant::now();
        while std::net::TcpStream::connect(addr).is_err() {
            if began.elapsed() > Duration::from_secs(10) || n.child.try_wait()?.is_some() {
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                n.stop();
                anyhow::bail!("nginx did not start: {}", log.trim());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(n)
    }

    /// Ask the master to stop (it takes its workers along), then reap it.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const BENCH_SECRET: &str = "whsec_bench_secret";

/// The body of bench order `seq`: a third carry a promo code, a third a
/// returning customer's key, the rest neither. `delivery` > 1 marks a
/// re-delivery (same order id, so nothing new is stored).
fn order_body(seq: u64, delivery: u32) -> String {
    let at = chrono::DateTime::from_timestamp(1_772_000_000 + (seq as i64) * 7, 0)
        .unwrap_or_default()
        .to_rfc3339();
    let extra = match seq % 3 {
        0 => r#","codes":["BENCH15"]"#.to_string(),
        1 => format!(r#","customer_key":"cust-{}""#, seq % 5_000),
        _ => String::new(),
    };
    format!(
        r#"{{"order_id":"B{seq}","at":"{at}","amount":"{}.90","currency":"USD"{extra},"delivery":{delivery}}}"#,
        20 + seq % 80
    )
}

fn signed_order_request(seq: u64, delivery: u32) -> Vec<u8> {
    let body = order_body(seq, delivery);
    let t = chrono::Utc::now().timestamp();
    let sig = chorus_attribution::signing::sign(BENCH_SECRET.as_bytes(), t, body.as_bytes());
    format!(
        "POST /api/v1/orders HTTP/1.1\r\nHost: bench.local\r\nContent-Type: application/json\r\n\
         Chorus-Org: bench\r\nChorus-Signature: {sig}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub async fn bench_ingest(a: IngestBench) -> anyhow::Result<Value> {
    let work = crate::bench::tempfile_dir()?.join("ingest");
    std::fs::create_dir_all(&work)?;
    let server = Server::start(&work).await?;
    let store = server.db.store.clone();
    store.set_webhook_secret(server.org, BENCH_SECRET).await?;
    let _ = seed_link(&store, server.org).await?;
    let account = store
        .account_by_handle("instagram", "bench_creator")
        .await?
        .map(|a| a.0)
        .unwrap_or_default();
    store
        .create_promo_code(chorus_store::tracking::NewPromoCode {
            org_id: server.org,
            campaign_id: 1,
            account_id: account,
            code: "BENCH15",
            valid_from: None,
            valid_to: None,
            single_use: false,
        })
        .await?;
    chorus_server::track::start(&server.state, &server.data_dir).await?;
    let (addr, conns, orders) = (server.addr, a.concurrency, a.orders);

    let first = tokio::task::spawn_blocking(move || {
        loadgen::run(
            addr,
            conns,
            Stop::Requests(orders),
            Arc::new(|seq| signed_order_request(seq, 1)),
        )
    })
    .await?;
    let again = tokio::task::spawn_blocking(move || {
        loadgen::run(
            addr,
            conns,
            Stop::Requests(orders),
            Arc::new(|seq| signed_order_request(seq, 2)),
        )
    })
    .await?;
    let stored = store.count_orders(server.org).await?;
    let attributed = stored - store.unattributed_order_ids(server.org).await?.len() as i64;
    let db_url = server.db.url.clone();
    let sql_rate = sql_one_per_transaction(&db_url, orders.min(5_000)).await?;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&work);
    let refused = first.responses() - first.count(201) + first.errors;
    if refused > 0 || again.count(200) != orders {
        eprintln!(
            "warning: first delivery {:?} ({} failed), re-delivery {:?}",
            first.statuses, first.errors, again.statuses
        );
    }
    Ok(json!({
        "bench": "ingest",
        "params": {"orders": a.orders, "concurrency": a.concurrency, "seed": a.seed, "json": a.json},
        "figures": {
            "orders_per_s": first.count(201) as f64 / first.seconds,
            "p50_ms": first.quantile_ms(0.50),
            "p99_ms": first.quantile_ms(0.99),
            "redelivered_orders_per_s": again.count(200) as f64 / again.seconds,
            "sql_one_per_tx_orders_per_s": sql_rate,
            "orders_acknowledged": first.count(201),
            "orders_stored": stored,
            "orders_attributed": attributed,
        }
    }))
}

/// Baseline: the same orders as plain INSERTs on the same SQLite file, one
/// durable transaction each (`synchronous=FULL`), one connection.
async fn sql_one_per_transaction(db_url: &str, count: u64) -> anyhow::Result<f64> {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(db_url).await?;
    sqlx::query("PRAGMA synchronous=FULL")
        .execute(&mut conn)
        .await?;
    let org = sqlx::query_scalar::<_, i64>("SELECT id FROM organizations WHERE slug = 'bench'")
        .fetch_one(&mut conn)
        .await?;
    let start = Instant::now();
    for seq in 0..count {
        let body = order_body(seq, 1);
        sqlx::query(
            "INSERT INTO orders (org_id, external_id, at, amount, amount_minor, currency, codes, \
             source, raw, received_at) VALUES (?1, ?2, ?3, '49.90', 4990, 'USD', '[]', 'sql', ?4, ?3) \
             ON CONFLICT (org_id, external_id) DO UPDATE SET deliveries = orders.deliveries + 1",
        )
        .bind(org)
        .bind(format!("SQL{seq}"))
        .bind(chorus_store::now_us())
        .bind(&body)
        .execute(&mut conn)
        .await?;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}
