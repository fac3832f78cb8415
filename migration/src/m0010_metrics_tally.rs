//! Pre-counted figures for `programMetrics`: every event the monthly series
//! count (requests by their state now, proposals, answers, endings,
//! check-ins, milestones, ratings) is tallied per program, UTC day, series
//! and label by triggers on the tables that hold the events, in the writing
//! statement's own transaction. So a whole program's figures are a sum over
//! a few thousand rows instead of scans of every request and match, every
//! write path (the lifecycle, set-based cohort commits, imports, seeding)
//! is counted without code of its own, and a rolled-back change counts
//! nothing.
//!
//! A trigger appends a delta (`raw`) row instead of updating a shared
//! counter, so concurrent writers never wait on one hot row; the sweeper
//! folds deltas into one row per key (`store::reports::compact_tally`).
//! An update counts -1 for what the old row contributed and +1 for the new,
//! where they differ, so a request moving from `open` to `matched` moves its
//! count between labels of its creation day. Triggers are per row on
//! SQLite. On PostgreSQL inserts and deletes are counted per statement
//! (with transition tables), so a multi-row statement writes one
//! aggregated delta per key, and updates per row behind a `WHEN` guard on
//! the columns counted: a statement trigger's transition tables cost about
//! 0.17 ms per one-row update, which the lifecycle does several times per
//! call.
//!
//! A milestone also keeps its match's program, so a program's level-ups
//! (distinct mentees, not a sum, so not tallied) are read from one partial
//! index instead of a join with every match of the program.

use sea_orm::DbBackend;

