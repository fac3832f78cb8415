//! Tandem's database migrations, run on start by `tandem serve` and by
//! `tandem migrate`. The history only grows: a released migration is never
//! edited, a change is a new migration.
//!
//! Migrations are plain SQL with two placeholders so the same text serves
//! SQLite and PostgreSQL: `{ID}` (an auto-increment primary key) and `{TS}`
//! (a UTC timestamp). Constraints that guard invariants (ranges, uniqueness)
//! live here, so they hold whatever code writes to the database.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};

mod m0001_people_and_catalogs;
mod m0002_policies_programs_matches;
mod m0003_scoring_revision;
mod m0004_lifecycle;
mod m0005_milestone_previous_level;
mod m0006_metrics_indexes;
mod m0007_match_requested_at;
mod m0008_notifications;
mod m0009_people_leave;
mod m0010_metrics_tally;
mod m0011_access_notify;
mod m0012_notification_btrees;
mod m0013_outbox_queue_order;
mod m0014_inbox_without_unread_index;
mod m0015_outbox_in_write_order;
mod m0016_constant_lists_compared;

pub use m0011_access_notify::CHANNEL as ACCESS_CHANNEL;

/// One step of the schema's history: its name (recorded once applied) and
/// its SQL, up and down.
#[derive(Debug)]
pub struct Migration {
    pub name: &'static str,
    pub up: &'static str,
    pub down: &'static str,
    /// Statements that differ between the backends (triggers, functions),
    /// run after `up`, each whole: their bodies hold `;`.
    pub extra: fn(DbBackend) -> Vec<String>,
}

/// For a migration whose SQL is the same on both backends.
pub fn no_extra(_: DbBackend) -> Vec<String> {
    Vec::new()
}

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    m0001_people_and_catalogs::MIGRATION,
    m0002_policies_programs_matches::MIGRATION,
    m0003_scoring_revision::MIGRATION,
    m0004_lifecycle::MIGRATION,
    m0005_milestone_previous_level::MIGRATION,
    m0006_metrics_indexes::MIGRATION,
    m0007_match_requested_at::MIGRATION,
    m0008_notifications::MIGRATION,
    m0009_people_leave::MIGRATION,
    m0010_metrics_tally::MIGRATION,
    m0011_access_notify::MIGRATION,
    m0012_notification_btrees::MIGRATION,
    m0013_outbox_queue_order::MIGRATION,
    m0014_inbox_without_unread_index::MIGRATION,
    m0015_outbox_in_write_order::MIGRATION,
    m0016_constant_lists_compared::MIGRATION,
];

/// The table that records applied migrations. Its name and shape are those
/// sea-orm-migration used, so databases it migrated carry on unchanged.
const HISTORY: &str = "seaql_migrations";

/// Applies and reports migrations. Our own runner instead of
/// sea-orm-migration, whose dependency on sea-orm with its default features
/// (and on sea-schema) made every build compile decimal, UUID, time and
/// schema-discovery code this service never uses.
pub struct Migrator;

impl Migrator {
    /// Applies every pending migration, each in its own transaction with
    /// its history row, so a failed one leaves nothing half done (SQLite
    /// and PostgreSQL both roll back DDL).
    pub async fn up(db: &DatabaseConnection) -> Result<(), DbErr> {
        apply(db, MIGRATIONS).await
    }

    /// The migrations not yet applied, oldest first. A database that holds
    /// a migration this build does not know was migrated by a newer Tandem
    /// and is refused rather than used with a schema the code does not expect.
    pub async fn pending(db: &impl ConnectionTrait) -> Result<Vec<&'static Migration>, DbErr> {
        pending_of(db, MIGRATIONS).await
    }
}

async fn apply(db: &DatabaseConnection, migrations: &'static [Migration]) -> Result<(), DbErr> {
    for migration in pending_of(db, migrations).await? {
        let tx = db.begin().await?;
        run_sql(&tx, migration.up).await?;
        let backend = tx.get_database_backend();
        for statement in (migration.extra)(backend) {
            tx.execute_unprepared(&statement).await?;
        }
        let insert = match backend {
            DbBackend::Postgres => {
                "INSERT INTO seaql_migrations (version, applied_at) VALUES ($1, $2)"
            }
            _ => "INSERT INTO seaql_migrations (version, applied_at) VALUES (?, ?)",
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            insert,
            [migration.name.into(), now.into()],
        ))
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

async fn pending_of(
    db: &impl ConnectionTrait,
    migrations: &'static [Migration],
) -> Result<Vec<&'static Migration>, DbErr> {
    db.execute_unprepared(&format!(
            "CREATE TABLE IF NOT EXISTS {HISTORY} (version VARCHAR NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)"
        ))
        .await?;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT version FROM {HISTORY}"),
        ))
        .await?;
    let applied = rows
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    check_known(&applied, migrations)?;
    Ok(migrations
        .iter()
        .filter(|m| !applied.iter().any(|a| a == m.name))
        .collect())
}

