//! Run the search benchmark without the CLI:
//! `cargo run --release -p chorus-search --example bench_search -- CREATORS [SEED] [POSTGRES_URL]`.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let creators = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let pg = args.get(3).map(String::as_str);
    let work = std::env::temp_dir().join("chorus-bench-search");
    std::fs::create_dir_all(&work).expect("work dir");
    let baselines = chorus_search::bench::Baselines::Sql { postgres_url: pg };
    let v = chorus_search::bench::bench_search(creators, seed, baselines, &work).await;
    print!("{}", chorus_search::bench::render_table(&v));
    println!("{v}");
}
