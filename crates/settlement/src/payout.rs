//! The payout run: as of a time, each creator's payable unpaid lines per
//! currency are summed, and paid if the sum is > 0 and ≥ the minimum.
//!
//! Kept apart from the engine on compact lines (an interned creator index,
//! no strings) so the same code runs the what-if, the server's payout job and
//! the 1M-line benchmark.

use crate::engine::Time;
use chorus_core::Currency;
use chrono::{Duration, TimeZone, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A line as the payout run sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayLine {
    /// Index of the creator in the caller's table.
    pub creator: u32,
    pub currency: Currency,
    /// Minor units; negative for reversals after payment.
    pub amount: i64,
    /// `None`: never payable (a milestone whose event has not happened).
    pub payable_at: Option<Time>,
    /// Index of the run that paid it: set once, never cleared here.
    pub paid_in: Option<u32>,
}

impl PayLine {
    fn due(&self, as_of: Time) -> bool {
        self.paid_in.is_none() && self.payable_at.is_some_and(|p| p <= as_of)
    }
}

/// One payment of a run: (creator index, currency, minor units > 0).
pub type PayoutSum = (u32, Currency, i64);

/// Pay, as run number `run`, every (creator, currency) whose due sum is
/// greater than zero and at least `min_payout` (in that currency's units).
/// A line is paid wholly or not at all; lines of a group below the minimum,
/// or with a sum ≤ 0, stay unpaid and carry over. Returns the payments sorted
/// by creator index then currency.
pub fn pay_run(
    lines: &mut [PayLine],
    run: u32,
    as_of: Time,
    min_payout: Decimal,
) -> Vec<PayoutSum> {
    let mut sums: HashMap<(u32, Currency), i64> = HashMap::new();
    for l in lines.iter().filter(|l| l.due(as_of)) {
        let sum = sums.entry((l.creator, l.currency)).or_insert(0);
        *sum = sum.saturating_add(l.amount);
    }
    sums.retain(|(_, currency), sum| *sum > 0 && currency.major(*sum) >= min_payout);
    for l in lines.iter_mut() {
        if l.due(as_of) && sums.contains_key(&(l.creator, l.currency)) {
            l.paid_in = Some(run);
        }
    }
    let mut out: Vec<PayoutSum> = sums.into_iter().map(|((c, cur), s)| (c, cur, s)).collect();
    out.sort();
    out
}

/// A provider reported a payment failed: its lines return to payable (unpaid)
/// so the next run pays them again. Returns how many lines were returned.
pub fn return_failed(lines: &mut [PayLine], run: u32, creator: u32, currency: Currency) -> usize {
    let mut n = 0;
    for l in lines.iter_mut() {
        if l.paid_in == Some(run) && l.creator == creator && l.currency == currency {
            l.paid_in = None;
            n += 1;
        }
    }
    n
}

/// Small deterministic generator so the benchmark needs no extra crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Random commission lines for the benchmark: three currencies, payable
/// times spread around the run's `as_of`, a few negative reversals.
pub fn synthetic_lines(creators: usize, lines: usize, seed: u64, as_of: Time) -> Vec<PayLine> {
    let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let currencies = [
        Currency::USD,
        Currency::EUR,
        Currency::parse("JPY").unwrap_or(Currency::USD),
    ];
    (0..lines)
        .map(|_| {
            let amount = rng.below(20_000) as i64 + 1;
            PayLine {
                creator: rng.below(creators as u64) as u32,
                currency: currencies[rng.below(3) as usize],
                amount: if rng.below(20) == 0 {
                    -amount / 2
                } else {
                    amount
                },
                payable_at: Some(as_of - Duration::hours(rng.below(24 * 90) as i64 - 24 * 30)),
                paid_in: None,
            }
        })
        .collect()
}

/// Time one payout run over `lines` synthetic lines of `creators` creators
/// (the `chorus bench settle` figure `run_s`). Returns (seconds, lines).
/// Generation is not timed; only the run is.
pub fn bench_payout_run(creators: usize, lines: usize, seed: u64) -> (f64, usize) {
    let as_of = Utc
        .with_ymd_and_hms(2026, 4, 30, 23, 59, 59)
        .single()
        .unwrap_or_default();
    let mut book = synthetic_lines(creators, lines, seed, as_of);
    let min = Decimal::new(5000, 2);
    let start = std::time::Instant::now();
    let paid = pay_run(&mut book, 0, as_of, min);
    let secs = start.elapsed().as_secs_f64();
    std::hint::black_box(paid);
    (secs, book.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(day: u32) -> Time {
        Utc.with_ymd_and_hms(2026, 4, day, 0, 0, 0).unwrap()
    }

    fn line(creator: u32, amount: i64, day: u32) -> PayLine {
        PayLine {
            creator,
            currency: Currency::USD,
            amount,
            payable_at: Some(t(day)),
            paid_in: None,
        }
    }

    #[test]
    fn pays_at_least_minimum_once() {
        let mut lines = vec![
            line(0, 3000, 1),
            line(0, 2000, 2),
            line(1, 4999, 1),
            line(0, 100, 20),
        ];
        let paid = pay_run(&mut lines, 0, t(10), Decimal::new(5000, 2));
        assert_eq!(paid, vec![(0, Currency::USD, 5000)]);
        assert_eq!(lines[3].paid_in, None, "not yet payable");
        assert_eq!(lines[2].paid_in, None, "below minimum carries over");
        let again = pay_run(&mut lines, 1, t(10), Decimal::ZERO);
        assert_eq!(
            again,
            vec![(1, Currency::USD, 4999)],
            "already paid lines are never paid again"
        );
    }

    #[test]
    fn failed_payment_returns_to_payable() {
        let mut lines = vec![line(0, 6000, 1), line(1, 7000, 1)];
        assert_eq!(pay_run(&mut lines, 0, t(10), Decimal::ZERO).len(), 2);
        assert_eq!(return_failed(&mut lines, 0, 0, Currency::USD), 1);
        assert_eq!(
            pay_run(&mut lines, 1, t(11), Decimal::ZERO),
            vec![(0, Currency::USD, 6000)]
        );
    }

    #[test]
    fn zero_or_negative_sums_are_never_paid() {
        let mut lines = vec![line(0, 500, 1), line(0, -800, 2)];
        assert!(pay_run(&mut lines, 0, t(10), Decimal::ZERO).is_empty());
        assert!(lines.iter().all(|l| l.paid_in.is_none()));
    }

    #[test]
    fn bench_helper_runs() {
        let (secs, n) = bench_payout_run(100, 10_000, 7);
        assert_eq!(n, 10_000);
        assert!(secs >= 0.0);
    }
}
