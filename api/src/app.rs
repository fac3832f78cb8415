//! The application state every part of a running instance shares: the HTTP
//! handlers, the GraphQL resolvers, the WebSocket handler and the background
//! jobs. Nothing here knows about HTTP; [`AppState::authenticate`] is the one
//! way a bearer token becomes a [`Viewer`], whatever transport carried it.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use sea_orm::DatabaseConnection;

use crate::auth::{Claims, Verifier};
use crate::config::Config;
use crate::events::EventBus;
use crate::graphql::TandemSchema;
use crate::http::Metrics;
use crate::service::Viewer;
use crate::service::features::PoolCache;

/// What every handler and job shares; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Where the OSPO's figures and exports read: the read replica when
    /// configured, else `db`.
    pub reads: DatabaseConnection,
    pub config: Arc<Config>,
    pub schema: TandemSchema,
    pub verifier: Arc<Verifier>,
    pub metrics: Arc<Metrics>,
    pub draining: Arc<AtomicBool>,
    /// sub → the claims a person was last provisioned with, so an unchanged
    /// caller costs no database write. Other instances keep their own; the
    /// database stays the truth.
    provisioned: Arc<Mutex<HashMap<String, Provisioned>>>,
    /// Compiled mentors for ranking, rebuilt when mentors change.
    pub pool: PoolCache,
    /// Match events for subscriptions, from this instance and (on
    /// PostgreSQL) every other one.
    pub events: EventBus,
    /// Email and webhook channels.
    pub notifier: Arc<crate::notify::Notifier>,
    /// Wakes this instance's delivery worker when a commit queued deliveries.
    pub delivery_wake: Arc<tokio::sync::Notify>,
}

/// The claims a person was last provisioned with, and their id.
#[derive(Clone, PartialEq, Eq)]
struct Provisioned {
    name: Option<String>,
    email: Option<String>,
    person_id: String,
}

/// Past this many cached callers the cache is emptied; it only saves writes.
const PROVISION_CACHE_MAX: usize = 100_000;

/// Why a bearer token did not become a viewer.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    /// Missing, malformed, expired or wrongly signed: the caller's fault.
    #[error("a valid bearer token is required")]
    Unauthenticated,
    /// The token was good but the person could not be provisioned.
    #[error("internal error")]
    Internal(#[source] sea_orm::DbErr),
}

impl AppState {
    /// Fails when a notification channel is misconfigured (the message
    /// names the setting).
    pub fn new(
        config: Config,
        db: DatabaseConnection,
        verifier: Verifier,
        events: EventBus,
    ) -> anyhow::Result<Self> {
        let metrics = Metrics::new();
        if let Some(keys) = verifier.remote() {
            metrics.watch_keys(keys.clone());
        }
        Ok(Self {
            notifier: Arc::new(crate::notify::Notifier::new(&config.notify)?),
            delivery_wake: Arc::default(),
            schema: crate::graphql::build(&config),
            reads: db.clone(),
            db,
            verifier: Arc::new(verifier),
            metrics: Arc::new(metrics),
            draining: Arc::new(AtomicBool::new(false)),
            provisioned: Arc::default(),
            pool: PoolCache::default(),
            events,
            config: Arc::new(config),
        })
    }

    /// After a commit that wrote notifications: wakes the delivery worker
    /// and, with email off (the demo), logs what would have been mailed.
    pub fn after_notifying(
        &self,
        deliveries: usize,
        unmailed: &[(String, domain::notification::Kind)],
    ) {
        if deliveries > 0 {
            self.delivery_wake.notify_one();
        }
        for (person_id, kind) in unmailed {
            tracing::info!(to = %person_id, event = kind.slug(), "notification in the inbox; email is off (TANDEM_SMTP_URL), so none was mailed");
        }
    }

    /// Sends the OSPO's figures and exports to `reads` (a read replica).
    pub fn with_reads(mut self, reads: DatabaseConnection) -> Self {
        self.reads = reads;
        self
    }

    /// Verifies a bearer token and provisions its person (insert-on-conflict
    /// by `sub`, cached while the claims are unchanged). Used by `POST
    /// /graphql` and by the WebSocket `connection_init` alike.
    pub async fn authenticate(&self, token: &str) -> Result<Viewer, AuthFailure> {
        let claims = self.verifier.verify(token).await.map_err(|e| {
            tracing::debug!(reason = %e, "token refused");
            AuthFailure::Unauthenticated
        })?;
        let (person_id, active, person) = self.provision(&claims).await.map_err(|e| {
            tracing::error!(error = ?e, "provisioning failed");
            AuthFailure::Internal(e)
        })?;
        if !active {
            tracing::info!(person = %person_id, "a deactivated person was refused");
            return Err(AuthFailure::Unauthenticated);
        }
        Ok(Viewer {
            person_id,
            claims,
            person: person.map(Arc::new),
        })
    }

    /// The caller's person id, whether they are active, and (on a cache
    /// hit) their record. The cache spares the write; the record, and with
    /// it whether the person is still active, is read every time, since
    /// any instance may have deactivated them.
    async fn provision(
        &self,
        claims: &Claims,
    ) -> Result<(String, bool, Option<crate::store::people::Person>), sea_orm::DbErr> {
        let cached = {
            let cache = self.provisioned.lock().unwrap_or_else(|p| p.into_inner());
            cache.get(&claims.sub).cloned()
        };
        // A deactivated person's cache hit falls through: if they were
        // erased, their subject is free again and the full path below
        // finds (or makes) the new person.
        if let Some(hit) = cached
            && hit.name == claims.name
            && hit.email == claims.email
            && let Some(person) = crate::store::people::find(&self.db, &hit.person_id).await?
            && person.is_active()
        {
            return Ok((hit.person_id, true, Some(person)));
        }
        let found = crate::store::people::provision(&self.db, claims).await?;
        if !found.active {
            return Ok((found.id, false, None));
        }
        let person_id = found.id;
        let mut cache = self.provisioned.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= PROVISION_CACHE_MAX {
            cache.clear();
        }
        let entry = Provisioned {
            name: claims.name.clone(),
            email: claims.email.clone(),
            person_id: person_id.clone(),
        };
        cache.insert(claims.sub.clone(), entry);
        Ok((person_id, true, None))
    }
}
