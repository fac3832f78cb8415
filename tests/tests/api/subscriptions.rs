//! `Subscription.myMatchEvents` over GraphQL over WebSocket
//! (`graphql-transport-ws`) on `/graphql/ws`: authentication in
//! `connection_init`, close codes, and events across instances.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tandem_tests::{Backend, TestApp, on_both_backends, token_for};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp) -> Socket {
    let url = format!("{}/graphql/ws", app.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next text message, or the close code, within `wait`.
async fn next(socket: &mut Socket, wait: Duration) -> Result<Value, Option<u16>> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await {
            Err(_) => return Err(None),
            Ok(None) => return Err(None),
            Ok(Some(Err(_))) => return Err(None),
            Ok(Some(Ok(Message::Text(text)))) => return Ok(serde_json::from_str(&text).unwrap()),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(frame.map(|f| u16::from(f.code)));
            }
            Ok(Some(Ok(_))) => continue,
        }
    }
}

const SUBSCRIBE: &str =
    "subscription { myMatchEvents { previousState state match { id mentor { displayName } } } }";

async fn subscribed(app: &TestApp, sub: &str) -> Socket {
    subscribed_to(app, sub, SUBSCRIBE).await
}

async fn subscribed_to(app: &TestApp, sub: &str, query: &str) -> Socket {
    let mut socket = connect(app).await;
    let token = token_for(sub, Some(sub), None, &[]);
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }),
    )
    .await;
    let ack = next(&mut socket, Duration::from_secs(10)).await.unwrap();
    assert_eq!(ack["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }),
    )
    .await;
    socket
}

