//! Prometheus metrics: request counts and latencies by method, route pattern
//! and status (bounded label sets: routes are patterns, never raw paths),
//! and database pool gauges read at scrape time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::{DatabaseConnection, DbBackend};

use super::AppState;
use crate::auth::remote::RemoteKeys;
use crate::store::notifications::Queue;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: &'static str,
}

/// What became of one delivery attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Retried,
    Dead,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_idle: Gauge,
    delivered: [Family<ChannelLabels, Counter>; 3],
    outbox_pending: Gauge,
    outbox_dead: Gauge,
    outbox_oldest_due: Gauge,
    /// The provider's key set, when keys are fetched.
    jwks: Mutex<Option<(Arc<RemoteKeys>, Gauge)>>,
    started: Instant,
}

const KNOWN_METHODS: [&str; 4] = ["GET", "POST", "OPTIONS", "HEAD"];

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tandem");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ])
        });
        let pool_size = Gauge::default();
        let pool_idle = Gauge::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        let delivered: [Family<ChannelLabels, Counter>; 3] = Default::default();
        let [sent, retried, dead] = &delivered;
        registry.register(
            "notifications_sent",
            "Notifications delivered, by channel",
            sent.clone(),
        );
        registry.register(
            "notifications_retried",
            "Failed delivery attempts that will be retried, by channel",
            retried.clone(),
        );
        registry.register(
            "notifications_dead",
            "Deliveries given up after the last attempt, by channel",
            dead.clone(),
        );
        let (outbox_pending, outbox_dead, outbox_oldest_due) =
            (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "notification_outbox_pending",
            "Deliveries waiting in the outbox (due or waiting to retry)",
            outbox_pending.clone(),
        );
        registry.register(
            "notification_outbox_dead",
            "Dead deliveries (tandem notifications retry-dead re-queues them)",
            outbox_dead.clone(),
        );
        registry.register(
            "notification_outbox_oldest_due_seconds",
            "How long the longest-waiting due delivery has been due",
            outbox_oldest_due.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            pool_size,
            pool_idle,
            delivered,
            outbox_pending,
            outbox_dead,
            outbox_oldest_due,
            jwks: Mutex::new(None),
            started: Instant::now(),
        }
    }

    /// Adds the signing keys' figures (refreshes, failures, keys in use,
    /// seconds since the last good fetch).
    pub fn watch_keys(&self, keys: Arc<RemoteKeys>) {
        let mut registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let stats = &keys.stats;
        registry.register(
            "jwks_refreshes",
            "Successful fetches of the identity provider's signing keys",
            stats.refreshes.clone(),
        );
        registry.register(
            "jwks_refresh_failures",
            "Failed fetches of the signing keys (the last good set stays in use)",
            stats.failures.clone(),
        );
        registry.register("jwks_keys", "Signing keys in use", stats.keys.clone());
        let age = Gauge::default();
        registry.register(
            "jwks_seconds_since_refresh",
            "Seconds since the last successful fetch of the signing keys (since start before any)",
            age.clone(),
        );
        *self.jwks.lock().unwrap_or_else(|p| p.into_inner()) = Some((keys, age));
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = if KNOWN_METHODS.contains(&method) {
            method
        } else {
            "OTHER"
        };
        let labels = RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one delivery attempt's outcome on its channel.
    pub fn delivery(&self, channel: &'static str, outcome: Outcome) {
        let family = &self.delivered[outcome as usize];
        family.get_or_create(&ChannelLabels { channel }).inc();
    }

    async fn read_outbox(&self, db: &DatabaseConnection, queue: &Queue) {
        let now = chrono::Utc::now();
        match crate::store::notifications::depth(db, queue, now).await {
            Ok(depth) => {
                self.outbox_pending.set(depth.pending as i64);
                self.outbox_dead.set(depth.dead as i64);
                self.outbox_oldest_due.set(
                    depth
                        .oldest_due
                        .map_or(0, |at| (now - at).num_seconds().max(0)),
                );
            }
            Err(e) => tracing::warn!(error = %e, "reading the outbox's depth failed"),
        }
    }

    fn read_pool(&self, db: &DatabaseConnection) {
        // The pool getters panic on another backend, so match the backend first.
        let (size, idle) = match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        };
        self.pool_size.set(i64::from(size));
        self.pool_idle.set(idle as i64);
    }

    pub async fn render(&self, db: &DatabaseConnection, queue: &Queue) -> String {
        self.read_pool(db);
        self.read_outbox(db, queue).await;
        if let Some((keys, age)) = &*self.jwks.lock().unwrap_or_else(|p| p.into_inner()) {
            age.set(keys.stats.seconds_since_refresh(self.started) as i64);
        }
        let mut out = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if encode(&mut out, &registry).is_err() {
            tracing::error!("metrics encoding failed");
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&state.db, &state.outbox).await)
}
