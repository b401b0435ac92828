//! The `ingest` worker: group commit's one writer ([`GroupCommit::write_batches`]) on an OS
//! thread of its own ("ingest-writer", with a single-threaded Tokio runtime).
//!
//! A batch is a chain of round trips to SQLite (its connection runs on a thread of its
//! own); on the shared runtime the writer's turn after each one would wait behind the
//! request handlers' tasks, and under load that wait lengthened every commit. On its own
//! thread it is woken directly.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::domain::group_commit::GroupCommit;
use crate::worker::WorkerError;

/// Runs the writer until every sender of `queue` is gone or this future is dropped (the
/// runtime ends; the thread then stops after its current batch). A panic on the writer's
/// thread comes back as an error, so the supervisor restarts it; requests of the batch in
/// hand then are answered `InternalException` (their replies are dropped).
///
/// Errors: the thread could not start, its runtime could not be built, or it panicked.
pub async fn run(queue: Arc<GroupCommit>) -> Result<(), WorkerError> {
    let (done, result) = oneshot::channel();
    // Dropped with this future: the writer then stops.
    let (_alive, alive) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("ingest-writer".into())
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|runtime| {
                        runtime.block_on(queue.write_batches(alive, || {
                            Box::pin(crate::worker::hooks::checkpoint("ingest"))
                        }))
                    })
            }));
            let _ = done.send(match outcome {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => Err(format!("the ingest writer's runtime: {err}")),
                Err(panic) => Err(format!(
                    "the ingest writer panicked: {}",
                    crate::worker::supervisor::panic_message(panic.as_ref())
                )),
            });
        })?;
    match result.await {
        Ok(outcome) => outcome.map_err(Into::into),
        Err(_) => Err("the ingest writer's thread ended without an answer".into()),
    }
}
