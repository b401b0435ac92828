//! Durable state behind one trait, so the engines never see SQL.
//!
//! A [`Store`] hands out transactions ([`StoreTx`]); every change an engine makes (an
//! incident, its timeline entry, the change-feed entry that announces it) goes through one
//! transaction and becomes visible, all of it or none, at [`StoreTx::commit`]. That is how
//! an acknowledged event stays durable, a match has exactly one effect, and the change feed
//! is written with the change.
//!
//! The embedded backend is SQLite ([`sqlite::SqliteStore`]); a PostgreSQL backend will
//! implement the same traits and pass the same tests.

pub mod postgres;
pub mod sqlite;

use async_trait::async_trait;
use tocsin_api::audit::{AuditEntry, AuditQuery};
use tocsin_api::auth::AccessKey;
use tocsin_api::events::{Rule, Target};
use tocsin_api::incidents::{
    GetResponsePlanOutput, IncidentRecord, IncidentRecordStatus, RelatedItem, TimelineEvent,
};
use tocsin_api::native::{Change, ChangeFeedEntry, Delivery, DeliveryStatus};
use tocsin_api::ssm::StepExecution;

pub use contacts::{
    ContactStore, DueEscalations, EngagementStore, StoredChannel, StoredContact, StoredEngagement,
    StoredPage,
};
pub use notify::{NotifyStore, OutMessage, StoredNotification, StoredSubscription, StoredTopic};
pub use receivers::{
    AlertSource, ArchiveStore, PolicyStore, ReceiverStore, ReplicationStore, ResourceStore,
    SilenceState, StoredHeartbeat, StoredReceiver, StoredSilence, StoredSuppression, StoredWindow,
    TagStore, WatchStore,
};
pub use runbooks::{
    Decision, RunAs, StoredDocumentHead, StoredDocumentVersion, StoredExecution, Wait, WaitKind,
};

mod contacts;
mod notify;
mod receivers;
mod runbooks;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed (I/O, locking, constraint other than uniqueness).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// SQLite refused or failed on the ingest writer's direct connection
    /// ([`Store::write_events_announced`]).
    #[error("database error: {0}")]
    Direct(#[from] rusqlite::Error),
    /// A uniqueness constraint failed; the string names what already exists.
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// A stored document no longer parses (a bug or a hand-edited database).
    #[error("stored document is corrupt: {0}")]
    Corrupt(String),
    /// The database URL names a backend this build does not have.
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// A response plan as stored: the `GetResponsePlan` shape plus bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPlan {
    /// The plan, exactly as `GetResponsePlan` returns it.
    pub plan: GetResponsePlanOutput,
    /// Creation time, epoch seconds.
    pub created_at: f64,
    /// Last update, epoch seconds.
    pub updated_at: f64,
}

/// An incident as stored: the `IncidentRecord` plus the plan it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredIncident {
    /// The record, exactly as `GetIncidentRecord` returns it.
    pub record: IncidentRecord,
    /// ARN of the response plan that opened it.
    pub response_plan_arn: String,
}

/// Which incidents to list (the `ListIncidentRecords` filters Tocsin evaluates in the store).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentQuery {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<IncidentRecordStatus>,
    /// Any of these impacts (empty: all).
    pub impacts: Vec<i32>,
    /// Created strictly after, epoch seconds.
    pub created_after: Option<f64>,
    /// Created strictly before, epoch seconds.
    pub created_before: Option<f64>,
    /// Any of these creators (`incidentRecordSource.createdBy`; empty: all).
    pub created_by: Vec<String>,
    /// Matches nothing (filters on one key that no value satisfies together).
    pub nothing: bool,
    /// Rows to skip (the page token).
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// Which timeline entries of an incident to list, and in which order (the
/// `ListTimelineEvents` filters Tocsin evaluates in the store).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineQuery {
    /// Any of these event types (empty: all).
    pub event_types: Vec<String>,
    /// Strictly after, epoch seconds.
    pub after: Option<f64>,
    /// Strictly before, epoch seconds.
    pub before: Option<f64>,
    /// Newest first.
    pub descending: bool,
    /// Matches nothing (filters on one key that no value satisfies together).
    pub nothing: bool,
    /// Rows to skip (the page token).
    pub offset: i64,
    /// Rows to return.
    pub limit: i64,
}

/// A rule with its targets, as the matcher is built from.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleWithTargets {
    /// The rule.
    pub rule: Rule,
    /// Its targets, ordered by id.
    pub targets: Vec<Target>,
}

