//! The lifecycle's invariants under concurrency, enforced by the database:
//! on PostgreSQL with two server instances on one database, on SQLite with
//! one (its writers queue). A lost race is `CONFLICT`, never `INTERNAL`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use serde_json::json;
use tandem_tests::{Backend, Gql, TestApp, on_both_backends};

const REQUEST: &str = "mutation($i: RequestMentorshipInput!) { requestMentorship(input: $i) { id state currentMatch { id } } }";
const ACCEPT: &str = "mutation($id: ID!) { acceptProposal(matchId: $id) { id state } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawRequest(id: $id) { id state } }";

async fn mentor(app: &TestApp, sub: &str, capacity: i32) -> String {
    let input = json!({ "capacity": capacity, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": [] });
    let set = app
        .as_user(
            sub,
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await;
    set.data()["setMentorProfile"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn mentee(app: &TestApp, sub: &str) {
    let input = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": [] });
    app.as_user(
        sub,
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
    .data();
}

/// The second instance on PostgreSQL; the same one on SQLite.
async fn instances(backend: Backend) -> Option<(TestApp, Option<TestApp>)> {
    let app = TestApp::spawn(backend).await?;
    let other = match backend {
        Backend::Postgres => Some(app.another_instance().await),
        Backend::Sqlite => None,
    };
    Some((app, other))
}

fn pick<'a>(app: &'a TestApp, other: &'a Option<TestApp>, i: usize) -> &'a TestApp {
    match other {
        Some(b) if i % 2 == 1 => b,
        _ => app,
    }
}

#[track_caller]
fn no_internal(responses: &[Gql]) {
    for r in responses {
        if let Some(errors) = r.body.get("errors") {
            for e in errors.as_array().unwrap() {
                let code = e["extensions"]["code"].as_str().unwrap_or_default();
                assert_eq!(
                    code, "CONFLICT",
                    "only CONFLICT may come of a race: {:#}",
                    r.body
                );
            }
        }
    }
}

async fn thirty_mentees_racing_for_three_seats(backend: Backend) {
    let Some((app, other)) = instances(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let popular = mentor(&app, "popular", 3).await;
    for i in 0..30 {
        mentee(&app, &format!("m{i}")).await;
    }
    // A reader watches the invariant while the race runs.
    let done = Arc::new(AtomicBool::new(false));
    let most = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (db_app, done, most, popular) = (
            app.another_instance().await,
            done.clone(),
            most.clone(),
            popular.clone(),
        );
        tokio::spawn(async move {
            while !done.load(Ordering::SeqCst) {
                let live = db_app
                    .count(&format!(
                        "SELECT COUNT(*) FROM mentorship_match WHERE mentor_id = '{popular}' AND state IN ('proposed', 'active')"
                    ))
                    .await;
                most.fetch_max(live, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    let asks = (0..30).map(|i| {
        let target = pick(&app, &other, i);
        let input = json!({ "i": { "goals": "a seat", "preferredMentorId": popular } });
        let sub = format!("m{i}");
        async move { target.as_user(&sub, REQUEST, input).await }
    });
    let answers = futures_util::future::join_all(asks).await;
    no_internal(&answers);
    let proposed: Vec<String> = answers
        .iter()
        .filter_map(|a| a.data()["requestMentorship"]["currentMatch"]["id"].as_str())
        .map(str::to_owned)
        .collect();
    assert_eq!(proposed.len(), 3, "exactly three seats were proposed");
    let waiting = answers
        .iter()
        .filter(|a| a.data()["requestMentorship"]["state"] == "OPEN")
        .count();
    assert_eq!(waiting, 27);

    // The mentor accepts all three at once, through both instances.
    let accepts = proposed.iter().enumerate().map(|(i, id)| {
        let target = pick(&app, &other, i);
        let id = id.clone();
        async move { target.as_user("popular", ACCEPT, json!({ "id": id })).await }
    });
    let accepted = futures_util::future::join_all(accepts).await;
    no_internal(&accepted);
    for a in &accepted {
        assert_eq!(a.data()["acceptProposal"]["state"], "ACTIVE");
    }
    done.store(true, Ordering::SeqCst);
    watcher.await.unwrap();
    assert!(
        most.load(Ordering::SeqCst) <= 3,
        "a reader saw {} live",
        most.load(Ordering::SeqCst)
    );
    let active = app
        .count(&format!(
            "SELECT COUNT(*) FROM mentorship_match WHERE mentor_id = '{popular}' AND state = 'active'"
        ))
        .await;
    assert_eq!(active, 3);
    assert_eq!(
        app.count(&format!(
            "SELECT CAST(live_count AS BIGINT) FROM mentor_profile WHERE person_id = '{popular}'"
        ))
        .await,
        3
    );
}

async fn one_proposal_accepted_twenty_times_at_once(backend: Backend) {
    let Some((app, other)) = instances(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", 2).await;
    mentee(&app, "learner").await;
    let asked = app
        .as_user("learner", REQUEST, json!({ "i": { "goals": "one" } }))
        .await;
    let id = asked.data()["requestMentorship"]["currentMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let accepts = (0..20).map(|i| {
        let target = pick(&app, &other, i);
        let id = id.clone();
        async move { target.as_user("mentor", ACCEPT, json!({ "id": id })).await }
    });
    let answers = futures_util::future::join_all(accepts).await;
    no_internal(&answers);
    let wins = answers
        .iter()
        .filter(|a| a.body.get("errors").is_none())
        .count();
    assert_eq!(wins, 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'match' AND to_state = 'active'"
        )
        .await,
        1
    );
}

async fn accept_racing_withdraw_ends_in_one_legal_outcome(backend: Backend) {
    let Some((app, other)) = instances(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "mentor", 10).await;
    for round in 0..5 {
        let sub = format!("learner{round}");
        mentee(&app, &sub).await;
        let asked = app
            .as_user(&sub, REQUEST, json!({ "i": { "goals": "race" } }))
            .await;
        let request = asked.data()["requestMentorship"].clone();
        let match_id = request["currentMatch"]["id"].as_str().unwrap().to_owned();
        let request_id = request["id"].as_str().unwrap().to_owned();
        let second = other.as_ref().unwrap_or(&app);
        let (accept, withdraw) = tokio::join!(
            app.as_user("mentor", ACCEPT, json!({ "id": match_id })),
            second.as_user(&sub, WITHDRAW, json!({ "id": request_id })),
        );
        no_internal(&[accept.clone(), withdraw.clone()]);
        let accepted = accept.body.get("errors").is_none();
        let withdrawn = withdraw.body.get("errors").is_none();
        assert!(
            accepted ^ withdrawn,
            "exactly one wins: {:#} / {:#}",
            accept.body,
            withdraw.body
        );
        let read = app
            .as_ospo(
                "query($id: ID!, $m: ID!) { request(id: $id) { state history { from to } } match(id: $m) { state } }",
                json!({ "id": request_id, "m": match_id }),
            )
            .await;
        let data = read.data();
        let (request_state, match_state) = (
            data["request"]["state"].as_str().unwrap(),
            data["match"]["state"].as_str().unwrap(),
        );
        if accepted {
            assert_eq!((request_state, match_state), ("MATCHED", "ACTIVE"));
        } else {
            assert_eq!((request_state, match_state), ("WITHDRAWN", "CANCELLED"));
        }
        // The history replays to the final state: each step starts where the last ended.
        let history = data["request"]["history"].as_array().unwrap();
        let mut at: Option<String> = None;
        for step in history {
            assert_eq!(step["from"].as_str().map(str::to_owned), at, "{history:#?}");
            at = step["to"].as_str().map(str::to_owned);
        }
        assert_eq!(at.unwrap().to_uppercase(), request_state);
    }
}

/// A mentor is deactivated on one instance while twenty mentees ask for
/// them (as preferred mentor) through both: whatever the interleaving, she
/// ends with no live match and no seat taken, and every request that was
/// proposed to her went on to the other mentor or waits.
async fn deactivation_racing_new_proposals(backend: Backend) {
    let Some((app, other)) = instances(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let leaving = mentor(&app, "leaving", 10).await;
    mentor(&app, "staying", 10).await;
    for i in 0..20 {
        mentee(&app, &format!("m{i}")).await;
    }
    let asks = (0..20).map(|i| {
        let target = pick(&app, &other, i);
        let input = json!({ "i": { "goals": "a seat", "preferredMentorId": leaving } });
        let sub = format!("m{i}");
        async move {
            // Spread the requests around the deactivation.
            tokio::time::sleep(std::time::Duration::from_millis(3 * i as u64)).await;
            target.as_user(&sub, REQUEST, input).await
        }
    });
    let deactivate = async {
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        pick(&app, &other, 1)
            .as_ospo(
                "mutation($id: ID!) { deactivatePerson(id: $id, reason: \"left\") { proposalsCancelled } }",
                json!({ "id": leaving }),
            )
            .await
    };
    let (answers, deactivated) = tokio::join!(futures_util::future::join_all(asks), deactivate);
    no_internal(&answers);
    no_internal(std::slice::from_ref(&deactivated));
    assert!(
        deactivated.body.get("errors").is_none(),
        "{:#}",
        deactivated.body
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM mentorship_match WHERE mentor_id = '{leaving}' AND state IN ('proposed', 'active')"
        ))
        .await,
        0,
        "nothing live is left with the person who left"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT CAST(live_count AS BIGINT) FROM mentor_profile WHERE person_id = '{leaving}'"
        ))
        .await,
        0
    );
    // Each request is proposed to the mentor who stays (ten seats) or waits.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'proposed'")
            .await,
        10
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentorship_request WHERE state = 'open'")
            .await,
        10
    );
}

on_both_backends!(
    thirty_mentees_racing_for_three_seats,
    one_proposal_accepted_twenty_times_at_once,
    accept_racing_withdraw_ends_in_one_legal_outcome,
    deactivation_racing_new_proposals,
);
