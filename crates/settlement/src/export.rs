//! Payout batch files in the formats providers document, and reading their
//! result files back.
//!
//! Each payment carries an item id, `<run key>:<creator>:<currency>`, stable
//! across re-exports of the same run, so a provider's duplicate check and
//! our result import both key on it: an exported run can be retried without
//! paying twice.

use crate::engine::{to_major, RunResult};
use chorus_core::{Currency, Money};
use serde_json::json;
use std::collections::BTreeMap;

/// Where a creator is paid; filled from the payout details captured in the portal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipient {
    pub name: Option<String>,
    pub email: Option<String>,
    /// PayPal PayerID, preferred over email when present.
    pub paypal_id: Option<String>,
    /// Stripe connected account, `acct_…`.
    pub stripe_account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutItem {
    pub item_id: String,
    pub creator: String,
    pub amount: Money,
    pub note: String,
    pub recipient: Recipient,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("payout {item}: recipient has no {field}")]
    MissingRecipient { item: String, field: &'static str },
    #[error("result file: {0}")]
    BadResult(String),
    #[error("csv: {0}")]
    Csv(String),
}

/// PayPal accepts at most this many rows per file.
pub const PAYPAL_MAX_ROWS: usize = 5000;

/// The payments of one run, with recipients looked up by creator id.
pub fn items_for_run(run: &RunResult, recipient: impl Fn(&str) -> Recipient) -> Vec<PayoutItem> {
    run.payouts
        .iter()
        .map(|p| PayoutItem {
            item_id: format!("{}:{}:{}", run.key, p.creator, p.currency),
            creator: p.creator.clone(),
            amount: Money {
                minor: p.amount,
                currency: p.currency,
            },
            note: format!("Chorus payout {}", run.key),
            recipient: recipient(&p.creator),
        })
        .collect()
}

fn decimal(m: Money) -> String {
    to_major(m.minor, m.currency).to_string()
}

fn csv_string(rows: Vec<Vec<String>>) -> Result<String, ExportError> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        w.write_record(&row)
            .map_err(|e| ExportError::Csv(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
}

/// One PayPal Payouts upload file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayPalFile {
    pub currency: Currency,
    /// 1-based part number when a currency needs more than 5,000 rows.
    pub part: usize,
    pub csv: String,
}

/// PayPal "Payouts via CSV" files: no header row; columns recipient
/// identifier (PayerID or email), amount, currency, customer (unique) id,
/// note, recipient wallet. PayPal wants one currency per file and at most
/// 5,000 rows, so this returns one file per currency and part.
pub fn paypal_csv(items: &[PayoutItem]) -> Result<Vec<PayPalFile>, ExportError> {
    let mut by_currency: BTreeMap<Currency, Vec<Vec<String>>> = BTreeMap::new();
    for it in items {
        let who = it
            .recipient
            .paypal_id
            .clone()
            .or_else(|| it.recipient.email.clone());
        let who = who.ok_or_else(|| ExportError::MissingRecipient {
            item: it.item_id.clone(),
            field: "PayPal id or email",
        })?;
        let row = vec![
            who,
            decimal(it.amount),
            it.amount.currency.code().to_string(),
            it.item_id.clone(),
            it.note.clone(),
            "PAYPAL".into(),
        ];
        by_currency.entry(it.amount.currency).or_default().push(row);
    }
    let mut files = Vec::new();
    for (currency, rows) in by_currency {
        for (n, chunk) in rows.chunks(PAYPAL_MAX_ROWS).enumerate() {
            files.push(PayPalFile {
                currency,
                part: n + 1,
                csv: csv_string(chunk.to_vec())?,
            });
        }
    }
    Ok(files)
}

/// Columns of Wise's "send by email" batch template, in its order.
pub const WISE_COLUMNS: [&str; 8] = [
    "name",
    "recipientEmail",
    "paymentReference",
    "receiverType",
    "amountCurrency",
    "amount",
    "sourceCurrency",
    "targetCurrency",
];

/// Wise batch payment CSV (email template). `amountCurrency` is `target`:
/// the creator receives exactly the amount owed and fees fall on the payer.
pub fn wise_csv(items: &[PayoutItem], source_currency: Currency) -> Result<String, ExportError> {
    let mut rows = vec![WISE_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()];
    for it in items {
        let missing = |field| ExportError::MissingRecipient {
            item: it.item_id.clone(),
            field,
        };
        let name = it.recipient.name.clone().ok_or_else(|| missing("name"))?;
        let email = it.recipient.email.clone().ok_or_else(|| missing("email"))?;
        rows.push(vec![
            name,
            email,
            it.item_id.clone(),
            "PRIVATE".into(),
            "target".into(),
            decimal(it.amount),
            source_currency.code().into(),
            it.amount.currency.code().into(),
        ]);
    }
    csv_string(rows)
}

