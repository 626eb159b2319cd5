//! Searches never wait for the writer, and see whole committed batches only.

use chorus_core::creator::Platform;
use chorus_search::{SearchDoc, SearchIndex, SearchQuery};
use chrono::Utc;
use std::sync::{mpsc, Arc};
use std::time::Duration;

fn doc(id: i64, bio: &str) -> SearchDoc {
    SearchDoc {
        account_id: id,
        platform: Platform::Instagram,
        handle: format!("creator{id}"),
        name: format!("Creator {id}"),
        bio: bio.into(),
        captions: String::new(),
        hashtags: String::new(),
        niche: None,
        country: None,
        language: None,
        followers: 1000,
        er: None,
        has_email: false,
        last_post_at: None,
        audience: None,
        quality_score: None,
        has_high_severity_finding: None,
    }
}

fn total(ix: &SearchIndex, text: &str) -> u64 {
    let q = SearchQuery {
        q: Some(text.into()),
        ..Default::default()
    };
    ix.search(&q, Utc::now()).unwrap().total
}

#[test]
fn a_search_completes_while_a_batch_is_being_written_and_sees_only_commits() {
    let ix = Arc::new(SearchIndex::in_ram().unwrap());
    ix.index_batch(&[doc(1, "kayak rivers")]).unwrap();

    // A long batch in progress: the writer's lock is held, documents are
    // added and one is deleted, nothing is committed yet.
    let mut batch = ix.writer().unwrap();
    for id in 2..=300 {
        batch.upsert(&doc(id, "kayak lakes")).unwrap();
    }
    batch.delete(1);

    // A search on another thread must finish before the batch does; if it
    // waited for the writer it would never return, and this fails.
    let (tx, rx) = mpsc::channel();
    let reader = ix.clone();
    std::thread::spawn(move || {
        let _ = tx.send((total(&reader, "kayak"), total(&reader, "lakes")));
    });
    let seen = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("a search waited for the writer");
    assert_eq!(seen, (1, 0), "the search saw part of an uncommitted batch");

    batch.commit().unwrap();
    assert_eq!((total(&ix, "kayak"), total(&ix, "rivers")), (299, 0));

    // A batch dropped without its commit is rolled back, not carried into
    // the next commit.
    {
        let mut abandoned = ix.writer().unwrap();
        abandoned.upsert(&doc(1000, "canoe")).unwrap();
    }
    ix.index_batch(&[doc(1001, "surfski")]).unwrap();
    assert_eq!((total(&ix, "canoe"), total(&ix, "surfski")), (0, 1));
    assert_eq!(ix.num_docs(), 300);
}
