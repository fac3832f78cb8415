//! Programs (OSPO only): creation, status moves, enrollment.

use domain::mentorship::RequestState;
use domain::program::ProgramStatus;
use sea_orm::DatabaseConnection;

use super::proposals::Work;
use super::{OspoAdmin, Viewer};
use crate::app::AppState;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, audit, people, programs::Program, programs::Role};

pub struct ProgramDraft {
    pub name: String,
    pub description: Option<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
}

pub async fn create(
    db: &DatabaseConnection,
    ospo: OspoAdmin<'_>,
    draft: ProgramDraft,
) -> ApiResult<Program> {
    if draft.ends_on < draft.starts_on {
        return Err(ApiError::BadUserInput(format!(
            "endsOn ({}) is before startsOn ({})",
            draft.ends_on, draft.starts_on
        )));
    }
    let program = Program {
        id: people::new_id(),
        name: draft.name,
        description: draft.description,
        starts_on: draft.starts_on,
        ends_on: draft.ends_on,
        status: ProgramStatus::Draft,
    };
    let (txn, _writer) = begin_write(db).await?;
    store::programs::insert(&txn, &program).await?;
    audit::record(
        &txn,
        Some(ospo.person_id()),
        audit::Subject::Program,
        &program.id,
        None,
        program.status.slug(),
    )
    .await?;
    txn.commit().await?;
    Ok(program)
}

/// Programs are visible to everyone signed in (the intranet lists them);
/// changing them is the OSPO's.
pub async fn find(
    db: &DatabaseConnection,
    _viewer: &Viewer,
    id: &str,
) -> ApiResult<Option<Program>> {
    Ok(store::programs::find(db, id).await?)
}

/// Moves a program along its workflow. Closing it cancels its unanswered
/// proposals and closes its requests without an active match, in the same
/// transaction; active mentorships run on to their end.
pub async fn set_status(
    state: &AppState,
    ospo: OspoAdmin<'_>,
    id: &str,
    to: ProgramStatus,
) -> ApiResult<Program> {
    let mut work = Work::begin(state, Some(ospo.person_id()), chrono::Utc::now()).await?;
    let program = store::programs::lock(&work.txn, id)
        .await?
        .ok_or(ApiError::NotFound("program"))?;
    let to = program.status.transition(to)?;
    if !store::programs::set_status(&work.txn, id, program.status, to).await? {
        return Err(ApiError::Conflict(
            "the program's status changed meanwhile; read it again".into(),
        ));
    }
    audit::record(
        &work.txn,
        Some(ospo.person_id()),
        audit::Subject::Program,
        id,
        Some(program.status.slug()),
        to.slug(),
    )
    .await?;
    if to == ProgramStatus::Closed {
        super::requests::close_program(&mut work, id).await?;
    }
    work.commit().await?;
    if to == ProgramStatus::Running {
        // Program requests left open by the cohort run may take free seats now.
        if let Err(e) = super::proposals::offer_seats(state, chrono::Utc::now(), None).await {
            tracing::warn!(error = %e, "offering seats after the program started failed");
        }
    }
    Ok(Program {
        status: to,
        ..program
    })
}

/// Enrolls people as mentors (they need a mentor profile) or mentees (they
/// need a mentee profile; each gets an open program request).
pub async fn enroll(
    state: &AppState,
    ospo: OspoAdmin<'_>,
    program_id: &str,
    person_ids: Vec<String>,
    role: Role,
) -> ApiResult<Program> {
    let mut person_ids = person_ids;
    person_ids.sort();
    person_ids.dedup();
    let db = &state.db;
    let (txn, writer) = begin_write(db).await?;
    let program = store::programs::lock(&txn, program_id)
        .await?
        .ok_or(ApiError::NotFound("program"))?;
    if !program.status.accepts_enrollment() {
        return Err(ApiError::Conflict(format!(
            "a {} program takes no more enrollments",
            program.status
        )));
    }
    let found = people::find_many(&txn, &person_ids).await?;
    if let Some(missing) = person_ids
        .iter()
        .find(|id| !found.iter().any(|p| &p.id == *id))
    {
        return Err(ApiError::BadUserInput(format!("unknown person: {missing}")));
    }
    if let Some(gone) = found.iter().find(|p| !p.is_active()) {
        return Err(ApiError::Conflict(format!(
            "{} is deactivated (left); reactivate them before enrolling",
            gone.display_name
        )));
    }
    let with_profile = match role {
        Role::Mentor => store::profiles::which_are_mentors(&txn, &person_ids).await?,
        Role::Mentee => store::profiles::which_are_mentees(&txn, &person_ids).await?,
    };
    if let Some(missing) = person_ids.iter().find(|id| !with_profile.contains(id)) {
        return Err(ApiError::BadUserInput(format!(
            "{missing} has no {} profile",
            role.slug()
        )));
    }
    store::programs::enroll(&txn, program_id, &person_ids, role).await?;
    if role == Role::Mentee {
        let goals = format!("Mentoring in the program {}", program.name);
        store::requests::open_for_program(&txn, program_id, &person_ids, &goals).await?;
    }
    let subjects: Vec<String> = person_ids
        .iter()
        .map(|person_id| format!("{program_id}/{person_id}"))
        .collect();
    let now = chrono::Utc::now();
    let changes: Vec<audit::Change> = subjects
        .iter()
        .map(|subject_id| audit::Change {
            actor_id: Some(ospo.person_id()),
            subject: audit::Subject::Enrollment,
            subject_id,
            from: None,
            to: role.slug(),
            reason: None,
            at: now,
        })
        .collect();
    // One multi-row insert: an enrollment of hundreds was as many calls.
    audit::write_many(&txn, &changes).await?;
    txn.commit().await?;
    drop(writer);
    if program.status == ProgramStatus::Running {
        // Late joiners: a running program's requests cascade at once, and a
        // late mentor's seats go to requests waiting in the program.
        let now = chrono::Utc::now();
        let proposed = match role {
            Role::Mentor => {
                super::proposals::offer_seats(state, now, Some(person_ids.clone())).await
            }
            Role::Mentee => {
                let open = store::requests::in_program(db, program_id, &[RequestState::Open])
                    .await?
                    .into_iter()
                    .filter(|r| person_ids.contains(&r.mentee_id))
                    .map(|r| r.id)
                    .collect::<Vec<_>>();
                super::proposals::propose_requests(state, now, &open).await
            }
        };
        if let Err(e) = proposed {
            tracing::warn!(error = %e, "proposing for late joiners failed; the sweeper retries");
        }
    }
    Ok(program)
}
