//! People and profiles: `me`, `person`, `mentors`, and the profile mutations.

use std::hash::Hash;

use chrono::{DateTime, Utc};

use async_graphql::connection::Connection;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::values::{
    self, Capacity, FoundationRole as DFoundationRole, MentoringTopic as DTopic, OsmmLevel,
    Priority, Proficiency, ProjectRole as DProjectRole, Slug, bounded_text, required_text,
};

use super::catalog::{Foundation, Project, Skill};
use super::enums::{FoundationRole, MentoringTopic, ProjectRole};
use super::loaders::{Catalog, FoundationId, LoadError, ProjectId, SkillId, loaded};
use super::pagination::{Cursor, Page};
use super::{loaders, state, viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::people as svc;
use crate::service::profiles::{
    self, MAX_ITEMS, MAX_LANGUAGES, MenteeDraft, MentorDraft, MentorFilterDraft, canonical_timezone,
};
use crate::store::{people, profiles as store};

pub struct Person(pub people::Person);

#[Object]
impl Person {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Visible to the person themself, their live or past pairs and the OSPO.
    async fn email(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        Ok(sees_contact(ctx, &self.0.id)
            .await?
            .then_some(self.0.email.as_deref())
            .flatten())
    }
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }
    /// IANA time zone; visible like `email`.
    async fn timezone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        Ok(sees_contact(ctx, &self.0.id)
            .await?
            .then_some(self.0.timezone.as_deref())
            .flatten())
    }
    async fn languages(&self) -> &[String] {
        &self.0.languages
    }
    async fn osmm_level(&self) -> i32 {
        i32::from(self.0.osmm_level)
    }
    /// False once the person left (deactivated): they cannot sign in, are
    /// never proposed, and are sent nothing.
    async fn active(&self) -> bool {
        self.0.is_active()
    }
    /// When they were deactivated; the OSPO only (null for others).
    async fn deactivated_at(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<DateTime<Utc>>> {
        Ok(viewer(ctx)?
            .is_ospo()
            .then_some(self.0.deactivated_at)
            .flatten())
    }
    /// Why they were deactivated; the OSPO only.
    async fn deactivation_reason(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        Ok(viewer(ctx)?
            .is_ospo()
            .then_some(self.0.deactivation_reason.as_deref())
            .flatten())
    }
    /// When their personal data was erased; the OSPO only.
    async fn erased_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DateTime<Utc>>> {
        Ok(viewer(ctx)?.is_ospo().then_some(self.0.erased_at).flatten())
    }
    /// Unread notifications; the person themself only (null for others).
    async fn unread_notifications(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        super::notifications::unread_of(ctx, &self.0.id).await
    }
    /// Which kinds are also emailed; the person themself only (null for others).
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Vec<super::notifications::NotificationPreference>>> {
        super::notifications::preferences_of(ctx, &self.0.id).await
    }
    /// Present when the person is a mentor.
    async fn mentor_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<MentorProfile>> {
        Ok(loaded(loaders(ctx).mentors().load_one(self.0.id.clone()).await)?.map(MentorProfile))
    }
    /// Present when the person has one and the caller may see it: the person
    /// themself, their proposed or active mentor, and the OSPO.
    async fn mentee_profile(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<MenteeProfile>> {
        let viewer = viewer(ctx)?;
        if !svc::sees_everything_of(viewer, &self.0.id)
            && !tie(ctx, &self.0.id).await?.live_mentor_of
        {
            return Ok(None);
        }
        Ok(loaded(loaders(ctx).mentees().load_one(self.0.id.clone()).await)?.map(MenteeProfile))
    }
}

/// The caller's tie to `person_id` through matches (one query per request
/// for every person on the page).
async fn tie(ctx: &Context<'_>, person_id: &str) -> async_graphql::Result<loaders::Tie> {
    Ok(loaded(loaders(ctx).ties().load_one(person_id.to_owned()).await)?.unwrap_or_default())
}

/// Email and time zone: the person, the OSPO, and their live or past pairs.
async fn sees_contact(ctx: &Context<'_>, person_id: &str) -> async_graphql::Result<bool> {
    Ok(svc::sees_everything_of(viewer(ctx)?, person_id) || tie(ctx, person_id).await?.paired)
}

pub struct MentorProfile(pub store::MentorProfile);

#[derive(SimpleObject)]
pub struct SkillLevel {
    skill: Skill,
    proficiency: i32,
}

#[derive(SimpleObject)]
pub struct ProjectTie {
    project: Project,
    role: ProjectRole,
}

#[derive(SimpleObject)]
pub struct FoundationTie {
    foundation: Foundation,
    role: FoundationRole,
}

#[derive(SimpleObject)]
pub struct WantedSkill {
    skill: Skill,
    priority: i32,
}

/// Looks up the catalog entry of each `(id, attribute)` through the
/// request's loader (one query for the whole request) and builds one output
/// per entry found, in input order.
async fn with_entries<K, V, A: Copy, O>(
    ctx: &Context<'_>,
    items: &[(i64, A)],
    key: fn(i64) -> K,
    make: impl Fn(V, A) -> O,
) -> async_graphql::Result<Vec<O>>
where
    K: Send + Sync + Hash + Eq + Copy + 'static,
    V: Send + Sync + Clone + 'static,
    Catalog: Loader<K, Value = V, Error = LoadError>,
{
    let found = loaded(
        loaders(ctx)
            .catalog()
            .load_many(items.iter().map(|(id, _)| key(*id)))
            .await,
    )?;
    Ok(items
        .iter()
        .filter_map(|(id, a)| found.get(&key(*id)).map(|v| make(v.clone(), *a)))
        .collect())
}

fn bare(ids: &[i64]) -> Vec<(i64, ())> {
    ids.iter().map(|&id| (id, ())).collect()
}

#[Object]
impl MentorProfile {
    async fn capacity(&self) -> i32 {
        i32::from(self.0.capacity)
    }
    async fn accepting(&self) -> bool {
        self.0.accepting
    }
    /// Proposed and active mentorships right now.
    async fn live_count(&self) -> i32 {
        i32::from(self.0.live_count)
    }
    async fn skills(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SkillLevel>> {
        with_entries(ctx, &self.0.skills, SkillId, |s, p| SkillLevel {
            skill: Skill(s),
            proficiency: i32::from(p),
        })
        .await
    }
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectTie>> {
        with_entries(ctx, &self.0.projects, ProjectId, |p, role| ProjectTie {
            project: Project(p),
            role: role.into(),
        })
        .await
    }
    async fn foundations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FoundationTie>> {
        with_entries(ctx, &self.0.foundations, FoundationId, |f, role| {
            FoundationTie {
                foundation: Foundation(f),
                role: role.into(),
            }
        })
        .await
    }
    async fn topics(&self) -> Vec<MentoringTopic> {
        self.0.topics.iter().map(|&t| t.into()).collect()
    }
    async fn bio(&self) -> Option<&str> {
        self.0.bio.as_deref()
    }
}

pub struct MenteeProfile(pub store::MenteeProfile);

#[Object]
impl MenteeProfile {
    async fn target_level(&self) -> i32 {
        i32::from(self.0.target_level)
    }
    async fn skills(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WantedSkill>> {
        with_entries(ctx, &self.0.skills, SkillId, |s, p| WantedSkill {
            skill: Skill(s),
            priority: i32::from(p),
        })
        .await
    }
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Project>> {
        with_entries(ctx, &bare(&self.0.projects), ProjectId, |p, ()| Project(p)).await
    }
    async fn foundations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Foundation>> {
        with_entries(ctx, &bare(&self.0.foundations), FoundationId, |f, ()| {
            Foundation(f)
        })
        .await
    }
    async fn topics(&self) -> Vec<MentoringTopic> {
        self.0.topics.iter().map(|&t| t.into()).collect()
    }
    async fn max_timezone_diff_hours(&self) -> Option<i32> {
        self.0.max_timezone_diff_hours.map(i32::from)
    }
    async fn languages(&self) -> &[String] {
        &self.0.languages
    }
}

#[derive(InputObject)]
pub struct ProfileInput {
    pub display_name: Option<String>,
    pub department: Option<String>,
    /// An IANA time zone such as `Europe/Paris`.
    pub timezone: Option<String>,
    pub languages: Option<Vec<String>>,
    pub osmm_level: Option<i32>,
}

#[derive(InputObject)]
pub struct SkillLevelInput {
    pub skill: String,
    pub proficiency: i32,
}

#[derive(InputObject)]
pub struct ProjectRoleInput {
    pub project: String,
    pub role: ProjectRole,
}

#[derive(InputObject)]
pub struct FoundationRoleInput {
    pub foundation: String,
    pub role: FoundationRole,
}

#[derive(InputObject)]
pub struct MentorProfileInput {
    pub capacity: i32,
    pub accepting: bool,
    pub skills: Vec<SkillLevelInput>,
    pub projects: Vec<ProjectRoleInput>,
    pub foundations: Vec<FoundationRoleInput>,
    pub topics: Vec<MentoringTopic>,
    pub bio: Option<String>,
}

#[derive(InputObject)]
pub struct WantedSkillInput {
    pub skill: String,
    pub priority: i32,
}

#[derive(InputObject)]
pub struct MenteeProfileInput {
    pub target_level: i32,
    pub skills: Vec<WantedSkillInput>,
    pub projects: Vec<String>,
    pub foundations: Vec<String>,
    pub topics: Vec<MentoringTopic>,
    pub max_timezone_diff_hours: Option<i32>,
    pub languages: Option<Vec<String>>,
}

#[derive(InputObject, Default)]
pub struct MentorFilter {
    /// Mentors with this skill (slug)…
    pub skill: Option<String>,
    /// …at least at this proficiency.
    pub min_proficiency: Option<i32>,
    pub project: Option<String>,
    pub foundation: Option<String>,
    pub topic: Option<MentoringTopic>,
    /// Mentors at this OSMM level or above.
    pub min_level: Option<i32>,
    pub accepting: Option<bool>,
}

fn at_most<T>(field: &str, items: &[T], max: usize) -> ApiResult<()> {
    if items.len() > max {
        return Err(ApiError::BadUserInput(format!(
            "{field} may list at most {max} entries, got {}",
            items.len()
        )));
    }
    Ok(())
}

fn languages(raw: Vec<String>) -> ApiResult<Vec<String>> {
    at_most("languages", &raw, MAX_LANGUAGES)?;
    raw.iter()
        .map(|l| values::language(l).map_err(ApiError::from))
        .collect()
}

fn timezone(raw: &str) -> ApiResult<Option<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    canonical_timezone(raw).map(Some).ok_or_else(|| {
        ApiError::BadUserInput(format!(
            "timezone must be an IANA time zone such as Europe/Paris, got {raw:?}"
        ))
    })
}

impl ProfileInput {
    fn parse(self) -> ApiResult<people::PersonChange> {
        let optional_text = |field: &'static str,
                             raw: Option<String>,
                             max: usize|
         -> ApiResult<Option<Option<String>>> {
            Ok(raw
                .map(|r| bounded_text(field, &r, max, false))
                .transpose()?
                .map(|s| Some(s).filter(|s| !s.is_empty())))
        };
        Ok(people::PersonChange {
            display_name: self
                .display_name
                .map(|n| required_text("displayName", &n, 200, false))
                .transpose()?,
            department: optional_text("department", self.department, 200)?,
            timezone: self.timezone.map(|t| timezone(&t)).transpose()?,
            languages: self.languages.map(languages).transpose()?,
            osmm_level: self
                .osmm_level
                .map(|l| OsmmLevel::try_from(i64::from(l)).map(OsmmLevel::get))
                .transpose()?,
        })
    }
}

impl MentorProfileInput {
    fn parse(self) -> ApiResult<MentorDraft> {
        at_most("skills", &self.skills, MAX_ITEMS)?;
        at_most("projects", &self.projects, MAX_ITEMS)?;
        at_most("foundations", &self.foundations, MAX_ITEMS)?;
        let skills = self
            .skills
            .iter()
            .map(|s| {
                Ok((
                    Slug::parse("skill", &s.skill)?,
                    Proficiency::try_from(i64::from(s.proficiency))?,
                ))
            })
            .collect::<ApiResult<_>>()?;
        let projects = self
            .projects
            .iter()
            .map(|p| {
                Ok((
                    Slug::parse("project", &p.project)?,
                    DProjectRole::from(p.role),
                ))
            })
            .collect::<ApiResult<_>>()?;
        let foundations = self
            .foundations
            .iter()
            .map(|f| {
                Ok((
                    Slug::parse("foundation", &f.foundation)?,
                    DFoundationRole::from(f.role),
                ))
            })
            .collect::<ApiResult<_>>()?;
        Ok(MentorDraft {
            capacity: Capacity::try_from(i64::from(self.capacity))?,
            accepting: self.accepting,
            skills,
            projects,
            foundations,
            topics: self.topics.into_iter().map(DTopic::from).collect(),
            bio: self
                .bio
                .map(|b| bounded_text("bio", &b, 2000, true))
                .transpose()?
                .filter(|b| !b.is_empty()),
        })
    }
}

impl MenteeProfileInput {
    fn parse(self) -> ApiResult<MenteeDraft> {
        at_most("skills", &self.skills, MAX_ITEMS)?;
        at_most("projects", &self.projects, MAX_ITEMS)?;
        at_most("foundations", &self.foundations, MAX_ITEMS)?;
        let skills = self
            .skills
            .iter()
            .map(|s| {
                Ok((
                    Slug::parse("skill", &s.skill)?,
                    Priority::try_from(i64::from(s.priority))?,
                ))
            })
            .collect::<ApiResult<_>>()?;
        let max_tz = match self.max_timezone_diff_hours {
            None => None,
            Some(h @ 0..=24) => Some(h as u8),
            Some(h) => {
                return Err(ApiError::BadUserInput(format!(
                    "maxTimezoneDiffHours must be between 0 and 24, got {h}"
                )));
            }
        };
        Ok(MenteeDraft {
            target_level: OsmmLevel::try_from(i64::from(self.target_level))?,
            skills,
            projects: self
                .projects
                .iter()
                .map(|p| Slug::parse("project", p))
                .collect::<Result<_, _>>()?,
            foundations: self
                .foundations
                .iter()
                .map(|f| Slug::parse("foundation", f))
                .collect::<Result<_, _>>()?,
            topics: self.topics.into_iter().map(DTopic::from).collect(),
            max_timezone_diff_hours: max_tz,
            languages: languages(self.languages.unwrap_or_default())?,
        })
    }
}

impl MentorFilter {
    fn parse(self) -> ApiResult<MentorFilterDraft> {
        let slug = |field: &'static str, raw: Option<String>| {
            raw.map(|s| Slug::parse(field, &s)).transpose()
        };
        Ok(MentorFilterDraft {
            skill: slug("skill", self.skill)?,
            min_proficiency: self
                .min_proficiency
                .map(|p| Proficiency::try_from(i64::from(p)))
                .transpose()?,
            project: slug("project", self.project)?,
            foundation: slug("foundation", self.foundation)?,
            topic: self.topic.map(DTopic::from),
            min_level: self
                .min_level
                .map(|l| OsmmLevel::try_from(i64::from(l)))
                .transpose()?,
            accepting: self.accepting,
        })
    }
}

#[derive(Default)]
pub struct PeopleQuery;

#[Object]
impl PeopleQuery {
    /// The caller, provisioned from their token on their first call.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Person> {
        let viewer = viewer(ctx)?;
        // "Who am I" (`me { id }`) is answered by authentication alone.
        if viewer.person.is_none()
            && ctx
                .field()
                .selection_set()
                .all(|f| matches!(f.name(), "id" | "__typename"))
        {
            return Ok(Person(people::Person::blank(viewer.person_id.clone())));
        }
        Ok(Person(svc::me(&state(ctx).db, viewer).await?))
    }

    /// A person, or null when absent or not visible to the caller.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Person>> {
        Ok(svc::visible(&state(ctx).db, viewer(ctx)?, &id)
            .await?
            .map(Person))
    }

    /// Mentors, in a stable order, narrowed by `filter`.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn mentors(
        &self,
        ctx: &Context<'_>,
        filter: Option<MentorFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<Cursor, Person>> {
        viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let filter = filter.unwrap_or_default().parse()?;
        let ids =
            profiles::search_mentors(&state(ctx).db, filter, page.after.as_deref(), page.limit())
                .await?;
        let found = loaded(loaders(ctx).people().load_many(ids.iter().cloned()).await)?;
        let people: Vec<people::Person> =
            ids.iter().filter_map(|id| found.get(id).cloned()).collect();
        Ok(page.connection(people, |p| p.id.clone(), Person))
    }
}

