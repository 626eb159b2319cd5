//! `only_account_ids`: the include filter a caller resolves from data the
//! index does not hold (an organization's qualify reports).

use chorus_core::creator::Platform;
use chorus_search::{SearchDoc, SearchIndex, SearchQuery};
use chrono::Utc;

fn doc(id: i64) -> SearchDoc {
    SearchDoc {
        account_id: id,
        platform: Platform::Instagram,
        handle: format!("creator{id}"),
        name: format!("Creator {id}"),
        bio: "trail running".into(),
        captions: String::new(),
        hashtags: String::new(),
        niche: Some("running".into()),
        country: Some("US".into()),
        language: Some("en".into()),
        followers: 1000 * id as u64,
        er: Some(0.03),
        has_email: false,
        last_post_at: None,
        audience: None,
        quality_score: None,
        has_high_severity_finding: None,
    }
}

fn ids(ix: &SearchIndex, only: Option<Vec<i64>>, exclude: Vec<i64>) -> (u64, Vec<i64>) {
    let q = SearchQuery {
        q: Some("trail".into()),
        only_account_ids: only,
        exclude_account_ids: exclude,
        limit: Some(50),
        ..Default::default()
    };
    let r = ix.search(&q, Utc::now()).unwrap();
    let mut v: Vec<i64> = r.results.iter().map(|h| h.account_id).collect();
    v.sort();
    (r.total, v)
}

#[test]
fn include_ids_restrict_results_and_facets() {
    let ix = SearchIndex::in_ram().unwrap();
    ix.index_batch(&(1..=6).map(doc).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(ids(&ix, None, vec![]).0, 6);
    assert_eq!(ids(&ix, Some(vec![5, 2, 2, 99]), vec![]), (2, vec![2, 5]));
    assert_eq!(ids(&ix, Some(vec![]), vec![]), (0, vec![]));
    // Combined with an exclusion: both apply.
    assert_eq!(ids(&ix, Some(vec![2, 5]), vec![5]), (1, vec![2]));
}
