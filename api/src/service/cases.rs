//! The OSPO's case handling (design.md, "The OSPO's desk"): case lists of
//! requests and matches, the people search behind the pickers, a proposal
//! by hand, a cancelled proposal. Ending a mentorship early on someone's
//! behalf is `matches::finish`, which lets the OSPO take that action. Every
//! change is audited with the OSPO admin as its actor.

use chrono::Utc;
use domain::mentorship::{MatchAction, MatchState, RequestState};
use sea_orm::DatabaseConnection;

use super::OspoAdmin;
use super::matches::lock_for;
use super::proposals::{MoveDetail, Work};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::matches::{self, Match};
use crate::store::people::{self, Person};
use crate::store::requests::{self, InProgram, Request};

/// Requests in `scope` and `states`, newest first.
pub async fn requests(
    db: &DatabaseConnection,
    _ospo: OspoAdmin<'_>,
    scope: InProgram<'_>,
    states: &[RequestState],
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<Request>> {
    Ok(requests::page(db, scope, states, after, limit).await?)
}

/// Matches in `scope` and `states`, newest first.
pub async fn matches(
    db: &DatabaseConnection,
    _ospo: OspoAdmin<'_>,
    scope: InProgram<'_>,
    states: &[MatchState],
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<Match>> {
    Ok(matches::page(db, scope, states, after, limit).await?)
}

/// People by name, email or department, for the pickers; by name.
pub async fn people(
    db: &DatabaseConnection,
    _ospo: OspoAdmin<'_>,
    search: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<Person>> {
    let after = after
        .map(|cursor| {
            cursor
                .split_once('\0')
                .ok_or_else(|| ApiError::bad_input("after is not a cursor from this list"))
        })
        .transpose()?;
    Ok(people::search(db, search, after, limit).await?)
}

/// The cursor of a person in [`people`]'s order.
pub fn person_cursor(person: &Person) -> String {
    format!("{}\0{}", person.display_name, person.id)
}

pub struct ChosenMentor {
    pub request_id: String,
    pub mentor_id: String,
    pub note: Option<String>,
}

/// `proposeMatch`: the OSPO proposes the mentor it chose for an open
/// request; hard constraints and capacity hold (`CONFLICT` otherwise).
pub async fn propose(
    state: &AppState,
    ospo: OspoAdmin<'_>,
    chosen: ChosenMentor,
) -> ApiResult<Match> {
    if people::find(&state.db, &chosen.mentor_id).await?.is_none() {
        return Err(ApiError::NotFound("mentor"));
    }
    let mut work = Work::begin_proposing(state, Some(ospo.person_id()), Utc::now()).await?;
    let request = requests::lock(&work.txn, &chosen.request_id)
        .await?
        .ok_or(ApiError::NotFound("request"))?;
    let proposal = work
        .propose_chosen(&request, &chosen.mentor_id, chosen.note.as_deref())
        .await?;
    work.commit().await?;
    Ok(proposal)
}

/// `cancelProposal`: the OSPO withdraws a live proposal; the request
/// re-opens and cascades to the next-best mentor, as after a decline, and
/// the cancelled mentor is not proposed for it again.
pub async fn cancel(
    state: &AppState,
    ospo: OspoAdmin<'_>,
    match_id: &str,
    reason: &str,
) -> ApiResult<Match> {
    let mut work = Work::begin_proposing(state, Some(ospo.person_id()), Utc::now()).await?;
    let action = MatchAction::Cancel;
    let (request, proposal) = lock_for(&work, ospo.viewer(), match_id, action).await?;
    let detail = MoveDetail {
        audit_reason: Some(reason),
        ..MoveDetail::default()
    };
    let cancelled = work.move_match(&proposal, action, detail).await?;
    work.reopen_and_cascade(&request).await?;
    work.commit().await?;
    Ok(cancelled)
}
