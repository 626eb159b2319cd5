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
    /// Creator search at scale beside the same queries as SQL on SQLite and PostgreSQL.
    Search(SearchBench),
    /// Re-attribute many orders against many clicks.
    Attribute(AttributeBench),
    /// A payout run over many commission lines beside the same aggregation in SQL.
    Settle(SettleBench),
    /// Caption checks per second against a full brief, on one core.
    Review(ReviewBench),
    /// Qualify a 40-creator shortlist end to end, and creators per second at scale.
    Qualify(QualifyBench),
    /// `/r/{code}` under 64 connections with click logging, beside nginx `return 302`.
    Redirect(crate::bench_track::RedirectBench),
    /// Signed, durable, idempotent order ingestion over HTTP on SQLite.
    Ingest(crate::bench_track::IngestBench),
    /// Contracts for many creators in one batch (render, hash, PDF, queue
    /// emails) beside the same work one creator per call.
    Contracts(ContractsBench),
}

#[derive(Args)]
pub struct QualifyBench {
    /// Creators in the shortlist qualified end to end through the store.
    #[arg(long, default_value_t = 40)]
    pub shortlist: usize,
    /// Follower-sample profiles per creator.
    #[arg(long, default_value_t = 1000)]
    pub sample: usize,
    /// Months of weekly posts per creator (all scanned for brand safety).
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// Creators for the throughput figure.
    #[arg(long, default_value_t = 10_000)]
    pub creators: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ContractsBench {
    #[arg(long, default_value_t = 400)]
    pub creators: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SearchBench {
    #[arg(long, default_value_t = 1_000_000)]
    pub creators: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, env = "CHORUS_BENCH_POSTGRES_URL")]
    pub postgres_url: Option<String>,
    /// Skip the SQLite and PostgreSQL baselines (their figures are null):
    /// loading 10M rows into both takes far longer than the index.
    #[arg(long)]
    pub skip_sql: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AttributeBench {
    #[arg(long, default_value_t = 1_000_000)]
    pub orders: usize,
    #[arg(long, default_value_t = 10_000_000)]
    pub clicks: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SettleBench {
    #[arg(long, default_value_t = 10_000)]
    pub creators: usize,
    #[arg(long, default_value_t = 1_000_000)]
    pub lines: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReviewBench {
    #[arg(long, default_value_t = 10_000)]
    pub captions: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
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
        BenchCmd::Search(a) => {
            let work = tempfile_dir()?;
            let baselines = if a.skip_sql {
                chorus_search::bench::Baselines::None
            } else {
                chorus_search::bench::Baselines::Sql {
                    postgres_url: a.postgres_url.as_deref(),
                }
            };
            let mut v =
                chorus_search::bench::bench_search(a.creators, a.seed, baselines, &work).await;
            let _ = std::fs::remove_dir_all(&work);
            v["params"]["json"] = a.json.into();
            v
        }
        BenchCmd::Attribute(a) => {
            let input = chorus_attribution::simulate::bench_input(a.orders, a.clicks, a.seed);
            let start = Instant::now();
            let out = chorus_attribution::engine::attribute(&input);
            let secs = start.elapsed().as_secs_f64();
            json!({
                "bench": "attribute",
                "params": {"seed": a.seed, "json": a.json},
                "figures": {"orders": out.attributions.len(), "clicks": input.clicks.len(), "seconds": secs, "peak_rss_mb": peak_rss_mb()}
            })
        }
        BenchCmd::Settle(a) => {
            let (run_s, lines) =
                chorus_settlement::payout::bench_payout_run(a.creators, a.lines, a.seed);
            let sql_run_s = settle_sql_baseline(a.creators, a.lines, a.seed).await?;
            json!({
                "bench": "settle",
                "params": {"creators": a.creators, "seed": a.seed, "json": a.json},
                "figures": {"run_s": run_s, "sql_run_s": sql_run_s, "lines": lines}
            })
        }
        BenchCmd::Review(a) => bench_review(a),
        BenchCmd::Qualify(a) => bench_qualify(a).await?,
        BenchCmd::Redirect(a) => crate::bench_track::bench_redirect(a).await?,
        BenchCmd::Ingest(a) => crate::bench_track::bench_ingest(a).await?,
        BenchCmd::Contracts(a) => bench_contracts(a).await?,
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
            let db = chorus_store::testing::TestDb::postgres_at(url).await?;
            let r = import_into(&db.store, a.creators, a.seed).await?;
            db.cleanup().await;
            Some(r)
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

pub(crate) fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("chorus-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// The same payout run as SQL on an in-memory SQLite database: sum the due,
/// unpaid lines per creator and currency, keep the groups at or above the
/// minimum, and mark their lines paid. Only the SQL is timed.
async fn settle_sql_baseline(creators: usize, lines: usize, seed: u64) -> anyhow::Result<f64> {
    use chrono::TimeZone;
    use sqlx::Connection;
    let as_of = chrono::Utc
        .with_ymd_and_hms(2026, 4, 30, 23, 59, 59)
        .single()
        .unwrap_or_default();
    let book = chorus_settlement::payout::synthetic_lines(creators, lines, seed, as_of);
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
    sqlx::query(
        "CREATE TABLE lines (id INTEGER PRIMARY KEY, creator INTEGER NOT NULL, currency TEXT NOT NULL, \
         amount INTEGER NOT NULL, payable_at INTEGER, paid_in INTEGER)",
    )
    .execute(&mut conn)
    .await?;
    let mut tx = conn.begin().await?;
    for chunk in book.chunks(5000) {
        let mut q =
            String::from("INSERT INTO lines (creator, currency, amount, payable_at) VALUES ");
        for (i, l) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(',');
            }
            let at = l
                .payable_at
                .map_or("NULL".to_string(), |t| t.timestamp().to_string());
            q.push_str(&format!(
                "({}, '{}', {}, {})",
                l.creator,
                l.currency.code(),
                l.amount,
                at
            ));
        }
        sqlx::query(&q).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("CREATE INDEX lines_due ON lines (paid_in, payable_at, creator, currency)")
        .execute(&mut conn)
        .await?;
    let cutoff = as_of.timestamp();
    let start = Instant::now();
    let mut tx = conn.begin().await?;
    sqlx::query(
        "CREATE TEMP TABLE pay AS SELECT creator, currency, SUM(amount) AS total FROM lines \
         WHERE paid_in IS NULL AND payable_at <= ?1 GROUP BY creator, currency \
         HAVING SUM(amount) > 0 AND SUM(amount) >= CASE currency WHEN 'JPY' THEN 50 ELSE 5000 END",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE lines SET paid_in = 0 WHERE paid_in IS NULL AND payable_at <= ?1 \
         AND EXISTS (SELECT 1 FROM pay p WHERE p.creator = lines.creator AND p.currency = lines.currency)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(start.elapsed().as_secs_f64())
}

/// Captions from generated posts, checked against a full brief on one core.
fn bench_review(a: ReviewBench) -> Value {
    let brief = chorus_review::parse_brief(
        r##"{"required_hashtags": ["#ad"], "required_mentions": ["@brand"], "promo_code": "SPRING15",
            "tracking_link": "https://go.example.com/spring", "key_message": "light and comfortable all day",
            "talking_points": ["recycled materials", "made to last"], "prohibited": ["guaranteed", "cure", "clinically proven"],
            "competitors": ["Acme", "@rivalbrand"], "due": "2026-12-01T00:00:00Z"}"##,
    )
    .expect("the bench brief parses");
    let compiled = chorus_review::compile(&brief);
    let mut g = chorus_generate::Generator::new(a.seed, chorus_generate::GenOptions::default());
    let mut captions = Vec::with_capacity(a.captions);
    let mut i = 0;
    while captions.len() < a.captions {
        let (rec, _) = g.creator(i);
        captions.extend(rec.posts.into_iter().map(|p| p.caption));
        i += 1;
    }
    captions.truncate(a.captions);
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc));
    let start = Instant::now();
    let mut failed = 0usize;
    for c in &captions {
        failed += usize::from(!compiled.check(c, at).passed());
    }
    let secs = start.elapsed().as_secs_f64();
    json!({
        "bench": "review",
        "params": {"captions": a.captions, "seed": a.seed, "json": a.json},
        "figures": {"checks_per_s": captions.len() as f64 / secs, "failed_verdicts": failed}
    })
}

fn qualify_gen_options(a: &QualifyBench) -> chorus_generate::GenOptions {
    chorus_generate::GenOptions {
        follower_sample_size: a.sample,
        post_months: Some(a.months),
        ..Default::default()
    }
}

/// Qualify a shortlist end to end as the server's batch action does (read
/// each account from SQLite, classify its follower sample, score, scan its
/// posts, store the reports in one transaction); returns seconds.
async fn qualify_shortlist_once(
    store: &chorus_store::Store,
    org: chorus_core::OrgId,
    ids: &[chorus_core::AccountId],
    now: chrono::DateTime<chrono::Utc>,
    per_profile: bool,
) -> anyhow::Result<f64> {
    let opts = chorus_server::qualify::QualifyOptions::default();
    let start = Instant::now();
    let done =
        chorus_server::qualify::qualify_accounts_with(store, org, ids, &opts, now, per_profile)
            .await?;
    anyhow::ensure!(
        done.len() == ids.len(),
        "every shortlisted creator is qualified"
    );
    Ok(start.elapsed().as_secs_f64())
}

/// Classify, score, scan and serialize the report of every record, spread
/// over `threads`; returns seconds.
fn qualify_in_memory(
    records: &[chorus_core::CreatorRecord],
    ctx: &chorus_qualify::ScoreContext,
    now: chrono::DateTime<chrono::Utc>,
    threads: usize,
) -> f64 {
    let safety = chorus_qualify::SafetyOptions::default();
    let start = Instant::now();
    let per = records.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for chunk in records.chunks(per) {
            let safety = &safety;
            s.spawn(move || {
                for r in chunk {
                    let input = chorus_qualify::AccountInput::from_record(r);
                    let report = chorus_qualify::score_account(&input, ctx);
                    let findings = chorus_qualify::scan_posts(&r.posts, now, safety);
                    let stored = (
                        serde_json::to_string(&report).expect("a report serializes"),
                        serde_json::to_string(&findings).expect("findings serialize"),
                    );
                    std::hint::black_box(stored);
                }
            });
        }
    });
    start.elapsed().as_secs_f64()
}

