//! The unit of work every lifecycle change runs in, and the proposing engine
//! (design.md, "Mentorship request", "Match", "Capacity").
//!
//! A [`Work`] is one write transaction plus what must go with it: the audit
//! events, the match events for subscribers (`pg_notify` in the transaction
//! on PostgreSQL, a local publish after commit on SQLite), the notifications
//! (inbox and outbox rows, written in the transaction) and the load
//! revision of every mentor whose live count moved. Locks are taken in one
//! order everywhere: request, then match, then mentor rows, then the
//! revision row (at commit), so lifecycle transactions do not deadlock on
//! one another's request or match rows.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::mentorship::{MatchAction, MatchState, RequestAction, RequestState};
use domain::scoring::{self, CompiledMentee, MenteeFeatures, Outcome, ScoreContext};
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::features::{MentorPool, RankScope, Ranked, mentee_features};
use super::scoring::ScoreView;
use crate::app::AppState;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::events::{Event, MatchEvent};
use crate::notify::{self, Detail, Notice};
use crate::store::audit::{self, Change, Subject};
use crate::store::matches::{self, Match, Move, NewProposal};
use crate::store::people::Person;
use crate::store::profiles::MenteeProfile;
use crate::store::requests::{self, Request};
use crate::store::{Inserts, people, policies, profiles, programs};

/// How many ranked mentors a proposal tries before the request waits: a
/// candidate can lose its last seat to another instance between ranking
/// and the seat's conditional update.
const CANDIDATES: usize = 10;

/// How many waiting requests one pass offers freed seats to.
const WAITING_BATCH: u64 = 50;

pub(crate) struct Work<'s> {
    pub txn: DatabaseTransaction,
    /// SQLite's writer queue, held until the transaction ends.
    writer: crate::db::WriteGate,
    state: &'s AppState,
    pub now: DateTime<Utc>,
    pub actor: Option<String>,
    pool: Option<Arc<MentorPool>>,
    /// Live counts this transaction moved (absolute, as the database returned them).
    live: HashMap<String, u32>,
    events: Vec<MatchEvent>,
    /// What the pairs concerned will be told, once committed.
    notices: Vec<Notice>,
    /// Mentors whose seats this transaction gave back.
    freed: Vec<String>,
    /// People told nothing: those leaving in this transaction.
    silenced: Vec<String>,
    /// The changes this transaction made, written at commit with its
    /// notifications in one call (see `store::Inserts`).
    pub trail: audit::Trail,
}

impl<'s> Work<'s> {
    /// A transaction that will not propose.
    pub async fn begin(
        state: &'s AppState,
        actor: Option<&str>,
        now: DateTime<Utc>,
    ) -> ApiResult<Self> {
        Self::start(state, actor, now, None).await
    }

    /// A transaction that may propose: the mentor pool is brought up to
    /// date first. Reading it needs a connection of its own, and taking one
    /// while this transaction holds another (and, on SQLite, the write
    /// lock that the pool's other connections queue for) could exhaust the
    /// pool; seats are still taken by conditional updates inside, so a pool
    /// a moment old never breaks capacity.
    pub async fn begin_proposing(
        state: &'s AppState,
        actor: Option<&str>,
        now: DateTime<Utc>,
    ) -> ApiResult<Self> {
        let pool = state.pool.get(&state.db).await?;
        Self::start(state, actor, now, Some(pool)).await
    }

    async fn start(
        state: &'s AppState,
        actor: Option<&str>,
        now: DateTime<Utc>,
        pool: Option<Arc<MentorPool>>,
    ) -> ApiResult<Self> {
        let (txn, writer) = begin_write(&state.db).await?;
        Ok(Self {
            txn,
            writer,
            state,
            now,
            actor: actor.map(str::to_owned),
            pool,
            live: HashMap::new(),
            events: Vec::new(),
            notices: Vec::new(),
            freed: Vec::new(),
            silenced: Vec::new(),
            trail: audit::Trail::default(),
        })
    }

    /// Publishes the moved loads, commits, announces the events, and offers
    /// any freed seat to waiting requests in a transaction of its own (a
    /// failure there is logged; the sweeper tries waiting requests again).
    pub async fn commit(self) -> ApiResult<()> {
        let (state, now) = (self.state, self.now);
        let freed = self.commit_only().await?;
        if !freed.is_empty()
            && let Err(e) = offer_seats(state, now, Some(freed)).await
        {
            tracing::warn!(error = %e, "offering freed seats to waiting requests failed; the sweeper retries");
        }
        Ok(())
    }

