//! `GET /graphiql`: GraphiQL served from the binary. Its browser build is a
//! pinned version vendored from npm into `web/graphiql/dist` (with its
//! licence notices, `NOTICE.txt`) and embedded, so it works on an intranet
//! without internet access, and the page's Content-Security-Policy allows
//! this server alone: no third-party script or style runs.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use rust_embed::Embed;

use super::AppState;

#[derive(Embed)]
#[folder = "../web/graphiql/dist"]
struct Vendored;

const PAGE: &str = include_str!("../../../web/graphiql/page/index.html");
const START: &str = include_str!("../../../web/graphiql/page/start.js");
const STYLE: &str = include_str!("../../../web/graphiql/page/tandem.css");

/// `'self'` for everything the page loads; nothing inline, nothing eval'd.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

fn respond(
    mime: &str,
    cache: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body)
}

pub async fn page() -> HttpResponse {
    respond("text/html; charset=utf-8", "no-cache", PAGE)
}

/// The vendored files and the page's own script and style.
pub async fn asset(name: web::Path<String>) -> HttpResponse {
    // The vendored build changes only with a new tandem binary.
    const DAY: &str = "public, max-age=86400";
    match name.as_str() {
        "start.js" => respond("text/javascript; charset=utf-8", "no-cache", START),
        "tandem.css" => respond("text/css; charset=utf-8", "no-cache", STYLE),
        other => match Vendored::get(other) {
            Some(file) => respond(file.metadata.mimetype(), DAY, file.data.into_owned()),
            None => HttpResponse::NotFound()
                .content_type("text/plain")
                .body("not found"),
        },
    }
}

/// The headers GraphiQL opens with under `serve --demo`: the demo OSPO
/// admin's bearer token. Absent otherwise.
pub async fn demo_headers(state: web::Data<AppState>) -> HttpResponse {
    let ospo = state
        .config
        .demo
        .then(|| crate::seed::demo_tokens(&state.config, 12 * 3600).ok())
        .flatten()
        .and_then(|tokens| tokens.into_iter().find(|t| t.role == "ospo"));
    match ospo {
        Some(token) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({ "Authorization": format!("Bearer {}", token.token) })),
        None => HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found"),
    }
}
