//! `importPeople`: the HR import through GraphQL (OSPO only). Files over the
//! body limit go through `POST /import/people`, which returns the same report.

use async_graphql::{Context, Object, SimpleObject};

use super::{state, viewer};
use crate::service::OspoTask;
use crate::service::import::{self as svc, Silent};

/// What an import did, or would do on a dry run. When `errors` is not
/// empty nothing was written, and the counts say what the good rows would
/// have done.
#[derive(SimpleObject)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data records in the file (the header and blank rows aside).
    pub rows: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    /// People the file marked `active=false` who were active: deactivated
    /// as by `deactivatePerson` (also counted as created or updated).
    pub deactivated: i32,
    pub errors: Vec<ImportRowError>,
}

/// A refused row: the line on which its record starts (the header is line
/// 1), the column to blame when one is, and why.
#[derive(SimpleObject)]
pub struct ImportRowError {
    pub line: i32,
    pub column: Option<String>,
    pub reason: String,
}

fn int(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

impl From<svc::ImportReport> for ImportReport {
    fn from(r: svc::ImportReport) -> Self {
        Self {
            dry_run: r.dry_run,
            rows: int(r.rows),
            created: int(r.created),
            updated: int(r.updated),
            unchanged: int(r.unchanged),
            deactivated: int(r.deactivated),
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportRowError {
                    line: int(e.line),
                    column: e.column,
                    reason: e.reason,
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports people and their profiles from the HR system's CSV export
    /// (columns in README, "Importing people"): idempotent by email, all or
    /// nothing. An unknown column is BAD_USER_INPUT; bad rows are listed in
    /// `errors` with their line. OSPO only.
    async fn import_people(
        &self,
        ctx: &Context<'_>,
        csv: String,
        dry_run: Option<bool>,
    ) -> async_graphql::Result<ImportReport> {
        let admin = viewer(ctx)?.as_ospo()?;
        let report = svc::import_people(
            state(ctx),
            OspoTask::Admin(admin),
            csv.as_bytes(),
            dry_run.unwrap_or(false),
            &Silent,
        )
        .await?;
        Ok(report.into())
    }
}
