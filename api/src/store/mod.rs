//! Database access: sea-orm entities and one function per query. Functions
//! take any connection or transaction, run one statement (or one batch of the
//! same statement) and return plain records, never sea-orm models. Service
//! functions own the transactions.

pub mod audit;
pub mod catalog;
pub mod entities;
pub mod export;
pub mod import;
pub mod matches;
pub mod notifications;
pub mod people;
pub mod policies;
pub mod privacy;
pub mod profiles;
pub mod programs;
pub mod reports;
pub mod requests;
pub mod revision;

use sea_orm::DbErr;

/// Rows per multi-row INSERT: SQLite allows 32,766 bound values per
/// statement and PostgreSQL 65,535, so wide batches are split.
pub(crate) const ROWS_PER_INSERT: usize = 1000;

/// Splits a stored comma list (`languages`) into its items.
pub(crate) fn split_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row that breaks a rule our writes always keep means corruption or a
/// manual edit: an internal error, never a panic.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("corrupt {what}: {detail}"))
}

/// Inserts `rows` in multi-row statements of at most [`ROWS_PER_INSERT`].
pub(crate) async fn insert_all<A>(
    db: &impl sea_orm::ConnectionTrait,
    rows: Vec<A>,
    on_conflict: Option<sea_orm::sea_query::OnConflict>,
) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        let mut insert = <A::Entity as sea_orm::EntityTrait>::insert_many(batch);
        if let Some(on_conflict) = &on_conflict {
            insert = insert.on_conflict(on_conflict.clone());
        }
        insert.exec_without_returning(db).await?;
    }
    Ok(())
}

/// Bound values per call for [`Inserts`]: SQLite's limit per statement
/// (kept for the whole string) and PostgreSQL's per statement.
fn values_per_call(backend: sea_orm::DbBackend) -> usize {
    match backend {
        sea_orm::DbBackend::Postgres => 65_535,
        _ => 32_766,
    }
}

/// Inserts into several tables that go to the database together, at the
/// end of a transaction (its audit rows, inbox and outbox), in as few calls
/// as the bound-value limits allow. Each call is a round trip: to the
/// connection's own thread on SQLite (sqlx), whose wake-ups cost a
/// lifecycle change more than the inserts themselves (BENCHMARKS.md, "In
/// paired bursts"), and to the server on PostgreSQL. On SQLite the
/// statements are joined in one string, which sqlx runs in turn with the
/// values bound in order; on PostgreSQL all but the last become
/// data-modifying `WITH` clauses of the last, one statement.
pub(crate) struct Inserts {
    backend: sea_orm::DbBackend,
    statements: Vec<(sea_orm::sea_query::InsertStatement, usize)>,
}

impl Inserts {
    pub fn new(backend: sea_orm::DbBackend) -> Self {
        Self {
            backend,
            statements: Vec::new(),
        }
    }

