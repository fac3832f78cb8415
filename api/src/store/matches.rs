//! Matches (proposals and mentorships), mentor seats, check-ins, milestones
//! and feedback. States cross this boundary as
//! [`domain::mentorship::MatchState`], never as strings.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::mentorship::{DeclineReason, MatchState, MilestoneKind, Side};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::entities::{check_in, feedback, mentorship_match, milestone};

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub id: String,
    pub request_id: String,
    pub mentor_id: String,
    pub mentee_id: String,
    pub program_id: Option<String>,
    pub state: MatchState,
    pub score_total: f64,
    /// The breakdown frozen at proposal time, as JSON.
    pub score_breakdown: String,
    pub policy_version: i32,
    pub proposed_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<DeclineReason>,
    pub decline_message: Option<String>,
    pub end_reason: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Reminders sent while the proposal waited for its answer.
    pub reminders_sent: u32,
}

impl Match {
    fn from_row(row: mentorship_match::Model) -> Result<Self, DbErr> {
        let decline_reason = row
            .decline_reason
            .as_deref()
            .map(|r| {
                DeclineReason::from_slug(r)
                    .ok_or_else(|| super::corrupt("mentorship_match.decline_reason", r))
            })
            .transpose()?;
        Ok(Self {
            state: MatchState::from_slug(&row.state)
                .ok_or_else(|| super::corrupt("mentorship_match.state", &row.state))?,
            decline_reason,
            id: row.id,
            request_id: row.request_id,
            mentor_id: row.mentor_id,
            mentee_id: row.mentee_id,
            program_id: row.program_id,
            score_total: row.score_total,
            score_breakdown: row.score_breakdown,
            policy_version: row.policy_version,
            proposed_at: row.proposed_at,
            expires_at: row.expires_at,
            decline_message: row.decline_message,
            end_reason: row.end_reason,
            answered_at: row.answered_at,
            finished_at: row.finished_at,
            reminders_sent: u32::try_from(row.reminders_sent).map_err(|_| {
                super::corrupt("mentorship_match.reminders_sent", row.reminders_sent)
            })?,
        })
    }

    /// Whether `person_id` is one of the pair.
    pub fn is_party(&self, person_id: &str) -> bool {
        self.mentor_id == person_id || self.mentee_id == person_id
    }

    /// The side `person_id` is on, if any.
    pub fn side_of(&self, person_id: &str) -> Option<Side> {
        if self.mentor_id == person_id {
            Some(Side::Mentor)
        } else if self.mentee_id == person_id {
            Some(Side::Mentee)
        } else {
            None
        }
    }
}

fn rows(rows: Vec<mentorship_match::Model>) -> Result<Vec<Match>, DbErr> {
    rows.into_iter().map(Match::from_row).collect()
}

fn live_slugs() -> Vec<&'static str> {
    MatchState::ALL
        .into_iter()
        .filter(|s| s.is_live())
        .map(MatchState::slug)
        .collect()
}

pub struct NewProposal<'a> {
    pub id: String,
    pub request_id: &'a str,
    pub mentor_id: &'a str,
    pub mentee_id: &'a str,
    pub program_id: Option<&'a str>,
    pub score_total: f64,
    /// The frozen breakdown, as JSON.
    pub score_breakdown: String,
    pub policy_version: i32,
    pub proposed_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When the request was made.
    pub requested_at: DateTime<Utc>,
}

/// When a proposal made at `proposed_at` and expiring at `expires_at` is
/// first reminded of, if ever.
fn first_reminder(proposed_at: DateTime<Utc>, expires_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    domain::notification::reminder_times(proposed_at.timestamp(), expires_at.timestamp())
        .first()
        .and_then(|t| DateTime::from_timestamp(*t, 0))
}

pub async fn insert_proposal(db: &impl ConnectionTrait, p: &NewProposal<'_>) -> Result<(), DbErr> {
    insert_proposals(db, std::slice::from_ref(p)).await
}

/// Rows per multi-row statement: well inside SQLite's 32,766 and
/// PostgreSQL's 65,535 bound values at twenty columns a row.
const ROWS_PER_STATEMENT: usize = 500;

