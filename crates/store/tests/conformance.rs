//! One storage conformance suite, run against SQLite always and against
//! PostgreSQL when `CHORUS_TEST_POSTGRES_URL` is set.

use chorus_core::{CreatorRecord, OrgId, Role, TokenId};
use chorus_store::testing::TestDb;
use chorus_store::{AccountSort, CreatorQuery, NewImport, NewUser, Store, StoreError};

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let db = chorus_store::testing::TestDb::sqlite().await.expect("sqlite test db");
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                let Some(db) = chorus_store::testing::TestDb::postgres().await.expect("postgres test db") else {
                    eprintln!("CHORUS_TEST_POSTGRES_URL not set: PostgreSQL conformance skipped");
                    return;
                };
                super::$name(&db.store).await;
                db.cleanup().await;
            })*
        }
    };
}

conformance!(
    orgs_have_unique_slugs,
    users_belong_to_one_org,
    sessions_expire,
    tokens_are_scoped_and_revocable,
    creator_upsert_is_idempotent,
    creator_children_round_trip,
    listing_filters_sorts_and_pages,
    imports_are_scoped,
    lists_notes_and_searches_are_scoped,
    qualify_reports_keep_history_per_org,
    records_read_back_whole_in_batches,
);

#[allow(dead_code)]
fn _unused(_: TestDb) {}

async fn two_orgs(store: &Store) -> (OrgId, OrgId) {
    let a = store.create_org("acme", "Acme").await.unwrap().id;
    let b = store.create_org("globex", "Globex").await.unwrap().id;
    (a, b)
}

async fn user(store: &Store, org: OrgId, email: &str) -> chorus_store::User {
    store
        .create_user(NewUser {
            org_id: org,
            email,
            name: "N",
            password_hash: "h",
            role: Role::Manager,
        })
        .await
        .unwrap()
}

