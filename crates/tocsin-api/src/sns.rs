//! Topics, subscriptions and notification deliveries as Tocsin's native JSON API and the
//! web app show them. The AWS surface itself (`sns` 2010-03-31) speaks the query protocol
//! in XML and is built by the server; these are the shapes the dashboard reads.
//!
//! Secrets (chat webhook URLs, an email subscription's confirmation token) never appear
//! here: a chat subscription's endpoint is shown as [`REDACTED_ENDPOINT`].

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// What a secret subscription endpoint (`slack`, `msteams`) is shown as.
pub const REDACTED_ENDPOINT: &str = "REDACTED";

/// Subscription protocols Tocsin delivers to: SNS's `http`, `https` and `email`, and two of
/// its own for chat webhooks, which only an admin creates and which start confirmed.
pub const PROTOCOLS: [&str; 5] = ["http", "https", "email", "slack", "msteams"];

/// Whether a protocol's endpoint is a secret (a chat incoming-webhook URL).
pub fn secret_endpoint(protocol: &str) -> bool {
    matches!(protocol, "slack" | "msteams")
}

/// A topic with its subscriptions, as `GET /v1/topics` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicView {
    /// `arn:aws:sns:REGION:ACCOUNT:NAME`.
    pub topic_arn: String,
    /// The name.
    pub name: String,
    /// The `DisplayName` attribute (email subjects and senders use it).
    #[serde(default)]
    pub display_name: String,
    /// Its subscriptions.
    pub subscriptions: Vec<SubscriptionView>,
    /// Tags.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

/// A subscription as shown (secret endpoints redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    /// `TOPIC_ARN:UUID`, or `PendingConfirmation` as SNS shows unconfirmed ones.
    pub subscription_arn: String,
    /// The topic.
    pub topic_arn: String,
    /// One of [`PROTOCOLS`].
    pub protocol: String,
    /// The endpoint (URL or address), or [`REDACTED_ENDPOINT`] for chat webhooks.
    pub endpoint: String,
    /// Whether the subscriber has not yet confirmed.
    pub pending_confirmation: bool,
    /// `RawMessageDelivery`: http(s) subscribers get the message itself, not the SNS JSON.
    #[serde(default)]
    pub raw_message_delivery: bool,
}

/// One attempt at a notification delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationAttempt {
    /// When it was made.
    pub at: EpochSeconds,
    /// Whether the endpoint accepted it.
    pub ok: bool,
    /// The HTTP status (or SMTP reply code) if one came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One message to one subscription: an entry of the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDelivery {
    /// Delivery id (increasing).
    pub id: i64,
    /// The message (`Publish`'s `MessageId`; one message has a delivery per subscription).
    pub message_id: String,
    /// `Notification`, `SubscriptionConfirmation` or `PageNotification`…: what was sent.
    pub kind: String,
    /// The topic it was published to (empty for a page sent straight to a contact channel).
    pub topic_arn: String,
    /// The subscription (or contact channel) it went to.
    pub subscription_arn: String,
    /// Its protocol (`https`, `email`, `slack`…).
    pub protocol: String,
    /// Where it went, secrets redacted.
    pub endpoint: String,
    /// The incident it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_arn: Option<String>,
    /// The subject (email subject, chat title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Where it stands.
    pub status: crate::delivery::DeliveryStatus,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<NotificationAttempt>,
    /// Most attempts it gets.
    pub max_attempts: u32,
    /// When it was queued.
    pub created_at: EpochSeconds,
    /// Last change.
    pub updated_at: EpochSeconds,
}

/// What a response plan's notification says about an incident: the fields chat cards,
/// emails and the SNS message carry. Published as the JSON `Message` of an SNS
/// notification, so subscribers can parse it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentNotice {
    /// Why it was sent: `IncidentCreated`, `ImpactChanged`, `StatusChanged`,
    /// `IncidentAcknowledged`, `IncidentResolved`, `RunbookWaiting`, `Test`.
    pub reason: String,
    /// The incident's ARN.
    pub incident_arn: String,
    /// Its title.
    pub title: String,
    /// Impact 1-5.
    pub impact: i32,
    /// `OPEN` or `RESOLVED`.
    pub status: String,
    /// When it was opened.
    pub creation_time: EpochSeconds,
    /// Its age when the notice was written, in seconds.
    pub age_seconds: i64,
    /// The latest timeline entry, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    /// A sentence saying what happened ("Incident opened", "Impact raised to 1 (Critical)").
    pub headline: String,
    /// The incident's page in the app.
    pub link: String,
}

/// `POST /v1/topics/test`: sends a test message to every confirmed subscription of a topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestTopic {
    /// The topic.
    pub topic_arn: String,
}

/// `POST /v1/topics/test`'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestTopicResult {
    /// The message id.
    pub message_id: String,
    /// How many deliveries were queued.
    pub deliveries: usize,
}

/// `POST /v1/topics/create`: creates a topic (or returns the existing one of that name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTopic {
    /// 1-256 letters, digits, `-` and `_`.
    pub name: String,
    /// The `DisplayName` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// A topic's ARN: `POST /v1/topics/create`'s answer and `POST /v1/topics/delete`'s input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicRef {
    /// The topic.
    pub topic_arn: String,
}

/// `POST /v1/topics/subscribe`: subscribes an endpoint (`slack` and `msteams` need an
/// admin and start confirmed; the others wait for confirmation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeEndpoint {
    /// The topic.
    pub topic_arn: String,
    /// One of [`PROTOCOLS`].
    pub protocol: String,
    /// A URL or an email address (a chat webhook URL is a secret: never shown again).
    pub endpoint: String,
}

/// A subscription's ARN (`"pending confirmation"` while pending): `POST
/// /v1/topics/subscribe`'s answer and `POST /v1/topics/unsubscribe`'s input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionRef {
    /// The subscription.
    pub subscription_arn: String,
}
