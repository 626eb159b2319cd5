//! The timeline: refunds and payout runs interleaved in time, then statuses
//! and balances as of the balances time.
//!
//! Runs go in the order listed. Before each run, every refund at or before
//! its `as_of` is applied: an event at exactly `as_of` belongs to that run,
//! so a refund at exactly `as_of` still meets an unpaid commission and
//! reduces it ("before payment"); a refund after the run that paid the
//! commission becomes a negative line payable at the refund time.

use super::earn::{self, error, Earned, SettledOrder};
use super::{
    Balance, Bucket, Input, Line, LineDetail, LineKind, LineStatus, Payout, PayoutRun, Refund,
    ReversalDetail, RunResult, SettleError, Settlement, Time,
};
use crate::payout::{pay_run, return_failed, PayLine};
use chorus_core::{Currency, Money};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Lines plus their compact payout view, kept index-aligned.
struct Book {
    lines: Vec<Line>,
    pay: Vec<PayLine>,
    creators: Vec<String>,
    creator_ix: HashMap<String, u32>,
}

impl Book {
    fn new(lines: Vec<Line>) -> Book {
        let mut book = Book {
            lines: Vec::new(),
            pay: Vec::new(),
            creators: Vec::new(),
            creator_ix: HashMap::new(),
        };
        for line in lines {
            book.push(line);
        }
        book
    }

    fn push(&mut self, line: Line) -> usize {
        let next = self.creators.len() as u32;
        let creator = *self
            .creator_ix
            .entry(line.key.creator.clone())
            .or_insert(next);
        if creator == next {
            self.creators.push(line.key.creator.clone());
        }
        self.pay.push(PayLine {
            creator,
            currency: line.currency,
            amount: line.amount,
            payable_at: line.payable_at,
            paid_in: None,
        });
        self.lines.push(line);
        self.lines.len() - 1
    }

    fn pay(&mut self, run: &PayoutRun, number: u32) -> RunResult {
        let sums = pay_run(&mut self.pay, number, run.as_of, run.min_payout);
        let (mut payouts, mut failed) = (Vec::new(), Vec::new());
        for (c, currency, amount) in sums {
            let creator = self.creators[c as usize].clone();
            let is_failed = run
                .failed
                .iter()
                .any(|(who, cur)| *who == creator && *cur == currency);
            if is_failed {
                return_failed(&mut self.pay, number, c, currency);
            }
            let p = Payout {
                creator,
                currency,
                amount,
            };
            if is_failed {
                failed.push(p)
            } else {
                payouts.push(p)
            }
        }
        payouts.sort_by(|a, b| (&a.creator, a.currency).cmp(&(&b.creator, b.currency)));
        failed.sort_by(|a, b| (&a.creator, a.currency).cmp(&(&b.creator, b.currency)));
        RunResult {
            key: run.key.clone(),
            as_of: run.as_of,
            payouts,
            failed,
        }
    }
}

/// Settle everything in `input`. Never fails: what cannot be settled is in
/// [`Settlement::errors`] and the rest settles without it.
pub fn settle(input: &Input) -> Settlement {
    settle_as_of(input, None)
}

