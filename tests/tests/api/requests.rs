//! How a GraphQL request is taken in before anything runs: the media type
//! of the answer (`application/graphql-response+json` and its 4xx
//! statuses), authentication before parsing, the size and token limits, the
//! depth limit through fragments, variable coercion, `Allow` on a 405, and
//! cursors and dates that the server did not issue.

use reqwest::header::{ACCEPT, ALLOW};
use serde_json::{Value, json};
use tandem_tests::{Backend, Gql, TestApp, on_both_backends};

async fn post(app: &TestApp, token: Option<&str>, accept: Option<&str>, body: Value) -> Gql {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    Gql::from(request.send().await.unwrap()).await
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn request_errors_get_400_under_the_graphql_response_media_type(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("media", None, &[]);
    let ask = |accept: Option<&'static str>, body: Value| post(&app, Some(&token), accept, body);

    let ok = ask(Some(GRAPHQL_RESPONSE), json!({ "query": "{ me { id } }" })).await;
    assert_eq!(ok.status, 200);
    assert!(
        ok.content_type.starts_with(GRAPHQL_RESPONSE),
        "{}",
        ok.content_type
    );
    assert!(ok.data()["me"]["id"].is_string());

    let request_errors = [
        (json!({ "query": "{ me { id " }), "GRAPHQL_PARSE_FAILED"),
        (
            json!({ "query": "{ me { nope } }" }),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            json!({ "query": "query($k: Int!) { skills(first: $k) { edges { cursor } } }", "variables": { "k": null } }),
            "BAD_USER_INPUT",
        ),
        (
            json!({ "query": "query($k: Int!) { skills(first: $k) { edges { cursor } } }" }),
            "BAD_USER_INPUT",
        ),
    ];
    for (body, code) in &request_errors {
        let strict = ask(Some(GRAPHQL_RESPONSE), body.clone()).await;
        assert_eq!(strict.status, 400, "{body}: {:#}", strict.body);
        assert!(strict.content_type.starts_with(GRAPHQL_RESPONSE));
        assert_eq!(strict.code(), *code, "{body}");
        assert!(strict.body.get("data").is_none(), "{:#}", strict.body);
        // application/json keeps its 200 and has no data either.
        let lenient = ask(Some("application/json"), body.clone()).await;
        assert_eq!(lenient.status, 200, "{body}");
        assert!(lenient.content_type.starts_with("application/json"));
        assert_eq!(lenient.code(), *code, "{body}");
        assert!(lenient.body.get("data").is_none(), "{:#}", lenient.body);
    }

    // An error while executing is a result, not a request error.
    let forbidden = ask(
        Some(GRAPHQL_RESPONSE),
        json!({ "query": "{ programMetrics { requestsByState { count } } }" }),
    )
    .await;
    assert_eq!(forbidden.status, 200);
    assert_eq!(forbidden.code(), "FORBIDDEN");
    assert!(forbidden.body.get("data").is_some());

    // The client's preference decides; without one, application/json.
    let bad = json!({ "query": "{ me { nope } }" });
    for (accept, status) in [
        (None, 200),
        (Some("*/*"), 200),
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            200,
        ),
        (
            Some("application/json;q=0.9, application/graphql-response+json"),
            400,
        ),
        (
            Some("application/graphql-response+json, application/json"),
            400,
        ),
    ] {
        let answer = ask(accept, bad.clone()).await;
        assert_eq!(answer.status, status, "Accept: {accept:?}");
    }
}

async fn anonymous_callers_are_refused_before_parsing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // A document that would fail to parse, and one over every limit: the
    // caller without a valid token learns only that it needs one.
    let broken = json!({ "query": "{ me { id " });
    let huge = json!({ "query": format!("{{ {} }}", "me { id } ".repeat(5_000)) });
    for body in [broken, huge] {
        for token in [None, Some("not-a-token")] {
            let answer = post(&app, token, Some(GRAPHQL_RESPONSE), body.clone()).await;
            assert_eq!(answer.status, 401, "{:#}", answer.body);
            assert_eq!(answer.code(), "UNAUTHENTICATED");
        }
    }
    let get = app
        .client
        .get(format!("{}/graphql", app.base))
        .query(&[("query", "{ me { id ")])
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 401);
}

