//! The HR people import through `importPeople` and `POST /import/people`:
//! people, reporting lines and profiles created and visible through the API,
//! idempotent re-runs, all-or-nothing refusals with their lines, CSV quoting,
//! dry runs, authorization and limits, and a 10,000-person file.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tandem_tests::{Backend, Gql, TestApp, on_both_backends, token_for};

const IMPORT: &str = "mutation($csv: String!, $dry: Boolean) { importPeople(csv: $csv, dryRun: $dry) { dryRun rows created updated unchanged deactivated errors { line column reason } } }";
const ME: &str = "{ me { id displayName department timezone languages osmmLevel mentorProfile { capacity accepting liveCount skills { skill { slug } proficiency } projects { project { slug } role } foundations { foundation { slug } role } topics } menteeProfile { targetLevel maxTimezoneDiffHours skills { skill { slug } priority } projects { slug } foundations { slug } topics } } }";

const HEADER: &str = "email,name,department,manager_email,timezone,languages,level,mentor_capacity,mentor_accepting,mentor_skills,mentor_projects,mentor_foundations,mentor_topics,mentee_target_level,mentee_skills,mentee_projects,mentee_foundations,mentee_topics,mentee_max_tz_diff_hours";

/// Mara mentors and reports to Bea (who comes later in the file); Mo is a
/// mentee reporting to Mara.
fn org() -> String {
    format!(
        "{HEADER}\n\
         mara@example.com,Mara Mentor,OSPO,bea@example.com,Europe/Berlin,en;de,4,3,true,rust:5;licensing:4,tokio:maintainer;legend:contributor,finos:tsc-member,maintainership;standards,,,,,,\n\
         mo@example.com,Mo Mentee,Risk,mara@example.com,Europe/Paris,en;FR,2,,,,,,,3,rust:1;governance:2,tokio,cncf,first-contribution,4\n\
         bea@example.com,Bea Boss,OSPO,,America/New_York,en,5,,,,,,,,,,,,\n"
    )
}

/// The two ways in through the API.
#[derive(Clone, Copy, Debug)]
enum Via {
    Graphql,
    Http,
}

const VIAS: [Via; 2] = [Via::Graphql, Via::Http];

