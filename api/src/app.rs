//! The application state every part of a running instance shares: the HTTP
//! handlers, the GraphQL resolvers, the WebSocket handler and the background
//! jobs. Nothing here knows about HTTP; [`AppState::authenticate`] is the one
//! way a bearer token becomes a [`Viewer`], whatever transport carried it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

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
    /// sub → the claims a person was last provisioned with and when they
    /// were last seen active, so an unchanged caller costs no database
    /// write, and no read for `TANDEM_ACCESS_CACHE`. Other instances keep
    /// their own; the database stays the truth.
    provisioned: Arc<Mutex<HashMap<String, Provisioned>>>,
    /// Moved on by every [`AppState::forget_access`].
    access_epoch: Arc<AtomicU64>,
    /// Compiled mentors for ranking, rebuilt when mentors change.
    pub pool: PoolCache,
    /// Documents parsed and within the limits, by their text.
    pub documents: Arc<crate::graphql::documents::Documents>,
    /// Match events for subscriptions, from this instance and (on
    /// PostgreSQL) every other one.
    pub events: EventBus,
    /// Email and webhook channels.
    pub notifier: Arc<crate::notify::Notifier>,
    /// Wakes this instance's delivery worker when a commit queued deliveries.
    pub delivery_wake: Arc<tokio::sync::Notify>,
    /// Where this process reads SQLite's outbox from.
    pub outbox: Arc<crate::store::notifications::Queue>,
}

/// The claims a person was last provisioned with, their id, and when their
/// row last said they were active.
#[derive(Clone, PartialEq, Eq)]
struct Provisioned {
    name: Option<String>,
    email: Option<String>,
    person_id: String,
    seen_active: Instant,
}

/// Past this many cached callers the cache is emptied; it only saves work.
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
            outbox: Arc::default(),
            schema: crate::graphql::build(&config),
            reads: db.clone(),
            db,
            verifier: Arc::new(verifier),
            metrics: Arc::new(metrics),
            draining: Arc::new(AtomicBool::new(false)),
            provisioned: Arc::default(),
            access_epoch: Arc::default(),
            pool: PoolCache::default(),
            documents: Arc::default(),
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

    /// The caller's person id, whether they are active, and (when it was
    /// read) their record. A cache hit younger than `TANDEM_ACCESS_CACHE`
    /// reads nothing; an older one reads the row again, since any instance
    /// may have deactivated them, and a miss provisions.
    async fn provision(
        &self,
        claims: &Claims,
    ) -> Result<(String, bool, Option<crate::store::people::Person>), sea_orm::DbErr> {
        // Read before the database: a deactivation committing meanwhile
        // moves it on, and what this call read is then not remembered.
        let epoch = self.access_epoch.load(Ordering::Acquire);
        let hit = {
            let cache = self.provisioned.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .get(&claims.sub)
                .filter(|hit| hit.name == claims.name && hit.email == claims.email)
                .map(|hit| (hit.person_id.clone(), hit.seen_active))
        };
        if let Some((person_id, seen_active)) = hit {
            if self
                .config
                .access_cache
                .is_some_and(|trust| seen_active.elapsed() < trust)
            {
                return Ok((person_id, true, None));
            }
            // A deactivated person's hit falls through: if they were
            // erased, their subject is free again and the full path below
            // finds (or makes) the new person.
            if let Some(person) = crate::store::people::find(&self.db, &person_id).await?
                && person.is_active()
            {
                self.remember(claims, &person_id, epoch);
                return Ok((person_id, true, Some(person)));
            }
        }
        let found = crate::store::people::provision(&self.db, claims).await?;
        if !found.active {
            return Ok((found.id, false, None));
        }
        self.remember(claims, &found.id, epoch);
        Ok((found.id, true, None))
    }

    /// Records that `claims` belong to `person_id`, seen active now, unless
    /// access was forgotten since `epoch` (what was read may predate it).
    fn remember(&self, claims: &Claims, person_id: &str, epoch: u64) {
        let mut cache = self.provisioned.lock().unwrap_or_else(|p| p.into_inner());
        if self.access_epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if cache.len() >= PROVISION_CACHE_MAX && !cache.contains_key(&claims.sub) {
            cache.clear();
        }
        let entry = Provisioned {
            name: claims.name.clone(),
            email: claims.email.clone(),
            person_id: person_id.to_owned(),
            seen_active: Instant::now(),
        };
        cache.insert(claims.sub.clone(), entry);
    }

    /// Forgets who was seen active: after a deactivation commits here, or
    /// (on PostgreSQL) another instance's, so the next call of anyone reads
    /// their row again.
    pub fn forget_access(&self) {
        let mut cache = self.provisioned.lock().unwrap_or_else(|p| p.into_inner());
        self.access_epoch.fetch_add(1, Ordering::AcqRel);
        cache.clear();
    }
}
