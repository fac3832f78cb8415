//! On SQLite, the outbox as a rowid table in the order its rows were
//! written (`seq`), with no index a lifecycle change writes to.
//!
//! Every lifecycle change appends deliveries. Keyed by `(state, due_at,
//! id)` (m0013), the outbox was an index B-tree, and SQLite rebalances an
//! index B-tree's last page with its two neighbours each time it fills:
//! with two rows of about 400 bytes a commit, three of the outbox's pages
//! went into every commit's write-ahead log on average. A rowid table
//! appended at its end gets a fresh page when the last one fills and
//! nothing else moves (SQLite's `balance_quick`): 1.4 pages a commit.
//! Any index kept in step with the pending rows would be an index B-tree
//! again, so there is none; the worker reads pending rows from the lowest
//! `seq` still pending, which it remembers (`store::notifications::Queue`).
//! `AUTOINCREMENT` keeps a `seq` from ever being given out twice, so rows
//! written after the worker looked are always above what it remembers
//! (its counter shares `sqlite_sequence`'s page with the audit trail's,
//! which every lifecycle change writes anyway).
//!
//! Dead rows keep their partial index: a row enters it only when it dies.
//! PostgreSQL's heap table keeps its key and indexes.

const REBUILD: &[&str] = &[
    "CREATE TABLE notification_delivery_rebuilt (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
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
    )",
    "INSERT INTO notification_delivery_rebuilt (id, channel, target, person_id, kind, match_id,
        request_id, payload, state, attempts, due_at, lease_until, last_error, created_at,
        last_attempt_at, sent_at)
        SELECT id, channel, target, person_id, kind, match_id, request_id, payload, state,
            attempts, due_at, lease_until, last_error, created_at, last_attempt_at, sent_at
        FROM notification_delivery ORDER BY created_at, id",
    "DROP TABLE notification_delivery",
    "ALTER TABLE notification_delivery_rebuilt RENAME TO notification_delivery",
    "CREATE INDEX notification_delivery_dead ON notification_delivery (id) WHERE state = 'dead'",
];

fn extra(backend: sea_orm::DbBackend) -> Vec<String> {
    match backend {
        sea_orm::DbBackend::Sqlite => REBUILD.iter().map(|s| (*s).to_owned()).collect(),
        _ => Vec::new(),
    }
}

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0015_outbox_in_write_order",
    up: "",
    down: "",
    extra,
};
