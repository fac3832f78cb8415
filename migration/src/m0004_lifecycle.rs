//! The mentorship lifecycle: answers and endings on matches, check-ins,
//! milestones, feedback, the reason on audit events, and the load revision.
//!
//! Invariants held by the database:
//! - check-in minutes 1–600, ratings 1–5, levels 1–5, kinds from the domain;
//! - feedback once per side of a match: its primary key;
//! - due proposals are found by a partial index, so the sweeper's pass costs
//!   what is due, not what exists.
//!
//! `scoring_revision.load_revision` moves whenever a mentor's live count does,
//! and the mentor's `load_seq` takes its value: an instance patches only the
//! mentors whose seats moved since it last looked instead of recompiling all.

const UP: &str = r#"
ALTER TABLE mentorship_match ADD COLUMN decline_reason TEXT
    CHECK (decline_reason IN ('not-right-expertise', 'no-time-now', 'another-mentor-better', 'other'));
ALTER TABLE mentorship_match ADD COLUMN decline_message TEXT;
ALTER TABLE mentorship_match ADD COLUMN end_reason TEXT;
ALTER TABLE mentorship_match ADD COLUMN answered_at {TS};
ALTER TABLE mentorship_match ADD COLUMN finished_at {TS};
CREATE INDEX mentorship_match_due ON mentorship_match (expires_at) WHERE state = 'proposed';
CREATE INDEX mentorship_match_request ON mentorship_match (request_id);
CREATE INDEX mentorship_request_waiting ON mentorship_request (state, created_at);
CREATE INDEX mentorship_request_mentee ON mentorship_request (mentee_id, created_at);

ALTER TABLE audit_event ADD COLUMN reason TEXT;

CREATE TABLE check_in (
    id TEXT PRIMARY KEY,
    match_id TEXT NOT NULL REFERENCES mentorship_match (id),
    author_id TEXT NOT NULL REFERENCES person (id),
    held_on TEXT NOT NULL,
    minutes INTEGER NOT NULL CHECK (minutes >= 1 AND minutes <= 600),
    topics TEXT NOT NULL,
    notes TEXT,
    created_at {TS} NOT NULL
);
CREATE INDEX check_in_match ON check_in (match_id, id);

CREATE TABLE milestone (
    id TEXT PRIMARY KEY,
    match_id TEXT NOT NULL REFERENCES mentorship_match (id),
    mentee_id TEXT NOT NULL REFERENCES person (id),
    recorded_by TEXT NOT NULL REFERENCES person (id),
    kind TEXT NOT NULL CHECK (kind IN ('first-contribution', 'became-committer', 'became-maintainer',
        'talk-given', 'event-organized', 'project-launched', 'joined-working-group', 'level-up')),
    new_level INTEGER CHECK (new_level >= 1 AND new_level <= 5),
    note TEXT,
    created_at {TS} NOT NULL,
    CHECK ((kind = 'level-up') = (new_level IS NOT NULL))
);
CREATE INDEX milestone_match ON milestone (match_id);

CREATE TABLE feedback (
    match_id TEXT NOT NULL REFERENCES mentorship_match (id),
    side TEXT NOT NULL CHECK (side IN ('mentor', 'mentee')),
    author_id TEXT NOT NULL REFERENCES person (id),
    rating INTEGER NOT NULL CHECK (rating >= 1 AND rating <= 5),
    comment TEXT,
    created_at {TS} NOT NULL,
    PRIMARY KEY (match_id, side)
);

ALTER TABLE scoring_revision ADD COLUMN load_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mentor_profile ADD COLUMN load_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX mentor_profile_load_seq ON mentor_profile (load_seq)
"#;

const DOWN: &str = r#"
DROP INDEX mentor_profile_load_seq; ALTER TABLE mentor_profile DROP COLUMN load_seq;
ALTER TABLE scoring_revision DROP COLUMN load_revision;
DROP TABLE feedback; DROP TABLE milestone; DROP TABLE check_in;
ALTER TABLE audit_event DROP COLUMN reason;
DROP INDEX mentorship_request_mentee; DROP INDEX mentorship_request_waiting;
DROP INDEX mentorship_match_request; DROP INDEX mentorship_match_due;
ALTER TABLE mentorship_match DROP COLUMN finished_at; ALTER TABLE mentorship_match DROP COLUMN answered_at;
ALTER TABLE mentorship_match DROP COLUMN end_reason; ALTER TABLE mentorship_match DROP COLUMN decline_message;
ALTER TABLE mentorship_match DROP COLUMN decline_reason
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0004_lifecycle",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};
