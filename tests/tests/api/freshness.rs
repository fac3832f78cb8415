//! Each instance's compiled mentor pool follows every change made through
//! another instance: a mentor's level and time zone, a catalog entry's name,
//! seats taken by a cohort commit and by a proposal, and a mentor at
//! capacity drops out. Deleting any revision bump (or the load revision)
//! fails one of these.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

const RECOMMEND: &str = "{ recommendations(first: 10) { mentor { displayName } score { total components { criterion raw explanation } } } }";

async fn recommendations(app: &TestApp, sub: &str) -> Vec<Value> {
    let r = app.as_user(sub, RECOMMEND, json!({})).await;
    r.data()["recommendations"].as_array().unwrap().clone()
}

fn component<'a>(rec: &'a Value, criterion: &str) -> &'a Value {
    rec["score"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == criterion)
        .unwrap()
}

async fn setup(app: &TestApp) {
    app.seed_catalog().await;
    let input = json!({ "capacity": 2, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [{ "foundation": "finos", "role": "MEMBER" }], "topics": [] });
    app.as_user(
        "mentor",
        "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
    .data();
    app.as_user(
        "mentor",
        r#"mutation { updateMyProfile(input: { osmmLevel: 3, timezone: "Asia/Tokyo" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    for mentee in ["learner", "other-1", "other-2"] {
        let input = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": ["finos"], "topics": [] });
        app.as_user(
            mentee,
            "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await
        .data();
        app.as_user(
            mentee,
            r#"mutation { updateMyProfile(input: { osmmLevel: 2, timezone: "Europe/Paris" }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    }
}

async fn the_pool_follows_changes_made_through_another_instance(backend: Backend) {
    let Some(a) = TestApp::spawn(backend).await else {
        return;
    };
    let b = a.another_instance().await;
    setup(&a).await;
    let before = recommendations(&a, "learner").await;
    assert_eq!(before.len(), 1);

    // The mentor's level, changed through B, is seen by A.
    b.as_user(
        "mentor",
        r#"mutation { updateMyProfile(input: { osmmLevel: 5 }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    let level = recommendations(&a, "learner").await;
    assert_ne!(
        component(&level[0], "MATURITY")["raw"],
        component(&before[0], "MATURITY")["raw"],
        "A still scores the old level"
    );

    // The mentor's time zone.
    b.as_user(
        "mentor",
        r#"mutation { updateMyProfile(input: { timezone: "Europe/Berlin" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    let zone = recommendations(&a, "learner").await;
    assert_ne!(
        component(&zone[0], "TIMEZONE")["raw"],
        component(&level[0], "TIMEZONE")["raw"],
        "A still scores the old time zone"
    );

    // A catalog entry's name, which explanations show.
    b.as_ospo(
        r#"mutation { upsertFoundation(input: { slug: "finos", name: "Fintech Open Source Foundation" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    let renamed = recommendations(&a, "learner").await;
    let explanation = component(&renamed[0], "FOUNDATIONS")["explanation"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        explanation.contains("Fintech Open Source Foundation"),
        "A explains with the old name: {explanation}"
    );

    // Seats taken through B (a proposal) move the load A scores with.
    let load_before = component(&renamed[0], "LOAD")["raw"].as_f64().unwrap();
    b.as_user(
        "other-1",
        r#"mutation { requestMentorship(input: { goals: "one" }) { state } }"#,
        json!({}),
    )
    .await
    .data();
    let loaded = recommendations(&a, "learner").await;
    let load_after = component(&loaded[0], "LOAD")["raw"].as_f64().unwrap();
    assert!(
        load_after < load_before,
        "A did not see the seat taken: {load_before} → {load_after}"
    );

    // The last seat taken through B: the mentor drops out of A's list.
    b.as_user(
        "other-2",
        r#"mutation { requestMentorship(input: { goals: "two" }) { state } }"#,
        json!({}),
    )
    .await
    .data();
    assert_eq!(
        recommendations(&a, "learner").await,
        Vec::<Value>::new(),
        "a mentor at capacity is still recommended"
    );
}

async fn a_cohort_commit_through_another_instance_moves_the_load(backend: Backend) {
    let Some(a) = TestApp::spawn(backend).await else {
        return;
    };
    let b = a.another_instance().await;
    setup(&a).await;
    let before = recommendations(&a, "learner").await;
    let load_before = component(&before[0], "LOAD")["raw"].as_f64().unwrap();
    let mentor = a.as_user("mentor", "{ me { id } }", json!({})).await.data()["me"]["id"].clone();
    let mentee = a
        .as_user("other-1", "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .clone();
    let created = b
        .as_ospo(
            r#"mutation { createProgram(input: { name: "P", startsOn: "2027-01-01", endsOn: "2027-02-01" }) { id } }"#,
            json!({}),
        )
        .await;
    let program = created.data()["createProgram"]["id"].clone();
    b.as_ospo(
        "mutation($p: ID!) { setProgramStatus(id: $p, status: OPEN) { id } }",
        json!({ "p": program }),
    )
    .await
    .data();
    for (who, role) in [(&mentor, "MENTOR"), (&mentee, "MENTEE")] {
        b.as_ospo(
            "mutation($i: EnrollInput!) { enroll(input: $i) { id } }",
            json!({ "i": { "programId": program, "personIds": [who], "role": role } }),
        )
        .await
        .data();
    }
    b.as_ospo(
        "mutation($p: ID!) { runCohortMatching(input: { programId: $p, dryRun: false }) { assignments { matchId } } }",
        json!({ "p": program }),
    )
    .await
    .data();
    let after = recommendations(&a, "learner").await;
    let load_after = component(&after[0], "LOAD")["raw"].as_f64().unwrap();
    assert!(
        load_after < load_before,
        "A did not see the seat the cohort took: {load_before} → {load_after}"
    );
}

on_both_backends!(
    the_pool_follows_changes_made_through_another_instance,
    a_cohort_commit_through_another_instance_moves_the_load,
);
