//! A `LEVEL_UP` milestone keeps the level it raised the mentee from, so the
//! OSPO's level progression (mentees who advanced, by how much) is a sum in
//! the database, not a replay of history.

const UP: &str = r#"
ALTER TABLE milestone ADD COLUMN previous_level INTEGER CHECK (previous_level >= 1 AND previous_level <= 5)
"#;

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0005_milestone_previous_level",
    up: UP,
    down: "ALTER TABLE milestone DROP COLUMN previous_level",
    extra: crate::no_extra,
};
