//! Mentor and mentee profiles: validated drafts in, whole profiles replaced
//! in one write transaction, and the mentor search.

use std::collections::HashSet;

use domain::values::{
    Capacity, FoundationRole, MentoringTopic, OsmmLevel, Priority, Proficiency, ProjectRole, Slug,
};
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::Viewer;
use super::catalog::resolve;
use crate::app::AppState;
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::store::catalog::Kind;
use crate::store::profiles::{self, MenteeProfile, MentorProfile, MentorSearch};

/// Longest lists a profile may carry (skills, projects, foundations);
/// far above real profiles, low enough that one request or one import row
/// cannot write an unbounded number of rows.
pub const MAX_ITEMS: usize = 50;
/// Most languages a person lists.
pub const MAX_LANGUAGES: usize = 10;

/// An IANA time zone under its canonical name, or `None` when it is not one.
pub fn canonical_timezone(raw: &str) -> Option<String> {
    raw.parse::<chrono_tz::Tz>()
        .ok()
        .map(|tz| tz.name().to_owned())
}

pub struct MentorDraft {
    pub capacity: Capacity,
    pub accepting: bool,
    pub skills: Vec<(Slug, Proficiency)>,
    pub projects: Vec<(Slug, ProjectRole)>,
    pub foundations: Vec<(Slug, FoundationRole)>,
    pub topics: Vec<MentoringTopic>,
    pub bio: Option<String>,
}

pub struct MenteeDraft {
    pub target_level: OsmmLevel,
    pub skills: Vec<(Slug, Priority)>,
    pub projects: Vec<Slug>,
    pub foundations: Vec<Slug>,
    pub topics: Vec<MentoringTopic>,
    pub max_timezone_diff_hours: Option<u8>,
    pub languages: Vec<String>,
}

/// Refuses a list that names the same entry twice: which of the two values
/// was meant cannot be guessed.
fn no_duplicates<'a>(what: &str, slugs: impl Iterator<Item = &'a Slug>) -> ApiResult<()> {
    let mut seen = HashSet::new();
    for slug in slugs {
        if !seen.insert(slug.as_str()) {
            return Err(ApiError::BadUserInput(format!("{what} lists {slug} twice")));
        }
    }
    Ok(())
}

fn unique_topics(mut topics: Vec<MentoringTopic>) -> Vec<MentoringTopic> {
    topics.sort();
    topics.dedup();
    topics
}

