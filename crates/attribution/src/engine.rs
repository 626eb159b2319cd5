//! The attribution engine of DESIGN.md ("Attribution"), shared by the server
//! and the what-if scenario tool so that both give the same answer.
//!
//! It is a pure function of its [`Input`]: ids are plain strings (the server
//! passes its database ids as text), nothing is read or written, and the
//! result depends only on the contents of the input, not on the order of its
//! arrays (see "Ambiguities" below for the one exception).
//!
//! # Cost
//! Re-attribution runs over a whole organization (1M orders, 10M clicks), so
//! every step is linear or `n log n`: orders are sorted once, only the clicks
//! that some order or identify event names are indexed (one pass over the
//! clicks), and each customer key keeps a pruned list of its linked clicks.
//!
//! # Ambiguities, decided
//! - A code or click whose campaign is missing from `campaigns` is valid; its
//!   window is the policy's default (30 days).
//! - A click on a link that is not in `links` has no creator, so it is treated
//!   as an unknown click: it neither credits nor links a customer.
//! - An order whose `click_id` names a bot click (or a click outside its
//!   window) falls through to the customer rule, where the same click fails
//!   the same test, so only other linked clicks can credit it.
//! - An order with no customer key (or an empty one) skips the customer rule
//!   and is never a self-referral; it still credits by code or click.
//! - An earlier order links its `click_id` to its customer only when that id
//!   names a known click on a known link: an unknown id carries no creator.
//! - When an id is defined twice (campaign, link code, click id), the first
//!   definition in its array wins. Several promo codes may share a text with
//!   different validity periods; the first valid one in array order wins.
//! - Refunds apply whatever their time (a refund dated before its order is
//!   still a refund of it); they sum, and the net never goes below zero. The
//!   net is rounded half-to-even to the order amount's decimal places.
//! - Two occurrences of one order id at the same instant are told apart by
//!   their position in `orders`: the earlier entry is the first occurrence.

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Attribution window when a campaign sets none (DESIGN.md).
pub const DEFAULT_WINDOW_DAYS: u32 = 30;
/// Smallest window a campaign may set.
pub const MIN_WINDOW_DAYS: u32 = 1;
/// Largest window a campaign may set.
pub const MAX_WINDOW_DAYS: u32 = 180;

/// How the customer-history rule chooses among several linked clicks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Model {
    #[default]
    Last,
    First,
    Linear,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Last => "last",
            Model::First => "first",
            Model::Linear => "linear",
        }
    }

    /// Exact lower-case names only, so a typo is an error, not a silent default.
    pub fn parse(name: &str) -> Option<Model> {
        match name {
            "last" => Some(Model::Last),
            "first" => Some(Model::First),
            "linear" => Some(Model::Linear),
            _ => None,
        }
    }
}

/// The organization's attribution policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub model: Model,
    /// Window for campaigns that are not listed in [`Input::campaigns`].
    pub default_window_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            model: Model::Last,
            default_window_days: DEFAULT_WINDOW_DAYS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub id: String,
    pub window_days: u32,
}

/// A creator's own customer keys make their purchases self-referrals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    pub id: String,
    pub customer_keys: Vec<String>,
}

/// A tracking link; its `code` is case-sensitive (base62).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub code: String,
    pub creator: String,
    pub campaign: String,
}

/// A promo code; `None` bounds are open, both bounds are inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoCode {
    pub code: String,
    pub creator: String,
    pub campaign: String,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    /// Redeemable once: only the first order (in processing order) that
    /// uses it is credited through it; later ones are flagged `code_reused`
    /// and go on to the next rules.
    pub single_use: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    pub click_id: String,
    /// The link's code.
    pub link: String,
    pub at: DateTime<Utc>,
    pub bot: bool,
}

/// The merchant told us that `customer_key` is the shopper behind `click_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identify {
    pub customer_key: String,
    pub click_id: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub order_id: String,
    pub at: DateTime<Utc>,
    pub amount: Decimal,
    pub currency: String,
    pub customer_key: Option<String>,
    pub click_id: Option<String>,
    pub codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub order_id: String,
    pub at: DateTime<Utc>,
    pub amount: Decimal,
}

