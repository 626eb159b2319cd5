//! Creators' payout details, as the payout exports and the pages need them:
//! decrypted and typed for the exports, masked for display. The details are
//! captured in the creator portal and stored encrypted with the server's
//! secret key ([`Config::secret_key`](crate::Config)).

use crate::error::ApiError;
use crate::AppState;
use chorus_core::{AccountId, OrgId, PayoutDetails};
use chorus_settlement::export::Recipient;
use chorus_store::secret::SecretKey;

/// What a server without a secret key answers when asked for payout details.
pub const NO_KEY: &str = "payout details are unavailable: this server has no secret key \
     (set CHORUS_SECRET_KEY or start it with a data directory for its key file)";

fn key(st: &AppState) -> Result<&SecretKey, ApiError> {
    st.config
        .secret_key
        .as_ref()
        .ok_or_else(|| ApiError::Conflict(NO_KEY.into()))
}

/// Where to pay an account of the organization: decrypted and typed, for
/// the payout exports only. `None` when the creator has not given details.
pub async fn payout_destination(
    st: &AppState,
    org: OrgId,
    account: AccountId,
) -> Result<Option<PayoutDetails>, ApiError> {
    let key = key(st)?;
    Ok(st
        .store
        .payout_details(org, account, key)
        .await?
        .map(|(d, _)| d))
}

/// The masked form (`PayPal j***@example.com`, `IBAN •••• 3000`), which is
/// all the portal and the organization's pages show.
pub async fn masked_destination(
    st: &AppState,
    org: OrgId,
    account: AccountId,
) -> Result<Option<String>, ApiError> {
    Ok(payout_destination(st, org, account)
        .await?
        .map(|d| d.masked()))
}

/// Save details a creator entered (already validated).
pub async fn save(
    st: &AppState,
    org: OrgId,
    account: AccountId,
    details: &PayoutDetails,
) -> Result<(), ApiError> {
    let key = key(st)?;
    st.store
        .set_payout_details(org, account, details, key)
        .await?;
    Ok(())
}

/// The export recipient of the details; `name` is the creator's display
/// name, used when the method carries no holder name of its own.
pub fn recipient(details: &PayoutDetails, name: &str) -> Recipient {
    match details {
        PayoutDetails::Paypal { email } => Recipient {
            name: Some(name.to_string()),
            email: Some(email.as_str().to_string()),
            ..Recipient::default()
        },
        PayoutDetails::Wise { holder, email, .. } => Recipient {
            name: Some(holder.clone()),
            email: Some(email.as_str().to_string()),
            ..Recipient::default()
        },
        PayoutDetails::Stripe { account } => Recipient {
            name: Some(name.to_string()),
            stripe_account: Some(account.clone()),
            ..Recipient::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_core::Money;
    use chorus_core::{BankAccount, Currency, Email};
    use chorus_settlement::export::{paypal_csv, stripe_jsonl, wise_csv, PayoutItem};

    fn item(recipient: Recipient) -> PayoutItem {
        PayoutItem {
            item_id: "2026-04:maya:USD".into(),
            creator: "maya".into(),
            amount: Money {
                minor: 25600,
                currency: Currency::USD,
            },
            note: "Chorus payout 2026-04".into(),
            recipient,
        }
    }

    #[test]
    fn each_method_fills_what_its_export_needs() {
        let paypal = PayoutDetails::Paypal {
            email: Email::parse("maya@example.com").unwrap(),
        };
        assert!(paypal_csv(&[item(recipient(&paypal, "Maya"))]).unwrap()[0]
            .csv
            .starts_with("maya@example.com,256.00,USD"));
        let wise = PayoutDetails::Wise {
            holder: "Maya Lopez".into(),
            email: Email::parse("maya@example.com").unwrap(),
            currency: Currency::USD,
            account: BankAccount::Iban {
                iban: "DE89370400440532013000".into(),
            },
        };
        assert!(wise_csv(&[item(recipient(&wise, "Maya"))], Currency::USD)
            .unwrap()
            .contains("Maya Lopez,maya@example.com,2026-04:maya:USD"));
        let stripe = PayoutDetails::Stripe {
            account: "acct_123".into(),
        };
        assert!(stripe_jsonl(&[item(recipient(&stripe, "Maya"))])
            .unwrap()
            .contains("\"destination\":\"acct_123\""));
        assert!(stripe_jsonl(&[item(recipient(&paypal, "Maya"))]).is_err());
    }
}
