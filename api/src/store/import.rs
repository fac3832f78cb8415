//! The HR import's queries: people by email and reporting lines in chunked
//! `IN` lists, and whole batches of people and profiles written with
//! multi-row statements, so 10,000 rows cost tens of statements, not tens of
//! thousands.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, QueryFilter, QuerySelect,
};

use super::entities::{
    mentee_foundation, mentee_profile, mentee_project, mentee_skill, mentee_topic,
    mentor_foundation, mentor_profile, mentor_project, mentor_skill, mentor_topic, person,
};
use super::people::Person;
use super::profiles::{MenteeProfile, MentorProfile};
use super::{IN_LIST, insert_all};

/// The advisory lock key of imports ("tandem import" in spirit; any
/// constant no other code uses).
const IMPORT_LOCK: i64 = 0x7A4D_0009;

/// Makes other imports on PostgreSQL wait until this transaction ends, so
/// two imports naming one new email cannot both create that person. On
/// SQLite the write transaction already excludes them.
pub async fn lock_out_other_imports(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))
            .await?;
    }
    Ok(())
}

/// Everyone whose email is one of `emails` (several people may share one).
pub async fn people_by_email(
    db: &impl ConnectionTrait,
    emails: &[String],
) -> Result<Vec<Person>, DbErr> {
    let mut out = Vec::new();
    for chunk in emails.chunks(IN_LIST) {
        let rows = person::Entity::find()
            .filter(person::Column::Email.is_in(chunk.iter().cloned()))
            .all(db)
            .await?;
        for row in rows {
            out.push(Person::from_row(row)?);
        }
    }
    Ok(out)
}

