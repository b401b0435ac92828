//! Attempts in flight for an outbox worker (HTTP target deliveries, notifications, pages,
//! outbound webhooks): a bounded [`JoinSet`](tokio::task::JoinSet) of attempt tasks, at most
//! [`IN_FLIGHT`] at once and [`PER_HOST`] to one host, so a slow endpoint holds only its own
//! places and never the others'. Each attempt task reads its own answer and hands the
//! outcome (`T`) to the worker's one committer over a channel; the committer writes what
//! has arrived in one transaction and then [`FlightState::release`]s the ids, so an answered
//! request is never recorded as a time-out.
//!
//! A pass of the worker reads due rows, skips ids in flight and ids whose outcome was
//! committed after the rows were read (the row said PENDING but is not any more:
//! [`Flight::contains`]), and [`Flight::take`]s a place before spawning.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

/// Attempts in flight at once, over every endpoint.
pub const IN_FLIGHT: usize = 32;

/// Attempts in flight at once to one host (`host:port`, or a protocol's own key such as
/// the SMTP relay).
pub const PER_HOST: usize = 4;

/// Which ids are in flight, and to which hosts.
#[derive(Default)]
pub struct FlightState {
    ids: HashMap<i64, String>,
    hosts: HashMap<String, usize>,
    tasks: HashMap<tokio::task::Id, i64>,
    /// Ids whose outcome was committed since the current pass read the due rows.
    released: HashSet<i64>,
}

impl FlightState {
    /// Frees `id`'s place (its outcome is committed, or its task failed).
    pub fn release(&mut self, id: i64) {
        self.released.insert(id);
        if let Some(host) = self.ids.remove(&id)
            && let Some(n) = self.hosts.get_mut(&host)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.hosts.remove(&host);
            }
        }
    }
}

/// The attempts in flight: their tasks, places and the committer's channel.
pub struct Flight<T> {
    /// Shared with the committer, which releases places.
    pub state: Arc<Mutex<FlightState>>,
    tasks: Mutex<tokio::task::JoinSet<()>>,
    /// Where attempt tasks send their outcomes.
    pub outcomes: mpsc::UnboundedSender<T>,
}

impl<T: Send + 'static> Flight<T> {
    /// No attempt in flight; outcomes go to `outcomes`.
    pub fn new(outcomes: mpsc::UnboundedSender<T>) -> Self {
        Flight {
            state: Arc::default(),
            tasks: Mutex::default(),
            outcomes,
        }
    }

    /// Whether [`IN_FLIGHT`] places are taken.
    pub fn is_full(&self) -> bool {
        self.state.lock().map_or(true, |s| s.ids.len() >= IN_FLIGHT)
    }

    /// In flight, or its outcome was committed after this pass read the rows (the row
    /// read says PENDING but is not).
    pub fn contains(&self, id: i64) -> bool {
        self.state.lock().map_or(true, |s| {
            s.ids.contains_key(&id) || s.released.contains(&id)
        })
    }

    /// Called at the start of a pass, before it reads due rows.
    pub fn forget_released(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.released.clear();
        }
    }

    /// Takes a place for `id` to `host` ("" for no request): false when the host already
    /// has [`PER_HOST`] attempts in flight.
    pub fn take(&self, id: i64, host: &str) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        let n = s.hosts.get(host).copied().unwrap_or(0);
        if !host.is_empty() && n >= PER_HOST {
            return false;
        }
        s.ids.insert(id, host.to_owned());
        if !host.is_empty() {
            s.hosts.insert(host.to_owned(), n + 1);
        }
        true
    }

    /// Hands an outcome decided without a request to the committer.
    pub fn done(&self, outcome: T) {
        let _ = self.outcomes.send(outcome);
    }

    /// Runs an attempt for `id` (which holds a place) as a task.
    pub fn spawn(&self, id: i64, attempt: impl std::future::Future<Output = ()> + Send + 'static) {
        if let (Ok(mut tasks), Ok(mut s)) = (self.tasks.lock(), self.state.lock()) {
            let handle = tasks.spawn(attempt);
            s.tasks.insert(handle.id(), id);
        }
    }

    /// Collects finished attempt tasks; one that panicked frees its place (its row stays
    /// due and is attempted again).
    pub fn reap(&self) {
        let Ok(mut tasks) = self.tasks.lock() else {
            return;
        };
        while let Some(joined) = tasks.try_join_next_with_id() {
            let Ok(mut s) = self.state.lock() else {
                return;
            };
            match joined {
                Ok((task, ())) => {
                    s.tasks.remove(&task);
                }
                Err(err) => {
                    if let Some(id) = s.tasks.remove(&err.id()) {
                        tracing::warn!(id, %err, "an attempt task failed; it will be attempted again");
                        s.release(id);
                    }
                }
            }
        }
    }
}

