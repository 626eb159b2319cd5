//! Start the real server on port 0 with a fresh database, and talk to it over
//! HTTP the way a browser or an API client would.

#![allow(dead_code)]

pub mod pay;

use chorus_core::Role;
use chorus_server::{auth, AppState, Config};
use chorus_store::testing::TestDb;
use chorus_store::{NewUser, Store};

pub struct App {
    pub base: String,
    pub store: Store,
    pub db: Option<TestDb>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

pub const PASSWORD: &str = "correct horse battery";

impl App {
    pub async fn spawn() -> App {
        App::spawn_with(Config::default()).await
    }

    /// The server with its own settings (a data dir, upload limits…).
    pub async fn spawn_with(config: Config) -> App {
        let db = TestDb::sqlite().await.expect("test database");
        let store = db.store.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone(), config);
        // An in-memory search index, fed by the indexer as in production.
        chorus_server::discover::start(&state, None, std::time::Duration::from_secs(1)).unwrap();
        let handle = tokio::spawn(async move {
            chorus_server::serve(listener, state, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        App {
            base,
            store,
            db: Some(db),
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An organization with one user of the given role; returns (org id, email).
    pub async fn org_with_user(&self, slug: &str, role: Role) -> (chorus_core::OrgId, String) {
        let org = self.store.create_org(slug, slug).await.unwrap();
        let email = format!("{}@{slug}.test", role.as_str());
        let hash = auth::hash_password(PASSWORD).unwrap();
        self.store
            .create_user(NewUser {
                org_id: org.id,
                email: &email,
                name: "Test",
                password_hash: &hash,
                role,
            })
            .await
            .unwrap();
        (org.id, email)
    }

    pub async fn add_user(&self, org: chorus_core::OrgId, email: &str, role: Role) {
        let hash = auth::hash_password(PASSWORD).unwrap();
        self.store
            .create_user(NewUser {
                org_id: org,
                email,
                name: "Test",
                password_hash: &hash,
                role,
            })
            .await
            .unwrap();
    }

    /// A token for an existing user, minted through the store as `chorus token create` does.
    pub async fn token_for(&self, email: &str) -> String {
        let u = self.store.user_by_email(email).await.unwrap().unwrap();
        let t = auth::new_api_token();
        self.store
            .create_token(u.org_id, u.id, "test", &t.prefix, &t.digest)
            .await
            .unwrap();
        t.clear
    }

    /// A browser with a cookie jar, signed in; returns it and the page's CSRF token.
    pub async fn browser_login(&self, email: &str) -> (reqwest::Client, String) {
        let c = browser();
        let page = c
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_field(&page, "csrf_token").expect("login form has a CSRF field");
        let resp = c
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", PASSWORD),
                ("csrf_token", csrf.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "login redirects");
        let home = c
            .get(self.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden_field(&home, "csrf_token").expect("signed-in pages carry a CSRF token");
        (c, csrf)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn api() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `<input … name="NAME" value="…">` in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn creators_ndjson(handles: &[&str]) -> String {
    handles
        .iter()
        .map(|h| {
            serde_json::json!({"platform": "instagram", "handle": h, "name": format!("Creator {h}"),
                "followers": 25000, "country": "US", "bio": "trail running"})
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
