//! Matches: answering proposals, running and finishing mentorships,
//! check-ins, milestones, feedback, and who may read what (design.md,
//! "Match", "Check-in", "Milestone", "Feedback", and the contract's rules).
//!
//! Visibility: the pair and the OSPO read a match; anyone else gets exactly
//! what a missing id gets (`NOT_FOUND`). Among those who can see it, acting
//! on the wrong side is `FORBIDDEN`.

use chrono::Utc;
use domain::mentorship::{
    self, DeclineReason, MatchAction, MatchState, MilestoneKind, Party, Rating, Side,
};
use domain::values::{MentoringTopic, OsmmLevel};
use sea_orm::DatabaseConnection;

use super::Viewer;
use super::proposals::{MoveDetail, Work};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::notify::{Detail, Notice};
use crate::store::audit::{self, AuditEntry, Subject};
use crate::store::matches::{self, CheckIn, Feedback, Match, MatchFilter, Milestone};
use crate::store::{people, requests};
use domain::notification::Kind;

/// May `viewer` read this match at all?
pub fn may_read(viewer: &Viewer, proposal: &Match) -> bool {
    proposal.is_party(&viewer.person_id) || viewer.is_ospo()
}

fn not_found() -> ApiError {
    ApiError::NotFound("match")
}

/// `match(id)`: `None` when absent or not visible, alike.
pub async fn find(db: &DatabaseConnection, viewer: &Viewer, id: &str) -> ApiResult<Option<Match>> {
    Ok(matches::find(db, id).await?.filter(|m| may_read(viewer, m)))
}