/// The place key of a URL: `host:port` (empty when it does not parse).
pub fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .map(|u| {
            format!(
                "{}:{}",
                u.host_str().unwrap_or_default(),
                u.port_or_known_default().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// What an outbox worker's committer does with the outcomes its attempts send: record
/// each (the attempt counted, the next time decided) and write recorded outcomes in one
/// transaction, with or without the self-watching incident a dead letter opens.
#[async_trait::async_trait]
pub trait Committer: Send + Sync + 'static {
    /// What an attempt task sends: the row and how its attempt went.
    type Outcome: Send + 'static;
    /// The row with its attempt recorded, ready to write.
    type Recorded: Send + Sync;

    /// Records one attempt at `now` (and logs it).
    fn record(&self, outcome: Self::Outcome, now: f64) -> Self::Recorded;

    /// The row id whose place the outcome frees.
    fn id(recorded: &Self::Recorded) -> i64;

    /// Writes `recorded` in one transaction (with their feed entries; with `watch`, dead
    /// letters also open the self-watching incident).
    ///
    /// Errors: the store's or the incident engine's; nothing of the batch is written.
    async fn write(
        &self,
        recorded: &[Self::Recorded],
        watch: bool,
    ) -> Result<(), crate::domain::error::ApiError>;
}

/// Outcomes one committer transaction writes at most.
pub const COMMIT_BATCH: usize = 256;

/// The committer loop: writes as many arrived outcomes as are waiting (at most
/// [`COMMIT_BATCH`]) in one transaction, then frees their places. A batch that fails is
/// written one outcome per transaction, each first with its self-watching incident and
/// then without, so one bad outcome fails alone; one that cannot be written at all stays
/// due and its attempt repeats. Ends when every sender is gone.
pub async fn commit_outcomes<C: Committer>(
    committer: C,
    what: &'static str,
    mut outcomes: mpsc::UnboundedReceiver<C::Outcome>,
    flight: Arc<Mutex<FlightState>>,
) {
    while let Some(first) = outcomes.recv().await {
        let mut batch = vec![first];
        while batch.len() < COMMIT_BATCH {
            match outcomes.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let now = crate::clock::now();
        let recorded: Vec<C::Recorded> = batch
            .into_iter()
            .map(|o| committer.record(o, now))
            .collect();
        if let Err(err) = committer.write(&recorded, true).await {
            tracing::warn!(%err, what, n = recorded.len(), "committing outcomes failed; one at a time");
            for one in &recorded {
                let id = C::id(one);
                let one = std::slice::from_ref(one);
                if let Err(err) = committer.write(one, true).await {
                    tracing::warn!(%err, what, id, "recording an outcome with its self-watching incident failed; recording it alone");
                    if let Err(err) = committer.write(one, false).await {
                        tracing::warn!(%err, what, id, "outcome not recorded; the attempt will repeat");
                    }
                }
            }
        }
        if let Ok(mut f) = flight.lock() {
            for r in &recorded {
                f.release(C::id(r));
            }
        }
    }
}
