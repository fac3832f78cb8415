//! The mentorship lifecycle through the GraphQL API: request → propose →
//! accept → check-ins, milestones → complete → feedback; declines and the
//! cascade, expiry by the sweeper, waiting requests, withdrawals, program
//! closing; authorization and visibility; illegal transitions.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends, token_for};

const REQUEST: &str = "mutation($i: RequestMentorshipInput!) { requestMentorship(input: $i) { id state goals currentMatch { id state mentor { displayName } } } }";
const MATCH: &str = "query($id: ID!) { match(id: $id) { id state proposedAt expiresAt declineReason declineMessage endReason mentor { displayName } mentee { displayName } request { id state } score { total policyVersion components { criterion contribution explanation } } history { from to reason actor { displayName } } } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptProposal(matchId: $id) { id state } }";
const DECLINE: &str =
    "mutation($i: DeclineProposalInput!) { declineProposal(input: $i) { id state declineReason } }";
const COMPLETE: &str = "mutation($id: ID!) { completeMatch(input: { matchId: $id }) { id state } }";
const END_EARLY: &str = "mutation($id: ID!, $r: String!) { endMatchEarly(input: { matchId: $id, reason: $r }) { id state endReason } }";
const CHECK_IN: &str =
    "mutation($i: CheckInInput!) { logCheckIn(input: $i) { id minutes notes date topics } }";
const MILESTONE: &str =
    "mutation($i: MilestoneInput!) { recordMilestone(input: $i) { kind newLevel } }";
const FEEDBACK: &str = "mutation($i: FeedbackInput!) { giveFeedback(input: $i) { rating side } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawRequest(id: $id) { id state } }";
const REQUEST_BY_ID: &str = "query($id: ID!) { request(id: $id) { id state currentMatch { id state mentor { displayName } } history { from to reason } } }";