/// Everything one organization's attribution depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    pub policy: Policy,
    pub campaigns: Vec<Campaign>,
    pub creators: Vec<Creator>,
    pub links: Vec<Link>,
    pub codes: Vec<PromoCode>,
    pub clicks: Vec<Click>,
    pub identifies: Vec<Identify>,
    pub orders: Vec<Order>,
    pub refunds: Vec<Refund>,
}

/// Which rule of DESIGN.md decided the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    Code,
    Click,
    Customer,
    None,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Code => "code",
            Rule::Click => "click",
            Rule::Customer => "customer",
            Rule::None => "none",
        }
    }
}

/// An exact, reduced fraction: commissions are computed from it later, so a
/// float share would leak rounding into money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    num: u32,
    den: u32,
}

impl Share {
    pub const ONE: Share = Share { num: 1, den: 1 };

    /// `None` for a zero denominator.
    pub fn new(num: u32, den: u32) -> Option<Share> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        Some(Share {
            num: num / g,
            den: den / g,
        })
    }

    pub fn numerator(self) -> u32 {
        self.num
    }

    pub fn denominator(self) -> u32 {
        self.den
    }

    /// Exact decimal value, for callers that multiply money by it.
    pub fn to_decimal(self) -> Decimal {
        Decimal::from(self.num) / Decimal::from(self.den)
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub creator: String,
    pub campaign: String,
    /// `None` for code credits: no click was involved.
    pub click_id: Option<String>,
    pub share: Share,
}

/// The verdict for one distinct order id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub order_id: String,
    pub at: DateTime<Utc>,
    pub rule: Rule,
    /// Empty for rule `none`, and when self-referral withheld every credit.
    pub credits: Vec<Credit>,
    /// A credit was withheld because the buyer is the creator.
    pub self_referral: bool,
    /// The order id arrived more than once.
    pub duplicate_seen: bool,
    /// It carried a single-use code that an earlier order had redeemed.
    pub code_reused: bool,
    pub amount: Decimal,
    pub refunded: Decimal,
    pub net_amount: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// In processing order: time, ties by order id.
    pub attributions: Vec<Attribution>,
    /// Indices into [`Input::refunds`] whose order id matches no order.
    pub unknown_refunds: Vec<usize>,
}

/// Attribute every distinct order of `input`.
pub fn attribute(input: &Input) -> Outcome {
    let index = Index::build(input);
    let mut history = History::build(input, &index);
    let mut attributions: Vec<Attribution> = Vec::with_capacity(input.orders.len());
    let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(input.orders.len());
    for i in processing_order(&input.orders) {
        let order = &input.orders[i];
        if let Some(&pos) = first_seen.get(order.order_id.as_str()) {
            // A re-delivery: flag the original, feed nothing.
            attributions[pos].duplicate_seen = true;
            continue;
        }
        first_seen.insert(&order.order_id, attributions.len());
        attributions.push(index.decide(order, &mut history));
    }
    let unknown_refunds = apply_refunds(input, &mut attributions, &first_seen);
    Outcome {
        attributions,
        unknown_refunds,
    }
}

/// Time order, ties by order id as strings, then input position so that
/// re-deliveries at the same instant keep their arrival order.
fn processing_order(orders: &[Order]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..orders.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&orders[a], &orders[b]);
        (x.at, &x.order_id, a).cmp(&(y.at, &y.order_id, b))
    });
    idx
}

fn apply_refunds(
    input: &Input,
    attributions: &mut [Attribution],
    first_seen: &HashMap<&str, usize>,
) -> Vec<usize> {
    let mut unknown = Vec::new();
    for (i, refund) in input.refunds.iter().enumerate() {
        match first_seen.get(refund.order_id.as_str()) {
            Some(&pos) => {
                let a = &mut attributions[pos];
                a.refunded = a.refunded.saturating_add(refund.amount);
            }
            None => unknown.push(i),
        }
    }
    for a in attributions.iter_mut() {
        a.net_amount = net_amount(a.amount, a.refunded);
    }
    unknown
}

