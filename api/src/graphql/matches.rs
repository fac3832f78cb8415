//! Requests and matches over GraphQL: the lifecycle's types, queries and
//! mutations. Resolvers parse input, call one service function and wrap
//! the record; visibility lives in `service`.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::mentorship::{self as dm, Rating};
use domain::values::{OsmmLevel, bounded_text, required_text};

use super::enums::MentoringTopic;
use super::pagination::{Cursor, Page};
use super::people::Person;
use super::programs::{MatchRole, Program};
use super::scalars::Date;
use super::scoring::ScoreResult;
use super::{loaders, loaders::loaded, state, viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::matches::{self as svc, CheckInDraft, Decline, FeedbackDraft, MilestoneDraft};
use crate::service::requests::{self as requests_svc, RequestDraft};
use crate::service::scoring::ScoreView;
use crate::store::audit::AuditEntry;
use crate::store::{matches as store, requests as request_store};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "MatchState", remote = "domain::mentorship::MatchState")]
pub enum MatchState {
    Proposed,
    Active,
    Completed,
    EndedEarly,
    Declined,
    Expired,
    Cancelled,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "RequestState", remote = "domain::mentorship::RequestState")]
pub enum RequestState {
    Open,
    Proposed,
    Matched,
    Closed,
    Withdrawn,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "DeclineReason", remote = "domain::mentorship::DeclineReason")]
pub enum DeclineReason {
    NotRightExpertise,
    NoTimeNow,
    AnotherMentorBetter,
    Other,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "MilestoneKind", remote = "domain::mentorship::MilestoneKind")]
pub enum MilestoneKind {
    FirstContribution,
    BecameCommitter,
    BecameMaintainer,
    TalkGiven,
    EventOrganized,
    ProjectLaunched,
    JoinedWorkingGroup,
    LevelUp,
}

fn side(role: MatchRole) -> dm::Side {
    match role {
        MatchRole::Mentor => dm::Side::Mentor,
        MatchRole::Mentee => dm::Side::Mentee,
    }
}

fn role(side: dm::Side) -> MatchRole {
    match side {
        dm::Side::Mentor => MatchRole::Mentor,
        dm::Side::Mentee => MatchRole::Mentee,
    }
}

async fn person(ctx: &Context<'_>, id: &str) -> async_graphql::Result<Person> {
    loaded(loaders(ctx).people().load_one(id.to_owned()).await)?
        .map(Person)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a match names a missing person")).into())
}

/// One state change, from the audit trail.
pub struct AuditEvent(pub AuditEntry);

#[Object]
impl AuditEvent {
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who made the change; null for the system (expiry by the sweeper).
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = &self.0.actor_id else {
            return Ok(None);
        };
        Ok(loaded(loaders(ctx).people().load_one(id.clone()).await)?.map(Person))
    }
    /// The state before, in lower case; null for a creation.
    async fn from(&self) -> Option<&str> {
        self.0.from.as_deref()
    }
    async fn to(&self) -> &str {
        &self.0.to
    }
    /// The decline reason or the reason a mentorship ended early.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

pub struct MentorshipRequest(pub request_store::Request);

