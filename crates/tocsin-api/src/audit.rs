//! The audit log's entries, as `GET /v1/audit` and `tocsin audit export` show them.

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;
use crate::auth::Role;

/// One state-changing call made by a principal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, epoch seconds.
    pub at: EpochSeconds,
    /// Who: `arn:aws:iam::<account>:user/<key name>` (or `local:tocsin-cli`).
    pub principal: String,
    /// The principal's role.
    pub role: Role,
    /// The operation (`CreateResponsePlan`, `PutRule`, `CreateKey`, …).
    pub operation: String,
    /// The resource it acted on, when there is one (an ARN or an access key id).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// The address the call came from (empty for local tools).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source_address: String,
    /// `success`, or the AWS error code it failed with.
    pub result: String,
    /// HMAC-SHA256 (hex), keyed with the server key, over the previous entry's mac and this
    /// entry without its mac.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
}

/// Filters of `GET /v1/audit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    /// Only this principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// Only this operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Only entries at or after (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<EpochSeconds>,
    /// Only entries before (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<EpochSeconds>,
    /// At most this many, newest first (1-1000, default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}
