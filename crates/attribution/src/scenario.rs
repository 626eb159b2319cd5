//! The what-if scenario format of `formats/attribution-scenario.md`: parse a
//! self-contained JSON document, run the [`engine`](crate::engine) on it, and
//! render the result as the pinned JSON output or a readable table.
//!
//! Parsing is strict about values (a bad time, amount, window or model is an
//! error that names its JSON path and line) and lenient about shape: missing
//! or null arrays are empty, unknown fields are ignored, so a scenario written
//! for a newer version still runs.

use crate::engine::{self, Attribution, Input, Model, Policy};
use chorus_core::Currency;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::str::FromStr;

/// A scenario that cannot be run, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}line {line}, column {column}: {message}", path_prefix(path))]
pub struct ScenarioError {
    /// JSON path such as `orders[3].at`; empty when the document itself is
    /// not valid JSON at the top level.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// The engine's verdicts plus the input problems that do not stop a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub model: Model,
    pub attributions: Vec<Attribution>,
    /// One sentence per problem, e.g. a refund of an unknown order.
    pub errors: Vec<String>,
}

/// Parse a scenario and attribute its orders.
pub fn explain(input: &str) -> Result<Explanation, ScenarioError> {
    let engine_input = parse(input)?;
    Ok(run(&engine_input))
}

/// Parse only, for callers that want to run the engine themselves.
pub fn parse(input: &str) -> Result<Input, ScenarioError> {
    let de = &mut serde_json::Deserializer::from_str(input);
    let raw: RawScenario = serde_path_to_error::deserialize(de).map_err(to_scenario_error)?;
    Ok(raw.into_input())
}

/// Run the engine on already-typed input and collect the reportable errors.
pub fn run(input: &Input) -> Explanation {
    let outcome = engine::attribute(input);
    let errors = outcome
        .unknown_refunds
        .iter()
        .map(|&i| {
            let r = &input.refunds[i];
            format!(
                "refunds[{i}]: refund for unknown order {} (amount {})",
                r.order_id, r.amount
            )
        })
        .collect();
    Explanation {
        model: input.policy.model,
        attributions: outcome.attributions,
        errors,
    }
}

fn to_scenario_error(err: serde_path_to_error::Error<serde_json::Error>) -> ScenarioError {
    let path = err.path().to_string();
    let inner = err.inner();
    let full = inner.to_string();
    // serde_json appends " at line L column C"; we report position ourselves.
    let suffix = format!(" at line {} column {}", inner.line(), inner.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    ScenarioError {
        path: if path == "." { String::new() } else { path },
        line: inner.line(),
        column: inner.column(),
        message,
    }
}

impl Explanation {
    /// The `--json` output, exactly as the format specifies.
    pub fn to_json(&self) -> Value {
        let attributions: Vec<Value> = self.attributions.iter().map(attribution_json).collect();
        json!({ "attributions": attributions, "errors": self.errors })
    }

    /// One line per order, then the errors; for people, not for parsing.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "model: {}", self.model.as_str());
        let _ = writeln!(
            out,
            "{:<16} {:<9} {:>14} {:<5} {:<40} flags",
            "order", "rule", "net", "cur", "credits"
        );
        for a in &self.attributions {
            let _ = writeln!(
                out,
                "{:<16} {:<9} {:>14} {:<5} {:<40} {}",
                a.order_id,
                a.rule.as_str(),
                a.net_amount.to_string(),
                a.currency,
                credits_text(a),
                flags(a).join(",")
            );
        }
        let _ = writeln!(
            out,
            "{} orders, {} errors",
            self.attributions.len(),
            self.errors.len()
        );
        for e in &self.errors {
            let _ = writeln!(out, "error: {e}");
        }
        out
    }
}

fn credits_text(a: &Attribution) -> String {
    if a.credits.is_empty() {
        return "-".to_string();
    }
    let parts: Vec<String> = a
        .credits
        .iter()
        .map(|c| {
            let via = c.click_id.as_deref().unwrap_or("code");
            format!("{}@{} {} ({via})", c.creator, c.campaign, c.share)
        })
        .collect();
    parts.join("; ")
}

fn flags(a: &Attribution) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if a.self_referral {
        flags.push("self_referral");
    }
    if a.duplicate_seen {
        flags.push("duplicate_seen");
    }
    if a.code_reused {
        flags.push("code_reused");
    }
    flags
}

