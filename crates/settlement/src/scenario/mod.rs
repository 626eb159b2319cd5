//! The what-if scenario format (`formats/settlement-scenario.md`):
//! `chorus settle explain --scenario FILE.json [--json]`.
//!
//! Parsing is strict about values (money is never guessed) and lenient about
//! shape where the meaning is unambiguous (absent lists are empty, unknown
//! keys are ignored). Settling is the engine's: this module only translates.
//!
//! Decisions where the spec leaves room (each one also documented where it
//! is implemented):
//! - A refund at exactly a run's `as_of` is applied before that run pays, so
//!   it meets an unpaid commission and reduces it; "after payment" means the
//!   commission was paid by an earlier run.
//! - A commission is shown as earned (`amount`) with each refund as its own
//!   `reversal` line; a reversal before payment shares the commission's
//!   `payable_at` and is paid with it, so line amounts always add up to the
//!   balances. The commission line also carries `after_refunds`.
//! - Several refunds of one order accumulate: each recomputes on the new net
//!   and reverses the difference from the current value, never above what
//!   was first earned (`min(recomputed, earned)` for every order, which is
//!   the spec's cap rule and a no-op otherwise).
//! - A repeated run key is skipped before the `as_of` order check, so
//!   re-listing an old run is the promised no-op, not an error. Decreasing
//!   `as_of` among the other runs refuses the whole file (naming the field).
//! - "First occurrence" of a repeated event is its earliest time.
//! - Lines and balances are as of the balances time: later orders, refunds
//!   and events still get lines (`after_as_of`, milestones `not_earned`) but
//!   are not in the balances. Every deal's creator and currency gets a
//!   balance row, zero if nothing was earned.
//! - Errors (in `errors`, the rest still settles): event/order/refund of no
//!   deal or order, duplicate deal or order id (first listed wins), no rate,
//!   base fee without milestones, refund before its order or larger than
//!   what is left of it.
//! - Value errors refuse the file: bad currency (ISO 4217 list), amounts that
//!   are not decimal strings or have more places than the currency allows,
//!   negative amounts, non-positive refunds or rates.

mod input;
mod output;
pub mod values;

use crate::engine::{self, Settlement};

/// Why a scenario file could not be read. Display names the JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// Not JSON, wrong shape or a bad value: where it is and what is wrong.
    #[error("scenario {path} (line {line}, column {column}): {reason}")]
    Malformed {
        path: String,
        line: usize,
        column: usize,
        reason: String,
    },
    /// Well-formed, but values that contradict each other (an amount with
    /// more places than its currency, runs out of order, ...).
    #[error("scenario {path}: {reason}")]
    Invalid { path: String, reason: String },
}

/// A settled scenario, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub settlement: Settlement,
}

/// Read a scenario and settle it.
pub fn explain(input: &str) -> Result<Explanation, ScenarioError> {
    let raw = parse(input)?;
    let settlement = engine::settle(&raw.into_input()?);
    Ok(Explanation { settlement })
}

/// Engine input of a scenario, for callers that settle it themselves.
pub fn parse_input(input: &str) -> Result<engine::Input, ScenarioError> {
    parse(input)?.into_input()
}

fn parse(text: &str) -> Result<input::RawScenario, ScenarioError> {
    // serde would also accept a struct written as a JSON array; a scenario
    // is an object, and anything else is a mistake worth naming.
    if let Some((offset, c)) = text.char_indices().find(|(_, c)| !c.is_whitespace()) {
        if c != '{' {
            let line = text[..offset].matches('\n').count() + 1;
            let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1) + 1;
            return Err(ScenarioError::Malformed {
                path: ".".into(),
                line,
                column,
                reason: format!("expected a JSON object, found {c:?}"),
            });
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: input::RawScenario = serde_path_to_error::deserialize(&mut de).map_err(malformed)?;
    de.end().map_err(|e| malformed_at(".".into(), &e))?;
    Ok(raw)
}

fn malformed(err: serde_path_to_error::Error<serde_json::Error>) -> ScenarioError {
    let path = err.path().to_string();
    malformed_at(path, err.inner())
}

/// serde_json appends " at line L column C" to its message; the position
/// is reported in its own fields instead.
fn malformed_at(path: String, err: &serde_json::Error) -> ScenarioError {
    let text = err.to_string();
    let reason = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(r, _)| r)
        .to_string();
    ScenarioError::Malformed {
        path,
        line: err.line(),
        column: err.column(),
        reason,
    }
}

impl Explanation {
    /// Exactly the spec's `--json` output.
    pub fn to_json(&self) -> serde_json::Value {
        output::to_json(&self.settlement)
    }

    /// A readable report of the same content.
    pub fn to_text(&self) -> String {
        output::to_text(&self.settlement)
    }
}