async fn documents_are_bounded_before_parsing(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.limits.max_tokens = 100;
        c.limits.max_query_bytes = 2_000;
    })
    .await
    else {
        return;
    };
    let token = app.token("bounded", None, &[]);
    let ask = |query: String| post(&app, Some(&token), None, json!({ "query": query }));
    // `{ me { ... } }` is 5 tokens around the fields.
    let fields = |n: usize| format!("{{ me {{ {} }} }}", "id ".repeat(n));
    ask(fields(95)).await.data();
    // Refused again when sent again: only documents within every limit
    // are kept parsed; a kept one still checks each request's variables.
    for _ in 0..2 {
        let over = ask(fields(96)).await;
        assert_eq!(over.code(), "GRAPHQL_VALIDATION_FAILED");
        assert!(over.message().contains("100 tokens"), "{}", over.message());
    }
    let sized = "query($k: Int!) { skills(first: $k) { edges { cursor } } }";
    post(
        &app,
        Some(&token),
        None,
        json!({ "query": sized, "variables": { "k": 1 } }),
    )
    .await
    .data();
    let null = post(
        &app,
        Some(&token),
        None,
        json!({ "query": sized, "variables": { "k": null } }),
    )
    .await;
    assert_eq!(null.code(), "BAD_USER_INPUT", "{:#}", null.body);
    // Commas and comments are not tokens, but bytes are bytes.
    ask(format!("{} # {}", fields(90), "a b c ".repeat(100)))
        .await
        .data();
    ask(format!("{{ me {{ id{} }} }}", ",".repeat(1_000)))
        .await
        .data();
    let long = ask(format!("{} # {}", fields(1), "x".repeat(2_000))).await;
    assert_eq!(long.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(long.message().contains("2000"), "{}", long.message());
    // A string literal is one token however long it is.
    let literal = ask(format!(
        "{{ me {{ id }} skills(after: \"{}\") {{ edges {{ cursor }} }} }}",
        "A".repeat(1_000)
    ))
    .await;
    assert_eq!(literal.code(), "BAD_USER_INPUT", "{:#}", literal.body);
}

/// Documents are kept parsed once they pass every limit; one that does
/// not is refused again each time it comes, by the limits only Tandem
/// checks (async-graphql checks depth itself, not aliases).
async fn a_refused_document_is_refused_every_time(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("again", None, &[]);
    let aliases: String = (0..31).map(|i| format!("a{i}: me {{ id }} ")).collect();
    for _ in 0..3 {
        let many = post(
            &app,
            Some(&token),
            None,
            json!({ "query": format!("{{ {aliases} }}") }),
        )
        .await;
        assert_eq!(many.code(), "GRAPHQL_VALIDATION_FAILED", "{:#}", many.body);
        assert!(many.message().contains("31 aliases"), "{}", many.message());
    }
    let thirty: String = (0..30).map(|i| format!("a{i}: me {{ id }} ")).collect();
    for _ in 0..2 {
        let fine = post(
            &app,
            Some(&token),
            None,
            json!({ "query": format!("{{ {thirty} }}") }),
        )
        .await;
        assert!(fine.data()["a29"]["id"].is_string(), "{:#}", fine.body);
    }
}

/// `fragment Fi on MentorshipRequest { currentMatch { ...Gi } }` and back
/// through `Match.request`, `levels` fields deep.
fn deep_through_fragments(levels: usize) -> String {
    let mut doc = String::from("query { request(id: \"x\") { ...F0 } } ");
    for i in 0..levels / 2 {
        let next = if 2 * (i + 1) < levels {
            format!("...F{}", i + 1)
        } else {
            "id".into()
        };
        // Every other level through an inline fragment as well.
        let (open, close) = if i % 2 == 0 {
            ("... on MentorshipRequest { ", " }")
        } else {
            ("", "")
        };
        doc.push_str(&format!(
            "fragment F{i} on MentorshipRequest {{ {open}currentMatch {{ ...G{i} }}{close} }} \
             fragment G{i} on Match {{ request {{ {next} }} }} "
        ));
    }
    doc
}

