//! A match keeps when its request was made, so time to match (request to
//! accepted proposal) is read from the match's own index instead of a join
//! with every request of the scope.

const UP: &str = r#"
ALTER TABLE mentorship_match ADD COLUMN requested_at {TS};
UPDATE mentorship_match SET requested_at =
    (SELECT r.created_at FROM mentorship_request r WHERE r.id = mentorship_match.request_id);
CREATE INDEX mentorship_match_time_to_match ON mentorship_match (program_id, state, answered_at, requested_at)
"#;

const DOWN: &str = r#"
DROP INDEX mentorship_match_time_to_match;
ALTER TABLE mentorship_match DROP COLUMN requested_at
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0007_match_requested_at",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};
