//! The `tandem` binary as a user runs it: configuration errors name their
//! variable and stop start-up, `token` and `schema` print, `serve --demo`
//! prints its tokens, and `serve` drains and exits 0 on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "cli-test-secret-that-is-long-enough-000";

fn tandem() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tandem"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TANDEM_") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// A SQLite URL in a directory of its own, removed when the returned
/// directory is dropped (keep it alive while the database is in use).
fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("tandem.db").display()
    );
    (dir, url)
}

/// Runs `cmd` to completion, killing it after a minute so a server that
/// starts by mistake fails the test instead of hanging it.
fn output_within_a_minute(cmd: &mut Command) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tandem");
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

/// Runs `serve` with `env` and expects it to refuse to start, naming `var`.
#[track_caller]
fn refuses(env: &[(&str, &str)], var: &str) {
    let (_dir, db_url) = temp_db();
    let mut cmd = tandem();
    cmd.arg("serve")
        .env("DATABASE_URL", &db_url)
        .env("TANDEM_LISTEN", "127.0.0.1:0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = output_within_a_minute(&mut cmd);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{env:?} started or failed otherwise: {stderr}"
    );
    assert!(
        stderr.contains(var),
        "{env:?}: message does not name {var}: {stderr}"
    );
    assert!(
        !stderr.contains("short"),
        "a secret value was echoed: {stderr}"
    );
}

#[test]
fn invalid_configuration_stops_start_up_naming_the_variable() {
    refuses(&[], "TANDEM_JWT_SECRET");
    refuses(&[("TANDEM_JWT_SECRET", "short")], "TANDEM_JWT_SECRET");
    refuses(
        &[("TANDEM_JWT_SECRET", SECRET), ("TANDEM_JWT_ALG", "HS512")],
        "TANDEM_JWT_ALG",
    );
    refuses(&[("TANDEM_JWT_ALG", "RS256")], "TANDEM_JWT_PUBLIC_KEY_FILE");
    refuses(
        &[
            ("TANDEM_JWT_SECRET", SECRET),
            ("DATABASE_URL", "mysql://nope"),
        ],
        "DATABASE_URL",
    );
    refuses(
        &[("TANDEM_JWT_SECRET", SECRET), ("TANDEM_MAX_DEPTH", "deep")],
        "TANDEM_MAX_DEPTH",
    );
    refuses(
        &[
            ("TANDEM_JWT_SECRET", SECRET),
            ("TANDEM_MAX_BODY_BYTES", "0"),
        ],
        "TANDEM_MAX_BODY_BYTES",
    );
    refuses(
        &[
            ("TANDEM_JWT_SECRET", SECRET),
            ("TANDEM_LISTEN", "not-an-address"),
        ],
        "TANDEM_LISTEN",
    );
    refuses(
        &[("TANDEM_JWT_SECRET", SECRET), ("TANDEM_CORS_ORIGINS", "*")],
        "TANDEM_CORS_ORIGINS",
    );
    refuses(
        &[("TANDEM_JWT_SECRET", SECRET), ("TANDEM_GRAPHIQL", "maybe")],
        "TANDEM_GRAPHIQL",
    );
}

#[test]
fn misconfigured_notifications_stop_start_up_naming_the_variable() {
    let with = |pairs: &[(&'static str, &'static str)]| {
        let mut all = vec![("TANDEM_JWT_SECRET", SECRET)];
        all.extend_from_slice(pairs);
        all
    };
    refuses(
        &with(&[("TANDEM_SMTP_URL", "smtp://mail.example.com:25")]),
        "TANDEM_MAIL_FROM",
    );
    refuses(
        &with(&[
            ("TANDEM_SMTP_URL", "imap://mail.example.com"),
            ("TANDEM_MAIL_FROM", "tandem@example.com"),
        ]),
        "TANDEM_SMTP_URL",
    );
    refuses(
        &with(&[
            ("TANDEM_SMTP_URL", "smtp://mail.example.com:25"),
            ("TANDEM_MAIL_FROM", "not an address"),
        ]),
        "TANDEM_MAIL_FROM",
    );
    refuses(
        &with(&[("TANDEM_WEBHOOK_URL", "https://chat.example.com/hook")]),
        "TANDEM_WEBHOOK_SECRET",
    );
    refuses(
        &with(&[
            (
                "TANDEM_WEBHOOK_URL",
                "https://chat.example.com/hook, ftp://x",
            ),
            ("TANDEM_WEBHOOK_SECRET", "s"),
        ]),
        "TANDEM_WEBHOOK_URL",
    );
    refuses(
        &with(&[("TANDEM_WEBHOOK_FORMAT", "teams")]),
        "TANDEM_WEBHOOK_FORMAT",
    );
    refuses(
        &with(&[("TANDEM_DELIVERY_MAX_ATTEMPTS", "0")]),
        "TANDEM_DELIVERY_MAX_ATTEMPTS",
    );
    refuses(
        &with(&[("TANDEM_DELIVERY_RETRY_BASE", "soon")]),
        "TANDEM_DELIVERY_RETRY_BASE",
    );
    refuses(
        &with(&[("TANDEM_PUBLIC_URL", "tandem.example")]),
        "TANDEM_PUBLIC_URL",
    );
}

