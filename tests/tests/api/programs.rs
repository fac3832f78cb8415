//! Programs through the GraphQL API: OSPO-only writes, the status workflow,
//! enrollment creating program requests.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

const CREATE: &str =
    "mutation($i: ProgramInput!) { createProgram(input: $i) { id name status startsOn endsOn } }";
const STATUS: &str =
    "mutation($id: ID!, $s: ProgramStatus!) { setProgramStatus(id: $id, status: $s) { status } }";
const ENROLL: &str =
    "mutation($i: EnrollInput!) { enroll(input: $i) { id enrolled(role: MENTEE) { id } } }";

fn program_input() -> Value {
    json!({ "name": "Spring 2027 cohort", "startsOn": "2027-03-01", "endsOn": "2027-06-30", "description": "First cohort" })
}

pub async fn person_with_profiles(app: &TestApp, sub: &str, mentor: bool) -> String {
    let query = if mentor {
        r#"mutation { setMentorProfile(input: { capacity: 2, accepting: true, skills: [{ skill: "rust", proficiency: 4 }], projects: [], foundations: [], topics: [MAINTAINERSHIP] }) { id } }"#
    } else {
        r#"mutation { setMenteeProfile(input: { targetLevel: 3, skills: [{ skill: "rust", priority: 1 }], projects: [], foundations: [], topics: [MAINTAINERSHIP] }) { id } }"#
    };
    let response = app.as_user(sub, query, json!({})).await;
    let data = response.data();
    let key = if mentor {
        "setMentorProfile"
    } else {
        "setMenteeProfile"
    };
    data[key]["id"].as_str().unwrap().to_owned()
}

async fn programs_are_created_moved_and_listed_by_the_ospo(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    assert_eq!(
        app.as_user("eve", CREATE, json!({ "i": program_input() }))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM program").await, 0);
    let mut backwards = program_input();
    backwards["endsOn"] = json!("2027-01-01");
    assert_eq!(
        app.as_ospo(CREATE, json!({ "i": backwards })).await.code(),
        "BAD_USER_INPUT"
    );
    let mut bad_date = program_input();
    bad_date["startsOn"] = json!("2027-02-30");
    let refused = app.as_ospo(CREATE, json!({ "i": bad_date })).await;
    assert!(
        matches!(
            refused.code(),
            "BAD_USER_INPUT" | "GRAPHQL_VALIDATION_FAILED"
        ),
        "{:#}",
        refused.body
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM program").await, 0);

    let created = app.as_ospo(CREATE, json!({ "i": program_input() })).await;
    let program = created.data()["createProgram"].clone();
    assert_eq!(program["status"], "DRAFT");
    assert_eq!(program["startsOn"], "2027-03-01");
    let id = program["id"].clone();

    assert_eq!(
        app.as_user("eve", STATUS, json!({ "id": id, "s": "OPEN" }))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.as_ospo(STATUS, json!({ "id": id, "s": "RUNNING" }))
            .await
            .code(),
        "CONFLICT"
    );
    assert_eq!(
        app.as_ospo(STATUS, json!({ "id": id, "s": "OPEN" }))
            .await
            .data()["setProgramStatus"]["status"],
        "OPEN"
    );
    assert_eq!(
        app.as_ospo(STATUS, json!({ "id": id, "s": "MATCHING" }))
            .await
            .data()["setProgramStatus"]["status"],
        "MATCHING"
    );
    assert_eq!(
        app.as_ospo(STATUS, json!({ "id": "nope", "s": "OPEN" }))
            .await
            .code(),
        "NOT_FOUND"
    );
    let listed = app
        .as_user(
            "eve",
            "{ programs { edges { node { name status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data()["programs"]["edges"],
        json!([{ "node": { "name": "Spring 2027 cohort", "status": "MATCHING" } }])
    );
    assert_eq!(
        app.as_ospo(STATUS, json!({ "id": id, "s": "CLOSED" }))
            .await
            .data()["setProgramStatus"]["status"],
        "CLOSED"
    );
    assert_eq!(
        app.as_ospo(STATUS, json!({ "id": id, "s": "OPEN" }))
            .await
            .code(),
        "CONFLICT"
    );
    // Every move is in the audit trail.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'program'")
            .await,
        4
    );
}

async fn enrolling_mentees_opens_their_program_requests(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let mentor = person_with_profiles(&app, "mentor-1", true).await;
    let mentees = [
        person_with_profiles(&app, "mentee-1", false).await,
        person_with_profiles(&app, "mentee-2", false).await,
    ];
    let id = app
        .as_ospo(CREATE, json!({ "i": program_input() }))
        .await
        .data()["createProgram"]["id"]
        .clone();
    app.as_ospo(STATUS, json!({ "id": id, "s": "OPEN" }))
        .await
        .data();

    let as_eve = app
        .as_user(
            "eve",
            ENROLL,
            json!({ "i": { "programId": id, "personIds": mentees, "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(as_eve.code(), "FORBIDDEN");
    let enrolled = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": id, "personIds": mentees, "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(
        enrolled.data()["enroll"]["enrolled"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Enrolling again changes nothing.
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": id, "personIds": mentees, "role": "MENTEE" } }),
    )
    .await
    .data();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'open'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM program_enrollment").await,
        2
    );
    // A mentor needs a mentor profile; unknown people are refused; nothing is half-enrolled.
    let no_profile = app.as_ospo(ENROLL, json!({ "i": { "programId": id, "personIds": [mentor, mentees[0]], "role": "MENTOR" } })).await;
    assert_eq!(no_profile.code(), "BAD_USER_INPUT");
    let unknown = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": id, "personIds": [mentor, "ghost"], "role": "MENTOR" } }),
        )
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM program_enrollment WHERE role = 'mentor'")
            .await,
        0
    );
    let ok = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": id, "personIds": [mentor], "role": "MENTOR" } }),
        )
        .await;
    ok.data();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM program_enrollment WHERE role = 'mentor'")
            .await,
        1
    );
    // A late joiner of a running program is proposed at once.
    app.as_ospo(STATUS, json!({ "id": id, "s": "RUNNING" }))
        .await
        .data();
    let late = person_with_profiles(&app, "mentee-3", false).await;
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": id, "personIds": [late], "role": "MENTEE" } }),
    )
    .await
    .data();
    let asked = app
        .as_user("mentee-3", "{ myRequests(first: 5) { edges { node { state program { id } currentMatch { mentor { id } } } } } }", json!({}))
        .await;
    let edges = asked.data()["myRequests"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["program"]["id"], id);
    // Starting the program proposed the two waiting requests to its one
    // mentor (capacity 2): the late joiner waits for a seat…
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_match WHERE state = 'proposed'")
            .await,
        2
    );
    assert_eq!(edges[0]["node"]["state"], "OPEN");
    // …which a late mentor brings: their seats go to the program's waiting requests.
    let late_mentor = person_with_profiles(&app, "mentor-late", true).await;
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": id, "personIds": [late_mentor], "role": "MENTOR" } }),
    )
    .await
    .data();
    let asked = app
        .as_user(
            "mentee-3",
            "{ myRequests(first: 5) { edges { node { state currentMatch { mentor { id } } } } } }",
            json!({}),
        )
        .await;
    let node = asked.data()["myRequests"]["edges"][0]["node"].clone();
    assert_eq!(node["state"], "PROPOSED");
    assert_eq!(node["currentMatch"]["mentor"]["id"], late_mentor.as_str());
    // A late mentee while a seat is free is proposed within the enrolment.
    let fifth = person_with_profiles(&app, "mentee-5", false).await;
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": id, "personIds": [fifth], "role": "MENTEE" } }),
    )
    .await
    .data();
    let asked = app
        .as_user(
            "mentee-5",
            "{ myRequests(first: 5) { edges { node { state currentMatch { mentor { id } } } } } }",
            json!({}),
        )
        .await;
    let node = asked.data()["myRequests"]["edges"][0]["node"].clone();
    assert_eq!(node["state"], "PROPOSED");
    assert_eq!(node["currentMatch"]["mentor"]["id"], late_mentor.as_str());
    // Once closed, no more enrollments.
    app.as_ospo(STATUS, json!({ "id": id, "s": "CLOSED" }))
        .await
        .data();
    let later = person_with_profiles(&app, "mentee-4", false).await;
    let refused = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": id, "personIds": [later], "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM program_enrollment WHERE role = 'mentee'")
            .await,
        4
    );
}