const UP: &str = r#"
CREATE TABLE metrics_tally (
    id {ID},
    program_id TEXT,
    day TEXT NOT NULL,
    series TEXT NOT NULL,
    label TEXT NOT NULL,
    n BIGINT NOT NULL,
    total BIGINT NOT NULL,
    raw BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX metrics_tally_scope ON metrics_tally (program_id, day);
ALTER TABLE milestone ADD COLUMN program_id TEXT REFERENCES program (id);
UPDATE milestone SET program_id =
    (SELECT m.program_id FROM mentorship_match m WHERE m.id = milestone.match_id);
CREATE INDEX milestone_level_up ON milestone (program_id, created_at, mentee_id, new_level, previous_level)
    WHERE kind = 'level-up'
"#;

/// The down step drops the tallies; the triggers (per backend) go by hand.
const DOWN: &str = "DROP INDEX milestone_level_up; ALTER TABLE milestone DROP COLUMN program_id; DROP TABLE metrics_tally";

pub const MIGRATION: crate::Migration = crate::Migration {
    name: "m0010_metrics_tally",
    up: UP,
    down: DOWN,
    extra,
};

/// Where a row's day comes from: a timestamp (its UTC day) or a column
/// that already holds `YYYY-MM-DD`.
#[derive(Clone, Copy)]
enum Day {
    At(&'static str),
    Text(&'static str),
}

/// One series a row of a table counts in, when `when` holds. `{r}` stands
/// for the row (`NEW`/`OLD` in a SQLite trigger, an alias on PostgreSQL).
struct Part {
    series: &'static str,
    when: &'static str,
    day: Day,
    label: &'static str,
    total: &'static str,
}

struct Source {
    table: &'static str,
    program: &'static str,
    parts: &'static [Part],
    /// The columns the parts read: an update touching none of them is
    /// skipped before the trigger's body runs.
    watched: &'static [&'static str],
}

/// Check-ins, milestones and feedback count in their match's program.
const MATCH_PROGRAM: &str = "(SELECT program_id FROM mentorship_match WHERE id = {r}.match_id)";

/// What each table counts; the same definitions as the live queries they
/// replace (store::reports::months before m0010).
const SOURCES: &[Source] = &[
    Source {
        table: "mentorship_request",
        program: "{r}.program_id",
        parts: &[Part {
            series: "requests",
            when: "1 = 1",
            day: Day::At("created_at"),
            label: "{r}.state",
            total: "0",
        }],
        watched: &["program_id", "created_at", "state"],
    },
    Source {
        table: "mentorship_match",
        program: "{r}.program_id",
        parts: &[
            Part {
                series: "proposals",
                when: "1 = 1",
                day: Day::At("proposed_at"),
                label: "'made'",
                total: "0",
            },
            Part {
                series: "answers",
                when: "{r}.answered_at IS NOT NULL AND {r}.state IN ('active', 'completed', 'ended_early', 'declined', 'expired')",
                day: Day::At("answered_at"),
                label: "CASE WHEN {r}.state = 'declined' THEN 'declined:' || COALESCE({r}.decline_reason, 'other') ELSE {r}.state END",
                total: "0",
            },
            Part {
                series: "endings",
                when: "{r}.finished_at IS NOT NULL AND {r}.state IN ('completed', 'ended_early')",
                day: Day::At("finished_at"),
                label: "{r}.state",
                total: "0",
            },
        ],
        watched: &[
            "program_id",
            "state",
            "proposed_at",
            "answered_at",
            "finished_at",
            "decline_reason",
        ],
    },
    Source {
        table: "check_in",
        program: MATCH_PROGRAM,
        parts: &[Part {
            series: "check_ins",
            when: "1 = 1",
            day: Day::Text("held_on"),
            label: "'check_ins'",
            total: "{r}.minutes",
        }],
        watched: &["match_id", "held_on", "minutes"],
    },
    Source {
        table: "milestone",
        program: MATCH_PROGRAM,
        parts: &[Part {
            series: "milestones",
            when: "1 = 1",
            day: Day::At("created_at"),
            label: "{r}.kind",
            total: "0",
        }],
        watched: &["match_id", "created_at", "kind"],
    },
    Source {
        table: "feedback",
        program: MATCH_PROGRAM,
        parts: &[Part {
            series: "ratings",
            when: "1 = 1",
            day: Day::At("created_at"),
            label: "{r}.side",
            total: "{r}.rating",
        }],
        watched: &["match_id", "created_at", "side", "rating"],
    },
];

/// A part's key, measure and condition for one row (`{r}` filled in).
struct Keyed {
    when: String,
    program: String,
    day: String,
    label: String,
    total: String,
}

fn keyed(backend: DbBackend, source: &Source, part: &Part, row: &str) -> Keyed {
    let day = match (part.day, backend) {
        (Day::Text(column), _) => format!("{{r}}.{column}"),
        (Day::At(column), DbBackend::Postgres) => {
            format!("to_char({{r}}.{column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')")
        }
        // SQLite holds timestamps as RFC 3339 text in UTC.
        (Day::At(column), _) => format!("substr({{r}}.{column}, 1, 10)"),
    };
    let fill = |e: &str| e.replace("{r}", row);
    Keyed {
        when: fill(part.when),
        program: fill(source.program),
        day: fill(&day),
        label: fill(part.label),
        total: fill(part.total),
    }
}

const COLUMNS: &str = "program_id, day, series, label, n, total";

/// The rows `source` contributes, each counted `sign` times: `row` names
/// the row in expressions and `from` is where rows come from.
fn contributions(backend: DbBackend, source: &Source, row: &str, from: &str, sign: i32) -> String {
    source
        .parts
        .iter()
        .map(|part| {
            let k = keyed(backend, source, part, row);
            format!(
                "SELECT {} AS program_id, {} AS day, '{}' AS series, {} AS label, {sign} AS n, \
                 {sign} * ({}) AS total {from} WHERE {}",
                k.program, k.day, part.series, k.label, k.total, k.when
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Appends the netted sum per key of `rows` (a union of contributions).
fn append(rows: &str, raw: bool) -> String {
    let raw = if raw { "TRUE" } else { "FALSE" };
    format!(
        "INSERT INTO metrics_tally ({COLUMNS}, raw) \
         SELECT program_id, day, series, label, SUM(n), SUM(total), {raw} FROM ({rows}) c \
         GROUP BY program_id, day, series, label HAVING SUM(n) <> 0 OR SUM(total) <> 0"
    )
}

/// One row's update, part by part: −1 for what the old row counted and +1
/// for what the new one counts, skipped where both count the same. As
/// (condition, values) pairs; the caller writes them as `IF` (PL/pgSQL) or
/// `INSERT … SELECT … WHERE` (SQLite).
fn update_steps(backend: DbBackend, source: &Source) -> Vec<(String, String)> {
    let same_as = match backend {
        DbBackend::Postgres => "IS NOT DISTINCT FROM",
        _ => "IS",
    };
    let mut steps = Vec::new();
    for part in source.parts {
        let old = keyed(backend, source, part, "OLD");
        let new = keyed(backend, source, part, "NEW");
        let same = format!(
            "({}) AND ({}) AND {} {same_as} {} AND {} {same_as} {} AND {} {same_as} {} AND {} {same_as} {}",
            old.when,
            new.when,
            old.program,
            new.program,
            old.day,
            new.day,
            old.label,
            new.label,
            old.total,
            new.total
        );
        for (k, sign) in [(old, -1), (new, 1)] {
            steps.push((
                format!("({}) AND NOT ({same})", k.when),
                format!(
                    "{}, {}, '{}', {}, {sign}, {sign} * ({})",
                    k.program, k.day, part.series, k.label, k.total
                ),
            ));
        }
    }
    steps
}

/// The trigger's guard: some watched column changed.
fn changed(backend: DbBackend, source: &Source) -> String {
    let differs = match backend {
        DbBackend::Postgres => "IS DISTINCT FROM",
        _ => "IS NOT",
    };
    source
        .watched
        .iter()
        .map(|c| format!("OLD.{c} {differs} NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The backfill and the triggers. Inserts and deletes (often many rows in
/// one statement: a cohort commit, seeding, an import) are counted per
/// statement on PostgreSQL; updates, the lifecycle's one-row steps, per row
/// behind a guard, which costs a fraction of a statement trigger's
/// transition tables.
fn extra(backend: DbBackend) -> Vec<String> {
    let postgres = backend == DbBackend::Postgres;
    let mut statements = Vec::new();
    for source in SOURCES {
        let table = source.table;
        // What is already there, counted once, as folded rows.
        statements.push(append(
            &contributions(backend, source, "r", &format!("FROM {table} r"), 1),
            false,
        ));
        for (event, sign) in [("insert", 1), ("delete", -1)] {
            let name = format!("metrics_tally_{table}_{event}");
            if postgres {
                let (rows, refs) = match event {
                    "insert" => ("new_rows", "NEW TABLE AS new_rows"),
                    _ => ("old_rows", "OLD TABLE AS old_rows"),
                };
                let body = append(
                    &contributions(backend, source, "r", &format!("FROM {rows} r"), sign),
                    true,
                );
                statements.push(format!(
                    "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN {body}; RETURN NULL; END $$"
                ));
                statements.push(format!(
                    "CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {refs} \
                     FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                ));
            } else {
                let row = if sign > 0 { "NEW" } else { "OLD" };
                let body = append(&contributions(backend, source, row, "", sign), true);
                statements.push(format!(
                    "CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END"
                ));
            }
        }
        let name = format!("metrics_tally_{table}_update");
        let guard = changed(backend, source);
        let steps = update_steps(backend, source);
        if postgres {
            let body: String = steps
                .iter()
                .map(|(when, values)| {
                    format!("IF {when} THEN INSERT INTO metrics_tally ({COLUMNS}) VALUES ({values}); END IF; ")
                })
                .collect();
            statements.push(format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN {body}RETURN NULL; END $$"
            ));
            statements.push(format!(
                "CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW \
                 WHEN ({guard}) EXECUTE FUNCTION {name}()"
            ));
        } else {
            let body: String = steps
                .iter()
                .map(|(when, values)| {
                    format!("INSERT INTO metrics_tally ({COLUMNS}) SELECT {values} WHERE {when}; ")
                })
                .collect();
            statements.push(format!(
                "CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW \
                 WHEN {guard} BEGIN {body}END"
            ));
        }
    }
    statements
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

    const TS: &str = "'2026-01-01T00:00:00+00:00'";

    /// A small history: requests in and outside a program, a proposal
    /// accepted then completed and a declined one, check-ins (one moved
    /// and lengthened), milestones, feedback, a request withdrawn after it
    /// was made, and an update of a column nothing counts.
    fn history() -> Vec<String> {
        [
            "INSERT INTO person (id, display_name, created_at, updated_at) VALUES ('a', 'A', {TS}, {TS}), ('b', 'B', {TS}, {TS})",
            "INSERT INTO program (id, name, starts_on, ends_on, status, created_at, updated_at) \
             VALUES ('p', 'P', '2026-01-01', '2026-12-31', 'running', {TS}, {TS})",
            "INSERT INTO mentorship_request (id, mentee_id, program_id, goals, state, created_at, updated_at) VALUES \
             ('r1', 'a', 'p', 'g', 'closed', '2026-09-30T23:00:00+00:00', {TS}), \
             ('r2', 'b', NULL, 'g', 'open', '2026-10-01T01:00:00+00:00', {TS})",
            "INSERT INTO mentorship_match (id, request_id, mentor_id, mentee_id, program_id, state, score_total, \
             score_breakdown, policy_version, proposed_at, updated_at, answered_at, finished_at, decline_reason) VALUES \
             ('m1', 'r1', 'b', 'a', 'p', 'declined', 1, '[]', 1, '2026-09-30T23:10:00+00:00', {TS}, '2026-09-30T23:20:00+00:00', NULL, 'no-time-now'), \
             ('m2', 'r1', 'b', 'a', 'p', 'proposed', 1, '[]', 1, '2026-09-30T23:30:00+00:00', {TS}, NULL, NULL, NULL)",
            "UPDATE mentorship_match SET state = 'active', answered_at = '2026-10-01T08:00:00+00:00' WHERE id = 'm2'",
            "UPDATE mentorship_match SET updated_at = '2026-10-02T00:00:00+00:00'",
            "INSERT INTO check_in (id, match_id, author_id, held_on, minutes, topics, created_at) VALUES \
             ('c1', 'm2', 'a', '2026-10-20', 30, '', {TS}), ('c2', 'm2', 'b', '2026-10-26', 40, '', {TS})",
            "UPDATE check_in SET held_on = '2026-10-27', minutes = 45 WHERE id = 'c2'",
            "UPDATE mentorship_match SET state = 'completed', finished_at = '2026-11-15T08:00:00+00:00' WHERE id = 'm2'",
            "INSERT INTO milestone (id, match_id, mentee_id, recorded_by, kind, new_level, previous_level, created_at) VALUES \
             ('x1', 'm2', 'a', 'b', 'level-up', 3, 2, '2026-11-01T10:00:00+00:00')",
            "INSERT INTO feedback (match_id, side, author_id, rating, created_at) VALUES \
             ('m2', 'mentee', 'a', 5, '2026-11-15T09:00:00+00:00'), ('m2', 'mentor', 'b', 3, '2026-11-16T09:00:00+00:00')",
            "UPDATE mentorship_request SET state = 'withdrawn' WHERE id = 'r2'",
        ]
        .iter()
        .map(|s| s.replace("{TS}", TS))
        .collect()
    }

    type Row = (Option<String>, String, String, String, i64, i64);

    async fn tallies(db: &DatabaseConnection) -> Vec<Row> {
        db.query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT program_id, day, series, label, SUM(n), SUM(total) FROM metrics_tally \
             GROUP BY program_id, day, series, label HAVING SUM(n) <> 0 OR SUM(total) <> 0 ORDER BY 1, 2, 3, 4",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
                r.try_get_by_index(2).unwrap(),
                r.try_get_by_index(3).unwrap(),
                r.try_get_by_index(4).unwrap(),
                r.try_get_by_index(5).unwrap(),
            )
        })
        .collect()
    }

    async fn run(db: &DatabaseConnection, statements: &[String]) {
        for s in statements {
            db.execute_unprepared(s).await.unwrap();
        }
    }

    #[tokio::test]
    async fn the_backfill_and_the_triggers_count_alike() {
        let before_index = crate::MIGRATIONS
            .iter()
            .position(|m| m.name == super::MIGRATION.name)
            .unwrap();
        // History written before the migration is backfilled...
        let backfilled = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        crate::apply(&backfilled, &crate::MIGRATIONS[..before_index])
            .await
            .unwrap();
        run(&backfilled, &history()).await;
        crate::Migrator::up(&backfilled).await.unwrap();
        // ...and history written after it is counted by the triggers.
        let triggered = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        crate::Migrator::up(&triggered).await.unwrap();
        run(&triggered, &history()).await;
        let counted = tallies(&triggered).await;
        assert_eq!(tallies(&backfilled).await, counted);
        let program = backfilled
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT program_id FROM milestone",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            program.try_get_by_index::<Option<String>>(0).unwrap(),
            Some("p".to_owned()),
            "a milestone's program is its match's"
        );
        let p = Some("p".to_owned());
        let row = |program: &Option<String>, day: &str, series: &str, label: &str, n, total| {
            (
                program.clone(),
                day.into(),
                series.into(),
                label.into(),
                n,
                total,
            )
        };
        assert_eq!(
            counted,
            vec![
                (
                    None,
                    "2026-10-01".into(),
                    "requests".into(),
                    "withdrawn".into(),
                    1,
                    0
                ),
                row(&p, "2026-09-30", "answers", "declined:no-time-now", 1, 0),
                row(&p, "2026-09-30", "proposals", "made", 2, 0),
                row(&p, "2026-09-30", "requests", "closed", 1, 0),
                row(&p, "2026-10-01", "answers", "completed", 1, 0),
                row(&p, "2026-10-20", "check_ins", "check_ins", 1, 30),
                row(&p, "2026-10-27", "check_ins", "check_ins", 1, 45),
                row(&p, "2026-11-01", "milestones", "level-up", 1, 0),
                row(&p, "2026-11-15", "endings", "completed", 1, 0),
                row(&p, "2026-11-15", "ratings", "mentee", 1, 5),
                row(&p, "2026-11-16", "ratings", "mentor", 1, 3),
            ]
        );
        // A delete takes its row's counts back.
        run(
            &triggered,
            &["DELETE FROM feedback WHERE side = 'mentor'".to_owned()],
        )
        .await;
        assert!(!tallies(&triggered).await.iter().any(|r| r.3 == "mentor"));
    }
}
