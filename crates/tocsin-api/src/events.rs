//! Amazon EventBridge shapes (`events`, API 2015-10-07, awsJson1.1:
//! `POST /` with `X-Amz-Target: AWSEvents.<Operation>`). Members are PascalCase as in the
//! botocore model.

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// The account's default event bus, which always exists and cannot be deleted.
pub const DEFAULT_EVENT_BUS: &str = "default";

/// Rule state (`RuleState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleState {
    /// The rule routes events.
    Enabled,
    /// The rule is kept but routes nothing.
    Disabled,
    /// Treated as `ENABLED`.
    EnabledWithAllCloudtrailManagementEvents,
}

impl RuleState {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::EnabledWithAllCloudtrailManagementEvents => {
                "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
            }
        }
    }

    /// Whether the rule routes events.
    pub fn is_enabled(self) -> bool {
        !matches!(self, Self::Disabled)
    }
}

/// A tag (`Tag`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key (1-128 characters).
    pub key: String,
    /// Value (0-256 characters).
    pub value: String,
}

/// Mirrors `PutRuleRequest`: creates or replaces a rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleRequest {
    /// Rule name: 1-64 of `[.\-_A-Za-z0-9]`.
    pub name: String,
    /// Event pattern as a JSON string (at most 4096 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// Schedule (not supported yet: rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// `ENABLED` (default) or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<RuleState>,
    /// Description (at most 512 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// IAM role (kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
}

/// Mirrors `PutRuleResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleResponse {
    /// `arn:aws:events:<region>:<account>:rule/<name>`.
    pub rule_arn: String,
}

/// Names a rule on a bus (`DescribeRuleRequest`, `DeleteRuleRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleRef {
    /// Rule name.
    pub name: String,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// `DeleteRule` only: delete a managed rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// A rule (`Rule`, and `DescribeRuleResponse` which has the same members plus `CreatedBy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rule {
    /// Rule name.
    pub name: String,
    /// Rule ARN.
    pub arn: String,
    /// Event pattern JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// `rate(...)` or `cron(...)`: the rule fires `Scheduled Event`s on this schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    /// State.
    pub state: RuleState,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// IAM role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The bus.
    pub event_bus_name: String,
    /// Creator account (`DescribeRule` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// Mirrors `ListRulesRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesRequest {
    /// Only rules whose name starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Mirrors `ListRulesResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesResponse {
    /// The page, ordered by name.
    pub rules: Vec<Rule>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Rewrites the event before delivery (`InputTransformer`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputTransformer {
    /// Variable name → JSON path into the event (at most 100 entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_paths_map: Option<std::collections::BTreeMap<String, String>>,
    /// Template with `<variable>` placeholders (1-8192 characters).
    pub input_template: String,
}

/// A rule target (`Target`). A target whose `Arn` is a response-plan ARN
/// (`arn:aws:ssm-incidents::<account>:response-plan/<name>`) starts an incident.
/// Members Tocsin does not act on are kept verbatim in `other`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    /// Target id, unique within the rule: 1-64 of `[.\-_A-Za-z0-9]`.
    pub id: String,
    /// What to deliver to.
    pub arn: String,
    /// IAM role (kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Constant JSON text delivered instead of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// JSON path selecting part of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_path: Option<String>,
    /// Template-based rewrite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_transformer: Option<InputTransformer>,
    /// Every other `Target` member (`RetryPolicy`, `DeadLetterConfig`, `HttpParameters`, …).
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Mirrors `PutTargetsRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutTargetsRequest {
    /// Rule name.
    pub rule: String,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// Targets to add or replace (1-100).
    pub targets: Vec<Target>,
}

/// A per-target failure (`PutTargetsResultEntry`, `RemoveTargetsResultEntry`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetResultEntry {
    /// The target.
    pub target_id: String,
    /// Error code.
    pub error_code: String,
    /// Error text.
    pub error_message: String,
}

/// Mirrors `PutTargetsResponse` and `RemoveTargetsResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetsResponse {
    /// Number of failed entries.
    pub failed_entry_count: i32,
    /// The failures.
    pub failed_entries: Vec<TargetResultEntry>,
}

/// Mirrors `ListTargetsByRuleRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTargetsByRuleRequest {
    /// Rule name.
    pub rule: String,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Mirrors `ListTargetsByRuleResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTargetsByRuleResponse {
    /// The page, ordered by id.
    pub targets: Vec<Target>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `RemoveTargetsRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveTargetsRequest {
    /// Rule name.
    pub rule: String,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// Target ids (1-100).
    pub ids: Vec<String>,
    /// Remove from a managed rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// One event to put (`PutEventsRequestEntry`). Each member is optional on the wire; a
/// missing `Source`, `DetailType` or `Detail` fails that entry only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsRequestEntry {
    /// Event time; default now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<EpochSeconds>,
    /// Source, e.g. `aws.cloudwatch` or `com.example.app`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// ARNs of the resources involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
    /// Becomes the event's `detail-type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    /// A JSON object as a string; becomes the event's `detail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Bus name or ARN; default `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// X-Ray trace header (kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
}

/// Mirrors `PutEventsRequest`: 1-10 entries, at most 256 KiB in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsRequest {
    /// The events.
    pub entries: Vec<PutEventsRequestEntry>,
    /// Global endpoint id (not supported: ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
}

