//! `Subscription.myMatchEvents` (the caller's proposals and match changes)
//! and `Subscription.myNotifications` (each new notification in the
//! caller's inbox), live, whichever instance made the change. Each event is
//! re-checked against the subscriber's rights when it arrives (the match or
//! the notification is read again).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{Context, Subscription as SubscriptionObject};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::matches::{Match, MatchState};
use super::notifications::Notification;
use super::{state, viewer};
use crate::error::ApiError;
use crate::events::Event;
use crate::service::matches as svc;
use crate::service::notifications as notify_svc;

/// At most this many subscriptions run on one socket.
pub const MAX_PER_SOCKET: usize = 10;

/// Subscriptions open on one socket; set by the WebSocket handler.
#[derive(Clone, Default)]
pub struct SocketSubscriptions(pub Arc<AtomicUsize>);

/// Gives the socket's slot back when the subscription's stream is dropped.
struct Slot(Option<SocketSubscriptions>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(open) = &self.0 {
            open.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[derive(async_graphql::SimpleObject)]
pub struct MatchEvent {
    #[graphql(name = "match")]
    pub match_: Match,
    /// Null for a new proposal.
    pub previous_state: Option<MatchState>,
    pub state: MatchState,
}

#[derive(Default)]
pub struct Subscription;

/// Whether the subscriber may still hear anything: a person deactivated
/// after their socket was opened is sent nothing more.
async fn still_here(app: &crate::app::AppState, viewer: &crate::service::Viewer) -> bool {
    matches!(
        crate::store::people::is_active(&app.db, &viewer.person_id).await,
        Ok(true)
    )
}

/// Refuses to start a subscription for someone who left since the socket
/// was opened.
async fn refuse_departed(
    app: &crate::app::AppState,
    viewer: &crate::service::Viewer,
) -> async_graphql::Result<()> {
    if still_here(app, viewer).await {
        Ok(())
    } else {
        Err(ApiError::Unauthenticated.into())
    }
}

/// Counts a subscription against its socket's limit.
fn take_slot(ctx: &Context<'_>) -> async_graphql::Result<Slot> {
    Ok(match ctx.data_opt::<SocketSubscriptions>() {
        Some(open) => {
            if open.0.fetch_add(1, Ordering::SeqCst) >= MAX_PER_SOCKET {
                open.0.fetch_sub(1, Ordering::SeqCst);
                return Err(ApiError::BadUserInput(format!(
                    "at most {MAX_PER_SOCKET} subscriptions per connection"
                ))
                .into());
            }
            Slot(Some(open.clone()))
        }
        None => Slot(None),
    })
}

#[SubscriptionObject]
impl Subscription {
    /// Proposals to me, and changes to my requests and matches.
    async fn my_match_events(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = MatchEvent> + use<>> {
        let viewer = viewer(ctx)?.clone();
        let app = state(ctx).clone();
        refuse_departed(&app, &viewer).await?;
        let slot = take_slot(ctx)?;
        let receiver = app.events.subscribe();
        Ok(futures_util::stream::unfold(
            (receiver, app, viewer, slot),
            |(mut receiver, app, viewer, slot)| async move {
                loop {
                    let event = match receiver.recv().await {
                        Ok(Event::Match(event)) => event,
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    };
                    if !event.concerns(&viewer.person_id) {
                        continue;
                    }
                    if !still_here(&app, &viewer).await {
                        return None;
                    }
                    // Rights are checked again now, on the match as it is.
                    let Ok(Some(found)) = svc::find(&app.db, &viewer, &event.match_id).await else {
                        continue;
                    };
                    let out = MatchEvent {
                        match_: Match(found),
                        previous_state: event.previous.map(Into::into),
                        state: event.state.into(),
                    };
                    return Some((out, (receiver, app, viewer, slot)));
                }
            },
        ))
    }

    /// Each new notification in my inbox, as it arrives.
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Notification> + use<>> {
        let viewer = viewer(ctx)?.clone();
        let app = state(ctx).clone();
        refuse_departed(&app, &viewer).await?;
        let slot = take_slot(ctx)?;
        let receiver = app.events.subscribe();
        Ok(futures_util::stream::unfold(
            (receiver, app, viewer, slot),
            |(mut receiver, app, viewer, slot)| async move {
                loop {
                    let event = match receiver.recv().await {
                        Ok(Event::Notification(event)) => event,
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    };
                    if event.person_id != viewer.person_id {
                        continue;
                    }
                    if !still_here(&app, &viewer).await {
                        return None;
                    }
                    let Ok(Some(found)) = notify_svc::find(&app.db, &viewer, &event.id).await
                    else {
                        continue;
                    };
                    let Ok(out) = Notification::new(found) else {
                        continue;
                    };
                    return Some((out, (receiver, app, viewer, slot)));
                }
            },
        ))
    }
}
