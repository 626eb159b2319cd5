//! Command implementations. Each returns an exit code; errors bubble up as
//! `anyhow` with context and print as `error: …`.

pub mod engines;
pub mod pay;
pub mod search;
pub mod tracking;

use crate::{Cli, Command};
use anyhow::{bail, Context};
use chorus_core::import::Format;
use chorus_core::{Email, Role};
use chorus_server::ingest::{self, ImportSource};
use chorus_server::{auth, AppState, Config};
use chorus_store::{NewUser, Store};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new()?;
    let ctx = Ctx {
        data_dir: cli.data_dir,
        database_url: cli.database_url,
    };
    match cli.command {
        Command::Serve(a) => rt.block_on(serve(&ctx, a)),
        Command::Demo(a) => rt.block_on(demo(&ctx, a)),
        Command::Migrate => rt.block_on(async {
            let store = ctx.open().await?;
            println!("migrations applied ({:?})", store.backend());
            Ok(ExitCode::SUCCESS)
        }),
        Command::Generate(GenerateCmd::Creators(a)) => generate_creators(a),
        Command::Import(ImportCmd::Creators(a)) => rt.block_on(import_creators(&ctx, a)),
        Command::Import(ImportCmd::Orders(a)) => {
            rt.block_on(tracking::import_orders(&ctx, a, false))
        }
        Command::Import(ImportCmd::Refunds(a)) => {
            rt.block_on(tracking::import_orders(&ctx, a, true))
        }
        Command::Import(ImportCmd::Codes(a)) => rt.block_on(tracking::import_codes(&ctx, a)),
        Command::Attribute(engines::AttributeCmd::Rerun(a)) => {
            rt.block_on(tracking::rerun(&ctx, a))
        }
        Command::Org(c) => rt.block_on(org(&ctx, c)),
        Command::User(c) => rt.block_on(user(&ctx, c)),
        Command::Token(c) => rt.block_on(token(&ctx, c)),
        Command::Attribute(c) => engines::attribute(c),
        Command::Settle(c) => engines::settle(c),
        Command::Review(c) => engines::review(c),
        Command::Qualify(c) => engines::qualify(c),
        Command::Simulate(c) => engines::simulate(c),
        Command::Rates(c) => rt.block_on(pay::rates(&ctx, c)),
        Command::Ledger(c) => rt.block_on(pay::ledger(&ctx, c)),
        Command::Index(c) => rt.block_on(search::index(&ctx, c)),
        Command::Search(a) => search::search(&ctx, a),
        Command::Bench(c) => rt.block_on(crate::bench::run(&ctx, c)),
    }
}

/// Where the data lives.
pub struct Ctx {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl Ctx {
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating data directory {}", self.data_dir.display()))?;
        Ok(chorus_store::sqlite_url_for(&self.data_dir))
    }

    pub async fn open(&self) -> anyhow::Result<Store> {
        let url = self.url()?;
        Store::open(&url)
            .await
            .with_context(|| format!("opening database {}", redact(&url)))
    }
}

/// Hide a password in a database URL before printing it.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CHORUS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Also serve tracking redirects (`/r/{code}`) on this address.
    #[arg(long, env = "CHORUS_REDIRECT_BIND")]
    pub redirect_bind: Option<SocketAddr>,
}

fn server_config(data_dir: &std::path::Path) -> anyhow::Result<Config> {
    let d = Config::default();
    let env_key = std::env::var(chorus_store::secret::KEY_ENV).ok();
    let secret_key = chorus_store::secret::SecretKey::load(env_key.as_deref(), data_dir)
        .context("loading the secret key that encrypts payout details")?;
    Ok(Config {
        cookie_secure: std::env::var("CHORUS_COOKIE_SECURE").is_ok_and(|v| v == "1" || v == "true"),
        data_dir: Some(data_dir.to_path_buf()),
        max_upload_bytes: std::env::var("CHORUS_MAX_UPLOAD_MB")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(d.max_upload_bytes, |mb| mb << 20),
        secret_key: Some(secret_key),
        ..d
    })
}