/// Refuses a history that names a migration this build does not have.
fn check_known(applied: &[String], migrations: &[Migration]) -> Result<(), DbErr> {
    match applied
        .iter()
        .find(|a| !migrations.iter().any(|m| m.name == a.as_str()))
    {
        Some(unknown) => Err(DbErr::Custom(format!(
            "the database has migration {unknown}, which this build of tandem does not have: it was migrated by a newer version"
        ))),
        None => Ok(()),
    }
}

/// Runs each `;`-separated statement of `sql` after filling the placeholders
/// for the connected backend.
async fn run_sql(conn: &impl ConnectionTrait, sql: &str) -> Result<(), DbErr> {
    let (id, ts) = match conn.get_database_backend() {
        DbBackend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "TIMESTAMPTZ",
        ),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
    };
    let filled = sql.replace("{ID}", id).replace("{TS}", ts);
    for statement in filled.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        conn.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_order() {
        let names: Vec<_> = MIGRATIONS.iter().map(|m| m.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    async fn memory() -> DatabaseConnection {
        sea_orm::Database::connect("sqlite::memory:").await.unwrap()
    }

    async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
        first(db, sql).await
    }

    async fn text(db: &DatabaseConnection, sql: &str) -> String {
        first(db, sql).await
    }

    async fn first<T: sea_orm::TryGetable>(db: &DatabaseConnection, sql: &str) -> T {
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    }

    #[tokio::test]
    async fn applies_each_migration_once() {
        let db = memory().await;
        assert_eq!(
            Migrator::pending(&db).await.unwrap().len(),
            MIGRATIONS.len()
        );
        Migrator::up(&db).await.unwrap();
        assert!(Migrator::pending(&db).await.unwrap().is_empty());
        Migrator::up(&db).await.unwrap();
        let applied = count(&db, "SELECT count(*) FROM seaql_migrations").await;
        assert_eq!(applied as usize, MIGRATIONS.len());
        assert_eq!(count(&db, "SELECT count(*) FROM scoring_revision").await, 1);
    }

    /// The rows queued before the migration named `name`, for its test.
    async fn outbox_before(name: &str) -> sea_orm::DatabaseConnection {
        let db = memory().await;
        let before = MIGRATIONS.iter().position(|m| m.name == name).unwrap();
        apply(&db, &MIGRATIONS[..before]).await.unwrap();
        for (id, state) in [("d1", "pending"), ("d2", "sent"), ("d3", "dead")] {
            db.execute_unprepared(&format!(
                "INSERT INTO notification_delivery (id, channel, target, kind, payload, state, attempts, due_at, created_at) \
                 VALUES ('{id}', 'webhook', 'http://127.0.0.1:9/hook', 'match.accepted', '{{}}', '{state}', 1, \
                 '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
            ))
            .await
            .unwrap();
        }
        db
    }

    const KEPT: &str = "SELECT count(*) FROM notification_delivery WHERE (id, state) IN \
                        (VALUES ('d1', 'pending'), ('d2', 'sent'), ('d3', 'dead'))";
    const INDEXES: &str = "SELECT count(*) FROM sqlite_master \
                           WHERE type = 'index' AND tbl_name = 'notification_delivery'";
    const KEYED: &str = "SELECT group_concat(name) FROM (SELECT name \
                         FROM pragma_table_info('notification_delivery') WHERE pk > 0 ORDER BY pk)";

    /// m0013 rebuilds SQLite's outbox keyed by `(state, due_at, id)`: the
    /// rows queued before it are all there after it, and nothing else
    /// indexes the table.
    #[tokio::test]
    async fn the_outbox_keeps_its_rows_when_rekeyed() {
        let db = outbox_before("m0013_outbox_queue_order").await;
        let through = MIGRATIONS
            .iter()
            .position(|m| m.name == "m0013_outbox_queue_order")
            .unwrap();
        apply(&db, &MIGRATIONS[..=through]).await.unwrap();
        assert_eq!(count(&db, KEPT).await, 3);
        assert_eq!(count(&db, INDEXES).await, 0);
        assert_eq!(text(&db, KEYED).await, "state,due_at,id");
    }

    /// m0015 rebuilds it again as a rowid table in the order the rows were
    /// written: every row kept, numbered by `seq` in that order, and only
    /// the dead rows indexed.
    #[tokio::test]
    async fn the_outbox_keeps_its_rows_in_write_order() {
        let db = outbox_before("m0015_outbox_in_write_order").await;
        Migrator::up(&db).await.unwrap();
        assert_eq!(count(&db, KEPT).await, 3);
        assert_eq!(count(&db, INDEXES).await, 1);
        assert_eq!(text(&db, KEYED).await, "seq");
        let order =
            "SELECT group_concat(id) FROM (SELECT id FROM notification_delivery ORDER BY seq)";
        assert_eq!(text(&db, order).await, "d1,d2,d3");
    }

    /// The constant lists of three or more values in `sql` (`x IN ('a',
    /// 'b', 'c')`), which SQLite evaluates through a temporary B-tree.
    fn long_lists(sql: &str) -> Vec<String> {
        sql.match_indices(" IN (")
            .filter_map(|(at, _)| {
                let list = &sql[at + 5..];
                let list = &list[..list.find(')')?];
                let literals = list.split(',').all(|v| v.trim().starts_with('\''));
                (literals && list.split(',').count() > 2).then(|| list.to_owned())
            })
            .collect()
    }

    /// m0016: nothing in SQLite's schema makes a write build a temporary
    /// B-tree for a constant list, and the rewritten checks still refuse
    /// what they refused.
    #[tokio::test]
    async fn writes_build_no_temporary_btree_for_a_constant_list() {
        let db = outbox_before("m0016_constant_lists_compared").await;
        Migrator::up(&db).await.unwrap();
        // The rows written before pass the rewritten checks.
        assert_eq!(count(&db, KEPT).await, 3);
        assert_eq!(text(&db, "PRAGMA integrity_check").await, "ok");
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL",
            ))
            .await
            .unwrap();
        for row in rows {
            let (name, sql): (String, String) = (
                row.try_get_by_index(0).unwrap(),
                row.try_get_by_index(1).unwrap(),
            );
            assert_eq!(long_lists(&sql), Vec::<String>::new(), "{name}");
        }
        for write in [
            "UPDATE mentorship_match SET state = 'active', answered_at = '2026-01-01' WHERE id = 'm'",
            "UPDATE mentorship_request SET state = 'matched' WHERE id = 'r'",
            "INSERT INTO notification_delivery (id, channel, target, kind, payload, state, due_at, created_at) \
             VALUES ('d', 'email', 'p', 'match.accepted', '{}', 'pending', 't', 't')",
            "UPDATE program SET status = 'open' WHERE id = 'p'",
            "UPDATE milestone SET kind = 'talk-given' WHERE id = 'x'",
        ] {
            let plan = db
                .query_all_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    format!("EXPLAIN {write}"),
                ))
                .await
                .unwrap();
            let temporary = plan
                .iter()
                .filter(|op| op.try_get_by_index::<String>(1).unwrap() == "OpenEphemeral")
                .count();
            assert_eq!(temporary, 0, "{write}");
        }
        let refused = db
            .execute_unprepared(
                "INSERT INTO notification_delivery (id, channel, target, kind, payload, state, due_at, created_at) \
                 VALUES ('d', 'email', 'p', 'match.accepted', '{}', 'lost', 't', 't')",
            )
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("CHECK"), "{refused}");
    }

    #[tokio::test]
    async fn a_database_from_a_newer_build_is_refused() {
        let db = memory().await;
        Migrator::up(&db).await.unwrap();
        db.execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m9999_future', 0)",
        )
        .await
        .unwrap();
        let err = Migrator::pending(&db).await.unwrap_err().to_string();
        assert!(err.contains("m9999_future"), "{err}");
        assert!(Migrator::up(&db).await.is_err());
    }

    #[tokio::test]
    async fn a_failing_migration_leaves_nothing_behind() {
        static BROKEN: &[Migration] = &[
            Migration {
                name: "m0001_fine",
                up: "CREATE TABLE fine (id {ID})",
                down: "DROP TABLE fine",
                extra: crate::no_extra,
            },
            Migration {
                name: "m0002_broken",
                up: "CREATE TABLE half (id {ID}); CREATE TABLE half (id {ID})",
                down: "DROP TABLE half",
                extra: crate::no_extra,
            },
        ];
        let db = memory().await;
        assert!(apply(&db, BROKEN).await.is_err());
        let history = "SELECT count(*) FROM seaql_migrations";
        assert_eq!(count(&db, history).await, 1);
        let tables = "SELECT count(*) FROM sqlite_master WHERE name IN ('fine', 'half')";
        assert_eq!(
            count(&db, tables).await,
            1,
            "only the first migration's table"
        );
        assert_eq!(pending_of(&db, BROKEN).await.unwrap().len(), 1);
    }
}