async fn profiles(app: &TestApp) {
    app.seed_catalog().await;
    let input = json!({ "capacity": 2, "accepting": true, "skills": [{ "skill": "rust", "proficiency": 5 }], "projects": [], "foundations": [], "topics": [] });
    app.as_user(
        "mentor",
        "mutation($i: MentorProfileInput!) { setMentorProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
    .data();
    let input = json!({ "targetLevel": 3, "skills": [{ "skill": "rust", "priority": 1 }], "projects": [], "foundations": [], "topics": [] });
    app.as_user(
        "learner",
        "mutation($i: MenteeProfileInput!) { setMenteeProfile(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
    .data();
    app.as_user("stranger", "{ me { id } }", json!({}))
        .await
        .data();
}

async fn events_reach_the_pair_on_another_instance_and_nobody_else(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    profiles(&app).await;
    // Subscribers on this instance; the change is made through another one
    // (on SQLite, the same process: the in-process channel carries it).
    let other = match backend {
        Backend::Postgres => Some(app.another_instance().await),
        Backend::Sqlite => None,
    };
    let writer = other.as_ref().unwrap_or(&app);
    let mut mentor = subscribed(&app, "mentor").await;
    let mut learner = subscribed(&app, "learner").await;
    let mut stranger = subscribed(&app, "stranger").await;
    // Give the subscriptions a moment to be registered before the change.
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let asked = writer
        .as_user(
            "learner",
            "mutation { requestMentorship(input: { goals: \"live\" }) { currentMatch { id } } }",
            json!({}),
        )
        .await;
    let match_id = asked.data()["requestMentorship"]["currentMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let event = next(&mut mentor, Duration::from_secs(10)).await.unwrap();
    assert_eq!(event["type"], "next", "{event:#}");
    let payload = &event["payload"]["data"]["myMatchEvents"];
    assert_eq!(payload["state"], "PROPOSED");
    assert_eq!(payload["previousState"], Value::Null);
    assert_eq!(payload["match"]["id"], match_id.as_str());

    writer
        .as_user(
            "mentor",
            "mutation($id: ID!) { acceptProposal(matchId: $id) { state } }",
            json!({ "id": match_id }),
        )
        .await
        .data();
    // The mentee hears of the proposal, then of the accept.
    let first = next(&mut learner, Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        first["payload"]["data"]["myMatchEvents"]["state"],
        "PROPOSED"
    );
    let second = next(&mut learner, Duration::from_secs(10)).await.unwrap();
    let accepted = &second["payload"]["data"]["myMatchEvents"];
    assert_eq!(accepted["previousState"], "PROPOSED");
    assert_eq!(accepted["state"], "ACTIVE");
    assert_eq!(accepted["match"]["mentor"]["displayName"], "mentor");

    // The stranger's socket received nothing.
    assert_eq!(
        next(&mut stranger, Duration::from_millis(700)).await,
        Err(None),
        "a stranger must not hear of another's match"
    );
}

async fn new_notifications_reach_their_recipient_on_any_instance(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    profiles(&app).await;
    let other = match backend {
        Backend::Postgres => Some(app.another_instance().await),
        Backend::Sqlite => None,
    };
    let writer = other.as_ref().unwrap_or(&app);
    const INBOX: &str = "subscription { myNotifications { kind event title read match { id } } }";
    let mut mentor = subscribed_to(&app, "mentor", INBOX).await;
    let mut stranger = subscribed_to(&app, "stranger", INBOX).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let asked = writer
        .as_user(
            "learner",
            "mutation { requestMentorship(input: { goals: \"live\" }) { currentMatch { id } } }",
            json!({}),
        )
        .await;
    let match_id = asked.data()["requestMentorship"]["currentMatch"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let event = next(&mut mentor, Duration::from_secs(10)).await.unwrap();
    let pushed = &event["payload"]["data"]["myNotifications"];
    assert_eq!(pushed["kind"], "PROPOSAL_CREATED", "{event:#}");
    assert_eq!(pushed["event"], "proposal.created");
    assert_eq!(pushed["read"], false);
    assert_eq!(pushed["match"]["id"], match_id.as_str());
    assert_eq!(
        next(&mut stranger, Duration::from_millis(700)).await,
        Err(None),
        "nobody else's notification is pushed"
    );
}

async fn a_socket_without_a_valid_token_is_closed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut socket = connect(&app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(10)).await,
        Err(Some(4401))
    );

    let mut socket = connect(&app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": "not-a-token" } }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(10)).await,
        Err(Some(4403))
    );

    // `{"token": …}` is accepted as well as the Authorization form.
    let mut socket = connect(&app).await;
    let token = token_for("someone", None, None, &[]);
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    let ack = next(&mut socket, Duration::from_secs(10)).await.unwrap();
    assert_eq!(ack["type"], "connection_ack");

    // Subscribing before connection_init is refused by the protocol.
    let mut socket = connect(&app).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
    let closed = next(&mut socket, Duration::from_secs(10)).await;
    assert!(
        matches!(closed, Err(Some(code)) if code != u16::from(CloseCode::Normal)),
        "{closed:?}"
    );
}

async fn a_socket_closes_at_token_expiry_and_caps_its_subscriptions(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // A token that expires in three seconds ends its socket then.
    let request = tandem::auth::TokenRequest {
        sub: "brief".into(),
        name: None,
        email: None,
        roles: Vec::new(),
    };
    let short = tandem::auth::mint_hs256(
        tandem_tests::SECRET.as_bytes(),
        "tandem",
        "tandem",
        &request,
        3,
    )
    .unwrap();
    let mut socket = connect(&app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {short}") } }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(10)).await.unwrap()["type"],
        "connection_ack"
    );
    assert_eq!(
        next(&mut socket, Duration::from_secs(10)).await,
        Err(Some(4401))
    );

    // At most ten subscriptions per socket: the eleventh is refused with a code.
    let mut socket = subscribed(&app, "busy").await;
    for id in 2..=11 {
        send(
            &mut socket,
            json!({ "id": id.to_string(), "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
        )
        .await;
    }
    // Streams start in no set order, so any one of the eleven may be the
    // one refused; exactly one is.
    let mut refused = Vec::new();
    while let Ok(message) = next(&mut socket, Duration::from_millis(1500)).await {
        let code = &message["payload"]["errors"][0]["extensions"]["code"];
        if code == "BAD_USER_INPUT" {
            refused.push(message["id"].clone());
        }
    }
    assert_eq!(refused.len(), 1, "refused: {refused:?}");
}

async fn a_socket_without_connection_init_is_closed_after_ten_seconds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut socket = connect(&app).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(15)).await,
        Err(Some(4408))
    );
}

/// A mentor subscribed while the OSPO deactivates her (on another instance
/// on PostgreSQL): her stream ends instead of carrying the departure's
/// events, and a new subscription on her open socket is refused; the
/// mentee still hears of it.
async fn a_subscriber_who_leaves_hears_nothing_more(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    profiles(&app).await;
    let other = match backend {
        Backend::Postgres => Some(app.another_instance().await),
        Backend::Sqlite => None,
    };
    let writer = other.as_ref().unwrap_or(&app);
    let asked = writer
        .as_user(
            "learner",
            "mutation { requestMentorship(input: { goals: \"live\" }) { currentMatch { id } } }",
            json!({}),
        )
        .await;
    assert!(asked.data()["requestMentorship"]["currentMatch"]["id"].is_string());
    let mentor_id = app
        .as_user("mentor", "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .clone();
    let mut mentor = subscribed(&app, "mentor").await;
    let mut learner = subscribed(&app, "learner").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    writer
        .as_ospo(
            "mutation($id: ID!) { deactivatePerson(id: $id, reason: \"left\") { proposalsCancelled } }",
            json!({ "id": mentor_id }),
        )
        .await
        .data();
    let heard = next(&mut learner, Duration::from_secs(10)).await.unwrap();
    assert_eq!(
        heard["payload"]["data"]["myMatchEvents"]["state"],
        "CANCELLED"
    );
    let ended = next(&mut mentor, Duration::from_secs(10)).await.unwrap();
    assert_eq!(ended["type"], "complete", "{ended:#}");
    send(
        &mut mentor,
        json!({ "id": "2", "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
    let refused = next(&mut mentor, Duration::from_secs(10)).await.unwrap();
    assert_eq!(refused["payload"]["data"], Value::Null, "{refused:#}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

on_both_backends!(
    a_socket_closes_at_token_expiry_and_caps_its_subscriptions,
    a_socket_without_connection_init_is_closed_after_ten_seconds,
    events_reach_the_pair_on_another_instance_and_nobody_else,
    new_notifications_reach_their_recipient_on_any_instance,
    a_socket_without_a_valid_token_is_closed,
    a_subscriber_who_leaves_hears_nothing_more,
);
