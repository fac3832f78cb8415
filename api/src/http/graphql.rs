//! `POST /graphql` and `GET /graphql`: GraphQL over HTTP
//! with our own body reading (the async-graphql extractor ignores actix's
//! payload limits), authentication, provisioning and error codes.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::{Request, Response, ServerError};
use serde::Deserialize;

use super::AppState;
use super::rest::{authenticate, read_body, refuse};
use crate::error::ErrorCode;
use crate::graphql::loaders::Loaders;
use crate::graphql::{limits, variables};
use crate::service::Viewer;

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence == "application/graphql-response+json"
}

/// The media type of a response: `application/graphql-response+json` when
/// the client's `Accept` prefers it (request errors then get 4xx statuses),
/// else `application/json` (always 200, as clients of it expect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    fn of(req: &HttpRequest) -> Self {
        let Some(accept) = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
        else {
            return Self::Json;
        };
        let (mut graphql, mut json) = (0.0f32, 0.0f32);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match essence.as_str() {
                "application/graphql-response+json" => graphql = graphql.max(q),
                "application/json" => json = json.max(q),
                _ => {}
            }
        }
        if graphql > 0.0 && graphql >= json {
            Self::GraphqlResponse
        } else {
            Self::Json
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// The JSON shape of a GraphQL request; `variables` must be an object.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    query: String,
    operation_name: Option<String>,
    #[serde(default)]
    variables: Option<serde_json::Value>,
    #[serde(default)]
    extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Builds the request; the error is the message for a 400.
fn request_from(body: Body) -> Result<Request, &'static str> {
    let mut request = Request::new(body.query);
    if let Some(name) = body.operation_name {
        request = request.operation_name(name);
    }
    match body.variables {
        None | Some(serde_json::Value::Null) => {}
        Some(value @ serde_json::Value::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(value));
        }
        Some(_) => {
            return Err("variables must be an object");
        }
    }
    let _ = body.extensions;
    Ok(request)
}

pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let viewer = match authenticate(&state, &req).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    if !is_json(&req) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be application/json",
            ErrorCode::BadUserInput,
        );
    }
    let bytes = match read_body(
        &req,
        payload,
        state.config.limits.max_body_bytes,
        "the body",
    )
    .await
    {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return refuse(
            StatusCode::BAD_REQUEST,
            "batched requests are not supported",
            ErrorCode::BadUserInput,
        );
    }
    // Straight into the request's shape: no intermediate JSON tree.
    let body: Body = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(e) if e.is_data() => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the body must be a GraphQL request with a query",
                ErrorCode::BadUserInput,
            );
        }
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the body is not valid JSON",
                ErrorCode::BadUserInput,
            );
        }
    };
    let request = match request_from(body) {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message, ErrorCode::BadUserInput),
    };
    execute(&state, &req, viewer, request, false).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

pub async fn get(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<GetParams>,
) -> HttpResponse {
    let viewer = match authenticate(&state, &req).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let params = params.into_inner();
    let Some(query) = params.query else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "a query parameter is required",
            ErrorCode::BadUserInput,
        );
    };
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "variables must be JSON",
                ErrorCode::BadUserInput,
            );
        }
    };
    let body = Body {
        query,
        operation_name: params.operation_name,
        variables,
        extensions: None,
    };
    let request = match request_from(body) {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message, ErrorCode::BadUserInput),
    };
    execute(&state, &req, viewer, request, true).await
}

/// Writes a response. One that executed nothing (a parse, validation,
/// limit or variable error) has no `data` entry, and under
/// `application/graphql-response+json` a 400 status.
fn respond(media: Media, response: Response) -> HttpResponse {
    let response = limits::assign_codes(response);
    let executed = response.data != async_graphql::Value::Null
        || response.errors.iter().any(|e| !e.path.is_empty());
    if executed {
        return HttpResponse::Ok()
            .content_type(media.content_type())
            .json(response);
    }
    let status = match media {
        Media::Json => StatusCode::OK,
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
    };
    HttpResponse::build(status)
        .content_type(media.content_type())
        .json(serde_json::json!({ "errors": response.errors }))
}

fn rejected(media: Media, error: ServerError, code: ErrorCode) -> HttpResponse {
    respond(
        media,
        Response::from_errors(vec![limits::with_code(error, code)]),
    )
}

/// Runs a request: the caller is authenticated first (no anonymous caller
/// makes the server parse anything), the document's size and tokens are
/// checked before it is parsed, its shape after, and its variables before
/// anything executes.
async fn execute(
    state: &AppState,
    req: &HttpRequest,
    viewer: Viewer,
    mut request: Request,
    over_get: bool,
) -> HttpResponse {
    let media = Media::of(req);
    let operation_name = request.operation_name.clone();
    // Held aside while the parsed document borrows the request.
    let supplied = std::mem::take(&mut request.variables);
    let kept = state.documents.get(&request.query);
    let known = kept.is_some();
    if let Some(doc) = kept {
        request.set_parsed_query(doc);
    } else if let Err(message) = limits::check_size(&request.query, &state.config.limits) {
        return rejected(
            media,
            ServerError::new(message, None),
            ErrorCode::GraphqlValidationFailed,
        );
    }
    let query = (!known).then(|| request.query.clone());
    let doc = match request.parsed_query() {
        Ok(doc) => doc,
        Err(error) => return rejected(media, error, ErrorCode::GraphqlParseFailed),
    };
    if over_get && limits::is_mutation(doc, operation_name.as_deref()) {
        return method_not_allowed("GET, POST", "mutations must be sent with POST");
    }
    if let Some(query) = query {
        if let Err(message) = limits::check(doc, &state.config.limits, state.config.introspection) {
            return rejected(
                media,
                ServerError::new(message, None),
                ErrorCode::GraphqlValidationFailed,
            );
        }
        state.documents.keep(&query, doc);
    }
    if let Err(message) = variables::check(doc, operation_name.as_deref(), &supplied) {
        return rejected(
            media,
            ServerError::new(message, None),
            ErrorCode::BadUserInput,
        );
    }
    request.variables = supplied;
    let loaders = Loaders::new(&state.db, &viewer.person_id);
    let request = request.data(viewer).data(loaders).data(state.clone());
    respond(media, state.schema.execute(request).await)
}

/// A 405 naming the methods the resource takes, as HTTP requires.
pub fn method_not_allowed(allow: &'static str, message: &str) -> HttpResponse {
    let mut response = refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        message,
        ErrorCode::BadUserInput,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static(allow));
    response
}
