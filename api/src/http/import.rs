//! `POST /import/people`: the HR import for files larger than the GraphQL
//! body limit. OSPO bearer token, a `text/csv` body of at most
//! `TANDEM_MAX_IMPORT_BYTES` (its own limit, counted as bytes arrive),
//! `?dryRun=true`; answers the same report as `importPeople`, as JSON.
//! Refusals have the GraphQL error shape and code: 401, 403, 413, 415, 400.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::rest::{authenticate, read_body, refuse, refuse_error};
use crate::error::ErrorCode;
use crate::service::OspoTask;
use crate::service::import::{Silent, import_people};

fn is_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/csv"))
}

/// `dryRun`: `true` or `false` (`1`/`0`; a bare `?dryRun` is true), absent
/// meaning false; `None` for anything else.
fn dry_run(req: &HttpRequest) -> Option<bool> {
    #[derive(serde::Deserialize)]
    struct Params {
        #[serde(rename = "dryRun")]
        dry_run: Option<String>,
    }
    let params = web::Query::<Params>::from_query(req.query_string()).ok()?;
    match params
        .dry_run
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("false" | "0") => Some(false),
        Some("true" | "1" | "") => Some(true),
        Some(_) => None,
    }
}

pub async fn people(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    // Who first: an unauthenticated caller never gets to send 20 MiB.
    let viewer = match authenticate(&state, &req).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let admin = match viewer.as_ospo() {
        Ok(admin) => admin,
        Err(e) => return refuse_error(&e),
    };
    if !is_csv(&req) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be text/csv",
            ErrorCode::BadUserInput,
        );
    }
    let Some(dry_run) = dry_run(&req) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "dryRun must be true or false",
            ErrorCode::BadUserInput,
        );
    };
    let body = match read_body(
        &req,
        payload,
        state.config.max_import_bytes,
        "the file (TANDEM_MAX_IMPORT_BYTES)",
    )
    .await
    {
        Ok(body) => body,
        Err(response) => return response,
    };
    match import_people(&state, OspoTask::Admin(admin), &body, dry_run, &Silent).await {
        Ok(report) => HttpResponse::Ok().json(report),
        Err(e) => refuse_error(&e),
    }
}