/// `myMatches`: the caller's matches on one side or both, newest first.
pub async fn mine(
    db: &DatabaseConnection,
    viewer: &Viewer,
    side: Option<Side>,
    states: &[MatchState],
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<Match>> {
    let filter = MatchFilter {
        person_id: &viewer.person_id,
        side,
        states,
    };
    Ok(matches::page_for_person(db, &filter, after, limit).await?)
}

/// Locks the request, then the match (the one lock order of every
/// lifecycle change), and checks that `viewer` may take `action`: its party,
/// or the OSPO for its case handling.
pub(crate) async fn lock_for(
    work: &Work<'_>,
    viewer: &Viewer,
    id: &str,
    action: MatchAction,
) -> ApiResult<(requests::Request, Match)> {
    let seen = matches::find(&work.txn, id)
        .await?
        .filter(|m| may_read(viewer, m))
        .ok_or_else(not_found)?;
    let request = requests::lock(&work.txn, &seen.request_id)
        .await?
        .ok_or_else(not_found)?;
    let proposal = matches::lock(&work.txn, id).await?.ok_or_else(not_found)?;
    let party = action.party();
    let allowed = match party {
        Party::Mentor => proposal.mentor_id == viewer.person_id,
        Party::EitherSide => proposal.is_party(&viewer.person_id),
        Party::System => false,
    } || (action.ospo_may_take() && viewer.is_ospo());
    if !allowed {
        return Err(ApiError::Forbidden(match party {
            Party::Mentor => "only the proposed mentor may answer a proposal",
            Party::EitherSide => "only the mentor and the mentee of this match may do this",
            Party::System => "only the OSPO may do this",
        }));
    }
    Ok((request, proposal))
}

/// `acceptProposal`: the proposed mentor only.
pub async fn accept(state: &AppState, viewer: &Viewer, id: &str) -> ApiResult<Match> {
    let mut work = Work::begin(state, Some(&viewer.person_id), Utc::now()).await?;
    let action = MatchAction::Accept;
    let (request, proposal) = lock_for(&work, viewer, id, action).await?;
    let accepted = work
        .move_match(&proposal, action, MoveDetail::default())
        .await?;
    work.move_request(&request, MatchState::request_action(action))
        .await?;
    work.commit().await?;
    Ok(accepted)
}

pub struct Decline {
    pub reason: DeclineReason,
    pub message: Option<String>,
}

/// `declineProposal`: the proposed mentor only; the next-best eligible
/// mentor is proposed in the same transaction.
pub async fn decline(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    decline: Decline,
) -> ApiResult<Match> {
    let mut work = Work::begin_proposing(state, Some(&viewer.person_id), Utc::now()).await?;
    let action = MatchAction::Decline;
    let (request, proposal) = lock_for(&work, viewer, id, action).await?;
    let detail = MoveDetail {
        decline: Some((decline.reason, decline.message.as_deref())),
        end_reason: None,
        audit_reason: Some(decline.reason.slug()),
    };
    let declined = work.move_match(&proposal, action, detail).await?;
    work.reopen_and_cascade(&request).await?;
    work.commit().await?;
    Ok(declined)
}

/// `completeMatch` and `endMatchEarly`: either side (the OSPO may also end
/// a mentorship early on someone's behalf); the seat is freed and waiting
/// requests are offered it.
pub async fn finish(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    end_early_because: Option<&str>,
) -> ApiResult<Match> {
    let mut work = Work::begin(state, Some(&viewer.person_id), Utc::now()).await?;
    let action = match end_early_because {
        Some(_) => MatchAction::EndEarly,
        None => MatchAction::Complete,
    };
    let (request, proposal) = lock_for(&work, viewer, id, action).await?;
    let detail = MoveDetail {
        decline: None,
        end_reason: end_early_because,
        audit_reason: end_early_because,
    };
    let finished = work.move_match(&proposal, action, detail).await?;
    work.move_request(&request, MatchState::request_action(action))
        .await?;
    work.commit().await?;
    Ok(finished)
}

/// Expires one due proposal and cascades; `false` when another sweeper (or
/// an answer) got there first. Exactly one transaction wins the
/// conditional update.
pub async fn expire(state: &AppState, id: &str, now: chrono::DateTime<Utc>) -> ApiResult<bool> {
    let mut work = Work::begin_proposing(state, None, now).await?;
    let Some(seen) = matches::find(&work.txn, id).await? else {
        return Ok(false);
    };
    let Some(request) = requests::lock(&work.txn, &seen.request_id).await? else {
        return Ok(false);
    };
    let Some(proposal) = matches::lock(&work.txn, id).await? else {
        return Ok(false);
    };
    let due =
        proposal.state == MatchState::Proposed && proposal.expires_at.is_some_and(|at| at <= now);
    if !due {
        return Ok(false);
    }
    work.move_match(&proposal, MatchAction::Expire, MoveDetail::default())
        .await?;
    work.reopen_and_cascade(&request).await?;
    work.commit().await?;
    Ok(true)
}

/// Sends an unanswered proposal's due reminder to its mentor; `false` when
/// none was due or another sweeper sent it first (the conditional update
/// lets one win). Moves the proposal's next reminder time either way, so a
/// proposal is never read as due twice for one reminder.
pub async fn remind(
    state: &AppState,
    proposal: &Match,
    now: chrono::DateTime<Utc>,
) -> ApiResult<bool> {
    use domain::notification::{reminder_due, reminder_times};
    let Some(expires_at) = proposal.expires_at else {
        return Ok(false);
    };
    let (from, until) = (proposal.proposed_at.timestamp(), expires_at.timestamp());
    let due = reminder_due(from, until, proposal.reminders_sent, now.timestamp());
    let sent = due.unwrap_or(proposal.reminders_sent);
    let next = reminder_times(from, until)
        .get(sent as usize)
        .and_then(|t| chrono::DateTime::from_timestamp(*t, 0));
    let mut work = Work::begin(state, None, now).await?;
    if !matches::mark_reminded(&work.txn, &proposal.id, proposal.reminders_sent, sent, next).await?
    {
        return Ok(false);
    }
    if due.is_some() {
        let goals = requests::find(&work.txn, &proposal.request_id)
            .await?
            .map(|r| r.goals);
        let detail = Detail {
            goals,
            reasons: crate::notify::top_reasons(&proposal.score_breakdown, 3),
            expires_at: Some(expires_at),
            ..Detail::default()
        };
        work.notify(Notice::about(Kind::ProposalReminder, proposal, detail));
    }
    work.commit().await?;
    Ok(due.is_some())
}

/// Locks an active match for the pair's records (check-ins, milestones).
async fn lock_active(work: &Work<'_>, viewer: &Viewer, id: &str) -> ApiResult<Match> {
    let proposal = matches::lock(&work.txn, id)
        .await?
        .filter(|m| may_read(viewer, m))
        .ok_or_else(not_found)?;
    if !proposal.is_party(&viewer.person_id) {
        return Err(ApiError::Forbidden(
            "only the mentor and the mentee of this match may do this",
        ));
    }
    if !proposal.state.accepts_check_ins() {
        return Err(ApiError::Conflict(format!(
            "a {} match takes no check-ins or milestones",
            proposal.state
        )));
    }
    Ok(proposal)
}

pub struct CheckInDraft {
    pub held_on: chrono::NaiveDate,
    pub minutes: u16,
    pub topics: Vec<MentoringTopic>,
    pub notes: Option<String>,
}

/// `logCheckIn`: the pair only, on an active match.
pub async fn log_check_in(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    draft: CheckInDraft,
) -> ApiResult<CheckIn> {
    let work = Work::begin(state, Some(&viewer.person_id), Utc::now()).await?;
    let proposal = lock_active(&work, viewer, id).await?;
    let check_in = CheckIn {
        id: people::new_id(),
        match_id: proposal.id,
        author_id: viewer.person_id.clone(),
        held_on: draft.held_on,
        minutes: draft.minutes,
        topics: draft.topics,
        notes: draft.notes,
        created_at: work.now,
    };
    matches::insert_check_in(&work.txn, &check_in).await?;
    work.commit().await?;
    Ok(check_in)
}

pub struct MilestoneDraft {
    pub kind: MilestoneKind,
    pub new_level: Option<OsmmLevel>,
    pub note: Option<String>,
}

/// `recordMilestone`: the pair only, on an active match. `LEVEL_UP` raises
/// the mentee's level (above the current one, at most 5).
pub async fn record_milestone(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    draft: MilestoneDraft,
) -> ApiResult<Milestone> {
    let mut work = Work::begin(state, Some(&viewer.person_id), Utc::now()).await?;
    let proposal = lock_active(&work, viewer, id).await?;
    let mentee = people::find(&work.txn, &proposal.mentee_id)
        .await?
        .ok_or_else(not_found)?;
    let current = OsmmLevel::try_from(i64::from(mentee.osmm_level))?;
    let new_level = mentorship::check_milestone(draft.kind, current, draft.new_level)?;
    if let Some(level) = new_level {
        people::set_level(&work.txn, &mentee.id, level.get()).await?;
        if crate::store::profiles::mentor_live_count(&work.txn, &mentee.id)
            .await?
            .is_some()
        {
            // The mentee is a mentor too: their level is a scoring feature.
            crate::store::revision::bump(&work.txn).await?;
        }
    }
    if let Some(level) = new_level {
        let detail = Detail {
            new_level: Some(i16::from(level.get())),
            ..Detail::default()
        };
        work.notify(Notice::about(Kind::MilestoneLevelUp, &proposal, detail));
    }
    let milestone = Milestone {
        id: people::new_id(),
        program_id: proposal.program_id.clone(),
        match_id: proposal.id,
        mentee_id: mentee.id,
        recorded_by: viewer.person_id.clone(),
        kind: draft.kind,
        new_level: new_level.map(OsmmLevel::get),
        previous_level: new_level.map(|_| current.get()),
        note: draft.note,
        created_at: work.now,
    };
    matches::insert_milestone(&work.txn, &milestone).await?;
    work.commit().await?;
    Ok(milestone)
}

pub struct FeedbackDraft {
    pub rating: Rating,
    pub comment: Option<String>,
}

/// `giveFeedback`: once per side, after the match finished.
pub async fn give_feedback(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    draft: FeedbackDraft,
) -> ApiResult<Feedback> {
    let work = Work::begin(state, Some(&viewer.person_id), Utc::now()).await?;
    let proposal = matches::lock(&work.txn, id)
        .await?
        .filter(|m| may_read(viewer, m))
        .ok_or_else(not_found)?;
    let side = proposal
        .side_of(&viewer.person_id)
        .ok_or(ApiError::Forbidden(
            "only the mentor and the mentee of this match give feedback",
        ))?;
    let given = matches::has_feedback(&work.txn, &proposal.id, side).await?;
    mentorship::check_feedback(proposal.state, given, side)?;
    let feedback = Feedback {
        match_id: proposal.id,
        side,
        author_id: viewer.person_id.clone(),
        rating: draft.rating.get(),
        comment: draft.comment,
        created_at: work.now,
    };
    // Two racing submissions: the primary key refuses the second (CONFLICT).
    matches::insert_feedback(&work.txn, &feedback).await?;
    work.commit().await?;
    Ok(feedback)
}

/// `Match.checkIns`: the match is already visible to the caller.
pub async fn check_ins(
    db: &DatabaseConnection,
    proposal: &Match,
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<CheckIn>> {
    Ok(matches::check_ins_page(db, &proposal.id, after, limit).await?)
}

/// `Match.history`: the match is already visible to the caller.
pub async fn history(db: &DatabaseConnection, proposal: &Match) -> ApiResult<Vec<AuditEntry>> {
    Ok(audit::history(db, Subject::Match, &proposal.id).await?)
}