    /// Adds `rows` as multi-row statements of at most [`ROWS_PER_INSERT`].
    pub fn rows<A>(&mut self, rows: Vec<A>)
    where
        A: sea_orm::ActiveModelTrait,
    {
        use sea_orm::{Iterable, QueryTrait};
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<A> = rows.by_ref().take(ROWS_PER_INSERT).collect();
            // Every row sets the same columns (sea-orm requires it).
            let values = batch.len()
                * batch.first().map_or(0, |row| {
                    <A::Entity as sea_orm::EntityTrait>::Column::iter()
                        .filter(|c| !row.is_not_set(*c))
                        .count()
                });
            let insert = <A::Entity as sea_orm::EntityTrait>::insert_many(batch).into_query();
            self.statements.push((insert, values));
        }
    }

    pub async fn run(self, db: &impl sea_orm::ConnectionTrait) -> Result<(), DbErr> {
        for call in self.into_calls() {
            db.execute_raw(call).await?;
        }
        Ok(())
    }

    /// The statements, joined into as few calls as the limit allows.
    fn into_calls(self) -> Vec<sea_orm::Statement> {
        let Self {
            backend,
            statements,
        } = self;
        let limit = values_per_call(backend);
        let mut calls = Vec::new();
        let mut call: Vec<sea_orm::sea_query::InsertStatement> = Vec::new();
        let mut values = 0;
        for (statement, more) in statements {
            if !call.is_empty() && values + more > limit {
                calls.push(Self::join(backend, std::mem::take(&mut call)));
                values = 0;
            }
            call.push(statement);
            values += more;
        }
        if !call.is_empty() {
            calls.push(Self::join(backend, call));
        }
        calls
    }

    fn join(
        backend: sea_orm::DbBackend,
        statements: Vec<sea_orm::sea_query::InsertStatement>,
    ) -> sea_orm::Statement {
        use sea_orm::sea_query::{PostgresQueryBuilder, SqlWriterValues, SqliteQueryBuilder};
        use std::fmt::Write;
        let postgres = backend == sea_orm::DbBackend::Postgres;
        let mut sql = if postgres {
            SqlWriterValues::new("$", true)
        } else {
            SqlWriterValues::new("?", false)
        };
        let last = statements.len() - 1;
        for (i, statement) in statements.iter().enumerate() {
            if postgres {
                if i > 0 {
                    let _ = sql.write_str(")");
                }
                if i < last {
                    let _ = write!(
                        sql,
                        "{}_append{i} AS (",
                        if i == 0 { "WITH " } else { ", " }
                    );
                } else if i > 0 {
                    let _ = sql.write_str(" ");
                }
                statement.build_collect_into(PostgresQueryBuilder, &mut sql);
            } else {
                if i > 0 {
                    let _ = sql.write_str(";\n");
                }
                statement.build_collect_into(SqliteQueryBuilder, &mut sql);
            }
        }
        let (sql, values) = sql.into_parts();
        sea_orm::Statement::from_sql_and_values(backend, sql, values)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use domain::notification::Kind;
    use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, TransactionTrait};

    use super::Inserts;
    use super::audit::{Change, Subject, Trail};
    use super::entities::{audit_event, notification_delivery};
    use super::notifications::{Channel, Delivery, InboxItem, add_deliveries, add_inbox};

    async fn migrated() -> sea_orm::DatabaseConnection {
        let db = crate::db::connect("sqlite::memory:", 1).await.unwrap();
        migration::Migrator::up(&db).await.unwrap();
        db
    }

    fn trail(n: usize) -> Trail {
        let mut trail = Trail::default();
        let ids: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
        for id in &ids {
            trail.push(Change {
                actor_id: None,
                subject: Subject::Request,
                subject_id: id,
                from: None,
                to: "open",
                reason: None,
                at: Utc::now(),
            });
        }
        trail
    }

    fn webhook(id: &str) -> Delivery {
        Delivery {
            id: id.to_owned(),
            channel: Channel::Webhook,
            target: "http://127.0.0.1:9/hook".into(),
            person_id: None,
            kind: Kind::MatchAccepted,
            match_id: None,
            request_id: None,
            payload: "{}".into(),
            attempts: 0,
            created_at: Utc::now(),
            due_at: None,
        }
    }

    fn inbox(id: &str) -> InboxItem {
        InboxItem {
            id: id.to_owned(),
            person_id: "p1".into(),
            kind: Kind::MatchAccepted,
            match_id: None,
            request_id: None,
            payload: "{}".into(),
            created_at: Utc::now(),
            read_at: None,
        }
    }

    async fn counts(db: &impl ConnectionTrait) -> (u64, u64) {
        (
            audit_event::Entity::find().count(db).await.unwrap(),
            notification_delivery::Entity::find()
                .count(db)
                .await
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn rows_for_several_tables_land_together() {
        let db = migrated().await;
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        trail(2).add_to(&mut inserts);
        add_deliveries(&mut inserts, &[webhook("d1"), webhook("d2"), webhook("d3")]);
        inserts.run(&db).await.unwrap();
        assert_eq!(counts(&db).await, (2, 3));
    }

    /// 5,000 audit rows bind 35,000 values, past SQLite's limit for one
    /// call: the statements are split over calls, and every row lands.
    #[tokio::test]
    async fn a_large_batch_is_split_over_calls() {
        let db = migrated().await;
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        trail(5_000).add_to(&mut inserts);
        add_deliveries(&mut inserts, &[webhook("d1")]);
        inserts.run(&db).await.unwrap();
        assert_eq!(counts(&db).await, (5_000, 1));
    }

    /// PostgreSQL takes one statement: the first inserts become `WITH`
    /// clauses of the last, and the placeholders run on across them.
    #[test]
    fn postgres_gets_one_statement_numbered_throughout() {
        let mut inserts = Inserts::new(DbBackend::Postgres);
        trail(2).add_to(&mut inserts);
        add_inbox(&mut inserts, &[inbox("n1")]);
        add_deliveries(&mut inserts, &[webhook("d1")]);
        let Inserts {
            backend,
            statements,
        } = inserts;
        let counted: usize = statements.iter().map(|(_, n)| n).sum();
        let joined = Inserts::join(backend, statements.into_iter().map(|(s, _)| s).collect());
        let values = joined.values.map(|v| v.0.len()).unwrap_or_default();
        assert!(
            joined
                .sql
                .starts_with(r#"WITH _append0 AS (INSERT INTO "audit_event""#)
        );
        assert!(
            joined
                .sql
                .contains(r#"), _append1 AS (INSERT INTO "notification" "#)
        );
        assert!(
            joined
                .sql
                .contains(r#")) INSERT INTO "notification_delivery""#)
        );
        assert!(!joined.sql.contains(';'));
        assert_eq!((values, counted), (2 * 7 + 8 + 16, 2 * 7 + 8 + 16));
        assert!(
            joined.sql.contains(&format!("${values})"))
                && !joined.sql.contains(&format!("${}", values + 1))
        );
    }

    /// 10,000 audit rows bind 70,000 values, past PostgreSQL's 65,535 for
    /// one statement: two calls, each within it, every value bound once.
    #[test]
    fn a_batch_past_the_limit_is_split_over_calls() {
        let mut inserts = Inserts::new(DbBackend::Postgres);
        trail(10_000).add_to(&mut inserts);
        let calls = inserts.into_calls();
        let values: Vec<usize> = calls
            .iter()
            .map(|c| c.values.as_ref().map(|v| v.0.len()).unwrap_or_default())
            .collect();
        assert_eq!(values.len(), 2);
        assert!(values.iter().all(|&n| n <= 65_535));
        assert_eq!(values.iter().sum::<usize>(), 70_000);
    }

    /// A failing statement after the first fails the call: it is not
    /// skipped, and the transaction it ran in keeps nothing.
    #[tokio::test]
    async fn a_later_statement_failing_fails_the_call() {
        let db = migrated().await;
        let txn = db.begin().await.unwrap();
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        trail(1).add_to(&mut inserts);
        // An email to a person who does not exist breaks the foreign key.
        let orphan = Delivery {
            person_id: Some("nobody".into()),
            ..webhook("d2")
        };
        add_deliveries(&mut inserts, &[webhook("d1"), orphan]);
        assert!(inserts.run(&txn).await.is_err());
        txn.rollback().await.unwrap();
        assert_eq!(counts(&db).await, (0, 0));
    }
}