async fn post_csv(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    query: &str,
    body: impl Into<reqwest::Body>,
) -> Gql {
    let mut request = app
        .client
        .post(format!("{}/import/people{query}", app.base))
        .header("Content-Type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Gql::from(request.send().await.expect("request")).await
}

/// Imports `csv` as the OSPO and returns the report.
async fn import(app: &TestApp, via: Via, csv: &str, dry_run: bool) -> Value {
    match via {
        Via::Graphql => {
            let answer = app
                .as_ospo(IMPORT, json!({ "csv": csv, "dry": dry_run }))
                .await;
            answer.data()["importPeople"].clone()
        }
        Via::Http => {
            let query = if dry_run { "?dryRun=true" } else { "" };
            let token = app.ospo_token();
            let answer = post_csv(app, Some(&token), "text/csv", query, csv.to_owned()).await;
            assert_eq!(answer.status, 200, "{:#}", answer.body);
            answer.body
        }
    }
}

#[track_caller]
fn assert_counts(report: &Value, created: i64, updated: i64, unchanged: i64) {
    assert_eq!(
        (
            report["created"].as_i64(),
            report["updated"].as_i64(),
            report["unchanged"].as_i64()
        ),
        (Some(created), Some(updated), Some(unchanged)),
        "{report:#}"
    );
}

/// `me` for the person signing in with `email` (linked by email, as the SSO does).
async fn me_by_email(app: &TestApp, sub: &str, email: &str) -> Value {
    let token = token_for(sub, None, Some(email), &[]);
    app.gql(Some(&token), ME, json!({})).await.data()["me"].clone()
}

async fn imported_people(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM person WHERE email IS NOT NULL")
        .await
}

async fn a_valid_file_creates_people_profiles_and_reporting_lines(backend: Backend) {
    for via in VIAS {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        app.seed_catalog().await;
        let report = import(&app, via, &org(), false).await;
        assert_eq!(
            report,
            json!({ "dryRun": false, "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "deactivated": 0, "errors": [] }),
            "{via:?}"
        );

        // Signing in links the imported person by email: no second person.
        let mara = me_by_email(&app, "sso-mara", "mara@example.com").await;
        assert_eq!(
            app.count("SELECT COUNT(*) FROM person WHERE email = 'mara@example.com'")
                .await,
            1
        );
        assert_eq!(mara["displayName"], "Mara Mentor");
        assert_eq!(mara["department"], "OSPO");
        assert_eq!(mara["timezone"], "Europe/Berlin");
        assert_eq!(mara["languages"], json!(["en", "de"]));
        assert_eq!(mara["osmmLevel"], 4);
        let mentor = &mara["mentorProfile"];
        assert_eq!(mentor["capacity"], 3);
        assert_eq!(mentor["accepting"], true);
        assert_eq!(
            mentor["skills"],
            json!([{ "skill": { "slug": "rust" }, "proficiency": 5 }, { "skill": { "slug": "licensing" }, "proficiency": 4 }])
        );
        let projects = mentor["projects"].as_array().unwrap();
        assert_eq!(projects.len(), 2);
        assert!(
            projects.contains(&json!({ "project": { "slug": "tokio" }, "role": "MAINTAINER" }))
        );
        assert_eq!(
            mentor["foundations"],
            json!([{ "foundation": { "slug": "finos" }, "role": "TSC_MEMBER" }])
        );
        assert_eq!(mentor["topics"], json!(["MAINTAINERSHIP", "STANDARDS"]));
        assert!(mara["menteeProfile"].is_null());

        let mo = me_by_email(&app, "sso-mo", "mo@example.com").await;
        assert_eq!(mo["languages"], json!(["en", "fr"]));
        assert!(mo["mentorProfile"].is_null());
        assert_eq!(
            mo["menteeProfile"],
            json!({
                "targetLevel": 3, "maxTimezoneDiffHours": 4,
                "skills": [{ "skill": { "slug": "rust" }, "priority": 1 }, { "skill": { "slug": "governance" }, "priority": 2 }],
                "projects": [{ "slug": "tokio" }], "foundations": [{ "slug": "cncf" }],
                "topics": ["FIRST_CONTRIBUTION"]
            })
        );

        // Reporting lines, even to a manager further down the file…
        let reports_to = |report: &str, manager: &str| {
            format!(
                "SELECT COUNT(*) FROM person p JOIN person m ON m.id = p.manager_id \
                 WHERE p.email = '{report}' AND m.email = '{manager}'"
            )
        };
        assert_eq!(
            app.count(&reports_to("mara@example.com", "bea@example.com"))
                .await,
            1
        );
        assert_eq!(
            app.count(&reports_to("mo@example.com", "mara@example.com"))
                .await,
            1
        );
        // …so the manager ↔ report constraint holds on imported data.
        let pair = app
            .as_ospo(
                "query($m: ID!, $e: ID!) { scorePair(mentorId: $m, menteeId: $e) { eligible ineligibleReason } }",
                json!({ "m": mara["id"], "e": mo["id"] }),
            )
            .await;
        assert_eq!(
            pair.data()["scorePair"],
            json!({ "eligible": false, "ineligibleReason": "mentor is the mentee's manager" })
        );
    }
}

async fn a_rerun_changes_nothing_and_a_changed_row_updates(backend: Backend) {
    for via in VIAS {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        app.seed_catalog().await;
        assert_counts(&import(&app, via, &org(), false).await, 3, 0, 0);
        app.db
            .execute_unprepared(
                "CREATE TABLE import_mark AS SELECT \
                 (SELECT MAX(updated_at) FROM person) AS person_at, \
                 (SELECT MAX(updated_at) FROM mentor_profile) AS mentor_at, \
                 (SELECT MAX(updated_at) FROM mentee_profile) AS mentee_at",
            )
            .await
            .unwrap();
        let revision = app
            .count("SELECT revision FROM scoring_revision WHERE id = 1")
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;

        let again = import(&app, via, &org(), false).await;
        assert_counts(&again, 0, 0, 3);
        let touched = "SELECT \
            (SELECT COUNT(*) FROM person WHERE updated_at > (SELECT person_at FROM import_mark)) + \
            (SELECT COUNT(*) FROM mentor_profile WHERE updated_at > (SELECT mentor_at FROM import_mark)) + \
            (SELECT COUNT(*) FROM mentee_profile WHERE updated_at > (SELECT mentee_at FROM import_mark))";
        assert_eq!(app.count(touched).await, 0, "a re-run wrote rows ({via:?})");
        assert_eq!(
            app.count("SELECT revision FROM scoring_revision WHERE id = 1")
                .await,
            revision,
            "nothing written, so pools stay valid"
        );

        // Mara's capacity and Mo's department change; empty cells keep the rest.
        let changed = "email,name,department,mentor_capacity,mentee_skills\n\
                       mara@example.com,,,4,\n\
                       mo@example.com,,Legal,,\n\
                       bea@example.com,Bea Boss,,,\n";
        let report = import(&app, via, changed, false).await;
        assert_counts(&report, 0, 2, 1);
        assert_eq!(
            app.count(touched).await,
            2,
            "Mara's mentor profile and Mo's person row"
        );
        let mara = me_by_email(&app, "sso-mara", "mara@example.com").await;
        assert_eq!(mara["displayName"], "Mara Mentor");
        assert_eq!(mara["mentorProfile"]["capacity"], 4);
        assert_eq!(mara["mentorProfile"]["skills"].as_array().unwrap().len(), 2);
        let mo = me_by_email(&app, "sso-mo", "mo@example.com").await;
        assert_eq!(mo["department"], "Legal");
        assert_eq!(mo["menteeProfile"]["targetLevel"], 3);
        assert!(
            app.count("SELECT revision FROM scoring_revision WHERE id = 1")
                .await
                > revision
        );
    }
}

async fn bad_rows_are_each_reported_and_nothing_is_written(backend: Backend) {
    let csv = "email,name,manager_email,level,mentor_capacity,mentor_skills,mentee_target_level,mentee_projects\n\
               ok@example.com,Ok,,3,,,,\n\
               not-an-email,Bad,,3,,,,\n\
               lvl@example.com,Lvl,,9,,,,\n\
               slug@example.com,Slug,,3,2,rust:5;cobol:2,,\n\
               cap@example.com,Cap,,3,,rust:5,,\n\
               orphan@example.com,Orphan,ghost@example.com,3,,,,\n\
               tgt@example.com,Tgt,,3,,,,tokio\n\
               ok@example.com,Twice,,2,,,,\n";
    for via in VIAS {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        app.seed_catalog().await;
        let report = import(&app, via, csv, false).await;
        assert_eq!(report["rows"], 8);
        assert_eq!(
            report["errors"],
            json!([
                { "line": 3, "column": "email", "reason": "email is not a valid email address" },
                { "line": 4, "column": "level", "reason": "level must be between 1 and 5, got 9" },
                { "line": 5, "column": "mentor_skills", "reason": "unknown skill: cobol" },
                { "line": 6, "column": "mentor_capacity", "reason": "is required to make this person a mentor" },
                { "line": 7, "column": "manager_email", "reason": "unknown manager ghost@example.com: neither in the file nor in Tandem" },
                { "line": 8, "column": "mentee_target_level", "reason": "is required to make this person a mentee" },
                { "line": 9, "column": "email", "reason": "ok@example.com is also on line 2" },
            ]),
            "{via:?}"
        );
        assert_eq!(report["dryRun"], false);
        assert_eq!(imported_people(&app).await, 0, "all or nothing ({via:?})");
        assert_eq!(app.count("SELECT COUNT(*) FROM mentor_profile").await, 0);
    }
}

async fn a_management_cycle_is_refused(backend: Backend) {
    for via in VIAS {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let chain = "email,manager_email\n\
                     a@example.com,\n\
                     b@example.com,a@example.com\n\
                     c@example.com,b@example.com\n";
        assert_counts(&import(&app, via, chain, false).await, 3, 0, 0);
        // a under c closes a → c → b → a through managers stored earlier.
        let report = import(
            &app,
            via,
            "email,department,manager_email\nd@example.com,New,\na@example.com,,c@example.com\n",
            false,
        )
        .await;
        assert_eq!(
            report["errors"],
            json!([{
                "line": 3, "column": "manager_email",
                "reason": "management cycle: a@example.com → c@example.com → b@example.com → a@example.com"
            }])
        );
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM person WHERE email = 'a@example.com' AND manager_id IS NULL"
            )
            .await,
            1
        );
        assert_eq!(imported_people(&app).await, 3, "d is not created either");
        // Within one file too.
        let report = import(
            &app,
            via,
            "email,manager_email\nx@example.com,y@example.com\ny@example.com,x@example.com\n",
            false,
        )
        .await;
        let lines: Vec<&Value> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["line"])
            .collect();
        assert_eq!(lines, [&json!(2), &json!(3)]);
        assert_eq!(imported_people(&app).await, 3);
    }
}

