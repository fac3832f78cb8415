//! On SQLite, the inbox and the outbox as fewer B-trees: every lifecycle
//! change writes their rows, and each B-tree a row goes into is a page more
//! for its commit to write and checkpoint (BENCHMARKS.md, "In paired
//! bursts").
//!
//! The inbox is clustered on `(person_id, id)` (`WITHOUT ROWID`): the table
//! is its own per-person index, so the rowid table, the key's index and
//! `notification_inbox` go; every read names the person. The outbox keeps
//! its key as the table (`WITHOUT ROWID`). PostgreSQL's heap tables have no
//! rowid to save and stay as they are.

const REBUILD: &[&str] = &[
    "CREATE TABLE notification_rebuilt (
        id TEXT NOT NULL,
        person_id TEXT NOT NULL REFERENCES person (id),
        kind TEXT NOT NULL,
        match_id TEXT REFERENCES mentorship_match (id),
        request_id TEXT REFERENCES mentorship_request (id),
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        read_at TEXT,
        PRIMARY KEY (person_id, id)
    ) WITHOUT ROWID",
    "INSERT INTO notification_rebuilt (id, person_id, kind, match_id, request_id, payload, created_at, read_at)
        SELECT id, person_id, kind, match_id, request_id, payload, created_at, read_at FROM notification",
    "DROP TABLE notification",
    "ALTER TABLE notification_rebuilt RENAME TO notification",
    "CREATE INDEX notification_unread ON notification (person_id) WHERE read_at IS NULL",
    "CREATE TABLE notification_delivery_rebuilt (
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
        due_at TEXT NOT NULL,
        lease_until TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        last_attempt_at TEXT,
        sent_at TEXT
    ) WITHOUT ROWID",
    "INSERT INTO notification_delivery_rebuilt SELECT id, channel, target, person_id, kind, match_id,
        request_id, payload, state, attempts, due_at, lease_until, last_error, created_at,
        last_attempt_at, sent_at FROM notification_delivery",
    "DROP TABLE notification_delivery",
    "ALTER TABLE notification_delivery_rebuilt RENAME TO notification_delivery",
    "CREATE INDEX notification_delivery_due ON notification_delivery (due_at) WHERE state = 'pending'",
    "CREATE INDEX notification_delivery_dead ON notification_delivery (id) WHERE state = 'dead'",
];

fn extra(backend: sea_orm::DbBackend) -> Vec<String> {
    match backend {
        sea_orm::DbBackend::Sqlite => REBUILD.iter().map(|s| (*s).to_owned()).collect(),
        _ => Vec::new(),
    }
}

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0012_notification_btrees",
    up: "",
    down: "",
    extra,
};
