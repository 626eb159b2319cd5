//! Creator profiles: bulk upsert from imports, and reads for the UI and API.
//! Profiles are global (not per organization), keyed by (platform, handle).

use crate::{from_us, get, now_us, to_us, values_placeholders, Result, Store, StoreError};
use chorus_core::creator::{Audience, FollowerPoint, FollowerProfile, Post};
use chorus_core::{engagement_rate, engagement_rate_by_views, AccountId, CreatorId, CreatorRecord};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertStats {
    pub inserted: u64,
    pub updated: u64,
}

/// One row of a creator listing.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: AccountId,
    pub creator_id: CreatorId,
    pub platform: String,
    pub handle: String,
    pub name: String,
    pub country: Option<String>,
    pub language: Option<String>,
    pub niche: Option<String>,
    pub followers: i64,
    pub following: i64,
    pub engagement_rate: Option<f64>,
    pub has_email: bool,
    pub last_post_at: Option<String>,
}

/// Everything known about one account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountDetail {
    #[serde(flatten)]
    pub row: AccountRow,
    pub bio: String,
    pub email: Option<String>,
    pub post_count: i64,
    pub engagement_rate_by_views: Option<f64>,
    pub posts: Vec<Post>,
    pub follower_history: Vec<FollowerPoint>,
    pub audience: Option<Audience>,
    pub follower_sample: Vec<FollowerProfile>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountSort {
    #[default]
    FollowersDesc,
    FollowersAsc,
    EngagementDesc,
    HandleAsc,
    Newest,
}