/// One entry's result (`PutEventsResultEntry`): `EventId` on success, else the error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsResultEntry {
    /// The stored event's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// `InvalidArgument`, `MalformedDetail`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Why the entry failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// Mirrors `PutEventsResponse`: one result per entry, in request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutEventsResponse {
    /// Number of failed entries.
    pub failed_entry_count: i32,
    /// Results in request order.
    pub entries: Vec<PutEventsResultEntry>,
}

/// Mirrors `TestEventPatternRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestEventPatternRequest {
    /// The pattern (JSON string).
    pub event_pattern: String,
    /// The event (JSON string) with the full envelope.
    pub event: String,
}

/// Mirrors `TestEventPatternResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TestEventPatternResponse {
    /// Whether the event matches.
    pub result: bool,
}

/// Mirrors `ListRuleNamesByTargetRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetRequest {
    /// The target's ARN.
    pub target_arn: String,
    /// The bus (name or ARN; default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_name: Option<String>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Mirrors `ListRuleNamesByTargetResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetResponse {
    /// Rules with a target of that ARN, by name.
    pub rule_names: Vec<String>,
    /// Present when more may follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `TagResourceRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TagResourceRequest {
    /// The resource (a rule's ARN).
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    /// Tags to add or replace.
    #[serde(rename = "Tags")]
    pub tags: Vec<Tag>,
}

/// Mirrors `UntagResourceRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UntagResourceRequest {
    /// The resource (a rule's ARN).
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
    /// Keys to remove.
    #[serde(rename = "TagKeys")]
    pub tag_keys: Vec<String>,
}

/// Mirrors `ListTagsForResourceRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListTagsForResourceRequest {
    /// The resource (a rule's ARN).
    #[serde(rename = "ResourceARN")]
    pub resource_arn: String,
}

/// Mirrors `ListTagsForResourceResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceResponse {
    /// The tags, by key.
    pub tags: Vec<Tag>,
}

/// Mirrors `DeadLetterConfig`: an SQS queue ARN (kept and returned; Tocsin keeps its own
/// dead letters).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    /// Queue ARN (1-1600 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// Mirrors `CreateEventBusRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateEventBusRequest {
    /// Bus name: 1-256 of `[/.\-_A-Za-z0-9]`, not `default`.
    pub name: String,
    /// A partner event source (Tocsin has none: `ResourceNotFoundException`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_name: Option<String>,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kept and returned (Tocsin's database is not encrypted per bus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
    /// Kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// `LogConfig` (`IncludeDetail`, `Level`), kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<serde_json::Value>,
    /// Tags of the new bus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// Mirrors `UpdateEventBusRequest`: what is given replaces what is stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateEventBusRequest {
    /// Bus name (`default` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
    /// Kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// Kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<serde_json::Value>,
}

/// An event bus as DescribeEventBus answers it (`ListEventBuses` entries are the same
/// shape; members a list entry lacks are ignored by clients).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventBus {
    /// Bus name.
    pub name: String,
    /// `arn:aws:events:<region>:<account>:event-bus/<name>`.
    pub arn: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// KMS key, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
    /// Dead-letter queue, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// Log configuration, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<serde_json::Value>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<EpochSeconds>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<EpochSeconds>,
}