#[Object]
impl MentorshipRequest {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn state(&self) -> RequestState {
        self.0.state.into()
    }
    async fn goals(&self) -> &str {
        &self.0.goals
    }
    async fn mentee(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        person(ctx, &self.0.mentee_id).await
    }
    async fn program(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Program>> {
        let Some(id) = &self.0.program_id else {
            return Ok(None);
        };
        Ok(crate::store::programs::find(&state(ctx).db, id)
            .await
            .map_err(ApiError::from)?
            .map(Program))
    }
    /// The mentor the mentee asked for, if any (they may not be the one proposed).
    async fn preferred_mentor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = &self.0.preferred_mentor_id else {
            return Ok(None);
        };
        Ok(Some(person(ctx, id).await?))
    }
    /// The live (proposed or active) match, if any.
    async fn current_match(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Match>> {
        let found = loaded(
            loaders(ctx)
                .live_matches()
                .load_one(self.0.id.clone())
                .await,
        )?;
        let viewer = viewer(ctx)?;
        Ok(found.filter(|m| svc::may_read(viewer, m)).map(Match))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Every state change, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AuditEvent>> {
        let entries = requests_svc::history(&state(ctx).db, &self.0).await?;
        Ok(entries.into_iter().map(AuditEvent).collect())
    }
}

pub struct Match(pub store::Match);

#[Object]
impl Match {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn state(&self) -> MatchState {
        self.0.state.into()
    }
    async fn mentor(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        person(ctx, &self.0.mentor_id).await
    }
    async fn mentee(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        person(ctx, &self.0.mentee_id).await
    }
    async fn request(&self, ctx: &Context<'_>) -> async_graphql::Result<MentorshipRequest> {
        loaded(
            loaders(ctx)
                .requests()
                .load_one(self.0.request_id.clone())
                .await,
        )?
        .map(MentorshipRequest)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a match without its request")).into())
    }
    /// The breakdown frozen when the mentor was proposed.
    async fn score(&self) -> async_graphql::Result<ScoreResult> {
        Ok(ScoreView::from_breakdown_json(&self.0.score_breakdown)?.into())
    }
    async fn proposed_at(&self) -> DateTime<Utc> {
        self.0.proposed_at
    }
    /// When an unanswered proposal expires.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// When the mentor accepted or declined (or the proposal expired or was cancelled).
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    /// When the mentorship completed or ended early.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    async fn decline_reason(&self) -> Option<DeclineReason> {
        self.0.decline_reason.map(Into::into)
    }
    /// The mentor's message to the mentee with a decline.
    async fn decline_message(&self) -> Option<&str> {
        self.0.decline_message.as_deref()
    }
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    /// Check-ins in the order they were logged; notes for the pair only.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, CheckIn>> {
        let page = Page::parse(ctx, first, after)?;
        let rows =
            svc::check_ins(&state(ctx).db, &self.0, page.after.as_deref(), page.limit()).await?;
        let is_party = self.0.is_party(&viewer(ctx)?.person_id);
        Ok(page.connection(rows, |c| c.id.clone(), |c| CheckIn(c, is_party)))
    }
    /// Every state change, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AuditEvent>> {
        let entries = svc::history(&state(ctx).db, &self.0).await?;
        Ok(entries.into_iter().map(AuditEvent).collect())
    }
    /// Whether the caller's side of the pair has given its feedback; null
    /// for anyone outside the pair.
    async fn feedback_given(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        let Some(side) = self.0.side_of(&viewer(ctx)?.person_id) else {
            return Ok(None);
        };
        let given = loaded(loaders(ctx).feedback().load_one(self.0.id.clone()).await)?;
        Ok(Some(given.is_some_and(|sides| sides.contains(&side))))
    }
}

/// A check-in; the flag says whether the caller is one of the pair.
pub struct CheckIn(pub store::CheckIn, bool);

