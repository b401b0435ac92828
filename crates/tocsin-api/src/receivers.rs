//! Receivers (inbound integrations), heartbeats and maintenance windows: Tocsin's native
//! shapes for what other tools push into it.
//!
//! A **receiver** is a named, secret-protected inbound endpoint that turns what a sender
//! speaks (an EventBridge API destination, an SNS HTTPS subscription, an Alertmanager
//! webhook, PagerDuty Events API v2, a signed webhook) into events on an event bus. Not to be
//! confused with *outbound webhooks* (`/v1/webhooks`), which runbooks call.
//!
//! A **heartbeat** (dead man's switch) expects an event matching its pattern at least once
//! per interval, and puts `Heartbeat Missed` / `Heartbeat Recovered` events on the bus.
//!
//! A **maintenance window** suppresses what matching events would start (incidents,
//! runbooks, engagements) while it is active, and opens what is still firing when it ends.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// What a receiver accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceiverKind {
    /// An EventBridge API destination: the raw event envelope, authenticated by an API-key
    /// header, Basic, or an OAuth client-credentials token from Tocsin's token endpoint.
    Eventbridge,
    /// An Amazon SNS HTTPS subscription: signed SNS messages (CloudWatch alarms become
    /// `CloudWatch Alarm State Change` events).
    Sns,
    /// Prometheus Alertmanager's `webhook_configs` (payload version 4), bearer secret.
    Alertmanager,
    /// PagerDuty Events API v2 (`/v2/enqueue`), the secret is the routing key.
    Pagerduty,
    /// A signed webhook: Standard Webhooks or GitHub's `X-Hub-Signature-256`.
    Webhook,
}

impl ReceiverKind {
    /// Every kind, in display order.
    pub const ALL: [ReceiverKind; 5] = [
        ReceiverKind::Eventbridge,
        ReceiverKind::Sns,
        ReceiverKind::Alertmanager,
        ReceiverKind::Pagerduty,
        ReceiverKind::Webhook,
    ];

    /// The kind's name on the wire and in URLs (`alertmanager`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiverKind::Eventbridge => "eventbridge",
            ReceiverKind::Sns => "sns",
            ReceiverKind::Alertmanager => "alertmanager",
            ReceiverKind::Pagerduty => "pagerduty",
            ReceiverKind::Webhook => "webhook",
        }
    }

    /// Parses a kind name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What people call the sender.
    pub fn label(self) -> &'static str {
        match self {
            ReceiverKind::Eventbridge => "EventBridge API destination",
            ReceiverKind::Sns => "Amazon SNS subscription",
            ReceiverKind::Alertmanager => "Prometheus Alertmanager",
            ReceiverKind::Pagerduty => "PagerDuty Events API v2",
            ReceiverKind::Webhook => "Signed webhook",
        }
    }
}

impl std::fmt::Display for ReceiverKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A receiver's settings; each kind reads the ones that concern it and ignores the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverSettings {
    /// Alertmanager: resolve an incident by itself when every alert that fed it was resolved
    /// by Alertmanager (default on).
    #[serde(default = "yes")]
    pub auto_resolve: bool,
    /// Alertmanager: the Alertmanager to create silences in when an incident it fed is
    /// acknowledged (its base URL, e.g. `http://alertmanager:9093`); default: the
    /// payload's `externalURL`. Reached through the SSRF-guarded client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_url: Option<String>,
    /// PagerDuty: `payload.severity` → impact (1-5); missing entries use the default table
    /// critical→1, error→2, warning→3, info→4.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity_impacts: BTreeMap<String, i32>,
    /// Webhook: the events' `source` (default `webhook.<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Webhook: the events' `detail-type` (default `Webhook`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    /// Webhook: a JSONPath into the body for the events' `resources` (a string or a list of
    /// strings), e.g. `$.repository.html_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_path: Option<String>,
    /// Webhook: a JSONPath into the body for the dedupe string of the incidents it opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe_path: Option<String>,
    /// EventBridge: the header an API-key connection sends the secret in (default
    /// `x-api-key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_header: Option<String>,
    /// SNS: only messages of these topics are accepted (empty: any topic).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topic_arns: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for ReceiverSettings {
    fn default() -> Self {
        Self {
            auto_resolve: true,
            silence_url: None,
            severity_impacts: BTreeMap::new(),
            source: None,
            detail_type: None,
            resources_path: None,
            dedupe_path: None,
            api_key_header: None,
            topic_arns: Vec::new(),
        }
    }
}

