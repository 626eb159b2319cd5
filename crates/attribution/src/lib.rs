//! Chorus attribution: which creator gets credit for an order, and the
//! machinery around it (bot filtering of clicks, webhook signatures, link and
//! promo codes, a journey simulator that measures attribution policies).
//!
//! Everything here is pure: no I/O, no clock, no randomness that is not
//! passed in. The server and the CLI read files, sockets and the database and
//! hand values to these functions.

pub mod bots;
pub mod codes;
pub mod engine;
pub mod geo;
pub mod scenario;
pub mod signing;
pub mod simulate;
