//! Notifications: the in-app inbox, the outbox its email and webhook
//! deliveries are sent from, people's email preferences, and how many
//! reminders an unanswered proposal has had and when the next falls due.
//!
//! A delivery row is written in the same transaction as the change it
//! reports and leaves the table's pending set only when sent or dead; a
//! worker claims it with a lease (`lease_until`), so a worker that dies
//! mid-send leaves it to be claimed again once the lease has passed.

const UP: &str = r#"
CREATE TABLE notification (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person (id),
    kind TEXT NOT NULL,
    match_id TEXT REFERENCES mentorship_match (id),
    request_id TEXT REFERENCES mentorship_request (id),
    payload TEXT NOT NULL,
    created_at {TS} NOT NULL,
    read_at {TS}
);
CREATE INDEX notification_inbox ON notification (person_id, id);
CREATE INDEX notification_unread ON notification (person_id) WHERE read_at IS NULL;

CREATE TABLE notification_delivery (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target TEXT NOT NULL,
    person_id TEXT REFERENCES person (id),
    kind TEXT NOT NULL,
    match_id TEXT,
    request_id TEXT,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    due_at {TS} NOT NULL,
    lease_until {TS},
    last_error TEXT,
    created_at {TS} NOT NULL,
    last_attempt_at {TS},
    sent_at {TS}
);
CREATE INDEX notification_delivery_due ON notification_delivery (due_at) WHERE state = 'pending';
CREATE INDEX notification_delivery_dead ON notification_delivery (id) WHERE state = 'dead';

CREATE TABLE notification_preference (
    person_id TEXT NOT NULL REFERENCES person (id),
    kind TEXT NOT NULL,
    email BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, kind)
);

ALTER TABLE mentorship_match ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mentorship_match ADD COLUMN next_reminder_at {TS};
CREATE INDEX mentorship_match_reminder ON mentorship_match (next_reminder_at) WHERE state = 'proposed'
"#;

const DOWN: &str = r#"
DROP INDEX mentorship_match_reminder;
ALTER TABLE mentorship_match DROP COLUMN next_reminder_at;
ALTER TABLE mentorship_match DROP COLUMN reminders_sent;
DROP TABLE notification_preference;
DROP TABLE notification_delivery;
DROP TABLE notification
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0008_notifications",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};
