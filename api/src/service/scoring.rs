//! Scores and recommendations (design.md, "Scoring", "Matching →
//! Recommendations"). Policies and their previews are `service::policies`.

use domain::scoring::{self, Component, Outcome, Policy, ScoreContext};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use std::collections::HashMap;

use super::Viewer;
use super::features::{MentorPool, Names, PoolCache, RankScope, mentee_features, mentor_features};
use crate::error::{ApiError, ApiResult};
use crate::store::people::{self, Person};
use crate::store::policies;
use crate::store::{profiles, programs};

/// A score as the API shows it: the breakdown with its explanations, or the
/// reason the pair is ineligible.
#[derive(Clone, Debug)]
pub struct ScoreView {
    pub eligible: bool,
    pub ineligible_reason: Option<String>,
    pub total: f64,
    pub components: Vec<(Component, String)>,
    pub policy_version: i32,
}

impl ScoreView {
    fn ineligible(reason: String, policy_version: i32) -> Self {
        Self {
            eligible: false,
            ineligible_reason: Some(reason),
            total: 0.0,
            components: Vec::new(),
            policy_version,
        }
    }

    pub fn from_score(
        score: &scoring::Score,
        explanations: [String; 8],
        policy_version: i32,
    ) -> Self {
        Self::scored(score, explanations, policy_version)
    }

