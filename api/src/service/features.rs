//! Turns stored people and profiles into scoring features, and keeps every
//! instance's compiled mentor pool fresh.
//!
//! The pool (all mentors, compiled) is rebuilt only when the database's
//! scoring revision moved: one primary-key read per use, and every write
//! that changes a mentor's features bumps the revision in its transaction,
//! so a change made through another instance is seen at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{Offset, Utc};
use domain::scoring::{
    self, CatalogNames, CompiledMentee, CompiledMentor, LanguageTable, MenteeFeatures,
    MentorFeatures, Outcome, Policy, Score, ScoreContext, top_k,
};
use domain::values::{Capacity, OsmmLevel, Priority, Proficiency};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

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
///
/// Profiles change rarely and rebuild the pool; live counts move with every
/// proposal and answer, so they are patched in place (under `mentors`'
/// write lock) from the mentors whose `load_seq` passed `load_seen`.
pub struct MentorPool {
    generation: i64,
    load_seen: AtomicI64,
    mentors: RwLock<Mentors>,
    pub by_id: HashMap<String, usize>,
    pub languages: LanguageTable,
    /// The whole catalog's names, for explanations.
    pub names: Names,
    /// Serializes patching, so an older read never overwrites a newer one.
    patching: tokio::sync::Mutex<()>,
}

struct Mentors {
    compiled: Vec<CompiledMentor>,
    features: Vec<MentorFeatures>,
}

/// A ranked mentor: their features (for explanations) and score.
pub struct Ranked {
    pub features: MentorFeatures,
    pub score: Score,
}

/// Who may be ranked, and the live counts this transaction already moved.
pub struct RankScope<'a> {
    /// Only these mentors (a program's); `None` for everyone.
    pub only: Option<&'a [String]>,
    /// Live counts that differ from the pool's committed ones because the
    /// caller's open transaction moved them.
    pub live: &'a HashMap<String, u32>,
}

