//! Pay (organization-scoped): what settlement reads (deal terms, milestone
//! events, credited orders, daily rates), what it records (commission line
//! states and double-entry ledger entries, both append-only), and payout
//! runs with their items.
//!
//! Recording takes a per-organization row lock first, so two instances
//! recording at once append each change once.

use crate::{get, now_us, Result, Store, StoreError};
use chorus_core::{OrgId, UserId};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A campaign member whose deal terms settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayMember {
    pub member_id: i64,
    pub campaign_id: i64,
    pub campaign_name: String,
    pub account_id: i64,
    pub handle: String,
    pub terms: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayEvent {
    pub campaign_id: i64,
    pub account_id: i64,
    pub event: String,
    pub at: i64,
}

/// One credited share of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayCredit {
    pub order_pk: i64,
    pub external_id: String,
    pub at: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub campaign_id: i64,
    pub account_id: i64,
    pub share_num: i64,
    pub share_den: i64,
}

/// 1 `from` = `rate` `to` on `day` (YYYY-MM-DD, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FxRate {
    pub day: String,
    pub from: String,
    pub to: String,
    pub rate: String,
}

/// The state of one commission line as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineState {
    pub line_key: String,
    pub creator: String,
    pub campaign: String,
    pub kind: String,
    pub reference: String,
    pub currency: String,
    pub amount_minor: i64,
    pub status: String,
    pub bucket: String,
    pub at: Option<i64>,
    pub payable_at: Option<i64>,
    pub paid_in: Option<String>,
}

impl LineState {
    /// Same state: nothing to record.
    pub fn same_as(&self, other: &LineState) -> bool {
        self == other
    }
}

/// One ledger posting. `minor` is never negative; `side` is `debit` or `credit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub txn: String,
    pub account: String,
    pub side: String,
    pub minor: i64,
    pub currency: String,
    pub reference: String,
    pub recorded_at: i64,
}

/// What one recording appends.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    pub lines: Vec<LineState>,
    /// `id` and `recorded_at` are assigned on insert.
    pub entries: Vec<LedgerEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutRunRow {
    pub id: i64,
    pub org_id: OrgId,
    pub key: String,
    pub as_of: i64,
    pub min_payout: String,
    pub status: String,
    pub seq: Option<i64>,
    pub created_by: Option<i64>,
    pub approved_by: Option<i64>,
    pub created_at: i64,
    pub approved_at: Option<i64>,
    pub exported_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutItemRow {
    pub id: i64,
    pub run_id: i64,
    pub item_id: String,
    pub account_id: i64,
    pub currency: String,
    pub amount_minor: i64,
    pub lines: i64,
    pub status: String,
    pub provider_ref: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewPayoutItem {
    pub item_id: String,
    pub account_id: i64,
    pub currency: String,
    pub amount_minor: i64,
    pub lines: i64,
}

const RUN_COLS: &str = "id, org_id, idempotency_key, as_of, min_payout, status, seq, created_by, \
     approved_by, created_at, approved_at, exported_at";
const ITEM_COLS: &str =
    "id, run_id, item_id, account_id, currency, amount_minor, lines, status, provider_ref, updated_at";
const LINE_COLS: &str = "line_key, creator, campaign, kind, reference, currency, amount_minor, \
     status, bucket, at, payable_at, paid_in";

fn run_from(r: &AnyRow) -> Result<PayoutRunRow> {
    Ok(PayoutRunRow {
        id: get(r, "id")?,
        org_id: OrgId(get(r, "org_id")?),
        key: get(r, "idempotency_key")?,
        as_of: get(r, "as_of")?,
        min_payout: get(r, "min_payout")?,
        status: get(r, "status")?,
        seq: get(r, "seq")?,
        created_by: get(r, "created_by")?,
        approved_by: get(r, "approved_by")?,
        created_at: get(r, "created_at")?,
        approved_at: get(r, "approved_at")?,
        exported_at: get(r, "exported_at")?,
    })
}

fn item_from(r: &AnyRow) -> Result<PayoutItemRow> {
    Ok(PayoutItemRow {
        id: get(r, "id")?,
        run_id: get(r, "run_id")?,
        item_id: get(r, "item_id")?,
        account_id: get(r, "account_id")?,
        currency: get(r, "currency")?,
        amount_minor: get(r, "amount_minor")?,
        lines: get(r, "lines")?,
        status: get(r, "status")?,
        provider_ref: get(r, "provider_ref")?,
        updated_at: get(r, "updated_at")?,
    })
}

fn line_from(r: &AnyRow) -> Result<LineState> {
    Ok(LineState {
        line_key: get(r, "line_key")?,
        creator: get(r, "creator")?,
        campaign: get(r, "campaign")?,
        kind: get(r, "kind")?,
        reference: get(r, "reference")?,
        currency: get(r, "currency")?,
        amount_minor: get(r, "amount_minor")?,
        status: get(r, "status")?,
        bucket: get(r, "bucket")?,
        at: get(r, "at")?,
        payable_at: get(r, "payable_at")?,
        paid_in: get(r, "paid_in")?,
    })
}

fn entry_from(r: &AnyRow) -> Result<LedgerEntry> {
    Ok(LedgerEntry {
        id: get(r, "id")?,
        txn: get(r, "txn")?,
        account: get(r, "account")?,
        side: get(r, "side")?,
        minor: get(r, "minor")?,
        currency: get(r, "currency")?,
        reference: get(r, "reference")?,
        recorded_at: get(r, "recorded_at")?,
    })
}

/// Outcome of a provider result for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemOutcome {
    Paid,
    Failed,
}

/// What applying one result did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemChange {
    Updated,
    /// Already final (paid or failed): left as it was.
    AlreadyFinal,
    /// No item with this id in the run.
    Unknown,
}

