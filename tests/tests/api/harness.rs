//! The test harness cleans up after itself: a test's database lives as
//! long as the last server over it, so runs do not pile up SQLite files in
//! the temporary directory or databases in the PostgreSQL cluster.

use tandem_tests::{Backend, TestApp, on_both_backends};

/// Whether the database at `url` still exists.
async fn exists(backend: Backend, url: &str) -> bool {
    match backend {
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .and_then(|rest| rest.split('?').next())
                .expect("a SQLite URL");
            std::path::Path::new(path).exists()
        }
        Backend::Postgres => {
            use sea_orm::ConnectionTrait;
            let name = url.rsplit('/').next().unwrap();
            let admin =
                sea_orm::Database::connect(std::env::var("TANDEM_TEST_POSTGRES_URL").unwrap())
                    .await
                    .unwrap();
            let row = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    format!("SELECT COUNT(*) FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .unwrap()
                .unwrap();
            admin.close().await.ok();
            row.try_get_by_index::<i64>(0).unwrap() == 1
        }
    }
}

async fn the_last_instance_dropped_removes_the_database(backend: Backend) {
    let Some(first) = TestApp::spawn(backend).await else {
        return;
    };
    let second = first.another_instance().await;
    first.seed_catalog().await;
    let url = first.config.database_url.clone();
    assert!(exists(backend, &url).await);
    drop(first);
    assert!(
        exists(backend, &url).await,
        "the second instance still uses it"
    );
    assert_eq!(second.count("SELECT COUNT(*) FROM skill").await, 5);
    drop(second);
    assert!(!exists(backend, &url).await, "{url} is left behind");
}

on_both_backends!(the_last_instance_dropped_removes_the_database);