/// [`settle`] with the balances taken as of `at` (e.g. now) when it is later
/// than the last run's `as_of`: a server shows what is payable today, not
/// only what was payable when the last run was made.
pub fn settle_as_of(input: &Input, at: Option<Time>) -> Settlement {
    let mut errors = Vec::new();
    let index = earn::index_deals(&input.deals, &mut errors);
    let mut lines = earn::milestone_lines(input, &index, &mut errors);
    let mut orders = earn::commission_lines(input, &index, &mut lines, &mut errors);
    let mut book = Book::new(lines);
    let mut refunds: Vec<&Refund> = input.refunds.iter().collect();
    refunds.sort_by_key(|r| r.at);
    let mut refunds = refunds.into_iter().peekable();
    let (mut runs, mut skipped, mut keys) = (Vec::new(), Vec::new(), HashSet::new());
    for run in &input.runs {
        if !keys.insert(run.key.as_str()) {
            skipped.push(run.key.clone());
            continue;
        }
        if runs
            .last()
            .is_some_and(|last: &RunResult| run.as_of < last.as_of)
        {
            errors.push(error("run", run.key.clone(), "run_out_of_order",
                format!("run {}: as_of {} is before the previous run's; runs must have non-decreasing as_of; skipped", run.key, run.as_of.to_rfc3339())));
            continue;
        }
        while let Some(r) = refunds.next_if(|r| r.at <= run.as_of) {
            apply_refund(r, &mut orders, &mut book, &mut errors);
        }
        let number = runs.len() as u32;
        runs.push(book.pay(run, number));
    }
    for r in refunds {
        apply_refund(r, &mut orders, &mut book, &mut errors);
    }
    let as_of = runs
        .last()
        .map(|r| r.as_of)
        .or_else(|| latest_activity(input));
    let as_of = match (as_of, at) {
        (Some(t), Some(a)) => Some(t.max(a)),
        (t, a) => t.or(a),
    };
    finish(input, book, runs, skipped, as_of, errors)
}

/// Balances time without runs: the latest order, refund or event time.
fn latest_activity(input: &Input) -> Option<Time> {
    let events = input.events.iter().map(|e| e.at);
    let orders = input.orders.iter().map(|o| o.at);
    let refunds = input.refunds.iter().map(|r| r.at);
    events.chain(orders).chain(refunds).max()
}

/// Check a refund against its order; the order's net amount after it, or why not.
fn refund_net(r: &Refund, order: &SettledOrder) -> Result<(Money, Money), (&'static str, String)> {
    if r.at < order.at {
        return Err((
            "refund_before_order",
            format!(
                "refund of order {} at {} is before the order; ignored",
                r.order_id,
                r.at.to_rfc3339()
            ),
        ));
    }
    let amount = Money::from_decimal_exact(r.amount, order.currency).map_err(|e| {
        (
            "bad_refund_amount",
            format!("refund of order {}: {e}; ignored", r.order_id),
        )
    })?;
    if amount.minor <= 0 {
        return Err((
            "bad_refund_amount",
            format!(
                "refund of order {}: amount must be positive; ignored",
                r.order_id
            ),
        ));
    }
    if amount.minor > order.net {
        return Err((
            "refund_exceeds_order",
            format!(
                "refund of order {}: {} is more than the {} left of the order; ignored",
                r.order_id,
                amount,
                Money {
                    minor: order.net,
                    currency: order.currency
                }
            ),
        ));
    }
    Ok((
        amount,
        Money {
            minor: order.net - amount.minor,
            currency: order.currency,
        },
    ))
}

/// Apply one refund: recompute the commission on the new net amount (never
/// above what was earned) and add the difference as a reversal line. Unpaid
/// commission: the reversal shares its payable time, so the two are paid
/// together (the reversal "reduces it"). Paid: payable at the refund time.
fn apply_refund(
    r: &Refund,
    orders: &mut HashMap<String, SettledOrder>,
    book: &mut Book,
    errors: &mut Vec<SettleError>,
) {
    let Some(order) = orders.get_mut(&r.order_id) else {
        errors.push(error("refund", r.order_id.clone(), "no_order", format!(
            "refund of order {} at {}: no settled order with this id (unknown, matching no deal, or skipped); ignored",
            r.order_id, r.at.to_rfc3339())));
        return;
    };
    let (refund_amount, net) = match refund_net(r, order) {
        Ok(ok) => ok,
        Err((code, message)) => {
            return errors.push(error("refund", r.order_id.clone(), code, message))
        }
    };
    order.net = net.minor;
    let snapshot = order.clone();
    let Some(earned) = order.commission.as_mut() else {
        return;
    };
    let (recomputed, new_value) = earned.recompute(&snapshot, net.minor);
    let line = reversal_line(
        r,
        book,
        earned,
        ReversalDetail {
            refund_amount,
            net_amount: net,
            recomputed,
            new_commission: new_value,
            before_payment: book.pay[earned.line].paid_in.is_none(),
            commission_line: earned.line,
        },
    );
    earned.value = new_value;
    book.push(line);
}

