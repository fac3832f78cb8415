//! `runCohortMatching`: assign a program's whole cohort (OSPO only).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use domain::matching::UnmatchedReason as DReason;

use super::people::Person;
use super::scoring::{MatchingStrategy, ScoreResult};
use super::{state, viewer};
use crate::service::cohort::{self as svc, CohortResult};

#[derive(InputObject)]
pub struct CohortMatchingInput {
    pub program_id: ID,
    /// Defaults to the strategy of the program's policy.
    pub strategy: Option<MatchingStrategy>,
    /// Report only; write nothing.
    pub dry_run: bool,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// No enrolled mentor is allowed for this mentee (hard constraints, or no mentee profile).
    NoAllowedPair,
    /// Every allowed mentor scores below the policy's minimum.
    BelowMinimumScore,
    /// Every allowed mentor above the minimum is full with other mentees.
    MentorsFull,
    /// An allowed mentor had a free seat (only for hand-made assignments).
    LeftOut,
}

impl From<DReason> for UnmatchedReason {
    fn from(r: DReason) -> Self {
        match r {
            DReason::NoAllowedPair => Self::NoAllowedPair,
            DReason::BelowMinimumScore => Self::BelowMinimumScore,
            DReason::MentorsFull => Self::MentorsFull,
            DReason::LeftOut => Self::LeftOut,
        }
    }
}

#[derive(SimpleObject)]
pub struct Assignment {
    pub mentee: Person,
    pub mentor: Person,
    pub score: ScoreResult,
    /// The proposal created by a commit; null on a dry run.
    pub match_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct UnmatchedMentee {
    pub mentee: Person,
    pub reason: UnmatchedReason,
}

#[derive(SimpleObject)]
pub struct CohortMatchingResult {
    pub strategy: MatchingStrategy,
    pub dry_run: bool,
    /// The sum of the assigned pairs' totals.
    pub objective: f64,
    pub assignments: Vec<Assignment>,
    pub unmatched: Vec<UnmatchedMentee>,
    /// Pairs (mentee, mentor) who both prefer each other to what they got.
    pub blocking_pairs: i64,
    pub policy_version: i32,
}

impl From<CohortResult> for CohortMatchingResult {
    fn from(r: CohortResult) -> Self {
        Self {
            strategy: r.strategy.into(),
            dry_run: r.dry_run,
            objective: r.objective,
            assignments: r
                .assignments
                .into_iter()
                .map(|a| Assignment {
                    mentee: Person(a.mentee),
                    mentor: Person(a.mentor),
                    score: a.score.into(),
                    match_id: a.match_id.map(ID),
                })
                .collect(),
            unmatched: r
                .unmatched
                .into_iter()
                .map(|u| UnmatchedMentee {
                    mentee: Person(u.mentee),
                    reason: u.reason.into(),
                })
                .collect(),
            blocking_pairs: i64::try_from(r.blocking_pairs).unwrap_or(i64::MAX),
            policy_version: r.policy_version,
        }
    }
}

#[derive(Default)]
pub struct CohortMutation;

#[Object]
impl CohortMutation {
    /// Scores every enrolled pair with the program's policy and assigns the
    /// cohort. A commit proposes every assignment in one transaction and
    /// moves the program to RUNNING; a concurrent second commit is a CONFLICT.
    async fn run_cohort_matching(
        &self,
        ctx: &Context<'_>,
        input: CohortMatchingInput,
    ) -> async_graphql::Result<CohortMatchingResult> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let result = svc::run(
            state(ctx),
            ospo,
            &input.program_id,
            input.strategy.map(Into::into),
            input.dry_run,
        )
        .await?;
        Ok(result.into())
    }
}
