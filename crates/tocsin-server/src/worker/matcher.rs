//! The matcher worker: follows the change feed and recompiles the rules when it sees a
//! `RuleChanged` entry, recording the feed id it has compiled up to. Rule changes wait for
//! that id (read-your-writes), and nothing a request does after its commit can keep a
//! stored rule from being compiled.

use std::sync::Arc;
use std::time::Duration;

use tocsin_api::native::Change;

use crate::domain::matcher::{CompiledRules, RuleIndex};
use crate::worker::{WorkerContext, WorkerError};

/// Feed entries read per query.
const BATCH: i64 = 1000;

/// What the matcher worker needs.
#[derive(Clone)]
pub struct MatcherWorker {
    /// The store whose change feed and rules it reads, and the shutdown signal.
    pub ctx: WorkerContext,
    /// The index it keeps current.
    pub index: Arc<RuleIndex>,
}

impl MatcherWorker {
    /// Reads the feed after the compiled id; recompiles if a rule changed. Returns whether
    /// there may be more to read.
    pub async fn catch_up(&self) -> Result<bool, WorkerError> {
        let from = self.index.compiled_id();
        let batch = self.ctx.store.changes_after(from, BATCH).await?;
        let Some(last) = batch.last().map(|e| e.id) else {
            return Ok(false);
        };
        let current = self.index.snapshot();
        if batch.iter().any(|e| match &e.change {
            Change::RuleChanged { .. }
            | Change::HeartbeatChanged { .. }
            | Change::EventBusChanged { .. }
            | Change::ArchiveChanged { .. }
            | Change::ChangePatternChanged { .. } => true,
            // Windows never change after creation: only a new or a deleted one (not a
            // suppression count or a boundary) changes what is compiled.
            Change::MaintenanceWindowChanged { window, id } => {
                window.is_none() || !current.has_window(id)
            }
            _ => false,
        }) {
            // Read after the entries were committed, so the rules include them.
            let rules = CompiledRules::load(self.ctx.store.as_ref()).await?;
            tracing::debug!(feed_id = last, rules = rules.len(), "matcher recompiled");
            self.index.install(rules, last);
        } else {
            self.index.mark_compiled(last);
        }
        Ok(batch.len() as i64 == BATCH)
    }

    /// Follows the feed until shutdown.
    pub async fn run(self) -> Result<(), WorkerError> {
        let mut wake = self.ctx.store.subscribe_work();
        loop {
            if *self.ctx.shutdown.borrow() {
                return Ok(());
            }
            crate::worker::hooks::checkpoint("matcher").await;
            wake.borrow_and_update();
            if self.catch_up().await? {
                continue;
            }
            // At most 5 s: a safety net for commits another node made (PostgreSQL, later).
            if !self
                .ctx
                .wait_for_commit(&mut wake, Duration::from_secs(5))
                .await
            {
                return Ok(());
            }
        }
    }
}
