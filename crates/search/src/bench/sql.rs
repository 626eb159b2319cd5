//! The SQL baselines: the same creators in one flat table with the indexes
//! a competent engineer would add (btree on the filtered columns, FTS5 on
//! SQLite, a GIN tsvector on PostgreSQL, audience shares as columns), and
//! the same queries as SQL: one page query plus the four facet GROUP BYs,
//! which is what the index answers in one call.

use super::mix::SQL_COUNTRIES;
use crate::doc::SearchDoc;
use crate::fit::Target;
use crate::query::{SearchQuery, Sort};
use chorus_generate::{GenOptions, Generator};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Executor, PgPool, SqlitePool};
use std::path::Path;
use std::time::Instant;

const AGES: [(&str, &str); 6] = [
    ("13-17", "aud_13_17"),
    ("18-24", "aud_18_24"),
    ("25-34", "aud_25_34"),
    ("35-44", "aud_35_44"),
    ("45-64", "aud_45_64"),
    ("65+", "aud_65"),
];
const GENDERS: [&str; 3] = ["female", "male", "other"];
const INDEXED: [&str; 8] = [
    "followers",
    "er",
    "last_post_at",
    "platform",
    "country",
    "niche",
    "aud_female",
    "aud_us",
];

#[derive(Clone, Copy, PartialEq)]
enum Db {
    Sqlite,
    Postgres,
}

fn e(x: impl std::fmt::Display) -> String {
    x.to_string()
}

/// Numeric and keyword columns of the table, in insert order.
fn columns() -> Vec<String> {
    let mut c: Vec<String> = [
        "account_id",
        "platform",
        "handle",
        "name",
        "niche",
        "country",
        "language",
        "followers",
        "er",
        "has_email",
        "last_post_at",
    ]
    .map(str::to_owned)
    .to_vec();
    c.extend(
        SQL_COUNTRIES
            .iter()
            .map(|cc| format!("aud_{}", cc.to_ascii_lowercase())),
    );
    c.extend(GENDERS.iter().map(|g| format!("aud_{g}")));
    c.extend(AGES.iter().map(|a| a.1.to_owned()));
    c.extend(["bio", "captions", "hashtags"].map(str::to_owned));
    c
}

fn create_table(db: Db) -> String {
    let cols: Vec<String> = columns()
        .into_iter()
        .map(|c| {
            let ty = match c.as_str() {
                "account_id" => "BIGINT PRIMARY KEY",
                "followers" | "last_post_at" => "BIGINT",
                "has_email" => "SMALLINT",
                c if c == "er" || c.starts_with("aud_") => "DOUBLE PRECISION",
                _ => "TEXT",
            };
            format!("{c} {ty}")
        })
        .collect();
    let tsv = match db {
        Db::Postgres => ", tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(bio,'') || ' ' || coalesce(captions,'') || ' ' || coalesce(hashtags,''))) STORED",
        Db::Sqlite => "",
    };
    format!("CREATE TABLE creators ({}{tsv})", cols.join(", "))
}

/// One row's values as text (`None` = NULL), in [`columns`] order.
fn row(d: &SearchDoc) -> Vec<Option<String>> {
    let a = d.audience.as_ref();
    let share = |m: Option<&std::collections::BTreeMap<String, f64>>, k: &str| {
        a.map(|_| m.and_then(|m| m.get(k)).copied().unwrap_or(0.0).to_string())
    };
    let mut v = vec![
        Some(d.account_id.to_string()),
        Some(d.platform.as_str().to_owned()),
        Some(d.handle.clone()),
        Some(d.name.clone()),
        d.niche.clone(),
        d.country.clone(),
        d.language.clone(),
        Some(d.followers.to_string()),
        d.er.map(|x| x.to_string()),
        Some(u8::from(d.has_email).to_string()),
        d.last_post_at.map(|t| t.timestamp().to_string()),
    ];
    v.extend(
        SQL_COUNTRIES
            .iter()
            .map(|c| share(a.map(|a| &a.countries), c)),
    );
    v.extend(GENDERS.iter().map(|g| share(a.map(|a| &a.genders), g)));
    v.extend(AGES.iter().map(|(b, _)| share(a.map(|a| &a.ages), b)));
    v.extend([
        Some(d.bio.clone()),
        Some(d.captions.clone()),
        Some(d.hashtags.clone()),
    ]);
    v
}

/// The same creators the index got, regenerated in batches so memory
/// stays bounded at millions.
struct Docs {
    g: Generator,
    rec: chorus_core::CreatorRecord,
    next: usize,
    n: usize,
}

