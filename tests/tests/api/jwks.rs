//! Signing keys from the identity provider: fetched through discovery or a
//! JWKS URL, rotated, refreshed on an unknown `kid` without hammering the
//! provider, kept through an outage; every refused token is UNAUTHENTICATED
//! with no data.

use std::time::Duration;

use serde_json::{Value, json};
use tandem::config::{JwtAlgorithm, JwtKey};
use tandem_tests::provider::{Provider, RsaKey};
use tandem_tests::{Backend, Gql, TestApp, on_both_backends};

const ME: &str = "{ me { id displayName } }";

fn claims(issuer: &str, sub: &str) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({ "sub": sub, "name": "Rota Tion", "iss": issuer, "aud": "tandem", "exp": now + 600 })
}

fn key_a() -> RsaKey {
    RsaKey::load("rsa_private.pem", "key-a")
}

fn key_b() -> RsaKey {
    RsaKey::load("rsa_private_b.pem", "key-b")
}

/// A server whose keys come from `provider` through discovery.
async fn through_discovery(backend: Backend, provider: &Provider) -> Option<TestApp> {
    let issuer = provider.issuer();
    TestApp::spawn_with(backend, |c| {
        c.jwt.algorithm = JwtAlgorithm::Rs256;
        c.jwt.key = JwtKey::OidcIssuer(issuer.clone());
        c.jwt.issuer = issuer.clone();
    })
    .await
}

#[track_caller]
fn signed_in(answer: &Gql) {
    assert!(answer.data()["me"]["id"].is_string(), "{:#}", answer.body);
}

#[track_caller]
fn refused(answer: &Gql) {
    assert_eq!(answer.code(), "UNAUTHENTICATED", "{:#}", answer.body);
    assert!(
        answer.body.get("data").is_none_or(Value::is_null),
        "data came with a refusal: {:#}",
        answer.body
    );
}

/// The value of an unlabelled sample in `/metrics`.
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.metrics().await;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

async fn a_rotation_is_followed_at_once(backend: Backend) {
    let (a, b) = (key_a(), key_b());
    let provider = Provider::start(vec![a.jwk()]).await;
    let Some(app) = through_discovery(backend, &provider).await else {
        return;
    };
    let issuer = provider.issuer();
    assert_eq!(provider.fetches(), 1, "fetched once at start-up");
    let keys = app.state.verifier.remote().expect("fetched keys").clone();
    assert_eq!(
        keys.next_refresh(),
        Duration::from_secs(3600),
        "max-age=3600"
    );
    let token_a = a.sign(&claims(&issuer, "ann"));
    signed_in(&app.gql(Some(&token_a), ME, json!({})).await);

    // The provider rotates to B and drops A, and asks for a refresh every
    // 5 seconds, which is held to the 5-minute floor.
    provider.publish(vec![b.jwk()]);
    provider.set_max_age(5);
    let token_b = b.sign(&claims(&issuer, "ben"));
    signed_in(&app.gql(Some(&token_b), ME, json!({})).await);
    assert_eq!(provider.fetches(), 2, "B's kid was unknown: one fetch");
    assert_eq!(keys.next_refresh(), Duration::from_secs(300));
    // A is gone from the set that was just fetched.
    refused(&app.gql(Some(&token_a), ME, json!({})).await);
    // A token signed by A but naming B's kid does not verify either.
    refused(
        &app.gql(
            Some(&a.sign_as("key-b", &claims(&issuer, "ann"))),
            ME,
            json!({}),
        )
        .await,
    );
    assert_eq!(
        provider.fetches(),
        2,
        "A's kid within the cooldown fetched again"
    );
    assert_eq!(metric(&app, "tandem_jwks_refreshes_total").await, 2.0);
    assert_eq!(metric(&app, "tandem_jwks_keys").await, 1.0);
    assert_eq!(
        metric(&app, "tandem_jwks_refresh_failures_total").await,
        0.0
    );
    assert!(metric(&app, "tandem_jwks_seconds_since_refresh").await < 600.0);
}

async fn random_kids_cannot_make_tandem_hammer_the_provider(backend: Backend) {
    let a = key_a();
    let provider = Provider::start(vec![a.jwk()]).await;
    let Some(app) = through_discovery(backend, &provider).await else {
        return;
    };
    let issuer = provider.issuer();
    // An attacker needs no valid signature to name a kid: each token is a
    // signed one with its header swapped (and signing 1,000 times with RSA
    // in a debug build would take most of a minute).
    let signed = a.sign(&claims(&issuer, "eve"));
    let (_, rest) = signed.split_once('.').unwrap();
    let tokens: Vec<String> = (0..1000)
        .map(|i| {
            let header = json!({ "alg": "RS256", "typ": "JWT", "kid": format!("random-{i}") });
            let header = base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                header.to_string(),
            );
            format!("{header}.{rest}")
        })
        .collect();
    for batch in tokens.chunks(50) {
        let answers = futures_util::future::join_all(
            batch
                .iter()
                .map(|token| app.gql(Some(token), ME, json!({}))),
        )
        .await;
        answers.iter().for_each(refused);
    }
    // One fetch at start-up, one for the first unknown kid, then the cooldown.
    assert!(
        provider.fetches() <= 3,
        "{} fetches for 1,000 random kids",
        provider.fetches()
    );
    signed_in(
        &app.gql(Some(&a.sign(&claims(&issuer, "ann"))), ME, json!({}))
            .await,
    );
}