    /// Commits without offering freed seats; returns the mentors it freed.
    async fn commit_only(self) -> ApiResult<Vec<String>> {
        let Self {
            txn,
            writer,
            state,
            live,
            events,
            notices,
            freed,
            now,
            silenced,
            trail,
            ..
        } = self;
        let rows = notify::Rows::compose(&state.config.notify, now, &notices, &silenced)?;
        let mut inserts = Inserts::new(txn.get_database_backend());
        trail.add_to(&mut inserts);
        let written = rows.add_to(&mut inserts);
        inserts.run(&txn).await?;
        notify::announce(&txn, &written.inbox).await?;
        let mut mentors: Vec<String> = live.into_keys().collect();
        mentors.sort();
        matches::publish_load(&txn, &mentors).await?;
        txn.commit().await?;
        drop(writer);
        if !silenced.is_empty() {
            // Someone left: nobody's access is trusted from memory any more
            // (other PostgreSQL instances hear it from the person trigger).
            state.forget_access();
        }
        let mut events: Vec<Event> = events.into_iter().map(Event::Match).collect();
        events.extend(written.inbox.into_iter().map(Event::Notification));
        state.events.after_commit(&state.db, events);
        state.after_notifying(written.deliveries, &written.unmailed);
        Ok(freed)
    }

    /// Tells the pair of a match about `notice` once this transaction commits.
    pub fn notify(&mut self, notice: Notice) {
        self.notices.push(notice);
    }

    /// Tells `person_id` nothing of what this transaction does (they are
    /// leaving); the other sides are still told.
    pub fn silence(&mut self, person_id: &str) {
        self.silenced.push(person_id.to_owned());
    }

