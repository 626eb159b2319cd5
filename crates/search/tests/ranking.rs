//! Ranking sanity on generated creators with known niches.

use chorus_generate::{niche_hashtags, niche_names, niche_words, GenOptions, Generator};
use chorus_search::{SearchDoc, SearchIndex, SearchQuery};
use std::collections::{HashMap, HashSet};

const CREATORS: u64 = 6_000;

fn build() -> (SearchIndex, HashMap<i64, String>) {
    let mut g = Generator::new(7, GenOptions::default());
    let ix = SearchIndex::in_ram().unwrap();
    let mut niche_of = HashMap::new();
    let docs: Vec<SearchDoc> = (0..CREATORS)
        .map(|i| {
            let (rec, label) = g.creator(i);
            niche_of.insert(i as i64, label.niche.to_string());
            SearchDoc::from_record(i as i64, &rec)
        })
        .collect();
    ix.index_batch(&docs).unwrap();
    (ix, niche_of)
}

/// Single words of niche `k` that no other niche uses: its vocabulary.
fn distinctive_words(k: usize, n: usize) -> Vec<String> {
    let mut others: HashSet<String> = HashSet::new();
    for j in (0..niche_names().len()).filter(|j| *j != k) {
        for w in niche_words(j).iter().chain(niche_hashtags(j)) {
            others.extend(w.split(|c: char| !c.is_alphanumeric()).map(str::to_owned));
        }
    }
    let mut out: Vec<String> = Vec::new();
    for w in niche_words(k)
        .iter()
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric()))
    {
        if w.len() >= 4 && !others.contains(w) && !out.iter().any(|o| o == w) {
            out.push(w.to_owned());
        }
    }
    out.truncate(n);
    out
}

#[test]
fn niche_vocabulary_ranks_that_niche_first_and_lookalikes_share_it() {
    let (ix, niche_of) = build();
    let now = GenOptions::default().now;
    let names = niche_names();
    let mut report = Vec::new();
    for k in (0..names.len()).step_by(names.len() / 10).take(10) {
        let words = distinctive_words(k, 4);
        assert!(words.len() >= 3, "{}: {words:?}", names[k]);
        let q = SearchQuery {
            q: Some(words.join(" ")),
            limit: Some(20),
            ..Default::default()
        };
        let r = ix.search(&q, now).unwrap();
        assert_eq!(r.results.len(), 20, "{}", names[k]);
        let same = r
            .results
            .iter()
            .filter(|h| niche_of[&h.account_id] == names[k])
            .count();
        report.push(format!("{}: {same}/20 for {words:?}", names[k]));
        assert!(same >= 18, "{report:?}");
        assert!(r.results.iter().all(|h| !h.why.matched_terms.is_empty()));
        let top = r.results[0].account_id;
        let like = ix.lookalikes(top, 10).unwrap();
        assert_eq!(like.len(), 10);
        assert!(like.iter().all(|h| h.account_id != top));
        let same = like
            .iter()
            .filter(|h| niche_of[&h.account_id] == names[k])
            .count();
        assert!(same >= 8, "lookalikes of {top} ({}): {same}/10", names[k]);
    }
    eprintln!("{}", report.join("\n"));
}