impl Docs {
    fn new(n: usize, seed: u64) -> Docs {
        let g = Generator::new(seed, GenOptions::default());
        Docs {
            g,
            rec: chorus_generate::empty_record(),
            next: 0,
            n,
        }
    }

    fn batch(&mut self, size: usize) -> Vec<SearchDoc> {
        let end = self.n.min(self.next + size);
        let v = (self.next..end)
            .map(|i| {
                self.g.fill(i as u64, &mut self.rec);
                SearchDoc::from_record(i as i64, &self.rec)
            })
            .collect();
        self.next = end;
        v
    }
}

pub async fn sqlite(
    n: usize,
    seed: u64,
    work: &Path,
    queries: &[SearchQuery],
) -> Result<Vec<f64>, String> {
    let path = work.join("search-baseline.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Off)
        .pragma("cache_size", "-262144")
        .pragma("mmap_size", "1073741824");
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(e)?;
    load_sqlite(&pool, n, seed).await?;
    let lat = time_queries(Db::Sqlite, queries, |sql| {
        let pool = pool.clone();
        async move {
            sqlx::query(&sql)
                .fetch_all(&pool)
                .await
                .map(|r| r.len())
                .map_err(e)
        }
    })
    .await;
    pool.close().await;
    lat
}

async fn load_sqlite(pool: &SqlitePool, n: usize, seed: u64) -> Result<(), String> {
    pool.execute(create_table(Db::Sqlite).as_str())
        .await
        .map_err(e)?;
    let cols = columns();
    let marks = vec!["?"; cols.len()].join(",");
    let insert = format!("INSERT INTO creators ({}) VALUES ({marks})", cols.join(","));
    let mut docs = Docs::new(n, seed);
    loop {
        let batch = docs.batch(10_000);
        if batch.is_empty() {
            break;
        }
        let mut tx = pool.begin().await.map_err(e)?;
        for d in &batch {
            let mut q = sqlx::query(&insert);
            for (c, v) in cols.iter().zip(row(d)) {
                q = bind(q, c, v);
            }
            q.execute(&mut *tx).await.map_err(e)?;
        }
        tx.commit().await.map_err(e)?;
    }
    let mut ddl = vec![
        "CREATE VIRTUAL TABLE creators_fts USING fts5(bio, captions, hashtags, content='creators', content_rowid='account_id')".to_owned(),
        "INSERT INTO creators_fts(creators_fts) VALUES('rebuild')".to_owned(),
    ];
    ddl.extend(
        INDEXED
            .iter()
            .map(|c| format!("CREATE INDEX creators_{c} ON creators({c})")),
    );
    ddl.push("ANALYZE".into());
    for s in ddl {
        pool.execute(s.as_str()).await.map_err(e)?;
    }
    Ok(())
}

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    col: &str,
    v: Option<String>,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    let numeric = matches!(
        col,
        "account_id" | "followers" | "last_post_at" | "has_email" | "er"
    ) || col.starts_with("aud_");
    match (numeric, v) {
        (_, None) => q.bind(None::<f64>),
        (true, Some(s)) if col == "er" || col.starts_with("aud_") => q.bind(s.parse::<f64>().ok()),
        (true, Some(s)) => q.bind(s.parse::<i64>().ok()),
        (false, Some(s)) => q.bind(s),
    }
}

pub async fn postgres(
    n: usize,
    seed: u64,
    url: &str,
    queries: &[SearchQuery],
) -> Result<Vec<f64>, String> {
    let name = format!("chorus_bench_search_{}", std::process::id());
    let admin = PgPool::connect(url).await.map_err(e)?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await
        .map_err(e)?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .map_err(e)?;
    let result = async {
        let pool = PgPool::connect(&with_database(url, &name))
            .await
            .map_err(e)?;
        load_postgres(&pool, n, seed).await?;
        let lat = time_queries(Db::Postgres, queries, |sql| {
            let pool = pool.clone();
            async move {
                sqlx::query(&sql)
                    .fetch_all(&pool)
                    .await
                    .map(|r| r.len())
                    .map_err(e)
            }
        })
        .await;
        pool.close().await;
        lat
    }
    .await;
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await;
    result
}

/// `url` with its database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

