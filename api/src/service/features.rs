//! Turns stored people and profiles into scoring features, and keeps every
//! instance's compiled mentor pool fresh.
//!
//! The pool (all mentors, compiled) is rebuilt only when the database's
//! scoring revision moved: one primary-key read per use, and every write
//! that changes a mentor's features bumps the revision in its transaction,
//! so a change made through another instance is seen at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{Offset, Utc};
use domain::scoring::{
    CatalogNames, CompiledMentee, CompiledMentor, LanguageTable, MenteeFeatures, MentorFeatures,
};
use domain::values::{Capacity, OsmmLevel, Priority, Proficiency};
use sea_orm::{ConnectionTrait, DbErr};

use crate::error::{ApiError, ApiResult};
use crate::store::catalog;
use crate::store::people::Person;
use crate::store::profiles::{MenteeProfile, MentorProfile};

/// Minutes east of UTC right now for an IANA zone; `None` when unset.
fn utc_offset_minutes(timezone: Option<&str>) -> Option<i32> {
    let tz: chrono_tz::Tz = timezone?.parse().ok()?;
    Some(
        Utc::now()
            .with_timezone(&tz)
            .offset()
            .fix()
            .local_minus_utc()
            / 60,
    )
}

fn stored<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<T, DbErr> {
    r.map_err(|e| crate::store::corrupt(what, e))
}

fn index(id: i64) -> u32 {
    // Catalog ids are small positive integers (auto-increment); anything else
    // maps past the compiled tables' limit and is ignored or refused there.
    u32::try_from(id).unwrap_or(u32::MAX)
}

pub fn mentor_features(person: &Person, profile: &MentorProfile) -> Result<MentorFeatures, DbErr> {
    Ok(MentorFeatures {
        person_id: person.id.clone(),
        manager_id: person.manager_id.clone(),
        level: stored("level", OsmmLevel::try_from(i64::from(person.osmm_level)))?,
        capacity: stored("capacity", Capacity::try_from(i64::from(profile.capacity)))?,
        live_count: u32::from(profile.live_count),
        accepting: profile.accepting,
        skills: profile
            .skills
            .iter()
            .map(|&(id, p)| {
                Ok((
                    index(id),
                    stored("proficiency", Proficiency::try_from(i64::from(p)))?,
                ))
            })
            .collect::<Result<_, DbErr>>()?,
        projects: profile
            .projects
            .iter()
            .map(|&(id, role)| (index(id), role))
            .collect(),
        foundations: profile
            .foundations
            .iter()
            .map(|&(id, role)| (index(id), role))
            .collect(),
        topics: profile.topics.clone(),
        languages: person.languages.clone(),
        utc_offset_minutes: utc_offset_minutes(person.timezone.as_deref()),
    })
}

pub fn mentee_features(person: &Person, profile: &MenteeProfile) -> Result<MenteeFeatures, DbErr> {
    Ok(MenteeFeatures {
        person_id: person.id.clone(),
        manager_id: person.manager_id.clone(),
        level: stored("level", OsmmLevel::try_from(i64::from(person.osmm_level)))?,
        target_level: stored(
            "target level",
            OsmmLevel::try_from(i64::from(profile.target_level)),
        )?,
        wanted_skills: profile
            .skills
            .iter()
            .map(|&(id, p)| {
                Ok((
                    index(id),
                    stored("priority", Priority::try_from(i64::from(p)))?,
                ))
            })
            .collect::<Result<_, DbErr>>()?,
        projects: profile.projects.iter().map(|&id| index(id)).collect(),
        foundations: profile.foundations.iter().map(|&id| index(id)).collect(),
        topics: profile.topics.clone(),
        max_timezone_diff_hours: profile.max_timezone_diff_hours,
        languages: profile.languages.clone(),
        utc_offset_minutes: utc_offset_minutes(person.timezone.as_deref()),
    })
}

/// All mentors, compiled, with what explanations need.
pub struct MentorPool {
    generation: i64,
    pub compiled: Vec<CompiledMentor>,
    pub features: Vec<MentorFeatures>,
    pub by_id: HashMap<String, usize>,
    pub languages: LanguageTable,
    /// The whole catalog's names, for explanations.
    pub names: Names,
}

impl MentorPool {
    pub fn compile_mentee(&self, features: &MenteeFeatures) -> ApiResult<CompiledMentee> {
        CompiledMentee::compile(features, &self.languages).map_err(|e| ApiError::Internal(e.into()))
    }
}

/// The per-instance cache of the pool.
#[derive(Default, Clone)]
pub struct PoolCache(Arc<RwLock<Option<Arc<MentorPool>>>>);