/// Amount less refunds, floored at zero, in the amount's own number of
/// decimal places (so "80.00" stays two places even at zero).
pub fn net_amount(amount: Decimal, refunded: Decimal) -> Decimal {
    let scale = amount.scale();
    let mut net = amount
        .saturating_sub(refunded)
        .max(Decimal::ZERO)
        .round_dp_with_strategy(scale, RoundingStrategy::MidpointNearestEven);
    net.rescale(scale);
    net
}

/// A click resolved to its creator, campaign and window.
#[derive(Debug, Clone, Copy)]
struct Touch<'a> {
    click_id: &'a str,
    creator: &'a str,
    campaign: &'a str,
    at: DateTime<Utc>,
    window: TimeDelta,
    bot: bool,
}

impl Touch<'_> {
    /// Rule 3's test, reused by rule 4: a human click, not after the order,
    /// at most one window before it (both ends inclusive).
    fn qualifies(&self, order_at: DateTime<Utc>) -> bool {
        !self.bot && self.at <= order_at && order_at - self.at <= self.window
    }

    /// Orders come in time order, so a click too old now is too old forever.
    fn expired(&self, order_at: DateTime<Utc>) -> bool {
        order_at - self.at > self.window
    }
}

/// Read-only lookups built once per run.
struct Index<'a> {
    model: Model,
    /// Lower-cased code text → definitions (with their input position) in array order.
    codes: HashMap<String, Vec<(usize, &'a PromoCode)>>,
    /// `None`: the id is known but its link is not, so it has no creator.
    clicks: HashMap<&'a str, Option<Touch<'a>>>,
    /// (creator, customer key) pairs that make an order a self-referral.
    own_keys: HashSet<(&'a str, &'a str)>,
}

fn window(days: u32) -> TimeDelta {
    TimeDelta::days(i64::from(days))
}

impl<'a> Index<'a> {
    fn build(input: &'a Input) -> Index<'a> {
        let mut codes: HashMap<String, Vec<(usize, &PromoCode)>> = HashMap::new();
        for (i, code) in input.codes.iter().enumerate() {
            codes
                .entry(code.code.to_lowercase())
                .or_default()
                .push((i, code));
        }
        let own_keys = input
            .creators
            .iter()
            .flat_map(|c| c.customer_keys.iter().map(|k| (c.id.as_str(), k.as_str())))
            .collect();
        Index {
            model: input.policy.model,
            codes,
            clicks: index_clicks(input),
            own_keys,
        }
    }

    fn touch(&self, click_id: &str) -> Option<Touch<'a>> {
        self.clicks.get(click_id).copied().flatten()
    }

    /// The first code of the order valid at its time and not yet redeemed
    /// if single-use; the flag tells whether a redeemed one was passed over.
    fn code_credit(
        &self,
        order: &Order,
        redeemed: &mut HashSet<usize>,
    ) -> (Option<&'a PromoCode>, bool) {
        let mut reused = false;
        for text in &order.codes {
            let Some(defs) = self.codes.get(&text.to_lowercase()) else {
                continue;
            };
            for &(i, d) in defs.iter().filter(|(_, d)| code_valid_at(d, order.at)) {
                if !d.single_use || redeemed.insert(i) {
                    return (Some(d), reused);
                }
                reused = true;
            }
        }
        (None, reused)
    }

    fn is_own(&self, creator: &str, key: Option<&str>) -> bool {
        key.is_some_and(|k| self.own_keys.contains(&(creator, k)))
    }
}

fn code_valid_at(code: &PromoCode, at: DateTime<Utc>) -> bool {
    code.valid_from.is_none_or(|from| from <= at) && code.valid_to.is_none_or(|to| at <= to)
}