#[derive(Default)]
pub struct PeopleMutation;

#[Object]
impl PeopleMutation {
    /// Changes the caller's own name, department, time zone, languages or level.
    async fn update_my_profile(
        &self,
        ctx: &Context<'_>,
        input: ProfileInput,
    ) -> async_graphql::Result<Person> {
        let viewer = viewer(ctx)?;
        Ok(Person(
            svc::update_me(&state(ctx).db, viewer, input.parse()?).await?,
        ))
    }

    /// Sets the caller's whole mentor profile; lowering capacity below the
    /// live count is a CONFLICT.
    async fn set_mentor_profile(
        &self,
        ctx: &Context<'_>,
        input: MentorProfileInput,
    ) -> async_graphql::Result<Person> {
        let viewer = viewer(ctx)?;
        profiles::set_mentor(state(ctx), viewer, input.parse()?).await?;
        Ok(Person(svc::reread(&state(ctx).db, viewer).await?))
    }

    /// Sets the caller's whole mentee profile.
    async fn set_mentee_profile(
        &self,
        ctx: &Context<'_>,
        input: MenteeProfileInput,
    ) -> async_graphql::Result<Person> {
        let viewer = viewer(ctx)?;
        let db = &state(ctx).db;
        profiles::set_mentee(db, viewer, input.parse()?).await?;
        Ok(Person(svc::reread(db, viewer).await?))
    }
}
