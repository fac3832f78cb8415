//! `tandem import --people FILE.csv [--dry-run]` as an operator runs it:
//! the report on stdout as JSON, exit 1 with nothing written when a row is
//! refused or the file cannot be imported.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn tandem() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TANDEM_") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs `tandem import` over `db`, killed after a minute so a hang fails.
fn import(db: &str, csv: &std::path::Path, dry_run: bool) -> Output {
    let mut cmd = tandem();
    cmd.args(["import", "--people"])
        .arg(csv)
        .env("DATABASE_URL", db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if dry_run {
        cmd.arg("--dry-run");
    }
    let mut child = cmd.spawn().expect("run tandem");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn people_in(db: &str) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sea_orm::ConnectionTrait;
        let conn = tandem::db::connect(db, 1).await.unwrap();
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                "SELECT COUNT(*) FROM person".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    })
}

#[test]
fn import_reports_as_json_writes_all_or_nothing_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let temp_path = |name: &str| dir.path().join(name);
    let db = format!("sqlite://{}?mode=rwc", temp_path("cli.db").display());
    let csv = temp_path("people.csv");
    std::fs::write(
        &csv,
        "email,name,manager_email,level\nann@example.com,Ann,,5\nbo@example.com,Bo,ann@example.com,2\n",
    )
    .unwrap();

    let dry = import(&db, &csv, true);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert_eq!(
        report(&dry),
        json!({ "dryRun": true, "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "deactivated": 0, "errors": [] })
    );
    assert_eq!(people_in(&db), 0);

    let run = import(&db, &csv, false);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(report(&run)["created"], 2);
    assert_eq!(people_in(&db), 2);
    let again = import(&db, &csv, false);
    assert_eq!(report(&again)["unchanged"], 2);

    let bad = temp_path("bad.csv");
    std::fs::write(&bad, "email,level\ncy@example.com,3\nann@example.com,6\n").unwrap();
    let refused = import(&db, &bad, false);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        report(&refused)["errors"],
        json!([{ "line": 3, "column": "level", "reason": "level must be between 1 and 5, got 6" }])
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nothing was imported"));
    assert_eq!(people_in(&db), 2, "cy was not created");

    let typo = temp_path("typo.csv");
    std::fs::write(&typo, "email,nmae\ncy@example.com,Cy\n").unwrap();
    let stopped = import(&db, &typo, false);
    assert_eq!(stopped.status.code(), Some(1));
    assert!(stopped.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&stopped.stderr).contains("unknown column \"nmae\""),
        "{}",
        String::from_utf8_lossy(&stopped.stderr)
    );

    let missing = import(&db, &temp_path("absent.csv"), false);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--people"));
}

#[test]
fn a_bad_import_limit_stops_the_command_naming_its_variable() {
    for bad in ["0", "lots"] {
        let output = tandem()
            .args(["import", "--people", "unused.csv"])
            .env("DATABASE_URL", "sqlite::memory:")
            .env("TANDEM_MAX_IMPORT_BYTES", bad)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("TANDEM_MAX_IMPORT_BYTES"));
    }
}
