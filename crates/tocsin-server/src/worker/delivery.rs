//! The delivery worker: drains the outbox of HTTP target deliveries that ingest writes in
//! the same transaction as each event, so an acknowledged event's deliveries are never lost.
//!
//! Retryable: connection errors, timeouts, 401, 407, 409, 429 and 5xx (as EventBridge API
//! destinations); any other answer, or an address the outbound policy forbids, fails the
//! delivery at once. FAILED deliveries are the dead letters, listed by
//! `GET /v1/deliveries?status=FAILED`. Delivery is at least once: a crash between a
//! target's answer and the commit of its outcome repeats that attempt.
//!
//! Takes its dependencies explicitly ([`DeliveryWorker`]); runs under the supervisor.

use std::sync::Arc;

use futures::StreamExt;
use tocsin_api::native::{Change, Delivery};

use crate::clock;
use crate::domain::deliveries::{Attempt, record};
use crate::domain::targets::redacted_delivery;
use crate::outbound::{self, OutboundPolicy};
use crate::store::StoreResult;
use crate::worker::{WorkerContext, WorkerError};

/// Deliveries attempted at once.
const PARALLEL: usize = 8;

/// Makes one attempt.
pub async fn attempt(client: &reqwest::Client, policy: &OutboundPolicy, d: &Delivery) -> Attempt {
    let url = match outbound::check_url(&d.url, policy) {
        Ok(u) => u,
        Err(reason) => return Attempt::Fail(None, reason),
    };
    let content_type = if serde_json::from_str::<serde_json::Value>(&d.body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(d.body.clone());
    for (k, v) in &d.headers {
        request = request.header(k, v);
    }
    match request.send().await {
        Ok(response) => {
            let code = response.status().as_u16();
            if response.status().is_success() {
                Attempt::Delivered(code)
            } else if matches!(code, 401 | 407 | 409 | 429) || response.status().is_server_error() {
                Attempt::Retry(Some(code), format!("target answered {code}"))
            } else {
                Attempt::Fail(Some(code), format!("target answered {code}"))
            }
        }
        Err(err) => {
            let text = format!("{err:?}");
            if text.contains("may not reach") {
                Attempt::Fail(
                    None,
                    "the target's address may not be reached by outbound requests".into(),
                )
            } else {
                // Without the URL: its query string may carry a token.
                Attempt::Retry(None, format!("request failed: {}", err.without_url()))
            }
        }
    }
}

/// What the delivery worker needs.
#[derive(Clone)]
pub struct DeliveryWorker {
    /// The store holding the outbox, and the shutdown signal.
    pub ctx: WorkerContext,
    /// Where outbound requests may go.
    pub policy: Arc<OutboundPolicy>,
}

impl DeliveryWorker {
    /// One pass: attempts every due delivery and commits each outcome with its change-feed
    /// entry. Returns how many were attempted.
    pub async fn deliver_due(&self, client: &reqwest::Client) -> StoreResult<usize> {
        let due = self
            .ctx
            .store
            .read()
            .await?
            .due_deliveries(clock::now(), 64)
            .await?;
        let n = due.len();
        let policy = self.policy.as_ref();
        let mut outcomes = futures::stream::iter(due)
            .map(|d| async move {
                let outcome = attempt(client, policy, &d).await;
                (d, outcome)
            })
            .buffer_unordered(PARALLEL);
        while let Some((mut d, outcome)) = outcomes.next().await {
            let next = record(&mut d, outcome, clock::now());
            tracing::info!(delivery = d.id, status = d.status.as_str(), attempts = d.attempts, error = ?d.last_error, "delivery attempt");
            let mut tx = self.ctx.store.write().await?;
            tx.update_delivery(&d, next).await?;
            tx.append_change(&Change::DeliveryChanged(redacted_delivery(&d)))
                .await?;
            tx.commit().await?;
        }
        Ok(n)
    }

    /// Runs passes until shutdown, waking on new commits and when the next retry falls due.
    /// Returns an error (and is restarted by the supervisor) if the outbound client cannot
    /// be built.
    pub async fn run(self) -> Result<(), WorkerError> {
        let client = outbound::client(self.policy.clone()).map_err(|e| {
            WorkerError::from(format!("cannot build the outbound HTTP client: {e}"))
        })?;
        let outbox = Pass {
            worker: &self,
            client: &client,
        };
        self.ctx.drain_until_shutdown("delivery", &outbox).await;
        Ok(())
    }
}

/// One worker with its client, as the outbox loop drives it.
struct Pass<'a> {
    worker: &'a DeliveryWorker,
    client: &'a reqwest::Client,
}

#[async_trait::async_trait]
impl crate::worker::Outbox for Pass<'_> {
    async fn pass(&self) -> StoreResult<usize> {
        crate::worker::hooks::checkpoint("delivery").await;
        self.worker.deliver_due(self.client).await
    }

    async fn next_due(&self) -> StoreResult<Option<f64>> {
        self.worker.ctx.store.read().await?.next_delivery_at().await
    }
}
