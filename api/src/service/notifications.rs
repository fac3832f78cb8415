//! The inbox, email preferences and the OSPO's view of failed deliveries
//! (design.md, "Notifications"). A person reads and marks only their own
//! notifications: another person's id in `markNotificationsRead` changes
//! nothing, and reading one by id answers as if it did not exist.

use chrono::Utc;
use domain::notification::{Kind, Preference};
use sea_orm::DatabaseConnection;

use super::{OspoAdmin, OspoTask, Viewer};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::notifications::{self as store, DeadDelivery, InboxItem};

/// Most ids one `markNotificationsRead` takes.
pub const MAX_MARK: usize = 1000;

/// `myNotifications`: newest first.
pub async fn mine(
    db: &DatabaseConnection,
    viewer: &Viewer,
    unread_only: bool,
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<InboxItem>> {
    Ok(store::inbox_page(db, &viewer.person_id, unread_only, after, limit).await?)
}

/// One of the caller's notifications (`None` for anyone else's).
pub async fn find(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: &str,
) -> ApiResult<Option<InboxItem>> {
    Ok(store::inbox_item(db, &viewer.person_id, id).await?)
}

pub async fn unread(db: &DatabaseConnection, viewer: &Viewer) -> ApiResult<u64> {
    Ok(store::unread_count(db, &viewer.person_id).await?)
}

/// `markNotificationsRead`: how many of the caller's unread ones it marked.
pub async fn mark_read(state: &AppState, viewer: &Viewer, ids: &[String]) -> ApiResult<u64> {
    if ids.len() > MAX_MARK {
        return Err(ApiError::BadUserInput(format!(
            "at most {MAX_MARK} ids at once, got {}",
            ids.len()
        )));
    }
    Ok(store::mark_read(&state.db, &viewer.person_id, ids, Utc::now()).await?)
}

/// Every kind with the caller's choice (email on unless turned off).
pub async fn preferences(db: &DatabaseConnection, viewer: &Viewer) -> ApiResult<Vec<Preference>> {
    let stored = store::preferences(db, &viewer.person_id).await?;
    Ok(Kind::ALL
        .into_iter()
        .map(|kind| Preference {
            kind,
            email: stored.get(&kind).copied().unwrap_or(true),
        })
        .collect())
}

/// `setNotificationPreferences`: the kinds given change, the others stay.
pub async fn set_preferences(
    state: &AppState,
    viewer: &Viewer,
    choices: &[Preference],
) -> ApiResult<Vec<Preference>> {
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = choices.iter().find(|c| !seen.insert(c.kind)) {
        return Err(ApiError::BadUserInput(format!(
            "{} is given twice",
            twice.kind.slug()
        )));
    }
    let pairs: Vec<(Kind, bool)> = choices.iter().map(|c| (c.kind, c.email)).collect();
    store::set_preferences(&state.db, &viewer.person_id, &pairs).await?;
    preferences(&state.db, viewer).await
}

/// `deadDeliveries` (OSPO only): newest first, never a body or a secret.
pub async fn dead(
    db: &DatabaseConnection,
    _ospo: OspoAdmin<'_>,
    after: Option<&str>,
    limit: u64,
) -> ApiResult<Vec<DeadDelivery>> {
    Ok(store::dead_page(db, after, limit).await?)
}

/// `retryDeadDeliveries` and `tandem notifications retry-dead`: every dead
/// delivery is due again now with a fresh count of attempts.
pub async fn retry_dead(state: &AppState, by: OspoTask<'_>) -> ApiResult<u64> {
    let (txn, _writer) = crate::db::begin_write(&state.db).await?;
    let retried = store::retry_dead(&txn, Utc::now()).await?;
    txn.commit().await?;
    if retried > 0 {
        state.delivery_wake.notify_one();
    }
    let who = match by {
        OspoTask::Admin(ospo) => ospo.person_id().to_owned(),
        OspoTask::Operator => "operator".to_owned(),
    };
    tracing::info!(retried, by = %who, "dead deliveries re-queued");
    Ok(retried)
}

/// Where a dead webhook went, as the OSPO may see it: its scheme and host
/// only (a path or query may be a token, and so may credentials). `None`
/// for an email, whose recipient is a person.
pub fn shown_target(delivery: &DeadDelivery) -> Option<String> {
    match delivery.channel {
        store::Channel::Email => None,
        store::Channel::Webhook => {
            let (scheme, rest) = delivery
                .target
                .split_once("://")
                .unwrap_or(("", &delivery.target));
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = authority.rsplit('@').next().unwrap_or(authority);
            Some(format!("{scheme}://{host}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead(channel: store::Channel, target: &str) -> DeadDelivery {
        DeadDelivery {
            id: "d".into(),
            channel,
            target: target.into(),
            person_id: None,
            kind: Kind::MatchAccepted,
            match_id: None,
            attempts: 10,
            last_error: None,
            created_at: Utc::now(),
            last_attempt_at: None,
        }
    }

    #[test]
    fn a_webhook_target_shows_its_host_only() {
        let d = dead(
            store::Channel::Webhook,
            "https://user:pw@hooks.slack.com/services/T0/B0/SECRET?x=1",
        );
        assert_eq!(shown_target(&d).as_deref(), Some("https://hooks.slack.com"));
        let d = dead(store::Channel::Email, "person-id");
        assert_eq!(shown_target(&d), None);
    }
}
