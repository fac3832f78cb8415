//! Liveness and readiness probes.

use std::sync::atomic::Ordering;

use actix_web::{HttpResponse, web};

use super::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers, the instance is not draining, and it holds
/// signing keys (only a lazy start without a successful fetch has none; a
/// provider outage after a good fetch keeps the instance ready).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("draining");
    }
    if state
        .verifier
        .remote()
        .is_some_and(|keys| !keys.is_loaded())
    {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("no signing keys fetched yet");
    }
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable")
        }
        Err(_) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database timed out"),
    }
}