/// Index only the click ids that orders or identify events name: the other
/// clicks of a 10M-click history can never be credited.
fn index_clicks(input: &Input) -> HashMap<&str, Option<Touch<'_>>> {
    let mut windows: HashMap<&str, TimeDelta> = HashMap::new();
    for c in &input.campaigns {
        windows.entry(&c.id).or_insert(window(c.window_days));
    }
    let default_window = window(input.policy.default_window_days);
    let mut links: HashMap<&str, &Link> = HashMap::new();
    for l in &input.links {
        links.entry(&l.code).or_insert(l);
    }
    let wanted: HashSet<&str> = input
        .orders
        .iter()
        .filter_map(|o| o.click_id.as_deref())
        .chain(input.identifies.iter().map(|i| i.click_id.as_str()))
        .collect();
    let mut clicks = HashMap::with_capacity(wanted.len());
    for click in &input.clicks {
        let Some(&id) = wanted.get(click.click_id.as_str()) else {
            continue;
        };
        clicks.entry(id).or_insert_with(|| {
            links.get(click.link.as_str()).map(|link| Touch {
                click_id: &click.click_id,
                creator: &link.creator,
                campaign: &link.campaign,
                at: click.at,
                window: windows
                    .get(link.campaign.as_str())
                    .copied()
                    .unwrap_or(default_window),
                bot: click.bot,
            })
        });
    }
    clicks
}

/// Per customer key: the identify events not yet in effect, and the clicks
/// already linked (pruned of clicks too old for any later order).
#[derive(Default)]
struct KeyState<'a> {
    pending: Vec<(DateTime<Utc>, Touch<'a>)>,
    next_pending: usize,
    linked: Vec<Touch<'a>>,
}

impl<'a> KeyState<'a> {
    fn link(&mut self, touch: Touch<'a>) {
        if !touch.bot && !self.linked.iter().any(|t| t.click_id == touch.click_id) {
            self.linked.push(touch);
        }
    }

    /// Bring in identify events with `at ≤ order_at`, drop expired clicks,
    /// and return the clicks that qualify for an order at `order_at`.
    fn candidates(&mut self, order_at: DateTime<Utc>) -> Vec<Touch<'a>> {
        while let Some(&(at, touch)) = self.pending.get(self.next_pending) {
            if at > order_at {
                break;
            }
            self.next_pending += 1;
            self.link(touch);
        }
        self.linked.retain(|t| !t.expired(order_at));
        self.linked
            .iter()
            .filter(|t| t.qualifies(order_at))
            .copied()
            .collect()
    }
}

struct History<'a> {
    keys: HashMap<&'a str, KeyState<'a>>,
    /// Single-use code definitions already redeemed (by input position).
    redeemed: HashSet<usize>,
}

impl<'a> History<'a> {
    fn build(input: &'a Input, index: &Index<'a>) -> History<'a> {
        let mut keys: HashMap<&str, KeyState> = HashMap::new();
        for ident in &input.identifies {
            if let Some(touch) = index.touch(&ident.click_id) {
                let state = keys.entry(&ident.customer_key).or_default();
                state.pending.push((ident.at, touch));
            }
        }
        for state in keys.values_mut() {
            state
                .pending
                .sort_by(|a, b| (a.0, a.1.click_id).cmp(&(b.0, b.1.click_id)));
        }
        History {
            keys,
            redeemed: HashSet::new(),
        }
    }
}

