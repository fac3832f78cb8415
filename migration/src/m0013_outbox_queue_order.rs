//! On SQLite, the outbox kept in the order its worker reads it: keyed by
//! `(state, due_at, id)` instead of by `id` with a partial index on
//! `due_at`. Every lifecycle change appends its deliveries, and that index
//! was a B-tree more for each commit to write and checkpoint: dropping it
//! on a copy took a tenth of `acceptProposal`'s CPU with the rows
//! (BENCHMARKS.md, "In paired bursts"). The pending rows are now one range
//! of the table, due first; a row changes place when it is sent, retried or
//! dies, which only the worker does. Updates of a row name its whole key.
//!
//! The dead rows are one range too, small enough to sort when the OSPO
//! lists them, so their partial index goes as well. PostgreSQL's heap
//! table keeps its key and indexes.

const REBUILD: &[&str] = &[
    "CREATE TABLE notification_delivery_rebuilt (
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
        sent_at TEXT,
        PRIMARY KEY (state, due_at, id)
    ) WITHOUT ROWID",
    "INSERT INTO notification_delivery_rebuilt SELECT id, channel, target, person_id, kind, match_id,
        request_id, payload, state, attempts, due_at, lease_until, last_error, created_at,
        last_attempt_at, sent_at FROM notification_delivery",
    "DROP TABLE notification_delivery",
    "ALTER TABLE notification_delivery_rebuilt RENAME TO notification_delivery",
];

fn extra(backend: sea_orm::DbBackend) -> Vec<String> {
    match backend {
        sea_orm::DbBackend::Sqlite => REBUILD.iter().map(|s| (*s).to_owned()).collect(),
        _ => Vec::new(),
    }
}

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0013_outbox_queue_order",
    up: "",
    down: "",
    extra,
};
