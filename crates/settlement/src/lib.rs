//! Settlement of hybrid creator deals (DESIGN.md, "Settlement"; the exact
//! rules are in `formats/settlement-scenario.md`).
//!
//! Pure: no I/O, no clock, no database. The server and the CLI feed it typed
//! inputs and store or print what it returns, so the same code answers the
//! what-if command, the payout jobs and the tests.
//!
//! - [`engine`]: deals, events, orders, refunds, rates and runs → commission
//!   lines, payouts and balances.
//! - [`payout`]: the payout-run aggregation itself, shared by the engine and
//!   the benchmark.
//! - [`scenario`]: the what-if JSON format on top of the engine.
//! - [`ledger`]: double-entry entries derived from the engine's lines, and
//!   their checks.
//! - [`export`]: payout batch files for PayPal, Wise and Stripe, and provider
//!   result files.
//! - [`statement`]: a creator's statement (lines, payouts and totals per
//!   currency) and its CSV.

pub mod engine;
pub mod export;
pub mod ledger;
pub mod payout;
pub mod scenario;
pub mod statement;

pub use engine::{settle, Settlement};
pub use payout::bench_payout_run;
pub use scenario::{explain, Explanation, ScenarioError};
