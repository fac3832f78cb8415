//! Profiles and catalogs through the GraphQL API: round trips, visibility,
//! the mentor search, and validation that refuses bad input and changes nothing.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

const SET_MENTOR: &str = "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id mentorProfile { capacity accepting liveCount bio topics skills { skill { slug name } proficiency } projects { project { slug foundation { slug } } role } foundations { foundation { slug } role } } } }";
const SET_MENTEE: &str = "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id menteeProfile { targetLevel topics maxTimezoneDiffHours languages skills { skill { slug } priority } projects { slug } foundations { slug } } } }";
/// Every stored field of both profiles, so a refused input that changed any
/// of them shows in the before/after comparison.
const MY_PROFILES: &str = "{ me { id displayName department timezone languages osmmLevel mentorProfile { capacity accepting liveCount skills { skill { slug } proficiency } projects { project { slug } role } foundations { foundation { slug } role } topics bio } menteeProfile { targetLevel skills { skill { slug } priority } projects { slug } foundations { slug } topics maxTimezoneDiffHours languages } } }";

fn mentor_input() -> Value {
    json!({
        "capacity": 3,
        "accepting": true,
        "skills": [{ "skill": "rust", "proficiency": 5 }, { "skill": "licensing", "proficiency": 3 }],
        "projects": [{ "project": "tokio", "role": "MAINTAINER" }, { "project": "legend", "role": "CONTRIBUTOR" }],
        "foundations": [{ "foundation": "finos", "role": "BOARD_MEMBER" }],
        "topics": ["MAINTAINERSHIP", "FIRST_CONTRIBUTION"],
        "bio": "Rust maintainer."
    })
}

fn mentee_input() -> Value {
    json!({
        "targetLevel": 3,
        "skills": [{ "skill": "rust", "priority": 1 }, { "skill": "governance", "priority": 3 }],
        "projects": ["tokio"],
        "foundations": ["cncf"],
        "topics": ["FIRST_CONTRIBUTION"],
        "maxTimezoneDiffHours": 4,
        "languages": ["en", "FR"]
    })
}

async fn profiles_round_trip(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let set = app
        .as_user("mara", SET_MENTOR, json!({ "i": mentor_input() }))
        .await;
    let profile = &set.data()["setMentorProfile"]["mentorProfile"];
    assert_eq!(profile["capacity"], 3);
    assert_eq!(profile["liveCount"], 0);
    assert_eq!(
        profile["skills"][0],
        json!({ "skill": { "slug": "rust", "name": "RUST" }, "proficiency": 5 })
    );
    assert_eq!(profile["projects"].as_array().unwrap().len(), 2);
    assert!(profile["projects"].as_array().unwrap().contains(&json!({ "project": { "slug": "legend", "foundation": { "slug": "finos" } }, "role": "CONTRIBUTOR" })));
    assert_eq!(profile["foundations"][0]["role"], "BOARD_MEMBER");
    assert_eq!(
        profile["topics"],
        json!(["FIRST_CONTRIBUTION", "MAINTAINERSHIP"])
    );

    let mentee = app
        .as_user("mo", SET_MENTEE, json!({ "i": mentee_input() }))
        .await;
    let mentee = &mentee.data()["setMenteeProfile"]["menteeProfile"];
    assert_eq!(mentee["targetLevel"], 3);
    assert_eq!(mentee["languages"], json!(["en", "fr"]));
    assert_eq!(
        mentee["skills"][0],
        json!({ "skill": { "slug": "rust" }, "priority": 1 })
    );
    assert_eq!(mentee["maxTimezoneDiffHours"], 4);

    let update = app
        .as_user(
            "mo",
            r#"mutation { updateMyProfile(input: { displayName: "Mo Mentee", department: "Risk", timezone: "Europe/Paris", languages: ["en"], osmmLevel: 2 }) { displayName department timezone languages osmmLevel } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        update.data()["updateMyProfile"],
        json!({ "displayName": "Mo Mentee", "department": "Risk", "timezone": "Europe/Paris", "languages": ["en"], "osmmLevel": 2 })
    );
    // Setting a profile again replaces it whole.
    let mut smaller = mentor_input();
    smaller["skills"] = json!([{ "skill": "go", "proficiency": 2 }]);
    let again = app
        .as_user("mara", SET_MENTOR, json!({ "i": smaller }))
        .await;
    assert_eq!(
        again.data()["setMentorProfile"]["mentorProfile"]["skills"],
        json!([{ "skill": { "slug": "go", "name": "GO" }, "proficiency": 2 }])
    );
}

