//! Notifications (design.md, "Notifications"; issue: "delivered exactly as
//! promised").
//!
//! A lifecycle change collects [`Notice`]s; [`Rows`] turns them into inbox
//! rows (one per recipient) and outbox rows (an email per recipient who has
//! an address and has not turned that kind off, a webhook per configured
//! URL), inserted in the change's own transaction with its audit rows
//! ([`write`] where there is nothing else to insert). A rolled-back change
//! therefore notifies nobody, and a committed one is never forgotten: the
//! delivery worker (`jobs::delivery`) sends what the outbox holds, at least
//! once, each with a stable id.
//!
//! What may leave: the mentee's goals and the score's reasons go only to
//! the mentor a proposal is addressed to; a decline's message only to the
//! mentee; webhooks (often a shared channel) carry names, the event and a
//! link, never goals, messages or reasons. Check-in notes are never read here.

pub mod email;
pub mod render;
mod smtp;
pub mod webhook;

use chrono::{DateTime, Utc};
use domain::mentorship::Side;
use domain::notification::Kind;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::NotifyConfig;
use crate::events::{NOTIFICATION_CHANNEL, NotificationEvent};
use crate::store::Inserts;
use crate::store::matches::{Match, Pair};
use crate::store::notifications::{self as store, Channel, Delivery, InboxItem};
use crate::store::people::new_id;

/// What a notification says beyond who and which match; each field goes
/// only where the rules above allow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goals: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// A decline reason's slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    /// The declining mentor's message to the mentee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_level: Option<i16>,
}

impl Detail {
    /// The copy for the recipient on `side`.
    fn for_side(&self, kind: Kind, side: Side) -> Self {
        let private_profile = kind.carries_mentee_profile() && side == Side::Mentor;
        Self {
            goals: self.goals.clone().filter(|_| private_profile),
            reasons: if private_profile {
                self.reasons.clone()
            } else {
                Vec::new()
            },
            message: self.message.clone().filter(|_| side == Side::Mentee),
            ..self.public()
        }
        .with_end_reason(self.end_reason.clone())
    }

    /// What a shared channel may carry.
    fn public(&self) -> Self {
        Self {
            expires_at: self.expires_at,
            decline_reason: self.decline_reason.clone(),
            new_level: self.new_level,
            ..Self::default()
        }
    }

    fn with_end_reason(mut self, reason: Option<String>) -> Self {
        self.end_reason = reason;
        self
    }
}

/// The facts of one notification: the pair, whose copy it is (none on a
/// webhook), where it links, and the detail allowed to it. A row stores its
/// [`Detail`] alone: the pair, the request and the link are its match's
/// (the row holds the match id), the side follows from its recipient
/// ([`Facts::of_match`]), and the names are read when it is shown or sent
/// ([`Facts::named`]). Every lifecycle change writes these rows, and each
/// byte less in the inbox (clustered by person, so every row lands on a
/// random page) makes that page's splits rarer (BENCHMARKS.md, "In paired
/// bursts", fourteenth session). Rows written before also hold the pair,
/// the side and the link, and are read as they were written.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    #[serde(default)]
    pub mentor_id: String,
    #[serde(default)]
    pub mentee_id: String,
    #[serde(skip)]
    pub mentor: String,
    #[serde(skip)]
    pub mentee: String,
    #[serde(default)]
    pub side: Option<String>,
    /// The match's request.
    #[serde(skip)]
    pub request_id: Option<String>,
    /// The match's page in the frontend, from its root ([`Facts::parse`]).
    #[serde(default)]
    pub path: String,
    #[serde(flatten)]
    pub detail: Detail,
}

impl Facts {
    pub fn side(&self) -> Option<Side> {
        match self.side.as_deref() {
            Some("mentor") => Some(Side::Mentor),
            Some("mentee") => Some(Side::Mentee),
            _ => None,
        }
    }

    /// The facts a row stored, linking to the page of its match.
    pub fn parse(payload: &str, match_id: Option<&str>) -> Result<Self, DbErr> {
        let mut facts: Self = serde_json::from_str(payload)
            .map_err(|e| crate::store::corrupt("notification payload", e))?;
        if let (true, Some(id)) = (facts.path.is_empty(), match_id) {
            facts.path = format!("/matches/{id}");
        }
        Ok(facts)
    }

    /// With its match's pair and request, and the side of `recipient` (the
    /// row's person; none for a webhook) in it. Without the match (never
    /// deleted, so only for a corrupt row) the stored pair, if any, stays.
    pub fn of_match(mut self, pair: Option<&Pair>, recipient: Option<&str>) -> Self {
        if let Some(pair) = pair {
            self.mentor_id.clone_from(&pair.mentor_id);
            self.mentee_id.clone_from(&pair.mentee_id);
            self.request_id = Some(pair.request_id.clone());
        }
        if self.side.is_none() {
            self.side = match recipient {
                Some(p) if p == self.mentor_id => Some(Side::Mentor.slug().to_owned()),
                Some(p) if p == self.mentee_id => Some(Side::Mentee.slug().to_owned()),
                _ => None,
            };
        }
        self
    }

