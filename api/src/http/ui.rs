//! The web app (`web/`, built into `web/dist` and embedded at compile time):
//! static files under a strict Content-Security-Policy, hashed assets
//! cached for a year, `index.html` never cached, and the app's page paths
//! answered with `index.html` for its router. Also the two things the
//! app asks before anyone signs in: how to sign in (`/app/config.json`) and,
//! in `serve --demo` only, the demo people's tokens (`/app/demo-tokens`).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::Embed;
use serde::Deserialize;

use super::AppState;

#[derive(Embed)]
#[folder = "../web/dist"]
struct Bundle;

const YEAR: &str = "public, max-age=31536000, immutable";

/// The first path segments of the app's pages (`web/src/App.tsx`).
const APP_ROUTES: [&str; 7] = [
    "",
    "recommendations",
    "requests",
    "matches",
    "profile",
    "ospo",
    "signin",
];

/// `default-src 'self'`, widened only to the identity provider the app
/// signs in with (its token endpoint and silent-renew frame). Framing is
/// allowed to the app itself only: silent renewal loads `/signin/silent`
/// in a hidden frame of the app's own page.
fn content_security_policy(state: &AppState) -> String {
    let provider = state
        .config
        .oidc_client_id
        .as_ref()
        .and_then(|_| match &state.config.jwt.key {
            crate::config::JwtKey::OidcIssuer(issuer) => reqwest::Url::parse(issuer)
                .ok()
                .map(|u| u.origin().ascii_serialization()),
            _ => None,
        });
    let extra = provider.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'{extra}; frame-src 'self'{extra}; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )
}

fn file(state: &AppState, path: &str) -> Option<HttpResponse> {
    let asset = Bundle::get(path)?;
    let cache = if path.starts_with("assets/") {
        YEAR
    } else {
        "no-cache"
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.metadata.mimetype())
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(state)) {
        response.insert_header((header::CONTENT_SECURITY_POLICY, csp));
    }
    Some(response.body(asset.data.into_owned()))
}

/// Every request no other route took: for a GET, a bundled file or the
/// app's page.
pub async fn page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if req.method() != actix_web::http::Method::GET && req.method() != actix_web::http::Method::HEAD
    {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found");
    }
    let path = req.path().trim_start_matches('/');
    if let Some(found) = file(&state, path) {
        return found;
    }
    // Only the app's own routes get its page (a deep link or a reload);
    // anything else, a missing file included, is a plain 404.
    let first = path.split('/').next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    if !APP_ROUTES.contains(&first) || last.contains('.') {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found");
    }
    file(&state, "index.html").unwrap_or_else(|| {
        HttpResponse::NotFound()
            .content_type("text/plain")
            .body("the web app was not built into this binary")
    })
}

/// How the app signs people in.
pub async fn config(state: web::Data<AppState>) -> HttpResponse {
    let oidc = match (&state.config.jwt.key, &state.config.oidc_client_id) {
        (crate::config::JwtKey::OidcIssuer(issuer), Some(client_id)) => {
            serde_json::json!({ "issuer": issuer, "clientId": client_id })
        }
        _ => serde_json::Value::Null,
    };
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(serde_json::json!({
            "demo": state.config.demo,
            "oidc": oidc,
            "version": env!("CARGO_PKG_VERSION"),
        }))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    /// Seconds the tokens live (5 s to 12 h; 12 h by default).
    ttl: Option<u64>,
}

/// The demo people's tokens; absent unless `serve --demo`.
pub async fn demo_tokens(
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> HttpResponse {
    if !state.config.demo {
        return HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found");
    }
    let ttl = query.ttl.unwrap_or(12 * 3600).clamp(5, 12 * 3600);
    match crate::seed::demo_tokens(&state.config, ttl) {
        Ok(tokens) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(tokens),
        Err(e) => {
            tracing::error!(error = %e, "minting demo tokens failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}
