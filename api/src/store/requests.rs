//! Mentorship requests.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::entities::mentorship_request;

pub const UNFINISHED: [&str; 3] = ["open", "proposed", "matched"];

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
        .filter(mentorship_request::Column::State.is_in(UNFINISHED))
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
            state: Set("open".to_owned()),
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
) -> Result<Vec<(String, String)>, DbErr> {
    mentorship_request::Entity::find()
        .select_only()
        .column(mentorship_request::Column::Id)
        .column(mentorship_request::Column::MenteeId)
        .filter(mentorship_request::Column::ProgramId.eq(program_id))
        .filter(mentorship_request::Column::State.eq("open"))
        .into_tuple()
        .all(db)
        .await
}
