//! Mentor and mentee profiles: whole-profile replacement inside the caller's
//! transaction, batched loads for the DataLoaders, and the mentor search.

use std::collections::HashMap;

use chrono::Utc;
use domain::values::{FoundationRole, MentoringTopic, ProjectRole};
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::entities::{
    mentee_foundation, mentee_profile, mentee_project, mentee_skill, mentee_topic,
    mentor_foundation, mentor_profile, mentor_project, mentor_skill, mentor_topic, person,
};

#[derive(Clone, Debug, PartialEq)]
pub struct MentorProfile {
    pub person_id: String,
    pub capacity: u8,
    pub live_count: u8,
    pub accepting: bool,
    pub bio: Option<String>,
    pub skills: Vec<(i64, u8)>,
    pub projects: Vec<(i64, ProjectRole)>,
    pub foundations: Vec<(i64, FoundationRole)>,
    pub topics: Vec<MentoringTopic>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MenteeProfile {
    pub person_id: String,
    pub target_level: u8,
    pub max_timezone_diff_hours: Option<u8>,
    pub languages: Vec<String>,
    pub skills: Vec<(i64, u8)>,
    pub projects: Vec<i64>,
    pub foundations: Vec<i64>,
    pub topics: Vec<MentoringTopic>,
}

fn small(what: &str, v: i16) -> Result<u8, DbErr> {
    u8::try_from(v).map_err(|_| super::corrupt(what, v))
}

fn topic(raw: &str) -> Result<MentoringTopic, DbErr> {
    MentoringTopic::from_slug(raw).ok_or_else(|| super::corrupt("topic", raw))
}

/// The live-match count of a mentor, `None` when they have no mentor profile.
pub async fn mentor_live_count(
    db: &impl ConnectionTrait,
    person_id: &str,
) -> Result<Option<u8>, DbErr> {
    let row = mentor_profile::Entity::find_by_id(person_id.to_owned())
        .one(db)
        .await?;
    row.map(|r| small("mentor_profile.live_count", r.live_count))
        .transpose()
}

/// Like [`mentor_live_count`], locking the row (PostgreSQL `FOR UPDATE`;
/// SQLite's write transaction already excludes other writers) so the count
/// cannot move before the caller's transaction ends.
pub async fn lock_mentor_live_count(
    db: &impl ConnectionTrait,
    person_id: &str,
) -> Result<Option<u8>, DbErr> {
    let row = mentor_profile::Entity::find_by_id(person_id.to_owned())
        .lock_exclusive()
        .one(db)
        .await?;
    row.map(|r| small("mentor_profile.live_count", r.live_count))
        .transpose()
}

/// Replaces a mentor's whole profile. The live count is kept: the CHECK
/// `live_count <= capacity` refuses a capacity below it.
pub async fn replace_mentor(
    db: &impl ConnectionTrait,
    profile: &MentorProfile,
) -> Result<(), DbErr> {
    let id = &profile.person_id;
    let row = mentor_profile::ActiveModel {
        person_id: Set(id.clone()),
        capacity: Set(i16::from(profile.capacity)),
        live_count: Set(0),
        accepting: Set(profile.accepting),
        bio: Set(profile.bio.clone()),
        updated_at: Set(Utc::now()),
        load_seq: sea_orm::ActiveValue::NotSet,
    };
    let keep = [
        mentor_profile::Column::Capacity,
        mentor_profile::Column::Accepting,
        mentor_profile::Column::Bio,
        mentor_profile::Column::UpdatedAt,
    ];
    mentor_profile::Entity::insert(row)
        .on_conflict(
            OnConflict::column(mentor_profile::Column::PersonId)
                .update_columns(keep)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    mentor_skill::Entity::delete_many()
        .filter(mentor_skill::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    mentor_project::Entity::delete_many()
        .filter(mentor_project::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    mentor_foundation::Entity::delete_many()
        .filter(mentor_foundation::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    mentor_topic::Entity::delete_many()
        .filter(mentor_topic::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    let skills = profile
        .skills
        .iter()
        .map(|&(skill_id, p)| mentor_skill::ActiveModel {
            person_id: Set(id.clone()),
            skill_id: Set(skill_id),
            proficiency: Set(i16::from(p)),
        });
    mentor_skill::Entity::insert_many(skills)
        .exec_without_returning(db)
        .await?;
    let projects = profile
        .projects
        .iter()
        .map(|&(project_id, role)| mentor_project::ActiveModel {
            person_id: Set(id.clone()),
            project_id: Set(project_id),
            role: Set(role.slug().to_owned()),
        });
    mentor_project::Entity::insert_many(projects)
        .exec_without_returning(db)
        .await?;
    let foundations =
        profile
            .foundations
            .iter()
            .map(|&(foundation_id, role)| mentor_foundation::ActiveModel {
                person_id: Set(id.clone()),
                foundation_id: Set(foundation_id),
                role: Set(role.slug().to_owned()),
            });
    mentor_foundation::Entity::insert_many(foundations)
        .exec_without_returning(db)
        .await?;
    let topics = profile.topics.iter().map(|t| mentor_topic::ActiveModel {
        person_id: Set(id.clone()),
        topic: Set(t.slug().to_owned()),
    });
    mentor_topic::Entity::insert_many(topics)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn replace_mentee(
    db: &impl ConnectionTrait,
    profile: &MenteeProfile,
) -> Result<(), DbErr> {
    let id = &profile.person_id;
    let row = mentee_profile::ActiveModel {
        person_id: Set(id.clone()),
        target_level: Set(i16::from(profile.target_level)),
        max_timezone_diff_hours: Set(profile.max_timezone_diff_hours.map(i16::from)),
        languages: Set(profile.languages.join(",")),
        updated_at: Set(Utc::now()),
    };
    let keep = [
        mentee_profile::Column::TargetLevel,
        mentee_profile::Column::MaxTimezoneDiffHours,
        mentee_profile::Column::Languages,
        mentee_profile::Column::UpdatedAt,
    ];
    mentee_profile::Entity::insert(row)
        .on_conflict(
            OnConflict::column(mentee_profile::Column::PersonId)
                .update_columns(keep)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    mentee_skill::Entity::delete_many()
        .filter(mentee_skill::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    mentee_project::Entity::delete_many()
        .filter(mentee_project::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    mentee_foundation::Entity::delete_many()
        .filter(mentee_foundation::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    mentee_topic::Entity::delete_many()
        .filter(mentee_topic::Column::PersonId.eq(id))
        .exec(db)
        .await?;
    let skills = profile
        .skills
        .iter()
        .map(|&(skill_id, p)| mentee_skill::ActiveModel {
            person_id: Set(id.clone()),
            skill_id: Set(skill_id),
            priority: Set(i16::from(p)),
        });
    mentee_skill::Entity::insert_many(skills)
        .exec_without_returning(db)
        .await?;
    let projects = profile
        .projects
        .iter()
        .map(|&project_id| mentee_project::ActiveModel {
            person_id: Set(id.clone()),
            project_id: Set(project_id),
        });
    mentee_project::Entity::insert_many(projects)
        .exec_without_returning(db)
        .await?;
    let foundations =
        profile
            .foundations
            .iter()
            .map(|&foundation_id| mentee_foundation::ActiveModel {
                person_id: Set(id.clone()),
                foundation_id: Set(foundation_id),
            });
    mentee_foundation::Entity::insert_many(foundations)
        .exec_without_returning(db)
        .await?;
    let topics = profile.topics.iter().map(|t| mentee_topic::ActiveModel {
        person_id: Set(id.clone()),
        topic: Set(t.slug().to_owned()),
    });
    mentee_topic::Entity::insert_many(topics)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Mentor profiles of `ids` (those that have one), in five queries whatever
/// the number of ids.
pub async fn mentors(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<MentorProfile>, DbErr> {
    let ids = || ids.iter().cloned();
    let rows = mentor_profile::Entity::find()
        .filter(mentor_profile::Column::PersonId.is_in(ids()))
        .all(db)
        .await?;
    let mut by_id: HashMap<String, MentorProfile> = HashMap::new();
    for r in rows {
        let profile = MentorProfile {
            capacity: small("mentor_profile.capacity", r.capacity)?,
            live_count: small("mentor_profile.live_count", r.live_count)?,
            accepting: r.accepting,
            bio: r.bio,
            skills: Vec::new(),
            projects: Vec::new(),
            foundations: Vec::new(),
            topics: Vec::new(),
            person_id: r.person_id.clone(),
        };
        by_id.insert(r.person_id, profile);
    }
    let skills = mentor_skill::Entity::find()
        .filter(mentor_skill::Column::PersonId.is_in(ids()))
        .order_by_desc(mentor_skill::Column::Proficiency)
        .order_by_asc(mentor_skill::Column::SkillId)
        .all(db)
        .await?;
    for s in skills {
        if let Some(p) = by_id.get_mut(&s.person_id) {
            p.skills.push((
                s.skill_id,
                small("mentor_skill.proficiency", s.proficiency)?,
            ));
        }
    }
    let projects = mentor_project::Entity::find()
        .filter(mentor_project::Column::PersonId.is_in(ids()))
        .order_by_asc(mentor_project::Column::ProjectId)
        .all(db)
        .await?;
    for s in projects {
        let role = ProjectRole::from_slug(&s.role)
            .ok_or_else(|| super::corrupt("mentor_project.role", &s.role))?;
        if let Some(p) = by_id.get_mut(&s.person_id) {
            p.projects.push((s.project_id, role));
        }
    }
    let foundations = mentor_foundation::Entity::find()
        .filter(mentor_foundation::Column::PersonId.is_in(ids()))
        .order_by_asc(mentor_foundation::Column::FoundationId)
        .all(db)
        .await?;
    for s in foundations {
        let role = FoundationRole::from_slug(&s.role)
            .ok_or_else(|| super::corrupt("mentor_foundation.role", &s.role))?;
        if let Some(p) = by_id.get_mut(&s.person_id) {
            p.foundations.push((s.foundation_id, role));
        }
    }
    let topics = mentor_topic::Entity::find()
        .filter(mentor_topic::Column::PersonId.is_in(ids()))
        .all(db)
        .await?;
    for t in topics {
        if let Some(p) = by_id.get_mut(&t.person_id) {
            p.topics.push(topic(&t.topic)?);
        }
    }
    let mut profiles: Vec<MentorProfile> = by_id.into_values().collect();
    for p in &mut profiles {
        p.topics.sort();
    }
    Ok(profiles)
}

/// Mentee profiles of `ids` (those that have one), in five queries.
pub async fn mentees(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<MenteeProfile>, DbErr> {
    let ids = || ids.iter().cloned();
    let rows = mentee_profile::Entity::find()
        .filter(mentee_profile::Column::PersonId.is_in(ids()))
        .all(db)
        .await?;
    let mut by_id: HashMap<String, MenteeProfile> = HashMap::new();
    for r in rows {
        let profile = MenteeProfile {
            target_level: small("mentee_profile.target_level", r.target_level)?,
            max_timezone_diff_hours: r
                .max_timezone_diff_hours
                .map(|h| small("mentee_profile.max_tz", h))
                .transpose()?,
            languages: super::split_list(&r.languages),
            skills: Vec::new(),
            projects: Vec::new(),
            foundations: Vec::new(),
            topics: Vec::new(),
            person_id: r.person_id.clone(),
        };
        by_id.insert(r.person_id, profile);
    }
    let skills = mentee_skill::Entity::find()
        .filter(mentee_skill::Column::PersonId.is_in(ids()))
        .order_by_asc(mentee_skill::Column::Priority)
        .order_by_asc(mentee_skill::Column::SkillId)
        .all(db)
        .await?;
    for s in skills {
        if let Some(p) = by_id.get_mut(&s.person_id) {
            p.skills
                .push((s.skill_id, small("mentee_skill.priority", s.priority)?));
        }
    }
    let projects = mentee_project::Entity::find()
        .filter(mentee_project::Column::PersonId.is_in(ids()))
        .order_by_asc(mentee_project::Column::ProjectId)
        .all(db)
        .await?;
    for s in projects {
        if let Some(p) = by_id.get_mut(&s.person_id) {
            p.projects.push(s.project_id);
        }
    }
    let foundations = mentee_foundation::Entity::find()
        .filter(mentee_foundation::Column::PersonId.is_in(ids()))
        .order_by_asc(mentee_foundation::Column::FoundationId)
        .all(db)
        .await?;
    for s in foundations {
        if let Some(p) = by_id.get_mut(&s.person_id) {
            p.foundations.push(s.foundation_id);
        }
    }
    let topics = mentee_topic::Entity::find()
        .filter(mentee_topic::Column::PersonId.is_in(ids()))
        .all(db)
        .await?;
    for t in topics {
        if let Some(p) = by_id.get_mut(&t.person_id) {
            p.topics.push(topic(&t.topic)?);
        }
    }
    let mut profiles: Vec<MenteeProfile> = by_id.into_values().collect();
    for p in &mut profiles {
        p.topics.sort();
    }
    Ok(profiles)
}

/// What `mentors(filter:)` narrows on; catalog entries already resolved.
#[derive(Debug, Default, Clone)]
pub struct MentorSearch {
    pub skill_id: Option<i64>,
    pub min_proficiency: Option<u8>,
    pub project_id: Option<i64>,
    pub foundation_id: Option<i64>,
    pub topic: Option<MentoringTopic>,
    pub min_level: Option<u8>,
    pub accepting: Option<bool>,
}

/// Person ids of mentors matching `search`, in id order after `after`, at
/// most `limit`. One query with subqueries, whatever the filter.
pub async fn search_mentors(
    db: &impl ConnectionTrait,
    search: &MentorSearch,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    use mentor_profile::Column as M;
    let mut query = mentor_profile::Entity::find()
        .select_only()
        .column(M::PersonId)
        .order_by_asc(M::PersonId)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(M::PersonId.gt(after));
    }
    query = query.filter(M::PersonId.not_in_subquery(departed()));
    if let Some(accepting) = search.accepting {
        query = query.filter(M::Accepting.eq(accepting));
    }
    if let Some(skill_id) = search.skill_id {
        let mut sub = Query::select();
        sub.column(mentor_skill::Column::PersonId)
            .from(mentor_skill::Entity)
            .and_where(mentor_skill::Column::SkillId.eq(skill_id));
        if let Some(min) = search.min_proficiency {
            sub.and_where(mentor_skill::Column::Proficiency.gte(i16::from(min)));
        }
        query = query.filter(M::PersonId.in_subquery(sub));
    }
    if let Some(project_id) = search.project_id {
        let mut sub = Query::select();
        sub.column(mentor_project::Column::PersonId)
            .from(mentor_project::Entity)
            .and_where(mentor_project::Column::ProjectId.eq(project_id));
        query = query.filter(M::PersonId.in_subquery(sub));
    }
    if let Some(foundation_id) = search.foundation_id {
        let mut sub = Query::select();
        sub.column(mentor_foundation::Column::PersonId)
            .from(mentor_foundation::Entity)
            .and_where(mentor_foundation::Column::FoundationId.eq(foundation_id));
        query = query.filter(M::PersonId.in_subquery(sub));
    }
    if let Some(topic) = search.topic {
        let mut sub = Query::select();
        sub.column(mentor_topic::Column::PersonId)
            .from(mentor_topic::Entity)
            .and_where(mentor_topic::Column::Topic.eq(topic.slug()));
        query = query.filter(M::PersonId.in_subquery(sub));
    }
    if let Some(level) = search.min_level {
        let mut sub = Query::select();
        sub.column(person::Column::Id)
            .from(person::Entity)
            .and_where(person::Column::OsmmLevel.gte(i16::from(level)));
        query = query.filter(M::PersonId.in_subquery(sub));
    }
    query.into_tuple::<String>().all(db).await
}

/// Which of `ids` are mentors (have a mentor profile).
pub async fn which_are_mentors(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<String>, DbErr> {
    mentor_profile::Entity::find()
        .select_only()
        .column(mentor_profile::Column::PersonId)
        .filter(mentor_profile::Column::PersonId.is_in(ids.iter().cloned()))
        .into_tuple::<String>()
        .all(db)
        .await
}

/// Which of `ids` have a mentee profile.
pub async fn which_are_mentees(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<String>, DbErr> {
    mentee_profile::Entity::find()
        .select_only()
        .column(mentee_profile::Column::PersonId)
        .filter(mentee_profile::Column::PersonId.is_in(ids.iter().cloned()))
        .into_tuple::<String>()
        .all(db)
        .await
}

/// The people who left (deactivated): never listed, ranked or proposed.
fn departed() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(person::Column::Id)
        .from(person::Entity)
        .and_where(person::Column::DeactivatedAt.is_not_null())
        .to_owned()
}

/// Every active mentor's person id, in id order.
pub async fn all_mentor_ids(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    mentor_profile::Entity::find()
        .select_only()
        .column(mentor_profile::Column::PersonId)
        .filter(mentor_profile::Column::PersonId.not_in_subquery(departed()))
        .order_by_asc(mentor_profile::Column::PersonId)
        .into_tuple::<String>()
        .all(db)
        .await
}