/// Stripe Connect transfers as JSON lines, one `POST /v1/transfers` body per
/// line: amount in minor units, lower-case currency, destination account,
/// and our item id as the idempotency key.
pub fn stripe_jsonl(items: &[PayoutItem]) -> Result<String, ExportError> {
    let mut out = String::new();
    for it in items {
        let destination =
            it.recipient
                .stripe_account
                .clone()
                .ok_or_else(|| ExportError::MissingRecipient {
                    item: it.item_id.clone(),
                    field: "Stripe account",
                })?;
        let line = json!({
            "amount": it.amount.minor,
            "currency": it.amount.currency.code().to_ascii_lowercase(),
            "destination": destination,
            "idempotency_key": it.item_id,
            "metadata": {"creator": it.creator, "item_id": it.item_id, "note": it.note},
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    /// The amount returns to payable.
    Failed,
    /// Not final yet; import again later.
    Pending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    pub item_id: String,
    pub outcome: Outcome,
    /// The provider's own status word.
    pub status: String,
}

/// Header names (compared without case, spaces or punctuation) that hold our item id.
const ID_COLUMNS: [&str; 8] = [
    "itemid",
    "senderitemid",
    "uniqueid",
    "customerid",
    "idempotencykey",
    "paymentreference",
    "reference",
    "id",
];
const STATUS_COLUMNS: [&str; 4] = ["status", "transactionstatus", "itemstatus", "state"];

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Statuses from PayPal (SUCCESS, UNCLAIMED, …), Wise (outgoing_payment_sent,
/// cancelled, …) and Stripe (paid, failed, reversed, …).
pub fn outcome_of(status: &str) -> Outcome {
    match norm(status).as_str() {
        "success"
        | "succeeded"
        | "completed"
        | "paid"
        | "sent"
        | "outgoingpaymentsent"
        | "created" => Outcome::Paid,
        "failed" | "returned" | "denied" | "blocked" | "refunded" | "unclaimed" | "cancelled"
        | "canceled" | "reversed" | "bouncedback" | "fundsrefunded" | "rejected" => Outcome::Failed,
        _ => Outcome::Pending,
    }
}

/// Read a provider result CSV with a header row: an item id column and a
/// status column, found by name.
pub fn parse_result(text: &str) -> Result<Vec<ItemResult>, ExportError> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| ExportError::BadResult(e.to_string()))?
        .iter()
        .map(norm)
        .collect();
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    let id = find(&ID_COLUMNS).ok_or_else(|| ExportError::BadResult("no item id column".into()))?;
    let status =
        find(&STATUS_COLUMNS).ok_or_else(|| ExportError::BadResult("no status column".into()))?;
    let mut out = Vec::new();
    for (n, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| ExportError::BadResult(format!("row {}: {e}", n + 2)))?;
        let (Some(item), Some(st)) = (rec.get(id), rec.get(status)) else {
            return Err(ExportError::BadResult(format!(
                "row {}: missing id or status",
                n + 2
            )));
        };
        if item.is_empty() {
            continue;
        }
        out.push(ItemResult {
            item_id: item.to_string(),
            outcome: outcome_of(st),
            status: st.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(currency: &str, minor: i64) -> PayoutItem {
        PayoutItem {
            item_id: format!("2026-04:maya:{currency}"),
            creator: "maya".into(),
            amount: Money {
                minor,
                currency: Currency::parse(currency).unwrap(),
            },
            note: "Chorus payout 2026-04".into(),
            recipient: Recipient {
                name: Some("Maya Lopez".into()),
                email: Some("maya@example.com".into()),
                paypal_id: None,
                stripe_account: Some("acct_123".into()),
            },
        }
    }

    #[test]
    fn paypal_one_file_per_currency_without_header() {
        let files = paypal_csv(&[item("USD", 25600), item("JPY", 1200)]).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].currency.code(), "JPY");
        assert_eq!(
            files[0].csv,
            "maya@example.com,1200,JPY,2026-04:maya:JPY,Chorus payout 2026-04,PAYPAL\n"
        );
        assert_eq!(
            files[1].csv,
            "maya@example.com,256.00,USD,2026-04:maya:USD,Chorus payout 2026-04,PAYPAL\n"
        );
    }

    #[test]
    fn wise_has_template_header() {
        let csv = wise_csv(&[item("EUR", 5000)], Currency::USD).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), WISE_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "Maya Lopez,maya@example.com,2026-04:maya:EUR,PRIVATE,target,50.00,USD,EUR"
        );
    }

    #[test]
    fn stripe_amount_in_minor_units_lowercase_currency() {
        let out = stripe_jsonl(&[item("USD", 25600)]).unwrap();
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["amount"], 25600);
        assert_eq!(v["currency"], "usd");
        assert_eq!(v["destination"], "acct_123");
        assert_eq!(v["idempotency_key"], "2026-04:maya:USD");
    }

    #[test]
    fn missing_recipient_is_an_error() {
        let mut it = item("USD", 100);
        it.recipient.stripe_account = None;
        assert!(matches!(
            stripe_jsonl(&[it]),
            Err(ExportError::MissingRecipient { .. })
        ));
    }

    #[test]
    fn result_file_marks_paid_and_failed() {
        let text = "Sender Item ID,Status,Amount\n2026-04:maya:USD,SUCCESS,256.00\n2026-04:kenji:JPY,UNCLAIMED,1200\n2026-04:ana:EUR,PENDING,10\n";
        let r = parse_result(text).unwrap();
        assert_eq!(
            r.iter().map(|i| i.outcome).collect::<Vec<_>>(),
            vec![Outcome::Paid, Outcome::Failed, Outcome::Pending]
        );
        assert!(parse_result("foo,bar\n1,2\n").is_err());
    }
}
