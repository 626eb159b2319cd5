//! Generated ground truth: the audience-quality score ranks the generator's
//! known inauthentic creators (bought followers, engagement pods) below the
//! authentic ones, on several seeds, not just the one it was looked at with.

use chorus_generate::{GenOptions, Generator, LabelKind};
use chorus_qualify::ranking::{auroc_low_score_is_positive, score_population};

/// AUROC overall and per inauthentic kind (against the authentic creators).
fn aurocs(seed: u64, n: u64) -> (f64, f64, f64) {
    let mut g = Generator::new(seed, GenOptions::default());
    let (records, labels): (Vec<_>, Vec<_>) = (0..n).map(|i| g.creator(i)).unzip();
    let reports = score_population(&records);
    let scored = |keep: &dyn Fn(LabelKind) -> bool| -> Vec<(f64, bool)> {
        reports
            .iter()
            .zip(&labels)
            .filter(|(_, l)| l.authentic || keep(l.kind))
            .map(|(r, l)| (r.score, !l.authentic))
            .collect()
    };
    (
        auroc_low_score_is_positive(&scored(&|_| true)),
        auroc_low_score_is_positive(&scored(&|k| k == LabelKind::BoughtFollowers)),
        auroc_low_score_is_positive(&scored(&|k| k == LabelKind::EngagementPod)),
    )
}

#[test]
fn inauthentic_creators_score_below_authentic_ones() {
    for seed in [5, 7, 11] {
        let (all, bought, pods) = aurocs(seed, 1200);
        assert!(
            all >= 0.95,
            "seed {seed}: AUROC {all:.4} (bought followers {bought:.4}, pods {pods:.4})"
        );
    }
}
