//! What the pay pages, the API and the CLI share: the settlement engine's
//! input assembled from the store, recording its lines into the ledger,
//! payout runs, exports and provider results, and the ledger check.
//!
//! The engine decides every amount and state; this module only translates
//! between stored rows and engine values, and appends what changed.
//!
//! Identities: a deal's creator is the account id and its campaign the
//! campaign id (both as decimal strings), so lines, runs and exports name
//! creators stably whatever their handle.
//!
//! Credited shares (linear attribution): each credited creator's order is
//! `amount × share_num / share_den` rounded half-to-even to the minor unit,
//! the last credit (by account, then campaign) taking the remainder so the
//! shares add up to the order amount exactly. Refunds are split the same way
//! on their running total, so each share's refunds add up to its share of
//! the refunded total and a full refund reverses every share exactly.

use crate::auth::Caller;
use crate::campaigns::terms::DealTerms;
use crate::error::ApiError;
use chorus_core::{AccountId, Currency, Money, OrgId, Role};
use chorus_settlement::engine::{
    self, Bucket, DealKey, Input, Line, PayoutRun, RunResult, Settlement,
};
use chorus_settlement::export::{self, ExportError, Recipient};
use chorus_settlement::ledger::{self, Entry, LedgerProblem, Side};
use chorus_store::pay::{
    FxRate, ItemChange, ItemOutcome, LedgerEntry, LineState, NewPayoutItem, PayoutItemRow,
    PayoutRunRow, Recording,
};
use chorus_store::secret::SecretKey;
use chorus_store::{from_us, to_us, Store};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Display names for the ids the engine works with.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// account id → handle
    pub creators: HashMap<String, String>,
    /// campaign id → name
    pub campaigns: HashMap<String, String>,
}

impl Names {
    pub fn creator(&self, id: &str) -> String {
        self.creators
            .get(id)
            .map_or_else(|| format!("#{id}"), |h| format!("@{h}"))
    }
    pub fn campaign(&self, id: &str) -> String {
        self.campaigns
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("campaign {id}"))
    }
}

/// The engine input of an organization, with what could not be read.
#[derive(Debug, Clone)]
pub struct Assembled {
    pub input: Input,
    pub names: Names,
    /// Stored data the engine could not take (bad terms, bad rates).
    pub problems: Vec<String>,
}

fn deal_key(account: i64, campaign: i64) -> DealKey {
    DealKey::new(account.to_string(), campaign.to_string())
}

/// Split `total` over credited shares: each rounded, the last the remainder.
pub fn split(total: i64, shares: &[(i64, i64)]) -> Vec<i64> {
    let mut out = Vec::with_capacity(shares.len());
    let mut given = 0i64;
    for (i, (num, den)) in shares.iter().enumerate() {
        let part = if i + 1 == shares.len() {
            total - given
        } else {
            chorus_core::money::share_of(total, *num, *den)
        };
        given += part;
        out.push(part);
    }
    out
}

/// The runs to settle with: approved runs in approval order, each with the
/// payments its provider reported failed, and optionally one draft last.
pub async fn engine_runs(
    store: &Store,
    org: OrgId,
    draft: Option<&PayoutRunRow>,
) -> Result<Vec<PayoutRun>, ApiError> {
    let failed = store.failed_payout_items(org).await?;
    let mut runs = Vec::new();
    for r in store
        .approved_payout_runs(org)
        .await?
        .iter()
        .chain(draft.filter(|d| d.status == "draft"))
    {
        runs.push(PayoutRun {
            key: r.key.clone(),
            as_of: from_us(r.as_of),
            min_payout: r.min_payout.parse().map_err(|e| {
                ApiError::Internal(anyhow::anyhow!("run {}: min_payout: {e}", r.key))
            })?,
            failed: failed
                .iter()
                .filter(|i| i.run_id == r.id)
                .filter_map(|i| {
                    Some((i.account_id.to_string(), Currency::parse(&i.currency).ok()?))
                })
                .collect(),
        });
    }
    Ok(runs)
}

/// An engine order id and the credited fraction it stands for.
type CreditShare = (String, (i64, i64));

/// Build the engine input of `org` from the store.
pub async fn assemble(
    store: &Store,
    org: OrgId,
    runs: Vec<PayoutRun>,
) -> Result<Assembled, ApiError> {
    let mut problems = Vec::new();
    let mut names = Names::default();
    let mut input = Input {
        runs,
        ..Input::default()
    };
    for m in store.pay_members(org).await? {
        names
            .creators
            .insert(m.account_id.to_string(), m.handle.clone());
        names
            .campaigns
            .insert(m.campaign_id.to_string(), m.campaign_name.clone());
        let deal = DealTerms::parse(&m.terms).and_then(|t| {
            let json = serde_json::json!({"deals": [t.settlement_deal(
                &m.account_id.to_string(), &m.campaign_id.to_string())]});
            chorus_settlement::scenario::parse_input(&json.to_string()).map_err(|e| e.to_string())
        });
        match deal {
            Ok(mut i) if !i.deals.is_empty() => input.deals.push(i.deals.remove(0)),
            Ok(_) => {}
            Err(e) => problems.push(format!(
                "@{} in {}: deal terms: {e}",
                m.handle, m.campaign_name
            )),
        }
    }
    for e in store.pay_events(org).await? {
        input.events.push(engine::Event {
            key: deal_key(e.account_id, e.campaign_id),
            event: e.event,
            at: from_us(e.at),
        });
    }
    // Orders: one engine order per credited share.
    let credits = store.pay_credits(org).await?;
    let mut by_order: BTreeMap<i64, Vec<&chorus_store::pay::PayCredit>> = BTreeMap::new();
    for c in &credits {
        by_order.entry(c.order_pk).or_default().push(c);
    }
    // order pk → (engine order id, share) per credit
    let mut shares: HashMap<i64, (Currency, Vec<CreditShare>)> = HashMap::new();
    for (pk, cs) in &by_order {
        let first = cs[0];
        let Ok(currency) = Currency::parse(&first.currency) else {
            problems.push(format!(
                "order {}: currency {:?} is not ISO 4217",
                first.external_id, first.currency
            ));
            continue;
        };
        let fractions: Vec<(i64, i64)> = cs.iter().map(|c| (c.share_num, c.share_den)).collect();
        let whole = cs.len() == 1 && cs[0].share_num == cs[0].share_den;
        let amounts = split(first.amount_minor, &fractions);
        let mut ids = Vec::new();
        for (c, amount) in cs.iter().zip(amounts) {
            let order_id = if whole {
                c.external_id.clone()
            } else {
                format!("{}~{}.{}", c.external_id, c.campaign_id, c.account_id)
            };
            input.orders.push(engine::Order {
                order_id: order_id.clone(),
                key: deal_key(c.account_id, c.campaign_id),
                at: from_us(c.at),
                amount: Money {
                    minor: amount,
                    currency,
                },
            });
            ids.push((order_id, (c.share_num, c.share_den)));
        }
        shares.insert(*pk, (currency, ids));
    }
    let mut refunds = store.refunds_of(org, None).await?;
    refunds.sort_by_key(|r| (r.order_pk, r.at, r.id));
    let mut refunded: HashMap<i64, i64> = HashMap::new();
    for r in refunds {
        let Some((currency, ids)) = shares.get(&r.order_pk) else {
            continue;
        };
        let before = refunded.get(&r.order_pk).copied().unwrap_or(0);
        let after = before + r.amount_minor;
        refunded.insert(r.order_pk, after);
        let fractions: Vec<(i64, i64)> = ids.iter().map(|(_, s)| *s).collect();
        let (was, now) = (split(before, &fractions), split(after, &fractions));
        for ((id, _), (w, n)) in ids.iter().zip(was.into_iter().zip(now)) {
            if n > w {
                input.refunds.push(engine::Refund {
                    order_id: id.clone(),
                    at: from_us(r.at),
                    amount: Decimal::new(n - w, currency.minor_units()),
                });
            }
        }
    }
    for r in store.fx_rates(org).await? {
        match parse_rate(&r) {
            Ok(rate) => input.rates.push(rate),
            Err(e) => problems.push(format!("rate {} {}→{}: {e}", r.day, r.from, r.to)),
        }
    }
    Ok(Assembled {
        input,
        names,
        problems,
    })
}