#[test]
fn key_sources_are_one_and_fetched_over_https_only() {
    // Two sources: the message names both variables.
    for (first, second) in [
        ("TANDEM_JWT_PUBLIC_KEY_FILE", "TANDEM_JWT_JWKS_URL"),
        ("TANDEM_JWT_JWKS_FILE", "TANDEM_OIDC_ISSUER"),
        ("TANDEM_JWT_JWKS_URL", "TANDEM_OIDC_ISSUER"),
        ("TANDEM_JWT_SECRET", "TANDEM_JWT_JWKS_URL"),
    ] {
        let value = |var: &str| match var {
            "TANDEM_JWT_SECRET" => SECRET,
            v if v.ends_with("_FILE") => "/tmp/keys",
            _ => "https://login.example.com/keys",
        };
        let (_dir, db_url) = temp_db();
        let mut cmd = tandem();
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", &db_url)
            .env(first, value(first))
            .env(second, value(second));
        let output = output_within_a_minute(&mut cmd);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(first) && stderr.contains(second),
            "{first} + {second}: {stderr}"
        );
        assert!(!stderr.contains(SECRET), "the secret was echoed: {stderr}");
    }
    // Plain HTTP only to a loopback address.
    refuses(
        &[("TANDEM_JWT_JWKS_URL", "http://login.example.com/keys")],
        "TANDEM_JWT_JWKS_URL",
    );
    refuses(
        &[("TANDEM_OIDC_ISSUER", "http://10.1.2.3/realms/staff")],
        "TANDEM_OIDC_ISSUER",
    );
    refuses(
        &[("TANDEM_JWT_JWKS_URL", "not a url")],
        "TANDEM_JWT_JWKS_URL",
    );
    // HS256 cannot verify with fetched public keys.
    refuses(
        &[
            ("TANDEM_JWT_ALG", "HS256"),
            ("TANDEM_JWT_JWKS_URL", "https://login.example.com/keys"),
        ],
        "TANDEM_JWT_ALG",
    );
    // The provider's tokens carry its issuer; another configured one is a mistake.
    refuses(
        &[
            (
                "TANDEM_OIDC_ISSUER",
                "https://login.example.com/tenant/v2.0",
            ),
            ("TANDEM_JWT_ISSUER", "https://elsewhere.example.com"),
        ],
        "TANDEM_JWT_ISSUER",
    );
}

#[test]
fn an_unreachable_key_set_stops_start_up_unless_lazy() {
    // Nothing listens on port 9 of the loopback (discard): the fetch fails fast.
    let url = "http://127.0.0.1:9/keys";
    let (_dir, db_url) = temp_db();
    let output = output_within_a_minute(
        tandem()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", &db_url)
            .env("TANDEM_JWT_JWKS_URL", url),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("TANDEM_JWT_JWKS_URL") && stderr.contains("TANDEM_JWT_JWKS_START_LAZY"),
        "{stderr}"
    );
    // Lazy: it starts, and is not ready until a fetch succeeds.
    let (_dir, db_url) = temp_db();
    let mut child = tandem()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db_url)
        .env("TANDEM_JWT_JWKS_URL", url)
        .env("TANDEM_JWT_JWKS_START_LAZY", "on")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tandem");
    let (address, log) = listening_address(&mut child);
    assert_eq!(status_of(&address, "/readyz"), 503);
    assert_eq!(status_of(&address, "/healthz"), 200);
    // A token is refused (no keys yet), and the log holds no trace of it.
    let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLW9mLWFkYQ";
    let answer = post_graphql(&address, token, "{ me { id } }");
    assert!(answer.contains("UNAUTHENTICATED"), "{answer}");
    sigterm(&child);
    let log: Vec<String> = log.map_while(Result::ok).collect();
    child.wait().ok();
    assert!(
        log.iter().any(|l| l.contains("token refused")),
        "the refusal was not logged: {log:?}"
    );
    for part in token.split('.') {
        assert!(
            !log.iter().any(|l| l.contains(part)),
            "a token part is in the log: {log:?}"
        );
    }
}

/// A raw `POST /graphql` with a bearer token; the whole response as text.
fn post_graphql(address: &str, token: &str, query: &str) -> String {
    post_body(address, token, &serde_json::json!({ "query": query }))
}

/// A raw `POST /graphql` of `body`; the whole response as text.
fn post_body(address: &str, token: &str, body: &serde_json::Value) -> String {
    use std::io::{Read, Write};
    let body = body.to_string();
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    response
}

