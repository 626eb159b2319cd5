//! The settlement engine: typed deals and activity in, explained money out.
//!
//! Everything is integer minor units of the deal's currency (orders in other
//! currencies are converted first), so sums never drift. Ids are plain
//! strings so the server can pass its own ids through unchanged.
//!
//! The engine never edits history: a refund adds a reversal line, a payout
//! run marks lines paid once and only once.

mod earn;
mod settle;

use chorus_core::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

pub use settle::{settle, settle_as_of};

/// Instants are UTC; the "order's date" of the currency rule is its UTC date.
pub type Time = DateTime<Utc>;

/// A deal is identified by its creator and campaign: one deal per pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DealKey {
    pub creator: String,
    pub campaign: String,
}

/// What makes a base-fee milestone payable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A named event (`signed`, `approved`, `published` or any other name).
    Event(String),
    /// A fixed date, for fees paid on a calendar rather than on an event.
    Date(Time),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub trigger: Trigger,
    /// Fraction of the base fee, e.g. 1/2. The last milestone ignores its
    /// share and takes the remainder so the milestones sum to the fee exactly.
    pub share: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerformanceKind {
    /// A fixed amount per attributed order.
    Cpa,
    /// A rate times the (converted) order amount.
    RevShare,
}

/// Which cumulative figure selects the tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Count of earlier orders of the deal.
    Orders,
    /// Gross converted revenue of earlier orders, in the deal currency.
    Revenue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// Smallest cumulative figure (orders or deal-currency revenue) for this tier.
    pub from: Decimal,
    /// For `cpa` the amount per order in the deal currency (major units);
    /// for `rev_share` the rate (0.10 = 10%).
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performance {
    pub kind: PerformanceKind,
    pub basis: Basis,
    pub tiers: Vec<Tier>,
    /// Maximum variable total of the deal, minor units of the deal currency.
    pub cap: Option<i64>,
}

/// Default hold period (DESIGN.md): a commission is payable 30 days after its order.
pub const DEFAULT_HOLD_DAYS: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deal {
    pub key: DealKey,
    pub currency: Currency,
    /// Minor units of `currency`.
    pub base_fee: Option<i64>,
    pub milestones: Vec<Milestone>,
    pub performance: Option<Performance>,
    pub hold_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub key: DealKey,
    pub event: String,
    pub at: Time,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub order_id: String,
    pub key: DealKey,
    pub at: Time,
    pub amount: Money,
}

/// A refund names its order only; its amount is in the order's currency, so
/// it stays a decimal until the order is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub order_id: String,
    pub at: Time,
    pub amount: Decimal,
}

/// One daily rate: 1 `from` = `rate` `to`. Only this direction is ever used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub date: NaiveDate,
    pub from: Currency,
    pub to: Currency,
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRun {
    /// Idempotency key: a key seen before is skipped.
    pub key: String,
    pub as_of: Time,
    /// Compared with each per-currency sum in that currency's own units.
    pub min_payout: Decimal,
    /// Payments of this run the provider reported failed, by creator and
    /// currency: their lines return to payable right after the run, so a
    /// later run pays them again.
    pub failed: Vec<(String, Currency)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub deals: Vec<Deal>,
    pub events: Vec<Event>,
    pub orders: Vec<Order>,
    pub refunds: Vec<Refund>,
    pub rates: Vec<Rate>,
    pub runs: Vec<PayoutRun>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineKind {
    Milestone,
    Commission,
    Reversal,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Milestone => "milestone",
            LineKind::Commission => "commission",
            LineKind::Reversal => "reversal",
        }
    }
}

/// State of a line as of the balances time of a [`Settlement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineStatus {
    /// A milestone whose event has not happened (by the balances time).
    NotEarned,
    /// Dated after the balances time: explained, but not in the balances.
    AfterAsOf,
    /// Earned, still on hold.
    Pending,
    /// Payable and unpaid.
    Payable,
    Paid,
    /// A commission refunded to zero before it was paid (and its reversals).
    Reversed,
}

impl LineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::NotEarned => "not_earned",
            LineStatus::AfterAsOf => "after_as_of",
            LineStatus::Pending => "pending",
            LineStatus::Payable => "payable",
            LineStatus::Paid => "paid",
            LineStatus::Reversed => "reversed",
        }
    }

    /// Earned as of the balances time, hence in the balances and the ledger.
    pub fn in_balances(self) -> bool {
        matches!(
            self,
            LineStatus::Pending | LineStatus::Payable | LineStatus::Paid | LineStatus::Reversed
        )
    }
}