async fn depth_counts_through_fragments(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("deep", None, &[]);
    for levels in [16, 20, 40, 16] {
        let query = deep_through_fragments(levels);
        let deep = post(&app, Some(&token), None, json!({ "query": query })).await;
        assert_eq!(deep.code(), "GRAPHQL_VALIDATION_FAILED", "{:#}", deep.body);
        assert!(
            deep.message().contains("deep"),
            "{levels}: {}",
            deep.message()
        );
    }
    // Within the limit (15 by default) the same shape runs.
    let shallow = post(
        &app,
        Some(&token),
        None,
        json!({ "query": deep_through_fragments(12) }),
    )
    .await;
    assert!(shallow.data()["request"].is_null(), "{:#}", shallow.body);
}

async fn other_methods_get_405_with_allow(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for (path, allow) in [
        ("/graphql", "GET, POST"),
        ("/import/people", "POST"),
        ("/export/matches.csv", "GET"),
        ("/me/export.json", "GET"),
        ("/healthz", "GET"),
    ] {
        for method in [reqwest::Method::PUT, reqwest::Method::DELETE] {
            let response = app
                .client
                .request(method.clone(), format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 405, "{method} {path}");
            assert_eq!(
                response.headers().get(ALLOW).map(|v| v.to_str().unwrap()),
                Some(allow),
                "{method} {path}"
            );
        }
    }
    let token = app.token("getter", None, &[]);
    // Run once over POST first, so the document is kept parsed: over GET it
    // is still a mutation.
    let body = json!({ "query": "mutation { markNotificationsRead(ids: []) }" });
    post(&app, Some(&token), None, body).await.data();
    let mutation = app
        .client
        .get(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .query(&[("query", "mutation { markNotificationsRead(ids: []) }")])
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status().as_u16(), 405);
    assert_eq!(mutation.headers().get(ALLOW).unwrap(), "GET, POST");
}

async fn cursors_and_dates_must_be_the_servers_own(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.seed_catalog().await;
    let token = app.token("pager", None, &[]);
    let page = |after: &str| {
        app.gql(
            Some(&token),
            "query($after: String) { skills(first: 2, after: $after) { edges { cursor node { slug } } } }",
            json!({ "after": after }),
        )
    };
    let first = app
        .gql(
            Some(&token),
            "{ skills(first: 2) { edges { cursor node { slug } } } }",
            json!({}),
        )
        .await;
    let cursor = first.data()["skills"]["edges"][1]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = page(&cursor).await;
    assert_ne!(
        next.data()["skills"]["edges"][0]["node"]["slug"],
        first.data()["skills"]["edges"][0]["node"]["slug"]
    );
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let mut truncated = cursor.clone();
    truncated.pop();
    for forged in [
        "zzz".to_owned(),
        "".to_owned(),
        truncated,
        format!("{cursor}AA"),
        b64("go"),
        b64(&"a".repeat(500)),
    ] {
        let answer = page(&forged).await;
        assert_eq!(
            answer.code(),
            "BAD_USER_INPUT",
            "{forged}: {:#}",
            answer.body
        );
    }

    let ospo = app.ospo_token();
    for date in [
        "2026-1-01",
        "2026-01-1",
        "+2026-01-01",
        "2026-02-30",
        "2026-01-01T00:00:00Z",
    ] {
        let answer = app
            .gql(
                Some(&ospo),
                "query($d: Date) { programMetrics(from: $d) { requestsByState { count } } }",
                json!({ "d": date }),
            )
            .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{date}");
        assert!(answer.body.get("data").is_none(), "{date} executed");
    }
    app.gql(
        Some(&ospo),
        "query($d: Date) { programMetrics(from: $d) { requestsByState { count } } }",
        json!({ "d": "2026-01-01" }),
    )
    .await
    .data();
}

on_both_backends!(
    a_refused_document_is_refused_every_time,
    request_errors_get_400_under_the_graphql_response_media_type,
    anonymous_callers_are_refused_before_parsing,
    documents_are_bounded_before_parsing,
    depth_counts_through_fragments,
    other_methods_get_405_with_allow,
    cursors_and_dates_must_be_the_servers_own,
);
