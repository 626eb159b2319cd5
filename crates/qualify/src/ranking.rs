//! How well the audience-quality score ranks known inauthentic accounts
//! below authentic ones: the measure behind `chorus qualify eval-generated`
//! and the generated-ground-truth test.

use crate::score::{learn_er_bands, score_account, AccountInput, QualityReport, ScoreContext};
use chorus_core::CreatorRecord;

/// Score every record against engagement bands learned from the same
/// population, as a deployment that imported exactly these creators would.
pub fn score_population(records: &[CreatorRecord]) -> Vec<QualityReport> {
    let bands = learn_er_bands(records.iter().filter_map(|r| {
        chorus_core::engagement_rate(r.followers, &r.posts).map(|er| (r.followers, er))
    }));
    let ctx = ScoreContext::new(bands);
    records
        .iter()
        .map(|r| score_account(&AccountInput::from_record(r), &ctx))
        .collect()
}

/// Probability that a random positive (inauthentic) account scores below a
/// random negative (authentic) one, ties counting half: the AUROC of
/// "low score = inauthentic". `NaN` without both classes.
pub fn auroc_low_score_is_positive(scored: &[(f64, bool)]) -> f64 {
    let mut v: Vec<_> = scored.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pos = v.iter().filter(|x| x.1).count() as f64;
    let neg = v.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
    }
    // Mann–Whitney U over groups of equal scores, ranked by ascending score:
    // the more positives sit at low ranks, the smaller their rank sum.
    let (mut i, mut rank_sum) = (0, 0.0);
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += avg_rank * v[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let u = rank_sum - pos * (pos + 1.0) / 2.0;
    1.0 - u / (pos * neg)
}

#[cfg(test)]
mod tests {
    use super::auroc_low_score_is_positive as auroc;

    #[test]
    fn auroc_is_one_when_every_positive_scores_lowest() {
        assert_eq!(
            auroc(&[(10.0, true), (20.0, true), (80.0, false), (90.0, false)]),
            1.0
        );
        assert_eq!(auroc(&[(10.0, false), (90.0, true)]), 0.0);
        assert_eq!(auroc(&[(50.0, true), (50.0, false)]), 0.5);
        assert!(auroc(&[(50.0, true)]).is_nan());
    }
}