    /// A breakdown frozen into a match, read back. A row our writes did not
    /// produce is corrupt: an internal error, never a panic.
    pub fn from_breakdown_json(raw: &str) -> ApiResult<Self> {
        let corrupt = || ApiError::Internal(anyhow::anyhow!("corrupt frozen score breakdown"));
        let value: serde_json::Value = serde_json::from_str(raw).map_err(|_| corrupt())?;
        let number = |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_f64());
        let components = value
            .get("components")
            .and_then(|c| c.as_array())
            .ok_or_else(corrupt)?
            .iter()
            .map(|c| {
                let criterion = c
                    .get("criterion")
                    .and_then(|x| x.as_str())
                    .and_then(scoring::Criterion::from_slug)
                    .ok_or_else(corrupt)?;
                let component = Component {
                    criterion,
                    raw: number(c, "raw").ok_or_else(corrupt)?,
                    weight: number(c, "weight").ok_or_else(corrupt)?,
                    contribution: number(c, "contribution").ok_or_else(corrupt)?,
                };
                let explanation = c
                    .get("explanation")
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_owned();
                Ok((component, explanation))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(Self {
            eligible: true,
            ineligible_reason: None,
            total: number(&value, "total").ok_or_else(corrupt)?,
            components,
            policy_version: value
                .get("policyVersion")
                .and_then(|v| v.as_i64())
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(corrupt)?,
        })
    }

    /// The breakdown as frozen into a match.
    pub fn breakdown_json(&self) -> serde_json::Value {
        let components: Vec<serde_json::Value> = self
            .components
            .iter()
            .map(|(c, explanation)| {
                serde_json::json!({
                    "criterion": c.criterion.slug(),
                    "raw": c.raw,
                    "weight": c.weight,
                    "contribution": c.contribution,
                    "explanation": explanation,
                })
            })
            .collect();
        serde_json::json!({ "total": self.total, "policyVersion": self.policy_version, "components": components })
    }

    pub(crate) fn scored(
        score: &scoring::Score,
        explanations: [String; 8],
        policy_version: i32,
    ) -> Self {
        Self {
            eligible: true,
            ineligible_reason: None,
            total: score.total(),
            components: score
                .components()
                .iter()
                .copied()
                .zip(explanations)
                .collect(),
            policy_version,
        }
    }
}

pub struct Recommendation {
    pub mentor: Person,
    pub score: ScoreView,
}

async fn mentee_of(
    db: &impl ConnectionTrait,
    id: &str,
) -> ApiResult<(Person, profiles::MenteeProfile)> {
    let person = people::find(db, id)
        .await?
        .ok_or(ApiError::NotFound("mentee"))?;
    let profile = profiles::mentees(db, std::slice::from_ref(&person.id))
        .await?
        .pop()
        .ok_or_else(|| {
            ApiError::BadUserInput("the mentee has no mentee profile yet (setMenteeProfile)".into())
        })?;
    Ok((person, profile))
}

pub(super) async fn program_exists(
    db: &impl ConnectionTrait,
    program_id: Option<&str>,
) -> ApiResult<()> {
    if let Some(id) = program_id
        && programs::find(db, id).await?.is_none()
    {
        return Err(ApiError::NotFound("program"));
    }
    Ok(())
}

/// Top `k` mentors for the caller as mentee under `policy`, restricted to a
/// program's enrolled mentors when `program_id` is given.
pub(super) async fn rank(
    db: &DatabaseConnection,
    pool: &MentorPool,
    mentee_id: &str,
    program_id: Option<&str>,
    policy: &Policy,
    k: usize,
) -> ApiResult<Vec<Recommendation>> {
    let (person, profile) = mentee_of(db, mentee_id).await?;
    let features = mentee_features(&person, &profile)?;
    let mentee = pool.compile_mentee(&features)?;
    let ctx = ScoreContext::for_proposal();
    let enrolled = match program_id {
        Some(program) => Some(programs::enrolled(db, program, programs::Role::Mentor).await?),
        None => None,
    };
    let no_moves = HashMap::new();
    let scope = RankScope {
        only: enrolled.as_deref(),
        live: &no_moves,
    };
    let ranked = pool.rank(&mentee, policy, k, &ctx, &scope);
    let ids: Vec<String> = ranked
        .iter()
        .map(|r| r.features.person_id.clone())
        .collect();
    let found = people::find_many(db, &ids).await?;
    let mut out = Vec::with_capacity(ranked.len());
    for r in ranked {
        let Some(mentor) = found.iter().find(|p| p.id == r.features.person_id).cloned() else {
            continue;
        };
        let explanations = scoring::explain(&r.features, &features, &r.score, &pool.names);
        out.push(Recommendation {
            mentor,
            score: ScoreView::scored(&r.score, explanations, policy.version()),
        });
    }
    Ok(out)
}

/// `recommendations(first, programId)` for the caller as mentee.
pub async fn recommendations(
    db: &DatabaseConnection,
    cache: &PoolCache,
    viewer: &Viewer,
    program_id: Option<&str>,
    k: usize,
) -> ApiResult<Vec<Recommendation>> {
    program_exists(db, program_id).await?;
    let record = policies::in_force(db, program_id).await?;
    let pool = cache.get(db).await?;
    rank(db, &pool, &viewer.person_id, program_id, &record.policy, k).await
}

/// `scorePair`: the mentee themself or the OSPO; ineligible pairs come
/// back with their reason.
pub async fn score_pair(
    db: &DatabaseConnection,
    viewer: &Viewer,
    mentor_id: &str,
    mentee_id: &str,
    program_id: Option<&str>,
) -> ApiResult<ScoreView> {
    if !(viewer.is(mentee_id) || viewer.is_ospo()) {
        return Err(ApiError::Forbidden(
            "only the mentee and the OSPO may score this pair",
        ));
    }
    program_exists(db, program_id).await?;
    let record = policies::in_force(db, program_id).await?;
    let mentor = people::find(db, mentor_id)
        .await?
        .ok_or(ApiError::NotFound("mentor"))?;
    let mentor_profile = profiles::mentors(db, std::slice::from_ref(&mentor.id))
        .await?
        .pop()
        .ok_or(ApiError::NotFound("mentor"))?;
    let (mentee, mentee_profile) = mentee_of(db, mentee_id).await?;
    let mentor_features = mentor_features(&mentor, &mentor_profile)?;
    let mentee_features = mentee_features(&mentee, &mentee_profile)?;
    let mut languages = scoring::LanguageTable::new();
    let compiled_mentor = scoring::CompiledMentor::compile(&mentor_features, &mut languages);
    let compiled_mentee = scoring::CompiledMentee::compile(&mentee_features, &languages)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let policy = &record.policy;
    Ok(
        match scoring::score(
            &compiled_mentor,
            &compiled_mentee,
            policy,
            &ScoreContext::for_proposal(),
        ) {
            Outcome::Ineligible(reason) => {
                ScoreView::ineligible(reason.to_string(), policy.version())
            }
            Outcome::Eligible(score) => {
                let names = Names::load(db, [&mentor_features], [&mentee_features]).await?;
                let explanations =
                    scoring::explain(&mentor_features, &mentee_features, &score, &names);
                ScoreView::scored(&score, explanations, policy.version())
            }
        },
    )
}
