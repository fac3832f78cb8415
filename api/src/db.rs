//! Connecting to the database and starting write transactions.
//!
//! SQLite runs in WAL mode with a busy timeout, and every write transaction
//! starts `BEGIN IMMEDIATE`: it takes the write lock up front, so concurrent
//! writers queue instead of failing on a lock upgrade (design.md, Storage).
//! Migrations on PostgreSQL run under an advisory lock, so instances that
//! start together take turns.
//!
//! A SQLite file's write transactions all run on one connection of their
//! own, beside the pool the reads use. Each SQLite connection keeps its own
//! page cache and empties it whenever it finds that another connection has
//! written since its last transaction; the pool hands out its idle
//! connections first in, first out, so with writes spread over the pool
//! every transaction began with an empty cache and read its pages again
//! from the file. The writer's own commits leave its cache warm: about a
//! tenth less CPU per `acceptProposal` (BENCHMARKS.md, "In paired
//! bursts"). A checkpointer, another connection, copies the write-ahead log
//! back into the file; the commits no longer do it themselves.

use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, SqlxSqliteConnector, TransactionOptions, TransactionTrait,
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
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite && max_connections > 1 && !in_memory(url) {
        add_writer(&db).await?;
    }
    Ok(db)
}

/// An in-memory database is private to its pool (a second pool would open
/// another database), and only ever a test's.
fn in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// File-backed SQLite pools and their writers, by the pool's connect
/// options (shared by the pool's clones, gone with the last of them).
type Writers = Vec<(Weak<SqliteConnectOptions>, DatabaseConnection)>;
static SQLITE_WRITER_OF: LazyLock<Mutex<Writers>> = LazyLock::new(Default::default);

/// Opens `db`'s writer: one connection to the same file with the same
/// settings, kept open.
async fn add_writer(db: &DatabaseConnection) -> Result<(), DbErr> {
    let options = db.get_sqlite_connection_pool().connect_options();
    let writer = one_connection(
        (*options)
            .clone()
            .pragma("wal_autocheckpoint", WRITER_AUTOCHECKPOINT),
    )
    .await?;
    spawn_checkpointer(Arc::downgrade(&options)).await?;
    let mut writers = SQLITE_WRITER_OF.lock().unwrap_or_else(|e| e.into_inner());
    writers.retain(|(pool, _)| pool.strong_count() > 0);
    writers.push((Arc::downgrade(&options), writer));
    Ok(())
}

/// A pool of one connection, kept open: a new connection starts with an
/// empty page cache.
async fn one_connection(options: SqliteConnectOptions) -> Result<DatabaseConnection, DbErr> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// How often a SQLite file's write-ahead log is copied back into the
/// database by a connection of its own. A commit that finds the log past
/// `wal_autocheckpoint` pages checkpoints it itself, `fsync`s included,
/// while every other writer waits: with the default of 1,000 pages that was
/// every twenty-odd `acceptProposal`s.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// The writer checkpoints only past this many pages of log (40 MB), should
/// the checkpointer fall behind.
const WRITER_AUTOCHECKPOINT: &str = "10000";

/// Checkpoints the pool's file every [`CHECKPOINT_EVERY`] without blocking
/// readers or the writer (`PASSIVE`), until the pool is gone.
async fn spawn_checkpointer(pool: Weak<SqliteConnectOptions>) -> Result<(), DbErr> {
    let Some(options) = pool.upgrade() else {
        return Ok(());
    };
    let checkpointer = one_connection((*options).clone()).await?;
    drop(options);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if pool.strong_count() == 0 {
                let _ = checkpointer.close().await;
                return;
            }
            use sea_orm::ConnectionTrait;
            if let Err(e) = checkpointer
                .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                .await
            {
                tracing::warn!(error = %e, "SQLite checkpoint failed; the writer checkpoints past its limit");
            }
        }
    });
    Ok(())
}

/// The connection `db`'s write transactions run on: its writer if it has
/// one, else `db` itself.
fn writer_of(db: &DatabaseConnection) -> DatabaseConnection {
    let options = db.get_sqlite_connection_pool().connect_options();
    let writers = SQLITE_WRITER_OF.lock().unwrap_or_else(|e| e.into_inner());
    writers
        .iter()
        .find(|(pool, _)| std::ptr::eq(pool.as_ptr(), Arc::as_ptr(&options)))
        .map_or_else(|| db.clone(), |(_, writer)| writer.clone())
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
    let (sqlite_transaction_mode, gate, db) = match db.get_database_backend() {
        DbBackend::Sqlite => (
            Some(SqliteTransactionMode::Immediate),
            Some(SQLITE_WRITERS.clone().lock_owned().await),
            writer_of(db),
        ),
        _ => (None, None, db.clone()),
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

    /// Whether this connection made the temporary table `marker`: temporary
    /// tables belong to the connection that created them.
    async fn has_marker(txn: &impl ConnectionTrait) -> bool {
        let sql = "SELECT count(*) FROM temp.sqlite_master WHERE name = 'marker'";
        let row = txn
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap() == 1
    }

    /// Every write transaction on a SQLite file runs on one connection, so
    /// its page cache stays warm; reads keep the pool.
    #[tokio::test]
    async fn writes_share_one_connection_and_reads_the_pool() {
        use sea_orm::TransactionTrait;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = super::connect(&url, 4).await.unwrap();
        // Three connections open and idle, so the pool has others to hand out.
        let readers = [
            db.begin().await.unwrap(),
            db.begin().await.unwrap(),
            db.begin().await.unwrap(),
        ];
        for reader in readers {
            reader.commit().await.unwrap();
        }
        let (txn, gate) = super::begin_write(&db).await.unwrap();
        txn.execute_unprepared("CREATE TEMP TABLE marker (x)")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        drop(gate);
        for _ in 0..3 {
            let (txn, gate) = super::begin_write(&db).await.unwrap();
            assert!(has_marker(&txn).await, "a write ran on another connection");
            txn.commit().await.unwrap();
            drop(gate);
        }
        let read = db.begin().await.unwrap();
        assert!(!has_marker(&read).await, "a read ran on the writer");
        read.commit().await.unwrap();
    }

    /// The write-ahead log is copied back into the database file by the
    /// checkpointer, not by the commit that happens to pass a threshold:
    /// the writer's own threshold is far above what these writes reach.
    #[tokio::test]
    async fn the_log_is_checkpointed_apart_from_the_writes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.db");
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let db = super::connect(&url, 4).await.unwrap();
        let (txn, gate) = super::begin_write(&db).await.unwrap();
        let limit = txn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA wal_autocheckpoint",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(limit.try_get_by_index::<i64>(0).unwrap(), 10_000);
        txn.execute_unprepared(
            "CREATE TABLE filler (x); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
             INSERT INTO filler SELECT randomblob(1000) FROM n",
        )
        .await
        .unwrap();
        let before = std::fs::metadata(&file).unwrap().len();
        txn.commit().await.unwrap();
        drop(gate);
        // Polled, not timed: the checkpointer runs every 250 ms.
        for _ in 0..200 {
            if std::fs::metadata(&file).unwrap().len() > before + 100_000 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the database file did not grow: nothing checkpointed the log");
    }
}
