//! The OSPO's figures (design.md, "Program metrics"; OSPO only): the
//! queries are `store::reports`, the maths `domain::metrics`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::mentorship::{DeclineReason, MilestoneKind, RequestState, Side};
use domain::metrics::{Month, months_spanning, rate};
use sea_orm::DatabaseConnection;

use super::OspoAdmin;
use crate::error::{ApiError, ApiResult};
use crate::store::reports::{self, DemandKind, MonthRow, Scope, Series};
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

#[derive(Debug, Default, PartialEq, Eq)]
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

/// Demand against supply for one catalog entry or topic.
pub struct DemandLine {
    pub kind: DemandKind,
    pub slug: String,
    pub name: String,
    pub wanted: i64,
    pub offered: i64,
}

impl DemandLine {
    /// Mentees wanting it beyond the mentors offering it (negative: spare supply).
    pub fn shortfall(&self) -> i64 {
        self.wanted - self.offered
    }
}

/// One calendar month's counts; rates are derived from them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MonthFigures {
    pub requests: i64,
    pub proposals_made: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
    pub completed: i64,
    pub ended_early: i64,
    pub check_ins: i64,
    pub check_in_minutes: i64,
    pub milestones: i64,
    pub level_ups: i64,
    pub ratings: Ratings,
}

impl MonthFigures {
    pub fn acceptance_rate(&self) -> Option<f64> {
        rate(self.accepted, self.accepted + self.declined + self.expired)
    }

    pub fn completion_rate(&self) -> Option<f64> {
        rate(self.completed, self.completed + self.ended_early)
    }

    fn add(&mut self, row: &MonthRow) {
        let n = row.count;
        match (row.series, row.label.as_str()) {
            (Series::Requests, _) => self.requests += n,
            (Series::Proposals, _) => self.proposals_made += n,
            (Series::Answers, label) if label.starts_with("declined") => self.declined += n,
            (Series::Answers, "expired") => self.expired += n,
            (Series::Answers, _) => self.accepted += n,
            (Series::Endings, "completed") => self.completed += n,
            (Series::Endings, _) => self.ended_early += n,
            (Series::CheckIns, _) => {
                self.check_ins += n;
                self.check_in_minutes += row.sum;
            }
            (Series::Milestones, kind) => {
                self.milestones += n;
                if kind == MilestoneKind::LevelUp.slug() {
                    self.level_ups += n;
                }
            }
            (Series::Ratings, _) => {
                self.ratings.count += n;
                self.ratings.sum += row.sum;
            }
        }
    }
}

/// Folds the monthly rows into one entry per month, from the first month
/// with activity to the last, quiet months included.
fn months(rows: &[MonthRow]) -> ApiResult<Vec<(Month, MonthFigures)>> {
    let mut by_month: BTreeMap<Month, MonthFigures> = BTreeMap::new();
    for row in rows {
        let month =
            Month::parse(&row.month).ok_or_else(|| corrupt("a timestamp's month", &row.month))?;
        by_month.entry(month).or_default().add(row);
    }
    Ok(months_spanning(by_month.keys().copied())
        .into_iter()
        .map(|m| (m, by_month.remove(&m).unwrap_or_default()))
        .collect())
}

/// The scope's totals, summed from its monthly rows (the same filters).
#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    requests_by_state: BTreeMap<String, i64>,
    made: i64,
    accepted: i64,
    expired: i64,
    declined_by_reason: BTreeMap<String, i64>,
    completed: i64,
    ended_early: i64,
    check_ins: (i64, i64),
    milestones: BTreeMap<String, i64>,
    ratings_by_side: BTreeMap<String, Ratings>,
}

fn totals(rows: &[MonthRow]) -> Totals {
    let mut t = Totals::default();
    for row in rows {
        let (label, n) = (row.label.as_str(), row.count);
        match row.series {
            Series::Requests => *t.requests_by_state.entry(row.label.clone()).or_default() += n,
            Series::Proposals => t.made += n,
            Series::Answers => match label.strip_prefix("declined:") {
                Some(reason) => *t.declined_by_reason.entry(reason.to_owned()).or_default() += n,
                None if label == "expired" => t.expired += n,
                None => t.accepted += n,
            },
            Series::Endings if label == "completed" => t.completed += n,
            Series::Endings => t.ended_early += n,
            Series::CheckIns => {
                t.check_ins.0 += n;
                t.check_ins.1 += row.sum;
            }
            Series::Milestones => *t.milestones.entry(row.label.clone()).or_default() += n,
            Series::Ratings => {
                let side = t.ratings_by_side.entry(row.label.clone()).or_default();
                side.count += n;
                side.sum += row.sum;
            }
        }
    }
    t
}

pub struct ProgramMetrics {
    pub demand_supply: Vec<DemandLine>,
    pub by_month: Vec<(Month, MonthFigures)>,
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
    figures(db, program_id, from, to).await
}

