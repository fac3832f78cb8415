//! Cohort matching through the GraphQL API: dry run against commit, capacity,
//! reasons, OSPO-only, and two concurrent commits on two server instances.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

const RUN: &str = "mutation($i: CohortMatchingInput!) { runCohortMatching(input: $i) { strategy dryRun objective blockingPairs policyVersion assignments { mentee { displayName } mentor { displayName } matchId score { total components { criterion } } } unmatched { mentee { displayName } reason } } }";

async fn mentor(app: &TestApp, sub: &str, capacity: i32, skills: Value) -> String {
    let input = json!({ "capacity": capacity, "accepting": true, "skills": skills, "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] });
    let r = app
        .as_user(
            sub,
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    app.as_user(
        sub,
        r#"mutation { updateMyProfile(input: { osmmLevel: 4 }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    r.data()["setMentorProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn mentee(app: &TestApp, sub: &str, skills: Value) -> String {
    let input = json!({ "targetLevel": 3, "skills": skills, "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] });
    let r = app
        .as_user(
            sub,
            "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    r.data()["setMenteeProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An open program with `mentors` (sub, capacity) and `mentees` (sub) enrolled.
async fn cohort(app: &TestApp, mentors: &[(&str, i32)], mentees: &[&str]) -> Value {
    app.seed_catalog().await;
    let mut mentor_ids = Vec::new();
    for (sub, capacity) in mentors {
        mentor_ids.push(
            mentor(
                app,
                sub,
                *capacity,
                json!([{ "skill": "rust", "proficiency": 5 }]),
            )
            .await,
        );
    }
    let mut mentee_ids = Vec::new();
    for sub in mentees {
        mentee_ids.push(mentee(app, sub, json!([{ "skill": "rust", "priority": 1 }])).await);
    }
    let created = app
        .as_ospo(
            "mutation { createProgram(input: { name: \"Cohort\", startsOn: \"2027-01-01\", endsOn: \"2027-06-30\" }) { id } }",
            json!({}),
        )
        .await;
    let id = created.data()["createProgram"]["id"].clone();
    app.as_ospo(
        "mutation($id: ID!) { setProgramStatus(id: $id, status: OPEN) { id } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let enroll = "mutation($i: EnrollInput!) { enroll(input: $i) { id } }";
    app.as_ospo(
        enroll,
        json!({ "i": { "programId": id, "personIds": mentor_ids, "role": "MENTOR" } }),
    )
    .await
    .data();
    app.as_ospo(
        enroll,
        json!({ "i": { "programId": id, "personIds": mentee_ids, "role": "MENTEE" } }),
    )
    .await
    .data();
    id
}

async fn dry_run_reports_and_commit_proposes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let program = cohort(
        &app,
        &[("mentor-a", 1), ("mentor-b", 1)],
        &["mentee-1", "mentee-2", "mentee-3"],
    )
    .await;
    let forbidden = app
        .as_user(
            "mentee-1",
            RUN,
            json!({ "i": { "programId": program, "dryRun": true } }),
        )
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");

    let dry = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": true } }),
        )
        .await;
    let dry = dry.data()["runCohortMatching"].clone();
    assert_eq!(dry["dryRun"], true);
    assert_eq!(dry["strategy"], "OPTIMAL");
    assert_eq!(dry["assignments"].as_array().unwrap().len(), 2);
    assert_eq!(dry["unmatched"].as_array().unwrap().len(), 1);
    assert_eq!(dry["unmatched"][0]["reason"], "MENTORS_FULL");
    assert!(
        dry["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["matchId"].is_null())
    );
    assert_eq!(
        dry["assignments"][0]["score"]["components"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    let sum: f64 = dry["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["score"]["total"].as_f64().unwrap())
        .sum();
    assert!((sum - dry["objective"].as_f64().unwrap()).abs() < 1e-6);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_match").await,
        0,
        "a dry run wrote matches"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'open'")
            .await,
        3
    );

    let stable = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": true, "strategy": "STABLE" } }),
        )
        .await;
    assert_eq!(stable.data()["runCohortMatching"]["blockingPairs"], 0);

    let commit = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": false } }),
        )
        .await;
    let commit = commit.data()["runCohortMatching"].clone();
    assert_eq!(commit["assignments"].as_array().unwrap().len(), 2);
    assert!(
        commit["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["matchId"].is_string())
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_match WHERE state = 'proposed'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'proposed'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'open'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COALESCE(SUM(live_count), 0) FROM mentor_profile")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_match WHERE expires_at IS NULL")
            .await,
        0
    );
    let status = app
        .as_ospo(
            "query($id: ID!) { program(id: $id) { status } }",
            json!({ "id": program }),
        )
        .await;
    assert_eq!(status.data()["program"]["status"], "RUNNING");
    let again = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": false } }),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(app.count("SELECT COUNT(*) FROM mentorship_match").await, 2);
}

async fn free_capacity_at_commit_time_is_respected(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let program = cohort(&app, &[("busy", 2)], &["m1", "m2"]).await;
    // One seat is already taken elsewhere.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("UPDATE mentor_profile SET live_count = 1")
        .await
        .unwrap();
    let commit = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": false } }),
        )
        .await;
    let result = &commit.data()["runCohortMatching"];
    assert_eq!(result["assignments"].as_array().unwrap().len(), 1);
    assert_eq!(result["unmatched"][0]["reason"], "MENTORS_FULL");
    assert_eq!(
        app.count("SELECT CAST(live_count AS BIGINT) FROM mentor_profile")
            .await,
        2
    );
}

async fn a_draft_program_cannot_be_matched(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let created = app
        .as_ospo("mutation { createProgram(input: { name: \"D\", startsOn: \"2027-01-01\", endsOn: \"2027-02-01\" }) { id } }", json!({}))
        .await;
    let id = created.data()["createProgram"]["id"].clone();
    assert_eq!(
        app.as_ospo(RUN, json!({ "i": { "programId": id, "dryRun": true } }))
            .await
            .code(),
        "CONFLICT"
    );
    assert_eq!(
        app.as_ospo(RUN, json!({ "i": { "programId": "nope", "dryRun": true } }))
            .await
            .code(),
        "NOT_FOUND"
    );
}

async fn concurrent_commits_on_two_instances_one_wins(backend: Backend) {
    // Repeated: a race that is won by luck once can be lost the next time.
    for round in 0..4 {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let other = app.another_instance().await;
        let program = cohort(
            &app,
            &[("a", 2), ("b", 2), ("c", 1)],
            &["e1", "e2", "e3", "e4", "e5", "e6"],
        )
        .await;
        let input = json!({ "i": { "programId": program, "dryRun": false } });
        let (first, second) = tokio::join!(
            app.as_ospo(RUN, input.clone()),
            other.as_ospo(RUN, input.clone())
        );
        let outcomes = [&first, &second];
        let wins = outcomes
            .iter()
            .filter(|r| r.body.get("errors").is_none())
            .count();
        assert_eq!(
            wins, 1,
            "round {round}\nfirst: {:#}\nsecond: {:#}",
            first.body, second.body
        );
        let loser = outcomes
            .iter()
            .find(|r| r.body.get("errors").is_some())
            .unwrap();
        assert_eq!(loser.code(), "CONFLICT");
        assert_eq!(app.count("SELECT COUNT(*) FROM mentorship_match").await, 5);
        let doubled = app.count("SELECT COUNT(*) FROM (SELECT mentee_id FROM mentorship_match GROUP BY mentee_id HAVING COUNT(*) > 1) d").await;
        assert_eq!(doubled, 0, "a mentee got two proposals");
        assert_eq!(
            app.count("SELECT COALESCE(SUM(live_count), 0) FROM mentor_profile")
                .await,
            5,
            "seats taken = proposals made"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'proposed'")
                .await,
            5
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'open'")
                .await,
            1
        );
        let over = app
            .count("SELECT COUNT(*) FROM mentor_profile WHERE live_count > capacity")
            .await;
        assert_eq!(over, 0);
    }
}

async fn a_commit_racing_a_capacity_change_ends_legally(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let other = app.another_instance().await;
    let program = cohort(&app, &[("a", 3)], &["e1", "e2", "e3"]).await;
    let lower = json!({ "i": { "capacity": 1, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] } });
    let (commit, lowered) = tokio::join!(
        app.as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": false } })
        ),
        other.as_user(
            "a",
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            lower
        ),
    );
    for r in [&commit, &lowered] {
        if r.body.get("errors").is_some() {
            assert_eq!(r.code(), "CONFLICT", "{:#}", r.body);
        }
    }
    let capacity = app
        .count("SELECT CAST(capacity AS BIGINT) FROM mentor_profile")
        .await;
    let live = app
        .count("SELECT CAST(live_count AS BIGINT) FROM mentor_profile")
        .await;
    let proposals = app.count("SELECT COUNT(*) FROM mentorship_match").await;
    assert!(live <= capacity, "live {live} over capacity {capacity}");
    assert_eq!(live, proposals, "seats taken = proposals made");
    if commit.body.get("errors").is_none() && lowered.body.get("errors").is_none() {
        // Lowered first: the commit saw one seat.
        assert_eq!((capacity, proposals), (1, 1));
    }
}

async fn two_policy_saves_at_once_get_one_version_each(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let other = app.another_instance().await;
    let save = "mutation { setMatchingPolicy(input: { weights: { skills: 1, projects: 1, foundations: 1, maturity: 1, topics: 1, timezone: 1, language: 1, load: 1 } }) { version } }";
    let (a, b) = tokio::join!(app.as_ospo(save, json!({})), other.as_ospo(save, json!({})));
    let mut versions = Vec::new();
    for r in [&a, &b] {
        if r.body.get("errors").is_some() {
            assert_eq!(r.code(), "CONFLICT", "{:#}", r.body);
        } else {
            versions.push(r.data()["setMatchingPolicy"]["version"].as_i64().unwrap());
        }
    }
    versions.sort();
    assert!(
        versions == [1] || versions == [1, 2],
        "versions {versions:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM matching_policy").await,
        versions.len() as i64
    );
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT version) FROM matching_policy")
            .await,
        versions.len() as i64
    );
}

async fn a_policy_preview_shows_the_cohort_under_both_policies(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let program = cohort(
        &app,
        &[("mentor-a", 1), ("mentor-b", 1)],
        &["mentee-1", "mentee-2"],
    )
    .await;
    let weights = json!({ "skills": 1, "projects": 1, "foundations": 1, "maturity": 1, "topics": 1, "timezone": 1, "language": 1, "load": 1 });
    let preview = app
        .as_ospo(
            "query($i: MatchingPolicyInput!) { previewMatchingPolicy(input: $i) { current { mentor { id } } currentCohort { assignments { mentor { id } } policyVersion } candidateCohort { assignments { mentor { id } } unmatched { reason } policyVersion } } }",
            json!({ "i": { "programId": program, "weights": weights, "minScore": 100 } }),
        )
        .await;
    let preview = &preview.data()["previewMatchingPolicy"];
    assert_eq!(preview["current"], json!([]), "no mentee asked, no top-k");
    assert_eq!(
        preview["currentCohort"]["assignments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(preview["currentCohort"]["policyVersion"], 0);
    assert_eq!(preview["candidateCohort"]["assignments"], json!([]));
    assert_eq!(preview["candidateCohort"]["policyVersion"], 1);
    let unmatched = preview["candidateCohort"]["unmatched"].as_array().unwrap();
    assert_eq!(unmatched.len(), 2);
    assert!(
        unmatched
            .iter()
            .all(|u| u["reason"] == "BELOW_MINIMUM_SCORE")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM matching_policy").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM mentorship_match").await, 0);
}

async fn program_recommendations_use_the_program_policy_and_mentors(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let program = cohort(&app, &[("in-program", 1)], &["mentee-1"]).await;
    mentor(
        &app,
        "outside",
        3,
        json!([{ "skill": "rust", "proficiency": 5 }]),
    )
    .await;
    let weights = json!({ "skills": 2, "projects": 0, "foundations": 0, "maturity": 1, "topics": 1, "timezone": 0, "language": 0, "load": 0 });
    let set = app
        .as_ospo("mutation($i: MatchingPolicyInput!) { setMatchingPolicy(input: $i) { version programId } }", json!({ "i": { "programId": program, "weights": weights } }))
        .await;
    assert_eq!(set.data()["setMatchingPolicy"]["version"], 1);
    // No API field shows it, but the stored version says who saved it, for
    // whoever later asks why the weights are what they are.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM matching_policy p JOIN person o ON o.id = p.created_by \
             WHERE p.version = 1 AND o.sub = 'ospo-admin'"
        )
        .await,
        1
    );
    let query = "query($p: ID) { recommendations(programId: $p) { mentor { displayName } score { policyVersion } } }";
    let inside = app
        .as_user("mentee-1", query, json!({ "p": program }))
        .await;
    assert_eq!(
        inside.data()["recommendations"],
        json!([{ "mentor": { "displayName": "in-program" }, "score": { "policyVersion": 1 } }])
    );
    let everywhere = app.as_user("mentee-1", query, json!({ "p": null })).await;
    assert_eq!(
        everywhere.data()["recommendations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        everywhere.data()["recommendations"][0]["score"]["policyVersion"],
        0,
        "the default policy is unchanged"
    );
    let policy = app
        .as_user(
            "mentee-1",
            "query($p: ID!) { program(id: $p) { policy { version weights { skills } } } }",
            json!({ "p": program }),
        )
        .await;
    assert_eq!(
        policy.data()["program"]["policy"],
        json!({ "version": 1, "weights": { "skills": 2.0 } })
    );
}

/// A cohort whose optimum is not the stable matching. Only the wanted skills
/// differ, so with f(p) the credit for proficiency p (increasing):
/// e1 wants rust and go: A (rust 5, go 4) = (f5 + f4) / 2, B (rust 4, go 4) = f4;
/// e2 wants licensing: A (licensing 4) = f4, B (none) = 0.
/// e1 and A prefer each other, so the stable matching is (e1 A, e2 B); the
/// optimum gives A to e2 and B to e1 (2 f4 > (f5 + f4) / 2), and (e1, A)
/// blocks it.
async fn optimal_and_stable_differ_on_a_known_cohort(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let a = mentor(
        &app,
        "A",
        1,
        json!([{ "skill": "rust", "proficiency": 5 }, { "skill": "go", "proficiency": 4 }, { "skill": "licensing", "proficiency": 4 }]),
    )
    .await;
    let b = mentor(
        &app,
        "B",
        1,
        json!([{ "skill": "rust", "proficiency": 4 }, { "skill": "go", "proficiency": 4 }]),
    )
    .await;
    let e1 = mentee(
        &app,
        "e1",
        json!([{ "skill": "rust", "priority": 1 }, { "skill": "go", "priority": 1 }]),
    )
    .await;
    let e2 = mentee(&app, "e2", json!([{ "skill": "licensing", "priority": 1 }])).await;
    let created = app
        .as_ospo(
            "mutation { createProgram(input: { name: \"Known\", startsOn: \"2027-01-01\", endsOn: \"2027-06-30\" }) { id } }",
            json!({}),
        )
        .await;
    let program = created.data()["createProgram"]["id"].clone();
    app.as_ospo(
        "mutation($id: ID!) { setProgramStatus(id: $id, status: OPEN) { id } }",
        json!({ "id": program }),
    )
    .await
    .data();
    let enroll = "mutation($i: EnrollInput!) { enroll(input: $i) { id } }";
    for (ids, role) in [(json!([a, b]), "MENTOR"), (json!([e1, e2]), "MENTEE")] {
        app.as_ospo(
            enroll,
            json!({ "i": { "programId": program, "personIds": ids, "role": role } }),
        )
        .await
        .data();
    }
    let pairs = |result: &Value| -> Vec<(String, String)> {
        let list = result["assignments"].as_array().unwrap();
        let mut pairs: Vec<(String, String)> = list
            .iter()
            .map(|x| {
                (
                    x["mentee"]["displayName"].as_str().unwrap().to_owned(),
                    x["mentor"]["displayName"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        pairs.sort();
        pairs
    };
    let total = |result: &Value, mentee: &str| -> f64 {
        result["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["mentee"]["displayName"] == mentee)
            .map(|x| x["score"]["total"].as_f64().unwrap())
            .unwrap()
    };
    let run = |strategy: &'static str| {
        let program = program.clone();
        let app = &app;
        async move {
            let r = app
                .as_ospo(
                    RUN,
                    json!({ "i": { "programId": program, "dryRun": true, "strategy": strategy } }),
                )
                .await;
            r.data()["runCohortMatching"].clone()
        }
    };
    let optimal = run("OPTIMAL").await;
    let stable = run("STABLE").await;
    let own = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(e, m)| (e.to_string(), m.to_string()))
            .collect()
    };
    assert_eq!(pairs(&optimal), own(&[("e1", "B"), ("e2", "A")]));
    assert_eq!(pairs(&stable), own(&[("e1", "A"), ("e2", "B")]));
    assert_eq!(optimal["blockingPairs"], 1, "(e1, A) blocks the optimum");
    assert_eq!(stable["blockingPairs"], 0);
    let (o, s) = (
        optimal["objective"].as_f64().unwrap(),
        stable["objective"].as_f64().unwrap(),
    );
    assert!((o - (total(&optimal, "e1") + total(&optimal, "e2"))).abs() < 1e-6);
    assert!((s - (total(&stable, "e1") + total(&stable, "e2"))).abs() < 1e-6);
    assert!(o > s, "the optimum ({o}) beats the stable matching ({s})");

    // Without a strategy the policy's applies (OPTIMAL by default).
    let default = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": true } }),
        )
        .await;
    assert_eq!(default.data()["runCohortMatching"]["strategy"], "OPTIMAL");
    app.as_ospo(
        "mutation($p: ID!) { setMatchingPolicy(input: { programId: $p, weights: { skills: 40, projects: 10, foundations: 10, maturity: 15, topics: 15, timezone: 5, language: 5, load: 5 }, strategy: STABLE, proposalSlaHours: 30 }) { version } }",
        json!({ "p": program }),
    )
    .await
    .data();
    let by_policy = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": true } }),
        )
        .await;
    let by_policy = by_policy.data()["runCohortMatching"].clone();
    assert_eq!(by_policy["strategy"], "STABLE");
    assert_eq!(pairs(&by_policy), own(&[("e1", "A"), ("e2", "B")]));

    // The commit's proposals expire the policy's SLA after they were made.
    let commit = app
        .as_ospo(
            RUN,
            json!({ "i": { "programId": program, "dryRun": false } }),
        )
        .await;
    let commit = commit.data()["runCohortMatching"].clone();
    let assigned = commit["assignments"].as_array().unwrap();
    assert_eq!(assigned.len(), 2);
    for x in assigned {
        let read = app
            .as_ospo(
                "query($id: ID!) { match(id: $id) { proposedAt expiresAt score { policyVersion } } }",
                json!({ "id": x["matchId"] }),
            )
            .await;
        let m = &read.data()["match"];
        let at =
            |k: &str| -> chrono::DateTime<chrono::Utc> { m[k].as_str().unwrap().parse().unwrap() };
        assert_eq!(
            at("expiresAt") - at("proposedAt"),
            chrono::Duration::hours(30)
        );
        assert_eq!(m["score"]["policyVersion"], 1);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'match' AND to_state = 'proposed'")
            .await,
        2,
        "the commit audits each proposal"
    );
}

on_both_backends!(
    optimal_and_stable_differ_on_a_known_cohort,
    program_recommendations_use_the_program_policy_and_mentors,
    a_policy_preview_shows_the_cohort_under_both_policies,
    dry_run_reports_and_commit_proposes,
    free_capacity_at_commit_time_is_respected,
    a_draft_program_cannot_be_matched,
    concurrent_commits_on_two_instances_one_wins,
    a_commit_racing_a_capacity_change_ends_legally,
    two_policy_saves_at_once_get_one_version_each,
);
