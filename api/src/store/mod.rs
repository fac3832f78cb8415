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
