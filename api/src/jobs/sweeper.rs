//! The proposal sweeper (design.md, "Proposal expiry"): expires proposals
//! whose SLA passed and cascades each to the next-best mentor, reminds
//! mentors of proposals still unanswered (at half the SLA and a day before
//! expiry), then offers free seats to requests still waiting, and applies
//! retention (`TANDEM_RETAIN_NOTES_DAYS`, `TANDEM_RETAIN_AUDIT_DAYS`), and
//! folds the metrics tallies' deltas.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::service::{matches, proposals};
use crate::store;

/// Due proposals read per batch; a pass reads batches until none is due.
const BATCH: u64 = 200;
const MAX_BATCHES: usize = 100;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pass {
    /// Proposals this pass expired (another instance's are not counted).
    pub expired: usize,
    /// Waiting requests that got a proposal.
    pub proposed: usize,
    /// Reminders this pass sent.
    pub reminded: usize,
    /// Check-in notes blanked by retention.
    pub notes_blanked: u64,
    /// Audit events whose actor and reason retention took off.
    pub audit_blanked: u64,
    /// Metrics tally deltas folded into their per-day rows.
    pub tallies_folded: u64,
}

/// One pass at `now`. Each due proposal is expired in its own transaction
/// by a conditional update, so two sweepers on two instances expire it once.
pub async fn run_once(state: &AppState, now: DateTime<Utc>) -> ApiResult<Pass> {
    let mut pass = Pass::default();
    // Bounded, so a proposal that keeps losing races cannot hold a pass forever.
    for _ in 0..MAX_BATCHES {
        let due = store::matches::due(&state.db, now, BATCH).await?;
        let mut progressed = false;
        for proposal in &due {
            match matches::expire(state, &proposal.id, now).await {
                Ok(true) => {
                    pass.expired += 1;
                    progressed = true;
                }
                Ok(false) => {}
                // A lost race with an answer or another sweeper: the next
                // batch reads the proposal again if it is still due.
                Err(e) if e.code() == crate::error::ErrorCode::Conflict => progressed = true,
                Err(e) => return Err(e),
            }
        }
        if (due.len() as u64) < BATCH || !progressed {
            break;
        }
    }
    pass.reminded = remind(state, now).await?;
    pass.proposed = proposals::offer_seats(state, now, None).await?;
    (pass.notes_blanked, pass.audit_blanked) =
        crate::service::privacy::apply_retention(state, now).await?;
    pass.tallies_folded = store::reports::compact_tally(&state.db).await?;
    Ok(pass)
}

/// Sends every reminder due at `now`, each in its own transaction.
async fn remind(state: &AppState, now: DateTime<Utc>) -> ApiResult<usize> {
    let mut reminded = 0;
    for _ in 0..MAX_BATCHES {
        let due = store::matches::reminders_due(&state.db, now, BATCH).await?;
        for proposal in &due {
            match matches::remind(state, proposal, now).await {
                Ok(true) => reminded += 1,
                Ok(false) => {}
                Err(e) if e.code() == crate::error::ErrorCode::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        if (due.len() as u64) < BATCH {
            break;
        }
    }
    Ok(reminded)
}

/// Runs a pass every `interval` until `shutdown` turns true.
pub fn spawn(state: AppState, interval: Duration, shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        super::repeat(interval, None, shutdown, || async {
            match run_once(&state, Utc::now()).await {
                Ok(pass) if pass != Pass::default() => {
                    tracing::info!(
                        expired = pass.expired,
                        reminded = pass.reminded,
                        proposed = pass.proposed,
                        "sweep"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sweep failed; retrying at the next tick"),
            }
        })
        .await;
        tracing::debug!("sweeper stopped");
    });
}
