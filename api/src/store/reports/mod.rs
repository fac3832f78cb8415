//! The OSPO's figures as aggregate queries (design.md, "Program metrics"):
//! every number is a `COUNT`, `SUM` or `AVG` in the database, and a
//! percentile is one row read at its rank from an ordered scan, so nothing
//! loads every request or match into the process.
//!
//! Scope: a program (its requests and their matches) and/or a date range,
//! `from` ≤ day ≤ `to` in UTC; each event is counted by its own time
//! (requests by creation, proposals by proposal, answers by answer, endings
//! by ending, check-ins by their date, milestones and feedback by creation).

mod demand;
mod months;

pub use demand::{Kind as DemandKind, demand_supply};
pub use months::{MonthRow, Series, by_month, compact_tally};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// What the figures cover.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub program_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Scope {
    fn start(&self) -> Option<DateTime<Utc>> {
        self.from
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
    }

    /// The instant after the last day of the range.
    fn end(&self) -> Option<DateTime<Utc>> {
        self.to
            .and_then(|d| d.succ_opt())
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
    }
}

/// The people who left: the figures that describe now (mentor load,
/// demand and supply) leave them out, so erasing one later changes nothing.
const DEPARTED: &str = "(SELECT id FROM person WHERE deactivated_at IS NOT NULL)";

/// Builds one query's WHERE clause and its values, for either backend.
struct Query {
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Query {
    fn new() -> Self {
        Self {
            conditions: vec!["1 = 1".into()],
            values: Vec::new(),
        }
    }

    /// A value for a `?` in the SELECT part (which comes before the WHERE).
    fn value(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    fn with(mut self, condition: &str, value: impl Into<Value>) -> Self {
        self.conditions.push(condition.into());
        self.values.push(value.into());
        self
    }

    fn program(self, column: &str, scope: &Scope) -> Self {
        match &scope.program_id {
            Some(id) => self.with(&format!("{column} = ?"), id.clone()),
            None => self,
        }
    }

    /// `column` (a timestamp) inside the range.
    fn during(mut self, column: &str, scope: &Scope) -> Self {
        if let Some(start) = scope.start() {
            self = self.with(&format!("{column} >= ?"), start);
        }
        if let Some(end) = scope.end() {
            self = self.with(&format!("{column} < ?"), end);
        }
        self
    }

    /// `column` (a `YYYY-MM-DD` text) inside the range.
    fn on_days(mut self, column: &str, scope: &Scope) -> Self {
        if let Some(from) = scope.from {
            self = self.with(&format!("{column} >= ?"), from.to_string());
        }
        if let Some(to) = scope.to {
            self = self.with(&format!("{column} <= ?"), to.to_string());
        }
        self
    }

    fn condition(&mut self, condition: &str) -> &mut Self {
        self.conditions.push(condition.into());
        self
    }

    fn statement(&self, backend: DbBackend, select: &str, tail: &str) -> Statement {
        let mut sql = format!("{select} WHERE {} {tail}", self.conditions.join(" AND "));
        if backend == DbBackend::Postgres {
            // `?` placeholders become `$1, $2, …`; no literal here holds a `?`.
            let mut numbered = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            sql = numbered;
        }
        Statement::from_sql_and_values(backend, sql, self.values.clone())
    }
}

async fn rows(
    db: &impl ConnectionTrait,
    query: &Query,
    select: &str,
    tail: &str,
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    let backend = db.get_database_backend();
    db.query_all_raw(query.statement(backend, select, tail))
        .await
}

async fn count(db: &impl ConnectionTrait, query: &Query, select: &str) -> Result<i64, DbErr> {
    let found = rows(db, query, select, "").await?;
    Ok(match found.first() {
        Some(row) => row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0),
        None => 0,
    })
}

/// Mentorships active now that began by the end of the range.
pub async fn active_mentorships(db: &impl ConnectionTrait, scope: &Scope) -> Result<i64, DbErr> {
    let mut active = Query::new().program("program_id", scope);
    active.condition("state = 'active'");
    if let Some(end) = scope.end() {
        active = active.with("answered_at < ?", end);
    }
    count(db, &active, "SELECT COUNT(*) FROM mentorship_match").await
}

/// Hours from a request to the accepted proposal, for proposals accepted in
/// scope: how many, and the values at the nearest ranks asked for. On
/// PostgreSQL one pass with `percentile_disc` (which is the nearest rank);
/// on SQLite each rank is an ordered scan stopped at its row.
pub async fn time_to_match(
    db: &impl ConnectionTrait,
    scope: &Scope,
    percentiles: &[f64],
) -> Result<(i64, Vec<Option<f64>>), DbErr> {
    let backend = db.get_database_backend();
    let hours = match backend {
        DbBackend::Postgres => "EXTRACT(EPOCH FROM (m.answered_at - m.requested_at)) / 3600.0",
        _ => "(julianday(m.answered_at) - julianday(m.requested_at)) * 24.0",
    };
    let mut q = Query::new()
        .program("m.program_id", scope)
        .during("m.answered_at", scope);
    q.condition("m.state IN ('active', 'completed', 'ended_early')");
    let from = "FROM mentorship_match m";
    if backend == DbBackend::Postgres {
        let ranks: Vec<String> = percentiles
            .iter()
            .map(|p| {
                format!(
                    ", CAST(percentile_disc({p}) WITHIN GROUP (ORDER BY {hours}) AS DOUBLE PRECISION)"
                )
            })
            .collect();
        let found = rows(
            db,
            &q,
            &format!("SELECT COUNT(*){} {from}", ranks.concat()),
            "",
        )
        .await?;
        let Some(row) = found.first() else {
            return Ok((0, vec![None; percentiles.len()]));
        };
        let values = (1..=percentiles.len())
            .map(|i| row.try_get_by_index::<Option<f64>>(i))
            .collect::<Result<_, _>>()?;
        return Ok((row.try_get_by_index(0)?, values));
    }
    let n = count(db, &q, &format!("SELECT COUNT(*) {from}")).await?;
    let mut values = Vec::with_capacity(percentiles.len());
    for &p in percentiles {
        let Some(rank) = domain::metrics::nearest_rank(n as u64, p) else {
            values.push(None);
            continue;
        };
        let found = rows(
            db,
            &q,
            &format!("SELECT CAST({hours} AS DOUBLE PRECISION) {from}"),
            &format!("ORDER BY 1 LIMIT 1 OFFSET {}", rank - 1),
        )
        .await?;
        values.push(
            found
                .first()
                .map(|r| r.try_get_by_index::<f64>(0))
                .transpose()?,
        );
    }
    Ok((n, values))
}

/// Level-ups recorded in scope: per target level of the mentee (0 when the
/// mentee has no profile), the mentees who advanced and their total advance.
pub async fn level_progression(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    // The milestone carries its match's program (m0010), so a program's
    // level-ups are one range of the partial index `milestone_level_up`.
    let mut q = Query::new()
        .program("x.program_id", scope)
        .during("x.created_at", scope);
    q.condition("x.kind = 'level-up'");
    let select = "SELECT CAST(COALESCE(p.target_level, 0) AS BIGINT), COUNT(DISTINCT x.mentee_id), \
         CAST(COALESCE(SUM(x.new_level - x.previous_level), 0) AS BIGINT) \
         FROM milestone x LEFT JOIN mentee_profile p ON p.person_id = x.mentee_id";
    rows(
        db,
        &q,
        select,
        "GROUP BY COALESCE(p.target_level, 0) ORDER BY 1",
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok((
            r.try_get_by_index(0)?,
            r.try_get_by_index(1)?,
            r.try_get_by_index(2)?,
        ))
    })
    .collect()
}

