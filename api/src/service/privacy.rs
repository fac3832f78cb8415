//! A person's own data (issue "People leave"): `myData` and `GET
//! /me/export.json` give the caller everything Tandem keeps about them;
//! `erasePerson` and `tandem people erase` overwrite it once they are
//! deactivated; retention blanks old notes and old audit details.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::proposals::Work;
use super::{OspoTask, Viewer};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::{Change, Subject};
use crate::store::people;
use crate::store::privacy::{self, Catalogs, Rows, Ties};

/// The export's format, so a reader knows what it holds.
pub const FORMAT: &str = "tandem.personal-data.v1";

/// Everything kept about the caller, as one JSON document.
pub async fn my_data(state: &AppState, viewer: &Viewer) -> ApiResult<Value> {
    document_of(state, &viewer.person_id, Utc::now()).await
}

/// The document for `person_id`; read in one transaction, so it is one
/// consistent snapshot.
pub async fn document_of(
    state: &AppState,
    person_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<Value> {
    use sea_orm::TransactionTrait;
    let txn = state.db.begin().await?;
    let rows = privacy::rows_of(&txn, person_id).await?;
    txn.commit().await?;
    if rows.person.is_none() {
        return Err(ApiError::NotFound("person"));
    }
    Ok(document(rows, now))
}

/// Rows → the document: keys in camelCase, catalog ties named by slug,
/// stored JSON (score breakdowns, notification payloads) as JSON.
fn document(rows: Rows, now: DateTime<Utc>) -> Value {
    let mentor = profile(rows.mentor_profile, rows.mentor_ties, &rows.catalogs);
    let mentee = profile(rows.mentee_profile, rows.mentee_ties, &rows.catalogs);
    json!({
        "format": FORMAT,
        "exportedAt": now,
        "person": rows.person.map(camel),
        "mentorProfile": mentor,
        "menteeProfile": mentee,
        "enrollments": all_camel(rows.enrollments),
        "requests": all_camel(rows.requests),
        "matches": with_json(all_camel(rows.matches), "scoreBreakdown"),
        "checkIns": all_camel(rows.check_ins),
        "milestones": all_camel(rows.milestones),
        "feedbackGiven": all_camel(rows.feedback_given),
        "notifications": with_json(all_camel(rows.notifications), "payload"),
        "emailDeliveries": with_json(all_camel(rows.email_deliveries), "payload"),
        "notificationPreferences": all_camel(rows.notification_preferences),
        "auditEvents": all_camel(rows.audit_events),
    })
}

/// A profile row with its ties inside, each tie named by its catalog slug.
fn profile(row: Option<Value>, ties: Ties, catalogs: &Catalogs) -> Option<Value> {
    let mut row = camel(row?);
    let object = row.as_object_mut()?;
    object.remove("personId");
    let lists = [
        (
            "skills",
            named(ties.skills, "skill_id", "skill", &catalogs.skills),
        ),
        (
            "projects",
            named(ties.projects, "project_id", "project", &catalogs.projects),
        ),
        (
            "foundations",
            named(
                ties.foundations,
                "foundation_id",
                "foundation",
                &catalogs.foundations,
            ),
        ),
        ("topics", named(ties.topics, "", "", &HashMap::new())),
    ];
    for (name, list) in lists {
        object.insert(name.to_owned(), Value::Array(list));
    }
    Some(row)
}

/// Tie rows without their person, with the slug of `key`'s catalog entry
/// under `name` (none when `name` is empty).
fn named(ties: Vec<Value>, key: &str, name: &str, slugs: &HashMap<i64, String>) -> Vec<Value> {
    ties.into_iter()
        .map(|tie| {
            let slug = tie[key].as_i64().and_then(|id| slugs.get(&id)).cloned();
            let mut tie = camel(tie);
            if let Some(object) = tie.as_object_mut() {
                object.remove("personId");
                if !name.is_empty() {
                    object.insert(name.to_owned(), slug.map_or(Value::Null, Value::String));
                }
            }
            tie
        })
        .collect()
}

fn all_camel(rows: Vec<Value>) -> Vec<Value> {
    rows.into_iter().map(camel).collect()
}

/// A row's column names in the API's camelCase.
fn camel(row: Value) -> Value {
    match row {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(key, value)| (camel_key(&key), value))
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

fn camel_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses the JSON a text column holds, where it is JSON.
fn with_json(rows: Vec<Value>, key: &str) -> Vec<Value> {
    rows.into_iter()
        .map(|mut row| {
            if let Some(text) = row[key].as_str()
                && let Ok(parsed) = serde_json::from_str::<Value>(text)
            {
                row[key] = parsed;
            }
            row
        })
        .collect()
}

/// `erasePerson` and `tandem people erase`: only once the person is
/// deactivated (`CONFLICT` before); again on an erased person it changes
/// nothing more and succeeds. Audited without the erased data.
pub async fn erase(
    state: &AppState,
    by: OspoTask<'_>,
    person_id: &str,
) -> ApiResult<people::Person> {
    let mut work = Work::begin(state, by.actor(), Utc::now()).await?;
    let person = people::find(&work.txn, person_id)
        .await?
        .ok_or(ApiError::NotFound("person"))?;
    if person.is_active() {
        return Err(ApiError::Conflict(
            "deactivate the person first (deactivatePerson): erasure is for people who left".into(),
        ));
    }
    let first = person.erased_at.is_none();
    privacy::erase(&work.txn, person_id, work.now)
        .await
        .map_err(|e| match e {
            // Reactivated between the read and the write.
            sea_orm::DbErr::RecordNotUpdated => ApiError::Conflict(
                "the person was reactivated meanwhile; nothing was erased".into(),
            ),
            other => other.into(),
        })?;
    if first {
        let change = Change {
            actor_id: work.actor.as_deref(),
            subject: Subject::Person,
            subject_id: person_id,
            from: Some("deactivated"),
            to: "erased",
            reason: None,
            at: work.now,
        };
        work.trail.push(change);
    }
    let erased = people::find(&work.txn, person_id)
        .await?
        .ok_or(ApiError::NotFound("person"))?;
    work.commit().await?;
    tracing::info!(person = %person_id, by = by.actor().unwrap_or("command line"), first, "personal data erased");
    Ok(erased)
}

/// Retention: blanks check-in notes of matches finished more than
/// `TANDEM_RETAIN_NOTES_DAYS` ago and takes actors and reasons off audit
/// events older than `TANDEM_RETAIN_AUDIT_DAYS`, when set. Returns (notes,
/// audit events) blanked.
pub async fn apply_retention(state: &AppState, now: DateTime<Utc>) -> ApiResult<(u64, u64)> {
    let retain = &state.config.retention;
    let mut blanked = (0, 0);
    if let Some(days) = retain.notes_days {
        blanked.0 =
            privacy::blank_old_notes(&state.db, now - chrono::Duration::days(i64::from(days)))
                .await?;
    }
    if let Some(days) = retain.audit_days {
        blanked.1 =
            privacy::blank_old_audit(&state.db, now - chrono::Duration::days(i64::from(days)))
                .await?;
    }
    Ok(blanked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_become_camel_case() {
        assert_eq!(camel_key("score_breakdown"), "scoreBreakdown");
        assert_eq!(camel_key("id"), "id");
        assert_eq!(camel_key("max_timezone_diff_hours"), "maxTimezoneDiffHours");
    }

    #[test]
    fn ties_are_named_and_stored_json_is_parsed() {
        let mut rows = Rows {
            person: Some(json!({"id": "p", "display_name": "Ada"})),
            mentor_profile: Some(json!({"person_id": "p", "capacity": 2})),
            mentor_ties: Ties {
                skills: vec![json!({"person_id": "p", "skill_id": 7, "proficiency": 4})],
                ..Ties::default()
            },
            matches: vec![json!({"id": "m", "score_breakdown": "{\"total\":80}"})],
            ..Rows::default()
        };
        rows.catalogs.skills.insert(7, "rust".into());
        let doc = document(rows, Utc::now());
        assert_eq!(doc["format"], FORMAT);
        assert_eq!(doc["person"]["displayName"], "Ada");
        assert_eq!(doc["mentorProfile"]["capacity"], 2);
        assert_eq!(
            doc["mentorProfile"]["skills"][0],
            json!({"skillId": 7, "proficiency": 4, "skill": "rust"})
        );
        assert_eq!(doc["matches"][0]["scoreBreakdown"]["total"], 80);
        assert_eq!(doc["menteeProfile"], Value::Null);
    }
}
