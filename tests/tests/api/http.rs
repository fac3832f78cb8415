//! The HTTP surface: limits, content types, methods, error codes, probes,
//! metrics, and the schema drift check.

use futures_util::stream;
use serde_json::{Value, json};
use tandem_tests::{Backend, Gql, TestApp, on_both_backends};

async fn post_raw(app: &TestApp, content_type: &str, body: impl Into<reqwest::Body>) -> Gql {
    let token = app.token("limit-tester", None, &[]);
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    Gql::from(response).await
}

async fn bodies_over_the_limit_get_413_with_or_without_length(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.limits.max_body_bytes = 1024).await else {
        return;
    };
    let big = json!({ "query": format!("{{ me {{ id }} }} # {}", "x".repeat(2000)) }).to_string();
    let sized = post_raw(&app, "application/json", big.clone()).await;
    assert_eq!(sized.status, 413);
    assert_eq!(sized.code(), "BAD_USER_INPUT");
    // Chunked, with no Content-Length: the limit holds as bytes arrive.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big
        .into_bytes()
        .chunks(100)
        .map(|c| Ok(c.to_vec()))
        .collect();
    let chunked = post_raw(
        &app,
        "application/json",
        reqwest::Body::wrap_stream(stream::iter(chunks)),
    )
    .await;
    assert_eq!(chunked.status, 413);
    let small = post_raw(
        &app,
        "application/json",
        json!({ "query": "{ me { id } }" }).to_string(),
    )
    .await;
    assert!(small.data()["me"]["id"].is_string());
}

