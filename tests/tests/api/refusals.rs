//! Refused writes write nothing (each checked by a count), role parsing,
//! unknown ids, the status moves back, list-size limits, paging with
//! `after` on every connection, and linking a seeded person by email.

use serde_json::{Value, json};
use tandem::config::Config;
use tandem_tests::{Backend, SECRET, TestApp, on_both_backends, token_for};

async fn id_of(app: &TestApp, sub: &str) -> Value {
    app.as_user(sub, "{ me { id } }", json!({})).await.data()["me"]["id"].clone()
}

async fn with_profiles(app: &TestApp, sub: &str) -> Value {
    let mentor = json!({ "capacity": 2, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": [] });
    let mentee = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": [] });
    app.as_user(
        sub,
        "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
        json!({ "i": mentor }),
    )
    .await
    .data();
    app.as_user(
        sub,
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": mentee }),
    )
    .await
    .data();
    id_of(app, sub).await
}

async fn program(app: &TestApp, status: &str) -> Value {
    let created = app
        .as_ospo(
            r#"mutation { createProgram(input: { name: "P", startsOn: "2027-01-01", endsOn: "2027-02-01" }) { id } }"#,
            json!({}),
        )
        .await;
    let id = created.data()["createProgram"]["id"].clone();
    if status != "DRAFT" {
        app.as_ospo(
            "mutation($p: ID!, $s: ProgramStatus!) { setProgramStatus(id: $p, status: $s) { id } }",
            json!({ "p": id, "s": status }),
        )
        .await
        .data();
    }
    id
}

const ENROLL: &str = "mutation($i: EnrollInput!) { enroll(input: $i) { id } }";

async fn refused_writes_write_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let ana = with_profiles(&app, "ana").await;
    let bare = id_of(&app, "bare").await;
    let p = program(&app, "OPEN").await;
    let audit = app.count("SELECT COUNT(*) FROM audit_event").await;

    let by_employee = app
        .as_user(
            "ana",
            ENROLL,
            json!({ "i": { "programId": p, "personIds": [ana], "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(by_employee.code(), "FORBIDDEN");
    let unknown = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": p, "personIds": [ana, "nobody"], "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    let no_profile = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": p, "personIds": [ana, bare], "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(no_profile.code(), "BAD_USER_INPUT");
    let too_many: Vec<String> = (0..5001).map(|i| format!("p{i}")).collect();
    let over = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": p, "personIds": too_many, "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(over.code(), "BAD_USER_INPUT");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM program_enrollment").await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request").await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_event").await, audit);

    // Enrolment that goes through is audited, one row per person.
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": p, "personIds": [ana], "role": "MENTOR" } }),
    )
    .await
    .data();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'enrollment'")
            .await,
        1
    );
    let enrolled = app
        .as_user(
            "ana",
            "query($p: ID!) { program(id: $p) { enrolled(role: MENTOR) { id } } }",
            json!({ "p": p }),
        )
        .await;
    assert_eq!(
        enrolled.code(),
        "FORBIDDEN",
        "only the OSPO lists who is enrolled"
    );

    let commit = app
        .as_user(
            "ana",
            "mutation($p: ID!) { runCohortMatching(input: { programId: $p, dryRun: false }) { objective } }",
            json!({ "p": p }),
        )
        .await;
    assert_eq!(commit.code(), "FORBIDDEN");
    assert_eq!(app.count("SELECT COUNT(*) FROM mentorship_match").await, 0);

    // Catalog writes: the OSPO's only, and a refused rename keeps the name.
    let foundations = app.count("SELECT COUNT(*) FROM foundation").await;
    let projects = app.count("SELECT COUNT(*) FROM project").await;
    let f = app
        .as_user(
            "ana",
            r#"mutation { upsertFoundation(input: { slug: "osi", name: "OSI" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(f.code(), "FORBIDDEN");
    let pr = app
        .as_user(
            "ana",
            r#"mutation { upsertProject(input: { slug: "new", name: "New" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(pr.code(), "FORBIDDEN");
    let rename = app
        .as_user(
            "ana",
            r#"mutation { upsertFoundation(input: { slug: "finos", name: "Renamed" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(rename.code(), "FORBIDDEN");
    let empty_name = app
        .as_ospo(
            r#"mutation { upsertProject(input: { slug: "tokio", name: "  " }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(empty_name.code(), "BAD_USER_INPUT");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM foundation").await,
        foundations
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM project").await, projects);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM foundation WHERE name = 'FINOS'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM project WHERE name = 'tokio'")
            .await,
        1
    );
}

async fn roles_are_compared_exactly(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let as_claims = |roles: Value| {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({ "sub": "r", "iss": "tandem", "aud": "tandem", "exp": now + 600, "roles": roles });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    let create = r#"mutation { createProgram(input: { name: "R", startsOn: "2027-01-01", endsOn: "2027-02-01" }) { id } }"#;
    let single = app
        .gql(Some(&as_claims(json!("ospo"))), create, json!({}))
        .await;
    single.data();
    for refused in [json!("OSPO"), json!(["ospo-admin"]), json!(["Ospo"])] {
        let r = app
            .gql(Some(&as_claims(refused.clone())), create, json!({}))
            .await;
        assert_eq!(
            r.code(),
            "FORBIDDEN",
            "{refused} must not grant the OSPO's rights"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM program").await, 1);

    // A custom roles claim.
    let Some(custom) = TestApp::spawn_with(backend, |c: &mut Config| {
        c.jwt.roles_claim = "groups".into();
    })
    .await
    else {
        return;
    };
    let now = chrono::Utc::now().timestamp();
    let token = |claim: &str| {
        let claims = json!({ "sub": "g", "iss": "tandem", "aud": "tandem", "exp": now + 600, claim: ["ospo"] });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    custom
        .gql(Some(&token("groups")), create, json!({}))
        .await
        .data();
    let wrong_claim = custom.gql(Some(&token("roles")), create, json!({})).await;
    assert_eq!(wrong_claim.code(), "FORBIDDEN");
}

async fn unknown_ids_and_status_moves_back(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let ana = with_profiles(&app, "ana").await;
    let missing = app
        .as_ospo("{ program(id: \"nope\") { id } }", json!({}))
        .await;
    assert_eq!(missing.data()["program"], Value::Null);
    for query in [
        "{ matchingPolicy(programId: \"nope\") { version } }",
        "{ recommendations(programId: \"nope\") { score { total } } }",
    ] {
        let r = app.as_user("ana", query, json!({})).await;
        assert_eq!(r.code(), "NOT_FOUND", "{query}");
    }
    let pair = app
        .as_user(
            "ana",
            "query($m: ID!, $e: ID!) { scorePair(mentorId: $m, menteeId: $e, programId: \"nope\") { total } }",
            json!({ "m": ana, "e": ana }),
        )
        .await;
    assert_eq!(pair.code(), "NOT_FOUND");
    let status =
        "mutation($p: ID!, $s: ProgramStatus!) { setProgramStatus(id: $p, status: $s) { status } }";
    let p = program(&app, "OPEN").await;
    let back = app.as_ospo(status, json!({ "p": p, "s": "DRAFT" })).await;
    assert_eq!(back.data()["setProgramStatus"]["status"], "DRAFT");
    app.as_ospo(status, json!({ "p": p, "s": "OPEN" }))
        .await
        .data();
    app.as_ospo(status, json!({ "p": p, "s": "MATCHING" }))
        .await
        .data();
    let reopened = app.as_ospo(status, json!({ "p": p, "s": "OPEN" })).await;
    assert_eq!(reopened.data()["setProgramStatus"]["status"], "OPEN");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'program'")
            .await,
        6,
        "created, open, draft, open, matching, open"
    );
    let huge = app
        .as_user(
            "ana",
            "{ skills(first: 101) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(huge.code(), "BAD_USER_INPUT");
}

/// Walks a connection two at a time with `after`, returning every node's id.
async fn walk(app: &TestApp, sub: &str, field: &str, args: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..50 {
        let query = format!(
            "query($a: String) {{ {field}(first: 2, after: $a{args}) {{ edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let page = app.as_user(sub, &query, json!({ "a": after })).await;
        let data = &page.data()[field];
        for edge in data["edges"].as_array().unwrap() {
            seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
        }
        if data["pageInfo"]["hasNextPage"] != true {
            return seen;
        }
        after = data["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    panic!("{field} never ended");
}

async fn every_connection_pages_with_after(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    for i in 0..5 {
        with_profiles(&app, &format!("m{i}")).await;
    }
    for _ in 0..3 {
        program(&app, "DRAFT").await;
    }
    let unique = |ids: &[String]| {
        let mut sorted = ids.to_vec();
        sorted.sort();
        sorted.dedup();
        sorted.len()
    };
    for (field, args, expected) in [
        ("skills", "", 5),
        ("foundations", "", 3),
        ("projects", "", 3),
        ("programs", "", 3),
        ("mentors", "", 5),
    ] {
        let ids = walk(&app, "m0", field, args).await;
        assert_eq!(ids.len(), expected, "{field}: {ids:?}");
        assert_eq!(unique(&ids), expected, "{field} repeated a node");
    }
    // The caller's own requests and matches, and a match's check-ins: m0
    // asks three times (withdrawing each) and mentors three requests.
    for round in 0..3 {
        let asked = app
            .as_user(
                "m0",
                r#"mutation { requestMentorship(input: { goals: "g" }) { id currentMatch { id mentor { id } } } }"#,
                json!({}),
            )
            .await;
        let request = asked.data()["requestMentorship"].clone();
        if round < 2 {
            app.as_user(
                "m0",
                "mutation($id: ID!) { withdrawRequest(id: $id) { state } }",
                json!({ "id": request["id"] }),
            )
            .await
            .data();
        }
    }
    let requests = walk(&app, "m0", "myRequests", "").await;
    assert_eq!(requests.len(), 3);
    assert_eq!(unique(&requests), 3);
    let matches = walk(&app, "m0", "myMatches", ", role: MENTEE").await;
    assert_eq!(matches.len(), 3);
    assert_eq!(unique(&matches), 3);
}

async fn a_seeded_person_is_linked_by_email_on_first_sign_in(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    tandem::seed::seed_demo(&app.db, 20, 20, |_, _| {})
        .await
        .unwrap();
    let people = app.count("SELECT COUNT(*) FROM person").await;
    let backend_sql = sea_orm::ConnectionTrait::get_database_backend(&app.db);
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &app.db,
        sea_orm::Statement::from_string(
            backend_sql,
            "SELECT id, email FROM person WHERE sub IS NULL AND email IS NOT NULL ORDER BY id LIMIT 1",
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let (id, email): (String, String) = (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
    );
    let token = token_for("sso-42", Some("Seeded Person"), Some(&email), &[]);
    let me = app
        .gql(Some(&token), "{ me { id email } }", json!({}))
        .await;
    assert_eq!(me.data()["me"]["id"], id.as_str());
    assert_eq!(me.data()["me"]["email"], email.as_str());
    assert_eq!(app.count("SELECT COUNT(*) FROM person").await, people);
}

on_both_backends!(
    refused_writes_write_nothing,
    roles_are_compared_exactly,
    unknown_ids_and_status_moves_back,
    every_connection_pages_with_after,
    a_seeded_person_is_linked_by_email_on_first_sign_in,
);
