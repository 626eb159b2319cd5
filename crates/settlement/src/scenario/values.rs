//! Value types of the scenario file, checked while deserializing so a bad
//! value is reported with its JSON path, line and column.

use chorus_core::Currency;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// Active ISO 4217 codes (plus funds and precious-metal codes). Three
/// letters alone are not enough: "ABC" must not silently become a currency.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP \
DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR \
ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT \
MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON \
RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY \
TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG \
XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL";

/// Parse an ISO 4217 code; lower case is accepted (as `chorus-core` does).
pub fn parse_currency(raw: &str) -> Result<Currency, String> {
    let c = Currency::parse(raw).map_err(|e| e.to_string())?;
    if ISO_4217
        .split_ascii_whitespace()
        .any(|code| code == c.code())
    {
        Ok(c)
    } else {
        Err(format!("{raw:?} is not an ISO 4217 currency code"))
    }
}

fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() || s.contains('_') {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// `"0.10"` or `"10%"`.
fn parse_ratio(s: &str) -> Option<Decimal> {
    match s.trim().strip_suffix('%') {
        Some(pct) => parse_decimal(pct).map(|d| d / Decimal::ONE_HUNDRED),
        None => parse_decimal(s),
    }
}

/// `"1/2"`, `"0.5"` or `"50%"`.
fn parse_share(s: &str) -> Option<Decimal> {
    match s.split_once('/') {
        Some((n, d)) => {
            let (n, d) = (parse_decimal(n)?, parse_decimal(d)?);
            n.checked_div(d).filter(|_| !d.is_zero())
        }
        None => parse_ratio(s),
    }
}

/// RFC 3339; also a bare date (midnight UTC) or a date-time without offset
/// (taken as UTC), since finance writes both by hand.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Implements `Deserialize` for a newtype read from a string (and, where
/// exact, an integer) through a parse function.
macro_rules! string_value {
    ($name:ident, $inner:ty, $expecting:literal, $parse:expr, $ints:expr) => {
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name(pub $inner);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$name, E> {
                        let parse: fn(&str) -> Result<$inner, String> = $parse;
                        parse(s).map($name).map_err(E::custom)
                    }
                    fn visit_i64<E: de::Error>(self, n: i64) -> Result<$name, E> {
                        if $ints {
                            self.visit_str(&n.to_string())
                        } else {
                            Err(E::invalid_type(de::Unexpected::Signed(n), &self))
                        }
                    }
                    fn visit_u64<E: de::Error>(self, n: u64) -> Result<$name, E> {
                        if $ints {
                            self.visit_str(&n.to_string())
                        } else {
                            Err(E::invalid_type(de::Unexpected::Unsigned(n), &self))
                        }
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

string_value!(
    Dec,
    Decimal,
    "a decimal amount as a string, e.g. \"80.00\"",
    |s| parse_decimal(s).ok_or_else(|| format!("{s:?} is not a decimal amount (e.g. \"80.00\")")),
    true
);
string_value!(
    Ratio,
    Decimal,
    "a rate as a decimal string, e.g. \"0.10\" or \"10%\"",
    |s| parse_ratio(s).ok_or_else(|| format!("{s:?} is not a rate (e.g. \"0.10\" or \"10%\")")),
    true
);
string_value!(
    Share,
    Decimal,
    "a share such as \"1/2\", \"0.5\" or \"50%\"",
    |s| parse_share(s)
        .ok_or_else(|| format!("{s:?} is not a share (e.g. \"1/2\", \"0.5\" or \"50%\")")),
    true
);
string_value!(
    Ts,
    DateTime<Utc>,
    "an RFC 3339 time such as \"2026-03-20T18:00:00Z\"",
    |s| parse_time(s)
        .ok_or_else(|| format!("{s:?} is not an RFC 3339 time (e.g. \"2026-03-20T18:00:00Z\")")),
    false
);
string_value!(
    Day,
    NaiveDate,
    "a date such as \"2026-03-01\"",
    |s| parse_time(s)
        .map(|t| t.date_naive())
        .ok_or_else(|| format!("{s:?} is not a date (e.g. \"2026-03-01\")")),
    false
);
string_value!(
    Cur,
    Currency,
    "an ISO 4217 currency code such as \"USD\"",
    parse_currency,
    false
);
string_value!(Id, String, "an id string", |s| Ok(s.to_string()), true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_ratios() {
        assert_eq!(
            parse_share("1/3").unwrap().round_dp(4).to_string(),
            "0.3333"
        );
        assert_eq!(parse_share("50%").unwrap(), Decimal::new(5, 1));
        assert!(parse_share("1/0").is_none());
        assert_eq!(parse_ratio("10%").unwrap(), Decimal::new(1, 1));
    }

    #[test]
    fn currencies_must_be_iso() {
        assert!(parse_currency("usd").is_ok());
        assert!(parse_currency("ABC").is_err());
        assert!(parse_currency("US").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time("2026-03-01").unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("2026-03-01T10:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T08:00:00+00:00"
        );
        assert!(parse_time("yesterday").is_none());
    }
}
