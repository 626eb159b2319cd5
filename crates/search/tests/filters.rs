//! Each filter's semantics and edges, on small hand-made indexes.

use chorus_core::creator::{Audience, AudienceSource, Platform};
use chorus_search::{SearchDoc, SearchIndex, SearchQuery, SearchResults, Sort, Target};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeMap;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn doc(id: i64) -> SearchDoc {
    SearchDoc {
        account_id: id,
        platform: Platform::Instagram,
        handle: format!("creator{id}"),
        name: format!("Creator {id}"),
        bio: String::new(),
        captions: String::new(),
        hashtags: String::new(),
        niche: Some("yoga".into()),
        country: Some("US".into()),
        language: Some("en".into()),
        followers: 10_000,
        er: Some(0.03),
        has_email: false,
        last_post_at: Some(now() - Duration::days(1)),
        audience: None,
        quality_score: None,
        has_high_severity_finding: None,
    }
}

fn shares(v: &[(&str, f64)]) -> BTreeMap<String, f64> {
    v.iter().map(|(k, s)| (k.to_string(), *s)).collect()
}

fn audience(
    c: &[(&str, f64)],
    g: &[(&str, f64)],
    a: &[(&str, f64)],
    l: &[(&str, f64)],
) -> Option<Audience> {
    Some(Audience {
        source: AudienceSource::Estimated,
        as_of: now().date_naive(),
        countries: shares(c),
        ages: shares(a),
        genders: shares(g),
        languages: shares(l),
    })
}

fn index(docs: Vec<SearchDoc>) -> SearchIndex {
    let ix = SearchIndex::in_ram().unwrap();
    ix.index_batch(&docs).unwrap();
    ix
}

fn run(ix: &SearchIndex, q: SearchQuery) -> SearchResults {
    let q = SearchQuery {
        limit: Some(q.limit.unwrap_or(100)),
        ..q
    };
    ix.search(&q, now()).unwrap()
}

/// Matching ids, sorted.
fn ids(ix: &SearchIndex, q: SearchQuery) -> Vec<i64> {
    let r = run(ix, q);
    let mut v: Vec<i64> = r.results.iter().map(|h| h.account_id).collect();
    assert_eq!(r.total as usize, v.len());
    v.sort();
    v
}

#[test]
fn follower_bounds_are_inclusive() {
    let ix = index(
        (1..=3)
            .map(|i| SearchDoc {
                followers: 100 * i as u64,
                ..doc(i)
            })
            .collect(),
    );
    let q = |lo, hi| SearchQuery {
        followers_min: lo,
        followers_max: hi,
        ..Default::default()
    };
    assert_eq!(ids(&ix, q(Some(200), Some(300))), vec![2, 3]);
    assert_eq!(ids(&ix, q(Some(201), None)), vec![3]);
    assert_eq!(ids(&ix, q(None, Some(200))), vec![1, 2]);
    let r = run(&ix, q(Some(200), Some(300)));
    assert!(r.results[0]
        .why
        .filters
        .iter()
        .any(|f| f == "followers 300 in 200–300"));
}

#[test]
fn er_bounds_are_inclusive_and_unknown_er_never_matches() {
    let ix = index(vec![
        SearchDoc {
            er: Some(0.02),
            ..doc(1)
        },
        SearchDoc {
            er: Some(0.05),
            ..doc(2)
        },
        SearchDoc { er: None, ..doc(3) },
    ]);
    let q = |lo, hi| SearchQuery {
        er_min: lo,
        er_max: hi,
        ..Default::default()
    };
    assert_eq!(ids(&ix, q(Some(0.02), Some(0.05))), vec![1, 2]);
    assert_eq!(ids(&ix, q(Some(0.0), None)), vec![1, 2]);
    assert_eq!(ids(&ix, q(None, Some(0.02))), vec![1]);
    assert_eq!(ids(&ix, SearchQuery::default()), vec![1, 2, 3]);
}

#[test]
fn audience_country_is_any_of_with_share_at_threshold_matching() {
    let ix = index(vec![
        SearchDoc {
            audience: audience(&[("US", 0.40), ("GB", 0.1)], &[], &[], &[]),
            ..doc(1)
        },
        SearchDoc {
            audience: audience(&[("US", 0.1), ("GB", 0.45)], &[], &[], &[]),
            ..doc(2)
        },
        SearchDoc {
            audience: audience(&[("US", 0.39), ("FI", 0.5)], &[], &[], &[]),
            ..doc(3)
        },
        SearchDoc {
            audience: None,
            ..doc(4)
        },
    ]);
    let q = |c: &[&str], min| SearchQuery {
        audience_countries: c.iter().map(|s| s.to_string()).collect(),
        audience_country_min: Some(min),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q(&["US", "GB"], 0.4)), vec![1, 2]);
    assert_eq!(ids(&ix, q(&["us"], 0.4)), vec![1]);
    // A country outside any fixed list works the same way.
    assert_eq!(ids(&ix, q(&["FI"], 0.5)), vec![3]);
    // Missing audience never matches, even at 0%.
    assert_eq!(ids(&ix, q(&["US"], 0.0)), vec![1, 2, 3]);
    let r = run(&ix, q(&["US", "GB"], 0.4));
    let why: Vec<_> = r
        .results
        .iter()
        .flat_map(|h| h.why.filters.clone())
        .collect();
    assert!(
        why.contains(&"audience US 40% ≥ 40%".to_string()),
        "{why:?}"
    );
    assert!(
        why.contains(&"audience GB 45% ≥ 40%".to_string()),
        "{why:?}"
    );
}

