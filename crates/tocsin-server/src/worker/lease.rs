//! The scheduler lease ([`crate::store::SchedulerLease`]): [`hold`] keeps asking the store
//! for it and says whether this node holds it; [`while_leading`] runs a worker only while
//! it does. On SQLite the lease is granted at once and never lost, so every worker runs as
//! it always has; on PostgreSQL one node at a time runs the workers whose work must be
//! done once, and another takes over within seconds when that node dies.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::supervisor::WorkerError;
use crate::store::Store;

/// How long to wait before asking again after the store failed to answer.
const RETRY: Duration = Duration::from_secs(1);

/// Starts the task that acquires, holds and re-acquires this node's scheduler lease until
/// `shutdown`; the receiver reads `true` while the lease is held.
pub fn hold(store: Arc<dyn Store>, mut shutdown: watch::Receiver<bool>) -> watch::Receiver<bool> {
    let (leading, receiver) = watch::channel(false);
    tokio::spawn(async move {
        loop {
            let lease = tokio::select! {
                lease = store.scheduler_lease() => lease,
                _ = shutdown.wait_for(|s| *s) => return,
            };
            match lease {
                Ok(mut lease) => {
                    leading.send_replace(true);
                    tokio::select! {
                        () = lease.lost() => {
                            leading.send_replace(false);
                        }
                        // Dropping the lease gives it back (PostgreSQL: ends its session).
                        _ = shutdown.wait_for(|s| *s) => return,
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "could not ask for the scheduler lease; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(RETRY) => {}
                        _ = shutdown.wait_for(|s| *s) => return,
                    }
                }
            }
        }
    });
    receiver
}

/// Runs `make()`'s worker while `leading` reads `true`: waits for the lease, runs the
/// worker, and when the lease is lost drops it (cancelling its pass) and waits again. The
/// worker's own result (an error or a return) is returned for the supervisor to handle.
///
/// Errors: the worker's; none when the lease task ended (shutdown).
pub async fn while_leading<F, Fut>(
    mut leading: watch::Receiver<bool>,
    make: F,
) -> Result<(), WorkerError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), WorkerError>>,
{
    loop {
        if leading.wait_for(|held| *held).await.is_err() {
            return Ok(());
        }
        tokio::select! {
            outcome = make() => return outcome,
            lost = leading.wait_for(|held| !*held) => {
                if lost.is_err() {
                    return Ok(());
                }
                tracing::warn!("scheduler lease lost: this node's leased workers stop");
            }
        }
    }
}
