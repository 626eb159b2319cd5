//! `cargo run --release --example bench_attribute -- [ORDERS] [CLICKS]`:
//! time the engine alone on a synthetic organization.
use chorus_attribution::{engine, simulate};
use std::time::Instant;

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let (orders, clicks) = (arg(1, 1_000_000), arg(2, 10_000_000));
    let t = Instant::now();
    let input = simulate::bench_input(orders, clicks, 1);
    println!(
        "generated {orders} orders, {clicks} clicks in {:.2?}",
        t.elapsed()
    );
    let t = Instant::now();
    let out = engine::attribute(&input);
    let credited = out
        .attributions
        .iter()
        .filter(|a| !a.credits.is_empty())
        .count();
    println!(
        "attributed {} orders ({credited} credited) in {:.2?}",
        out.attributions.len(),
        t.elapsed()
    );
    let t = Instant::now();
    println!("{}", simulate::simulate(100_000, 42).to_text());
    println!("simulated 100k shoppers in {:.2?}", t.elapsed());
}
