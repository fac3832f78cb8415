//! Integration-test helpers: [`TestApp`] starts the real server on an
//! ephemeral port over a fresh database (a SQLite file, or a new PostgreSQL
//! database when `TANDEM_TEST_POSTGRES_URL` is set), and speaks real HTTP.
//!
//! Tests are written once as `async fn name(backend: Backend)` and listed in
//! [`on_both_backends!`], which makes a SQLite and a PostgreSQL test of each.
//! Without `TANDEM_TEST_POSTGRES_URL` the PostgreSQL ones skip, except under
//! `CI=true`, where they fail.

use std::time::Duration;

#[path = "provider.rs"]
pub mod provider;
#[path = "sinks.rs"]
pub mod sinks;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tandem::auth::{TokenRequest, mint_hs256};
use tandem::config::Config;

pub const SECRET: &str = "integration-test-secret-of-at-least-32-bytes";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares a SQLite and a PostgreSQL `#[tokio::test]` for each listed
/// `async fn(Backend)` of the calling file.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

/// A database made for one test, removed when the last server over it is
/// dropped, so test runs do not pile up files in the temporary directory or
/// databases in the cluster. A failing test keeps its database and says where.
pub struct TestDatabase {
    pub url: String,
    place: Place,
}

enum Place {
    /// The directory holding the SQLite file: once it is gone, a connection
    /// a server opens late fails instead of creating a stray empty file.
    /// (A plain directory rather than the `tempfile` crate's: that crate
    /// turns on `rustix`'s default feature, which the server's own build
    /// does not, so `cargo build --workspace` and `cargo build -p tandem`
    /// would each compile `rustix`, async-graphql and the tandem crate
    /// anew; `scripts/test` checks that the two agree.)
    Sqlite(std::path::PathBuf),
    Postgres {
        admin: String,
        name: String,
    },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept the failed test's database: {}", self.url);
            return;
        }
        let (admin, name) = match &self.place {
            Place::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
                return;
            }
            Place::Postgres { admin, name } => (admin, name),
        };
        let (admin, name) = (admin.clone(), name.clone());
        // Drop may run inside a current-thread runtime, which cannot block on
        // a future, so the DROP gets a thread and a runtime of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(async {
                    let db = sea_orm::Database::connect(&admin).await?;
                    db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await?;
                    db.close().await
                })
                .map_err(|e| e.to_string())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test database {}: {e}", self.url);
        }
    }
}

/// A fresh database for `backend`, or `None` when PostgreSQL is not
/// configured outside CI.
pub async fn fresh_database(backend: Backend) -> Option<TestDatabase> {
    let name = format!(
        "tandem_t_{}",
        tandem::store::people::new_id().replace('-', "")
    );
    match backend {
        Backend::Sqlite => {
            // The name is a fresh time-ordered id: no other test's.
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir(&dir).expect("a temporary directory");
            let url = format!("sqlite://{}?mode=rwc", dir.join("tandem.db").display());
            Some(TestDatabase {
                url,
                place: Place::Sqlite(dir),
            })
        }
        Backend::Postgres => {
            let Ok(admin) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "CI=true but TANDEM_TEST_POSTGRES_URL is not set: the PostgreSQL tests cannot run"
                    );
                }
                // Written past the test harness's capture, so a skip shows in
                // the test output instead of passing silently.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: the PostgreSQL variant (TANDEM_TEST_POSTGRES_URL is not set; see README, PostgreSQL tests)"
                );
                return None;
            };
            let db = sea_orm::Database::connect(&admin)
                .await
                .expect("connect to TANDEM_TEST_POSTGRES_URL");
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            db.close().await.ok();
            let base = admin
                .rsplit_once('/')
                .map(|(base, _)| base)
                .expect("a postgres URL with a database");
            Some(TestDatabase {
                url: format!("{base}/{name}"),
                place: Place::Postgres { admin, name },
            })
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    pub config: Config,
    pub backend: Backend,
    /// The running server's shared state (its draining flag, caches).
    pub state: tandem::app::AppState,
    /// Statements the server has sent to the database so far.
    pub queries: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Shared with the other instances over the same database, which is
    /// removed when the last of them is dropped.
    database: std::sync::Arc<TestDatabase>,
}