    /// With the pair's names, as `name_of` knows them.
    pub fn named(mut self, name_of: impl Fn(&str) -> Option<String>) -> Self {
        let name = |id: &str| name_of(id).unwrap_or_else(|| "someone".to_owned());
        self.mentor = name(&self.mentor_id);
        self.mentee = name(&self.mentee_id);
        self
    }
}

/// The channels of one instance, built once from the configuration.
pub struct Notifier {
    mailer: Option<email::Mailer>,
    hooks: Option<webhook::Hooks>,
    templates: render::Templates,
    public_url: String,
}

impl Notifier {
    /// An error names the setting at fault, so start-up stops with it.
    pub fn new(config: &NotifyConfig) -> anyhow::Result<Self> {
        Ok(Self {
            mailer: email::Mailer::new(config)?,
            hooks: webhook::Hooks::new(config)?,
            templates: render::Templates::new(),
            public_url: config.public_url.clone(),
        })
    }

    /// Closes what the channels hold open and no longer need.
    pub fn close_idle(&self) {
        if let Some(mailer) = &self.mailer {
            mailer.close_idle();
        }
    }

    /// Renders and sends one delivery with its facts (names filled) and, for
    /// an email, the recipient's address; the error is safe to store and
    /// show the OSPO (no body, no secret).
    pub async fn send(
        &self,
        delivery: &Delivery,
        facts: &Facts,
        address: Option<&str>,
    ) -> Result<(), String> {
        let link = format!("{}{}", self.public_url, facts.path);
        match delivery.channel {
            Channel::Email => {
                let mailer = self
                    .mailer
                    .as_ref()
                    .ok_or("email is no longer configured (TANDEM_SMTP_URL)")?;
                let address = address.ok_or("the recipient has no email address")?;
                let message = render::message(delivery.kind, facts);
                let name = match facts.side() {
                    Some(Side::Mentor) => &facts.mentor,
                    _ => &facts.mentee,
                };
                let email = self.templates.email(&message, name, &link)?;
                mailer.send(&delivery.id, name, address, email).await
            }
            Channel::Webhook => {
                let hooks = self
                    .hooks
                    .as_ref()
                    .ok_or("webhooks are no longer configured (TANDEM_WEBHOOK_URL)")?;
                let text = render::webhook_text(delivery.kind, facts);
                let bytes = hooks.encode(&webhook::Body {
                    id: &delivery.id,
                    event: delivery.kind.slug(),
                    match_id: delivery.match_id.as_deref(),
                    request_id: facts
                        .request_id
                        .as_deref()
                        .or(delivery.request_id.as_deref()),
                    text: &text,
                    link: &link,
                    occurred_at: delivery.created_at,
                });
                hooks.send(&delivery.target, &delivery.id, bytes).await
            }
        }
    }
}

/// Something that happened to a match, to tell its pair about.
#[derive(Clone, Debug)]
pub struct Notice {
    pub kind: Kind,
    pub match_id: String,
    pub mentor_id: String,
    pub mentee_id: String,
    pub detail: Detail,
}

impl Notice {
    pub fn about(kind: Kind, m: &Match, detail: Detail) -> Self {
        Self {
            kind,
            match_id: m.id.clone(),
            mentor_id: m.mentor_id.clone(),
            mentee_id: m.mentee_id.clone(),
            detail,
        }
    }
}

/// The score's strongest reasons, from a frozen breakdown (largest
/// contribution first, those that added nothing left out).
pub fn top_reasons(breakdown: &str, n: usize) -> Vec<String> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(breakdown) else {
        return Vec::new();
    };
    let mut parts: Vec<(f64, String)> = json["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let contribution = c["contribution"].as_f64()?;
            let text = c["explanation"].as_str()?;
            (contribution > 0.0 && !text.is_empty()).then(|| (contribution, text.to_owned()))
        })
        .collect();
    parts.sort_by(|a, b| b.0.total_cmp(&a.0));
    parts.into_iter().take(n).map(|(_, text)| text).collect()
}

/// What [`write`] wrote, for after the commit.
#[derive(Debug, Default)]
pub struct Written {
    /// Inbox rows, to push to their recipients' subscriptions.
    pub inbox: Vec<NotificationEvent>,
    /// Outbox rows: the delivery worker is woken when any were written.
    pub deliveries: usize,
    /// With email off, what would have been mailed (recipient id, kind),
    /// for the log.
    pub unmailed: Vec<(String, Kind)>,
}

