//! The archive worker: runs replays a batch per transaction (see
//! [`crate::domain::events::replay_step`]) and, once a minute, deletes archived events past
//! their archive's `RetentionDays` (and kept change events past theirs) in batches of [`EXPIRE_BATCH`], each its own short
//! transaction, so ingest never waits long for the writer.

use std::sync::Arc;
use std::time::Duration;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::archives;
use crate::domain::events;
use crate::domain::matcher::RuleIndex;
use crate::store::StoreResult;
use crate::worker::{WorkerContext, WorkerError};

/// Archived events deleted per transaction.
pub const EXPIRE_BATCH: i64 = 500;
/// Seconds between retention passes.
const EXPIRE_EVERY: f64 = 60.0;

/// Runs replays and archive retention.
#[derive(Clone)]
pub struct ArchiveWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// Account, region.
    pub config: Arc<ServerConfig>,
    /// The rules replayed events are routed with.
    pub rules: Arc<RuleIndex>,
}

impl ArchiveWorker {
    /// Advances every active replay by one batch; returns whether any has more to do.
    pub async fn replay_pass(&self) -> StoreResult<bool> {
        let active: Vec<String> = {
            let mut tx = self.ctx.store.read().await?;
            match archives::all_replays(tx.as_mut()).await {
                Ok(all) => all
                    .into_iter()
                    .filter(|r| r.is_active())
                    .map(|r| r.name)
                    .collect(),
                Err(err) => {
                    tracing::warn!(%err, "could not read replays");
                    Vec::new()
                }
            }
        };
        let mut more = false;
        for name in active {
            let rules = self.rules.snapshot();
            let now = clock::now();
            let mut tx = self.ctx.store.write().await?;
            match events::replay_step(tx.as_mut(), &rules, &self.config, &name, now).await {
                Ok(m) => {
                    tx.commit().await?;
                    more |= m;
                }
                Err(err) => {
                    drop(tx);
                    tracing::warn!(%err, replay = %name, "replay failed");
                    let mut tx = self.ctx.store.write().await?;
                    if let Ok(Some(mut r)) = archives::replay(tx.as_mut(), &name).await {
                        r.state = "FAILED".into();
                        r.state_reason = Some(format!("{err}"));
                        r.replay_end_time = Some(now);
                        if archives::save_replay(tx.as_mut(), &r).await.is_ok() {
                            tx.commit().await?;
                        }
                    }
                }
            }
        }
        Ok(more)
    }

    /// Deletes archived events past their retention; returns how many.
    pub async fn expire_pass(&self) -> StoreResult<u64> {
        let now = clock::now();
        let list = {
            let mut tx = self.ctx.store.read().await?;
            archives::all_archives(tx.as_mut())
                .await
                .unwrap_or_default()
        };
        let mut deleted = 0;
        let kept = list
            .into_iter()
            .filter(|a| a.retention_days > 0)
            .map(|a| (a.name, a.retention_days))
            .chain([(
                crate::domain::findings::CHANGES.to_owned(),
                crate::domain::findings::CHANGES_RETENTION_DAYS,
            )]);
        for (name, days) in kept {
            let before = now - f64::from(days) * 86_400.0;
            loop {
                let mut tx = self.ctx.store.write().await?;
                let n = tx.expire_archived(&name, before, EXPIRE_BATCH).await?;
                tx.commit().await?;
                deleted += n;
                if n < EXPIRE_BATCH as u64 {
                    break;
                }
                tokio::task::yield_now().await;
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, "archived events past their retention deleted");
        }
        Ok(deleted)
    }

    /// Runs until shutdown.
    pub async fn run(self) -> Result<(), WorkerError> {
        let mut wake = self.ctx.store.subscribe_work();
        let mut shutdown = self.ctx.shutdown.clone();
        let mut expired_at = f64::NEG_INFINITY;
        let mut last = tokio::time::Instant::now() - crate::worker::PASS_GAP;
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            wake.borrow_and_update();
            let more = self.replay_pass().await?;
            if clock::now() - expired_at >= EXPIRE_EVERY {
                self.expire_pass().await?;
                expired_at = clock::now();
            }
            if more {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                _ = wake.changed() => {},
                _ = tokio::time::sleep(Duration::from_secs(5)) => {},
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
            crate::worker::pace(&mut last).await;
        }
    }
}