fn parse_rate(r: &FxRate) -> Result<engine::Rate, String> {
    Ok(engine::Rate {
        date: NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").map_err(|e| e.to_string())?,
        from: Currency::parse(&r.from).map_err(|e| e.to_string())?,
        to: Currency::parse(&r.to).map_err(|e| e.to_string())?,
        rate: r
            .rate
            .parse()
            .map_err(|e: rust_decimal::Error| e.to_string())?,
    })
}

/// A settlement of an organization as of now, with the names to show it.
pub struct Settled {
    pub settlement: Settlement,
    pub names: Names,
    pub problems: Vec<String>,
    /// Stable id of every line, index-aligned with `settlement.lines`.
    pub line_ids: Vec<String>,
}

/// Settle `org` as of `now` with its approved runs (and a draft to preview).
pub async fn settle(
    store: &Store,
    org: OrgId,
    draft: Option<&PayoutRunRow>,
    now: DateTime<Utc>,
) -> Result<Settled, ApiError> {
    let runs = engine_runs(store, org, draft).await?;
    let a = assemble(store, org, runs).await?;
    let settlement = engine::settle_as_of(&a.input, Some(now));
    let mut problems = a.problems;
    problems.extend(
        settlement
            .errors
            .iter()
            .map(|e| format!("{} {}: {}", e.subject, e.reference, e.message)),
    );
    let line_ids = line_ids(&settlement.lines);
    Ok(Settled {
        settlement,
        names: a.names,
        problems,
        line_ids,
    })
}

/// `kind:creator:campaign:reference#n`, n counting lines with the same
/// prefix in engine order (several refunds of one order, repeated events).
pub fn line_ids(lines: &[Line]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    lines
        .iter()
        .map(|l| {
            let base = format!(
                "{}:{}:{}:{}",
                l.kind.as_str(),
                l.key.creator,
                l.key.campaign,
                l.reference
            );
            let n = seen.entry(base.clone()).or_insert(0);
            let id = format!("{base}#{n}");
            *n += 1;
            id
        })
        .collect()
}

fn state_of(id: &str, l: &Line, as_of: Option<DateTime<Utc>>) -> Option<LineState> {
    let bucket = l.bucket(as_of)?;
    Some(LineState {
        line_key: id.to_string(),
        creator: l.key.creator.clone(),
        campaign: l.key.campaign.clone(),
        kind: l.kind.as_str().to_string(),
        reference: l.reference.clone(),
        currency: l.currency.code().to_string(),
        amount_minor: l.amount,
        status: l.status.as_str().to_string(),
        bucket: bucket.as_str().to_string(),
        at: l.at.map(to_us),
        payable_at: l.payable_at.map(to_us),
        paid_in: l.paid_in.clone(),
    })
}

fn side_str(s: Side) -> &'static str {
    match s {
        Side::Debit => "debit",
        Side::Credit => "credit",
    }
}

/// The transaction a stored entry adjusts: `earn:X@2` → `earn:X`.
fn base_txn(txn: &str) -> &str {
    txn.split_once('@').map_or(txn, |(b, _)| b)
}

/// One thing wrong with the stored ledger, with the entries it concerns.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub txn: Option<String>,
    pub currency: String,
    pub message: String,
    pub entries: Vec<LedgerEntry>,
}

