//! Programs: queries for everyone signed in, writes for the OSPO.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use domain::values::{bounded_text, required_text};

use super::cases::{match_page, request_page};
use super::matches::{Match, MatchState, MentorshipRequest, RequestState};
use super::pagination::{Cursor, Page};
use super::people::Person;
use super::scalars::Date;
use super::{loaders, loaders::loaded, state, viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::programs::{self as svc, ProgramDraft};
use crate::store::programs::{self as store, Role};
use crate::store::requests::InProgram;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "ProgramStatus", remote = "domain::program::ProgramStatus")]
pub enum ProgramStatus {
    Draft,
    Open,
    Matching,
    Running,
    Closed,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MatchRole {
    Mentor,
    Mentee,
}

impl From<MatchRole> for Role {
    fn from(role: MatchRole) -> Self {
        match role {
            MatchRole::Mentor => Role::Mentor,
            MatchRole::Mentee => Role::Mentee,
        }
    }
}

pub struct Program(pub store::Program);

#[Object]
impl Program {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn status(&self) -> ProgramStatus {
        self.0.status.into()
    }
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }

    /// The program's requests, newest first, in `states` (all when
    /// omitted). OSPO only.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn requests(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<RequestState>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, MentorshipRequest>> {
        request_page(ctx, InProgram::This(&self.0.id), states, first, after).await
    }

    /// The program's matches, newest first, in `states` (all when
    /// omitted). OSPO only.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn matches(
        &self,
        ctx: &Context<'_>,
        states: Option<Vec<MatchState>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Match>> {
        match_page(ctx, InProgram::This(&self.0.id), states, first, after).await
    }
    /// The matching policy in force: the program's latest version, else the default policy.
    async fn policy(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<super::scoring::MatchingPolicy> {
        let record =
            crate::service::policies::policy_in_force(&state(ctx).db, Some(&self.0.id)).await?;
        Ok(record.into())
    }
    /// Enrolled people in `role`, in id order (OSPO only).
    async fn enrolled(
        &self,
        ctx: &Context<'_>,
        role: MatchRole,
    ) -> async_graphql::Result<Vec<Person>> {
        viewer(ctx)?.as_ospo()?;
        let ids = store::enrolled(&state(ctx).db, &self.0.id, role.into())
            .await
            .map_err(ApiError::from)?;
        let found = loaded(loaders(ctx).people().load_many(ids.iter().cloned()).await)?;
        Ok(ids
            .iter()
            .filter_map(|id| found.get(id).cloned().map(Person))
            .collect())
    }
}

#[derive(InputObject)]
pub struct ProgramInput {
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct EnrollInput {
    pub program_id: ID,
    pub person_ids: Vec<ID>,
    pub role: MatchRole,
}

/// Enough for a large cohort in one call, small enough to bound one transaction.
const MAX_ENROLL: usize = 5000;

impl ProgramInput {
    fn parse(self) -> ApiResult<ProgramDraft> {
        Ok(ProgramDraft {
            name: required_text("name", &self.name, 200, false)?,
            description: self
                .description
                .map(|d| bounded_text("description", &d, 4000, true))
                .transpose()?
                .filter(|d| !d.is_empty()),
            starts_on: self.starts_on.0,
            ends_on: self.ends_on.0,
        })
    }
}

#[derive(Default)]
pub struct ProgramQuery;

#[Object]
impl ProgramQuery {
    /// Programs in creation order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Program>> {
        viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let rows = store::page(&state(ctx).db, page.after.as_deref(), page.limit())
            .await
            .map_err(ApiError::from)?;
        Ok(page.connection(rows, |p| p.id.clone(), Program))
    }

    async fn program(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Program>> {
        Ok(svc::find(&state(ctx).db, viewer(ctx)?, &id)
            .await?
            .map(Program))
    }
}

#[derive(Default)]
pub struct ProgramMutation;

#[Object]
impl ProgramMutation {
    /// Creates a program in `DRAFT` (OSPO only).
    async fn create_program(
        &self,
        ctx: &Context<'_>,
        input: ProgramInput,
    ) -> async_graphql::Result<Program> {
        let ospo = viewer(ctx)?.as_ospo()?;
        Ok(Program(
            svc::create(&state(ctx).db, ospo, input.parse()?).await?,
        ))
    }

    /// Moves a program along its workflow; an illegal move is a CONFLICT (OSPO only).
    async fn set_program_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ProgramStatus,
    ) -> async_graphql::Result<Program> {
        let ospo = viewer(ctx)?.as_ospo()?;
        Ok(Program(
            svc::set_status(state(ctx), ospo, &id, status.into()).await?,
        ))
    }

    /// Enrolls people as mentors or mentees; each mentee gets an open program
    /// request (OSPO only).
    async fn enroll(
        &self,
        ctx: &Context<'_>,
        input: EnrollInput,
    ) -> async_graphql::Result<Program> {
        let ospo = viewer(ctx)?.as_ospo()?;
        if input.person_ids.is_empty() || input.person_ids.len() > MAX_ENROLL {
            return Err(ApiError::BadUserInput(format!(
                "personIds must list 1 to {MAX_ENROLL} people"
            ))
            .into());
        }
        let ids = input.person_ids.into_iter().map(|id| id.0).collect();
        Ok(Program(
            svc::enroll(state(ctx), ospo, &input.program_id, ids, input.role.into()).await?,
        ))
    }
}
