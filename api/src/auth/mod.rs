//! Bearer JWT verification and development token minting.
//!
//! The algorithm comes from configuration only, never from the token header.
//! `exp`, `iss`, `aud` and `sub` are required, `nbf` is checked when present,
//! all with a small leeway. A PEM key or a JWKS file is read once at
//! start-up; a JWKS from the identity provider ([`remote`]) is fetched and
//! refreshed. With a key set the token's `kid` selects the key.

pub mod keyset;
mod recent;
pub mod remote;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{JwtAlgorithm, JwtConfig, JwtKey};

/// The checked identity of a caller, as the SSO vouches for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    /// Expiry, seconds since the epoch (validated present): a WebSocket
    /// authenticated with this token closes then.
    pub exp: i64,
}

impl Claims {
    pub fn is_ospo(&self) -> bool {
        self.roles.iter().any(|r| r == "ospo")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{var}: cannot read {path}: {reason}")]
    Unreadable {
        var: &'static str,
        path: String,
        reason: String,
    },
    #[error("{var}: {path} does not hold a usable {what}: {reason}")]
    Invalid {
        var: &'static str,
        path: String,
        what: &'static str,
        reason: String,
    },
    #[error(
        "{var}: the first fetch of the signing keys failed: {reason} (TANDEM_JWT_JWKS_START_LAZY=on starts anyway and keeps trying)"
    )]
    FirstFetch { var: &'static str, reason: String },
    #[error("{var}: {reason}")]
    Client { var: &'static str, reason: String },
}

enum Keys {
    One(DecodingKey),
    ByKid(keyset::KeySet),
    Remote(Arc<remote::RemoteKeys>),
}

/// Verifies bearer tokens; built once from the configuration.
pub struct Verifier {
    keys: Keys,
    validation: Validation,
    roles_claim: String,
    lazy: bool,
    recent: recent::Recent,
}

/// Why a token was refused; logged at debug level, never shown to the caller.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed or unverifiable token: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
    #[error("token names no kid, or an unknown one")]
    UnknownKid,
    #[error("the sub claim must be a non-empty string of at most 255 characters")]
    BadSubject,
}

fn algorithm(alg: JwtAlgorithm) -> Algorithm {
    match alg {
        JwtAlgorithm::Hs256 => Algorithm::HS256,
        JwtAlgorithm::Rs256 => Algorithm::RS256,
        JwtAlgorithm::Es256 => Algorithm::ES256,
    }
}

impl Verifier {
    pub fn new(config: &JwtConfig) -> Result<Self, KeyError> {
        let keys = match &config.key {
            JwtKey::Secret(secret) => {
                Keys::One(DecodingKey::from_secret(secret.expose_secret().as_bytes()))
            }
            JwtKey::PublicKeyFile(path) => {
                const VAR: &str = "TANDEM_JWT_PUBLIC_KEY_FILE";
                let pem = read(VAR, path)?;
                let invalid = |reason: String| KeyError::Invalid {
                    var: VAR,
                    path: path.display().to_string(),
                    what: match config.algorithm {
                        JwtAlgorithm::Es256 => "PEM public key (P-256, for ES256)",
                        _ => "PEM public key (RSA, for RS256)",
                    },
                    reason,
                };
                public_pem_label(&pem).map_err(invalid)?;
                let key = match config.algorithm {
                    JwtAlgorithm::Es256 => DecodingKey::from_ec_pem(&pem),
                    _ => DecodingKey::from_rsa_pem(&pem),
                };
                Keys::One(key.map_err(|e| {
                    invalid(format!(
                        "{e} (is it a key of the type TANDEM_JWT_ALG={} needs?)",
                        config.algorithm.name()
                    ))
                })?)
            }
            JwtKey::JwksFile(path) => {
                const VAR: &str = "TANDEM_JWT_JWKS_FILE";
                let origin = path.display().to_string();
                let keys =
                    keyset::parse_file(&read(VAR, path)?, config.algorithm).map_err(|reason| {
                        KeyError::Invalid {
                            var: VAR,
                            path: origin.clone(),
                            what: "JWKS",
                            reason,
                        }
                    })?;
                Keys::ByKid(keys)
            }
            JwtKey::JwksUrl(url) => remote(remote::Origin::Jwks(url.clone()), config.algorithm)?,
            JwtKey::OidcIssuer(issuer) => {
                remote(remote::Origin::Issuer(issuer.clone()), config.algorithm)?
            }
        };
        let mut validation = Validation::new(algorithm(config.algorithm));
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = config.leeway_seconds;
        Ok(Self {
            keys,
            validation,
            roles_claim: config.roles_claim.clone(),
            lazy: config.jwks_start_lazy,
            recent: recent::Recent::default(),
        })
    }

    /// The provider's key set, when keys are fetched rather than read.
    pub fn remote(&self) -> Option<&Arc<remote::RemoteKeys>> {
        match &self.keys {
            Keys::Remote(remote) => Some(remote),
            _ => None,
        }
    }

