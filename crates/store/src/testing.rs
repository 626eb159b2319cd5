//! Fresh databases for tests: a SQLite file in a temporary directory, or a new
//! PostgreSQL database on the server `CHORUS_TEST_POSTGRES_URL` names.

use crate::{sqlite_url_for, Result, Store};
use sqlx::Connection;

/// A database that exists for one test. Dropping the PostgreSQL one is best
/// effort: call `cleanup` at the end of a test to remove it.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    admin_url: Option<String>,
    name: Option<String>,
    _dir: Option<tempfile_dir::Dir>,
}

mod tempfile_dir {
    /// A temporary directory removed on drop (kept small to avoid a dependency).
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    pub async fn sqlite() -> Result<TestDb> {
        let dir = std::env::temp_dir().join(format!("chorus-test-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let url = sqlite_url_for(&dir);
        let store = Store::open(&url).await?;
        Ok(TestDb {
            store,
            url,
            admin_url: None,
            name: None,
            _dir: Some(tempfile_dir::Dir(dir)),
        })
    }

    /// `None` when `CHORUS_TEST_POSTGRES_URL` is not set.
    pub async fn postgres() -> Result<Option<TestDb>> {
        match std::env::var("CHORUS_TEST_POSTGRES_URL") {
            Ok(admin_url) => TestDb::postgres_at(&admin_url).await.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// A new database on the PostgreSQL server `admin_url` names.
    pub async fn postgres_at(admin_url: &str) -> Result<TestDb> {
        let admin_url = admin_url.to_string();
        let name = format!("chorus_test_{}", unique_suffix());
        let mut admin = sqlx::postgres::PgConnection::connect(&admin_url).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let url = with_database(&admin_url, &name);
        let store = Store::open(&url).await?;
        Ok(TestDb {
            store,
            url,
            admin_url: Some(admin_url),
            name: Some(name),
            _dir: None,
        })
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        if let (Some(admin_url), Some(name)) = (self.admin_url, self.name) {
            if let Ok(mut admin) = sqlx::postgres::PgConnection::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        }
    }
}

/// Replace the database name in a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host = path_start.map_or(base, |i| &base[..i]);
    match query {
        Some(q) => format!("{host}/{db}?{q}"),
        None => format!("{host}/{db}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            super::with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}
