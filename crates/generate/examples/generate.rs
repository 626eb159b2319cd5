//! Generate creators to a file and print the rate:
//! `cargo run --release -p chorus-generate --example generate -- COUNT OUT.ndjson [THREADS] [LABELS.csv]`.

use chorus_generate::{write_ndjson, write_ndjson_parallel, GenOptions};
use std::fs::File;
use std::io::Write;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let count: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let path = args.get(2).map_or("creators.ndjson", String::as_str);
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut out = File::create(path)?;
    let mut labels = args.get(4).map(File::create).transpose()?;
    let labels_w = labels.as_mut().map(|f| f as &mut dyn Write);
    let start = Instant::now();
    let st = if threads <= 1 {
        write_ndjson(42, count, GenOptions::default(), &mut out, labels_w, |_| {})?
    } else {
        write_ndjson_parallel(
            42,
            count,
            GenOptions::default(),
            threads,
            &mut out,
            labels_w,
            |_| {},
        )?
    };
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} records, {} bytes ({:.0} B/record) in {secs:.2}s: {:.0} records/s, {:.0} MB/s",
        st.records,
        st.bytes,
        st.bytes as f64 / st.records as f64,
        st.records as f64 / secs,
        st.bytes as f64 / secs / 1e6
    );
    Ok(())
}
