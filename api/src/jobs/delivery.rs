//! The delivery worker: sends what the outbox holds (design.md,
//! "Notifications"). Every instance runs one; they share the outbox safely
//! because a row is claimed before it is sent: on PostgreSQL with `FOR
//! UPDATE SKIP LOCKED` (two instances never claim one row), on SQLite under
//! the write lock (`BEGIN IMMEDIATE`). A claim is a lease: a worker that
//! dies mid-send leaves the row to be claimed again once the lease has
//! passed, so delivery is at least once, each with a stable id receivers
//! can drop duplicates by. Failures wait `TANDEM_DELIVERY_RETRY_BASE`,
//! doubling with jitter, up to `TANDEM_DELIVERY_MAX_ATTEMPTS`; then the row
//! is dead, counted, and listed for the OSPO.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::app::AppState;
use crate::db::begin_write;
use crate::error::ApiResult;
use crate::http::DeliveryOutcome as Outcome;
use crate::notify::Facts;
use crate::store::matches;
use crate::store::notifications::{self as store, Channel, Delivery};

/// Rows claimed at once, and sends in flight at once.
const BATCH: u64 = 100;
pub const IN_FLIGHT: usize = 16;
/// How long a woken worker waits before its pass, to send in batches.
const GATHER: Duration = Duration::from_millis(200);
/// Batches one pass claims at most, so a pass ends even under a flood.
const MAX_BATCHES: usize = 50;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pass {
    pub sent: usize,
    /// Failed attempts that will be retried.
    pub retried: usize,
    /// Failed last attempts.
    pub dead: usize,
    /// Emails not sent because the person has no address or turned that
    /// kind off (read when sending); removed from the outbox.
    pub dropped: usize,
}

/// One pass at `now`: claims due deliveries batch by batch, sends them, and
/// records each outcome.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> ApiResult<Pass> {
    let mut pass = Pass::default();
    for _ in 0..MAX_BATCHES {
        let claimed = claim(state, now, BATCH).await?;
        let count = claimed.len() as u64;
        let batch = send_claimed(state, now, claimed).await?;
        pass.sent += batch.sent;
        pass.retried += batch.retried;
        pass.dead += batch.dead;
        pass.dropped += batch.dropped;
        if count < BATCH {
            break;
        }
    }
    state.notifier.close_idle();
    Ok(pass)
}

/// Claims up to `limit` due deliveries for this worker's lease.
pub async fn claim(state: &AppState, now: DateTime<Utc>, limit: u64) -> ApiResult<Vec<Delivery>> {
    let lease = chrono::Duration::from_std(state.config.notify.lease)
        .unwrap_or_else(|_| chrono::Duration::minutes(5));
    let (txn, _writer) = begin_write(&state.db).await?;
    let claimed = store::claim(&txn, &state.outbox, now, now + lease, limit).await?;
    txn.commit().await?;
    Ok(claimed)
}

/// What to do with one claimed delivery.
enum Plan {
    /// Send with these facts (names filled) and, for an email, this address.
    Send(Box<Facts>, Option<String>),
    /// An email nobody should get: no address, that kind turned off, or the
    /// person left.
    Drop,
    /// Unreadable (a corrupt payload): recorded as a failed attempt.
    Fail(String),
}

/// Reads, in three queries for the whole batch, what sending needs: the
/// matches' pairs, their names and the recipients' addresses, and the
/// recipients' email preferences.
async fn plan(state: &AppState, claimed: &[Delivery]) -> ApiResult<Vec<Plan>> {
    let mut match_ids: Vec<String> = claimed.iter().filter_map(|d| d.match_id.clone()).collect();
    match_ids.sort();
    match_ids.dedup();
    let pairs = matches::pairs(&state.db, &match_ids).await?;
    let parsed: Vec<Result<Facts, String>> = claimed
        .iter()
        .map(|d| {
            let facts =
                Facts::parse(&d.payload, d.match_id.as_deref()).map_err(|e| e.to_string())?;
            let pair = d.match_id.as_ref().and_then(|id| pairs.get(id));
            Ok(facts.of_match(pair, d.person_id.as_deref()))
        })
        .collect();
    let mut people: Vec<String> = parsed
        .iter()
        .flatten()
        .flat_map(|f| [f.mentor_id.clone(), f.mentee_id.clone()])
        .collect();
    people.sort();
    people.dedup();
    let contacts = store::contacts(&state.db, &people).await?;
    let mut mailed: Vec<String> = claimed
        .iter()
        .filter(|d| d.channel == Channel::Email)
        .filter_map(|d| d.person_id.clone())
        .collect();
    mailed.sort();
    mailed.dedup();
    let optouts = store::email_optouts(&state.db, &mailed).await?;
    Ok(claimed
        .iter()
        .zip(parsed)
        .map(|(delivery, facts)| {
            let facts = match facts {
                Ok(facts) => facts.named(|id| contacts.get(id).map(|c| c.name.clone())),
                Err(e) => return Plan::Fail(e),
            };
            if delivery.channel == Channel::Webhook {
                return Plan::Send(Box::new(facts), None);
            }
            let Some(person) = &delivery.person_id else {
                return Plan::Drop;
            };
            // Someone who left gets nothing more, whatever was queued.
            let address = contacts
                .get(person)
                .filter(|c| c.active)
                .and_then(|c| c.email.clone());
            if address.is_none() || optouts.contains(&(person.clone(), delivery.kind)) {
                Plan::Drop
            } else {
                Plan::Send(Box::new(facts), address)
            }
        })
        .collect())
}