/// What retention deletes (see [`crate::worker::retention`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiring {
    /// Stored events (`events`, by receipt time); archives keep their own.
    Events,
    /// Change-feed entries (by commit time); raises the feed floor.
    Feed,
    /// Deliveries that were delivered (by their last attempt); dead letters stay.
    Delivered,
    /// `clientToken` idempotency records (by first use).
    ClientTokens,
}

impl Expiring {
    /// Every kind, in the order the retention job visits them.
    pub const ALL: [Expiring; 4] = [
        Expiring::Events,
        Expiring::Feed,
        Expiring::Delivered,
        Expiring::ClientTokens,
    ];

    /// The name used in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Expiring::Events => "events",
            Expiring::Feed => "change_feed",
            Expiring::Delivered => "deliveries",
            Expiring::ClientTokens => "client_tokens",
        }
    }
}

/// Who is told about a commit: the newest change-feed id, once it is committed. Shared by
/// the backends.
#[derive(Debug)]
pub(crate) struct Wakes {
    /// After every commit that appended to the feed ([`Store::subscribe`]).
    pub(crate) every: tokio::sync::watch::Sender<i64>,
    /// After every such commit but those of plain events ([`Store::subscribe_work`]).
    pub(crate) work: tokio::sync::watch::Sender<i64>,
}

impl Wakes {
    /// Both at `latest`, the newest id committed before this process started.
    pub(crate) fn new(latest: i64) -> Self {
        Self {
            every: tokio::sync::watch::channel(latest).0,
            work: tokio::sync::watch::channel(latest).0,
        }
    }

    /// Moves the newest id forward to `id` (never back: with several nodes, notifications
    /// may arrive out of order), `work` too when `wake_work`.
    pub(crate) fn advance(&self, id: i64, wake_work: bool) {
        let forward = |v: &mut i64| {
            let moved = id > *v;
            if moved {
                *v = id;
            }
            moved
        };
        self.every.send_if_modified(forward);
        if wake_work {
            self.work.send_if_modified(forward);
        }
    }
}

/// One stored change-feed row, body undecoded (`SELECT id, at, body FROM change_feed`, read
/// by `sqlx::query_as` on either backend).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FeedRow {
    /// The entry id (strictly increasing in commit order, never reused).
    pub id: i64,
    /// Commit time, epoch seconds.
    pub at: f64,
    /// The [`Change`] as stored (JSON text).
    pub body: String,
}

/// The scheduler lease: the right to run the workers whose work must be done once across
/// every node on a database (HTTP deliveries, notifications, runbook steps, escalation
/// stages, heartbeats and maintenance windows, archives and replays, retention). Held until
/// dropped or lost.
#[async_trait]
pub trait SchedulerLease: Send {
    /// Resolves when the lease is lost (PostgreSQL: its session stopped answering, so
    /// another node may take it over); never for a lease that cannot be lost (SQLite: one
    /// process per database file).
    async fn lost(&mut self);
}

/// The lease of a store with one node: granted at once, never lost.
struct SoleNode;

#[async_trait]
impl SchedulerLease for SoleNode {
    async fn lost(&mut self) {
        std::future::pending::<()>().await;
    }
}

