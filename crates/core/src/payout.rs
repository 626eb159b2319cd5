//! Where a creator is paid: PayPal, Wise (bank transfer) or a Stripe
//! connected account, validated field by field, and a masked form that is
//! safe to show to anyone who may see the creator but not their bank details.

use crate::creator::FieldError;
use crate::money::Currency;
use crate::org::Email;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PayoutDetails {
    Paypal {
        email: Email,
    },
    Wise {
        /// Account holder's full name, as the bank knows it.
        holder: String,
        /// Wise's batch file addresses the recipient by email.
        email: Email,
        currency: Currency,
        account: BankAccount,
    },
    Stripe {
        /// Connected account id, `acct_…`.
        account: String,
    },
}

/// A bank account: an IBAN, or a local account number with its bank code
/// (UK sort code, US ABA routing number, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BankAccount {
    /// Upper case, no spaces.
    Iban { iban: String },
    Local {
        account_number: String,
        /// Sort code or routing number, digits only.
        bank_code: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutMethod {
    Paypal,
    Wise,
    Stripe,
}

impl PayoutMethod {
    pub fn parse(s: &str) -> Option<PayoutMethod> {
        match s.trim() {
            "paypal" => Some(PayoutMethod::Paypal),
            "wise" => Some(PayoutMethod::Wise),
            "stripe" => Some(PayoutMethod::Stripe),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PayoutMethod::Paypal => "paypal",
            PayoutMethod::Wise => "wise",
            PayoutMethod::Stripe => "stripe",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PayoutMethod::Paypal => "PayPal",
            PayoutMethod::Wise => "Wise (bank transfer)",
            PayoutMethod::Stripe => "Stripe",
        }
    }
}

/// The fields of the payout form as typed; blank fields are empty strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PayoutForm {
    pub method: String,
    pub paypal_email: String,
    pub holder: String,
    pub wise_email: String,
    pub currency: String,
    pub iban: String,
    pub account_number: String,
    pub bank_code: String,
    pub stripe_account: String,
}

impl PayoutForm {
    /// Validate; every problem is reported under the form field it concerns.
    pub fn validate(&self) -> Result<PayoutDetails, Vec<FieldError>> {
        let mut errors = Vec::new();
        let Some(method) = PayoutMethod::parse(&self.method) else {
            return Err(vec![FieldError::new(
                "method",
                "choose PayPal, Wise or Stripe",
            )]);
        };
        let email = |field: &str, raw: &str, errors: &mut Vec<FieldError>| {
            if raw.trim().is_empty() {
                errors.push(FieldError::new(field, "enter an email address"));
                return None;
            }
            Email::parse(raw)
                .map_err(|e| errors.push(FieldError::new(field, e)))
                .ok()
        };
        let details = match method {
            PayoutMethod::Paypal => email("paypal_email", &self.paypal_email, &mut errors)
                .map(|email| PayoutDetails::Paypal { email }),
            PayoutMethod::Stripe => match stripe_account(&self.stripe_account) {
                Ok(account) => Some(PayoutDetails::Stripe { account }),
                Err(e) => {
                    errors.push(FieldError::new("stripe_account", e));
                    None
                }
            },
            PayoutMethod::Wise => {
                let holder = self.holder.split_whitespace().collect::<Vec<_>>().join(" ");
                if holder.chars().count() < 2 {
                    errors.push(FieldError::new(
                        "holder",
                        "enter the account holder's full name",
                    ));
                }
                let email = email("wise_email", &self.wise_email, &mut errors);
                let currency = Currency::parse(self.currency.trim())
                    .map_err(|e| errors.push(FieldError::new("currency", e.to_string())))
                    .ok();
                let account = self.bank_account(&mut errors);
                match (email, currency, account) {
                    (Some(email), Some(currency), Some(account)) if errors.is_empty() => {
                        Some(PayoutDetails::Wise {
                            holder,
                            email,
                            currency,
                            account,
                        })
                    }
                    _ => None,
                }
            }
        };
        match details {
            Some(d) if errors.is_empty() => Ok(d),
            _ => Err(errors),
        }
    }

    fn bank_account(&self, errors: &mut Vec<FieldError>) -> Option<BankAccount> {
        let iban: String = self.iban.split_whitespace().collect();
        let number: String = self.account_number.split_whitespace().collect();
        let code: String = self
            .bank_code
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if !iban.is_empty() {
            return match parse_iban(&iban) {
                Ok(iban) => Some(BankAccount::Iban { iban }),
                Err(e) => {
                    errors.push(FieldError::new("iban", e));
                    None
                }
            };
        }
        if number.is_empty() && code.is_empty() {
            errors.push(FieldError::new(
                "iban",
                "enter an IBAN, or an account number and sort code / routing number",
            ));
            return None;
        }
        let mut ok = true;
        if !(4..=17).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
            errors.push(FieldError::new(
                "account_number",
                "an account number is 4 to 17 digits",
            ));
            ok = false;
        }
        if !(code.len() == 6 || code.len() == 9) || !code.chars().all(|c| c.is_ascii_digit()) {
            errors.push(FieldError::new(
                "bank_code",
                "a sort code is 6 digits, a routing number 9 digits",
            ));
            ok = false;
        }
        ok.then_some(BankAccount::Local {
            account_number: number,
            bank_code: code,
        })
    }
}

/// A Stripe connected account id: `acct_` and letters or digits.
pub fn stripe_account(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    match s.strip_prefix("acct_") {
        Some(rest)
            if !rest.is_empty()
                && rest.len() <= 64
                && rest.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            Ok(s.to_string())
        }
        Some(_) => Err(format!(
            "{s:?} is not a Stripe account id: after acct_ come letters and digits"
        )),
        None => Err(format!(
            "{s:?} is not a Stripe account id: it starts with acct_"
        )),
    }
}

