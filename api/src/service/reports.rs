//! The OSPO's figures (design.md, "Program metrics"; OSPO only): the
//! queries are `store::reports`, the maths `domain::metrics`.

use chrono::NaiveDate;
use domain::mentorship::{DeclineReason, MilestoneKind, RequestState, Side};
use domain::metrics::rate;
use sea_orm::DatabaseConnection;

use super::OspoAdmin;
use crate::error::{ApiError, ApiResult};
use crate::store::reports::{self, Scope};
use crate::store::{corrupt, programs};

pub struct DurationStats {
    pub count: i64,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

pub struct ProposalStats {
    pub made: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
    pub acceptance_rate: Option<f64>,
    pub declines_by_reason: Vec<(DeclineReason, i64)>,
}

pub struct MentorshipStats {
    pub active: i64,
    pub completed: i64,
    pub ended_early: i64,
    pub completion_rate: Option<f64>,
}

#[derive(Default)]
pub struct Ratings {
    pub count: i64,
    pub sum: i64,
}

impl Ratings {
    pub fn mean(&self) -> Option<f64> {
        rate(self.sum, self.count)
    }
}

pub struct Satisfaction {
    pub overall: Ratings,
    pub by_mentor: Ratings,
    pub by_mentee: Ratings,
}

pub struct MentorLoad {
    pub capacity: i64,
    pub live: i64,
    pub active: i64,
    pub utilization: Option<f64>,
    pub idle: i64,
    pub gini: Option<f64>,
}

/// Mentees who advanced (by `LEVEL_UP`) and their total advance, overall
/// and per target level.
pub struct LevelProgression {
    pub advanced: i64,
    pub total_advance: i64,
    pub by_target_level: Vec<(i64, i64, i64)>,
}

pub struct ProgramMetrics {
    pub level_progression: LevelProgression,
    pub mentors: MentorLoad,
    pub requests_by_state: Vec<(RequestState, i64)>,
    pub time_to_match: DurationStats,
    pub proposals: ProposalStats,
    pub mentorships: MentorshipStats,
    pub satisfaction: Satisfaction,
    pub milestones: Vec<(MilestoneKind, i64)>,
    pub check_ins: (i64, i64),
}

/// `programMetrics(programId, from, to)`.
pub async fn program_metrics(
    db: &DatabaseConnection,
    _ospo: OspoAdmin<'_>,
    program_id: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<ProgramMetrics> {
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(ApiError::BadUserInput(format!(
            "from ({from}) is after to ({to})"
        )));
    }
    if let Some(id) = &program_id
        && programs::find(db, id).await?.is_none()
    {
        return Err(ApiError::NotFound("program"));
    }
    let scope = Scope {
        program_id,
        from,
        to,
    };
    let by_state = reports::requests_by_state(db, &scope).await?;
    let requests_by_state = RequestState::ALL
        .into_iter()
        .map(|s| {
            let n = by_state
                .iter()
                .find(|(k, _)| k == s.slug())
                .map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect();
    let (count, ranks) = reports::time_to_match(db, &scope, &[0.5, 0.9]).await?;
    let p = reports::proposals(db, &scope).await?;
    let declines_by_reason = p
        .declined_by_reason
        .iter()
        .map(|(slug, n)| {
            DeclineReason::from_slug(slug)
                .map(|r| (r, *n))
                .ok_or_else(|| corrupt("mentorship_match.decline_reason", slug))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let declined: i64 = declines_by_reason.iter().map(|(_, n)| n).sum();
    let m = reports::mentorships(db, &scope).await?;
    let mut satisfaction = Satisfaction {
        overall: Ratings::default(),
        by_mentor: Ratings::default(),
        by_mentee: Ratings::default(),
    };
    for (side, count, sum) in reports::ratings(db, &scope).await? {
        let part = if side == Side::Mentor.slug() {
            &mut satisfaction.by_mentor
        } else {
            &mut satisfaction.by_mentee
        };
        *part = Ratings { count, sum };
        satisfaction.overall.count += count;
        satisfaction.overall.sum += sum;
    }
    let milestones = reports::milestones(db, &scope)
        .await?
        .iter()
        .map(|(slug, n)| {
            MilestoneKind::from_slug(slug)
                .map(|k| (k, *n))
                .ok_or_else(|| corrupt("milestone.kind", slug))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let load = reports::mentor_load(db, &scope).await?;
    let active: i64 = load.active_per_mentor.iter().sum();
    let per_mentor: Vec<u64> = load
        .active_per_mentor
        .iter()
        .map(|&n| u64::try_from(n).unwrap_or(0))
        .collect();
    let by_target_level = reports::level_progression(db, &scope).await?;
    Ok(ProgramMetrics {
        level_progression: LevelProgression {
            advanced: by_target_level.iter().map(|(_, n, _)| n).sum(),
            total_advance: by_target_level.iter().map(|(_, _, a)| a).sum(),
            by_target_level,
        },
        mentors: MentorLoad {
            capacity: load.capacity,
            live: load.live,
            active,
            utilization: rate(active, load.capacity),
            idle: load.idle,
            gini: domain::metrics::gini(&per_mentor),
        },
        requests_by_state,
        time_to_match: DurationStats {
            count,
            median_hours: ranks.first().copied().flatten(),
            p90_hours: ranks.get(1).copied().flatten(),
        },
        proposals: ProposalStats {
            made: p.made,
            accepted: p.accepted,
            declined,
            expired: p.expired,
            acceptance_rate: rate(p.accepted, p.accepted + declined + p.expired),
            declines_by_reason,
        },
        mentorships: MentorshipStats {
            active: m.active,
            completed: m.completed,
            ended_early: m.ended_early,
            completion_rate: rate(m.completed, m.completed + m.ended_early),
        },
        satisfaction,
        milestones,
        check_ins: reports::check_ins(db, &scope).await?,
    })
}
