//! Stored shapes and store traits for receivers, the alerts they track, Alertmanager
//! silences, heartbeats and maintenance windows (see [`crate::domain::receivers`],
//! [`crate::domain::alerts`], [`crate::domain::heartbeats`], [`crate::domain::windows`]).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tocsin_api::receivers::{Heartbeat, MaintenanceWindow, Receiver, Suppression};

use crate::store::StoreResult;

/// A receiver as stored: the public view (without `url` and snippets, which are built from
/// the configuration when shown) and its sealed secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReceiver {
    /// What `GET /v1/receivers` shows.
    pub receiver: Receiver,
    /// SHA-256 of the secret, hex (finds a PagerDuty routing key's receiver).
    pub secret_hash: String,
    /// XChaCha20-Poly1305 nonce, hex.
    pub nonce: String,
    /// The secret sealed with the server key (context: `receiver:<name>`), hex.
    pub sealed: String,
}

/// What is (or was) firing at a source: an Alertmanager alert, a PagerDuty dedup key, a
/// CloudWatch alarm. Keyed by `source_key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSource {
    /// `alertmanager:<receiver>:<fingerprint>`, `pagerduty:<receiver>:<dedup_key>`,
    /// `cloudwatch:<alarm ARN>`.
    pub source_key: String,
    /// Whether it fires now.
    pub firing: bool,
    /// Alertmanager: the alert's `endsAt` (epoch seconds), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<f64>,
    /// Alertmanager: the alert's labels (a silence's matchers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Alertmanager: the base URL to silence it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_url: Option<String>,
    /// Resolve the incident by itself when every alert that fed it is resolved.
    #[serde(default)]
    pub auto_resolve: bool,
    /// The incidents it fed that were open when it last fired (one alert can feed several
    /// plans' incidents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incident_arns: Vec<String>,
    /// The last event about it.
    pub last_event_id: String,
    /// Epoch seconds.
    pub updated_at: f64,
}

/// What a silence row has to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SilenceState {
    /// Create it in the Alertmanager.
    Create,
    /// It exists: poll the Alertmanager for the alert's end.
    Active,
    /// Expire it (the incident resolved).
    Expire,
    /// Nothing left to do.
    Done,
}

/// A silence Tocsin keeps in an Alertmanager for one alert of an acknowledged incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSilence {
    /// The incident acknowledged.
    pub incident_arn: String,
    /// The alert (`alertmanager:<receiver>:<fingerprint>`).
    pub source_key: String,
    /// The alert's fingerprint.
    pub fingerprint: String,
    /// The Alertmanager's base URL.
    pub alertmanager_url: String,
    /// Label name → value, all equality matchers.
    pub matchers: BTreeMap<String, String>,
    /// The responder.
    pub created_by: String,
    /// The acknowledgement's note, or a default.
    pub comment: String,
    /// When it ends (the acknowledgement's expiry), epoch seconds.
    pub ends_at: f64,
    /// Next step.
    pub state: SilenceState,
    /// The Alertmanager's `silenceID`, once created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_id: Option<String>,
    /// Failed attempts in a row.
    #[serde(default)]
    pub attempts: u32,
    /// The last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the worker next acts, epoch seconds; none when done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<f64>,
}

/// A heartbeat as stored; `wake_at` is its deadline while not missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredHeartbeat {
    /// What `GET /v1/heartbeats` shows.
    pub heartbeat: Heartbeat,
}

/// A maintenance window as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredWindow {
    /// The window (its `status` and `occurrence` as of the last write; recomputed when
    /// shown).
    pub window: MaintenanceWindow,
    /// When the scheduler next acts: the end of the occurrence active or next; none when
    /// no occurrence is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<f64>,
}

/// A suppressed event as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSuppression {
    /// What the window lists.
    pub suppression: Suppression,
    /// How the event would have opened an incident (the ingest hints, as JSON).
    pub hints: serde_json::Value,
    /// For events without a tracked source: an event matching the window's resolved
    /// pattern came after it.
    #[serde(default)]
    pub resolved: bool,
}