/// Inserts many proposals in multi-row statements (a cohort commit).
pub async fn insert_proposals(
    db: &impl ConnectionTrait,
    proposals: &[NewProposal<'_>],
) -> Result<(), DbErr> {
    for chunk in proposals.chunks(ROWS_PER_STATEMENT) {
        let rows = chunk.iter().map(|p| mentorship_match::ActiveModel {
            id: Set(p.id.clone()),
            request_id: Set(p.request_id.to_owned()),
            mentor_id: Set(p.mentor_id.to_owned()),
            mentee_id: Set(p.mentee_id.to_owned()),
            program_id: Set(p.program_id.map(str::to_owned)),
            state: Set(MatchState::Proposed.slug().to_owned()),
            score_total: Set(p.score_total),
            score_breakdown: Set(p.score_breakdown.clone()),
            policy_version: Set(p.policy_version),
            proposed_at: Set(p.proposed_at),
            expires_at: Set(Some(p.expires_at)),
            updated_at: Set(p.proposed_at),
            decline_reason: Set(None),
            decline_message: Set(None),
            end_reason: Set(None),
            answered_at: Set(None),
            finished_at: Set(None),
            requested_at: Set(Some(p.requested_at)),
            reminders_sent: Set(0),
            next_reminder_at: Set(first_reminder(p.proposed_at, p.expires_at)),
        });
        mentorship_match::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Match>, DbErr> {
    mentorship_match::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(Match::from_row)
        .transpose()
}

/// Who a match pairs and for which request: what a notification about it
/// reads of it (`notify::Facts::of_match`). None of it ever changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub request_id: String,
    pub mentor_id: String,
    pub mentee_id: String,
}

/// The pairs of the matches among `ids`, by match id.
pub async fn pairs(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, Pair>, DbErr> {
    use mentorship_match::Column as C;
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(super::IN_LIST) {
        let rows: Vec<(String, String, String, String)> = mentorship_match::Entity::find()
            .select_only()
            .columns([C::Id, C::RequestId, C::MentorId, C::MenteeId])
            .filter(C::Id.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(
            rows.into_iter()
                .map(|(id, request_id, mentor_id, mentee_id)| {
                    (
                        id,
                        Pair {
                            request_id,
                            mentor_id,
                            mentee_id,
                        },
                    )
                }),
        );
    }
    Ok(out)
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Match>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        mentorship_match::Entity::find()
            .filter(mentorship_match::Column::Id.is_in(ids.iter().cloned()))
            .all(db)
            .await?,
    )
}

/// Reads a match and locks its row (PostgreSQL `FOR UPDATE`).
pub async fn lock(db: &impl ConnectionTrait, id: &str) -> Result<Option<Match>, DbErr> {
    mentorship_match::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(db)
        .await?
        .map(Match::from_row)
        .transpose()
}

/// The live (proposed or active) match of each request among `request_ids`.
pub async fn live_for_requests(
    db: &impl ConnectionTrait,
    request_ids: &[String],
) -> Result<Vec<Match>, DbErr> {
    if request_ids.is_empty() {
        return Ok(Vec::new());
    }
    rows(
        mentorship_match::Entity::find()
            .filter(mentorship_match::Column::RequestId.is_in(request_ids.iter().cloned()))
            .filter(mentorship_match::Column::State.is_in(live_slugs()))
            .all(db)
            .await?,
    )
}

/// The live (proposed or active) matches where `person_id` is mentor or
/// mentee, in id order.
pub async fn live_of_person(
    db: &impl ConnectionTrait,
    person_id: &str,
) -> Result<Vec<Match>, DbErr> {
    use mentorship_match::Column as C;
    rows(
        mentorship_match::Entity::find()
            .filter(
                Condition::any()
                    .add(C::MentorId.eq(person_id))
                    .add(C::MenteeId.eq(person_id)),
            )
            .filter(C::State.is_in(live_slugs()))
            .order_by_asc(C::Id)
            .all(db)
            .await?,
    )
}

/// Every match of a request, oldest first.
pub async fn of_request(db: &impl ConnectionTrait, request_id: &str) -> Result<Vec<Match>, DbErr> {
    rows(
        mentorship_match::Entity::find()
            .filter(mentorship_match::Column::RequestId.eq(request_id))
            .order_by_asc(mentorship_match::Column::ProposedAt)
            .order_by_asc(mentorship_match::Column::Id)
            .all(db)
            .await?,
    )
}

/// What a match moves to, with what goes with the move.
pub struct Move<'a> {
    pub from: MatchState,
    pub to: MatchState,
    pub at: DateTime<Utc>,
    pub decline: Option<(DeclineReason, Option<&'a str>)>,
    pub end_reason: Option<&'a str>,
}

/// Moves a match from `from` to `to`; false when it was no longer in `from`,
/// so two racing transitions cannot both succeed.
pub async fn set_state(db: &impl ConnectionTrait, id: &str, m: Move<'_>) -> Result<bool, DbErr> {
    use mentorship_match::Column as C;
    let mut update = mentorship_match::Entity::update_many()
        .col_expr(C::State, Expr::value(m.to.slug()))
        .col_expr(C::UpdatedAt, Expr::value(m.at));
    if m.from == MatchState::Proposed {
        update = update.col_expr(C::AnsweredAt, Expr::value(m.at));
    }
    if m.to.is_finished() {
        update = update.col_expr(C::FinishedAt, Expr::value(m.at));
    }
    if let Some((reason, message)) = m.decline {
        update = update
            .col_expr(C::DeclineReason, Expr::value(reason.slug()))
            .col_expr(C::DeclineMessage, Expr::value(message.map(str::to_owned)));
    }
    if let Some(reason) = m.end_reason {
        update = update.col_expr(C::EndReason, Expr::value(reason));
    }
    let result = update
        .filter(C::Id.eq(id))
        .filter(C::State.eq(m.from.slug()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Mentors who declined `request_id`, let it expire or had it cancelled by
/// the OSPO: never proposed again.
pub async fn excluded_mentors(
    db: &impl ConnectionTrait,
    request_id: &str,
) -> Result<Vec<String>, DbErr> {
    mentorship_match::Entity::find()
        .select_only()
        .column(mentorship_match::Column::MentorId)
        .filter(mentorship_match::Column::RequestId.eq(request_id))
        .filter(mentorship_match::Column::State.is_in([
            MatchState::Declined.slug(),
            MatchState::Expired.slug(),
            MatchState::Cancelled.slug(),
        ]))
        .into_tuple()
        .all(db)
        .await
}

/// Proposals whose answer is overdue at `now`, oldest deadline first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Match>, DbErr> {
    rows(
        mentorship_match::Entity::find()
            .filter(mentorship_match::Column::State.eq(MatchState::Proposed.slug()))
            .filter(mentorship_match::Column::ExpiresAt.lte(now))
            .order_by_asc(mentorship_match::Column::ExpiresAt)
            .order_by_asc(mentorship_match::Column::Id)
            .limit(limit)
            .all(db)
            .await?,
    )
}

/// Unanswered proposals whose next reminder is due at `now`, oldest first.
pub async fn reminders_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Match>, DbErr> {
    use mentorship_match::Column as C;
    rows(
        mentorship_match::Entity::find()
            .filter(C::State.eq(MatchState::Proposed.slug()))
            .filter(C::NextReminderAt.lte(now))
            .order_by_asc(C::NextReminderAt)
            .order_by_asc(C::Id)
            .limit(limit)
            .all(db)
            .await?,
    )
}

/// Records that a proposal was reminded (`sent` reminders so far, the next
/// due at `next`), only if it is still unanswered with `before` sent: two
/// sweepers remind once.
pub async fn mark_reminded(
    db: &impl ConnectionTrait,
    id: &str,
    before: u32,
    sent: u32,
    next: Option<DateTime<Utc>>,
) -> Result<bool, DbErr> {
    use mentorship_match::Column as C;
    let result = mentorship_match::Entity::update_many()
        .col_expr(C::RemindersSent, Expr::value(sent as i32))
        .col_expr(C::NextReminderAt, Expr::value(next))
        .filter(C::Id.eq(id))
        .filter(C::State.eq(MatchState::Proposed.slug()))
        .filter(C::RemindersSent.eq(before as i32))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Which matches of a person to list.
pub struct MatchFilter<'a> {
    pub person_id: &'a str,
    /// `None`: either side.
    pub side: Option<Side>,
    /// Empty: every state.
    pub states: &'a [MatchState],
}

/// A person's matches, newest first, after the cursor (a match id).
pub async fn page_for_person(
    db: &impl ConnectionTrait,
    filter: &MatchFilter<'_>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Match>, DbErr> {
    use mentorship_match::Column as C;
    let mut query = mentorship_match::Entity::find();
    query = match filter.side {
        Some(Side::Mentor) => query.filter(C::MentorId.eq(filter.person_id)),
        Some(Side::Mentee) => query.filter(C::MenteeId.eq(filter.person_id)),
        None => query.filter(
            C::MentorId
                .eq(filter.person_id)
                .or(C::MenteeId.eq(filter.person_id)),
        ),
    };
    if !filter.states.is_empty() {
        query = query.filter(C::State.is_in(filter.states.iter().map(|s| s.slug())));
    }
    if let Some(after) = after {
        query = query.filter(C::Id.lt(after));
    }
    rows(query.order_by_desc(C::Id).limit(limit).all(db).await?)
}

/// An OSPO case list: matches in `scope` in `states` (empty: every state),
/// newest first, after the cursor (a match id).
pub async fn page(
    db: &impl ConnectionTrait,
    scope: super::requests::InProgram<'_>,
    states: &[MatchState],
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<Match>, DbErr> {
    use mentorship_match::Column as C;
    let mut query = mentorship_match::Entity::find().filter(scope.condition(C::ProgramId));
    if !states.is_empty() {
        query = query.filter(C::State.is_in(states.iter().map(|s| s.slug())));
    }
    if let Some(after) = after {
        query = query.filter(C::Id.lt(after));
    }
    rows(query.order_by_desc(C::Id).limit(limit).all(db).await?)
}

// ---- seats ----

async fn move_seat(
    db: &impl ConnectionTrait,
    mentor_id: &str,
    sql_pg: &str,
    sql_lite: &str,
) -> Result<Option<u32>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => sql_pg,
        _ => sql_lite,
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [mentor_id.into()],
        ))
        .await?;
    row.map(|r| {
        let live: i16 = r.try_get_by_index(0)?;
        u32::try_from(live).map_err(|_| super::corrupt("mentor_profile.live_count", live))
    })
    .transpose()
}

/// Takes one seat of an accepting, active mentor and returns the new live
/// count; `None` when no seat is free, the mentor is not accepting or has
/// left. The person row is share-locked first (see
/// [`super::people::lock_if_active`]), so a deactivation either sees this
/// proposal or is seen by it. The
/// condition and the CHECK on `live_count` keep capacity even across
/// instances; the mentor row stays locked until commit.
pub async fn take_seat(db: &impl ConnectionTrait, mentor_id: &str) -> Result<Option<u32>, DbErr> {
    if !super::people::lock_if_active(db, mentor_id).await? {
        return Ok(None);
    }
    move_seat(
        db,
        mentor_id,
        "UPDATE mentor_profile SET live_count = live_count + 1 \
         WHERE person_id = $1 AND live_count < capacity AND accepting RETURNING live_count",
        "UPDATE mentor_profile SET live_count = live_count + 1 \
         WHERE person_id = ? AND live_count < capacity AND accepting RETURNING live_count",
    )
    .await
}

/// Takes `seats` seats of each listed mentor at once (a cohort commit), or
/// none: `false` when a mentor has left, stopped accepting, or lacks the
/// free seats. As in [`take_seat`], the person rows are share-locked first,
/// then the profiles are updated under the same capacity condition, a chunk
/// of mentors per statement; the caller rolls back on `false`.
pub async fn take_seats(db: &impl ConnectionTrait, seats: &[(String, u32)]) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let mark = |i: usize| match backend {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".to_owned(),
    };
    for chunk in seats.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<String> = chunk.iter().map(|(id, _)| id.clone()).collect();
        if super::people::lock_active(db, &ids).await? != ids.len() {
            return Ok(false);
        }
        let mut values = Vec::with_capacity(chunk.len() * 2);
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (id, n))| {
                values.push(id.clone().into());
                values.push(i64::from(*n).into());
                format!("({}, {})", mark(2 * i + 1), mark(2 * i + 2))
            })
            .collect();
        // SQLite names a VALUES list's columns column1, column2 and so does
        // PostgreSQL, so one statement serves both.
        let sql = format!(
            "UPDATE mentor_profile SET live_count = live_count + v.seats \
             FROM (SELECT column1 AS id, column2 AS seats FROM (VALUES {}) AS given) AS v \
             WHERE mentor_profile.person_id = v.id AND mentor_profile.accepting \
             AND mentor_profile.live_count + v.seats <= mentor_profile.capacity",
            rows.join(", ")
        );
        let updated = db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        if updated.rows_affected() != chunk.len() as u64 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Gives a seat back (a proposal ended unanswered or a mentorship finished)
/// and returns the new live count.
pub async fn release_seat(
    db: &impl ConnectionTrait,
    mentor_id: &str,
) -> Result<Option<u32>, DbErr> {
    move_seat(
        db,
        mentor_id,
        "UPDATE mentor_profile SET live_count = live_count - 1 \
         WHERE person_id = $1 AND live_count > 0 RETURNING live_count",
        "UPDATE mentor_profile SET live_count = live_count - 1 \
         WHERE person_id = ? AND live_count > 0 RETURNING live_count",
    )
    .await
}

/// Publishes that these mentors' live counts moved: bumps the load revision
/// and stamps the mentors with it. Call last in the transaction, after every
/// mentor row it touches is locked: the revision row is then always the last
/// lock taken, so transactions cannot deadlock on it, and commits happen in
/// revision order, so a reader that saw revision N has seen every change ≤ N.
pub async fn publish_load(db: &impl ConnectionTrait, mentor_ids: &[String]) -> Result<(), DbErr> {
    if mentor_ids.is_empty() {
        return Ok(());
    }
    db.execute_unprepared(
        "UPDATE scoring_revision SET load_revision = load_revision + 1 WHERE id = 1",
    )
    .await?;
    use super::entities::mentor_profile::Column as M;
    super::entities::mentor_profile::Entity::update_many()
        .col_expr(
            M::LoadSeq,
            Expr::cust("(SELECT load_revision FROM scoring_revision WHERE id = 1)"),
        )
        .filter(M::PersonId.is_in(mentor_ids.iter().cloned()))
        .exec(db)
        .await?;
    Ok(())
}

/// Mentors whose live count moved after load revision `since`: (id, live count).
pub async fn loads_since(
    db: &impl ConnectionTrait,
    since: i64,
) -> Result<Vec<(String, i16)>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT person_id, live_count FROM mentor_profile WHERE load_seq > $1"
        }
        _ => "SELECT person_id, live_count FROM mentor_profile WHERE load_seq > ?",
    };
    let found = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [since.into()]))
        .await?;
    found
        .into_iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

