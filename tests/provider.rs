//! A stand-in identity provider on loopback for the key-rotation tests: an
//! OpenID Connect discovery document under its issuer, a JWKS it can rotate,
//! a switch to take it down, a count of JWKS fetches, and paths that answer
//! a redirect, an oversized body, or nothing for a minute.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// The realm path the issuer ends in, as on Keycloak.
const REALM: &str = "/realms/staff";

#[derive(Clone, Default)]
struct Shared {
    keys: Arc<Mutex<Vec<Value>>>,
    /// What discovery names as the issuer, when not the real one.
    claimed_issuer: Arc<Mutex<Option<String>>>,
    /// What discovery names as the JWKS URL, when not ours.
    claimed_jwks_uri: Arc<Mutex<Option<String>>>,
    down: Arc<AtomicBool>,
    fetches: Arc<AtomicUsize>,
    /// The JWKS response's `Cache-Control: max-age`.
    max_age: Arc<AtomicUsize>,
}

#[derive(Clone)]
pub struct Provider {
    pub port: u16,
    shared: Shared,
}

impl Provider {
    pub async fn start(keys: Vec<Value>) -> Self {
        use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
        let shared = Shared::default();
        *shared.keys.lock().unwrap() = keys;
        shared.max_age.store(3600, Ordering::SeqCst);
        let state = shared.clone();
        let server = HttpServer::new(move || {
            let state = state.clone();
            App::new().default_service(web::to(move |req: HttpRequest| {
                let state = state.clone();
                async move {
                    let port = req.app_config().local_addr().port();
                    let issuer = format!("http://127.0.0.1:{port}{REALM}");
                    if state.down.load(Ordering::SeqCst) {
                        return HttpResponse::ServiceUnavailable().finish();
                    }
                    match req.path().strip_prefix(REALM).unwrap_or("") {
                        "/.well-known/openid-configuration" => HttpResponse::Ok().json(json!({
                            "issuer": state.claimed_issuer.lock().unwrap().clone().unwrap_or(issuer.clone()),
                            "jwks_uri": state.claimed_jwks_uri.lock().unwrap().clone()
                                .unwrap_or(format!("{issuer}/keys")),
                            "response_types_supported": ["code"],
                        })),
                        "/keys" => {
                            state.fetches.fetch_add(1, Ordering::SeqCst);
                            HttpResponse::Ok()
                                .insert_header((
                                    "Cache-Control",
                                    format!("public, max-age={}", state.max_age.load(Ordering::SeqCst)),
                                ))
                                .json(json!({ "keys": *state.keys.lock().unwrap() }))
                        }
                        "/moved" => HttpResponse::TemporaryRedirect()
                            .insert_header(("Location", format!("{REALM}/keys")))
                            .finish(),
                        "/hang" => {
                            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                            HttpResponse::Ok().finish()
                        }
                        "/huge" => HttpResponse::Ok()
                            .content_type("application/json")
                            .body(format!("{{\"keys\":[],\"pad\":\"{}\"}}", "x".repeat(1 << 20))),
                        _ => HttpResponse::NotFound().finish(),
                    }
                }
            }))
        })
        .workers(2)
        .disable_signals()
        .bind("127.0.0.1:0")
        .expect("bind the identity provider");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self { port, shared }
    }

    /// The issuer, as `TANDEM_OIDC_ISSUER` names it.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}{REALM}", self.port)
    }

    /// A URL under the issuer: `/keys`, `/moved`, `/huge`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    /// Rotates: the JWKS holds exactly `keys` from now on.
    pub fn publish(&self, keys: Vec<Value>) {
        *self.shared.keys.lock().unwrap() = keys;
    }

    /// The `max-age` the JWKS is served with from now on.
    pub fn set_max_age(&self, seconds: usize) {
        self.shared.max_age.store(seconds, Ordering::SeqCst);
    }

    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    /// Discovery names `issuer` instead of the real one.
    pub fn claim_issuer(&self, issuer: &str) {
        *self.shared.claimed_issuer.lock().unwrap() = Some(issuer.to_owned());
    }

    /// Discovery names `url` as the JWKS URL.
    pub fn claim_jwks_uri(&self, url: &str) {
        *self.shared.claimed_jwks_uri.lock().unwrap() = Some(url.to_owned());
    }

    /// How many times the JWKS was fetched.
    pub fn fetches(&self) -> usize {
        self.shared.fetches.load(Ordering::SeqCst)
    }
}

/// A test RSA key from `tests/fixtures`, as a signer and as a JWK.
pub struct RsaKey {
    pub kid: String,
    signer: EncodingKey,
}

impl RsaKey {
    /// `file` is a PEM private key under `tests/fixtures`.
    pub fn load(file: &str, kid: &str) -> Self {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(file);
        Self {
            kid: kid.to_owned(),
            signer: EncodingKey::from_rsa_pem(&std::fs::read(path).unwrap()).unwrap(),
        }
    }

    /// The public half as a JWKS entry, as providers publish it.
    pub fn jwk(&self) -> Value {
        let jwk = Jwk::from_encoding_key(&self.signer, Algorithm::RS256).unwrap();
        let mut value = serde_json::to_value(jwk).unwrap();
        value["kid"] = json!(self.kid);
        value["use"] = json!("sig");
        value
    }

    /// A token signed by this key, its header naming `kid`.
    pub fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.signer).unwrap()
    }

    pub fn sign(&self, claims: &Value) -> String {
        self.sign_as(&self.kid, claims)
    }
}