/// Check stored entries: every transaction balances per currency, no
/// entry is negative or malformed, and the balances derived from the
/// entries agree with the recorded commission states (pending, payable and
/// paid per creator and currency).
pub fn check_stored(lines: &[LineState], stored: &[LedgerEntry]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut entries = Vec::with_capacity(stored.len());
    for e in stored {
        let side = match e.side.as_str() {
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => None,
        };
        match (side, Currency::parse(&e.currency)) {
            (Some(side), Ok(currency)) => entries.push(Entry {
                txn: e.txn.clone(),
                account: e.account.clone(),
                side,
                minor: e.minor,
                currency,
                reference: e.reference.clone(),
            }),
            _ => problems.push(Problem {
                txn: Some(e.txn.clone()),
                currency: e.currency.clone(),
                message: format!(
                    "entry {} has side {:?} and currency {:?}",
                    e.id, e.side, e.currency
                ),
                entries: vec![e.clone()],
            }),
        }
    }
    let mut found: Vec<LedgerProblem> = ledger::check(&entries).err().unwrap_or_default();
    // Balances by the recorded states, one row per creator and currency seen
    // in either the states or the ledger's creator accounts.
    let mut rows: BTreeMap<(String, Currency), engine::Balance> = BTreeMap::new();
    let zero = |creator: &str, currency: Currency| engine::Balance {
        creator: creator.to_string(),
        currency,
        pending: 0,
        payable: 0,
        paid: 0,
    };
    for e in &entries {
        if let Some(creator) = e
            .account
            .strip_prefix("liability:creator:")
            .and_then(|a| a.rsplit_once(':').map(|(c, _)| c))
        {
            rows.entry((creator.to_string(), e.currency))
                .or_insert_with(|| zero(creator, e.currency));
        }
    }
    for l in lines {
        let Ok(currency) = Currency::parse(&l.currency) else {
            continue;
        };
        let b = rows
            .entry((l.creator.clone(), currency))
            .or_insert_with(|| zero(&l.creator, currency));
        match l.bucket.as_str() {
            "pending" => b.pending += l.amount_minor,
            "payable" => b.payable += l.amount_minor,
            "paid" => b.paid += l.amount_minor,
            _ => {}
        }
    }
    let summary = Settlement {
        lines: Vec::new(),
        runs: Vec::new(),
        skipped_runs: Vec::new(),
        as_of: None,
        balances: rows.into_values().collect(),
        errors: Vec::new(),
    };
    if let Err(more) = ledger::check_against(&entries, &summary) {
        found.extend(more);
    }
    for p in found {
        let concerned: Vec<LedgerEntry> = match &p.txn {
            Some(t) => stored.iter().filter(|e| &e.txn == t).cloned().collect(),
            None => Vec::new(),
        };
        problems.push(Problem {
            txn: p.txn,
            currency: p.currency.code().to_string(),
            message: p.message,
            entries: concerned,
        });
    }
    problems
}

/// What one recording appended.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Recorded {
    /// New line states (new lines and changed ones).
    pub lines: usize,
    /// New ledger entries.
    pub entries: usize,
}

/// Why recording was refused.
#[derive(Debug)]
pub enum RecordError {
    /// The stored ledger does not check out: nothing is appended until it is repaired.
    Corrupt(Vec<Problem>),
    Api(ApiError),
}

impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> ApiError {
        match e {
            RecordError::Api(a) => a,
            RecordError::Corrupt(p) => ApiError::Conflict(format!(
                "the ledger does not check out ({} problem(s), first: {}); run `chorus ledger check`",
                p.len(),
                p.first().map_or("", |p| p.message.as_str())
            )),
        }
    }
}

impl From<ApiError> for RecordError {
    fn from(e: ApiError) -> RecordError {
        RecordError::Api(e)
    }
}

/// Append to the store what changed since the last recording: a new state
/// row for each new or changed line (`void` for a line that no longer
/// exists) and, per ledger transaction, one adjusting transaction moving the
/// stored postings to what the settlement says. Recording the same
/// settlement twice appends nothing.
pub async fn record(store: &Store, org: OrgId, s: &Settled) -> Result<Recorded, RecordError> {
    let set = &s.settlement;
    let target_lines: BTreeMap<String, LineState> = set
        .lines
        .iter()
        .zip(&s.line_ids)
        .filter_map(|(l, id)| state_of(id, l, set.as_of).map(|st| (id.clone(), st)))
        .collect();
    let ids = &s.line_ids;
    let target_entries = ledger::entries_with_ids(set, |i, _| ids[i].clone());
    let res = store
        .record_pay(org, |stored_lines, stored_entries| {
            let problems = check_stored(stored_lines, stored_entries);
            if !problems.is_empty() {
                return Err(problems);
            }
            Ok(plan(
                &target_lines,
                &target_entries,
                stored_lines,
                stored_entries,
            ))
        })
        .await
        .map_err(|e| RecordError::Api(e.into()))?;
    match res {
        Ok(r) => Ok(Recorded {
            lines: r.lines.len(),
            entries: r.entries.len(),
        }),
        Err(p) => Err(RecordError::Corrupt(p)),
    }
}

type Net = BTreeMap<(String, String), i64>;

fn plan(
    target_lines: &BTreeMap<String, LineState>,
    target_entries: &[Entry],
    stored_lines: &[LineState],
    stored_entries: &[LedgerEntry],
) -> Recording {
    let mut rec = Recording::default();
    let stored: HashMap<&str, &LineState> = stored_lines
        .iter()
        .map(|l| (l.line_key.as_str(), l))
        .collect();
    for (id, t) in target_lines {
        if stored.get(id.as_str()).is_none_or(|s| !s.same_as(t)) {
            rec.lines.push(t.clone());
        }
    }
    for s in stored_lines {
        if !target_lines.contains_key(&s.line_key) && s.status != "void" {
            rec.lines.push(LineState {
                amount_minor: 0,
                status: "void".into(),
                bucket: "none".into(),
                paid_in: None,
                ..s.clone()
            });
        }
    }
    // Net postings per base transaction: credit positive, debit negative.
    let mut want: BTreeMap<String, Net> = BTreeMap::new();
    let mut refs: HashMap<String, String> = HashMap::new();
    for e in target_entries {
        let sign = if e.side == Side::Credit { 1 } else { -1 };
        *want
            .entry(e.txn.clone())
            .or_default()
            .entry((e.account.clone(), e.currency.code().to_string()))
            .or_insert(0) += sign * e.minor;
        refs.insert(e.txn.clone(), e.reference.clone());
    }
    let mut have: BTreeMap<String, Net> = BTreeMap::new();
    let mut txns: HashMap<String, BTreeSet<String>> = HashMap::new();
    for e in stored_entries {
        let base = base_txn(&e.txn).to_string();
        let sign = if e.side == "credit" { 1 } else { -1 };
        *have
            .entry(base.clone())
            .or_default()
            .entry((e.account.clone(), e.currency.clone()))
            .or_insert(0) += sign * e.minor;
        refs.entry(base.clone())
            .or_insert_with(|| e.reference.clone());
        txns.entry(base).or_default().insert(e.txn.clone());
    }
    let bases: BTreeSet<&String> = want.keys().chain(have.keys()).collect();
    let empty = Net::new();
    for base in bases {
        let w = want.get(base).unwrap_or(&empty);
        let h = have.get(base).unwrap_or(&empty);
        let keys: BTreeSet<&(String, String)> = w.keys().chain(h.keys()).collect();
        let n = txns.get(base).map_or(0, |t| t.len());
        let txn = if n == 0 {
            base.clone()
        } else {
            format!("{base}@{n}")
        };
        for k in keys {
            let delta = w.get(k).copied().unwrap_or(0) - h.get(k).copied().unwrap_or(0);
            if delta == 0 {
                continue;
            }
            rec.entries.push(LedgerEntry {
                id: 0,
                txn: txn.clone(),
                account: k.0.clone(),
                side: side_str(if delta > 0 { Side::Credit } else { Side::Debit }).into(),
                minor: delta.abs(),
                currency: k.1.clone(),
                reference: refs.get(base).cloned().unwrap_or_default(),
                recorded_at: 0,
            });
        }
    }
    rec
}

