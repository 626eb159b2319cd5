//! `chorus`: the server and every command-line tool in one binary.

mod bench;
mod bench_track;
mod cmd;
mod loadgen;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "chorus",
    version,
    about = "Run a forty-creator micro-influencer campaign like one."
)]
pub struct Cli {
    /// Directory for the embedded database and other local state.
    #[arg(
        long,
        global = true,
        env = "CHORUS_DATA_DIR",
        default_value = "./chorus-data"
    )]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: SQLite in the data dir.
    #[arg(long, global = true, env = "CHORUS_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start the server (web UI and API).
    Serve(cmd::ServeArgs),
    /// Seed a demo organization with realistic creators and start the server.
    Demo(cmd::DemoArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Generate realistic data.
    #[command(subcommand)]
    Generate(cmd::GenerateCmd),
    /// Import data from files.
    #[command(subcommand)]
    Import(cmd::ImportCmd),
    /// Manage organizations.
    #[command(subcommand)]
    Org(cmd::OrgCmd),
    /// Manage users.
    #[command(subcommand)]
    User(cmd::UserCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(cmd::TokenCmd),
    /// The creator search index.
    #[command(subcommand)]
    Index(cmd::search::IndexCmd),
    /// Search creators in the index.
    Search(cmd::search::SearchArgs),
    /// Attribution tools.
    #[command(subcommand)]
    Attribute(cmd::engines::AttributeCmd),
    /// Settlement tools.
    #[command(subcommand)]
    Settle(cmd::engines::SettleCmd),
    /// Daily exchange rates for settlement.
    #[command(subcommand)]
    Rates(cmd::pay::RatesCmd),
    /// The double-entry ledger of commissions and payouts.
    #[command(subcommand)]
    Ledger(cmd::pay::LedgerCmd),
    /// Content review tools.
    #[command(subcommand)]
    Review(cmd::engines::ReviewCmd),
    /// Audience quality and brand safety.
    #[command(subcommand)]
    Qualify(cmd::engines::QualifyCmd),
    /// Simulations with ground truth.
    #[command(subcommand)]
    Simulate(cmd::engines::SimulateCmd),
    /// Benchmarks that print their figures beside a baseline.
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = std::env::var("CHORUS_LOG").unwrap_or_else(|_| match cli.command {
        Command::Serve(_) | Command::Demo(_) => "info,sqlx=warn,tower_http=warn".into(),
        _ => "warn".into(),
    });
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .init();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