async fn quoted_fields_a_bom_and_crlf_are_read(backend: Backend) {
    for via in VIAS {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        app.seed_catalog().await;
        let good = "\u{feff}email,name,department,mentor_capacity,mentor_skills\r\n\
                    jane@example.com,\"Doe, Jane\",\"R&D, \"\"Core\"\"\",2,\"rust:5;\r\nlicensing:4\"\r\n\
                    john@example.com,John,,,\r\n";
        // A bad row after the two-line record reports the line it is on.
        let bad = format!("{good}broken,Broken,,,\r\n");
        let report = import(&app, via, &bad, false).await;
        assert_eq!(
            report["errors"],
            json!([{ "line": 5, "column": "email", "reason": "email is not a valid email address" }])
        );
        assert_eq!(imported_people(&app).await, 0);

        assert_counts(&import(&app, via, good, false).await, 2, 0, 0);
        let jane = me_by_email(&app, "sso-jane", "jane@example.com").await;
        assert_eq!(jane["displayName"], "Doe, Jane");
        assert_eq!(jane["department"], "R&D, \"Core\"");
        assert_eq!(jane["mentorProfile"]["skills"].as_array().unwrap().len(), 2);
        let john = me_by_email(&app, "sso-john", "john@example.com").await;
        assert_eq!(john["displayName"], "John");
        assert!(john["mentorProfile"].is_null());
    }
}