/// Receivers, their webhook delivery ids, the alerts they track and the silences kept.
#[async_trait]
pub trait ReceiverStore: Send {
    /// Creates a receiver. Errors: `AlreadyExists` for a taken name.
    async fn insert_receiver(&mut self, r: &StoredReceiver) -> StoreResult<()>;
    /// Replaces a receiver (settings, counters).
    async fn update_receiver(&mut self, r: &StoredReceiver) -> StoreResult<()>;
    /// One receiver.
    async fn receiver(&mut self, name: &str) -> StoreResult<Option<StoredReceiver>>;
    /// The receiver whose secret hashes to `hash`.
    async fn receiver_by_secret_hash(&mut self, hash: &str) -> StoreResult<Option<StoredReceiver>>;
    /// Every receiver, by name.
    async fn receivers(&mut self) -> StoreResult<Vec<StoredReceiver>>;
    /// Deletes a receiver and its delivery ids; false when there was none.
    async fn delete_receiver(&mut self, name: &str) -> StoreResult<bool>;
    /// Records a webhook delivery id; false when it was recorded before (a replay).
    async fn first_delivery(&mut self, receiver: &str, id: &str, at: f64) -> StoreResult<bool>;
    /// Creates or replaces an alert source and its links to incidents.
    async fn put_alert_source(&mut self, s: &AlertSource) -> StoreResult<()>;
    /// One alert source.
    async fn alert_source(&mut self, key: &str) -> StoreResult<Option<AlertSource>>;
    /// The alert sources that fed an incident.
    async fn alert_sources_of(&mut self, incident_arn: &str) -> StoreResult<Vec<AlertSource>>;
    /// Creates or replaces a silence row.
    async fn put_silence(&mut self, s: &StoredSilence) -> StoreResult<()>;
    /// One incident's silence rows.
    async fn silences_of(&mut self, incident_arn: &str) -> StoreResult<Vec<StoredSilence>>;
    /// Silence rows due at `now`, soonest first: (incident, source key).
    async fn due_silences(&mut self, now: f64) -> StoreResult<Vec<(String, String)>>;
    /// One silence row.
    async fn silence(
        &mut self,
        incident_arn: &str,
        source_key: &str,
    ) -> StoreResult<Option<StoredSilence>>;
}

/// Heartbeats and maintenance windows.
#[async_trait]
pub trait WatchStore: Send {
    /// Creates or replaces a heartbeat; it wakes the scheduler at `due_at` unless missed.
    async fn put_heartbeat(&mut self, h: &StoredHeartbeat) -> StoreResult<()>;
    /// One heartbeat.
    async fn heartbeat(&mut self, name: &str) -> StoreResult<Option<StoredHeartbeat>>;
    /// Every heartbeat, by name.
    async fn heartbeats(&mut self) -> StoreResult<Vec<StoredHeartbeat>>;
    /// Deletes a heartbeat; false when there was none.
    async fn delete_heartbeat(&mut self, name: &str) -> StoreResult<bool>;
    /// Names of heartbeats whose deadline has passed at `now`.
    async fn due_heartbeats(&mut self, now: f64) -> StoreResult<Vec<String>>;
    /// Creates or replaces a window.
    async fn put_window(&mut self, w: &StoredWindow) -> StoreResult<()>;
    /// One window.
    async fn window(&mut self, id: &str) -> StoreResult<Option<StoredWindow>>;
    /// Every window, oldest first.
    async fn windows(&mut self) -> StoreResult<Vec<StoredWindow>>;
    /// Deletes a window and its suppressions; false when there was none.
    async fn delete_window(&mut self, id: &str) -> StoreResult<bool>;
    /// Ids of windows whose `wake_at` has come.
    async fn due_windows(&mut self, now: f64) -> StoreResult<Vec<String>>;
    /// Records a suppression; returns its id.
    async fn insert_suppression(&mut self, s: &StoredSuppression) -> StoreResult<i64>;
    /// Replaces a suppression; `released` once decided.
    async fn update_suppression(
        &mut self,
        id: i64,
        s: &StoredSuppression,
        released: bool,
    ) -> StoreResult<()>;
    /// A window's suppressions (only those not yet released, if asked), oldest first.
    async fn suppressions(
        &mut self,
        window_id: &str,
        unreleased_only: bool,
        limit: i64,
    ) -> StoreResult<Vec<(i64, StoredSuppression)>>;
    /// Marks the unreleased suppressions of `source_key` resolved, in one window or (none)
    /// in every window.
    async fn resolve_suppressions(
        &mut self,
        source_key: &str,
        window_id: Option<&str>,
    ) -> StoreResult<()>;
    /// The soonest `wake_at` of any heartbeat or window, or `next_at` of a scheduled rule.
    async fn next_watch_wake(&mut self) -> StoreResult<Option<f64>>;
    /// Sets when a scheduled rule fires next.
    async fn put_schedule(&mut self, rule_arn: &str, next_at: f64) -> StoreResult<()>;
    /// When a scheduled rule fires next, if it is scheduled.
    async fn schedule(&mut self, rule_arn: &str) -> StoreResult<Option<f64>>;
    /// Stops a rule's schedule (nothing if it had none).
    async fn delete_schedule(&mut self, rule_arn: &str) -> StoreResult<()>;
    /// Scheduled rules due at `now`: (rule ARN, next_at), soonest first, at most 100.
    async fn due_schedules(&mut self, now: f64) -> StoreResult<Vec<(String, f64)>>;
    /// The soonest `wake_at` of any silence row.
    async fn next_silence_wake(&mut self) -> StoreResult<Option<f64>>;
}