/// Replaces the caller's mentor profile. When it opens seats (more
/// capacity, or accepting again), waiting requests are offered them after
/// the commit (design.md: a waiting request is proposed as soon as
/// capacity frees up).
pub async fn set_mentor(state: &AppState, viewer: &Viewer, draft: MentorDraft) -> ApiResult<()> {
    let db = &state.db;
    no_duplicates("skills", draft.skills.iter().map(|(s, _)| s))?;
    no_duplicates("projects", draft.projects.iter().map(|(s, _)| s))?;
    no_duplicates("foundations", draft.foundations.iter().map(|(s, _)| s))?;
    let (txn, writer) = begin_write(db).await?;
    let skill_ids = resolve(
        &txn,
        Kind::Skill,
        &draft
            .skills
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let project_ids = resolve(
        &txn,
        Kind::Project,
        &draft
            .projects
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let foundation_ids = resolve(
        &txn,
        Kind::Foundation,
        &draft
            .foundations
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let live = profiles::lock_mentor_live_count(&txn, &viewer.person_id)
        .await?
        .unwrap_or(0);
    domain::mentorship::check_capacity_change(draft.capacity, live)?;
    let before = profiles::mentors(&txn, std::slice::from_ref(&viewer.person_id))
        .await?
        .pop();
    let opens_seats = draft.accepting
        && draft.capacity.get() > live
        && before.is_none_or(|b| !b.accepting || b.capacity < draft.capacity.get());
    let profile = MentorProfile {
        person_id: viewer.person_id.clone(),
        capacity: draft.capacity.get(),
        live_count: live,
        accepting: draft.accepting,
        bio: draft.bio,
        skills: draft
            .skills
            .iter()
            .map(|(s, p)| (skill_ids[s.as_str()], p.get()))
            .collect(),
        projects: draft
            .projects
            .iter()
            .map(|(s, r)| (project_ids[s.as_str()], *r))
            .collect(),
        foundations: draft
            .foundations
            .iter()
            .map(|(s, r)| (foundation_ids[s.as_str()], *r))
            .collect(),
        topics: unique_topics(draft.topics),
    };
    profiles::replace_mentor(&txn, &profile).await?;
    crate::store::revision::bump(&txn).await?;
    txn.commit().await?;
    // Offering seats writes in transactions of its own: let them begin.
    drop(writer);
    if opens_seats {
        let freed = vec![viewer.person_id.clone()];
        if let Err(e) = super::proposals::offer_seats(state, chrono::Utc::now(), Some(freed)).await
        {
            tracing::warn!(error = %e, "offering new seats to waiting requests failed; the sweeper retries");
        }
    }
    Ok(())
}

pub async fn set_mentee(
    db: &DatabaseConnection,
    viewer: &Viewer,
    draft: MenteeDraft,
) -> ApiResult<()> {
    no_duplicates("skills", draft.skills.iter().map(|(s, _)| s))?;
    no_duplicates("projects", draft.projects.iter())?;
    no_duplicates("foundations", draft.foundations.iter())?;
    let (txn, _writer) = begin_write(db).await?;
    let skill_ids = resolve(
        &txn,
        Kind::Skill,
        &draft
            .skills
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    let project_ids = resolve(&txn, Kind::Project, &draft.projects).await?;
    let foundation_ids = resolve(&txn, Kind::Foundation, &draft.foundations).await?;
    let mut languages = draft.languages;
    languages.dedup();
    let profile = MenteeProfile {
        person_id: viewer.person_id.clone(),
        target_level: draft.target_level.get(),
        max_timezone_diff_hours: draft.max_timezone_diff_hours,
        languages,
        skills: draft
            .skills
            .iter()
            .map(|(s, p)| (skill_ids[s.as_str()], p.get()))
            .collect(),
        projects: draft
            .projects
            .iter()
            .map(|s| project_ids[s.as_str()])
            .collect(),
        foundations: draft
            .foundations
            .iter()
            .map(|s| foundation_ids[s.as_str()])
            .collect(),
        topics: unique_topics(draft.topics),
    };
    profiles::replace_mentee(&txn, &profile).await?;
    txn.commit().await?;
    Ok(())
}

/// The unresolved form of `MentorFilter`.
#[derive(Default)]
pub struct MentorFilterDraft {
    pub skill: Option<Slug>,
    pub min_proficiency: Option<Proficiency>,
    pub project: Option<Slug>,
    pub foundation: Option<Slug>,
    pub topic: Option<MentoringTopic>,
    pub min_level: Option<OsmmLevel>,
    pub accepting: Option<bool>,
}

/// One page of mentor ids; `limit` includes the look-ahead row.
pub async fn search_mentors(
    db: &DatabaseConnection,
    filter: MentorFilterDraft,
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<String>> {
    let txn = db.begin().await?;
    let mut search = MentorSearch {
        min_proficiency: filter.min_proficiency.map(Proficiency::get),
        topic: filter.topic,
        min_level: filter.min_level.map(OsmmLevel::get),
        accepting: filter.accepting,
        ..Default::default()
    };
    if let Some(slug) = &filter.skill {
        search.skill_id = Some(super::catalog::resolve_one(&txn, Kind::Skill, slug).await?);
    }
    if let Some(slug) = &filter.project {
        search.project_id = Some(super::catalog::resolve_one(&txn, Kind::Project, slug).await?);
    }
    if let Some(slug) = &filter.foundation {
        search.foundation_id =
            Some(super::catalog::resolve_one(&txn, Kind::Foundation, slug).await?);
    }
    let ids = profiles::search_mentors(&txn, &search, after, limit).await?;
    txn.commit().await?;
    Ok(ids)
}
