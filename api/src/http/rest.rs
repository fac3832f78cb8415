//! What the plain HTTP endpoints share with `/graphql`: the bearer token,
//! authentication, and refusals in the GraphQL error shape with their code.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};

use super::AppState;
use crate::app::AuthFailure;
use crate::error::{ApiError, ErrorCode};
use crate::service::Viewer;

fn error_body(message: &str, code: ErrorCode) -> serde_json::Value {
    serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] })
}

pub(super) fn refuse(status: StatusCode, message: &str, code: ErrorCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    response
        .content_type("application/json")
        .json(error_body(message, code))
}

/// An [`ApiError`] as its HTTP status and error body.
pub(super) fn refuse_error(e: &ApiError) -> HttpResponse {
    let status = match e {
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::BadUserInput(_) => StatusCode::BAD_REQUEST,
        ApiError::Conflict(_) => StatusCode::CONFLICT,
        ApiError::Internal(cause) => {
            tracing::error!(error = ?cause, "request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    refuse(status, &e.to_string(), e.code())
}

pub(super) fn unauthenticated() -> HttpResponse {
    refuse(
        StatusCode::UNAUTHORIZED,
        "a valid bearer token is required",
        ErrorCode::Unauthenticated,
    )
}

/// The bearer token, when exactly one `Authorization: Bearer …` header is sent.
pub(super) fn bearer(req: &HttpRequest) -> Option<&str> {
    let mut values = req.headers().get_all(header::AUTHORIZATION);
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let value = first.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub(super) async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Viewer, HttpResponse> {
    let token = bearer(req).ok_or_else(unauthenticated)?;
    state.authenticate(token).await.map_err(|e| match e {
        AuthFailure::Unauthenticated => unauthenticated(),
        AuthFailure::Internal(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
            ErrorCode::Internal,
        ),
    })
}

/// Reads a body of at most `max` bytes, counting as chunks arrive, so a
/// chunked body without `Content-Length` is capped too; `what` names the
/// limit in the 413's message.
pub(super) async fn read_body(
    req: &HttpRequest,
    mut payload: actix_web::web::Payload,
    max: usize,
    what: &str,
) -> Result<Vec<u8>, HttpResponse> {
    use futures_util::StreamExt;
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("{what} is over {max} bytes"),
            ErrorCode::BadUserInput,
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(max));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            refuse(
                StatusCode::BAD_REQUEST,
                "the body could not be read",
                ErrorCode::BadUserInput,
            )
        })?;
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