fn reversal_line(r: &Refund, book: &Book, earned: &Earned, detail: ReversalDetail) -> Line {
    let commission = &book.lines[earned.line];
    Line {
        kind: LineKind::Reversal,
        reference: r.order_id.clone(),
        key: commission.key.clone(),
        currency: commission.currency,
        amount: detail.new_commission - earned.value,
        at: Some(r.at),
        payable_at: if detail.before_payment {
            commission.payable_at
        } else {
            Some(r.at)
        },
        paid_in: None,
        status: LineStatus::Pending,
        detail: LineDetail::Reversal(detail),
    }
}

fn finish(
    input: &Input,
    mut book: Book,
    runs: Vec<RunResult>,
    skipped: Vec<String>,
    as_of: Option<Time>,
    errors: Vec<SettleError>,
) -> Settlement {
    for (line, pay) in book.lines.iter_mut().zip(&book.pay) {
        line.paid_in = pay.paid_in.map(|n| runs[n as usize].key.clone());
        line.status = status(line, as_of);
    }
    mark_reversed(&mut book.lines);
    let balances = balances(input, &book.lines, as_of);
    Settlement {
        lines: book.lines,
        runs,
        skipped_runs: skipped,
        as_of,
        balances,
        errors,
    }
}

fn status(line: &Line, as_of: Option<Time>) -> LineStatus {
    match (line.at, as_of) {
        (None, _) => LineStatus::NotEarned,
        (Some(at), Some(t)) if at <= t => match (&line.paid_in, line.payable_at) {
            (Some(_), _) => LineStatus::Paid,
            (None, Some(p)) if p <= t => LineStatus::Payable,
            _ => LineStatus::Pending,
        },
        (Some(_), _) if line.kind == LineKind::Milestone => LineStatus::NotEarned,
        (Some(_), _) => LineStatus::AfterAsOf,
    }
}

/// A commission refunded to zero before it was paid is `reversed`, together
/// with the reversals that took it there, even when a run has since settled
/// the zero-sum pair (`paid_in` still says which run; the balances use that).
fn mark_reversed(lines: &mut [Line]) {
    let mut net: HashMap<usize, i64> = HashMap::new();
    for line in lines.iter() {
        if let LineDetail::Reversal(d) = &line.detail {
            if d.before_payment && line.status.in_balances() {
                *net.entry(d.commission_line)
                    .or_insert(lines[d.commission_line].amount) += line.amount;
            }
        }
    }
    let reversed: HashSet<usize> = net
        .into_iter()
        .filter(|(c, sum)| *sum == 0 && lines[*c].amount != 0)
        .map(|(c, _)| c)
        .collect();
    for (i, line) in lines.iter_mut().enumerate() {
        let of = match &line.detail {
            LineDetail::Reversal(d) if d.before_payment && line.status.in_balances() => {
                d.commission_line
            }
            _ => i,
        };
        if reversed.contains(&of) {
            line.status = LineStatus::Reversed;
        }
    }
}

/// One row per creator and currency of every deal, so a creator under
/// contract shows even before earning anything.
fn balances(input: &Input, lines: &[Line], as_of: Option<Time>) -> Vec<Balance> {
    fn row<'a>(
        rows: &'a mut BTreeMap<(String, Currency), Balance>,
        creator: &str,
        currency: Currency,
    ) -> &'a mut Balance {
        rows.entry((creator.to_string(), currency))
            .or_insert_with(|| Balance {
                creator: creator.to_string(),
                currency,
                pending: 0,
                payable: 0,
                paid: 0,
            })
    }
    let mut rows = BTreeMap::new();
    for deal in &input.deals {
        row(&mut rows, &deal.key.creator, deal.currency);
    }
    for line in lines {
        let Some(bucket) = line.bucket(as_of) else {
            continue;
        };
        let b = row(&mut rows, &line.key.creator, line.currency);
        match bucket {
            Bucket::Paid => b.paid += line.amount,
            Bucket::Payable => b.payable += line.amount,
            Bucket::Pending => b.pending += line.amount,
        }
    }
    rows.into_values().collect()
}
