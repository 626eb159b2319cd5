//! Chorus domain: the vocabulary of DESIGN.md as types, and the pure rules that
//! need no I/O (engagement rate, money arithmetic, validation of imported
//! creators). Every other crate speaks in these types.

pub mod creator;
pub mod engagement;
pub mod ids;
pub mod import;
pub mod money;
pub mod org;
pub mod payout;

pub use creator::{CreatorRecord, FieldError, Platform, Tier};
pub use engagement::{engagement_rate, engagement_rate_by_views};
pub use ids::*;
pub use money::{Currency, Money, MoneyError};
pub use org::{Email, Role};
pub use payout::{BankAccount, PayoutDetails, PayoutForm, PayoutMethod};