impl PoolCache {
    /// The current pool, rebuilt first when mentors changed anywhere.
    pub async fn get(&self, db: &impl ConnectionTrait) -> Result<Arc<MentorPool>, DbErr> {
        let generation = crate::store::revision::current(db).await?;
        if let Some(pool) = self.0.read().unwrap_or_else(|p| p.into_inner()).as_ref()
            && pool.generation == generation
        {
            return Ok(pool.clone());
        }
        let pool = Arc::new(build(db, generation).await?);
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(pool.clone());
        Ok(pool)
    }
}

async fn build(db: &impl ConnectionTrait, generation: i64) -> Result<MentorPool, DbErr> {
    let ids = crate::store::profiles::all_mentor_ids(db).await?;
    let profiles = crate::store::profiles::mentors(db, &ids).await?;
    let people: HashMap<String, Person> = crate::store::people::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut languages = LanguageTable::new();
    let mut pool = MentorPool {
        generation,
        compiled: Vec::new(),
        features: Vec::new(),
        by_id: HashMap::new(),
        languages: LanguageTable::new(),
        names: Names::all(db).await?,
    };
    let mut profiles = profiles;
    profiles.sort_by(|a, b| a.person_id.cmp(&b.person_id));
    for profile in profiles {
        let Some(person) = people.get(&profile.person_id) else {
            continue;
        };
        let features = mentor_features(person, &profile)?;
        pool.by_id.insert(person.id.clone(), pool.compiled.len());
        pool.compiled
            .push(CompiledMentor::compile(&features, &mut languages));
        pool.features.push(features);
    }
    pool.languages = languages;
    Ok(pool)
}

/// Catalog names for explanations, loaded for the ids at hand.
#[derive(Default)]
pub struct Names {
    skills: HashMap<u32, String>,
    projects: HashMap<u32, String>,
    foundations: HashMap<u32, String>,
}

impl Names {
    /// Every catalog entry's name; catalogs are small (hundreds to a few
    /// thousand entries).
    pub async fn all(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        const ALL: u64 = 1 << 32;
        Ok(Self {
            skills: catalog::skills_page(db, None, ALL)
                .await?
                .into_iter()
                .map(|s| (index(s.id), s.slug))
                .collect(),
            projects: catalog::projects_page(db, None, ALL)
                .await?
                .into_iter()
                .map(|s| (index(s.id), s.slug))
                .collect(),
            foundations: catalog::foundations_page(db, None, ALL)
                .await?
                .into_iter()
                .map(|s| (index(s.id), s.name))
                .collect(),
        })
    }

    /// Loads the names of every catalog entry the given features mention.
    pub async fn load<'a>(
        db: &impl ConnectionTrait,
        mentors: impl IntoIterator<Item = &'a MentorFeatures>,
        mentees: impl IntoIterator<Item = &'a MenteeFeatures>,
    ) -> Result<Self, DbErr> {
        let (mut skills, mut projects, mut foundations): (Vec<i64>, Vec<i64>, Vec<i64>) =
            Default::default();
        for m in mentors {
            skills.extend(m.skills.iter().map(|s| i64::from(s.0)));
            projects.extend(m.projects.iter().map(|p| i64::from(p.0)));
            foundations.extend(m.foundations.iter().map(|f| i64::from(f.0)));
        }
        for mentee in mentees {
            skills.extend(mentee.wanted_skills.iter().map(|s| i64::from(s.0)));
            projects.extend(mentee.projects.iter().map(|&p| i64::from(p)));
            foundations.extend(mentee.foundations.iter().map(|&f| i64::from(f)));
        }
        for list in [&mut skills, &mut projects, &mut foundations] {
            list.sort_unstable();
            list.dedup();
        }
        Ok(Self {
            skills: catalog::skills_by_id(db, &skills)
                .await?
                .into_iter()
                .map(|s| (index(s.id), s.slug))
                .collect(),
            projects: catalog::projects_by_id(db, &projects)
                .await?
                .into_iter()
                .map(|s| (index(s.id), s.slug))
                .collect(),
            foundations: catalog::foundations_by_id(db, &foundations)
                .await?
                .into_iter()
                .map(|s| (index(s.id), s.name))
                .collect(),
        })
    }
}

impl CatalogNames for Names {
    fn skill(&self, index: u32) -> Option<&str> {
        self.skills.get(&index).map(String::as_str)
    }
    fn project(&self, index: u32) -> Option<&str> {
        self.projects.get(&index).map(String::as_str)
    }
    fn foundation(&self, index: u32) -> Option<&str> {
        self.foundations.get(&index).map(String::as_str)
    }
}
