//! Print the brand-safety scanner's figures on davidson-hate-offensive:
//! `cargo run --release -p chorus-qualify --example eval_safety [DATA_DIR]`.
fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .or_else(chorus_qualify::data::default_data_dir)
        .expect("give the data directory (shared/data)");
    let t = std::time::Instant::now();
    let r = chorus_qualify::eval_safety(&dir).expect("eval-safety");
    print!("{}", r.to_text());
    eprintln!("{:.2}s", t.elapsed().as_secs_f64());
}
