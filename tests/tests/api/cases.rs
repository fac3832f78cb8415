//! The OSPO's case handling through the API: case lists, the people
//! search, a proposal by hand, a cancelled proposal, a mentorship ended on
//! someone's behalf; each audited with the OSPO admin as actor, and refused
//! (`FORBIDDEN`, nothing changed) for anyone else.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

async fn mentor(app: &TestApp, sub: &str, proficiency: i32, capacity: i32) -> String {
    let input = json!({ "capacity": capacity, "accepting": true, "skills": [{ "skill": "rust", "proficiency": proficiency }], "projects": [], "foundations": [], "topics": [] });
    app.as_user(
        sub,
        "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
    .data()["setMentorProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn mentee(app: &TestApp, sub: &str) -> String {
    let input = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": [] });
    app.as_user(
        sub,
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
    .data()["setMenteeProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn ask(app: &TestApp, sub: &str) -> Value {
    app.as_user(
        sub,
        "mutation { requestMentorship(input: { goals: \"learn\" }) { id state currentMatch { id mentor { displayName } } } }",
        json!({}),
    )
    .await
    .data()["requestMentorship"]
        .clone()
}

const PROPOSE: &str = "mutation($r: ID!, $m: ID!, $n: String) { proposeMatch(input: { requestId: $r, mentorId: $m, note: $n }) {
  id state mentor { displayName } score { total policyVersion components { criterion } }
  history { actor { displayName } from to reason } request { state } } }";
const CANCEL: &str = "mutation($m: ID!, $r: String!) { cancelProposal(matchId: $m, reason: $r) {
  id state history { actor { displayName } from to reason } request { state currentMatch { mentor { displayName } } } } }";
const END: &str =
    "mutation($m: ID!) { endMatchEarly(input: { matchId: $m, reason: \"left the company\" }) {
  state history { actor { displayName } to reason } } }";

fn last(history: &Value) -> &Value {
    history.as_array().unwrap().last().unwrap()
}

async fn state_of(app: &TestApp, table: &str, id: &str) -> String {
    let n = app
        .count(&format!(
            "SELECT COUNT(*) FROM {table} WHERE id = '{id}' AND state = 'proposed'"
        ))
        .await;
    if n == 1 {
        "proposed".into()
    } else {
        "other".into()
    }
}

