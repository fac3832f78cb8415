//! Scores, recommendations and matching policies over GraphQL.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use domain::scoring::Criterion as DCriterion;

use super::people::Person;
use super::{state, viewer};
use crate::error::{ApiError, ApiResult};
use crate::service::policies::{self, PolicyDraft};
use crate::service::scoring::{self as svc, ScoreView};
use crate::store::policies::{PolicyRecord, Strategy};

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "Criterion", remote = "domain::scoring::Criterion")]
pub enum Criterion {
    Skills,
    Projects,
    Foundations,
    Maturity,
    Topics,
    Timezone,
    Language,
    Load,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MatchingStrategy {
    Optimal,
    Stable,
}

impl From<MatchingStrategy> for Strategy {
    fn from(s: MatchingStrategy) -> Self {
        match s {
            MatchingStrategy::Optimal => Strategy::Optimal,
            MatchingStrategy::Stable => Strategy::Stable,
        }
    }
}

impl From<Strategy> for MatchingStrategy {
    fn from(s: Strategy) -> Self {
        match s {
            Strategy::Optimal => MatchingStrategy::Optimal,
            Strategy::Stable => MatchingStrategy::Stable,
        }
    }
}

/// One criterion's part of a score.
#[derive(SimpleObject, Clone)]
pub struct ScoreComponent {
    pub criterion: Criterion,
    /// How well the pair meets the criterion, in [0, 1].
    pub raw: f64,
    pub weight: f64,
    /// Points this criterion adds to the total.
    pub contribution: f64,
    pub explanation: String,
}

#[derive(SimpleObject, Clone)]
pub struct ScoreResult {
    pub eligible: bool,
    pub ineligible_reason: Option<String>,
    /// In [0, 100]; the contributions add up to it.
    pub total: f64,
    pub components: Vec<ScoreComponent>,
    pub policy_version: i32,
}

impl From<ScoreView> for ScoreResult {
    fn from(v: ScoreView) -> Self {
        Self {
            eligible: v.eligible,
            ineligible_reason: v.ineligible_reason,
            total: v.total,
            components: v
                .components
                .into_iter()
                .map(|(c, explanation)| ScoreComponent {
                    criterion: c.criterion.into(),
                    raw: c.raw,
                    weight: c.weight,
                    contribution: c.contribution,
                    explanation,
                })
                .collect(),
            policy_version: v.policy_version,
        }
    }
}

#[derive(SimpleObject)]
pub struct Recommendation {
    pub mentor: Person,
    pub score: ScoreResult,
}

fn recommendations(list: Vec<svc::Recommendation>) -> Vec<Recommendation> {
    list.into_iter()
        .map(|r| Recommendation {
            mentor: Person(r.mentor),
            score: r.score.into(),
        })
        .collect()
}

#[derive(SimpleObject)]
pub struct Weights {
    pub skills: f64,
    pub projects: f64,
    pub foundations: f64,
    pub maturity: f64,
    pub topics: f64,
    pub timezone: f64,
    pub language: f64,
    pub load: f64,
}

#[derive(SimpleObject)]
pub struct MatchingPolicy {
    /// 0 is the built-in default, in force until the OSPO saves a policy.
    pub version: i32,
    pub program_id: Option<ID>,
    pub weights: Weights,
    pub min_score: f64,
    pub strategy: MatchingStrategy,
    pub proposal_sla_hours: i32,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<PolicyRecord> for MatchingPolicy {
    fn from(r: PolicyRecord) -> Self {
        let w = |c: DCriterion| r.policy.weights().get(c);
        Self {
            version: r.policy.version(),
            program_id: r.program_id.clone().map(ID),
            weights: Weights {
                skills: w(DCriterion::Skills),
                projects: w(DCriterion::Projects),
                foundations: w(DCriterion::Foundations),
                maturity: w(DCriterion::Maturity),
                topics: w(DCriterion::Topics),
                timezone: w(DCriterion::Timezone),
                language: w(DCriterion::Language),
                load: w(DCriterion::Load),
            },
            min_score: r.policy.min_score(),
            strategy: r.strategy.into(),
            proposal_sla_hours: r.proposal_sla_hours as i32,
            created_at: r.created_at,
        }
    }
}

#[derive(InputObject)]
pub struct WeightsInput {
    pub skills: f64,
    pub projects: f64,
    pub foundations: f64,
    pub maturity: f64,
    pub topics: f64,
    pub timezone: f64,
    pub language: f64,
    pub load: f64,
}

#[derive(InputObject)]
pub struct MatchingPolicyInput {
    /// Without a program: the default policy.
    pub program_id: Option<ID>,
    pub weights: WeightsInput,
    /// Pairs scoring below this (0–100) are never recommended or proposed.
    pub min_score: Option<f64>,
    pub strategy: Option<MatchingStrategy>,
    pub proposal_sla_hours: Option<i32>,
}

impl MatchingPolicyInput {
    fn parse(self) -> ApiResult<PolicyDraft> {
        let w = self.weights;
        let sla = self
            .proposal_sla_hours
            .map(|h| {
                u32::try_from(h).map_err(|_| {
                    ApiError::BadUserInput(format!("proposalSlaHours must be positive, got {h}"))
                })
            })
            .transpose()?;
        Ok(PolicyDraft {
            program_id: self.program_id.map(|id| id.0),
            weights: [
                w.skills,
                w.projects,
                w.foundations,
                w.maturity,
                w.topics,
                w.timezone,
                w.language,
                w.load,
            ],
            min_score: self.min_score,
            strategy: self.strategy.map(Into::into),
            proposal_sla_hours: sla,
        })
    }
}

#[derive(SimpleObject)]
pub struct PolicyPreview {
    /// The mentee's top k under the policy in force (empty without menteeId).
    pub current: Vec<Recommendation>,
    /// The mentee's top k under the candidate policy.
    pub candidate: Vec<Recommendation>,
    /// With a programId: the cohort dry run under the policy in force.
    pub current_cohort: Option<super::cohort::CohortMatchingResult>,
    /// With a programId: the cohort dry run under the candidate policy.
    pub candidate_cohort: Option<super::cohort::CohortMatchingResult>,
}

/// Most recommendations one request may ask for.
const MAX_RECOMMENDATIONS: i32 = 50;

fn k(first: Option<i32>) -> ApiResult<usize> {
    let first = first.unwrap_or(10);
    if !(0..=MAX_RECOMMENDATIONS).contains(&first) {
        return Err(ApiError::BadUserInput(format!(
            "first must be between 0 and {MAX_RECOMMENDATIONS}, got {first}"
        )));
    }
    Ok(first as usize)
}

#[derive(Default)]
pub struct ScoringQuery;

#[Object]
impl ScoringQuery {
    /// The best eligible mentors for the caller as mentee, best first, with
    /// full breakdowns; ties go to the lower mentor id.
    #[graphql(complexity = "first.unwrap_or(10).max(0) as usize * child_complexity + 1")]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: Option<i32>,
        program_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Recommendation>> {
        let viewer = viewer(ctx)?;
        let state = state(ctx);
        let list = svc::recommendations(
            &state.db,
            &state.pool,
            viewer,
            program_id.as_ref().map(|id| id.as_str()),
            k(first)?,
        )
        .await?;
        Ok(recommendations(list))
    }

