//! `POST /graphql`, `GET /graphql` and `GET /graphiql`: GraphQL over HTTP
//! with our own body reading (the async-graphql extractor ignores actix's
//! payload limits), authentication, provisioning and error codes.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::{Request, Response, ServerError};
use serde::Deserialize;

use super::AppState;
use super::rest::{authenticate, read_body, refuse};
use crate::error::ErrorCode;
use crate::graphql::limits;
use crate::graphql::loaders::Loaders;

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
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the body is not valid JSON",
                ErrorCode::BadUserInput,
            );
        }
    };
    if value.is_array() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "batched requests are not supported",
            ErrorCode::BadUserInput,
        );
    }
    let body: Body = match serde_json::from_value(value) {
        Ok(body) => body,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the body must be a GraphQL request with a query",
                ErrorCode::BadUserInput,
            );
        }
    };
    let request = match request_from(body) {
        Ok(request) => request,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message, ErrorCode::BadUserInput),
    };
    execute(&state, &req, request, false).await
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
    execute(&state, &req, request, true).await
}

fn respond(response: Response) -> HttpResponse {
    let response = limits::assign_codes(response);
    HttpResponse::Ok()
        .content_type("application/json")
        .json(response)
}

fn rejected(error: ServerError, code: ErrorCode) -> HttpResponse {
    respond(Response::from_errors(vec![limits::with_code(error, code)]))
}

async fn execute(
    state: &AppState,
    req: &HttpRequest,
    mut request: Request,
    over_get: bool,
) -> HttpResponse {
    let operation_name = request.operation_name.clone();
    let doc = match request.parsed_query() {
        Ok(doc) => doc,
        Err(error) => return rejected(error, ErrorCode::GraphqlParseFailed),
    };
    if over_get && limits::is_mutation(doc, operation_name.as_deref()) {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations must be sent with POST",
            ErrorCode::BadUserInput,
        );
    }
    if let Err(message) = limits::check(doc, &state.config.limits, state.config.introspection) {
        return rejected(
            ServerError::new(message, None),
            ErrorCode::GraphqlValidationFailed,
        );
    }
    let viewer = match authenticate(state, req).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let loaders = Loaders::new(&state.db, &viewer.person_id);
    let request = request.data(viewer).data(loaders).data(state.clone());
    respond(state.schema.execute(request).await)
}

pub async fn graphiql() -> HttpResponse {
    let page = async_graphql::http::GraphiQLSource::build()
        .endpoint("/graphql")
        .title("Tandem GraphiQL")
        .finish();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}
