//! Retrain the shipped follower model and write it where the crate embeds it:
//! `cargo run --release -p chorus-qualify --example train [DATA_DIR] [SEED]`.
use std::path::{Path, PathBuf};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map(PathBuf::from)
        .or_else(chorus_qualify::data::default_data_dir)
        .expect("give the data directory (shared/data)");
    let seed: u64 = args
        .next()
        .map_or(42, |s| s.parse().expect("seed is a number"));
    let model = chorus_qualify::train(&dir, seed).expect("train");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("model/follower-model.json");
    std::fs::write(&out, model.to_json_string() + "\n").expect("write model");
    println!(
        "wrote {} ({} trees, seed {seed})",
        out.display(),
        model.booster.trees.len()
    );
}
