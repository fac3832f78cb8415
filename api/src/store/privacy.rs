//! A person's own data: everything kept about them, read as JSON rows for
//! their export; erasure (overwriting their personal data, keeping the
//! anonymous facts the program metrics count); retention (blanking old
//! check-in notes and old audit events' actors and reasons).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde_json::Value;

use super::entities::{
    audit_event, check_in, feedback, foundation, mentee_foundation, mentee_profile, mentee_project,
    mentee_skill, mentee_topic, mentor_foundation, mentor_profile, mentor_project, mentor_skill,
    mentor_topic, mentorship_match, mentorship_request, milestone, notification,
    notification_delivery, notification_preference, person, program_enrollment, project, skill,
};

/// An audit event `a` on one of the person's matches whose actor is not
/// the other side of that match (the person, the OSPO, the system).
const NOT_BY_THE_OTHER_SIDE: &str = "EXISTS (SELECT 1 FROM mentorship_match m \
     WHERE m.id = a.subject_id AND ((m.mentee_id = ? AND (a.actor_id IS NULL OR a.actor_id <> m.mentor_id)) \
     OR (m.mentor_id = ? AND (a.actor_id IS NULL OR a.actor_id <> m.mentee_id))))";

/// What an erased person's name becomes: nobody's name.
pub const ERASED_NAME: &str = "Erased person";

/// The rows a person's export is made of, each as the table holds it.
#[derive(Debug, Default)]
pub struct Rows {
    pub person: Option<Value>,
    pub mentor_profile: Option<Value>,
    pub mentor_ties: Ties,
    pub mentee_profile: Option<Value>,
    pub mentee_ties: Ties,
    pub enrollments: Vec<Value>,
    pub requests: Vec<Value>,
    pub matches: Vec<Value>,
    pub check_ins: Vec<Value>,
    pub milestones: Vec<Value>,
    pub feedback_given: Vec<Value>,
    pub notifications: Vec<Value>,
    pub email_deliveries: Vec<Value>,
    pub notification_preferences: Vec<Value>,
    pub audit_events: Vec<Value>,
    pub catalogs: Catalogs,
}

/// Catalog slugs by id, for the profiles' ties.
#[derive(Debug, Default)]
pub struct Catalogs {
    pub skills: HashMap<i64, String>,
    pub projects: HashMap<i64, String>,
    pub foundations: HashMap<i64, String>,
}

/// A profile's ties to the catalog, as their tables hold them.
#[derive(Debug, Default)]
pub struct Ties {
    pub skills: Vec<Value>,
    pub projects: Vec<Value>,
    pub foundations: Vec<Value>,
    pub topics: Vec<Value>,
}

