//! People leave (issue "People leave"): deactivation with its cascade, and
//! reactivation. `deactivatePerson`, the HR import's `active` column and
//! `tandem people deactivate` all run [`depart`] inside their transaction.
//!
//! A deactivated person cannot call the API (`AppState::authenticate` reads
//! their row on every call), is never ranked or proposed (the mentor pool
//! and `mentors` leave them out; taking a seat share-locks the person row
//! and refuses them), and is sent nothing more (left out of this
//! transaction's notices; the delivery worker drops emails queued before).

use chrono::Utc;
use domain::mentorship::{
    LEFT, MatchAction, MatchState, OnDeparture, RequestAction, RequestState, Side,
};

use super::OspoTask;
use super::proposals::{MoveDetail, Work};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{Change, Subject};
use crate::store::people::{self, Person};
use crate::store::{matches, requests, revision};

/// The longest deactivation reason kept.
const MAX_REASON: usize = 500;

/// What a deactivation ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cascade {
    /// Proposals to the person as mentor, cancelled (each request cascades).
    pub proposals_cancelled: usize,
    /// Active mentorships, either side, ended early with reason `left`.
    pub mentorships_ended: usize,
    /// The person's own open or proposed requests, withdrawn.
    pub requests_withdrawn: usize,
}

/// The person after their deactivation, and what it ended.
#[derive(Clone, Debug)]
pub struct Deactivated {
    pub person: Person,
    pub cascade: Cascade,
}

impl OspoTask<'_> {
    /// Who the audit trail names: the OSPO member, or nobody (the operator).
    pub fn actor(&self) -> Option<&str> {
        match self {
            OspoTask::Admin(admin) => Some(admin.person_id()),
            OspoTask::Operator => None,
        }
    }
}

/// A deactivation's reason: required, one trimmed line of text.
pub fn reason(raw: &str) -> ApiResult<String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(ApiError::BadUserInput(
            "reason: say why the person is deactivated (for the audit trail)".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(ApiError::BadUserInput(format!(
            "reason: at most {MAX_REASON} characters"
        )));
    }
    Ok(reason.chars().filter(|c| !c.is_control()).collect())
}

/// `deactivatePerson` and `tandem people deactivate`: everything in one
/// transaction; `CONFLICT` when the person already is deactivated.
pub async fn deactivate(
    state: &AppState,
    by: OspoTask<'_>,
    person_id: &str,
    raw_reason: &str,
) -> ApiResult<Deactivated> {
    let reason = reason(raw_reason)?;
    if by.actor() == Some(person_id) {
        return Err(ApiError::Conflict(
            "you cannot deactivate yourself; another OSPO member (or `tandem people deactivate`) can"
                .into(),
        ));
    }
    let mut work = Work::begin_proposing(state, by.actor(), Utc::now()).await?;
    let person = people::find(&work.txn, person_id)
        .await?
        .ok_or(ApiError::NotFound("person"))?;
    let cascade = depart(&mut work, &person, &reason).await?;
    let now = work.now;
    work.commit().await?;
    tracing::info!(
        person = %person_id,
        by = by.actor().unwrap_or("command line"),
        proposals_cancelled = cascade.proposals_cancelled,
        mentorships_ended = cascade.mentorships_ended,
        requests_withdrawn = cascade.requests_withdrawn,
        "person deactivated"
    );
    Ok(Deactivated {
        person: Person {
            deactivated_at: Some(now),
            deactivation_reason: Some(reason),
            ..person
        },
        cascade,
    })
}