async fn proposal_by_hand_within_the_rules(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let a = mentor(&app, "A", 5, 1).await;
    let b = mentor(&app, "B", 4, 2).await;
    let z = mentor(&app, "Z", 3, 1).await;
    mentee(&app, "e9").await;
    let e1 = mentee(&app, "e1").await;
    // e9 asks outside programs: A, the best, takes the proposal and is full.
    let outside = ask(&app, "e9").await;
    assert_eq!(outside["currentMatch"]["mentor"]["displayName"], "A");
    let outside_match = outside["currentMatch"]["id"].as_str().unwrap().to_owned();

    let program = app
        .create_program("Spring", "2027-03-01", "2027-06-30")
        .await;
    app.as_ospo(
        "mutation($p: ID!) { setProgramStatus(id: $p, status: OPEN) { id } }",
        json!({ "p": program }),
    )
    .await
    .data();
    for (ids, role) in [(json!([a, b]), "MENTOR"), (json!([e1]), "MENTEE")] {
        app.as_ospo(
            "mutation($i: EnrollInput!) { enroll(input: $i) { id } }",
            json!({ "i": { "programId": program, "personIds": ids, "role": role } }),
        )
        .await
        .data();
    }
    let lists = "query($p: ID!) { program(id: $p) { requests(states: [OPEN]) { edges { node { id mentee { displayName } } } }
      matches { edges { node { id state } } } } }";
    let listed = app.as_ospo(lists, json!({ "p": program })).await;
    let requests = &listed.data()["program"]["requests"]["edges"];
    assert_eq!(requests.as_array().unwrap().len(), 1);
    assert_eq!(requests[0]["node"]["mentee"]["displayName"], "e1");
    let request = requests[0]["node"]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed.data()["program"]["matches"]["edges"], json!([]));

    // Refused for anyone but the OSPO, and nothing changes.
    for sub in ["e1", "B"] {
        let refused = app
            .as_user(sub, PROPOSE, json!({ "r": request, "m": b }))
            .await;
        assert_eq!(refused.code(), "FORBIDDEN", "{sub}");
        let refused = app
            .as_user(
                sub,
                "query($p: ID!) { program(id: $p) { requests { edges { node { id } } } } }",
                json!({ "p": program }),
            )
            .await;
        assert_eq!(refused.code(), "FORBIDDEN", "{sub}");
    }
    let refused = app
        .as_user("A", CANCEL, json!({ "m": outside_match, "r": "mine" }))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    assert_eq!(
        state_of(&app, "mentorship_match", &outside_match).await,
        "proposed"
    );
    for query in [
        "{ requests { edges { node { id } } } }",
        "{ matches { edges { node { id } } } }",
        "{ people { edges { node { id } } } }",
    ] {
        assert_eq!(
            app.as_user("e9", query, json!({})).await.code(),
            "FORBIDDEN"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_match").await,
        1,
        "a refused proposal writes nothing"
    );

    // Hard constraints and capacity hold: Z is not in the program, A is full.
    let not_enrolled = app.as_ospo(PROPOSE, json!({ "r": request, "m": z })).await;
    assert_eq!(not_enrolled.code(), "CONFLICT");
    assert!(
        not_enrolled.message().contains("not enrolled"),
        "{}",
        not_enrolled.message()
    );
    let full = app.as_ospo(PROPOSE, json!({ "r": request, "m": a })).await;
    assert_eq!(full.code(), "CONFLICT");
    assert!(full.message().contains("capacity"), "{}", full.message());
    let herself = app.as_ospo(PROPOSE, json!({ "r": request, "m": e1 })).await;
    assert_eq!(herself.code(), "CONFLICT");
    let nobody = app
        .as_ospo(PROPOSE, json!({ "r": request, "m": "no-such-person" }))
        .await;
    assert_eq!(nobody.code(), "NOT_FOUND");
    let no_request = app.as_ospo(PROPOSE, json!({ "r": "nope", "m": b })).await;
    assert_eq!(no_request.code(), "NOT_FOUND");
    assert_eq!(app.count("SELECT COUNT(*) FROM mentorship_match").await, 1);

    // B, by hand, with a note: proposed, scored and frozen, audited.
    let proposed = app
        .as_ospo(
            PROPOSE,
            json!({ "r": request, "m": b, "n": "knows our codebase" }),
        )
        .await;
    let m = proposed.data()["proposeMatch"].clone();
    assert_eq!(m["state"], "PROPOSED");
    assert_eq!(m["mentor"]["displayName"], "B");
    assert_eq!(m["request"]["state"], "PROPOSED");
    assert!(m["score"]["total"].as_f64().unwrap() > 0.0);
    assert_eq!(m["score"]["components"].as_array().unwrap().len(), 8);
    assert_eq!(
        last(&m["history"]),
        &json!({ "actor": { "displayName": "Olga OSPO" }, "from": null, "to": "proposed", "reason": "knows our codebase" })
    );
    let match_id = m["id"].as_str().unwrap().to_owned();
    let again = app.as_ospo(PROPOSE, json!({ "r": request, "m": b })).await;
    assert_eq!(again.code(), "CONFLICT", "only an open request is proposed");

    // Cancelled: the request re-opens (the program is not running, so it
    // waits), B's seat comes back, and B is not proposed for it again.
    let cancelled = app
        .as_ospo(CANCEL, json!({ "m": match_id, "r": "B is on leave" }))
        .await;
    let c = &cancelled.data()["cancelProposal"];
    assert_eq!(c["state"], "CANCELLED");
    assert_eq!(c["request"]["state"], "OPEN");
    assert_eq!(
        last(&c["history"]),
        &json!({ "actor": { "displayName": "Olga OSPO" }, "from": "proposed", "to": "cancelled", "reason": "B is on leave" })
    );
    assert_eq!(
        app.count(&format!(
            "SELECT CAST(live_count AS BIGINT) FROM mentor_profile WHERE person_id = '{b}'"
        ))
        .await,
        0
    );
    let twice = app
        .as_ospo(CANCEL, json!({ "m": match_id, "r": "again" }))
        .await;
    assert_eq!(twice.code(), "CONFLICT");
    let excluded = app.as_ospo(PROPOSE, json!({ "r": request, "m": b })).await;
    assert_eq!(excluded.code(), "CONFLICT");

    // Case lists: the program's, the rest, everything.
    let cancelled_list = app
        .as_ospo(
            "query($p: ID!) { program(id: $p) { matches(states: [CANCELLED]) { edges { node { id } } } } }",
            json!({ "p": program }),
        )
        .await;
    assert_eq!(
        cancelled_list.data()["program"]["matches"]["edges"],
        json!([{ "node": { "id": match_id } }])
    );
    let ids = |v: &Value, root: &str| -> Vec<String> {
        v[root]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let outside_requests = app
        .as_ospo("{ requests { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(
        ids(outside_requests.data(), "requests"),
        [outside["id"].as_str().unwrap()]
    );
    let all_requests = app
        .as_ospo(
            "{ requests(includePrograms: true) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(ids(all_requests.data(), "requests").len(), 2);
    let proposed_outside = app
        .as_ospo(
            "{ matches(states: [PROPOSED]) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        ids(proposed_outside.data(), "matches"),
        [outside_match.as_str()]
    );
    let none_active = app
        .as_ospo(
            "{ matches(states: [ACTIVE], includePrograms: true) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(ids(none_active.data(), "matches").is_empty());

    // Ended early on the pair's behalf, once the mentorship runs.
    app.as_user(
        "A",
        "mutation($m: ID!) { acceptProposal(matchId: $m) { state } }",
        json!({ "m": outside_match }),
    )
    .await
    .data();
    let stranger = app.as_user("e1", END, json!({ "m": outside_match })).await;
    assert_eq!(stranger.code(), "NOT_FOUND");
    let ended = app.as_ospo(END, json!({ "m": outside_match })).await;
    let e = &ended.data()["endMatchEarly"];
    assert_eq!(e["state"], "ENDED_EARLY");
    assert_eq!(
        last(&e["history"]),
        &json!({ "actor": { "displayName": "Olga OSPO" }, "to": "ended_early", "reason": "left the company" })
    );
    // The OSPO does not complete a mentorship for the pair.
    let complete = app
        .as_ospo(
            "mutation($m: ID!) { completeMatch(input: { matchId: $m }) { state } }",
            json!({ "m": outside_match }),
        )
        .await;
    assert_eq!(complete.code(), "FORBIDDEN");
}

/// A cancelled proposal cascades as a decline does: the next-best mentor
/// is proposed at once, and the cancelled one never again.
async fn cancelling_cascades(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "X", 5, 1).await;
    mentor(&app, "Y", 4, 1).await;
    mentee(&app, "m").await;
    let asked = ask(&app, "m").await;
    assert_eq!(asked["currentMatch"]["mentor"]["displayName"], "X");
    let cancelled = app
        .as_ospo(
            CANCEL,
            json!({ "m": asked["currentMatch"]["id"], "r": "X asked us to" }),
        )
        .await;
    let request = &cancelled.data()["cancelProposal"]["request"];
    assert_eq!(request["state"], "PROPOSED");
    assert_eq!(request["currentMatch"]["mentor"]["displayName"], "Y");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_match WHERE state = 'proposed'")
            .await,
        1
    );
}

/// The pickers' search: by name, email or department, any case, by name,
/// a page at a time; LIKE's wildcards are plain characters.
async fn people_search(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for (sub, department) in [
        ("Zoe Quinn", "Platform Engineering"),
        ("Adam Smith", "Legal"),
        ("Bea Platt", "Sales"),
    ] {
        app.as_user(
            sub,
            "mutation($d: String) { updateMyProfile(input: { department: $d }) { id } }",
            json!({ "d": department }),
        )
        .await
        .data();
    }
    let search = "query($s: String, $after: String) { people(search: $s, first: 1, after: $after) {
      edges { cursor node { displayName department } } pageInfo { hasNextPage endCursor } } }";
    let first = app.as_ospo(search, json!({ "s": "PLAT" })).await;
    let page = &first.data()["people"];
    assert_eq!(page["edges"][0]["node"]["displayName"], "Bea Platt");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = app
        .as_ospo(
            search,
            json!({ "s": "plat", "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let page = &second.data()["people"];
    assert_eq!(page["edges"][0]["node"]["displayName"], "Zoe Quinn");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    let legal = app.as_ospo(search, json!({ "s": "legal" })).await;
    assert_eq!(
        legal.data()["people"]["edges"][0]["node"]["displayName"],
        "Adam Smith"
    );
    for wildcard in ["%", "_"] {
        let none = app.as_ospo(search, json!({ "s": wildcard })).await;
        assert_eq!(none.data()["people"]["edges"], json!([]), "{wildcard}");
    }
    let everyone = app
        .as_ospo(
            "{ people(first: 10) { edges { node { displayName } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = everyone.data()["people"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Adam Smith", "Bea Platt", "Olga OSPO", "Zoe Quinn"]);
}

on_both_backends!(
    proposal_by_hand_within_the_rules,
    cancelling_cascades,
    people_search
);
