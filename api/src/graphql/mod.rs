//! The GraphQL schema: one `MergedObject` per root, one module per
//! capability. Resolvers are thin: they read the [`Viewer`], parse input into
//! domain types, call one service function and wrap the result.

pub mod cases;
pub mod catalog;
pub mod cohort;
pub mod documents;
pub mod enums;
pub mod import;
pub mod limits;
pub mod loaders;
pub mod matches;
pub mod notifications;
pub mod pagination;
pub mod people;
pub mod privacy;
pub mod programs;
pub mod reports;
pub mod scalars;
pub mod scoring;
pub mod subscriptions;
pub mod variables;

use async_graphql::{Context, MergedObject, Schema};

use crate::app::AppState;
use crate::config::Config;
use crate::error::ApiError;
use crate::service::Viewer;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    people::PeopleQuery,
    catalog::CatalogQuery,
    programs::ProgramQuery,
    scoring::ScoringQuery,
    matches::MatchQuery,
    reports::ReportQuery,
    cases::CaseQuery,
    notifications::NotificationQuery,
    privacy::PrivacyQuery,
);

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    people::PeopleMutation,
    catalog::CatalogMutation,
    programs::ProgramMutation,
    scoring::ScoringMutation,
    cohort::CohortMutation,
    matches::MatchMutation,
    import::ImportMutation,
    cases::CaseMutation,
    notifications::NotificationMutation,
    privacy::PrivacyMutation,
);

pub type TandemSchema = Schema<QueryRoot, MutationRoot, subscriptions::Subscription>;

/// Builds the schema with the configured limits; per-request data (viewer,
/// loaders) is added by the HTTP layer.
pub fn build(config: &Config) -> TandemSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscriptions::Subscription,
    )
    .limit_depth(config.limits.max_depth)
    .limit_complexity(config.limits.max_complexity)
    .limit_directives(config.limits.max_directives)
    .limit_recursive_depth(64);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if !config.suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The SDL of the schema as served (limits do not change it).
pub fn sdl() -> String {
    build(&Config::for_tests("sqlite::memory:", "")).sdl()
}

pub(crate) fn viewer<'a>(ctx: &'a Context<'_>) -> Result<&'a Viewer, ApiError> {
    ctx.data_opt::<Viewer>().ok_or(ApiError::Unauthenticated)
}

pub(crate) fn state<'a>(ctx: &'a Context<'_>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

pub(crate) fn loaders<'a>(ctx: &'a Context<'_>) -> &'a loaders::Loaders {
    ctx.data_unchecked::<loaders::Loaders>()
}
