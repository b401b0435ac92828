//! Group commit for ingest (`PutEvents`, receivers): concurrent requests share one write
//! transaction and one fsync.
//!
//! A request is validated, matched against the rules and rendered **before** it queues
//! ([`put_events`], [`GroupCommit::submit`]); the one writer ([`GroupCommit::write_batches`], on a thread of its own)
//! takes whatever is queued (up to [`MAX_BATCH`] requests), writes them all in one
//! transaction, commits once, and only then answers every request in the batch. Nothing is
//! acknowledged before its commit.
//!
//! Writes that can wait are held for the whole batch ([`events::Held`]): the `events` rows
//! and `eventReceived` entries of plain events (matching no rule) and of events whose only
//! effects are incident and HTTP targets go out in two multi-row statements, and triggers
//! merged into one open incident update it once per batch
//! ([`crate::domain::incidents::HeldIncidents`]), all before the commit.
//!
//! A request whose writes fail fails alone: the batch is first written straight through
//! (no savepoints: a savepoint and its release are two more round trips to SQLite per
//! request); if any request fails, that transaction is rolled back and the batch written
//! again with each request between a savepoint and its release, so the failing one is
//! rolled back to its savepoint and the others commit. When the commit itself fails, every
//! request in the batch gets the error and none was acknowledged.
//!
//! The batch grows with the load by itself: while one commit's fsync runs, the next
//! requests queue, and the next transaction takes them all.

use std::sync::Arc;

use async_trait::async_trait;
use tocsin_api::events::{PutEventsRequest, PutEventsResponse};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::events::{self, Accepted};
use crate::domain::identity::Caller;
use crate::domain::incidents;
use crate::domain::matcher::CompiledRules;
use crate::store::{Store, StoreTx};

/// Requests one transaction takes at most.
pub const MAX_BATCH: usize = 256;

/// Incidents what the held incident writes know may span and still be kept for the next
/// batch ([`GroupCommit::keep`]): a storm of distinct alarms reads again instead of copying a
/// growing state every batch.
const KEEP_AT_MOST: usize = 256;

/// Requests waiting for the writer at most; more wait to queue (back-pressure).
const QUEUE: usize = 4096;

/// What one request's writes produced, handed back after the commit.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// Stored; nothing to report beyond success (PutEvents knows its event ids).
    Stored,
    /// Stored: per event, its id and the incident it opened or merged into (receivers).
    Received(Vec<(String, Option<String>)>),
    /// Nothing written: the request repeats one already stored (a receiver's delivery id
    /// seen before).
    Repeat,
}

/// One request's writes, run in the shared transaction. It may run twice (the second time
/// between a savepoint and its release, when another request of its batch failed), so it
/// reads what it writes from `&self` and keeps no state between runs.
#[async_trait]
pub trait Work: Send + Sync {
    /// Writes the request in `tx`; plain events' writes may be left in `plain`
    /// ([`events::Held`]), which the writer flushes before the commit.
    ///
    /// Errors: whatever refuses this request; only it is rolled back.
    async fn write(&self, tx: &mut dyn StoreTx, plain: &mut events::Held) -> ApiResult<Written>;

    /// Holds the request's writes in `plain` without the database when all of them can be
    /// (plain events only: [`events::hold_plain`]), and answers what [`Work::write`] would;
    /// `None` (nothing held) when the request needs the transaction. A batch made only of
    /// such requests skips the transaction API ([`events::Held::write_alone`]).
    fn hold(&self, _plain: &mut events::Held) -> Option<Written> {
        None
    }
}

/// One queued request.
struct Job {
    work: Box<dyn Work>,
    reply: oneshot::Sender<Answer>,
}

/// What the writer hands back: the outcome, and the work itself, so that the request's
/// task frees what it allocated. Freed on the writer's thread, every request's buffers
/// went back to another thread's malloc arena under that arena's lock, contending with the
/// requests being parsed there (a tenth of the writer's time, `docs/benchmarks.md`).
type Answer = (ApiResult<Written>, Box<dyn Work>);

/// The queue and its writer. Cheap to share (`Arc`).
pub struct GroupCommit {
    sender: mpsc::Sender<Job>,
    receiver: Mutex<mpsc::Receiver<Job>>,
    store: Arc<dyn Store>,
    /// What the last batch's held incident writes knew, and the generation the next
    /// transaction must have for it to hold ([`GroupCommit::straight_through`]).
    known: std::sync::Mutex<Option<(u64, incidents::HeldIncidents)>>,
}