// ---- check-ins, milestones, feedback ----

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    pub id: String,
    pub match_id: String,
    pub author_id: String,
    pub held_on: chrono::NaiveDate,
    pub minutes: u16,
    pub topics: Vec<domain::values::MentoringTopic>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl CheckIn {
    fn from_row(row: check_in::Model) -> Result<Self, DbErr> {
        let topics = super::split_list(&row.topics)
            .iter()
            .map(|t| {
                domain::values::MentoringTopic::from_slug(t)
                    .ok_or_else(|| super::corrupt("check_in.topics", t))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            held_on: row
                .held_on
                .parse()
                .map_err(|_| super::corrupt("check_in.held_on", &row.held_on))?,
            minutes: u16::try_from(row.minutes)
                .map_err(|_| super::corrupt("check_in.minutes", row.minutes))?,
            topics,
            id: row.id,
            match_id: row.match_id,
            author_id: row.author_id,
            notes: row.notes,
            created_at: row.created_at,
        })
    }
}

pub async fn insert_check_in(db: &impl ConnectionTrait, c: &CheckIn) -> Result<(), DbErr> {
    let topics: Vec<&str> = c.topics.iter().map(|t| t.slug()).collect();
    let row = check_in::ActiveModel {
        id: Set(c.id.clone()),
        match_id: Set(c.match_id.clone()),
        author_id: Set(c.author_id.clone()),
        held_on: Set(c.held_on.to_string()),
        minutes: Set(i32::from(c.minutes)),
        topics: Set(topics.join(",")),
        notes: Set(c.notes.clone()),
        created_at: Set(c.created_at),
    };
    check_in::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A match's check-ins in the order they were logged, after the cursor.
pub async fn check_ins_page(
    db: &impl ConnectionTrait,
    match_id: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<CheckIn>, DbErr> {
    let mut query = check_in::Entity::find()
        .filter(check_in::Column::MatchId.eq(match_id))
        .order_by_asc(check_in::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(check_in::Column::Id.gt(after));
    }
    query
        .all(db)
        .await?
        .into_iter()
        .map(CheckIn::from_row)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub id: String,
    pub match_id: String,
    /// The match's program (none outside programs).
    pub program_id: Option<String>,
    pub mentee_id: String,
    pub recorded_by: String,
    pub kind: MilestoneKind,
    pub new_level: Option<u8>,
    /// The mentee's level before a `LEVEL_UP`.
    pub previous_level: Option<u8>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_milestone(db: &impl ConnectionTrait, m: &Milestone) -> Result<(), DbErr> {
    let row = milestone::ActiveModel {
        id: Set(m.id.clone()),
        match_id: Set(m.match_id.clone()),
        program_id: Set(m.program_id.clone()),
        mentee_id: Set(m.mentee_id.clone()),
        recorded_by: Set(m.recorded_by.clone()),
        kind: Set(m.kind.slug().to_owned()),
        new_level: Set(m.new_level.map(i32::from)),
        previous_level: Set(m.previous_level.map(i32::from)),
        note: Set(m.note.clone()),
        created_at: Set(m.created_at),
    };
    milestone::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub match_id: String,
    pub side: Side,
    pub author_id: String,
    pub rating: u8,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn side_slug(side: Side) -> &'static str {
    match side {
        Side::Mentor => "mentor",
        Side::Mentee => "mentee",
    }
}

/// For each of these matches that has feedback, the sides that gave it.
pub async fn feedback_sides(
    db: &impl ConnectionTrait,
    match_ids: &[String],
) -> Result<HashMap<String, Vec<Side>>, DbErr> {
    let rows: Vec<(String, String)> = feedback::Entity::find()
        .select_only()
        .column(feedback::Column::MatchId)
        .column(feedback::Column::Side)
        .filter(feedback::Column::MatchId.is_in(match_ids.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    let mut sides: HashMap<String, Vec<Side>> = HashMap::new();
    for (match_id, side) in rows {
        let side = if side == side_slug(Side::Mentor) {
            Side::Mentor
        } else {
            Side::Mentee
        };
        sides.entry(match_id).or_default().push(side);
    }
    Ok(sides)
}

/// Whether `side` already gave feedback on the match.
pub async fn has_feedback(
    db: &impl ConnectionTrait,
    match_id: &str,
    side: Side,
) -> Result<bool, DbErr> {
    Ok(
        feedback::Entity::find_by_id((match_id.to_owned(), side_slug(side).to_owned()))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Inserts feedback; the primary key refuses a second one from the same side.
pub async fn insert_feedback(db: &impl ConnectionTrait, f: &Feedback) -> Result<(), DbErr> {
    let row = feedback::ActiveModel {
        match_id: Set(f.match_id.clone()),
        side: Set(side_slug(f.side).to_owned()),
        author_id: Set(f.author_id.clone()),
        rating: Set(i32::from(f.rating)),
        comment: Set(f.comment.clone()),
        created_at: Set(f.created_at),
    };
    feedback::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// How the viewer is tied to each of `others` through matches: for each
/// (other person, state, whether the viewer is the mentor). Only proposals,
/// mentorships and finished mentorships count: declined, expired and
/// cancelled proposals make no pair.
pub async fn ties(
    db: &impl ConnectionTrait,
    viewer: &str,
    others: &[String],
) -> Result<Vec<(String, MatchState, bool)>, DbErr> {
    use mentorship_match::Column as C;
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(String, String, String)> = mentorship_match::Entity::find()
        .select_only()
        .column(C::MentorId)
        .column(C::MenteeId)
        .column(C::State)
        .filter(
            (C::MentorId
                .eq(viewer)
                .and(C::MenteeId.is_in(others.iter().cloned())))
            .or(C::MenteeId
                .eq(viewer)
                .and(C::MentorId.is_in(others.iter().cloned()))),
        )
        .filter(C::State.is_in([
            MatchState::Proposed.slug(),
            MatchState::Active.slug(),
            MatchState::Completed.slug(),
            MatchState::EndedEarly.slug(),
        ]))
        .into_tuple()
        .all(db)
        .await?;
    found
        .into_iter()
        .map(|(mentor, mentee, state)| {
            let state = MatchState::from_slug(&state)
                .ok_or_else(|| super::corrupt("mentorship_match.state", &state))?;
            let viewer_is_mentor = mentor == viewer;
            let other = if viewer_is_mentor { mentee } else { mentor };
            Ok((other, state, viewer_is_mentor))
        })
        .collect()
}