/// Settle as of now and record: what every pay page and the API read.
pub async fn settle_and_record(
    store: &Store,
    org: OrgId,
) -> Result<(Settled, Result<Recorded, Vec<Problem>>), ApiError> {
    let s = settle(store, org, None, Utc::now()).await?;
    let r = match record(store, org, &s).await {
        Ok(r) => Ok(r),
        Err(RecordError::Corrupt(p)) => Err(p),
        Err(RecordError::Api(e)) => return Err(e),
    };
    Ok((s, r))
}

/// Refuse to move money while the stored ledger does not check out.
async fn refuse_corrupt(store: &Store, org: OrgId) -> Result<(), ApiError> {
    let problems = check_ledger(store, org).await?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(RecordError::Corrupt(problems).into())
    }
}

/// Settle as of now and record; a refusal is an error.
async fn record_now(store: &Store, org: OrgId) -> Result<Recorded, ApiError> {
    let s = settle(store, org, None, Utc::now()).await?;
    Ok(record(store, org, &s).await?)
}

// ---- balances for people ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BalanceView {
    pub creator: String,
    pub handle: String,
    pub currency: String,
    pub pending: String,
    pub payable: String,
    pub paid: String,
    pub pending_minor: i64,
    pub payable_minor: i64,
    pub paid_minor: i64,
}

pub fn major(minor: i64, currency: Currency) -> String {
    currency.major(minor).to_string()
}

