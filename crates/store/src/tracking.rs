//! Tracking links, clicks, promo codes, orders, refunds, identify events and
//! attributions (organization-scoped), plus the per-organization attribution
//! policy and ingestion secrets.
//!
//! Amounts arrive as exact decimal strings with their integer minor units
//! already computed by the caller (this crate knows no decimal type); the
//! string is what attribution reads, the minor units are what reports sum.

use crate::{get, is_unique_violation, now_us, values_placeholders, Result, Store, StoreError};
use chorus_core::OrgId;
use serde::Serialize;
use sqlx::any::AnyRow;

/// Per-organization attribution policy and ingestion secrets.
#[derive(Clone, Default, Serialize)]
pub struct TrackingSettings {
    /// `last`, `first` or `linear` (the customer-history rule).
    pub model: String,
    #[serde(skip)]
    pub webhook_secret: Option<String>,
    #[serde(skip)]
    pub shopify_secret: Option<String>,
    /// Public key of the first-party snippet (`/t.js?k=…`); not a secret.
    pub public_key: Option<String>,
}

impl std::fmt::Debug for TrackingSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackingSettings")
            .field("model", &self.model)
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub id: i64,
    pub org_id: OrgId,
    pub campaign_id: i64,
    pub account_id: i64,
    pub code: String,
    pub destination: String,
    pub platform: String,
    pub handle: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub disabled_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewLink<'a> {
    pub org_id: OrgId,
    pub campaign_id: i64,
    pub account_id: i64,
    pub code: &'a str,
    pub destination: &'a str,
}

/// One recorded hit on a tracking link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Click {
    pub click_id: String,
    pub org_id: i64,
    pub link_id: i64,
    pub at: i64,
    pub ip_hash: String,
    pub user_agent: Option<String>,
    pub referrer: Option<String>,
    pub country: Option<String>,
    pub bot: bool,
    pub unique: bool,
}

/// A click with the link facts attribution needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClickFacts {
    pub click_id: String,
    pub link_code: String,
    pub campaign_id: i64,
    pub account_id: i64,
    pub at: i64,
    pub bot: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoCode {
    pub id: i64,
    pub org_id: OrgId,
    pub campaign_id: i64,
    pub account_id: i64,
    pub code: String,
    pub valid_from: Option<i64>,
    pub valid_to: Option<i64>,
    pub single_use: bool,
    pub used_count: i64,
    pub created_at: i64,
    /// The single-use batch it was generated in, if any.
    pub batch_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewPromoCode<'a> {
    pub org_id: OrgId,
    pub campaign_id: i64,
    pub account_id: i64,
    pub code: &'a str,
    pub valid_from: Option<i64>,
    pub valid_to: Option<i64>,
    pub single_use: bool,
}

/// A generated batch of single-use codes.
#[derive(Debug, Clone)]
pub struct NewCodeBatch<'a> {
    pub org_id: OrgId,
    pub campaign_id: i64,
    pub pattern: &'a str,
    pub per_creator: i64,
    pub seed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: i64,
    pub org_id: OrgId,
    pub external_id: String,
    pub at: i64,
    pub amount: String,
    pub amount_minor: i64,
    pub currency: String,
    pub customer_key: Option<String>,
    pub click_id: Option<String>,
    pub codes: Vec<String>,
    pub referrer: Option<String>,
    pub source: String,
    pub deliveries: i64,
    pub received_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub external_id: &'a str,
    pub at: i64,
    pub amount: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub customer_key: Option<&'a str>,
    pub click_id: Option<&'a str>,
    pub codes: &'a [String],
    pub referrer: Option<&'a str>,
    pub source: &'a str,
    pub raw: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refund {
    pub id: i64,
    pub order_pk: i64,
    pub order_external_id: String,
    pub external_id: String,
    pub at: i64,
    pub amount: String,
    pub amount_minor: i64,
}

#[derive(Debug, Clone)]
pub struct NewRefund<'a> {
    pub order_external_id: &'a str,
    pub external_id: &'a str,
    pub at: i64,
    pub amount: &'a str,
    pub amount_minor: i64,
    pub source: &'a str,
    pub raw: &'a str,
}

/// What storing an order or refund did; `id` is the stored row either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ingested {
    pub id: i64,
    /// False when this external id was already stored (a re-delivery).
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identify {
    pub customer_key: String,
    pub click_id: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditRow {
    pub campaign_id: i64,
    pub account_id: i64,
    pub click_id: Option<String>,
    pub share_num: i64,
    pub share_den: i64,
}

/// The stored verdict for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributionRow {
    pub order_pk: i64,
    pub rule: String,
    pub self_referral: bool,
    /// A single-use code it carried had already been redeemed.
    pub code_reused: bool,
    pub net_amount: String,
    pub net_minor: i64,
    pub credits: Vec<CreditRow>,
}

/// One credited share of an order, with what reports need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditFact {
    pub order_pk: i64,
    pub campaign_id: i64,
    pub account_id: i64,
    pub order_at: i64,
    pub amount_minor: i64,
    pub net_minor: i64,
    pub currency: String,
    pub share_num: i64,
    pub share_den: i64,
    /// Time of the credited click, when the credit came through one.
    pub click_at: Option<i64>,
}