    /// Fetches the provider's keys for the first time (the server calls
    /// this before it serves; one-shot commands never verify a token, so
    /// they skip it). Fails unless `TANDEM_JWT_JWKS_START_LAZY` is on.
    pub async fn load(&self) -> Result<(), KeyError> {
        let Some(remote) = self.remote() else {
            return Ok(());
        };
        match remote.load().await {
            Ok(()) => Ok(()),
            Err(reason) if self.lazy => {
                tracing::warn!(%reason, "starting without signing keys (TANDEM_JWT_JWKS_START_LAZY): every token is refused until a fetch succeeds");
                Ok(())
            }
            Err(reason) => Err(KeyError::FirstFetch {
                var: remote.origin().variable(),
                reason,
            }),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        // Taken before verifying: a set replaced meanwhile is not the one
        // this token is remembered against.
        let keys = self.remote().map(|remote| remote.current());
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        if let Some(claims) = self
            .recent
            .recall(token, keys.as_ref(), now, self.validation.leeway)
        {
            return Ok(claims);
        }
        let claims = self.check(token).await?;
        self.recent.remember(token, &claims, keys);
        Ok(claims)
    }

    /// Decodes `token` and checks its signature and claims.
    async fn check(&self, token: &str) -> Result<Claims, TokenError> {
        let fetched;
        let key = match &self.keys {
            Keys::One(key) => key,
            Keys::ByKid(keys) => jsonwebtoken::decode_header(token)?
                .kid
                .as_deref()
                .and_then(|kid| keys.get(kid))
                .ok_or(TokenError::UnknownKid)?,
            Keys::Remote(remote) => {
                let kid = jsonwebtoken::decode_header(token)?
                    .kid
                    .ok_or(TokenError::UnknownKid)?;
                fetched = remote.key(&kid).await.ok_or(TokenError::UnknownKid)?;
                &fetched
            }
        };
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &self.validation)?;
        let claims = data.claims;
        let sub = match claims.get("sub") {
            Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 255 => s.clone(),
            _ => return Err(TokenError::BadSubject),
        };
        let text = |name: &str| match claims.get(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => None,
        };
        let roles = match claims.get(&self.roles_claim) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) => s
                .split([' ', ','])
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        let exp = claims
            .get("exp")
            .and_then(Value::as_f64)
            .map(|e| e as i64)
            .ok_or(TokenError::BadSubject)?;
        Ok(Claims {
            sub,
            name: text("name"),
            email: text("email"),
            roles,
            exp,
        })
    }
}

fn remote(origin: remote::Origin, alg: JwtAlgorithm) -> Result<Keys, KeyError> {
    let var = origin.variable();
    let keys =
        remote::RemoteKeys::new(origin, alg).map_err(|reason| KeyError::Client { var, reason })?;
    Ok(Keys::Remote(Arc::new(keys)))
}

fn read(var: &'static str, path: &std::path::Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|e| KeyError::Unreadable {
        var,
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// A public key file must hold a public key: jsonwebtoken would also take
/// a PKCS#1 private key there, and then refuse every token without saying why.
fn public_pem_label(pem: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(pem);
    let label = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("-----BEGIN "))
        .and_then(|rest| rest.strip_suffix("-----"))
        .ok_or("no PEM block (-----BEGIN PUBLIC KEY-----) found")?;
    match label {
        "PUBLIC KEY" | "RSA PUBLIC KEY" => Ok(()),
        other => Err(format!(
            "it holds a {other}, not a PUBLIC KEY (give the public half of the signing key)"
        )),
    }
}

/// What `tandem token` and the demo put in a development token.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRequest {
    pub sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub roles: Vec<String>,
}

/// Signs an HS256 token for `request`, valid for `ttl_seconds`.
pub fn mint_hs256(
    secret: &[u8],
    issuer: &str,
    audience: &str,
    request: &TokenRequest,
    ttl_seconds: u64,
) -> Result<String, jsonwebtoken::errors::Error> {
    #[derive(Serialize)]
    struct Body<'a> {
        #[serde(flatten)]
        request: &'a TokenRequest,
        iss: &'a str,
        aud: &'a str,
        iat: u64,
        nbf: u64,
        exp: u64,
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let body = Body {
        request,
        iss: issuer,
        aud: audience,
        iat: now,
        nbf: now,
        exp: now + ttl_seconds,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &body,
        &EncodingKey::from_secret(secret),
    )
}

/// Parses a duration such as `90s`, `15m`, `1h`, `7d` into seconds.
pub fn parse_ttl(raw: &str) -> Result<u64, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration such as 30m, 1h or 7d"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{raw:?}: the unit must be s, m, h or d")),
    };
    n.checked_mul(factor)
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("{raw:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

    fn verifier() -> Verifier {
        Verifier::new(&Config::for_tests("sqlite::memory:", SECRET).jwt).unwrap()
    }

    fn request(roles: &[&str]) -> TokenRequest {
        TokenRequest {
            sub: "u1".into(),
            name: Some("Ada".into()),
            email: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[tokio::test]
    async fn a_minted_token_verifies_with_its_roles() {
        let token = mint_hs256(
            SECRET.as_bytes(),
            "tandem",
            "tandem",
            &request(&["ospo"]),
            60,
        )
        .unwrap();
        let claims = verifier().verify(&token).await.unwrap();
        assert_eq!(claims.sub, "u1");
        assert!(claims.is_ospo());
    }

    #[tokio::test]
    async fn a_token_for_another_audience_or_key_is_refused() {
        let wrong_aud =
            mint_hs256(SECRET.as_bytes(), "tandem", "other", &request(&[]), 60).unwrap();
        assert!(verifier().verify(&wrong_aud).await.is_err());
        let wrong_key = mint_hs256(
            b"another-secret-that-is-long-enough-too!",
            "tandem",
            "tandem",
            &request(&[]),
            60,
        )
        .unwrap();
        assert!(verifier().verify(&wrong_key).await.is_err());
    }

    #[test]
    fn ttl_parses_units() {
        assert_eq!(parse_ttl("1h"), Ok(3600));
        assert_eq!(parse_ttl("15m"), Ok(900));
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("0").is_err());
    }
}