    fn pool(&self) -> ApiResult<Arc<MentorPool>> {
        self.pool.clone().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "a proposing transaction must start with Work::begin_proposing"
            ))
        })
    }

    /// Records a change in the audit trail, written at commit.
    fn record(
        &mut self,
        subject: Subject,
        id: &str,
        from: Option<&str>,
        to: &str,
        reason: Option<&str>,
    ) {
        let change = Change {
            actor_id: self.actor.as_deref(),
            subject,
            subject_id: id,
            from,
            to,
            reason,
            at: self.now,
        };
        self.trail.push(change);
    }

    /// Moves a request along its workflow (the domain decides), audited.
    pub async fn move_request(
        &mut self,
        request: &Request,
        action: RequestAction,
    ) -> ApiResult<RequestState> {
        let to = request.state.apply(action)?;
        if !requests::set_state(&self.txn, &request.id, request.state, to, self.now).await? {
            return Err(ApiError::Conflict(
                "the request changed meanwhile; read it again".into(),
            ));
        }
        self.record(
            Subject::Request,
            &request.id,
            Some(request.state.slug()),
            to.slug(),
            None,
        );
        Ok(to)
    }

    /// Moves a match along its workflow (the domain decides), audited and
    /// announced; gives the mentor's seat back when the match stops being
    /// live.
    pub async fn move_match(
        &mut self,
        proposal: &Match,
        action: MatchAction,
        detail: MoveDetail<'_>,
    ) -> ApiResult<Match> {
        let to = proposal.state.apply(action)?;
        let moved = Move {
            from: proposal.state,
            to,
            at: self.now,
            decline: detail.decline,
            end_reason: detail.end_reason,
        };
        if !matches::set_state(&self.txn, &proposal.id, moved).await? {
            return Err(ApiError::Conflict(
                "the match changed meanwhile; read it again".into(),
            ));
        }
        self.record(
            Subject::Match,
            &proposal.id,
            Some(proposal.state.slug()),
            to.slug(),
            detail.audit_reason,
        );
        if proposal.state.is_live()
            && !to.is_live()
            && let Some(live) = matches::release_seat(&self.txn, &proposal.mentor_id).await?
        {
            self.live.insert(proposal.mentor_id.clone(), live);
            self.freed.push(proposal.mentor_id.clone());
        }
        let told = Detail {
            decline_reason: detail.decline.map(|(r, _)| r.slug().to_owned()),
            message: detail.decline.and_then(|(_, m)| m.map(str::to_owned)),
            end_reason: detail.end_reason.map(str::to_owned),
            ..Detail::default()
        };
        self.announce(proposal, Some(proposal.state), to, told)
            .await?;
        let mut after = proposal.clone();
        after.state = to;
        if let Some((reason, message)) = detail.decline {
            after.decline_reason = Some(reason);
            after.decline_message = message.map(str::to_owned);
        }
        if let Some(reason) = detail.end_reason {
            after.end_reason = Some(reason.to_owned());
        }
        Ok(after)
    }

    /// Sends the match event and notes what the pair will be told.
    async fn announce(
        &mut self,
        proposal: &Match,
        previous: Option<MatchState>,
        state: MatchState,
        detail: Detail,
    ) -> ApiResult<()> {
        let by_mentee = self.actor.as_deref() == Some(proposal.mentee_id.as_str());
        if let Some(kind) = domain::notification::Kind::of_move(previous, state, by_mentee) {
            self.notices.push(Notice::about(kind, proposal, detail));
        }
        let event = MatchEvent {
            match_id: proposal.id.clone(),
            mentor_id: proposal.mentor_id.clone(),
            mentee_id: proposal.mentee_id.clone(),
            previous,
            state,
        };
        audit::notify(&self.txn, &event).await?;
        self.events.push(event);
        Ok(())
    }

    /// Proposes the best eligible mentor with a free seat for an open
    /// request (the preferred mentor first when eligible), under the policy
    /// in force, never one who declined it or let it expire. `None` when no
    /// one is eligible and free: the request stays open and waits.
    pub async fn propose(&mut self, request: &Request) -> ApiResult<Option<Match>> {
        self.propose_for(request, None).await
    }

    /// [`Work::propose`] with the mentee already read in this transaction.
    pub async fn propose_for(
        &mut self,
        request: &Request,
        mentee: Option<(Person, MenteeProfile)>,
    ) -> ApiResult<Option<Match>> {
        if request.state != RequestState::Open {
            return Ok(None);
        }
        let Some(setting) = self.setting(request, mentee).await? else {
            return Ok(None);
        };
        let policy = &setting.record.policy;
        let ctx = ScoreContext::for_proposal().with_declined(&setting.excluded);
        let mut candidates: Vec<Ranked> = Vec::new();
        if let Some(preferred) = &request.preferred_mentor_id
            && setting.only.as_ref().is_none_or(|o| o.contains(preferred))
            && let Some((features, Outcome::Eligible(score))) = setting.pool.score_one(
                preferred,
                &setting.compiled,
                policy,
                &ctx,
                self.live.get(preferred).copied(),
            )
            && score.total() >= policy.min_score()
        {
            candidates.push(Ranked { features, score });
        }
        let scope = RankScope {
            only: setting.only.as_deref(),
            live: &self.live,
        };
        candidates.extend(
            setting
                .pool
                .rank(&setting.compiled, policy, CANDIDATES, &ctx, &scope),
        );

        let to = request.state.apply(RequestAction::Propose)?;
        if !requests::set_state(&self.txn, &request.id, request.state, to, self.now).await? {
            // Another transaction answered this request first.
            return Ok(None);
        }
        for candidate in candidates {
            let mentor_id = candidate.features.person_id.clone();
            let Some(live) = matches::take_seat(&self.txn, &mentor_id).await? else {
                continue;
            };
            self.live.insert(mentor_id, live);
            let proposal = self
                .record_proposal(request, to, &candidate, &setting, None)
                .await?;
            return Ok(Some(proposal));
        }
        // Nobody free: back to waiting, as if never moved (same transaction).
        requests::set_state(&self.txn, &request.id, to, request.state, self.now).await?;
        Ok(None)
    }

    /// Proposes the mentor the OSPO chose for an open request: every hard
    /// constraint and the capacity hold as for any proposal (a breach is
    /// `CONFLICT`), the policy's minimum score does not (choosing is the
    /// OSPO's call), and the score is frozen the same way. `note` goes into
    /// the audit history.
    pub async fn propose_chosen(
        &mut self,
        request: &Request,
        mentor_id: &str,
        note: Option<&str>,
    ) -> ApiResult<Match> {
        if request.state != RequestState::Open {
            return Err(ApiError::Conflict(format!(
                "the request is {}; only an open request can be proposed",
                request.state
            )));
        }
        let setting = self.setting(request, None).await?.ok_or_else(|| {
            ApiError::Conflict("the mentee has no mentee profile to score against".into())
        })?;
        if setting
            .only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|id| id == mentor_id))
        {
            return Err(ApiError::Conflict(
                "the mentor is not enrolled as a mentor in the request's program".into(),
            ));
        }
        let ctx = ScoreContext::for_proposal().with_declined(&setting.excluded);
        let (features, outcome) = setting
            .pool
            .score_one(
                mentor_id,
                &setting.compiled,
                &setting.record.policy,
                &ctx,
                self.live.get(mentor_id).copied(),
            )
            .ok_or_else(|| ApiError::Conflict("the person has no mentor profile".into()))?;
        let score = match outcome {
            Outcome::Eligible(score) => score,
            Outcome::Ineligible(why) => {
                return Err(ApiError::Conflict(format!(
                    "this mentor cannot be proposed: {why}"
                )));
            }
        };
        let to = request.state.apply(RequestAction::Propose)?;
        if !requests::set_state(&self.txn, &request.id, request.state, to, self.now).await? {
            return Err(ApiError::Conflict(
                "the request changed meanwhile; read it again".into(),
            ));
        }
        let live = matches::take_seat(&self.txn, mentor_id)
            .await?
            .ok_or_else(|| {
                ApiError::Conflict("the mentor has no free seat (or stopped accepting)".into())
            })?;
        self.live.insert(mentor_id.to_owned(), live);
        self.record_proposal(request, to, &Ranked { features, score }, &setting, note)
            .await
    }

    /// What scoring a request needs: the mentee compiled against the pool,
    /// the policy in force, the mentors excluded and, for a program
    /// request, the program's mentors. `None` without a mentee profile.
    async fn setting(
        &self,
        request: &Request,
        mentee: Option<(Person, MenteeProfile)>,
    ) -> ApiResult<Option<Setting>> {
        let (mentee_person, profile) = match mentee {
            Some(known) => known,
            None => {
                let Some(profile) =
                    profiles::mentees(&self.txn, std::slice::from_ref(&request.mentee_id))
                        .await?
                        .pop()
                else {
                    return Ok(None);
                };
                let person = people::find(&self.txn, &request.mentee_id)
                    .await?
                    .ok_or(ApiError::NotFound("mentee"))?;
                (person, profile)
            }
        };
        let record = policies::in_force(&self.txn, request.program_id.as_deref()).await?;
        let features = mentee_features(&mentee_person, &profile)?;
        let pool = self.pool()?;
        let compiled = pool.compile_mentee(&features)?;
        let excluded = matches::excluded_mentors(&self.txn, &request.id).await?;
        let only = match &request.program_id {
            Some(program) => {
                Some(programs::enrolled(&self.txn, program, programs::Role::Mentor).await?)
            }
            None => None,
        };
        Ok(Some(Setting {
            features,
            compiled,
            record,
            pool,
            excluded,
            only,
        }))
    }

    /// Inserts the proposal for a mentor whose seat is already taken, with
    /// its frozen score and explanations, audited and announced.
    async fn record_proposal(
        &mut self,
        request: &Request,
        to: RequestState,
        candidate: &Ranked,
        setting: &Setting,
        note: Option<&str>,
    ) -> ApiResult<Match> {
        let mentor_id = &candidate.features.person_id;
        let policy = &setting.record.policy;
        let explanations = scoring::explain(
            &candidate.features,
            &setting.features,
            &candidate.score,
            &setting.pool.names,
        );
        let view = ScoreView::scored(&candidate.score, explanations, policy.version());
        let breakdown = serde_json::to_string(&view.breakdown_json())
            .map_err(|e| ApiError::Internal(e.into()))?;
        let expires_at =
            self.now + chrono::Duration::hours(i64::from(setting.record.proposal_sla_hours));
        let new = NewProposal {
            id: people::new_id(),
            request_id: &request.id,
            mentor_id,
            mentee_id: &request.mentee_id,
            program_id: request.program_id.as_deref(),
            score_total: candidate.score.total(),
            score_breakdown: breakdown,
            policy_version: policy.version(),
            proposed_at: self.now,
            expires_at,
            requested_at: request.created_at,
        };
        matches::insert_proposal(&self.txn, &new).await?;
        self.record(
            Subject::Request,
            &request.id,
            Some(request.state.slug()),
            to.slug(),
            note,
        );
        self.record(
            Subject::Match,
            &new.id,
            None,
            MatchState::Proposed.slug(),
            note,
        );
        let proposal = Match {
            id: new.id.clone(),
            request_id: request.id.clone(),
            mentor_id: mentor_id.clone(),
            mentee_id: request.mentee_id.clone(),
            program_id: request.program_id.clone(),
            state: MatchState::Proposed,
            score_total: new.score_total,
            score_breakdown: new.score_breakdown.clone(),
            policy_version: new.policy_version,
            proposed_at: self.now,
            expires_at: Some(expires_at),
            decline_reason: None,
            decline_message: None,
            end_reason: None,
            answered_at: None,
            finished_at: None,
            reminders_sent: 0,
        };
        let told = Detail {
            goals: Some(request.goals.clone()),
            reasons: notify::top_reasons(&proposal.score_breakdown, 3),
            expires_at: Some(expires_at),
            ..Detail::default()
        };
        self.announce(&proposal, None, MatchState::Proposed, told)
            .await?;
        if !setting.excluded.is_empty() {
            // An earlier mentor declined, let it expire or was cancelled:
            // the mentee hears where their request went.
            let moved_on = Detail {
                expires_at: Some(expires_at),
                ..Detail::default()
            };
            self.notices.push(Notice::about(
                domain::notification::Kind::RequestReproposed,
                &proposal,
                moved_on,
            ));
        }
        Ok(proposal)
    }

    /// After a proposal ended unanswered: the request re-opens and the
    /// next-best mentor is proposed at once, in this transaction.
    pub async fn reopen_and_cascade(&mut self, request: &Request) -> ApiResult<Option<Match>> {
        let state = self.move_request(request, RequestAction::Reopen).await?;
        let reopened = Request {
            state,
            ..request.clone()
        };
        // Program requests cascade only once the program runs.
        if let Some(program) = &request.program_id {
            let running = programs::find(&self.txn, program)
                .await?
                .is_some_and(|p| p.status == domain::program::ProgramStatus::Running);
            if !running {
                return Ok(None);
            }
        }
        self.propose(&reopened).await
    }
}

