//! Pay commands: daily exchange rates import and the ledger check.

use super::{org_id, Ctx};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum RatesCmd {
    /// Import daily exchange rates from CSV `date,from,to,rate` (1 from = rate to
    /// on that UTC date). Nothing is stored when any row is wrong.
    Import(RatesImportArgs),
}

#[derive(Args)]
pub struct RatesImportArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub json: bool,
}

pub async fn rates(ctx: &Ctx, c: RatesCmd) -> anyhow::Result<ExitCode> {
    let RatesCmd::Import(a) = c;
    let store = ctx.open().await?;
    let org = org_id(&store, &a.org).await?;
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("reading {}", a.file.display()))?;
    let s = chorus_server::pay::service::import_rates(&store, org, &text)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        for e in &s.errors {
            eprintln!("{}:{}: {}: {}", a.file.display(), e.line, e.field, e.reason);
        }
        if s.errors.is_empty() {
            println!("{} rates stored", s.stored);
        } else {
            println!("{} rows, {} wrong: nothing stored", s.rows, s.errors.len());
        }
    }
    Ok(if s.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Subcommand)]
pub enum LedgerCmd {
    /// Verify that debits equal credits per transaction and currency and
    /// that the balances derived from the entries agree with the recorded
    /// commission states. Exits 1 and prints the offending entries otherwise.
    Check(LedgerCheckArgs),
    /// Settle as of now and append to the ledger what changed.
    Record(LedgerRecordArgs),
}

#[derive(Args)]
pub struct LedgerCheckArgs {
    /// One organization (slug or id); all of them when absent.
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct LedgerRecordArgs {
    #[arg(long)]
    pub org: String,
}

pub async fn ledger(ctx: &Ctx, c: LedgerCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    match c {
        LedgerCmd::Record(a) => {
            let org = org_id(&store, &a.org).await?;
            let s = chorus_server::pay::service::settle(&store, org, None, chrono::Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let r = chorus_server::pay::service::record(&store, org, &s)
                .await
                .map_err(|e| anyhow::anyhow!("{}", chorus_server::error::ApiError::from(e)))?;
            println!(
                "recorded {} line state(s) and {} ledger entries",
                r.lines, r.entries
            );
            Ok(ExitCode::SUCCESS)
        }
        LedgerCmd::Check(a) => {
            let orgs = match &a.org {
                Some(o) => vec![(o.clone(), org_id(&store, o).await?)],
                None => store
                    .list_orgs()
                    .await?
                    .into_iter()
                    .map(|o| (o.slug, o.id))
                    .collect(),
            };
            let mut bad = 0usize;
            let mut report = Vec::new();
            for (slug, id) in orgs {
                let entries = store.ledger_entries(id).await?.len();
                let problems = chorus_server::pay::service::check_ledger(&store, id)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                bad += problems.len();
                if a.json {
                    report.push(serde_json::json!({
                        "org": slug, "entries": entries, "ok": problems.is_empty(), "problems": problems,
                    }));
                    continue;
                }
                if problems.is_empty() {
                    println!("{slug}: ok ({entries} entries; debits = credits per currency; balances agree with commission states)");
                    continue;
                }
                println!("{slug}: {} problem(s) in {entries} entries", problems.len());
                for p in &problems {
                    println!("  {}", p.message);
                    for e in &p.entries {
                        println!(
                            "    entry {}: txn {} {} {} {} {} ({})",
                            e.id, e.txn, e.account, e.side, e.minor, e.currency, e.reference
                        );
                    }
                }
            }
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"ok": bad == 0, "orgs": report})
                    )?
                );
            }
            Ok(if bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