#[Object]
impl CheckIn {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn date(&self) -> Date {
        Date(self.0.held_on)
    }
    async fn minutes(&self) -> i32 {
        i32::from(self.0.minutes)
    }
    async fn topics(&self) -> Vec<MentoringTopic> {
        self.0.topics.iter().map(|&t| t.into()).collect()
    }
    /// The pair's own notes: null for anyone else, the OSPO included.
    async fn notes(&self) -> Option<&str> {
        self.1.then_some(self.0.notes.as_deref()).flatten()
    }
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        person(ctx, &self.0.author_id).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Milestone(pub store::Milestone);

#[Object]
impl Milestone {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn kind(&self) -> MilestoneKind {
        self.0.kind.into()
    }
    /// The mentee's level after a `LEVEL_UP`.
    async fn new_level(&self) -> Option<i32> {
        self.0.new_level.map(i32::from)
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(SimpleObject)]
pub struct Feedback {
    pub rating: i32,
    pub comment: Option<String>,
    /// The side that gave it.
    pub side: MatchRole,
    pub created_at: DateTime<Utc>,
}

impl From<store::Feedback> for Feedback {
    fn from(f: store::Feedback) -> Self {
        Self {
            rating: i32::from(f.rating),
            comment: f.comment,
            side: role(f.side),
            created_at: f.created_at,
        }
    }
}

#[derive(InputObject)]
pub struct RequestMentorshipInput {
    pub goals: String,
    pub program_id: Option<ID>,
    pub preferred_mentor_id: Option<ID>,
}

#[derive(InputObject)]
pub struct DeclineProposalInput {
    pub match_id: ID,
    pub reason: DeclineReason,
    /// A message to the mentee.
    pub message: Option<String>,
}

#[derive(InputObject)]
pub struct CompleteMatchInput {
    pub match_id: ID,
}

#[derive(InputObject)]
pub struct EndMatchInput {
    pub match_id: ID,
    pub reason: String,
}

#[derive(InputObject)]
pub struct CheckInInput {
    pub match_id: ID,
    pub date: Date,
    /// 1 to 600.
    pub minutes: i32,
    pub topics: Option<Vec<MentoringTopic>>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct MilestoneInput {
    pub match_id: ID,
    pub kind: MilestoneKind,
    /// With `LEVEL_UP` only: above the mentee's current level, at most 5.
    pub new_level: Option<i32>,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct FeedbackInput {
    pub match_id: ID,
    /// 1 to 5.
    pub rating: i32,
    pub comment: Option<String>,
}

/// Free text that may be absent; empty means absent.
fn optional_text(
    field: &'static str,
    raw: Option<String>,
    max: usize,
) -> ApiResult<Option<String>> {
    Ok(raw
        .map(|t| bounded_text(field, &t, max, true))
        .transpose()?
        .filter(|t| !t.is_empty()))
}

impl CheckInInput {
    fn parse(self) -> ApiResult<(ID, CheckInDraft)> {
        let minutes = u16::try_from(self.minutes)
            .ok()
            .filter(|m| (1..=600).contains(m))
            .ok_or_else(|| {
                ApiError::BadUserInput(format!(
                    "minutes must be between 1 and 600, got {}",
                    self.minutes
                ))
            })?;
        let mut topics: Vec<domain::values::MentoringTopic> = self
            .topics
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        topics.sort();
        topics.dedup();
        Ok((
            self.match_id,
            CheckInDraft {
                held_on: self.date.0,
                minutes,
                topics,
                notes: optional_text("notes", self.notes, 10_000)?,
            },
        ))
    }
}

#[derive(Default)]
pub struct MatchQuery;

#[Object]
impl MatchQuery {
    /// The caller's requests as mentee, newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn my_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, MentorshipRequest>> {
        let viewer = viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let rows =
            requests_svc::mine(&state(ctx).db, viewer, page.after.as_deref(), page.limit()).await?;
        Ok(page.connection(rows, |r| r.id.clone(), MentorshipRequest))
    }

    /// The caller's matches (as mentor, as mentee, or both), newest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn my_matches(
        &self,
        ctx: &Context<'_>,
        role: Option<MatchRole>,
        states: Option<Vec<MatchState>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Match>> {
        let viewer = viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let states: Vec<dm::MatchState> = states
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let rows = svc::mine(
            &state(ctx).db,
            viewer,
            role.map(side),
            &states,
            page.after.as_deref(),
            page.limit(),
        )
        .await?;
        Ok(page.connection(rows, |m| m.id.clone(), Match))
    }

    /// A request, or null when absent or not visible to the caller.
    async fn request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<MentorshipRequest>> {
        Ok(requests_svc::find(&state(ctx).db, viewer(ctx)?, &id)
            .await?
            .map(MentorshipRequest))
    }

    /// A match, or null when absent or not visible to the caller.
    #[graphql(name = "match")]
    async fn match_(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Match>> {
        Ok(svc::find(&state(ctx).db, viewer(ctx)?, &id)
            .await?
            .map(Match))
    }
}

#[derive(Default)]
pub struct MatchMutation;

#[Object]
impl MatchMutation {
    /// Asks for a mentor. The best eligible mentor with a free seat (the
    /// preferred one when eligible) is proposed at once; otherwise the
    /// request waits OPEN until a seat frees up.
    async fn request_mentorship(
        &self,
        ctx: &Context<'_>,
        input: RequestMentorshipInput,
    ) -> async_graphql::Result<MentorshipRequest> {
        let viewer = viewer(ctx)?;
        let draft = RequestDraft {
            goals: required_text("goals", &input.goals, 4000, true).map_err(ApiError::from)?,
            program_id: input.program_id.map(|id| id.0),
            preferred_mentor_id: input.preferred_mentor_id.map(|id| id.0),
        };
        let request = requests_svc::request_mentorship(state(ctx), viewer, draft).await?;
        Ok(MentorshipRequest(request))
    }

    /// Withdraws the caller's request before a match is active; a live
    /// proposal is cancelled.
    async fn withdraw_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<MentorshipRequest> {
        let request = requests_svc::withdraw(state(ctx), viewer(ctx)?, &id).await?;
        Ok(MentorshipRequest(request))
    }

    /// The proposed mentor accepts: the match is ACTIVE, the request MATCHED.
    async fn accept_proposal(
        &self,
        ctx: &Context<'_>,
        match_id: ID,
    ) -> async_graphql::Result<Match> {
        Ok(Match(
            svc::accept(state(ctx), viewer(ctx)?, &match_id).await?,
        ))
    }

    /// The proposed mentor declines; the next-best eligible mentor is
    /// proposed in the same transaction.
    async fn decline_proposal(
        &self,
        ctx: &Context<'_>,
        input: DeclineProposalInput,
    ) -> async_graphql::Result<Match> {
        let decline = Decline {
            reason: input.reason.into(),
            message: optional_text("message", input.message, 2000)?,
        };
        Ok(Match(
            svc::decline(state(ctx), viewer(ctx)?, &input.match_id, decline).await?,
        ))
    }

    /// Either side completes an active mentorship.
    async fn complete_match(
        &self,
        ctx: &Context<'_>,
        input: CompleteMatchInput,
    ) -> async_graphql::Result<Match> {
        Ok(Match(
            svc::finish(state(ctx), viewer(ctx)?, &input.match_id, None).await?,
        ))
    }

    /// Either side ends an active mentorship early, with a reason.
    async fn end_match_early(
        &self,
        ctx: &Context<'_>,
        input: EndMatchInput,
    ) -> async_graphql::Result<Match> {
        let reason = required_text("reason", &input.reason, 1000, true).map_err(ApiError::from)?;
        Ok(Match(
            svc::finish(state(ctx), viewer(ctx)?, &input.match_id, Some(&reason)).await?,
        ))
    }

    /// The pair logs a check-in on an active mentorship.
    async fn log_check_in(
        &self,
        ctx: &Context<'_>,
        input: CheckInInput,
    ) -> async_graphql::Result<CheckIn> {
        let (match_id, draft) = input.parse()?;
        let check_in = svc::log_check_in(state(ctx), viewer(ctx)?, &match_id, draft).await?;
        Ok(CheckIn(check_in, true))
    }

    /// The pair records a milestone; `LEVEL_UP` raises the mentee's level.
    async fn record_milestone(
        &self,
        ctx: &Context<'_>,
        input: MilestoneInput,
    ) -> async_graphql::Result<Milestone> {
        let new_level = input
            .new_level
            .map(|l| OsmmLevel::try_from(i64::from(l)))
            .transpose()
            .map_err(ApiError::from)?;
        let draft = MilestoneDraft {
            kind: input.kind.into(),
            new_level,
            note: optional_text("note", input.note, 2000)?,
        };
        Ok(Milestone(
            svc::record_milestone(state(ctx), viewer(ctx)?, &input.match_id, draft).await?,
        ))
    }

    /// Each side rates a finished mentorship once.
    async fn give_feedback(
        &self,
        ctx: &Context<'_>,
        input: FeedbackInput,
    ) -> async_graphql::Result<Feedback> {
        let rating = Rating::try_from(i64::from(input.rating)).map_err(ApiError::from)?;
        let draft = FeedbackDraft {
            rating,
            comment: optional_text("comment", input.comment, 4000)?,
        };
        Ok(
            svc::give_feedback(state(ctx), viewer(ctx)?, &input.match_id, draft)
                .await?
                .into(),
        )
    }
}
