//! Background work. Each job has a single-pass function that takes `now`
//! (tests and `tandem sweep` call it) and a `spawn` for the server. Several
//! instances running the same job at once is the normal case, made safe by
//! the database (conditional updates), never by an in-process lock.

pub mod delivery;
pub mod sweeper;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// What may wake a job between its ticks, and how long it then waits so
/// one pass takes what several wake-ups queued.
pub(crate) struct Wake {
    pub signal: Arc<Notify>,
    pub gather: Duration,
}

/// Runs `pass` every `interval` (and after `wake`, when given) until
/// `shutdown` turns true; a pass in progress finishes first.
pub(crate) async fn repeat<F, Fut>(
    interval: Duration,
    wake: Option<Wake>,
    mut shutdown: watch::Receiver<bool>,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let signal = wake.as_ref().map(|w| w.signal.clone());
    let woken = async |signal: &Option<Arc<Notify>>| match signal {
        Some(signal) => signal.notified().await,
        None => std::future::pending().await,
    };
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = woken(&signal) => {
                if let Some(wake) = &wake {
                    tokio::time::sleep(wake.gather).await;
                }
            }
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
        pass().await;
    }
}
