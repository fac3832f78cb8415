//! Scores, recommendations and matching policies (design.md, "Scoring",
//! "Matching → Recommendations", "Matching policy").

use domain::scoring::{self, Component, Outcome, Policy, ScoreContext, Weights};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, SqlErr};

use super::features::{MentorPool, Names, PoolCache, mentee_features, mentor_features};
use super::{OspoAdmin, Viewer};
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::store::people::{self, Person};
use crate::store::policies::{self, PolicyRecord, Strategy};
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

    fn scored(score: &scoring::Score, explanations: [String; 8], policy_version: i32) -> Self {
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

async fn program_exists(db: &impl ConnectionTrait, program_id: Option<&str>) -> ApiResult<()> {
    if let Some(id) = program_id
        && programs::find(db, id).await?.is_none()
    {
        return Err(ApiError::NotFound("program"));
    }
    Ok(())
}

/// Top `k` mentors for the caller as mentee under `policy`, restricted to a
/// program's enrolled mentors when `program_id` is given.
async fn rank(
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
    let ranked = match program_id {
        None => scoring::top_k(&pool.compiled, &mentee, policy, k, &ctx),
        Some(program) => {
            // Only the program's mentors: rank that subset, then map back.
            let enrolled = programs::enrolled(db, program, programs::Role::Mentor).await?;
            let subset: Vec<usize> = enrolled
                .iter()
                .filter_map(|id| pool.by_id.get(id).copied())
                .collect();
            let mentors: Vec<_> = subset.iter().map(|&i| pool.compiled[i].clone()).collect();
            scoring::top_k(&mentors, &mentee, policy, k, &ctx)
                .into_iter()
                .map(|(i, s)| (subset[i], s))
                .collect()
        }
    };
    let names = &pool.names;
    let ids: Vec<String> = ranked
        .iter()
        .map(|(i, _)| pool.features[*i].person_id.clone())
        .collect();
    let found = people::find_many(db, &ids).await?;
    let mut out = Vec::with_capacity(ranked.len());
    for (i, score) in ranked {
        let Some(mentor) = found
            .iter()
            .find(|p| p.id == pool.features[i].person_id)
            .cloned()
        else {
            continue;
        };
        let explanations = scoring::explain(&pool.features[i], &features, &score, names);
        out.push(Recommendation {
            mentor,
            score: ScoreView::scored(&score, explanations, policy.version()),
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

/// A policy as the OSPO submits it, not yet versioned.
pub struct PolicyDraft {
    pub program_id: Option<String>,
    pub weights: [f64; 8],
    pub min_score: Option<f64>,
    pub strategy: Option<Strategy>,
    pub proposal_sla_hours: Option<u32>,
}

impl PolicyDraft {
    /// Validates against the version in force; unset fields keep its values.
    fn resolve(&self, current: &PolicyRecord, version: i32) -> ApiResult<PolicyRecord> {
        let weights =
            Weights::new(self.weights).map_err(|e| ApiError::BadUserInput(e.to_string()))?;
        let min_score = self.min_score.unwrap_or(current.policy.min_score());
        let policy = Policy::new(version, weights, min_score)
            .map_err(|e| ApiError::BadUserInput(e.to_string()))?;
        let sla = self
            .proposal_sla_hours
            .unwrap_or(current.proposal_sla_hours);
        if !(1..=24 * 90).contains(&sla) {
            return Err(ApiError::BadUserInput(format!(
                "proposalSlaHours must be between 1 and 2160, got {sla}"
            )));
        }
        Ok(PolicyRecord {
            program_id: self.program_id.clone(),
            policy,
            strategy: self.strategy.unwrap_or(current.strategy),
            proposal_sla_hours: sla,
            created_at: None,
        })
    }
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// `setMatchingPolicy`: a new immutable version (OSPO only).
pub async fn set_policy(
    db: &DatabaseConnection,
    ospo: OspoAdmin<'_>,
    draft: PolicyDraft,
) -> ApiResult<PolicyRecord> {
    let txn = begin_write(db).await?;
    program_exists(&txn, draft.program_id.as_deref()).await?;
    let current = policies::in_force(&txn, draft.program_id.as_deref()).await?;
    let own_latest = policies::latest(&txn, draft.program_id.as_deref()).await?;
    let version = own_latest.map(|r| r.policy.version()).unwrap_or(0) + 1;
    let record = draft.resolve(&current, version)?;
    match policies::insert(&txn, &record, ospo.person_id()).await {
        Err(e) if is_unique_violation(&e) => {
            return Err(ApiError::Conflict(
                "another policy version was saved meanwhile; try again".into(),
            ));
        }
        other => other?,
    }
    txn.commit().await?;
    Ok(PolicyRecord {
        created_at: Some(chrono::Utc::now()),
        ..record
    })
}

pub async fn policy_in_force(
    db: &DatabaseConnection,
    program_id: Option<&str>,
) -> ApiResult<PolicyRecord> {
    program_exists(db, program_id).await?;
    Ok(policies::in_force(db, program_id).await?)
}

/// What a candidate policy would do, beside the policy in force: one
/// mentee's top k, and for a program the cohort result (a dry run under
/// each). Nothing is saved (OSPO only).
pub struct Preview {
    pub current: Vec<Recommendation>,
    pub candidate: Vec<Recommendation>,
    pub current_cohort: Option<super::cohort::CohortResult>,
    pub candidate_cohort: Option<super::cohort::CohortResult>,
}

pub async fn preview(
    db: &DatabaseConnection,
    cache: &PoolCache,
    _ospo: OspoAdmin<'_>,
    draft: PolicyDraft,
    mentee_id: Option<&str>,
    k: usize,
) -> ApiResult<Preview> {
    program_exists(db, draft.program_id.as_deref()).await?;
    let current = policies::in_force(db, draft.program_id.as_deref()).await?;
    let candidate = draft.resolve(&current, current.policy.version() + 1)?;
    let pool = cache.get(db).await?;
    let program = draft.program_id.as_deref();
    let (mut current_list, mut candidate_list) = (Vec::new(), Vec::new());
    if let Some(mentee_id) = mentee_id {
        current_list = rank(db, &pool, mentee_id, program, &current.policy, k).await?;
        candidate_list = rank(db, &pool, mentee_id, program, &candidate.policy, k).await?;
    }
    let (mut current_cohort, mut candidate_cohort) = (None, None);
    if let Some(program) = program {
        current_cohort = Some(super::cohort::dry_run_with(db, program, current.clone()).await?);
        candidate_cohort = Some(super::cohort::dry_run_with(db, program, candidate).await?);
    }
    Ok(Preview {
        current: current_list,
        candidate: candidate_list,
        current_cohort,
        candidate_cohort,
    })
}
