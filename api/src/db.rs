//! Connecting to the database and starting write transactions.
//!
//! SQLite runs in WAL mode with a busy timeout, and every write transaction
//! starts `BEGIN IMMEDIATE`: it takes the write lock up front, so concurrent
//! writers queue instead of failing on a lock upgrade (design.md, Storage).

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Held while a write transaction is open on SQLite; dropping it lets the
/// next writer of this process begin.
pub type WriteGate = Option<tokio::sync::OwnedMutexGuard<()>>;

/// SQLite has one writer at a time. Writers of this process queue here,
/// first come first served, instead of in SQLite's busy handler, which polls
/// with sleeps of up to 100 ms and turned a few concurrent writers into
/// second-long tails. Correctness does not rest on it: `BEGIN IMMEDIATE` and
/// the busy timeout still order writers from other processes.
static SQLITE_WRITERS: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(Default::default);

/// Begins a transaction that will write: `BEGIN IMMEDIATE` on SQLite (after
/// the process's writer queue), a plain `BEGIN` (READ COMMITTED, with
/// explicit row locks where needed) on PostgreSQL. Keep the gate until the
/// transaction ends.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<(DatabaseTransaction, WriteGate), DbErr> {
    let (sqlite_transaction_mode, gate) = match db.get_database_backend() {
        DbBackend::Sqlite => (
            Some(SqliteTransactionMode::Immediate),
            Some(SQLITE_WRITERS.clone().lock_owned().await),
        ),
        _ => (None, None),
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode,
            ..Default::default()
        })
        .await?;
    Ok((txn, gate))
}