/// A request's scoring setting, read once per proposal.
struct Setting {
    features: MenteeFeatures,
    compiled: CompiledMentee,
    record: policies::PolicyRecord,
    pool: Arc<MentorPool>,
    excluded: Vec<String>,
    only: Option<Vec<String>>,
}

/// What goes with a match's move besides its new state.
#[derive(Default)]
pub(crate) struct MoveDetail<'a> {
    pub decline: Option<(domain::mentorship::DeclineReason, Option<&'a str>)>,
    pub end_reason: Option<&'a str>,
    /// Shown in the audit history (the decline reason, the end reason).
    pub audit_reason: Option<&'a str>,
}

/// Offers free seats to waiting requests, oldest first, each in its own
/// short transaction. With `freed`, only requests one of those mentors
/// could take are tried; the sweeper passes `None` to retry every waiting
/// request. Returns how many were proposed.
pub async fn offer_seats(
    state: &AppState,
    now: DateTime<Utc>,
    freed: Option<Vec<String>>,
) -> ApiResult<usize> {
    let waiting = requests::waiting(&state.db, WAITING_BATCH).await?;
    let mut chosen = Vec::with_capacity(waiting.len());
    for request in waiting {
        if let Some(freed) = &freed
            && !any_could_take(state, &request, freed).await?
        {
            continue;
        }
        chosen.push(request.id);
    }
    propose_requests(state, now, &chosen).await
}

