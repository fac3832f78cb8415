//! People leave (issue "People leave"): a person can be deactivated (they
//! keep their history, lose access, and are never proposed again) and,
//! once deactivated, erased (their personal data overwritten, the anonymous
//! facts the program metrics count kept). Retention blanks old check-in
//! notes and old audit events' actors and reasons; the partial indexes let
//! the sweeper find what is left to blank without reading everything.

const UP: &str = r#"
ALTER TABLE person ADD COLUMN deactivated_at {TS};
ALTER TABLE person ADD COLUMN deactivation_reason TEXT;
ALTER TABLE person ADD COLUMN erased_at {TS} CHECK (erased_at IS NULL OR deactivated_at IS NOT NULL);
CREATE INDEX person_deactivated ON person (id) WHERE deactivated_at IS NOT NULL;
CREATE INDEX check_in_kept_notes ON check_in (match_id) WHERE notes IS NOT NULL;
CREATE INDEX audit_event_kept ON audit_event (at) WHERE actor_id IS NOT NULL OR reason IS NOT NULL;
CREATE INDEX audit_event_actor ON audit_event (actor_id) WHERE actor_id IS NOT NULL
"#;

const DOWN: &str = r#"
DROP INDEX audit_event_actor;
DROP INDEX audit_event_kept;
DROP INDEX check_in_kept_notes;
DROP INDEX person_deactivated;
ALTER TABLE person DROP COLUMN erased_at;
ALTER TABLE person DROP COLUMN deactivation_reason;
ALTER TABLE person DROP COLUMN deactivated_at
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0009_people_leave",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};
