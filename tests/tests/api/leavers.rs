//! People leave, through the API: a mentor with two active mentees and a
//! pending proposal is deactivated (the proposal cascades, both mentorships
//! end early with reason `left`, the token is refused, recommendations and
//! the mentor list drop them, the other sides are told and nothing more is
//! mailed to them), then reactivated (access only). A mentee leaves through
//! the HR import's `active` column and through `deactivatePerson`.

use serde_json::{Value, json};
use tandem::jobs::delivery;
use tandem_tests::sinks::SmtpSink;
use tandem_tests::{Backend, Gql, TestApp, on_both_backends, token_for};

fn name(sub: &str) -> String {
    format!("{}{}", sub[..1].to_uppercase(), &sub[1..])
}

fn token(sub: &str) -> String {
    token_for(
        sub,
        Some(&name(sub)),
        Some(&format!("{sub}@example.com")),
        &[],
    )
}

async fn run(app: &TestApp, sub: &str, query: &str, variables: Value) -> Gql {
    app.gql(Some(&token(sub)), query, variables).await
}

async fn ok(app: &TestApp, sub: &str, query: &str, variables: Value) -> Value {
    run(app, sub, query, variables).await.data().clone()
}

async fn mentor(app: &TestApp, sub: &str, proficiency: i32, capacity: i32) -> String {
    let input = json!({ "capacity": capacity, "accepting": true,
        "skills": [{ "skill": "rust", "proficiency": proficiency }, { "skill": "licensing", "proficiency": proficiency }],
        "projects": [], "foundations": [], "topics": [] });
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
    let input = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }, { "skill": "licensing", "priority": 2 }],
        "projects": [], "foundations": [], "topics": [] });
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

/// The mentee's request: (request id, the proposal's id and mentor, if any).
async fn ask(app: &TestApp, sub: &str) -> (String, Option<(String, String)>) {
    let data = ok(
        app,
        sub,
        "mutation { requestMentorship(input: { goals: \"grow\" }) { id currentMatch { id mentor { displayName } } } }",
        json!({}),
    )
    .await;
    let request = &data["requestMentorship"];
    let proposal = request["currentMatch"].as_object().map(|m| {
        (
            m["id"].as_str().unwrap().to_owned(),
            m["mentor"]["displayName"].as_str().unwrap().to_owned(),
        )
    });
    (request["id"].as_str().unwrap().to_owned(), proposal)
}

async fn accept(app: &TestApp, mentor: &str, match_id: &str) {
    let data = ok(
        app,
        mentor,
        "mutation($m: ID!) { acceptProposal(matchId: $m) { state } }",
        json!({ "m": match_id }),
    )
    .await;
    assert_eq!(data["acceptProposal"]["state"], "ACTIVE");
}

const DEACTIVATE: &str = "mutation($id: ID!, $r: String!) { deactivatePerson(id: $id, reason: $r) {
  person { id active deactivatedAt deactivationReason } proposalsCancelled mentorshipsEnded requestsWithdrawn } }";
const REACTIVATE: &str =
    "mutation($id: ID!) { reactivatePerson(id: $id) { id active deactivatedAt } }";
const MATCH: &str =
    "query($m: ID!) { match(id: $m) { state endReason mentor { displayName } request { state } } }";
const KINDS: &str = "{ myNotifications(first: 50) { edges { node { kind } } } }";

