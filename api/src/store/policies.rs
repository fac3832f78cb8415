//! Matching policies: immutable versions per program, plus the default
//! policy (no program). The latest version is the one in force.

use chrono::Utc;
use domain::scoring::{Criterion, Policy, Weights};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::entities::matching_policy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Optimal,
    Stable,
}

impl Strategy {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Optimal => "optimal",
            Self::Stable => "stable",
        }
    }
}

/// A stored policy version, or the built-in default (version 0) when the
/// OSPO has saved none.
#[derive(Clone, Debug)]
pub struct PolicyRecord {
    pub program_id: Option<String>,
    pub policy: Policy,
    pub strategy: Strategy,
    pub proposal_sla_hours: u32,
    pub created_at: Option<chrono::DateTime<Utc>>,
}

pub const DEFAULT_SLA_HOURS: u32 = 7 * 24;

impl PolicyRecord {
    pub fn built_in() -> Self {
        Self {
            program_id: None,
            policy: Policy::default(),
            strategy: Strategy::Optimal,
            proposal_sla_hours: DEFAULT_SLA_HOURS,
            created_at: None,
        }
    }

    fn from_row(row: matching_policy::Model) -> Result<Self, DbErr> {
        let weights = Weights::new([
            row.w_skills,
            row.w_projects,
            row.w_foundations,
            row.w_maturity,
            row.w_topics,
            row.w_timezone,
            row.w_language,
            row.w_load,
        ])
        .map_err(|e| super::corrupt("matching_policy weights", e))?;
        let policy = Policy::new(row.version, weights, row.min_score)
            .map_err(|e| super::corrupt("matching_policy", e))?;
        let strategy = match row.strategy.as_str() {
            "optimal" => Strategy::Optimal,
            "stable" => Strategy::Stable,
            other => return Err(super::corrupt("matching_policy.strategy", other)),
        };
        Ok(Self {
            program_id: row.program_id,
            policy,
            strategy,
            proposal_sla_hours: u32::try_from(row.proposal_sla_hours).map_err(|_| {
                super::corrupt("matching_policy.proposal_sla_hours", row.proposal_sla_hours)
            })?,
            created_at: Some(row.created_at),
        })
    }
}

/// The latest version saved for `program_id` (`None`: the default policy).
pub async fn latest(
    db: &impl ConnectionTrait,
    program_id: Option<&str>,
) -> Result<Option<PolicyRecord>, DbErr> {
    let mut query = matching_policy::Entity::find().order_by_desc(matching_policy::Column::Version);
    query = match program_id {
        Some(id) => query.filter(matching_policy::Column::ProgramId.eq(id)),
        None => query.filter(matching_policy::Column::ProgramId.is_null()),
    };
    query.one(db).await?.map(PolicyRecord::from_row).transpose()
}

/// The policy in force for a program: its own latest version, else the
/// default policy's, else the built-in default.
pub async fn in_force(
    db: &impl ConnectionTrait,
    program_id: Option<&str>,
) -> Result<PolicyRecord, DbErr> {
    if let Some(id) = program_id
        && let Some(own) = latest(db, Some(id)).await?
    {
        return Ok(own);
    }
    Ok(latest(db, None)
        .await?
        .unwrap_or_else(PolicyRecord::built_in))
}

/// Saves `record` as a new version; the unique index on (program, version)
/// refuses a concurrent save of the same version.
pub async fn insert(
    db: &impl ConnectionTrait,
    record: &PolicyRecord,
    created_by: &str,
) -> Result<(), DbErr> {
    let w = |c: Criterion| record.policy.weights().get(c);
    let row = matching_policy::ActiveModel {
        program_id: Set(record.program_id.clone()),
        version: Set(record.policy.version()),
        w_skills: Set(w(Criterion::Skills)),
        w_projects: Set(w(Criterion::Projects)),
        w_foundations: Set(w(Criterion::Foundations)),
        w_maturity: Set(w(Criterion::Maturity)),
        w_topics: Set(w(Criterion::Topics)),
        w_timezone: Set(w(Criterion::Timezone)),
        w_language: Set(w(Criterion::Language)),
        w_load: Set(w(Criterion::Load)),
        min_score: Set(record.policy.min_score()),
        strategy: Set(record.strategy.slug().to_owned()),
        proposal_sla_hours: Set(record.proposal_sla_hours as i32),
        created_by: Set(Some(created_by.to_owned())),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    matching_policy::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