/// Mirrors `ListEventBusesRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventBusesRequest {
    /// Only buses whose names start with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Mirrors `ListEventBusesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventBusesResponse {
    /// The buses, by name.
    pub event_buses: Vec<EventBus>,
    /// Present when more may follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `DescribeEventBusRequest` and `DeleteEventBusRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventBusRef {
    /// Name or ARN (`default` when absent; DeleteEventBus requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Mirrors `CreateArchiveRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateArchiveRequest {
    /// 1-48 of `[.\-_A-Za-z0-9]`.
    pub archive_name: String,
    /// The event bus ARN whose events it keeps.
    pub event_source_arn: String,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only events matching this pattern are kept (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// Days events are kept; 0 or absent: indefinitely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i32>,
    /// Kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

/// Mirrors `UpdateArchiveRequest`: what is given replaces what is stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateArchiveRequest {
    /// The archive.
    pub archive_name: String,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New pattern for events archived from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// New retention (0: indefinitely).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i32>,
    /// Kept and returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
}

/// Mirrors `DescribeArchiveRequest` and `DeleteArchiveRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ArchiveRef {
    /// The archive.
    pub archive_name: String,
}

/// Mirrors `ListArchivesRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListArchivesRequest {
    /// Only archives whose names start with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// Only archives of this bus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    /// Only archives in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Mirrors `ReplayDestination`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayDestination {
    /// The bus ARN events are replayed to (the archive's own bus).
    pub arn: String,
    /// Only these rules receive the replayed events (all rules of the bus when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_arns: Option<Vec<String>>,
}

/// Mirrors `StartReplayRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartReplayRequest {
    /// 1-64 of `[.\-_A-Za-z0-9]`.
    pub replay_name: String,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The archive ARN.
    pub event_source_arn: String,
    /// Epoch seconds: events archived from this time…
    pub event_start_time: EpochSeconds,
    /// …up to (not including) this one.
    pub event_end_time: EpochSeconds,
    /// Where they go.
    pub destination: ReplayDestination,
}

/// Mirrors `DescribeReplayRequest` and `CancelReplayRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplayRef {
    /// The replay.
    pub replay_name: String,
}

/// Mirrors `ListReplaysRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListReplaysRequest {
    /// Only replays whose names start with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_prefix: Option<String>,
    /// Only replays in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Only replays of this archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Mirrors `CreateEventBusResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateEventBusResponse {
    /// The new bus's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bus_arn: Option<String>,
    /// Description, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// KMS key, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_identifier: Option<String>,
    /// Dead-letter queue, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// Log configuration, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<serde_json::Value>,
}

/// An archive as `ListArchives` lists it (`Archive`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Archive {
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_name: Option<String>,
    /// The ARN of the bus whose events it keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    /// `ENABLED`, `DISABLED`, `CREATING`, `UPDATING`, `CREATE_FAILED` or `UPDATE_FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why it is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// Days events are kept; 0: indefinitely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i32>,
    /// Size of the events kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<i64>,
    /// Number of events kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_count: Option<i64>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<EpochSeconds>,
}

/// Mirrors `ListArchivesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListArchivesResponse {
    /// The archives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archives: Option<Vec<Archive>>,
    /// Present when more may follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `CreateArchiveResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateArchiveResponse {
    /// The new archive's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_arn: Option<String>,
    /// Its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why it is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// Epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<EpochSeconds>,
}

/// A replay as `ListReplays` lists it (`Replay`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Replay {
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_name: Option<String>,
    /// The archive's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    /// `STARTING`, `RUNNING`, `CANCELLING`, `COMPLETED`, `CANCELLED` or `FAILED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why it is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// Epoch seconds: events archived from this time…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_start_time: Option<EpochSeconds>,
    /// …up to (not including) this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_end_time: Option<EpochSeconds>,
    /// The archive time of the last event replayed so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_last_replayed_time: Option<EpochSeconds>,
    /// When the replay began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_start_time: Option<EpochSeconds>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_end_time: Option<EpochSeconds>,
}

/// Mirrors `ListReplaysResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListReplaysResponse {
    /// The replays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replays: Option<Vec<Replay>>,
    /// Present when more may follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `StartReplayResponse` (and `CancelReplayResponse`, which has no start time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartReplayResponse {
    /// The replay's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_arn: Option<String>,
    /// Its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why it is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// When it began (`StartReplay` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_start_time: Option<EpochSeconds>,
}