pub fn balance_views(s: &Settled) -> Vec<BalanceView> {
    s.settlement
        .balances
        .iter()
        .map(|b| BalanceView {
            creator: b.creator.clone(),
            handle: s.names.creator(&b.creator),
            currency: b.currency.code().to_string(),
            pending: major(b.pending, b.currency),
            payable: major(b.payable, b.currency),
            paid: major(b.paid, b.currency),
            pending_minor: b.pending,
            payable_minor: b.payable,
            paid_minor: b.paid,
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineView {
    pub id: String,
    pub creator: String,
    pub campaign: String,
    pub campaign_name: String,
    pub kind: String,
    pub reference: String,
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
    pub status: String,
    pub at: Option<String>,
    pub payable_at: Option<String>,
    pub paid_in: Option<String>,
}

fn time_text(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// Lines that count in the balances, filtered by creator and campaign.
pub fn line_views(s: &Settled, creator: Option<&str>, campaign: Option<&str>) -> Vec<LineView> {
    s.settlement
        .lines
        .iter()
        .zip(&s.line_ids)
        .filter(|(l, _)| l.status.in_balances())
        .filter(|(l, _)| creator.is_none_or(|c| l.key.creator == c))
        .filter(|(l, _)| campaign.is_none_or(|c| l.key.campaign == c))
        .map(|(l, id)| LineView {
            id: id.clone(),
            creator: l.key.creator.clone(),
            campaign: l.key.campaign.clone(),
            campaign_name: s.names.campaign(&l.key.campaign),
            kind: l.kind.as_str().to_string(),
            reference: l.reference.clone(),
            currency: l.currency.code().to_string(),
            amount: major(l.amount, l.currency),
            amount_minor: l.amount,
            status: l
                .bucket(s.settlement.as_of)
                .map_or(l.status.as_str(), |b| {
                    if l.status == engine::LineStatus::Reversed {
                        "reversed"
                    } else {
                        b.as_str()
                    }
                })
                .to_string(),
            at: time_text(l.at),
            payable_at: time_text(l.payable_at),
            paid_in: l.paid_in.clone(),
        })
        .collect()
}

// ---- payout runs ----

/// A new run as typed (web form or API body).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct NewRun {
    /// Idempotency key; the `Idempotency-Key` header wins when both are given.
    #[serde(default)]
    pub key: Option<String>,
    /// `YYYY-MM-DD` (the end of that UTC day) or an RFC 3339 time; not in the future.
    pub as_of: String,
    /// Decimal, in each currency's own units (e.g. "50.00").
    #[serde(default)]
    pub min_payout: Option<String>,
}

/// Parse an as-of date or time: a date means the last second of that UTC day.
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let end = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
        return Ok(d.and_time(end).and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

fn invalid(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::Invalid(format!("{field}: {why}"))
}

/// Create a draft run, or return the run already stored under the key
/// (unchanged). True when it was created now.
pub async fn create_run(
    store: &Store,
    c: &Caller,
    n: &NewRun,
    now: DateTime<Utc>,
) -> Result<(PayoutRunRow, bool), ApiError> {
    c.require(Role::can_pay)?;
    let key = n.key.as_deref().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 100 || key.chars().any(|ch| ch.is_control()) {
        return Err(invalid(
            "idempotency key",
            "give 1 to 100 printable characters (header Idempotency-Key or field key)",
        ));
    }
    if let Some(existing) = store.payout_run_by_key(c.org(), key).await? {
        return Ok((existing, false));
    }
    let as_of = parse_as_of(&n.as_of).map_err(|e| invalid("as_of", e))?;
    if as_of > now {
        return Err(invalid(
            "as_of",
            format!(
                "{} is in the future; a run pays only what is payable by a time that has passed",
                as_of.to_rfc3339()
            ),
        ));
    }
    let min = n
        .min_payout
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or("0");
    let min_payout: Decimal = min
        .parse()
        .map_err(|_| invalid("min_payout", format!("{min:?} is not a decimal amount")))?;
    if min_payout.is_sign_negative() && !min_payout.is_zero() {
        return Err(invalid("min_payout", "must not be negative"));
    }
    Ok(store
        .create_payout_run(
            c.org(),
            key,
            to_us(as_of),
            &min_payout.to_string(),
            Some(c.user.id),
        )
        .await?)
}

/// One creator's payment in a run, as reviewed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunItemView {
    pub item_id: String,
    pub creator: String,
    pub handle: String,
    pub currency: String,
    pub amount: String,
    pub amount_minor: i64,
    pub lines: i64,
    /// `preview` for a draft, else pending, paid or failed.
    pub status: String,
    pub provider_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunView {
    pub id: i64,
    pub key: String,
    pub as_of: String,
    pub min_payout: String,
    pub status: String,
    pub created_at: String,
    pub approved_at: Option<String>,
    pub items: Vec<RunItemView>,
    /// Sums per currency.
    pub totals: Vec<(String, String)>,
    /// Why the run cannot be approved as it is, if so.
    pub blocked: Option<String>,
}

fn run_result_items(
    result: &RunResult,
    s: &Settlement,
    names: &Names,
    status: &str,
) -> Vec<RunItemView> {
    result
        .payouts
        .iter()
        .map(|p| RunItemView {
            item_id: format!("{}:{}:{}", result.key, p.creator, p.currency),
            creator: p.creator.clone(),
            handle: names.creator(&p.creator),
            currency: p.currency.code().to_string(),
            amount: major(p.amount, p.currency),
            amount_minor: p.amount,
            lines: s
                .lines
                .iter()
                .filter(|l| {
                    l.paid_in.as_deref() == Some(result.key.as_str())
                        && l.key.creator == p.creator
                        && l.currency == p.currency
                })
                .count() as i64,
            status: status.to_string(),
            provider_ref: None,
        })
        .collect()
}

fn totals(items: &[RunItemView]) -> Vec<(String, String)> {
    let mut t: BTreeMap<String, i64> = BTreeMap::new();
    for i in items {
        *t.entry(i.currency.clone()).or_insert(0) += i.amount_minor;
    }
    t.into_iter()
        .map(|(c, m)| {
            let cur = Currency::parse(&c).unwrap_or(Currency::USD);
            (c, major(m, cur))
        })
        .collect()
}

/// Why a draft cannot be approved now (runs pay in non-decreasing `as_of`).
async fn blocked(
    store: &Store,
    org: OrgId,
    run: &PayoutRunRow,
) -> Result<Option<String>, ApiError> {
    if run.status != "draft" {
        return Ok(None);
    }
    let last = store.approved_payout_runs(org).await?.into_iter().last();
    Ok(last.filter(|l| l.as_of > run.as_of).map(|l| {
        format!(
            "run {} (as of {}) was approved after this one was drafted and is later; \
             create a new run as of {} or later",
            l.key,
            from_us(l.as_of).to_rfc3339(),
            from_us(l.as_of).format("%Y-%m-%d")
        )
    }))
}

/// A run for review: a draft shows what it would pay now; an approved run
/// its stored items.
pub async fn run_view(store: &Store, org: OrgId, run: &PayoutRunRow) -> Result<RunView, ApiError> {
    let items = if run.status == "draft" {
        let s = settle(store, org, Some(run), Utc::now()).await?;
        s.settlement
            .runs
            .iter()
            .find(|r| r.key == run.key)
            .map(|r| run_result_items(r, &s.settlement, &s.names, "preview"))
            .unwrap_or_default()
    } else {
        let names = names_of(store, org).await?;
        stored_items(store, org, run, &names).await?
    };
    Ok(RunView {
        id: run.id,
        key: run.key.clone(),
        as_of: from_us(run.as_of).to_rfc3339(),
        min_payout: run.min_payout.clone(),
        status: run.status.clone(),
        created_at: from_us(run.created_at).to_rfc3339(),
        approved_at: run.approved_at.map(|t| from_us(t).to_rfc3339()),
        totals: totals(&items),
        blocked: blocked(store, org, run).await?,
        items,
    })
}

async fn names_of(store: &Store, org: OrgId) -> Result<Names, ApiError> {
    let mut names = Names::default();
    for m in store.pay_members(org).await? {
        names.creators.insert(m.account_id.to_string(), m.handle);
        names
            .campaigns
            .insert(m.campaign_id.to_string(), m.campaign_name);
    }
    Ok(names)
}

async fn stored_items(
    store: &Store,
    org: OrgId,
    run: &PayoutRunRow,
    names: &Names,
) -> Result<Vec<RunItemView>, ApiError> {
    Ok(store
        .payout_items(org, run.id)
        .await?
        .into_iter()
        .map(|i| {
            let cur = Currency::parse(&i.currency).unwrap_or(Currency::USD);
            RunItemView {
                creator: i.account_id.to_string(),
                handle: names.creator(&i.account_id.to_string()),
                amount: major(i.amount_minor, cur),
                item_id: i.item_id,
                currency: i.currency,
                amount_minor: i.amount_minor,
                lines: i.lines,
                status: i.status,
                provider_ref: i.provider_ref,
            }
        })
        .collect())
}

pub async fn run_of(store: &Store, c: &Caller, id: i64) -> Result<PayoutRunRow, ApiError> {
    c.require(Role::can_pay)?;
    store
        .payout_run(c.org(), id)
        .await?
        .ok_or(ApiError::NotFound("payout run"))
}

/// Approve a draft: its payments as settled now are stored as its items and
/// the run joins the ledger. Approving an approved run changes nothing.
pub async fn approve_run(store: &Store, c: &Caller, id: i64) -> Result<PayoutRunRow, ApiError> {
    let run = run_of(store, c, id).await?;
    if run.status != "draft" {
        return Ok(run);
    }
    if let Some(why) = blocked(store, c.org(), &run).await? {
        return Err(ApiError::Conflict(why));
    }
    let s = settle(store, c.org(), Some(&run), Utc::now()).await?;
    let result = s
        .settlement
        .runs
        .iter()
        .find(|r| r.key == run.key)
        .ok_or_else(|| ApiError::Conflict(format!("run {} could not be settled", run.key)))?;
    let mut items = Vec::new();
    for v in run_result_items(result, &s.settlement, &s.names, "pending") {
        items.push(NewPayoutItem {
            account_id: v.creator.parse().map_err(|_| {
                ApiError::Internal(anyhow::anyhow!(
                    "creator id {:?} is not an account",
                    v.creator
                ))
            })?,
            item_id: v.item_id,
            currency: v.currency,
            amount_minor: v.amount_minor,
            lines: v.lines,
        });
    }
    refuse_corrupt(store, c.org()).await?;
    store
        .approve_payout_run(c.org(), run.id, c.user.id, &items)
        .await?;
    record_now(store, c.org()).await?;
    store
        .payout_run(c.org(), id)
        .await?
        .ok_or(ApiError::NotFound("payout run"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    PayPal,
    Wise,
    Stripe,
}

impl ExportFormat {
    /// The payout method (as creators choose it) this provider pays.
    pub fn method(self) -> &'static str {
        match self {
            ExportFormat::PayPal => "paypal",
            ExportFormat::Wise => "wise",
            ExportFormat::Stripe => "stripe",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::PayPal => "PayPal",
            ExportFormat::Wise => "Wise",
            ExportFormat::Stripe => "Stripe",
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, ApiError> {
        match s {
            "paypal" => Ok(ExportFormat::PayPal),
            "wise" => Ok(ExportFormat::Wise),
            "stripe" => Ok(ExportFormat::Stripe),
            other => Err(invalid(
                "format",
                format!("{other:?} is not paypal, wise or stripe"),
            )),
        }
    }
}

/// A payout file ready to download.
pub struct ExportFile {
    pub filename: String,
    pub content_type: &'static str,
    pub body: String,
    /// Items left out: no payout details this provider can pay.
    pub missing: Vec<MissingDetails>,
    /// Binary content (a PDF); `body` is used when empty.
    pub bytes: Vec<u8>,
}

impl ExportFile {
    fn with_bytes(mut self, bytes: Vec<u8>) -> ExportFile {
        self.bytes = bytes;
        self
    }
}

/// An item left out of an export, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MissingDetails {
    pub item_id: String,
    pub handle: String,
    pub reason: String,
}

/// The payout file of an approved run's unsettled items, paid to the
/// destinations creators gave in their portal (decrypted with `key`).
/// Items whose creator has no payout details, or none this provider can
/// pay, are left out and listed in [`ExportFile::missing`]. PayPal wants one
/// currency per file: `currency` picks it when the run pays several.
pub async fn export_run(
    store: &Store,
    key: Option<&SecretKey>,
    c: &Caller,
    id: i64,
    format: ExportFormat,
    currency: Option<&str>,
    source_currency: Option<&str>,
) -> Result<ExportFile, ApiError> {
    let run = run_of(store, c, id).await?;
    if run.status == "draft" {
        return Err(ApiError::Conflict(format!(
            "run {} is a draft; approve it before exporting",
            run.key
        )));
    }
    let key = key.ok_or_else(|| ApiError::Conflict(crate::payout_details::NO_KEY.into()))?;
    let items: Vec<PayoutItemRow> = store
        .payout_items(c.org(), run.id)
        .await?
        .into_iter()
        .filter(|i| i.status == "pending")
        .collect();
    let names = names_of(store, c.org()).await?;
    // Each creator is paid only by the method they chose.
    let mut recipients: HashMap<String, Option<(&'static str, Recipient)>> = HashMap::new();
    for i in &items {
        let handle = names
            .creators
            .get(&i.account_id.to_string())
            .cloned()
            .unwrap_or_default();
        let details = store
            .payout_details(c.org(), AccountId(i.account_id), key)
            .await?
            .map(|(d, _)| {
                (
                    d.method().as_str(),
                    crate::payout_details::recipient(&d, &handle),
                )
            });
        recipients.insert(i.account_id.to_string(), details);
    }
    let result = RunResult {
        key: run.key.clone(),
        as_of: from_us(run.as_of),
        payouts: items
            .iter()
            .filter_map(|i| {
                Some(engine::Payout {
                    creator: i.account_id.to_string(),
                    currency: Currency::parse(&i.currency).ok()?,
                    amount: i.amount_minor,
                })
            })
            .collect(),
        failed: Vec::new(),
    };
    let all = export::items_for_run(&result, |who| {
        recipients
            .get(who)
            .cloned()
            .flatten()
            .map(|(_, r)| r)
            .unwrap_or_default()
    });
    // Keep the items this provider can pay; list the others.
    let (mut payable, mut missing) = (Vec::new(), Vec::new());
    for it in all {
        let handle = names.creator(&it.creator);
        let method = recipients
            .get(&it.creator)
            .cloned()
            .flatten()
            .map(|(m, _)| m);
        let Some(method) = method else {
            missing.push(MissingDetails {
                item_id: it.item_id.clone(),
                handle,
                reason: "missing payout details".into(),
            });
            continue;
        };
        if method != format.method() {
            missing.push(MissingDetails {
                item_id: it.item_id.clone(),
                handle,
                reason: format!("paid by {method}, not {}", format.name()),
            });
            continue;
        }
        let one = std::slice::from_ref(&it);
        let fits = match format {
            ExportFormat::PayPal => export::paypal_csv(one).map(|_| ()),
            ExportFormat::Wise => export::wise_csv(one, it.amount.currency).map(|_| ()),
            ExportFormat::Stripe => export::stripe_jsonl(one).map(|_| ()),
        };
        match fits {
            Ok(()) => payable.push(it),
            Err(ExportError::MissingRecipient { field, .. }) => missing.push(MissingDetails {
                item_id: it.item_id.clone(),
                handle,
                reason: format!("missing payout details: no {field} (paid by another method)"),
            }),
            Err(e) => return Err(ApiError::Internal(anyhow::anyhow!("export: {e}"))),
        }
    }
    if payable.is_empty() && !missing.is_empty() {
        let who: Vec<String> = missing
            .iter()
            .map(|m| format!("{} ({})", m.handle, m.reason))
            .collect();
        return Err(ApiError::Conflict(format!(
            "nothing of run {} can be exported to {}: {}",
            run.key,
            format.name(),
            who.join("; ")
        )));
    }
    let export_err = |e: ExportError| ApiError::Internal(anyhow::anyhow!("export: {e}"));
    let slug = run
        .key
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' {
                ch
            } else {
                '_'
            }
        })
        .collect::<String>();
    let mut file = match format {
        ExportFormat::PayPal => {
            let files = export::paypal_csv(&payable).map_err(export_err)?;
            let pick = match currency {
                Some(cur) => files
                    .into_iter()
                    .find(|f| f.currency.code().eq_ignore_ascii_case(cur)),
                None if files.len() <= 1 => files.into_iter().next(),
                None => {
                    let list = files
                        .iter()
                        .map(|f| f.currency.code())
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(invalid(
                        "currency",
                        format!("PayPal takes one currency per file; pick one of {list}"),
                    ));
                }
            };
            ExportFile {
                filename: format!(
                    "paypal-{slug}{}.csv",
                    currency
                        .map(|c| format!("-{}", c.to_ascii_uppercase()))
                        .unwrap_or_default()
                ),
                content_type: "text/csv; charset=utf-8",
                body: pick.map(|f| f.csv).unwrap_or_default(),
                missing: Vec::new(),
                bytes: Vec::new(),
            }
        }
        ExportFormat::Wise => {
            let source = match source_currency.filter(|s| !s.is_empty()) {
                Some(s) => Currency::parse(s).map_err(|e| invalid("source_currency", e))?,
                None => payable.first().map_or(Currency::USD, |i| i.amount.currency),
            };
            ExportFile {
                filename: format!("wise-{slug}.csv"),
                content_type: "text/csv; charset=utf-8",
                body: export::wise_csv(&payable, source).map_err(export_err)?,
                missing: Vec::new(),
                bytes: Vec::new(),
            }
        }
        ExportFormat::Stripe => ExportFile {
            filename: format!("stripe-{slug}.jsonl"),
            content_type: "application/x-ndjson",
            body: export::stripe_jsonl(&payable).map_err(export_err)?,
            missing: Vec::new(),
            bytes: Vec::new(),
        },
    };
    file.missing = missing;
    store.mark_payout_run_exported(c.org(), run.id).await?;
    Ok(file)
}

/// A creator's statement (every milestone, commission, reversal and payout
/// with totals per currency) as of now, as CSV or PDF.
pub async fn statement_file(
    store: &Store,
    org: OrgId,
    creator: &str,
    pdf: bool,
) -> Result<ExportFile, ApiError> {
    let s = settle(store, org, None, Utc::now()).await?;
    if !s.names.creators.contains_key(creator) {
        return Err(ApiError::NotFound("creator"));
    }
    let as_of = s.settlement.as_of.unwrap_or_else(Utc::now);
    let statement = chorus_settlement::statement::build(&s.settlement, creator, as_of);
    let handle = s.names.creator(creator);
    let day = as_of.format("%Y-%m-%d");
    let slug = crate::web::file_stem(handle.trim_start_matches('@'));
    Ok(if pdf {
        let org_name = store.org(org).await?.map(|o| o.name).unwrap_or_default();
        let bytes = crate::statements::statement_pdf(&statement, &org_name, &handle);
        ExportFile {
            filename: format!("statement-{slug}-{day}.pdf"),
            content_type: "application/pdf",
            body: String::new(),
            missing: Vec::new(),
            bytes: Vec::new(),
        }
        .with_bytes(bytes)
    } else {
        ExportFile {
            filename: format!("statement-{slug}-{day}.csv"),
            content_type: "text/csv; charset=utf-8",
            body: chorus_settlement::statement::to_csv(&statement),
            missing: Vec::new(),
            bytes: Vec::new(),
        }
    })
}

/// What importing a provider result file did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ResultSummary {
    pub paid: usize,
    pub failed: usize,
    /// Rows whose status is not final yet.
    pub pending: usize,
    /// Items already paid or failed: left unchanged.
    pub unchanged: usize,
    /// Item ids not in this run.
    pub unknown: Vec<String>,
    pub status: String,
}

/// Mark items paid or failed from a provider's result file; failed amounts
/// return to payable and the ledger records both.
pub async fn import_results(
    store: &Store,
    c: &Caller,
    id: i64,
    text: &str,
) -> Result<ResultSummary, ApiError> {
    let run = run_of(store, c, id).await?;
    if run.status == "draft" {
        return Err(ApiError::Conflict(format!(
            "run {} is a draft; nothing was paid yet",
            run.key
        )));
    }
    let parsed = export::parse_result(text).map_err(|e| invalid("result file", e))?;
    let mut summary = ResultSummary::default();
    let mut apply = Vec::new();
    for r in parsed {
        let outcome = match r.outcome {
            export::Outcome::Paid => ItemOutcome::Paid,
            export::Outcome::Failed => ItemOutcome::Failed,
            export::Outcome::Pending => {
                summary.pending += 1;
                continue;
            }
        };
        apply.push((r.item_id, outcome, r.status));
    }
    refuse_corrupt(store, c.org()).await?;
    let changes = store.apply_payout_results(c.org(), run.id, &apply).await?;
    for ((item, outcome, _), change) in apply.iter().zip(changes) {
        match (change, outcome) {
            (ItemChange::Updated, ItemOutcome::Paid) => summary.paid += 1,
            (ItemChange::Updated, ItemOutcome::Failed) => summary.failed += 1,
            (ItemChange::AlreadyFinal, _) => summary.unchanged += 1,
            (ItemChange::Unknown, _) => summary.unknown.push(item.clone()),
        }
    }
    record_now(store, c.org()).await?;
    summary.status = store
        .payout_run(c.org(), id)
        .await?
        .map_or(run.status, |r| r.status);
    Ok(summary)
}

// ---- exchange rates ----

/// What a rates import did; nothing is stored when any row is wrong.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RatesSummary {
    pub rows: u64,
    pub stored: u64,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<chorus_core::import::RowError>,
}

/// Read `date,from,to,rate` CSV (header required; 1 `from` = `rate` `to` on
/// that UTC date). Every bad row is reported with its line and field; the
/// file is stored only when every row is good, in one transaction.
pub async fn import_rates(store: &Store, org: OrgId, text: &str) -> Result<RatesSummary, ApiError> {
    let (rates, errors) = parse_rates(text);
    let mut s = RatesSummary {
        rows: (rates.len() + errors.len()) as u64,
        stored: 0,
        errors,
    };
    if s.errors.is_empty() {
        s.stored = store.import_fx_rates(org, &rates).await?;
    }
    Ok(s)
}

pub fn parse_rates(text: &str) -> (Vec<FxRate>, Vec<chorus_core::import::RowError>) {
    use chorus_core::import::RowError;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let err = |line: u64, field: &str, reason: String| RowError {
        line,
        field: field.to_string(),
        reason,
    };
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|h| h.to_ascii_lowercase()).collect(),
        Err(e) => return (vec![], vec![err(1, "header", e.to_string())]),
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let cols = ["date", "from", "to", "rate"].map(|n| (n, col(n)));
    let missing: Vec<&str> = cols
        .iter()
        .filter(|(_, i)| i.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return (
            vec![],
            vec![err(
                1,
                "header",
                format!(
                    "missing column(s) {}; expected date,from,to,rate",
                    missing.join(", ")
                ),
            )],
        );
    }
    let idx = cols.map(|(_, i)| i.unwrap_or(0));
    let (mut rates, mut errors) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "row", e.to_string()));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        let (day, from, to, rate) = (get(idx[0]), get(idx[1]), get(idx[2]), get(idx[3]));
        let before = errors.len();
        if NaiveDate::parse_from_str(&day, "%Y-%m-%d").is_err() {
            errors.push(err(
                line,
                "date",
                format!("{day:?} is not a date (YYYY-MM-DD)"),
            ));
        }
        let iso = chorus_settlement::scenario::values::parse_currency;
        let from_c = iso(&from);
        if let Err(e) = &from_c {
            errors.push(err(line, "from", e.to_string()));
        }
        let to_c = iso(&to);
        if let Err(e) = &to_c {
            errors.push(err(line, "to", e.to_string()));
        }
        if let (Ok(a), Ok(b)) = (&from_c, &to_c) {
            if a == b {
                errors.push(err(line, "to", format!("{b} is the same currency as from")));
            }
        }
        match rate.parse::<Decimal>() {
            Ok(r) if r > Decimal::ZERO => {}
            Ok(_) => errors.push(err(line, "rate", format!("{rate} must be positive"))),
            Err(_) => errors.push(err(
                line,
                "rate",
                format!("{rate:?} is not a decimal number"),
            )),
        }
        if errors.len() == before {
            rates.push(FxRate {
                day,
                from: from_c.map(|c| c.code().to_string()).unwrap_or(from),
                to: to_c.map(|c| c.code().to_string()).unwrap_or(to),
                rate,
            });
        }
    }
    (rates, errors)
}