/// The former `INTERNAL` answers to client typos: each is now a client
/// code with the real message, executes nothing, and logs no ERROR line;
/// with introspection off, no "did you mean" names a field.
#[test]
fn client_mistakes_get_client_codes_and_log_no_error() {
    let (_dir, db_url) = temp_db();
    let mut child = tandem()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db_url)
        .env("TANDEM_JWT_SECRET", SECRET)
        .env("TANDEM_INTROSPECTION", "off")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (address, log) = listening_address(&mut child);
    let request = tandem::auth::TokenRequest {
        sub: "typist".into(),
        name: None,
        email: None,
        roles: vec![],
    };
    let token =
        tandem::auth::mint_hs256(SECRET.as_bytes(), "tandem", "tandem", &request, 600).unwrap();
    let json = |body: serde_json::Value| {
        let answer = post_body(&address, &token, &body);
        let (_, json) = answer.split_once("\r\n\r\n").expect("a body");
        serde_json::from_str::<serde_json::Value>(json)
            .unwrap_or_else(|_| panic!("not JSON: {answer}"))
    };
    use serde_json::json;
    let cases = [
        (
            json!({ "query": "query($id: ID!) { person(id: $id) { id } }" }),
            "BAD_USER_INPUT",
            "$id",
        ),
        (
            json!({ "query": "query($k: Int!) { skills(first: $k) { edges { cursor } } }", "variables": { "k": null } }),
            "BAD_USER_INPUT",
            "$k",
        ),
        (
            json!({ "query": "query($d: Date) { programMetrics(from: $d) { requestsByState { count } } }", "variables": { "d": 5 } }),
            "BAD_USER_INPUT",
            "Date",
        ),
        (
            json!({ "query": "query($d: Date) { programMetrics(from: $d) { requestsByState { count } } }", "variables": { "d": true } }),
            "BAD_USER_INPUT",
            "Date",
        ),
        (
            json!({ "query": "query($f: MentorFilter) { mentors(filter: $f) { edges { cursor } } }", "variables": { "f": "x" } }),
            "BAD_USER_INPUT",
            "MentorFilter",
        ),
        (
            json!({ "query": "{ mentors(filter: \"x\") { edges { cursor } } }" }),
            "BAD_USER_INPUT",
            "MentorFilter",
        ),
        (
            json!({ "query": "{ programMetrics(from: 20260101) { requestsByState { count } } }" }),
            "GRAPHQL_VALIDATION_FAILED",
            "Date",
        ),
        (
            json!({ "query": "{ programMetrics(from: \"2026-1-1\") { requestsByState { count } } }" }),
            "GRAPHQL_VALIDATION_FAILED",
            "Date",
        ),
        (
            json!({ "query": "{ me { displayNme } }" }),
            "GRAPHQL_VALIDATION_FAILED",
            "displayNme",
        ),
    ];
    for (body, code, names) in cases {
        let answer = json(body.clone());
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], code, "{body}: {answer}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(names), "{body}: {answer}");
        assert!(!message.contains("Did you mean"), "{body}: {answer}");
        // A literal of the wrong shape for an input object is found when
        // the field reads it (async-graphql's validation lets it through);
        // every other case is refused before anything runs.
        if !body["query"].as_str().unwrap().contains("filter: \"x\"") {
            assert!(answer.get("data").is_none(), "{body} executed: {answer}");
        }
    }
    sigterm(&child);
    child.wait().ok();
    let log: Vec<String> = log.map_while(Result::ok).collect();
    assert!(
        !log.iter().any(|l| l.contains("ERROR")),
        "client mistakes were logged as errors: {log:#?}"
    );
}

/// Runs `serve` with a key source and expects it to stop before listening,
/// naming `var` (and whatever else `names`).
#[track_caller]
fn key_refused(alg: &str, var: &str, value: &str, names: &[&str]) {
    let (_dir, db_url) = temp_db();
    let mut cmd = tandem();
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db_url)
        .env("TANDEM_JWT_ALG", alg)
        .env(var, value);
    let output = output_within_a_minute(&mut cmd);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{alg} {value}: {stderr}");
    assert!(
        !stderr.contains("listening"),
        "{alg} {value} started: {stderr}"
    );
    for name in std::iter::once(&var).chain(names) {
        assert!(
            stderr.contains(name),
            "{alg} {value}: does not name {name}: {stderr}"
        );
    }
}

