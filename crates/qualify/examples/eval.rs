//! Print the follower classifier's 5-fold CV figures:
//! `cargo run --release -p chorus-qualify --example eval [DATA_DIR]`.
//! Environment variables `PROFILE=trees,depth,lr,subsample` and
//! `FULL=trees,depth,lr,subsample` try other parameters.
use chorus_qualify::eval::{evaluate_rows, CvParams};
use chorus_qualify::gbdt::Params;

fn params_from_env(name: &str, p: &mut Params) {
    let Ok(v) = std::env::var(name) else { return };
    let f: Vec<f64> = v.split(',').map(|x| x.parse().expect("number")).collect();
    p.n_trees = f[0] as usize;
    p.max_depth = f[1] as usize;
    p.learning_rate = f[2];
    p.subsample = f[3];
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .or_else(chorus_qualify::data::default_data_dir)
        .expect("give the data directory (shared/data)");
    let mut cp = CvParams::default();
    params_from_env("PROFILE", &mut cp.profile);
    params_from_env("FULL", &mut cp.purba_full);
    let insta = chorus_qualify::data::load_instafake(&dir).expect("instafake");
    let purba = chorus_qualify::data::load_purba(&dir).expect("purba");
    let t = std::time::Instant::now();
    let seed = std::env::var("SEED").map_or(42, |s| s.parse().expect("seed"));
    let r = evaluate_rows(&insta, &purba, seed, &cp);
    print!("{}", r.to_text());
    eprintln!("{:.1}s", t.elapsed().as_secs_f64());
}