impl TestApp {
    /// Starts a server with the default test configuration.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server after `tweak` has adjusted the configuration.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<Self> {
        let database = fresh_database(backend).await?;
        let mut config = Config::for_tests(&database.url, SECRET);
        tweak(&mut config);
        Some(Self::start(config, backend, database.into()).await)
    }

    /// Starts a server as `spawn_with` does, or says why it would not start.
    pub async fn try_spawn_with(
        backend: Backend,
        tweak: impl FnOnce(&mut Config),
    ) -> Option<Result<Self, String>> {
        let database = fresh_database(backend).await?;
        let mut config = Config::for_tests(&database.url, SECRET);
        tweak(&mut config);
        Some(Self::try_start(config, backend, database.into()).await)
    }

    /// Starts another server instance over the same database.
    pub async fn another_instance(&self) -> Self {
        self.another_instance_with(|_| {}).await
    }

    /// Starts another instance over the same database after `tweak` has
    /// adjusted a copy of this one's configuration.
    pub async fn another_instance_with(&self, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = self.config.clone();
        tweak(&mut config);
        Self::start(config, self.backend, self.database.clone()).await
    }

    async fn start(
        config: Config,
        backend: Backend,
        database: std::sync::Arc<TestDatabase>,
    ) -> Self {
        Self::try_start(config, backend, database)
            .await
            .unwrap_or_else(|e| panic!("build server: {e}"))
    }

    async fn try_start(
        config: Config,
        backend: Backend,
        database: std::sync::Arc<TestDatabase>,
    ) -> Result<Self, String> {
        let db = tandem::db::connect(&config.database_url, 5)
            .await
            .expect("connect");
        tandem::Migrator::up(&db).await.expect("migrate");
        let queries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = queries.clone();
        let mut db = db;
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let server = tandem::http::Server::build(config.clone(), db.clone())
            .await
            .map_err(|e| format!("{e:#}"))?;
        let base = format!("http://{}", server.address());
        let state = server.state().clone();
        tokio::spawn(server.run());
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        Ok(Self {
            base,
            db,
            client,
            config,
            backend,
            state,
            queries,
            database,
        })
    }

    /// The `/metrics` page as Prometheus scrapes it.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics body")
    }

    /// A token for `sub` signed with the test secret.
    pub fn token(&self, sub: &str, name: Option<&str>, roles: &[&str]) -> String {
        token_for(sub, name, None, roles)
    }

    pub fn ospo_token(&self) -> String {
        self.token("ospo-admin", Some("Olga OSPO"), &["ospo"])
    }

    /// POSTs a GraphQL request with an optional bearer token.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({
                "query": query,
                "variables": variables,
            }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Gql::from(request.send().await.expect("request")).await
    }

    /// `gql` as the person `sub`.
    pub async fn as_user(&self, sub: &str, query: &str, variables: Value) -> Gql {
        self.gql(Some(&self.token(sub, Some(sub), &[])), query, variables)
            .await
    }

    pub async fn as_ospo(&self, query: &str, variables: Value) -> Gql {
        self.gql(Some(&self.ospo_token()), query, variables).await
    }

    /// A new (draft) program, created by the OSPO; its id.
    pub async fn create_program(&self, name: &str, starts_on: &str, ends_on: &str) -> Value {
        self.as_ospo(
            "mutation($i: ProgramInput!) { createProgram(input: $i) { id } }",
            json!({ "i": { "name": name, "startsOn": starts_on, "endsOn": ends_on } }),
        )
        .await
        .data()["createProgram"]["id"]
            .clone()
    }

    /// How many statements the server has run so far.
    pub fn query_count(&self) -> usize {
        self.queries.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A single number from SQL, such as a row count.
    pub async fn count(&self, sql: &str) -> i64 {
        let backend = self.db.get_database_backend();
        let row = self
            .db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("count query");
        row.expect("a row")
            .try_get_by_index::<i64>(0)
            .expect("an integer")
    }

    /// Seeds a small catalog through the API as the OSPO.
    pub async fn seed_catalog(&self) {
        let skills = ["rust", "go", "licensing", "governance", "public-speaking"];
        for slug in skills {
            self.as_ospo(
                "mutation($i: SkillInput!) { upsertSkill(input: $i) { id } }",
                json!({ "i": { "slug": slug, "name": slug.to_uppercase(), "category": "test" } }),
            )
            .await
            .data();
        }
        for slug in ["finos", "cncf", "apache"] {
            self.as_ospo(
                "mutation($i: FoundationInput!) { upsertFoundation(input: $i) { id } }",
                json!({ "i": { "slug": slug, "name": slug.to_uppercase() } }),
            )
            .await
            .data();
        }
        for (slug, foundation) in [
            ("legend", Some("finos")),
            ("kubernetes", Some("cncf")),
            ("tokio", None),
        ] {
            self.as_ospo(
                "mutation($i: ProjectInput!) { upsertProject(input: $i) { id } }",
                json!({ "i": { "slug": slug, "name": slug, "repositoryUrl": format!("https://example.com/{slug}"), "foundation": foundation } }),
            )
            .await
            .data();
        }
    }
}

/// A token with arbitrary subject, name, email and roles.
pub fn token_for(sub: &str, name: Option<&str>, email: Option<&str>, roles: &[&str]) -> String {
    let request = TokenRequest {
        sub: sub.to_owned(),
        name: name.map(str::to_owned),
        email: email.map(str::to_owned),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    mint_hs256(SECRET.as_bytes(), "tandem", "tandem", &request, 3600).expect("mint")
}

/// An HTTP answer to a GraphQL request.
#[derive(Clone, Debug)]
pub struct Gql {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Gql {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self {
            status,
            content_type,
            body,
        }
    }

    /// The `data`, after checking there are no errors.
    #[track_caller]
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {:#}",
            self.body
        );
        assert_eq!(
            self.status, 200,
            "status {} for {:#}",
            self.status, self.body
        );
        &self.body["data"]
    }

    /// The code of the one error; fails unless there is exactly one.
    #[track_caller]
    pub fn code(&self) -> &str {
        let errors = self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors in {:#}", self.body));
        assert_eq!(errors.len(), 1, "expected one error: {:#}", self.body);
        errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without a code: {:#}", self.body))
    }

    #[track_caller]
    pub fn message(&self) -> &str {
        self.code();
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }
}
