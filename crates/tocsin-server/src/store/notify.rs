//! Stored shapes and the store trait for topics, subscriptions and the notification outbox
//! (see [`crate::domain::topics`] and [`crate::domain::notify`]).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tocsin_api::sns::{IncidentNotice, NotificationDelivery};

use crate::store::StoreResult;

/// A topic as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTopic {
    /// `arn:aws:sns:REGION:ACCOUNT:NAME`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Epoch seconds.
    pub created_at: f64,
    /// The settable attributes (`DisplayName`, `Policy`, `DeliveryPolicy`, …).
    pub attributes: BTreeMap<String, String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSubscription {
    /// `TOPIC_ARN:UUID`.
    pub arn: String,
    /// The topic.
    pub topic_arn: String,
    /// `http`, `https`, `email`, `slack`, `msteams`.
    pub protocol: String,
    /// The endpoint in clear for `http`, `https` and `email`; empty for chat protocols,
    /// whose webhook URL is [`StoredSubscription::sealed`].
    pub endpoint: String,
    /// A chat webhook URL sealed with the server key: (nonce, ciphertext), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<(String, String)>,
    /// The principal that subscribed.
    pub owner: String,
    /// Whether the endpoint confirmed (chat protocols start confirmed).
    pub confirmed: bool,
    /// The confirmation token while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// When the confirmation token expires (3 days, as SNS), epoch seconds.
    #[serde(default)]
    pub token_expires_at: f64,
    /// The secret in the `UnsubscribeURL` of every message it receives.
    pub unsubscribe_token: String,
    /// Settable attributes (`RawMessageDelivery`, `DeliveryPolicy`, `FilterPolicy`…).
    pub attributes: BTreeMap<String, String>,
    /// Epoch seconds.
    pub created_at: f64,
}

/// What a notification delivery sends, besides its log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutMessage {
    /// The message text for this subscription's protocol.
    pub text: String,
    /// The subject, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The publish time, as SNS writes it (`2026-11-29T12:00:00.000Z`).
    pub timestamp: String,
    /// For incident notifications: the structured notice chat cards and emails render.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<IncidentNotice>,
    /// `MessageAttributes` as SNS's JSON shows them (`{"name": {"Type", "Value"}}`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// For a `SubscriptionConfirmation`: the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// One notification delivery: its log entry and what it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredNotification {
    /// The delivery log entry (its `id` is assigned on insert).
    pub delivery: NotificationDelivery,
    /// What is sent.
    pub message: OutMessage,
    /// When the next attempt is due.
    pub next_attempt_at: f64,
    /// No attempt after this time.
    pub deadline: f64,
}

/// Topics, subscriptions and the notification outbox.
#[async_trait]
pub trait NotifyStore: Send {
    /// Creates or replaces a topic.
    async fn put_topic(&mut self, topic: &StoredTopic) -> StoreResult<()>;
    /// One topic.
    async fn topic(&mut self, arn: &str) -> StoreResult<Option<StoredTopic>>;
    /// Topics by ARN, after `after` (exclusive), at most `limit`.
    async fn topics(&mut self, after: &str, limit: i64) -> StoreResult<Vec<StoredTopic>>;
    /// Deletes a topic and its subscriptions; false when there was none.
    async fn delete_topic(&mut self, arn: &str) -> StoreResult<bool>;
    /// Creates or replaces a subscription.
    async fn put_subscription(&mut self, subscription: &StoredSubscription) -> StoreResult<()>;
    /// One subscription.
    async fn subscription(&mut self, arn: &str) -> StoreResult<Option<StoredSubscription>>;
    /// The pending subscription a confirmation token belongs to.
    async fn subscription_by_token(
        &mut self,
        token: &str,
    ) -> StoreResult<Option<StoredSubscription>>;
    /// A topic's subscriptions, oldest first.
    async fn subscriptions(&mut self, topic_arn: &str) -> StoreResult<Vec<StoredSubscription>>;
    /// Deletes a subscription; false when there was none.
    async fn delete_subscription(&mut self, arn: &str) -> StoreResult<bool>;
    /// Queues a delivery; sets and returns its id.
    async fn insert_notification(&mut self, n: &mut StoredNotification) -> StoreResult<i64>;
    /// Stores a delivery's new state.
    async fn update_notification(&mut self, n: &StoredNotification) -> StoreResult<()>;
    /// PENDING deliveries due by `now`, oldest first, at most `limit`, as stored: (id,
    /// body), so a row that cannot be decoded is failed alone by the worker.
    async fn due_notification_rows(
        &mut self,
        now: f64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>>;
    /// When the soonest PENDING delivery is due.
    async fn next_notification_at(&mut self) -> StoreResult<Option<f64>>;
    /// Deliveries, newest first: an incident's (its delivery log) or all.
    async fn notifications(
        &mut self,
        incident_arn: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<StoredNotification>>;
}