async fn others_see_the_mentor_facing_profile_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let mentor_id = app
        .as_user("mara", SET_MENTOR, json!({ "i": mentor_input() }))
        .await
        .data()["setMentorProfile"]["id"]
        .clone();
    // Mara's token carries her email, so the person has one to leak.
    let mara = tandem_tests::token_for("mara", Some("mara"), Some("mara@example.com"), &[]);
    app.gql(
        Some(&mara),
        r#"mutation { updateMyProfile(input: { timezone: "Europe/Berlin" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    let own = app
        .gql(Some(&mara), "{ me { email timezone } }", json!({}))
        .await;
    assert_eq!(own.data()["me"]["email"], "mara@example.com");
    app.gql(Some(&mara), SET_MENTEE, json!({ "i": mentee_input() }))
        .await
        .data();
    let mentee_id = app
        .as_user("mo", SET_MENTEE, json!({ "i": mentee_input() }))
        .await
        .data()["setMenteeProfile"]["id"]
        .clone();
    let query = "query($id: ID!) { person(id: $id) { displayName email timezone mentorProfile { capacity } menteeProfile { targetLevel } } }";
    let seen = app.as_user("mo", query, json!({ "id": mentor_id })).await;
    let seen = &seen.data()["person"];
    assert_eq!(seen["mentorProfile"]["capacity"], 3);
    assert_eq!(seen["email"], Value::Null, "email leaked to a stranger");
    assert_eq!(
        seen["timezone"],
        Value::Null,
        "timezone leaked to a stranger"
    );
    assert_eq!(
        seen["menteeProfile"],
        Value::Null,
        "mentee profile leaked to a stranger"
    );
    // A non-mentor is not visible to other employees, but is to the OSPO.
    let hidden = app.as_user("mara", query, json!({ "id": mentee_id })).await;
    assert_eq!(hidden.data()["person"], Value::Null);
    let ospo = app.as_ospo(query, json!({ "id": mentee_id })).await;
    assert_eq!(ospo.data()["person"]["menteeProfile"]["targetLevel"], 3);
    let by_ospo = app.as_ospo(query, json!({ "id": mentor_id })).await;
    assert_eq!(by_ospo.data()["person"]["timezone"], "Europe/Berlin");
    assert_eq!(by_ospo.data()["person"]["email"], "mara@example.com");
    let absent = app
        .as_user("mo", query, json!({ "id": "no-such-person" }))
        .await;
    assert_eq!(absent.data()["person"], Value::Null);
}