impl GroupCommit {
    /// A queue writing to `store`. Start its writer with [`crate::worker::ingest::run`] (under the supervisor).
    pub fn new(store: Arc<dyn Store>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        GroupCommit {
            sender,
            receiver: Mutex::new(receiver),
            store,
            known: std::sync::Mutex::new(None),
        }
    }

    /// Queues `work` and waits until the commit that stored it (or the error that refused
    /// it). Whatever can be checked without the database must be checked before this.
    ///
    /// Errors: the work's own error; `InternalException` when the commit failed or the
    /// writer stopped (nothing of this request was stored).
    pub async fn submit(&self, work: Box<dyn Work>) -> ApiResult<Written> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Job { work, reply })
            .await
            .map_err(|_| ApiError::Internal("the ingest writer stopped".into()))?;
        let (outcome, work) = answer.await.map_err(|_| {
            ApiError::Internal("the ingest writer stopped before the commit".into())
        })?;
        drop(work);
        outcome
    }

    /// The writer's loop: takes whatever is queued (up to [`MAX_BATCH`] requests), writes
    /// it, commits, answers, then awaits `after_batch` (a test hook); until every sender is
    /// gone or `alive` closes. It keeps going through a graceful shutdown, so requests still
    /// in flight then are committed and answered. Run by [`crate::worker::ingest`] on a
    /// thread of its own, under the supervisor; the queue survives a restart.
    ///
    /// Errors: none of its own; a failing batch is answered with its error.
    pub async fn write_batches<F>(&self, mut alive: oneshot::Receiver<()>, after_batch: F)
    where
        F: Fn() -> futures::future::BoxFuture<'static, ()>,
    {
        let mut receiver = self.receiver.lock().await;
        loop {
            let first = tokio::select! {
                job = receiver.recv() => match job {
                    Some(job) => job,
                    None => return,
                },
                _ = &mut alive => return,
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.write(batch).await;
            after_batch().await;
        }
    }

    /// Writes one batch in one transaction and answers each request after the commit.
    async fn write(&self, batch: Vec<Job>) {
        metrics::histogram!("tocsin_group_commit_batch_size").record(batch.len() as f64);
        let started = std::time::Instant::now();
        let outcomes = match self.held_alone(&batch).await {
            Some(written) => Ok(written.into_iter().map(Ok).collect()),
            None => match self.straight_through(&batch).await {
                Ok(written) => Ok(written.into_iter().map(Ok).collect()),
                Err(()) => self.one_by_one(&batch).await,
            },
        };
        metrics::histogram!("tocsin_group_commit_seconds").record(started.elapsed());
        match outcomes {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send((outcome, job.work));
                }
            }
            Err(reason) => {
                for job in batch {
                    let _ = job
                        .reply
                        .send((Err(ApiError::Internal(reason.clone().into())), job.work));
                }
            }
        }
    }

    /// Writes the batch with [`events::Held::write_alone`] when every request holds all its
    /// writes ([`Work::hold`]), starting from what the last batch's merges knew (so a
    /// repeating alarm's merges need no transaction either). `None` when one does not, or
    /// the write did not happen (nothing was stored: the transaction paths then write the
    /// batch and answer any error); what was known is kept for them unless the write failed.
    async fn held_alone(&self, batch: &[Job]) -> Option<Vec<Written>> {
        let known = self.known.lock().ok().and_then(|mut k| k.take());
        let mut plain = match &known {
            Some((_, incidents)) => events::Held::knowing(incidents.clone()),
            None => events::Held::default(),
        };
        let generation = known.as_ref().map(|(g, _)| *g);
        let Some(written) = batch
            .iter()
            .map(|job| job.work.hold(&mut plain))
            .collect::<Option<Vec<Written>>>()
        else {
            self.keep(known);
            return None;
        };
        match plain.write_alone(self.store.as_ref(), generation).await {
            Ok(true) => {
                // Written without a transaction: the store's generation did not move.
                self.keep(generation.map(|g| (g, plain.into_incidents())));
                Some(written)
            }
            Ok(false) => {
                self.keep(known);
                None
            }
            Err(err) => {
                tracing::warn!(%err, "a batch of held events failed; writing it again request by request");
                None
            }
        }
    }

    /// Keeps what the held incident writes know for the next batch, unless it knows more
    /// than [`KEEP_AT_MOST`] incidents (a batch starts from a copy of it: the copy stays
    /// small, and so does what is kept while nothing else commits).
    fn keep(&self, known: Option<(u64, incidents::HeldIncidents)>) {
        let known = known.filter(|(_, incidents)| incidents.incidents_known() <= KEEP_AT_MOST);
        if let Ok(mut slot) = self.known.lock() {
            *slot = known;
        }
    }

    /// Writes every request without savepoints and commits. `Err(())` when a request
    /// failed (the transaction was rolled back: try [`Self::one_by_one`]) or the
    /// transaction could not be opened or committed (so will it be there, which answers
    /// with the reason).
    ///
    /// What the held incident writes read and wrote is kept for the next batch
    /// ([`incidents::HeldIncidents::write`]) with this transaction's generation, and that
    /// batch starts from it only when its own transaction comes right after this one's
    /// commit ([`StoreTx::generation`]); any failure forgets it.
    async fn straight_through(&self, batch: &[Job]) -> Result<Vec<Written>, ()> {
        let known = self.known.lock().map(|mut k| k.take()).unwrap_or(None);
        let mut tx = self.store.write().await.map_err(|_| ())?;
        let generation = tx.generation();
        let mut plain = match (known, generation) {
            (Some((after, incidents)), Some(now)) if after == now => {
                events::Held::knowing(incidents)
            }
            _ => events::Held::default(),
        };
        let mut written = Vec::with_capacity(batch.len());
        // Every request's plain events go out in two statements for the whole batch.
        for job in batch {
            written.push(
                job.work
                    .write(tx.as_mut(), &mut plain)
                    .await
                    .map_err(|_| ())?,
            );
        }
        plain.finish(tx.as_mut()).await.map_err(|_| ())?;
        tx.commit().await.map_err(|_| ())?;
        self.keep(generation.map(|now| (now + 1, plain.into_incidents())));
        Ok(written)
    }

    /// Writes each request between a savepoint and its release (a failing one is rolled
    /// back alone) and commits once. `Err(reason)` when the transaction could not be opened
    /// or committed: nothing was stored.
    async fn one_by_one(&self, batch: &[Job]) -> Result<Vec<ApiResult<Written>>, String> {
        let mut tx = self.store.write().await.map_err(|e| e.to_string())?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for job in batch {
            let outcome: ApiResult<Written> = async {
                tx.savepoint().await?;
                // Flushed inside the savepoint: a failing flush fails its own request.
                let mut plain = events::Held::default();
                let written = match job.work.write(tx.as_mut(), &mut plain).await {
                    Ok(written) => plain.flush(tx.as_mut()).await.map(|()| written),
                    Err(err) => Err(err),
                };
                match written {
                    Ok(written) => {
                        tx.release_savepoint().await?;
                        Ok(written)
                    }
                    Err(err) => {
                        tx.rollback_to_savepoint().await?;
                        Err(err)
                    }
                }
            }
            .await;
            outcomes.push(outcome);
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(outcomes)
    }
}

