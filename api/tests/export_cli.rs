//! `tandem seed --demo` and `tandem export matches|metrics` as an operator
//! runs them: the seeded history comes out as the CSV the OSPO downloads.

use std::process::{Command, Output};

fn tandem(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TANDEM_") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.env("DATABASE_URL", db);
    cmd
}

fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "tandem failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    csv::Reader::from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_seeded_history_exports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.db");
    let db = format!("sqlite://{}?mode=rwc", path.display());
    ok(tandem(&db)
        .args(["seed", "--demo", "--people", "40"])
        .output()
        .unwrap());
    let out = path.with_extension("csv");
    ok(tandem(&db)
        .args(["export", "matches", "--out"])
        .arg(&out)
        .output()
        .unwrap());
    let matches = records(&std::fs::read(&out).unwrap());
    assert!(
        matches.len() > 10,
        "a history of matches: {}",
        matches.len()
    );
    assert!(matches.iter().any(|m| m[6] == "COMPLETED"));
    assert!(matches.iter().all(|m| m[10].parse::<f64>().is_ok()));
    let metrics = ok(tandem(&db).args(["export", "metrics"]).output().unwrap());
    let metrics = records(&metrics.stdout);
    let made = metrics
        .iter()
        .find(|r| r[0] == "proposals" && r[1] == "made")
        .expect("proposals made");
    assert_eq!(made[3], matches.len().to_string());
    assert!(
        metrics
            .iter()
            .any(|r| r[0] == "by_month" && !r[2].is_empty())
    );
    let unknown = tandem(&db)
        .args(["export", "metrics", "--program", "nope"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
}
