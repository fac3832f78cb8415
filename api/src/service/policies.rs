//! Matching policies (design.md, "Matching policy"): immutable versions,
//! the version in force, and previews of a candidate (a mentee's top k and a
//! program's cohort dry run under both), which save nothing.

use domain::scoring::{Policy, Weights};
use sea_orm::{DatabaseConnection, DbErr, SqlErr};

use super::OspoAdmin;
use super::cohort::{self, CohortResult};
use super::features::PoolCache;
use super::scoring::{Recommendation, program_exists, rank};
use crate::db::begin_write;
use crate::error::{ApiError, ApiResult};
use crate::store::policies::{self, PolicyRecord, Strategy};

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
    let (txn, _writer) = begin_write(db).await?;
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
    pub current_cohort: Option<CohortResult>,
    pub candidate_cohort: Option<CohortResult>,
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
        current_cohort = Some(cohort::dry_run_with(db, program, current.clone()).await?);
        candidate_cohort = Some(cohort::dry_run_with(db, program, candidate).await?);
    }
    Ok(Preview {
        current: current_list,
        candidate: candidate_list,
        current_cohort,
        candidate_cohort,
    })
}