// ---- ledger check ----

/// The stored ledger of `org` checked against its recorded commission states.
///
/// Also compares each approved run's stored items (what was sent to the
/// providers) with what the settlement says that run pays now: they differ
/// only when an order or refund dated before a run was stored after its
/// approval, which finance must then settle by hand.
pub async fn check_ledger(store: &Store, org: OrgId) -> Result<Vec<Problem>, ApiError> {
    let lines = store.line_states(org).await?;
    let entries = store.ledger_entries(org).await?;
    let mut problems = check_stored(&lines, &entries);
    let s = settle(store, org, None, Utc::now()).await?;
    for run in store.approved_payout_runs(org).await? {
        let mut stored: BTreeMap<(String, String), i64> = BTreeMap::new();
        for i in store.payout_items(org, run.id).await? {
            stored.insert((i.account_id.to_string(), i.currency), i.amount_minor);
        }
        let mut settled: BTreeMap<(String, String), i64> = BTreeMap::new();
        if let Some(r) = s.settlement.runs.iter().find(|r| r.key == run.key) {
            for p in r.payouts.iter().chain(&r.failed) {
                settled.insert((p.creator.clone(), p.currency.code().to_string()), p.amount);
            }
        }
        let keys: BTreeSet<&(String, String)> = stored.keys().chain(settled.keys()).collect();
        for k in keys {
            let (a, b) = (
                stored.get(k).copied().unwrap_or(0),
                settled.get(k).copied().unwrap_or(0),
            );
            if a != b {
                problems.push(Problem {
                    txn: Some(format!("payout:{}:{}:{}", run.key, k.0, k.1)),
                    currency: k.1.clone(),
                    message: format!(
                        "run {}: {} was sent {} {} minor units, but the settlement now pays {} in that run \
                         (an order or refund dated before the run was stored after it was approved)",
                        run.key,
                        s.names.creator(&k.0),
                        a,
                        k.1,
                        b
                    ),
                    entries: Vec::new(),
                });
            }
        }
    }
    Ok(problems)
}

