//! Double-entry ledger: immutable entries, balances derived, never stored.
//!
//! Accounts follow one money path per creator:
//! `expense:creator_fees` → `liability:creator:<id>:pending` (earned, on
//! hold) → `liability:creator:<id>:payable` → `asset:cash` (paid out).
//! A reversal runs the same path backwards. Every transaction balances per
//! currency, so the whole ledger does too; [`check`] proves it, and
//! [`check_against`] proves the ledger tells the same story as the engine.

use crate::engine::{Bucket, Line, Settlement};
use chorus_core::Currency;
use std::collections::BTreeMap;

pub const EXPENSE: &str = "expense:creator_fees";
pub const CASH: &str = "asset:cash";

pub fn pending_account(creator: &str) -> String {
    format!("liability:creator:{creator}:pending")
}

pub fn payable_account(creator: &str) -> String {
    format!("liability:creator:{creator}:payable")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Debit,
    Credit,
}

/// One immutable posting. `minor` is never negative: direction is the side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Entries of one transaction must balance per currency.
    pub txn: String,
    pub account: String,
    pub side: Side,
    pub minor: i64,
    pub currency: Currency,
    /// What it is for: line or payout reference.
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerProblem {
    /// The transaction at fault; `None` for the whole ledger or a balance.
    pub txn: Option<String>,
    pub currency: Currency,
    pub message: String,
}

/// A transfer of `minor` from `from` (debited) to `to` (credited); a
/// negative amount flips the direction so entries stay non-negative.
fn transfer(
    txn: &str,
    from: &str,
    to: &str,
    minor: i64,
    currency: Currency,
    reference: &str,
) -> [Entry; 2] {
    let (debit, credit) = if minor >= 0 { (from, to) } else { (to, from) };
    let entry = |account: &str, side| Entry {
        txn: txn.to_string(),
        account: account.to_string(),
        side,
        minor: minor.abs(),
        currency,
        reference: reference.to_string(),
    };
    [entry(debit, Side::Debit), entry(credit, Side::Credit)]
}

/// Entries telling the settlement's story as of its balances time: each
/// counted line is earned (expense → pending) and, once payable, released
/// (pending → payable); each payout moves payable → cash in one transaction.
pub fn entries_from_settlement(s: &Settlement) -> Vec<Entry> {
    entries_with_ids(s, |i, _| i.to_string())
}

/// [`entries_from_settlement`] with each line's transactions named by
/// `line_id` (`earn:<id>`, `release:<id>`) instead of its index, so a store
/// can name a line the same way across settlements.
pub fn entries_with_ids(s: &Settlement, line_id: impl Fn(usize, &Line) -> String) -> Vec<Entry> {
    let mut entries = Vec::new();
    for (i, line) in s
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.status.in_balances())
    {
        entries.extend(line_entries(&line_id(i, line), line, s));
    }
    for run in &s.runs {
        for p in &run.payouts {
            let txn = format!("payout:{}:{}:{}", run.key, p.creator, p.currency);
            entries.extend(transfer(
                &txn,
                &payable_account(&p.creator),
                CASH,
                p.amount,
                p.currency,
                &txn,
            ));
        }
    }
    entries
}

fn line_entries(i: &str, line: &Line, s: &Settlement) -> Vec<Entry> {
    let creator = &line.key.creator;
    let reference = format!("{}:{}", line.kind.as_str(), line.reference);
    let (pending, payable) = (pending_account(creator), payable_account(creator));
    let mut out = Vec::new();
    if line.amount == 0 {
        return out;
    }
    out.extend(transfer(
        &format!("earn:{i}"),
        EXPENSE,
        &pending,
        line.amount,
        line.currency,
        &reference,
    ));
    let released = line.bucket(s.as_of) != Some(Bucket::Pending);
    if released {
        out.extend(transfer(
            &format!("release:{i}"),
            &pending,
            &payable,
            line.amount,
            line.currency,
            &reference,
        ));
    }
    out
}

/// Balance of every (account, currency): credits minus debits, so liability
/// accounts read positive when money is owed.
pub fn balances(entries: &[Entry]) -> BTreeMap<(String, Currency), i64> {
    let mut out = BTreeMap::new();
    for e in entries {
        let b = out.entry((e.account.clone(), e.currency)).or_insert(0i64);
        match e.side {
            Side::Credit => *b += e.minor,
            Side::Debit => *b -= e.minor,
        }
    }
    out
}

