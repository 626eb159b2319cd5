//! `chorus bench search`: build the index from generated creators, run a
//! fixed seeded mix of 200 realistic queries, and run the same queries as
//! SQL on SQLite (FTS5) and PostgreSQL (GIN tsvector) in the same process,
//! so every figure sits beside its baseline. Figures are measured, never
//! asserted.

mod mix;
mod sql;

use crate::{SearchDoc, SearchIndex};
use chorus_core::CreatorRecord;
use chorus_generate::{GenOptions, Generator};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

/// Creators per commit: large enough that commits (and the segments each
/// leaves) are few, small enough that a batch of records stays ~250 MB.
const BATCH: usize = 50_000;
/// Indexing memory of the build: room for a whole batch per writer thread,
/// so each commit leaves one segment per thread.
const WRITER_MEMORY: usize = 512 << 20;
pub const QUERIES: usize = 200;

/// The benchmark's seeded query mix (for profiling outside the bench).
pub fn mix_queries(seed: u64, n: usize) -> Vec<crate::SearchQuery> {
    mix::queries(seed, n)
}

/// Which SQL baselines run beside the index.
#[derive(Debug, Clone, Copy)]
pub enum Baselines<'a> {
    /// None: their figures are null (`--skip-sql`).
    None,
    /// SQLite always; PostgreSQL when a server URL is given.
    Sql { postgres_url: Option<&'a str> },
}

/// Run the benchmark; errors become an `"error"` entry rather than a panic,
/// so the CLI can still print what was measured.
pub async fn bench_search(
    creators: usize,
    seed: u64,
    baselines: Baselines<'_>,
    work_dir: &Path,
) -> Value {
    let mut figures = serde_json::Map::new();
    let err = run(creators, seed, baselines, work_dir, &mut figures)
        .await
        .err();
    for k in FIGURE_KEYS {
        figures.entry(k.to_owned()).or_insert(Value::Null);
    }
    let sql = matches!(baselines, Baselines::Sql { .. });
    let mut v = json!({
        "bench": "search",
        "params": {"creators": creators, "seed": seed, "sql_baselines": sql},
        "figures": figures,
    });
    if let Some(e) = err {
        v["error"] = json!(e);
    }
    v
}

const FIGURE_KEYS: [&str; 10] = [
    "build_creators_per_s",
    "index_mb",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "peak_rss_mb",
    "sqlite_p50_ms",
    "sqlite_p95_ms",
    "postgres_p50_ms",
    "postgres_p95_ms",
];

type Figures = serde_json::Map<String, Value>;

async fn run(
    n: usize,
    seed: u64,
    baselines: Baselines<'_>,
    work: &Path,
    fig: &mut Figures,
) -> Result<(), String> {
    let dir = work.join("search-index");
    let _ = std::fs::remove_dir_all(&dir);
    let cpu0 = cpu_seconds();
    let (ix, gen_s, build_s) = build(n, seed, &dir).map_err(|e| e.to_string())?;
    // CPU of generating + indexing: on a shared machine, wall-clock rates
    // say as much about the neighbours as about the code.
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| round(b - a));
    fig.insert("build_cpu_s".into(), json!(cpu));
    fig.insert("build_wall_s".into(), json!(round(gen_s + build_s)));
    fig.insert(
        "build_creators_per_s".into(),
        json!(round(n as f64 / build_s)),
    );
    fig.insert("generate_s".into(), json!(round(gen_s)));
    fig.insert(
        "index_mb".into(),
        json!(round(dir_bytes(&dir) as f64 / 1e6)),
    );
    fig.insert("segments".into(), json!(ix.num_segments()));
    let queries = mix::queries(seed, QUERIES);
    let now = GenOptions::default().now;
    let mut lat = Vec::new();
    let mut hits = 0u64;
    for q in queries.iter().take(20) {
        ix.search(q, now).map_err(|e| e.to_string())?;
    }
    for q in &queries {
        let t = Instant::now();
        let r = ix.search(q, now).map_err(|e| e.to_string())?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        hits += r.total;
    }
    fig.insert("mean_total_hits".into(), json!(hits / queries.len() as u64));
    put_percentiles(fig, "", &mut lat, true);
    fig.insert("peak_rss_mb".into(), json!(peak_rss_mb()));
    let queries: Vec<_> = queries
        .iter()
        .map(|q| crate::SearchQuery {
            q: q.q.as_deref().map(|t| ix.effective_text(t)),
            ..q.clone()
        })
        .collect();
    drop(ix);
    let Baselines::Sql { postgres_url: pg } = baselines else {
        return Ok(());
    };
    let lat = sql::sqlite(n, seed, work, &queries).await?;
    put_percentiles(fig, "sqlite_", &mut lat.clone(), false);
    if let Some(url) = pg {
        let lat = sql::postgres(n, seed, url, &queries).await?;
        put_percentiles(fig, "postgres_", &mut lat.clone(), false);
    }
    Ok(())
}