impl<'a> Index<'a> {
    /// Rules 2–6 for one first occurrence; then let it feed its customer's
    /// history so later orders of the same key can use its click.
    fn decide(&self, order: &'a Order, history: &mut History<'a>) -> Attribution {
        let key = order.customer_key.as_deref().filter(|k| !k.is_empty());
        let order_touch = order.click_id.as_deref().and_then(|id| self.touch(id));
        let (code, code_reused) = self.code_credit(order, &mut history.redeemed);
        let (rule, credits, self_referral) = if let Some(code) = code {
            let credit = single_credit(&code.creator, &code.campaign, None);
            self.withhold_own(Rule::Code, credit, key)
        } else if let Some(t) = order_touch.filter(|t| t.qualifies(order.at)) {
            let credit = single_credit(t.creator, t.campaign, Some(t.click_id));
            self.withhold_own(Rule::Click, credit, key)
        } else if let Some(k) = key {
            let state = history.keys.entry(k).or_default();
            self.customer_rule(&state.candidates(order.at), k)
        } else {
            (Rule::None, Vec::new(), false)
        };
        if let (Some(k), Some(t)) = (key, order_touch) {
            history.keys.entry(k).or_default().link(t);
        }
        Attribution {
            order_id: order.order_id.clone(),
            at: order.at,
            rule,
            credits,
            self_referral,
            duplicate_seen: false,
            code_reused,
            amount: order.amount,
            refunded: Decimal::ZERO,
            net_amount: order.amount,
            currency: order.currency.clone(),
        }
    }

    /// Self-referral never falls through: the rule stays, the credit goes.
    fn withhold_own(
        &self,
        rule: Rule,
        credit: Credit,
        key: Option<&str>,
    ) -> (Rule, Vec<Credit>, bool) {
        if self.is_own(&credit.creator, key) {
            (rule, Vec::new(), true)
        } else {
            (rule, vec![credit], false)
        }
    }

    fn customer_rule(&self, candidates: &[Touch<'a>], key: &str) -> (Rule, Vec<Credit>, bool) {
        if candidates.is_empty() {
            return (Rule::None, Vec::new(), false);
        }
        let chosen = match self.model {
            Model::Last => latest(candidates.iter().copied()),
            Model::First => earliest(candidates.iter().copied()),
            Model::Linear => return self.linear(candidates, key),
        };
        let Some(t) = chosen else {
            return (Rule::None, Vec::new(), false);
        };
        let credit = single_credit(t.creator, t.campaign, Some(t.click_id));
        self.withhold_own(Rule::Customer, credit, Some(key))
    }

    /// One equal share per distinct creator (each with their latest click),
    /// listed by creator id; the buyer's own creators leave the split.
    fn linear(&self, candidates: &[Touch<'a>], key: &str) -> (Rule, Vec<Credit>, bool) {
        let mut per_creator: BTreeMap<&str, Touch> = BTreeMap::new();
        for &t in candidates {
            per_creator
                .entry(t.creator)
                .and_modify(|best| *best = latest([*best, t]).unwrap_or(t))
                .or_insert(t);
        }
        let before = per_creator.len();
        per_creator.retain(|creator, _| !self.is_own(creator, Some(key)));
        let withheld = per_creator.len() < before;
        let n = u32::try_from(per_creator.len()).unwrap_or(u32::MAX);
        let share = Share::new(1, n).unwrap_or(Share::ONE);
        let credits = per_creator
            .values()
            .map(|t| Credit {
                share,
                ..single_credit(t.creator, t.campaign, Some(t.click_id))
            })
            .collect();
        (Rule::Customer, credits, withheld)
    }
}

fn single_credit(creator: &str, campaign: &str, click_id: Option<&str>) -> Credit {
    Credit {
        creator: creator.to_string(),
        campaign: campaign.to_string(),
        click_id: click_id.map(str::to_string),
        share: Share::ONE,
    }
}

/// Latest click; at the same instant the smallest click id.
fn latest<'a>(touches: impl IntoIterator<Item = Touch<'a>>) -> Option<Touch<'a>> {
    touches
        .into_iter()
        .min_by(|a, b| b.at.cmp(&a.at).then_with(|| a.click_id.cmp(b.click_id)))
}

/// Earliest click; at the same instant the smallest click id.
fn earliest<'a>(touches: impl IntoIterator<Item = Touch<'a>>) -> Option<Touch<'a>> {
    touches
        .into_iter()
        .min_by(|a, b| (a.at, a.click_id).cmp(&(b.at, b.click_id)))
}
