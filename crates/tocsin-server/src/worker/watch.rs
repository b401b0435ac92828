//! The watch worker: heartbeats whose deadline passed, maintenance windows at an
//! occurrence's start or end, and scheduled rules that fell due, each in its own
//! transaction (see [`crate::domain::heartbeats`], [`crate::domain::windows`],
//! [`crate::domain::events::fire_schedule`]). It sleeps until the soonest
//! `wake_at` or the next commit; on start it acts on everything that fell due while Tocsin
//! was down, once (the state written with the effect says it was done).

use std::sync::Arc;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::matcher::RuleIndex;
use crate::domain::{events, windows};
use crate::store::StoreResult;
use crate::worker::{WorkerContext, WorkerError};

/// Misses heartbeats and opens and closes maintenance windows.
#[derive(Clone)]
pub struct WatchWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// Account, region.
    pub config: Arc<ServerConfig>,
    /// The rules `Heartbeat Missed` events and released suppressions are routed with.
    pub rules: Arc<RuleIndex>,
}

impl WatchWorker {
    async fn heartbeat(&self, name: &str, now: f64) -> StoreResult<()> {
        let rules = self.rules.snapshot();
        let mut tx = self.ctx.store.write().await?;
        match events::miss_heartbeat(tx.as_mut(), &rules, &self.config, name, now).await {
            Ok(missed) => {
                tx.commit().await?;
                if missed {
                    tracing::info!(heartbeat = name, "heartbeat missed");
                }
                Ok(())
            }
            Err(err) => {
                drop(tx);
                tracing::warn!(%err, heartbeat = name, "could not miss a heartbeat; retrying in a minute");
                let mut tx = self.ctx.store.write().await?;
                if let Some(mut h) = tx.heartbeat(name).await? {
                    h.heartbeat.due_at = Some(now + 60.0);
                    tx.put_heartbeat(&h).await?;
                }
                tx.commit().await
            }
        }
    }

    async fn window(&self, id: &str, now: f64) -> StoreResult<()> {
        let rules = self.rules.snapshot();
        let mut tx = self.ctx.store.write().await?;
        let result = async {
            let Some(stored) = tx.window(id).await? else {
                return Ok(0);
            };
            let active = windows::Schedule::of(&stored.window)?.active(now);
            let opened = if active {
                0
            } else {
                events::release_window(tx.as_mut(), &rules, &self.config, id, now).await?
            };
            windows::advance(tx.as_mut(), id, now).await?;
            Ok::<usize, crate::domain::error::ApiError>(opened)
        }
        .await;
        match result {
            Ok(opened) => {
                tx.commit().await?;
                tracing::info!(window = id, opened, "maintenance window boundary");
                Ok(())
            }
            Err(err) => {
                drop(tx);
                tracing::warn!(%err, window = id, "could not advance a maintenance window; retrying in a minute");
                let mut tx = self.ctx.store.write().await?;
                if let Some(mut w) = tx.window(id).await? {
                    w.wake_at = Some(now + 60.0);
                    tx.put_window(&w).await?;
                }
                tx.commit().await
            }
        }
    }

    async fn schedule(&self, rule_arn: &str, next_at: f64, now: f64) -> StoreResult<()> {
        let rules = self.rules.snapshot();
        let mut tx = self.ctx.store.write().await?;
        match events::fire_schedule(tx.as_mut(), &rules, &self.config, rule_arn, next_at, now).await
        {
            Ok(fired) => {
                tx.commit().await?;
                if let Some(f) = fired {
                    tracing::info!(rule = rule_arn, event = %f.event_id, at = f.at, missed = f.missed, "scheduled rule fired");
                }
                Ok(())
            }
            Err(err) => {
                drop(tx);
                tracing::warn!(%err, rule = rule_arn, "could not fire a scheduled rule; retrying in a minute");
                let mut tx = self.ctx.store.write().await?;
                tx.put_schedule(rule_arn, now + 60.0).await?;
                tx.commit().await
            }
        }
    }

    /// One pass: everything due now; returns how many rows.
    pub async fn pass_now(&self) -> StoreResult<usize> {
        let now = clock::now();
        let (beats, windows, schedules) = {
            let mut tx = self.ctx.store.read().await?;
            (
                tx.due_heartbeats(now).await?,
                tx.due_windows(now).await?,
                tx.due_schedules(now).await?,
            )
        };
        for (rule_arn, next_at) in &schedules {
            self.schedule(rule_arn, *next_at, now).await?;
        }
        for name in &beats {
            self.heartbeat(name, now).await?;
        }
        for id in &windows {
            self.window(id, now).await?;
        }
        Ok(beats.len() + windows.len() + schedules.len())
    }

    /// Runs until shutdown.
    pub async fn run(self) -> Result<(), WorkerError> {
        self.ctx.drain_until_shutdown("watch", &self).await;
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::worker::Outbox for WatchWorker {
    async fn pass(&self) -> StoreResult<usize> {
        self.pass_now().await
    }

    async fn next_due(&self) -> StoreResult<Option<f64>> {
        self.ctx.store.read().await?.next_watch_wake().await
    }
}
