//! Match events for `Subscription.myMatchEvents`.
//!
//! A change is announced only once its transaction commits, and reaches
//! subscribers on every instance: on PostgreSQL the writing transaction
//! sends `pg_notify` (delivered by the database on commit only) and every
//! instance's listener feeds its local bus; on SQLite (one instance) the
//! service publishes to the local bus after commit.

use domain::mentorship::MatchState;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel carrying match events between instances.
pub const CHANNEL: &str = "tandem_match_events";
/// The PostgreSQL channel carrying new inbox notifications (a JSON array of
/// [`NotificationEvent`]s) between instances.
pub const NOTIFICATION_CHANNEL: &str = "tandem_notifications";

/// A new notification in someone's inbox; the subscriber reads it by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationEvent {
    pub id: String,
    pub person_id: String,
}

/// What the bus carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Match(MatchEvent),
    Notification(NotificationEvent),
}

/// One match moved. Carries the two parties so a subscriber's filter needs
/// no database read; the rights are re-checked when the event is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchEvent {
    pub match_id: String,
    pub mentor_id: String,
    pub mentee_id: String,
    #[serde(with = "state_slug_opt")]
    pub previous: Option<MatchState>,
    #[serde(with = "state_slug")]
    pub state: MatchState,
}

impl MatchEvent {
    pub fn concerns(&self, person_id: &str) -> bool {
        self.mentor_id == person_id || self.mentee_id == person_id
    }
}

mod state_slug {
    use domain::mentorship::MatchState;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &MatchState, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.slug())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<MatchState, D::Error> {
        let raw = String::deserialize(de)?;
        MatchState::from_slug(&raw).ok_or_else(|| serde::de::Error::custom("unknown match state"))
    }
}

mod state_slug_opt {
    use domain::mentorship::MatchState;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Option<MatchState>, ser: S) -> Result<S::Ok, S::Error> {
        match s {
            Some(s) => ser.serialize_some(s.slug()),
            None => ser.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<MatchState>, D::Error> {
        Option::<String>::deserialize(de)?
            .map(|raw| {
                MatchState::from_slug(&raw)
                    .ok_or_else(|| serde::de::Error::custom("unknown match state"))
            })
            .transpose()
    }
}

/// The instance's fan-out of match events to its subscribers.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        // A subscriber that falls this far behind skips events rather than
        // holding memory; it reads the current state on its next query.
        let (sender, _) = broadcast::channel(1024);
        Self { sender }
    }
}

impl EventBus {
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// After a commit: on SQLite hands the events to this instance's
    /// subscribers; on PostgreSQL they travel through `pg_notify` (sent in
    /// the transaction) and come back through the listener, to every instance.
    pub fn after_commit(&self, db: &sea_orm::DatabaseConnection, events: Vec<Event>) {
        if db.get_database_backend() != sea_orm::DbBackend::Postgres {
            self.publish(events);
        }
    }

    /// Hands committed events to this instance's subscribers.
    pub fn publish(&self, events: impl IntoIterator<Item = Event>) {
        for event in events {
            // No subscriber is not an error.
            let _ = self.sender.send(event);
        }
    }
}

/// On PostgreSQL, listens on [`CHANNEL`] and feeds this instance's bus with
/// every instance's committed events until `stop` turns true. Elsewhere
/// nothing to do. Returns once listening, so no event committed after the
/// server starts is missed.
pub async fn listen(
    state: &crate::app::AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    if !state.config.database_url.starts_with("postgres") {
        return Ok(());
    }
    let mut listener =
        sea_orm::sqlx::postgres::PgListener::connect(&state.config.database_url).await?;
    listener
        .listen_all([CHANNEL, NOTIFICATION_CHANNEL, migration::ACCESS_CHANNEL])
        .await?;
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                received = listener.try_recv() => match received {
                    Ok(Some(notification)) if notification.channel() == migration::ACCESS_CHANNEL => {
                        state.forget_access();
                    }
                    Ok(Some(notification)) => match decode(notification.channel(), notification.payload()) {
                        Ok(events) => state.events.publish(events),
                        Err(e) => tracing::warn!(error = %e, "unreadable event"),
                    },
                    // The connection was lost and is made again on the next
                    // call; what was sent meanwhile is lost. Subscribers
                    // re-read on reconnect; a deactivation missed here must
                    // not leave its person trusted.
                    Ok(None) => {
                        tracing::warn!("event listener lost its connection; reconnecting");
                        state.forget_access();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener could not reconnect");
                        state.forget_access();
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                },
            }
        }
    });
    Ok(())
}

/// The events of one PostgreSQL notification.
fn decode(channel: &str, payload: &str) -> serde_json::Result<Vec<Event>> {
    if channel == NOTIFICATION_CHANNEL {
        let events: Vec<NotificationEvent> = serde_json::from_str(payload)?;
        Ok(events.into_iter().map(Event::Notification).collect())
    } else {
        Ok(vec![Event::Match(serde_json::from_str(payload)?)])
    }
}