/// Build an on-disk index from generated creators; returns (index, seconds
/// generating, seconds building). Creators are generated `BATCH` at a time
/// with the clock stopped — they stand for creators already in memory. The
/// build clock then runs, per batch, from those records to a committed,
/// searchable index: flattening each record into its [`SearchDoc`],
/// building the tantivy document (incl. lookalike keywords), tokenizing and
/// indexing on every core, the commit, and the segment merges that commit
/// started. Nothing of the index's work is left running while the clock is
/// stopped, so the rate is not flattered by overlap with generation.
fn build(n: usize, seed: u64, dir: &Path) -> Result<(SearchIndex, f64, f64), crate::SearchError> {
    let mut ix = SearchIndex::open_or_create(dir)?;
    ix.set_writer_memory(WRITER_MEMORY);
    let mut g = Generator::new(seed, GenOptions::default());
    let (mut gen_s, mut build_s) = (0.0, 0.0);
    let mut batch: Vec<(i64, CreatorRecord)> = Vec::new();
    let mut i = 0;
    while i < n {
        let t = Instant::now();
        let m = BATCH.min(n - i);
        batch.resize_with(m, || (0, chorus_generate::empty_record()));
        for (j, (id, rec)) in batch.iter_mut().enumerate() {
            *id = (i + j) as i64;
            g.fill(*id as u64, rec);
        }
        gen_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut w = ix.writer()?;
        // The index starts empty and ids are new: no upsert lookups.
        w.append_all(&batch, |(id, rec)| SearchDoc::from_record(*id, rec))?;
        w.commit()?;
        ix.finish_merges()?;
        build_s += t.elapsed().as_secs_f64();
        i += m;
    }
    Ok((ix, gen_s, build_s))
}

fn put_percentiles(fig: &mut Figures, prefix: &str, lat: &mut [f64], p99: bool) {
    lat.sort_by(f64::total_cmp);
    let p = |q: f64| {
        lat.get(((lat.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .copied()
    };
    fig.insert(format!("{prefix}p50_ms"), json!(p(0.50).map(round)));
    fig.insert(format!("{prefix}p95_ms"), json!(p(0.95).map(round)));
    if p99 {
        fig.insert(format!("{prefix}p99_ms"), json!(p(0.99).map(round)));
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident set of this process so far (VmHWM), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(round(kb / 1024.0))
}

/// The figures as a readable table, with the targets beside them.
pub fn render_table(v: &Value) -> String {
    let f = &v["figures"];
    let num = |k: &str| f[k].as_f64();
    let show = |k: &str| num(k).map_or("—".to_string(), |x| format!("{x}"));
    let mut out = format!(
        "bench search: {} creators, seed {}\n",
        v["params"]["creators"], v["params"]["seed"]
    );
    let ratio = match (num("postgres_p95_ms"), num("p95_ms")) {
        (Some(pg), Some(us)) if us > 0.0 => format!("{:.1}× faster than PostgreSQL", pg / us),
        _ => String::new(),
    };
    let rows: [(&str, &str, &str, String); 10] = [
        (
            "index build",
            "build_creators_per_s",
            "creators/s",
            "≥ 50000".into(),
        ),
        ("index size", "index_mb", "MB", String::new()),
        ("latency p50", "p50_ms", "ms", String::new()),
        (
            "latency p95",
            "p95_ms",
            "ms",
            format!("≤ 30 at 1M; ≥ 10× PostgreSQL {ratio}"),
        ),
        ("latency p99", "p99_ms", "ms", String::new()),
        ("peak memory", "peak_rss_mb", "MB", "≤ 2048".into()),
        ("SQLite p50", "sqlite_p50_ms", "ms", String::new()),
        ("SQLite p95", "sqlite_p95_ms", "ms", String::new()),
        ("PostgreSQL p50", "postgres_p50_ms", "ms", String::new()),
        ("PostgreSQL p95", "postgres_p95_ms", "ms", String::new()),
    ];
    for (label, key, unit, target) in rows {
        out.push_str(&format!(
            "  {label:<16} {:>12} {unit:<11} {target}\n",
            show(key)
        ));
    }
    if let Some(e) = v.get("error") {
        out.push_str(&format!("  error: {e}\n"));
    }
    out
}