/// Deactivates `person` inside `work`: marks them, then cancels, ends and
/// withdraws everything live of theirs, telling the other sides (never
/// them). The person row is updated first: that is the lock a concurrent
/// proposal waits on (`store::people::lock_if_active`).
pub(crate) async fn depart(
    work: &mut Work<'_>,
    person: &Person,
    reason: &str,
) -> ApiResult<Cascade> {
    if !people::set_deactivated(&work.txn, &person.id, work.now, reason).await? {
        let since = person
            .deactivated_at
            .map_or_else(String::new, |at| format!(" since {}", at.date_naive()));
        return Err(ApiError::Conflict(format!(
            "{} is already deactivated{since}",
            person.display_name
        )));
    }
    let change = Change {
        actor_id: work.actor.as_deref(),
        subject: Subject::Person,
        subject_id: &person.id,
        from: Some("active"),
        to: "deactivated",
        reason: Some(reason),
        at: work.now,
    };
    work.trail.push(change);
    work.silence(&person.id);
    let mut cascade = Cascade::default();

    // Their own requests first: a live proposal for them is cancelled with
    // the request. Matched requests close below, with their mentorship.
    for seen in requests::unfinished_of(&work.txn, &person.id).await? {
        // Read again under the lock: an accept may have matched it meanwhile.
        let Some(request) = requests::lock(&work.txn, &seen.id).await? else {
            continue;
        };
        if !matches!(request.state, RequestState::Open | RequestState::Proposed) {
            continue;
        }
        for live in matches::live_for_requests(&work.txn, std::slice::from_ref(&request.id)).await?
        {
            let Some(proposal) = matches::lock(&work.txn, &live.id).await? else {
                continue;
            };
            if let Some(leaving) = OnDeparture::of(proposal.state, Side::Mentee) {
                work.move_match(&proposal, leaving.action(), left()).await?;
            }
        }
        work.move_request(&request, RequestAction::Withdraw).await?;
        cascade.requests_withdrawn += 1;
    }

    for live in matches::live_of_person(&work.txn, &person.id).await? {
        let Some(request) = requests::lock(&work.txn, &live.request_id).await? else {
            continue;
        };
        let Some(current) = matches::lock(&work.txn, &live.id).await? else {
            continue;
        };
        let side = if current.mentor_id == person.id {
            Side::Mentor
        } else {
            Side::Mentee
        };
        match OnDeparture::of(current.state, side) {
            Some(OnDeparture::CancelAndCascade) => {
                work.move_match(&current, MatchAction::Cancel, left())
                    .await?;
                work.reopen_and_cascade(&request).await?;
                cascade.proposals_cancelled += 1;
            }
            Some(OnDeparture::EndEarly) => {
                let detail = MoveDetail {
                    end_reason: Some(LEFT),
                    ..left()
                };
                work.move_match(&current, MatchAction::EndEarly, detail)
                    .await?;
                let action = MatchState::request_action(MatchAction::EndEarly);
                work.move_request(&request, action).await?;
                cascade.mentorships_ended += 1;
            }
            // Withdrawn above, or no longer live.
            Some(OnDeparture::CancelAndWithdraw) | None => {}
        }
    }
    // Mentor pools and recommendations everywhere drop the person.
    revision::bump(&work.txn).await?;
    Ok(cascade)
}

/// The audit reason every move of a departure carries.
fn left() -> MoveDetail<'static> {
    MoveDetail {
        audit_reason: Some(LEFT),
        ..MoveDetail::default()
    }
}

/// `reactivatePerson`: access comes back; the ended mentorships and
/// withdrawn requests stay as they are. `CONFLICT` for an active person or
/// an erased record.
pub async fn reactivate(state: &AppState, by: OspoTask<'_>, person_id: &str) -> ApiResult<Person> {
    let mut work = Work::begin(state, by.actor(), Utc::now()).await?;
    let person = people::find(&work.txn, person_id)
        .await?
        .ok_or(ApiError::NotFound("person"))?;
    if person.erased_at.is_some() {
        return Err(ApiError::Conflict(
            "this person's data was erased; a new sign-in creates a new person".into(),
        ));
    }
    if !people::set_reactivated(&work.txn, person_id, work.now).await? {
        return Err(ApiError::Conflict(format!(
            "{} is not deactivated",
            person.display_name
        )));
    }
    let change = Change {
        actor_id: work.actor.as_deref(),
        subject: Subject::Person,
        subject_id: person_id,
        from: Some("deactivated"),
        to: "active",
        reason: None,
        at: work.now,
    };
    work.trail.push(change);
    revision::bump(&work.txn).await?;
    work.commit().await?;
    tracing::info!(person = %person_id, by = by.actor().unwrap_or("command line"), "person reactivated");
    Ok(Person {
        deactivated_at: None,
        deactivation_reason: None,
        ..person
    })
}

/// The one person with this email, for the command line.
pub async fn by_email(state: &AppState, email: &str) -> ApiResult<Person> {
    let mut found = people::find_by_email(&state.db, email.trim()).await?;
    match found.len() {
        0 => Err(ApiError::NotFound("person with that email")),
        1 => Ok(found.remove(0)),
        n => Err(ApiError::Conflict(format!(
            "{n} people have that email; deactivate by id through the API"
        ))),
    }
}