async fn an_unknown_column_stops_the_import_naming_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let csv = "email,name,departmnet\na@example.com,A,Risk\n";
    let answer = app
        .as_ospo(IMPORT, json!({ "csv": csv, "dry": false }))
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert!(
        answer.message().contains("unknown column \"departmnet\""),
        "{}",
        answer.message()
    );
    let token = app.ospo_token();
    let answer = post_csv(&app, Some(&token), "text/csv", "", csv).await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert!(answer.message().contains("departmnet"));
    let no_header = post_csv(&app, Some(&token), "text/csv", "", "").await;
    assert_eq!(no_header.status, 400);
    assert_eq!(no_header.code(), "BAD_USER_INPUT");
    assert_eq!(imported_people(&app).await, 0);
}

async fn a_dry_run_reports_and_writes_nothing(backend: Backend) {
    for via in VIAS {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        app.seed_catalog().await;
        let report = import(&app, via, &org(), true).await;
        assert_eq!(
            report,
            json!({ "dryRun": true, "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "deactivated": 0, "errors": [] })
        );
        assert_eq!(imported_people(&app).await, 0, "{via:?}");
        assert_eq!(app.count("SELECT COUNT(*) FROM mentor_profile").await, 0);
        import(&app, via, &org(), false).await;
        let changed = "email,level\nmo@example.com,3\nbea@example.com,5\n";
        assert_counts(&import(&app, via, changed, true).await, 0, 1, 1);
        assert_eq!(
            app.count(
                "SELECT COUNT(*) FROM person WHERE email = 'mo@example.com' AND osmm_level = 2"
            )
            .await,
            1
        );
    }
}

async fn only_the_ospo_may_import(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.max_import_bytes = 200).await else {
        return;
    };
    let csv = "email\na@example.com\n";
    let user = app.as_user("employee", IMPORT, json!({ "csv": csv })).await;
    assert_eq!(user.code(), "FORBIDDEN");
    let anonymous = app.gql(None, IMPORT, json!({ "csv": csv })).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");

    let none = post_csv(&app, None, "text/csv", "", csv).await;
    assert_eq!((none.status, none.code()), (401, "UNAUTHENTICATED"));
    let garbage = post_csv(&app, Some("not-a-token"), "text/csv", "", csv).await;
    assert_eq!((garbage.status, garbage.code()), (401, "UNAUTHENTICATED"));
    let employee = app.token("employee", None, &[]);
    let forbidden = post_csv(&app, Some(&employee), "text/csv", "", csv).await;
    assert_eq!((forbidden.status, forbidden.code()), (403, "FORBIDDEN"));

    let ospo = app.ospo_token();
    let json_body = post_csv(&app, Some(&ospo), "application/json", "", csv).await;
    assert_eq!(
        (json_body.status, json_body.code()),
        (415, "BAD_USER_INPUT")
    );
    let bad_flag = post_csv(&app, Some(&ospo), "text/csv", "?dryRun=maybe", csv).await;
    assert_eq!((bad_flag.status, bad_flag.code()), (400, "BAD_USER_INPUT"));
    // The import limit is the route's own: 200 bytes here, sized or chunked.
    let big = format!("email\n{}", "a@example.com\n".repeat(20));
    let sized = post_csv(&app, Some(&ospo), "text/csv", "", big.clone()).await;
    assert_eq!((sized.status, sized.code()), (413, "BAD_USER_INPUT"));
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .into_bytes()
        .chunks(50)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let chunked = post_csv(
        &app,
        Some(&ospo),
        "text/csv",
        "",
        reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)),
    )
    .await;
    assert_eq!(chunked.status, 413);
    assert_eq!(imported_people(&app).await, 0);

    let fine = post_csv(&app, Some(&ospo), "text/csv; charset=utf-8", "", csv).await;
    assert_eq!(fine.status, 200, "{:#}", fine.body);
    assert_eq!(fine.body["created"], 1);
}