/// Reads everything kept about `id`. Check-ins and milestones are those of
/// the person's own matches; feedback the feedback they gave; audit events
/// those they made.
pub async fn rows_of(db: &impl ConnectionTrait, id: &str) -> Result<Rows, DbErr> {
    let their_matches = || {
        Query::select()
            .column(mentorship_match::Column::Id)
            .from(mentorship_match::Entity)
            .cond_where(
                Condition::any()
                    .add(mentorship_match::Column::MentorId.eq(id))
                    .add(mentorship_match::Column::MenteeId.eq(id)),
            )
            .to_owned()
    };
    macro_rules! all {
        ($entity:ident, $filter:expr, $order:expr) => {
            $entity::Entity::find()
                .filter($filter)
                .order_by_asc($order)
                .into_json()
                .all(db)
                .await?
        };
    }
    macro_rules! one {
        ($entity:ident, $column:expr) => {
            $entity::Entity::find()
                .filter($column.eq(id))
                .into_json()
                .one(db)
                .await?
        };
    }
    let mut rows = Rows {
        person: one!(person, person::Column::Id),
        mentor_profile: one!(mentor_profile, mentor_profile::Column::PersonId),
        mentee_profile: one!(mentee_profile, mentee_profile::Column::PersonId),
        enrollments: all!(
            program_enrollment,
            program_enrollment::Column::PersonId.eq(id),
            program_enrollment::Column::EnrolledAt
        ),
        requests: all!(
            mentorship_request,
            mentorship_request::Column::MenteeId.eq(id),
            mentorship_request::Column::CreatedAt
        ),
        matches: all!(
            mentorship_match,
            Condition::any()
                .add(mentorship_match::Column::MentorId.eq(id))
                .add(mentorship_match::Column::MenteeId.eq(id)),
            mentorship_match::Column::ProposedAt
        ),
        check_ins: all!(
            check_in,
            check_in::Column::MatchId.in_subquery(their_matches()),
            check_in::Column::HeldOn
        ),
        milestones: all!(
            milestone,
            milestone::Column::MatchId.in_subquery(their_matches()),
            milestone::Column::CreatedAt
        ),
        feedback_given: all!(
            feedback,
            feedback::Column::AuthorId.eq(id),
            feedback::Column::CreatedAt
        ),
        notifications: all!(
            notification,
            notification::Column::PersonId.eq(id),
            notification::Column::Id
        ),
        email_deliveries: all!(
            notification_delivery,
            notification_delivery::Column::PersonId.eq(id),
            notification_delivery::Column::Id
        ),
        notification_preferences: all!(
            notification_preference,
            notification_preference::Column::PersonId.eq(id),
            notification_preference::Column::Kind
        ),
        audit_events: all!(
            audit_event,
            audit_event::Column::ActorId.eq(id),
            audit_event::Column::Id
        ),
        ..Rows::default()
    };
    macro_rules! ties {
        ($skill:ident, $project:ident, $foundation:ident, $topic:ident) => {
            Ties {
                skills: all!(
                    $skill,
                    $skill::Column::PersonId.eq(id),
                    $skill::Column::SkillId
                ),
                projects: all!(
                    $project,
                    $project::Column::PersonId.eq(id),
                    $project::Column::ProjectId
                ),
                foundations: all!(
                    $foundation,
                    $foundation::Column::PersonId.eq(id),
                    $foundation::Column::FoundationId
                ),
                topics: all!(
                    $topic,
                    $topic::Column::PersonId.eq(id),
                    $topic::Column::Topic
                ),
            }
        };
    }
    rows.mentor_ties = ties!(
        mentor_skill,
        mentor_project,
        mentor_foundation,
        mentor_topic
    );
    rows.mentee_ties = ties!(
        mentee_skill,
        mentee_project,
        mentee_foundation,
        mentee_topic
    );
    let ids = |rows: &[&[Value]], key: &str| -> Vec<i64> {
        rows.iter()
            .flat_map(|r| r.iter())
            .filter_map(|r| r[key].as_i64())
            .collect()
    };
    let (mentor, mentee) = (&rows.mentor_ties, &rows.mentee_ties);
    let skill_ids = ids(&[&mentor.skills, &mentee.skills], "skill_id");
    let project_ids = ids(&[&mentor.projects, &mentee.projects], "project_id");
    let foundation_ids = ids(&[&mentor.foundations, &mentee.foundations], "foundation_id");
    rows.catalogs.skills =
        slugs::<skill::Entity, _>(db, skill::Column::Id, skill::Column::Slug, skill_ids).await?;
    rows.catalogs.projects =
        slugs::<project::Entity, _>(db, project::Column::Id, project::Column::Slug, project_ids)
            .await?;
    rows.catalogs.foundations = slugs::<foundation::Entity, _>(
        db,
        foundation::Column::Id,
        foundation::Column::Slug,
        foundation_ids,
    )
    .await?;
    Ok(rows)
}