fn attribution_json(a: &Attribution) -> Value {
    let credits: Vec<Value> = a
        .credits
        .iter()
        .map(|c| {
            json!({
                "creator": c.creator,
                "campaign": c.campaign,
                "click_id": c.click_id,
                "share": c.share.to_string(),
            })
        })
        .collect();
    json!({
        "order_id": a.order_id,
        "rule": a.rule.as_str(),
        "net_amount": a.net_amount.to_string(),
        "currency": a.currency,
        "credits": credits,
        "flags": flags(a),
    })
}

// ---- the input document ----------------------------------------------------

#[derive(Deserialize)]
#[serde(rename = "scenario")]
struct RawScenario {
    #[serde(default)]
    policy: Option<RawPolicy>,
    #[serde(default)]
    campaigns: Option<Vec<RawCampaign>>,
    #[serde(default)]
    creators: Option<Vec<RawCreator>>,
    #[serde(default)]
    links: Option<Vec<RawLink>>,
    #[serde(default)]
    codes: Option<Vec<RawCode>>,
    #[serde(default)]
    clicks: Option<Vec<RawClick>>,
    #[serde(default)]
    identifies: Option<Vec<RawIdentify>>,
    #[serde(default)]
    orders: Option<Vec<RawOrder>>,
    #[serde(default)]
    refunds: Option<Vec<RawRefund>>,
}

#[derive(Deserialize)]
#[serde(rename = "policy")]
struct RawPolicy {
    #[serde(default, deserialize_with = "de_model")]
    model: Option<Model>,
}

#[derive(Deserialize)]
#[serde(rename = "campaign")]
struct RawCampaign {
    #[serde(deserialize_with = "de_id")]
    id: String,
    #[serde(default, deserialize_with = "de_window")]
    window_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename = "creator")]
struct RawCreator {
    #[serde(deserialize_with = "de_id")]
    id: String,
    #[serde(default)]
    customer_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename = "link")]
struct RawLink {
    #[serde(deserialize_with = "de_id")]
    code: String,
    #[serde(deserialize_with = "de_id")]
    creator: String,
    #[serde(deserialize_with = "de_id")]
    campaign: String,
}

#[derive(Deserialize)]
#[serde(rename = "code")]
struct RawCode {
    #[serde(deserialize_with = "de_id")]
    code: String,
    #[serde(deserialize_with = "de_id")]
    creator: String,
    #[serde(deserialize_with = "de_id")]
    campaign: String,
    #[serde(default, deserialize_with = "de_opt_time")]
    valid_from: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "de_opt_time")]
    valid_to: Option<DateTime<Utc>>,
    /// An extension of the shared format: redeemable once (default false).
    #[serde(default)]
    single_use: bool,
}

#[derive(Deserialize)]
#[serde(rename = "click")]
struct RawClick {
    #[serde(deserialize_with = "de_id")]
    click_id: String,
    #[serde(deserialize_with = "de_id")]
    link: String,
    #[serde(deserialize_with = "de_time")]
    at: DateTime<Utc>,
    #[serde(default)]
    bot: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename = "identify")]
struct RawIdentify {
    #[serde(deserialize_with = "de_id")]
    customer_key: String,
    #[serde(deserialize_with = "de_id")]
    click_id: String,
    #[serde(deserialize_with = "de_time")]
    at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename = "order")]
struct RawOrder {
    #[serde(deserialize_with = "de_id")]
    order_id: String,
    #[serde(deserialize_with = "de_time")]
    at: DateTime<Utc>,
    #[serde(deserialize_with = "de_amount")]
    amount: Decimal,
    currency: Currency,
    #[serde(default, deserialize_with = "de_opt_id")]
    customer_key: Option<String>,
    #[serde(default, deserialize_with = "de_opt_id")]
    click_id: Option<String>,
    #[serde(default)]
    codes: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename = "refund")]
struct RawRefund {
    #[serde(deserialize_with = "de_id")]
    order_id: String,
    #[serde(default, deserialize_with = "de_opt_time")]
    at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "de_amount")]
    amount: Decimal,
}

