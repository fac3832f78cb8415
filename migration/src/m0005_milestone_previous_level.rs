//! A `LEVEL_UP` milestone keeps the level it raised the mentee from, so the
//! OSPO's level progression (mentees who advanced, by how much) is a sum in
//! the database, not a replay of history.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_milestone_previous_level"
    }
}

const UP: &str = r#"
ALTER TABLE milestone ADD COLUMN previous_level INTEGER CHECK (previous_level >= 1 AND previous_level <= 5)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, "ALTER TABLE milestone DROP COLUMN previous_level").await
    }
}