/// Tags of AWS-shaped resources, by ARN.
#[async_trait]
pub trait TagStore: Send {
    /// Adds or replaces a tag.
    async fn put_tag(&mut self, resource_arn: &str, key: &str, value: &str) -> StoreResult<()>;
    /// Removes a tag (absent: nothing).
    async fn delete_tag(&mut self, resource_arn: &str, key: &str) -> StoreResult<()>;
    /// A resource's tags, by key.
    async fn tags(&mut self, resource_arn: &str) -> StoreResult<Vec<(String, String)>>;
    /// Removes every tag of a resource.
    async fn delete_tags(&mut self, resource_arn: &str) -> StoreResult<()>;
}

/// EventBridge resources kept whole as JSON bodies, by kind (`event-bus`, `archive`,
/// `replay`, `connection`, `api-destination`) and name. Names are unique per kind.
#[async_trait]
pub trait ResourceStore: Send {
    /// Creates or replaces a resource.
    async fn put_resource(
        &mut self,
        kind: &str,
        name: &str,
        body: &serde_json::Value,
    ) -> StoreResult<()>;
    /// One resource, if it exists.
    async fn resource(&mut self, kind: &str, name: &str) -> StoreResult<Option<serde_json::Value>>;
    /// The resources of a kind whose names start with `prefix`, by name.
    async fn resources(&mut self, kind: &str, prefix: &str) -> StoreResult<Vec<serde_json::Value>>;
    /// Deletes a resource; false when there was none.
    async fn delete_resource(&mut self, kind: &str, name: &str) -> StoreResult<bool>;
}

/// The events EventBridge archives keep, ordered by (time on the bus, event id).
#[async_trait]
pub trait ArchiveStore: Send {
    /// Keeps an event in an archive (`at`: when it reached its bus, epoch seconds).
    async fn archive_event(
        &mut self,
        archive: &str,
        at: f64,
        event_id: &str,
        body: &str,
    ) -> StoreResult<()>;
    /// Up to `limit` archived events with `start <= at < end` after the cursor `(at, id)`
    /// (exclusive; `None`: from `start`), oldest first: (at, event id, envelope).
    async fn archived_events(
        &mut self,
        archive: &str,
        start: f64,
        end: f64,
        after: Option<(f64, String)>,
        limit: i64,
    ) -> StoreResult<Vec<(f64, String, String)>>;
    /// (event count, bytes) of an archive.
    async fn archive_stats(&mut self, archive: &str) -> StoreResult<(i64, i64)>;
    /// Deletes up to `limit` events archived before `before`; returns how many.
    async fn expire_archived(&mut self, archive: &str, before: f64, limit: i64)
    -> StoreResult<u64>;
    /// Deletes every event of an archive.
    async fn delete_archived(&mut self, archive: &str) -> StoreResult<()>;
}

/// Incident Manager's replication set (Tocsin keeps at most one).
#[async_trait]
pub trait ReplicationStore: Send {
    /// Creates or replaces the set.
    async fn put_replication_set(
        &mut self,
        set: &tocsin_api::replication::ReplicationSet,
    ) -> StoreResult<()>;
    /// Every set (zero or one).
    async fn replication_sets(
        &mut self,
    ) -> StoreResult<Vec<tocsin_api::replication::ReplicationSet>>;
    /// Deletes a set; false when there was none.
    async fn delete_replication_set(&mut self, arn: &str) -> StoreResult<bool>;
}

/// Resource policies of response plans (stored and returned, never enforced).
#[async_trait]
pub trait PolicyStore: Send {
    /// Creates or replaces a policy.
    async fn put_policy(
        &mut self,
        policy_id: &str,
        resource_arn: &str,
        document: &str,
        at: f64,
    ) -> StoreResult<()>;
    /// A resource's policies (id, document), oldest first.
    async fn policies(&mut self, resource_arn: &str) -> StoreResult<Vec<(String, String)>>;
    /// Deletes one of a resource's policies; false when there was none.
    async fn delete_policy(&mut self, resource_arn: &str, policy_id: &str) -> StoreResult<bool>;
    /// Deletes every policy of a resource.
    async fn delete_policies(&mut self, resource_arn: &str) -> StoreResult<()>;
}
