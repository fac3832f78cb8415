//! People: the caller's own record, what others may see, profile edits.

use sea_orm::DatabaseConnection;

use super::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, people::Person, people::PersonChange};

/// The caller, as read when the request was authenticated.
pub async fn me(db: &DatabaseConnection, viewer: &Viewer) -> ApiResult<Person> {
    match &viewer.person {
        Some(person) => Ok(Person::clone(person)),
        None => reread(db, viewer).await,
    }
}

/// The caller, read again: after a mutation of this request changed them.
pub async fn reread(db: &DatabaseConnection, viewer: &Viewer) -> ApiResult<Person> {
    store::people::find(db, &viewer.person_id)
        .await?
        .ok_or(ApiError::NotFound("person"))
}

/// Another person as the caller may see them: themself and the OSPO see
/// anyone; others see mentors (their mentor-facing profile) and the people
/// they are or were paired with. `None` when absent or not visible, so a
/// probe cannot tell the two apart.
pub async fn visible(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> ApiResult<Option<Person>> {
    let Some(person) = store::people::find(db, id).await? else {
        return Ok(None);
    };
    if viewer.is(id) || viewer.is_ospo() {
        return Ok(Some(person));
    }
    let mentor = store::profiles::mentor_live_count(db, id).await?.is_some();
    if mentor {
        return Ok(Some(person));
    }
    let paired = !store::matches::ties(db, &viewer.person_id, std::slice::from_ref(&person.id))
        .await?
        .is_empty();
    Ok(paired.then_some(person))
}

pub async fn update_me(
    db: &DatabaseConnection,
    viewer: &Viewer,
    change: PersonChange,
) -> ApiResult<Person> {
    let (txn, _writer) = crate::db::begin_write(db).await?;
    store::people::update(&txn, &viewer.person_id, change).await?;
    // Level, time zone and languages are scoring features of a mentor.
    if store::profiles::mentor_live_count(&txn, &viewer.person_id)
        .await?
        .is_some()
    {
        store::revision::bump(&txn).await?;
    }
    txn.commit().await?;
    reread(db, viewer).await
}

/// The person themself and the OSPO see every field; others see what their
/// ties through matches allow (see `graphql::loaders::Tie`).
pub fn sees_everything_of(viewer: &Viewer, person_id: &str) -> bool {
    viewer.is(person_id) || viewer.is_ospo()
}
