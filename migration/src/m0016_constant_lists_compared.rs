//! On SQLite, the constant lists of three or more values in constraints,
//! triggers and a partial index's condition (`state IN ('a', 'b', 'c')`)
//! written as comparisons (`(state = 'a' OR state = 'b' OR state = 'c')`).
//!
//! SQLite evaluates a constant `IN` list of more than two values by filling
//! a temporary B-tree with it, once per statement and once per trigger run:
//! opening, creating, filling and closing it took about 15,000 instructions,
//! and an `acceptProposal` built six (the match's and the request's state
//! checks, the request's partial index, the metrics tally triggers and the
//! outbox's state check), about a tenth of the instructions SQLite spent on
//! the accept. Two or fewer values are compared in line, and so are the
//! `OR` chains that replace the lists; they accept exactly the same values.
//!
//! The constraint and condition texts are edited in the schema table
//! (`writable_schema`), the procedure SQLite documents for changing a
//! table's `CHECK` constraints without rebuilding it: the rows on disk are
//! the same under both texts. `RESET` reloads this connection's schema and
//! the throwaway table bumps the schema cookie so every other connection
//! reloads its own. PostgreSQL keeps its lists: it compares them in line.

/// The objects whose SQL holds a constant list of three or more values, and
/// each list's text as the earlier migrations wrote it.
const LISTS: &[(&[&str], &str)] = &[
    (
        &["program"],
        "status IN ('draft', 'open', 'matching', 'running', 'closed')",
    ),
    (
        &["mentorship_request"],
        "state IN ('open', 'proposed', 'matched', 'closed', 'withdrawn')",
    ),
    (
        &["mentorship_request_one_unfinished"],
        "state IN ('open', 'proposed', 'matched')",
    ),
    (
        &["mentorship_match"],
        "state IN ('proposed', 'active', 'completed', 'ended_early', 'declined', 'expired', 'cancelled')",
    ),
    (
        &["mentorship_match"],
        "decline_reason IN ('not-right-expertise', 'no-time-now', 'another-mentor-better', 'other')",
    ),
    (
        &["milestone"],
        "kind IN ('first-contribution', 'became-committer', 'became-maintainer',
        'talk-given', 'event-organized', 'project-launched', 'joined-working-group', 'level-up')",
    ),
    (
        &[
            "metrics_tally_mentorship_match_insert",
            "metrics_tally_mentorship_match_update",
        ],
        "NEW.state IN ('active', 'completed', 'ended_early', 'declined', 'expired')",
    ),
    (
        &[
            "metrics_tally_mentorship_match_delete",
            "metrics_tally_mentorship_match_update",
        ],
        "OLD.state IN ('active', 'completed', 'ended_early', 'declined', 'expired')",
    ),
    (
        &["notification_delivery"],
        "state IN ('pending', 'sent', 'dead')",
    ),
];

/// `column IN ('a', 'b')` as `(column = 'a' OR column = 'b')`.
fn compared(list: &str) -> String {
    let (column, values) = list
        .split_once(" IN (")
        .expect("a list of the form `column IN (...)`");
    let values = values
        .strip_suffix(')')
        .expect("the list's closing parenthesis");
    let comparisons: Vec<String> = values
        .split(',')
        .map(|value| format!("{column} = {}", value.trim()))
        .collect();
    format!("({})", comparisons.join(" OR "))
}

fn quoted(sql: &str) -> String {
    format!("'{}'", sql.replace('\'', "''"))
}

fn extra(backend: sea_orm::DbBackend) -> Vec<String> {
    if backend != sea_orm::DbBackend::Sqlite {
        return Vec::new();
    }
    let mut statements = vec!["PRAGMA writable_schema = ON".to_owned()];
    for (objects, list) in LISTS {
        let names: Vec<String> = objects.iter().map(|name| quoted(name)).collect();
        statements.push(format!(
            "UPDATE sqlite_schema SET sql = replace(sql, {}, {}) WHERE name IN ({})",
            quoted(list),
            quoted(&compared(list)),
            names.join(", ")
        ));
    }
    statements.extend(
        [
            "PRAGMA writable_schema = RESET",
            "CREATE TABLE m0016_schema_changed (x INTEGER)",
            "DROP TABLE m0016_schema_changed",
        ]
        .map(str::to_owned),
    );
    statements
}

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0016_constant_lists_compared",
    up: "",
    down: "",
    extra,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_becomes_its_comparisons() {
        assert_eq!(
            compared("NEW.state IN ('a', 'b',\n   'c')"),
            "(NEW.state = 'a' OR NEW.state = 'b' OR NEW.state = 'c')"
        );
    }
}
