//! The mentor scoring revision (see migration m0003).

use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Marks mentor scoring data as changed; call inside the writing transaction.
pub async fn bump(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("UPDATE scoring_revision SET revision = revision + 1 WHERE id = 1")
        .await?;
    Ok(())
}

/// (profile revision, load revision): one primary-key read.
pub async fn current(db: &impl ConnectionTrait) -> Result<(i64, i64), DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT revision, load_revision FROM scoring_revision WHERE id = 1".to_owned(),
        ))
        .await?;
    match row {
        Some(r) => Ok((r.try_get_by_index::<i64>(0)?, r.try_get_by_index::<i64>(1)?)),
        None => Ok((0, 0)),
    }
}
