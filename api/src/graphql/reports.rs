//! `programMetrics` (OSPO only): the OSPO's figures for a program or a date
//! range. Each field's description is its definition.

use async_graphql::{Context, ID, Object, SimpleObject};

use super::matches::{DeclineReason, MilestoneKind, RequestState};
use super::scalars::Date;
use super::{state, viewer};
use crate::service::reports::{self as svc, Ratings};
use crate::store::reports as store;

#[derive(SimpleObject)]
pub struct RequestStateCount {
    pub state: RequestState,
    pub count: i64,
}

/// Hours from a request's creation to the proposal that was accepted, over
/// the proposals accepted in scope; percentiles by nearest rank.
#[derive(SimpleObject)]
pub struct DurationStats {
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// How many accepted proposals the figures are over.
    pub count: i64,
}

#[derive(SimpleObject)]
pub struct DeclineReasonCount {
    pub reason: DeclineReason,
    pub count: i64,
}

#[derive(SimpleObject)]
pub struct ProposalStats {
    /// Proposals made in scope (by their proposal time).
    pub made: i64,
    /// Proposals accepted in scope (by answer time), whatever became of them since.
    pub accepted: i64,
    /// Proposals declined in scope.
    pub declined: i64,
    /// Proposals that expired unanswered in scope.
    pub expired: i64,
    /// accepted ÷ (accepted + declined + expired); null when none of them.
    pub acceptance_rate: Option<f64>,
    pub declines_by_reason: Vec<DeclineReasonCount>,
}

#[derive(SimpleObject)]
pub struct MentorshipStats {
    /// Mentorships active now that began by the end of the range.
    pub active: i64,
    /// Completed in scope.
    pub completed: i64,
    /// Ended early in scope.
    pub ended_early: i64,
    /// completed ÷ (completed + ended early); null when neither.
    pub completion_rate: Option<f64>,
}

#[derive(SimpleObject)]
pub struct SideSatisfaction {
    /// Mean of the ratings (1–5) this side gave; null when none.
    pub mean_rating: Option<f64>,
    pub ratings: i64,
}

impl From<&Ratings> for SideSatisfaction {
    fn from(r: &Ratings) -> Self {
        Self {
            mean_rating: r.mean(),
            ratings: r.count,
        }
    }
}

#[derive(SimpleObject)]
pub struct Satisfaction {
    /// Mean of every rating given in scope; null when none.
    pub mean_rating: Option<f64>,
    pub ratings: i64,
    /// The ratings mentors gave.
    pub by_mentor: SideSatisfaction,
    /// The ratings mentees gave.
    pub by_mentee: SideSatisfaction,
}

#[derive(SimpleObject)]
pub struct MilestoneCount {
    pub kind: MilestoneKind,
    pub count: i64,
}

/// Check-ins held in scope (by their date). Their notes never appear.
#[derive(SimpleObject)]
pub struct CheckInStats {
    pub count: i64,
    pub minutes: i64,
}

/// The mentors counted (a program's enrolled mentors, or every mentor with a
/// profile) as they are now: there is no capacity history.
#[derive(SimpleObject)]
pub struct MentorLoad {
    /// Total capacity of the mentors counted.
    pub capacity: i64,
    /// Their live (proposed + active) matches.
    pub live: i64,
    /// Their active mentorships (in the program, when one is given).
    pub active: i64,
    /// active ÷ capacity; null when no capacity.
    pub utilization: Option<f64>,
    /// Mentors accepting, with a free seat and nothing live.
    pub idle_mentors: i64,
    /// Gini coefficient of active mentees per mentor counted: 0 = evenly
    /// spread; null when no mentor is counted.
    pub load_gini: Option<f64>,
}

#[derive(SimpleObject)]
pub struct TargetLevelProgression {
    /// The mentees' target level (0: no mentee profile any more).
    pub target_level: i32,
    pub advanced: i64,
    pub mean_advance: Option<f64>,
}