/// Something to paste into the sender, built from `--public-url`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snippet {
    /// What it is ("alertmanager.yml receiver").
    pub title: String,
    /// `yaml`, `json`, `shell` or `text`.
    pub language: String,
    /// The text. Outside the creation answer the secret reads `<secret>`.
    pub text: String,
}

/// A receiver as `GET /v1/receivers` shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receiver {
    /// Its name (1-64 of `A-Za-z0-9_.-`).
    pub name: String,
    /// What it accepts.
    pub kind: ReceiverKind,
    /// The event bus it feeds.
    pub event_bus_name: String,
    /// Where the sender posts (from `--public-url`).
    pub url: String,
    /// Settings.
    pub settings: ReceiverSettings,
    /// Epoch seconds.
    pub created_at: EpochSeconds,
    /// The principal that created it.
    pub created_by: String,
    /// Events put on the bus so far.
    #[serde(default)]
    pub event_count: u64,
    /// Requests refused (bad secret or signature, bad payload) so far.
    #[serde(default)]
    pub error_count: u64,
    /// When the last event arrived, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_at: Option<EpochSeconds>,
    /// The last event's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_id: Option<String>,
    /// The last event's `detail-type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_summary: Option<String>,
    /// The last refusal's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When it was refused last, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_at: Option<EpochSeconds>,
    /// What to paste into the sender, with `<secret>` for the secret.
    #[serde(default)]
    pub snippets: Vec<Snippet>,
}

/// `POST /v1/receivers/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReceiver {
    /// Its name (1-64 of `A-Za-z0-9_.-`), unique across kinds.
    pub name: String,
    /// What it accepts.
    pub kind: ReceiverKind,
    /// The event bus it feeds (default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// Settings (defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ReceiverSettings>,
}

/// The answer to `POST /v1/receivers/create` (and `tocsin receivers create --output
/// json`): the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedReceiver {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ReceiverKind,
    /// The secret (32 characters; `whsec_…` for webhooks): shown once.
    pub secret: String,
    /// Where the sender posts.
    pub url: String,
    /// The receiver, with snippets that contain the real secret.
    pub receiver: Receiver,
}

/// `POST /v1/receivers/update`: replaces a receiver's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReceiver {
    /// Its name.
    pub name: String,
    /// The new settings.
    pub settings: ReceiverSettings,
    /// Moves the receiver to this event bus (name or ARN) when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

/// `POST /v1/receivers/delete`, `/v1/heartbeats/delete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ByName {
    /// The name.
    pub name: String,
}

/// A heartbeat's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HeartbeatState {
    /// No event yet; missed if none arrives within the interval from creation.
    Waiting,
    /// Beating: the last event came within the interval.
    Ok,
    /// Missed: `Heartbeat Missed` was put on the bus, and nothing has matched since.
    Missed,
}

/// A heartbeat monitor (dead man's switch), `GET /v1/heartbeats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    /// Its name (1-64 of `A-Za-z0-9_.-`).
    pub name: String,
    /// The event pattern a beat matches (EventBridge pattern language).
    pub event_pattern: String,
    /// The bus it watches and puts its events on.
    pub event_bus_name: String,
    /// Seconds allowed between beats (1 to 31 days).
    pub interval_seconds: u64,
    /// Where it stands.
    pub state: HeartbeatState,
    /// The last beat, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_beat_at: Option<EpochSeconds>,
    /// When it is missed unless a beat comes, epoch seconds (none while missed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<EpochSeconds>,
    /// When it was last missed (the deadline, not when Tocsin noticed), epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_at: Option<EpochSeconds>,
    /// Epoch seconds.
    pub created_at: EpochSeconds,
}