impl RawScenario {
    fn into_input(self) -> Input {
        let policy = Policy {
            model: self.policy.and_then(|p| p.model).unwrap_or_default(),
            default_window_days: engine::DEFAULT_WINDOW_DAYS,
        };
        Input {
            policy,
            campaigns: convert(self.campaigns, |c| engine::Campaign {
                id: c.id,
                window_days: c.window_days.unwrap_or(engine::DEFAULT_WINDOW_DAYS),
            }),
            creators: convert(self.creators, |c| engine::Creator {
                id: c.id,
                customer_keys: c.customer_keys.unwrap_or_default(),
            }),
            links: convert(self.links, |l| engine::Link {
                code: l.code,
                creator: l.creator,
                campaign: l.campaign,
            }),
            codes: convert(self.codes, |c| engine::PromoCode {
                code: c.code,
                creator: c.creator,
                campaign: c.campaign,
                valid_from: c.valid_from,
                valid_to: c.valid_to,
                single_use: c.single_use,
            }),
            clicks: convert(self.clicks, |c| engine::Click {
                click_id: c.click_id,
                link: c.link,
                at: c.at,
                bot: c.bot.unwrap_or(false),
            }),
            identifies: convert(self.identifies, |i| engine::Identify {
                customer_key: i.customer_key,
                click_id: i.click_id,
                at: i.at,
            }),
            orders: convert(self.orders, |o| engine::Order {
                order_id: o.order_id,
                at: o.at,
                amount: o.amount,
                currency: o.currency.code().to_string(),
                customer_key: o.customer_key,
                click_id: o.click_id,
                codes: o.codes.unwrap_or_default(),
            }),
            refunds: convert(self.refunds, |r| engine::Refund {
                order_id: r.order_id,
                // Refunds apply whatever their time; an absent one is harmless.
                at: r.at.unwrap_or(DateTime::<Utc>::MIN_UTC),
                amount: r.amount,
            }),
        }
    }
}

fn convert<R, T>(raw: Option<Vec<R>>, f: impl FnMut(R) -> T) -> Vec<T> {
    raw.unwrap_or_default().into_iter().map(f).collect()
}

// ---- value parsers: each error lands on the field's own JSON path -----------

fn de_model<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Model>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(name) => Model::parse(&name).map(Some).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown policy model {name:?}: expected \"last\", \"first\" or \"linear\""
            ))
        }),
    }
}

fn de_window<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let Some(v) = Option::<Value>::deserialize(d)? else {
        return Ok(None);
    };
    let range = engine::MIN_WINDOW_DAYS..=engine::MAX_WINDOW_DAYS;
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| range.contains(n))
        .map(Some)
        .ok_or_else(|| {
            D::Error::custom(format!(
                "window_days must be a whole number of days from {} to {}, got {v}",
                range.start(),
                range.end()
            ))
        })
}

/// Ids are strings; whole numbers are accepted too because people write
/// `"order_id": 1001`. Either way the id compares as its text.
fn de_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(D::Error::custom(format!(
            "expected a string id, got {other}"
        ))),
    }
}

fn de_opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        other => Err(D::Error::custom(format!(
            "expected a string id or null, got {other}"
        ))),
    }
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let s = String::deserialize(d)?;
    parse_time(&s).map_err(D::Error::custom)
}

fn de_opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_time(&s).map(Some).map_err(D::Error::custom),
    }
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time such as \"2026-03-02T10:00:00Z\": {e}"))
}

fn de_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let text = match Value::deserialize(d)? {
        Value::String(s) => s,
        // Tolerated for hand-written files; the string form keeps its places.
        Value::Number(n) => n.to_string(),
        other => {
            return Err(D::Error::custom(format!(
                "expected a decimal string such as \"80.00\", got {other}"
            )))
        }
    };
    parse_amount(&text).map_err(D::Error::custom)
}

/// Plain decimal notation only: `Decimal::from_str` alone would also take
/// `1_000`, which no merchant system means.
fn parse_amount(text: &str) -> Result<Decimal, String> {
    let bad = || format!("{text:?} is not a decimal amount such as \"80.00\"");
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let plain = match body.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(body),
    };
    if !plain {
        return Err(bad());
    }
    let mut value = Decimal::from_str(text).map_err(|_| bad())?;
    if value.is_zero() {
        // "-0.00" would otherwise print with its sign.
        value.set_sign_positive(true);
    } else if value.is_sign_negative() {
        return Err(format!(
            "{text:?} is negative; amounts must be zero or more"
        ));
    }
    Ok(value)
}