/// A mentor with the given skills (catalog slugs at proficiency 5).
async fn mentor(app: &TestApp, sub: &str, skills: &[&str], capacity: i32) -> String {
    let skills: Vec<Value> = skills
        .iter()
        .map(|s| json!({ "skill": s, "proficiency": 5 }))
        .collect();
    let input = json!({ "capacity": capacity, "accepting": true, "skills": skills, "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] });
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
    app.as_user(
        sub,
        r#"mutation { updateMyProfile(input: { osmmLevel: 4, timezone: "Europe/Berlin", languages: ["en"] }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    id
}

/// A mentee at level 2 wanting rust (most) and licensing.
async fn mentee(app: &TestApp, sub: &str) -> String {
    let input = json!({
        "targetLevel": 3,
        "skills": [{ "skill": "rust", "priority": 1 }, { "skill": "licensing", "priority": 2 }],
        "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"], "languages": ["en"]
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

async fn ask(app: &TestApp, sub: &str, preferred: Option<&str>) -> Value {
    let response = app
        .as_user(
            sub,
            REQUEST,
            json!({ "i": { "goals": "Become a maintainer", "preferredMentorId": preferred } }),
        )
        .await;
    response.data()["requestMentorship"].clone()
}

async fn read_match(app: &TestApp, id: &str) -> Value {
    let response = app.as_ospo(MATCH, json!({ "id": id })).await;
    response.data()["match"].clone()
}

async fn live_count(app: &TestApp, sub: &str) -> i64 {
    let response = app
        .as_user(sub, "{ me { mentorProfile { liveCount } } }", json!({}))
        .await;
    response.data()["me"]["mentorProfile"]["liveCount"]
        .as_i64()
        .unwrap()
}

fn current_match_id(request: &Value) -> String {
    request["currentMatch"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no current match in {request:#}"))
        .to_owned()
}

async fn the_whole_flow_from_request_to_feedback(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "rusty", &["rust", "licensing"], 2).await;
    mentor(&app, "gopher", &["go"], 2).await;
    let learner = mentee(&app, "learner").await;

    let request = ask(&app, "learner", None).await;
    assert_eq!(request["state"], "PROPOSED");
    assert_eq!(request["currentMatch"]["mentor"]["displayName"], "rusty");
    let match_id = current_match_id(&request);
    assert_eq!(live_count(&app, "rusty").await, 1);

    let proposal = read_match(&app, &match_id).await;
    assert_eq!(proposal["state"], "PROPOSED");
    let components = proposal["score"]["components"].as_array().unwrap();
    assert_eq!(components.len(), 8);
    let sum: f64 = components
        .iter()
        .map(|c| c["contribution"].as_f64().unwrap())
        .sum();
    assert!((sum - proposal["score"]["total"].as_f64().unwrap()).abs() < 1e-6);
    let proposed_at: chrono::DateTime<chrono::Utc> =
        proposal["proposedAt"].as_str().unwrap().parse().unwrap();
    let expires_at: chrono::DateTime<chrono::Utc> =
        proposal["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_at - proposed_at, chrono::Duration::hours(7 * 24));

    // The mentor sees the proposal addressed to them.
    let mine = app
        .as_user(
            "rusty",
            "{ myMatches(role: MENTOR, states: [PROPOSED]) { edges { node { id mentee { id displayName } } } } }",
            json!({}),
        )
        .await;
    let edges = mine.data()["myMatches"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["id"], match_id.as_str());
    assert_eq!(edges[0]["node"]["mentee"]["id"], learner.as_str());

    let accepted = app
        .as_user("rusty", ACCEPT, json!({ "id": match_id }))
        .await;
    assert_eq!(accepted.data()["acceptProposal"]["state"], "ACTIVE");
    let request_now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    assert_eq!(request_now.data()["request"]["state"], "MATCHED");
    assert_eq!(live_count(&app, "rusty").await, 1);

    let check_in = app
        .as_user(
            "learner",
            CHECK_IN,
            json!({ "i": { "matchId": match_id, "date": "2026-11-20", "minutes": 45, "topics": ["MAINTAINERSHIP"], "notes": "talked about releases" } }),
        )
        .await;
    assert_eq!(check_in.data()["logCheckIn"]["minutes"], 45);
    let notes = "{ match(id: $id) { checkIns(first: 10) { edges { node { minutes notes } } } } }";
    let notes = format!("query($id: ID!) {notes}");
    let as_mentor = app
        .as_user("rusty", &notes, json!({ "id": match_id }))
        .await;
    let node = &as_mentor.data()["match"]["checkIns"]["edges"][0]["node"];
    assert_eq!(node["notes"], "talked about releases");
    let as_ospo = app.as_ospo(&notes, json!({ "id": match_id })).await;
    let node = &as_ospo.data()["match"]["checkIns"]["edges"][0]["node"];
    assert_eq!(
        node["minutes"], 45,
        "the OSPO sees that a check-in happened"
    );
    assert_eq!(node["notes"], Value::Null, "but never its notes");

    // Check-ins page with `after` like every connection.
    for day in ["2026-11-21", "2026-11-22"] {
        app.as_user(
            "rusty",
            CHECK_IN,
            json!({ "i": { "matchId": match_id, "date": day, "minutes": 20 } }),
        )
        .await
        .data();
    }
    let page = "query($id: ID!, $a: String) { match(id: $id) { checkIns(first: 2, after: $a) { edges { node { date } } pageInfo { hasNextPage endCursor } } } }";
    let first_page = app
        .as_user("learner", page, json!({ "id": match_id, "a": null }))
        .await;
    let first_page = first_page.data()["match"]["checkIns"].clone();
    assert_eq!(first_page["pageInfo"]["hasNextPage"], true);
    let second_page = app
        .as_user(
            "learner",
            page,
            json!({ "id": match_id, "a": first_page["pageInfo"]["endCursor"] }),
        )
        .await;
    let second_page = second_page.data()["match"]["checkIns"].clone();
    let dates: Vec<&str> = first_page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second_page["edges"].as_array().unwrap())
        .map(|e| e["node"]["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-11-20", "2026-11-21", "2026-11-22"]);
    assert_eq!(second_page["pageInfo"]["hasNextPage"], false);

    let level_up = app
        .as_user(
            "rusty",
            MILESTONE,
            json!({ "i": { "matchId": match_id, "kind": "LEVEL_UP", "newLevel": 3 } }),
        )
        .await;
    assert_eq!(level_up.data()["recordMilestone"]["newLevel"], 3);
    let level = app
        .as_user("learner", "{ me { osmmLevel } }", json!({}))
        .await;
    assert_eq!(level.data()["me"]["osmmLevel"], 3);

    let completed = app
        .as_user("learner", COMPLETE, json!({ "id": match_id }))
        .await;
    assert_eq!(completed.data()["completeMatch"]["state"], "COMPLETED");
    assert_eq!(live_count(&app, "rusty").await, 0);
    let request_now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    assert_eq!(request_now.data()["request"]["state"], "CLOSED");
    assert_eq!(request_now.data()["request"]["currentMatch"], Value::Null);

    let given_by = async |sub: &str| {
        app.as_user(
            sub,
            "query($id: ID!) { match(id: $id) { feedbackGiven } }",
            json!({ "id": match_id }),
        )
        .await
        .data()["match"]["feedbackGiven"]
            .clone()
    };
    assert_eq!(given_by("learner").await, json!(false));
    let ospo = app
        .as_ospo(
            "query($id: ID!) { match(id: $id) { id feedbackGiven } }",
            json!({ "id": match_id }),
        )
        .await;
    assert!(ospo.data()["match"]["id"].is_string());
    assert_eq!(
        ospo.data()["match"]["feedbackGiven"],
        Value::Null,
        "outside the pair"
    );
    for (sub, rating, side) in [("learner", 5, "MENTEE"), ("rusty", 4, "MENTOR")] {
        let given = app
            .as_user(
                sub,
                FEEDBACK,
                json!({ "i": { "matchId": match_id, "rating": rating, "comment": "thanks" } }),
            )
            .await;
        assert_eq!(given.data()["giveFeedback"]["side"], side);
        assert_eq!(given_by(sub).await, json!(true));
    }
    let twice = app
        .as_user(
            "learner",
            FEEDBACK,
            json!({ "i": { "matchId": match_id, "rating": 1 } }),
        )
        .await;
    assert_eq!(twice.code(), "CONFLICT");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feedback").await,
        2,
        "the refused second rating wrote nothing"
    );

    let history = read_match(&app, &match_id).await["history"].clone();
    let moves: Vec<(Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone()))
        .collect();
    assert_eq!(
        moves,
        vec![
            (Value::Null, json!("proposed")),
            (json!("proposed"), json!("active")),
            (json!("active"), json!("completed")),
        ]
    );
    assert_eq!(history[1]["actor"]["displayName"], "rusty");
    assert_eq!(history[2]["actor"]["displayName"], "learner");
}

async fn a_decline_cascades_to_the_next_best_and_never_back(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "best", &["rust", "licensing"], 2).await;
    mentor(&app, "second", &["rust"], 2).await;
    mentee(&app, "learner").await;
    let request = ask(&app, "learner", None).await;
    assert_eq!(request["currentMatch"]["mentor"]["displayName"], "best");
    let first = current_match_id(&request);

    let declined = app
        .as_user(
            "best",
            DECLINE,
            json!({ "i": { "matchId": first, "reason": "NO_TIME_NOW", "message": "Busy until March" } }),
        )
        .await;
    assert_eq!(declined.data()["declineProposal"]["state"], "DECLINED");
    let seen = app.as_user("learner", MATCH, json!({ "id": first })).await;
    let seen = &seen.data()["match"];
    assert_eq!(seen["declineReason"], "NO_TIME_NOW");
    assert_eq!(seen["declineMessage"], "Busy until March");
    assert_eq!(seen["history"][1]["reason"], "no-time-now");
    assert_eq!(live_count(&app, "best").await, 0);

    let now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    let now = &now.data()["request"];
    assert_eq!(now["state"], "PROPOSED");
    assert_eq!(now["currentMatch"]["mentor"]["displayName"], "second");
    let second = now["currentMatch"]["id"].as_str().unwrap().to_owned();
    assert_eq!(live_count(&app, "second").await, 1);

    // The second declines too: the first declined before, so nobody is left.
    app.as_user(
        "second",
        DECLINE,
        json!({ "i": { "matchId": second, "reason": "OTHER" } }),
    )
    .await
    .data();
    let now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    assert_eq!(now.data()["request"]["state"], "OPEN");
    assert_eq!(now.data()["request"]["currentMatch"], Value::Null);
    let history: Vec<String> = now.data()["request"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(history, ["open", "proposed", "open", "proposed", "open"]);
}

async fn a_waiting_request_is_proposed_when_a_seat_frees(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "only", &["rust"], 1).await;
    mentee(&app, "first").await;
    mentee(&app, "second").await;
    let first = ask(&app, "first", None).await;
    assert_eq!(first["state"], "PROPOSED");
    let second = ask(&app, "second", None).await;
    assert_eq!(second["state"], "OPEN", "no free seat: the request waits");

    // The first mentee withdraws: the proposal is cancelled, the seat freed,
    // and the waiting request is proposed.
    let withdrawn = app
        .as_user("first", WITHDRAW, json!({ "id": first["id"] }))
        .await;
    assert_eq!(withdrawn.data()["withdrawRequest"]["state"], "WITHDRAWN");
    let cancelled = read_match(&app, &current_match_id(&first)).await;
    assert_eq!(cancelled["state"], "CANCELLED");
    let waiting = app
        .as_user("second", REQUEST_BY_ID, json!({ "id": second["id"] }))
        .await;
    assert_eq!(waiting.data()["request"]["state"], "PROPOSED");
    assert_eq!(
        waiting.data()["request"]["currentMatch"]["mentor"]["displayName"],
        "only"
    );
    assert_eq!(live_count(&app, "only").await, 1);

    // Completing frees the seat for the next one as well.
    let third_mentee = mentee(&app, "third").await;
    assert!(!third_mentee.is_empty());
    let third = ask(&app, "third", None).await;
    assert_eq!(third["state"], "OPEN");
    let proposal = waiting.data()["request"]["currentMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.as_user("only", ACCEPT, json!({ "id": proposal }))
        .await
        .data();
    app.as_user(
        "only",
        END_EARLY,
        json!({ "id": proposal, "r": "changed teams" }),
    )
    .await
    .data();
    let third_now = app
        .as_user("third", REQUEST_BY_ID, json!({ "id": third["id"] }))
        .await;
    assert_eq!(third_now.data()["request"]["state"], "PROPOSED");
    let ended = read_match(&app, &proposal).await;
    assert_eq!(ended["state"], "ENDED_EARLY");
    assert_eq!(ended["endReason"], "changed teams");
}

async fn expiry_by_the_sweeper_cascades_exactly_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    app.as_ospo(
        "mutation { setMatchingPolicy(input: { weights: { skills: 40, projects: 10, foundations: 10, maturity: 15, topics: 15, timezone: 5, language: 5, load: 0 }, proposalSlaHours: 1 }) { version } }",
        json!({}),
    )
    .await
    .data();
    mentor(&app, "slow", &["rust", "licensing"], 1).await;
    mentor(&app, "next", &["rust"], 1).await;
    mentee(&app, "learner").await;
    let request = ask(&app, "learner", None).await;
    let first = current_match_id(&request);
    assert_eq!(read_match(&app, &first).await["score"]["policyVersion"], 1);

    // Not due yet: nothing happens.
    let pass = tandem::jobs::sweeper::run_once(&app.state, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(pass.expired, 0);
    assert_eq!(read_match(&app, &first).await["state"], "PROPOSED");

    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let other = app.another_instance().await;
    let (a, b) = tokio::join!(
        tandem::jobs::sweeper::run_once(&app.state, later),
        tandem::jobs::sweeper::run_once(&other.state, later),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.expired + b.expired,
        1,
        "two sweepers expire the proposal once"
    );
    let expired = read_match(&app, &first).await;
    assert_eq!(expired["state"], "EXPIRED");
    assert_eq!(
        expired["history"][1]["actor"],
        Value::Null,
        "the system expired it"
    );
    let now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    assert_eq!(now.data()["request"]["state"], "PROPOSED");
    assert_eq!(
        now.data()["request"]["currentMatch"]["mentor"]["displayName"],
        "next"
    );
    assert_eq!(live_count(&app, "slow").await, 0);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'match' AND to_state = 'expired'"
        )
        .await,
        1
    );
}

async fn withdrawing_is_for_the_mentee_before_the_match_is_active(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", &["rust"], 2).await;
    mentee(&app, "learner").await;
    let request = ask(&app, "learner", None).await;
    let id = request["id"].as_str().unwrap();
    let by_mentor = app.as_user("mentor", WITHDRAW, json!({ "id": id })).await;
    assert_eq!(
        by_mentor.code(),
        "FORBIDDEN",
        "the proposed mentor sees it but may not"
    );
    let by_stranger = app.as_user("stranger", WITHDRAW, json!({ "id": id })).await;
    assert_eq!(by_stranger.code(), "NOT_FOUND");
    let by_ospo = app.as_ospo(WITHDRAW, json!({ "id": id })).await;
    assert_eq!(by_ospo.code(), "FORBIDDEN");
    app.as_user(
        "mentor",
        ACCEPT,
        json!({ "id": current_match_id(&request) }),
    )
    .await
    .data();
    let too_late = app.as_user("learner", WITHDRAW, json!({ "id": id })).await;
    assert_eq!(too_late.code(), "CONFLICT");
    let now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": id }))
        .await;
    assert_eq!(now.data()["request"]["state"], "MATCHED");
    assert_eq!(now.data()["request"]["currentMatch"]["state"], "ACTIVE");
}

async fn one_unfinished_request_per_mentee(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", &["rust"], 5).await;
    mentee(&app, "learner").await;
    mentee(&app, "twin").await;
    ask(&app, "learner", None).await;
    let again = app
        .as_user("learner", REQUEST, json!({ "i": { "goals": "again" } }))
        .await;
    assert_eq!(again.code(), "CONFLICT");
    // The same mentee asking twice at the same instant: one request.
    let input = json!({ "i": { "goals": "at once" } });
    let (a, b) = tokio::join!(
        app.as_user("twin", REQUEST, input.clone()),
        app.as_user("twin", REQUEST, input.clone()),
    );
    let outcomes = [&a, &b]
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    assert_eq!(outcomes, 1, "{:#} / {:#}", a.body, b.body);
    let refused = if a.body.get("errors").is_some() {
        &a
    } else {
        &b
    };
    assert_eq!(refused.code(), "CONFLICT");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request").await,
        2
    );
    assert_eq!(live_count(&app, "mentor").await, 2);
    // Bad input: empty goals, a preferred mentor who is not a mentor.
    let empty = app
        .as_user("mentor", REQUEST, json!({ "i": { "goals": "  " } }))
        .await;
    assert_eq!(empty.code(), "BAD_USER_INPUT");
}

async fn who_may_act_on_a_proposal(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", &["rust"], 2).await;
    mentor(&app, "other-mentor", &["go"], 2).await;
    mentee(&app, "learner").await;
    let request = ask(
        &app,
        "learner",
        Some(&mentor(&app, "mentor", &["rust"], 2).await),
    )
    .await;
    let match_id = current_match_id(&request);
    assert_eq!(request["currentMatch"]["mentor"]["displayName"], "mentor");

    let missing = app
        .as_user("stranger", ACCEPT, json!({ "id": "no-such-match" }))
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
    let hidden = app
        .as_user("stranger", ACCEPT, json!({ "id": match_id }))
        .await;
    assert_eq!(hidden.code(), "NOT_FOUND");
    assert_eq!(
        hidden.message(),
        missing.message(),
        "hidden reads as absent"
    );
    let wrong_mentor = app
        .as_user("other-mentor", ACCEPT, json!({ "id": match_id }))
        .await;
    assert_eq!(wrong_mentor.code(), "NOT_FOUND");
    let own = app
        .as_user("learner", ACCEPT, json!({ "id": match_id }))
        .await;
    assert_eq!(
        own.code(),
        "FORBIDDEN",
        "the mentee cannot accept their own proposal"
    );
    let ospo = app.as_ospo(ACCEPT, json!({ "id": match_id })).await;
    assert_eq!(ospo.code(), "FORBIDDEN");
    let decline_by_mentee = app
        .as_user(
            "learner",
            DECLINE,
            json!({ "i": { "matchId": match_id, "reason": "OTHER" } }),
        )
        .await;
    assert_eq!(decline_by_mentee.code(), "FORBIDDEN");
    let stranger_reads = app
        .as_user("stranger", MATCH, json!({ "id": match_id }))
        .await;
    assert_eq!(stranger_reads.data()["match"], Value::Null);
    let stranger_request = app
        .as_user("stranger", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    assert_eq!(stranger_request.data()["request"], Value::Null);
    let stranger_check_in = app
        .as_user(
            "stranger",
            CHECK_IN,
            json!({ "i": { "matchId": match_id, "date": "2026-11-20", "minutes": 30 } }),
        )
        .await;
    assert_eq!(stranger_check_in.code(), "NOT_FOUND");
    assert_eq!(read_match(&app, &match_id).await["state"], "PROPOSED");
    assert_eq!(live_count(&app, "mentor").await, 1);
    // The proposed mentor reads the request proposed to them.
    let mentor_reads = app
        .as_user("mentor", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    assert_eq!(mentor_reads.data()["request"]["state"], "PROPOSED");
}

async fn illegal_transitions_are_conflicts_that_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "a", &["rust", "licensing"], 2).await;
    mentor(&app, "b", &["rust"], 2).await;
    mentee(&app, "learner").await;
    let request = ask(&app, "learner", None).await;
    let first = current_match_id(&request);

    let early_complete = app.as_user("a", COMPLETE, json!({ "id": first })).await;
    assert_eq!(
        early_complete.code(),
        "CONFLICT",
        "a proposed match cannot complete"
    );
    let early_feedback = app
        .as_user(
            "learner",
            FEEDBACK,
            json!({ "i": { "matchId": first, "rating": 5 } }),
        )
        .await;
    assert_eq!(early_feedback.code(), "CONFLICT");
    let early_check_in = app
        .as_user(
            "learner",
            CHECK_IN,
            json!({ "i": { "matchId": first, "date": "2026-11-20", "minutes": 30 } }),
        )
        .await;
    assert_eq!(early_check_in.code(), "CONFLICT");
    assert_eq!(read_match(&app, &first).await["state"], "PROPOSED");

    app.as_user(
        "a",
        DECLINE,
        json!({ "i": { "matchId": first, "reason": "NOT_RIGHT_EXPERTISE" } }),
    )
    .await
    .data();
    let accept_declined = app.as_user("a", ACCEPT, json!({ "id": first })).await;
    assert_eq!(accept_declined.code(), "CONFLICT");
    assert_eq!(read_match(&app, &first).await["state"], "DECLINED");

    let now = app
        .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
        .await;
    let second = now.data()["request"]["currentMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.as_user("b", ACCEPT, json!({ "id": second }))
        .await
        .data();
    let decline_active = app
        .as_user(
            "b",
            DECLINE,
            json!({ "i": { "matchId": second, "reason": "OTHER" } }),
        )
        .await;
    assert_eq!(decline_active.code(), "CONFLICT");
    assert_eq!(read_match(&app, &second).await["state"], "ACTIVE");
    let bad_minutes = app
        .as_user(
            "learner",
            CHECK_IN,
            json!({ "i": { "matchId": second, "date": "2026-11-20", "minutes": 601 } }),
        )
        .await;
    assert_eq!(bad_minutes.code(), "BAD_USER_INPUT");
    // A date the Date scalar cannot parse is coded where it arose, not by its text.
    let bad_date = app
        .as_user(
            "learner",
            CHECK_IN,
            json!({ "i": { "matchId": second, "date": "2026-13-45", "minutes": 30 } }),
        )
        .await;
    assert_eq!(bad_date.code(), "BAD_USER_INPUT");
    let level_down = app
        .as_user(
            "b",
            MILESTONE,
            json!({ "i": { "matchId": second, "kind": "LEVEL_UP", "newLevel": 2 } }),
        )
        .await;
    assert_eq!(
        level_down.code(),
        "BAD_USER_INPUT",
        "LEVEL_UP must go above level 2"
    );
    let bad_rating = app
        .as_user(
            "b",
            FEEDBACK,
            json!({ "i": { "matchId": second, "rating": 6 } }),
        )
        .await;
    assert_eq!(bad_rating.code(), "BAD_USER_INPUT");
    assert_eq!(app.count("SELECT COUNT(*) FROM check_in").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM milestone").await, 0);

    app.as_user("learner", COMPLETE, json!({ "id": second }))
        .await
        .data();
    let late_check_in = app
        .as_user(
            "learner",
            CHECK_IN,
            json!({ "i": { "matchId": second, "date": "2026-11-20", "minutes": 30 } }),
        )
        .await;
    assert_eq!(late_check_in.code(), "CONFLICT");
    let end_completed = app
        .as_user("b", END_EARLY, json!({ "id": second, "r": "why not" }))
        .await;
    assert_eq!(end_completed.code(), "CONFLICT");
    assert_eq!(read_match(&app, &second).await["state"], "COMPLETED");
    assert_eq!(app.count("SELECT COUNT(*) FROM check_in").await, 0);
}

async fn a_pair_sees_each_others_contact_and_the_mentor_the_mentee_profile(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", &["rust"], 2).await;
    let learner = mentee(&app, "learner").await;
    // The mentee's token carries an email, so the person has one.
    let with_email = token_for("learner", Some("learner"), Some("learner@example.com"), &[]);
    app.gql(Some(&with_email), "{ me { id } }", json!({}))
        .await
        .data();
    const PERSON: &str =
        "query($id: ID!) { person(id: $id) { email timezone menteeProfile { targetLevel } } }";
    let before = app
        .as_user("mentor", PERSON, json!({ "id": learner }))
        .await;
    assert_eq!(
        before.data()["person"],
        Value::Null,
        "not a mentor, not paired"
    );

    let request = ask(&app, "learner", None).await;
    let during = app
        .as_user("mentor", PERSON, json!({ "id": learner }))
        .await;
    let person = &during.data()["person"];
    assert_eq!(person["email"], "learner@example.com");
    assert_eq!(person["timezone"], "Europe/Paris");
    assert_eq!(person["menteeProfile"]["targetLevel"], 3);
    let stranger = app
        .as_user("stranger", PERSON, json!({ "id": learner }))
        .await;
    assert_eq!(stranger.data()["person"], Value::Null);

    // After a decline the mentor is no longer the mentee's proposed mentor.
    app.as_user(
        "mentor",
        DECLINE,
        json!({ "i": { "matchId": current_match_id(&request), "reason": "OTHER" } }),
    )
    .await
    .data();
    let after = app
        .as_user("mentor", PERSON, json!({ "id": learner }))
        .await;
    assert_eq!(after.data()["person"], Value::Null);
}

async fn lowering_capacity_below_live_proposals_is_a_conflict(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", &["rust"], 2).await;
    mentee(&app, "one").await;
    mentee(&app, "two").await;
    ask(&app, "one", None).await;
    ask(&app, "two", None).await;
    let input = json!({ "capacity": 1, "accepting": true, "skills": [], "projects": [], "foundations": [], "topics": [] });
    let lowered = app
        .as_user(
            "mentor",
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    assert_eq!(lowered.code(), "CONFLICT");
    let profile = app
        .as_user(
            "mentor",
            "{ me { mentorProfile { capacity liveCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(profile.data()["me"]["mentorProfile"]["capacity"], 2);
    assert_eq!(profile.data()["me"]["mentorProfile"]["liveCount"], 2);
}

async fn closing_a_program_cancels_its_unanswered_proposals(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let mentor_id = mentor(&app, "mentor", &["rust"], 3).await;
    let one = mentee(&app, "one").await;
    let two = mentee(&app, "two").await;
    let program = app
        .as_ospo(
            r#"mutation { createProgram(input: { name: "Spring", startsOn: "2026-01-01", endsOn: "2026-06-30" }) { id } }"#,
            json!({}),
        )
        .await;
    let program = program.data()["createProgram"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const STATUS: &str = "mutation($id: ID!, $s: ProgramStatus!) { setProgramStatus(id: $id, status: $s) { status } }";
    app.as_ospo(STATUS, json!({ "id": program, "s": "OPEN" }))
        .await
        .data();
    const ENROLL: &str = "mutation($i: EnrollInput!) { enroll(input: $i) { id } }";
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": program, "personIds": [mentor_id], "role": "MENTOR" } }),
    )
    .await
    .data();
    app.as_ospo(
        ENROLL,
        json!({ "i": { "programId": program, "personIds": [one, two], "role": "MENTEE" } }),
    )
    .await
    .data();
    // While the program is open, a program request waits for the cohort run.
    let cohort = app
        .as_ospo(
            "mutation($p: ID!) { runCohortMatching(input: { programId: $p, dryRun: false }) { assignments { matchId } } }",
            json!({ "p": program }),
        )
        .await;
    let assigned = cohort.data()["runCohortMatching"]["assignments"]
        .as_array()
        .unwrap();
    assert_eq!(assigned.len(), 2);
    let accepted = assigned[0]["matchId"].as_str().unwrap().to_owned();
    let unanswered = assigned[1]["matchId"].as_str().unwrap().to_owned();
    app.as_user("mentor", ACCEPT, json!({ "id": accepted }))
        .await
        .data();
    assert_eq!(live_count(&app, "mentor").await, 2);

    app.as_ospo(STATUS, json!({ "id": program, "s": "CLOSED" }))
        .await
        .data();
    assert_eq!(read_match(&app, &unanswered).await["state"], "CANCELLED");
    assert_eq!(
        read_match(&app, &accepted).await["state"],
        "ACTIVE",
        "active ones run on"
    );
    assert_eq!(live_count(&app, "mentor").await, 1);
    let closed_request = read_match(&app, &unanswered).await["request"]["state"].clone();
    assert_eq!(closed_request, "CLOSED");
}

async fn a_waiting_request_is_proposed_when_a_mentor_opens_seats(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    const SET: &str = "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }";
    let profile = |capacity: i32, accepting: bool| json!({ "i": { "capacity": capacity, "accepting": accepting, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": [] } });
    app.as_user("mentor", SET, profile(1, false)).await.data();
    mentee(&app, "one").await;
    mentee(&app, "two").await;
    let one = ask(&app, "one", None).await;
    assert_eq!(one["state"], "OPEN", "the only mentor is not accepting");
    // Turning accepting on proposes the oldest waiting request.
    app.as_user("mentor", SET, profile(1, true)).await.data();
    let two = ask(&app, "two", None).await;
    assert_eq!(
        two["state"], "OPEN",
        "the one seat went to the older request"
    );
    let one_now = app
        .as_user("one", REQUEST_BY_ID, json!({ "id": one["id"] }))
        .await;
    assert_eq!(one_now.data()["request"]["state"], "PROPOSED");
    // Raising capacity proposes the next one.
    app.as_user("mentor", SET, profile(2, true)).await.data();
    let two_now = app
        .as_user("two", REQUEST_BY_ID, json!({ "id": two["id"] }))
        .await;
    assert_eq!(two_now.data()["request"]["state"], "PROPOSED");
    assert_eq!(live_count(&app, "mentor").await, 2);
}

async fn the_background_sweeper_runs_at_its_interval(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.sweep_interval = std::time::Duration::from_millis(300);
    })
    .await
    else {
        return;
    };
    app.seed_catalog().await;
    const SET: &str = "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }";
    let input = json!({ "i": { "capacity": 1, "accepting": false, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": [] } });
    app.as_user("mentor", SET, input).await.data();
    mentee(&app, "learner").await;
    let request = ask(&app, "learner", None).await;
    assert_eq!(request["state"], "OPEN");
    // A seat opens behind the service's back (no offer is made at once):
    // only the sweeper's pass can propose it.
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db,
        "UPDATE mentor_profile SET accepting = TRUE",
    )
    .await
    .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db,
        "UPDATE scoring_revision SET revision = revision + 1",
    )
    .await
    .unwrap();
    let mut state = Value::Null;
    for _ in 0..100 {
        let now = app
            .as_user("learner", REQUEST_BY_ID, json!({ "id": request["id"] }))
            .await;
        state = now.data()["request"]["state"].clone();
        if state == "PROPOSED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state, "PROPOSED", "the sweeper offered the seat");
}

on_both_backends!(
    the_background_sweeper_runs_at_its_interval,
    a_waiting_request_is_proposed_when_a_mentor_opens_seats,
    the_whole_flow_from_request_to_feedback,
    a_decline_cascades_to_the_next_best_and_never_back,
    a_waiting_request_is_proposed_when_a_seat_frees,
    expiry_by_the_sweeper_cascades_exactly_once,
    withdrawing_is_for_the_mentee_before_the_match_is_active,
    one_unfinished_request_per_mentee,
    who_may_act_on_a_proposal,
    illegal_transitions_are_conflicts_that_change_nothing,
    a_pair_sees_each_others_contact_and_the_mentor_the_mentee_profile,
    lowering_capacity_below_live_proposals_is_a_conflict,
    closing_a_program_cancels_its_unanswered_proposals,
);