impl AccountSort {
    fn order_by(self) -> &'static str {
        match self {
            AccountSort::FollowersDesc => "a.followers DESC, a.id",
            AccountSort::FollowersAsc => "a.followers ASC, a.id",
            AccountSort::EngagementDesc => "a.er DESC NULLS LAST, a.id",
            AccountSort::HandleAsc => "a.handle ASC, a.id",
            AccountSort::Newest => "a.id DESC",
        }
    }

    pub fn parse(s: &str) -> Option<AccountSort> {
        Some(match s {
            "followers" | "-followers" | "followers_desc" => AccountSort::FollowersDesc,
            "followers_asc" | "+followers" => AccountSort::FollowersAsc,
            "er" | "engagement" | "-er" => AccountSort::EngagementDesc,
            "handle" => AccountSort::HandleAsc,
            "newest" => AccountSort::Newest,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct CreatorQuery {
    pub platform: Option<String>,
    pub handle_prefix: Option<String>,
    pub min_followers: Option<i64>,
    pub max_followers: Option<i64>,
    pub sort: AccountSort,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatorPage {
    pub total: i64,
    pub items: Vec<AccountRow>,
}

/// Rows per multi-row INSERT: below SQLite's 32,766 bound variables for the
/// widest table (posts, 9 columns).
const CHUNK_ROWS: usize = 1000;

impl Store {
    /// Insert or update a batch of validated records in one transaction:
    /// all of the batch is stored, or none of it.
    pub async fn upsert_creators(&self, records: &[CreatorRecord]) -> Result<UpsertStats> {
        // Within one statement a key may appear once; the last record wins.
        let mut last: HashMap<(String, String), &CreatorRecord> = HashMap::new();
        for r in records {
            last.insert((r.platform.to_string(), r.handle.clone()), r);
        }
        let mut recs: Vec<&CreatorRecord> = last.into_values().collect();
        recs.sort_by(|a, b| (a.platform, &a.handle).cmp(&(b.platform, &b.handle)));

        let mut tx = self.pool.begin().await?;
        let mut stats = UpsertStats::default();
        for chunk in recs.chunks(CHUNK_ROWS / 2) {
            let existing = existing_accounts(&mut tx, chunk).await?;
            stats.updated += existing as u64;
            stats.inserted += (chunk.len() - existing) as u64;
            let creator_ids = upsert_creator_rows(&mut tx, chunk).await?;
            let account_ids = upsert_account_rows(&mut tx, chunk, &creator_ids).await?;
            upsert_children(&mut tx, chunk, &account_ids).await?;
        }
        tx.commit().await?;
        Ok(stats)
    }

    pub async fn count_accounts(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM platform_accounts")
            .fetch_one(&self.pool)
            .await?;
        get(&row, "n")
    }

    pub async fn list_accounts(&self, q: &CreatorQuery) -> Result<CreatorPage> {
        let mut conds = vec!["1 = 1".to_string()];
        let mut binds: Vec<Bind> = vec![];
        if let Some(p) = &q.platform {
            binds.push(Bind::Text(p.clone()));
            conds.push(format!("a.platform = ${}", binds.len()));
        }
        if let Some(h) = &q.handle_prefix {
            binds.push(Bind::Text(format!(
                "{}%",
                h.to_lowercase().replace(['%', '_'], "")
            )));
            conds.push(format!("a.handle LIKE ${}", binds.len()));
        }
        if let Some(v) = q.min_followers {
            binds.push(Bind::Int(v));
            conds.push(format!("a.followers >= ${}", binds.len()));
        }
        if let Some(v) = q.max_followers {
            binds.push(Bind::Int(v));
            conds.push(format!("a.followers <= ${}", binds.len()));
        }
        let filter = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) AS n FROM platform_accounts a WHERE {filter}");
        let total: i64 = get(
            &bind_all(sqlx::query(&count_sql), &binds)
                .fetch_one(&self.pool)
                .await?,
            "n",
        )?;
        let list_sql = format!(
            "SELECT {ROW_COLS} FROM platform_accounts a JOIN creators c ON c.id = a.creator_id \
             WHERE {filter} ORDER BY {} LIMIT {} OFFSET {}",
            q.sort.order_by(),
            q.limit.clamp(1, 500),
            q.offset.max(0)
        );
        let rows = bind_all(sqlx::query(&list_sql), &binds)
            .fetch_all(&self.pool)
            .await?;
        let items = rows.iter().map(account_row_from).collect::<Result<_>>()?;
        Ok(CreatorPage { total, items })
    }

    pub async fn account_by_handle(
        &self,
        platform: &str,
        handle: &str,
    ) -> Result<Option<AccountId>> {
        let row =
            sqlx::query("SELECT id FROM platform_accounts WHERE platform = $1 AND handle = $2")
                .bind(platform)
                .bind(handle)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| get(&r, "id").map(AccountId)).transpose()
    }

    pub async fn account(&self, id: AccountId) -> Result<Option<AccountDetail>> {
        let sql = format!(
            "SELECT {ROW_COLS}, a.bio, a.post_count, a.er_views FROM platform_accounts a \
             JOIN creators c ON c.id = a.creator_id WHERE a.id = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let posts = self.posts(id).await?;
        let history: Option<String> = self.json_doc("follower_history", "points", id).await?;
        let sample: Option<String> = self.json_doc("follower_samples", "profiles", id).await?;
        Ok(Some(AccountDetail {
            row: account_row_from(&row)?,
            bio: get(&row, "bio")?,
            email: get(&row, "email")?,
            post_count: get(&row, "post_count")?,
            engagement_rate_by_views: get(&row, "er_views")?,
            posts,
            follower_history: parse_doc(history)?,
            audience: self.audience(id).await?,
            follower_sample: parse_doc(sample)?,
        }))
    }

    /// Whole records of accounts in id order after `after`, for rebuilding
    /// derived data (the search index) in batches.
    pub async fn account_records(
        &self,
        after: AccountId,
        limit: i64,
    ) -> Result<Vec<(AccountId, i64, CreatorRecord)>> {
        let sql = format!("{RECORD_SELECT} WHERE a.id > $1 ORDER BY a.id LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        self.assemble_records(rows).await
    }

    /// Records changed at or after `since` (microseconds), oldest change first.
    pub async fn account_records_updated_since(
        &self,
        since: i64,
        limit: i64,
    ) -> Result<Vec<(AccountId, i64, CreatorRecord)>> {
        let sql = format!(
            "{RECORD_SELECT} WHERE a.updated_at >= $1 ORDER BY a.updated_at, a.id LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(since)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        self.assemble_records(rows).await
    }

    /// Records changed after the keyset cursor `(updated_at, id)`, in
    /// cursor order: pages stay exact however many rows share one time.
    pub async fn account_records_changed_after(
        &self,
        updated_at: i64,
        after: AccountId,
        limit: i64,
    ) -> Result<Vec<(AccountId, i64, CreatorRecord)>> {
        let sql = format!(
            "{RECORD_SELECT} WHERE a.updated_at > $1 OR (a.updated_at = $2 AND a.id > $3) \
             ORDER BY a.updated_at, a.id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(updated_at)
            .bind(updated_at)
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        self.assemble_records(rows).await
    }

    pub(crate) async fn assemble_records(
        &self,
        rows: Vec<AnyRow>,
    ) -> Result<Vec<(AccountId, i64, CreatorRecord)>> {
        let mut out = Vec::with_capacity(rows.len());
        let mut index = HashMap::new();
        for r in &rows {
            let id: i64 = get(r, "id")?;
            let platform: String = get(r, "platform")?;
            let key: String = get(r, "creator_key")?;
            let rec = CreatorRecord {
                platform: platform.parse().map_err(StoreError::Corrupt)?,
                handle: get(r, "handle")?,
                creator_key: Some(key),
                name: get(r, "name")?,
                bio: get(r, "bio")?,
                country: get(r, "country")?,
                language: get(r, "language")?,
                email: get(r, "email")?,
                followers: get::<i64>(r, "followers")?.max(0) as u64,
                following: get::<i64>(r, "following")?.max(0) as u64,
                post_count: get::<i64>(r, "post_count")?.max(0) as u64,
                niche: get(r, "niche")?,
                posts: vec![],
                follower_history: vec![],
                audience: None,
                follower_sample: vec![],
            };
            index.insert(id, out.len());
            out.push((AccountId(id), get::<i64>(r, "updated_at")?, rec));
        }
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = out.iter().map(|(a, _, _)| a.0).collect();
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        // Ids are integers from the database itself, so inlining them is safe.
        let posts = sqlx::query(&format!(
            "SELECT account_id, external_id, caption, hashtags, published_at, likes, comments, views, comment_samples \
             FROM posts WHERE account_id IN ({list}) ORDER BY account_id, published_at DESC, external_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        for r in &posts {
            let i = index[&get::<i64>(r, "account_id")?];
            out[i].2.posts.push(post_from(r)?);
        }
        for r in sqlx::query(&format!(
            "SELECT account_id, points FROM follower_history WHERE account_id IN ({list})"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            let i = index[&get::<i64>(&r, "account_id")?];
            out[i].2.follower_history = parse_doc(Some(get(&r, "points")?))?;
        }
        for r in sqlx::query(&format!(
            "SELECT account_id, profiles FROM follower_samples WHERE account_id IN ({list})"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            let i = index[&get::<i64>(&r, "account_id")?];
            out[i].2.follower_sample = parse_doc(Some(get(&r, "profiles")?))?;
        }
        for r in sqlx::query(&format!(
            "SELECT account_id, source, as_of, countries, ages, genders, languages FROM audiences WHERE account_id IN ({list})"
        ))
        .fetch_all(&self.pool)
        .await?
        {
            let i = index[&get::<i64>(&r, "account_id")?];
            out[i].2.audience = Some(audience_from(&r)?);
        }
        Ok(out)
    }

    async fn posts(&self, id: AccountId) -> Result<Vec<Post>> {
        let rows = sqlx::query(
            "SELECT external_id, caption, hashtags, published_at, likes, comments, views, comment_samples \
             FROM posts WHERE account_id = $1 ORDER BY published_at DESC, external_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(post_from).collect()
    }

    async fn json_doc(&self, table: &str, col: &str, id: AccountId) -> Result<Option<String>> {
        let sql = format!("SELECT {col} AS doc FROM {table} WHERE account_id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| get(&r, "doc")).transpose()
    }

    async fn audience(&self, id: AccountId) -> Result<Option<Audience>> {
        let row = sqlx::query(
            "SELECT source, as_of, countries, ages, genders, languages FROM audiences WHERE account_id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(audience_from).transpose()
    }
}

pub(crate) const RECORD_SELECT: &str =
    "SELECT a.id, a.platform, a.handle, a.bio, a.followers, a.following, a.post_count, a.niche, \
     a.updated_at, c.creator_key, c.name, c.country, c.language, c.email \
     FROM platform_accounts a JOIN creators c ON c.id = a.creator_id";

fn post_from(r: &AnyRow) -> Result<Post> {
    let tags: String = get(r, "hashtags")?;
    let samples: Option<String> = get(r, "comment_samples")?;
    Ok(Post {
        id: get(r, "external_id")?,
        caption: get(r, "caption")?,
        hashtags: tags.split_whitespace().map(str::to_string).collect(),
        published_at: from_us(get(r, "published_at")?),
        likes: get::<i64>(r, "likes")? as u64,
        comments: get::<i64>(r, "comments")? as u64,
        views: get::<Option<i64>>(r, "views")?.map(|v| v as u64),
        comment_samples: parse_doc(samples)?,
    })
}

fn audience_from(r: &AnyRow) -> Result<Audience> {
    let doc = serde_json::json!({
        "source": get::<String>(r, "source")?,
        "as_of": get::<String>(r, "as_of")?,
        "countries": serde_json::from_str::<serde_json::Value>(&get::<String>(r, "countries")?).map_err(corrupt)?,
        "ages": serde_json::from_str::<serde_json::Value>(&get::<String>(r, "ages")?).map_err(corrupt)?,
        "genders": serde_json::from_str::<serde_json::Value>(&get::<String>(r, "genders")?).map_err(corrupt)?,
        "languages": serde_json::from_str::<serde_json::Value>(&get::<String>(r, "languages")?).map_err(corrupt)?,
    });
    serde_json::from_value(doc).map_err(corrupt)
}

const ROW_COLS: &str =
    "a.id, a.creator_id, a.platform, a.handle, c.name, c.country, c.language, a.niche, \
     a.followers, a.following, a.er, c.email, a.last_post_at";

fn account_row_from(r: &AnyRow) -> Result<AccountRow> {
    Ok(AccountRow {
        id: AccountId(get(r, "id")?),
        creator_id: CreatorId(get(r, "creator_id")?),
        platform: get(r, "platform")?,
        handle: get(r, "handle")?,
        name: get(r, "name")?,
        country: get(r, "country")?,
        language: get(r, "language")?,
        niche: get(r, "niche")?,
        followers: get(r, "followers")?,
        following: get(r, "following")?,
        engagement_rate: get(r, "er")?,
        has_email: get::<Option<String>>(r, "email")?.is_some(),
        last_post_at: get::<Option<i64>>(r, "last_post_at")?.map(|us| from_us(us).to_rfc3339()),
    })
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn parse_doc<T: serde::de::DeserializeOwned + Default>(doc: Option<String>) -> Result<T> {
    match doc {
        Some(s) if !s.is_empty() => serde_json::from_str(&s).map_err(corrupt),
        _ => Ok(T::default()),
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

fn bind_all<'q>(mut q: AnyQuery<'q>, binds: &'q [Bind]) -> AnyQuery<'q> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    q
}

async fn existing_accounts(
    tx: &mut Transaction<'_, Any>,
    recs: &[&CreatorRecord],
) -> Result<usize> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM platform_accounts WHERE (platform, handle) IN (VALUES {})",
        values_placeholders(recs.len(), 2)
    );
    let mut q = sqlx::query(&sql);
    for r in recs {
        q = q.bind(r.platform.as_str()).bind(r.handle.as_str());
    }
    let row = q.fetch_one(&mut **tx).await?;
    Ok(get::<i64>(&row, "n")? as usize)
}

async fn upsert_creator_rows(
    tx: &mut Transaction<'_, Any>,
    recs: &[&CreatorRecord],
) -> Result<HashMap<String, i64>> {
    let mut by_key: HashMap<String, &CreatorRecord> = HashMap::new();
    for r in recs {
        by_key.insert(r.creator_key(), r);
    }
    let now = now_us();
    let sql = format!(
        "INSERT INTO creators (creator_key, name, country, language, email, created_at, updated_at) \
         VALUES {} ON CONFLICT (creator_key) DO UPDATE SET name = excluded.name, \
         country = excluded.country, language = excluded.language, email = excluded.email, \
         updated_at = excluded.updated_at RETURNING id, creator_key",
        values_placeholders(by_key.len(), 7)
    );
    let mut q = sqlx::query(&sql);
    for (key, r) in &by_key {
        q = q
            .bind(key.as_str())
            .bind(r.name.as_str())
            .bind(r.country.as_deref())
            .bind(r.language.as_deref())
            .bind(r.email.as_deref())
            .bind(now)
            .bind(now);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| Ok((get(r, "creator_key")?, get(r, "id")?)))
        .collect()
}

async fn upsert_account_rows(
    tx: &mut Transaction<'_, Any>,
    recs: &[&CreatorRecord],
    creator_ids: &HashMap<String, i64>,
) -> Result<HashMap<(String, String), i64>> {
    let now = now_us();
    let sql = format!(
        "INSERT INTO platform_accounts (creator_id, platform, handle, bio, followers, following, \
         post_count, niche, er, er_views, last_post_at, updated_at) VALUES {} \
         ON CONFLICT (platform, handle) DO UPDATE SET creator_id = excluded.creator_id, \
         bio = excluded.bio, followers = excluded.followers, following = excluded.following, \
         post_count = excluded.post_count, niche = excluded.niche, er = excluded.er, \
         er_views = excluded.er_views, last_post_at = excluded.last_post_at, \
         updated_at = excluded.updated_at RETURNING id, platform, handle",
        values_placeholders(recs.len(), 12)
    );
    let mut q = sqlx::query(&sql);
    for r in recs {
        let creator_id = creator_ids
            .get(&r.creator_key())
            .copied()
            .ok_or_else(|| StoreError::Corrupt("creator id missing after upsert".into()))?;
        q = q
            .bind(creator_id)
            .bind(r.platform.as_str())
            .bind(r.handle.as_str())
            .bind(r.bio.as_str())
            .bind(clamp_i64(r.followers))
            .bind(clamp_i64(r.following))
            .bind(clamp_i64(r.post_count))
            .bind(r.niche.as_deref())
            .bind(engagement_rate(r.followers, &r.posts))
            .bind(engagement_rate_by_views(&r.posts))
            .bind(r.last_post_at().map(to_us))
            .bind(now);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| Ok(((get(r, "platform")?, get(r, "handle")?), get(r, "id")?)))
        .collect()
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

async fn upsert_children(
    tx: &mut Transaction<'_, Any>,
    recs: &[&CreatorRecord],
    ids: &HashMap<(String, String), i64>,
) -> Result<()> {
    let id_of = |r: &CreatorRecord| {
        ids.get(&(r.platform.to_string(), r.handle.clone()))
            .copied()
            .ok_or_else(|| StoreError::Corrupt("account id missing after upsert".into()))
    };
    let mut posts: Vec<(i64, &Post)> = Vec::new();
    let mut docs: Vec<(i64, &CreatorRecord)> = Vec::new();
    for r in recs {
        let id = id_of(r)?;
        posts.extend(r.posts.iter().map(|p| (id, p)));
        docs.push((id, r));
    }
    for chunk in posts.chunks(CHUNK_ROWS) {
        upsert_posts(tx, chunk).await?;
    }
    upsert_docs(tx, &docs).await
}

async fn upsert_posts(tx: &mut Transaction<'_, Any>, posts: &[(i64, &Post)]) -> Result<()> {
    let sql = format!(
        "INSERT INTO posts (account_id, external_id, caption, hashtags, published_at, likes, comments, \
         views, comment_samples) VALUES {} ON CONFLICT (account_id, external_id) DO UPDATE SET \
         caption = excluded.caption, hashtags = excluded.hashtags, published_at = excluded.published_at, \
         likes = excluded.likes, comments = excluded.comments, views = excluded.views, \
         comment_samples = excluded.comment_samples",
        values_placeholders(posts.len(), 9)
    );
    let mut q = sqlx::query(&sql);
    for (id, p) in posts {
        let samples = if p.comment_samples.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&p.comment_samples).map_err(corrupt)?)
        };
        q = q
            .bind(*id)
            .bind(p.id.as_str())
            .bind(p.caption.as_str())
            .bind(p.hashtags.join(" "))
            .bind(to_us(p.published_at))
            .bind(clamp_i64(p.likes))
            .bind(clamp_i64(p.comments))
            .bind(p.views.map(clamp_i64))
            .bind(samples);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

async fn upsert_docs(tx: &mut Transaction<'_, Any>, docs: &[(i64, &CreatorRecord)]) -> Result<()> {
    let hist: Vec<_> = docs
        .iter()
        .filter(|(_, r)| !r.follower_history.is_empty())
        .collect();
    if !hist.is_empty() {
        let sql = format!(
            "INSERT INTO follower_history (account_id, points) VALUES {} \
             ON CONFLICT (account_id) DO UPDATE SET points = excluded.points",
            values_placeholders(hist.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for (id, r) in &hist {
            q = q
                .bind(*id)
                .bind(serde_json::to_string(&r.follower_history).map_err(corrupt)?);
        }
        q.execute(&mut **tx).await?;
    }
    let samples: Vec<_> = docs
        .iter()
        .filter(|(_, r)| !r.follower_sample.is_empty())
        .collect();
    if !samples.is_empty() {
        let sql = format!(
            "INSERT INTO follower_samples (account_id, profiles, size) VALUES {} \
             ON CONFLICT (account_id) DO UPDATE SET profiles = excluded.profiles, size = excluded.size",
            values_placeholders(samples.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (id, r) in &samples {
            q = q
                .bind(*id)
                .bind(serde_json::to_string(&r.follower_sample).map_err(corrupt)?)
                .bind(r.follower_sample.len() as i64);
        }
        q.execute(&mut **tx).await?;
    }
    let auds: Vec<_> = docs
        .iter()
        .filter_map(|(id, r)| r.audience.as_ref().map(|a| (*id, a)))
        .collect();
    if !auds.is_empty() {
        let sql = format!(
            "INSERT INTO audiences (account_id, source, as_of, countries, ages, genders, languages) \
             VALUES {} ON CONFLICT (account_id) DO UPDATE SET source = excluded.source, \
             as_of = excluded.as_of, countries = excluded.countries, ages = excluded.ages, \
             genders = excluded.genders, languages = excluded.languages",
            values_placeholders(auds.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for (id, a) in &auds {
            let source = match a.source {
                chorus_core::creator::AudienceSource::Estimated => "estimated",
                chorus_core::creator::AudienceSource::CreatorAuthorized => "creator_authorized",
            };
            q = q
                .bind(*id)
                .bind(source)
                .bind(a.as_of.to_string())
                .bind(serde_json::to_string(&a.countries).map_err(corrupt)?)
                .bind(serde_json::to_string(&a.ages).map_err(corrupt)?)
                .bind(serde_json::to_string(&a.genders).map_err(corrupt)?)
                .bind(serde_json::to_string(&a.languages).map_err(corrupt)?);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
