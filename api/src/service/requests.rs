//! Mentorship requests: asking for a mentor, withdrawing, reading
//! (design.md, "Mentorship request"; the contract's rules on programs).

use chrono::Utc;
use domain::mentorship::{MatchAction, RequestAction, RequestState};
use domain::program::ProgramStatus;
use sea_orm::DatabaseConnection;

use super::Viewer;
use super::proposals::{MoveDetail, Work};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{self, AuditEntry, Change, Subject};
use crate::store::matches::{self, Match};
use crate::store::requests::{self, Request};
use crate::store::{people, profiles, programs};

pub struct RequestDraft {
    pub goals: String,
    pub program_id: Option<String>,
    pub preferred_mentor_id: Option<String>,
}

/// `requestMentorship`: opens the caller's request and, in the same
/// transaction, proposes the best eligible mentor with a free seat; when
/// none is, the request waits `OPEN`. Program requests wait for the cohort
/// run while the program is open or matching.
pub async fn request_mentorship(
    state: &AppState,
    viewer: &Viewer,
    draft: RequestDraft,
) -> ApiResult<Request> {
    let mut work = Work::begin_proposing(state, Some(&viewer.person_id), Utc::now()).await?;
    let Some(profile) = profiles::mentees(&work.txn, std::slice::from_ref(&viewer.person_id))
        .await?
        .pop()
    else {
        return Err(ApiError::BadUserInput(
            "set your mentee profile first (setMenteeProfile)".into(),
        ));
    };
    let person = people::find(&work.txn, &viewer.person_id)
        .await?
        .ok_or(ApiError::NotFound("person"))?;
    let mut proposes_now = true;
    if let Some(program_id) = &draft.program_id {
        let program = programs::find(&work.txn, program_id)
            .await?
            .ok_or(ApiError::NotFound("program"))?;
        match program.status {
            ProgramStatus::Draft | ProgramStatus::Closed => {
                return Err(ApiError::Conflict(format!(
                    "a {} program takes no requests",
                    program.status
                )));
            }
            ProgramStatus::Open | ProgramStatus::Matching => proposes_now = false,
            ProgramStatus::Running => {}
        }
        let mentees = programs::enrolled(&work.txn, program_id, programs::Role::Mentee).await?;
        if !mentees.contains(&viewer.person_id) {
            return Err(ApiError::BadUserInput(
                "you are not enrolled in this program as a mentee".into(),
            ));
        }
    }
    if let Some(mentor) = &draft.preferred_mentor_id {
        if mentor == &viewer.person_id {
            return Err(ApiError::BadUserInput(
                "you cannot be your own mentor".into(),
            ));
        }
        if profiles::mentor_live_count(&work.txn, mentor)
            .await?
            .is_none()
        {
            return Err(ApiError::BadUserInput(format!(
                "preferredMentorId {mentor} is not a mentor"
            )));
        }
    }
    let request = Request {
        id: people::new_id(),
        mentee_id: viewer.person_id.clone(),
        program_id: draft.program_id,
        preferred_mentor_id: draft.preferred_mentor_id,
        goals: draft.goals,
        state: RequestState::Open,
        created_at: work.now,
        updated_at: work.now,
    };
    // The partial unique index refuses a second unfinished request (also
    // one inserted at the same instant by another instance): CONFLICT.
    if let Err(e) = requests::insert(&work.txn, &request).await {
        return Err(if crate::error::is_conflict(&e) {
            ApiError::Conflict(match &request.program_id {
                Some(_) => "you already have an unfinished request in this program".into(),
                None => "you already have an unfinished request; withdraw it first".into(),
            })
        } else {
            e.into()
        });
    }
    let change = Change {
        actor_id: Some(&viewer.person_id),
        subject: Subject::Request,
        subject_id: &request.id,
        from: None,
        to: RequestState::Open.slug(),
        reason: None,
        at: work.now,
    };
    work.trail.push(change);
    let state_now = if proposes_now
        && work
            .propose_for(&request, Some((person, profile)))
            .await?
            .is_some()
    {
        RequestState::Proposed
    } else {
        RequestState::Open
    };
    work.commit().await?;
    Ok(Request {
        state: state_now,
        ..request
    })
}