/// Debits equal credits per transaction and currency (hence overall), and no
/// entry is negative.
pub fn check(entries: &[Entry]) -> Result<(), Vec<LedgerProblem>> {
    let mut problems = Vec::new();
    let mut sums: BTreeMap<(&str, Currency), (i64, i64)> = BTreeMap::new();
    for e in entries {
        if e.minor < 0 {
            problems.push(LedgerProblem {
                txn: Some(e.txn.clone()),
                currency: e.currency,
                message: format!("entry on {} has a negative amount {}", e.account, e.minor),
            });
        }
        let s = sums.entry((e.txn.as_str(), e.currency)).or_insert((0, 0));
        match e.side {
            Side::Debit => s.0 += e.minor,
            Side::Credit => s.1 += e.minor,
        }
    }
    for ((txn, currency), (debits, credits)) in sums.into_iter().filter(|(_, (d, c))| d != c) {
        problems.push(LedgerProblem {
            txn: Some(txn.to_string()),
            currency,
            message: format!(
                "transaction {txn}: debits {debits} ≠ credits {credits} ({currency} minor units)"
            ),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The ledger balances agree with the engine's commission states: pending
/// and payable liabilities per creator, and cash paid per creator.
pub fn check_against(entries: &[Entry], s: &Settlement) -> Result<(), Vec<LedgerProblem>> {
    let derived = balances(entries);
    // Paid: what payout transactions moved out of each creator's payable
    // account, net of payouts returned (a failed payment credits it back).
    let mut paid: BTreeMap<(&str, Currency), i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.txn.starts_with("payout:")) {
        let Some(creator) = e
            .account
            .strip_prefix("liability:creator:")
            .and_then(|a| a.strip_suffix(":payable"))
        else {
            continue;
        };
        let sum = paid.entry((creator, e.currency)).or_insert(0);
        match e.side {
            Side::Debit => *sum += e.minor,
            Side::Credit => *sum -= e.minor,
        }
    }
    let mut problems = Vec::new();
    for b in &s.balances {
        let get = |acc: String| derived.get(&(acc, b.currency)).copied().unwrap_or(0);
        let figures = [
            ("pending", get(pending_account(&b.creator)), b.pending),
            ("payable", get(payable_account(&b.creator)), b.payable),
            (
                "paid",
                paid.get(&(b.creator.as_str(), b.currency))
                    .copied()
                    .unwrap_or(0),
                b.paid,
            ),
        ];
        for (what, ledger, engine) in figures.into_iter().filter(|(_, l, e)| l != e) {
            problems.push(LedgerProblem {
                txn: None,
                currency: b.currency,
                message: format!(
                    "{} {what}: ledger says {ledger}, commissions say {engine} ({} minor units)",
                    b.creator, b.currency
                ),
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_finds_unbalanced_transactions() {
        let mut entries = transfer(
            "t1",
            EXPENSE,
            &pending_account("maya"),
            800,
            Currency::USD,
            "x",
        )
        .to_vec();
        assert!(check(&entries).is_ok());
        entries.push(Entry {
            minor: 5,
            ..entries[0].clone()
        });
        let problems = check(&entries).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].txn.as_deref(), Some("t1"));
    }

    #[test]
    fn a_failed_payment_returns_to_payable_and_the_next_run_pays_it() {
        let mut input =
            crate::scenario::parse_input(include_str!("../tests/fixtures/spec_example.json"))
                .unwrap();
        input.runs[0].failed = vec![("maya".into(), Currency::USD)];
        let mut next = input.runs[0].clone();
        next.key = "2026-05".into();
        next.as_of += chrono::Duration::days(31);
        next.failed.clear();
        input.runs.push(next);
        let s = crate::engine::settle(&input);
        assert!(s.runs[0].payouts.is_empty());
        assert_eq!(s.runs[0].failed[0].amount, 25600);
        assert_eq!(s.runs[1].payouts[0].amount, 25600, "paid again, once");
        let entries = entries_from_settlement(&s);
        assert!(check(&entries).is_ok());
        assert!(check_against(&entries, &s).is_ok());
        assert_eq!((s.balances[0].payable, s.balances[0].paid), (0, 25600));
    }

    #[test]
    fn example_ledger_agrees_with_balances() {
        let s = crate::explain(include_str!("../tests/fixtures/spec_example.json"))
            .unwrap()
            .settlement;
        let entries = entries_from_settlement(&s);
        assert!(check(&entries).is_ok());
        assert!(check_against(&entries, &s).is_ok());
        let b = balances(&entries);
        assert_eq!(
            b[&(CASH.to_string(), Currency::USD)],
            25600,
            "credited: paid out"
        );
        assert_eq!(b[&(EXPENSE.to_string(), Currency::USD)], -25600);
    }
}
