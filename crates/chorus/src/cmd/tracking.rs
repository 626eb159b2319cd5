//! Commands over stored orders: CSV import and re-attribution.

use super::{org_id, Ctx};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ImportOrdersArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub json: bool,
}

pub async fn import_orders(
    ctx: &Ctx,
    a: ImportOrdersArgs,
    refunds: bool,
) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    let org = org_id(&store, &a.org).await?;
    let f =
        std::fs::File::open(&a.file).with_context(|| format!("opening {}", a.file.display()))?;
    let s = if refunds {
        chorus_server::track::import_refunds_csv(&store, org, f).await?
    } else {
        chorus_server::track::import_orders_csv(&store, org, f).await?
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        for e in &s.errors {
            eprintln!("{}:{}: {}: {}", a.file.display(), e.line, e.field, e.reason);
        }
        println!(
            "{} rows: {} new, {} already stored, {} rejected",
            s.rows, s.created, s.duplicates, s.failed
        );
    }
    Ok(if s.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Args)]
pub struct ImportCodesArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub org: String,
    /// The campaign whose members the codes belong to.
    #[arg(long)]
    pub campaign: i64,
    #[arg(long)]
    pub json: bool,
}

pub async fn import_codes(ctx: &Ctx, a: ImportCodesArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    let org = org_id(&store, &a.org).await?;
    let f =
        std::fs::File::open(&a.file).with_context(|| format!("opening {}", a.file.display()))?;
    let s = chorus_server::track::codes::import_codes_csv(&store, org, a.campaign, f)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        for e in &s.errors {
            eprintln!("{}:{}: {}: {}", a.file.display(), e.line, e.field, e.reason);
        }
        println!(
            "{} rows: {} codes stored, {} rejected",
            s.rows, s.created, s.failed
        );
    }
    Ok(if s.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Args)]
pub struct RerunArgs {
    #[arg(long)]
    pub org: String,
    /// Only orders credited to this campaign (before or after the re-run).
    #[arg(long, conflicts_with = "all")]
    pub campaign: Option<i64>,
    /// Every order of the organization.
    #[arg(long)]
    pub all: bool,
    /// Only orders at or after this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn parse_since(s: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("--since {s:?}: use YYYY-MM-DD or RFC 3339"))?;
    Ok(d.and_hms_opt(0, 0, 0).context("valid midnight")?.and_utc())
}

pub async fn rerun(ctx: &Ctx, a: RerunArgs) -> anyhow::Result<ExitCode> {
    if a.campaign.is_none() && !a.all {
        anyhow::bail!("say which orders: --campaign ID or --all");
    }
    let since = a.since.as_deref().map(parse_since).transpose()?;
    let store = ctx.open().await?;
    let org = org_id(&store, &a.org).await?;
    let s = chorus_server::track::rerun_attribution(&store, org, a.campaign, since).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        println!("re-attributed {} orders; {} changed", s.orders, s.changed);
    }
    Ok(ExitCode::SUCCESS)
}