#[test]
fn audience_gender_and_language_thresholds() {
    let ix = index(vec![
        SearchDoc {
            audience: audience(&[], &[("female", 0.6)], &[], &[("en", 0.8)]),
            ..doc(1)
        },
        SearchDoc {
            audience: audience(&[], &[("female", 0.59)], &[], &[("es", 0.8)]),
            ..doc(2)
        },
        SearchDoc {
            audience: None,
            ..doc(3)
        },
    ]);
    let g = SearchQuery {
        audience_gender: Some("Female".into()),
        audience_gender_min: Some(0.6),
        ..Default::default()
    };
    assert_eq!(ids(&ix, g.clone()), vec![1]);
    assert_eq!(
        run(&ix, g).results[0].why.filters,
        vec!["audience female 60% ≥ 60%"]
    );
    let l = SearchQuery {
        audience_language: Some("es".into()),
        audience_language_min: Some(0.5),
        ..Default::default()
    };
    assert_eq!(ids(&ix, l), vec![2]);
}

#[test]
fn age_bands_are_summed() {
    // 0.7 + 0.1 is 0.7999999999999999 in floating point: still "≥ 80%".
    let ix = index(vec![
        SearchDoc {
            audience: audience(&[], &[], &[("25-34", 0.7), ("35-44", 0.1)], &[]),
            ..doc(1)
        },
        SearchDoc {
            audience: audience(&[], &[], &[("25-34", 0.5), ("45-64", 0.4)], &[]),
            ..doc(2)
        },
        SearchDoc {
            audience: None,
            ..doc(3)
        },
    ]);
    let q = |bands: &[&str], min| SearchQuery {
        audience_ages: bands.iter().map(|s| s.to_string()).collect(),
        audience_age_min: Some(min),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q(&["25-34", "35-44"], 0.8)), vec![1]);
    assert_eq!(ids(&ix, q(&["25-34"], 0.7)), vec![1]);
    assert_eq!(ids(&ix, q(&["25-34", "35-44", "45-64"], 0.8)), vec![1, 2]);
    let r = run(&ix, q(&["25-34", "35-44"], 0.8));
    assert_eq!(r.results[0].why.filters, vec!["ages 25-34+35-44 80% ≥ 80%"]);
}

#[test]
fn posted_within_days_is_inclusive_at_the_edge() {
    let ix = index(vec![
        SearchDoc {
            last_post_at: Some(now() - Duration::days(30)),
            ..doc(1)
        },
        SearchDoc {
            last_post_at: Some(now() - Duration::days(30) - Duration::seconds(1)),
            ..doc(2)
        },
        SearchDoc {
            last_post_at: None,
            ..doc(3)
        },
        SearchDoc {
            last_post_at: Some(now()),
            ..doc(4)
        },
    ]);
    let q = SearchQuery {
        posted_within_days: Some(30),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q), vec![1, 4]);
}

#[test]
fn qualify_fields_must_be_present_when_filtered() {
    let ix = index(vec![
        doc(1).with_qualify(Some(80.0), Some(false)),
        doc(2).with_qualify(Some(60.0), Some(true)),
        doc(3),
    ]);
    let q = SearchQuery {
        min_quality_score: Some(60.0),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q), vec![1, 2]);
    let q = SearchQuery {
        no_high_severity: Some(true),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q), vec![1]);
    assert_eq!(ids(&ix, SearchQuery::default()), vec![1, 2, 3]);
}

