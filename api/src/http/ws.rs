//! GraphQL over WebSocket on `/graphql/ws` (the `graphql-transport-ws`
//! subprotocol), for subscriptions.
//!
//! The token comes in `connection_init`'s payload (`{"Authorization":
//! "Bearer …"}` or `{"token": "…"}`), else from the upgrade request's
//! `Authorization` header, and goes through the same
//! [`AppState::authenticate`] as `POST /graphql`. No token closes the socket
//! with 4401, a refused one with 4403, and nothing is delivered; no
//! `connection_init` within 10 s closes it with 4408; the token's expiry
//! closes it with 4401.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use async_graphql::Data;
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use futures_util::StreamExt;

use crate::app::{AppState, AuthFailure};
use crate::graphql::loaders::Loaders;
use crate::graphql::subscriptions::SocketSubscriptions;

const PROTOCOL: &str = "graphql-transport-ws";
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How `connection_init` went, for the close code async-graphql cannot choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Init {
    Pending,
    /// Authenticated; the token expires at this Unix time.
    Accepted {
        exp: i64,
    },
    Refused {
        code: u16,
    },
}

fn token_from(payload: &serde_json::Value, header: Option<&str>) -> Option<String> {
    let from_payload = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .or_else(|| {
            payload
                .get("token")
                .and_then(|v| v.as_str())
                .map(|t| t.trim().to_owned())
        });
    from_payload
        .or_else(|| header.map(str::to_owned))
        .filter(|t| !t.is_empty())
}

fn header_token(req: &HttpRequest) -> Option<String> {
    let mut values = req.headers().get_all(header::AUTHORIZATION);
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let (scheme, token) = first.to_str().ok()?.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn close(code: u16, description: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    })
}

pub async fn handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, actix_web::Error> {
    let offers_protocol = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|p| p.trim() == PROTOCOL));
    if !offers_protocol {
        return Ok(HttpResponse::BadRequest()
            .content_type("text/plain")
            .body("the graphql-transport-ws subprotocol is required"));
    }
    let (mut response, session, messages) = actix_ws::handle(&req, body)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(PROTOCOL),
    );
    let state = state.get_ref().clone();
    let header = header_token(&req);
    actix_web::rt::spawn(serve(state, header, session, messages));
    Ok(response)
}

async fn serve(
    state: AppState,
    header: Option<String>,
    mut session: actix_ws::Session,
    mut messages: actix_ws::MessageStream,
) {
    let init = Arc::new(Mutex::new(Init::Pending));
    let (to_graphql, receiver) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let from_client = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|bytes| (bytes, receiver))
    });
    let on_init = {
        let (state, init) = (state.clone(), init.clone());
        move |payload: serde_json::Value| async move {
            let outcome = match token_from(&payload, header.as_deref()) {
                None => Err(4401),
                Some(token) => match state.authenticate(&token).await {
                    Ok(viewer) => Ok(viewer),
                    Err(AuthFailure::Unauthenticated) => Err(4403),
                    Err(AuthFailure::Internal(_)) => Err(1011),
                },
            };
            let mut slot = init.lock().unwrap_or_else(|p| p.into_inner());
            match outcome {
                Ok(viewer) => {
                    *slot = Init::Accepted {
                        exp: viewer.claims.exp,
                    };
                    let mut data = Data::default();
                    data.insert(Loaders::new(&state.db, &viewer.person_id));
                    data.insert(viewer);
                    data.insert(state.clone());
                    data.insert(SocketSubscriptions::default());
                    Ok(data)
                }
                Err(code) => {
                    *slot = Init::Refused { code };
                    Err(async_graphql::Error::new(
                        "a valid bearer token is required",
                    ))
                }
            }
        }
    };
    let graphql = WebSocket::new(
        state.schema.clone(),
        from_client,
        WebSocketProtocols::GraphQLWS,
    )
    .on_connection_init(on_init);
    let mut graphql = std::pin::pin!(graphql);
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    let expiry = tokio::time::sleep(Duration::MAX / 4);
    tokio::pin!(expiry);
    let mut expiry_armed = false;
    let reason = loop {
        let current = *init.lock().unwrap_or_else(|p| p.into_inner());
        if let (false, Init::Accepted { exp }) = (expiry_armed, current) {
            let left = (exp - chrono::Utc::now().timestamp()).max(0) as u64;
            expiry
                .as_mut()
                .reset(tokio::time::Instant::now() + Duration::from_secs(left));
            expiry_armed = true;
        }
        tokio::select! {
            incoming = messages.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if to_graphql.send(text.as_bytes().to_vec()).is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    if to_graphql.send(bytes.to_vec()).is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                Some(Ok(_)) => {}
            },
            outgoing = graphql.next() => match outgoing {
                Some(WsMessage::Text(text)) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, message)) => {
                    // A refused connection_init: our code, not the library's 1002.
                    let current = *init.lock().unwrap_or_else(|p| p.into_inner());
                    break match current {
                        Init::Refused { code } => close(code, "a valid bearer token is required"),
                        _ => close(code, &message),
                    };
                }
                None => break None,
            },
            _ = &mut init_deadline, if current == Init::Pending => {
                break close(4408, "Connection initialisation timeout");
            }
            _ = &mut expiry, if expiry_armed => {
                break close(4401, "the token expired");
            }
        }
    };
    let _ = session.close(reason).await;
}
