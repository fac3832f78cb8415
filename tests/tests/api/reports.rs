//! `programMetrics` through the API, on a scenario built through the API
//! whose every figure is known: a cohort run, accepts, a decline with its
//! reason, an expiry, completions with ratings, an early end, milestones
//! and check-ins in two months.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

const METRICS: &str = "query($p: ID, $from: Date, $to: Date) { programMetrics(programId: $p, from: $from, to: $to) {
  requestsByState { state count }
  timeToMatch { medianHours p90Hours count }
  proposals { made accepted declined expired acceptanceRate declinesByReason { reason count } }
  mentorships { active completed endedEarly completionRate }
  mentors { capacity live active utilization idleMentors loadGini }
  levelProgression { advanced meanAdvance byTargetLevel { targetLevel advanced meanAdvance } }
  satisfaction { meanRating ratings byMentor { meanRating ratings } byMentee { meanRating ratings } }
  milestones { kind count }
  checkIns { count minutes }
  demandSupply { kind slug wanted offered shortfall }
  byMonth { month requests proposalsMade accepted declined expired acceptanceRate completed endedEarly
            completionRate checkIns checkInMinutes milestones levelUps ratings meanRating } } }";

async fn person(app: &TestApp, sub: &str, mentor: Option<i32>) -> Value {
    if let Some(proficiency) = mentor {
        let input = json!({ "capacity": 3, "accepting": true, "skills": [{ "skill": "rust", "proficiency": proficiency }], "projects": [], "foundations": [], "topics": [] });
        app.as_user(
            sub,
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await
        .data();
    } else {
        let input = json!({ "targetLevel": 4, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": [] });
        app.as_user(
            sub,
            "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await
        .data();
    }
    app.as_user(sub, "{ me { id } }", json!({})).await.data()["me"]["id"].clone()
}

async fn ok(app: &TestApp, sub: &str, query: &str, variables: Value) -> Value {
    app.as_user(sub, query, variables).await.data().clone()
}

async fn figures_of_a_known_program(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let (a, b) = (
        person(&app, "A", Some(5)).await,
        person(&app, "B", Some(4)).await,
    );
    let mut mentees = Vec::new();
    for sub in ["e1", "e2", "e3", "e4"] {
        mentees.push(person(&app, sub, None).await);
    }
    let created = app
        .as_ospo(
            r#"mutation { createProgram(input: { name: "Autumn", startsOn: "2026-09-01", endsOn: "2027-02-28" }) { id } }"#,
            json!({}),
        )
        .await;
    let program = created.data()["createProgram"]["id"].clone();
    app.as_ospo(
        "mutation($p: ID!) { setProgramStatus(id: $p, status: OPEN) { id } }",
        json!({ "p": program }),
    )
    .await
    .data();
    for (ids, role) in [(json!([a, b]), "MENTOR"), (json!(mentees), "MENTEE")] {
        app.as_ospo(
            "mutation($i: EnrollInput!) { enroll(input: $i) { id } }",
            json!({ "i": { "programId": program, "personIds": ids, "role": role } }),
        )
        .await
        .data();
    }
    let run = app
        .as_ospo(
            "mutation($p: ID!) { runCohortMatching(input: { programId: $p, dryRun: false }) { assignments { matchId mentor { displayName } mentee { displayName } } } }",
            json!({ "p": program }),
        )
        .await;
    let assignments = run.data()["runCohortMatching"]["assignments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(assignments.len(), 4);
    let mentor_of = |x: &Value| x["mentor"]["displayName"].as_str().unwrap().to_owned();
    let mentee_of = |x: &Value| x["mentee"]["displayName"].as_str().unwrap().to_owned();
    let id_of = |x: &Value| x["matchId"].as_str().unwrap().to_owned();
    // The busier mentor declines one; the cascade goes to the other, who
    // has a free seat, and that proposal later expires.
    let busy = if assignments.iter().filter(|x| mentor_of(x) == "A").count() >= 2 {
        "A"
    } else {
        "B"
    };
    let declined = assignments.iter().find(|x| mentor_of(x) == busy).unwrap();
    ok(
        &app,
        busy,
        "mutation($id: ID!) { declineProposal(input: { matchId: $id, reason: NO_TIME_NOW }) { state } }",
        json!({ "id": id_of(declined) }),
    )
    .await;
    let kept: Vec<&Value> = assignments
        .iter()
        .filter(|x| id_of(x) != id_of(declined))
        .collect();
    for x in &kept {
        ok(
            &app,
            &mentor_of(x),
            "mutation($id: ID!) { acceptProposal(matchId: $id) { state } }",
            json!({ "id": id_of(x) }),
        )
        .await;
    }
    // Now: three active (two with one mentor, one with the other) and the
    // cascaded proposal live; capacity 3 + 3.
    let now = app.as_ospo(METRICS, json!({ "p": program })).await;
    let load = &now.data()["programMetrics"]["mentors"];
    assert_eq!(load["capacity"], 6);
    assert_eq!(load["live"], 4);
    assert_eq!(load["active"], 3);
    assert_eq!(load["utilization"], 0.5);
    assert_eq!(load["idleMentors"], 0);
    // Active mentees per mentor {2, 1}: Σ(2i − n − 1)·xᵢ / (n·Σx) = 2 / 12.
    assert!((load["loadGini"].as_f64().unwrap() - 1.0 / 6.0).abs() < 1e-9);
    let later = chrono::Utc::now() + chrono::Duration::days(8);
    let pass = tandem::jobs::sweeper::run_once(&app.state, later)
        .await
        .unwrap();
    assert_eq!(pass.expired, 1, "the cascaded proposal expires");

    // Check-ins: two in October and November on the first, one in November
    // and one in August on the second.
    let check_in = "mutation($i: CheckInInput!) { logCheckIn(input: $i) { id } }";
    for (x, date, minutes) in [
        (kept[0], "2026-10-15", 30),
        (kept[0], "2026-11-02", 45),
        (kept[1], "2026-11-20", 60),
        (kept[1], "2026-08-20", 15),
    ] {
        ok(
            &app,
            &mentee_of(x),
            check_in,
            json!({ "i": { "matchId": id_of(x), "date": date, "minutes": minutes, "notes": "private" } }),
        )
        .await;
    }
    let milestone = "mutation($i: MilestoneInput!) { recordMilestone(input: $i) { kind } }";
    ok(
        &app,
        &mentor_of(kept[0]),
        milestone,
        json!({ "i": { "matchId": id_of(kept[0]), "kind": "LEVEL_UP", "newLevel": 2 } }),
    )
    .await;
    ok(
        &app,
        &mentee_of(kept[0]),
        milestone,
        json!({ "i": { "matchId": id_of(kept[0]), "kind": "LEVEL_UP", "newLevel": 4 } }),
    )
    .await;
    ok(
        &app,
        &mentor_of(kept[1]),
        milestone,
        json!({ "i": { "matchId": id_of(kept[1]), "kind": "TALK_GIVEN" } }),
    )
    .await;
    // Two complete, one ends early; ratings 5 and 2 from mentees, 4 from a mentor.
    for x in &kept[..2] {
        ok(
            &app,
            &mentee_of(x),
            "mutation($id: ID!) { completeMatch(input: { matchId: $id }) { state } }",
            json!({ "id": id_of(x) }),
        )
        .await;
    }
    ok(
        &app,
        &mentee_of(kept[2]),
        "mutation($id: ID!) { endMatchEarly(input: { matchId: $id, reason: \"moved\" }) { state } }",
        json!({ "id": id_of(kept[2]) }),
    )
    .await;
    let feedback = "mutation($i: FeedbackInput!) { giveFeedback(input: $i) { rating } }";
    for (who, x, rating) in [
        (mentee_of(kept[0]), kept[0], 5),
        (mentee_of(kept[1]), kept[1], 2),
        (mentor_of(kept[0]), kept[0], 4),
    ] {
        ok(
            &app,
            &who,
            feedback,
            json!({ "i": { "matchId": id_of(x), "rating": rating } }),
        )
        .await;
    }

    let all = app.as_ospo(METRICS, json!({ "p": program })).await;
    let m = all.data()["programMetrics"].clone();
    let by_state: Vec<(String, i64)> = m["requestsByState"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["state"].as_str().unwrap().to_owned(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect();
    let expected_states = [
        ("OPEN", 1),
        ("PROPOSED", 0),
        ("MATCHED", 0),
        ("CLOSED", 3),
        ("WITHDRAWN", 0),
    ];
    assert_eq!(
        by_state,
        expected_states
            .iter()
            .map(|(s, n)| (s.to_string(), *n))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        m["proposals"],
        json!({ "made": 5, "accepted": 3, "declined": 1, "expired": 1, "acceptanceRate": 0.6,
                "declinesByReason": [{ "reason": "NO_TIME_NOW", "count": 1 }] })
    );
    let completion = m["mentorships"]["completionRate"].as_f64().unwrap();
    assert!((completion - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(m["mentorships"]["active"], 0);
    assert_eq!(m["mentorships"]["completed"], 2);
    assert_eq!(m["mentorships"]["endedEarly"], 1);
    let s = &m["satisfaction"];
    assert_eq!(s["ratings"], 3);
    assert!((s["meanRating"].as_f64().unwrap() - 11.0 / 3.0).abs() < 1e-9);
    assert_eq!(s["byMentee"], json!({ "meanRating": 3.5, "ratings": 2 }));
    assert_eq!(s["byMentor"], json!({ "meanRating": 4.0, "ratings": 1 }));
    assert_eq!(
        m["milestones"],
        json!([{ "kind": "LEVEL_UP", "count": 2 }, { "kind": "TALK_GIVEN", "count": 1 }])
    );
    // One mentee went from 1 to 2, then to 4: one mentee advanced, by 3.
    assert_eq!(
        m["levelProgression"],
        json!({ "advanced": 1, "meanAdvance": 3.0, "byTargetLevel": [{ "targetLevel": 4, "advanced": 1, "meanAdvance": 3.0 }] })
    );
    assert_eq!(m["checkIns"], json!({ "count": 4, "minutes": 150 }));
    assert_eq!(
        m["mentors"],
        json!({ "capacity": 6, "live": 0, "active": 0, "utilization": 0.0, "idleMentors": 2, "loadGini": 0.0 })
    );
    let t = &m["timeToMatch"];
    assert_eq!(t["count"], 3);
    let (median, p90) = (
        t["medianHours"].as_f64().unwrap(),
        t["p90Hours"].as_f64().unwrap(),
    );
    assert!(
        (0.0..1.0).contains(&median) && median <= p90 && p90 < 1.0,
        "accepted within the test: {median} / {p90}"
    );

    // November only: two of the three check-ins; today's events count when
    // the range holds today, none when it is in the past.
    let november = app
        .as_ospo(
            METRICS,
            json!({ "p": program, "from": "2026-11-01", "to": "2026-11-30" }),
        )
        .await;
    assert_eq!(
        november.data()["programMetrics"]["checkIns"],
        json!({ "count": 2, "minutes": 105 })
    );
    let past = app
        .as_ospo(METRICS, json!({ "from": "2020-01-01", "to": "2020-12-31" }))
        .await;
    let past = &past.data()["programMetrics"];
    assert_eq!(past["proposals"]["made"], 0);
    assert_eq!(past["proposals"]["acceptanceRate"], Value::Null);
    assert_eq!(past["satisfaction"]["meanRating"], Value::Null);
    assert_eq!(past["timeToMatch"]["count"], 0);
    assert_eq!(past["timeToMatch"]["medianHours"], Value::Null);

    let today = chrono::Utc::now().date_naive();
    let around = app
        .as_ospo(
            METRICS,
            json!({ "p": program, "from": today.pred_opt().unwrap().to_string(), "to": today.to_string() }),
        )
        .await;
    let around = &around.data()["programMetrics"];
    assert_eq!(
        around["proposals"]["made"], 5,
        "today's proposals are inside a range ending today"
    );
    assert_eq!(around["proposals"]["accepted"], 3);
    // The expiry was swept at a clock eight days ahead: outside this range.
    assert_eq!(around["proposals"]["expired"], 0);

    // Everyone's mentoring (no program) includes this program's.
    let everything = app.as_ospo(METRICS, json!({})).await;
    assert_eq!(everything.data()["programMetrics"]["proposals"]["made"], 5);

    // Four enrolled mentees want Rust; both mentors offer it with free seats.
    assert_eq!(
        m["demandSupply"],
        json!([{ "kind": "SKILL", "slug": "rust", "wanted": 4, "offered": 2, "shortfall": 2 }])
    );
    assert_eq!(
        past["demandSupply"],
        json!([{ "kind": "SKILL", "slug": "rust", "wanted": 0, "offered": 2, "shortfall": -2 }]),
        "no mentee asked in 2020; the mentors' free seats are now"
    );

    by_month_of_the_program(&m["byMonth"], later);

    let refused = app.as_user("e1", METRICS, json!({ "p": program })).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let backwards = app
        .as_ospo(METRICS, json!({ "from": "2026-12-01", "to": "2026-11-01" }))
        .await;
    assert_eq!(backwards.code(), "BAD_USER_INPUT");
    let unknown = app.as_ospo(METRICS, json!({ "p": "nope" })).await;
    assert_eq!(unknown.code(), "NOT_FOUND");
    assert!(
        !all.body.to_string().contains("private"),
        "check-in notes leaked into the figures"
    );
    folding_tallies_changes_no_figure(&app, &program, &m).await;
}

/// The figures are read from tallies the database keeps (m0010): folding
/// their deltas leaves one row per key and changes no figure.
async fn folding_tallies_changes_no_figure(app: &TestApp, program: &Value, before: &Value) {
    let raw = "SELECT COUNT(*) FROM metrics_tally WHERE raw";
    assert!(
        app.count(raw).await > 0,
        "the events since the sweep are deltas"
    );
    // Two folds at once (two instances' sweepers): one folds, the other
    // waits its turn (SQLite) or skips the pass (PostgreSQL); nothing is
    // counted twice or lost.
    let (one, two) = tokio::join!(
        tandem::store::reports::compact_tally(&app.db),
        tandem::store::reports::compact_tally(&app.db)
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert!(one > 0 || two > 0);
    assert_eq!(one.min(two), 0, "the second fold found nothing left");
    assert_eq!(app.count(raw).await, 0);
    let keys = "SELECT COUNT(*) FROM (SELECT 1 FROM metrics_tally \
                GROUP BY program_id, day, series, label HAVING COUNT(*) > 1) k";
    assert_eq!(app.count(keys).await, 0, "one row per key");
    let after = app.as_ospo(METRICS, json!({ "p": program })).await;
    assert_eq!(&after.data()["programMetrics"], before);
    assert_eq!(
        tandem::store::reports::compact_tally(&app.db)
            .await
            .unwrap(),
        0
    );
}

/// `byMonth`: September has no activity and is listed all the same; the
/// other months hold exactly their events.
fn by_month_of_the_program(by_month: &Value, swept_at: chrono::DateTime<chrono::Utc>) {
    let months = by_month.as_array().unwrap().clone();
    let month = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m").to_string();
    let (now, expiry) = (month(chrono::Utc::now()), month(swept_at));
    let mut expected: BTreeMap<String, BTreeMap<&str, i64>> = BTreeMap::new();
    let mut add = |month: &str, field: &'static str, n: i64| {
        *expected
            .entry(month.to_owned())
            .or_default()
            .entry(field)
            .or_default() += n;
    };
    add("2026-08", "checkIns", 1);
    add("2026-08", "checkInMinutes", 15);
    add("2026-10", "checkIns", 1);
    add("2026-10", "checkInMinutes", 30);
    add("2026-11", "checkIns", 2);
    add("2026-11", "checkInMinutes", 105);
    for (field, n) in [
        ("requests", 4),
        ("proposalsMade", 5),
        ("accepted", 3),
        ("declined", 1),
        ("completed", 2),
        ("endedEarly", 1),
        ("milestones", 3),
        ("levelUps", 2),
        ("ratings", 3),
    ] {
        add(&now, field, n);
    }
    add(&expiry, "expired", 1);
    let listed: Vec<&str> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(listed.first(), Some(&"2026-08"));
    assert_eq!(
        listed.last(),
        Some(&expected.keys().last().unwrap().as_str())
    );
    assert_eq!(listed[1], "2026-09", "a quiet month is listed");
    for pair in listed.windows(2) {
        let next = chrono::NaiveDate::parse_from_str(&format!("{}-01", pair[0]), "%Y-%m-%d")
            .unwrap()
            .checked_add_months(chrono::Months::new(1))
            .unwrap();
        assert_eq!(
            next.format("%Y-%m").to_string(),
            pair[1],
            "months are consecutive"
        );
    }
    let fields = [
        "requests",
        "proposalsMade",
        "accepted",
        "declined",
        "expired",
        "completed",
        "endedEarly",
        "checkIns",
        "checkInMinutes",
        "milestones",
        "levelUps",
        "ratings",
    ];
    for row in &months {
        let want = expected
            .get(row["month"].as_str().unwrap())
            .cloned()
            .unwrap_or_default();
        for field in fields {
            assert_eq!(
                row[field].as_i64(),
                Some(want.get(field).copied().unwrap_or(0)),
                "{field} in {}",
                row["month"]
            );
        }
        let answered = want.get("accepted").unwrap_or(&0)
            + want.get("declined").unwrap_or(&0)
            + want.get("expired").unwrap_or(&0);
        match answered {
            0 => assert_eq!(row["acceptanceRate"], Value::Null),
            n => {
                let accepted = want.get("accepted").copied().unwrap_or(0) as f64;
                let rate = row["acceptanceRate"].as_f64().unwrap();
                assert!((rate - accepted / n as f64).abs() < 1e-9, "{row}");
            }
        }
    }
    let quiet = &months[1];
    assert_eq!(quiet["meanRating"], Value::Null);
    assert_eq!(quiet["completionRate"], Value::Null);
    let busy = months.iter().find(|m| m["month"] == now.as_str()).unwrap();
    assert!((busy["meanRating"].as_f64().unwrap() - 11.0 / 3.0).abs() < 1e-9);
    assert!((busy["completionRate"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
}

/// The demo's seeded history gives the OSPO real figures, through the API,
/// and keeps the lifecycle's invariants.
async fn the_demo_history_has_figures(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let seeded = tandem::seed::seed_demo(&app.db, 60, 300, |_, _| {})
        .await
        .unwrap()
        .expect("seeded");
    assert_eq!(seeded.requests, 300 + 40.min(seeded.requests - 300));
    let programs = app
        .as_ospo(
            "{ programs { edges { node { id name status } } } }",
            json!({}),
        )
        .await;
    let running = programs.data()["programs"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["status"] == "RUNNING")
        .expect("a running program")["node"]["id"]
        .clone();
    let figures = app.as_ospo(METRICS, json!({ "p": running })).await;
    let m = &figures.data()["programMetrics"];
    for (path, figure) in [
        ("proposals made", &m["proposals"]["made"]),
        ("declined", &m["proposals"]["declined"]),
        ("expired", &m["proposals"]["expired"]),
        ("completed", &m["mentorships"]["completed"]),
        ("ended early", &m["mentorships"]["endedEarly"]),
        ("active", &m["mentorships"]["active"]),
        ("ratings", &m["satisfaction"]["ratings"]),
        ("level-ups", &m["levelProgression"]["advanced"]),
        ("check-ins", &m["checkIns"]["count"]),
    ] {
        assert!(figure.as_i64().unwrap() > 0, "{path}: {figure}");
    }
    assert!(
        m["byMonth"].as_array().unwrap().len() >= 12,
        "a year of months"
    );
    let waiting = app
        .as_ospo(
            "{ programs(first: 5) { edges { node { status requests(states: [OPEN], first: 50) { edges { node { id } } } } } } }",
            json!({}),
        )
        .await;
    let open = waiting.data()["programs"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["status"] == "OPEN")
        .expect("an open program")["node"]["requests"]["edges"]
        .as_array()
        .unwrap()
        .len();
    assert!(open > 0, "the open program's mentees wait for a cohort run");
    // The demo mentee's history is all finished, so whoever signs in as
    // her can ask for a mentor at once.
    let hers = app
        .as_user(
            tandem::seed::MENTEE_SUB,
            "{ myRequests(first: 100) { edges { node { state } } } }",
            json!({}),
        )
        .await;
    let states: Vec<&str> = hers.data()["myRequests"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["state"].as_str().unwrap())
        .collect();
    assert!(states.len() > 1, "her seeded history: {states:?}");
    assert!(
        states.iter().all(|s| ["CLOSED", "WITHDRAWN"].contains(s)),
        "nothing of hers is still live: {states:?}"
    );
    // Seeded matches read back like any other, frozen score included.
    let matches = app
        .as_ospo(
            "query($p: ID!) { program(id: $p) { matches(first: 5) { edges { node { state score { total components { criterion } } } } } } }",
            json!({ "p": running }),
        )
        .await;
    for edge in matches.data()["program"]["matches"]["edges"]
        .as_array()
        .unwrap()
    {
        assert_eq!(
            edge["node"]["score"]["components"]
                .as_array()
                .unwrap()
                .len(),
            8
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mentor_profile WHERE live_count > capacity")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM mentor_profile p WHERE live_count <> (SELECT COUNT(*) FROM mentorship_match m \
             WHERE m.mentor_id = p.person_id AND m.state IN ('proposed', 'active'))"
        )
        .await,
        0
    );
}

on_both_backends!(
    figures_of_a_known_program,
    the_demo_history_has_figures,
    figures_read_from_the_replica
);

/// `TANDEM_READ_DATABASE_URL` sends the figures and the exports to the
/// replica: pointed at an empty copy of the schema, they see nothing of
/// what the primary holds. On SQLite the setting is refused at start-up.
async fn figures_read_from_the_replica(backend: Backend) {
    if backend == Backend::Sqlite {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tandem.toml");
        std::fs::write(
            &file,
            "database_url = \"sqlite::memory:\"\nread_database_url = \"postgres://replica/tandem\"\njwt_secret = \"0123456789abcdef0123456789abcdef\"\n",
        )
        .unwrap();
        let source = tandem::config::Source::with_file(&file).unwrap();
        let refused = tandem::config::Config::load(&source, tandem::config::Overrides::default())
            .unwrap_err();
        assert!(
            refused.to_string().contains("TANDEM_READ_DATABASE_URL"),
            "{refused}"
        );
        return;
    }
    let Some(replica) = tandem_tests::fresh_database(backend).await else {
        return;
    };
    {
        let db = tandem::db::connect(&replica.url, 2).await.unwrap();
        tandem::Migrator::up(&db).await.unwrap();
        db.close().await.ok();
    }
    let Some(app) =
        TestApp::spawn_with(backend, |c| c.read_database_url = Some(replica.url.clone())).await
    else {
        return;
    };
    app.seed_catalog().await;
    person(&app, "M", Some(5)).await;
    person(&app, "e", None).await;
    app.as_user(
        "e",
        "mutation { requestMentorship(input: { goals: \"learn\" }) { id } }",
        json!({}),
    )
    .await
    .data();
    assert_eq!(app.count("SELECT COUNT(*) FROM mentorship_match").await, 1);
    let replica = app.as_ospo(METRICS, json!({})).await;
    let m = &replica.data()["programMetrics"];
    assert_eq!(m["proposals"]["made"], 0, "the replica holds nothing yet");
    assert!(
        m["requestsByState"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["count"] == 0)
    );
    let csv = app
        .client
        .get(format!("{}/export/matches.csv", app.base))
        .bearer_auth(app.ospo_token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
}
