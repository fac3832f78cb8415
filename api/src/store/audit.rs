//! The audit trail: every state change, who made it and when.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

use super::entities::audit_event;

pub async fn record(
    db: &impl ConnectionTrait,
    actor_id: Option<&str>,
    subject_kind: &str,
    subject_id: &str,
    from_state: Option<&str>,
    to_state: &str,
) -> Result<(), DbErr> {
    let row = audit_event::ActiveModel {
        actor_id: Set(actor_id.map(str::to_owned)),
        subject_kind: Set(subject_kind.to_owned()),
        subject_id: Set(subject_id.to_owned()),
        from_state: Set(from_state.map(str::to_owned)),
        to_state: Set(to_state.to_owned()),
        at: Set(Utc::now()),
        ..Default::default()
    };
    audit_event::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