/// Proposes for each of these requests that is still open, in order, each
/// in a short transaction of its own. Returns how many were proposed.
pub async fn propose_requests(
    state: &AppState,
    now: DateTime<Utc>,
    request_ids: &[String],
) -> ApiResult<usize> {
    let mut proposed = 0;
    for id in request_ids {
        let mut work = Work::begin_proposing(state, None, now).await?;
        let Some(current) = requests::lock(&work.txn, id).await? else {
            continue;
        };
        if work.propose(&current).await?.is_some() {
            proposed += 1;
        }
        work.commit_only().await?;
    }
    Ok(proposed)
}

/// Whether one of `mentors` has a seat and would be eligible for `request`
/// (from the committed pool; the proposal itself re-checks in its transaction).
async fn any_could_take(
    state: &AppState,
    request: &Request,
    mentors: &[String],
) -> ApiResult<bool> {
    let pool = state.pool.get(&state.db).await?;
    let Some(profile) = profiles::mentees(&state.db, std::slice::from_ref(&request.mentee_id))
        .await?
        .pop()
    else {
        return Ok(false);
    };
    let Some(person) = people::find(&state.db, &request.mentee_id).await? else {
        return Ok(false);
    };
    let mentee = pool.compile_mentee(&mentee_features(&person, &profile)?)?;
    let record = policies::in_force(&state.db, request.program_id.as_deref()).await?;
    let excluded = matches::excluded_mentors(&state.db, &request.id).await?;
    let ctx = ScoreContext::for_proposal().with_declined(&excluded);
    Ok(mentors.iter().any(|id| {
        matches!(
            pool.score_one(id, &mentee, &record.policy, &ctx, None),
            Some((_, Outcome::Eligible(score))) if score.total() >= record.policy.min_score()
        )
    }))
}