/// How often the search indexer looks for changes it was not told about
/// (imports by other processes); imports through this server nudge it at once.
const INDEX_POLL: std::time::Duration = std::time::Duration::from_secs(10);

/// Start the background work of one instance, then serve until a signal.
async fn serve_store(
    ctx: &Ctx,
    store: Store,
    bind: SocketAddr,
    redirect_bind: Option<SocketAddr>,
    banner: impl FnOnce(SocketAddr),
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| {
        format!("listening on {bind} (is another server running there? use --bind)")
    })?;
    let state = AppState::new(store.clone(), server_config(&ctx.data_dir)?);
    chorus_server::track::start(&state, &ctx.data_dir)
        .await
        .context("starting click tracking")?;
    let index_dir = chorus_server::discover::index_dir(&ctx.data_dir);
    chorus_server::discover::start(&state, Some(&index_dir), INDEX_POLL)
        .with_context(|| format!("opening the search index in {}", index_dir.display()))?;
    chorus_server::campaigns::spawn_outbox_worker(
        store.clone(),
        std::env::var("CHORUS_SMTP_URL").ok(),
    );
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) =
                chorus_server::campaigns::queue_reminders(&store, chorus_store::now_us()).await
            {
                tracing::warn!(error = %e, "queueing deliverable reminders failed");
            }
        }
    });
    if let Some(rb) = redirect_bind {
        let l = tokio::net::TcpListener::bind(rb)
            .await
            .with_context(|| format!("listening on {rb} for redirects"))?;
        let app = chorus_server::track::redirect_router(state.clone());
        println!("Tracking redirects on http://{}", l.local_addr()?);
        tokio::spawn(async move {
            let svc = app.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(e) = axum::serve(l, svc)
                .with_graceful_shutdown(chorus_server::shutdown_signal())
                .await
            {
                tracing::error!(error = %e, "redirect listener failed");
            }
        });
    }
    banner(listener.local_addr()?);
    chorus_server::serve(listener, state.clone(), chorus_server::shutdown_signal()).await?;
    // Clicks accepted before the signal reach the log before we exit.
    state.tracking.flush().await;
    Ok(ExitCode::SUCCESS)
}

async fn serve(ctx: &Ctx, a: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    if store.list_orgs().await?.is_empty() {
        eprintln!(
            "No organization yet. Create one with `chorus org create \"My Brand\"` and a user with \
             `chorus user create --org my-brand --email you@example.com --role owner`, or run `chorus demo`."
        );
    }
    serve_store(ctx, store, a.bind, a.redirect_bind, |addr| {
        println!("Chorus listening on http://{addr}")
    })
    .await
}

#[derive(Args)]
pub struct DemoArgs {
    #[arg(long, env = "CHORUS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Creators to generate on the first run.
    #[arg(long, default_value_t = 20_000)]
    pub creators: u64,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Seed the data and exit without starting the server.
    #[arg(long)]
    pub no_serve: bool,
}

const DEMO_ORG: &str = "demo";
const DEMO_EMAIL: &str = "manager@demo.chorus.test";

async fn demo(ctx: &Ctx, a: DemoArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    if store.count_accounts().await? == 0 {
        eprintln!(
            "Generating and importing {} realistic creators (seed {})…",
            a.creators, a.seed
        );
        seed_creators(&store, a.creators, a.seed).await?;
    }
    let org = match store.org_by_slug(DEMO_ORG).await? {
        Some(o) => o,
        None => store.create_org(DEMO_ORG, "Demo Brand Co.").await?,
    };
    if store.list_campaigns(org.id).await?.is_empty() {
        let q = chorus_store::CreatorQuery {
            min_followers: Some(10_000),
            max_followers: Some(100_000),
            limit: 40,
            sort: chorus_store::AccountSort::EngagementDesc,
            ..Default::default()
        };
        let ids: Vec<_> = store
            .list_accounts(&q)
            .await?
            .items
            .into_iter()
            .map(|r| r.id)
            .collect();
        chorus_server::campaigns::create_sample_campaign(&store, org.id, &ids).await?;
    }
    let password = demo_password(ctx, &store, org.id).await?;
    let banner = |addr: SocketAddr| {
        println!("Chorus demo is up: http://{addr}");
        println!("  sign in as  {DEMO_EMAIL}");
        println!("  password    {password}");
        println!("  data        {}", ctx.data_dir.display());
    };
    if a.no_serve {
        banner(a.bind);
        return Ok(ExitCode::SUCCESS);
    }
    serve_store(ctx, store, a.bind, None, banner).await
}

