//! `chorus index rebuild` and `chorus search`: the creator index derived from
//! the store, queried from the command line.

use super::{progress_bar, Ctx};
use anyhow::Context;
use chorus_core::AccountId;
use chorus_search::{SearchDoc, SearchIndex, SearchQuery};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum IndexCmd {
    /// Rebuild the search index from the store.
    Rebuild {
        #[arg(long)]
        json: bool,
    },
}

/// `DATA_DIR/index`, or `CHORUS_INDEX_DIR`: where the server keeps it too.
fn index_dir(ctx: &Ctx) -> PathBuf {
    chorus_server::discover::index_dir(&ctx.data_dir)
}

pub async fn index(ctx: &Ctx, c: IndexCmd) -> anyhow::Result<ExitCode> {
    let IndexCmd::Rebuild { json } = c;
    let store = ctx.open().await?;
    let total = store.count_accounts().await?;
    let dir = index_dir(ctx);
    // A rebuild starts from nothing: the store is the system of record.
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;
    let idx = SearchIndex::open_or_create(&dir)?;
    let pb = progress_bar(total.max(0) as u64, "creators indexed");
    let start = std::time::Instant::now();
    let mut after = AccountId(0);
    let mut n = 0u64;
    // The newest change indexed: a server starts its indexer from here.
    let mut watermark = (i64::MIN, 0);
    // One batch for the whole rebuild, committed once: the index starts
    // empty, so documents are appended without looking up older ones, and
    // converted on every core while tantivy indexes them.
    let mut batch_writer = idx.writer()?;
    loop {
        let batch = store.account_records(after, 5000).await?;
        let Some(last) = batch.last() else { break };
        after = last.0;
        for (id, at, _) in &batch {
            watermark = watermark.max((*at, id.0));
        }
        batch_writer.append_all(&batch, |(id, _, r)| SearchDoc::from_record(id.0, r))?;
        n += batch.len() as u64;
        pb.set_position(n);
    }
    batch_writer.commit()?;
    idx.finish_merges()?;
    if n > 0 {
        chorus_server::discover::save_watermark(&dir, watermark.0, watermark.1)?;
    }
    pb.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    if json {
        println!(
            "{}",
            serde_json::json!({"indexed": n, "seconds": secs, "dir": dir})
        );
    } else {
        println!("indexed {n} creators in {secs:.1} s into {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct SearchArgs {
    /// Free text over bio, captions and hashtags; "quoted phrases" and #hashtags work.
    #[arg(long)]
    pub query: Option<String>,
    #[arg(long = "platform")]
    pub platforms: Vec<String>,
    #[arg(long)]
    pub followers_min: Option<u64>,
    #[arg(long)]
    pub followers_max: Option<u64>,
    /// Engagement rate as a fraction (0.04 = 4%).
    #[arg(long)]
    pub er_min: Option<f64>,
    #[arg(long)]
    pub er_max: Option<f64>,
    #[arg(long = "country")]
    pub countries: Vec<String>,
    #[arg(long = "niche")]
    pub niches: Vec<String>,
    #[arg(long)]
    pub has_email: bool,
    /// relevance, followers, er, audience_fit or best_fit.
    #[arg(long)]
    pub sort: Option<String>,
    /// More filters as a JSON object in the API's query format, e.g.
    /// '{"audience_countries":["US"],"audience_country_min":0.4}'.
    #[arg(long = "where")]
    pub filters: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long)]
    pub json: bool,
}

fn build_query(a: &SearchArgs) -> anyhow::Result<SearchQuery> {
    let mut v = match &a.filters {
        Some(f) => {
            serde_json::from_str::<serde_json::Value>(f).context("--where is not a JSON object")?
        }
        None => serde_json::json!({}),
    };
    let obj = v.as_object_mut().context("--where must be a JSON object")?;
    let mut set = |k: &str, val: serde_json::Value| {
        if !val.is_null() {
            obj.insert(k.to_string(), val);
        }
    };
    set("q", serde_json::json!(a.query));
    if !a.platforms.is_empty() {
        set("platforms", serde_json::json!(a.platforms));
    }
    set("followers_min", serde_json::json!(a.followers_min));
    set("followers_max", serde_json::json!(a.followers_max));
    set("er_min", serde_json::json!(a.er_min));
    set("er_max", serde_json::json!(a.er_max));
    if !a.countries.is_empty() {
        set("countries", serde_json::json!(a.countries));
    }
    if !a.niches.is_empty() {
        set("niches", serde_json::json!(a.niches));
    }
    if a.has_email {
        set("has_email", serde_json::json!(true));
    }
    set("sort", serde_json::json!(a.sort));
    set("limit", serde_json::json!(a.limit));
    set("offset", serde_json::json!(a.offset));
    serde_json::from_value(v).context("search filters")
}

pub fn search(ctx: &Ctx, a: SearchArgs) -> anyhow::Result<ExitCode> {
    let dir = index_dir(ctx);
    if !dir.join("meta.json").exists() {
        anyhow::bail!(
            "no search index in {}; run `chorus index rebuild` first",
            dir.display()
        );
    }
    let idx = SearchIndex::open_or_create(&dir)?;
    let q = build_query(&a)?;
    let res = idx.search(&q, chrono::Utc::now())?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&res)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} creators match", res.total);
    for h in &res.results {
        let er =
            h.er.map_or("–".to_string(), |e| format!("{:.2}%", e * 100.0));
        println!(
            "{:>8.3}  {:<10} @{:<28} {:>10} followers  ER {:>6}  {}",
            h.score,
            h.platform,
            h.handle,
            h.followers,
            er,
            h.why.matched_terms.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