async fn an_outage_keeps_the_last_good_set(backend: Backend) {
    let a = key_a();
    let provider = Provider::start(vec![a.jwk()]).await;
    let url = provider.url("/keys");
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.jwt.algorithm = JwtAlgorithm::Rs256;
        c.jwt.key = JwtKey::JwksUrl(url.parse().unwrap());
    })
    .await
    else {
        return;
    };
    provider.set_down(true);
    // An unknown kid makes Tandem try the provider, which fails.
    let stranger = key_b().sign(&claims("tandem", "sam"));
    refused(&app.gql(Some(&stranger), ME, json!({})).await);
    assert_eq!(
        metric(&app, "tandem_jwks_refresh_failures_total").await,
        1.0
    );
    // A still verifies, and the instance stays ready.
    signed_in(
        &app.gql(Some(&a.sign(&claims("tandem", "ann"))), ME, json!({}))
            .await,
    );
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(metric(&app, "tandem_jwks_keys").await, 1.0);
}

async fn keys_that_do_not_fit_are_ignored(backend: Backend) {
    let a = key_a();
    let secret = tandem_tests::SECRET;
    let oct = json!({
        "kty": "oct", "kid": "shared", "use": "sig", "alg": "HS256",
        "k": base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, secret),
    });
    let ec_public = {
        let pem = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ec_private.pem"),
        )
        .unwrap();
        let signer = jsonwebtoken::EncodingKey::from_ec_pem(&pem).unwrap();
        let mut jwk = serde_json::to_value(
            jsonwebtoken::jwk::Jwk::from_encoding_key(&signer, jsonwebtoken::Algorithm::ES256)
                .unwrap(),
        )
        .unwrap();
        jwk["kid"] = json!("ec");
        (jwk, signer)
    };
    let mut encryption = key_b().jwk();
    encryption["use"] = json!("enc");
    let provider = Provider::start(vec![oct, ec_public.0, encryption, a.jwk()]).await;
    let Some(app) = through_discovery(backend, &provider).await else {
        return;
    };
    let issuer = provider.issuer();
    signed_in(
        &app.gql(Some(&a.sign(&claims(&issuer, "ann"))), ME, json!({}))
            .await,
    );
    assert_eq!(metric(&app, "tandem_jwks_keys").await, 1.0);
    // HS256 with the oct key's secret.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("shared".into());
    let hs = jsonwebtoken::encode(
        &header,
        &claims(&issuer, "mallory"),
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    refused(&app.gql(Some(&hs), ME, json!({})).await);
    // ES256 with the EC key.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("ec".into());
    let es = jsonwebtoken::encode(&header, &claims(&issuer, "mallory"), &ec_public.1).unwrap();
    refused(&app.gql(Some(&es), ME, json!({})).await);
    // B's key published for encryption only.
    refused(
        &app.gql(
            Some(&key_b().sign(&claims(&issuer, "mallory"))),
            ME,
            json!({}),
        )
        .await,
    );
}

async fn a_bad_provider_stops_start_up(backend: Backend) {
    let provider = Provider::start(vec![key_a().jwk()]).await;
    let issuer = provider.issuer();
    let start = |key: JwtKey| {
        let issuer = issuer.clone();
        TestApp::try_spawn_with(backend, move |c| {
            c.jwt.algorithm = JwtAlgorithm::Rs256;
            c.jwt.key = key;
            c.jwt.issuer = issuer;
        })
    };
    let refused_with = async |key: JwtKey, expected: &str| {
        let Some(result) = start(key).await else {
            return;
        };
        let error = result.err().expect("started");
        assert!(
            error.contains(expected),
            "{expected:?} not in the start-up error: {error}"
        );
    };
    // Discovery names another issuer.
    provider.claim_issuer("https://login.example.com/realms/staff");
    refused_with(JwtKey::OidcIssuer(issuer.clone()), "not TANDEM_OIDC_ISSUER").await;
    // Discovery names a JWKS URL over plain HTTP to another host.
    provider.claim_issuer(&issuer);
    provider.claim_jwks_uri("http://login.example.com/keys");
    refused_with(
        JwtKey::OidcIssuer(issuer.clone()),
        "must be an https:// URL",
    )
    .await;
    // A redirect is not followed; an oversized body is not read.
    refused_with(
        JwtKey::JwksUrl(provider.url("/moved").parse().unwrap()),
        "not followed",
    )
    .await;
    refused_with(
        JwtKey::JwksUrl(provider.url("/huge").parse().unwrap()),
        "larger than",
    )
    .await;
    // A provider that never answers: the response timeout ends the wait.
    refused_with(
        JwtKey::JwksUrl(provider.url("/hang").parse().unwrap()),
        "timed out",
    )
    .await;
    // A set with nothing usable.
    provider.publish(vec![json!({ "kty": "oct", "kid": "s", "k": "c2VjcmV0" })]);
    refused_with(
        JwtKey::JwksUrl(provider.url("/keys").parse().unwrap()),
        "no usable RS256 signing key",
    )
    .await;
    // The provider is down at start-up.
    provider.set_down(true);
    refused_with(
        JwtKey::JwksUrl(provider.url("/keys").parse().unwrap()),
        "503",
    )
    .await;
}

on_both_backends!(
    a_rotation_is_followed_at_once,
    random_kids_cannot_make_tandem_hammer_the_provider,
    an_outage_keeps_the_last_good_set,
    keys_that_do_not_fit_are_ignored,
    a_bad_provider_stops_start_up,
);
