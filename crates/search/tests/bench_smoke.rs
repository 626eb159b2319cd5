//! The benchmark runs end to end on a tiny population (SQLite only); its
//! figures are printed by `chorus bench search`, never asserted here.

#[tokio::test]
async fn bench_reports_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite_only = chorus_search::bench::Baselines::Sql { postgres_url: None };
    let v = chorus_search::bench::bench_search(400, 3, sqlite_only, dir.path()).await;
    assert!(v.get("error").is_none(), "{v}");
    assert_eq!(v["bench"], "search");
    assert_eq!(v["params"]["creators"], 400);
    let f = &v["figures"];
    for k in [
        "build_creators_per_s",
        "index_mb",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "peak_rss_mb",
        "sqlite_p50_ms",
        "sqlite_p95_ms",
    ] {
        assert!(f[k].is_number(), "{k}: {v}");
    }
    assert!(f["postgres_p95_ms"].is_null());
    let table = chorus_search::bench::render_table(&v);
    assert!(table.contains("latency p95"), "{table}");
}

/// `--skip-sql`: the index figures are measured, the baselines are null.
#[tokio::test]
async fn baselines_can_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let none = chorus_search::bench::Baselines::None;
    let v = chorus_search::bench::bench_search(300, 4, none, dir.path()).await;
    assert!(v.get("error").is_none(), "{v}");
    assert_eq!(v["params"]["sql_baselines"], false);
    let f = &v["figures"];
    assert!(
        f["build_creators_per_s"].is_number() && f["p95_ms"].is_number(),
        "{v}"
    );
    for k in ["sqlite_p50_ms", "sqlite_p95_ms", "postgres_p95_ms"] {
        assert!(f[k].is_null(), "{k}: {v}");
    }
    assert!(!dir.path().join("search-baseline.sqlite").exists());
}