    /// The score of one pair, eligible or not (the mentee themself or the OSPO).
    async fn score_pair(
        &self,
        ctx: &Context<'_>,
        mentor_id: ID,
        mentee_id: ID,
        program_id: Option<ID>,
    ) -> async_graphql::Result<ScoreResult> {
        let view = svc::score_pair(
            &state(ctx).db,
            viewer(ctx)?,
            &mentor_id,
            &mentee_id,
            program_id.as_ref().map(|id| id.as_str()),
        )
        .await?;
        Ok(view.into())
    }

    /// The policy in force for a program, or the default policy.
    async fn matching_policy(
        &self,
        ctx: &Context<'_>,
        program_id: Option<ID>,
    ) -> async_graphql::Result<MatchingPolicy> {
        viewer(ctx)?;
        Ok(
            policies::policy_in_force(&state(ctx).db, program_id.as_ref().map(|id| id.as_str()))
                .await?
                .into(),
        )
    }

    /// What a candidate policy would recommend to a mentee, beside the
    /// policy in force; saves nothing (OSPO only).
    async fn preview_matching_policy(
        &self,
        ctx: &Context<'_>,
        input: MatchingPolicyInput,
        mentee_id: Option<ID>,
        #[graphql(default = 10)] first: Option<i32>,
    ) -> async_graphql::Result<PolicyPreview> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let state = state(ctx);
        let preview = policies::preview(
            &state.db,
            &state.pool,
            ospo,
            input.parse()?,
            mentee_id.as_ref().map(|id| id.as_str()),
            k(first)?,
        )
        .await?;
        Ok(PolicyPreview {
            current: recommendations(preview.current),
            candidate: recommendations(preview.candidate),
            current_cohort: preview.current_cohort.map(Into::into),
            candidate_cohort: preview.candidate_cohort.map(Into::into),
        })
    }
}

#[derive(Default)]
pub struct ScoringMutation;

#[Object]
impl ScoringMutation {
    /// Saves a new immutable policy version (OSPO only); unset fields keep
    /// the values in force.
    async fn set_matching_policy(
        &self,
        ctx: &Context<'_>,
        input: MatchingPolicyInput,
    ) -> async_graphql::Result<MatchingPolicy> {
        let ospo = viewer(ctx)?.as_ospo()?;
        Ok(policies::set_policy(&state(ctx).db, ospo, input.parse()?)
            .await?
            .into())
    }
}