/// Clicks of one link on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClickDay {
    pub campaign_id: i64,
    pub account_id: i64,
    /// Days since the Unix epoch.
    pub day: i64,
    pub human: i64,
    pub bot: i64,
    pub unique_human: i64,
}

const US_PER_DAY: i64 = 86_400_000_000;

const LINK_COLS: &str = "l.id, l.org_id, l.campaign_id, l.account_id, l.code, l.destination, \
    l.created_at, l.updated_at, l.disabled_at, a.platform, a.handle";
const LINK_FROM: &str = "tracking_links l JOIN platform_accounts a ON a.id = l.account_id";

fn link_from(r: &AnyRow) -> Result<Link> {
    Ok(Link {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        campaign_id: get(r, "campaign_id")?,
        account_id: get(r, "account_id")?,
        code: get(r, "code")?,
        destination: get(r, "destination")?,
        platform: get(r, "platform")?,
        handle: get(r, "handle")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        disabled_at: get(r, "disabled_at")?,
    })
}

const CODE_COLS: &str = "id, org_id, campaign_id, account_id, code, valid_from, valid_to, \
    single_use, used_count, created_at, batch_id";

fn code_from(r: &AnyRow) -> Result<PromoCode> {
    Ok(PromoCode {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        campaign_id: get(r, "campaign_id")?,
        account_id: get(r, "account_id")?,
        code: get(r, "code")?,
        valid_from: get(r, "valid_from")?,
        valid_to: get(r, "valid_to")?,
        single_use: get::<i64>(r, "single_use")? != 0,
        used_count: get(r, "used_count")?,
        created_at: get(r, "created_at")?,
        batch_id: get(r, "batch_id")?,
    })
}

const ORDER_COLS: &str = "id, org_id, external_id, at, amount, amount_minor, currency, \
    customer_key, click_id, codes, referrer, source, deliveries, received_at";

fn order_from(r: &AnyRow) -> Result<Order> {
    let codes: String = get(r, "codes")?;
    Ok(Order {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        external_id: get(r, "external_id")?,
        at: get(r, "at")?,
        amount: get(r, "amount")?,
        amount_minor: get(r, "amount_minor")?,
        currency: get(r, "currency")?,
        customer_key: get(r, "customer_key")?,
        click_id: get(r, "click_id")?,
        codes: serde_json::from_str(&codes)
            .map_err(|e| StoreError::Corrupt(format!("order codes: {e}")))?,
        referrer: get(r, "referrer")?,
        source: get(r, "source")?,
        deliveries: get(r, "deliveries")?,
        received_at: get(r, "received_at")?,
    })
}

const CLICK_FACT_SQL: &str = "SELECT c.click_id, l.code, l.campaign_id, l.account_id, c.at, c.bot \
    FROM clicks c JOIN tracking_links l ON l.id = c.link_id";

fn click_fact_from(r: &AnyRow) -> Result<ClickFacts> {
    Ok(ClickFacts {
        click_id: get(r, "click_id")?,
        link_code: get(r, "code")?,
        campaign_id: get(r, "campaign_id")?,
        account_id: get(r, "account_id")?,
        at: get(r, "at")?,
        bot: get::<i64>(r, "bot")? != 0,
    })
}

/// Rows per multi-row INSERT of clicks (11 values each, far below the
/// bound-variable limits of both backends).
const CLICK_CHUNK: usize = 500;

/// Unicode lower case: checkout compares codes case-insensitively.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_lowercase()
}

fn conflict(e: sqlx::Error, what: String) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict(what)
    } else {
        e.into()
    }
}

impl Store {
    // ---- settings and secrets ----

