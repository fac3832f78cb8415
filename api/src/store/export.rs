//! A program's matches for the CSV export, a page at a time in id order,
//! with both people's names and emails joined in.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

pub struct MatchLine {
    pub id: String,
    pub request_id: String,
    pub mentee: String,
    pub mentee_email: Option<String>,
    pub mentor: String,
    pub mentor_email: Option<String>,
    pub state: String,
    pub proposed_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub score: f64,
    pub policy_version: i32,
    pub decline_reason: Option<String>,
    pub end_reason: Option<String>,
}

/// Up to `limit` matches after `after` (an id), of `program_id` or of all.
pub async fn matches_page(
    db: &impl ConnectionTrait,
    program_id: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<MatchLine>, DbErr> {
    let backend = db.get_database_backend();
    let mut conditions = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let param = |values: &mut Vec<Value>, v: &str| {
        values.push(v.into());
        match backend {
            DbBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    if let Some(program) = program_id {
        let p = param(&mut values, program);
        conditions.push(format!("m.program_id = {p}"));
    }
    if let Some(after) = after {
        let p = param(&mut values, after);
        conditions.push(format!("m.id > {p}"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT m.id, m.request_id, me.display_name, me.email, mo.display_name, mo.email, m.state, \
         m.proposed_at, m.answered_at, m.finished_at, m.score_total, m.policy_version, \
         m.decline_reason, m.end_reason \
         FROM mentorship_match m JOIN person me ON me.id = m.mentee_id JOIN person mo ON mo.id = m.mentor_id \
         {filter} ORDER BY m.id LIMIT {limit}"
    );
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .into_iter()
        .map(|r| {
            Ok(MatchLine {
                id: r.try_get_by_index(0)?,
                request_id: r.try_get_by_index(1)?,
                mentee: r.try_get_by_index(2)?,
                mentee_email: r.try_get_by_index(3)?,
                mentor: r.try_get_by_index(4)?,
                mentor_email: r.try_get_by_index(5)?,
                state: r.try_get_by_index(6)?,
                proposed_at: r.try_get_by_index(7)?,
                answered_at: r.try_get_by_index(8)?,
                ended_at: r.try_get_by_index(9)?,
                score: r.try_get_by_index(10)?,
                policy_version: r.try_get_by_index(11)?,
                decline_reason: r.try_get_by_index(12)?,
                end_reason: r.try_get_by_index(13)?,
            })
        })
        .collect()
}