/// Balances of one bucket, for the portal.
pub fn bucket_sum(lines: &[LineView], bucket: Bucket) -> i64 {
    lines
        .iter()
        .filter(|l| l.status == bucket.as_str())
        .map(|l| l.amount_minor)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_split_exactly() {
        assert_eq!(split(100, &[(1, 3), (1, 3), (1, 3)]), vec![33, 33, 34]);
        assert_eq!(split(1001, &[(1, 2), (1, 2)]), vec![500, 501]);
        assert_eq!(split(1003, &[(1, 2), (1, 2)]), vec![502, 501]);
        assert_eq!(split(0, &[(1, 2), (1, 2)]), vec![0, 0]);
        assert_eq!(split(500, &[(1, 1)]), vec![500]);
        for total in 0..500 {
            let parts = split(total, &[(2, 7), (3, 7), (2, 7)]);
            assert_eq!(parts.iter().sum::<i64>(), total);
        }
    }

    #[test]
    fn as_of_dates_mean_the_end_of_the_day() {
        assert_eq!(
            parse_as_of("2026-04-30").unwrap().to_rfc3339(),
            "2026-04-30T23:59:59+00:00"
        );
        assert!(parse_as_of("2026-04-30T10:00:00Z").is_ok());
        assert!(parse_as_of("April").is_err());
    }

    #[test]
    fn rates_report_line_and_field() {
        let (ok, errs) = parse_rates(
            "date,from,to,rate\n2026-03-01,EUR,USD,1.0850\n2026-13-01,EUR,USD,1.1\n2026-03-02,EUR,XXX,0\n",
        );
        assert_eq!(ok.len(), 1);
        let got: Vec<(u64, &str)> = errs.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(got, vec![(3, "date"), (4, "to"), (4, "rate")]);
        let (_, errs) = parse_rates("day,from,to\n");
        assert_eq!(errs[0].field, "header");
    }
}
