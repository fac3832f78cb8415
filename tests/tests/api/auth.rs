//! Authentication through the real HTTP API: every refused token gets
//! UNAUTHENTICATED, no data and no row; valid tokens provision exactly once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tandem::config::{JwtAlgorithm, JwtKey};
use tandem_tests::{Backend, SECRET, TestApp, on_both_backends, token_for};

const ME: &str = "{ me { id displayName email } }";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims(overrides: Value) -> Value {
    let mut base = json!({ "sub": "mallory", "name": "Mallory", "iss": "tandem", "aud": "tandem", "exp": now() + 600, "roles": ["ospo"] });
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

fn hs256(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa_private.pem")).unwrap()).unwrap()
}

/// Tokens that must all be refused, each with what is wrong with it.
fn bad_tokens() -> Vec<(&'static str, String)> {
    let valid = hs256(&claims(json!({})));
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let tampered_claims = claims(json!({ "sub": "someone-else" }));
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered_claims).unwrap());
    let tampered = parts.join(".");
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let none_body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(json!({}))).unwrap());
    let hs384 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS384),
        &claims(json!({})),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let rs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims(json!({})),
        &rsa_key(),
    )
    .unwrap();
    vec![
        ("garbage", "not-a-jwt".to_owned()),
        ("alg none", format!("{none_header}.{none_body}.")),
        ("HS384 instead of HS256", hs384),
        ("RS256 instead of HS256", rs256),
        ("tampered payload", tampered),
        (
            "wrong key",
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &claims(json!({})),
                &EncodingKey::from_secret(b"another-secret-another-secret-another"),
            )
            .unwrap(),
        ),
        ("expired", hs256(&claims(json!({ "exp": now() - 3600 })))),
        (
            "not yet valid",
            hs256(&claims(json!({ "nbf": now() + 3600 }))),
        ),
        ("wrong issuer", hs256(&claims(json!({ "iss": "evil" })))),
        (
            "wrong audience",
            hs256(&claims(json!({ "aud": "other-app" }))),
        ),
        (
            "string exp",
            hs256(&claims(json!({ "exp": (now() + 600).to_string() }))),
        ),
        (
            "string nbf",
            hs256(&claims(json!({ "nbf": (now() - 10).to_string() }))),
        ),
        ("no exp", hs256(&claims(json!({ "exp": null })))),
        ("no sub", hs256(&claims(json!({ "sub": null })))),
        ("empty sub", hs256(&claims(json!({ "sub": "" })))),
        ("no iss", hs256(&claims(json!({ "iss": null })))),
        ("no aud", hs256(&claims(json!({ "aud": null })))),
    ]
}

async fn refused_tokens_get_unauthenticated_and_write_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let no_token = app.gql(None, ME, json!({})).await;
    assert_eq!(no_token.code(), "UNAUTHENTICATED");
    assert_eq!(no_token.status, 401);
    for (what, token) in bad_tokens() {
        let response = app.gql(Some(&token), ME, json!({})).await;
        assert_eq!(
            response.code(),
            "UNAUTHENTICATED",
            "{what}: {:#}",
            response.body
        );
        assert!(
            response.body.get("data").is_none_or(Value::is_null),
            "{what} leaked data"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM person").await,
        0,
        "a refused token wrote a row"
    );
}

async fn two_authorization_headers_are_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = app.token("alice", Some("Alice"), &[]);
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Authorization", format!("Bearer {token}"))
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap();
    let response = tandem_tests::Gql::from(response).await;
    assert_eq!(response.code(), "UNAUTHENTICATED");
    assert_eq!(app.count("SELECT COUNT(*) FROM person").await, 0);
}

async fn first_calls_racing_provision_one_person(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let token = token_for("racer", Some("Rae Racer"), Some("rae@example.com"), &[]);
    let calls = (0..12).map(|_| app.gql(Some(&token), ME, json!({})));
    let answers = futures_util::future::join_all(calls).await;
    let ids: Vec<&str> = answers
        .iter()
        .map(|a| a.data()["me"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "different ids: {ids:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM person WHERE sub = 'racer'")
            .await,
        1
    );
    assert_eq!(answers[0].data()["me"]["email"], "rae@example.com");
}

async fn changed_claims_update_the_person_without_duplicating(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let first = app
        .gql(
            Some(&token_for(
                "u-7",
                Some("Old Name"),
                Some("old@example.com"),
                &[],
            )),
            ME,
            json!({}),
        )
        .await;
    let second = app
        .gql(
            Some(&token_for(
                "u-7",
                Some("New Name"),
                Some("new@example.com"),
                &[],
            )),
            ME,
            json!({}),
        )
        .await;
    assert_eq!(first.data()["me"]["id"], second.data()["me"]["id"]);
    assert_eq!(second.data()["me"]["displayName"], "New Name");
    assert_eq!(second.data()["me"]["email"], "new@example.com");
    assert_eq!(app.count("SELECT COUNT(*) FROM person").await, 1);
    // A name the person chose stays while the SSO's claims do not change.
    let token = token_for("u-7", Some("New Name"), Some("new@example.com"), &[]);
    app.gql(
        Some(&token),
        r#"mutation { updateMyProfile(input: { displayName: "Chosen" }) { id } }"#,
        json!({}),
    )
    .await
    .data();
    let again = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(again.data()["me"]["displayName"], "Chosen");
    // Another instance has no provisioning cache for this caller: it runs the
    // database's provisioning, which must keep the chosen name too.
    let other = app.another_instance().await;
    let elsewhere = other.gql(Some(&token), ME, json!({})).await;
    assert_eq!(elsewhere.data()["me"]["displayName"], "Chosen");
}

