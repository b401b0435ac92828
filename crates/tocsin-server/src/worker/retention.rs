//! The retention job: every [`Retention::interval`] it deletes, for each kind of row in
//! [`Expiring::ALL`], whatever is older than that kind's retention, in transactions of at
//! most [`Retention::batch`] rows, yielding between them, so a large backlog never holds
//! the writer lock for long and ingest goes on meanwhile.
//!
//! Deleting change-feed rows raises the feed floor ([`crate::store::Store::feed_floor`]):
//! a stream resuming below it gets a `reset` event.

use std::sync::Arc;
use std::time::Duration;

use crate::clock;
use crate::config::Retention;
use crate::store::{Expiring, StoreResult};
use crate::worker::{WorkerContext, WorkerError};

/// Deletes expired rows.
#[derive(Clone)]
pub struct RetentionWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// What to keep for how long.
    pub retention: Arc<Retention>,
}

impl RetentionWorker {
    /// One round over every kind: deletes what expired before `now` (epoch seconds);
    /// returns the rows deleted per kind.
    pub async fn pass(&self, now: f64) -> StoreResult<Vec<(Expiring, u64)>> {
        let mut deleted = Vec::new();
        for what in Expiring::ALL {
            let Some(keep) = self.retention.of(what) else {
                continue;
            };
            let before = now - keep.as_secs_f64();
            let mut total = 0;
            loop {
                if *self.ctx.shutdown.borrow() {
                    break;
                }
                let mut tx = self.ctx.store.write().await?;
                let n = tx
                    .prune_expired(what, before, self.retention.batch.max(1))
                    .await?;
                tx.commit().await?;
                total += n;
                if n < self.retention.batch.max(1) as u64 {
                    break;
                }
                // Let queued writers in between batches.
                tokio::task::yield_now().await;
            }
            if total > 0 {
                tracing::info!(table = what.as_str(), deleted = total, "retention");
            }
            deleted.push((what, total));
        }
        Ok(deleted)
    }

    /// Runs [`RetentionWorker::pass`] at start and every interval until shutdown.
    pub async fn run(self) -> Result<(), WorkerError> {
        let mut shutdown = self.ctx.shutdown.clone();
        loop {
            if let Err(err) = self.pass(clock::now()).await {
                tracing::warn!(%err, "retention pass failed; retrying next interval");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.retention.interval.max(Duration::from_millis(100))) => {},
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
        }
    }
}