async fn slugs<E: EntityTrait, C: ColumnTrait>(
    db: &impl ConnectionTrait,
    id: C,
    slug: C,
    ids: Vec<i64>,
) -> Result<HashMap<i64, String>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<(i64, String)> = E::find()
        .select_only()
        .column(id)
        .column(slug)
        .filter(id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// Overwrites or removes every piece of `id`'s personal data, in the
/// caller's transaction. Kept: the person row (as an anonymous shell that
/// others' matches point at), their level, a mentor's capacity, a mentee's
/// target level, enrolments, requests and matches with their states, dates
/// and frozen scores, check-ins' dates, minutes and topics, milestones'
/// kinds and levels, ratings, and audit events without reasons: the facts
/// the program metrics count. What the other side of a match wrote stays
/// theirs, except where it was addressed only to this person.
pub async fn erase(db: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let exec = |sql: &str| {
        // Every placeholder is the one id: numbered, it is bound once.
        let sql = match backend {
            DbBackend::Postgres => sql.replace('?', "$1"),
            _ => sql.replace('?', "?1"),
        };
        Statement::from_sql_and_values(backend, sql, [id.into()])
    };
    let their_matches = "SELECT id FROM mentorship_match WHERE mentor_id = ? OR mentee_id = ?";
    let statements = [
        "DELETE FROM mentor_skill WHERE person_id = ?".to_owned(),
        "DELETE FROM mentor_project WHERE person_id = ?".to_owned(),
        "DELETE FROM mentor_foundation WHERE person_id = ?".to_owned(),
        "DELETE FROM mentor_topic WHERE person_id = ?".to_owned(),
        "UPDATE mentor_profile SET bio = NULL WHERE person_id = ?".to_owned(),
        "DELETE FROM mentee_skill WHERE person_id = ?".to_owned(),
        "DELETE FROM mentee_project WHERE person_id = ?".to_owned(),
        "DELETE FROM mentee_foundation WHERE person_id = ?".to_owned(),
        "DELETE FROM mentee_topic WHERE person_id = ?".to_owned(),
        "UPDATE mentee_profile SET languages = '', max_timezone_diff_hours = NULL \
         WHERE person_id = ?"
            .to_owned(),
        "UPDATE mentorship_request SET goals = '' WHERE mentee_id = ?".to_owned(),
        // A decline's message was written to the mentee only.
        format!("UPDATE mentorship_match SET decline_message = NULL WHERE id IN ({their_matches})"),
        // Free text about them that the other side did not write: an end
        // reason, an OSPO's note or cancellation reason. The other side's
        // own words stay theirs.
        format!(
            "UPDATE mentorship_match SET end_reason = NULL WHERE end_reason IS NOT NULL \
             AND id IN (SELECT subject_id FROM audit_event a WHERE a.subject_kind = 'match' \
             AND a.to_state = 'ended_early' AND {NOT_BY_THE_OTHER_SIDE})"
        ),
        format!(
            "UPDATE audit_event SET reason = NULL WHERE reason IS NOT NULL AND id IN \
             (SELECT a.id FROM audit_event a WHERE a.subject_kind = 'match' AND {NOT_BY_THE_OTHER_SIDE})"
        ),
        "UPDATE audit_event SET reason = NULL WHERE reason IS NOT NULL AND subject_kind = 'request' \
         AND subject_id IN (SELECT id FROM mentorship_request WHERE mentee_id = ?)"
            .to_owned(),
        "UPDATE check_in SET notes = NULL WHERE author_id = ?".to_owned(),
        // A milestone is the mentee's record, whoever wrote its note.
        "UPDATE milestone SET note = NULL WHERE recorded_by = ? OR mentee_id = ?".to_owned(),
        "UPDATE feedback SET comment = NULL WHERE author_id = ?".to_owned(),
        "DELETE FROM notification WHERE person_id = ?".to_owned(),
        "DELETE FROM notification_delivery WHERE person_id = ?".to_owned(),
        "DELETE FROM notification_preference WHERE person_id = ?".to_owned(),
        "UPDATE audit_event SET reason = NULL WHERE actor_id = ? \
         OR (subject_kind = 'person' AND subject_id = ?)"
            .to_owned(),
    ];
    for sql in &statements {
        db.execute_raw(exec(sql)).await?;
    }
    scrub_payloads(db, id).await?;
    let erased = person::Entity::update_many()
        .col_expr(person::Column::Sub, Expr::value(Option::<String>::None))
        .col_expr(person::Column::DisplayName, Expr::value(ERASED_NAME))
        .col_expr(person::Column::Email, Expr::value(Option::<String>::None))
        .col_expr(
            person::Column::Department,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            person::Column::ManagerId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            person::Column::Timezone,
            Expr::value(Option::<String>::None),
        )
        .col_expr(person::Column::Languages, Expr::value(""))
        .col_expr(person::Column::SsoName, Expr::value(Option::<String>::None))
        .col_expr(
            person::Column::SsoEmail,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            person::Column::DeactivationReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            person::Column::ErasedAt,
            Func::coalesce([Expr::col(person::Column::ErasedAt), Expr::value(now)]).into(),
        )
        .col_expr(person::Column::UpdatedAt, Expr::value(now))
        .filter(person::Column::Id.eq(id))
        .filter(person::Column::DeactivatedAt.is_not_null())
        .exec(db)
        .await?;
    if erased.rows_affected != 1 {
        return Err(DbErr::RecordNotUpdated);
    }
    Ok(())
}

/// The copies other people (and webhooks) hold of notifications about this
/// person's matches lose what came from this person: the mentee's goals
/// and the score's reasons (drawn from the mentee's profile), a decline's
/// message and an end reason.
async fn scrub_payloads(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    let matches: Vec<String> = mentorship_match::Entity::find()
        .select_only()
        .column(mentorship_match::Column::Id)
        .filter(
            Condition::any()
                .add(mentorship_match::Column::MentorId.eq(id))
                .add(mentorship_match::Column::MenteeId.eq(id)),
        )
        .into_tuple()
        .all(db)
        .await?;
    for chunk in matches.chunks(super::IN_LIST) {
        let inbox: Vec<(String, String, String)> = notification::Entity::find()
            .select_only()
            .columns([
                notification::Column::PersonId,
                notification::Column::Id,
                notification::Column::Payload,
            ])
            .filter(notification::Column::MatchId.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for (owner, row, payload) in inbox {
            if let Some(clean) = scrubbed(&payload) {
                notification::Entity::update_many()
                    .col_expr(notification::Column::Payload, Expr::value(clean))
                    .filter(notification::Column::PersonId.eq(owner))
                    .filter(notification::Column::Id.eq(row))
                    .exec(db)
                    .await?;
            }
        }
        // Each row is updated by its key: `seq` on SQLite, whose outbox
        // has no index on id (migration m0015), `id` on PostgreSQL.
        let sqlite = db.get_database_backend() == DbBackend::Sqlite;
        let outbox: Vec<(Option<i64>, String, String)> = notification_delivery::Entity::find()
            .select_only()
            .column_as(
                Expr::cust(if sqlite {
                    "seq"
                } else {
                    "CAST(NULL AS BIGINT)"
                }),
                "seq",
            )
            .columns([
                notification_delivery::Column::Id,
                notification_delivery::Column::Payload,
            ])
            .filter(notification_delivery::Column::MatchId.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        for (seq, row, payload) in outbox {
            if let Some(clean) = scrubbed(&payload) {
                let key = match seq {
                    Some(seq) => ExprTrait::eq(Expr::col("seq"), seq),
                    None => notification_delivery::Column::Id.eq(row),
                };
                notification_delivery::Entity::update_many()
                    .col_expr(notification_delivery::Column::Payload, Expr::value(clean))
                    .filter(key)
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(())
}

/// A payload without the fields an erased person's data reaches; `None`
/// when it holds none of them.
fn scrubbed(payload: &str) -> Option<String> {
    const PERSONAL: [&str; 4] = ["goals", "reasons", "message", "endReason"];
    let mut json: Value = serde_json::from_str(payload).ok()?;
    let object = json.as_object_mut()?;
    let before = object.len();
    object.retain(|key, _| !PERSONAL.contains(&key.as_str()));
    (object.len() != before).then(|| json.to_string())
}

/// Blanks the notes of check-ins whose match finished before `cutoff`;
/// returns how many.
pub async fn blank_old_notes(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let finished = Query::select()
        .column(mentorship_match::Column::Id)
        .from(mentorship_match::Entity)
        .and_where(mentorship_match::Column::FinishedAt.lt(cutoff))
        .to_owned();
    let done = check_in::Entity::update_many()
        .col_expr(check_in::Column::Notes, Expr::value(Option::<String>::None))
        .filter(check_in::Column::Notes.is_not_null())
        .filter(check_in::Column::MatchId.in_subquery(finished))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Takes the actor and the reason off audit events older than `cutoff`,
/// keeping the events (what changed, from what to what, when) so every
/// count stays; returns how many.
pub async fn blank_old_audit(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let done = audit_event::Entity::update_many()
        .col_expr(
            audit_event::Column::ActorId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            audit_event::Column::Reason,
            Expr::value(Option::<String>::None),
        )
        .filter(audit_event::Column::At.lt(cutoff))
        .filter(
            Condition::any()
                .add(audit_event::Column::ActorId.is_not_null())
                .add(audit_event::Column::Reason.is_not_null()),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::scrubbed;

    #[test]
    fn payloads_lose_only_what_came_from_the_person() {
        let payload = r#"{"mentorId":"a","menteeId":"b","path":"/matches/m","goals":"learn Rust","reasons":["covers rust"],"message":"sorry","endReason":"moved","expiresAt":"2026-01-01T00:00:00Z"}"#;
        let clean: serde_json::Value = serde_json::from_str(&scrubbed(payload).unwrap()).unwrap();
        assert_eq!(
            clean,
            serde_json::json!({"mentorId":"a","menteeId":"b","path":"/matches/m","expiresAt":"2026-01-01T00:00:00Z"})
        );
        assert_eq!(scrubbed(r#"{"mentorId":"a","path":"/"}"#), None);
        assert_eq!(scrubbed("not json"), None);
    }
}