async fn mentors_are_filtered_and_paged(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    for (sub, skill, proficiency, accepting, level) in [
        ("m1", "rust", 5, true, 5),
        ("m2", "rust", 2, true, 3),
        ("m3", "go", 4, false, 4),
        ("m4", "licensing", 3, true, 2),
    ] {
        let mut input = mentor_input();
        input["skills"] = json!([{ "skill": skill, "proficiency": proficiency }]);
        input["accepting"] = json!(accepting);
        if sub == "m4" {
            input["topics"] = json!(["COMPLIANCE"]);
            input["projects"] = json!([]);
            input["foundations"] = json!([{ "foundation": "apache", "role": "MEMBER" }]);
        }
        app.as_user(sub, SET_MENTOR, json!({ "i": input }))
            .await
            .data();
        let level =
            format!("mutation {{ updateMyProfile(input: {{ osmmLevel: {level} }}) {{ id }} }}");
        app.as_user(sub, &level, json!({})).await.data();
    }
    app.as_user("not-a-mentor", SET_MENTEE, json!({ "i": mentee_input() }))
        .await
        .data();
    let query = "query($f: MentorFilter, $first: Int, $after: String) { mentors(filter: $f, first: $first, after: $after) { edges { cursor node { displayName } } pageInfo { hasNextPage endCursor } } }";
    let names = |g: &tandem_tests::Gql| -> Vec<String> {
        let mut names: Vec<String> = g.data()["mentors"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["displayName"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let all = app.as_user("x", query, json!({ "f": null })).await;
    assert_eq!(names(&all), ["m1", "m2", "m3", "m4"]);
    let cases = [
        (json!({ "skill": "rust" }), vec!["m1", "m2"]),
        (json!({ "skill": "rust", "minProficiency": 4 }), vec!["m1"]),
        (json!({ "accepting": false }), vec!["m3"]),
        (json!({ "minLevel": 4 }), vec!["m1", "m3"]),
        (json!({ "topic": "COMPLIANCE" }), vec!["m4"]),
        (json!({ "foundation": "apache" }), vec!["m4"]),
        (json!({ "project": "tokio" }), vec!["m1", "m2", "m3"]),
        (
            json!({ "skill": "rust", "accepting": true, "minLevel": 4 }),
            vec!["m1"],
        ),
    ];
    for (filter, expected) in cases {
        let got = app.as_user("x", query, json!({ "f": filter })).await;
        assert_eq!(names(&got), expected, "filter {filter}");
    }
    // Two pages of two, then nothing missed or repeated.
    let page1 = app.as_user("x", query, json!({ "first": 2 })).await;
    assert_eq!(page1.data()["mentors"]["pageInfo"]["hasNextPage"], true);
    let after = page1.data()["mentors"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .as_user("x", query, json!({ "first": 2, "after": after }))
        .await;
    assert_eq!(page2.data()["mentors"]["pageInfo"]["hasNextPage"], false);
    let mut both = names(&page1);
    both.extend(names(&page2));
    both.sort();
    assert_eq!(both, ["m1", "m2", "m3", "m4"]);
    let unknown = app
        .as_user("x", query, json!({ "f": { "skill": "cobol" } }))
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    let bad_cursor = app.as_user("x", query, json!({ "after": "!!!" })).await;
    assert_eq!(bad_cursor.code(), "BAD_USER_INPUT");
}

/// Each bad input is refused with BAD_USER_INPUT and the profile re-read
/// afterwards is exactly what it was.
async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    app.as_user("vic", SET_MENTOR, json!({ "i": mentor_input() }))
        .await
        .data();
    app.as_user("vic", SET_MENTEE, json!({ "i": mentee_input() }))
        .await
        .data();
    let before = app
        .as_user("vic", MY_PROFILES, json!({}))
        .await
        .data()
        .clone();

    let with = |base: Value, key: &str, value: Value| {
        let mut v = base;
        v[key] = value;
        v
    };
    let mentor_cases = [
        (
            "proficiency 0",
            with(
                mentor_input(),
                "skills",
                json!([{ "skill": "rust", "proficiency": 0 }]),
            ),
        ),
        (
            "proficiency 6",
            with(
                mentor_input(),
                "skills",
                json!([{ "skill": "rust", "proficiency": 6 }]),
            ),
        ),
        ("capacity 0", with(mentor_input(), "capacity", json!(0))),
        ("capacity 11", with(mentor_input(), "capacity", json!(11))),
        (
            "unknown skill",
            with(
                mentor_input(),
                "skills",
                json!([{ "skill": "cobol", "proficiency": 3 }]),
            ),
        ),
        (
            "unknown project",
            with(
                mentor_input(),
                "projects",
                json!([{ "project": "nope", "role": "LEAD" }]),
            ),
        ),
        (
            "unknown foundation",
            with(
                mentor_input(),
                "foundations",
                json!([{ "foundation": "nope", "role": "MEMBER" }]),
            ),
        ),
        (
            "bad slug",
            with(
                mentor_input(),
                "skills",
                json!([{ "skill": "Rust Lang", "proficiency": 3 }]),
            ),
        ),
        (
            "duplicate skill",
            with(
                mentor_input(),
                "skills",
                json!([{ "skill": "rust", "proficiency": 3 }, { "skill": "rust", "proficiency": 4 }]),
            ),
        ),
        (
            "over-long bio",
            with(mentor_input(), "bio", json!("x".repeat(2001))),
        ),
    ];
    for (what, input) in mentor_cases {
        let response = app.as_user("vic", SET_MENTOR, json!({ "i": input })).await;
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{what}: {:#}",
            response.body
        );
    }
    let mentee_cases = [
        (
            "priority 0",
            with(
                mentee_input(),
                "skills",
                json!([{ "skill": "rust", "priority": 0 }]),
            ),
        ),
        (
            "priority 4",
            with(
                mentee_input(),
                "skills",
                json!([{ "skill": "rust", "priority": 4 }]),
            ),
        ),
        (
            "target level 6",
            with(mentee_input(), "targetLevel", json!(6)),
        ),
        (
            "target level 0",
            with(mentee_input(), "targetLevel", json!(0)),
        ),
        (
            "unknown project",
            with(mentee_input(), "projects", json!(["nope"])),
        ),
        (
            "timezone diff 25",
            with(mentee_input(), "maxTimezoneDiffHours", json!(25)),
        ),
        (
            "bad language",
            with(mentee_input(), "languages", json!(["english!"])),
        ),
    ];
    for (what, input) in mentee_cases {
        let response = app.as_user("vic", SET_MENTEE, json!({ "i": input })).await;
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{what}: {:#}",
            response.body
        );
    }
    let profile_cases = [
        r#"{ osmmLevel: 6 }"#,
        r#"{ osmmLevel: 0 }"#,
        r#"{ timezone: "Mars/Olympus" }"#,
        r#"{ timezone: "UTC+25" }"#,
        r#"{ displayName: "" }"#,
        r#"{ languages: ["x"] }"#,
    ];
    for input in profile_cases {
        let response = app
            .as_user(
                "vic",
                &format!("mutation {{ updateMyProfile(input: {input}) {{ id }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            response.code(),
            "BAD_USER_INPUT",
            "{input}: {:#}",
            response.body
        );
    }
    let long_name = app
        .as_user(
            "vic",
            "mutation($n: String!) { updateMyProfile(input: { displayName: $n }) { id } }",
            json!({ "n": "n".repeat(201) }),
        )
        .await;
    assert_eq!(long_name.code(), "BAD_USER_INPUT");
    let wrong_type = app
        .as_user(
            "vic",
            SET_MENTOR,
            json!({ "i": with(mentor_input(), "capacity", json!("three")) }),
        )
        .await;
    assert!(
        matches!(
            wrong_type.code(),
            "BAD_USER_INPUT" | "GRAPHQL_VALIDATION_FAILED"
        ),
        "{:#}",
        wrong_type.body
    );

    let after = app
        .as_user("vic", MY_PROFILES, json!({}))
        .await
        .data()
        .clone();
    assert_eq!(before, after, "a refused input changed the profile");
}

async fn capacity_below_live_count_is_a_conflict(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let id = app
        .as_user("busy", SET_MENTOR, json!({ "i": mentor_input() }))
        .await
        .data()["setMentorProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Two live mentorships, as the matching workflow would record them.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE mentor_profile SET live_count = 2 WHERE person_id = '{id}'"
        ))
        .await
        .unwrap();
    let mut lower = mentor_input();
    lower["capacity"] = json!(1);
    let refused = app.as_user("busy", SET_MENTOR, json!({ "i": lower })).await;
    assert_eq!(refused.code(), "CONFLICT");
    // Refused by the rule, which says why, before the database's CHECK
    // would refuse it without saying.
    assert_eq!(
        refused.message(),
        "capacity 1 is below the 2 live mentorships and proposals"
    );
    let now = app
        .as_user(
            "busy",
            "{ me { mentorProfile { capacity liveCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        now.data()["me"]["mentorProfile"],
        json!({ "capacity": 3, "liveCount": 2 })
    );
    let mut same = mentor_input();
    same["capacity"] = json!(2);
    let allowed = app.as_user("busy", SET_MENTOR, json!({ "i": same })).await;
    assert_eq!(
        allowed.data()["setMentorProfile"]["mentorProfile"]["liveCount"],
        2
    );
}

async fn catalog_writes_are_ospo_only_and_validated(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let upsert = "mutation($i: SkillInput!) { upsertSkill(input: $i) { id slug name category } }";
    let refused = app
        .as_user(
            "eve",
            upsert,
            json!({ "i": { "slug": "rust", "name": "Rust" } }),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    for mutation in [
        r#"mutation { upsertFoundation(input: { slug: "finos", name: "FINOS" }) { id } }"#,
        r#"mutation { upsertProject(input: { slug: "legend", name: "Legend" }) { id } }"#,
    ] {
        assert_eq!(
            app.as_user("eve", mutation, json!({})).await.code(),
            "FORBIDDEN"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM skill").await, 0);
    let created = app
        .as_ospo(
            upsert,
            json!({ "i": { "slug": "rust", "name": "Rust", "category": "language" } }),
        )
        .await;
    assert_eq!(created.data()["upsertSkill"]["name"], "Rust");
    let renamed = app
        .as_ospo(
            upsert,
            json!({ "i": { "slug": "rust", "name": "Rust (systems)" } }),
        )
        .await;
    assert_eq!(
        renamed.data()["upsertSkill"]["id"],
        created.data()["upsertSkill"]["id"]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM skill").await, 1);
    for bad in [
        json!({ "slug": "Rust", "name": "x" }),
        json!({ "slug": "ok", "name": "" }),
        json!({ "slug": "ok", "name": "n".repeat(201) }),
    ] {
        assert_eq!(
            app.as_ospo(upsert, json!({ "i": bad })).await.code(),
            "BAD_USER_INPUT"
        );
    }
    let project =
        "mutation($i: ProjectInput!) { upsertProject(input: $i) { slug foundation { slug } } }";
    let unknown = app
        .as_ospo(
            project,
            json!({ "i": { "slug": "legend", "name": "Legend", "foundation": "nope" } }),
        )
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    let bad_url = app
        .as_ospo(
            project,
            json!({ "i": { "slug": "legend", "name": "Legend", "repositoryUrl": "ftp://x" } }),
        )
        .await;
    assert_eq!(bad_url.code(), "BAD_USER_INPUT");
    assert_eq!(app.count("SELECT COUNT(*) FROM project").await, 0);
    let list = app.as_user("eve", "{ skills(first: 10) { edges { node { slug name } } } foundations { edges { node { slug } } } projects { edges { node { slug } } } }", json!({})).await;
    assert_eq!(
        list.data()["skills"]["edges"],
        json!([{ "node": { "slug": "rust", "name": "Rust (systems)" } }])
    );
}

/// The number of statements for a page of mentors with their profiles, skills,
/// projects and foundations does not grow with the number of mentors.
async fn related_objects_load_in_batches_not_per_row(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let query = "{ mentors(first: 20) { edges { node { displayName mentorProfile { capacity skills { skill { slug name } proficiency } projects { project { slug foundation { name } } role } foundations { foundation { slug } role } } } } } }";
    let mut counts = Vec::new();
    for n in [2, 16] {
        while app.count("SELECT COUNT(*) FROM mentor_profile").await < n {
            // Each mentor has catalog entries of their own, so loading one
            // query per entry (instead of per type) would grow the count.
            let i = app.count("SELECT COUNT(*) FROM mentor_profile").await;
            let (skill, project, foundation) = (
                format!("skill-{i}"),
                format!("project-{i}"),
                format!("foundation-{i}"),
            );
            for (mutation, input) in [
                (
                    "mutation($i: SkillInput!) { upsertSkill(input: $i) { id } }",
                    json!({ "slug": skill, "name": skill }),
                ),
                (
                    "mutation($i: FoundationInput!) { upsertFoundation(input: $i) { id } }",
                    json!({ "slug": foundation, "name": foundation }),
                ),
                (
                    "mutation($i: ProjectInput!) { upsertProject(input: $i) { id } }",
                    json!({ "slug": project, "name": project, "foundation": foundation }),
                ),
            ] {
                app.as_ospo(mutation, json!({ "i": input })).await.data();
            }
            let input = json!({
                "capacity": 3, "accepting": true,
                "skills": [{ "skill": skill, "proficiency": 4 }, { "skill": "rust", "proficiency": 5 }],
                "projects": [{ "project": project, "role": "LEAD" }],
                "foundations": [{ "foundation": foundation, "role": "MEMBER" }],
                "topics": [], "bio": null
            });
            app.as_user(&format!("mentor-{i}"), SET_MENTOR, json!({ "i": input }))
                .await
                .data();
        }
        let token = app.token("reader", None, &[]);
        app.gql(Some(&token), "{ me { id } }", json!({}))
            .await
            .data();
        let before = app.query_count();
        let page = app.gql(Some(&token), query, json!({})).await;
        assert_eq!(
            page.data()["mentors"]["edges"].as_array().unwrap().len() as i64,
            n
        );
        counts.push(app.query_count() - before);
    }
    // A batch can split in two when loads straddle the loader's window, so
    // allow a little slack; one query per mentor per type would add 16 or more each.
    assert!(
        counts[1] <= counts[0] + 6,
        "statements grew with the number of mentors: {counts:?}"
    );
    assert!(
        counts[1] <= 20,
        "too many statements for one page: {counts:?}"
    );
    // People, profiles, skills, projects, their foundations and foundation
    // ties are at least four batched reads: a counter that stopped counting
    // would pass the bounds above.
    assert!(
        counts.iter().all(|&c| c >= 4),
        "too few statements counted: {counts:?}"
    );
}

on_both_backends!(
    related_objects_load_in_batches_not_per_row,
    profiles_round_trip,
    others_see_the_mentor_facing_profile_only,
    mentors_are_filtered_and_paged,
    bad_input_is_refused_and_changes_nothing,
    capacity_below_live_count_is_a_conflict,
    catalog_writes_are_ospo_only_and_validated,
);
