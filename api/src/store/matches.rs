//! Matches (proposals and mentorships) and the moves that go with creating one.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::entities::{mentor_profile, mentorship_match, mentorship_request};

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
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_proposal(db: &impl ConnectionTrait, p: &NewProposal<'_>) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = mentorship_match::ActiveModel {
        id: Set(p.id.clone()),
        request_id: Set(p.request_id.to_owned()),
        mentor_id: Set(p.mentor_id.to_owned()),
        mentee_id: Set(p.mentee_id.to_owned()),
        program_id: Set(p.program_id.map(str::to_owned)),
        state: Set("proposed".to_owned()),
        score_total: Set(p.score_total),
        score_breakdown: Set(p.score_breakdown.clone()),
        policy_version: Set(p.policy_version),
        proposed_at: Set(now),
        expires_at: Set(Some(p.expires_at)),
        updated_at: Set(now),
    };
    mentorship_match::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Moves a request from `from` to `to`; false when it was not in `from`.
pub async fn move_request(
    db: &impl ConnectionTrait,
    id: &str,
    from: &str,
    to: &str,
) -> Result<bool, DbErr> {
    let result = mentorship_request::Entity::update_many()
        .col_expr(mentorship_request::Column::State, Expr::value(to))
        .col_expr(
            mentorship_request::Column::UpdatedAt,
            Expr::value(Utc::now()),
        )
        .filter(mentorship_request::Column::Id.eq(id))
        .filter(mentorship_request::Column::State.eq(from))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Takes one seat of a mentor; false when none is free. The condition and
/// the CHECK on `live_count` keep capacity even across instances.
pub async fn take_seat(db: &impl ConnectionTrait, mentor_id: &str) -> Result<bool, DbErr> {
    use mentor_profile::Column as M;
    let result = mentor_profile::Entity::update_many()
        .col_expr(M::LiveCount, Expr::col(M::LiveCount).add(1))
        .col_expr(M::UpdatedAt, Expr::value(Utc::now()))
        .filter(M::PersonId.eq(mentor_id))
        .filter(Expr::col(M::LiveCount).lt(Expr::col(M::Capacity)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