/// How a commission was computed, so every figure can be explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissionDetail {
    pub kind: PerformanceKind,
    pub order_amount: Money,
    /// Gross order amount in the deal currency (minor units).
    pub converted: i64,
    /// Rate and the date it was taken from, when the order was converted.
    pub fx: Option<(Decimal, NaiveDate)>,
    /// The cumulative figure the tier was chosen by.
    pub basis_figure: Decimal,
    /// Index of the tier used; `None` when no tier applies (earns 0).
    pub tier: Option<usize>,
    pub tier_value: Option<Decimal>,
    /// What the order would earn without the cap.
    pub uncapped: i64,
    /// How much the cap removed (`uncapped - amount`).
    pub cap_cut: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalDetail {
    pub refund_amount: Money,
    /// Order amount left after this and earlier refunds (order currency).
    pub net_amount: Money,
    /// Commission recomputed on the net amount, before the min with the earned one.
    pub recomputed: i64,
    /// Commission value after this reversal.
    pub new_commission: i64,
    /// True when the commission was unpaid: the reversal reduces it and is
    /// paid (or not) together with it.
    pub before_payment: bool,
    /// Index in [`Settlement::lines`] of the commission reversed.
    pub commission_line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineDetail {
    Milestone {
        trigger: Trigger,
        share: Decimal,
        base_fee: i64,
        /// True for the last milestone, which takes the remainder.
        remainder: bool,
    },
    Commission(CommissionDetail),
    Reversal(ReversalDetail),
}

/// One explained amount owed to (or, negative, back from) a creator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    /// Event name or date for milestones, order id for commissions and reversals.
    pub reference: String,
    pub key: DealKey,
    pub currency: Currency,
    /// Minor units of `currency`; negative for reversals.
    pub amount: i64,
    /// When it was earned (event, order or refund time); `None` if never.
    pub at: Option<Time>,
    pub payable_at: Option<Time>,
    /// Key of the run that paid it.
    pub paid_in: Option<String>,
    pub status: LineStatus,
    pub detail: LineDetail,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    pub creator: String,
    pub currency: Currency,
    /// Minor units; always > 0.
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    pub key: String,
    pub as_of: Time,
    /// Sorted by creator then currency; without the failed ones.
    pub payouts: Vec<Payout>,
    /// Payments the provider reported failed (listed in the run's `failed`),
    /// whose lines are payable again. Sorted like `payouts`.
    pub failed: Vec<Payout>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub creator: String,
    pub currency: Currency,
    pub pending: i64,
    pub payable: i64,
    pub paid: i64,
}

/// Something that could not be settled, and why; the rest still settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleError {
    /// What it concerns: `deal`, `event`, `order`, `refund`, `rate` or `run`.
    pub subject: &'static str,
    /// Its id (order id, event name, run key, `creator/campaign`).
    pub reference: String,
    /// Stable machine code, e.g. `no_rate`.
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub lines: Vec<Line>,
    /// Runs that were not skipped, in the order listed.
    pub runs: Vec<RunResult>,
    /// Keys of runs skipped because their key was seen before.
    pub skipped_runs: Vec<String>,
    /// Balances time: last non-skipped run's `as_of`, else the latest
    /// order, refund or event time; `None` when there is none.
    pub as_of: Option<Time>,
    /// Sorted by creator then currency; one row per deal creator and currency.
    pub balances: Vec<Balance>,
    pub errors: Vec<SettleError>,
}

/// Which balance a line counts in as of a time, or `None` when it is not in
/// the balances (not earned, or dated after that time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Pending,
    Payable,
    Paid,
}

impl Bucket {
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Pending => "pending",
            Bucket::Payable => "payable",
            Bucket::Paid => "paid",
        }
    }
}

impl Line {
    /// The balance this line counts in as of `as_of` (the settlement's
    /// balances time): paid once a run paid it, else payable from its
    /// `payable_at`, else pending.
    pub fn bucket(&self, as_of: Option<Time>) -> Option<Bucket> {
        if !self.status.in_balances() {
            return None;
        }
        Some(if self.paid_in.is_some() {
            Bucket::Paid
        } else if self.payable_at.zip(as_of).is_some_and(|(p, t)| p <= t) {
            Bucket::Payable
        } else {
            Bucket::Pending
        })
    }
}

impl DealKey {
    pub fn new(creator: impl Into<String>, campaign: impl Into<String>) -> DealKey {
        DealKey {
            creator: creator.into(),
            campaign: campaign.into(),
        }
    }
}

impl std::fmt::Display for DealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.creator, self.campaign)
    }
}

/// Round half-to-even to the currency's minor unit and return minor units.
/// Saturates instead of panicking on absurd inputs (amounts beyond i64 minor units).
pub(crate) fn to_minor(d: Decimal, currency: Currency) -> i64 {
    let saturated = if d.is_sign_negative() {
        i64::MIN
    } else {
        i64::MAX
    };
    currency
        .round(d)
        .checked_mul(Decimal::from(10i64.pow(currency.minor_units())))
        .and_then(|scaled| i64::try_from(scaled.trunc()).ok())
        .unwrap_or(saturated)
}

/// Minor units as a decimal in major units (e.g. 800 USD → 8.00).
pub(crate) fn to_major(minor: i64, currency: Currency) -> Decimal {
    currency.major(minor)
}