/// `(id, manager id, email)` of each of `ids` that exists.
pub async fn reporting_lines(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<(String, Option<String>, Option<String>)>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IN_LIST) {
        let rows: Vec<(String, Option<String>, Option<String>)> = person::Entity::find()
            .select_only()
            .columns([
                person::Column::Id,
                person::Column::ManagerId,
                person::Column::Email,
            ])
            .filter(person::Column::Id.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Creates or updates whole people by id. The caller orders them so that a
/// manager written here comes before (or in the same statement as) the
/// people reporting to them. `sub` and the SSO's values are never touched.
pub async fn upsert_people(db: &impl ConnectionTrait, people: &[Person]) -> Result<(), DbErr> {
    use person::Column as C;
    let now = Utc::now();
    let rows = people
        .iter()
        .map(|p| person::ActiveModel {
            id: Set(p.id.clone()),
            sub: NotSet,
            display_name: Set(p.display_name.clone()),
            email: Set(p.email.clone()),
            department: Set(p.department.clone()),
            manager_id: Set(p.manager_id.clone()),
            timezone: Set(p.timezone.clone()),
            languages: Set(p.languages.join(",")),
            osmm_level: Set(i16::from(p.osmm_level)),
            sso_name: NotSet,
            sso_email: NotSet,
            created_at: Set(now),
            updated_at: Set(now),
            // Deactivation goes through `service::leavers`, with its cascade.
            deactivated_at: NotSet,
            deactivation_reason: NotSet,
            erased_at: NotSet,
        })
        .collect();
    let update = OnConflict::column(C::Id)
        .update_columns([
            C::DisplayName,
            C::Department,
            C::ManagerId,
            C::Timezone,
            C::Languages,
            C::OsmmLevel,
            C::UpdatedAt,
        ])
        .to_owned();
    insert_all(db, rows, Some(update)).await
}

/// Deletes the rows of a profile's tie table that belong to `ids`.
macro_rules! delete_ties {
    ($db:expr, $ids:expr, $($table:ident),+) => {
        for chunk in $ids.chunks(IN_LIST) {
            $(
                $table::Entity::delete_many()
                    .filter($table::Column::PersonId.is_in(chunk.iter().cloned()))
                    .exec($db)
                    .await?;
            )+
        }
    };
}

/// Creates or replaces whole mentor profiles: capacity and accepting, and
/// every skill, project, foundation and topic. Live counts and bios stay;
/// the CHECK `live_count <= capacity` still guards capacity.
pub async fn upsert_mentors(
    db: &impl ConnectionTrait,
    profiles: &[MentorProfile],
) -> Result<(), DbErr> {
    use mentor_profile::Column as C;
    if profiles.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = profiles
        .iter()
        .map(|p| mentor_profile::ActiveModel {
            person_id: Set(p.person_id.clone()),
            capacity: Set(i16::from(p.capacity)),
            live_count: Set(0),
            accepting: Set(p.accepting),
            bio: NotSet,
            updated_at: Set(now),
            load_seq: NotSet,
        })
        .collect();
    let update = OnConflict::column(C::PersonId)
        .update_columns([C::Capacity, C::Accepting, C::UpdatedAt])
        .to_owned();
    insert_all(db, rows, Some(update)).await?;
    let ids: Vec<String> = profiles.iter().map(|p| p.person_id.clone()).collect();
    delete_ties!(
        db,
        ids,
        mentor_skill,
        mentor_project,
        mentor_foundation,
        mentor_topic
    );
    let skills = profiles.iter().flat_map(|p| {
        p.skills
            .iter()
            .map(|&(skill_id, level)| mentor_skill::ActiveModel {
                person_id: Set(p.person_id.clone()),
                skill_id: Set(skill_id),
                proficiency: Set(i16::from(level)),
            })
    });
    insert_all(db, skills.collect(), None).await?;
    let projects = profiles.iter().flat_map(|p| {
        p.projects
            .iter()
            .map(|&(project_id, role)| mentor_project::ActiveModel {
                person_id: Set(p.person_id.clone()),
                project_id: Set(project_id),
                role: Set(role.slug().to_owned()),
            })
    });
    insert_all(db, projects.collect(), None).await?;
    let foundations = profiles.iter().flat_map(|p| {
        p.foundations
            .iter()
            .map(|&(foundation_id, role)| mentor_foundation::ActiveModel {
                person_id: Set(p.person_id.clone()),
                foundation_id: Set(foundation_id),
                role: Set(role.slug().to_owned()),
            })
    });
    insert_all(db, foundations.collect(), None).await?;
    let topics = profiles.iter().flat_map(|p| {
        p.topics.iter().map(|t| mentor_topic::ActiveModel {
            person_id: Set(p.person_id.clone()),
            topic: Set(t.slug().to_owned()),
        })
    });
    insert_all(db, topics.collect(), None).await
}

/// Creates or replaces whole mentee profiles. Their language preferences
/// are not imported and stay as they are.
pub async fn upsert_mentees(
    db: &impl ConnectionTrait,
    profiles: &[MenteeProfile],
) -> Result<(), DbErr> {
    use mentee_profile::Column as C;
    if profiles.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = profiles
        .iter()
        .map(|p| mentee_profile::ActiveModel {
            person_id: Set(p.person_id.clone()),
            target_level: Set(i16::from(p.target_level)),
            max_timezone_diff_hours: Set(p.max_timezone_diff_hours.map(i16::from)),
            languages: Set(p.languages.join(",")),
            updated_at: Set(now),
        })
        .collect();
    let update = OnConflict::column(C::PersonId)
        .update_columns([C::TargetLevel, C::MaxTimezoneDiffHours, C::UpdatedAt])
        .to_owned();
    insert_all(db, rows, Some(update)).await?;
    let ids: Vec<String> = profiles.iter().map(|p| p.person_id.clone()).collect();
    delete_ties!(
        db,
        ids,
        mentee_skill,
        mentee_project,
        mentee_foundation,
        mentee_topic
    );
    let skills = profiles.iter().flat_map(|p| {
        p.skills
            .iter()
            .map(|&(skill_id, priority)| mentee_skill::ActiveModel {
                person_id: Set(p.person_id.clone()),
                skill_id: Set(skill_id),
                priority: Set(i16::from(priority)),
            })
    });
    insert_all(db, skills.collect(), None).await?;
    let projects = profiles.iter().flat_map(|p| {
        p.projects
            .iter()
            .map(|&project_id| mentee_project::ActiveModel {
                person_id: Set(p.person_id.clone()),
                project_id: Set(project_id),
            })
    });
    insert_all(db, projects.collect(), None).await?;
    let foundations = profiles.iter().flat_map(|p| {
        p.foundations
            .iter()
            .map(|&foundation_id| mentee_foundation::ActiveModel {
                person_id: Set(p.person_id.clone()),
                foundation_id: Set(foundation_id),
            })
    });
    insert_all(db, foundations.collect(), None).await?;
    let topics = profiles.iter().flat_map(|p| {
        p.topics.iter().map(|t| mentee_topic::ActiveModel {
            person_id: Set(p.person_id.clone()),
            topic: Set(t.slug().to_owned()),
        })
    });
    insert_all(db, topics.collect(), None).await
}