impl MentorPool {
    pub fn compile_mentee(&self, features: &MenteeFeatures) -> ApiResult<CompiledMentee> {
        CompiledMentee::compile(features, &self.languages).map_err(|e| ApiError::Internal(e.into()))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Mentors> {
        self.mentors.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The `k` best eligible mentors in `scope`, best first (ties by id).
    pub fn rank(
        &self,
        mentee: &CompiledMentee,
        policy: &Policy,
        k: usize,
        ctx: &ScoreContext,
        scope: &RankScope<'_>,
    ) -> Vec<Ranked> {
        let mentors = self.read();
        let overridden = |id: &str| scope.live.contains_key(id);
        let mut ranked: Vec<(usize, Score)> = match scope.only {
            None if scope.live.is_empty() => top_k(&mentors.compiled, mentee, policy, k, ctx),
            _ => {
                // A subset, or mentors whose counts moved: rank copies.
                let indices: Vec<usize> = match scope.only {
                    Some(ids) => ids
                        .iter()
                        .filter_map(|id| self.by_id.get(id).copied())
                        .collect(),
                    None => (0..mentors.compiled.len()).collect(),
                };
                let plain: Vec<usize> = indices
                    .iter()
                    .copied()
                    .filter(|&i| !overridden(mentors.compiled[i].person_id()))
                    .collect();
                let subset: Vec<CompiledMentor> =
                    plain.iter().map(|&i| mentors.compiled[i].clone()).collect();
                let mut out: Vec<(usize, Score)> = top_k(&subset, mentee, policy, k, ctx)
                    .into_iter()
                    .map(|(j, s)| (plain[j], s))
                    .collect();
                for &i in indices
                    .iter()
                    .filter(|&&i| overridden(mentors.compiled[i].person_id()))
                {
                    let mut mentor = mentors.compiled[i].clone();
                    mentor.set_live_count(scope.live[mentor.person_id()]);
                    if let Outcome::Eligible(score) = scoring::score(&mentor, mentee, policy, ctx)
                        && score.total() >= policy.min_score()
                    {
                        out.push((i, score));
                    }
                }
                out
            }
        };
        ranked.sort_by(|(a, sa), (b, sb)| {
            sb.total().total_cmp(&sa.total()).then_with(|| {
                mentors.compiled[*a]
                    .person_id()
                    .cmp(mentors.compiled[*b].person_id())
            })
        });
        ranked.truncate(k);
        ranked
            .into_iter()
            .map(|(i, score)| {
                let mut features = mentors.features[i].clone();
                if let Some(&live) = scope.live.get(&features.person_id) {
                    features.live_count = live;
                }
                Ranked { features, score }
            })
            .collect()
    }

    /// One mentor's features and committed live count, if in the pool.
    pub fn mentor(&self, id: &str) -> Option<MentorFeatures> {
        let i = *self.by_id.get(id)?;
        Some(self.read().features[i].clone())
    }

    /// Scores one mentor, with `live` in place of the committed count.
    pub fn score_one(
        &self,
        id: &str,
        mentee: &CompiledMentee,
        policy: &Policy,
        ctx: &ScoreContext,
        live: Option<u32>,
    ) -> Option<(MentorFeatures, Outcome)> {
        let i = *self.by_id.get(id)?;
        let mentors = self.read();
        let mut compiled = mentors.compiled[i].clone();
        let mut features = mentors.features[i].clone();
        if let Some(live) = live {
            compiled.set_live_count(live);
            features.live_count = live;
        }
        Some((features, scoring::score(&compiled, mentee, policy, ctx)))
    }

    fn patch(&self, loads: &[(String, i16)]) {
        let mut mentors = self.mentors.write().unwrap_or_else(|p| p.into_inner());
        for (id, live) in loads {
            if let Some(&i) = self.by_id.get(id) {
                let live = u32::try_from(*live).unwrap_or(0);
                mentors.compiled[i].set_live_count(live);
                mentors.features[i].live_count = live;
            }
        }
    }
}

/// The per-instance cache of the pool.
#[derive(Default, Clone)]
pub struct PoolCache(Arc<RwLock<Option<Arc<MentorPool>>>>);

impl PoolCache {
    /// The current pool: rebuilt when mentor profiles changed anywhere,
    /// patched when only live counts did. Pass the plain connection, never
    /// an open transaction: the pool must hold committed data only.
    pub async fn get(&self, db: &DatabaseConnection) -> Result<Arc<MentorPool>, DbErr> {
        let (generation, load) = crate::store::revision::current(db).await?;
        let cached = self.0.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(pool) = cached
            && pool.generation == generation
        {
            if pool.load_seen.load(Ordering::Acquire) < load {
                let _one_at_a_time = pool.patching.lock().await;
                let seen = pool.load_seen.load(Ordering::Acquire);
                if seen < load {
                    let loads = crate::store::matches::loads_since(db, seen).await?;
                    pool.patch(&loads);
                    pool.load_seen.store(load, Ordering::Release);
                }
            }
            return Ok(pool);
        }
        let pool = Arc::new(build(db, generation, load).await?);
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Some(pool.clone());
        Ok(pool)
    }
}

async fn build(db: &impl ConnectionTrait, generation: i64, load: i64) -> Result<MentorPool, DbErr> {
    let ids = crate::store::profiles::all_mentor_ids(db).await?;
    let profiles = crate::store::profiles::mentors(db, &ids).await?;
    let people: HashMap<String, Person> = crate::store::people::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut languages = LanguageTable::new();
    let mut by_id = HashMap::new();
    let mut mentors = Mentors {
        compiled: Vec::new(),
        features: Vec::new(),
    };
    let mut profiles = profiles;
    profiles.sort_by(|a, b| a.person_id.cmp(&b.person_id));
    for profile in profiles {
        let Some(person) = people.get(&profile.person_id) else {
            continue;
        };
        let features = mentor_features(person, &profile)?;
        by_id.insert(person.id.clone(), mentors.compiled.len());
        mentors
            .compiled
            .push(CompiledMentor::compile(&features, &mut languages));
        mentors.features.push(features);
    }
    Ok(MentorPool {
        generation,
        load_seen: AtomicI64::new(load),
        mentors: RwLock::new(mentors),
        by_id,
        languages,
        names: Names::all(db).await?,
        patching: tokio::sync::Mutex::new(()),
    })
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
