//! A person's own data through the API: `myData` and `GET /me/export.json`
//! hold every kind of record of theirs and nothing of anyone else's;
//! `erasePerson` leaves no trace of their name, email, goals or notes in
//! any text column, keeps the program's figures and the other side's data;
//! retention blanks old notes and old audit details, counts unchanged.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use tandem_tests::{Backend, Gql, TestApp, on_both_backends, token_for};

/// A person whose every personal value is unique, so a scan can find it.
struct Someone {
    sub: &'static str,
    name: &'static str,
    email: &'static str,
}

const ADA: Someone = Someone {
    sub: "ada-sub-7q",
    name: "Ada Erasable-7Q",
    email: "ada.erasable7q@example.com",
};

fn token_of(sub: &str) -> String {
    match sub {
        "ada" => token_for(ADA.sub, Some(ADA.name), Some(ADA.email), &[]),
        other => token_for(
            other,
            Some(&format!("{}{}", other[..1].to_uppercase(), &other[1..])),
            Some(&format!("{other}@example.com")),
            &[],
        ),
    }
}

async fn run(app: &TestApp, sub: &str, query: &str, variables: Value) -> Gql {
    app.gql(Some(&token_of(sub)), query, variables).await
}

async fn ok(app: &TestApp, sub: &str, query: &str, variables: Value) -> Value {
    run(app, sub, query, variables).await.data().clone()
}