async fn public_key_algorithms(backend: Backend) {
    // RS256 with a PEM public key.
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.jwt.algorithm = JwtAlgorithm::Rs256;
        c.jwt.key = JwtKey::PublicKeyFile(fixture("rsa_public.pem"));
    })
    .await
    else {
        return;
    };
    let rs = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims(json!({ "sub": "rsa-user" })),
        &rsa_key(),
    )
    .unwrap();
    assert!(app.gql(Some(&rs), ME, json!({})).await.data()["me"]["id"].is_string());
    let hs = hs256(&claims(json!({})));
    assert_eq!(
        app.gql(Some(&hs), ME, json!({})).await.code(),
        "UNAUTHENTICATED",
        "HS256 accepted under RS256"
    );

    // ES256 with a PEM public key.
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.jwt.algorithm = JwtAlgorithm::Es256;
        c.jwt.key = JwtKey::PublicKeyFile(fixture("ec_public.pem"));
    })
    .await
    else {
        return;
    };
    let ec_key =
        EncodingKey::from_ec_pem(&std::fs::read(fixture("ec_private.pem")).unwrap()).unwrap();
    let es = jsonwebtoken::encode(
        &Header::new(Algorithm::ES256),
        &claims(json!({ "sub": "ec-user" })),
        &ec_key,
    )
    .unwrap();
    assert!(app.gql(Some(&es), ME, json!({})).await.data()["me"]["id"].is_string());
    assert_eq!(
        app.gql(Some(&rs), ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
}

async fn jwks_selects_the_key_by_kid(backend: Backend) {
    let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&rsa_key(), Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("key-2026".into());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({ "keys": [jwk] })).unwrap(),
    )
    .unwrap();
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.jwt.algorithm = JwtAlgorithm::Rs256;
        c.jwt.key = JwtKey::JwksFile(path.clone());
    })
    .await
    else {
        return;
    };
    let sign = |kid: Option<&str>| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, &claims(json!({ "sub": "jwks-user" })), &rsa_key()).unwrap()
    };
    assert!(
        app.gql(Some(&sign(Some("key-2026"))), ME, json!({}))
            .await
            .data()["me"]["id"]
            .is_string()
    );
    assert_eq!(
        app.gql(Some(&sign(Some("key-1999"))), ME, json!({}))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(Some(&sign(None)), ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
}

/// A caller seen active is trusted for `TANDEM_ACCESS_CACHE` (an hour
/// here): `me { id }` then costs no statement at all, while any other field
/// of `me`, however it is selected (fragments, aliases), reads the person.
async fn who_am_i_is_answered_from_authentication(backend: Backend) {
    let hour = std::time::Duration::from_secs(3600);
    let Some(app) = TestApp::spawn_with(backend, |c| c.access_cache = Some(hour)).await else {
        return;
    };
    let token = token_for("u-9", Some("Nine"), None, &[]);
    let first = app.gql(Some(&token), "{ me { id } }", json!({})).await;
    let id = first.data()["me"]["id"].as_str().unwrap().to_owned();
    // The server's background jobs (the sweeper, the delivery worker) make
    // their first pass at start, which on a loaded machine may fall during
    // a call: a call that reads the person always counts a statement, so
    // one call in three with none is the proof.
    let mut statements = Vec::new();
    for _ in 0..3 {
        let before = app.query_count();
        let again = app
            .gql(Some(&token), "{ me { __typename id } }", json!({}))
            .await;
        assert_eq!(
            again.data()["me"],
            json!({ "__typename": "Person", "id": id })
        );
        statements.push(app.query_count() - before);
    }
    assert!(
        statements.contains(&0),
        "`me {{ id }}` read the database: {statements:?} statements"
    );
    for query in [
        "{ me { id displayName } }",
        "{ me { id name: displayName } }",
        "{ me { id ... on Person { displayName } } }",
        "{ me { id ...Named } } fragment Named on Person { displayName }",
    ] {
        let before = app.query_count();
        let named = app.gql(Some(&token), query, json!({})).await;
        let me = &named.data()["me"];
        assert_eq!(me["id"], id.as_str(), "{query}");
        assert_eq!(
            me.get("displayName").or(me.get("name")),
            Some(&json!("Nine")),
            "{query}"
        );
        assert!(app.query_count() > before, "{query} read nothing");
    }
}

on_both_backends!(
    who_am_i_is_answered_from_authentication,
    refused_tokens_get_unauthenticated_and_write_nothing,
    two_authorization_headers_are_refused,
    first_calls_racing_provision_one_person,
    changed_claims_update_the_person_without_duplicating,
    public_key_algorithms,
    jwks_selects_the_key_by_kid,
);
