//! A JWKS document read into the keys Tandem may verify with. A provider's
//! set holds more than signing keys for our algorithm (Keycloak publishes an
//! `RSA-OAEP` encryption key beside its signing key, Azure AD keys for other
//! algorithms), so a key that does not fit is skipped with a warning rather
//! than failing the whole set; a set with no usable key is an error.

use std::collections::HashMap;

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use serde::Deserialize;

use crate::config::JwtAlgorithm;

/// Usable keys by `kid`.
pub type KeySet = HashMap<String, DecodingKey>;

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// Reads `bytes` as a JWKS and keeps the keys that can verify `alg`
/// signatures. `origin` names the set in warnings (a path or a host; never
/// key material).
pub fn parse(bytes: &[u8], alg: JwtAlgorithm, origin: &str) -> Result<KeySet, String> {
    let document: Document = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a JWKS (a JSON object with a \"keys\" array): {e}"))?;
    let mut keys = KeySet::new();
    for (index, raw) in document.keys.into_iter().enumerate() {
        let kid = raw.get("kid").and_then(|k| k.as_str()).map(str::to_owned);
        let label = kid.clone().unwrap_or_else(|| format!("#{index}"));
        match usable(raw, alg) {
            Ok(key) => {
                let Some(kid) = kid else {
                    tracing::warn!(origin, key = %label, "JWKS key ignored: it has no kid, and tokens select their key by kid");
                    continue;
                };
                if keys.contains_key(&kid) {
                    tracing::warn!(origin, key = %label, "JWKS key ignored: its kid repeats an earlier key's");
                    continue;
                }
                keys.insert(kid, key);
            }
            Err(reason) => {
                tracing::warn!(origin, key = %label, reason, "JWKS key ignored");
            }
        }
    }
    if keys.is_empty() {
        return Err(format!(
            "no usable {} signing key (each needs a kid, a matching key type, use \"sig\" or none)",
            alg.name()
        ));
    }
    Ok(keys)
}

/// Reads a JWKS file the operator wrote: unlike a provider's set, where
/// keys of other types are normal and skipped, every key in it must fit
/// `alg`, so a wrong key type stops start-up instead of refusing tokens.
pub fn parse_file(bytes: &[u8], alg: JwtAlgorithm) -> Result<KeySet, String> {
    let document: Document = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a JWKS (a JSON object with a \"keys\" array): {e}"))?;
    for (index, raw) in document.keys.iter().enumerate() {
        let label = raw
            .get("kid")
            .and_then(|k| k.as_str())
            .map_or_else(|| format!("#{index}"), |kid| format!("kid {kid:?}"));
        if let Err(reason) = usable(raw.clone(), alg) {
            return Err(format!(
                "key {label}: {reason}; TANDEM_JWT_ALG is {}",
                alg.name()
            ));
        }
    }
    parse(bytes, alg, "TANDEM_JWT_JWKS_FILE")
}

/// The decoding key for one JWK, or why it cannot verify `alg` signatures.
fn usable(raw: serde_json::Value, alg: JwtAlgorithm) -> Result<DecodingKey, &'static str> {
    let jwk: Jwk = serde_json::from_value(raw).map_err(|_| "not a JWK this service reads")?;
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(_) => return Err("its use is not sig"),
    }
    let wanted = match alg {
        JwtAlgorithm::Rs256 => KeyAlgorithm::RS256,
        JwtAlgorithm::Es256 => KeyAlgorithm::ES256,
        JwtAlgorithm::Hs256 => return Err("HS256 verifies with a shared secret, never a JWK"),
    };
    if jwk.common.key_algorithm.is_some_and(|a| a != wanted) {
        return Err("its alg does not match TANDEM_JWT_ALG");
    }
    let fits = match (&jwk.algorithm, alg) {
        (AlgorithmParameters::RSA(_), JwtAlgorithm::Rs256) => true,
        (AlgorithmParameters::EllipticCurve(ec), JwtAlgorithm::Es256) => {
            ec.curve == EllipticCurve::P256
        }
        (AlgorithmParameters::OctetKey(_), _) => {
            return Err("a symmetric (oct) key is never trusted from a key set");
        }
        _ => false,
    };
    if !fits {
        return Err("its key type does not fit TANDEM_JWT_ALG");
    }
    DecodingKey::from_jwk(&jwk).map_err(|_| "its key parameters are invalid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The test fixture's RSA public key as a JWK named `kid`.
    fn rsa(kid: &str) -> serde_json::Value {
        let private = jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!(
            "../../../tests/fixtures/rsa_private.pem"
        ))
        .unwrap();
        let jwk = Jwk::from_encoding_key(&private, jsonwebtoken::Algorithm::RS256).unwrap();
        let mut value = serde_json::to_value(jwk).unwrap();
        value["kid"] = json!(kid);
        value["use"] = json!("sig");
        value
    }

    fn parse_keys(keys: Vec<serde_json::Value>) -> Result<Vec<String>, String> {
        let bytes = serde_json::to_vec(&json!({ "keys": keys })).unwrap();
        let mut kids: Vec<String> = parse(&bytes, JwtAlgorithm::Rs256, "test")?
            .into_keys()
            .collect();
        kids.sort();
        Ok(kids)
    }

    #[test]
    fn keys_that_do_not_fit_are_skipped_and_the_rest_kept() {
        let mut no_kid = rsa("x");
        no_kid.as_object_mut().unwrap().remove("kid");
        let mut enc = rsa("enc");
        enc["use"] = json!("enc");
        let mut oaep = rsa("oaep");
        oaep["alg"] = json!("RSA-OAEP");
        let mut rs512 = rsa("rs512");
        rs512["alg"] = json!("RS512");
        let mut no_use = rsa("no-use");
        no_use.as_object_mut().unwrap().remove("use");
        let keys = vec![
            rsa("good"),
            no_kid,
            enc,
            oaep,
            rs512,
            no_use,
            json!({ "kty": "oct", "kid": "secret", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" }),
            json!({ "kty": "EC", "kid": "ec", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" }),
            json!({ "kty": "FOO", "kid": "alien" }),
            rsa("good"),
        ];
        assert_eq!(parse_keys(keys).unwrap(), ["good", "no-use"]);
    }

    #[test]
    fn a_set_without_a_usable_key_is_an_error() {
        let oct = json!({ "kty": "oct", "kid": "s", "k": "c2VjcmV0" });
        assert!(parse_keys(vec![oct]).is_err());
        assert!(parse_keys(vec![]).is_err());
        assert!(parse(b"{\"nokeys\":[]}", JwtAlgorithm::Rs256, "t").is_err());
        assert!(parse(b"<html>", JwtAlgorithm::Rs256, "t").is_err());
    }

    #[test]
    fn an_ec_key_serves_es256_and_not_rs256() {
        let ec = json!({ "kty": "EC", "kid": "ec", "use": "sig", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" });
        let bytes = serde_json::to_vec(&json!({ "keys": [ec, rsa("r")] })).unwrap();
        let es: Vec<_> = parse(&bytes, JwtAlgorithm::Es256, "t")
            .unwrap()
            .into_keys()
            .collect();
        assert_eq!(es, ["ec"]);
    }
}
