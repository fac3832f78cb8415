//! Notifications through the API: the caller's inbox (`myNotifications`,
//! `markNotificationsRead`, the unread count and email preferences on
//! `me`), and the OSPO's list of deliveries that gave up
//! (`deadDeliveries`, `retryDeadDeliveries`). The subscription lives with
//! the others in `subscriptions`.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::notification::Preference;

use super::loaders::loaded;
use super::matches::Match;
use super::pagination::{Cursor, Page};
use super::people::Person;
use super::{loaders, state, viewer};
use crate::notify::{Facts, render};
use crate::service::notifications as svc;
use crate::service::{OspoTask, matches as match_svc};
use crate::store::notifications::{Channel, DeadDelivery as DeadRow, InboxItem};

type Result<T> = async_graphql::Result<T>;

/// What a notification is about (a webhook's `event`, in capitals).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "NotificationKind", remote = "domain::notification::Kind")]
pub enum NotificationKind {
    ProposalCreated,
    ProposalReminder,
    MatchAccepted,
    ProposalDeclined,
    ProposalExpired,
    ProposalCancelled,
    RequestReproposed,
    RequestWithdrawn,
    MatchCompleted,
    MatchEndedEarly,
    MilestoneLevelUp,
}

/// One notification in the caller's inbox.
pub struct Notification {
    item: InboxItem,
    facts: Facts,
}

impl Notification {
    pub fn new(item: InboxItem) -> Result<Self> {
        let facts = Facts::parse(&item.payload, item.match_id.as_deref())
            .map_err(crate::error::ApiError::from)?;
        Ok(Self { item, facts })
    }

    /// The facts, with the pair and the request of the match they are
    /// about. The recipient learns who that is even where they may no
    /// longer read the match itself (`match` then answers null).
    async fn of_match(&self, ctx: &Context<'_>) -> Result<Facts> {
        let pair = match &self.item.match_id {
            Some(id) => loaded(loaders(ctx).pairs().load_one(id.clone()).await)?,
            None => None,
        };
        Ok(self
            .facts
            .clone()
            .of_match(pair.as_ref(), Some(&self.item.person_id)))
    }

    /// The message, with the pair's names as they are now.
    async fn message(&self, ctx: &Context<'_>) -> Result<render::Message> {
        let facts = self.of_match(ctx).await?;
        let ids = [facts.mentor_id.clone(), facts.mentee_id.clone()];
        let people = loaded(loaders(ctx).people().load_many(ids).await)?;
        let facts = facts.named(|id| people.get(id).map(|p| p.display_name.clone()));
        Ok(render::message(self.item.kind, &facts))
    }
}

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        ID(self.item.id.clone())
    }
    async fn kind(&self) -> NotificationKind {
        self.item.kind.into()
    }
    /// The event's name as webhooks send it (`proposal.created`).
    async fn event(&self) -> &str {
        self.item.kind.slug()
    }
    /// One line, as an email's subject.
    async fn title(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.message(ctx).await?.subject)
    }
    /// The message in plain text, paragraphs separated by a blank line.
    async fn text(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(self.message(ctx).await?.paragraphs.join("\n\n"))
    }
    /// The page of the match in the frontend.
    async fn link(&self, ctx: &Context<'_>) -> String {
        format!("{}{}", state(ctx).config.notify.public_url, self.facts.path)
    }
    /// The match it is about, while the caller may read it.
    #[graphql(name = "match")]
    async fn match_(&self, ctx: &Context<'_>) -> Result<Option<Match>> {
        let Some(id) = &self.item.match_id else {
            return Ok(None);
        };
        let viewer = viewer(ctx)?;
        let found = loaded(loaders(ctx).matches().load_one(id.clone()).await)?;
        Ok(found.filter(|m| match_svc::may_read(viewer, m)).map(Match))
    }
    async fn request_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        let facts = self.of_match(ctx).await?;
        Ok(facts
            .request_id
            .or_else(|| self.item.request_id.clone())
            .map(ID))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.item.created_at
    }
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.item.read_at
    }
    async fn read(&self) -> bool {
        self.item.read_at.is_some()
    }
}

/// Whether a kind of notification is also emailed (the inbox always has it).
#[derive(SimpleObject)]
pub struct NotificationPreference {
    pub kind: NotificationKind,
    pub email: bool,
}

impl From<Preference> for NotificationPreference {
    fn from(p: Preference) -> Self {
        Self {
            kind: p.kind.into(),
            email: p.email,
        }
    }
}

#[derive(InputObject)]
pub struct NotificationPreferenceInput {
    pub kind: NotificationKind,
    pub email: bool,
}

