//! The HR people import (design.md, "Operations"): a CSV export of the HR
//! system → people, reporting lines and profiles, idempotent by email, all
//! or nothing. `tandem import`, `POST /import/people` and `importPeople` all
//! call [`import_people`].
//!
//! - [`parse`]: the file → checked rows, each bad cell reported with its line.
//! - [`cells`]: one cell → domain values (`rust:5;licensing:4`).
//! - [`plan`]: rows + what the database holds → what to write (pure).
//!
//! This module loads what the plan needs in a few batched queries, and
//! writes it in one transaction with multi-row statements.

mod cells;
mod parse;
mod plan;

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use domain::values::Slug;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde::Serialize;

use self::parse::Row;
use self::plan::{Known, Plan};
use super::OspoTask;
use super::proposals::Work;
use crate::app::AppState;
use crate::error::ApiResult;
use crate::store::catalog::{Kind, ids_by_slug};
use crate::store::{self, profiles, revision};

/// What an import did, or would do. With `errors`, nothing was written and
/// the counts say what the good rows would have done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data records in the file (blank rows aside).
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// People marked `active=false` who were active: deactivated, with the
    /// cascade of `deactivatePerson` (also counted as created or updated).
    pub deactivated: usize,
    /// Every refused cell or row, by line.
    pub errors: Vec<ImportRowError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRowError {
    /// The line on which the record starts (the header is line 1).
    pub line: u64,
    /// The column to blame, when one is.
    pub column: Option<String>,
    pub reason: String,
}

/// Where an import reports how far it got (the CLI draws it on a terminal).
pub trait Progress: Sync {
    /// `done` of `total` through `stage` ("checked", "people written"…).
    fn update(&self, stage: &str, done: usize, total: usize);
}

/// Reports nothing: the API's imports.
pub struct Silent;

impl Progress for Silent {
    fn update(&self, _: &str, _: usize, _: usize) {}
}

/// People per write batch between progress updates.
const PROGRESS_BATCH: usize = 2000;

/// Imports people from `csv`. A file that cannot be imported at all (no
/// header, an unknown column) is `BAD_USER_INPUT`; bad rows are reported in
/// [`ImportReport::errors`], and then nothing is written. A dry run checks
/// everything against the database and writes nothing.
pub async fn import_people(
    state: &AppState,
    by: OspoTask<'_>,
    csv: &[u8],
    dry_run: bool,
    progress: &dyn Progress,
) -> ApiResult<ImportReport> {
    let parse::Parsed {
        rows,
        errors,
        records,
        refused,
    } = parse::read(csv)?;
    progress.update("read", records, records);
    let report = |plan: &Plan| ImportReport {
        dry_run,
        rows: records,
        created: plan.created,
        updated: plan.updated,
        unchanged: plan.unchanged,
        deactivated: plan.deactivate.len(),
        errors: plan
            .errors
            .iter()
            .map(|e| ImportRowError {
                line: e.line,
                column: e.column.map(|c| c.name().to_owned()),
                reason: e.reason.clone(),
            })
            .collect(),
    };
    if dry_run {
        // A read transaction: one snapshot, no write lock.
        let txn = state.db.begin().await?;
        let known = load(&txn, &rows).await?;
        txn.commit().await?;
        let plan = plan::plan(&rows, &refused, &known, errors);
        progress.update("checked", records, records);
        return Ok(report(&plan));
    }
    // A unit of work that may propose: people the file deactivates have
    // their proposals cascade in this same transaction.
    let mut work = Work::begin_proposing(state, by.actor(), Utc::now()).await?;
    store::import::lock_out_other_imports(&work.txn).await?;
    let known = load(&work.txn, &rows).await?;
    let plan = plan::plan(&rows, &refused, &known, errors);
    progress.update("checked", records, records);
    if !plan.errors.is_empty() {
        // Dropping the transaction rolls it back: nothing half-imported.
        return Ok(report(&plan));
    }
    let wrote = write(&work.txn, &plan, progress).await?;
    if wrote {
        // Pools carry levels, time zones, languages and whole mentor profiles.
        revision::bump(&work.txn).await?;
    }
    for id in &plan.deactivate {
        let person = store::people::find(&work.txn, id)
            .await?
            .ok_or(crate::error::ApiError::NotFound("person"))?;
        super::leavers::depart(&mut work, &person, "the HR import marked them inactive").await?;
    }
    progress.update("deactivated", plan.deactivate.len(), plan.deactivate.len());
    // Also offers the seats deactivations freed; seats the import opened
    // are offered below, in transactions of their own.
    work.commit().await?;
    tracing::info!(
        by = by.actor().unwrap_or("command line"),
        rows = records,
        created = plan.created,
        updated = plan.updated,
        unchanged = plan.unchanged,
        deactivated = plan.deactivate.len(),
        "people imported"
    );
    if !plan.opened_seats.is_empty() {
        let opened = plan.opened_seats.clone();
        if let Err(e) = super::proposals::offer_seats(state, Utc::now(), Some(opened)).await {
            tracing::warn!(error = %e, "offering imported seats to waiting requests failed; the sweeper retries");
        }
    }
    Ok(report(&plan))
}

