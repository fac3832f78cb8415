//! The OSPO's CSV downloads: what they hold parses back to what the API
//! reports, formula cells are escaped, anyone else is refused.

use std::collections::HashMap;

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

async fn profile(app: &TestApp, sub: &str, mentor: bool) {
    let (query, input) = if mentor {
        (
            "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
            json!({ "capacity": 2, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": [] }),
        )
    } else {
        (
            "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
            json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": [] }),
        )
    };
    app.as_user(sub, query, json!({ "i": input })).await.data();
}

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("download")
}

/// Header and records of a CSV body (its byte-order mark skipped).
fn parse(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM");
    let mut reader = csv::Reader::from_reader(body);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, records)
}

async fn exports_parse_back_to_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    // A mentor whose name a spreadsheet would run as a formula.
    profile(&app, "=HYPERLINK(\"x\")", true).await;
    profile(&app, "mentee, with comma", false).await;
    profile(&app, "second", false).await;
    let ask = "mutation { requestMentorship(input: { goals: \"grow\" }) { currentMatch { id } } }";
    let first = app.as_user("mentee, with comma", ask, json!({})).await;
    let first = first.data()["requestMentorship"]["currentMatch"]["id"].clone();
    let second = app.as_user("second", ask, json!({})).await;
    let second = second.data()["requestMentorship"]["currentMatch"]["id"].clone();
    let mentor = "=HYPERLINK(\"x\")";
    app.as_user(
        mentor,
        "mutation($m: ID!) { acceptProposal(matchId: $m) { state } }",
        json!({ "m": first }),
    )
    .await
    .data();
    app.as_user(
        "mentee, with comma",
        "mutation($m: ID!) { endMatchEarly(input: { matchId: $m, reason: \"-moved on\" }) { state } }",
        json!({ "m": first }),
    )
    .await
    .data();
    app.as_user(
        mentor,
        "mutation($m: ID!) { declineProposal(input: { matchId: $m, reason: NO_TIME_NOW }) { state } }",
        json!({ "m": second }),
    )
    .await
    .data();

    let response = download(&app, "/export/matches.csv", Some(&app.ospo_token())).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let (header, records) = parse(&response.bytes().await.unwrap());
    assert_eq!(
        header,
        [
            "match_id",
            "request_id",
            "mentee",
            "mentee_email",
            "mentor",
            "mentor_email",
            "state",
            "proposed_at",
            "answered_at",
            "ended_at",
            "score",
            "policy_version",
            "decline_reason",
            "end_reason"
        ]
    );
    let api = app
        .as_ospo(
            "{ matches(includePrograms: true, first: 100) { edges { node { id state score { total policyVersion } request { id } } } } }",
            json!({}),
        )
        .await;
    let api: HashMap<String, Value> = api.data()["matches"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap().to_owned(),
                e["node"].clone(),
            )
        })
        .collect();
    assert_eq!(records.len(), api.len());
    assert_eq!(
        records.len(),
        2,
        "the decline found nobody else to cascade to"
    );
    for row in &records {
        let node = &api[&row[0]];
        assert_eq!(row[1], node["request"]["id"].as_str().unwrap());
        assert_eq!(row[6], node["state"].as_str().unwrap());
        let score: f64 = row[10].parse().unwrap();
        assert!((score - node["score"]["total"].as_f64().unwrap()).abs() < 1e-3);
        assert_eq!(row[11], node["score"]["policyVersion"].to_string());
        assert_eq!(row[4], "'=HYPERLINK(\"x\")", "formula escaped");
        chrono::DateTime::parse_from_rfc3339(&row[7]).expect("proposed_at is RFC 3339");
    }
    let ended = records
        .iter()
        .find(|r| r[0] == first.as_str().unwrap())
        .unwrap();
    assert_eq!(ended[2], "mentee, with comma");
    assert_eq!(ended[6], "ENDED_EARLY");
    assert_eq!(ended[13], "'-moved on");
    assert!(!ended[8].is_empty() && !ended[9].is_empty());
    let declined = records
        .iter()
        .find(|r| r[0] == second.as_str().unwrap())
        .unwrap();
    assert_eq!(declined[12], "NO_TIME_NOW");
    assert_eq!(
        declined[9], "",
        "a declined proposal never started, so never ended"
    );

    let metrics = download(&app, "/export/metrics.csv", Some(&app.ospo_token())).await;
    assert_eq!(metrics.status(), 200);
    let (header, records) = parse(&metrics.bytes().await.unwrap());
    assert_eq!(header, ["section", "item", "month", "value"]);
    let value = |section: &str, item: &str| -> String {
        records
            .iter()
            .find(|r| r[0] == section && r[1] == item && r[2].is_empty())
            .unwrap_or_else(|| panic!("{section}/{item}"))[3]
            .clone()
    };
    let figures = app
        .as_ospo(
            "{ programMetrics { proposals { made declined acceptanceRate } mentorships { endedEarly } byMonth { month proposalsMade } } }",
            json!({}),
        )
        .await;
    let f = &figures.data()["programMetrics"];
    assert_eq!(
        value("proposals", "made"),
        f["proposals"]["made"].to_string()
    );
    assert_eq!(
        value("proposals", "declined"),
        f["proposals"]["declined"].to_string()
    );
    assert_eq!(
        value("mentorships", "ended_early"),
        f["mentorships"]["endedEarly"].to_string()
    );
    let rate: f64 = value("proposals", "acceptance_rate").parse().unwrap();
    assert!((rate - f["proposals"]["acceptanceRate"].as_f64().unwrap()).abs() < 1e-4);
    assert_eq!(
        value("demand_shortfall", "skill:rust"),
        "1",
        "two want Rust, one mentor offers it"
    );
    let month = f["byMonth"][0]["month"].as_str().unwrap();
    let monthly = records
        .iter()
        .find(|r| r[0] == "by_month" && r[1] == "proposals_made" && r[2] == month)
        .unwrap();
    assert_eq!(monthly[3], f["byMonth"][0]["proposalsMade"].to_string());

    // Refusals: no token, someone else, an unknown program, a bad date.
    for path in ["/export/matches.csv", "/export/metrics.csv"] {
        assert_eq!(download(&app, path, None).await.status(), 401, "{path}");
        let someone = app.token("second", None, &[]);
        let refused = download(&app, path, Some(&someone)).await;
        assert_eq!(refused.status(), 403, "{path}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
        let unknown = download(
            &app,
            &format!("{path}?programId=nope"),
            Some(&app.ospo_token()),
        )
        .await;
        assert_eq!(unknown.status(), 404, "{path}");
    }
    let bad = download(
        &app,
        "/export/metrics.csv?from=yesterday",
        Some(&app.ospo_token()),
    )
    .await;
    assert_eq!(bad.status(), 400);
}

on_both_backends!(exports_parse_back_to_the_api);