#[test]
fn keyword_filters_and_exclusions() {
    let ix = index(vec![
        SearchDoc {
            platform: Platform::Tiktok,
            has_email: true,
            ..doc(1)
        },
        SearchDoc {
            country: Some("GB".into()),
            language: Some("de".into()),
            ..doc(2)
        },
        SearchDoc {
            niche: Some("Trail Running".into()),
            ..doc(3)
        },
        doc(4),
    ]);
    let q = |f: fn(&mut SearchQuery)| {
        let mut q = SearchQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(
        ids(
            &ix,
            q(|q| q.platforms = vec![Platform::Tiktok, Platform::X])
        ),
        vec![1]
    );
    assert_eq!(ids(&ix, q(|q| q.countries = vec!["gb".into()])), vec![2]);
    assert_eq!(ids(&ix, q(|q| q.languages = vec!["DE".into()])), vec![2]);
    assert_eq!(
        ids(&ix, q(|q| q.niches = vec!["trail running".into()])),
        vec![3]
    );
    assert_eq!(ids(&ix, q(|q| q.has_email = Some(true))), vec![1]);
    assert_eq!(ids(&ix, q(|q| q.has_email = Some(false))), vec![2, 3, 4]);
    assert_eq!(
        ids(&ix, q(|q| q.exclude_account_ids = vec![2, 4])),
        vec![1, 3]
    );
}

#[test]
fn filters_combine_with_and() {
    let a = audience(&[("US", 0.5)], &[("female", 0.7)], &[("25-34", 0.5)], &[]);
    let ix = index(vec![
        SearchDoc {
            followers: 50_000,
            audience: a.clone(),
            ..doc(1)
        },
        SearchDoc {
            followers: 5_000,
            audience: a.clone(),
            ..doc(2)
        },
        SearchDoc {
            followers: 50_000,
            audience: a.clone(),
            platform: Platform::Youtube,
            ..doc(3)
        },
        SearchDoc {
            followers: 50_000,
            audience: None,
            ..doc(4)
        },
    ]);
    let q = SearchQuery {
        platforms: vec![Platform::Instagram],
        followers_min: Some(10_000),
        audience_countries: vec!["US".into()],
        audience_country_min: Some(0.4),
        audience_gender: Some("female".into()),
        audience_gender_min: Some(0.6),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q.clone()), vec![1]);
    let why = &run(&ix, q).results[0].why.filters;
    assert_eq!(why.len(), 4, "{why:?}");
}

#[test]
fn text_words_phrases_and_hashtags() {
    let ix = index(vec![
        SearchDoc {
            bio: "Carbon plate shoes for the tempo run".into(),
            ..doc(1)
        },
        SearchDoc {
            bio: "plate of carbon pasta".into(),
            ..doc(2)
        },
        SearchDoc {
            hashtags: "trailrunning ultra".into(),
            ..doc(3)
        },
        SearchDoc {
            captions: "I love trailrunning".into(),
            ..doc(4)
        },
    ]);
    let q = |t: &str| SearchQuery {
        q: Some(t.into()),
        ..Default::default()
    };
    assert_eq!(ids(&ix, q("carbon plate")), vec![1, 2]);
    assert_eq!(ids(&ix, q("\"carbon plate\"")), vec![1]);
    assert_eq!(ids(&ix, q("#trailrunning")), vec![3]);
    assert_eq!(ids(&ix, q("trailrunning")), vec![3, 4]);
    assert_eq!(ids(&ix, q("tempo \"carbon plate\"")), vec![1]);
    let r = run(&ix, q("tempo \"carbon plate\" #ultra"));
    assert_eq!(
        r.results[0].why.matched_terms,
        vec!["tempo", "\"carbon plate\""]
    );
    // Syntax never fails.
    assert_eq!(ids(&ix, q("\"unclosed -a:b ((")), Vec::<i64>::new());
}

#[test]
fn pages_concatenate_to_the_full_sorted_list() {
    // Many ties on followers: the account id must break them.
    let docs: Vec<_> = (1..=53)
        .map(|i| SearchDoc {
            followers: (i % 4) as u64 * 1000,
            ..doc(i * 7 % 101)
        })
        .collect();
    let ix = index(docs);
    for sort in [Sort::Followers, Sort::Er, Sort::Relevance] {
        let full = run(
            &ix,
            SearchQuery {
                sort: Some(sort),
                limit: Some(100),
                ..Default::default()
            },
        );
        let all: Vec<i64> = full.results.iter().map(|h| h.account_id).collect();
        assert_eq!(all.len(), 53);
        let mut paged = Vec::new();
        for page in 0..8 {
            let q = SearchQuery {
                sort: Some(sort),
                offset: Some(page * 7),
                limit: Some(7),
                ..Default::default()
            };
            paged.extend(run(&ix, q).results.iter().map(|h| h.account_id));
        }
        assert_eq!(paged, all, "{sort:?}");
    }
    let by_followers = run(
        &ix,
        SearchQuery {
            limit: Some(100),
            ..Default::default()
        },
    );
    let keys: Vec<(u64, i64)> = by_followers
        .results
        .iter()
        .map(|h| (h.followers, h.account_id))
        .collect();
    let mut want = keys.clone();
    want.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    assert_eq!(keys, want);
}

