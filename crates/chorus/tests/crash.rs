//! Crash test: SIGKILL the server in the middle of a flood of signed order
//! webhooks, restart it, and check that every order it acknowledged is
//! stored exactly once.

use chorus_attribution::signing;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "whsec_crash_test";

fn chorus(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chorus"));
    c.arg("--data-dir").arg(data_dir).env("CHORUS_LOG", "warn");
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(data_dir: &Path, port: u16) -> Child {
    let mut child = chorus(data_dir)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chorus serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok((200, _)) = request(port, "GET", "/healthz", &[], b"") {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not come up");
}

/// A minimal HTTP/1.1 client: status and body.
fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    Ok((status, body))
}

fn post_order(port: u16, id: u64) -> std::io::Result<u16> {
    let body = serde_json::json!({
        "order_id": format!("crash-{id}"), "at": "2026-03-20T18:00:00Z",
        "amount": "19.99", "currency": "USD", "customer_key": format!("c-{}", id % 50)
    })
    .to_string();
    // Nanosecond-distinct timestamps are not possible (t is in seconds), so
    // each body differs and so does each signature.
    let t = chrono::Utc::now().timestamp();
    let sig = signing::sign(SECRET.as_bytes(), t, body.as_bytes());
    let headers = [
        ("Chorus-Org", "acme".to_string()),
        ("Chorus-Signature", sig),
        ("Content-Type", "application/json".to_string()),
    ];
    request(port, "POST", "/api/v1/orders", &headers, body.as_bytes()).map(|r| r.0)
}

#[test]
fn every_acknowledged_order_survives_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = chorus(dir.path())
        .args(["org", "create", "Acme", "--slug", "acme"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = chorus_store::Store::open(&chorus_store::sqlite_url_for(dir.path()))
            .await
            .unwrap();
        let org = store.org_by_slug("acme").await.unwrap().unwrap();
        store.set_webhook_secret(org.id, SECRET).await.unwrap();
        store.close().await;
    });

    let port = free_port();
    let mut server = serve(dir.path(), port);
    let acked = Arc::new(Mutex::new(Vec::<u64>::new()));
    let next = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (acked, next, stop) = (acked.clone(), next.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    match post_order(port, id) {
                        Ok(s) if (200..300).contains(&s) => acked.lock().unwrap().push(id),
                        Ok(_) => {}
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        })
        .collect();
    // Kill in the middle of the flood, once a good number is acknowledged.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.lock().unwrap().len() < 300 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill().unwrap(); // SIGKILL on Unix
    server.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 300,
        "only {} orders acknowledged",
        acked.len()
    );

    let mut server = serve(dir.path(), port);
    // Re-delivering every acknowledged order must find it already stored.
    for id in &acked {
        assert_eq!(
            post_order(port, *id).unwrap(),
            200,
            "order crash-{id} was acknowledged but lost"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
    rt.block_on(async {
        let store = chorus_store::Store::open(&chorus_store::sqlite_url_for(dir.path()))
            .await
            .unwrap();
        let org = store.org_by_slug("acme").await.unwrap().unwrap();
        let orders = store.list_orders(org.id, None).await.unwrap();
        let mut seen = std::collections::HashMap::new();
        for o in &orders {
            *seen.entry(o.external_id.clone()).or_insert(0) += 1;
        }
        for id in &acked {
            assert_eq!(seen.get(&format!("crash-{id}")), Some(&1), "crash-{id}");
        }
        assert!(seen.values().all(|n| *n == 1));
        // Every stored order ends up attributed (pending ones at start-up
        // once the server calls track::start).
        store.close().await;
    });
}
