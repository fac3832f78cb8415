//! A revision number for what mentor scoring reads. Every write that changes
//! a mentor's scoring features (profile, level, time zone, languages, manager,
//! live count) bumps it in the same transaction, so each instance can tell
//! with one primary-key read whether its compiled mentor pool is stale.

const UP: &str = r#"
CREATE TABLE scoring_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO scoring_revision (id, revision) VALUES (1, 0)
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0003_scoring_revision",
    up: UP,
    down: "DROP TABLE scoring_revision",
    extra: crate::no_extra,
};
