//! Notifications end to end: the lifecycle through GraphQL, a real SMTP sink
//! and a real webhook receiver on loopback, the delivery worker's passes
//! run by the test with its own clock. Who hears what (and who does not),
//! signatures, reminders, a receiver that is down, a rollback, two
//! instances, a claim left by a dead worker, the inbox, preferences, and
//! the OSPO's dead deliveries.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tandem::jobs::{delivery, sweeper};
use tandem_tests::sinks::{HookSink, SmtpSink, signature_valid};
use tandem_tests::{Backend, TestApp, on_both_backends, token_for};

const WEBHOOK_SECRET: &str = "whsec-for-the-notification-tests";

struct Rig {
    app: TestApp,
    smtp: SmtpSink,
    hooks: HookSink,
}

/// A server whose email goes to an SMTP sink and whose webhooks go to a
/// receiver; its own worker is off, so the test runs every pass.
async fn rig(backend: Backend, tweak: impl FnOnce(&mut tandem::config::Config)) -> Option<Rig> {
    let smtp = SmtpSink::start().await;
    let hooks = HookSink::start().await;
    let (smtp_url, hook_url) = (smtp.url(), hooks.url("/hook"));
    let app = TestApp::spawn_with(backend, |c| {
        c.notify.smtp_url = Some(smtp_url.into());
        c.notify.mail_from = Some("Tandem <tandem@example.com>".into());
        c.notify.webhook_urls = vec![hook_url.into()];
        c.notify.webhook_secret = Some(WEBHOOK_SECRET.to_owned().into());
        c.notify.public_url = "https://tandem.example".into();
        c.notify.send_timeout = Duration::from_secs(5);
        c.notify.worker = false;
        tweak(c);
    })
    .await?;
    app.seed_catalog().await;
    Some(Rig { app, smtp, hooks })
}

fn email(sub: &str) -> String {
    format!("{sub}@example.com")
}

/// Runs `query` as `sub`, whose token carries a name and an email.
async fn as_person(app: &TestApp, sub: &str, query: &str, variables: Value) -> Value {
    let name = format!("{}{}", sub[..1].to_uppercase(), &sub[1..]);
    let token = token_for(sub, Some(&name), Some(&email(sub)), &[]);
    app.gql(Some(&token), query, variables).await.data().clone()
}

async fn mentor(app: &TestApp, sub: &str, skills: &[&str]) {
    let skills: Vec<Value> = skills
        .iter()
        .map(|s| json!({ "skill": s, "proficiency": 5 }))
        .collect();
    let input = json!({ "capacity": 2, "accepting": true, "skills": skills, "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"] });
    as_person(
        app,
        sub,
        "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await;
    as_person(
        app,
        sub,
        r#"mutation { updateMyProfile(input: { osmmLevel: 4, timezone: "Europe/Berlin", languages: ["en"] }) { id } }"#,
        json!({}),
    )
    .await;
}

