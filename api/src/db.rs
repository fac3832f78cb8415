//! Connecting to the database and starting write transactions.
//!
//! SQLite runs in WAL mode with a busy timeout, and every write transaction
//! starts `BEGIN IMMEDIATE`: it takes the write lock up front, so concurrent
//! writers queue instead of failing on a lock upgrade (design.md, Storage).
//! Migrations on PostgreSQL run under an advisory lock, so instances that
//! start together take turns.

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
                // Statement journals and sorts past their in-memory share
                // otherwise go to files in /var/tmp: one created and
                // unlinked every few lifecycle changes (BENCHMARKS.md).
                .pragma("temp_store", "memory")
        });
    Database::connect(options).await
}

/// The advisory lock migrations run under on PostgreSQL ("tandem migrate").
const MIGRATION_LOCK: i64 = 0x7461_6e64_656d_6d67;

/// Applies pending migrations. On PostgreSQL they run on one connection
/// holding a session advisory lock, so instances starting together take
/// turns: the first migrates, the others wait and then find nothing to do
/// (without it, two `CREATE TABLE`s race on the catalog and one fails).
pub async fn migrate(db: &DatabaseConnection, url: &str) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return migration::Migrator::up(db).await;
    }
    let session = connect(url, 1).await?;
    session
        .execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .await?;
    let migrated = migration::Migrator::up(&session).await;
    // Closing the session releases the lock even if the unlock fails.
    let _ = session
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .await;
    let _ = session.close().await;
    migrated
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

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// The one integer `sql` answers on a fresh connection.
    async fn answer(sql: &str) -> i64 {
        let db = super::connect("sqlite::memory:", 1).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    /// Temporary files stay in memory (2 is `MEMORY`).
    #[tokio::test]
    async fn temporary_files_stay_in_memory() {
        assert_eq!(answer("PRAGMA temp_store").await, 2);
    }

    /// `.cargo/config.toml` builds the bundled SQLite with the query planner
    /// stability guarantee; without it every statement with a bound LIMIT is
    /// compiled again at each execution.
    #[tokio::test]
    async fn the_bundled_sqlite_keeps_its_plans() {
        assert_eq!(
            answer("SELECT sqlite_compileoption_used('ENABLE_QPSG')").await,
            1
        );
    }
}