/// PutEvents' writes: accepted events (matched and rendered) and their effects.
struct PutEventsWork {
    rules: Arc<CompiledRules>,
    config: Arc<ServerConfig>,
    caller: Caller,
    accepted: Vec<Accepted>,
}

#[async_trait]
impl Work for PutEventsWork {
    async fn write(&self, tx: &mut dyn StoreTx, plain: &mut events::Held) -> ApiResult<Written> {
        events::ingest_holding(
            tx,
            &self.rules,
            &self.config,
            &self.caller,
            &self.accepted,
            plain,
        )
        .await?;
        Ok(Written::Stored)
    }

    fn hold(&self, plain: &mut events::Held) -> Option<Written> {
        events::hold_plain(&self.rules, &self.caller, &self.accepted, plain)
            .then_some(Written::Stored)
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
    config: &Arc<ServerConfig>,
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
    queue
        .submit(Box::new(PutEventsWork {
            rules,
            config: config.clone(),
            caller: caller.clone(),
            accepted,
        }))
        .await?;
    Ok(events::respond(results, ids))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::sqlite::SqliteStore;

    /// Stores one event; the one named `fail` writes its event, then fails.
    struct Insert {
        id: String,
        fail: bool,
    }

    #[async_trait]
    impl Work for Insert {
        async fn write(
            &self,
            tx: &mut dyn StoreTx,
            _plain: &mut events::Held,
        ) -> ApiResult<Written> {
            tx.insert_event(&self.id, "default", 1.0, "{}").await?;
            if self.fail {
                return Err(ApiError::Validation(format!("{} is refused", self.id)));
            }
            Ok(Written::Stored)
        }
    }

    /// Holds one plain event: written with the batch's direct write when every request
    /// holds, else in the transaction (counted in `WRITES`).
    struct Plain(String);

    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    #[async_trait]
    impl Work for Plain {
        async fn write(
            &self,
            _tx: &mut dyn StoreTx,
            plain: &mut events::Held,
        ) -> ApiResult<Written> {
            WRITES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            plain.hold_for_test(&self.0);
            Ok(Written::Stored)
        }

        fn hold(&self, plain: &mut events::Held) -> Option<Written> {
            plain.hold_for_test(&self.0);
            Some(Written::Stored)
        }
    }

    #[tokio::test]
    async fn a_refused_plain_batch_is_written_again_and_only_the_repeat_fails() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let queue = Arc::new(GroupCommit::new(Arc::new(store.clone())));
        let first = queue.submit(Box::new(Plain("e0".into())));
        let (_alive, writer) = start_writer(&queue);
        assert_eq!(first.await.unwrap(), Written::Stored);
        let writes = || WRITES.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(
            writes(),
            0,
            "a batch of plain events alone is written directly"
        );
        // One batch (the writer runs once this task waits): e0 repeats a stored event, so
        // the direct write fails as a whole; written again, only the repeat fails.
        let ids = ["e1", "e0", "e2"];
        let answers = futures::future::join_all(
            ids.iter()
                .map(|id| queue.submit(Box::new(Plain((*id).into())))),
        )
        .await;
        assert_eq!(answers[0].as_ref().ok(), Some(&Written::Stored));
        assert!(answers[1].is_err(), "{:?}", answers[1]);
        assert_eq!(answers[2].as_ref().ok(), Some(&Written::Stored));
        assert!(
            writes() >= 3,
            "written again in a transaction: {}",
            writes()
        );
        assert_eq!(stored(&store).await, vec!["e0", "e1", "e2"]);
        let feed = store.changes_after(0, 10).await.unwrap();
        assert_eq!(feed.len(), 3, "one eventReceived each, none for the repeat");
        writer.abort();
    }

