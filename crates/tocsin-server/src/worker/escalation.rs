//! The escalation worker: acts on engagements and pages whose `wake_at` has come (an
//! escalation plan's next stage, a personal plan's next stage, a channel's retry), each in
//! its own transaction (see [`crate::domain::engagements`]). It sleeps until the soonest
//! `wake_at` or the next commit, so a restart acts at the original times, and a row it
//! cannot advance is retried a minute later instead of holding up the others.

use std::sync::Arc;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::engagements;
use crate::store::StoreResult;
use crate::worker::{WorkerContext, WorkerError};

/// Which kind of row is due.
#[derive(Debug, Clone, Copy)]
enum Row {
    Engagement,
    Page,
    Acknowledgement,
}

/// Advances due engagements and pages, and lapses expired acknowledgements.
#[derive(Clone)]
pub struct EscalationWorker {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// Settings (links in pages, account and region in ARNs).
    pub config: Arc<ServerConfig>,
}

impl EscalationWorker {
    async fn advance(&self, arn: &str, row: Row, now: f64) -> StoreResult<()> {
        let mut tx = self.ctx.store.write().await?;
        let result = match row {
            Row::Page => engagements::advance_page(tx.as_mut(), &self.config, arn, now).await,
            Row::Engagement => {
                engagements::advance_engagement(tx.as_mut(), &self.config, arn, now).await
            }
            Row::Acknowledgement => {
                match engagements::lapse_acknowledgement(tx.as_mut(), &self.config, arn, now).await
                {
                    Ok(true) => crate::domain::incidents::announce(tx.as_mut(), arn).await,
                    Ok(false) => Ok(()),
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(()) => tx.commit().await,
            Err(err) => {
                drop(tx);
                tracing::warn!(%err, arn, "could not advance; retrying in a minute");
                let later = Some(now + 60.0);
                let mut tx = self.ctx.store.write().await?;
                match row {
                    Row::Page => {
                        if let Some(mut p) = tx.page(arn).await? {
                            p.wake_at = later;
                            tx.put_page(&p).await?;
                        }
                    }
                    Row::Engagement => {
                        if let Some(mut e) = tx.engagement(arn).await? {
                            e.wake_at = later;
                            tx.put_engagement(&e).await?;
                        }
                    }
                    Row::Acknowledgement => {
                        if let Some(mut a) = tx.acknowledgement(arn).await? {
                            a.until = later;
                            tx.put_acknowledgement(arn, &a).await?;
                        }
                    }
                }
                tx.commit().await
            }
        }
    }

    /// One pass: advances everything due now; returns how many rows.
    pub async fn advance_due(&self) -> StoreResult<usize> {
        let now = clock::now();
        let due = self.ctx.store.read().await?.due_escalations(now).await?;
        for arn in &due.acknowledgements {
            self.advance(arn, Row::Acknowledgement, now).await?;
        }
        for arn in &due.engagements {
            self.advance(arn, Row::Engagement, now).await?;
        }
        for arn in &due.pages {
            self.advance(arn, Row::Page, now).await?;
        }
        Ok(due.acknowledgements.len() + due.engagements.len() + due.pages.len())
    }

    /// Runs until shutdown.
    pub async fn run(self) -> Result<(), WorkerError> {
        self.ctx.drain_until_shutdown("escalation", &self).await;
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::worker::Outbox for EscalationWorker {
    async fn pass(&self) -> StoreResult<usize> {
        self.advance_due().await
    }

    async fn next_due(&self) -> StoreResult<Option<f64>> {
        self.ctx.store.read().await?.next_escalation_at().await
    }
}
