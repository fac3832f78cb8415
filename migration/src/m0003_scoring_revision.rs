//! A revision number for what mentor scoring reads. Every write that changes
//! a mentor's scoring features (profile, level, time zone, languages, manager,
//! live count) bumps it in the same transaction, so each instance can tell
//! with one primary-key read whether its compiled mentor pool is stale.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_scoring_revision"
    }
}

const UP: &str = r#"
CREATE TABLE scoring_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO scoring_revision (id, revision) VALUES (1, 0)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, "DROP TABLE scoring_revision").await
    }
}
