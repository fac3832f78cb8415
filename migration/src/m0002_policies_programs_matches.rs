//! Matching policies (immutable versions), programs with their enrollments,
//! mentorship requests, matches and the audit trail.
//!
//! Invariants held by the database itself, whatever instance writes:
//! - one live (`proposed` or `active`) match per request: a partial unique index;
//! - one unfinished request per mentee and program (or outside programs):
//!   a partial unique index over `COALESCE(program_id, '')`;
//! - a mentor's live matches never exceed capacity: `mentor_profile.live_count`
//!   moves in the same transaction as the match, under its CHECK;
//! - policy versions are unique per program (and for the default policy).

const UP: &str = r#"
CREATE TABLE program (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'matching', 'running', 'closed')),
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);

CREATE TABLE matching_policy (
    id {ID},
    program_id TEXT REFERENCES program (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    w_skills DOUBLE PRECISION NOT NULL CHECK (w_skills >= 0),
    w_projects DOUBLE PRECISION NOT NULL CHECK (w_projects >= 0),
    w_foundations DOUBLE PRECISION NOT NULL CHECK (w_foundations >= 0),
    w_maturity DOUBLE PRECISION NOT NULL CHECK (w_maturity >= 0),
    w_topics DOUBLE PRECISION NOT NULL CHECK (w_topics >= 0),
    w_timezone DOUBLE PRECISION NOT NULL CHECK (w_timezone >= 0),
    w_language DOUBLE PRECISION NOT NULL CHECK (w_language >= 0),
    w_load DOUBLE PRECISION NOT NULL CHECK (w_load >= 0),
    min_score DOUBLE PRECISION NOT NULL CHECK (min_score >= 0 AND min_score <= 100),
    strategy TEXT NOT NULL CHECK (strategy IN ('optimal', 'stable')),
    proposal_sla_hours INTEGER NOT NULL CHECK (proposal_sla_hours >= 1),
    created_by TEXT REFERENCES person (id),
    created_at {TS} NOT NULL
);
CREATE UNIQUE INDEX matching_policy_version ON matching_policy ((COALESCE(program_id, '')), version);

CREATE TABLE program_enrollment (
    program_id TEXT NOT NULL REFERENCES program (id),
    person_id TEXT NOT NULL REFERENCES person (id),
    role TEXT NOT NULL CHECK (role IN ('mentor', 'mentee')),
    enrolled_at {TS} NOT NULL,
    PRIMARY KEY (program_id, person_id, role)
);
CREATE INDEX program_enrollment_person ON program_enrollment (person_id);

CREATE TABLE mentorship_request (
    id TEXT PRIMARY KEY,
    mentee_id TEXT NOT NULL REFERENCES person (id),
    program_id TEXT REFERENCES program (id),
    preferred_mentor_id TEXT REFERENCES person (id),
    goals TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'proposed', 'matched', 'closed', 'withdrawn')),
    created_at {TS} NOT NULL,
    updated_at {TS} NOT NULL
);
CREATE UNIQUE INDEX mentorship_request_one_unfinished
    ON mentorship_request (mentee_id, (COALESCE(program_id, '')))
    WHERE state IN ('open', 'proposed', 'matched');
CREATE INDEX mentorship_request_program ON mentorship_request (program_id, state);

CREATE TABLE mentorship_match (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES mentorship_request (id),
    mentor_id TEXT NOT NULL REFERENCES person (id),
    mentee_id TEXT NOT NULL REFERENCES person (id),
    program_id TEXT REFERENCES program (id),
    state TEXT NOT NULL CHECK (state IN ('proposed', 'active', 'completed', 'ended_early', 'declined', 'expired', 'cancelled')),
    score_total DOUBLE PRECISION NOT NULL,
    score_breakdown TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    proposed_at {TS} NOT NULL,
    expires_at {TS},
    updated_at {TS} NOT NULL
);
CREATE UNIQUE INDEX mentorship_match_one_live ON mentorship_match (request_id) WHERE state IN ('proposed', 'active');
CREATE INDEX mentorship_match_mentor ON mentorship_match (mentor_id, state);
CREATE INDEX mentorship_match_mentee ON mentorship_match (mentee_id, state);

CREATE TABLE audit_event (
    id {ID},
    actor_id TEXT REFERENCES person (id),
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    at {TS} NOT NULL
);
CREATE INDEX audit_event_subject ON audit_event (subject_kind, subject_id)
"#;

const DOWN: &str = r#"
DROP TABLE audit_event; DROP TABLE mentorship_match; DROP TABLE mentorship_request;
DROP TABLE program_enrollment; DROP TABLE matching_policy; DROP TABLE program
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0002_policies_programs_matches",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};
