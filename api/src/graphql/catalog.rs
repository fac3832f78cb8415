//! Catalog types, their connections and the OSPO-only upserts.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use domain::values::{Slug, bounded_text, required_text};

use super::loaders::{FoundationId, loaded};
use super::pagination::{Cursor, Page};
use super::{loaders, state, viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::catalog::{self as svc, FoundationDraft, ProjectDraft, SkillDraft};
use crate::store::catalog as store;

pub struct Skill(pub store::Skill);
pub struct Foundation(pub store::Foundation);
pub struct Project(pub store::Project);

#[Object]
impl Skill {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }
}

#[Object]
impl Foundation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
}

#[Object]
impl Project {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn repository_url(&self) -> Option<&str> {
        self.0.repository_url.as_deref()
    }
    /// The foundation hosting the project, if any.
    async fn foundation(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Foundation>> {
        let Some(id) = self.0.foundation_id else {
            return Ok(None);
        };
        Ok(loaded(loaders(ctx).catalog().load_one(FoundationId(id)).await)?.map(Foundation))
    }
}

#[derive(InputObject)]
pub struct SkillInput {
    pub slug: String,
    pub name: String,
    pub category: Option<String>,
}

#[derive(InputObject)]
pub struct FoundationInput {
    pub slug: String,
    pub name: String,
}

#[derive(InputObject)]
pub struct ProjectInput {
    pub slug: String,
    pub name: String,
    pub repository_url: Option<String>,
    /// The hosting foundation's slug.
    pub foundation: Option<String>,
}

const NAME_MAX: usize = 200;

fn optional(field: &'static str, raw: Option<String>, max: usize) -> ApiResult<Option<String>> {
    Ok(raw
        .map(|r| bounded_text(field, &r, max, false))
        .transpose()?
        .filter(|s| !s.is_empty()))
}

impl SkillInput {
    fn parse(self) -> ApiResult<SkillDraft> {
        Ok(SkillDraft {
            slug: Slug::parse("slug", &self.slug)?,
            name: required_text("name", &self.name, NAME_MAX, false)?,
            category: optional("category", self.category, 64)?,
        })
    }
}

impl FoundationInput {
    fn parse(self) -> ApiResult<FoundationDraft> {
        Ok(FoundationDraft {
            slug: Slug::parse("slug", &self.slug)?,
            name: required_text("name", &self.name, NAME_MAX, false)?,
        })
    }
}

impl ProjectInput {
    fn parse(self) -> ApiResult<ProjectDraft> {
        let repository_url = optional("repositoryUrl", self.repository_url, 500)?;
        if let Some(url) = &repository_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ApiError::bad_input("repositoryUrl must be an http(s) URL"));
        }
        Ok(ProjectDraft {
            slug: Slug::parse("slug", &self.slug)?,
            name: required_text("name", &self.name, NAME_MAX, false)?,
            repository_url,
            foundation: self
                .foundation
                .map(|f| Slug::parse("foundation", &f))
                .transpose()?,
        })
    }
}

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The skill catalog in slug order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn skills(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Skill>> {
        viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let rows = store::skills_page(&state(ctx).db, page.after.as_deref(), page.limit())
            .await
            .map_err(ApiError::from)?;
        Ok(page.connection(rows, |s| s.slug.clone(), Skill))
    }

    /// The foundation catalog in slug order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn foundations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Foundation>> {
        viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let rows = store::foundations_page(&state(ctx).db, page.after.as_deref(), page.limit())
            .await
            .map_err(ApiError::from)?;
        Ok(page.connection(rows, |s| s.slug.clone(), Foundation))
    }

    /// The project catalog in slug order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Project>> {
        viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let rows = store::projects_page(&state(ctx).db, page.after.as_deref(), page.limit())
            .await
            .map_err(ApiError::from)?;
        Ok(page.connection(rows, |s| s.slug.clone(), Project))
    }
}

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates or renames a skill (OSPO only).
    async fn upsert_skill(
        &self,
        ctx: &Context<'_>,
        input: SkillInput,
    ) -> async_graphql::Result<Skill> {
        let ospo = viewer(ctx)?.as_ospo()?;
        Ok(Skill(
            svc::upsert_skill(&state(ctx).db, ospo, input.parse()?).await?,
        ))
    }

    /// Creates or renames a foundation (OSPO only).
    async fn upsert_foundation(
        &self,
        ctx: &Context<'_>,
        input: FoundationInput,
    ) -> async_graphql::Result<Foundation> {
        let ospo = viewer(ctx)?.as_ospo()?;
        Ok(Foundation(
            svc::upsert_foundation(&state(ctx).db, ospo, input.parse()?).await?,
        ))
    }

    /// Creates or updates a project (OSPO only).
    async fn upsert_project(
        &self,
        ctx: &Context<'_>,
        input: ProjectInput,
    ) -> async_graphql::Result<Project> {
        let ospo = viewer(ctx)?.as_ospo()?;
        Ok(Project(
            svc::upsert_project(&state(ctx).db, ospo, input.parse()?).await?,
        ))
    }
}