/// From `LEVEL_UP` milestones recorded in scope.
#[derive(SimpleObject)]
pub struct LevelProgression {
    /// Mentees who went up at least one level (counted once per target level).
    pub advanced: i64,
    /// Levels gained ÷ mentees who advanced; null when none.
    pub mean_advance: Option<f64>,
    pub by_target_level: Vec<TargetLevelProgression>,
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum DemandKind {
    Skill,
    Project,
    Foundation,
    Topic,
}

impl From<store::DemandKind> for DemandKind {
    fn from(k: store::DemandKind) -> Self {
        match k {
            store::DemandKind::Skill => Self::Skill,
            store::DemandKind::Project => Self::Project,
            store::DemandKind::Foundation => Self::Foundation,
            store::DemandKind::Topic => Self::Topic,
        }
    }
}

/// How many mentees want one skill, project, foundation or topic against
/// how many mentors offer it with a free seat now. The mentees counted: with
/// a date range, those who made a request in it (in the program, when one
/// is given); otherwise a program's enrolled mentees, or every mentee
/// profile. The mentors: a program's enrolled mentors, or every mentor,
/// accepting and with a seat free now.
#[derive(SimpleObject)]
pub struct DemandSupply {
    pub kind: DemandKind,
    /// The catalog slug, or the topic's slug (`first-contribution`).
    pub slug: String,
    pub name: String,
    pub wanted: i64,
    pub offered: i64,
    /// wanted − offered; negative when supply is to spare.
    pub shortfall: i64,
}

/// One calendar month (UTC) of the figures in scope, each event counted in
/// the month of its own time, as in the totals.
#[derive(SimpleObject)]
pub struct MonthMetrics {
    /// `YYYY-MM`.
    pub month: String,
    /// Requests created.
    pub requests: i64,
    pub proposals_made: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
    /// accepted ÷ (accepted + declined + expired); null when none.
    pub acceptance_rate: Option<f64>,
    pub completed: i64,
    pub ended_early: i64,
    /// completed ÷ (completed + ended early); null when neither.
    pub completion_rate: Option<f64>,
    pub check_ins: i64,
    pub check_in_minutes: i64,
    pub milestones: i64,
    pub level_ups: i64,
    pub ratings: i64,
    pub mean_rating: Option<f64>,
}

/// The OSPO's figures. Scope: a program (its requests and their matches)
/// and/or a range of days (UTC, both ends included); each event counts by
/// its own time.
#[derive(SimpleObject)]
pub struct ProgramMetrics {
    /// Requests created in scope, by their state now; every state listed.
    pub requests_by_state: Vec<RequestStateCount>,
    pub time_to_match: DurationStats,
    pub proposals: ProposalStats,
    pub mentorships: MentorshipStats,
    pub mentors: MentorLoad,
    pub level_progression: LevelProgression,
    pub satisfaction: Satisfaction,
    /// Milestones recorded in scope, by kind (kinds with none left out).
    pub milestones: Vec<MilestoneCount>,
    pub check_ins: CheckInStats,
    /// Largest shortfall first, then by kind and slug.
    pub demand_supply: Vec<DemandSupply>,
    /// Every month from the first with activity in scope to the last, quiet
    /// months included.
    pub by_month: Vec<MonthMetrics>,
}

impl From<svc::ProgramMetrics> for ProgramMetrics {
    fn from(m: svc::ProgramMetrics) -> Self {
        let s = &m.satisfaction;
        Self {
            demand_supply: m
                .demand_supply
                .iter()
                .map(|d| DemandSupply {
                    kind: d.kind.into(),
                    slug: d.slug.clone(),
                    name: d.name.clone(),
                    wanted: d.wanted,
                    offered: d.offered,
                    shortfall: d.shortfall(),
                })
                .collect(),
            by_month: m
                .by_month
                .iter()
                .map(|(month, f)| MonthMetrics {
                    month: month.to_string(),
                    requests: f.requests,
                    proposals_made: f.proposals_made,
                    accepted: f.accepted,
                    declined: f.declined,
                    expired: f.expired,
                    acceptance_rate: f.acceptance_rate(),
                    completed: f.completed,
                    ended_early: f.ended_early,
                    completion_rate: f.completion_rate(),
                    check_ins: f.check_ins,
                    check_in_minutes: f.check_in_minutes,
                    milestones: f.milestones,
                    level_ups: f.level_ups,
                    ratings: f.ratings.count,
                    mean_rating: f.ratings.mean(),
                })
                .collect(),
            requests_by_state: m
                .requests_by_state
                .into_iter()
                .map(|(state, count)| RequestStateCount {
                    state: state.into(),
                    count,
                })
                .collect(),
            time_to_match: DurationStats {
                median_hours: m.time_to_match.median_hours,
                p90_hours: m.time_to_match.p90_hours,
                count: m.time_to_match.count,
            },
            proposals: ProposalStats {
                made: m.proposals.made,
                accepted: m.proposals.accepted,
                declined: m.proposals.declined,
                expired: m.proposals.expired,
                acceptance_rate: m.proposals.acceptance_rate,
                declines_by_reason: m
                    .proposals
                    .declines_by_reason
                    .into_iter()
                    .map(|(reason, count)| DeclineReasonCount {
                        reason: reason.into(),
                        count,
                    })
                    .collect(),
            },
            mentorships: MentorshipStats {
                active: m.mentorships.active,
                completed: m.mentorships.completed,
                ended_early: m.mentorships.ended_early,
                completion_rate: m.mentorships.completion_rate,
            },
            level_progression: LevelProgression {
                advanced: m.level_progression.advanced,
                mean_advance: domain::metrics::rate(
                    m.level_progression.total_advance,
                    m.level_progression.advanced,
                ),
                by_target_level: m
                    .level_progression
                    .by_target_level
                    .iter()
                    .map(|&(level, advanced, total)| TargetLevelProgression {
                        target_level: i32::try_from(level).unwrap_or(0),
                        advanced,
                        mean_advance: domain::metrics::rate(total, advanced),
                    })
                    .collect(),
            },
            mentors: MentorLoad {
                capacity: m.mentors.capacity,
                live: m.mentors.live,
                active: m.mentors.active,
                utilization: m.mentors.utilization,
                idle_mentors: m.mentors.idle,
                load_gini: m.mentors.gini,
            },
            satisfaction: Satisfaction {
                mean_rating: s.overall.mean(),
                ratings: s.overall.count,
                by_mentor: (&s.by_mentor).into(),
                by_mentee: (&s.by_mentee).into(),
            },
            milestones: m
                .milestones
                .into_iter()
                .map(|(kind, count)| MilestoneCount {
                    kind: kind.into(),
                    count,
                })
                .collect(),
            check_ins: CheckInStats {
                count: m.check_ins.0,
                minutes: m.check_ins.1,
            },
        }
    }
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The OSPO's figures for a program, a range of days, or both (OSPO only).
    async fn program_metrics(
        &self,
        ctx: &Context<'_>,
        program_id: Option<ID>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> async_graphql::Result<ProgramMetrics> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let metrics = svc::program_metrics(
            &state(ctx).reads,
            ospo,
            program_id.map(|id| id.0),
            from.map(|d| d.0),
            to.map(|d| d.0),
        )
        .await?;
        Ok(metrics.into())
    }
}