#[test]
fn facets_count_the_whole_filtered_set() {
    let niches = ["yoga", "bbq", "wine"];
    let countries = ["US", "GB", "DE", "FR"];
    let docs: Vec<_> = (1..=200)
        .map(|i| SearchDoc {
            niche: Some(niches[i as usize % 3].into()),
            country: Some(countries[i as usize % 4].into()),
            platform: Platform::ALL[i as usize % 3],
            followers: (i as u64) * 7_000,
            ..doc(i)
        })
        .collect();
    let ix = index(docs.clone());
    let q = SearchQuery {
        followers_min: Some(300_000),
        platforms: vec![Platform::Instagram, Platform::Youtube],
        limit: Some(5),
        ..Default::default()
    };
    let r = ix.search(&q, now()).unwrap();
    let kept: Vec<_> = docs
        .iter()
        .filter(|d| {
            d.followers >= 300_000 && matches!(d.platform, Platform::Instagram | Platform::Youtube)
        })
        .collect();
    assert_eq!(r.total as usize, kept.len());
    assert_eq!(r.results.len(), 5);
    for (value, n) in &r.facets.niche {
        assert_eq!(
            *n as usize,
            kept.iter()
                .filter(|d| d.niche.as_deref() == Some(value))
                .count()
        );
    }
    for (value, n) in &r.facets.country {
        assert_eq!(
            *n as usize,
            kept.iter()
                .filter(|d| d.country.as_deref() == Some(value))
                .count()
        );
    }
    for (value, n) in &r.facets.platform {
        assert_eq!(
            *n as usize,
            kept.iter().filter(|d| d.platform.as_str() == value).count()
        );
    }
    let tiers: u64 = r.facets.follower_tier.iter().map(|t| t.1).sum();
    assert_eq!(tiers, r.total);
    let mega = r
        .facets
        .follower_tier
        .iter()
        .find(|t| t.0 == "mega")
        .unwrap()
        .1;
    assert_eq!(
        mega as usize,
        kept.iter().filter(|d| d.followers >= 1_000_000).count()
    );
    assert_eq!(r.facets.niche.iter().map(|x| x.1).sum::<u64>(), r.total);
}

#[test]
fn sorting_by_er_fit_and_best_fit() {
    let ix = index(vec![
        SearchDoc {
            er: Some(0.01),
            audience: audience(&[("US", 0.9)], &[("female", 0.9)], &[], &[]),
            ..doc(1)
        },
        SearchDoc {
            er: Some(0.05),
            audience: audience(&[("US", 0.2)], &[("female", 0.3)], &[], &[]),
            ..doc(2)
        },
        SearchDoc {
            er: Some(0.04),
            audience: None,
            ..doc(3)
        },
    ]);
    let order = |q: SearchQuery| {
        run(&ix, q)
            .results
            .iter()
            .map(|h| h.account_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(SearchQuery {
            sort: Some(Sort::Er),
            ..Default::default()
        }),
        vec![2, 3, 1]
    );
    let target = Target {
        countries: [("US".into(), 1.0)].into(),
        genders: [("female".into(), 1.0)].into(),
        ..Default::default()
    };
    let q = SearchQuery {
        sort: Some(Sort::AudienceFit),
        target: Some(target.clone()),
        ..Default::default()
    };
    assert_eq!(order(q.clone()), vec![1, 2, 3]);
    let r = run(&ix, q);
    let f = r.results[0].fit.unwrap();
    assert!((f - 0.9).abs() < 1e-9, "{f}");
    assert!(r.results[0].why.fit_breakdown.is_some());
    assert_eq!(r.results[2].fit, None);
    let q = SearchQuery {
        sort: Some(Sort::BestFit),
        target: Some(target),
        ..Default::default()
    };
    let r = run(&ix, q);
    assert_eq!(r.results[0].account_id, 1);
    assert!(r.results.iter().all(|h| (0.0..=1.0).contains(&h.score)));
    let bad = SearchQuery {
        sort: Some(Sort::AudienceFit),
        ..Default::default()
    };
    assert!(ix.search(&bad, now()).is_err());
}

#[test]
fn batches_upsert_by_account_id_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ix = SearchIndex::open_or_create(dir.path()).unwrap();
        ix.index_batch(&[doc(1), doc(2)]).unwrap();
        ix.index_batch(&[
            SearchDoc {
                followers: 99,
                ..doc(2)
            },
            SearchDoc {
                followers: 5,
                ..doc(2)
            },
        ])
        .unwrap();
        assert_eq!(ix.num_docs(), 2);
        ix.delete(&[1]).unwrap();
        assert_eq!(ix.num_docs(), 1);
    }
    let ix = SearchIndex::open_or_create(dir.path()).unwrap();
    let r = run(&ix, SearchQuery::default());
    assert_eq!((r.total, r.results[0].followers), (1, 5));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["results"][0]["handle"], "creator2");
    assert_eq!(json["results"][0]["platform"], "instagram");
    assert!(json["facets"]["follower_tier"].is_array());
}
