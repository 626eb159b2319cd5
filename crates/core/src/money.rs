//! Exact money: integer minor units with an ISO 4217 currency. Never `f64`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not an ISO 4217 currency code (three letters, e.g. USD)")]
    BadCurrency(String),
    #[error("{0:?} is not a decimal amount")]
    BadAmount(String),
    #[error("amount {amount} has more decimal places than {currency} allows ({places})")]
    TooPrecise {
        amount: String,
        currency: Currency,
        places: u32,
    },
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    Overflow,
}

/// An ISO 4217 alphabetic code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Currencies whose minor unit is not 2 (ISO 4217 table); everything else has 2.
const MINOR_UNITS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");

    /// An amount in minor units of this currency, as an exact decimal in
    /// major units (1234 USD cents → 12.34).
    pub fn major(self, minor: i64) -> Decimal {
        Decimal::new(minor, self.minor_units())
    }

    pub fn parse(raw: &str) -> Result<Currency, MoneyError> {
        let s = raw.trim();
        let b = s.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Currency([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]))
        } else {
            Err(MoneyError::BadCurrency(raw.to_string()))
        }
    }

    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of decimal places of the minor unit (2 for USD/EUR, 0 for JPY).
    pub fn minor_units(&self) -> u32 {
        MINOR_UNITS
            .iter()
            .find(|(c, _)| *c == self.code())
            .map_or(2, |(_, u)| *u)
    }

    /// Round half-to-even to this currency's minor unit.
    pub fn round(&self, d: Decimal) -> Decimal {
        let mut r =
            d.round_dp_with_strategy(self.minor_units(), RoundingStrategy::MidpointNearestEven);
        r.rescale(self.minor_units());
        r
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// An exact amount: integer minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// Parse a decimal string such as `"80.00"`; refuses more places than the
    /// currency has rather than silently rounding.
    pub fn parse(amount: &str, currency: Currency) -> Result<Money, MoneyError> {
        let d = Decimal::from_str(amount.trim())
            .map_err(|_| MoneyError::BadAmount(amount.to_string()))?;
        Money::from_decimal_exact(d, currency).map_err(|e| match e {
            MoneyError::TooPrecise {
                currency, places, ..
            } => MoneyError::TooPrecise {
                amount: amount.to_string(),
                currency,
                places,
            },
            other => other,
        })
    }

    pub fn from_decimal_exact(d: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let places = currency.minor_units();
        if d.normalize().scale() > places {
            return Err(MoneyError::TooPrecise {
                amount: d.to_string(),
                currency,
                places,
            });
        }
        let scaled = d * Decimal::from(10i64.pow(places));
        let minor = i64::try_from(scaled.trunc()).map_err(|_| MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    /// Round half-to-even to the minor unit.
    pub fn from_decimal_rounded(d: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        Money::from_decimal_exact(currency.round(d), currency)
    }

    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_units())
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}

/// `minor × num / den` in minor units, rounded half-to-even, in exact
/// integer arithmetic: one credited share of an amount. A non-positive
/// denominator gives 0.
pub fn share_of(minor: i64, num: i64, den: i64) -> i64 {
    if den <= 0 {
        return 0;
    }
    let p = i128::from(minor) * i128::from(num);
    let d = i128::from(den);
    let (q, r) = (p.div_euclid(d), p.rem_euclid(d));
    let up = match (2 * r).cmp(&d) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => q % 2 != 0,
    };
    i64::try_from(q + i128::from(up)).unwrap_or(if p < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shares_round_half_to_even_exactly() {
        assert_eq!(share_of(8001, 1, 2), 4000);
        assert_eq!(share_of(8003, 1, 2), 4002);
        assert_eq!(share_of(100, 1, 3), 33);
        assert_eq!(share_of(-3, 1, 2), -2);
        assert_eq!(share_of(-5, 1, 2), -2);
        assert_eq!(share_of(i64::MAX, 3, 3), i64::MAX);
        assert_eq!(share_of(100, 1, 0), 0);
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(Currency::parse("usd").unwrap().minor_units(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_units(), 3);
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
    }

    #[test]
    fn parse_refuses_sub_minor_precision() {
        assert_eq!(Money::parse("80.00", Currency::USD).unwrap().minor, 8000);
        assert_eq!(Money::parse("80.5", Currency::USD).unwrap().minor, 8050);
        assert!(Money::parse("1.005", Currency::USD).is_err());
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse("1200", jpy).unwrap().minor, 1200);
        assert!(Money::parse("12.5", jpy).is_err());
        assert!(Money::parse("ten", Currency::USD).is_err());
    }

    #[test]
    fn rounding_is_half_to_even() {
        let r = |s: &str| {
            Currency::USD
                .round(Decimal::from_str(s).unwrap())
                .to_string()
        };
        assert_eq!(r("0.125"), "0.12");
        assert_eq!(r("0.135"), "0.14");
        assert_eq!(r("-0.125"), "-0.12");
        assert_eq!(r("2"), "2.00");
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let a = Money::parse("1.00", Currency::USD).unwrap();
        let b = Money::parse("1.00", Currency::EUR).unwrap();
        assert!(a.checked_add(b).is_err());
    }

    proptest! {
        #[test]
        fn decimal_round_trip_is_exact(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            let m = Money { minor, currency: Currency::USD };
            prop_assert_eq!(Money::from_decimal_exact(m.to_decimal(), Currency::USD).unwrap(), m);
        }
    }
}
