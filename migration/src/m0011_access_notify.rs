//! Access trusted from memory (`TANDEM_ACCESS_CACHE`) must end on every
//! instance when someone leaves. On PostgreSQL a trigger announces each
//! deactivation on [`CHANNEL`] whatever wrote it (the service, the HR
//! import, `tandem people deactivate` from another process); every
//! instance's listener then forgets who it saw active. The payload is
//! constant, so PostgreSQL folds the notifications of one transaction into
//! one. SQLite has no notifications: another process on the same file is
//! bounded by the cache's lifetime instead.

use sea_orm::DbBackend;

/// The channel deactivations are announced on (`api/src/events.rs` listens).
pub const CHANNEL: &str = "tandem_access";

/// Nothing shared by both backends.
const UP: &str = "";

/// On PostgreSQL, by hand: `DROP TRIGGER person_left ON person; DROP
/// FUNCTION tandem_person_left()`.
const DOWN: &str = "";

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0011_access_notify",
    up: UP,
    down: DOWN,
    extra,
};

fn extra(backend: DbBackend) -> Vec<String> {
    if backend != DbBackend::Postgres {
        return Vec::new();
    }
    vec![
        format!(
            "CREATE FUNCTION tandem_person_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$"
        ),
        "CREATE TRIGGER person_left AFTER UPDATE OF deactivated_at ON person FOR EACH ROW
    WHEN (OLD.deactivated_at IS NULL AND NEW.deactivated_at IS NOT NULL)
    EXECUTE FUNCTION tandem_person_left()"
            .to_owned(),
    ]
}