/// A source of transactions and of the change feed.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Waits until this node holds the [`SchedulerLease`]. The default grants it at once (a
    /// database only one node uses); PostgreSQL hands it to one node at a time, and to
    /// another when that node's session ends (`kill -9`, a lost network).
    ///
    /// Errors: database errors; the caller tries again.
    async fn scheduler_lease(&self) -> StoreResult<Box<dyn SchedulerLease>> {
        Ok(Box::new(SoleNode))
    }

    /// Begins a write transaction. Writers are serialised; readers are not blocked.
    async fn write(&self) -> StoreResult<Box<dyn StoreTx>>;
    /// Begins a read-only view (dropped without commit).
    async fn read(&self) -> StoreResult<Box<dyn StoreTx>>;
    /// Change-feed entries with `id > after`, oldest first, at most `limit`: the rows of
    /// [`Store::feed_rows_after`], decoded.
    ///
    /// Errors: database errors; `Corrupt` for a body that no longer parses.
    async fn changes_after(&self, after: i64, limit: i64) -> StoreResult<Vec<ChangeFeedEntry>> {
        self.feed_rows_after(after, limit)
            .await?
            .into_iter()
            .map(|row| {
                Ok(ChangeFeedEntry {
                    id: row.id,
                    at: row.at,
                    change: serde_json::from_str(&row.body)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }
    /// The newest change-feed id (0 when the feed is empty).
    async fn latest_change_id(&self) -> StoreResult<i64>;
    /// Stored change-feed rows with `id > after`, oldest first, at most `limit`, with their
    /// bodies as stored (JSON of [`Change`], not decoded): what the feed tailer fans out.
    async fn feed_rows_after(&self, after: i64, limit: i64) -> StoreResult<Vec<FeedRow>>;
    /// The feed's floor: every entry with an id at or below it was deleted by retention
    /// (0 when none was). A stream resuming below it has missed entries for good.
    async fn feed_floor(&self) -> StoreResult<i64>;
    /// Work waiting, by queue name: `deliveries` and `notifications` pending, `runbooks`
    /// (automation executions), `engagements` and `pages` with a wake-up (`/metrics`).
    async fn queue_depths(&self) -> StoreResult<Vec<(&'static str, i64)>>;
    /// A receiver that sees the newest committed change-feed id change after each commit:
    /// what the feed tailer follows.
    fn subscribe(&self) -> tokio::sync::watch::Receiver<i64>;

    /// Moves committed writes from the store's log into the database proper, off the
    /// writers' path (the checkpoint job, [`crate::worker::checkpoint`], every 0.5 s). SQLite
    /// checkpoints its WAL; the default does nothing.
    ///
    /// Errors: database errors; the next call tries again.
    async fn checkpoint(&self) -> StoreResult<()> {
        Ok(())
    }

    /// Like [`Store::subscribe`], but commits of [`Store::write_events_announced`] (plain
    /// events: stored and announced, nothing for a worker to do) do not move it: what the
    /// workers wake on. Thousands of such commits a second would otherwise wake every
    /// worker for a pass each. The default is [`Store::subscribe`].
    fn subscribe_work(&self) -> tokio::sync::watch::Receiver<i64> {
        self.subscribe()
    }

    /// Stores `events` (`(event_id, event_bus_name, received_at, body)`) and appends
    /// `changes` to the change feed in a write transaction of their own, and commits it: what
    /// group commit does with a batch made only of plain events, its hottest path. The
    /// default is [`Store::write`], [`EventStore::insert_events_announced`] and the commit;
    /// SQLite writes through a connection of its own, on the calling thread, with no round
    /// trip to a connection thread per statement, so the caller's thread is blocked for the
    /// write (the ingest writer has a thread to itself).
    ///
    /// Errors: database errors; nothing was stored then.
    async fn write_events_announced(
        &self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<()> {
        events_announced_in_tx(self, events, changes).await
    }

    /// [`Store::write_events_announced`] together with `known` (timeline entries and
    /// incidents overwritten as given), in one transaction, but only if the store is still
    /// at `generation` ([`StoreTx::generation`]: the generation after the commit whose
    /// reads and writes `known` was worked out from), checked under the writer lock.
    /// Answers whether it wrote; `false` (nothing written) when something else committed
    /// meanwhile or the backend cannot tell (the default, and PostgreSQL's: other nodes
    /// write), so the caller writes the batch through a transaction instead. The store's
    /// generation does not move: `known` is what the caller already knows.
    ///
    /// Errors: database errors; nothing was stored then.
    async fn write_known(
        &self,
        _events: &[(String, String, f64, String)],
        _changes: &[Change],
        _known: &KnownWrites,
        _generation: u64,
    ) -> StoreResult<bool> {
        Ok(false)
    }
}

/// Incident writes that need no read: what group commit's merges into open incidents it
/// already knows make ([`crate::domain::incidents::HeldIncidents`]), for
/// [`Store::write_known`].
#[derive(Debug, Default, Clone, PartialEq)]
pub struct KnownWrites {
    /// Timeline entries to overwrite (a folded "Trigger Deduplicated" entry), by id.
    pub timeline: Vec<TimelineEvent>,
    /// Incidents to overwrite (their `lastModifiedTime`/`By`), by ARN.
    pub incidents: Vec<StoredIncident>,
}

/// [`Store::write_events_announced`] through a write transaction: its default, and
/// SQLite's for an in-memory database.
pub(crate) async fn events_announced_in_tx<S: Store + ?Sized>(
    store: &S,
    events: &[(String, String, f64, String)],
    changes: &[Change],
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    tx.insert_events_announced(events, changes).await?;
    tx.commit().await
}

/// One transaction over every aggregate. Dropping it without [`StoreTx::commit`] rolls
/// everything back. Backends implement one small trait per aggregate ([`FeedStore`],
/// [`PlanStore`], [`IncidentStore`], [`RuleStore`], [`EventStore`], [`DeliveryStore`],
/// [`KeyStore`], [`AuditStore`]); the
/// engines see this one object, so a change and its change-feed entry always share a
/// transaction.
#[async_trait]
pub trait StoreTx:
    FeedStore
    + PlanStore
    + IncidentStore
    + RuleStore
    + EventStore
    + DeliveryStore
    + KeyStore
    + AuditStore
    + DocumentStore
    + AutomationStore
    + WebhookStore
    + ServiceRoleStore
    + NotifyStore
    + ContactStore
    + EngagementStore
    + ReceiverStore
    + WatchStore
    + TagStore
    + ReplicationStore
    + PolicyStore
    + ResourceStore
    + ArchiveStore
    + Send
{
    /// Makes every change durable and visible at once, then wakes change-feed readers.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Marks a point [`StoreTx::rollback_to_savepoint`] can undo back to (one at a time:
    /// group commit puts each request's writes between a savepoint and its release).
    async fn savepoint(&mut self) -> StoreResult<()>;
    /// Keeps what was written since the savepoint.
    async fn release_savepoint(&mut self) -> StoreResult<()>;
    /// Undoes what was written since the savepoint; the rest of the transaction stays.
    async fn rollback_to_savepoint(&mut self) -> StoreResult<()>;

    /// A write transaction's place in the database's history of commits, when the backend
    /// knows it: the number of write transactions committed before this one began
    /// (this one's commit makes it one more). Two transactions whose generations differ by
    /// exactly one had no other commit between them, so what the first read and wrote is
    /// still what the database holds when the second begins (group commit keeps what it
    /// knows of merged-into incidents from batch to batch on this:
    /// [`crate::domain::incidents::HeldIncidents`]). The direct writes of plain events
    /// ([`Store::write_events_announced`]) do not count: they add events and their feed
    /// entries and change nothing else.
    ///
    /// `None` for read transactions, and on PostgreSQL, where other nodes commit without
    /// this process knowing.
    fn generation(&self) -> Option<u64> {
        None
    }
}

/// The change feed and the idempotency tokens written with the changes they announce.
#[async_trait]
pub trait FeedStore: Send {
    /// Deletes at most `limit` rows of `what` older than `before` (epoch seconds), oldest
    /// first; returns how many. Retention calls it in small transactions.
    async fn prune_expired(&mut self, what: Expiring, before: f64, limit: i64) -> StoreResult<u64>;
    /// Appends a change-feed entry; returns its id.
    async fn append_change(&mut self, change: &Change) -> StoreResult<i64>;
    /// Appends change-feed entries in order, in one statement (as [`FeedStore::append_change`]
    /// each); returns the last id (`None` for none).
    async fn append_changes(&mut self, changes: &[Change]) -> StoreResult<Option<i64>>;
    /// Looks up the result an earlier request with this `(operation, clientToken)` produced.
    async fn client_token(&mut self, operation: &str, token: &str) -> StoreResult<Option<String>>;
    /// Deletes the token `(operation, token)` and returns what it recorded (result, and
    /// when, epoch seconds); `None` when there is none. Atomic: of several callers taking
    /// the same token at once, on any node, one gets it (single-use stream tickets).
    async fn take_client_token(
        &mut self,
        operation: &str,
        token: &str,
    ) -> StoreResult<Option<(String, f64)>>;
    /// Records the result of a request made with a client token.
    async fn put_client_token(
        &mut self,
        operation: &str,
        token: &str,
        result: &str,
    ) -> StoreResult<()>;
}

/// Response plans.
#[async_trait]
pub trait PlanStore: Send {
    /// Inserts a plan; [`StoreError::AlreadyExists`] if the name is taken.
    async fn insert_plan(&mut self, plan: &StoredPlan) -> StoreResult<()>;
    /// Replaces a plan's document.
    async fn update_plan(&mut self, plan: &StoredPlan) -> StoreResult<()>;
    /// Deletes a plan; returns whether it existed.
    async fn delete_plan(&mut self, arn: &str) -> StoreResult<bool>;
    /// Reads a plan.
    async fn plan(&mut self, arn: &str) -> StoreResult<Option<StoredPlan>>;
    /// Plans ordered by name.
    async fn plans(&mut self, offset: i64, limit: i64) -> StoreResult<Vec<StoredPlan>>;
}

/// Incident records with their timelines and related items.
#[async_trait]
pub trait IncidentStore: Send {
    /// Inserts an incident; [`StoreError::AlreadyExists`] if an OPEN incident has its
    /// dedupe string.
    async fn insert_incident(&mut self, incident: &StoredIncident) -> StoreResult<()>;
    /// Replaces an incident's document.
    async fn update_incident(&mut self, incident: &StoredIncident) -> StoreResult<()>;
    /// Reads an incident.
    async fn incident(&mut self, arn: &str) -> StoreResult<Option<StoredIncident>>;
    /// Deletes an incident with its timeline, related items, acknowledgement and alert
    /// links; false when there was none.
    async fn delete_incident(&mut self, arn: &str) -> StoreResult<bool>;
    /// The OPEN incident with this dedupe string, if any.
    async fn open_incident_by_dedupe(
        &mut self,
        dedupe: &str,
    ) -> StoreResult<Option<StoredIncident>>;
    /// Incidents matching the query, newest first.
    async fn incidents(&mut self, query: &IncidentQuery) -> StoreResult<Vec<StoredIncident>>;

    /// Appends a timeline entry.
    async fn insert_timeline_event(&mut self, event: &TimelineEvent) -> StoreResult<()>;
    /// An incident's timeline, oldest first.
    async fn timeline_events(&mut self, incident_arn: &str) -> StoreResult<Vec<TimelineEvent>>;
    /// One page of an incident's timeline, filtered and ordered by event time.
    async fn timeline_page(
        &mut self,
        incident_arn: &str,
        query: &TimelineQuery,
    ) -> StoreResult<Vec<TimelineEvent>>;
    /// One timeline entry of an incident.
    async fn timeline_event(
        &mut self,
        incident_arn: &str,
        event_id: &str,
    ) -> StoreResult<Option<TimelineEvent>>;
    /// Replaces a timeline entry; false when there was none.
    async fn update_timeline_event(&mut self, event: &TimelineEvent) -> StoreResult<bool>;
    /// Deletes a timeline entry; false when there was none.
    async fn delete_timeline_event(
        &mut self,
        incident_arn: &str,
        event_id: &str,
    ) -> StoreResult<bool>;
    /// The newest `limit` timeline entries across every incident, newest first.
    async fn recent_timeline_events(&mut self, limit: i64) -> StoreResult<Vec<TimelineEvent>>;
    /// An incident's newest timeline entry.
    async fn latest_timeline_event(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Option<TimelineEvent>>;

    /// Attaches a related item; returns `false` (and changes nothing) if an item with the
    /// same identity is already attached. `identity` is type + value.
    async fn insert_related_item(
        &mut self,
        incident_arn: &str,
        identity: &str,
        item: &RelatedItem,
    ) -> StoreResult<bool>;
    /// An incident's related items, in the order they were attached.
    async fn related_items(&mut self, incident_arn: &str) -> StoreResult<Vec<RelatedItem>>;
    /// At most `limit` of an incident's related items after skipping `offset`, in the order
    /// they were attached (ListRelatedItems' pages, read in the database).
    async fn related_items_page(
        &mut self,
        incident_arn: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<RelatedItem>>;
    /// Removes the item with this identity (as for `insert_related_item`); false when there
    /// was none.
    async fn delete_related_item(
        &mut self,
        incident_arn: &str,
        identity: &str,
    ) -> StoreResult<bool>;
}

/// Rules and their targets.
#[async_trait]
pub trait RuleStore: Send {
    /// Creates or replaces a rule (keyed by ARN).
    async fn put_rule(&mut self, rule: &Rule) -> StoreResult<()>;
    /// Reads a rule.
    async fn rule(&mut self, arn: &str) -> StoreResult<Option<Rule>>;
    /// Rules on a bus whose name starts with `prefix`, ordered by name.
    async fn rules(
        &mut self,
        event_bus_name: &str,
        prefix: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Rule>>;
    /// How many rules a bus holds.
    async fn rule_count(&mut self, event_bus_name: &str) -> StoreResult<i64>;
    /// Deletes a rule and its targets; returns whether it existed.
    async fn delete_rule(&mut self, arn: &str) -> StoreResult<bool>;
    /// Creates or replaces a target of a rule.
    async fn put_target(&mut self, rule_arn: &str, target: &Target) -> StoreResult<()>;
    /// Removes a target; returns whether it existed.
    async fn delete_target(&mut self, rule_arn: &str, target_id: &str) -> StoreResult<bool>;
    /// A rule's targets, ordered by id.
    async fn targets(&mut self, rule_arn: &str) -> StoreResult<Vec<Target>>;
    /// Every rule with its targets (to build the matcher).
    async fn all_rules(&mut self) -> StoreResult<Vec<RuleWithTargets>>;
}

/// Accepted events.
#[async_trait]
pub trait EventStore: Send {
    /// Stores an accepted event envelope.
    async fn insert_event(
        &mut self,
        event_id: &str,
        event_bus_name: &str,
        received_at: f64,
        envelope: &str,
    ) -> StoreResult<()>;
    /// Stores accepted events in one statement, as [`EventStore::insert_event`] each:
    /// `(event_id, event_bus_name, received_at, envelope)`.
    async fn insert_events(&mut self, events: &[(String, String, f64, String)]) -> StoreResult<()>;
    /// [`EventStore::insert_events`], then [`FeedStore::append_changes`] with `changes`, in
    /// one round trip to the database where the backend can (ingest's held writes: each
    /// round trip lengthens every group commit); returns the last feed id (`None` for no
    /// changes).
    async fn insert_events_announced(
        &mut self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<Option<i64>>;
    /// A stored event's bus and envelope.
    async fn event(&mut self, event_id: &str) -> StoreResult<Option<(String, String)>>;
}

/// The outbox of HTTP target deliveries.
#[async_trait]
pub trait DeliveryStore: Send {
    /// Queues an HTTP target delivery; assigns and returns its id (also set in `delivery`).
    async fn insert_delivery(&mut self, delivery: &mut Delivery) -> StoreResult<i64>;
    /// Saves a delivery's new state; `next_attempt_at` (epoch seconds) matters while PENDING.
    async fn update_delivery(
        &mut self,
        delivery: &Delivery,
        next_attempt_at: f64,
    ) -> StoreResult<()>;
    /// PENDING deliveries due at `now`, oldest first, at most `limit`, undecoded: (id,
    /// stored body), so the worker can fail one unreadable row alone.
    async fn due_delivery_rows(&mut self, now: f64, limit: i64) -> StoreResult<Vec<(i64, String)>>;
    /// Deliveries, newest first, optionally of one status.
    async fn deliveries(
        &mut self,
        status: Option<DeliveryStatus>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>>;
    /// The earliest `next_attempt_at` of any PENDING delivery.
    async fn next_delivery_at(&mut self) -> StoreResult<Option<f64>>;
}

/// An access key as stored: its public part and its sealed secret.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKey {
    /// The key's public part.
    pub key: AccessKey,
    /// Nonce the secret was sealed with.
    pub nonce: Vec<u8>,
    /// The sealed secret (ciphertext and tag).
    pub sealed: Vec<u8>,
}

/// Access keys and the database's own facts (`server_meta`).
#[async_trait]
pub trait KeyStore: Send {
    /// Inserts a key; [`StoreError::AlreadyExists`] if the id is taken.
    async fn insert_key(&mut self, key: &StoredKey) -> StoreResult<()>;
    /// Reads a key.
    async fn key(&mut self, access_key_id: &str) -> StoreResult<Option<StoredKey>>;
    /// Every key, oldest first.
    async fn keys(&mut self) -> StoreResult<Vec<AccessKey>>;
    /// Enables or disables a key; returns whether it exists.
    async fn set_key_enabled(&mut self, access_key_id: &str, enabled: bool) -> StoreResult<bool>;
    /// Records a use of a key (epoch seconds).
    async fn touch_key(&mut self, access_key_id: &str, at: f64) -> StoreResult<()>;
    /// Deletes a key; returns whether it existed.
    async fn delete_key(&mut self, access_key_id: &str) -> StoreResult<bool>;
    /// A fact about the database (`server_meta`).
    async fn meta(&mut self, name: &str) -> StoreResult<Option<String>>;
    /// Records a fact about the database, replacing any earlier value.
    async fn set_meta(&mut self, name: &str, value: &str) -> StoreResult<()>;
}

/// The audit chain.
#[async_trait]
pub trait AuditStore: Send {
    /// The newest entry's seq and mac, if any.
    async fn audit_head(&mut self) -> StoreResult<Option<(i64, String)>>;
    /// Appends an entry whose mac-covered text is `body`.
    async fn insert_audit(&mut self, entry: &AuditEntry, body: &str) -> StoreResult<()>;
    /// Entries with `seq > after`, oldest first, with their stored bodies, at most `limit`.
    async fn audit_rows(
        &mut self,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<(AuditEntry, String)>>;
    /// Entries matching a query, newest first, at most `limit`.
    async fn audit_query(&mut self, query: &AuditQuery, limit: i64)
    -> StoreResult<Vec<AuditEntry>>;
}

/// The file a `sqlite://PATH` URL names (`None` for other URLs and in-memory databases),
/// its path percent-decoded as sqlx decodes it (`a%20b` is `a b`), so the files Tocsin
/// creates, backs up and keeps beside the database are the ones sqlx opens.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    (!path.is_empty()).then(|| std::path::PathBuf::from(path.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;
    use std::path::PathBuf;

    #[test]
    fn sqlite_paths_are_read_as_sqlx_reads_them() {
        let path = |url: &str| sqlite_path(url);
        assert_eq!(
            path("sqlite://./data/t.db"),
            Some(PathBuf::from("./data/t.db"))
        );
        assert_eq!(
            path("sqlite:///srv/t.db?mode=rwc"),
            Some(PathBuf::from("/srv/t.db"))
        );
        assert_eq!(
            path("sqlite:///srv/a%20b/t.db"),
            Some(PathBuf::from("/srv/a b/t.db"))
        );
        assert_eq!(path("sqlite::memory:"), None);
        assert_eq!(path("sqlite://t.db?mode=memory"), None);
        assert_eq!(path("postgres://db/tocsin"), None);
    }

    #[test]
    fn a_database_password_never_reaches_a_message() {
        assert_eq!(
            super::redact_url("postgres://tocsin:s3cret@db:5432/tocsin?sslmode=require"),
            "postgres://tocsin:***@db:5432/tocsin?sslmode=require"
        );
        assert_eq!(
            super::redact_url("postgresql://tocsin@db/tocsin"),
            "postgresql://tocsin@db/tocsin"
        );
        assert_eq!(
            super::redact_url("sqlite://./data/tocsin.db"),
            "sqlite://./data/tocsin.db"
        );
    }
}

/// Opens the store a database URL names: `sqlite://PATH` (created if missing).
pub async fn open(database_url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if database_url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(
            sqlite::SqliteStore::open(database_url).await?,
        ))
    } else if postgres::is_postgres_url(database_url) {
        Ok(std::sync::Arc::new(
            postgres::PgStore::open(database_url).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(format!(
            "{} (this build supports sqlite://PATH and postgres://…)",
            redact_url(database_url)
        )))
    }
}

/// `tocsin migrate`: applies the migrations of the database `database_url` names and says
/// where its schema stands, e.g. `postgres://tocsin:***@db/tocsin: schema at migration 1
/// (1 applied in all)`. SQLite: [`sqlite::SqliteStore::open`] (creates the file if missing,
/// migrates). PostgreSQL: [`postgres::migrate`] (one advisory lock, safe beside other
/// nodes). Errors: a line naming the database (password redacted) and the reason.
pub async fn migrate(database_url: &str) -> Result<String, String> {
    let shown = redact_url(database_url);
    let versions = if postgres::is_postgres_url(database_url) {
        postgres::migrate(database_url).await
    } else if database_url.starts_with("sqlite:") {
        match sqlite::SqliteStore::open(database_url).await {
            Ok(store) => store.migration_versions().await,
            Err(e) => Err(e),
        }
    } else {
        Err(StoreError::UnsupportedUrl(format!(
            "{shown} (this build supports sqlite://PATH and postgres://…)"
        )))
    };
    match versions {
        Ok(versions) => Ok(format!(
            "{shown}: schema at migration {} ({} applied in all)",
            versions.last().copied().unwrap_or(0),
            versions.len()
        )),
        Err(e) => Err(format!("{shown}: {e}")),
    }
}

/// `url` with its password replaced by `***`, for messages and logs
/// (`postgres://tocsin:s3cret@db/tocsin` → `postgres://tocsin:***@db/tocsin`); parsed by
/// the `url` crate. A URL with no password, or one that does not parse, comes back as given.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            if parsed.set_password(Some("***")).is_ok() {
                parsed.to_string()
            } else {
                url.to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

/// Automation documents and their versions.
#[async_trait]
pub trait DocumentStore: Send {
    /// Adds a version. Errors: `AlreadyExists` when the (name, version) is taken.
    async fn insert_document_version(&mut self, version: &StoredDocumentVersion)
    -> StoreResult<()>;
    /// One version.
    async fn document_version(
        &mut self,
        name: &str,
        version: i64,
    ) -> StoreResult<Option<StoredDocumentVersion>>;
    /// Every version of a document, newest first.
    async fn document_versions(&mut self, name: &str) -> StoreResult<Vec<StoredDocumentVersion>>;
    /// Creates or replaces a document's head (default and latest version, tags).
    async fn put_document_head(&mut self, head: &StoredDocumentHead) -> StoreResult<()>;
    /// A document's head.
    async fn document_head(&mut self, name: &str) -> StoreResult<Option<StoredDocumentHead>>;
    /// Every document's head, by name.
    async fn document_heads(&mut self) -> StoreResult<Vec<StoredDocumentHead>>;
    /// Deletes a document and all its versions; false when there was none.
    async fn delete_document(&mut self, name: &str) -> StoreResult<bool>;
    /// Deletes one version; false when there was none.
    async fn delete_document_version(&mut self, name: &str, version: i64) -> StoreResult<bool>;
}

/// Automation executions and their step executions.
#[async_trait]
pub trait AutomationStore: Send {
    /// Adds an execution. Errors: `AlreadyExists` for a taken id or client token.
    async fn insert_execution(&mut self, execution: &StoredExecution) -> StoreResult<()>;
    /// Replaces an execution's state.
    async fn update_execution(&mut self, execution: &StoredExecution) -> StoreResult<()>;
    /// One execution.
    async fn execution(&mut self, id: &str) -> StoreResult<Option<StoredExecution>>;
    /// The execution started with a client token.
    async fn execution_by_token(&mut self, token: &str) -> StoreResult<Option<StoredExecution>>;
    /// Executions, newest first.
    async fn executions(&mut self, offset: i64, limit: i64) -> StoreResult<Vec<StoredExecution>>;
    /// The executions started for an incident, oldest first.
    async fn executions_for_incident(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Vec<StoredExecution>>;
    /// Ids of executions due at `now` (`wake_at <= now`), soonest first.
    async fn due_executions(&mut self, now: f64, limit: i64) -> StoreResult<Vec<String>>;
    /// The soonest `wake_at` of any execution.
    async fn next_execution_wake(&mut self) -> StoreResult<Option<f64>>;
    /// Adds step execution `seq` of an execution.
    async fn insert_step(
        &mut self,
        execution_id: &str,
        seq: i64,
        step: &StepExecution,
    ) -> StoreResult<()>;
    /// Replaces step execution `seq`.
    async fn update_step(
        &mut self,
        execution_id: &str,
        seq: i64,
        step: &StepExecution,
    ) -> StoreResult<()>;
    /// An execution's step executions, in order.
    async fn steps(&mut self, execution_id: &str) -> StoreResult<Vec<StepExecution>>;
}

/// An outbound webhook as stored: its URL and headers sealed with the server key.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWebhook {
    /// Its name.
    pub name: String,
    /// Epoch seconds.
    pub created_at: f64,
    /// The principal that created it.
    pub created_by: String,
    /// XChaCha20-Poly1305 nonce.
    pub nonce: Vec<u8>,
    /// The sealed `{"url", "headers"}`.
    pub sealed: Vec<u8>,
}

/// Outbound webhooks (what `aws:invokeWebhook` calls).
#[async_trait]
pub trait WebhookStore: Send {
    /// Creates or replaces one.
    async fn put_webhook(&mut self, webhook: &StoredWebhook) -> StoreResult<()>;
    /// One, by name.
    async fn webhook(&mut self, name: &str) -> StoreResult<Option<StoredWebhook>>;
    /// All, by name.
    async fn webhooks(&mut self) -> StoreResult<Vec<StoredWebhook>>;
    /// Deletes one; false when there was none.
    async fn delete_webhook(&mut self, name: &str) -> StoreResult<bool>;
}

/// The roles admins assigned to service principals.
#[async_trait]
pub trait ServiceRoleStore: Send {
    /// Assigns (or reassigns) a role.
    async fn put_service_role(&mut self, role: &tocsin_api::native::ServiceRole)
    -> StoreResult<()>;
    /// The role assigned to a principal.
    async fn service_role(
        &mut self,
        role_arn: &str,
    ) -> StoreResult<Option<tocsin_api::native::ServiceRole>>;
    /// Every assignment, by ARN.
    async fn service_roles(&mut self) -> StoreResult<Vec<tocsin_api::native::ServiceRole>>;
    /// Removes an assignment; false when there was none.
    async fn delete_service_role(&mut self, role_arn: &str) -> StoreResult<bool>;
}

/// Begins a transaction on `pool` with the custom `statement` (`BEGIN IMMEDIATE`, …) in a task
/// of its own, so that the begin always runs to its end. sqlx's `begin_with` is not
/// cancel-safe (sqlx#3932, sqlx#4385): dropped between its `BEGIN` and the check after it (a
/// request whose client went away), it returns the pooled connection inside a transaction
/// nobody can end, which on SQLite keeps the write lock for ever. Here a caller that goes
/// away only drops the finished `Transaction`, which rolls back.
///
/// Errors: the database's; a panicked begin task as `sqlx::Error::Protocol`.
pub(crate) async fn begin_whole<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    statement: std::borrow::Cow<'static, str>,
) -> StoreResult<sqlx::Transaction<'static, DB>> {
    let pool = pool.clone();
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("begin task: {e}"))))?
        .map_err(StoreError::from)
}
