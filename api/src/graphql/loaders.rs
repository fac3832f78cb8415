//! Per-request DataLoaders: related objects are fetched in one batched query
//! per type and request, never one query per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::error::ApiError;
use crate::store::catalog::{self, Foundation, Project, Skill};
use crate::store::people::{self, Person};
use crate::store::profiles::{self, MenteeProfile, MentorProfile};

pub struct Db(pub DatabaseConnection);

/// All loaders of one request.
pub struct Loaders {
    pub people: DataLoader<Db>,
    pub mentors: DataLoader<MentorProfiles>,
    pub mentees: DataLoader<MenteeProfiles>,
    pub catalog: DataLoader<Catalog>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self {
            people: DataLoader::new(Db(db.clone()), tokio::spawn),
            mentors: DataLoader::new(MentorProfiles(db.clone()), tokio::spawn),
            mentees: DataLoader::new(MenteeProfiles(db.clone()), tokio::spawn),
            catalog: DataLoader::new(Catalog(db.clone()), tokio::spawn),
        }
    }
}

pub type LoadError = Arc<ApiError>;

impl Loader<String> for Db {
    type Value = Person;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Person>, LoadError> {
        let rows = people::find_many(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|p| (p.id.clone(), p)).collect())
    }
}

pub struct MentorProfiles(DatabaseConnection);

impl Loader<String> for MentorProfiles {
    type Value = MentorProfile;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, MentorProfile>, LoadError> {
        let rows = profiles::mentors(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|p| (p.person_id.clone(), p)).collect())
    }
}

pub struct MenteeProfiles(DatabaseConnection);

impl Loader<String> for MenteeProfiles {
    type Value = MenteeProfile;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, MenteeProfile>, LoadError> {
        let rows = profiles::mentees(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|p| (p.person_id.clone(), p)).collect())
    }
}

/// Catalog entries by (kind, id); one query per kind present in a batch.
pub struct Catalog(DatabaseConnection);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SkillId(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FoundationId(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProjectId(pub i64);

impl Loader<SkillId> for Catalog {
    type Value = Skill;
    type Error = LoadError;

    async fn load(&self, keys: &[SkillId]) -> Result<HashMap<SkillId, Skill>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = catalog::skills_by_id(&self.0, &ids)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|s| (SkillId(s.id), s)).collect())
    }
}

impl Loader<FoundationId> for Catalog {
    type Value = Foundation;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[FoundationId],
    ) -> Result<HashMap<FoundationId, Foundation>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = catalog::foundations_by_id(&self.0, &ids)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|s| (FoundationId(s.id), s)).collect())
    }
}

impl Loader<ProjectId> for Catalog {
    type Value = Project;
    type Error = LoadError;

    async fn load(&self, keys: &[ProjectId]) -> Result<HashMap<ProjectId, Project>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let rows = catalog::projects_by_id(&self.0, &ids)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|s| (ProjectId(s.id), s)).collect())
    }
}

/// Turns a loader failure into the error a resolver returns.
pub fn loaded<T>(result: Result<T, LoadError>) -> async_graphql::Result<T> {
    result.map_err(|e| match Arc::try_unwrap(e) {
        Ok(e) => e.into(),
        Err(shared) => ApiError::Internal(anyhow::anyhow!("{shared:?}")).into(),
    })
}
