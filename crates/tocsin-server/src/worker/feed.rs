//! The feed tailer: one task reads new change-feed rows once and fans them out to every
//! open stream (`GET /v1/stream`) as shared, reference-counted batches.
//!
//! Before it, every commit made every stream query the database; with thousands of streams
//! that queued writers behind stream readers on the connection pool. Now a commit wakes
//! the tailer alone, which reads the rows after its position, renders each entry's SSE
//! `data:` once, publishes the position and then sends the batch on a bounded broadcast
//! channel. A stream subscribes first, reads the position, catches up from the database to
//! that position, and from then on takes batches from the channel, skipping ids it already
//! sent, so no entry is missed or sent twice however the two interleave (see
//! [`FeedHub::position`]). A stream that falls [`CHANNEL_BATCHES`] batches behind is told
//! so and closed; its client resumes with `Last-Event-ID`. Writers never wait for streams.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::store::{FeedRow, StoreResult};
use crate::worker::{WorkerContext, WorkerError};

/// Rows read per database query, by the tailer and by a stream catching up.
pub const READ_BATCH: i64 = 500;

/// Batches a stream may fall behind before it is closed (its client resumes).
pub const CHANNEL_BATCHES: usize = 1024;

/// One change-feed entry, ready to send: `id` and the SSE `data:` text (the entry as JSON,
/// `{"id":…,"at":…,"change":{…}}`, as [`tocsin_api::native::ChangeFeedEntry`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The entry id (strictly increasing in commit order).
    pub id: i64,
    /// The JSON text of the whole entry.
    pub data: String,
}

impl Rendered {
    /// Renders a stored row without decoding its body (it was written as JSON by
    /// `append_change`), so one unreadable row cannot stop the feed.
    pub fn of(row: &FeedRow) -> Self {
        if serde_json::from_str::<serde::de::IgnoredAny>(&row.body).is_ok() {
            Self::readable(row)
        } else {
            Self::with_change(row, r#"{"kind":"unreadable","data":{}}"#)
        }
    }

    /// Renders a row whose body is known to be JSON.
    fn readable(row: &FeedRow) -> Self {
        Self::with_change(row, &row.body)
    }

    fn with_change(row: &FeedRow, change: &str) -> Self {
        let at = serde_json::Number::from_f64(row.at)
            .map(|n| n.to_string())
            .unwrap_or_else(|| "0".into());
        Rendered {
            id: row.id,
            data: format!("{{\"id\":{},\"at\":{at},\"change\":{change}}}", row.id),
        }
    }
}

/// A batch of entries in id order, shared by every stream.
pub type Batch = Arc<Vec<Rendered>>;

/// Where the tailer stands and the channel it sends on. Cheap to share.
pub struct FeedHub {
    sender: broadcast::Sender<Batch>,
    position: watch::Sender<i64>,
}

impl FeedHub {
    /// A hub whose tailer starts after entry `position` (the newest id at start-up).
    pub fn new(position: i64) -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_BATCHES);
        let (position, _) = watch::channel(position);
        FeedHub { sender, position }
    }

    /// A receiver of every batch sent from now on. Subscribe **before** reading
    /// [`FeedHub::position`]: every entry above the position read afterwards arrives on it.
    pub fn subscribe(&self) -> broadcast::Receiver<Batch> {
        self.sender.subscribe()
    }

    /// The newest id the tailer has published. The tailer updates it before sending the
    /// batch, so an entry at or below it is in the database for a stream to read, and an
    /// entry above it is sent after the position was read.
    pub fn position(&self) -> i64 {
        *self.position.borrow()
    }

    /// Waits until the position reaches `id` or `timeout` passes; `true` when reached.
    pub async fn wait_for(&self, id: i64, timeout: Duration) -> bool {
        let mut rx = self.position.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|p| *p >= id))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Streams subscribed now.
    pub fn receivers(&self) -> usize {
        self.sender.receiver_count()
    }

    fn publish(&self, batch: Vec<Rendered>) {
        if let Some(last) = batch.last() {
            self.position.send_replace(last.id);
            // No receiver is not an error: nobody is watching.
            let _ = self.sender.send(Arc::new(batch));
        }
    }
}

/// The tailer worker (runs under the supervisor as `feed`).
#[derive(Clone)]
pub struct FeedTailer {
    /// Store and shutdown.
    pub ctx: WorkerContext,
    /// Where it publishes.
    pub hub: Arc<FeedHub>,
    /// Counts what was committed (`/metrics`).
    pub observer: Arc<crate::metrics::Observer>,
}

impl FeedTailer {
    /// Reads what was committed after the hub's position and publishes it; returns how
    /// many entries.
    pub async fn pass(&self) -> StoreResult<usize> {
        let mut total = 0;
        loop {
            let rows = self
                .ctx
                .store
                .feed_rows_after(self.hub.position(), READ_BATCH)
                .await?;
            let n = rows.len();
            total += n;
            // Each body is parsed once: a readable change is counted and sent as stored;
            // anything else goes through `Rendered::of`'s check.
            let rendered = rows
                .iter()
                .map(|row| {
                    if self.observer.observe_stored(&row.body) {
                        Rendered::readable(row)
                    } else {
                        Rendered::of(row)
                    }
                })
                .collect();
            self.hub.publish(rendered);
            if (n as i64) < READ_BATCH {
                return Ok(total);
            }
        }
    }

    /// Follows the feed until shutdown: a pass after every commit, and every 5 s (another
    /// node's commits once the store is shared).
    pub async fn run(self) -> Result<(), WorkerError> {
        let mut wake = self.ctx.store.subscribe();
        loop {
            if *self.ctx.shutdown.borrow() {
                return Ok(());
            }
            if let Err(err) = self.pass().await {
                tracing::warn!(%err, "feed tailer pass failed; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
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
