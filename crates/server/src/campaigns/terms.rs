//! Deal terms per member (DESIGN.md, "Deal terms"), bulk edits and the
//! campaign's budget check.
//!
//! The JSON is the settlement scenario's deal format (`currency`,
//! `base_fee`, `milestones`, `performance`, `hold_days`, amounts as decimal
//! strings) plus the contract-only terms (exclusivity, competitors, usage
//! rights). Terms are validated by the settlement engine itself, so a deal
//! that can be signed can also be settled.

use chorus_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneSpec {
    /// `signed`, `approved`, `published` or another event name.
    pub event: String,
    pub share: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierSpec {
    pub from: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceSpec {
    /// `cpa` or `rev_share`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierSpec>,
    /// Maximum variable total of the deal; none means unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Decimal>,
}

fn default_hold() -> u32 {
    30
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealTerms {
    pub currency: Currency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_fee: Option<Decimal>,
    #[serde(default)]
    pub milestones: Vec<MilestoneSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performance: Option<PerformanceSpec>,
    #[serde(default = "default_hold")]
    pub hold_days: u32,
    #[serde(default)]
    pub exclusivity_days: u32,
    #[serde(default)]
    pub competitors: Vec<String>,
    #[serde(default)]
    pub usage_rights_days: u32,
}

impl DealTerms {
    /// A plain fee: half on signature, half on publish.
    pub fn default_for(currency: Currency) -> DealTerms {
        DealTerms {
            currency,
            base_fee: None,
            milestones: vec![
                MilestoneSpec {
                    event: "signed".into(),
                    share: Decimal::new(5, 1),
                },
                MilestoneSpec {
                    event: "published".into(),
                    share: Decimal::new(5, 1),
                },
            ],
            performance: None,
            hold_days: 30,
            exclusivity_days: 0,
            competitors: vec![],
            usage_rights_days: 0,
        }
    }

    pub fn parse(json: &str) -> Result<DealTerms, String> {
        let t: DealTerms = serde_json::from_str(json).map_err(|e| format!("deal terms: {e}"))?;
        t.validate()?;
        Ok(t)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// The deal as the settlement scenario format reads it.
    pub fn settlement_deal(&self, creator: &str, campaign: &str) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("creator".into(), json!(creator));
            o.insert("campaign".into(), json!(campaign));
            for k in ["exclusivity_days", "competitors", "usage_rights_days"] {
                o.remove(k);
            }
        }
        v
    }

    /// Refuse what the settlement engine would refuse, naming the field.
    pub fn validate(&self) -> Result<(), String> {
        let scenario = json!({"deals": [self.settlement_deal("c", "k")]});
        let explained = chorus_settlement::explain(&scenario.to_string())
            .map_err(|e| e.to_string().replace("deals[0].", ""))?;
        if let Some(e) = explained
            .settlement
            .errors
            .iter()
            .find(|e| e.subject == "deal")
        {
            return Err(format!("deal terms: {}", e.message));
        }
        if self.base_fee.is_some_and(|f| f.is_sign_negative()) {
            return Err("base_fee: must not be negative".into());
        }
        let shares: Decimal = self.milestones.iter().map(|m| m.share).sum();
        if self.base_fee.is_some() && !self.milestones.is_empty() && shares != Decimal::ONE {
            return Err(format!("milestones: shares add up to {shares}, not 1"));
        }
        Ok(())
    }

    pub fn base_fee_minor(&self) -> i64 {
        self.base_fee
            .and_then(|f| Money::from_decimal_rounded(f, self.currency).ok())
            .map_or(0, |m| m.minor)
    }

    /// The most the variable part can cost: its cap, or None when uncapped.
    /// Zero when there is no performance component.
    pub fn worst_case_variable_minor(&self) -> Option<i64> {
        match &self.performance {
            None => Some(0),
            Some(p) => p
                .cap
                .and_then(|c| Money::from_decimal_rounded(c, self.currency).ok())
                .map(|m| m.minor),
        }
    }

    pub fn fee_text(&self) -> String {
        match self.base_fee {
            Some(f) => Money::from_decimal_rounded(f, self.currency)
                .map(|m| m.to_string())
                .unwrap_or_else(|_| format!("{f} {}", self.currency)),
            None => format!("no base fee ({})", self.currency),
        }
    }

    pub fn milestones_text(&self) -> String {
        if self.milestones.is_empty() {
            return "paid in full on signature".into();
        }
        self.milestones
            .iter()
            .map(|m| {
                format!(
                    "{}% on {}",
                    (m.share * Decimal::from(100)).normalize(),
                    m.event
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn performance_text(&self) -> String {
        let Some(p) = &self.performance else {
            return "none".into();
        };
        let unit = |d: Decimal| format!("{} {}", self.currency.round(d), self.currency);
        let pct = |d: Decimal| format!("{}%", (d * Decimal::from(100)).normalize());
        let rate = if p.tiers.is_empty() {
            match p.kind.as_str() {
                "cpa" => p
                    .amount
                    .map(|a| format!("{} per attributed order", unit(a))),
                _ => p
                    .rate
                    .map(|r| format!("{} of net attributed revenue", pct(r))),
            }
            .unwrap_or_default()
        } else {
            let tiers: Vec<String> = p
                .tiers
                .iter()
                .map(|t| match p.kind.as_str() {
                    "cpa" => format!(
                        "from {}: {}",
                        t.from.normalize(),
                        t.amount.map(unit).unwrap_or_default()
                    ),
                    _ => format!(
                        "from {}: {}",
                        t.from.normalize(),
                        t.rate.map(pct).unwrap_or_default()
                    ),
                })
                .collect();
            format!(
                "{} tiered by cumulative {} ({})",
                p.kind,
                p.basis.as_deref().unwrap_or("orders"),
                tiers.join("; ")
            )
        };
        let cap = p
            .cap
            .map(|c| format!(", capped at {}", unit(c)))
            .unwrap_or_else(|| ", uncapped".into());
        format!("{rate}{cap}")
    }
}

/// One member's deal terms as a form: every field text, percentages as
/// percent (50 for half), lists one item per line. Errors name the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TermsForm {
    pub currency: String,
    pub base_fee: String,
    /// One per line: "event percent", e.g. "signed 50".
    pub milestones: String,
    /// `none`, `cpa` or `rev_share`.
    pub performance: String,
    /// `orders` or `revenue`: what selects a tier.
    pub basis: String,
    /// cpa: amount per order; rev_share: percent of net revenue.
    pub rate: String,
    /// One per line: "from rate", e.g. "100 12" (percent for rev_share, amount for cpa).
    pub tiers: String,
    pub cap: String,
    pub hold_days: String,
    pub exclusivity_days: String,
    /// One per line (or comma-separated).
    pub competitors: String,
    pub usage_rights_days: String,
}

fn pct(d: Decimal) -> String {
    (d * Decimal::from(100)).normalize().to_string()
}

fn number(field: &str, s: &str) -> Result<Option<Decimal>, String> {
    let t = s.trim().trim_end_matches('%').replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<Decimal>()
        .map(Some)
        .map_err(|_| format!("{field}: {:?} is not a number", s.trim()))
}

/// The non-blank lines of a textarea as "head number" pairs, e.g. the
/// milestone line "signed 50"; a bad line is named by its number and shape.
fn pair_lines<T>(
    field: &str,
    text: &str,
    shape: &str,
    example: &str,
    head: impl Fn(&str) -> Option<T>,
) -> Result<Vec<(T, Decimal)>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let bad = || {
                format!(
                    "{field} line {}: write \"{shape}\", e.g. \"{example}\" (got {line:?})",
                    i + 1
                )
            };
            let (first, value) = line.rsplit_once(char::is_whitespace).ok_or_else(bad)?;
            let first = head(first.trim()).ok_or_else(bad)?;
            let value = number(field, value).map_err(|_| bad())?.ok_or_else(bad)?;
            Ok((first, value))
        })
        .collect()
}

fn days(field: &str, s: &str, default: u32) -> Result<u32, String> {
    match s.trim() {
        "" => Ok(default),
        t => t
            .parse()
            .map_err(|_| format!("{field}: {t:?} is not a whole number of days")),
    }
}

impl TermsForm {
    pub fn from_terms(t: &DealTerms) -> TermsForm {
        let p = t.performance.as_ref();
        let is_cpa = p.is_some_and(|p| p.kind == "cpa");
        let value = |rate: Option<Decimal>, amount: Option<Decimal>| {
            if is_cpa {
                amount.map(|a| a.normalize().to_string())
            } else {
                rate.map(pct)
            }
            .unwrap_or_default()
        };
        TermsForm {
            currency: t.currency.to_string(),
            base_fee: t.base_fee.map(|f| f.to_string()).unwrap_or_default(),
            milestones: t
                .milestones
                .iter()
                .map(|m| format!("{} {}", m.event, pct(m.share)))
                .collect::<Vec<_>>()
                .join("\n"),
            performance: p.map_or("none".into(), |p| p.kind.clone()),
            basis: p.and_then(|p| p.basis.clone()).unwrap_or_default(),
            rate: p.map(|p| value(p.rate, p.amount)).unwrap_or_default(),
            tiers: p
                .map(|p| {
                    p.tiers
                        .iter()
                        .map(|x| format!("{} {}", x.from.normalize(), value(x.rate, x.amount)))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            cap: p
                .and_then(|p| p.cap)
                .map(|c| c.to_string())
                .unwrap_or_default(),
            hold_days: t.hold_days.to_string(),
            exclusivity_days: t.exclusivity_days.to_string(),
            competitors: t.competitors.join("\n"),
            usage_rights_days: t.usage_rights_days.to_string(),
        }
    }

    pub fn to_terms(&self) -> Result<DealTerms, String> {
        let currency =
            Currency::parse(self.currency.trim()).map_err(|e| format!("currency: {e}"))?;
        let hundred = Decimal::from(100);
        let milestones = pair_lines(
            "milestones",
            &self.milestones,
            "event percent",
            "signed 50",
            |e| Some(e.to_string()),
        )?
        .into_iter()
        .map(|(event, share)| MilestoneSpec {
            event,
            share: (share / hundred).normalize(),
        })
        .collect();
        let kind = self.performance.trim();
        let performance = match kind {
            "" | "none" => None,
            "cpa" | "rev_share" => {
                let cpa = kind == "cpa";
                let split = |v: Option<Decimal>| {
                    if cpa {
                        (None, v)
                    } else {
                        (v.map(|r| r / hundred), None)
                    }
                };
                let tiers = pair_lines("tiers", &self.tiers, "from value", "100 12", |from| {
                    number("tiers", from).ok().flatten()
                })?
                .into_iter()
                .map(|(from, value)| {
                    let (rate, amount) = split(Some(value));
                    TierSpec { from, rate, amount }
                })
                .collect::<Vec<_>>();
                let (rate, amount) = split(number("rate", &self.rate)?);
                if rate.is_none() && amount.is_none() && tiers.is_empty() {
                    return Err(format!(
                        "rate: give the {} or tiers",
                        if cpa {
                            "amount per order"
                        } else {
                            "percent of revenue"
                        }
                    ));
                }
                let basis = match self.basis.trim() {
                    "" if tiers.is_empty() => None,
                    "" => Some("orders".to_string()),
                    b @ ("orders" | "revenue") => Some(b.to_string()),
                    other => return Err(format!("basis: {other:?} is neither orders nor revenue")),
                };
                Some(PerformanceSpec {
                    kind: kind.to_string(),
                    basis,
                    rate,
                    amount,
                    tiers,
                    cap: number("cap", &self.cap)?,
                })
            }
            other => {
                return Err(format!(
                    "performance: {other:?} is not one of none, cpa, rev_share"
                ))
            }
        };
        let t = DealTerms {
            currency,
            base_fee: number("base_fee", &self.base_fee)?,
            milestones,
            performance,
            hold_days: days("hold_days", &self.hold_days, default_hold())?,
            exclusivity_days: days("exclusivity_days", &self.exclusivity_days, 0)?,
            competitors: self
                .competitors
                .split(['\n', ','])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            usage_rights_days: days("usage_rights_days", &self.usage_rights_days, 0)?,
        };
        t.validate()?;
        Ok(t)
    }
}

/// A bulk change of the base fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeChange {
    /// Percent of the current fee, e.g. 10 for +10%; rounded half-to-even.
    Percent(Decimal),
    /// An amount in the deal currency's major units, e.g. 50.00.
    Absolute(Decimal),
}

impl FeeChange {
    pub fn apply(self, terms: &DealTerms) -> Result<DealTerms, String> {
        let fee = terms.base_fee.unwrap_or(Decimal::ZERO);
        let new = match self {
            FeeChange::Percent(p) => fee + fee * p / Decimal::from(100),
            FeeChange::Absolute(a) => fee + a,
        };
        let new = terms.currency.round(new);
        if new.is_sign_negative() && !new.is_zero() {
            return Err(format!(
                "the fee would become negative ({new} {})",
                terms.currency
            ));
        }
        let mut t = terms.clone();
        t.base_fee = Some(new);
        Ok(t)
    }
}

/// Spend of a campaign against its budget, in minor units of its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub currency: Currency,
    pub budget: i64,
    /// Base fees of members from the offer on.
    pub committed_base: i64,
    /// Base fees of members not yet offered (shortlisted, qualified).
    pub planned_base: i64,
    /// Sum of caps of committed members; None when one is uncapped.
    pub worst_case_variable: Option<i64>,
    /// Members whose terms are in another currency (not added up).
    pub other_currency: usize,
}

impl Budget {
    pub fn compute<'a>(
        currency: Currency,
        budget: i64,
        members: impl IntoIterator<Item = (super::stage::Stage, &'a DealTerms)>,
    ) -> Budget {
        let mut b = Budget {
            currency,
            budget,
            committed_base: 0,
            planned_base: 0,
            worst_case_variable: Some(0),
            other_currency: 0,
        };
        for (stage, t) in members {
            if stage.is_closed() {
                continue;
            }
            if t.currency != currency {
                b.other_currency += 1;
                continue;
            }
            if stage.is_committed() {
                b.committed_base += t.base_fee_minor();
                b.worst_case_variable = match (b.worst_case_variable, t.worst_case_variable_minor())
                {
                    (Some(a), Some(c)) => Some(a + c),
                    _ => None,
                };
            } else {
                b.planned_base += t.base_fee_minor();
            }
        }
        b
    }

    /// Committed base plus worst-case variable; None when unbounded.
    pub fn worst_case_total(&self) -> Option<i64> {
        self.worst_case_variable.map(|v| v + self.committed_base)
    }

    pub fn over_budget(&self) -> bool {
        self.worst_case_total().is_none_or(|t| t > self.budget)
    }

    pub fn money(&self, minor: i64) -> String {
        Money {
            minor,
            currency: self.currency,
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::stage::Stage;
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Terms with one milestone unless the test gives its own.
    fn terms(json: &str) -> DealTerms {
        let mut v: Value = serde_json::from_str(json).unwrap();
        if v.get("base_fee").is_some() && v.get("milestones").is_none() {
            v["milestones"] = json!([{"event": "signed", "share": "1"}]);
        }
        DealTerms::parse(&v.to_string()).unwrap()
    }

    #[test]
    fn terms_round_trip_and_feed_the_settlement_engine() {
        let t = terms(
            r#"{"currency": "USD", "base_fee": "800.00",
                "milestones": [{"event": "signed", "share": "0.5"}, {"event": "published", "share": "0.5"}],
                "performance": {"type": "rev_share", "rate": "0.10", "cap": "500.00"},
                "hold_days": 30, "exclusivity_days": 30, "competitors": ["Acme"], "usage_rights_days": 90}"#,
        );
        assert_eq!(DealTerms::parse(&t.to_json()).unwrap(), t);
        assert_eq!(t.base_fee_minor(), 80_000);
        assert_eq!(t.worst_case_variable_minor(), Some(50_000));
        assert_eq!(t.fee_text(), "800.00 USD");
        assert_eq!(t.milestones_text(), "50% on signed, 50% on published");
        assert_eq!(
            t.performance_text(),
            "10% of net attributed revenue, capped at 500.00 USD"
        );
        let scenario = json!({"deals": [t.settlement_deal("maya", "spring")]});
        assert!(chorus_settlement::explain(&scenario.to_string()).is_ok());
    }

    #[test]
    fn bad_terms_are_refused_with_the_field() {
        let e = DealTerms::parse(r#"{"currency": "USD", "base_fee": "1.005"}"#).unwrap_err();
        assert!(e.contains("base_fee"), "{e}");
        let e =
            DealTerms::parse(r#"{"currency": "USD", "performance": {"type": "cpa"}}"#).unwrap_err();
        assert!(e.contains("amount"), "{e}");
        let e = DealTerms::parse(
            r#"{"currency": "USD", "base_fee": "10", "milestones": [{"event": "signed", "share": "0.3"}]}"#,
        )
        .unwrap_err();
        assert!(e.contains("shares"), "{e}");
    }

    #[test]
    fn the_terms_form_round_trips_and_names_bad_fields() {
        let t = terms(
            r#"{"currency": "USD", "base_fee": "800.00",
                "milestones": [{"event": "signed", "share": "0.5"}, {"event": "published", "share": "0.5"}],
                "performance": {"type": "rev_share", "basis": "revenue", "tiers": [{"from": "0", "rate": "0.10"}, {"from": "5000", "rate": "0.125"}], "cap": "500.00"},
                "hold_days": 14, "exclusivity_days": 30, "competitors": ["Acme", "Globex"], "usage_rights_days": 90}"#,
        );
        let f = TermsForm::from_terms(&t);
        assert_eq!(f.milestones, "signed 50\npublished 50");
        assert_eq!(f.tiers, "0 10\n5000 12.5");
        assert_eq!(f.to_terms().unwrap(), t);
        let cpa = terms(
            r#"{"currency": "EUR", "base_fee": "100", "performance": {"type": "cpa", "amount": "5.00"}}"#,
        );
        assert_eq!(TermsForm::from_terms(&cpa).to_terms().unwrap(), cpa);
        for (edit, field) in [
            (
                (|f: &mut TermsForm| f.base_fee = "lots".into()) as fn(&mut TermsForm),
                "base_fee",
            ),
            (|f| f.hold_days = "two weeks".into(), "hold_days"),
            (|f| f.milestones = "signed".into(), "milestones line 1"),
            (|f| f.milestones = "signed 30".into(), "milestones"),
            (|f| f.performance = "bonus".into(), "performance"),
            (|f| f.tiers = "many".into(), "tiers line 1"),
            (|f| f.basis = "clicks".into(), "basis"),
            (|f| f.currency = "XXXX".into(), "currency"),
            (|f| f.cap = "1,2,3x".into(), "cap"),
        ] {
            let mut f = TermsForm::from_terms(&t);
            edit(&mut f);
            let e = f.to_terms().unwrap_err();
            assert!(e.starts_with(field), "{field}: {e}");
        }
    }

    #[test]
    fn bulk_fee_changes_are_exact_and_half_to_even() {
        let t = terms(r#"{"currency": "USD", "base_fee": "800.05"}"#);
        // 800.05 × 1.1 = 880.055 → 880.06 (half to even: 5 after 5 rounds to 6).
        assert_eq!(
            FeeChange::Percent(d("10")).apply(&t).unwrap().base_fee,
            Some(d("880.06"))
        );
        let t = terms(r#"{"currency": "USD", "base_fee": "800.15"}"#);
        // 800.15 × 1.1 = 880.165 → 880.16.
        assert_eq!(
            FeeChange::Percent(d("10")).apply(&t).unwrap().base_fee,
            Some(d("880.16"))
        );
        assert_eq!(
            FeeChange::Absolute(d("-0.15")).apply(&t).unwrap().base_fee,
            Some(d("800.00"))
        );
        assert!(FeeChange::Absolute(d("-900")).apply(&t).is_err());
        let jpy = terms(r#"{"currency": "JPY", "base_fee": "1005"}"#);
        assert_eq!(
            FeeChange::Percent(d("10")).apply(&jpy).unwrap().base_fee,
            Some(d("1106"))
        );
    }

    #[test]
    fn budget_counts_committed_fees_and_caps() {
        let capped = terms(
            r#"{"currency": "USD", "base_fee": "100.00", "performance": {"type": "cpa", "amount": "5.00", "cap": "50.00"}}"#,
        );
        let plain = terms(r#"{"currency": "USD", "base_fee": "200.00"}"#);
        let uncapped = terms(
            r#"{"currency": "USD", "base_fee": "300.00", "performance": {"type": "cpa", "amount": "5.00"}}"#,
        );
        let eur = terms(r#"{"currency": "EUR", "base_fee": "1.00"}"#);
        let b = Budget::compute(
            Currency::USD,
            100_000,
            [
                (Stage::Contracted, &capped),
                (Stage::Offered, &plain),
                (Stage::Shortlisted, &uncapped),
                (Stage::Declined, &uncapped),
                (Stage::Offered, &eur),
            ],
        );
        assert_eq!(b.committed_base, 30_000);
        assert_eq!(b.planned_base, 30_000);
        assert_eq!(b.worst_case_variable, Some(5_000));
        assert_eq!(b.worst_case_total(), Some(35_000));
        assert_eq!(b.other_currency, 1);
        assert!(!b.over_budget());
        let b = Budget::compute(Currency::USD, 100_000, [(Stage::Negotiating, &uncapped)]);
        assert_eq!(b.worst_case_variable, None, "uncapped is unbounded");
        assert!(b.over_budget());
    }
}
