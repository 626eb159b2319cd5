//! `cargo run --release -p chorus-portfolio --example bench_plan [candidates] [choose] [seed]`
//! prints the figures of `chorus bench plan --json`.

fn main() {
    let arg = |i: usize, d: u64| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (n, k, seed) = (arg(1, 100_000) as usize, arg(2, 40) as usize, arg(3, 1));
    let (chosen, secs) = chorus_portfolio::bench_plan(n, k, seed);
    println!(
        "{}",
        serde_json::json!({
            "bench": "plan",
            "params": {"candidates": n, "choose": k, "seed": seed},
            "figures": {"candidates": n, "chosen": chosen, "plan_s": secs},
        })
    );
}