fn fixture(name: &str) -> String {
    format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn an_unreadable_key_file_stops_start_up() {
    key_refused(
        "RS256",
        "TANDEM_JWT_PUBLIC_KEY_FILE",
        "/nonexistent/key.pem",
        &["/nonexistent/key.pem"],
    );
    key_refused(
        "RS256",
        "TANDEM_JWT_JWKS_FILE",
        "/nonexistent/keys.json",
        &["/nonexistent/keys.json"],
    );
}

#[test]
fn keys_that_do_not_fit_the_algorithm_stop_start_up() {
    let pem = "TANDEM_JWT_PUBLIC_KEY_FILE";
    key_refused("RS256", pem, &fixture("ec_public.pem"), &["RS256"]);
    key_refused("ES256", pem, &fixture("rsa_public.pem"), &["ES256"]);
    // A private key where the public half belongs would refuse every token.
    key_refused("RS256", pem, &fixture("rsa_private.pem"), &["PRIVATE KEY"]);
    key_refused("ES256", pem, &fixture("ec_private.pem"), &["PRIVATE KEY"]);

    let rsa = {
        let private = std::fs::read(fixture("rsa_private.pem")).unwrap();
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&private).unwrap();
        let mut jwk =
            jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::RS256)
                .unwrap();
        jwk.common.key_id = Some("rsa".into());
        serde_json::to_value(jwk).unwrap()
    };
    let ec = serde_json::json!({ "kty": "EC", "kid": "ec", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" });
    let oct = serde_json::json!({ "kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" });
    let jwks = |keys: Vec<&serde_json::Value>| {
        write_temp(
            "jwks.json",
            &serde_json::json!({ "keys": keys }).to_string(),
        )
    };
    let file = "TANDEM_JWT_JWKS_FILE";
    key_refused(
        "RS256",
        file,
        jwks(vec![&oct]).to_str().unwrap(),
        &["\"hmac\"", "oct"],
    );
    key_refused(
        "RS256",
        file,
        jwks(vec![&rsa, &oct]).to_str().unwrap(),
        &["\"hmac\""],
    );
    key_refused(
        "RS256",
        file,
        jwks(vec![&rsa, &ec]).to_str().unwrap(),
        &["\"ec\"", "RS256"],
    );
    key_refused(
        "ES256",
        file,
        jwks(vec![&ec, &rsa]).to_str().unwrap(),
        &["\"rsa\"", "ES256"],
    );
}

/// A fresh, empty PostgreSQL database, or `None` (said in the output)
/// when `TANDEM_TEST_POSTGRES_URL` is not set outside CI.
async fn fresh_postgres() -> Option<String> {
    use sea_orm::ConnectionTrait;
    let Ok(admin) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but TANDEM_TEST_POSTGRES_URL is not set: the PostgreSQL test cannot run"
            );
        }
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: a PostgreSQL test (TANDEM_TEST_POSTGRES_URL is not set; see README, PostgreSQL tests)"
        );
        return None;
    };
    let name = format!(
        "tandem_cli_{}",
        tandem::store::people::new_id().replace('-', "")
    );
    let db = sea_orm::Database::connect(&admin).await.expect("connect");
    db.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    db.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