/// Writes the notices' inbox and outbox rows in the caller's transaction:
/// inserts only, no reads. Recipients in `silenced` (someone leaving in
/// this transaction) are skipped. An email row is queued for each recipient while
/// email is on; the worker reads the address and the person's preferences
/// when it sends, and drops the email if there is no address or that kind
/// is turned off.
pub async fn write(
    db: &impl ConnectionTrait,
    config: &NotifyConfig,
    now: DateTime<Utc>,
    notices: &[Notice],
    silenced: &[String],
) -> Result<Written, DbErr> {
    let rows = Rows::compose(config, now, notices, silenced)?;
    let mut inserts = Inserts::new(db.get_database_backend());
    let written = rows.add_to(&mut inserts);
    inserts.run(db).await?;
    announce(db, &written.inbox).await?;
    Ok(written)
}

/// The inbox and outbox rows of a transaction's notices, before they are
/// inserted (with the transaction's other appends, see [`Inserts`]).
#[derive(Debug, Default)]
pub struct Rows {
    inbox: Vec<InboxItem>,
    deliveries: Vec<Delivery>,
    unmailed: Vec<(String, Kind)>,
}

impl Rows {
    /// The rows [`write`] inserts, by the same rules.
    pub fn compose(
        config: &NotifyConfig,
        now: DateTime<Utc>,
        notices: &[Notice],
        silenced: &[String],
    ) -> Result<Self, DbErr> {
        let mut rows = Self::default();
        for notice in notices {
            rows.add_notice(config, now, notice, silenced)?;
        }
        Ok(rows)
    }

    fn add_notice(
        &mut self,
        config: &NotifyConfig,
        now: DateTime<Utc>,
        notice: &Notice,
        silenced: &[String],
    ) -> Result<(), DbErr> {
        for side in notice.kind.recipients() {
            let person_id = match side {
                Side::Mentor => &notice.mentor_id,
                Side::Mentee => &notice.mentee_id,
            };
            if silenced.contains(person_id) {
                continue;
            }
            let payload = to_json(&notice.detail.for_side(notice.kind, *side))?;
            self.inbox.push(InboxItem {
                id: new_id(),
                person_id: person_id.clone(),
                kind: notice.kind,
                match_id: Some(notice.match_id.clone()),
                request_id: None,
                payload: payload.clone(),
                created_at: now,
                read_at: None,
            });
            if config.email_on() {
                self.deliveries.push(Delivery {
                    id: new_id(),
                    channel: Channel::Email,
                    // The address is read when the email is sent.
                    target: person_id.clone(),
                    person_id: Some(person_id.clone()),
                    kind: notice.kind,
                    match_id: Some(notice.match_id.clone()),
                    request_id: None,
                    payload,
                    attempts: 0,
                    created_at: now,
                    seq: None,
                });
            } else {
                self.unmailed.push((person_id.clone(), notice.kind));
            }
        }
        if !config.webhook_urls.is_empty() {
            let payload = to_json(&notice.detail.public())?;
            for url in &config.webhook_urls {
                self.deliveries.push(Delivery {
                    id: new_id(),
                    channel: Channel::Webhook,
                    target: url.expose_secret().to_owned(),
                    person_id: None,
                    kind: notice.kind,
                    match_id: Some(notice.match_id.clone()),
                    request_id: None,
                    payload: payload.clone(),
                    attempts: 0,
                    created_at: now,
                    seq: None,
                });
            }
        }
        Ok(())
    }

    /// Adds the rows to `inserts`; what was written, for after the commit.
    pub(crate) fn add_to(self, inserts: &mut Inserts) -> Written {
        let written = Written {
            inbox: self
                .inbox
                .iter()
                .map(|i| NotificationEvent {
                    id: i.id.clone(),
                    person_id: i.person_id.clone(),
                })
                .collect(),
            deliveries: self.deliveries.len(),
            unmailed: self.unmailed,
        };
        store::add_inbox(inserts, self.inbox);
        store::add_deliveries(inserts, self.deliveries);
        written
    }
}

