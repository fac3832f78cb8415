//! The per-month series behind `byMonth` and the totals: each figure
//! grouped by the UTC calendar month of its own event (and a label: a state,
//! a kind, a side), one grouped query per series. A total over the scope is
//! the sum of its series' rows, so totals and months cannot disagree.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::{Query, Scope, of_matches, rows};

/// One group of one series: its month (`YYYY-MM`), a label (a state or a
/// kind), how many, and the sum of the series' measure (minutes, rating).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthRow {
    pub series: Series,
    pub month: String,
    pub label: String,
    pub count: i64,
    pub sum: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    /// Requests by creation; label: the request's state now.
    Requests,
    /// Proposals by proposal time; label: `made`.
    Proposals,
    /// Proposals by answer time; label: the match's state now, and for a
    /// declined one `declined:` and its reason.
    Answers,
    /// Mentorships by end time; label: `completed` or `ended_early`.
    Endings,
    /// Check-ins by their date; sum: minutes.
    CheckIns,
    /// Milestones by creation; label: the kind.
    Milestones,
    /// Feedback by creation; label: the side that gave it; sum: ratings.
    Ratings,
}

/// The month of a timestamp column: what to group by, and how to show it
/// (on PostgreSQL the text is made once per group, not once per row).
fn month_of(backend: DbBackend, column: &str) -> (String, String) {
    match backend {
        DbBackend::Postgres => {
            let month = format!("date_trunc('month', {column} AT TIME ZONE 'UTC')");
            (month.clone(), format!("to_char({month}, 'YYYY-MM')"))
        }
        // Timestamps are stored as RFC 3339 text in UTC.
        _ => {
            let month = format!("substr({column}, 1, 7)");
            (month.clone(), month)
        }
    }
}

/// One series: its query, month (grouped, shown), label, summed measure and
/// `FROM` clause.
type Plan = (
    Series,
    Query,
    (String, String),
    &'static str,
    &'static str,
    String,
);

/// Every series of `scope`, grouped by month.
pub async fn by_month(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<MonthRow>, DbErr> {
    let backend = db.get_database_backend();
    let ts = |column: &str| month_of(backend, column);
    let matches = "FROM mentorship_match";
    let joined = |table: &str| of_matches(scope, table, "x");
    let mut answered = Query::new()
        .program("program_id", scope)
        .during("answered_at", scope);
    answered.condition("state IN ('active', 'completed', 'ended_early', 'declined', 'expired')");
    let mut ended = Query::new()
        .program("program_id", scope)
        .during("finished_at", scope);
    ended.condition("state IN ('completed', 'ended_early')");
    let plan: [Plan; 7] = [
        (
            Series::Requests,
            Query::new()
                .program("program_id", scope)
                .during("created_at", scope),
            ts("created_at"),
            "state",
            "0",
            "FROM mentorship_request".into(),
        ),
        (
            Series::Proposals,
            Query::new()
                .program("program_id", scope)
                .during("proposed_at", scope),
            ts("proposed_at"),
            "'made'",
            "0",
            matches.into(),
        ),
        (
            Series::Answers,
            answered,
            ts("answered_at"),
            "CASE WHEN state = 'declined' THEN 'declined:' || COALESCE(decline_reason, 'other') ELSE state END",
            "0",
            matches.into(),
        ),
        (
            Series::Endings,
            ended,
            ts("finished_at"),
            "state",
            "0",
            matches.into(),
        ),
        (
            Series::CheckIns,
            Query::new()
                .program("m.program_id", scope)
                .on_days("x.held_on", scope),
            (
                "substr(x.held_on, 1, 7)".into(),
                "substr(x.held_on, 1, 7)".into(),
            ),
            "'check_ins'",
            "x.minutes",
            joined("check_in"),
        ),
        (
            Series::Milestones,
            Query::new()
                .program("m.program_id", scope)
                .during("x.created_at", scope),
            ts("x.created_at"),
            "x.kind",
            "0",
            joined("milestone"),
        ),
        (
            Series::Ratings,
            Query::new()
                .program("m.program_id", scope)
                .during("x.created_at", scope),
            ts("x.created_at"),
            "x.side",
            "x.rating",
            joined("feedback"),
        ),
    ];
    let series = plan.map(
        |(series, query, (month, shown), label, sum, from)| async move {
            let select = format!(
                "SELECT {shown}, {label}, COUNT(*), CAST(COALESCE(SUM({sum}), 0) AS BIGINT) {from}"
            );
            rows(db, &query, &select, &format!("GROUP BY {month}, 2"))
                .await?
                .into_iter()
                .map(|row| {
                    Ok(MonthRow {
                        series,
                        month: row.try_get_by_index(0)?,
                        label: row.try_get_by_index(1)?,
                        count: row.try_get_by_index(2)?,
                        sum: row.try_get_by_index(3)?,
                    })
                })
                .collect::<Result<Vec<_>, DbErr>>()
        },
    );
    Ok(futures_util::future::try_join_all(series)
        .await?
        .into_iter()
        .flatten()
        .collect())
}