async fn imported_seats_are_offered_to_waiting_requests(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    app.as_user(
        "learner",
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": { "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"], "languages": ["en"] } }),
    )
    .await
    .data();
    let asked = app
        .as_user(
            "learner",
            "mutation { requestMentorship(input: { goals: \"Maintain a crate\" }) { id state } }",
            json!({}),
        )
        .await;
    let request = asked.data()["requestMentorship"].clone();
    assert_eq!(request["state"], "OPEN", "no mentor yet");

    let csv = "email,name,timezone,languages,level,mentor_capacity,mentor_skills,mentor_topics\n\
               mentor@example.com,Max Mentor,Europe/Berlin,en,4,2,rust:5,maintainership\n";
    assert_counts(&import(&app, Via::Http, csv, false).await, 1, 0, 0);
    let now = app
        .as_user(
            "learner",
            "query($id: ID!) { request(id: $id) { state currentMatch { mentor { displayName } } } }",
            json!({ "id": request["id"] }),
        )
        .await;
    assert_eq!(
        now.data()["request"],
        json!({ "state": "PROPOSED", "currentMatch": { "mentor": { "displayName": "Max Mentor" } } })
    );
}

/// 10,000 people in a ten-wide management tree, written reports first (so
/// every manager comes later in the file), a quarter of them mentors and
/// half mentees. Counts only: timing is measured in BENCHMARKS.md.
fn ten_thousand() -> String {
    let mut csv = String::from(
        "email,name,department,manager_email,timezone,languages,level,mentor_capacity,mentor_accepting,mentor_skills,mentor_projects,mentor_topics,mentee_target_level,mentee_skills,mentee_foundations,mentee_topics\n",
    );
    for i in (0..10_000u32).rev() {
        let manager = if i == 0 {
            String::new()
        } else {
            format!("p{}@example.com", (i - 1) / 10)
        };
        let (mentor, mentee) = match i % 4 {
            0 => (
                format!(
                    "{},true,rust:5;go:3,tokio:maintainer,maintainership",
                    1 + i % 3
                ),
                ",,,".to_owned(),
            ),
            1 | 2 => (
                ",,,,".to_owned(),
                "3,rust:1;licensing:2,finos,first-contribution".to_owned(),
            ),
            _ => (",,,,".to_owned(), ",,,".to_owned()),
        };
        csv.push_str(&format!(
            "p{i}@example.com,Person {i},Dept {},{manager},Europe/Paris,en;fr,{},{mentor},{mentee}\n",
            i % 7,
            1 + i % 5
        ));
    }
    csv
}