    /// Runs `queue`'s writer on this runtime until the returned sender is dropped.
    fn start_writer(
        queue: &Arc<GroupCommit>,
    ) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let (alive_sender, alive) = oneshot::channel::<()>();
        let queue = queue.clone();
        let writer = tokio::spawn(async move {
            queue
                .write_batches(alive, || Box::pin(std::future::ready(())))
                .await
        });
        (alive_sender, writer)
    }

    async fn stored(store: &SqliteStore) -> Vec<String> {
        sqlx::query_scalar("SELECT event_id FROM events ORDER BY event_id")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_failing_request_fails_alone_and_its_batch_mates_commit() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let queue = Arc::new(GroupCommit::new(Arc::new(store.clone())));
        let (_alive, writer) = start_writer(&queue);
        let submits = (0..20).map(|i| {
            let queue = queue.clone();
            async move {
                let work = Insert {
                    id: format!("e{i:02}"),
                    fail: i == 7,
                };
                queue.submit(Box::new(work)).await
            }
        });
        let answers = futures::future::join_all(submits).await;
        for (i, answer) in answers.iter().enumerate() {
            if i == 7 {
                assert!(
                    matches!(answer, Err(ApiError::Validation(m)) if m.contains("e07")),
                    "{answer:?}"
                );
            } else {
                assert_eq!(answer.as_ref().ok(), Some(&Written::Stored), "{i}");
            }
        }
        let ids = stored(&store).await;
        assert_eq!(ids.len(), 19, "{ids:?}");
        assert!(
            !ids.contains(&"e07".to_owned()),
            "the failed request's write is rolled back"
        );
        writer.abort();
    }
}