/// The load of the mentors counted (a program's enrolled mentors, or every
/// mentor with a profile; none who left), now: capacity, live and idle totals, and each
/// mentor's active mentees (in the program, when one is given).
pub struct MentorLoad {
    pub capacity: i64,
    pub live: i64,
    pub idle: i64,
    pub active_per_mentor: Vec<i64>,
}

pub async fn mentor_load(db: &impl ConnectionTrait, scope: &Scope) -> Result<MentorLoad, DbErr> {
    let enrolled = "mp.person_id IN (SELECT person_id FROM program_enrollment WHERE program_id = ? AND role = 'mentor')";
    let present = format!("mp.person_id NOT IN {DEPARTED}");
    let counted = || {
        let mut q = match &scope.program_id {
            Some(id) => Query::new().with(enrolled, id.clone()),
            None => Query::new(),
        };
        q.condition(&present);
        q
    };
    let totals = rows(
        db,
        &counted(),
        "SELECT CAST(COALESCE(SUM(mp.capacity), 0) AS BIGINT), CAST(COALESCE(SUM(mp.live_count), 0) AS BIGINT), \
         COUNT(CASE WHEN mp.accepting AND mp.live_count = 0 THEN 1 END) FROM mentor_profile mp",
        "",
    )
    .await?;
    let (capacity, live, idle) = match totals.first() {
        Some(r) => (
            r.try_get_by_index(0)?,
            r.try_get_by_index(1)?,
            r.try_get_by_index(2)?,
        ),
        None => (0, 0, 0),
    };
    let (join, per_mentor) = match &scope.program_id {
        Some(id) => {
            let mut q = Query::new().value(id.clone()).with(enrolled, id.clone());
            q.condition(&present);
            (" AND m.program_id = ?", q)
        }
        None => ("", counted()),
    };
    let active_per_mentor = rows(
        db,
        &per_mentor,
        &format!(
            "SELECT COUNT(m.id) FROM mentor_profile mp LEFT JOIN mentorship_match m \
             ON m.mentor_id = mp.person_id AND m.state = 'active'{join}"
        ),
        "GROUP BY mp.person_id",
    )
    .await?
    .into_iter()
    .map(|r| r.try_get_by_index(0))
    .collect::<Result<_, _>>()?;
    Ok(MentorLoad {
        capacity,
        live,
        idle,
        active_per_mentor,
    })
}
