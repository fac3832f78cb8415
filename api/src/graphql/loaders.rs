//! Per-request DataLoaders: related objects are fetched in one batched query
//! per type and request, never one query per row.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::error::ApiError;
use crate::store::catalog::{self, Foundation, Project, Skill};
use crate::store::matches::{self, Match, Pair};
use crate::store::people::{self, Person};
use crate::store::profiles::{self, MenteeProfile, MentorProfile};
use crate::store::requests::{self, Request};

pub struct Db(pub DatabaseConnection);

/// All loaders of one request.
pub struct Loaders {
    db: DatabaseConnection,
    viewer: String,
    people: OnceLock<DataLoader<Db>>,
    mentors: OnceLock<DataLoader<MentorProfiles>>,
    mentees: OnceLock<DataLoader<MenteeProfiles>>,
    catalog: OnceLock<DataLoader<Catalog>>,
    requests: OnceLock<DataLoader<Requests>>,
    live_matches: OnceLock<DataLoader<LiveMatches>>,
    matches: OnceLock<DataLoader<Matches>>,
    pairs: OnceLock<DataLoader<Pairs>>,
    ties: OnceLock<DataLoader<Ties>>,
    feedback: OnceLock<DataLoader<FeedbackSides>>,
}

/// Each loader is made on first use: most requests use one or two of
/// them, and making all of them cost allocations on every request.
macro_rules! loader {
    ($name:ident, $ty:ty, |$this:ident| $make:expr) => {
        pub fn $name(&self) -> &DataLoader<$ty> {
            self.$name.get_or_init(|| {
                let $this = self;
                DataLoader::new($make, tokio::spawn)
            })
        }
    };
}

impl Loaders {
    /// `viewer` is the signed-in person: [`Ties`] answers for them.
    pub fn new(db: &DatabaseConnection, viewer: &str) -> Self {
        Self {
            db: db.clone(),
            viewer: viewer.to_owned(),
            people: OnceLock::new(),
            mentors: OnceLock::new(),
            mentees: OnceLock::new(),
            catalog: OnceLock::new(),
            requests: OnceLock::new(),
            live_matches: OnceLock::new(),
            matches: OnceLock::new(),
            pairs: OnceLock::new(),
            ties: OnceLock::new(),
            feedback: OnceLock::new(),
        }
    }

    loader!(people, Db, |l| Db(l.db.clone()));
    loader!(mentors, MentorProfiles, |l| MentorProfiles(l.db.clone()));
    loader!(mentees, MenteeProfiles, |l| MenteeProfiles(l.db.clone()));
    loader!(catalog, Catalog, |l| Catalog(l.db.clone()));
    loader!(requests, Requests, |l| Requests(l.db.clone()));
    loader!(live_matches, LiveMatches, |l| LiveMatches(l.db.clone()));
    loader!(matches, Matches, |l| Matches(l.db.clone()));
    loader!(pairs, Pairs, |l| Pairs(l.db.clone()));
    loader!(feedback, FeedbackSides, |l| FeedbackSides(l.db.clone()));
    loader!(ties, Ties, |l| Ties {
        db: l.db.clone(),
        viewer: l.viewer.clone(),
    });
}

pub struct Requests(DatabaseConnection);

impl Loader<String> for Requests {
    type Value = Request;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Request>, LoadError> {
        let rows = requests::find_many(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
    }
}

/// Matches by id (the caller checks who may read each).
pub struct Matches(DatabaseConnection);

impl Loader<String> for Matches {
    type Value = Match;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Match>, LoadError> {
        let rows = matches::find_many(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|m| (m.id.clone(), m)).collect())
    }
}

/// Matches' pairs by match id: what a notification reads of its match,
/// without the rest of the row (its frozen score among it).
pub struct Pairs(DatabaseConnection);

impl Loader<String> for Pairs {
    type Value = Pair;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Pair>, LoadError> {
        matches::pairs(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))
    }
}

/// The sides that gave feedback on each match, by match id (absent: none).
pub struct FeedbackSides(DatabaseConnection);

impl Loader<String> for FeedbackSides {
    type Value = Vec<domain::mentorship::Side>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[String],
    ) -> Result<HashMap<String, Vec<domain::mentorship::Side>>, LoadError> {
        matches::feedback_sides(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))
    }
}

/// The live match of each request, by request id.
pub struct LiveMatches(DatabaseConnection);

impl Loader<String> for LiveMatches {
    type Value = Match;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Match>, LoadError> {
        let rows = matches::live_for_requests(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows
            .into_iter()
            .map(|m| (m.request_id.clone(), m))
            .collect())
    }
}

/// How the signed-in person is tied to another through matches, which
/// widens what they see of that person (design.md, "What a caller may see
/// of a Person").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tie {
    /// A live or past pair: email and time zone are visible.
    pub paired: bool,
    /// The viewer is this person's proposed or active mentor: their mentee
    /// profile is visible.
    pub live_mentor_of: bool,
}

pub struct Ties {
    db: DatabaseConnection,
    viewer: String,
}

impl Loader<String> for Ties {
    type Value = Tie;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Tie>, LoadError> {
        let rows = matches::ties(&self.db, &self.viewer, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<String, Tie> = HashMap::new();
        for (other, state, viewer_is_mentor) in rows {
            let tie = out.entry(other).or_default();
            tie.paired = true;
            tie.live_mentor_of |= viewer_is_mentor && state.is_live();
        }
        Ok(out)
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
