//! `chorus bench NAME`: readable tables, or with `--json` one object
//! `{"bench", "params", "figures"}` with the baseline measured in the same run.

use crate::cmd::Ctx;
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Generation rate and import rate into SQLite and PostgreSQL.
    Import(ImportBench),
    /// Plan a wave of creators out of many candidates under a budget.
    Plan(PlanBench),
}

#[derive(Args)]
pub struct PlanBench {
    #[arg(long, default_value_t = 100_000)]
    pub candidates: usize,
    #[arg(long, default_value_t = 40)]
    pub choose: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ImportBench {
    #[arg(long, default_value_t = 100_000)]
    pub creators: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// PostgreSQL server for the PostgreSQL figure (a fresh database is created and dropped).
    #[arg(long, env = "CHORUS_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(_ctx: &Ctx, c: BenchCmd) -> anyhow::Result<ExitCode> {
    let out = match c {
        BenchCmd::Import(a) => bench_import(a).await?,
        BenchCmd::Plan(a) => {
            let (chosen, secs) =
                chorus_portfolio::bench::bench_plan(a.candidates, a.choose, a.seed);
            json!({
                "bench": "plan",
                "params": {"candidates": a.candidates, "choose": a.choose, "seed": a.seed, "json": a.json},
                "figures": {"candidates": a.candidates, "chosen": chosen, "plan_s": secs, "peak_rss_mb": peak_rss_mb()}
            })
        }
    };
    print_bench(&out);
    Ok(ExitCode::SUCCESS)
}

fn print_bench(v: &Value) {
    let json_mode = v["params"]["json"].as_bool().unwrap_or(false);
    let mut clean = v.clone();
    if let Some(p) = clean["params"].as_object_mut() {
        p.remove("json");
    }
    if json_mode {
        println!("{clean}");
        return;
    }
    println!("bench {}", clean["bench"].as_str().unwrap_or("?"));
    if let Some(p) = clean["params"].as_object() {
        for (k, v) in p {
            println!("  {k:<28} {v}");
        }
    }
    println!("  {:-<40}", "");
    if let Some(f) = clean["figures"].as_object() {
        for (k, v) in f {
            let shown = v
                .as_f64()
                .map_or_else(|| v.to_string(), |x| format!("{x:.2}"));
            println!("  {k:<28} {shown:>12}");
        }
    }
}

/// Peak resident set size of this process, from /proc (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

async fn import_into(store: &chorus_store::Store, count: u64, seed: u64) -> anyhow::Result<f64> {
    let mut g = chorus_generate::Generator::new(seed, chorus_generate::GenOptions::default());
    let mut batch = Vec::with_capacity(1000);
    let mut spent = 0.0;
    for i in 0..count {
        batch.push(g.creator(i).0);
        if batch.len() == 1000 || i + 1 == count {
            // Only the store's work is timed: generation has its own figure.
            let t = Instant::now();
            store.upsert_creators(&batch).await?;
            spent += t.elapsed().as_secs_f64();
            batch.clear();
        }
    }
    Ok(count as f64 / spent)
}

async fn bench_import(a: ImportBench) -> anyhow::Result<Value> {
    let (stats, secs) = chorus_generate::bench_generate(a.creators, a.seed);
    let generate_rate = stats.records as f64 / secs;

    let sqlite = chorus_store::testing::TestDb::sqlite().await?;
    let sqlite_rate = import_into(&sqlite.store, a.creators, a.seed).await?;
    sqlite.cleanup().await;

    let postgres_rate = match &a.postgres_url {
        Some(url) => {
            std::env::set_var("CHORUS_TEST_POSTGRES_URL", url);
            match chorus_store::testing::TestDb::postgres().await? {
                Some(db) => {
                    let r = import_into(&db.store, a.creators, a.seed).await?;
                    db.cleanup().await;
                    Some(r)
                }
                None => None,
            }
        }
        None => None,
    };
    Ok(json!({
        "bench": "import",
        "params": {"creators": a.creators, "seed": a.seed, "json": a.json},
        "figures": {
            "generate_creators_per_s": generate_rate,
            "sqlite_creators_per_s": sqlite_rate,
            "postgres_creators_per_s": postgres_rate,
            "peak_rss_mb": peak_rss_mb(),
        }
    }))
}
