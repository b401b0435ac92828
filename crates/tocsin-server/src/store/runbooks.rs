//! The stored forms of runbooks: document versions and heads, and execution state. They are
//! kept as JSON bodies beside the columns queries filter on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tocsin_api::auth::Role;
use tocsin_api::ssm::Tag;

/// One version of an Automation document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDocumentVersion {
    /// Document name.
    pub name: String,
    /// Version number, from 1.
    pub version: i64,
    /// The content exactly as given.
    pub content: String,
    /// `JSON` or `YAML`.
    pub format: String,
    /// Version name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Target type, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// Epoch seconds.
    pub created_at: f64,
    /// Hex SHA-256 of the content.
    pub hash: String,
}

/// A document: which version is the default and the latest, and its tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDocumentHead {
    /// Document name.
    pub name: String,
    /// The account id.
    pub owner: String,
    /// The version runs use by default.
    pub default_version: i64,
    /// The newest version.
    pub latest_version: i64,
    /// Epoch seconds.
    pub created_at: f64,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// The principal whose rights an execution's API calls use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunAs {
    /// Its ARN (a key's user, or the service principal of a plan's role).
    pub principal: String,
    /// Its role.
    pub role: Role,
}

/// An approver's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Who decided.
    pub principal: String,
    /// `Approve` or `Reject`.
    pub decision: String,
    /// Their comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Epoch seconds.
    pub at: f64,
}

/// What a waiting step waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WaitKind {
    /// `aws:sleep`: until `until`.
    Sleep,
    /// `aws:pause`: a `Resume` signal, at most until `until`.
    Pause,
    /// `aws:approve`: enough approvals, at most until `until`.
    Approve,
    /// An action that acts outside Tocsin (`aws:executeScript`, `aws:invokeWebhook`): the
    /// runbook worker runs it after the transaction that recorded it commits, and records
    /// its result; `until` is the deadline after which a dispatched run counts as lost.
    External,
}

/// A step that waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wait {
    /// For what.
    pub kind: WaitKind,
    /// A sleep's end, or a pause's or approval's deadline (epoch seconds).
    pub until: f64,
    /// Decisions so far (approvals).
    #[serde(default)]
    pub decisions: Vec<Decision>,
    /// A `Resume` arrived (pauses).
    #[serde(default)]
    pub resumed: bool,
    /// The runbook worker has taken the external action (it may have acted).
    #[serde(default)]
    pub dispatched: bool,
    /// The external action's rendered inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Value>,
}

/// An automation execution's whole state. Every transition rewrites it in the same
/// transaction as the step row it concerns and the change-feed entry that announces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredExecution {
    /// UUID.
    pub id: String,
    /// The document.
    pub document_name: String,
    /// The version it runs (a number).
    pub document_version: String,
    /// The version's parsed content, fixed at start (later versions do not change a run).
    pub content: Value,
    /// Typed parameter values.
    pub parameters: BTreeMap<String, Value>,
    /// `Pending`, `InProgress`, `Waiting`, `Success`, `Failed`, `TimedOut`, `Cancelled`.
    pub status: String,
    /// `Auto` or `Interactive`.
    pub mode: String,
    /// Epoch seconds.
    pub started_at: f64,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<f64>,
    /// The principal that started it.
    pub executed_by: String,
    /// Whose rights its API calls use.
    pub run_as: RunAs,
    /// Index of the step running or waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<usize>,
    /// Row (seq) of that step's execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_seq: Option<i64>,
    /// What the current step waits for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    /// Attempts of the current step so far.
    #[serde(default)]
    pub attempt: u32,
    /// Step outputs: `step.Name` → value.
    #[serde(default)]
    pub outputs: BTreeMap<String, Value>,
    /// A critical step failed (the end is `Failed`).
    #[serde(default)]
    pub critical_failed: bool,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// StartAutomationExecution's client token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Hash of the request that used the token (a mismatch is `IdempotentParameterMismatch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_hash: Option<String>,
    /// The incident it responds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_arn: Option<String>,
    /// When the runbook worker must look at it next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_at: Option<f64>,
    /// Steps run so far (a guard against endless loops).
    #[serde(default)]
    pub steps_run: u64,
    /// Rows written so far (the next step execution's seq).
    #[serde(default)]
    pub next_seq: i64,
}