async fn kinds(app: &TestApp, sub: &str) -> Vec<String> {
    ok(app, sub, KINDS, json!({})).await["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn mentor_names(app: &TestApp) -> Vec<String> {
    ok(
        app,
        "someone",
        "{ mentors(first: 20) { edges { node { displayName } } } }",
        json!({}),
    )
    .await["mentors"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["displayName"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_mentor_who_leaves(backend: Backend) {
    let smtp = SmtpSink::start().await;
    let smtp_url = smtp.url();
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.notify.smtp_url = Some(smtp_url.into());
        c.notify.mail_from = Some("Tandem <tandem@example.com>".into());
        c.notify.worker = false;
    })
    .await
    else {
        return;
    };
    app.seed_catalog().await;
    let mara = mentor(&app, "mara", 5, 3).await;
    mentor(&app, "nils", 3, 2).await;
    for sub in ["ada", "bo", "cy", "dee", "eve"] {
        mentee(&app, sub).await;
    }
    let mut active = Vec::new();
    for sub in ["ada", "bo"] {
        let (_, proposal) = ask(&app, sub).await;
        let (id, mentor) = proposal.expect("a proposal");
        assert_eq!(mentor, "Mara");
        accept(&app, "mara", &id).await;
        active.push(id);
    }
    let (cy_request, proposal) = ask(&app, "cy").await;
    let (pending, mentor) = proposal.unwrap();
    assert_eq!(mentor, "Mara");
    assert!(mentor_names(&app).await.contains(&"Mara".to_owned()));
    let mara_inbox = app
        .count(&format!(
            "SELECT COUNT(*) FROM notification WHERE person_id = '{mara}'"
        ))
        .await;

    // Only the OSPO, with a reason, and only someone who exists.
    let refused = run(&app, "ada", DEACTIVATE, json!({ "id": mara, "r": "left" })).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let blank = app
        .as_ospo(DEACTIVATE, json!({ "id": mara, "r": "  " }))
        .await;
    assert_eq!(blank.code(), "BAD_USER_INPUT");
    let nobody = app
        .as_ospo(DEACTIVATE, json!({ "id": "no-such-person", "r": "left" }))
        .await;
    assert_eq!(nobody.code(), "NOT_FOUND");
    assert_eq!(
        ok(&app, "mara", "{ me { active } }", json!({})).await["me"]["active"],
        true,
        "refusals changed nothing"
    );

    let done = app
        .as_ospo(DEACTIVATE, json!({ "id": mara, "r": "left the company" }))
        .await;
    let done = &done.data()["deactivatePerson"];
    assert_eq!(done["person"]["active"], false);
    assert_eq!(done["person"]["deactivationReason"], "left the company");
    assert!(done["person"]["deactivatedAt"].is_string());
    assert_eq!(done["proposalsCancelled"], 1);
    assert_eq!(done["mentorshipsEnded"], 2);
    assert_eq!(done["requestsWithdrawn"], 0);
    let again = app
        .as_ospo(DEACTIVATE, json!({ "id": mara, "r": "left" }))
        .await;
    assert_eq!(again.code(), "CONFLICT");

    // Whatever their token: refused.
    for token in [
        token("mara"),
        token_for(
            "mara",
            Some("Mara New"),
            Some("mara@example.org"),
            &["ospo"],
        ),
    ] {
        let me = app.gql(Some(&token), "{ me { id } }", json!({})).await;
        assert_eq!(me.code(), "UNAUTHENTICATED");
    }
    let export = app
        .client
        .get(format!("{}/me/export.json", app.base))
        .bearer_auth(token("mara"))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 401);

    // Both mentorships ended early, reason `left`; their requests closed.
    for (sub, id) in [("ada", &active[0]), ("bo", &active[1])] {
        let seen = ok(&app, sub, MATCH, json!({ "m": id })).await;
        assert_eq!(seen["match"]["state"], "ENDED_EARLY");
        assert_eq!(seen["match"]["endReason"], "left");
        assert_eq!(seen["match"]["request"]["state"], "CLOSED");
    }
    // The pending proposal was cancelled and cascaded to the next mentor.
    let cancelled = app.as_ospo(MATCH, json!({ "m": pending })).await;
    assert_eq!(cancelled.data()["match"]["state"], "CANCELLED");
    let cy = ok(
        &app,
        "cy",
        "query($r: ID!) { request(id: $r) { state currentMatch { mentor { displayName } } } }",
        json!({ "r": cy_request }),
    )
    .await;
    assert_eq!(cy["request"]["state"], "PROPOSED");
    assert_eq!(
        cy["request"]["currentMatch"]["mentor"]["displayName"],
        "Nils"
    );

    // Never recommended, listed or proposed again.
    let recommended = ok(
        &app,
        "dee",
        "{ recommendations(first: 10) { mentor { displayName } } }",
        json!({}),
    )
    .await;
    let names: Vec<&str> = recommended["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["mentor"]["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Nils"]);
    assert_eq!(mentor_names(&app).await, ["Nils"]);
    let (dee_request, proposal) = ask(&app, "dee").await;
    assert_eq!(proposal.unwrap().1, "Nils");
    let (eve_request, proposal) = ask(&app, "eve").await;
    assert!(proposal.is_none(), "Nils is full; Mara is gone");
    let by_hand = app
        .as_ospo(
            "mutation($r: ID!, $m: ID!) { proposeMatch(input: { requestId: $r, mentorId: $m }) { id } }",
            json!({ "r": eve_request, "m": mara }),
        )
        .await;
    assert_eq!(by_hand.code(), "CONFLICT");
    assert_ne!(dee_request, eve_request);

    // The other sides were told; Mara was told nothing.
    for sub in ["ada", "bo"] {
        assert!(
            kinds(&app, sub)
                .await
                .contains(&"MATCH_ENDED_EARLY".to_owned())
        );
    }
    let cy_kinds = kinds(&app, "cy").await;
    assert!(cy_kinds.contains(&"PROPOSAL_CANCELLED".to_owned()));
    assert!(cy_kinds.contains(&"REQUEST_REPROPOSED".to_owned()));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM notification WHERE person_id = '{mara}'"
        ))
        .await,
        mara_inbox
    );
    // The emails queued for her before (three proposals) are dropped too.
    delivery::run_once(&app.state, chrono::Utc::now())
        .await
        .unwrap();
    assert!(smtp.to("mara@example.com").is_empty());
    assert!(
        smtp.to("ada@example.com")
            .iter()
            .any(|m| m.decoded().contains("ended early")),
        "Ada hears that her mentorship ended"
    );
    assert!(!smtp.to("nils@example.com").is_empty());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_event WHERE subject_kind = 'person' AND subject_id = '{mara}'"
        ))
        .await,
        1
    );

    // Reactivation restores access only.
    let back = app.as_ospo(REACTIVATE, json!({ "id": mara })).await;
    assert_eq!(back.data()["reactivatePerson"]["active"], true);
    assert_eq!(
        back.data()["reactivatePerson"]["deactivatedAt"],
        Value::Null
    );
    let me = ok(
        &app,
        "mara",
        "{ me { active mentorProfile { liveCount } } }",
        json!({}),
    )
    .await;
    assert_eq!(me["me"]["active"], true);
    assert_eq!(me["me"]["mentorProfile"]["liveCount"], 0);
    let seen = ok(&app, "ada", MATCH, json!({ "m": active[0] })).await;
    assert_eq!(seen["match"]["state"], "ENDED_EARLY");
    let twice = app.as_ospo(REACTIVATE, json!({ "id": mara })).await;
    assert_eq!(twice.code(), "CONFLICT");
    assert!(mentor_names(&app).await.contains(&"Mara".to_owned()));
}