/// A row's payload: what [`Facts`] stores, its detail.
fn to_json(detail: &Detail) -> Result<String, DbErr> {
    serde_json::to_string(detail).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Events per `pg_notify`: PostgreSQL caps a payload at 8,000 bytes and an
/// event takes about 90.
const EVENTS_PER_NOTIFY: usize = 60;

/// On PostgreSQL, sends the new inbox rows to every instance's listener
/// (delivered on commit only); elsewhere the caller publishes after commit.
pub async fn announce(
    db: &impl ConnectionTrait,
    events: &[NotificationEvent],
) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for chunk in events.chunks(EVENTS_PER_NOTIFY) {
        let payload = serde_json::to_string(chunk).map_err(|e| DbErr::Custom(e.to_string()))?;
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [NOTIFICATION_CHANNEL.into(), payload.into()],
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> Detail {
        Detail {
            goals: Some("learn to maintain a crate".into()),
            reasons: vec!["shares Rust".into()],
            expires_at: None,
            decline_reason: Some("no-time-now".into()),
            message: Some("sorry, try Ana".into()),
            end_reason: Some("changed teams".into()),
            new_level: Some(3),
        }
    }

    #[test]
    fn goals_and_reasons_reach_only_the_proposed_mentor() {
        let to_mentor = detail().for_side(Kind::ProposalCreated, Side::Mentor);
        assert!(to_mentor.goals.is_some() && !to_mentor.reasons.is_empty());
        let to_mentee = detail().for_side(Kind::ProposalExpired, Side::Mentee);
        assert_eq!(to_mentee.goals, None);
        assert!(to_mentee.reasons.is_empty());
        let after = detail().for_side(Kind::MatchAccepted, Side::Mentor);
        assert_eq!(after.goals, None);
    }

    #[test]
    fn a_decline_message_reaches_only_the_mentee() {
        assert!(
            detail()
                .for_side(Kind::ProposalDeclined, Side::Mentee)
                .message
                .is_some()
        );
        assert_eq!(
            detail()
                .for_side(Kind::ProposalExpired, Side::Mentor)
                .message,
            None
        );
    }

    #[test]
    fn a_shared_channel_gets_no_private_detail() {
        let public = detail().public();
        assert_eq!(public.goals, None);
        assert!(public.reasons.is_empty());
        assert_eq!(public.message, None);
        assert_eq!(public.end_reason, None);
        assert_eq!(public.new_level, Some(3));
    }

    fn pair() -> Pair {
        Pair {
            request_id: "r1".into(),
            mentor_id: "p1".into(),
            mentee_id: "p2".into(),
        }
    }

    /// A row stores the detail only: the pair, the request, the side and
    /// the link come from its match and its recipient, the names from the
    /// people as they are when it is read.
    #[test]
    fn only_the_detail_is_stored() {
        let detail = detail().for_side(Kind::ProposalDeclined, Side::Mentee);
        let stored = to_json(&detail).unwrap();
        for absent in ["p1", "p2", "r1", "mentee", "side", "path", "/matches"] {
            assert!(!stored.contains(absent), "{absent} in {stored}");
        }
        let read = Facts::parse(&stored, Some("m1"))
            .unwrap()
            .of_match(Some(&pair()), Some("p2"))
            .named(|id| (id == "p1").then(|| "Ana".to_owned()));
        assert_eq!(
            (read.mentor.as_str(), read.mentee.as_str()),
            ("Ana", "someone")
        );
        assert_eq!(read.side(), Some(Side::Mentee));
        assert_eq!(read.request_id.as_deref(), Some("r1"));
        assert_eq!(read.path, "/matches/m1");
        assert_eq!(read.detail, detail);
        let to_mentor = Facts::parse(&stored, Some("m1"))
            .unwrap()
            .of_match(Some(&pair()), Some("p1"));
        assert_eq!(to_mentor.side(), Some(Side::Mentor));
        let webhook = Facts::parse("{}", Some("m1"))
            .unwrap()
            .of_match(Some(&pair()), None);
        assert_eq!(webhook.side(), None);
    }

    /// Rows written before stored the pair, the side and the link: they
    /// read as they were written.
    #[test]
    fn older_rows_keep_what_they_stored() {
        let older = r#"{"mentorId":"p1","menteeId":"p2","side":"mentor","path":"/matches/old"}"#;
        let read = Facts::parse(older, Some("m1"))
            .unwrap()
            .of_match(None, Some("p2"));
        assert_eq!(
            (read.mentor_id.as_str(), read.mentee_id.as_str()),
            ("p1", "p2")
        );
        assert_eq!(read.side(), Some(Side::Mentor));
        assert_eq!(read.path, "/matches/old");
        let with_match = Facts::parse(older, Some("m1"))
            .unwrap()
            .of_match(Some(&pair()), Some("p2"));
        assert_eq!(with_match.side(), Some(Side::Mentor));
        assert_eq!(with_match.request_id.as_deref(), Some("r1"));
    }

    #[test]
    fn top_reasons_are_the_largest_contributions() {
        let breakdown = r#"{"components":[
            {"criterion":"skills","contribution":0.2,"explanation":"shares Rust"},
            {"criterion":"projects","contribution":0.0,"explanation":"no project in common"},
            {"criterion":"maturity","contribution":0.4,"explanation":"two levels ahead"}]}"#;
        assert_eq!(
            top_reasons(breakdown, 3),
            vec!["two levels ahead".to_owned(), "shares Rust".to_owned()]
        );
        assert!(top_reasons("not json", 3).is_empty());
    }
}