    /// The organization's settings; defaults (model `last`, no secrets) when never set.
    pub async fn tracking_settings(&self, org: OrgId) -> Result<TrackingSettings> {
        let row = sqlx::query(
            "SELECT model, webhook_secret, shopify_secret, public_key FROM tracking_settings \
             WHERE org_id = $1",
        )
        .bind(org.0)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(TrackingSettings {
                model: get(&r, "model")?,
                webhook_secret: get(&r, "webhook_secret")?,
                shopify_secret: get(&r, "shopify_secret")?,
                public_key: get(&r, "public_key")?,
            }),
            None => Ok(TrackingSettings {
                model: "last".into(),
                ..TrackingSettings::default()
            }),
        }
    }

    async fn ensure_settings(&self, org: OrgId) -> Result<()> {
        sqlx::query(
            "INSERT INTO tracking_settings (org_id, model, updated_at) VALUES ($1, 'last', $2) \
             ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(now_us())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Set one settings column; `column` is one of a fixed set, never user input.
    async fn set_setting(&self, org: OrgId, column: &'static str, value: &str) -> Result<()> {
        self.ensure_settings(org).await?;
        let sql = format!(
            "UPDATE tracking_settings SET {column} = $1, updated_at = $2 WHERE org_id = $3"
        );
        sqlx::query(&sql)
            .bind(value)
            .bind(now_us())
            .bind(org.0)
            .execute(&self.pool)
            .await
            .map_err(|e| conflict(e, column.to_string()))?;
        Ok(())
    }

    /// `last`, `first` or `linear`; anything else is refused by the database.
    pub async fn set_attribution_model(&self, org: OrgId, model: &str) -> Result<()> {
        self.set_setting(org, "model", model).await
    }

    pub async fn set_webhook_secret(&self, org: OrgId, secret: &str) -> Result<()> {
        self.set_setting(org, "webhook_secret", secret).await
    }

    pub async fn set_shopify_secret(&self, org: OrgId, secret: &str) -> Result<()> {
        self.set_setting(org, "shopify_secret", secret).await
    }

    pub async fn set_public_key(&self, org: OrgId, key: &str) -> Result<()> {
        self.set_setting(org, "public_key", key).await
    }

    pub async fn org_by_public_key(&self, key: &str) -> Result<Option<OrgId>> {
        let row = sqlx::query("SELECT org_id FROM tracking_settings WHERE public_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| get(&r, "org_id").map(OrgId)).transpose()
    }

    /// A server-wide secret, created from `fresh` on first use; every
    /// instance sharing the database gets the same value.
    pub async fn server_secret(&self, name: &str, fresh: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .bind(now_us())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        get(&row, "value")
    }

    /// Attribution window per campaign of the organization, from the campaigns table.
    pub async fn campaign_windows(&self, org: OrgId) -> Result<Vec<(i64, i64)>> {
        let rows =
            sqlx::query("SELECT id, attribution_window_days FROM campaigns WHERE org_id = $1")
                .bind(org.0)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((get(r, "id")?, get(r, "attribution_window_days")?)))
            .collect()
    }

    /// Contact emails of accounts' creators: their own purchases are self-referrals.
    pub async fn account_emails(&self, accounts: &[i64]) -> Result<Vec<(i64, String)>> {
        let mut out = Vec::new();
        for chunk in accounts.chunks(500) {
            let ph = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT a.id, c.email FROM platform_accounts a JOIN creators c ON c.id = a.creator_id \
                 WHERE a.id IN ({ph}) AND c.email IS NOT NULL"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push((get(&r, "id")?, get(&r, "email")?));
            }
        }
        Ok(out)
    }

    // ---- links ----

    pub async fn create_link(&self, l: NewLink<'_>) -> Result<Link> {
        let now = now_us();
        let row = sqlx::query(
            "INSERT INTO tracking_links (org_id, campaign_id, account_id, code, destination, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(l.org_id.0)
        .bind(l.campaign_id)
        .bind(l.account_id)
        .bind(l.code)
        .bind(l.destination)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| conflict(e, format!("tracking link code {:?}", l.code)))?;
        let id: i64 = get(&row, "id")?;
        self.link(l.org_id, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("link vanished after insert".into()))
    }

    pub async fn link(&self, org: OrgId, id: i64) -> Result<Option<Link>> {
        let sql = format!("SELECT {LINK_COLS} FROM {LINK_FROM} WHERE l.id = $1 AND l.org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(link_from).transpose()
    }

    pub async fn list_links(&self, org: OrgId) -> Result<Vec<Link>> {
        let sql = format!("SELECT {LINK_COLS} FROM {LINK_FROM} WHERE l.org_id = $1 ORDER BY l.id");
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(link_from).collect()
    }

    /// Links of every organization changed after `since_us` (all with
    /// `i64::MIN`), oldest change first: this feeds the redirect cache.
    pub async fn links_changed_since(&self, since_us: i64) -> Result<Vec<Link>> {
        let sql = format!(
            "SELECT {LINK_COLS} FROM {LINK_FROM} WHERE l.updated_at > $1 ORDER BY l.updated_at, l.id"
        );
        let rows = sqlx::query(&sql)
            .bind(since_us)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(link_from).collect()
    }

    /// False when the organization has no such live link.
    pub async fn disable_link(&self, org: OrgId, id: i64) -> Result<bool> {
        let now = now_us();
        let r = sqlx::query(
            "UPDATE tracking_links SET disabled_at = $1, updated_at = $1 \
             WHERE id = $2 AND org_id = $3 AND disabled_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(org.0)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    // ---- clicks ----

    /// Store clicks; a click id already stored is skipped, so replaying a
    /// log is harmless. Returns how many were new.
    pub async fn insert_clicks(&self, clicks: &[Click]) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut n = 0;
        for chunk in clicks.chunks(CLICK_CHUNK) {
            // SQLite finds a numbered parameter's index by a linear scan
            // of the statement's names, so binding n `$k` parameters costs
            // n²; anonymous `?` parameters bind in n.
            let values = if self.backend == crate::Backend::Sqlite {
                anonymous_values(chunk.len(), 10)
            } else {
                values_placeholders(chunk.len(), 10)
            };
            let sql = format!(
                "INSERT INTO clicks (click_id, org_id, link_id, at, ip_hash, user_agent, referrer, \
                 country, bot, is_unique) VALUES {values} ON CONFLICT (click_id) DO NOTHING"
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q
                    .bind(&c.click_id)
                    .bind(c.org_id)
                    .bind(c.link_id)
                    .bind(c.at)
                    .bind(&c.ip_hash)
                    .bind(c.user_agent.as_deref())
                    .bind(c.referrer.as_deref())
                    .bind(c.country.as_deref())
                    .bind(i64::from(c.bot))
                    .bind(i64::from(c.unique));
            }
            n += q.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn count_clicks(&self, org: OrgId) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM clicks WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&self.pool)
            .await?;
        get(&row, "n")
    }

    pub async fn click(&self, org: OrgId, click_id: &str) -> Result<Option<Click>> {
        let row = sqlx::query(
            "SELECT click_id, org_id, link_id, at, ip_hash, user_agent, referrer, country, bot, \
             is_unique FROM clicks WHERE click_id = $1 AND org_id = $2",
        )
        .bind(click_id)
        .bind(org.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Click {
                click_id: get(&r, "click_id")?,
                org_id: get(&r, "org_id")?,
                link_id: get(&r, "link_id")?,
                at: get(&r, "at")?,
                ip_hash: get(&r, "ip_hash")?,
                user_agent: get(&r, "user_agent")?,
                referrer: get(&r, "referrer")?,
                country: get(&r, "country")?,
                bot: get::<i64>(&r, "bot")? != 0,
                unique: get::<i64>(&r, "is_unique")? != 0,
            })
        })
        .transpose()
    }

    /// Clicks of the organization named by these ids, with their link facts.
    pub async fn click_facts(&self, org: OrgId, ids: &[String]) -> Result<Vec<ClickFacts>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let ph = (2..chunk.len() + 2)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("{CLICK_FACT_SQL} WHERE c.org_id = $1 AND c.click_id IN ({ph})");
            let mut q = sqlx::query(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(click_fact_from(&r)?);
            }
        }
        Ok(out)
    }

    /// Every click of the organization (for a full re-attribution).
    pub async fn all_click_facts(&self, org: OrgId) -> Result<Vec<ClickFacts>> {
        let sql = format!("{CLICK_FACT_SQL} WHERE c.org_id = $1");
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(click_fact_from).collect()
    }

    // ---- promo codes ----

    pub async fn create_promo_code(&self, c: NewPromoCode<'_>) -> Result<PromoCode> {
        let row = sqlx::query(
            "INSERT INTO promo_codes (org_id, campaign_id, account_id, code, code_norm, valid_from, \
             valid_to, single_use, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
        )
        .bind(c.org_id.0)
        .bind(c.campaign_id)
        .bind(c.account_id)
        .bind(c.code.trim())
        .bind(normalize_code(c.code))
        .bind(c.valid_from)
        .bind(c.valid_to)
        .bind(i64::from(c.single_use))
        .bind(now_us())
        .fetch_one(&self.pool)
        .await?;
        let id: i64 = get(&row, "id")?;
        let sql = format!("SELECT {CODE_COLS} FROM promo_codes WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?;
        code_from(&row)
    }

    pub async fn list_promo_codes(&self, org: OrgId) -> Result<Vec<PromoCode>> {
        let sql = format!("SELECT {CODE_COLS} FROM promo_codes WHERE org_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(code_from).collect()
    }

    /// Codes of the organization whose text matches one of `codes`
    /// (case-insensitively), in creation order.
    pub async fn promo_codes_matching(
        &self,
        org: OrgId,
        codes: &[String],
    ) -> Result<Vec<PromoCode>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let norms: Vec<String> = codes.iter().take(100).map(|c| normalize_code(c)).collect();
        let ph = (2..norms.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {CODE_COLS} FROM promo_codes WHERE org_id = $1 AND code_norm IN ({ph}) ORDER BY id"
        );
        let mut q = sqlx::query(&sql).bind(org.0);
        for n in &norms {
            q = q.bind(n);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(code_from).collect()
    }

    /// Orders of the organization that carried any of these codes
    /// (compared as [`normalize_code`] does), in time order.
    pub async fn orders_using_codes(&self, org: OrgId, codes: &[String]) -> Result<Vec<Order>> {
        let mut norms: Vec<String> = codes.iter().map(|c| normalize_code(c)).collect();
        norms.sort();
        norms.dedup();
        let cols = ORDER_COLS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut out: Vec<Order> = Vec::new();
        for chunk in norms.chunks(500) {
            let sql = format!(
                "SELECT DISTINCT {cols} FROM code_uses u JOIN orders o ON o.id = u.order_pk \
                 WHERE u.org_id = $1 AND u.code_norm IN ({})",
                placeholders_from(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(org.0);
            for n in chunk {
                q = q.bind(n);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(order_from(&r)?);
            }
        }
        out.sort_by_key(|o| (o.at, o.id));
        out.dedup_by_key(|o| o.id);
        Ok(out)
    }

    /// Store many codes in one transaction (an import or a generated batch);
    /// with `batch`, a batch row (campaign, pattern, per creator, seed) is
    /// created first and the codes point to it. Returns the stored codes.
    pub async fn create_promo_codes(
        &self,
        codes: &[NewPromoCode<'_>],
        batch: Option<NewCodeBatch<'_>>,
    ) -> Result<Vec<PromoCode>> {
        let now = now_us();
        let mut tx = self.pool.begin().await?;
        let batch_id: Option<i64> = match &batch {
            Some(b) => {
                let row = sqlx::query(
                    "INSERT INTO promo_code_batches (org_id, campaign_id, pattern, per_creator, \
                     seed, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(b.org_id.0)
                .bind(b.campaign_id)
                .bind(b.pattern)
                .bind(b.per_creator)
                .bind(b.seed)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Some(get(&row, "id")?)
            }
            None => None,
        };
        let mut ids = Vec::with_capacity(codes.len());
        for c in codes {
            let row = sqlx::query(
                "INSERT INTO promo_codes (org_id, campaign_id, account_id, code, code_norm, \
                 valid_from, valid_to, single_use, created_at, batch_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(c.org_id.0)
            .bind(c.campaign_id)
            .bind(c.account_id)
            .bind(c.code.trim())
            .bind(normalize_code(c.code))
            .bind(c.valid_from)
            .bind(c.valid_to)
            .bind(i64::from(c.single_use))
            .bind(now)
            .bind(batch_id)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(get::<i64>(&row, "id")?);
        }
        tx.commit().await?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {CODE_COLS} FROM promo_codes WHERE id IN ({}) ORDER BY id",
                placeholders_from(1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(code_from(&r)?);
            }
        }
        Ok(out)
    }

    // ---- orders, refunds, identifies ----

    /// Store an order once per (organization, external id); a re-delivery
    /// only counts the delivery. Committed before it returns.
    pub async fn ingest_order(&self, org: OrgId, o: &NewOrder<'_>) -> Result<Ingested> {
        let mut tx = self.pool.begin().await?;
        let ing = upsert_order(&mut tx, org, o).await?;
        tx.commit().await?;
        Ok(ing)
    }

    /// Store many orders (of any organizations) in one transaction, durably
    /// even on SQLite (`synchronous=FULL` for this commit): group commit,
    /// one sync for the whole batch. Results are in input order; an order id
    /// repeated within the batch is created once.
    pub async fn ingest_orders(&self, orders: &[(OrgId, NewOrder<'_>)]) -> Result<Vec<Ingested>> {
        let mut conn = self.pool.acquire().await?;
        let sqlite = self.backend == crate::Backend::Sqlite;
        if sqlite {
            sqlx::query("PRAGMA synchronous=FULL")
                .execute(&mut *conn)
                .await?;
        }
        let res = async {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let mut out = Vec::with_capacity(orders.len());
            for (org, o) in orders {
                out.push(upsert_order(&mut tx, *org, o).await?);
            }
            tx.commit().await?;
            Ok::<_, StoreError>(out)
        }
        .await;
        if sqlite {
            sqlx::query("PRAGMA synchronous=NORMAL")
                .execute(&mut *conn)
                .await?;
        }
        res
    }

    /// Orders of the organization by stored id (any order of ids).
    pub async fn orders_by_ids(&self, org: OrgId, ids: &[i64]) -> Result<Vec<Order>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {ORDER_COLS} FROM orders WHERE org_id = $1 AND id IN ({})",
                placeholders_from(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(order_from(&r)?);
            }
        }
        Ok(out)
    }

    /// Orders of any of these customer keys.
    pub async fn orders_of_customers(&self, org: OrgId, keys: &[String]) -> Result<Vec<Order>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT {ORDER_COLS} FROM orders WHERE org_id = $1 AND customer_key IN ({}) \
                 ORDER BY at, id",
                placeholders_from(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(org.0);
            for k in chunk {
                q = q.bind(k);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(order_from(&r)?);
            }
        }
        Ok(out)
    }

    /// Identify events of any of these customer keys.
    pub async fn identifies_of(&self, org: OrgId, keys: &[String]) -> Result<Vec<Identify>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT customer_key, click_id, at FROM identifies WHERE org_id = $1 \
                 AND customer_key IN ({}) ORDER BY id",
                placeholders_from(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(org.0);
            for k in chunk {
                q = q.bind(k);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.push(Identify {
                    customer_key: get(&r, "customer_key")?,
                    click_id: get(&r, "click_id")?,
                    at: get(&r, "at")?,
                });
            }
        }
        Ok(out)
    }

    /// One page of the organization's orders in id order, after `after_id`:
    /// re-attribution reads a large history this way, never all at once.
    pub async fn orders_page(&self, org: OrgId, after_id: i64, limit: i64) -> Result<Vec<Order>> {
        let sql = format!(
            "SELECT {ORDER_COLS} FROM orders WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from).collect()
    }

    pub async fn order(&self, org: OrgId, id: i64) -> Result<Option<Order>> {
        let sql = format!("SELECT {ORDER_COLS} FROM orders WHERE id = $1 AND org_id = $2");
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(order_from).transpose()
    }

    pub async fn order_by_external_id(
        &self,
        org: OrgId,
        external_id: &str,
    ) -> Result<Option<Order>> {
        let sql = format!("SELECT {ORDER_COLS} FROM orders WHERE external_id = $1 AND org_id = $2");
        let row = sqlx::query(&sql)
            .bind(external_id)
            .bind(org.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(order_from).transpose()
    }

    /// Orders of the organization, optionally from `since_us` on, in time order.
    pub async fn list_orders(&self, org: OrgId, since_us: Option<i64>) -> Result<Vec<Order>> {
        let sql = format!(
            "SELECT {ORDER_COLS} FROM orders WHERE org_id = $1 AND at >= $2 ORDER BY at, external_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(since_us.unwrap_or(i64::MIN))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from).collect()
    }

    pub async fn count_orders(&self, org: OrgId) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM orders WHERE org_id = $1")
            .bind(org.0)
            .fetch_one(&self.pool)
            .await?;
        get(&row, "n")
    }

    /// Orders of one customer key (the history the customer rule reads).
    pub async fn orders_of_customer(&self, org: OrgId, customer_key: &str) -> Result<Vec<Order>> {
        let sql = format!(
            "SELECT {ORDER_COLS} FROM orders WHERE org_id = $1 AND customer_key = $2 ORDER BY at"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(customer_key)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(order_from).collect()
    }

    /// Store a refund once per (organization, external id). `Ok(None)` when
    /// the order is unknown to this organization.
    pub async fn ingest_refund(&self, org: OrgId, r: &NewRefund<'_>) -> Result<Option<Ingested>> {
        let Some(order) = self.order_by_external_id(org, r.order_external_id).await? else {
            return Ok(None);
        };
        let row = sqlx::query(
            "INSERT INTO refunds (org_id, order_pk, external_id, at, amount, amount_minor, source, \
             raw, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (org_id, external_id) DO NOTHING RETURNING id",
        )
        .bind(org.0)
        .bind(order.id)
        .bind(r.external_id)
        .bind(r.at)
        .bind(r.amount)
        .bind(r.amount_minor)
        .bind(r.source)
        .bind(r.raw)
        .bind(now_us())
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = row {
            return Ok(Some(Ingested {
                id: get(&row, "id")?,
                created: true,
            }));
        }
        let row = sqlx::query("SELECT id FROM refunds WHERE org_id = $1 AND external_id = $2")
            .bind(org.0)
            .bind(r.external_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(Some(Ingested {
            id: get(&row, "id")?,
            created: false,
        }))
    }

    /// Refunds of these orders (by stored order id), or of every order of
    /// the organization when `orders` is `None`.
    pub async fn refunds_of(&self, org: OrgId, orders: Option<&[i64]>) -> Result<Vec<Refund>> {
        let base = "SELECT r.id, r.order_pk, o.external_id AS order_external_id, r.external_id, \
                    r.at, r.amount, r.amount_minor FROM refunds r JOIN orders o ON o.id = r.order_pk \
                    WHERE r.org_id = $1";
        let rows = match orders {
            None => {
                sqlx::query(&format!("{base} ORDER BY r.id"))
                    .bind(org.0)
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(ids) => {
                let mut rows = Vec::new();
                for chunk in ids.chunks(500) {
                    let ph = (2..chunk.len() + 2)
                        .map(|i| format!("${i}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!("{base} AND r.order_pk IN ({ph}) ORDER BY r.id");
                    let mut q = sqlx::query(&sql).bind(org.0);
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    rows.extend(q.fetch_all(&self.pool).await?);
                }
                rows
            }
        };
        rows.iter()
            .map(|r| {
                Ok(Refund {
                    id: get(r, "id")?,
                    order_pk: get(r, "order_pk")?,
                    order_external_id: get(r, "order_external_id")?,
                    external_id: get(r, "external_id")?,
                    at: get(r, "at")?,
                    amount: get(r, "amount")?,
                    amount_minor: get(r, "amount_minor")?,
                })
            })
            .collect()
    }

    /// Record that `customer_key` is the shopper behind `click_id`; true when new.
    pub async fn record_identify(
        &self,
        org: OrgId,
        customer_key: &str,
        click_id: &str,
        at: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "INSERT INTO identifies (org_id, customer_key, click_id, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, customer_key, click_id) DO NOTHING",
        )
        .bind(org.0)
        .bind(customer_key)
        .bind(click_id)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Identify events of one customer key, or of the whole organization.
    pub async fn identifies(
        &self,
        org: OrgId,
        customer_key: Option<&str>,
    ) -> Result<Vec<Identify>> {
        let rows = match customer_key {
            Some(k) => {
                sqlx::query(
                    "SELECT customer_key, click_id, at FROM identifies \
                     WHERE org_id = $1 AND customer_key = $2 ORDER BY id",
                )
                .bind(org.0)
                .bind(k)
                .fetch_all(&self.pool)
                .await?
            }
            None => sqlx::query(
                "SELECT customer_key, click_id, at FROM identifies WHERE org_id = $1 ORDER BY id",
            )
            .bind(org.0)
            .fetch_all(&self.pool)
            .await?,
        };
        rows.iter()
            .map(|r| {
                Ok(Identify {
                    customer_key: get(r, "customer_key")?,
                    click_id: get(r, "click_id")?,
                    at: get(r, "at")?,
                })
            })
            .collect()
    }

    // ---- attributions ----

    /// Replace the stored verdicts of these orders, all in one transaction.
    pub async fn save_attributions(&self, org: OrgId, rows: &[AttributionRow]) -> Result<()> {
        let now = now_us();
        let mut tx = self.pool.begin().await?;
        // Credits are only ever written beside a verdict, so an order without
        // a verdict (every new order) has none to delete; finding those
        // through the verdicts' key spares a search of all credits per order.
        // A write (not a read) comes first, so the transaction holds the
        // write lock from its start.
        let mut had = std::collections::HashSet::new();
        for chunk in rows.chunks(500) {
            let sql = format!(
                "UPDATE attributions SET computed_at = $1 WHERE org_id = $2 AND order_pk IN ({}) \
                 RETURNING order_pk",
                placeholders_from(3, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(now).bind(org.0);
            for a in chunk {
                q = q.bind(a.order_pk);
            }
            for r in q.fetch_all(&mut *tx).await? {
                had.insert(get::<i64>(&r, "order_pk")?);
            }
        }
        for a in rows {
            if had.contains(&a.order_pk) {
                sqlx::query("DELETE FROM attribution_credits WHERE order_pk = $1 AND org_id = $2")
                    .bind(a.order_pk)
                    .bind(org.0)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO attributions (order_pk, org_id, rule, self_referral, net_amount, \
                 net_minor, computed_at, code_reused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (order_pk) DO UPDATE SET rule = excluded.rule, \
                 self_referral = excluded.self_referral, net_amount = excluded.net_amount, \
                 net_minor = excluded.net_minor, computed_at = excluded.computed_at, \
                 code_reused = excluded.code_reused",
            )
            .bind(a.order_pk)
            .bind(org.0)
            .bind(&a.rule)
            .bind(i64::from(a.self_referral))
            .bind(&a.net_amount)
            .bind(a.net_minor)
            .bind(now)
            .bind(i64::from(a.code_reused))
            .execute(&mut *tx)
            .await?;
            for c in &a.credits {
                sqlx::query(
                    "INSERT INTO attribution_credits (order_pk, org_id, campaign_id, account_id, \
                     click_id, share_num, share_den) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(a.order_pk)
                .bind(org.0)
                .bind(c.campaign_id)
                .bind(c.account_id)
                .bind(c.click_id.as_deref())
                .bind(c.share_num)
                .bind(c.share_den)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn attribution(&self, org: OrgId, order_pk: i64) -> Result<Option<AttributionRow>> {
        let Some(row) = sqlx::query(
            "SELECT order_pk, rule, self_referral, net_amount, net_minor, code_reused \
             FROM attributions WHERE order_pk = $1 AND org_id = $2",
        )
        .bind(order_pk)
        .bind(org.0)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let credits = sqlx::query(
            "SELECT campaign_id, account_id, click_id, share_num, share_den FROM attribution_credits \
             WHERE order_pk = $1 AND org_id = $2 ORDER BY account_id, campaign_id",
        )
        .bind(order_pk)
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(CreditRow {
                campaign_id: get(r, "campaign_id")?,
                account_id: get(r, "account_id")?,
                click_id: get(r, "click_id")?,
                share_num: get(r, "share_num")?,
                share_den: get(r, "share_den")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(AttributionRow {
            order_pk: get(&row, "order_pk")?,
            rule: get(&row, "rule")?,
            self_referral: get::<i64>(&row, "self_referral")? != 0,
            code_reused: get::<i64>(&row, "code_reused")? != 0,
            net_amount: get(&row, "net_amount")?,
            net_minor: get(&row, "net_minor")?,
            credits,
        }))
    }

    /// Stored verdicts of these orders, keyed by order id (bulk: 500 per query).
    pub async fn attributions_of(
        &self,
        org: OrgId,
        order_pks: &[i64],
    ) -> Result<std::collections::HashMap<i64, AttributionRow>> {
        let mut out = std::collections::HashMap::with_capacity(order_pks.len());
        for chunk in order_pks.chunks(500) {
            let ph = placeholders_from(2, chunk.len());
            let sql = format!(
                "SELECT order_pk, rule, self_referral, net_amount, net_minor, code_reused \
                 FROM attributions WHERE org_id = $1 AND order_pk IN ({ph})"
            );
            let mut q = sqlx::query(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let pk: i64 = get(&r, "order_pk")?;
                out.insert(
                    pk,
                    AttributionRow {
                        order_pk: pk,
                        rule: get(&r, "rule")?,
                        self_referral: get::<i64>(&r, "self_referral")? != 0,
                        code_reused: get::<i64>(&r, "code_reused")? != 0,
                        net_amount: get(&r, "net_amount")?,
                        net_minor: get(&r, "net_minor")?,
                        credits: Vec::new(),
                    },
                );
            }
            let sql = format!(
                "SELECT order_pk, campaign_id, account_id, click_id, share_num, share_den \
                 FROM attribution_credits WHERE org_id = $1 AND order_pk IN ({ph}) \
                 ORDER BY order_pk, account_id, campaign_id"
            );
            let mut q = sqlx::query(&sql).bind(org.0);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let pk: i64 = get(&r, "order_pk")?;
                if let Some(a) = out.get_mut(&pk) {
                    a.credits.push(CreditRow {
                        campaign_id: get(&r, "campaign_id")?,
                        account_id: get(&r, "account_id")?,
                        click_id: get(&r, "click_id")?,
                        share_num: get(&r, "share_num")?,
                        share_den: get(&r, "share_den")?,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Orders credited by the code rule, with the credited campaign and
    /// account, optionally of one campaign only: the orders whose codes the
    /// leaked-code report examines.
    pub async fn code_credited_orders(
        &self,
        org: OrgId,
        campaign: Option<i64>,
    ) -> Result<Vec<(Order, i64, i64)>> {
        let cols = ORDER_COLS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols}, k.campaign_id AS credit_campaign, k.account_id AS credit_account \
             FROM orders o JOIN attributions a ON a.order_pk = o.id \
             JOIN attribution_credits k ON k.order_pk = o.id \
             WHERE o.org_id = $1 AND a.rule = 'code' AND ($2 = 0 OR k.campaign_id = $2) \
             ORDER BY o.id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(campaign.unwrap_or(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    order_from(r)?,
                    get(r, "credit_campaign")?,
                    get(r, "credit_account")?,
                ))
            })
            .collect()
    }

    /// Orders of the organization that have no stored verdict yet (e.g. the
    /// process stopped between committing an order and attributing it).
    pub async fn unattributed_order_ids(&self, org: OrgId) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT o.id FROM orders o LEFT JOIN attributions a ON a.order_pk = o.id \
             WHERE o.org_id = $1 AND a.order_pk IS NULL ORDER BY o.id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| get(r, "id")).collect()
    }

    // ---- reports ----

    /// Clicks per (campaign, account, UTC day) in `[from_us, to_us)`.
    pub async fn click_days(&self, org: OrgId, from_us: i64, to_us: i64) -> Result<Vec<ClickDay>> {
        let sql = format!(
            "SELECT l.campaign_id, l.account_id, c.at / {US_PER_DAY} AS day, \
             SUM(CASE WHEN c.bot = 0 THEN 1 ELSE 0 END) AS human, \
             SUM(CASE WHEN c.bot = 1 THEN 1 ELSE 0 END) AS bot, \
             SUM(CASE WHEN c.bot = 0 AND c.is_unique = 1 THEN 1 ELSE 0 END) AS uniq \
             FROM clicks c JOIN tracking_links l ON l.id = c.link_id \
             WHERE c.org_id = $1 AND c.at >= $2 AND c.at < $3 \
             GROUP BY l.campaign_id, l.account_id, c.at / {US_PER_DAY} \
             ORDER BY day, l.campaign_id, l.account_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(from_us)
            .bind(to_us)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ClickDay {
                    campaign_id: get(r, "campaign_id")?,
                    account_id: get(r, "account_id")?,
                    day: get(r, "day")?,
                    human: get(r, "human")?,
                    bot: get(r, "bot")?,
                    unique_human: get(r, "uniq")?,
                })
            })
            .collect()
    }

    /// Every credited share of orders placed in `[from_us, to_us)`.
    pub async fn credit_facts(
        &self,
        org: OrgId,
        from_us: i64,
        to_us: i64,
    ) -> Result<Vec<CreditFact>> {
        let rows = sqlx::query(
            "SELECT k.order_pk, k.campaign_id, k.account_id, o.at AS order_at, o.amount_minor, \
             a.net_minor, o.currency, k.share_num, k.share_den, c.at AS click_at \
             FROM attribution_credits k JOIN orders o ON o.id = k.order_pk \
             JOIN attributions a ON a.order_pk = k.order_pk \
             LEFT JOIN clicks c ON c.click_id = k.click_id AND c.org_id = k.org_id \
             WHERE k.org_id = $1 AND o.at >= $2 AND o.at < $3 ORDER BY o.at, k.order_pk",
        )
        .bind(org.0)
        .bind(from_us)
        .bind(to_us)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CreditFact {
                    order_pk: get(r, "order_pk")?,
                    campaign_id: get(r, "campaign_id")?,
                    account_id: get(r, "account_id")?,
                    order_at: get(r, "order_at")?,
                    amount_minor: get(r, "amount_minor")?,
                    net_minor: get(r, "net_minor")?,
                    currency: get(r, "currency")?,
                    share_num: get(r, "share_num")?,
                    share_den: get(r, "share_den")?,
                    click_at: get(r, "click_at")?,
                })
            })
            .collect()
    }
}

fn placeholders_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(?, ?, …), (?, …)`: `rows` groups of `cols` anonymous SQLite parameters.
fn anonymous_values(rows: usize, cols: usize) -> String {
    let group = format!("({})", vec!["?"; cols].join(", "));
    vec![group.as_str(); rows].join(", ")
}

async fn upsert_order(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    o: &NewOrder<'_>,
) -> Result<Ingested> {
    let codes =
        serde_json::to_string(o.codes).map_err(|e| StoreError::Corrupt(format!("codes: {e}")))?;
    let row = sqlx::query(
        "INSERT INTO orders (org_id, external_id, at, amount, amount_minor, currency, \
         customer_key, click_id, codes, referrer, source, raw, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (org_id, external_id) DO UPDATE SET deliveries = orders.deliveries + 1 \
         RETURNING id, deliveries",
    )
    .bind(org.0)
    .bind(o.external_id)
    .bind(o.at)
    .bind(o.amount)
    .bind(o.amount_minor)
    .bind(o.currency)
    .bind(o.customer_key)
    .bind(o.click_id)
    .bind(codes)
    .bind(o.referrer)
    .bind(o.source)
    .bind(o.raw)
    .bind(now_us())
    .fetch_one(&mut *conn)
    .await?;
    let ing = Ingested {
        id: get(&row, "id")?,
        created: get::<i64>(&row, "deliveries")? == 1,
    };
    if ing.created && !o.codes.is_empty() {
        let mut norms: Vec<String> = o.codes.iter().map(|c| normalize_code(c)).collect();
        norms.sort();
        norms.dedup();
        norms.retain(|c| !c.is_empty());
        for n in &norms {
            sqlx::query(
                "INSERT INTO code_uses (org_id, code_norm, order_pk) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(org.0)
            .bind(n)
            .bind(ing.id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(ing)
}