async fn mentor(app: &TestApp, sub: &str, capacity: i32) -> String {
    let input = json!({ "capacity": capacity, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }],
        "projects": [{ "project": "tokio", "role": "MAINTAINER" }], "foundations": [], "topics": ["MAINTAINERSHIP"], "bio": format!("BIO-{sub}") });
    ok(
        app,
        sub,
        "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await["setMentorProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn mentee(app: &TestApp, sub: &str) -> String {
    let input = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": ["tokio"],
        "foundations": ["cncf"], "topics": ["MAINTAINERSHIP"] });
    ok(
        app,
        sub,
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await["setMenteeProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Requests a mentor with `goals`; returns (request id, proposal id).
async fn ask(app: &TestApp, sub: &str, goals: &str) -> (String, String) {
    let data = ok(
        app,
        sub,
        "mutation($g: String!) { requestMentorship(input: { goals: $g }) { id currentMatch { id } } }",
        json!({ "g": goals }),
    )
    .await;
    let r = &data["requestMentorship"];
    (
        r["id"].as_str().unwrap().to_owned(),
        r["currentMatch"]["id"]
            .as_str()
            .expect("a proposal")
            .to_owned(),
    )
}

async fn accept(app: &TestApp, mentor: &str, id: &str) {
    ok(
        app,
        mentor,
        "mutation($m: ID!) { acceptProposal(matchId: $m) { state } }",
        json!({ "m": id }),
    )
    .await;
}

async fn check_in(app: &TestApp, sub: &str, id: &str, notes: &str) {
    ok(
        app,
        sub,
        "mutation($i: CheckInInput!) { logCheckIn(input: $i) { id } }",
        json!({ "i": { "matchId": id, "date": "2026-11-20", "minutes": 30, "topics": ["MAINTAINERSHIP"], "notes": notes } }),
    )
    .await;
}

async fn complete_with_feedback(app: &TestApp, id: &str, sides: [(&str, &str); 2]) {
    ok(
        app,
        sides[0].0,
        "mutation($m: ID!) { completeMatch(input: { matchId: $m }) { state } }",
        json!({ "m": id }),
    )
    .await;
    for (sub, comment) in sides {
        ok(
            app,
            sub,
            "mutation($m: ID!, $c: String) { giveFeedback(input: { matchId: $m, rating: 4, comment: $c }) { rating } }",
            json!({ "m": id, "c": comment }),
        )
        .await;
    }
}

/// Email on and nothing sending: a person's emails stay in the outbox.
fn emails_queued(c: &mut tandem::config::Config) {
    c.notify.smtp_url = Some("smtp://127.0.0.1:9".to_owned().into());
    c.notify.mail_from = Some("Tandem <tandem@example.com>".into());
    c.notify.worker = false;
}

async fn export_holds_my_data_and_nobody_elses(backend: Backend) {
    // Email on, so her email deliveries are queued; nothing sends them.
    let Some(app) = TestApp::spawn_with(backend, emails_queued).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mara", 1).await;
    mentor(&app, "nils", 1).await;
    let ada = mentee(&app, "ada").await;
    let bo = mentee(&app, "bo").await;
    ok(
        &app,
        "ada",
        "mutation { setNotificationPreferences(input: [{ kind: MATCH_ACCEPTED, email: false }]) { kind } }",
        json!({}),
    )
    .await;
    let (_, ada_match) = ask(&app, "ada", "GOALS-ADA").await;
    let seen = ok(
        &app,
        "ada",
        "query($m: ID!) { match(id: $m) { mentor { id displayName } } }",
        json!({ "m": ada_match }),
    )
    .await;
    let ada_mentor = seen["match"]["mentor"]["displayName"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let other_mentor = if ada_mentor == "mara" { "nils" } else { "mara" };
    accept(&app, &ada_mentor, &ada_match).await;
    let (_, bo_match) = ask(&app, "bo", "GOALS-BO-PRIVATE").await;
    accept(&app, other_mentor, &bo_match).await;
    check_in(&app, "ada", &ada_match, "NOTE-BY-ADA").await;
    check_in(&app, &ada_mentor, &ada_match, "NOTE-BY-HER-MENTOR").await;
    check_in(&app, "bo", &bo_match, "NOTE-BO-PRIVATE").await;
    check_in(&app, other_mentor, &bo_match, "NOTE-OTHER-MENTOR-PRIVATE").await;
    ok(
        &app,
        &ada_mentor,
        "mutation($m: ID!) { recordMilestone(input: { matchId: $m, kind: FIRST_CONTRIBUTION, note: \"MILESTONE-ADA\" }) { kind } }",
        json!({ "m": ada_match }),
    )
    .await;
    complete_with_feedback(
        &app,
        &ada_match,
        [("ada", "FEEDBACK-BY-ADA"), (&ada_mentor, "FEEDBACK-TO-ADA")],
    )
    .await;

    let program = app
        .create_program("Autumn", "2027-09-01", "2027-12-15")
        .await;
    app.as_ospo(
        "mutation($i: EnrollInput!) { enroll(input: $i) { id } }",
        json!({ "i": { "programId": program, "personIds": [ada, bo], "role": "MENTEE" } }),
    )
    .await
    .data();

    let doc = ok(&app, "ada", "{ myData }", json!({})).await["myData"].clone();
    assert_eq!(doc["format"], "tandem.personal-data.v1");
    assert_eq!(doc["person"]["id"], ada.as_str());
    assert_eq!(doc["person"]["email"], ADA.email);
    assert_eq!(doc["person"]["sub"], ADA.sub);
    assert_eq!(doc["mentorProfile"], Value::Null);
    let profile = &doc["menteeProfile"];
    assert_eq!(profile["targetLevel"], 3);
    assert_eq!(profile["skills"][0]["skill"], "rust");
    assert_eq!(profile["projects"][0]["project"], "tokio");
    assert_eq!(profile["foundations"][0]["foundation"], "cncf");
    assert_eq!(profile["topics"][0]["topic"], "maintainership");
    assert_eq!(doc["requests"][0]["goals"], "GOALS-ADA");
    let matched = &doc["matches"][0];
    assert_eq!(matched["id"], ada_match.as_str());
    assert_eq!(matched["state"], "completed");
    assert!(
        matched["scoreBreakdown"]["components"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "the frozen score, as JSON: {matched:#}"
    );
    let notes: Vec<&str> = doc["checkIns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["notes"].as_str())
        .collect();
    assert_eq!(notes.len(), 2);
    assert!(notes.contains(&"NOTE-BY-ADA") && notes.contains(&"NOTE-BY-HER-MENTOR"));
    assert_eq!(doc["milestones"][0]["note"], "MILESTONE-ADA");
    let given = doc["feedbackGiven"].as_array().unwrap();
    assert_eq!(given.len(), 1);
    assert_eq!(given[0]["comment"], "FEEDBACK-BY-ADA");
    assert!(
        doc["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "match.accepted"
                && n["matchId"].is_string()
                && n["payload"].is_object()),
        "her inbox, payloads as JSON (the pair is the match's)"
    );
    assert_eq!(doc["notificationPreferences"][0]["email"], false);
    let queued = doc["emailDeliveries"].as_array().unwrap();
    assert!(!queued.is_empty(), "her emails, queued");
    assert!(
        queued.iter().all(|d| d["personId"] == ada.as_str()),
        "only hers: {queued:?}"
    );
    assert!(
        doc["auditEvents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["subjectKind"] == "request" && e["toState"] == "open"),
        "what she did"
    );
    let enrollments = doc["enrollments"].as_array().unwrap();
    assert_eq!(enrollments.len(), 1, "hers, not bo's: {enrollments:?}");
    assert_eq!(enrollments[0]["programId"], program);
    let text = doc.to_string();
    for foreign in [
        "GOALS-BO-PRIVATE",
        "NOTE-BO-PRIVATE",
        "NOTE-OTHER-MENTOR-PRIVATE",
        "FEEDBACK-TO-ADA",
        "BIO-mara",
        "BIO-nils",
        "bo@example.com",
        "mara@example.com",
        "nils@example.com",
    ] {
        assert!(!text.contains(foreign), "{foreign} is someone else's");
    }
    // Her mentor's document holds the mentor profile and the pair's notes
    // too, not the other pair's.
    let their_doc = ok(&app, &ada_mentor, "{ myData }", json!({})).await["myData"].clone();
    assert_eq!(
        their_doc["mentorProfile"]["bio"],
        format!("BIO-{ada_mentor}")
    );
    assert_eq!(their_doc["mentorProfile"]["capacity"], 1);
    assert_eq!(their_doc["mentorProfile"]["skills"][0]["skill"], "rust");
    assert_eq!(their_doc["menteeProfile"], Value::Null);
    let theirs = their_doc.to_string();
    assert!(theirs.contains("NOTE-BY-ADA") && theirs.contains("FEEDBACK-TO-ADA"));
    assert!(!theirs.contains("NOTE-BO-PRIVATE") && !theirs.contains("FEEDBACK-BY-ADA"));

    // The same document as a download.
    let response = app
        .client
        .get(format!("{}/me/export.json", app.base))
        .bearer_auth(token_of("ada"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"));
    let mut downloaded: Value = response.json().await.unwrap();
    let mut expected = doc.clone();
    downloaded["exportedAt"] = Value::Null;
    expected["exportedAt"] = Value::Null;
    assert_eq!(downloaded, expected);
    let anonymous = app
        .client
        .get(format!("{}/me/export.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

const METRICS: &str = "query($p: ID) { programMetrics(programId: $p) {
  requestsByState { state count }
  timeToMatch { medianHours p90Hours count }
  proposals { made accepted declined expired acceptanceRate declinesByReason { reason count } }
  mentorships { active completed endedEarly completionRate }
  mentors { capacity live active utilization idleMentors loadGini }
  levelProgression { advanced meanAdvance byTargetLevel { targetLevel advanced meanAdvance } }
  satisfaction { meanRating ratings byMentor { meanRating ratings } byMentee { meanRating ratings } }
  milestones { kind count }
  checkIns { count minutes }
  demandSupply { kind slug wanted offered shortfall }
  byMonth { month requests proposalsMade accepted declined expired completed endedEarly
            checkIns checkInMinutes milestones levelUps ratings meanRating } } }";

/// Every (table, column) holding text, from the database's own catalog.
async fn text_columns(app: &TestApp) -> Vec<(String, String)> {
    let backend = app.db.get_database_backend();
    let all = |sql: &str| {
        app.db
            .query_all_raw(Statement::from_string(backend, sql.to_owned()))
    };
    let mut columns = Vec::new();
    match backend {
        DbBackend::Postgres => {
            for row in all(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')",
            )
            .await
            .unwrap()
            {
                columns.push((
                    row.try_get_by_index(0).unwrap(),
                    row.try_get_by_index(1).unwrap(),
                ));
            }
        }
        _ => {
            let tables = all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .await
                .unwrap();
            for table in tables {
                let table: String = table.try_get_by_index(0).unwrap();
                for column in all(&format!("PRAGMA table_info('{table}')")).await.unwrap() {
                    let name: String = column.try_get_by_index(1).unwrap();
                    let kind: String = column.try_get_by_index(2).unwrap();
                    if kind.eq_ignore_ascii_case("text") {
                        columns.push((table.clone(), name));
                    }
                }
            }
        }
    }
    assert!(columns.len() > 40, "the scan sees the schema: {columns:?}");
    columns
}

/// Where `needle` is found: (table, column) pairs.
async fn found(app: &TestApp, columns: &[(String, String)], needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for (table, column) in columns {
        let n = app
            .count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE LOWER({column}) LIKE '%{}%'",
                needle.to_lowercase()
            ))
            .await;
        if n > 0 {
            hits.push(format!("{table}.{column}"));
        }
    }
    hits
}

async fn erasure_keeps_figures_and_the_other_side(backend: Backend) {
    // Email on and nothing sending, so the outbox holds copies of her data
    // (her goals, in the email proposing her to a mentor) for the erasure.
    let Some(app) = TestApp::spawn_with(backend, emails_queued).await else {
        return;
    };
    app.seed_catalog().await;
    let mara = mentor(&app, "mara", 2).await;
    let nils = mentor(&app, "nils", 2).await;
    let ada = mentee(&app, "ada").await;
    let bo = mentee(&app, "bo").await;
    ok(
        &app,
        "ada",
        r#"mutation { updateMyProfile(input: { department: "DEPT-ADA-7Q", timezone: "Europe/Paris", languages: ["en", "fr"] }) { id } }"#,
        json!({}),
    )
    .await;
    // Her manager, from the HR import.
    let csv = format!("email,manager_email\n{},bo@example.com\n", ADA.email);
    let imported = app
        .as_ospo(
            "mutation($c: String!) { importPeople(csv: $c) { errors { reason } } }",
            json!({ "c": csv }),
        )
        .await;
    assert_eq!(imported.data()["importPeople"]["errors"], json!([]));
    // A request of her own, withdrawn: its goals are hers; the OSPO's note
    // on it names her.
    let (own, proposal) = ask(&app, "ada", "GOALS-ADA-7Q").await;
    app.as_ospo(
        "mutation($m: ID!, $r: String!) { cancelProposal(matchId: $m, reason: $r) { state } }",
        json!({ "m": proposal, "r": format!("{} asked for someone in Paris", ADA.name) }),
    )
    .await
    .data();
    ok(
        &app,
        "ada",
        "mutation($r: ID!) { withdrawRequest(id: $r) { state } }",
        json!({ "r": own }),
    )
    .await;

    // The program: both mentees matched by the cohort run.
    let program = app
        .create_program("Autumn", "2026-09-01", "2027-02-28")
        .await;
    app.as_ospo(
        "mutation($p: ID!) { setProgramStatus(id: $p, status: OPEN) { id } }",
        json!({ "p": program }),
    )
    .await
    .data();
    for (ids, role) in [
        (json!([mara, nils]), "MENTOR"),
        (json!([ada, bo]), "MENTEE"),
    ] {
        app.as_ospo(
            "mutation($i: EnrollInput!) { enroll(input: $i) { id } }",
            json!({ "i": { "programId": program, "personIds": ids, "role": role } }),
        )
        .await
        .data();
    }
    let run_ = app
        .as_ospo(
            "mutation($p: ID!) { runCohortMatching(input: { programId: $p, dryRun: false }) { assignments { matchId mentor { id } mentee { id } } } }",
            json!({ "p": program }),
        )
        .await;
    let assignments = run_.data()["runCohortMatching"]["assignments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(assignments.len(), 2);
    let sub_of = |id: &Value| {
        if id == &json!(mara) { "mara" } else { "nils" }
    };
    let pair = |mentee: &str| {
        let x = assignments
            .iter()
            .find(|x| x["mentee"]["id"] == mentee)
            .unwrap();
        (
            x["matchId"].as_str().unwrap().to_owned(),
            sub_of(&x["mentor"]["id"]),
        )
    };
    let (ada_match, her_mentor) = pair(&ada);
    let (bo_match, bo_mentor) = pair(&bo);
    accept(&app, her_mentor, &ada_match).await;
    accept(&app, bo_mentor, &bo_match).await;
    check_in(&app, "ada", &ada_match, "NOTE-ADA-7Q").await;
    check_in(&app, her_mentor, &ada_match, "NOTE-MENTOR-KEPT").await;
    check_in(&app, "bo", &bo_match, "NOTE-BO-KEPT").await;
    ok(
        &app,
        her_mentor,
        "mutation($m: ID!) { recordMilestone(input: { matchId: $m, kind: LEVEL_UP, newLevel: 2, note: \"MILESTONE-ADA-7Q\" }) { kind } }",
        json!({ "m": ada_match }),
    )
    .await;
    complete_with_feedback(
        &app,
        &ada_match,
        [
            ("ada", "FEEDBACK-ADA-7Q"),
            (her_mentor, "FEEDBACK-MENTOR-KEPT"),
        ],
    )
    .await;

    // Erasure is for people who left.
    let erase =
        "mutation($id: ID!) { erasePerson(id: $id) { id displayName email active erasedAt } }";
    let early = app.as_ospo(erase, json!({ "id": ada })).await;
    assert_eq!(early.code(), "CONFLICT");
    let refused = run(&app, "bo", erase, json!({ "id": ada })).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    app.as_ospo(
        "mutation($id: ID!) { deactivatePerson(id: $id, reason: \"left the company\") { person { active } } }",
        json!({ "id": ada }),
    )
    .await
    .data();
    let figures = app
        .as_ospo(METRICS, json!({ "p": program }))
        .await
        .data()
        .clone();
    let everyone = app.as_ospo(METRICS, json!({})).await.data().clone();
    let columns = text_columns(&app).await;
    let needles = [
        ADA.name,
        ADA.email,
        ADA.sub,
        "DEPT-ADA-7Q",
        "GOALS-ADA-7Q",
        "NOTE-ADA-7Q",
        "FEEDBACK-ADA-7Q",
        "MILESTONE-ADA-7Q",
    ];
    for needle in needles {
        assert!(
            !found(&app, &columns, needle).await.is_empty(),
            "{needle} is stored before the erasure"
        );
    }
    let queued = found(&app, &columns, "GOALS-ADA-7Q").await;
    assert!(
        queued.contains(&"notification_delivery.payload".to_owned()),
        "{queued:?}"
    );

    let erased = app.as_ospo(erase, json!({ "id": ada })).await;
    let erased = &erased.data()["erasePerson"];
    assert_eq!(erased["id"], ada.as_str());
    assert_eq!(erased["displayName"], "Erased person");
    assert_eq!(erased["email"], Value::Null);
    assert_eq!(erased["active"], false);
    assert!(erased["erasedAt"].is_string());
    for needle in needles {
        assert_eq!(
            found(&app, &columns, needle).await,
            Vec::<String>::new(),
            "{needle} survived the erasure"
        );
    }
    assert_eq!(
        app.as_ospo(METRICS, json!({ "p": program })).await.data(),
        &figures,
        "the program's figures do not change"
    );
    assert_eq!(app.as_ospo(METRICS, json!({})).await.data(), &everyone);

    // The other side keeps their own data.
    let theirs = ok(
        &app,
        her_mentor,
        "query($m: ID!) { match(id: $m) { state mentee { displayName } checkIns(first: 10) { edges { node { notes } } } } }",
        json!({ "m": ada_match }),
    )
    .await;
    assert_eq!(theirs["match"]["state"], "COMPLETED");
    assert_eq!(theirs["match"]["mentee"]["displayName"], "Erased person");
    let notes: Vec<Value> = theirs["match"]["checkIns"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["notes"].clone())
        .collect();
    assert!(notes.contains(&json!("NOTE-MENTOR-KEPT")));
    assert!(notes.contains(&Value::Null), "hers are blank");
    // Her mentor's notifications about the match are scrubbed of her data,
    // not emptied: they still read as messages.
    let inbox = ok(
        &app,
        her_mentor,
        "{ myNotifications(first: 50) { edges { node { event title match { id } } } } }",
        json!({}),
    )
    .await;
    let about_her: Vec<&Value> = inbox["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["match"]["id"] == ada_match.as_str())
        .collect();
    let mut events: Vec<&str> = about_her
        .iter()
        .filter_map(|n| n["event"].as_str())
        .collect();
    events.sort_unstable();
    assert_eq!(
        events,
        ["match.completed", "milestone.level_up", "proposal.created"]
    );
    assert!(
        about_her
            .iter()
            .all(|n| n["title"].as_str().is_some_and(|t| !t.is_empty())),
        "{about_her:?}"
    );
    for kept in [
        "FEEDBACK-MENTOR-KEPT",
        "NOTE-BO-KEPT",
        "BIO-mara",
        "bo@example.com",
    ] {
        assert!(!found(&app, &columns, kept).await.is_empty(), "{kept} kept");
    }

    // Idempotent, audited once and without the data.
    let again = app.as_ospo(erase, json!({ "id": ada })).await;
    assert_eq!(again.data()["erasePerson"]["displayName"], "Erased person");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'person' AND subject_id = '{ada}' AND to_state = 'erased'"
        ))
        .await,
        1
    );
    let back = app
        .as_ospo(
            "mutation($id: ID!) { reactivatePerson(id: $id) { id } }",
            json!({ "id": ada }),
        )
        .await;
    assert_eq!(back.code(), "CONFLICT");
    // Signing in again with the same subject makes a new, empty person.
    let me = ok(
        &app,
        "ada",
        "{ me { id displayName active menteeProfile { targetLevel } } }",
        json!({}),
    )
    .await;
    assert_ne!(me["me"]["id"], ada.as_str());
    assert_eq!(me["me"]["displayName"], ADA.name);
    assert_eq!(me["me"]["active"], true);
    assert_eq!(me["me"]["menteeProfile"], Value::Null);
    assert_eq!(
        ok(
            &app,
            "ada",
            "{ myRequests(first: 5) { edges { node { id } } } }",
            json!({})
        )
        .await["myRequests"]["edges"],
        json!([])
    );
}

async fn retention_blanks_old_notes_and_audit_details(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.retention.notes_days = Some(30);
        c.retention.audit_days = Some(90);
    })
    .await
    else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mara", 2).await;
    mentee(&app, "ada").await;
    mentee(&app, "bo").await;
    let (_, done) = ask(&app, "ada", "grow").await;
    accept(&app, "mara", &done).await;
    let (_, live) = ask(&app, "bo", "grow").await;
    accept(&app, "mara", &live).await;
    check_in(&app, "ada", &done, "NOTE-OLD").await;
    check_in(&app, "bo", &live, "NOTE-LIVE").await;
    complete_with_feedback(&app, &done, [("ada", "fine"), ("mara", "good")]).await;
    let notes_of = |id: &str| {
        let id = id.to_owned();
        let app = &app;
        async move {
            ok(
                app,
                "mara",
                "query($m: ID!) { match(id: $m) { checkIns(first: 5) { edges { node { notes minutes } } } } }",
                json!({ "m": id }),
            )
            .await["match"]["checkIns"]["edges"][0]["node"]
                .clone()
        }
    };
    let figures = app.as_ospo(METRICS, json!({})).await.data().clone();
    let audit = app.count("SELECT COUNT(*) FROM audit_event").await;
    let actors = app
        .count("SELECT COUNT(*) FROM audit_event WHERE actor_id IS NOT NULL")
        .await;
    assert!(actors > 0);
    let now = chrono::Utc::now();

    // Within the window: kept.
    let pass = tandem::jobs::sweeper::run_once(&app.state, now + chrono::Duration::days(29))
        .await
        .unwrap();
    assert_eq!((pass.notes_blanked, pass.audit_blanked), (0, 0));
    assert_eq!(notes_of(&done).await["notes"], "NOTE-OLD");

    // Past it: the finished match's notes are blank; the live one's stay.
    let pass = tandem::jobs::sweeper::run_once(&app.state, now + chrono::Duration::days(31))
        .await
        .unwrap();
    assert_eq!((pass.notes_blanked, pass.audit_blanked), (1, 0));
    assert_eq!(
        notes_of(&done).await,
        json!({ "notes": null, "minutes": 30 })
    );
    assert_eq!(notes_of(&live).await["notes"], "NOTE-LIVE");

    // Audit events lose their actor and reason, never their count.
    let pass = tandem::jobs::sweeper::run_once(&app.state, now + chrono::Duration::days(91))
        .await
        .unwrap();
    assert_eq!(pass.audit_blanked as i64, actors);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_event").await, audit);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_event WHERE actor_id IS NOT NULL OR reason IS NOT NULL"
        )
        .await,
        0
    );
    let history = ok(
        &app,
        "mara",
        "query($m: ID!) { match(id: $m) { history { actor { id } to } } }",
        json!({ "m": done }),
    )
    .await;
    let history = history["match"]["history"].as_array().unwrap();
    assert!(history.len() >= 3 && history.iter().all(|e| e["actor"].is_null()));
    assert_eq!(
        app.as_ospo(METRICS, json!({})).await.data(),
        &figures,
        "every count unchanged"
    );
    let again = tandem::jobs::sweeper::run_once(&app.state, now + chrono::Duration::days(92))
        .await
        .unwrap();
    assert_eq!((again.notes_blanked, again.audit_blanked), (0, 0));
}

on_both_backends!(
    export_holds_my_data_and_nobody_elses,
    erasure_keeps_figures_and_the_other_side,
    retention_blanks_old_notes_and_audit_details
);
