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

/// Bound values per call when [`Inserts`] joins statements on SQLite: its
/// limit per statement, kept for the whole call too.
const SQLITE_VALUES_PER_CALL: usize = 32_766;

/// Inserts into several tables that go to the database together, at the
/// end of a transaction (its audit rows, inbox and outbox). Each call is a
/// round trip to the connection's own thread on SQLite (sqlx), and those
/// wake-ups cost a lifecycle change more than the inserts themselves
/// (BENCHMARKS.md, "In paired bursts"), so on SQLite the statements are
/// joined in one string, which sqlx runs in turn with the values bound in
/// order. PostgreSQL takes one statement per call.
pub(crate) struct Inserts {
    backend: sea_orm::DbBackend,
    statements: Vec<sea_orm::Statement>,
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
        use sea_orm::QueryTrait;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<A> = rows.by_ref().take(ROWS_PER_INSERT).collect();
            self.statements
                .push(<A::Entity as sea_orm::EntityTrait>::insert_many(batch).build(self.backend));
        }
    }

    pub async fn run(self, db: &impl sea_orm::ConnectionTrait) -> Result<(), DbErr> {
        if self.backend != sea_orm::DbBackend::Sqlite {
            for statement in self.statements {
                db.execute_raw(statement).await?;
            }
            return Ok(());
        }
        let mut sql = String::new();
        let mut values = Vec::new();
        for statement in self.statements {
            let more = statement.values.map(|v| v.0).unwrap_or_default();
            if !sql.is_empty() && values.len() + more.len() > SQLITE_VALUES_PER_CALL {
                let call = sea_orm::Statement::from_sql_and_values(
                    self.backend,
                    std::mem::take(&mut sql),
                    std::mem::take(&mut values),
                );
                db.execute_raw(call).await?;
            }
            if !sql.is_empty() {
                sql.push_str(";\n");
            }
            sql.push_str(&statement.sql);
            values.extend(more);
        }
        if !sql.is_empty() {
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                self.backend,
                sql,
                values,
            ))
            .await?;
        }
        Ok(())
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
    use super::notifications::{Channel, Delivery, add_deliveries};

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

    /// A failing statement after the first fails the call: it is not
    /// skipped, and the transaction it ran in keeps nothing.
    #[tokio::test]
    async fn a_later_statement_failing_fails_the_call() {
        let db = migrated().await;
        let txn = db.begin().await.unwrap();
        let mut inserts = Inserts::new(DbBackend::Sqlite);
        trail(1).add_to(&mut inserts);
        add_deliveries(&mut inserts, &[webhook("same"), webhook("same")]);
        assert!(inserts.run(&txn).await.is_err());
        txn.rollback().await.unwrap();
        assert_eq!(counts(&db).await, (0, 0));
    }
}