async fn content_types_methods_and_batches(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let query = json!({ "query": "{ me { id } }" }).to_string();
    let text = post_raw(&app, "text/plain", query.clone()).await;
    assert_eq!(text.status, 415);
    assert_eq!(text.code(), "BAD_USER_INPUT");
    let json_charset = post_raw(&app, "application/json; charset=utf-8", query.clone()).await;
    assert!(json_charset.content_type.starts_with("application/json"));
    json_charset.data();
    let batch = post_raw(
        &app,
        "application/json",
        json!([{ "query": "{ me { id } }" }]).to_string(),
    )
    .await;
    assert_eq!(batch.status, 400);
    assert_eq!(batch.code(), "BAD_USER_INPUT");
    let not_json = post_raw(&app, "application/json", "{ me { id } }").await;
    assert_eq!(not_json.code(), "BAD_USER_INPUT");

    let token = app.token("getter", None, &[]);
    let get = |q: &str| {
        app.client
            .get(format!("{}/graphql", app.base))
            .bearer_auth(&token)
            .header("Accept", "application/json")
            .query(&[("query", q)])
            .send()
    };
    let read = Gql::from(get("{ me { id } }").await.unwrap()).await;
    assert!(read.data()["me"]["id"].is_string());
    let mutation = Gql::from(
        get(r#"mutation { updateMyProfile(input: { osmmLevel: 5 }) { id } }"#)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(mutation.status, 405);
    assert_eq!(mutation.code(), "BAD_USER_INPUT");
    let level = app
        .gql(Some(&token), "{ me { osmmLevel } }", json!({}))
        .await;
    assert_eq!(
        level.data()["me"]["osmmLevel"],
        1,
        "a mutation over GET changed data"
    );
}

async fn parse_validation_and_limit_errors_carry_codes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("coder", None, &[]);
    let ask = |q: String| {
        let token = token.clone();
        let app = &app;
        async move { app.gql(Some(&token), &q, json!({})).await }
    };
    assert_eq!(
        ask("{ me { id ".into()).await.code(),
        "GRAPHQL_PARSE_FAILED"
    );
    assert_eq!(
        ask("{ me { nope } }".into()).await.code(),
        "GRAPHQL_VALIDATION_FAILED"
    );
    let too_deep = "{ me { mentorProfile { projects { project { foundation { id } } } } menteeProfile { projects { foundation { id } } } } }";
    let app_shallow = TestApp::spawn_with(app.backend, |c| c.limits.max_depth = 4)
        .await
        .unwrap();
    let shallow = app_shallow
        .gql(
            Some(&app_shallow.token("d", None, &[])),
            too_deep,
            json!({}),
        )
        .await;
    assert_eq!(shallow.code(), "GRAPHQL_VALIDATION_FAILED");
    // Complexity: a connection costs first × child.
    let complex = ask("{ mentors(first: 100) { edges { node { id displayName department languages mentorProfile { capacity bio topics accepting liveCount skills { proficiency skill { slug name category } } } } } } }".into()).await;
    assert_eq!(
        complex.code(),
        "GRAPHQL_VALIDATION_FAILED",
        "{:#}",
        complex.body
    );
    let affordable =
        ask("{ mentors(first: 10) { edges { node { id displayName } } } }".into()).await;
    affordable.data();
    // Aliases.
    let aliases: String = (0..31).map(|i| format!("a{i}: me {{ id }} ")).collect();
    assert_eq!(
        ask(format!("{{ {aliases} }}")).await.code(),
        "GRAPHQL_VALIDATION_FAILED"
    );
    // Fragments that spread each other expand exponentially; refused quickly.
    let mut bomb = String::from("{ ...F0 } ");
    for i in 0..40 {
        bomb.push_str(&format!(
            "fragment F{i} on QueryRoot {{ ...F{} ...F{} }} ",
            i + 1,
            i + 1
        ));
    }
    bomb.push_str("fragment F40 on QueryRoot { me { id } }");
    assert_eq!(ask(bomb).await.code(), "GRAPHQL_VALIDATION_FAILED");
    // Page size.
    assert_eq!(
        ask("{ skills(first: 101) { edges { cursor } } }".into())
            .await
            .code(),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        ask("{ skills(first: -1) { edges { cursor } } }".into())
            .await
            .code(),
        "BAD_USER_INPUT"
    );
    // Directives per field.
    let directives = ask("{ me { id @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) } }".into()).await;
    assert_eq!(
        directives.body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{:#}",
        directives.body
    );
    // Every error carries a code.
    let wrong_type = ask(r#"{ person(id: 5.5) { id } }"#.into()).await;
    assert!(
        wrong_type.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["extensions"]["code"].is_string())
    );
}

async fn introspection_and_graphiql_can_be_switched_off(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.introspection = false;
        c.graphiql = false;
    })
    .await
    else {
        return;
    };
    let token = app.token("intro", None, &[]);
    let response = app
        .gql(Some(&token), "{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(response.code(), "GRAPHQL_VALIDATION_FAILED");
    assert!(response.body["data"].is_null() || response.body["data"]["__schema"].is_null());
    let page = app
        .client
        .get(format!("{}/graphiql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);

    let Some(open) = TestApp::spawn(backend).await else {
        return;
    };
    let page = open
        .client
        .get(format!("{}/graphiql", open.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    // Everything from this server: no CDN, and a policy that says so.
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'") && !csp.contains("http"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(!html.contains("http"), "an outside URL in the page: {html}");
    let asset = |name: &str| {
        open.client
            .get(format!("{}/graphiql/assets/{name}", open.base))
            .send()
    };
    for name in [
        "graphiql.min.js",
        "graphiql.min.css",
        "start.js",
        "NOTICE.txt",
    ] {
        let response = asset(name).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{name}");
        assert!(
            html.contains(name) || name == "NOTICE.txt",
            "{name} not used"
        );
    }
    assert_eq!(asset("nope.js").await.unwrap().status().as_u16(), 404);
    // The demo's token is offered under `serve --demo` only.
    let headers = open
        .client
        .get(format!("{}/graphiql/demo-headers.json", open.base))
        .send()
        .await
        .unwrap();
    assert_eq!(headers.status().as_u16(), 404);
}

async fn internal_errors_leak_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("saboteur", None, &[]);
    app.gql(Some(&token), "{ me { id } }", json!({}))
        .await
        .data();
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("DROP TABLE mentee_topic")
        .await
        .unwrap();
    app.db
        .execute_unprepared("DROP TABLE mentee_skill")
        .await
        .unwrap();
    let response = app
        .gql(
            Some(&token),
            "{ me { menteeProfile { targetLevel skills { priority } } } }",
            json!({}),
        )
        .await;
    let mutation = app
        .gql(Some(&token), r#"mutation { setMenteeProfile(input: { targetLevel: 2, skills: [], projects: [], foundations: [], topics: [] }) { id } }"#, json!({}))
        .await;
    for r in [&response, &mutation] {
        let text = r.body.to_string().to_lowercase();
        assert_eq!(
            r.body["errors"][0]["extensions"]["code"], "INTERNAL",
            "{:#}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["message"], "internal error");
        for leak in [
            "mentee_skill",
            "mentee_topic",
            "select",
            "insert",
            "sqlite",
            "relation",
            "no such table",
        ] {
            assert!(!text.contains(leak), "leaked {leak:?}: {text}");
        }
    }
}

async fn probes_and_metrics(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status().as_u16(), 200);
    assert_eq!(get("/readyz").await.unwrap().status().as_u16(), 200);
    app.gql(Some(&app.token("m", None, &[])), "{ me { id } }", json!({}))
        .await
        .data();
    let response = get("/metrics").await.unwrap();
    let id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(id.is_some_and(|id| !id.is_empty()), "no request id header");
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"tandem_http_requests_total{method="POST",route="/graphql",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("tandem_http_request_duration_seconds_bucket"));
    assert!(text.contains("tandem_db_pool_connections"));
    // Unmatched paths share one label value, so scanners cannot blow up the label set.
    get("/nope/1").await.unwrap();
    get("/nope/2").await.unwrap();
    let text = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(
        text.contains(r#"route="unmatched",status="404"} 2"#),
        "{text}"
    );
}

async fn readiness_turns_503_while_draining(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let ready = || async {
        app.client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready().await, 200);
    // What the SIGTERM handler sets before it stops the server.
    app.state
        .draining
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(ready().await, 503);
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status().as_u16(),
        200,
        "the process is still up while draining"
    );
}

async fn readiness_follows_the_database(backend: Backend) {
    if backend != Backend::Postgres {
        return; // A SQLite file cannot become unreachable under a running pool.
    }
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let ready = || async {
        app.client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(ready().await, 200);
    let name = app
        .config
        .database_url
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let admin = sea_orm::Database::connect(std::env::var("TANDEM_TEST_POSTGRES_URL").unwrap())
        .await
        .unwrap();
    use sea_orm::ConnectionTrait;
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(ready().await);
    }
    assert!(
        statuses.contains(&503),
        "never 503 while the database was unreachable: {statuses:?}"
    );
    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let mut back = 0;
    for _ in 0..20 {
        back = ready().await;
        if back == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(back, 200, "did not recover without a restart");
}

async fn cors_allows_only_configured_origins(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.cors_origins = vec!["https://intranet.example.com".into()]
    })
    .await
    else {
        return;
    };
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://intranet.example.com").await.unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned()),
        Some("https://intranet.example.com".to_owned())
    );
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-credentials")
            .map(|v| v.to_str().unwrap().to_owned()),
        Some("true".into())
    );
    let denied = preflight("https://evil.example.com").await.unwrap();
    let header: Option<Value> = denied
        .headers()
        .get("access-control-allow-origin")
        .map(|v| Value::String(v.to_str().unwrap().into()));
    assert!(header.is_none(), "evil origin allowed: {header:?}");
}

on_both_backends!(
    bodies_over_the_limit_get_413_with_or_without_length,
    content_types_methods_and_batches,
    parse_validation_and_limit_errors_carry_codes,
    introspection_and_graphiql_can_be_switched_off,
    internal_errors_leak_nothing,
    probes_and_metrics,
    readiness_follows_the_database,
    readiness_turns_503_while_draining,
    cors_allows_only_configured_origins,
);

#[test]
fn schema_graphql_matches_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    let served = tandem::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &served).unwrap();
        return;
    }
    assert!(
        file == served,
        "schema.graphql differs from the served schema: run `cargo run -- schema > schema.graphql` (or UPDATE_SCHEMA=1 cargo test)"
    );
}