async fn load_postgres(pool: &PgPool, n: usize, seed: u64) -> Result<(), String> {
    pool.execute(create_table(Db::Postgres).as_str())
        .await
        .map_err(e)?;
    let cols = columns();
    let mut conn = pool.acquire().await.map_err(e)?;
    let mut copy = conn
        .copy_in_raw(&format!("COPY creators ({}) FROM STDIN", cols.join(",")))
        .await
        .map_err(e)?;
    let mut docs = Docs::new(n, seed);
    loop {
        let batch = docs.batch(5_000);
        if batch.is_empty() {
            break;
        }
        let mut buf = Vec::with_capacity(batch.len() * 4096);
        for d in &batch {
            copy_line(&mut buf, &row(d));
        }
        copy.send(buf).await.map_err(e)?;
    }
    copy.finish().await.map_err(e)?;
    drop(conn);
    let mut ddl = vec![
        "SET maintenance_work_mem = '512MB'".to_owned(),
        "CREATE INDEX creators_tsv ON creators USING GIN (tsv)".to_owned(),
    ];
    ddl.extend(
        INDEXED
            .iter()
            .map(|c| format!("CREATE INDEX creators_{c} ON creators({c})")),
    );
    ddl.push("ANALYZE creators".into());
    for s in ddl {
        pool.execute(s.as_str()).await.map_err(e)?;
    }
    Ok(())
}