/// Three instances started together on one empty PostgreSQL database:
/// each migrates on start, under the advisory lock, so one applies the
/// migrations and the others find nothing to do; all three serve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_starting_at_once_migrate_once() {
    use sea_orm::ConnectionTrait;
    let Some(url) = fresh_postgres().await else {
        return;
    };
    let mut children: Vec<std::process::Child> = (0..3)
        .map(|_| {
            tandem()
                .args(["serve", "--listen", "127.0.0.1:0"])
                .env("DATABASE_URL", &url)
                .env("TANDEM_JWT_SECRET", SECRET)
                .env("RUST_LOG", "info")
                .stderr(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in &mut children {
        let (address, _log) = listening_address(child);
        assert_eq!(status_of(&address, "/readyz"), 200);
    }
    for child in &mut children {
        sigterm(child);
        assert_eq!(child.wait().unwrap().code(), Some(0));
    }
    let db = sea_orm::Database::connect(&url).await.unwrap();
    let applied = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(applied as usize, migration::MIGRATIONS.len());
    db.close().await.ok();
    // Passed: the database is dropped, so runs do not pile them up.
    let admin = sea_orm::Database::connect(std::env::var("TANDEM_TEST_POSTGRES_URL").unwrap())
        .await
        .unwrap();
    let name = url.rsplit('/').next().unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}

/// With `TANDEM_MIGRATE_ON_START=off`, `serve` leaves the schema to
/// `tandem migrate` and refuses a database that has not had it.
#[test]
fn serve_can_leave_migrations_to_their_own_step() {
    let (_dir, db) = temp_db();
    let serve = || {
        let mut cmd = tandem();
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", &db)
            .env("TANDEM_JWT_SECRET", SECRET)
            .env("TANDEM_MIGRATE_ON_START", "off");
        cmd
    };
    let refused = output_within_a_minute(&mut serve());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_ne!(refused.status.code(), Some(0));
    assert!(stderr.contains("tandem migrate"), "{stderr}");
    let migrated = tandem()
        .arg("migrate")
        .env("DATABASE_URL", &db)
        .output()
        .unwrap();
    assert!(migrated.status.success());
    let mut child = serve()
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (address, _log) = listening_address(&mut child);
    assert_eq!(status_of(&address, "/readyz"), 200);
    sigterm(&child);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn the_config_file_is_read_and_the_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tandem.toml");
    std::fs::write(
        &path,
        format!("jwt_secret = \"{SECRET}\"\nmax_depth = \"deep\"\n"),
    )
    .unwrap();
    let (_dir, db_url) = temp_db();
    let output = output_within_a_minute(
        tandem()
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&path)
            .env("DATABASE_URL", &db_url),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("TANDEM_MAX_DEPTH"));
    // The environment wins over the file.
    let fixed = output_within_a_minute(
        tandem()
            .args(["token", "--sub", "u1", "--config"])
            .arg(&path)
            .env("TANDEM_MAX_DEPTH", "20"),
    );
    assert!(
        fixed.status.success(),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    // The token command reads the secret from the file.
    std::fs::write(&path, format!("jwt_secret = \"{SECRET}\"\n")).unwrap();
    let token = tandem()
        .args(["token", "--sub", "u1", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&token.stdout)
            .trim()
            .split('.')
            .count(),
        3
    );
}

#[test]
fn token_and_schema_print() {
    let token = tandem()
        .args([
            "token", "--sub", "ada", "--name", "Ada", "--role", "ospo", "--ttl", "15m",
        ])
        .env("TANDEM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap();
    let config = tandem::config::Config::for_tests("sqlite::memory:", SECRET);
    let verifier = tandem::auth::Verifier::new(&config.jwt).unwrap();
    let claims = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(verifier.verify(token.trim()))
        .unwrap();
    assert_eq!(claims.sub, "ada");
    assert!(claims.is_ospo());
    let bad_ttl = tandem()
        .args(["token", "--sub", "a", "--ttl", "soon"])
        .env("TANDEM_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(bad_ttl.status.code(), Some(2));

    let schema = tandem().arg("schema").output().unwrap();
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert_eq!(
        String::from_utf8(schema.stdout).unwrap(),
        file,
        "schema.graphql is stale: tandem schema > schema.graphql"
    );
}

#[test]
fn serve_drains_and_exits_zero_on_sigterm() {
    let (_dir, db_url) = temp_db();
    let mut child = tandem()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db_url)
        .env("TANDEM_JWT_SECRET", SECRET)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (address, lines) = listening_address(&mut child);
    assert_eq!(
        status_of(&address, "/readyz"),
        200,
        "not ready before SIGTERM"
    );
    sigterm(&child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM did not exit 0");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("draining")),
        "no drain logged: {rest:?}"
    );
}

#[test]
fn a_closed_log_pipe_does_not_stop_the_service() {
    let (_dir, db_url) = temp_db();
    let mut child = tandem()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &db_url)
        .env("TANDEM_JWT_SECRET", SECRET)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (address, log) = listening_address(&mut child);
    // The log collector goes away: every later log line fails to write.
    drop(log);
    assert_eq!(status_of(&address, "/readyz"), 200);
    assert_eq!(status_of(&address, "/healthz"), 200);
    sigterm(&child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("serve did not stop on SIGTERM with its log pipe closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// Asks a running `serve` to stop, as a service manager would.
fn sigterm(child: &std::process::Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -TERM failed");
}

/// Reads a starting `serve`'s log until it names its address; returns the
/// address and the rest of the log.
fn listening_address(
    child: &mut std::process::Child,
) -> (String, std::io::Lines<BufReader<std::process::ChildStderr>>) {
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        if let Some(rest) = line.split("address=").nth(1) {
            return (rest.split_whitespace().next().unwrap().to_owned(), lines);
        }
        assert!(Instant::now() < deadline, "never listened");
    }
}

/// The status code of a plain HTTP GET, over a raw TCP connection.
fn status_of(address: &str, path: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}

/// A file holding `text`, removed when the returned path is dropped.
fn write_temp(name: &str, text: &str) -> tempfile::TempPath {
    let file = tempfile::Builder::new()
        .prefix("tandem-")
        .suffix(&format!("-{name}"))
        .tempfile()
        .unwrap();
    std::fs::write(file.path(), text).unwrap();
    file.into_temp_path()
}

#[test]
fn solve_reads_files_keeps_ids_and_writes_rows() {
    // m01 has one seat and both mentees want it most: e002 gets it (9 + 5 = 14
    // beats 8 + 1 = 9), and m01 prefers e002 too, so stable agrees.
    let caps = write_temp("caps.csv", "mentor,capacity\nm01,1\nm02,1\n");
    let scores = write_temp(
        "scores.csv",
        "mentee,mentor,score\ne001,m01,8\ne001,m02,5\ne002,m01,9\ne002,m02,1\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = |strategy: &str| {
        let output = tandem()
            .args(["solve", "--capacities"])
            .arg(&caps)
            .arg("--scores")
            .arg(&scores)
            .args(["--strategy", strategy, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (line, std::fs::read_to_string(&out).unwrap())
    };
    let (optimal, rows) = run("optimal");
    assert_eq!(optimal["objective"], 14);
    assert_eq!(optimal["matched"], 2);
    assert_eq!(optimal["mentees"], 2);
    assert_eq!(optimal["mentors"], 2);
    assert_eq!(optimal["strategy"], "optimal");
    assert!(optimal["elapsed_ms"].is_u64());
    assert_eq!(rows, "mentee,mentor,score\ne001,m02,5\ne002,m01,9\n");
    let (stable, rows) = run("stable");
    assert_eq!(stable["objective"], 14);
    assert_eq!(rows, "mentee,mentor,score\ne001,m02,5\ne002,m01,9\n");
}

#[test]
fn solve_reports_malformed_input_with_its_line() {
    let caps = write_temp("caps.csv", "mentor,capacity\nm1,2\n");
    let cases = [
        ("mentee,mentor,score\ne1,m1,3\ne2,m1,-4\n", "3"),
        ("mentee,mentor,score\ne1,m1,x\n", "2"),
        ("mentee,mentor,score\ne1,m9,3\n", "2"),
        ("mentee,mentor,score\ne1,m1,3\ne1,m1,4\n", "3"),
        ("mentee;mentor;score\n", "1"),
        ("", "1"),
    ];
    for (scores, line) in cases {
        let path = write_temp("scores.csv", scores);
        let output = tandem()
            .args(["solve", "--capacities"])
            .arg(&caps)
            .arg("--scores")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{scores:?}: {stderr}");
        assert!(
            stderr.contains(&format!("line {line}")),
            "{scores:?}: no line {line} in {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn generate_writes_deterministic_instances_that_solve_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let files = |tag: &str| {
        (
            dir.path().join(format!("{tag}-caps.csv")),
            dir.path().join(format!("{tag}-scores.csv")),
        )
    };
    let generate = |caps: &std::path::Path, scores: &std::path::Path| {
        let output = tandem()
            .args([
                "generate",
                "--kind",
                "structured",
                "--mentees",
                "60",
                "--mentors",
                "20",
                "--pairs-per-mentee",
                "8",
                "--seed",
                "7",
            ])
            .arg("--capacities")
            .arg(caps)
            .arg("--scores")
            .arg(scores)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let (caps_a, scores_a) = files("a");
    let (caps_b, scores_b) = files("b");
    generate(&caps_a, &scores_a);
    generate(&caps_b, &scores_b);
    assert_eq!(
        std::fs::read(&scores_a).unwrap(),
        std::fs::read(&scores_b).unwrap(),
        "same seed, different files"
    );
    assert_eq!(
        std::fs::read(&caps_a).unwrap(),
        std::fs::read(&caps_b).unwrap()
    );
    // The file holds exactly the in-memory generator's pairs, plus a header.
    let cohort = domain::matching::generate::generate(
        domain::matching::generate::Kind::Structured,
        60,
        20,
        8,
        7,
    );
    let text = std::fs::read_to_string(&scores_a).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("mentee,mentor,score"));
    let mut in_file: Vec<(String, String, u32)> = lines
        .map(|line| {
            let mut cells = line.split(',');
            let (e, m, s) = (cells.next(), cells.next(), cells.next());
            assert!(cells.next().is_none(), "extra cell in {line}");
            (
                e.unwrap().to_owned(),
                m.unwrap().to_owned(),
                s.unwrap().parse().unwrap(),
            )
        })
        .collect();
    let mut expected = Vec::new();
    for (e, mentee) in cohort.mentee_ids.iter().enumerate() {
        let (mentors, scores) = cohort.instance.pairs_of(e as u32);
        for (m, score) in mentors.iter().zip(scores) {
            expected.push((
                mentee.clone(),
                cohort.mentor_ids[*m as usize].clone(),
                *score,
            ));
        }
    }
    in_file.sort();
    expected.sort();
    assert_eq!(in_file.len(), cohort.instance.pair_count());
    assert!(!in_file.is_empty());
    assert_eq!(in_file, expected, "the file's pairs are the generator's");
    let solve = |strategy: &str| -> serde_json::Value {
        let output = tandem()
            .args(["solve", "--capacities"])
            .arg(&caps_a)
            .arg("--scores")
            .arg(&scores_a)
            .args(["--strategy", strategy])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let (optimal, stable) = (solve("optimal"), solve("stable"));
    assert_eq!(optimal["mentees"], 60);
    assert_eq!(optimal["mentors"], 20);
    let (best, fair) = (
        optimal["objective"].as_i64().expect("an optimal objective"),
        stable["objective"].as_i64().expect("a stable objective"),
    );
    assert!(best >= fair, "{optimal} < {stable}");
    // The file path and the in-memory generator give the same optimum.
    let cohort = domain::matching::generate::generate(
        domain::matching::generate::Kind::Structured,
        60,
        20,
        8,
        7,
    );
    let expected = domain::matching::optimal(&cohort.instance).objective(&cohort.instance);
    assert_eq!(optimal["objective"].as_i64(), Some(expected));
}

#[test]
fn sweep_runs_one_pass_and_reports_it() {
    let (_dir, db) = temp_db();
    let pass = output_within_a_minute(
        tandem()
            .args(["sweep", "--now", "2030-01-01T09:00:00Z"])
            .env("DATABASE_URL", &db),
    );
    assert!(
        pass.status.success(),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&pass.stdout).unwrap();
    assert_eq!(
        line,
        serde_json::json!({ "expired": 0, "proposed": 0, "reminded": 0, "notes_blanked": 0, "audit_blanked": 0, "tallies_folded": 0 })
    );

    let bad = output_within_a_minute(
        tandem()
            .args(["sweep", "--now", "next tuesday"])
            .env("DATABASE_URL", &db),
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--now"));
}

#[tokio::test]
async fn notifications_retry_dead_requeues_and_deliver_runs_a_pass() {
    use sea_orm::{ConnectionTrait, Statement};
    let (_dir, db) = temp_db();
    let migrated = output_within_a_minute(tandem().arg("migrate").env("DATABASE_URL", &db));
    assert!(migrated.status.success());
    let conn = sea_orm::Database::connect(&db).await.expect("connect");
    conn.execute_unprepared(
        "INSERT INTO notification_delivery (id, channel, target, kind, payload, state, attempts, due_at, created_at, last_error) \
         VALUES ('d1', 'webhook', 'http://127.0.0.1:9/hook', 'match.accepted', '{}', 'dead', 10, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 'could not connect')",
    )
    .await
    .unwrap();
    let retried = output_within_a_minute(
        tandem()
            .args(["notifications", "retry-dead"])
            .env("DATABASE_URL", &db),
    );
    assert!(
        retried.status.success(),
        "{}",
        String::from_utf8_lossy(&retried.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&retried.stdout).unwrap();
    assert_eq!(line, serde_json::json!({ "retried": 1 }));
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT state, attempts FROM notification_delivery WHERE id = 'd1'",
        ))
        .await
        .unwrap()
        .unwrap();
    let state: String = row.try_get_by_index(0).unwrap();
    let attempts: i32 = row.try_get_by_index(1).unwrap();
    assert_eq!((state.as_str(), attempts), ("pending", 0));
    // Webhooks are not configured for this command: the pass records the
    // failure instead of losing the row.
    let pass = output_within_a_minute(
        tandem()
            .args(["notifications", "deliver", "--now", "2030-01-01T09:00:00Z"])
            .env("DATABASE_URL", &db),
    );
    assert!(
        pass.status.success(),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&pass.stdout).unwrap();
    assert_eq!(
        line,
        serde_json::json!({ "sent": 0, "retried": 1, "dead": 0, "dropped": 0 })
    );
}

/// A webhook receiver on loopback: while `hang` is set it accepts
/// connections and never answers; otherwise it answers 200 and counts.
struct Receiver {
    url: String,
    hang: std::sync::Arc<std::sync::atomic::AtomicBool>,
    hung: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    answered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Receiver {
    fn start() -> Self {
        use std::io::{Read, Write};
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::{Arc, Mutex};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let hang = Arc::new(AtomicBool::new(true));
        let (hung, answered) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (h, c1, c2) = (hang.clone(), hung.clone(), answered.clone());
        let held: Arc<Mutex<Vec<std::net::TcpStream>>> = Arc::default();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if h.load(Ordering::SeqCst) {
                    c1.fetch_add(1, Ordering::SeqCst);
                    held.lock().unwrap().push(stream);
                    continue;
                }
                let (c2, mut stream) = (c2.clone(), stream);
                std::thread::spawn(move || {
                    let mut buf = [0u8; 65536];
                    let mut seen = Vec::new();
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            return;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&seen).into_owned();
                        let Some(end) = text.find("\r\n\r\n") else {
                            continue;
                        };
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            c2.fetch_add(1, Ordering::SeqCst);
                            let _ =
                                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                            seen.drain(..end + 4 + length);
                        }
                    }
                });
            }
        });
        Self {
            url,
            hang,
            hung,
            answered,
        }
    }
}

#[tokio::test]
async fn a_delivery_claimed_by_a_killed_process_is_sent_after_its_lease() {
    use sea_orm::{ConnectionTrait, Statement};
    use std::sync::atomic::Ordering;
    let (_dir, db) = temp_db();
    let receiver = Receiver::start();
    let env = |cmd: &mut Command| {
        cmd.env("DATABASE_URL", &db)
            .env("TANDEM_WEBHOOK_URL", &receiver.url)
            .env("TANDEM_WEBHOOK_SECRET", "whsec")
            .env("TANDEM_DELIVERY_TIMEOUT", "120s")
            .env("TANDEM_DELIVERY_LEASE", "5m");
    };
    let mut migrate = tandem();
    env(migrate.arg("migrate"));
    assert!(output_within_a_minute(&mut migrate).status.success());
    let conn = sea_orm::Database::connect(&db).await.expect("connect");
    conn.execute_unprepared(&format!(
        "INSERT INTO notification_delivery (id, channel, target, kind, match_id, request_id, payload, state, attempts, due_at, created_at) \
         VALUES ('d1', 'webhook', '{}', 'match.accepted', 'm', 'r', '{{\"mentorId\":\"a\",\"menteeId\":\"b\",\"path\":\"/matches/m\"}}', 'pending', 0, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        receiver.url
    ))
    .await
    .unwrap();

    // A worker claims the delivery, connects, and is killed mid-send.
    let mut deliver = tandem();
    env(deliver.args(["notifications", "deliver"]));
    let mut child = deliver
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while receiver.hung.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(receiver.hung.load(Ordering::SeqCst), 1, "the send started");
    child.kill().unwrap();
    child.wait().unwrap();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT state, attempts, lease_until IS NOT NULL FROM notification_delivery WHERE id = 'd1'",
        ))
        .await
        .unwrap()
        .unwrap();
    let state: String = row.try_get_by_index(0).unwrap();
    let attempts: i32 = row.try_get_by_index(1).unwrap();
    let leased: bool = row.try_get_by_index(2).unwrap();
    assert_eq!((state.as_str(), attempts, leased), ("pending", 1, true));

    // The receiver is back; within the lease nobody sends it again.
    receiver.hang.store(false, Ordering::SeqCst);
    let run = |now: chrono::DateTime<chrono::Utc>| {
        let mut cmd = tandem();
        env(cmd.args(["notifications", "deliver", "--now", &now.to_rfc3339()]));
        let out = output_within_a_minute(&mut cmd);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let now = chrono::Utc::now();
    assert_eq!(run(now)["sent"], 0, "still leased");
    assert_eq!(
        run(now + chrono::Duration::minutes(6))["sent"],
        1,
        "after the lease"
    );
    assert_eq!(receiver.answered.load(Ordering::SeqCst), 1);
}

#[test]
fn people_leave_from_the_command_line() {
    let (_dir, db) = temp_db();
    let run = |args: &[&str]| {
        let output = tandem()
            .args(args)
            .env("DATABASE_URL", &db)
            .env("TANDEM_JWT_SECRET", SECRET)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let csv = write_temp(
        "people.csv",
        "email,name,department\nana@example.com,Ana Leaving,Legal\nben@example.com,Ben Staying,Legal\n",
    );
    let (code, _, stderr) = run(&["import", "--people", csv.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");

    let (code, _, stderr) = run(&["people", "erase", "ana@example.com"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("deactivate the person first"), "{stderr}");
    let (code, stdout, stderr) = run(&[
        "people",
        "deactivate",
        "ana@example.com",
        "--reason",
        "left for another company",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let done: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(done["mentorshipsEnded"], 0);
    let id = done["personId"].as_str().unwrap().to_owned();
    let (code, _, stderr) = run(&["people", "deactivate", "ana@example.com"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("already deactivated"), "{stderr}");

    let (code, stdout, _) = run(&["people", "export", "ana@example.com"]);
    assert_eq!(code, Some(0));
    let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(document["person"]["displayName"], "Ana Leaving");
    assert_eq!(
        document["person"]["deactivationReason"],
        "left for another company"
    );
    assert_eq!(
        document["auditEvents"],
        serde_json::json!([]),
        "the operator acted, not Ana"
    );

    let (code, stdout, stderr) = run(&["people", "erase", "ana@example.com"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains(&id));
    // Her email is gone; by id, erasing again changes nothing and succeeds.
    let (code, _, stderr) = run(&["people", "erase", "ana@example.com"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("not found"), "{stderr}");
    let (code, _, stderr) = run(&["people", "erase", &id]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, _) = run(&["people", "export", &id]);
    assert_eq!(code, Some(0));
    assert!(
        !stdout.contains("Ana") && !stdout.contains("ana@example.com") && !stdout.contains("Legal")
    );
    let (code, _, stderr) = run(&["people", "reactivate", &id]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("erased"), "{stderr}");
    let (code, stdout, _) = run(&["people", "export", "ben@example.com"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("Ben Staying"),
        "the other person is untouched"
    );
}

#[test]
fn retention_settings_are_checked() {
    for value in ["0", "soon", "-3", "40000"] {
        refuses(
            &[
                ("TANDEM_JWT_SECRET", SECRET),
                ("TANDEM_RETAIN_NOTES_DAYS", value),
            ],
            "TANDEM_RETAIN_NOTES_DAYS",
        );
    }
    refuses(
        &[
            ("TANDEM_JWT_SECRET", SECRET),
            ("TANDEM_RETAIN_AUDIT_DAYS", "0"),
        ],
        "TANDEM_RETAIN_AUDIT_DAYS",
    );
}

/// `serve --demo` from an empty directory: its own SQLite file there, the
/// three demo tokens printed, and, in a debug build (the README's first
/// command), a word that a release build is the one to deploy or measure.
#[test]
fn the_demo_prints_its_tokens_and_which_build_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = tandem()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, printed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    // The demo prints its block at once after binding; a line that does
    // not come within a few seconds of the last one is not coming.
    let mut out = Vec::new();
    let mut wait = Duration::from_secs(120);
    while let Ok(line) = printed.recv_timeout(wait) {
        out.push(line);
        wait = Duration::from_secs(3);
    }
    child.kill().ok();
    child.wait().ok();
    let out = out.join("\n");
    assert!(out.contains("Tandem demo is up."), "{out}");
    for who in [
        "mentee (Priya Raman):",
        "mentor (Jonas Weber):",
        "OSPO admin (Alex Morgan):",
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(who))
            .unwrap_or_else(|| panic!("{who}: {out}"));
        assert!(
            line.trim_end()
                .rsplit(' ')
                .next()
                .unwrap()
                .starts_with("eyJ"),
            "{line}"
        );
    }
    assert!(dir.path().join("tandem.db").exists());
    let hint = "To deploy or measure Tandem, build it with `cargo build --release`";
    assert_eq!(out.contains(hint), cfg!(debug_assertions), "{out}");
}
