//! Catalog writes (OSPO only) and slug resolution for profile inputs.

use std::collections::HashMap;

use domain::values::Slug;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::OspoAdmin;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::store::catalog::{self as cat, Foundation, Kind, Project, Skill};
use crate::store::revision;

pub struct SkillDraft {
    pub slug: Slug,
    pub name: String,
    pub category: Option<String>,
}

pub struct FoundationDraft {
    pub slug: Slug,
    pub name: String,
}

pub struct ProjectDraft {
    pub slug: Slug,
    pub name: String,
    pub repository_url: Option<String>,
    pub foundation: Option<Slug>,
}

// Every catalog write bumps the scoring revision: compiled mentor pools
// carry the catalog names their explanations print.

pub async fn upsert_skill(
    db: &DatabaseConnection,
    _: OspoAdmin<'_>,
    draft: SkillDraft,
) -> ApiResult<Skill> {
    let (txn, _writer) = begin_write(db).await?;
    let skill = cat::upsert_skill(
        &txn,
        draft.slug.as_str(),
        &draft.name,
        draft.category.as_deref(),
    )
    .await?;
    revision::bump(&txn).await?;
    txn.commit().await?;
    Ok(skill)
}

pub async fn upsert_foundation(
    db: &DatabaseConnection,
    _: OspoAdmin<'_>,
    draft: FoundationDraft,
) -> ApiResult<Foundation> {
    let (txn, _writer) = begin_write(db).await?;
    let foundation = cat::upsert_foundation(&txn, draft.slug.as_str(), &draft.name).await?;
    revision::bump(&txn).await?;
    txn.commit().await?;
    Ok(foundation)
}

pub async fn upsert_project(
    db: &DatabaseConnection,
    _: OspoAdmin<'_>,
    draft: ProjectDraft,
) -> ApiResult<Project> {
    let (txn, _writer) = begin_write(db).await?;
    let foundation_id = match &draft.foundation {
        Some(slug) => Some(resolve_one(&txn, Kind::Foundation, slug).await?),
        None => None,
    };
    let url = draft.repository_url.as_deref();
    let project =
        cat::upsert_project(&txn, draft.slug.as_str(), &draft.name, url, foundation_id).await?;
    revision::bump(&txn).await?;
    txn.commit().await?;
    Ok(project)
}

/// Resolves slugs to catalog ids; an unknown slug is `BAD_USER_INPUT` naming it.
pub async fn resolve(
    db: &impl ConnectionTrait,
    kind: Kind,
    slugs: &[Slug],
) -> ApiResult<HashMap<String, i64>> {
    let wanted: Vec<String> = slugs.iter().map(|s| s.as_str().to_owned()).collect();
    let found = cat::ids_by_slug(db, kind, &wanted).await?;
    if let Some(missing) = wanted.iter().find(|s| !found.contains_key(*s)) {
        return Err(ApiError::BadUserInput(format!(
            "unknown {}: {missing}",
            kind.noun()
        )));
    }
    Ok(found)
}

pub async fn resolve_one(db: &impl ConnectionTrait, kind: Kind, slug: &Slug) -> ApiResult<i64> {
    let map = resolve(db, kind, std::slice::from_ref(slug)).await?;
    map.get(slug.as_str())
        .copied()
        .ok_or_else(|| ApiError::BadUserInput(format!("unknown {}: {slug}", kind.noun())))
}
