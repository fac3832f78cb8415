//! Scoring and recommendations through the GraphQL API.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

const RECOMMEND: &str = "query($first: Int) { recommendations(first: $first) { mentor { id displayName } score { eligible total policyVersion components { criterion raw weight contribution explanation } } } }";
const SCORE_PAIR: &str = "query($m: ID!, $e: ID!) { scorePair(mentorId: $m, menteeId: $e) { eligible ineligibleReason total policyVersion components { criterion contribution explanation } } }";
const SET_POLICY: &str = "mutation($i: MatchingPolicyInput!) { setMatchingPolicy(input: $i) { version minScore strategy weights { skills load } } }";

async fn mentor(
    app: &TestApp,
    sub: &str,
    skills: Value,
    accepting: bool,
    timezone: &str,
) -> String {
    let input = json!({ "capacity": 3, "accepting": accepting, "skills": skills, "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] });
    let set = app
        .as_user(
            sub,
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    let id = set.data()["setMentorProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile = format!(
        r#"mutation {{ updateMyProfile(input: {{ osmmLevel: 4, timezone: "{timezone}", languages: ["en"] }}) {{ id }} }}"#
    );
    app.as_user(sub, &profile, json!({})).await.data();
    id
}

async fn mentee(app: &TestApp, sub: &str, max_tz: Option<i32>) -> String {
    let input = json!({
        "targetLevel": 3,
        "skills": [{ "skill": "rust", "priority": 1 }, { "skill": "licensing", "priority": 2 }],
        "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"],
        "maxTimezoneDiffHours": max_tz, "languages": ["en"]
    });
    let set = app
        .as_user(
            sub,
            "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    app.as_user(
        sub,
        r#"mutation { updateMyProfile(input: { osmmLevel: 2, timezone: "Europe/Paris" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    set.data()["setMenteeProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn names(response: &tandem_tests::Gql) -> Vec<String> {
    response.data()["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["mentor"]["displayName"].as_str().unwrap().to_owned())
        .collect()
}

async fn recommendations_rank_by_fit_with_full_breakdowns(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(
        &app,
        "full",
        json!([{ "skill": "rust", "proficiency": 5 }, { "skill": "licensing", "proficiency": 5 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    mentor(
        &app,
        "none",
        json!([{ "skill": "go", "proficiency": 5 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    mentee(&app, "learner", None).await;
    let response = app
        .as_user("learner", RECOMMEND, json!({ "first": 10 }))
        .await;
    assert_eq!(names(&response), ["full", "none"]);
    let recs = response.data()["recommendations"].as_array().unwrap();
    for rec in recs {
        let score = &rec["score"];
        let components = score["components"].as_array().unwrap();
        assert_eq!(components.len(), 8);
        let sum: f64 = components
            .iter()
            .map(|c| c["contribution"].as_f64().unwrap())
            .sum();
        assert!(
            (sum - score["total"].as_f64().unwrap()).abs() < 1e-6,
            "contributions {sum} != total {}",
            score["total"]
        );
        assert_eq!(score["policyVersion"], 0);
        assert!(
            components
                .iter()
                .all(|c| !c["explanation"].as_str().unwrap().is_empty())
        );
    }
    let skills = |i: usize| {
        recs[i]["score"]["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["criterion"] == "SKILLS")
            .unwrap()
            .clone()
    };
    assert_eq!(skills(0)["raw"], 1.0);
    assert_eq!(skills(1)["raw"], 0.0);
    assert!(
        skills(0)["explanation"].as_str().unwrap().contains("rust"),
        "{}",
        skills(0)["explanation"]
    );
    assert!(recs[0]["score"]["total"].as_f64() > recs[1]["score"]["total"].as_f64());
    let one = app
        .as_user("learner", RECOMMEND, json!({ "first": 1 }))
        .await;
    assert_eq!(names(&one), ["full"]);
    assert_eq!(
        app.as_user("learner", RECOMMEND, json!({ "first": 51 }))
            .await
            .code(),
        "BAD_USER_INPUT"
    );
    let no_profile = app.as_user("stranger", RECOMMEND, json!({})).await;
    assert_eq!(no_profile.code(), "BAD_USER_INPUT");
}

async fn ineligible_mentors_never_appear(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let rust = json!([{ "skill": "rust", "proficiency": 5 }]);
    mentor(&app, "ok", rust.clone(), true, "Europe/Berlin").await;
    mentor(&app, "closed", rust.clone(), false, "Europe/Berlin").await;
    mentor(&app, "far", rust.clone(), true, "Pacific/Auckland").await;
    let boss = mentor(&app, "boss", rust.clone(), true, "Europe/Berlin").await;
    let report = mentor(&app, "report", rust.clone(), true, "Europe/Berlin").await;
    // The learner is a mentor too, and must not be recommended to themself.
    let learner = mentor(&app, "learner", rust.clone(), true, "Europe/Paris").await;
    mentee(&app, "learner", Some(3)).await;
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE person SET manager_id = '{boss}' WHERE id = '{learner}'"
        ))
        .await
        .unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE person SET manager_id = '{learner}' WHERE id = '{report}'"
        ))
        .await
        .unwrap();
    // The manager edit bypassed the API; touching a profile is what the cache watches.
    app.as_user(
        "ok",
        r#"mutation { updateMyProfile(input: { department: "Eng" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    let response = app
        .as_user("learner", RECOMMEND, json!({ "first": 10 }))
        .await;
    assert_eq!(names(&response), ["ok"]);

    let explain = |m: &str| app.as_user("learner", SCORE_PAIR, json!({ "m": m, "e": learner }));
    let reason = |g: &tandem_tests::Gql| {
        g.data()["scorePair"]["ineligibleReason"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let by_boss = explain(&boss).await;
    assert_eq!(by_boss.data()["scorePair"]["eligible"], false);
    assert!(reason(&by_boss).contains("manager"), "{}", reason(&by_boss));
    assert!(reason(&explain(&report).await).contains("manager"));
    assert!(reason(&explain(&learner).await).contains("same person"));
    assert_eq!(
        explain(&boss).await.data()["scorePair"]["components"],
        json!([])
    );
}

async fn score_pair_is_for_the_mentee_and_the_ospo(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let m = mentor(
        &app,
        "m",
        json!([{ "skill": "rust", "proficiency": 3 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    let e = mentee(&app, "e", None).await;
    let own = app
        .as_user("e", SCORE_PAIR, json!({ "m": m, "e": e }))
        .await;
    assert_eq!(own.data()["scorePair"]["eligible"], true);
    assert_eq!(
        own.data()["scorePair"]["components"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    let ospo = app.as_ospo(SCORE_PAIR, json!({ "m": m, "e": e })).await;
    assert_eq!(
        ospo.data()["scorePair"]["total"],
        own.data()["scorePair"]["total"]
    );
    assert_eq!(
        app.as_user("m", SCORE_PAIR, json!({ "m": m, "e": e }))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.as_user("someone", SCORE_PAIR, json!({ "m": m, "e": e }))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.as_ospo(SCORE_PAIR, json!({ "m": "ghost", "e": e }))
            .await
            .code(),
        "NOT_FOUND"
    );
}

async fn policies_are_versioned_validated_and_ospo_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(
        &app,
        "full",
        json!([{ "skill": "rust", "proficiency": 5 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    mentor(
        &app,
        "none",
        json!([{ "skill": "go", "proficiency": 1 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    let e = mentee(&app, "e", None).await;
    let weights = json!({ "skills": 1, "projects": 0, "foundations": 0, "maturity": 0, "topics": 0, "timezone": 0, "language": 0, "load": 0 });
    assert_eq!(
        app.as_user("e", SET_POLICY, json!({ "i": { "weights": weights } }))
            .await
            .code(),
        "FORBIDDEN"
    );
    let mut bad = Vec::new();
    for (key, value) in [("skills", json!(-1)), ("maturity", json!(-0.5))] {
        let mut w = weights.clone();
        w[key] = value;
        bad.push(json!({ "weights": w }));
    }
    let mut overflowing = weights.clone();
    overflowing["skills"] = json!(1.5e308);
    overflowing["load"] = json!(1.5e308);
    bad.push(json!({ "weights": overflowing }));
    bad.push(json!({ "weights": { "skills": 0, "projects": 0, "foundations": 0, "maturity": 0, "topics": 0, "timezone": 0, "language": 0, "load": 0 } }));
    bad.push(json!({ "weights": weights, "minScore": 101 }));
    bad.push(json!({ "weights": weights, "minScore": -1 }));
    bad.push(json!({ "weights": weights, "proposalSlaHours": 0 }));
    for input in bad {
        let response = app.as_ospo(SET_POLICY, json!({ "i": input })).await;
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{input}: {:#}",
            response.body
        );
    }
    let unknown_program = app
        .as_ospo(
            SET_POLICY,
            json!({ "i": { "weights": weights, "programId": "nope" } }),
        )
        .await;
    assert_eq!(unknown_program.code(), "NOT_FOUND");
    assert_eq!(app.count("SELECT COUNT(*) FROM matching_policy").await, 0);

    let v1 = app
        .as_ospo(
            SET_POLICY,
            json!({ "i": { "weights": weights, "minScore": 50, "strategy": "STABLE" } }),
        )
        .await;
    assert_eq!(
        v1.data()["setMatchingPolicy"],
        json!({ "version": 1, "minScore": 50.0, "strategy": "STABLE", "weights": { "skills": 1.0, "load": 0.0 } })
    );
    // Only skills count now, and the 1/5-proficiency mentor falls below 50.
    let recs = app.as_user("e", RECOMMEND, json!({})).await;
    assert_eq!(names(&recs), ["full"]);
    assert_eq!(
        recs.data()["recommendations"][0]["score"]["policyVersion"],
        1
    );
    let v2 = app
        .as_ospo(SET_POLICY, json!({ "i": { "weights": weights } }))
        .await;
    assert_eq!(v2.data()["setMatchingPolicy"]["version"], 2);
    assert_eq!(
        v2.data()["setMatchingPolicy"]["minScore"],
        50.0,
        "unset fields keep the values in force"
    );
    let in_force = app
        .as_user("e", "{ matchingPolicy { version strategy } }", json!({}))
        .await;
    assert_eq!(
        in_force.data()["matchingPolicy"],
        json!({ "version": 2, "strategy": "STABLE" })
    );

    // A preview changes nothing.
    let preview = app
        .as_ospo(
            "query($i: MatchingPolicyInput!, $e: ID!) { previewMatchingPolicy(input: $i, menteeId: $e) { current { mentor { displayName } } candidate { mentor { displayName } score { policyVersion } } } }",
            json!({ "i": { "weights": weights, "minScore": 0 }, "e": e }),
        )
        .await;
    let preview = &preview.data()["previewMatchingPolicy"];
    assert_eq!(preview["current"].as_array().unwrap().len(), 1);
    assert_eq!(preview["candidate"].as_array().unwrap().len(), 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM matching_policy").await, 2);
    let preview_by_mentee = app
        .as_user("e", "query($i: MatchingPolicyInput!, $e: ID!) { previewMatchingPolicy(input: $i, menteeId: $e) { current { score { total } } } }", json!({ "i": { "weights": weights }, "e": e }))
        .await;
    assert_eq!(preview_by_mentee.code(), "FORBIDDEN");
}

async fn another_instance_sees_profile_changes_at_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let other = app.another_instance().await;
    app.seed_catalog().await;
    mentor(
        &app,
        "a",
        json!([{ "skill": "rust", "proficiency": 5 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    mentor(
        &app,
        "b",
        json!([{ "skill": "go", "proficiency": 5 }]),
        true,
        "Europe/Berlin",
    )
    .await;
    mentee(&app, "e", None).await;
    assert_eq!(
        names(&app.as_user("e", RECOMMEND, json!({})).await),
        ["a", "b"]
    );
    // b learns rust through the other instance; a stops accepting.
    let set = "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }";
    let profile = |skills: Value, accepting: bool| json!({ "i": { "capacity": 3, "accepting": accepting, "skills": skills, "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] } });
    other
        .as_user(
            "a",
            set,
            profile(json!([{ "skill": "rust", "proficiency": 5 }]), false),
        )
        .await
        .data();
    other.as_user("b", set, profile(json!([{ "skill": "rust", "proficiency": 5 }, { "skill": "licensing", "proficiency": 5 }]), true)).await.data();
    assert_eq!(names(&app.as_user("e", RECOMMEND, json!({})).await), ["b"]);
}

on_both_backends!(
    recommendations_rank_by_fit_with_full_breakdowns,
    ineligible_mentors_never_appear,
    score_pair_is_for_the_mentee_and_the_ospo,
    policies_are_versioned_validated_and_ospo_only,
    another_instance_sees_profile_changes_at_once,
);
