//! Background workers and the supervisor they run under.
//!
//! Every worker takes its dependencies explicitly (store, outbound policy, clock,
//! shutdown), never the HTTP layer's state, and runs under one [`Supervisor`] that restarts
//! it after a panic or an error with exponential back-off and reports its state (shown on
//! `/healthz`, which answers 503 while a worker is down). The workers today: `matcher`
//! (follows the change feed and recompiles the rules), `delivery` (HTTP target outbox) and
//! `runbooks` (advances automation executions that are due), `notify`, `escalation`, `watch`
//! (heartbeats and maintenance windows) and `silences` (Alertmanager silences), `feed` (fans the change feed out to streams), `retention` (deletes expired rows),
//! `checkpoint` (the store's log) and `ingest` (group commit's writer, on a thread of its
//! own).
//!
//! Workers that follow the store wake on commits that may give them work
//! ([`crate::store::Store::subscribe_work`]) and make at most one pass per [`PASS_GAP`]
//! ([`pace`]): under a stream of commits a pass covers many of them, at rest a commit is
//! handled at once.

pub mod archives;
pub mod checkpoint;
pub mod delivery;
pub mod effects;
pub mod escalation;
pub mod feed;
pub mod flight;
pub mod hooks;
pub mod ingest;
pub mod lease;
pub mod matcher;
pub mod notify;
pub mod pulse;
pub mod retention;
pub mod runbooks;
pub mod silences;
pub mod supervisor;
pub mod watch;

pub use supervisor::{Supervisor, WorkerError};

/// The shortest time between two passes of a worker that follows the store.
pub const PASS_GAP: std::time::Duration = std::time::Duration::from_millis(20);

/// Waits until [`PASS_GAP`] has passed since `last` (at once when it has), then sets `last`
/// to now: called before each pass, it caps a worker at one pass per gap without delaying
/// the first pass after a quiet spell.
pub async fn pace(last: &mut tokio::time::Instant) {
    tokio::time::sleep_until(*last + PASS_GAP).await;
    *last = tokio::time::Instant::now();
}

/// What every worker needs: the store it reads and writes, and the shutdown signal.
#[derive(Clone)]
pub struct WorkerContext {
    /// Durable state and the change feed.
    pub store: std::sync::Arc<dyn crate::store::Store>,
    /// Becomes `true` at shutdown; a worker returns `Ok(())` then.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

/// An outbox a worker drains ([`WorkerContext::drain_until_shutdown`]).
#[async_trait::async_trait]
pub trait Outbox: Send + Sync {
    /// Attempts every entry due now; returns how many.
    async fn pass(&self) -> crate::store::StoreResult<usize>;
    /// When the soonest pending entry is due, epoch seconds.
    async fn next_due(&self) -> crate::store::StoreResult<Option<f64>>;
}

impl WorkerContext {
    /// Sleeps until the next commit (`wake`, from [`crate::store::Store::subscribe`]) or
    /// `at_most`, whichever comes first; `false` when the server is shutting down instead.
    /// The idle wait of every worker that follows the store.
    pub async fn wait_for_commit(
        &self,
        wake: &mut tokio::sync::watch::Receiver<i64>,
        at_most: std::time::Duration,
    ) -> bool {
        let mut shutdown = self.shutdown.clone();
        tokio::select! {
            _ = wake.changed() => true,
            _ = tokio::time::sleep(at_most) => true,
            _ = shutdown.wait_for(|s| *s) => false,
        }
    }

    /// Runs the outbox's passes until shutdown, again after every commit and when its next
    /// entry (epoch seconds, read after each pass) falls due, and at least every 5 s. A failing pass is
    /// logged as `what` and retried on the next wake-up. The loop of the outbox workers.
    pub async fn drain_until_shutdown(&self, what: &str, outbox: &dyn Outbox) {
        let mut wake = self.store.subscribe_work();
        let mut last = tokio::time::Instant::now() - PASS_GAP;
        loop {
            if *self.shutdown.borrow() {
                return;
            }
            pace(&mut last).await;
            if let Err(err) = outbox.pass().await {
                tracing::warn!(%err, "{what} pass failed");
            }
            let wait = match outbox.next_due().await {
                Ok(Some(at)) => (at - crate::clock::now()).clamp(0.05, 5.0),
                Ok(None) => 5.0,
                Err(err) => {
                    tracing::warn!(%err, "{what}: reading when the next entry is due failed");
                    5.0
                }
            };
            if !self
                .wait_for_commit(&mut wake, std::time::Duration::from_secs_f64(wait))
                .await
            {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PASS_GAP, pace};
    use tokio::time::Instant;

    #[tokio::test]
    async fn pace_spaces_passes_by_the_gap() {
        let start = Instant::now();
        let mut last = start - PASS_GAP * 10;
        pace(&mut last).await;
        assert!(
            last - start < PASS_GAP,
            "the first pass after a quiet spell is not delayed: {:?}",
            last - start
        );
        let first = last;
        pace(&mut last).await;
        assert!(
            last - first >= PASS_GAP,
            "a pass right after another waits out the gap: {:?}",
            last - first
        );
    }
}
