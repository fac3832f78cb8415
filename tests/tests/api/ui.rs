//! The web app as a browser fetches it: the page and its assets under a
//! strict Content-Security-Policy and the promised cache headers, the app's
//! routes answered with its page, the sign-in configuration, demo tokens in
//! demo mode only, and `TANDEM_UI=off`.

use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends};

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn the_app_is_served_with_its_headers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let page = get(&app, "/").await;
    assert_eq!(page.status(), 200);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let csp = header(&page, "content-security-policy");
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("http"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<div id=\"root\">"), "{html}");
    assert!(
        !html.contains("<script>"),
        "an inline script would break the CSP"
    );

    // Every asset the page names is served, hashed and cached for a year.
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with("/assets/"))
        .collect();
    assert!(assets.iter().any(|a| a.ends_with(".js")), "{html}");
    for asset in assets {
        let response = get(&app, asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    }

    // The app's own routes get its page; missing files do not.
    for route in [
        "/recommendations",
        "/matches",
        "/ospo/programs/p1",
        "/signin/callback",
    ] {
        let response = get(&app, route).await;
        assert_eq!(response.status(), 200, "{route}");
        assert_eq!(response.text().await.unwrap(), html, "{route}");
    }
    for missing in ["/assets/nope.js", "/nope.png", "/nope", "/wp-admin/setup"] {
        assert_eq!(get(&app, missing).await.status(), 404, "{missing}");
    }
    let post = app
        .client
        .post(format!("{}/recommendations", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);
    // The API's routes are untouched by the app's fallback.
    assert_eq!(get(&app, "/healthz").await.status(), 200);
    assert_eq!(
        get(&app, "/graphql?query=%7B__typename%7D").await.status(),
        401
    );

    let config: Value = get(&app, "/app/config.json").await.json().await.unwrap();
    assert_eq!(config["demo"], false);
    assert!(config["oidc"].is_null());
    assert_eq!(get(&app, "/app/demo-tokens").await.status(), 404);
}

async fn demo_mode_offers_the_demo_people(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.demo = true).await else {
        return;
    };
    let config: Value = get(&app, "/app/config.json").await.json().await.unwrap();
    assert_eq!(config["demo"], true);
    let response = get(&app, "/app/demo-tokens?ttl=60").await;
    assert_eq!(header(&response, "cache-control"), "no-store");
    let tokens: Vec<Value> = response.json().await.unwrap();
    let roles: Vec<&str> = tokens.iter().map(|t| t["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["mentee", "mentor", "ospo"]);
    for token in &tokens {
        let me = app
            .gql(token["token"].as_str(), "{ me { displayName } }", json!({}))
            .await;
        assert_eq!(me.data()["me"]["displayName"], token["name"]);
    }
    // Only the OSPO admin's token carries the OSPO's rights.
    let programs = "mutation { createProgram(input: { name: \"Spring\", startsOn: \"2027-03-01\", endsOn: \"2027-06-01\" }) { id } }";
    let as_mentee = app
        .gql(tokens[0]["token"].as_str(), programs, json!({}))
        .await;
    assert_eq!(as_mentee.code(), "FORBIDDEN");
    let as_ospo = app
        .gql(tokens[2]["token"].as_str(), programs, json!({}))
        .await;
    assert!(as_ospo.data()["createProgram"]["id"].is_string());
}

async fn ui_off_serves_no_app(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.ui = false).await else {
        return;
    };
    for path in ["/", "/recommendations", "/app/config.json", "/favicon.svg"] {
        assert_eq!(get(&app, path).await.status(), 404, "{path}");
    }
    assert_eq!(get(&app, "/healthz").await.status(), 200);
}

on_both_backends!(
    the_app_is_served_with_its_headers,
    demo_mode_offers_the_demo_people,
    ui_off_serves_no_app,
);