async fn mentee(app: &TestApp, sub: &str) {
    let input = json!({
        "targetLevel": 3,
        "skills": [{ "skill": "rust", "priority": 1 }, { "skill": "licensing", "priority": 2 }],
        "projects": [], "foundations": [], "topics": ["MAINTAINERSHIP"], "languages": ["en"]
    });
    as_person(
        app,
        sub,
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await;
    as_person(
        app,
        sub,
        r#"mutation { updateMyProfile(input: { osmmLevel: 2, timezone: "Europe/Paris" }) { id } }"#,
        json!({}),
    )
    .await;
}

const GOALS: &str = "Become a maintainer of a Rust crate";

/// The mentee's request; returns (request id, proposed match id, mentor's name).
async fn ask(app: &TestApp, sub: &str) -> (String, String, String) {
    let data = as_person(
        app,
        sub,
        "mutation($i: RequestMentorshipInput!) { requestMentorship(input: $i) { id currentMatch { id mentor { displayName } } } }",
        json!({ "i": { "goals": GOALS } }),
    )
    .await;
    let request = &data["requestMentorship"];
    (
        request["id"].as_str().unwrap().to_owned(),
        request["currentMatch"]["id"]
            .as_str()
            .expect("a proposal")
            .to_owned(),
        request["currentMatch"]["mentor"]["displayName"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Waits until `done` holds, checking every 100 ms for up to ten seconds;
/// the assertions after it say what was missing.
async fn eventually(mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn pass(app: &TestApp, now: DateTime<Utc>) -> delivery::Pass {
    delivery::run_once(&app.state, now)
        .await
        .expect("a delivery pass")
}

/// Subjects of the emails to `sub`, sorted.
fn subjects(rig: &Rig, sub: &str) -> Vec<String> {
    let mut subjects: Vec<String> = rig
        .smtp
        .to(&email(sub))
        .iter()
        .map(|m| m.header("Subject").unwrap_or_default())
        .collect();
    subjects.sort();
    subjects
}

/// The events of the accepted webhooks, sorted (a pass sends in parallel).
fn events(rig: &Rig) -> Vec<String> {
    let mut events: Vec<String> = rig
        .hooks
        .accepted()
        .iter()
        .map(|h| h.json()["event"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    events
}

async fn inbox(app: &TestApp, sub: &str) -> Value {
    as_person(
        app,
        sub,
        "{ me { unreadNotifications } myNotifications(first: 50) { edges { node { id kind event title text link read requestId match { id } } } } }",
        json!({}),
    )
    .await
}

fn kinds(inbox: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = inbox["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds
}

async fn every_event_reaches_its_recipients_and_nobody_else(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    // rusty is the better fit for rust + licensing; gopher is the next-best.
    mentor(app, "rusty", &["rust", "licensing"]).await;
    mentor(app, "gopher", &["rust"]).await;
    mentee(app, "learner").await;
    mentee(app, "bystander").await;

    let (request_id, first, mentor_name) = ask(app, "learner").await;
    assert_eq!(mentor_name, "Rusty");
    let declined = as_person(
        app,
        "rusty",
        "mutation($i: DeclineProposalInput!) { declineProposal(input: $i) { id } }",
        json!({ "i": { "matchId": first, "reason": "NO_TIME_NOW", "message": "Ask me again in spring" } }),
    )
    .await;
    assert_eq!(declined["declineProposal"]["id"], first.as_str());
    let second = as_person(
        app,
        "learner",
        "query($id: ID!) { request(id: $id) { currentMatch { id mentor { displayName } } } }",
        json!({ "id": request_id }),
    )
    .await;
    let second = second["request"]["currentMatch"]["id"]
        .as_str()
        .expect("re-proposed")
        .to_owned();
    as_person(
        app,
        "gopher",
        "mutation($id: ID!) { acceptProposal(matchId: $id) { id } }",
        json!({ "id": second }),
    )
    .await;
    as_person(
        app,
        "gopher",
        "mutation($i: MilestoneInput!) { recordMilestone(input: $i) { kind } }",
        json!({ "i": { "matchId": second, "kind": "LEVEL_UP", "newLevel": 3 } }),
    )
    .await;
    as_person(
        app,
        "gopher",
        "mutation($i: CheckInInput!) { logCheckIn(input: $i) { id } }",
        json!({ "i": { "matchId": second, "date": "2026-11-20", "minutes": 30, "topics": ["MAINTAINERSHIP"], "notes": "PRIVATE-NOTE-TEXT" } }),
    )
    .await;
    as_person(
        app,
        "learner",
        "mutation($id: ID!) { completeMatch(input: { matchId: $id }) { id } }",
        json!({ "id": second }),
    )
    .await;

    let done = pass(app, Utc::now()).await;
    assert_eq!((done.retried, done.dead), (0, 0), "{done:?}");

    // Email: each recipient gets their own, and nobody else gets any.
    assert_eq!(
        subjects(&rig, "rusty"),
        vec!["Learner has been proposed to you as a mentee"]
    );
    assert_eq!(
        subjects(&rig, "gopher"),
        vec![
            "Learner has been proposed to you as a mentee",
            "Learner reached open-source level 3",
            "Your mentorship with Learner is complete",
        ]
    );
    assert_eq!(
        subjects(&rig, "learner"),
        vec![
            "Gopher accepted to mentor you",
            "Rusty declined your mentoring request",
            "You reached open-source level 3",
            "Your mentorship with Gopher is complete",
            "Your request went to Gopher",
        ]
    );
    assert!(subjects(&rig, "bystander").is_empty());
    assert_eq!(rig.smtp.mails().len(), 9, "no email to anyone else");

    // What the mentor is told of the proposal, and what the mentee is told
    // of the decline; a link into the frontend; a stable Message-ID.
    let proposal = &rig.smtp.to(&email("rusty"))[0];
    let text = proposal.decoded();
    assert!(text.contains(GOALS), "the proposed mentor sees the goals");
    assert!(text.contains("Why you:"), "and the score's reasons");
    assert!(text.contains(&format!("https://tandem.example/matches/{first}")));
    assert!(text.contains("Content-Type: text/html"), "an HTML part too");
    let message_id = proposal.header("Message-ID").expect("a Message-ID");
    assert!(message_id.ends_with("@tandem.example>"), "{message_id}");
    let decline = rig
        .smtp
        .to(&email("learner"))
        .into_iter()
        .find(|m| m.header("Subject").unwrap().contains("declined"))
        .unwrap()
        .decoded();
    assert!(decline.contains("Ask me again in spring"));
    assert!(decline.contains("no time for it right now"));
    for mail in rig.smtp.mails() {
        let text = mail.decoded();
        assert!(
            !text.contains("PRIVATE-NOTE-TEXT"),
            "check-in notes never leave"
        );
        if mail.to != [email("rusty")] && mail.to != [email("gopher")] {
            assert!(
                !text.contains(GOALS),
                "goals reach only the proposed mentor"
            );
        }
    }
    let after_accept: Vec<_> = rig
        .smtp
        .to(&email("gopher"))
        .into_iter()
        .filter(|m| !m.header("Subject").unwrap().contains("proposed"))
        .collect();
    assert!(after_accept.iter().all(|m| !m.decoded().contains(GOALS)));

    // Webhooks: one per event, signed, with ids and a sentence; never the
    // goals, the decline's message or the notes.
    assert_eq!(
        events(&rig),
        vec![
            "match.accepted",
            "match.completed",
            "milestone.level_up",
            "proposal.created",
            "proposal.created",
            "proposal.declined",
            "request.reproposed",
        ]
    );
    for hook in rig.hooks.accepted() {
        let body = hook.json();
        let signature = hook.signature.as_deref().expect("signed");
        assert!(signature_valid(WEBHOOK_SECRET, signature, &hook.body));
        assert_eq!(hook.delivery.as_deref(), body["id"].as_str());
        assert_eq!(body["requestId"], request_id.as_str());
        assert!(body["matchId"].is_string());
        let raw = String::from_utf8_lossy(&hook.body);
        assert!(!raw.contains("Become a maintainer"), "{raw}");
        assert!(!raw.contains("Ask me again"), "{raw}");
        assert!(!raw.contains("PRIVATE-NOTE-TEXT"));
        assert!(raw.contains("https://tandem.example/matches/"));
    }
    let hook = rig
        .hooks
        .accepted()
        .into_iter()
        .find(|h| h.json()["event"] == "proposal.declined")
        .unwrap();
    assert_eq!(
        hook.json()["text"],
        format!("Rusty declined to mentor Learner. https://tandem.example/matches/{first}")
    );
    // A receiver checking the signature refuses a tampered body.
    let mut tampered = hook.body.clone();
    tampered.extend_from_slice(b" ");
    assert!(!signature_valid(
        WEBHOOK_SECRET,
        hook.signature.as_deref().unwrap(),
        &tampered
    ));
    assert!(!signature_valid(
        "another-secret",
        hook.signature.as_deref().unwrap(),
        &hook.body
    ));

    // The inbox holds the same, per person.
    let learner = inbox(app, "learner").await;
    assert_eq!(
        kinds(&learner),
        vec![
            "MATCH_ACCEPTED",
            "MATCH_COMPLETED",
            "MILESTONE_LEVEL_UP",
            "PROPOSAL_DECLINED",
            "REQUEST_REPROPOSED"
        ]
    );
    assert_eq!(learner["me"]["unreadNotifications"], 5);
    let accepted = learner["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["kind"] == "MATCH_ACCEPTED")
        .unwrap();
    assert_eq!(accepted["node"]["title"], "Gopher accepted to mentor you");
    assert_eq!(accepted["node"]["requestId"], request_id.as_str());
    let rusty = inbox(app, "rusty").await;
    assert_eq!(kinds(&rusty), vec!["PROPOSAL_CREATED"]);
    let node = &rusty["myNotifications"]["edges"][0]["node"];
    assert!(node["text"].as_str().unwrap().contains(GOALS));
    // The pair, the side and the request come from the match.
    assert_eq!(
        node["title"],
        "Learner has been proposed to you as a mentee"
    );
    assert_eq!(node["requestId"], request_id.as_str());
    assert_eq!(node["event"], "proposal.created");
    assert_eq!(
        node["link"],
        format!("https://tandem.example/matches/{first}")
    );
    assert_eq!(node["match"]["id"], first.as_str());
    assert!(kinds(&inbox(app, "bystander").await).is_empty());

    // Sent once: a second pass sends nothing more.
    let again = pass(app, Utc::now() + chrono::Duration::hours(1)).await;
    assert_eq!(again, delivery::Pass::default());
    assert_eq!(rig.smtp.mails().len(), 9);
}

async fn withdrawals_and_expiries_tell_the_right_sides(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust", "licensing"]).await;
    mentee(app, "learner").await;
    mentee(app, "second").await;
    let (request_id, _, _) = ask(app, "learner").await;
    as_person(
        app,
        "learner",
        "mutation($id: ID!) { withdrawRequest(id: $id) { id } }",
        json!({ "id": request_id }),
    )
    .await;
    let (_, proposal, _) = ask(app, "second").await;
    // Expired by the sweeper a week and a day later.
    let later = Utc::now() + chrono::Duration::days(8);
    sweeper::run_once(&app.state, later).await.expect("sweep");
    pass(app, later).await;
    assert_eq!(
        kinds(&inbox(app, "rusty").await),
        vec![
            "PROPOSAL_CREATED",
            "PROPOSAL_CREATED",
            "PROPOSAL_EXPIRED",
            "REQUEST_WITHDRAWN"
        ]
    );
    assert_eq!(kinds(&inbox(app, "learner").await), Vec::<String>::new());
    assert_eq!(kinds(&inbox(app, "second").await), vec!["PROPOSAL_EXPIRED"]);
    assert_eq!(
        subjects(&rig, "rusty"),
        vec![
            "Learner has been proposed to you as a mentee",
            "Learner withdrew their request",
            "Second has been proposed to you as a mentee",
            "The proposal to mentor Second expired",
        ]
    );
    let expired = rig
        .hooks
        .accepted()
        .into_iter()
        .find(|h| h.json()["event"] == "proposal.expired")
        .expect("an expiry webhook");
    assert_eq!(expired.json()["matchId"], proposal.as_str());
}

async fn reminders_fire_once_each_at_half_the_sla_and_a_day_before(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    let (_, proposal, _) = ask(app, "learner").await;
    let data = app
        .as_ospo(
            "query($id: ID!) { match(id: $id) { proposedAt expiresAt } }",
            json!({ "id": proposal }),
        )
        .await;
    let at = |field: &str| {
        DateTime::parse_from_rfc3339(data.data()["match"][field].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let (proposed, expires) = (at("proposedAt"), at("expiresAt"));
    let half = proposed + (expires - proposed) / 2;
    let day_before = expires - chrono::Duration::hours(24);
    let minute = chrono::Duration::minutes(1);
    let reminded = |at: DateTime<Utc>| {
        let state = app.state.clone();
        async move { sweeper::run_once(&state, at).await.expect("sweep").reminded }
    };
    assert_eq!(reminded(half - minute).await, 0, "not before half the SLA");
    assert_eq!(reminded(half + minute).await, 1);
    assert_eq!(reminded(half + minute * 2).await, 0, "once");
    assert_eq!(reminded(day_before - minute).await, 0);
    assert_eq!(reminded(day_before + minute).await, 1);
    assert_eq!(reminded(expires - minute).await, 0, "once");
    pass(app, expires - minute).await;
    let reminders: Vec<String> = subjects(&rig, "rusty")
        .into_iter()
        .filter(|s| s.starts_with("Reminder"))
        .collect();
    assert_eq!(reminders.len(), 2, "{reminders:?}");
    assert!(
        rig.smtp
            .to(&email("rusty"))
            .iter()
            .all(|m| m.decoded().contains(GOALS))
    );
    assert_eq!(
        events(&rig)
            .iter()
            .filter(|e| *e == "proposal.reminder")
            .count(),
        2
    );
    assert!(
        subjects(&rig, "learner").is_empty(),
        "the mentee is not reminded"
    );
}

async fn a_receiver_that_was_down_gets_everything_once_it_is_back(backend: Backend) {
    let Some(rig) = rig(backend, |c| {
        c.notify.retry_base = Duration::from_secs(60);
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    for sub in ["ana", "bo"] {
        mentee(app, sub).await;
        ask(app, sub).await;
    }
    rig.hooks.set_down(true);
    let now = Utc::now();
    let first = pass(app, now).await;
    assert_eq!(first.retried, 2, "two webhooks failed: {first:?}");
    assert_eq!(first.sent, 2, "the emails went out");
    // Not due again before the backoff (at least half the base) has passed.
    assert_eq!(
        pass(app, now + chrono::Duration::seconds(20)).await.retried,
        0
    );
    rig.hooks.set_down(false);
    let back = pass(app, now + chrono::Duration::minutes(5)).await;
    assert_eq!(back.sent, 2, "{back:?}");
    let accepted = rig.hooks.accepted();
    assert_eq!(accepted.len(), 2, "each once");
    let mut ids: Vec<_> = accepted.iter().map(|h| h.delivery.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 2);
    // The retried request carried the same delivery id as the failed one.
    let all = rig.hooks.hooks.lock().unwrap().clone();
    for hook in &accepted {
        assert!(
            all.iter()
                .any(|h| !h.accepted && h.delivery == hook.delivery)
        );
    }
}

/// A pass takes batch after batch until the outbox has no more due: more
/// than one batch (a hundred rows) of webhooks all go out in one pass.
async fn one_pass_sends_more_than_a_batch(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "ana").await;
    ask(app, "ana").await;
    let sql = |sql: String| async move {
        use sea_orm::ConnectionTrait;
        app.db.execute_unprepared(&sql).await.unwrap();
    };
    // The proposal's webhook, copied under new ids (a delivery id is only
    // ever a string to the receiver).
    let columns = "channel, target, person_id, kind, match_id, request_id, payload, state, \
                   attempts, due_at, lease_until, last_error, created_at, last_attempt_at, sent_at";
    for copy in 0..120 {
        sql(format!(
            "INSERT INTO notification_delivery (id, {columns}) \
             SELECT id || '-{copy}', {columns} FROM notification_delivery \
             WHERE channel = 'webhook' AND id NOT LIKE '%-%-%-%-%-%'"
        ))
        .await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_delivery")
            .await,
        122
    );
    let before = app.query_count();
    let done = pass(app, Utc::now()).await;
    let statements = app.query_count() - before;
    assert_eq!(done.sent, 122, "{done:?}");
    // Two claims (a full batch, then the rest) and their reads (the
    // matches' pairs, the people, the preferences) and records: about ten
    // statements. A pass that went on claiming after a short batch would
    // make fifty claims.
    assert!(statements < 20, "{statements} statements for two batches");
    assert_eq!(rig.hooks.accepted().len(), 121);
    assert_eq!(rig.smtp.mails().len(), 1);
}

async fn a_rolled_back_change_notifies_nobody(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    let (_, proposal, _) = ask(app, "learner").await;
    pass(app, Utc::now()).await;
    let (mails, hooks) = (rig.smtp.mails().len(), rig.hooks.accepted().len());
    let mentor_id = as_person(app, "rusty", "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mentee_id = as_person(app, "learner", "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notice = tandem::notify::Notice {
        kind: domain::notification::Kind::MatchAccepted,
        match_id: proposal.clone(),
        mentor_id,
        mentee_id,
        detail: tandem::notify::Detail::default(),
    };
    use sea_orm::TransactionTrait;
    let txn = app.db.begin().await.unwrap();
    let written = tandem::notify::write(
        &txn,
        &app.config.notify,
        Utc::now(),
        std::slice::from_ref(&notice),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(written.deliveries, 2, "an email and a webhook were queued");
    txn.rollback().await.unwrap();
    pass(app, Utc::now()).await;
    assert_eq!(rig.smtp.mails().len(), mails, "nothing rolled back is sent");
    assert_eq!(rig.hooks.accepted().len(), hooks);
    assert!(!kinds(&inbox(app, "learner").await).contains(&"MATCH_ACCEPTED".to_owned()));
    // The same, committed, is sent.
    let txn = app.db.begin().await.unwrap();
    tandem::notify::write(&txn, &app.config.notify, Utc::now(), &[notice], &[])
        .await
        .unwrap();
    txn.commit().await.unwrap();
    pass(app, Utc::now()).await;
    assert_eq!(rig.smtp.mails().len(), mails + 1);
    assert_eq!(rig.hooks.accepted().len(), hooks + 1);
}

async fn two_instances_deliver_each_notification_once(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    let other = app.another_instance().await;
    mentor(app, "rusty", &["rust"]).await;
    mentor(app, "gopher", &["rust"]).await;
    let subs: Vec<String> = (0..4).map(|i| format!("mentee{i}")).collect();
    for sub in &subs {
        mentee(app, sub).await;
        ask(app, sub).await;
    }
    let now = Utc::now();
    let (a, b) = tokio::join!(
        delivery::run_once(&app.state, now),
        delivery::run_once(&other.state, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 8, "4 emails and 4 webhooks: {a:?} {b:?}");
    let mut ids: Vec<String> = rig
        .hooks
        .accepted()
        .iter()
        .map(|h| h.delivery.clone().unwrap())
        .collect();
    ids.extend(
        rig.smtp
            .mails()
            .iter()
            .map(|m| m.header("Message-ID").unwrap()),
    );
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!((total, ids.len()), (8, 8), "each sent once");
}

async fn a_claim_left_by_a_dead_worker_is_sent_after_its_lease(backend: Backend) {
    let Some(rig) = rig(backend, |c| {
        c.notify.lease = Duration::from_secs(120);
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    ask(app, "learner").await;
    let now = Utc::now();
    // A worker claims both deliveries and dies before sending.
    let claimed = delivery::claim(&app.state, now, 100).await.unwrap();
    assert_eq!(claimed.len(), 2);
    drop(claimed);
    assert_eq!(
        pass(app, now + chrono::Duration::seconds(60)).await,
        delivery::Pass::default(),
        "leased: nobody else sends it yet"
    );
    let after = pass(app, now + chrono::Duration::seconds(121)).await;
    assert_eq!(after.sent, 2);
    assert_eq!(rig.smtp.mails().len(), 1);
    assert_eq!(rig.hooks.accepted().len(), 1);
}

async fn the_inbox_counts_marks_and_hides_others(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    mentee(app, "second").await;
    let (_, first, _) = ask(app, "learner").await;
    let (_, second, _) = ask(app, "second").await;
    for id in [&first, &second] {
        as_person(
            app,
            "rusty",
            "mutation($id: ID!) { acceptProposal(matchId: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    }
    let rusty = inbox(app, "rusty").await;
    assert_eq!(rusty["me"]["unreadNotifications"], 2);
    let ids: Vec<String> = rusty["myNotifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    let learner = inbox(app, "learner").await;
    let learner_id = learner["myNotifications"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another person's notification: not marked, and not readable.
    let marked = as_person(
        app,
        "rusty",
        "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
        json!({ "ids": [learner_id] }),
    )
    .await;
    assert_eq!(marked["markNotificationsRead"], 0);
    assert_eq!(inbox(app, "learner").await["me"]["unreadNotifications"], 1);
    let marked = as_person(
        app,
        "rusty",
        "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }",
        json!({ "ids": [ids[0]] }),
    )
    .await;
    assert_eq!(marked["markNotificationsRead"], 1);
    let unread = as_person(
        app,
        "rusty",
        "{ me { unreadNotifications } myNotifications(unreadOnly: true) { edges { node { id read } } } }",
        json!({}),
    )
    .await;
    assert_eq!(unread["me"]["unreadNotifications"], 1);
    assert_eq!(
        unread["myNotifications"]["edges"][0]["node"]["id"],
        ids[1].as_str()
    );
    // Pages, newest first.
    let page = as_person(
        app,
        "rusty",
        "{ myNotifications(first: 1) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        page["myNotifications"]["edges"][0]["node"]["id"],
        ids[0].as_str()
    );
    assert_eq!(page["myNotifications"]["pageInfo"]["hasNextPage"], true);
    // Someone else's count is not shown.
    let seen = app
        .as_user(
            "learner",
            "query($id: ID!) { person(id: $id) { unreadNotifications notificationPreferences { kind } } }",
            json!({ "id": as_person(app, "rusty", "{ me { id } }", json!({})).await["me"]["id"] }),
        )
        .await;
    assert_eq!(seen.data()["person"]["unreadNotifications"], Value::Null);
    assert_eq!(
        seen.data()["person"]["notificationPreferences"],
        Value::Null
    );
}

async fn email_preferences_turn_off_one_kind_and_keep_the_inbox(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    let set = as_person(
        app,
        "learner",
        "mutation { setNotificationPreferences(input: [{ kind: MATCH_ACCEPTED, email: false }]) { kind email } }",
        json!({}),
    )
    .await;
    let all = set["setNotificationPreferences"].as_array().unwrap();
    assert_eq!(all.len(), 11);
    assert!(all.contains(&json!({ "kind": "MATCH_ACCEPTED", "email": false })));
    assert!(all.contains(&json!({ "kind": "PROPOSAL_DECLINED", "email": true })));
    let twice = app
        .gql(
            Some(&token_for(
                "learner",
                Some("Learner"),
                Some(&email("learner")),
                &[],
            )),
            "mutation { setNotificationPreferences(input: [{ kind: MATCH_ACCEPTED, email: false }, { kind: MATCH_ACCEPTED, email: true }]) { kind } }",
            json!({}),
        )
        .await;
    assert_eq!(twice.code(), "BAD_USER_INPUT");
    let (_, proposal, _) = ask(app, "learner").await;
    as_person(
        app,
        "rusty",
        "mutation($id: ID!) { acceptProposal(matchId: $id) { id } }",
        json!({ "id": proposal }),
    )
    .await;
    as_person(
        app,
        "learner",
        "mutation($id: ID!) { completeMatch(input: { matchId: $id }) { id } }",
        json!({ "id": proposal }),
    )
    .await;
    let done = pass(app, Utc::now()).await;
    assert_eq!(done.dropped, 1, "the accepted proposal's email: {done:?}");
    assert_eq!(
        subjects(&rig, "learner"),
        vec!["Your mentorship with Rusty is complete"],
        "no email for the accepted proposal"
    );
    assert_eq!(
        kinds(&inbox(app, "learner").await),
        vec!["MATCH_ACCEPTED", "MATCH_COMPLETED"],
        "the inbox still has it"
    );
    let mine = as_person(
        app,
        "learner",
        "{ me { notificationPreferences { kind email } } }",
        json!({}),
    )
    .await;
    assert!(
        mine["me"]["notificationPreferences"]
            .as_array()
            .unwrap()
            .contains(&json!({ "kind": "MATCH_ACCEPTED", "email": false }))
    );
}

async fn dead_deliveries_are_listed_for_the_ospo_and_retried(backend: Backend) {
    // A port bound but never listening: every attempt is refused, and while
    // `closed` lives no other test's listener can take the port (dropping a
    // listener would free it for whoever binds next, and then the connection
    // would succeed and fail differently).
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = closed.local_addr().unwrap().port();
    let Some(rig) = rig(backend, |c| {
        c.notify.webhook_urls =
            vec![format!("http://127.0.0.1:{port}/services/T000/SECRET-TOKEN").into()];
        c.notify.max_attempts = 2;
        c.notify.retry_base = Duration::from_secs(10);
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    ask(app, "learner").await;
    let now = Utc::now();
    let first = pass(app, now).await;
    assert_eq!((first.sent, first.retried, first.dead), (1, 1, 0));
    let second = pass(app, now + chrono::Duration::minutes(5)).await;
    assert_eq!((second.sent, second.retried, second.dead), (0, 0, 1));
    const DEAD: &str = "{ deadDeliveries { edges { node { id channel kind target attempts lastError recipient { id } } } } }";
    let forbidden = app.as_user("rusty", DEAD, json!({})).await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
    let listed = app.as_ospo(DEAD, json!({})).await;
    let node = &listed.data()["deadDeliveries"]["edges"][0]["node"];
    assert_eq!(node["channel"], "WEBHOOK");
    assert_eq!(node["kind"], "PROPOSAL_CREATED");
    assert_eq!(node["target"], format!("http://127.0.0.1:{port}"));
    assert_eq!(node["attempts"], 2);
    assert_eq!(node["lastError"], "could not connect to the receiver");
    assert!(!listed.data().to_string().contains("SECRET-TOKEN"));
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("tandem_notifications_dead_total{channel=\"webhook\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("tandem_notifications_sent_total{channel=\"email\"} 1"));
    assert!(metrics.contains("tandem_notification_outbox_dead 1"));
    let retried = app
        .as_ospo("mutation { retryDeadDeliveries }", json!({}))
        .await;
    assert_eq!(retried.data()["retryDeadDeliveries"], 1);
    let listed = app.as_ospo(DEAD, json!({})).await;
    assert_eq!(listed.data()["deadDeliveries"]["edges"], json!([]));
    let again = pass(app, Utc::now()).await;
    assert_eq!(again.retried, 1, "attempted again: {again:?}");
}

async fn with_nothing_configured_the_inbox_still_works(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    mentor(&app, "rusty", &["rust"]).await;
    mentee(&app, "learner").await;
    ask(&app, "learner").await;
    assert_eq!(kinds(&inbox(&app, "rusty").await), vec!["PROPOSAL_CREATED"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_delivery")
            .await,
        0,
        "no email or webhook is queued"
    );
}

async fn slack_format_posts_a_message(backend: Backend) {
    let Some(rig) = rig(backend, |c| {
        c.notify.webhook_format = tandem::config::WebhookFormat::Slack;
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    let (_, proposal, _) = ask(app, "learner").await;
    pass(app, Utc::now()).await;
    let hook = &rig.hooks.accepted()[0];
    let body = hook.json();
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with("Rusty was proposed as mentor to Learner; answer due "));
    assert!(text.ends_with(&format!(
        "<https://tandem.example/matches/{proposal}|Open in Tandem>"
    )));
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    assert!(hook.delivery.is_some());
}

async fn cancellations_and_early_ends_tell_both_sides(backend: Backend) {
    let Some(rig) = rig(backend, |_| {}).await else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    mentee(app, "second").await;
    let (_, cancelled, _) = ask(app, "learner").await;
    let by_ospo = app
        .as_ospo(
            "mutation($id: ID!) { cancelProposal(matchId: $id, reason: \"mentor on leave\") { state } }",
            json!({ "id": cancelled }),
        )
        .await;
    assert_eq!(by_ospo.data()["cancelProposal"]["state"], "CANCELLED");
    let (_, ended, _) = ask(app, "second").await;
    as_person(
        app,
        "rusty",
        "mutation($id: ID!) { acceptProposal(matchId: $id) { id } }",
        json!({ "id": ended }),
    )
    .await;
    as_person(
        app,
        "second",
        "mutation($id: ID!, $r: String!) { endMatchEarly(input: { matchId: $id, reason: $r }) { id } }",
        json!({ "id": ended, "r": "changed teams" }),
    )
    .await;
    pass(app, Utc::now()).await;
    assert_eq!(
        subjects(&rig, "learner"),
        vec!["Your proposal to Rusty was cancelled"]
    );
    assert_eq!(
        subjects(&rig, "second"),
        vec![
            "Rusty accepted to mentor you",
            "Your mentorship with Rusty ended early"
        ]
    );
    assert_eq!(
        subjects(&rig, "rusty"),
        vec![
            "Learner has been proposed to you as a mentee",
            "Second has been proposed to you as a mentee",
            "The proposal to mentor Learner was cancelled",
            "Your mentorship with Second ended early",
        ]
    );
    let early = rig
        .smtp
        .to(&email("rusty"))
        .into_iter()
        .find(|m| m.header("Subject").unwrap().contains("ended early"))
        .unwrap()
        .decoded();
    assert!(early.contains("ended early (changed teams)"));
    assert!(early.contains("give your feedback"));
    let mut webhooks = events(&rig);
    webhooks.retain(|e| e != "proposal.created" && e != "match.accepted");
    assert_eq!(webhooks, vec!["match.ended_early", "proposal.cancelled"]);
    let raw: Vec<String> = rig
        .hooks
        .accepted()
        .iter()
        .map(|h| String::from_utf8_lossy(&h.body).into_owned())
        .collect();
    assert!(
        raw.iter().all(|b| !b.contains("changed teams")),
        "the reason stays private"
    );
}

async fn a_redirect_is_not_followed(backend: Backend) {
    let moved = HookSink::start().await;
    let url = moved.url("/moved");
    let Some(rig) = rig(backend, |c| {
        c.notify.webhook_urls = vec![url.into()];
        c.notify.max_attempts = 1;
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    ask(app, "learner").await;
    let done = pass(app, Utc::now()).await;
    assert_eq!(
        (done.sent, done.dead),
        (1, 1),
        "the email went, the webhook died: {done:?}"
    );
    let requests = moved.hooks.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        1,
        "asked once, never at the redirect's target"
    );
    assert_eq!(requests[0].path, "/moved");
    let dead = app
        .as_ospo(
            "{ deadDeliveries { edges { node { lastError } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        dead.data()["deadDeliveries"]["edges"][0]["node"]["lastError"],
        "the receiver answered HTTP 307"
    );
}

async fn the_servers_own_worker_delivers_soon_after_the_commit(backend: Backend) {
    // The interval is long: only the commit's wake-up can explain a prompt send.
    let Some(rig) = rig(backend, |c| {
        c.notify.worker = true;
        c.notify.delivery_interval = Duration::from_secs(3600);
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    // The worker's first tick runs at start; wait past it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    ask(app, "learner").await;
    eventually(async || !rig.smtp.mails().is_empty() && !rig.hooks.accepted().is_empty()).await;
    assert_eq!(
        subjects(&rig, "rusty").len(),
        1,
        "the email was sent by the worker"
    );
    assert_eq!(events(&rig), vec!["proposal.created"]);
}

async fn retrying_dead_deliveries_wakes_the_worker(backend: Backend) {
    // As above, the interval is long, so only the retry's wake-up can explain
    // the second attempt arriving while the test waits.
    let Some(rig) = rig(backend, |c| {
        c.notify.worker = true;
        c.notify.delivery_interval = Duration::from_secs(3600);
        c.notify.max_attempts = 1;
    })
    .await
    else {
        return;
    };
    let app = &rig.app;
    mentor(app, "rusty", &["rust"]).await;
    mentee(app, "learner").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    rig.hooks.set_down(true);
    ask(app, "learner").await;
    const DEAD: &str = "{ deadDeliveries { edges { node { channel } } } }";
    eventually(async || {
        app.as_ospo(DEAD, json!({})).await.data()["deadDeliveries"]["edges"]
            .as_array()
            .is_some_and(|edges| !edges.is_empty())
    })
    .await;
    let dead = app.as_ospo(DEAD, json!({})).await;
    assert_eq!(
        dead.data()["deadDeliveries"]["edges"],
        json!([{ "node": { "channel": "WEBHOOK" } }]),
        "the one attempt allowed failed"
    );
    assert!(rig.hooks.accepted().is_empty());
    rig.hooks.set_down(false);
    let retried = app
        .as_ospo("mutation { retryDeadDeliveries }", json!({}))
        .await;
    assert_eq!(retried.data()["retryDeadDeliveries"], 1);
    eventually(async || !rig.hooks.accepted().is_empty()).await;
    assert_eq!(
        events(&rig),
        vec!["proposal.created"],
        "the worker sent the retried delivery without waiting for its next tick"
    );
}

on_both_backends!(
    one_pass_sends_more_than_a_batch,
    the_servers_own_worker_delivers_soon_after_the_commit,
    retrying_dead_deliveries_wakes_the_worker,
    a_redirect_is_not_followed,
    cancellations_and_early_ends_tell_both_sides,
    every_event_reaches_its_recipients_and_nobody_else,
    withdrawals_and_expiries_tell_the_right_sides,
    reminders_fire_once_each_at_half_the_sla_and_a_day_before,
    a_receiver_that_was_down_gets_everything_once_it_is_back,
    a_rolled_back_change_notifies_nobody,
    two_instances_deliver_each_notification_once,
    a_claim_left_by_a_dead_worker_is_sent_after_its_lease,
    the_inbox_counts_marks_and_hides_others,
    email_preferences_turn_off_one_kind_and_keep_the_inbox,
    dead_deliveries_are_listed_for_the_ospo_and_retried,
    with_nothing_configured_the_inbox_still_works,
    slack_format_posts_a_message,
);