/// One row in COPY text format.
fn copy_line(out: &mut Vec<u8>, vals: &[Option<String>]) {
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match v {
            None => out.extend_from_slice(b"\\N"),
            Some(s) => {
                for ch in s.bytes() {
                    match ch {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

async fn time_queries<F, Fut>(db: Db, queries: &[SearchQuery], run: F) -> Result<Vec<f64>, String>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<usize, String>>,
{
    let now = GenOptions::default().now.timestamp();
    let stmts: Vec<Vec<String>> = queries.iter().map(|q| statements(db, q, now)).collect();
    for s in stmts.iter().take(20) {
        for sql in s {
            run(sql.clone()).await?;
        }
    }
    let mut lat = Vec::new();
    for s in &stmts {
        let t = Instant::now();
        for sql in s {
            run(sql.clone()).await?;
        }
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(lat)
}

/// Words of the free text as the SQL engines tokenize them.
fn words(q: &SearchQuery) -> Vec<String> {
    let t = q.text().unwrap_or("").to_lowercase();
    let mut w: Vec<String> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    w.dedup();
    w
}

/// The page query and the four facet queries of `q`.
fn statements(db: Db, q: &SearchQuery, now: i64) -> Vec<String> {
    let w = words(q);
    let (from, rank) = match (db, w.is_empty()) {
        (_, true) => ("creators c".to_owned(), "1.0".to_owned()),
        (Db::Sqlite, false) => {
            let m = w
                .iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(" OR ");
            (format!("creators c JOIN creators_fts ON creators_fts.rowid = c.account_id AND creators_fts MATCH '{m}'"), "(-bm25(creators_fts))".to_owned())
        }
        (Db::Postgres, false) => {
            let tq = format!("to_tsquery('simple', '{}')", w.join(" | "));
            (
                format!("creators c CROSS JOIN {tq} tq"),
                "ts_rank(c.tsv, tq)".to_owned(),
            )
        }
    };
    let mut conds = where_clauses(q, now);
    if db == Db::Postgres && !w.is_empty() {
        conds.push("c.tsv @@ tq".into());
    }
    let wh = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let order = match q.effective_sort() {
        Sort::Relevance => format!("{rank} DESC"),
        Sort::Followers => "c.followers DESC".into(),
        Sort::Er => "COALESCE(c.er, -1) DESC".into(),
        Sort::AudienceFit | Sort::BestFit => {
            format!(
                "{rank} * {} DESC",
                fit_sql(db, q.target.as_ref().unwrap_or(&Target::default()))
            )
        }
    };
    let (offset, limit) = q.window();
    let mut v = vec![format!(
        "SELECT c.account_id, c.platform, c.handle, c.name, c.followers, c.er, c.niche, c.country FROM {from}{wh} ORDER BY {order}, c.account_id LIMIT {limit} OFFSET {offset}"
    )];
    let tier = "CASE WHEN c.followers >= 1000000 THEN 'mega' WHEN c.followers >= 500000 THEN 'macro' WHEN c.followers >= 100000 THEN 'mid' WHEN c.followers >= 10000 THEN 'micro' ELSE 'nano' END";
    for g in ["c.niche", "c.country", "c.platform", tier] {
        v.push(format!(
            "SELECT {g} AS v, count(*) FROM {from}{wh} GROUP BY 1"
        ));
    }
    v
}

fn where_clauses(q: &SearchQuery, now: i64) -> Vec<String> {
    let mut c = Vec::new();
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("'{}'", s.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(",")
    };
    if !q.platforms.is_empty() {
        let p: Vec<String> = q.platforms.iter().map(|p| p.as_str().to_owned()).collect();
        c.push(format!("c.platform IN ({})", list(&p)));
    }
    if let Some(x) = q.followers_min {
        c.push(format!("c.followers >= {x}"));
    }
    if let Some(x) = q.followers_max {
        c.push(format!("c.followers <= {x}"));
    }
    if let Some(x) = q.er_min {
        c.push(format!("c.er >= {x}"));
    }
    if !q.countries.is_empty() {
        c.push(format!("c.country IN ({})", list(&q.countries)));
    }
    if !q.audience_countries.is_empty() {
        let min = q.audience_country_min.unwrap_or(0.0);
        let any: Vec<String> = q
            .audience_countries
            .iter()
            .map(|cc| format!("c.aud_{} >= {min}", cc.to_ascii_lowercase()))
            .collect();
        c.push(format!("({})", any.join(" OR ")));
    }
    if let Some(g) = &q.audience_gender {
        c.push(format!(
            "c.aud_{g} >= {}",
            q.audience_gender_min.unwrap_or(0.0)
        ));
    }
    if !q.audience_ages.is_empty() {
        let cols: Vec<&str> = q
            .audience_ages
            .iter()
            .filter_map(|b| AGES.iter().find(|a| a.0 == b).map(|a| a.1))
            .collect();
        let sum = cols
            .iter()
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(" + ");
        c.push(format!(
            "({sum}) >= {}",
            q.audience_age_min.unwrap_or(0.0) - 1e-9
        ));
    }
    if let Some(h) = q.has_email {
        c.push(format!("c.has_email = {}", u8::from(h)));
    }
    if let Some(d) = q.posted_within_days {
        c.push(format!("c.last_post_at >= {}", now - i64::from(d) * 86_400));
    }
    c
}

/// The audience-fit formula of `fit.rs` as a SQL expression.
fn fit_sql(db: Db, t: &Target) -> String {
    let min = if db == Db::Sqlite { "MIN" } else { "LEAST" };
    let dim = |m: &std::collections::BTreeMap<String, f64>, col: &dyn Fn(&str) -> String| {
        let total: f64 = m.values().sum();
        let parts: Vec<String> = m
            .iter()
            .map(|(k, s)| format!("{min}(COALESCE(c.{}, 0), {s})", col(k)))
            .collect();
        (total > 0.0).then(|| format!("(({}) / {total})", parts.join(" + ")))
    };
    let w = crate::fit::FitWeights::default();
    let age_col = |k: &str| {
        AGES.iter()
            .find(|a| a.0 == k)
            .map_or("aud_65".to_owned(), |a| a.1.to_owned())
    };
    let mut num = Vec::new();
    let mut den = 0.0;
    for (expr, weight) in [
        (dim(&t.genders, &|k| format!("aud_{k}")), w.gender),
        (dim(&t.ages, &age_col), w.age),
        (
            dim(&t.countries, &|k| format!("aud_{}", k.to_ascii_lowercase())),
            w.location,
        ),
    ] {
        if let Some(x) = expr {
            num.push(format!("{weight} * {x}"));
            den += weight;
        }
    }
    if num.is_empty() {
        "1.0".into()
    } else {
        format!("(({}) / {den})", num.join(" + "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced_in_urls() {
        let u = "postgres://postgres@127.0.0.1:5432/postgres";
        assert_eq!(
            with_database(u, "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }

    #[test]
    fn queries_become_a_page_and_four_facet_statements() {
        let q = SearchQuery {
            q: Some("carbon \"plate\"".into()),
            audience_ages: vec!["25-34".into(), "35-44".into()],
            audience_age_min: Some(0.4),
            audience_countries: vec!["US".into(), "GB".into()],
            audience_country_min: Some(0.3),
            ..Default::default()
        };
        let s = statements(Db::Postgres, &q, 0);
        assert_eq!(s.len(), 5);
        assert!(
            s[0].contains("to_tsquery('simple', 'carbon | plate')"),
            "{}",
            s[0]
        );
        assert!(
            s[0].contains("(c.aud_us >= 0.3 OR c.aud_gb >= 0.3)"),
            "{}",
            s[0]
        );
        assert!(s[0].contains("(c.aud_25_34 + c.aud_35_44) >="), "{}", s[0]);
        let s = statements(Db::Sqlite, &q, 0);
        assert!(
            s[0].contains("creators_fts MATCH '\"carbon\" OR \"plate\"'"),
            "{}",
            s[0]
        );
    }
}