async fn a_large_enrollment_is_written_in_batches(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // 4,200 mentees: their requests (8 columns each) exceed SQLite's 32,766
    // bound values in one INSERT unless batched. Written straight through the store.
    let (txn, writer) = tandem::db::begin_write(&app.db).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..4200 {
        let person = tandem::store::people::Person {
            id: tandem::store::people::new_id(),
            display_name: format!("Mentee {i}"),
            email: None,
            department: None,
            manager_id: None,
            timezone: None,
            languages: vec![],
            osmm_level: 1,
            deactivated_at: None,
            deactivation_reason: None,
            erased_at: None,
        };
        tandem::store::people::insert(&txn, &person, None)
            .await
            .unwrap();
        let profile = tandem::store::profiles::MenteeProfile {
            person_id: person.id.clone(),
            target_level: 2,
            max_timezone_diff_hours: None,
            languages: vec![],
            skills: vec![],
            projects: vec![],
            foundations: vec![],
            topics: vec![],
        };
        tandem::store::profiles::replace_mentee(&txn, &profile)
            .await
            .unwrap();
        ids.push(person.id);
    }
    txn.commit().await.unwrap();
    // The server's writers queue behind this process's open write.
    drop(writer);
    let id = app
        .as_ospo(CREATE, json!({ "i": program_input() }))
        .await
        .data()["createProgram"]["id"]
        .clone();
    let enrolled = app
        .as_ospo(
            ENROLL,
            json!({ "i": { "programId": id, "personIds": ids, "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(
        enrolled.data()["enroll"]["enrolled"]
            .as_array()
            .unwrap()
            .len(),
        4200
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'open'")
            .await,
        4200
    );
}

on_both_backends!(
    a_large_enrollment_is_written_in_batches,
    programs_are_created_moved_and_listed_by_the_ospo,
    enrolling_mentees_opens_their_program_requests
);
