//! Indexes for the OSPO's figures: every match figure (counts by state,
//! answers and endings by time, declines by reason) and the joins from
//! check-ins, milestones and feedback to their match's program read one
//! narrow covering index instead of the wide match rows (which carry the
//! frozen score). Date ranges over all programs find their events by time.

const UP: &str = r#"
CREATE INDEX mentorship_match_metrics ON mentorship_match
    (program_id, state, answered_at, proposed_at, finished_at, decline_reason, id, request_id, mentor_id);
CREATE INDEX mentorship_match_answered ON mentorship_match (answered_at);
CREATE INDEX mentorship_request_created ON mentorship_request (created_at);
CREATE INDEX check_in_held_on ON check_in (held_on);
CREATE INDEX milestone_created ON milestone (created_at);
CREATE INDEX feedback_created ON feedback (created_at)
"#;

const DOWN: &str = r#"
DROP INDEX feedback_created; DROP INDEX milestone_created; DROP INDEX check_in_held_on;
DROP INDEX mentorship_request_created; DROP INDEX mentorship_match_answered;
DROP INDEX mentorship_match_metrics
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0006_metrics_indexes",
    up: UP,
    down: DOWN,
    extra: crate::no_extra,
};
