//! The per-month series behind `byMonth` and the totals: each figure
//! grouped by the UTC calendar month of its own event (and a label: a state,
//! a kind, a side), read from the tallies the database keeps (migration
//! m0010). A total over the scope is the sum of its series' rows, so totals
//! and months cannot disagree.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use super::{Query, Scope, rows};

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

impl Series {
    /// Its name in `metrics_tally.series` (migration m0010).
    fn from_tally(name: &str) -> Option<Self> {
        Some(match name {
            "requests" => Self::Requests,
            "proposals" => Self::Proposals,
            "answers" => Self::Answers,
            "endings" => Self::Endings,
            "check_ins" => Self::CheckIns,
            "milestones" => Self::Milestones,
            "ratings" => Self::Ratings,
            _ => return None,
        })
    }
}

/// Every series of `scope`, grouped by month: one grouped read of the
/// tallies the triggers of m0010 keep (days are `YYYY-MM-DD` text, so a
/// month is its first seven characters on both backends).
pub async fn by_month(db: &impl ConnectionTrait, scope: &Scope) -> Result<Vec<MonthRow>, DbErr> {
    let query = Query::new()
        .program("program_id", scope)
        .on_days("day", scope);
    let select = "SELECT series, substr(day, 1, 7), label, CAST(SUM(n) AS BIGINT), \
                  CAST(SUM(total) AS BIGINT) FROM metrics_tally";
    let tail = "GROUP BY series, substr(day, 1, 7), label HAVING SUM(n) <> 0 OR SUM(total) <> 0";
    rows(db, &query, select, tail)
        .await?
        .into_iter()
        .map(|row| {
            let series: String = row.try_get_by_index(0)?;
            Ok(MonthRow {
                series: Series::from_tally(&series)
                    .ok_or_else(|| DbErr::Custom(format!("unknown tally series {series}")))?,
                month: row.try_get_by_index(1)?,
                label: row.try_get_by_index(2)?,
                count: row.try_get_by_index(3)?,
                sum: row.try_get_by_index(4)?,
            })
        })
        .collect()
}

/// The advisory lock key of folding ("tandem tally" in spirit; any constant
/// no other code uses).
const FOLD_LOCK: i64 = 0x7A4D_0010;

/// Folds the triggers' delta rows into one row per program, day, series
/// and label (dropping keys that net to nothing), so reads stay a sum over
/// a few rows per day. Returns the delta rows folded. On PostgreSQL one
/// statement deletes and re-inserts what it saw, so a delta committed
/// meanwhile is left for the next pass, never lost or counted twice; on
/// SQLite the write lock holds the table still.
pub async fn compact_tally(db: &DatabaseConnection) -> Result<u64, DbErr> {
    const KEY: &str = "program_id, day, series, label";
    // The rows to fold: every delta, and the folded rows that share a key
    // with one (so each key ends up with a single row).
    const CHOSEN: &str = "(raw OR (COALESCE(program_id, ''), day, series, label) IN \
         (SELECT COALESCE(program_id, ''), day, series, label FROM metrics_tally WHERE raw AND id <= {max})) \
         AND id <= {max}";
    let (txn, _gate) = crate::db::begin_write(db).await?;
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        // One instance folds at a time; the others skip this pass rather
        // than queue behind it (or deadlock with it) on the same rows.
        let locked = txn
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT pg_try_advisory_xact_lock({FOLD_LOCK})"),
            ))
            .await?
            .map(|row| row.try_get_by_index::<bool>(0))
            .transpose()?
            .unwrap_or(false);
        if !locked {
            return Ok(0);
        }
    }
    let max: Option<i64> = txn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT MAX(id) FROM metrics_tally WHERE raw",
        ))
        .await?
        .map(|row| row.try_get_by_index::<Option<i64>>(0))
        .transpose()?
        .flatten();
    let Some(max) = max else {
        return Ok(0);
    };
    let chosen = CHOSEN.replace("{max}", &max.to_string());
    let fold = |from: &str| {
        format!(
            "INSERT INTO metrics_tally ({KEY}, n, total, raw) SELECT {KEY}, SUM(n), SUM(total), FALSE \
             FROM {from} GROUP BY {KEY} HAVING SUM(n) <> 0 OR SUM(total) <> 0"
        )
    };
    let raw = "SELECT COUNT(*) FROM metrics_tally WHERE raw AND id <= ";
    let folded: i64 = txn
        .query_one_raw(Statement::from_string(backend, format!("{raw}{max}")))
        .await?
        .map(|row| row.try_get_by_index(0))
        .transpose()?
        .unwrap_or(0);
    if backend == DbBackend::Postgres {
        txn.execute_unprepared(&format!(
            "WITH gone AS (DELETE FROM metrics_tally WHERE {chosen} RETURNING {KEY}, n, total) {}",
            fold("gone")
        ))
        .await?;
    } else {
        txn.execute_unprepared(&fold(&format!("metrics_tally WHERE {chosen}")))
            .await?;
        txn.execute_unprepared(&format!("DELETE FROM metrics_tally WHERE {chosen}"))
            .await?;
    }
    txn.commit().await?;
    Ok(u64::try_from(folded).unwrap_or(0))
}
