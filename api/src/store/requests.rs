//! Mentorship requests. States cross this boundary as
//! [`domain::mentorship::RequestState`], never as strings.

use chrono::{DateTime, Utc};
use domain::mentorship::RequestState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use super::entities::mentorship_request;

/// The states of a request that still counts against "one unfinished request".
pub fn unfinished() -> Vec<&'static str> {
    RequestState::ALL
        .into_iter()
        .filter(|s| s.is_unfinished())
        .map(RequestState::slug)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub id: String,
    pub mentee_id: String,
    pub program_id: Option<String>,
    pub preferred_mentor_id: Option<String>,
    pub goals: String,
    pub state: RequestState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Request {
    fn from_row(row: mentorship_request::Model) -> Result<Self, DbErr> {
        Ok(Self {
            state: RequestState::from_slug(&row.state)
                .ok_or_else(|| super::corrupt("mentorship_request.state", &row.state))?,
            id: row.id,
            mentee_id: row.mentee_id,
            program_id: row.program_id,
            preferred_mentor_id: row.preferred_mentor_id,
            goals: row.goals,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn rows(rows: Vec<mentorship_request::Model>) -> Result<Vec<Request>, DbErr> {
    rows.into_iter().map(Request::from_row).collect()
}

/// Inserts a new request; the partial unique index refuses a second
/// unfinished one for the same mentee and program.
pub async fn insert(db: &impl ConnectionTrait, request: &Request) -> Result<(), DbErr> {
    let row = mentorship_request::ActiveModel {
        id: Set(request.id.clone()),
        mentee_id: Set(request.mentee_id.clone()),
        program_id: Set(request.program_id.clone()),
        preferred_mentor_id: Set(request.preferred_mentor_id.clone()),
        goals: Set(request.goals.clone()),
        state: Set(request.state.slug().to_owned()),
        created_at: Set(request.created_at),
        updated_at: Set(request.updated_at),
    };
    mentorship_request::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The goals of each of these requests, by request id.
pub async fn goals(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>, DbErr> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(super::IN_LIST) {
        let rows: Vec<(String, String)> = mentorship_request::Entity::find()
            .select_only()
            .columns([
                mentorship_request::Column::Id,
                mentorship_request::Column::Goals,
            ])
            .filter(mentorship_request::Column::Id.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Request>, DbErr> {
    mentorship_request::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(Request::from_row)
        .transpose()
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Request>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        mentorship_request::Entity::find()
            .filter(mentorship_request::Column::Id.is_in(ids.iter().cloned()))
            .all(db)
            .await?,
    )
}

/// Reads a request and locks its row (PostgreSQL `FOR UPDATE`; on SQLite the
/// write transaction already excludes other writers).
pub async fn lock(db: &impl ConnectionTrait, id: &str) -> Result<Option<Request>, DbErr> {
    mentorship_request::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(db)
        .await?
        .map(Request::from_row)
        .transpose()
}

/// Moves a request from `from` to `to`; false when it was no longer in
/// `from` (another transaction moved it first).
pub async fn set_state(
    db: &impl ConnectionTrait,
    id: &str,
    from: RequestState,
    to: RequestState,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = mentorship_request::Entity::update_many()
        .col_expr(mentorship_request::Column::State, Expr::value(to.slug()))
        .col_expr(mentorship_request::Column::UpdatedAt, Expr::value(now))
        .filter(mentorship_request::Column::Id.eq(id))
        .filter(mentorship_request::Column::State.eq(from.slug()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// [`set_state`] for many requests: how many moved from `from` to `to`.
pub async fn set_states(
    db: &impl ConnectionTrait,
    ids: &[String],
    from: RequestState,
    to: RequestState,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut moved = 0;
    for chunk in ids.chunks(1_000) {
        moved += mentorship_request::Entity::update_many()
            .col_expr(mentorship_request::Column::State, Expr::value(to.slug()))
            .col_expr(mentorship_request::Column::UpdatedAt, Expr::value(now))
            .filter(mentorship_request::Column::Id.is_in(chunk.iter().cloned()))
            .filter(mentorship_request::Column::State.eq(from.slug()))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(moved)
}

/// Which requests (or matches) an OSPO case list covers.
#[derive(Clone, Copy, Debug)]
pub enum InProgram<'a> {
    /// One program's.
    This(&'a str),
    /// Those outside every program.
    Outside,
    /// All of them.
    Any,
}

impl InProgram<'_> {
    pub(crate) fn condition(self, column: impl ColumnTrait) -> Condition {
        match self {
            Self::This(id) => Condition::all().add(column.eq(id)),
            Self::Outside => Condition::all().add(column.is_null()),
            Self::Any => Condition::all(),
        }
    }
}

/// An OSPO case list: requests in `scope` in `states` (empty: every
/// state), newest first, after the cursor (a request id).
pub async fn page(
    db: &impl ConnectionTrait,
    scope: InProgram<'_>,
    states: &[RequestState],
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Request>, DbErr> {
    use mentorship_request::Column as C;
    let mut query = mentorship_request::Entity::find()
        .filter(scope.condition(C::ProgramId))
        .order_by_desc(C::Id)
        .limit(limit);
    if !states.is_empty() {
        query = query.filter(C::State.is_in(states.iter().map(|s| s.slug())));
    }
    if let Some(after) = after {
        query = query.filter(C::Id.lt(after));
    }
    rows(query.all(db).await?)
}

/// A mentee's requests, newest first, after the cursor (a request id).
pub async fn page_for_mentee(
    db: &impl ConnectionTrait,
    mentee_id: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Request>, DbErr> {
    let mut query = mentorship_request::Entity::find()
        .filter(mentorship_request::Column::MenteeId.eq(mentee_id))
        .order_by_desc(mentorship_request::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(mentorship_request::Column::Id.lt(after));
    }
    rows(query.all(db).await?)
}

/// Open requests waiting for a mentor, oldest first: those outside programs
/// and those of running programs (design.md: program requests wait for the
/// cohort run until then).
pub async fn waiting(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<Request>, DbErr> {
    use super::entities::program;
    let running = program::Entity::find()
        .select_only()
        .column(program::Column::Id)
        .filter(program::Column::Status.eq("running"))
        .into_query();
    rows(
        mentorship_request::Entity::find()
            .filter(mentorship_request::Column::State.eq(RequestState::Open.slug()))
            .filter(
                Condition::any()
                    .add(mentorship_request::Column::ProgramId.is_null())
                    .add(mentorship_request::Column::ProgramId.in_subquery(running)),
            )
            .order_by_asc(mentorship_request::Column::CreatedAt)
            .order_by_asc(mentorship_request::Column::Id)
            .limit(limit)
            .all(db)
            .await?,
    )
}

/// Opens the program request of each mentee that has no unfinished one in
/// the program yet (design.md: enrolling a mentee creates it). Returns how
/// many were created.
pub async fn open_for_program(
    db: &impl ConnectionTrait,
    program_id: &str,
    mentees: &[String],
    goals: &str,
) -> Result<usize, DbErr> {
    let existing: Vec<String> = mentorship_request::Entity::find()
        .select_only()
        .column(mentorship_request::Column::MenteeId)
        .filter(mentorship_request::Column::ProgramId.eq(program_id))
        .filter(mentorship_request::Column::State.is_in(unfinished()))
        .filter(mentorship_request::Column::MenteeId.is_in(mentees.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    let now = Utc::now();
    let rows: Vec<_> = mentees
        .iter()
        .filter(|m| !existing.contains(m))
        .map(|mentee| mentorship_request::ActiveModel {
            id: Set(super::people::new_id()),
            mentee_id: Set(mentee.clone()),
            program_id: Set(Some(program_id.to_owned())),
            preferred_mentor_id: Set(None),
            goals: Set(goals.to_owned()),
            state: Set(RequestState::Open.slug().to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    let created = rows.len();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(super::ROWS_PER_INSERT).collect();
        mentorship_request::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(created)
}

/// The open requests of a program: (request id, mentee id).
pub async fn open_in_program(
    db: &impl ConnectionTrait,
    program_id: &str,
) -> Result<Vec<(String, String, DateTime<Utc>)>, DbErr> {
    mentorship_request::Entity::find()
        .select_only()
        .column(mentorship_request::Column::Id)
        .column(mentorship_request::Column::MenteeId)
        .column(mentorship_request::Column::CreatedAt)
        .filter(mentorship_request::Column::ProgramId.eq(program_id))
        .filter(mentorship_request::Column::State.eq(RequestState::Open.slug()))
        .into_tuple()
        .all(db)
        .await
}

/// A program's requests in `states` (for closing a program).
pub async fn in_program(
    db: &impl ConnectionTrait,
    program_id: &str,
    states: &[RequestState],
) -> Result<Vec<Request>, DbErr> {
    rows(
        mentorship_request::Entity::find()
            .filter(mentorship_request::Column::ProgramId.eq(program_id))
            .filter(mentorship_request::Column::State.is_in(states.iter().map(|s| s.slug())))
            .order_by_asc(mentorship_request::Column::Id)
            .all(db)
            .await?,
    )
}

/// A mentee's unfinished requests (open, proposed or matched), in id order.
pub async fn unfinished_of(
    db: &impl ConnectionTrait,
    mentee_id: &str,
) -> Result<Vec<Request>, DbErr> {
    rows(
        mentorship_request::Entity::find()
            .filter(mentorship_request::Column::MenteeId.eq(mentee_id))
            .filter(mentorship_request::Column::State.is_in(unfinished()))
            .order_by_asc(mentorship_request::Column::Id)
            .all(db)
            .await?,
    )
}
