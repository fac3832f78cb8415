//! The HTTP server: routes, request ids, CORS and graceful
//! shutdown. `Server::build` binds (port 0 in tests) and reports the bound
//! address, so tests run exactly what production runs.

mod export;
mod graphiql;
mod graphql;
mod import;
mod metrics;
mod probes;
mod rest;
mod ui;
mod ws;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::dev::Service;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{App, HttpServer, web};
use sea_orm::DatabaseConnection;
use tracing::Instrument;

pub use self::metrics::{Metrics, Outcome as DeliveryOutcome};
pub use crate::app::AppState;
use crate::auth::Verifier;
use crate::config::Config;
use crate::events::EventBus;

pub struct Server {
    server: actix_web::dev::Server,
    address: SocketAddr,
    state: AppState,
    stop: StopSignals,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Takes the caller's request id when it is short and plain, else makes one.
fn request_id(req: &actix_web::dev::ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string())
}

impl Server {
    /// Builds the state and binds the listener; nothing is served until [`Server::run`].
    pub async fn build(config: Config, db: DatabaseConnection) -> anyhow::Result<Self> {
        let verifier = Verifier::new(&config.jwt)?;
        verifier.load().await?;
        let events = EventBus::default();
        let reads = match &config.read_database_url {
            Some(url) => crate::db::connect(url, config.db_max_connections)
                .await
                .map_err(|e| anyhow::anyhow!("TANDEM_READ_DATABASE_URL: cannot connect: {e}"))?,
            None => db.clone(),
        };
        let state = AppState::new(config, db, verifier, events)?.with_reads(reads);
        let app_state = state.clone();
        let shutdown = state.config.shutdown_seconds;
        let http = HttpServer::new(move || {
            let state = app_state.clone();
            let cors = cors(&state.config);
            let metrics = state.metrics.clone();
            let mut app = App::new()
                .app_data(web::Data::new(state.clone()))
                .wrap(cors)
                .wrap_fn(move |req, srv| {
                    let id = request_id(&req);
                    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
                    let started = Instant::now();
                    let method = req.method().to_string();
                    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
                    let fut = span.in_scope(|| srv.call(req));
                    let metrics = metrics.clone();
                    async move {
                        let mut res = fut.await?;
                        let status = res.status().as_u16();
                        metrics.observe(&method, &route, status, started.elapsed());
                        tracing::info!(status, duration_ms = started.elapsed().as_millis() as u64, "served");
                        if let Ok(value) = HeaderValue::from_str(&id) {
                            res.headers_mut().insert(REQUEST_ID, value);
                        }
                        Ok(res)
                    }
                    .instrument(span)
                })
                .service(
                    resource("/graphql", "GET, POST")
                        .route(web::post().to(graphql::post))
                        .route(web::get().to(graphql::get)),
                )
                .service(resource("/graphql/ws", "GET").route(web::get().to(ws::handler)))
                .service(resource("/import/people", "POST").route(web::post().to(import::people)))
                .service(
                    resource("/export/matches.csv", "GET").route(web::get().to(export::matches)),
                )
                .service(
                    resource("/export/metrics.csv", "GET").route(web::get().to(export::metrics)),
                )
                .service(resource("/me/export.json", "GET").route(web::get().to(export::my_data)))
                .service(resource("/healthz", "GET").route(web::get().to(probes::healthz)))
                .service(resource("/readyz", "GET").route(web::get().to(probes::readyz)))
                .service(resource("/metrics", "GET").route(web::get().to(metrics::scrape)));
            if state.config.graphiql {
                app = app
                    .service(resource("/graphiql", "GET").route(web::get().to(graphiql::page)))
                    .service(
                        resource("/graphiql/assets/{name}", "GET")
                            .route(web::get().to(graphiql::asset)),
                    )
                    .service(
                        resource("/graphiql/demo-headers.json", "GET")
                            .route(web::get().to(graphiql::demo_headers)),
                    );
            }
            if state.config.ui {
                app = app
                    .route("/app/config.json", web::get().to(ui::config))
                    .route("/app/demo-tokens", web::get().to(ui::demo_tokens))
                    .default_service(web::to(ui::page));
            }
            app
        })
        .disable_signals()
        .shutdown_timeout(shutdown)
        .workers(state.config.workers)
        .bind(state.config.listen)?;
        let address = http
            .addrs()
            .first()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("bound to no address"))?;
        Ok(Self {
            server: http.run(),
            address,
            state,
            stop: StopSignals::register(),
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then drains: `/readyz` answers 503,
    /// new connections are refused, in-flight requests finish (up to the
    /// shutdown timeout), and the sweeper, the delivery worker, the signing
    /// keys' refresher and the event listener stop.
    pub async fn run(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let draining = self.state.draining.clone();
        let (stop_jobs, jobs_stopped) = tokio::sync::watch::channel(false);
        crate::jobs::sweeper::spawn(
            self.state.clone(),
            self.state.config.sweep_interval,
            jobs_stopped.clone(),
        );
        let deliveries = self.state.config.notify.worker.then(|| {
            crate::jobs::delivery::spawn(
                self.state.clone(),
                self.state.config.notify.delivery_interval,
                jobs_stopped.clone(),
            )
        });
        if let Some(keys) = self.state.verifier.remote() {
            keys.clone().spawn_refresher(jobs_stopped.clone());
        }
        crate::events::listen(&self.state, jobs_stopped).await?;
        let stop = self.stop;
        tokio::spawn(async move {
            stop.received().await;
            tracing::info!("shutting down: draining in-flight requests");
            draining.store(true, Ordering::SeqCst);
            let _ = stop_jobs.send(true);
            handle.stop(true).await;
        });
        self.server.await?;
        // Sends in flight finish (each is bounded by its timeout) and are
        // recorded; past this wait, their leases hand them to another worker.
        let wait = Duration::from_secs(self.state.config.shutdown_seconds);
        if let Some(worker) = deliveries
            && tokio::time::timeout(wait, worker).await.is_err()
        {
            tracing::warn!(
                "the delivery worker did not stop in time; its claims are retried after their lease"
            );
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// SIGTERM and Ctrl-C, listened for from the moment the server is built:
/// a signal sent as soon as it logs that it listens is not lost to a
/// listener that has not started yet (it would end the process at once).
struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                term: signal(SignalKind::terminate()).ok(),
                interrupt: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    async fn received(self) {
        #[cfg(unix)]
        {
            async fn recv(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                _ = recv(self.term) => {},
                _ = recv(self.interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Only configured origins; credentials are allowed for exactly those, never `*`.
fn cors(config: &Config) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(600).as_secs() as usize);
    for origin in &config.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    if !config.cors_origins.is_empty() {
        cors = cors.supports_credentials();
    }
    cors
}

/// A path whose other methods get a 405 with `Allow`, as HTTP requires.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        graphql::method_not_allowed(allow, "this method is not allowed here")
    }))
}