/// The demo manager's password: kept in the data dir so a second run prints
/// the same login; recreated (and the user's password reset) if that file is gone.
async fn demo_password(
    ctx: &Ctx,
    store: &Store,
    org: chorus_core::OrgId,
) -> anyhow::Result<String> {
    let file = ctx.data_dir.join("demo-login.txt");
    let saved = std::fs::read_to_string(&file)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let user = store.user_by_email(DEMO_EMAIL).await?;
    if let (Some(p), Some(_)) = (&saved, &user) {
        return Ok(p.clone());
    }
    let password = auth::random_secret()[..16].to_string();
    let hash = auth::hash_password_blocking(password.clone()).await?;
    match user {
        Some(u) => {
            store.set_password(u.org_id, u.id, &hash).await?;
        }
        None => {
            store
                .create_user(NewUser {
                    org_id: org,
                    email: DEMO_EMAIL,
                    name: "Demo Manager",
                    password_hash: &hash,
                    role: Role::Manager,
                })
                .await?;
        }
    }
    std::fs::create_dir_all(&ctx.data_dir)?;
    std::fs::write(&file, format!("{password}\n"))
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(password)
}

pub fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Generate creators in memory and upsert them in batches.
pub async fn seed_creators(store: &Store, count: u64, seed: u64) -> anyhow::Result<()> {
    let pb = progress_bar(count, "creators");
    let mut g = chorus_generate::Generator::new(seed, chorus_generate::GenOptions::default());
    let mut batch = Vec::with_capacity(1000);
    for i in 0..count {
        batch.push(g.creator(i).0);
        if batch.len() == 1000 || i + 1 == count {
            store.upsert_creators(&batch).await?;
            pb.inc(batch.len() as u64);
            batch.clear();
        }
    }
    pb.finish_and_clear();
    Ok(())
}

#[derive(Subcommand)]
pub enum GenerateCmd {
    /// Realistic creators as NDJSON, with optional ground-truth labels.
    Creators(GenCreatorsArgs),
}