impl Store {
    // ---- settlement input ----

    /// Every campaign member of the organization with their deal terms.
    pub async fn pay_members(&self, org: OrgId) -> Result<Vec<PayMember>> {
        let rows = sqlx::query(
            "SELECT m.id, m.campaign_id, c.name AS campaign_name, m.account_id, a.handle, m.terms \
             FROM campaign_members m JOIN campaigns c ON c.id = m.campaign_id \
             JOIN platform_accounts a ON a.id = m.account_id \
             WHERE m.org_id = $1 ORDER BY m.campaign_id, m.account_id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PayMember {
                    member_id: get(r, "id")?,
                    campaign_id: get(r, "campaign_id")?,
                    campaign_name: get(r, "campaign_name")?,
                    account_id: get(r, "account_id")?,
                    handle: get(r, "handle")?,
                    terms: get(r, "terms")?,
                })
            })
            .collect()
    }

    /// Milestone events of every member of the organization, in time order.
    pub async fn pay_events(&self, org: OrgId) -> Result<Vec<PayEvent>> {
        let rows = sqlx::query(
            "SELECT m.campaign_id, m.account_id, e.event, e.at FROM milestone_events e \
             JOIN campaign_members m ON m.id = e.member_id \
             WHERE e.org_id = $1 AND m.org_id = $1 ORDER BY e.at, e.id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PayEvent {
                    campaign_id: get(r, "campaign_id")?,
                    account_id: get(r, "account_id")?,
                    event: get(r, "event")?,
                    at: get(r, "at")?,
                })
            })
            .collect()
    }

    /// Every credited share of every attributed order, by order then account.
    pub async fn pay_credits(&self, org: OrgId) -> Result<Vec<PayCredit>> {
        let rows = sqlx::query(
            "SELECT k.order_pk, o.external_id, o.at, o.amount_minor, o.currency, k.campaign_id, \
             k.account_id, k.share_num, k.share_den \
             FROM attribution_credits k JOIN orders o ON o.id = k.order_pk \
             WHERE k.org_id = $1 AND o.org_id = $1 ORDER BY k.order_pk, k.account_id, k.campaign_id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PayCredit {
                    order_pk: get(r, "order_pk")?,
                    external_id: get(r, "external_id")?,
                    at: get(r, "at")?,
                    amount_minor: get(r, "amount_minor")?,
                    currency: get(r, "currency")?,
                    campaign_id: get(r, "campaign_id")?,
                    account_id: get(r, "account_id")?,
                    share_num: get(r, "share_num")?,
                    share_den: get(r, "share_den")?,
                })
            })
            .collect()
    }

    // ---- exchange rates ----

    /// Store daily rates in one transaction; a rate already stored for the
    /// same day and pair is replaced. Returns how many rows were written.
    pub async fn import_fx_rates(&self, org: OrgId, rates: &[FxRate]) -> Result<u64> {
        let now = now_us();
        let mut tx = self.pool.begin().await?;
        for r in rates {
            sqlx::query(
                "INSERT INTO fx_rates (org_id, day, from_currency, to_currency, rate, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, day, from_currency, to_currency) \
                 DO UPDATE SET rate = excluded.rate, imported_at = excluded.imported_at",
            )
            .bind(org.0)
            .bind(&r.day)
            .bind(&r.from)
            .bind(&r.to)
            .bind(&r.rate)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(rates.len() as u64)
    }

    pub async fn fx_rates(&self, org: OrgId) -> Result<Vec<FxRate>> {
        let rows = sqlx::query(
            "SELECT day, from_currency, to_currency, rate FROM fx_rates WHERE org_id = $1 \
             ORDER BY day, from_currency, to_currency",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FxRate {
                    day: get(r, "day")?,
                    from: get(r, "from_currency")?,
                    to: get(r, "to_currency")?,
                    rate: get(r, "rate")?,
                })
            })
            .collect()
    }

    // ---- commission lines and ledger ----

    /// The latest recorded state of every line of the organization.
    pub async fn line_states(&self, org: OrgId) -> Result<Vec<LineState>> {
        let sql = format!(
            "SELECT {LINE_COLS} FROM pay_lines p WHERE p.org_id = $1 AND p.id = \
             (SELECT MAX(q.id) FROM pay_lines q WHERE q.org_id = p.org_id AND q.line_key = p.line_key) \
             ORDER BY p.line_key"
        );
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(line_from).collect()
    }

    /// Every state ever recorded for one line, oldest first.
    pub async fn line_history(&self, org: OrgId, line_key: &str) -> Result<Vec<LineState>> {
        let sql = format!(
            "SELECT {LINE_COLS} FROM pay_lines WHERE org_id = $1 AND line_key = $2 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(line_key)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(line_from).collect()
    }

    pub async fn ledger_entries(&self, org: OrgId) -> Result<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT id, txn, account, side, minor, currency, reference, recorded_at \
             FROM ledger_entries WHERE org_id = $1 ORDER BY id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from).collect()
    }

    /// Append what `plan` decides from the stored line states and entries,
    /// under the organization's lock, in one transaction. `plan` may refuse
    /// (e.g. the stored ledger does not check out); nothing is written then.
    pub async fn record_pay<E>(
        &self,
        org: OrgId,
        plan: impl FnOnce(&[LineState], &[LedgerEntry]) -> std::result::Result<Recording, E>,
    ) -> Result<std::result::Result<Recording, E>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO pay_locks (org_id, n) VALUES ($1, 1) \
             ON CONFLICT (org_id) DO UPDATE SET n = pay_locks.n + 1",
        )
        .bind(org.0)
        .execute(&mut *tx)
        .await?;
        let sql = format!(
            "SELECT {LINE_COLS} FROM pay_lines p WHERE p.org_id = $1 AND p.id = \
             (SELECT MAX(q.id) FROM pay_lines q WHERE q.org_id = p.org_id AND q.line_key = p.line_key) \
             ORDER BY p.line_key"
        );
        let lines = sqlx::query(&sql)
            .bind(org.0)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(line_from)
            .collect::<Result<Vec<_>>>()?;
        let entries = sqlx::query(
            "SELECT id, txn, account, side, minor, currency, reference, recorded_at \
             FROM ledger_entries WHERE org_id = $1 ORDER BY id",
        )
        .bind(org.0)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(entry_from)
        .collect::<Result<Vec<_>>>()?;
        let rec = match plan(&lines, &entries) {
            Ok(r) => r,
            Err(e) => {
                // Release the write lock now, not when the pool next uses
                // this connection.
                tx.rollback().await?;
                return Ok(Err(e));
            }
        };
        let now = now_us();
        for l in &rec.lines {
            sqlx::query(
                "INSERT INTO pay_lines (org_id, line_key, creator, campaign, kind, reference, currency, \
                 amount_minor, status, bucket, at, payable_at, paid_in, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(org.0)
            .bind(&l.line_key)
            .bind(&l.creator)
            .bind(&l.campaign)
            .bind(&l.kind)
            .bind(&l.reference)
            .bind(&l.currency)
            .bind(l.amount_minor)
            .bind(&l.status)
            .bind(&l.bucket)
            .bind(l.at)
            .bind(l.payable_at)
            .bind(l.paid_in.as_deref())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for e in &rec.entries {
            if e.minor < 0 || !matches!(e.side.as_str(), "debit" | "credit") {
                tx.rollback().await?;
                return Err(StoreError::Corrupt(format!(
                    "ledger entry {} on {}: {} {} is not a valid posting",
                    e.txn, e.account, e.side, e.minor
                )));
            }
            sqlx::query(
                "INSERT INTO ledger_entries (org_id, txn, account, side, minor, currency, reference, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(org.0)
            .bind(&e.txn)
            .bind(&e.account)
            .bind(&e.side)
            .bind(e.minor)
            .bind(&e.currency)
            .bind(&e.reference)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(rec))
    }

    // ---- payout runs ----

    /// Create a draft run, or return the run already stored under this key
    /// (unchanged). The flag is true when it was created now.
    pub async fn create_payout_run(
        &self,
        org: OrgId,
        key: &str,
        as_of: i64,
        min_payout: &str,
        by: Option<UserId>,
    ) -> Result<(PayoutRunRow, bool)> {
        let res = sqlx::query(
            "INSERT INTO payout_runs (org_id, idempotency_key, as_of, min_payout, status, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 'draft', $5, $6) ON CONFLICT (org_id, idempotency_key) DO NOTHING",
        )
        .bind(org.0)
        .bind(key)
        .bind(as_of)
        .bind(min_payout)
        .bind(by.map(|u| u.0))
        .bind(now_us())
        .execute(&self.pool)
        .await?;
        let run = self
            .payout_run_by_key(org, key)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("payout run {key} vanished")))?;
        Ok((run, res.rows_affected() == 1))
    }

    pub async fn payout_run(&self, org: OrgId, id: i64) -> Result<Option<PayoutRunRow>> {
        let sql = format!("SELECT {RUN_COLS} FROM payout_runs WHERE org_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(org.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(run_from).transpose()
    }

    pub async fn payout_run_by_key(&self, org: OrgId, key: &str) -> Result<Option<PayoutRunRow>> {
        let sql = format!(
            "SELECT {RUN_COLS} FROM payout_runs WHERE org_id = $1 AND idempotency_key = $2"
        );
        let row = sqlx::query(&sql)
            .bind(org.0)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(run_from).transpose()
    }

    /// Runs of the organization, newest first.
    pub async fn payout_runs(&self, org: OrgId) -> Result<Vec<PayoutRunRow>> {
        let sql =
            format!("SELECT {RUN_COLS} FROM payout_runs WHERE org_id = $1 ORDER BY created_at DESC, id DESC");
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(run_from).collect()
    }

    /// Approved (or later) runs in the order they were approved: the order
    /// settlement pays them in.
    pub async fn approved_payout_runs(&self, org: OrgId) -> Result<Vec<PayoutRunRow>> {
        let sql = format!(
            "SELECT {RUN_COLS} FROM payout_runs WHERE org_id = $1 AND status <> 'draft' ORDER BY seq, id"
        );
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(run_from).collect()
    }

    /// Approve a draft and store its items, atomically. False when the run
    /// is not a draft of this organization (already approved: nothing changes).
    pub async fn approve_payout_run(
        &self,
        org: OrgId,
        id: i64,
        by: UserId,
        items: &[NewPayoutItem],
    ) -> Result<bool> {
        let now = now_us();
        let mut tx = self.pool.begin().await?;
        let seq: i64 = get(
            &sqlx::query(
                "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM payout_runs WHERE org_id = $1",
            )
            .bind(org.0)
            .fetch_one(&mut *tx)
            .await?,
            "next",
        )?;
        let res = sqlx::query(
            "UPDATE payout_runs SET status = 'approved', seq = $1, approved_by = $2, approved_at = $3 \
             WHERE org_id = $4 AND id = $5 AND status = 'draft'",
        )
        .bind(seq)
        .bind(by.0)
        .bind(now)
        .bind(org.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() != 1 {
            // Release the write lock the update took now, not when the pool
            // next uses this connection (a dropped SQLite transaction rolls
            // back lazily, and the next writer would find the database locked).
            tx.rollback().await?;
            return Ok(false);
        }
        for it in items {
            sqlx::query(
                "INSERT INTO payout_items (org_id, run_id, item_id, account_id, currency, amount_minor, \
                 lines, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)",
            )
            .bind(org.0)
            .bind(id)
            .bind(&it.item_id)
            .bind(it.account_id)
            .bind(&it.currency)
            .bind(it.amount_minor)
            .bind(it.lines)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Note that an approved run was exported (first export only).
    pub async fn mark_payout_run_exported(&self, org: OrgId, id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE payout_runs SET status = 'exported', exported_at = $1 \
             WHERE org_id = $2 AND id = $3 AND status = 'approved'",
        )
        .bind(now_us())
        .bind(org.0)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn payout_items(&self, org: OrgId, run: i64) -> Result<Vec<PayoutItemRow>> {
        let sql = format!(
            "SELECT {ITEM_COLS} FROM payout_items WHERE org_id = $1 AND run_id = $2 ORDER BY item_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org.0)
            .bind(run)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item_from).collect()
    }

    /// Items of every run of the organization that a provider reported failed.
    pub async fn failed_payout_items(&self, org: OrgId) -> Result<Vec<PayoutItemRow>> {
        let sql = format!(
            "SELECT {ITEM_COLS} FROM payout_items WHERE org_id = $1 AND status = 'failed' ORDER BY id"
        );
        let rows = sqlx::query(&sql).bind(org.0).fetch_all(&self.pool).await?;
        rows.iter().map(item_from).collect()
    }

    /// Apply provider results to a run's pending items in one transaction;
    /// the run becomes `paid` once no item is pending.
    pub async fn apply_payout_results(
        &self,
        org: OrgId,
        run: i64,
        results: &[(String, ItemOutcome, String)],
    ) -> Result<Vec<ItemChange>> {
        let now = now_us();
        let mut tx = self.pool.begin().await?;
        let mut out = Vec::with_capacity(results.len());
        for (item_id, outcome, reference) in results {
            let status = match outcome {
                ItemOutcome::Paid => "paid",
                ItemOutcome::Failed => "failed",
            };
            let res = sqlx::query(
                "UPDATE payout_items SET status = $1, provider_ref = $2, updated_at = $3 \
                 WHERE org_id = $4 AND run_id = $5 AND item_id = $6 AND status = 'pending'",
            )
            .bind(status)
            .bind(reference)
            .bind(now)
            .bind(org.0)
            .bind(run)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
            let change = if res.rows_affected() == 1 {
                ItemChange::Updated
            } else if sqlx::query(
                "SELECT 1 AS one FROM payout_items WHERE org_id = $1 AND run_id = $2 AND item_id = $3",
            )
            .bind(org.0)
            .bind(run)
            .bind(item_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
            {
                ItemChange::AlreadyFinal
            } else {
                ItemChange::Unknown
            };
            out.push(change);
        }
        sqlx::query(
            "UPDATE payout_runs SET status = 'paid' WHERE org_id = $1 AND id = $2 \
             AND status IN ('approved','exported') AND NOT EXISTS \
             (SELECT 1 FROM payout_items i WHERE i.org_id = $1 AND i.run_id = $2 AND i.status = 'pending')",
        )
        .bind(org.0)
        .bind(run)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::TestDb;
    use crate::{NewUser, Store};
    use chorus_core::{OrgId, Role};

    async fn org(store: &Store, slug: &str) -> (OrgId, chorus_core::UserId) {
        let o = store.create_org(slug, slug).await.unwrap();
        let u = store
            .create_user(NewUser {
                org_id: o.id,
                email: &format!("fin@{slug}.example"),
                name: "Fin",
                password_hash: "x",
                role: Role::Finance,
            })
            .await
            .unwrap();
        (o.id, u.id)
    }

    async fn exercise(store: &Store) {
        let (a, ua) = org(store, "alpha").await;
        let (b, _) = org(store, "beta").await;
        // Runs: one per key per organization; the same key elsewhere is another run.
        let (r1, created) = store
            .create_payout_run(a, "2026-04", 100, "50.00", Some(ua))
            .await
            .unwrap();
        assert!(created);
        let (again, created) = store
            .create_payout_run(a, "2026-04", 999, "1.00", Some(ua))
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again, r1, "same key: same run, unchanged");
        let (other, created) = store
            .create_payout_run(b, "2026-04", 100, "50.00", None)
            .await
            .unwrap();
        assert!(created && other.id != r1.id);
        assert!(store.payout_run(b, r1.id).await.unwrap().is_none());
        let items = [super::NewPayoutItem {
            item_id: "2026-04:7:USD".into(),
            account_id: 7,
            currency: "USD".into(),
            amount_minor: 25600,
            lines: 2,
        }];
        assert!(!store
            .approve_payout_run(b, r1.id, ua, &items)
            .await
            .unwrap());
        assert!(store
            .approve_payout_run(a, r1.id, ua, &items)
            .await
            .unwrap());
        assert!(
            !store
                .approve_payout_run(a, r1.id, ua, &items)
                .await
                .unwrap(),
            "approving twice changes nothing"
        );
        assert_eq!(store.payout_items(a, r1.id).await.unwrap().len(), 1);
        assert!(store.payout_items(b, r1.id).await.unwrap().is_empty());
        let changes = store
            .apply_payout_results(
                a,
                r1.id,
                &[
                    (
                        "2026-04:7:USD".into(),
                        super::ItemOutcome::Failed,
                        "x".into(),
                    ),
                    ("nope".into(), super::ItemOutcome::Paid, "y".into()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            changes,
            vec![super::ItemChange::Updated, super::ItemChange::Unknown]
        );
        assert_eq!(
            store.payout_run(a, r1.id).await.unwrap().unwrap().status,
            "paid"
        );
        assert_eq!(store.failed_payout_items(a).await.unwrap().len(), 1);
        assert!(store.failed_payout_items(b).await.unwrap().is_empty());

        // Rates: replaced per day and pair, per organization.
        let rate = |r: &str| super::FxRate {
            day: "2026-03-01".into(),
            from: "EUR".into(),
            to: "USD".into(),
            rate: r.into(),
        };
        store.import_fx_rates(a, &[rate("1.08")]).await.unwrap();
        store.import_fx_rates(a, &[rate("1.0850")]).await.unwrap();
        assert_eq!(store.fx_rates(a).await.unwrap(), vec![rate("1.0850")]);
        assert!(store.fx_rates(b).await.unwrap().is_empty());

        // Recording appends; the latest state of a line wins; refusals write nothing.
        let line = |status: &str| super::LineState {
            line_key: "commission:7:1:1001#0".into(),
            creator: "7".into(),
            campaign: "1".into(),
            kind: "commission".into(),
            reference: "1001".into(),
            currency: "USD".into(),
            amount_minor: 800,
            status: status.into(),
            bucket: status.into(),
            at: Some(1),
            payable_at: Some(2),
            paid_in: None,
        };
        let entry = |side: &str, account: &str| super::LedgerEntry {
            id: 0,
            txn: "earn:x".into(),
            account: account.into(),
            side: side.into(),
            minor: 800,
            currency: "USD".into(),
            reference: "commission:1001".into(),
            recorded_at: 0,
        };
        store
            .record_pay::<()>(a, |lines, entries| {
                assert!(lines.is_empty() && entries.is_empty());
                Ok(super::Recording {
                    lines: vec![line("pending")],
                    entries: vec![entry("debit", "expense"), entry("credit", "pending")],
                })
            })
            .await
            .unwrap()
            .unwrap();
        store
            .record_pay::<()>(a, |lines, _| {
                assert_eq!(lines, &[line("pending")]);
                Ok(super::Recording {
                    lines: vec![line("payable")],
                    entries: vec![],
                })
            })
            .await
            .unwrap()
            .unwrap();
        let refused = store
            .record_pay(a, |_, _| Err::<super::Recording, _>("no"))
            .await
            .unwrap();
        assert_eq!(refused.unwrap_err(), "no");
        assert_eq!(store.line_states(a).await.unwrap(), vec![line("payable")]);
        assert_eq!(
            store
                .line_history(a, "commission:7:1:1001#0")
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(store.ledger_entries(a).await.unwrap().len(), 2);
        assert!(store.ledger_entries(b).await.unwrap().is_empty());
        assert!(store.line_states(b).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn pay_records_on_sqlite() {
        let db = TestDb::sqlite().await.unwrap();
        exercise(&db.store).await;
        db.cleanup().await;
    }

    #[tokio::test]
    async fn pay_records_on_postgres() {
        let Some(db) = TestDb::postgres().await.unwrap() else {
            eprintln!("CHORUS_TEST_POSTGRES_URL not set; skipping");
            return;
        };
        exercise(&db.store).await;
        db.cleanup().await;
    }
}