/// An IBAN with a valid ISO 13616 check (mod 97 = 1); returned upper case without spaces.
pub fn parse_iban(raw: &str) -> Result<String, String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !(15..=34).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("an IBAN is 15 to 34 letters and digits".into());
    }
    let b = s.as_bytes();
    if !b[..2].iter().all(u8::is_ascii_uppercase) || !b[2..4].iter().all(u8::is_ascii_digit) {
        return Err("an IBAN starts with a country code and two check digits".into());
    }
    // Move the first four characters to the end, letters become 10..35,
    // and the number must leave 1 divided by 97.
    let mut rem = 0u32;
    for c in s[4..].chars().chain(s[..4].chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    if rem != 1 {
        return Err("this IBAN's check digits do not match: check for a typo".into());
    }
    Ok(s)
}

/// `j***@example.com`: the first letter of the name and the domain.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// `•••• 1234`: only the last four characters.
pub fn mask_tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("•••• {tail}")
}

impl PayoutDetails {
    pub fn method(&self) -> PayoutMethod {
        match self {
            PayoutDetails::Paypal { .. } => PayoutMethod::Paypal,
            PayoutDetails::Wise { .. } => PayoutMethod::Wise,
            PayoutDetails::Stripe { .. } => PayoutMethod::Stripe,
        }
    }

    /// A one-line description that reveals no full address or account number.
    pub fn masked(&self) -> String {
        match self {
            PayoutDetails::Paypal { email } => format!("PayPal {}", mask_email(email.as_str())),
            PayoutDetails::Wise {
                holder,
                currency,
                account,
                ..
            } => {
                let number = match account {
                    BankAccount::Iban { iban } => format!("IBAN {}", mask_tail(iban)),
                    BankAccount::Local { account_number, .. } => {
                        format!("account {}", mask_tail(account_number))
                    }
                };
                format!("Wise {currency} to {holder}, {number}")
            }
            PayoutDetails::Stripe { account } => format!("Stripe acct_{}", mask_tail(account)),
        }
    }
}

impl fmt::Display for PayoutDetails {
    /// The masked form: printing details never reveals them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(method: &str) -> PayoutForm {
        PayoutForm {
            method: method.into(),
            ..PayoutForm::default()
        }
    }

    #[test]
    fn iban_mod_97() {
        assert_eq!(
            parse_iban("gb82 west 1234 5698 7654 32").unwrap(),
            "GB82WEST12345698765432"
        );
        assert_eq!(
            parse_iban("DE89370400440532013000").unwrap(),
            "DE89370400440532013000"
        );
        let e = parse_iban("GB82WEST12345698765433").unwrap_err();
        assert!(e.contains("check digits"), "{e}");
        assert!(parse_iban("GB82").is_err());
        assert!(parse_iban("1282WEST12345698765432").is_err());
    }

    #[test]
    fn each_method_validates_its_own_fields() {
        let mut f = form("paypal");
        f.paypal_email = "Maya@Example.com".into();
        assert_eq!(
            f.validate().unwrap(),
            PayoutDetails::Paypal {
                email: Email::parse("maya@example.com").unwrap()
            }
        );
        f.paypal_email = "maya-at-example".into();
        assert_eq!(f.validate().unwrap_err()[0].field, "paypal_email");

        let mut f = form("stripe");
        f.stripe_account = "acct_1Nv0FGQ9RKHgCVdK".into();
        assert!(f.validate().is_ok());
        f.stripe_account = "1Nv0FGQ9RKHgCVdK".into();
        let e = f.validate().unwrap_err();
        assert_eq!(e[0].field, "stripe_account");
        assert!(e[0].reason.contains("acct_"));

        let mut f = form("wise");
        f.holder = "Maya  Lopez".into();
        f.wise_email = "maya@example.com".into();
        f.currency = "EUR".into();
        f.iban = "DE89 3704 0044 0532 0130 00".into();
        let d = f.validate().unwrap();
        assert_eq!(d.masked(), "Wise EUR to Maya Lopez, IBAN •••• 3000");
        f.iban = "DE89 3704 0044 0532 0130 01".into();
        let e = f.validate().unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["iban"]
        );
        f.iban.clear();
        f.account_number = "31926819".into();
        f.bank_code = "60-16-13".into();
        f.currency = "GBP".into();
        assert!(matches!(
            f.validate().unwrap(),
            PayoutDetails::Wise { account: BankAccount::Local { ref bank_code, .. }, .. } if bank_code == "601613"
        ));
        f.bank_code = "12".into();
        f.currency = "XX".into();
        f.holder = String::new();
        let fields: Vec<String> = f
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["holder", "currency", "bank_code"]);
        assert_eq!(form("cheque").validate().unwrap_err()[0].field, "method");
    }

    #[test]
    fn masks_hide_all_but_a_hint() {
        let p = PayoutDetails::Paypal {
            email: Email::parse("jane.doe@example.com").unwrap(),
        };
        assert_eq!(p.masked(), "PayPal j***@example.com");
        assert_eq!(p.to_string(), p.masked());
        let s = PayoutDetails::Stripe {
            account: "acct_1Nv0FGQ9RKHgCVdK".into(),
        };
        assert_eq!(s.masked(), "Stripe acct_•••• CVdK");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"method":"stripe","account":"acct_1Nv0FGQ9RKHgCVdK"}"#
        );
        assert_eq!(serde_json::from_str::<PayoutDetails>(&json).unwrap(), s);
    }
}
