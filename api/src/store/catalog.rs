//! The skill, foundation and project catalogs: upserts by slug, slug
//! resolution, pages ordered by slug, and batched lookups by id.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::{foundation, project, skill};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skill {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foundation {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub repository_url: Option<String>,
    pub foundation_id: Option<i64>,
}

impl From<skill::Model> for Skill {
    fn from(m: skill::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            name: m.name,
            category: m.category,
        }
    }
}
impl From<foundation::Model> for Foundation {
    fn from(m: foundation::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            name: m.name,
        }
    }
}
impl From<project::Model> for Project {
    fn from(m: project::Model) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            name: m.name,
            repository_url: m.repository_url,
            foundation_id: m.foundation_id,
        }
    }
}

/// Which catalog a slug or id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Skill,
    Foundation,
    Project,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Self::Skill => "skill",
            Self::Foundation => "foundation",
            Self::Project => "project",
        }
    }
}

pub async fn upsert_skill(
    db: &impl ConnectionTrait,
    slug: &str,
    name: &str,
    category: Option<&str>,
) -> Result<Skill, DbErr> {
    let row = skill::ActiveModel {
        slug: Set(slug.to_owned()),
        name: Set(name.to_owned()),
        category: Set(category.map(str::to_owned)),
        ..Default::default()
    };
    skill::Entity::insert(row)
        .on_conflict(
            OnConflict::column(skill::Column::Slug)
                .update_columns([skill::Column::Name, skill::Column::Category])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let found = skill::Entity::find()
        .filter(skill::Column::Slug.eq(slug))
        .one(db)
        .await?;
    found
        .map(Skill::from)
        .ok_or_else(|| DbErr::RecordNotFound("upserted skill".into()))
}

pub async fn upsert_foundation(
    db: &impl ConnectionTrait,
    slug: &str,
    name: &str,
) -> Result<Foundation, DbErr> {
    let row = foundation::ActiveModel {
        slug: Set(slug.to_owned()),
        name: Set(name.to_owned()),
        ..Default::default()
    };
    foundation::Entity::insert(row)
        .on_conflict(
            OnConflict::column(foundation::Column::Slug)
                .update_column(foundation::Column::Name)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let found = foundation::Entity::find()
        .filter(foundation::Column::Slug.eq(slug))
        .one(db)
        .await?;
    found
        .map(Foundation::from)
        .ok_or_else(|| DbErr::RecordNotFound("upserted foundation".into()))
}

pub async fn upsert_project(
    db: &impl ConnectionTrait,
    slug: &str,
    name: &str,
    repository_url: Option<&str>,
    foundation_id: Option<i64>,
) -> Result<Project, DbErr> {
    let row = project::ActiveModel {
        slug: Set(slug.to_owned()),
        name: Set(name.to_owned()),
        repository_url: Set(repository_url.map(str::to_owned)),
        foundation_id: Set(foundation_id),
        ..Default::default()
    };
    let update = [
        project::Column::Name,
        project::Column::RepositoryUrl,
        project::Column::FoundationId,
    ];
    project::Entity::insert(row)
        .on_conflict(
            OnConflict::column(project::Column::Slug)
                .update_columns(update)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let found = project::Entity::find()
        .filter(project::Column::Slug.eq(slug))
        .one(db)
        .await?;
    found
        .map(Project::from)
        .ok_or_else(|| DbErr::RecordNotFound("upserted project".into()))
}

/// Maps slugs to ids in one query; slugs absent from the catalog are missing
/// from the map.
pub async fn ids_by_slug(
    db: &impl ConnectionTrait,
    kind: Kind,
    slugs: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    if slugs.is_empty() {
        return Ok(HashMap::new());
    }
    let slugs = slugs.iter().cloned();
    let pairs: Vec<(i64, String)> = match kind {
        Kind::Skill => {
            skill::Entity::find()
                .select_only()
                .columns([skill::Column::Id, skill::Column::Slug])
                .filter(skill::Column::Slug.is_in(slugs))
                .into_tuple()
                .all(db)
                .await?
        }
        Kind::Foundation => {
            foundation::Entity::find()
                .select_only()
                .columns([foundation::Column::Id, foundation::Column::Slug])
                .filter(foundation::Column::Slug.is_in(slugs))
                .into_tuple()
                .all(db)
                .await?
        }
        Kind::Project => {
            project::Entity::find()
                .select_only()
                .columns([project::Column::Id, project::Column::Slug])
                .filter(project::Column::Slug.is_in(slugs))
                .into_tuple()
                .all(db)
                .await?
        }
    };
    Ok(pairs.into_iter().map(|(id, slug)| (slug, id)).collect())
}

/// A page of a catalog in slug order, after the slug `after`; fetches one row
/// more than asked so the caller knows whether another page follows.
pub async fn skills_page(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Skill>, DbErr> {
    let mut query = skill::Entity::find()
        .order_by_asc(skill::Column::Slug)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(skill::Column::Slug.gt(after));
    }
    Ok(query.all(db).await?.into_iter().map(Skill::from).collect())
}

pub async fn foundations_page(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Foundation>, DbErr> {
    let mut query = foundation::Entity::find()
        .order_by_asc(foundation::Column::Slug)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(foundation::Column::Slug.gt(after));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(Foundation::from)
        .collect())
}

pub async fn projects_page(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Project>, DbErr> {
    let mut query = project::Entity::find()
        .order_by_asc(project::Column::Slug)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(project::Column::Slug.gt(after));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(Project::from)
        .collect())
}

pub async fn skills_by_id(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Skill>, DbErr> {
    let rows = skill::Entity::find()
        .filter(skill::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Skill::from).collect())
}

pub async fn foundations_by_id(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<Foundation>, DbErr> {
    let rows = foundation::Entity::find()
        .filter(foundation::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Foundation::from).collect())
}

pub async fn projects_by_id(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Project>, DbErr> {
    let rows = project::Entity::find()
        .filter(project::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Project::from).collect())
}