/// Sends claimed deliveries (a bounded number at once) and records them.
async fn send_claimed(
    state: &AppState,
    now: DateTime<Utc>,
    claimed: Vec<Delivery>,
) -> ApiResult<Pass> {
    let mut pass = Pass::default();
    if claimed.is_empty() {
        return Ok(pass);
    }
    let plans = plan(state, &claimed).await?;
    let mut dropped = Vec::new();
    let mut to_send = Vec::new();
    let mut results: Vec<(Delivery, Result<(), String>)> = Vec::new();
    for (delivery, plan) in claimed.into_iter().zip(plans) {
        match plan {
            Plan::Send(facts, address) => to_send.push((delivery, facts, address)),
            Plan::Drop => dropped.push(delivery.held()),
            Plan::Fail(error) => results.push((delivery, Err(error))),
        }
    }
    results.extend(
        futures_util::stream::iter(to_send)
            .map(|(delivery, facts, address)| async move {
                let result = state
                    .notifier
                    .send(&delivery, &facts, address.as_deref())
                    .await;
                (delivery, result)
            })
            .buffer_unordered(IN_FLIGHT)
            .collect::<Vec<_>>()
            .await,
    );
    // Every outcome is recorded in one write transaction: on SQLite a write
    // outside the writer queue would wait in SQLite's busy handler and slow
    // the lifecycle's own transactions.
    let (txn, _writer) = begin_write(&state.db).await?;
    pass.dropped = store::drop_deliveries(&txn, &dropped).await? as usize;
    let config = &state.config.notify;
    let mut sent = Vec::new();
    for (delivery, result) in results {
        let channel = delivery.channel.slug();
        match result {
            Ok(()) => {
                state.metrics.delivery(channel, Outcome::Sent);
                sent.push(delivery.held());
            }
            Err(error) => {
                let last = delivery.attempts >= config.max_attempts;
                let retry_at = (!last).then(|| {
                    let delay = domain::notification::retry_delay(
                        config.retry_base.as_secs() as i64,
                        delivery.attempts,
                        jitter(),
                    );
                    now + chrono::Duration::seconds(delay)
                });
                tracing::warn!(
                    delivery = %delivery.id,
                    channel,
                    event = delivery.kind.slug(),
                    attempt = delivery.attempts,
                    %error,
                    "notification not delivered{}",
                    if last { "; giving up" } else { "; will retry" }
                );
                store::mark_failed(&txn, &delivery.held(), retry_at, &error).await?;
                if last {
                    state.metrics.delivery(channel, Outcome::Dead);
                    pass.dead += 1;
                } else {
                    state.metrics.delivery(channel, Outcome::Retried);
                    pass.retried += 1;
                }
            }
        }
    }
    pass.sent = sent.len();
    store::mark_sent(&txn, &sent, now).await?;
    txn.commit().await?;
    Ok(pass)
}

/// A fraction in [0, 1) from the OS's randomness.
fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
}

/// Runs a pass every `interval`, and shortly after a commit wakes it (see
/// [`GATHER`]), until `shutdown` turns true. A pass in progress finishes its
/// sends first; a claim left unfinished is retried by any worker once its
/// lease passes. The returned handle ends when the worker has stopped.
pub fn spawn(
    state: AppState,
    interval: Duration,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Under load many commits wake the worker; a moment's wait lets one
        // pass take what they all queued.
        let wake = super::Wake {
            signal: state.delivery_wake.clone(),
            gather: GATHER,
        };
        super::repeat(interval, Some(wake), shutdown, || async {
            match run_once(&state, Utc::now()).await {
                Ok(pass) if pass != Pass::default() => {
                    tracing::info!(
                        sent = pass.sent,
                        retried = pass.retried,
                        dead = pass.dead,
                        dropped = pass.dropped,
                        "deliveries"
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "delivery pass failed; retrying at the next tick")
                }
            }
        })
        .await;
        tracing::debug!("delivery worker stopped");
    })
}

#[cfg(test)]
mod tests {
    /// The backoff's jitter spreads retries over the fraction's range.
    #[test]
    fn jitter_is_a_fraction_that_varies() {
        let mut draws: Vec<f64> = (0..64).map(|_| super::jitter()).collect();
        assert!(draws.iter().all(|j| (0.0..1.0).contains(j)), "{draws:?}");
        draws.sort_by(f64::total_cmp);
        draws.dedup();
        assert!(draws.len() > 32, "{draws:?}");
    }
}