const IMPORT: &str =
    "mutation($csv: String!, $dry: Boolean) { importPeople(csv: $csv, dryRun: $dry) {
  created updated unchanged deactivated errors { line column reason } } }";

async fn a_mentee_who_leaves(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let mara = mentor(&app, "mara", 5, 2).await;
    let ada = mentee(&app, "ada").await;
    let bo = mentee(&app, "bo").await;
    let (ada_request, proposal) = ask(&app, "ada").await;
    let (ada_match, _) = proposal.unwrap();
    accept(&app, "mara", &ada_match).await;
    let (bo_request, proposal) = ask(&app, "bo").await;
    let (bo_match, _) = proposal.unwrap();
    let live = "{ me { mentorProfile { liveCount } } }";
    assert_eq!(
        ok(&app, "mara", live, json!({})).await["me"]["mentorProfile"]["liveCount"],
        2
    );

    // A dry run says what would happen and does nothing.
    let csv = "email,active\nada@example.com,false\nbo@example.com,true\n";
    let dry = app
        .as_ospo(IMPORT, json!({ "csv": csv, "dry": true }))
        .await;
    assert_eq!(dry.data()["importPeople"]["deactivated"], 1);
    assert_eq!(
        ok(&app, "ada", "{ me { active } }", json!({})).await["me"]["active"],
        true
    );
    // The file deactivates Ada; `true` changes nothing for Bo, and Mara,
    // absent from the file, stays as she is.
    let report = app.as_ospo(IMPORT, json!({ "csv": csv })).await;
    let report = &report.data()["importPeople"];
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["deactivated"], 1);
    assert_eq!(report["updated"], 1);
    assert_eq!(report["unchanged"], 1);
    assert_eq!(
        run(&app, "ada", "{ me { id } }", json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let seen = ok(&app, "mara", MATCH, json!({ "m": ada_match })).await;
    assert_eq!(seen["match"]["state"], "ENDED_EARLY");
    assert_eq!(seen["match"]["endReason"], "left");
    assert_eq!(seen["match"]["request"]["state"], "CLOSED");
    let request = app
        .as_ospo(
            "query($r: ID!) { request(id: $r) { state mentee { active } } }",
            json!({ "r": ada_request }),
        )
        .await;
    assert_eq!(request.data()["request"]["state"], "CLOSED");
    assert_eq!(request.data()["request"]["mentee"]["active"], false);
    // Importing the same file again deactivates nobody twice.
    let again = app.as_ospo(IMPORT, json!({ "csv": csv })).await;
    assert_eq!(again.data()["importPeople"]["deactivated"], 0);
    assert_eq!(again.data()["importPeople"]["unchanged"], 2);

    // Bo leaves with a proposal pending: it is cancelled with his request.
    let done = app
        .as_ospo(
            DEACTIVATE,
            json!({ "id": bo, "r": "moved to another company" }),
        )
        .await;
    let done = &done.data()["deactivatePerson"];
    assert_eq!(done["requestsWithdrawn"], 1);
    assert_eq!(done["proposalsCancelled"], 0);
    assert_eq!(done["mentorshipsEnded"], 0);
    let request = app
        .as_ospo(
            "query($r: ID!) { request(id: $r) { state } }",
            json!({ "r": bo_request }),
        )
        .await;
    assert_eq!(request.data()["request"]["state"], "WITHDRAWN");
    let seen = app.as_ospo(MATCH, json!({ "m": bo_match })).await;
    assert_eq!(seen.data()["match"]["state"], "CANCELLED");
    assert_eq!(
        ok(&app, "mara", live, json!({})).await["me"]["mentorProfile"]["liveCount"],
        0,
        "both seats came back"
    );
    let told = kinds(&app, "mara").await;
    assert!(told.contains(&"MATCH_ENDED_EARLY".to_owned()));
    assert!(told.contains(&"PROPOSAL_CANCELLED".to_owned()));
    // A departed person cannot be enrolled.
    let program = app
        .as_ospo(
            r#"mutation { createProgram(input: { name: "Spring", startsOn: "2027-03-01", endsOn: "2027-06-30" }) { id } }"#,
            json!({}),
        )
        .await;
    let program = program.data()["createProgram"]["id"].clone();
    app.as_ospo(
        "mutation($p: ID!) { setProgramStatus(id: $p, status: OPEN) { id } }",
        json!({ "p": program }),
    )
    .await
    .data();
    let enrolled = app
        .as_ospo(
            "mutation($i: EnrollInput!) { enroll(input: $i) { id } }",
            json!({ "i": { "programId": program, "personIds": [ada], "role": "MENTEE" } }),
        )
        .await;
    assert_eq!(enrolled.code(), "CONFLICT");
    assert_ne!(mara, bo);
}

/// The caller's id, or the error code when refused.
async fn who(app: &TestApp, sub: &str) -> Result<String, String> {
    let me = run(app, sub, "{ me { id } }", json!({})).await;
    if me.body.get("errors").is_some() {
        return Err(me.code().to_owned());
    }
    Ok(me.data()["me"]["id"].as_str().unwrap().to_owned())
}

/// An instance trusts for `TANDEM_ACCESS_CACHE` (an hour here) that a
/// caller it saw active still is, yet a deactivation ends that trust at
/// once where it was made and, on PostgreSQL, on every other instance;
/// with the cache off, every call reads the person.
async fn trusted_access_ends_when_someone_leaves(backend: Backend) {
    let hour = std::time::Duration::from_secs(3600);
    let Some(a) = TestApp::spawn_with(backend, |c| c.access_cache = Some(hour)).await else {
        return;
    };
    let b = a.another_instance().await;
    let c = a.another_instance_with(|c| c.access_cache = None).await;
    let mut ids = std::collections::HashMap::new();
    for sub in ["ana", "ben", "cem"] {
        let id = who(&a, sub).await.unwrap();
        assert_eq!(who(&a, sub).await, Ok(id.clone()));
        assert_eq!(who(&c, sub).await, Ok(id.clone()));
        ids.insert(sub, id);
    }

    // Deactivated through A: A refuses at once.
    a.as_ospo(DEACTIVATE, json!({ "id": ids["ana"], "r": "left" }))
        .await
        .data();
    assert_eq!(who(&a, "ana").await, Err("UNAUTHENTICATED".into()));
    assert_eq!(who(&a, "ben").await, Ok(ids["ben"].clone()));

    // Deactivated through B: C (cache off) refuses at once; A, which saw
    // ben active a moment ago, refuses once the trigger's notification
    // arrives (PostgreSQL) and keeps its trust for the hour on SQLite, where
    // nothing tells one process what another wrote.
    b.as_ospo(DEACTIVATE, json!({ "id": ids["ben"], "r": "left" }))
        .await
        .data();
    assert_eq!(who(&c, "ben").await, Err("UNAUTHENTICATED".into()));
    assert_eq!(who(&c, "cem").await, Ok(ids["cem"].clone()));
    match backend {
        Backend::Postgres => {
            let mut seen = who(&a, "ben").await;
            for _ in 0..100 {
                if seen.is_err() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                seen = who(&a, "ben").await;
            }
            assert_eq!(seen, Err("UNAUTHENTICATED".into()));
        }
        Backend::Sqlite => assert_eq!(who(&a, "ben").await, Ok(ids["ben"].clone())),
    }
    // Whoever else A trusted is read again, and still let in.
    assert_eq!(who(&a, "cem").await, Ok(ids["cem"].clone()));
}

/// The seat itself re-checks that the mentor is still here: a deactivation
/// that commits after a proposal read the mentor pool, and before it takes
/// the seat, must still win. The race is forced by marking the person gone
/// in the database directly, which leaves the cached pool as it was.
async fn a_mentor_who_left_after_the_pool_was_read_gets_no_seat(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let leaving = mentor(&app, "leaving", 5, 3).await;
    mentee(&app, "first").await;
    mentee(&app, "second").await;
    let (_, proposal) = ask(&app, "first").await;
    assert_eq!(proposal.map(|(_, who)| who), Some(name("leaving")));
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE person SET deactivated_at = created_at WHERE id = '{leaving}'"
        ))
        .await
        .unwrap();
    let (request, proposal) = ask(&app, "second").await;
    assert_eq!(proposal, None, "no proposal to the mentor who left");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM mentorship_match WHERE request_id = '{request}'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT CAST(live_count AS BIGINT) FROM mentor_profile WHERE person_id = '{leaving}'"
        ))
        .await,
        1,
        "only the first proposal's seat"
    );
}

/// A departure re-proposes each request it cancels in one transaction: the
/// second request ranks the mentor who just took the first one with her new
/// count, and she still qualifies.
async fn every_request_of_a_leaving_mentor_moves_on(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let leaving = mentor(&app, "leaving", 5, 3).await;
    let staying = mentor(&app, "staying", 3, 3).await;
    for sub in ["first", "second"] {
        mentee(&app, sub).await;
        let (_, proposal) = ask(&app, sub).await;
        assert_eq!(proposal.map(|(_, who)| who), Some(name("leaving")));
    }
    let gone = app
        .as_ospo(DEACTIVATE, json!({ "id": leaving, "r": "left" }))
        .await;
    assert_eq!(gone.data()["deactivatePerson"]["proposalsCancelled"], 2);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM mentorship_match WHERE mentor_id = '{staying}' AND state = 'proposed'"
        ))
        .await,
        2,
        "both requests were proposed to the mentor who stays"
    );
}

on_both_backends!(
    a_mentor_who_leaves,
    every_request_of_a_leaving_mentor_moves_on,
    a_mentor_who_left_after_the_pool_was_read_gets_no_seat,
    a_mentee_who_leaves,
    trusted_access_ends_when_someone_leaves
);