/// How a delivery was to leave.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryChannel {
    Email,
    Webhook,
}

/// A delivery that gave up after its last attempt. Never its body.
pub struct DeadDelivery(DeadRow);

#[Object]
impl DeadDelivery {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn channel(&self) -> DeliveryChannel {
        match self.0.channel {
            Channel::Email => DeliveryChannel::Email,
            Channel::Webhook => DeliveryChannel::Webhook,
        }
    }
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }
    /// A webhook's scheme and host (never its path, which may be a token);
    /// null for an email (see `recipient`).
    async fn target(&self) -> Option<String> {
        svc::shown_target(&self.0)
    }
    /// The person an email was for.
    async fn recipient(&self, ctx: &Context<'_>) -> Result<Option<Person>> {
        let Some(id) = &self.0.person_id else {
            return Ok(None);
        };
        Ok(loaded(loaders(ctx).people().load_one(id.clone()).await)?.map(Person))
    }
    async fn match_id(&self) -> Option<ID> {
        self.0.match_id.clone().map(ID)
    }
    async fn attempts(&self) -> i32 {
        i32::try_from(self.0.attempts).unwrap_or(i32::MAX)
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The caller's notifications, newest first.
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        unread_only: Option<bool>,
    ) -> Result<Connection<Cursor, Notification>> {
        let viewer = viewer(ctx)?;
        let page = Page::parse(ctx, first, after)?;
        let rows = svc::mine(
            &state(ctx).db,
            viewer,
            unread_only.unwrap_or(false),
            page.after.as_deref(),
            page.limit(),
        )
        .await?;
        let nodes = rows
            .into_iter()
            .map(Notification::new)
            .collect::<Result<Vec<_>>>()?;
        Ok(page.connection(nodes, |n| n.item.id.clone(), |n| n))
    }

    /// Deliveries that gave up after their last attempt, newest first, with
    /// their last error (OSPO only).
    async fn dead_deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Cursor, DeadDelivery>> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let page = Page::parse(ctx, first, after)?;
        let rows = svc::dead(&state(ctx).db, ospo, page.after.as_deref(), page.limit()).await?;
        Ok(page.connection(rows, |d| d.id.clone(), DeadDelivery))
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks the caller's notifications read; returns how many were unread.
    /// Ids that are not the caller's change nothing.
    async fn mark_notifications_read(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<i32> {
        let ids: Vec<String> = ids.into_iter().map(|id| id.0).collect();
        let marked = svc::mark_read(state(ctx), viewer(ctx)?, &ids).await?;
        Ok(i32::try_from(marked).unwrap_or(i32::MAX))
    }

    /// Turns email on or off per kind for the caller; kinds not given keep
    /// their choice. Returns every kind's choice.
    async fn set_notification_preferences(
        &self,
        ctx: &Context<'_>,
        input: Vec<NotificationPreferenceInput>,
    ) -> Result<Vec<NotificationPreference>> {
        let choices: Vec<Preference> = input
            .into_iter()
            .map(|p| Preference {
                kind: p.kind.into(),
                email: p.email,
            })
            .collect();
        let all = svc::set_preferences(state(ctx), viewer(ctx)?, &choices).await?;
        Ok(all.into_iter().map(Into::into).collect())
    }

    /// Puts every dead delivery back in the queue (OSPO only); returns how many.
    async fn retry_dead_deliveries(&self, ctx: &Context<'_>) -> Result<i32> {
        let ospo = viewer(ctx)?.as_ospo()?;
        let retried = svc::retry_dead(state(ctx), OspoTask::Admin(ospo)).await?;
        Ok(i32::try_from(retried).unwrap_or(i32::MAX))
    }
}

/// `Person.unreadNotifications` and `Person.notificationPreferences`: the
/// person themself only.
pub(crate) async fn unread_of(ctx: &Context<'_>, person_id: &str) -> Result<Option<i32>> {
    let viewer = viewer(ctx)?;
    if !viewer.is(person_id) {
        return Ok(None);
    }
    let count = svc::unread(&state(ctx).db, viewer).await?;
    Ok(Some(i32::try_from(count).unwrap_or(i32::MAX)))
}

pub(crate) async fn preferences_of(
    ctx: &Context<'_>,
    person_id: &str,
) -> Result<Option<Vec<NotificationPreference>>> {
    let viewer = viewer(ctx)?;
    if !viewer.is(person_id) {
        return Ok(None);
    }
    let all = svc::preferences(&state(ctx).db, viewer).await?;
    Ok(Some(all.into_iter().map(Into::into).collect()))
}
