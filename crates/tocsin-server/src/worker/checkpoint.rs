//! The checkpoint job: every [`INTERVAL`] it asks the store to move committed writes from
//! its log into the database proper ([`crate::store::Store::checkpoint`]; SQLite's WAL
//! checkpoint), off the ingest writer's path. The ingest writer's direct connection does
//! not checkpoint on its own: a checkpoint inside its commit held every request of the
//! batch behind copying and syncing the database file (see `docs/benchmarks.md`).

use std::time::Duration;

use crate::worker::{WorkerContext, WorkerError};

/// How often the job runs.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// Checkpoints the store's log.
#[derive(Clone)]
pub struct CheckpointWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
}

impl CheckpointWorker {
    /// Checkpoints every [`INTERVAL`] until shutdown; a failing checkpoint is logged and
    /// tried again at the next.
    ///
    /// Errors: none of its own.
    pub async fn run(self) -> Result<(), WorkerError> {
        let mut shutdown = self.ctx.shutdown.clone();
        loop {
            if let Err(err) = self.ctx.store.checkpoint().await {
                tracing::warn!(%err, "checkpoint failed; trying again");
            }
            tokio::select! {
                _ = tokio::time::sleep(INTERVAL) => {},
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
        }
    }
}
