//! Accuracy on the real labeled datasets in `shared/data`, against the
//! targets of issue 4. Skipped, with a message, where the data is absent.

use chorus_qualify::data::default_data_dir;
use chorus_qualify::{eval_safety, evaluate};
use std::path::PathBuf;

fn data_dir() -> Option<PathBuf> {
    let dir = default_data_dir();
    if dir.is_none() {
        eprintln!(
            "SKIPPED: no shared/data (set CHORUS_DATASETS_DIR or lay shared/data beside the workspace)"
        );
    }
    dir
}

#[test]
fn follower_classifier_meets_the_published_figures() {
    let Some(dir) = data_dir() else { return };
    let r = evaluate(&dir, 42).unwrap();
    eprint!("{}", r.to_text());
    let json = r.to_json();
    let insta = &json["instafake"];
    assert_eq!(insta["n"], 1194);
    assert_eq!(insta["folds"], 5);
    assert_eq!(insta["published_accuracy"], 0.96);
    assert!(insta["accuracy"].as_f64().unwrap() >= 0.96, "{insta}");
    assert!(insta["f1"].as_f64().unwrap() >= 0.85, "{insta}");
    let purba = &json["purba-4class"];
    assert_eq!(purba["n"], 43307);
    assert!(purba["accuracy"].as_f64().unwrap() >= 0.9176, "{purba}");
    assert!(
        purba["profile_fields_only"]["accuracy"].as_f64().unwrap() >= 0.80,
        "{purba}"
    );
}

#[test]
fn brand_safety_scanner_on_davidson() {
    let Some(dir) = data_dir() else { return };
    let r = eval_safety(&dir).unwrap();
    eprint!("{}", r.to_text());
    let d = &r.to_json()["davidson-hate-offensive"];
    assert_eq!(d["n"], 24783);
    assert_eq!(d["published_weighted_f1"], 0.90);
    assert!(d["weighted_f1"].as_f64().unwrap() >= 0.90, "{d}");
    assert!(d["precision"].as_f64().unwrap() >= 0.95, "{d}");
}

#[test]
fn the_committed_model_is_what_training_produces() {
    let Some(dir) = data_dir() else { return };
    let trained = chorus_qualify::train(&dir, chorus_qualify::embedded_model().seed).unwrap();
    // Compared as text: parsing a float back may differ in the last bit.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/model/follower-model.json");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        trained.to_json_string().trim() == committed.trim(),
        "the committed model differs from a fresh training run; retrain (crates/qualify/model/README.md)"
    );
}
