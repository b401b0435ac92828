//! Group commit for `PutEvents`: concurrent requests share one write transaction and one
//! fsync.
//!
//! A request is validated, matched against the rules and rendered **before** it queues
//! ([`put_events`]); the one writer task ([`GroupCommit::run`]) takes whatever is queued (up
//! to [`MAX_BATCH`] requests), opens one transaction, writes each request's events and
//! effects between a savepoint and its release, commits once, and only then answers every
//! request in the batch. Nothing is acknowledged before its commit. A request whose writes
//! fail is rolled back to its savepoint and fails alone; the others commit. When the commit
//! itself fails, every request in the batch gets the error and none was acknowledged.
//!
//! The batch grows with the load by itself: while one commit's fsync runs, the next
//! requests queue, and the next transaction takes them all.

use std::sync::Arc;

use tocsin_api::events::{PutEventsRequest, PutEventsResponse};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::events::{self, Accepted};
use crate::domain::identity::Caller;
use crate::domain::matcher::CompiledRules;
use crate::store::Store;

/// Requests one transaction takes at most.
pub const MAX_BATCH: usize = 256;

/// Requests waiting for the writer at most; more wait to queue (back-pressure).
const QUEUE: usize = 4096;

/// One queued request.
struct Job {
    rules: Arc<CompiledRules>,
    caller: Caller,
    accepted: Vec<Accepted>,
    reply: oneshot::Sender<ApiResult<()>>,
}

/// The queue and its writer. Cheap to share (`Arc`).
pub struct GroupCommit {
    sender: mpsc::Sender<Job>,
    receiver: Mutex<mpsc::Receiver<Job>>,
    store: Arc<dyn Store>,
    config: Arc<ServerConfig>,
}

impl GroupCommit {
    /// A queue writing to `store`. Start [`GroupCommit::run`] (under the supervisor).
    pub fn new(store: Arc<dyn Store>, config: Arc<ServerConfig>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        GroupCommit {
            sender,
            receiver: Mutex::new(receiver),
            store,
            config,
        }
    }

    /// The writer: batches, writes and commits until every sender is gone. It keeps going
    /// through a graceful shutdown, so requests still in flight then are committed and
    /// answered; it ends with the runtime. Restarted by the supervisor after a panic; the
    /// queue survives it.
    ///
    /// Errors: none of its own; a failing batch is answered with its error.
    pub async fn run(self: Arc<Self>) -> Result<(), crate::domain::error::BoxError> {
        let mut receiver = self.receiver.lock().await;
        loop {
            let Some(first) = receiver.recv().await else {
                return Ok(());
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.write(batch).await;
        }
    }

    /// Writes one batch in one transaction and answers each request after the commit.
    async fn write(&self, batch: Vec<Job>) {
        metrics::histogram!("tocsin_group_commit_batch_size").record(batch.len() as f64);
        let mut tx = match self.store.write().await {
            Ok(tx) => tx,
            Err(err) => {
                let reason = err.to_string();
                for job in batch {
                    let _ = job
                        .reply
                        .send(Err(ApiError::Internal(reason.clone().into())));
                }
                return;
            }
        };
        let mut outcomes = Vec::with_capacity(batch.len());
        for job in batch {
            let outcome = async {
                tx.savepoint().await?;
                match events::ingest(
                    tx.as_mut(),
                    &job.rules,
                    &self.config,
                    &job.caller,
                    job.accepted,
                )
                .await
                {
                    Ok(_) => {
                        tx.release_savepoint().await?;
                        Ok(())
                    }
                    Err(err) => {
                        tx.rollback_to_savepoint().await?;
                        Err(err)
                    }
                }
            }
            .await;
            outcomes.push((job.reply, outcome));
        }
        match tx.commit().await {
            Ok(()) => {
                for (reply, outcome) in outcomes {
                    let _ = reply.send(outcome);
                }
            }
            Err(err) => {
                let reason = err.to_string();
                for (reply, _) in outcomes {
                    let _ = reply.send(Err(ApiError::Internal(reason.clone().into())));
                }
            }
        }
    }
}

/// Handles `PutEvents` (EventBridge 2015-10-07) through group commit: validates the batch
/// (1-10 entries, 256 KiB) and each entry (a refused entry gets its `ErrorCode` in the
/// results, in request order), matches and renders the accepted events, queues them, and
/// answers after the commit that stored them and every effect of their matches.
///
/// Errors: `ValidationException` for a bad batch; `InternalException` when the commit
/// failed (nothing of this request was stored).
pub async fn put_events(
    queue: &GroupCommit,
    rules: Arc<CompiledRules>,
    config: &ServerConfig,
    caller: &Caller,
    req: PutEventsRequest,
) -> ApiResult<PutEventsResponse> {
    let (results, mut accepted) = events::accept_request(config, &rules, &req)?;
    if accepted.is_empty() {
        return Ok(events::respond(results, Vec::new()));
    }
    for a in &mut accepted {
        a.prepare(&rules);
    }
    let ids = events::accepted_ids(&accepted);
    let (reply, answer) = oneshot::channel();
    let job = Job {
        rules,
        caller: caller.clone(),
        accepted,
        reply,
    };
    queue
        .sender
        .send(job)
        .await
        .map_err(|_| ApiError::Internal("the ingest writer stopped".into()))?;
    answer
        .await
        .map_err(|_| ApiError::Internal("the ingest writer stopped before the commit".into()))??;
    Ok(events::respond(results, ids))
}
