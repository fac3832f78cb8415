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

/// Values per `IN` list in the store's batched reads: far below SQLite's
/// 32,766 and PostgreSQL's 65,535 bound parameters.
pub(crate) const IN_LIST: usize = 1000;

/// Bound values per call for [`Inserts`]: SQLite's limit per statement
/// (kept for the whole string) and PostgreSQL's per statement.
fn values_per_call(backend: sea_orm::DbBackend) -> usize {
    match backend {
        sea_orm::DbBackend::Postgres => 65_535,
        _ => 32_766,
    }
}

/// A table that [`Inserts`] appends to: its name and the columns every row
/// sets, in the order of a row's values (the others take their defaults).
pub(crate) struct Append {
    pub table: &'static str,
    pub columns: &'static [&'static str],
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
///
/// Rows arrive as values, not sea-orm models, and the SQL is written here:
/// every lifecycle change goes through this, and building the statements
/// through sea-orm's models and sea-query was about a third of the
/// instructions an `acceptProposal`'s notification rows added
/// (BENCHMARKS.md, "In paired bursts", thirteenth session).
pub(crate) struct Inserts {
    backend: sea_orm::DbBackend,
    /// Multi-row statements: the table, and its rows' values in order.
    statements: Vec<(&'static Append, Vec<sea_orm::Value>)>,
}

impl Inserts {
    pub fn new(backend: sea_orm::DbBackend) -> Self {
        Self {
            backend,
            statements: Vec::new(),
        }
    }

    /// Appends one row to `into`; rows for the same table in a row share a
    /// statement of at most [`ROWS_PER_INSERT`].
    pub fn row<const N: usize>(&mut self, into: &'static Append, values: [sea_orm::Value; N]) {
        debug_assert_eq!(
            N,
            into.columns.len(),
            "a value for each of {}'s columns",
            into.table
        );
        match self.statements.last_mut() {
            Some((table, batch))
                if std::ptr::eq(*table, into) && batch.len() < ROWS_PER_INSERT * N =>
            {
                batch.extend(values);
            }
            _ => self.statements.push((into, Vec::from(values))),
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
        let mut call = Vec::new();
        let mut values = 0;
        for statement in statements {
            let more = statement.1.len();
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

    /// Every lifecycle change runs this, so the SQL is pushed piece by
    /// piece: `write!` through `core::fmt` cost an accept about 10,000
    /// instructions. Only numbers (PostgreSQL's `$n` and `_appendN`) are
    /// formatted.
    fn join(
        backend: sea_orm::DbBackend,
        statements: Vec<(&'static Append, Vec<sea_orm::Value>)>,
    ) -> sea_orm::Statement {
        use std::fmt::Write;
        let postgres = backend == sea_orm::DbBackend::Postgres;
        let mut sql = String::with_capacity(256 * statements.len());
        let mut bound = Vec::with_capacity(statements.iter().map(|(_, v)| v.len()).sum());
        let last = statements.len() - 1;
        for (i, (into, values)) in statements.into_iter().enumerate() {
            if postgres {
                if i > 0 {
                    sql.push(')');
                }
                if i < last {
                    sql.push_str(if i == 0 { "WITH " } else { ", " });
                    let _ = write!(sql, "_append{i} AS (");
                } else if i > 0 {
                    sql.push(' ');
                }
            } else if i > 0 {
                sql.push_str(";\n");
            }
            sql.push_str("INSERT INTO \"");
            sql.push_str(into.table);
            sql.push_str("\" (");
            for (c, column) in into.columns.iter().enumerate() {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('"');
                sql.push_str(column);
                sql.push('"');
            }
            sql.push_str(") VALUES ");
            for (v, _) in values.iter().enumerate() {
                let column = v % into.columns.len();
                sql.push_str(match (v, column) {
                    (0, _) => "(",
                    (_, 0) => "), (",
                    _ => ", ",
                });
                if postgres {
                    let _ = write!(sql, "${}", bound.len() + v + 1);
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
            bound.extend(values);
        }
        sea_orm::Statement::from_sql_and_values(backend, sql, bound)
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
    use super::notifications::{Delivery, InboxItem, add_deliveries, add_inbox};

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
        Delivery::webhook_for_tests(id)
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

    /// The statements are written by hand: what they store reads back
    /// through the entities as it was given, defaults included.
    #[tokio::test]
    async fn appended_rows_read_back_as_given() {
        let db = migrated().await;
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        let mut changes = trail(1);
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T15:28:41.576784822Z")
            .unwrap()
            .to_utc();
        changes.push(Change {
            actor_id: None,
            subject: Subject::Match,
            subject_id: "m1",
            from: Some("proposed"),
            to: "accepted",
            reason: Some("why"),
            at,
        });
        changes.add_to(&mut inserts);
        let hook = Delivery {
            match_id: Some("m1".into()),
            created_at: at,
            ..webhook("d1")
        };
        add_deliveries(&mut inserts, vec![hook]);
        inserts.run(&db).await.unwrap();
        let audit = audit_event::Entity::find().all(&db).await.unwrap();
        let last = audit.last().unwrap();
        assert_eq!(audit.len(), 2);
        assert_eq!(
            (
                last.actor_id.as_deref(),
                last.subject_kind.as_str(),
                last.subject_id.as_str(),
                last.from_state.as_deref(),
                last.to_state.as_str(),
                last.reason.as_deref(),
                last.at,
            ),
            (
                None,
                "match",
                "m1",
                Some("proposed"),
                "accepted",
                Some("why"),
                at
            )
        );
        let row = notification_delivery::Entity::find()
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                row.id.as_str(),
                row.channel.as_str(),
                row.target.as_str(),
                row.person_id,
                row.kind.as_str(),
                row.match_id.as_deref(),
                row.request_id,
                row.payload.as_str(),
            ),
            (
                "d1",
                "webhook",
                "http://127.0.0.1:9/hook",
                None,
                "match.accepted",
                Some("m1"),
                None,
                "{}",
            )
        );
        assert_eq!(
            (
                row.state.as_str(),
                row.attempts,
                row.due_at,
                row.created_at,
                row.lease_until,
            ),
            ("pending", 0, at, at, None)
        );
    }

    #[tokio::test]
    async fn rows_for_several_tables_land_together() {
        let db = migrated().await;
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        trail(2).add_to(&mut inserts);
        add_deliveries(
            &mut inserts,
            vec![webhook("d1"), webhook("d2"), webhook("d3")],
        );
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
        add_deliveries(&mut inserts, vec![webhook("d1")]);
        inserts.run(&db).await.unwrap();
        assert_eq!(counts(&db).await, (5_000, 1));
    }

    /// PostgreSQL takes one statement: the first inserts become `WITH`
    /// clauses of the last, and the placeholders run on across them.
    #[test]
    fn postgres_gets_one_statement_numbered_throughout() {
        let mut inserts = Inserts::new(DbBackend::Postgres);
        trail(2).add_to(&mut inserts);
        add_inbox(&mut inserts, vec![inbox("n1")]);
        add_deliveries(&mut inserts, vec![webhook("d1")]);
        let Inserts {
            backend,
            statements,
        } = inserts;
        let counted: usize = statements.iter().map(|(_, v)| v.len()).sum();
        let joined = Inserts::join(backend, statements);
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
        assert_eq!((values, counted), (2 * 7 + 7 + 11, 2 * 7 + 7 + 11));
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
        add_deliveries(&mut inserts, vec![webhook("d1"), orphan]);
        assert!(inserts.run(&txn).await.is_err());
        txn.rollback().await.unwrap();
        assert_eq!(counts(&db).await, (0, 0));
    }
}