async fn ten_thousand_people_import_and_re_import(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let csv = ten_thousand();
    let started = std::time::Instant::now();
    let report = import(&app, Via::Http, &csv, false).await;
    eprintln!(
        "{backend:?}: 10,000 people imported through HTTP in {:?}",
        started.elapsed()
    );
    assert_eq!(report["errors"], json!([]));
    assert_counts(&report, 10_000, 0, 0);
    assert_eq!(imported_people(&app).await, 10_000);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM person WHERE manager_id IS NOT NULL")
            .await,
        9_999
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentor_profile").await,
        2_500
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM mentor_skill").await, 5_000);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentee_profile").await,
        5_000
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM mentee_skill").await, 10_000);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM person p JOIN person m ON m.id = p.manager_id \
             WHERE p.email = 'p9999@example.com' AND m.email = 'p999@example.com'"
        )
        .await,
        1
    );
    let again = import(&app, Via::Http, &csv, false).await;
    assert_counts(&again, 0, 0, 10_000);
}

/// What the command line's progress bar is told: each stage, up to its
/// total, in order.
async fn an_import_reports_every_stage_up_to_its_total(backend: Backend) {
    use tandem::service::{OspoTask, import::Progress};
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<Vec<(String, usize, usize)>>);
    impl Progress for Recorder {
        fn update(&self, stage: &str, done: usize, total: usize) {
            self.0.lock().unwrap().push((stage.to_owned(), done, total));
        }
    }
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let recorder = Recorder::default();
    let report = tandem::service::import::import_people(
        &app.state,
        OspoTask::Operator,
        org().as_bytes(),
        false,
        &recorder,
    )
    .await
    .expect("the import");
    assert_eq!(report.errors.len(), 0);
    let seen = recorder.0.into_inner().unwrap();
    let seen: Vec<(&str, usize, usize)> =
        seen.iter().map(|(s, d, t)| (s.as_str(), *d, *t)).collect();
    assert_eq!(
        seen,
        [
            ("read", 3, 3),
            ("checked", 3, 3),
            ("people written", 3, 3),
            ("mentor profiles written", 1, 1),
            ("mentee profiles written", 1, 1),
            ("deactivated", 0, 0),
        ]
    );
}

on_both_backends!(
    a_valid_file_creates_people_profiles_and_reporting_lines,
    an_import_reports_every_stage_up_to_its_total,
    a_rerun_changes_nothing_and_a_changed_row_updates,
    bad_rows_are_each_reported_and_nothing_is_written,
    a_management_cycle_is_refused,
    quoted_fields_a_bom_and_crlf_are_read,
    an_unknown_column_stops_the_import_naming_it,
    a_dry_run_reports_and_writes_nothing,
    only_the_ospo_may_import,
    imported_seats_are_offered_to_waiting_requests,
    ten_thousand_people_import_and_re_import,
);