/// `shortlist_40_s`: the shortlist end to end through SQLite (the server's
/// batch qualify); `creators_per_s`: classify + score + scan + serialize of
/// `creators` generated creators of the same shape on all cores (generation
/// untimed, in chunks so memory stays flat). The baseline in the same run is
/// the same work with the per-profile classifier (one feature allocation and
/// one pass over all trees per follower) instead of the batch classifier.
async fn bench_qualify(a: QualifyBench) -> anyhow::Result<Value> {
    let opts = qualify_gen_options(&a);
    let now = opts.now;
    let mut g = chorus_generate::Generator::new(a.seed, opts);
    let db = chorus_store::testing::TestDb::sqlite().await?;
    let org = db.store.create_org("bench", "Bench").await?.id;
    let shortlist: Vec<_> = (0..a.shortlist as u64).map(|i| g.creator(i).0).collect();
    db.store.upsert_creators(&shortlist).await?;
    // A realistic store around the shortlist, so the engagement bands are learned.
    let mut others = chorus_generate::Generator::new(a.seed + 1, Default::default());
    let population: Vec<_> = (0..1000).map(|i| others.creator(i).0).collect();
    db.store.upsert_creators(&population).await?;
    let mut ids = Vec::with_capacity(shortlist.len());
    for r in &shortlist {
        let id = db
            .store
            .account_by_handle(r.platform.as_str(), &r.handle)
            .await?
            .ok_or_else(|| anyhow::anyhow!("imported creator {} not found", r.handle))?;
        ids.push(id);
    }
    let shortlist_s = qualify_shortlist_once(&db.store, org, &ids, now, false).await?;
    let per_profile_shortlist_s = qualify_shortlist_once(&db.store, org, &ids, now, true).await?;
    db.cleanup().await;

    let bands = chorus_qualify::learn_er_bands(population.iter().filter_map(|r| {
        chorus_core::engagement_rate(r.followers, &r.posts).map(|er| (r.followers, er))
    }));
    let batch_ctx = chorus_qualify::ScoreContext::new(bands);
    let mut per_profile_ctx = batch_ctx.clone();
    per_profile_ctx.per_profile_classifier = true;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (mut batch_s, mut per_profile_s) = (0.0, 0.0);
    let mut chunk = Vec::with_capacity(200);
    let mut i = a.shortlist as u64;
    let end = i + a.creators as u64;
    while i < end {
        chunk.clear();
        while chunk.len() < 200 && i < end {
            chunk.push(g.creator(i).0);
            i += 1;
        }
        batch_s += qualify_in_memory(&chunk, &batch_ctx, now, threads);
        per_profile_s += qualify_in_memory(&chunk, &per_profile_ctx, now, threads);
    }
    let posts_per_creator = shortlist.iter().map(|r| r.posts.len()).sum::<usize>() as f64
        / shortlist.len().max(1) as f64;
    Ok(json!({
        "bench": "qualify",
        "params": {"shortlist": a.shortlist, "sample": a.sample, "months": a.months, "creators": a.creators,
                   "seed": a.seed, "threads": threads, "json": a.json},
        "figures": {
            "shortlist_40_s": shortlist_s,
            "per_profile_shortlist_40_s": per_profile_shortlist_s,
            "creators_per_s": a.creators as f64 / batch_s,
            "per_profile_creators_per_s": a.creators as f64 / per_profile_s,
            "posts_per_creator": posts_per_creator,
            "peak_rss_mb": peak_rss_mb(),
        }
    }))
}

/// The batch send of `chorus bench contracts`, on a fresh SQLite database,
/// with the one-creator-per-call baseline from the same run.
async fn bench_contracts(a: ContractsBench) -> anyhow::Result<Value> {
    let db = chorus_store::testing::TestDb::sqlite().await?;
    let f = chorus_server::campaigns::bench::bench_contracts(&db.store, a.creators).await;
    db.cleanup().await;
    let f = f?;
    Ok(json!({
        "bench": "contracts",
        "params": {"creators": a.creators, "json": a.json},
        "figures": {
            // The key names the issue's 400; with --creators N it is N creators.
            "batch_400_s": f.batch_s,
            "per_creator_baseline_s": f.per_creator_s,
            "contracts": f.contracts,
            "emails_queued": f.emails,
            "pdf_mb": f.pdf_bytes as f64 / 1_048_576.0,
            "peak_rss_mb": peak_rss_mb(),
        }
    }))
}