/// `withdrawRequest`: the mentee, before a match is active. A live proposal
/// is cancelled and its seat freed.
pub async fn withdraw(state: &AppState, viewer: &Viewer, id: &str) -> ApiResult<Request> {
    let mut work = Work::begin(state, Some(&viewer.person_id), Utc::now()).await?;
    let request = requests::lock(&work.txn, id)
        .await?
        .ok_or(ApiError::NotFound("request"))?;
    if request.mentee_id != viewer.person_id {
        // Who can read the request (the OSPO, a mentor it was proposed to)
        // is told no; anyone else cannot tell it exists.
        let proposed_to_viewer = matches::of_request(&work.txn, id)
            .await?
            .iter()
            .any(|m| m.mentor_id == viewer.person_id);
        return Err(if may_read(viewer, &request) || proposed_to_viewer {
            ApiError::Forbidden("only the mentee may withdraw a request")
        } else {
            ApiError::NotFound("request")
        });
    }
    // Checked before touching the match, so an active one is refused as is.
    request.state.apply(RequestAction::Withdraw)?;
    let live = matches::live_for_requests(&work.txn, std::slice::from_ref(&request.id)).await?;
    for proposal in live {
        let proposal = matches::lock(&work.txn, &proposal.id)
            .await?
            .ok_or(ApiError::NotFound("match"))?;
        work.move_match(&proposal, MatchAction::Cancel, MoveDetail::default())
            .await?;
    }
    let state_now = work.move_request(&request, RequestAction::Withdraw).await?;
    work.commit().await?;
    Ok(Request {
        state: state_now,
        updated_at: Utc::now(),
        ..request
    })
}

/// The mentee and the OSPO read a request; so does a mentor it was ever
/// proposed to (checked by the caller that holds the match).
fn may_read(viewer: &Viewer, request: &Request) -> bool {
    viewer.is(&request.mentee_id) || viewer.is_ospo()
}

/// `request(id)`: `None` when absent or not visible, alike.
pub async fn find(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> ApiResult<Option<Request>> {
    let Some(request) = requests::find(db, id).await? else {
        return Ok(None);
    };
    if may_read(viewer, &request) {
        return Ok(Some(request));
    }
    // A mentor sees the requests proposed to them.
    let proposed_to_viewer = matches::of_request(db, id)
        .await?
        .iter()
        .any(|m| m.mentor_id == viewer.person_id);
    Ok(proposed_to_viewer.then_some(request))
}

/// `myRequests`: newest first.
pub async fn mine(
    db: &DatabaseConnection,
    viewer: &Viewer,
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<Request>> {
    Ok(requests::page_for_mentee(db, &viewer.person_id, after, limit).await?)
}

/// The live match of a request, as its reader may see it.
pub async fn current_match(db: &DatabaseConnection, request: &Request) -> ApiResult<Option<Match>> {
    Ok(
        matches::live_for_requests(db, std::slice::from_ref(&request.id))
            .await?
            .pop(),
    )
}

/// `MentorshipRequest.history` (the request is already visible to the caller).
pub async fn history(db: &DatabaseConnection, request: &Request) -> ApiResult<Vec<AuditEntry>> {
    Ok(audit::history(db, Subject::Request, &request.id).await?)
}

/// Closing a program: its unanswered proposals are cancelled (seats freed)
/// and its requests without an active match are closed; active mentorships
/// run on to their end. Runs inside the program's status change.
pub(crate) async fn close_program(work: &mut Work<'_>, program_id: &str) -> ApiResult<()> {
    let waiting = requests::in_program(
        &work.txn,
        program_id,
        &[RequestState::Open, RequestState::Proposed],
    )
    .await?;
    for request in waiting {
        let Some(request) = requests::lock(&work.txn, &request.id).await? else {
            continue;
        };
        if !matches!(request.state, RequestState::Open | RequestState::Proposed) {
            continue;
        }
        let live = matches::live_for_requests(&work.txn, std::slice::from_ref(&request.id)).await?;
        for proposal in live {
            work.move_match(&proposal, MatchAction::Cancel, MoveDetail::default())
                .await?;
        }
        work.move_request(&request, RequestAction::Close).await?;
    }
    Ok(())
}