#[derive(Args)]
pub struct GenCreatorsArgs {
    #[arg(long, default_value_t = 1000)]
    pub count: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output file (`-` for standard output).
    #[arg(long)]
    pub out: PathBuf,
    /// Write ground truth (authentic / inauthentic) to this CSV.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Share of inauthentic creators.
    #[arg(long, default_value_t = 0.08)]
    pub inauthentic_share: f64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

fn generate_creators(a: GenCreatorsArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&a.inauthentic_share) {
        bail!("--inauthentic-share must be between 0 and 1");
    }
    let opts = chorus_generate::GenOptions {
        inauthentic_share: a.inauthentic_share,
        ..Default::default()
    };
    let mut out: Box<dyn Write> = if a.out.as_os_str() == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&a.out)
                .with_context(|| format!("creating {}", a.out.display()))?,
        ))
    };
    let mut labels = match &a.labels {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pb = progress_bar(a.count, "creators");
    let start = std::time::Instant::now();
    let stats = chorus_generate::write_ndjson_parallel(
        a.seed,
        a.count,
        opts,
        threads,
        &mut out,
        labels.as_mut().map(|l| l as &mut dyn Write),
        |n| pb.set_position(n),
    )?;
    pb.finish_and_clear();
    eprintln!(
        "wrote {} creators ({:.1} MB) in {:.1} s",
        stats.records,
        stats.bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Creators from CSV or NDJSON (see README "Import formats").
    Creators(ImportCreatorsArgs),
    /// Orders from CSV (order_id, at, amount, currency, customer_key, click_id, codes).
    Orders(tracking::ImportOrdersArgs),
    /// Refunds from CSV (refund_id, order_id, at, amount).
    Refunds(tracking::ImportOrdersArgs),
    /// Promo codes of a campaign from CSV (handle or member, code, optional
    /// platform, valid_from, valid_to, single_use).
    Codes(tracking::ImportCodesArgs),
}

#[derive(Args)]
pub struct ImportCreatorsArgs {
    pub file: PathBuf,
    /// csv or ndjson; by default from the file extension, else sniffed.
    #[arg(long)]
    pub format: Option<String>,
    /// Record the import under this organization (slug).
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub json: bool,
}

async fn import_creators(ctx: &Ctx, a: ImportCreatorsArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    let org_id = match &a.org {
        Some(slug) => Some(
            store
                .org_by_slug(slug)
                .await?
                .with_context(|| format!("no organization {slug:?}"))?
                .id,
        ),
        None => None,
    };
    let format = match a.format.as_deref() {
        Some("csv") => Some(Format::Csv),
        Some("ndjson") | Some("jsonl") => Some(Format::Ndjson),
        Some(f) => bail!("--format {f:?}: use csv or ndjson"),
        None => Format::from_path(&a.file.to_string_lossy()),
    };
    let file =
        std::fs::File::open(&a.file).with_context(|| format!("opening {}", a.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let counting = CountingReader {
        inner: file,
        read: std::sync::Arc::default(),
    };
    let read = counting.read.clone();
    let pb = progress_bar(size, "bytes");
    let rows = ingest::rows_from(counting, format)?;
    let name = a.file.display().to_string();
    let source = ImportSource {
        org_id,
        user_id: None,
        name: &name,
    };
    let summary = ingest::import_creators(&store, rows, source, |_| {
        pb.set_position(read.load(std::sync::atomic::Ordering::Relaxed));
    })
    .await?;
    pb.finish_and_clear();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        for e in &summary.errors {
            eprintln!("{}:{}: {}: {}", a.file.display(), e.line, e.field, e.reason);
        }
        if summary.errors_truncated {
            eprintln!("(more errors not listed)");
        }
        println!(
            "{} rows: {} inserted, {} updated, {} rejected",
            summary.rows, summary.inserted, summary.updated, summary.failed
        );
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Counts bytes read, for a progress bar by file position.
struct CountingReader<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[derive(Subcommand)]
pub enum OrgCmd {
    /// Create an organization.
    Create {
        name: String,
        /// URL-safe short name (default: from the name).
        #[arg(long)]
        slug: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List organizations.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print the secret that signs order webhooks (`Chorus-Signature`), creating it if needed.
    WebhookSecret {
        #[arg(long)]
        org: String,
        /// Replace the secret with a new one.
        #[arg(long)]
        rotate: bool,
    },
}

pub fn slugify(name: &str) -> String {
    let mut s = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

async fn org(ctx: &Ctx, c: OrgCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    match c {
        OrgCmd::Create { name, slug, json } => {
            let slug = slug.unwrap_or_else(|| slugify(&name));
            if slug.is_empty() {
                bail!("give the organization a name with letters or digits, or pass --slug");
            }
            let o = store.create_org(&slug, name.trim()).await?;
            if json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                println!("created organization {} ({})", o.slug, o.id);
            }
        }
        OrgCmd::WebhookSecret { org, rotate } => {
            let id = org_id(&store, &org).await?;
            let current = store.tracking_settings(id).await?.webhook_secret;
            let secret = match current {
                Some(s) if !rotate => s,
                _ => {
                    let s = format!("whsec_{}", auth::random_secret());
                    store.set_webhook_secret(id, &s).await?;
                    s
                }
            };
            println!("{secret}");
        }
        OrgCmd::List { json } => {
            let orgs = store.list_orgs().await?;
            if json {
                println!("{}", serde_json::to_string(&orgs)?);
            } else {
                for o in orgs {
                    println!("{}\t{}\t{}", o.id, o.slug, o.name);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create a user in an organization.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
        /// owner, manager, reviewer, finance or viewer
        #[arg(long, default_value = "manager")]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the users of an organization.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn org_id(store: &Store, slug: &str) -> anyhow::Result<chorus_core::OrgId> {
    Ok(store
        .org_by_slug(slug)
        .await?
        .with_context(|| format!("no organization {slug:?}; see `chorus org list`"))?
        .id)
}

async fn user(ctx: &Ctx, c: UserCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    match c {
        UserCmd::Create {
            org,
            email,
            name,
            role,
            password_stdin,
            json,
        } => {
            let org = org_id(&store, &org).await?;
            let email = Email::parse(&email)
                .map_err(anyhow::Error::msg)
                .context("--email")?;
            let role: Role = role.parse().map_err(anyhow::Error::msg).context("--role")?;
            let (password, generated) = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_line(&mut s)?;
                (s.trim_end_matches(['\n', '\r']).to_string(), false)
            } else {
                (auth::random_secret()[..16].to_string(), true)
            };
            if password.chars().count() < 10 {
                bail!("the password must have at least 10 characters");
            }
            let hash = auth::hash_password_blocking(password.clone()).await?;
            let name = if name.is_empty() {
                email.as_str().split('@').next().unwrap_or("").to_string()
            } else {
                name
            };
            let u = store
                .create_user(NewUser {
                    org_id: org,
                    email: email.as_str(),
                    name: &name,
                    password_hash: &hash,
                    role,
                })
                .await?;
            if json {
                let mut v = serde_json::to_value(&u)?;
                if generated {
                    v["password"] = password.into();
                }
                println!("{v}");
            } else {
                println!("created user {} ({}) with role {}", u.email, u.id, u.role);
                if generated {
                    println!("password: {password}");
                }
            }
        }
        UserCmd::List { org, json } => {
            let users = store.list_users(org_id(&store, &org).await?).await?;
            if json {
                println!("{}", serde_json::to_string(&users)?);
            } else {
                for u in users {
                    println!("{}\t{}\t{}\t{}", u.id, u.email, u.role, u.name);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Create an API token for a user; the secret is printed once.
    Create {
        #[arg(long)]
        org: String,
        /// The user's email.
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List the tokens of an organization.
    List {
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id.
    Revoke {
        #[arg(long)]
        org: String,
        id: i64,
    },
}

async fn token(ctx: &Ctx, c: TokenCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.open().await?;
    match c {
        TokenCmd::Create {
            org,
            user,
            name,
            json,
        } => {
            let org = org_id(&store, &org).await?;
            let u = store
                .user_by_email(&user.trim().to_lowercase())
                .await?
                .filter(|u| u.org_id == org)
                .with_context(|| format!("no user {user:?} in that organization"))?;
            let t = auth::new_api_token();
            let row = store
                .create_token(org, u.id, &name, &t.prefix, &t.digest)
                .await?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({"id": row.id, "name": row.name, "token": t.clear})
                );
            } else {
                println!(
                    "token {} created; it is shown only now:\n{}",
                    row.id, t.clear
                );
            }
        }
        TokenCmd::List { org, json } => {
            let tokens = store.list_tokens(org_id(&store, &org).await?).await?;
            if json {
                println!("{}", serde_json::to_string(&tokens)?);
            } else {
                for t in tokens {
                    let status = if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!("{}\t{}\t{}…\t{}", t.id, t.name, t.prefix, status);
                }
            }
        }
        TokenCmd::Revoke { org, id } => {
            let org = org_id(&store, &org).await?;
            if !store.revoke_token(org, chorus_core::TokenId(id)).await? {
                bail!("no active token {id} in that organization");
            }
            println!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Read a whole file, saying which one when it fails.
pub fn read_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_and_redaction() {
        assert_eq!(super::slugify("  Acme Outdoor, Inc. "), "acme-outdoor-inc");
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