/// `POST /v1/heartbeats`: creates or replaces a heartbeat (its clock starts again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutHeartbeat {
    /// Its name.
    pub name: String,
    /// The pattern a beat matches.
    pub event_pattern: String,
    /// Seconds allowed between beats.
    pub interval_seconds: u64,
    /// The bus (default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

/// A recurrence: a cron expression in a time zone; each occurrence lasts the window's
/// duration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recurrence {
    /// Five fields: minute hour day-of-month month day-of-week (`0 2 * * SUN`).
    pub cron: String,
    /// An IANA time zone (`Europe/Berlin`); default `UTC`.
    #[serde(default = "utc")]
    pub time_zone: String,
}

fn utc() -> String {
    "UTC".into()
}

/// Where a window stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WindowStatus {
    /// Its (next) occurrence has not begun.
    Upcoming,
    /// Suppressing now.
    Active,
    /// No occurrence is left.
    Ended,
}

/// A maintenance window, `GET /v1/maintenance-windows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceWindow {
    /// Its id (`mw-…`).
    pub id: String,
    /// A short name.
    pub name: String,
    /// Why.
    pub reason: String,
    /// The events it suppresses (EventBridge pattern language).
    pub event_pattern: String,
    /// For events that are not Alertmanager alerts, PagerDuty events or CloudWatch alarms:
    /// an event matching this pattern (same source and resources) means the suppressed
    /// source is no longer firing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_pattern: Option<String>,
    /// First moment it can be active, epoch seconds.
    pub starts_at: EpochSeconds,
    /// Last moment it can be active (a one-off window's end, a recurrence's "until"),
    /// epoch seconds; none: a recurrence without end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<EpochSeconds>,
    /// Seconds each occurrence lasts.
    pub duration_seconds: u64,
    /// When it repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    /// Now.
    pub status: WindowStatus,
    /// The occurrence active now, or the next one: `[start, end]`, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<(EpochSeconds, EpochSeconds)>,
    /// Events whose effects it suppressed.
    #[serde(default)]
    pub suppressed_count: u64,
    /// The incident it was created from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_arn: Option<String>,
    /// The principal that created it.
    pub created_by: String,
    /// Epoch seconds.
    pub created_at: EpochSeconds,
}

/// `POST /v1/maintenance-windows`: creates a window. Either `eventPattern` or
/// `fromIncidentArn` (the pattern then matches that incident's trigger: its source and
/// resources, and the name and reason name the incident).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMaintenanceWindow {
    /// A short name (default from the incident, else required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Why (at most 1,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The events it suppresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// See [`MaintenanceWindow::resolved_pattern`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_pattern: Option<String>,
    /// Default: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<EpochSeconds>,
    /// A one-off window's end, or a recurrence's "until"; give this or `durationSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<EpochSeconds>,
    /// Seconds each occurrence lasts (required with a recurrence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// When it repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence: Option<Recurrence>,
    /// Build the pattern from this incident's trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_incident_arn: Option<String>,
}

/// `POST /v1/maintenance-windows/delete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ById {
    /// The id.
    pub id: String,
}

/// One suppressed event, `GET /v1/maintenance-windows/suppressions?id=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    /// The window.
    pub window_id: String,
    /// The event whose effects were suppressed.
    pub event_id: String,
    /// Its source and detail-type, for display.
    pub source: String,
    /// Its detail-type.
    pub detail_type: String,
    /// What identifies the firing thing (`alertmanager:<receiver>:<fingerprint>`,
    /// `cloudwatch:<alarm ARN>`, …).
    pub source_key: String,
    /// When, epoch seconds.
    pub at: EpochSeconds,
    /// The rules whose response-plan or runbook targets it would have run.
    pub rule_arns: Vec<String>,
    /// After the window: `OPENED` (still firing, its targets ran), `RESOLVED` (no longer
    /// firing, nothing ran), `SUPERSEDED` (a later event of the same source decided),
    /// `HELD` (still firing, but another active window holds it now); none while the window
    /// lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}