/// Writes the plan; whether anything was written.
async fn write(
    txn: &impl ConnectionTrait,
    plan: &Plan,
    progress: &dyn Progress,
) -> ApiResult<bool> {
    // People first, managers before their reports; then the profiles that
    // point at them.
    let steps: [(&str, usize); 3] = [
        ("people written", plan.people.len()),
        ("mentor profiles written", plan.mentors.len()),
        ("mentee profiles written", plan.mentees.len()),
    ];
    for (i, chunk) in plan.people.chunks(PROGRESS_BATCH).enumerate() {
        store::import::upsert_people(txn, chunk).await?;
        progress.update(
            steps[0].0,
            (i * PROGRESS_BATCH + chunk.len()).min(steps[0].1),
            steps[0].1,
        );
    }
    for (i, chunk) in plan.mentors.chunks(PROGRESS_BATCH).enumerate() {
        store::import::upsert_mentors(txn, chunk).await?;
        progress.update(
            steps[1].0,
            (i * PROGRESS_BATCH + chunk.len()).min(steps[1].1),
            steps[1].1,
        );
    }
    for (i, chunk) in plan.mentees.chunks(PROGRESS_BATCH).enumerate() {
        store::import::upsert_mentees(txn, chunk).await?;
        progress.update(
            steps[2].0,
            (i * PROGRESS_BATCH + chunk.len()).min(steps[2].1),
            steps[2].1,
        );
    }
    Ok(steps.iter().any(|(_, n)| *n > 0))
}

/// Everything the plan needs from the database, in batched queries: the
/// people named by the file (as rows or managers), the reporting lines above
/// them, the catalog entries the file names, and the stored profiles of the
/// rows that touch one.
async fn load(db: &impl ConnectionTrait, rows: &[Row]) -> ApiResult<Known> {
    let mut known = Known::default();
    let mut emails: Vec<String> = rows
        .iter()
        .flat_map(|r| std::iter::once(&r.email).chain(r.manager_email.as_ref()))
        .cloned()
        .collect();
    emails.sort_unstable();
    emails.dedup();
    for person in store::import::people_by_email(db, &emails).await? {
        let email = person.email.clone().unwrap_or_default();
        known.by_email.entry(email).or_default().push(person);
    }

    // Reporting lines up to the top, one level per query, so a cycle the
    // file would close through stored managers is seen.
    let stored = || known.by_email.values().flatten();
    let mut seen: HashSet<String> = stored().map(|p| p.id.clone()).collect();
    let mut pending: Vec<String> = stored().filter_map(|p| p.manager_id.clone()).collect();
    while !pending.is_empty() {
        pending.retain(|id| !seen.contains(id));
        pending.sort_unstable();
        pending.dedup();
        seen.extend(pending.iter().cloned());
        let lines = store::import::reporting_lines(db, &pending).await?;
        pending = lines.iter().filter_map(|(_, m, _)| m.clone()).collect();
        for (id, manager, email) in lines {
            known.above.insert(id, (manager, email));
        }
    }

    let (mut skills, mut projects, mut foundations) = (Vec::new(), Vec::new(), Vec::new());
    let names = |slugs: &mut Vec<String>, items: &mut dyn Iterator<Item = &Slug>| {
        slugs.extend(items.map(|s| s.as_str().to_owned()));
    };
    for row in rows {
        if let Some(m) = &row.mentor {
            names(&mut skills, &mut m.skills.iter().flatten().map(|(s, _)| s));
            names(
                &mut projects,
                &mut m.projects.iter().flatten().map(|(s, _)| s),
            );
            names(
                &mut foundations,
                &mut m.foundations.iter().flatten().map(|(s, _)| s),
            );
        }
        if let Some(m) = &row.mentee {
            names(&mut skills, &mut m.skills.iter().flatten().map(|(s, _)| s));
            names(&mut projects, &mut m.projects.iter().flatten());
            names(&mut foundations, &mut m.foundations.iter().flatten());
        }
    }
    known.skills = catalog_ids(db, Kind::Skill, skills).await?;
    known.projects = catalog_ids(db, Kind::Project, projects).await?;
    known.foundations = catalog_ids(db, Kind::Foundation, foundations).await?;

    let stored_ids = |side: fn(&Row) -> bool| -> Vec<String> {
        rows.iter()
            .filter(|r| side(r))
            .filter_map(|r| match known.by_email.get(&r.email).map(Vec::as_slice) {
                Some([one]) => Some(one.id.clone()),
                _ => None,
            })
            .collect()
    };
    let mentor_ids = stored_ids(|r| r.mentor.is_some());
    let mentee_ids = stored_ids(|r| r.mentee.is_some());
    for chunk in mentor_ids.chunks(1000) {
        for profile in profiles::mentors(db, chunk).await? {
            known.mentors.insert(profile.person_id.clone(), profile);
        }
    }
    for chunk in mentee_ids.chunks(1000) {
        for profile in profiles::mentees(db, chunk).await? {
            known.mentees.insert(profile.person_id.clone(), profile);
        }
    }
    Ok(known)
}

/// The ids of the catalog entries named (each slug once, in chunks).
async fn catalog_ids(
    db: &impl ConnectionTrait,
    kind: Kind,
    mut slugs: Vec<String>,
) -> ApiResult<HashMap<String, i64>> {
    slugs.sort_unstable();
    slugs.dedup();
    let mut ids = HashMap::new();
    for chunk in slugs.chunks(1000) {
        ids.extend(ids_by_slug(db, kind, chunk).await?);
    }
    Ok(ids)
}