async fn orgs_have_unique_slugs(store: &Store) {
    store.create_org("acme", "Acme").await.unwrap();
    assert!(matches!(
        store.create_org("acme", "Other").await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.org_by_slug("acme").await.unwrap().unwrap().name,
        "Acme"
    );
    assert_eq!(store.list_orgs().await.unwrap().len(), 1);
}

async fn users_belong_to_one_org(store: &Store) {
    let (a, b) = two_orgs(store).await;
    let u = user(store, a, "maya@acme.test").await;
    assert_eq!(u.role, Role::Manager);
    assert!(store.user(a, u.id).await.unwrap().is_some());
    assert!(
        store.user(b, u.id).await.unwrap().is_none(),
        "another org must not see the user"
    );
    assert!(matches!(
        store
            .create_user(NewUser {
                org_id: b,
                email: "maya@acme.test",
                name: "x",
                password_hash: "h",
                role: Role::Viewer
            })
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .user_by_email("maya@acme.test")
            .await
            .unwrap()
            .unwrap()
            .id,
        u.id
    );
    assert!(!store.set_password(b, u.id, "new").await.unwrap());
    assert!(store.set_password(a, u.id, "new").await.unwrap());
}

async fn sessions_expire(store: &Store) {
    let (a, _) = two_orgs(store).await;
    let u = user(store, a, "s@acme.test").await;
    let now = chorus_store::now_us();
    store
        .create_session("live", u.id, "csrf1", now + 60_000_000)
        .await
        .unwrap();
    store
        .create_session("dead", u.id, "csrf2", now - 1)
        .await
        .unwrap();
    let s = store.session("live").await.unwrap().unwrap();
    assert_eq!(s.user.id, u.id);
    assert_eq!(s.csrf_token, "csrf1");
    assert!(store.session("dead").await.unwrap().is_none());
    store.delete_session("live").await.unwrap();
    assert!(store.session("live").await.unwrap().is_none());
}

async fn tokens_are_scoped_and_revocable(store: &Store) {
    let (a, b) = two_orgs(store).await;
    let u = user(store, a, "t@acme.test").await;
    let t = store
        .create_token(a, u.id, "ci", "chorus_ab", "digest")
        .await
        .unwrap();
    assert!(
        store.create_token(b, u.id, "x", "p", "d2").await.is_err(),
        "user of A cannot mint a token in B"
    );
    let (tok, who) = store.authenticate_token("digest").await.unwrap().unwrap();
    assert_eq!((tok.id, who.id, who.org_id), (t.id, u.id, a));
    assert!(store.token(b, t.id).await.unwrap().is_none());
    assert!(
        !store.revoke_token(b, t.id).await.unwrap(),
        "B cannot revoke A's token"
    );
    assert!(store.authenticate_token("digest").await.unwrap().is_some());
    assert!(store.revoke_token(a, t.id).await.unwrap());
    assert!(store.authenticate_token("digest").await.unwrap().is_none());
    assert!(!store.revoke_token(a, TokenId(t.id.0 + 1000)).await.unwrap());
}

fn record(handle: &str, followers: u64) -> CreatorRecord {
    let mut r: CreatorRecord = serde_json::from_value(serde_json::json!({
        "platform": "instagram", "handle": handle, "name": format!("Name {handle}"),
        "bio": "trail running and coffee", "country": "us", "language": "EN",
        "email": "Creator@Example.com", "followers": followers, "following": 300, "post_count": 120,
        "niche": "trail running",
        "posts": [
            {"id": "p1", "caption": "Long run #trailrunning", "hashtags": ["trailrunning"],
             "published_at": "2026-10-01T10:00:00Z", "likes": 900, "comments": 100},
            {"id": "p2", "caption": "Hill repeats", "published_at": "2026-10-08T10:00:00Z",
             "likes": 1900, "comments": 100, "views": 40000, "comment_samples": ["great pace!"]},
            {"id": "p3", "caption": "Rest day", "published_at": "2026-10-15T10:00:00Z",
             "likes": 2900, "comments": 100}
        ],
        "follower_history": [{"date": "2026-09-01", "followers": followers - 100},
                             {"date": "2026-10-01", "followers": followers}],
        "audience": {"source": "estimated", "as_of": "2026-10-01",
                     "countries": {"US": 0.6, "CA": 0.1}, "ages": {"25-34": 0.5},
                     "genders": {"female": 0.7, "male": 0.3}, "languages": {"en": 0.9}},
        "follower_sample": [{"username": "runner_jo", "followers": 300, "following": 280,
                             "has_profile_pic": true}]
    }))
    .unwrap();
    r.validate().unwrap();
    r
}

async fn creator_upsert_is_idempotent(store: &Store) {
    let recs = vec![record("maya", 20_000), record("leo", 50_000)];
    let s1 = store.upsert_creators(&recs).await.unwrap();
    assert_eq!((s1.inserted, s1.updated), (2, 0));
    let s2 = store.upsert_creators(&recs).await.unwrap();
    assert_eq!((s2.inserted, s2.updated), (0, 2));
    assert_eq!(store.count_accounts().await.unwrap(), 2);
    // A batch may repeat a key: the last one wins and it is one account.
    let s3 = store
        .upsert_creators(&[record("zoe", 1_000), record("zoe", 2_000)])
        .await
        .unwrap();
    assert_eq!(s3.inserted, 1);
    let id = store
        .account_by_handle("instagram", "zoe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.account(id).await.unwrap().unwrap().row.followers,
        2_000
    );
}

async fn creator_children_round_trip(store: &Store) {
    let rec = record("maya", 20_000);
    store
        .upsert_creators(std::slice::from_ref(&rec))
        .await
        .unwrap();
    let id = store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap();
    let d = store.account(id).await.unwrap().unwrap();
    assert_eq!(d.row.country.as_deref(), Some("US"));
    assert_eq!(d.email.as_deref(), Some("creator@example.com"));
    assert_eq!(d.posts.len(), 3);
    assert_eq!(d.posts[0].id, "p3", "newest first");
    assert_eq!(d.posts[1].comment_samples, vec!["great pace!".to_string()]);
    assert_eq!(d.posts[1].views, Some(40000));
    assert_eq!(d.follower_history, rec.follower_history);
    assert_eq!(d.audience, rec.audience);
    assert_eq!(d.follower_sample, rec.follower_sample);
    // (1000 + 2000 + 3000) / 3 / 20000 = 0.1
    assert!((d.row.engagement_rate.unwrap() - 0.1).abs() < 1e-12);
    assert!(d.row.has_email);
}

async fn listing_filters_sorts_and_pages(store: &Store) {
    let recs: Vec<_> = (0..25)
        .map(|i| record(&format!("c{i:02}"), 1_000 * (i + 1)))
        .collect();
    store.upsert_creators(&recs).await.unwrap();
    let mut q = CreatorQuery {
        limit: 10,
        min_followers: Some(5_000),
        ..Default::default()
    };
    let p1 = store.list_accounts(&q).await.unwrap();
    assert_eq!(p1.total, 21);
    assert_eq!(p1.items.len(), 10);
    assert_eq!(p1.items[0].followers, 25_000);
    q.offset = 20;
    let p3 = store.list_accounts(&q).await.unwrap();
    assert_eq!(p3.items.len(), 1);
    assert_eq!(p3.items[0].followers, 5_000);
    let asc = store
        .list_accounts(&CreatorQuery {
            sort: AccountSort::FollowersAsc,
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(asc.items[0].handle, "c00");
    let pre = store
        .list_accounts(&CreatorQuery {
            handle_prefix: Some("C1".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(pre.total, 10);
}

async fn imports_are_scoped(store: &Store) {
    let (a, b) = two_orgs(store).await;
    let errs = serde_json::json!([{"line": 2, "field": "handle", "reason": "is empty"}]);
    let id = store
        .record_import(NewImport {
            org_id: Some(a),
            user_id: None,
            kind: "creators",
            source: "x.csv",
            rows_total: 3,
            inserted: 2,
            updated: 0,
            failed: 1,
            errors: &errs,
        })
        .await
        .unwrap();
    assert_eq!(store.import(a, id).await.unwrap().unwrap().errors, errs);
    assert!(store.import(b, id).await.unwrap().is_none());
    assert!(store.list_imports(b, 10).await.unwrap().is_empty());
}

async fn lists_notes_and_searches_are_scoped(store: &Store) {
    let (a, b) = two_orgs(store).await;
    store
        .upsert_creators(&[record("maya", 20_000), record("leo", 30_000)])
        .await
        .unwrap();
    let maya = store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap();
    let leo = store
        .account_by_handle("instagram", "leo")
        .await
        .unwrap()
        .unwrap();
    let l = store.create_list(a, "Trail wave").await.unwrap();
    assert!(matches!(
        store.create_list(a, "Trail wave").await,
        Err(StoreError::Conflict(_))
    ));
    store.create_list(b, "Trail wave").await.unwrap();
    let ghost = chorus_core::AccountId(999_999);
    assert_eq!(
        store
            .add_to_list(a, l.id, &[maya, leo, maya, ghost])
            .await
            .unwrap(),
        Some(2)
    );
    assert_eq!(
        store.add_to_list(a, l.id, &[maya]).await.unwrap(),
        Some(0),
        "adding twice changes nothing"
    );
    assert_eq!(
        store.add_to_list(b, l.id, &[maya]).await.unwrap(),
        None,
        "B cannot touch A's list"
    );
    assert_eq!(
        store
            .list_accounts_of(a, l.id)
            .await
            .unwrap()
            .unwrap()
            .len(),
        2
    );
    assert!(store.list_accounts_of(b, l.id).await.unwrap().is_none());
    assert_eq!(store.lists(a).await.unwrap()[0].size, 2);
    assert_eq!(
        store.remove_from_list(a, l.id, &[leo]).await.unwrap(),
        Some(1)
    );
    store
        .set_note(a, maya, "great fit", &["trail".into(), "us".into()])
        .await
        .unwrap();
    assert_eq!(
        store.note(a, maya).await.unwrap().unwrap().tags,
        vec!["trail", "us"]
    );
    assert!(store.note(b, maya).await.unwrap().is_none());
    let q = serde_json::json!({"q": "trail", "followers_min": 10000});
    store.save_search(a, "trail", &q).await.unwrap();
    assert_eq!(store.saved_searches(a).await.unwrap()[0].query, q);
    assert!(store.saved_searches(b).await.unwrap().is_empty());
    assert!(!store.delete_list(b, l.id).await.unwrap());
    assert!(store.delete_list(a, l.id).await.unwrap());
}

async fn qualify_reports_keep_history_per_org(store: &Store) {
    let (a, b) = two_orgs(store).await;
    store
        .upsert_creators(&[record("maya", 20_000)])
        .await
        .unwrap();
    let maya = store
        .account_by_handle("instagram", "maya")
        .await
        .unwrap()
        .unwrap();
    let rep = serde_json::json!({"score": 80});
    let none = serde_json::json!([]);
    let new = |score| chorus_store::NewReport {
        account_id: maya,
        score,
        high_severity: false,
        floor_severity: false,
        report: &rep,
        findings: &none,
    };
    store.save_reports(a, &[new(70.0)]).await.unwrap();
    store.save_reports(a, &[new(82.5)]).await.unwrap();
    assert_eq!(
        store.latest_report(a, maya).await.unwrap().unwrap().score,
        82.5
    );
    assert!(store.latest_report(b, maya).await.unwrap().is_none());
    let latest = store.latest_reports(a, 10, 0).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].score, 82.5);
    assert_eq!(store.engagement_points().await.unwrap().len(), 1);
}

async fn records_read_back_whole_in_batches(store: &Store) {
    let recs: Vec<_> = (0..5)
        .map(|i| record(&format!("r{i}"), 10_000 + i))
        .collect();
    store.upsert_creators(&recs).await.unwrap();
    let first = store
        .account_records(chorus_core::AccountId(0), 3)
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    let rest = store.account_records(first[2].0, 3).await.unwrap();
    assert_eq!(rest.len(), 2);
    let (_, _, r) = first.iter().find(|(_, _, r)| r.handle == "r1").unwrap();
    let mut expected = record("r1", 10_001);
    expected.creator_key = Some("instagram:r1".into());
    expected
        .posts
        .sort_by_key(|p| std::cmp::Reverse(p.published_at));
    assert_eq!(r, &expected, "the record reads back whole");
    let since = store.account_records_updated_since(0, 100).await.unwrap();
    assert_eq!(since.len(), 5);
}