/// The figures themselves, for whoever was let through: the OSPO by
/// [`program_metrics`], the operator by `tandem export metrics`.
pub(crate) async fn figures(
    db: &DatabaseConnection,
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
    // Independent aggregates, run at once on the pool's connections; the
    // counted totals are the sums of the monthly series.
    let ((count, ranks), active_now, load, by_target_level, demand, month_rows) = tokio::try_join!(
        reports::time_to_match(db, &scope, &[0.5, 0.9]),
        reports::active_mentorships(db, &scope),
        reports::mentor_load(db, &scope),
        reports::level_progression(db, &scope),
        reports::demand_supply(db, &scope),
        reports::by_month(db, &scope),
    )?;
    let t = totals(&month_rows);
    let requests_by_state = RequestState::ALL
        .into_iter()
        .map(|s| (s, t.requests_by_state.get(s.slug()).copied().unwrap_or(0)))
        .collect();
    let declines_by_reason = t
        .declined_by_reason
        .iter()
        .map(|(slug, n)| {
            DeclineReason::from_slug(slug)
                .map(|r| (r, *n))
                .ok_or_else(|| corrupt("mentorship_match.decline_reason", slug))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let declined: i64 = declines_by_reason.iter().map(|(_, n)| n).sum();
    let mut satisfaction = Satisfaction {
        overall: Ratings::default(),
        by_mentor: Ratings::default(),
        by_mentee: Ratings::default(),
    };
    for (side, ratings) in t.ratings_by_side {
        satisfaction.overall.count += ratings.count;
        satisfaction.overall.sum += ratings.sum;
        if side == Side::Mentor.slug() {
            satisfaction.by_mentor = ratings;
        } else {
            satisfaction.by_mentee = ratings;
        }
    }
    let milestones = t
        .milestones
        .iter()
        .map(|(slug, n)| {
            MilestoneKind::from_slug(slug)
                .map(|k| (k, *n))
                .ok_or_else(|| corrupt("milestone.kind", slug))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let active: i64 = load.active_per_mentor.iter().sum();
    let per_mentor: Vec<u64> = load
        .active_per_mentor
        .iter()
        .map(|&n| u64::try_from(n).unwrap_or(0))
        .collect();
    let mut demand_supply: Vec<DemandLine> = demand
        .into_iter()
        .map(|(kind, slug, name, wanted, offered)| DemandLine {
            kind,
            slug,
            name,
            wanted,
            offered,
        })
        .collect();
    demand_supply.sort_by(|a, b| {
        b.shortfall()
            .cmp(&a.shortfall())
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    Ok(ProgramMetrics {
        demand_supply,
        by_month: months(&month_rows)?,
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
            made: t.made,
            accepted: t.accepted,
            declined,
            expired: t.expired,
            acceptance_rate: rate(t.accepted, t.accepted + declined + t.expired),
            declines_by_reason,
        },
        mentorships: MentorshipStats {
            active: active_now,
            completed: t.completed,
            ended_early: t.ended_early,
            completion_rate: rate(t.completed, t.completed + t.ended_early),
        },
        satisfaction,
        milestones,
        check_ins: t.check_ins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(series: Series, month: &str, label: &str, count: i64, sum: i64) -> MonthRow {
        MonthRow {
            series,
            month: month.into(),
            label: label.into(),
            count,
            sum,
        }
    }

    #[test]
    fn totals_and_months_come_from_the_same_rows() {
        let rows = [
            row(Series::Requests, "2026-09", "open", 2, 0),
            row(Series::Requests, "2026-11", "closed", 3, 0),
            row(Series::Answers, "2026-09", "active", 1, 0),
            row(Series::Answers, "2026-11", "completed", 2, 0),
            row(Series::Answers, "2026-11", "declined:no-time-now", 1, 0),
            row(Series::Answers, "2026-11", "expired", 1, 0),
            row(Series::Endings, "2026-11", "ended_early", 1, 0),
            row(Series::CheckIns, "2026-09", "check_ins", 2, 90),
            row(Series::Ratings, "2026-11", "mentee", 2, 9),
            row(Series::Milestones, "2026-11", "level-up", 1, 0),
        ];
        let t = totals(&rows);
        assert_eq!(t.requests_by_state["open"], 2);
        assert_eq!(t.requests_by_state["closed"], 3);
        assert_eq!((t.accepted, t.expired), (3, 1));
        assert_eq!(t.declined_by_reason["no-time-now"], 1);
        assert_eq!((t.completed, t.ended_early), (0, 1));
        assert_eq!(t.check_ins, (2, 90));
        assert_eq!(t.ratings_by_side["mentee"], Ratings { count: 2, sum: 9 });
        let by_month = months(&rows).unwrap();
        assert_eq!(by_month.len(), 3, "September to November, October quiet");
        let november = &by_month[2].1;
        assert_eq!(
            (
                november.requests,
                november.accepted,
                november.declined,
                november.expired
            ),
            (3, 2, 1, 1)
        );
        assert_eq!(by_month[1].1, MonthFigures::default());
        assert_eq!(november.level_ups, 1);
    }
}
