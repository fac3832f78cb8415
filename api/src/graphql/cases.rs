//! The OSPO's case handling (OSPO only, `FORBIDDEN` otherwise): request and
//! match lists by state (also on `Program`), the people search behind the
//! pickers, a proposal by hand and a cancelled proposal.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use domain::values::{bounded_text, required_text};

use super::matches::{Match, MatchState, MentorshipRequest, RequestState};
use super::pagination::{Cursor, Page};
use super::people::Person;
use super::{state, viewer};
use crate::error::ApiError;
use crate::service::cases::{self as svc, ChosenMentor};
use crate::store::requests::InProgram;

type Result<T> = async_graphql::Result<T>;

/// Requests in `scope`, newest first; shared by the root and `Program`.
pub(crate) async fn request_page(
    ctx: &Context<'_>,
    scope: InProgram<'_>,
    states: Option<Vec<RequestState>>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<Cursor, MentorshipRequest>> {
    let ospo = viewer(ctx)?.as_ospo()?;
    let page = Page::parse(ctx, first, after)?;
    let states: Vec<_> = states
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect();
    let rows = svc::requests(
        &state(ctx).db,
        ospo,
        scope,
        &states,
        page.after.as_deref(),
        page.limit(),
    )
    .await?;
    Ok(page.connection(rows, |r| r.id.clone(), MentorshipRequest))
}

/// Matches in `scope`, newest first; shared by the root and `Program`.
pub(crate) async fn match_page(
    ctx: &Context<'_>,
    scope: InProgram<'_>,
    states: Option<Vec<MatchState>>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<Cursor, Match>> {
    let ospo = viewer(ctx)?.as_ospo()?;
    let page = Page::parse(ctx, first, after)?;
    let states: Vec<_> = states
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect();
    let rows = svc::matches(
        &state(ctx).db,
        ospo,
        scope,
        &states,
        page.after.as_deref(),
        page.limit(),
    )
    .await?;
    Ok(page.connection(rows, |m| m.id.clone(), Match))
}

fn scope(include_programs: bool) -> InProgram<'static> {
    if include_programs {
        InProgram::Any
    } else {
        InProgram::Outside
    }
}

#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// Requests outside programs (every request with `includePrograms`),
    /// newest first, in `states` (all when omitted). OSPO only; a program's
    /// own are `Program.requests`.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn requests(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<RequestState>>,
        #[graphql(default = false)] include_programs: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Cursor, MentorshipRequest>> {
        request_page(ctx, scope(include_programs), states, first, after).await
    }

    /// Matches outside programs (every match with `includePrograms`),
    /// newest first, in `states` (all when omitted). OSPO only; a program's
    /// own are `Program.matches`.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn matches(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<MatchState>>,
        #[graphql(default = false)] include_programs: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Cursor, Match>> {
        match_page(ctx, scope(include_programs), states, first, after).await
    }

    /// People whose name, email or department contains `search` (any
    /// case), by name; everyone without `search`. OSPO only.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn people(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Cursor, Person>> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let page = Page::parse(ctx, first, after)?;
        let search = search
            .map(|s| bounded_text("search", &s, 200, false))
            .transpose()
            .map_err(ApiError::from)?;
        let rows = svc::people(
            &state(ctx).db,
            ospo,
            search.as_deref(),
            page.after.as_deref(),
            page.limit(),
        )
        .await?;
        Ok(page.connection(rows, svc::person_cursor, Person))
    }
}

#[derive(InputObject)]
pub struct ProposeMatchInput {
    pub request_id: ID,
    pub mentor_id: ID,
    /// Why this mentor; shown in the request's and the match's history.
    pub note: Option<String>,
}

#[derive(Default)]
pub struct CaseMutation;

#[Object]
impl CaseMutation {
    /// The OSPO proposes a mentor it chose for an open request. Hard
    /// constraints and capacity hold as for any proposal (`CONFLICT`
    /// otherwise); the score is frozen; the note goes into the history.
    async fn propose_match(&self, ctx: &Context<'_>, input: ProposeMatchInput) -> Result<Match> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let note = input
            .note
            .map(|n| bounded_text("note", &n, 1000, true))
            .transpose()
            .map_err(ApiError::from)?;
        let chosen = ChosenMentor {
            request_id: input.request_id.0,
            mentor_id: input.mentor_id.0,
            note,
        };
        Ok(Match(svc::propose(state(ctx), ospo, chosen).await?))
    }

    /// The OSPO cancels a live proposal, with a reason for the history; the
    /// request cascades to the next-best mentor as after a decline.
    async fn cancel_proposal(
        &self,
        ctx: &Context<'_>,
        match_id: ID,
        reason: String,
    ) -> Result<Match> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let reason = required_text("reason", &reason, 1000, true).map_err(ApiError::from)?;
        Ok(Match(
            svc::cancel(state(ctx), ospo, &match_id, &reason).await?,
        ))
    }
}
