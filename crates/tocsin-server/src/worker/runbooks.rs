//! The runbook worker: advances automation executions that are due (a sleep ended, a
//! deadline passed, a step finished and the next one is ready). It waits for the soonest
//! `wake_at` of any execution or for a commit, never polling executions: executions waiting
//! for a signal cost nothing until their deadline.

use std::sync::Arc;
use std::time::Duration;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::automation::{self, Engine, ExternalJob};
use crate::domain::matcher::RuleIndex;
use crate::worker::effects;
use crate::worker::{WorkerContext, WorkerError};

/// Longest wait between passes when nothing is due (a safety net; commits wake it sooner).
const MAX_IDLE: Duration = Duration::from_secs(60);
/// Executions advanced per transaction.
const BATCH: i64 = 20;

/// Advances due automation executions.
#[derive(Clone)]
pub struct RunbookWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// Settings (account, region, server key for audit entries).
    pub config: Arc<ServerConfig>,
    /// The compiled rules, for `aws:executeAwsApi` PutEvents.
    pub rules: Arc<RuleIndex>,
    /// What outbound requests (`aws:invokeWebhook`) may reach.
    pub outbound: Arc<crate::outbound::OutboundPolicy>,
}

impl RunbookWorker {
    /// Advances every execution due now, each in its own transaction. Returns how many.
    ///
    /// Errors: the store failed (the pass stops; the next one retries).
    pub async fn advance_due(&self, client: &reqwest::Client) -> Result<usize, WorkerError> {
        let mut done = 0;
        loop {
            let now = clock::now();
            let due = {
                let mut tx = self.ctx.store.read().await?;
                tx.due_executions(now, BATCH).await?
            };
            if due.is_empty() {
                return Ok(done);
            }
            for id in &due {
                let rules = self.rules.snapshot();
                let engine = Engine {
                    config: &self.config,
                    rules: &rules,
                };
                let mut tx = self.ctx.store.write().await?;
                match automation::advance(tx.as_mut(), engine, id, clock::now()).await {
                    Ok(jobs) => {
                        tx.commit().await?;
                        for job in jobs {
                            self.dispatch(job, client.clone());
                        }
                    }
                    Err(err) => {
                        // Nothing of this attempt was written. A database error may pass:
                        // the pass stops and is retried. Anything else is this execution's
                        // own (a stored document that no longer parses): it is failed on its
                        // own, so the others go on.
                        drop(tx);
                        let transient = matches!(&err, crate::domain::error::ApiError::Internal(e)
                            if matches!(e.downcast_ref::<crate::store::StoreError>(), Some(crate::store::StoreError::Database(_))));
                        if transient {
                            return Err(WorkerError::from(err.to_string()));
                        }
                        tracing::error!(execution = %id, %err, "could not advance an automation execution; failing it");
                        let mut tx = self.ctx.store.write().await?;
                        automation::fail_broken(tx.as_mut(), id, &err.to_string(), clock::now())
                            .await
                            .map_err(|e| WorkerError::from(e.to_string()))?;
                        tx.commit().await?;
                    }
                }
                done += 1;
            }
            if due.len() < BATCH as usize {
                return Ok(done);
            }
        }
    }

    /// Runs an external action (after the transaction that took it committed) on its own
    /// task, records its result, and runs any external action that follows.
    fn dispatch(&self, job: ExternalJob, client: reqwest::Client) {
        let worker = self.clone();
        tokio::spawn(async move {
            let mut next = vec![job];
            while let Some(job) = next.pop() {
                let result = effects::run(
                    &job,
                    &worker.config,
                    worker.ctx.store.as_ref(),
                    &worker.outbound,
                    &client,
                )
                .await;
                let rules = worker.rules.snapshot();
                let engine = Engine {
                    config: &worker.config,
                    rules: &rules,
                };
                let recorded = async {
                    let mut tx = worker.ctx.store.write().await?;
                    let more = automation::complete_external(
                        tx.as_mut(),
                        engine,
                        &job.execution_id,
                        job.seq,
                        result,
                        clock::now(),
                    )
                    .await?;
                    tx.commit().await?;
                    crate::domain::error::ApiResult::Ok(more)
                }
                .await;
                match recorded {
                    Ok(more) => next.extend(more),
                    // Not recorded: the step stays taken until its deadline, then counts as
                    // interrupted (retried within maxAttempts, or failed).
                    Err(err) => {
                        tracing::error!(execution = %job.execution_id, %err, "could not record a runbook step's result")
                    }
                }
            }
        });
    }

    /// Runs passes until shutdown, waking on commits and when the soonest execution is due.
    ///
    /// Errors: a pass failed (the supervisor restarts the worker with back-off).
    pub async fn run(self) -> Result<(), WorkerError> {
        // One outbound client for every webhook call, as the delivery worker does.
        let client = crate::outbound::client(self.outbound.clone()).map_err(|e| {
            WorkerError::from(format!("cannot build the outbound HTTP client: {e}"))
        })?;
        let mut wake = self.ctx.store.subscribe_work();
        let mut shutdown = self.ctx.shutdown.clone();
        let mut last = tokio::time::Instant::now() - crate::worker::PASS_GAP;
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            crate::worker::hooks::checkpoint("runbooks").await;
            crate::worker::pace(&mut last).await;
            wake.borrow_and_update();
            self.advance_due(&client).await?;
            let wait = {
                let mut tx = self.ctx.store.read().await?;
                match tx.next_execution_wake().await? {
                    Some(at) => Duration::from_secs_f64(
                        (at - clock::now()).clamp(0.0, MAX_IDLE.as_secs_f64()),
                    ),
                    None => MAX_IDLE,
                }
            };
            tokio::select! {
                _ = wake.changed() => {},
                _ = tokio::time::sleep(wait) => {},
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
        }
    }
}
