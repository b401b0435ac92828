//! AWS Systems Manager Incident Manager shapes (`ssm-incidents`, API 2018-05-10, rest-json).
//!
//! Member names are camelCase as in the botocore model; optional members are omitted from
//! JSON when absent. Each `*Input`/`*Output` pair mirrors the operation of the same name
//! (`POST /createResponsePlan`, `GET /getResponsePlan?arn=…`, …).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// Tags as a key/value map (`TagMap`: 1-50 entries).
pub type TagMap = BTreeMap<String, String>;

/// Incident status (`IncidentRecordStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum IncidentRecordStatus {
    /// The incident is being worked on.
    Open,
    /// The incident is over.
    Resolved,
}

impl IncidentRecordStatus {
    /// The wire spelling: `OPEN` or `RESOLVED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Resolved => "RESOLVED",
        }
    }
}

/// The template a response plan stamps onto every incident it opens (`IncidentTemplate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentTemplate {
    /// Title of incidents opened from the plan (at most 200 characters).
    pub title: String,
    /// Impact 1 (critical) to 5 (no impact).
    pub impact: i32,
    /// Summary (at most 8000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Open incidents sharing this string merge into one (at most 1000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe_string: Option<String>,
    /// SNS topics to notify (kept, not yet delivered to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_targets: Option<Vec<NotificationTargetItem>>,
    /// Tags applied to incidents opened from the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_tags: Option<TagMap>,
}

/// A notification target (`NotificationTargetItem`, a union with one member).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationTargetItem {
    /// SNS topic ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
}

/// A response plan's automation action (`Action`, union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Start an SSM Automation runbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssm_automation: Option<SsmAutomation>,
}

/// Runbook started by a response plan (`SsmAutomation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SsmAutomation {
    /// Automation document name.
    pub document_name: String,
    /// IAM role ARN (kept for compatibility).
    pub role_arn: String,
    /// Document version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_version: Option<String>,
    /// Static parameters: name → list of values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, Vec<String>>>,
    /// Parameters filled from the incident: name → `{"variable": "INCIDENT_RECORD_ARN"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_parameters: Option<BTreeMap<String, DynamicSsmParameterValue>>,
    /// `RESPONSE_PLAN_OWNER_ACCOUNT` or `IMPACTED_ACCOUNT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_account: Option<String>,
}

/// A dynamic runbook parameter (`DynamicSsmParameterValue`, union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DynamicSsmParameterValue {
    /// `INCIDENT_RECORD_ARN` or `INVOLVED_RESOURCES`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

/// Chat channel (`ChatChannel`, union): kept for compatibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatChannel {
    /// SNS topics of an AWS Chatbot channel (1-5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatbot_sns: Option<Vec<String>>,
    /// No chat channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Mirrors `CreateResponsePlanInput` (`POST /createResponsePlan`, 201).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResponsePlanInput {
    /// Plan name: 1-200 of `[a-zA-Z0-9-_]`; unique.
    pub name: String,
    /// The incident template.
    pub incident_template: IncidentTemplate,
    /// Display name (at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Chat channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_channel: Option<ChatChannel>,
    /// SSM Contacts ARNs to engage (0-5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagements: Option<Vec<String>>,
    /// Automation actions (0-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    /// Third-party integrations (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrations: Option<Vec<serde_json::Value>>,
    /// Tags on the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagMap>,
}

impl CreateResponsePlanInput {
    /// The plan this request creates, as `GetResponsePlan` returns it, under `arn` (the tags
    /// and the client token are not part of it).
    pub fn plan(&self, arn: String) -> GetResponsePlanOutput {
        GetResponsePlanOutput {
            arn,
            name: self.name.clone(),
            incident_template: self.incident_template.clone(),
            display_name: self.display_name.clone(),
            chat_channel: self.chat_channel.clone(),
            engagements: self.engagements.clone(),
            actions: self.actions.clone(),
            integrations: self.integrations.clone(),
        }
    }
}

/// Mirrors `CreateResponsePlanOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResponsePlanOutput {
    /// The new plan's ARN: `arn:aws:ssm-incidents::<account>:response-plan/<name>`.
    pub arn: String,
}

/// Mirrors `GetResponsePlanOutput` (`GET /getResponsePlan?arn=…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetResponsePlanOutput {
    /// Plan ARN.
    pub arn: String,
    /// Plan name.
    pub name: String,
    /// The incident template.
    pub incident_template: IncidentTemplate,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Chat channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_channel: Option<ChatChannel>,
    /// Engagements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagements: Option<Vec<String>>,
    /// Automation actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    /// Integrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrations: Option<Vec<serde_json::Value>>,
}

impl GetResponsePlanOutput {
    /// What people call the plan: its display name, or its name when that is empty.
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(&self.name)
    }
}

/// Mirrors `ListResponsePlansInput` (`POST /listResponsePlans`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponsePlansInput {
    /// Page size, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One plan in a list (`ResponsePlanSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponsePlanSummary {
    /// Plan ARN.
    pub arn: String,
    /// Plan name.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl ResponsePlanSummary {
    /// What people call the plan: its display name, or its name when that is empty.
    pub fn label(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(&self.name)
    }
}

/// Mirrors `ListResponsePlansOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponsePlansOutput {
    /// The page of plans, ordered by name.
    pub response_plan_summaries: Vec<ResponsePlanSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `UpdateResponsePlanInput` (`POST /updateResponsePlan`, 204). Absent members are
/// left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResponsePlanInput {
    /// Plan ARN.
    pub arn: String,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// New display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New template title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_template_title: Option<String>,
    /// New template impact (1-5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_template_impact: Option<i32>,
    /// New template summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_template_summary: Option<String>,
    /// New template dedupe string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_template_dedupe_string: Option<String>,
    /// New notification targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_template_notification_targets: Option<Vec<NotificationTargetItem>>,
    /// New template tags (replaces all; `{}` clears).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_template_tags: Option<TagMap>,
    /// New chat channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_channel: Option<ChatChannel>,
    /// New engagements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagements: Option<Vec<String>>,
    /// New actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    /// New integrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrations: Option<Vec<serde_json::Value>>,
}

/// Mirrors `DeleteResponsePlanInput` (`POST /deleteResponsePlan`, 204).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteResponsePlanInput {
    /// Plan ARN. Deleting a plan that does not exist succeeds, as in AWS.
    pub arn: String,
}

/// What triggered an incident (`TriggerDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerDetails {
    /// Source of the trigger, e.g. `aws.cloudwatch` (at most 50 characters).
    pub source: String,
    /// When the trigger fired.
    pub timestamp: EpochSeconds,
    /// ARN of what triggered it (an alarm, a rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_arn: Option<String>,
    /// Raw trigger payload, usually the event JSON (at most 10000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_data: Option<String>,
}

/// Related-item kinds (`ItemType`).
pub const ITEM_TYPES: [&str; 9] = [
    "ANALYSIS",
    "INCIDENT",
    "METRIC",
    "PARENT",
    "ATTACHMENT",
    "OTHER",
    "AUTOMATION",
    "INVOLVED_RESOURCE",
    "TASK",
];

/// Value of a related item (`ItemValue`, union: exactly one member is set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemValue {
    /// An ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// A URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A CloudWatch metric definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_definition: Option<String>,
    /// A PagerDuty incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pager_duty_incident_detail: Option<serde_json::Value>,
}

/// Identifies a related item (`ItemIdentifier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemIdentifier {
    /// One of [`ITEM_TYPES`].
    #[serde(rename = "type")]
    pub item_type: String,
    /// The value.
    pub value: ItemValue,
}

/// A resource or link attached to an incident (`RelatedItem`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedItem {
    /// What it is.
    pub identifier: ItemIdentifier,
    /// Display title (at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Server-generated id: `related-item/<TYPE>/<32 hex>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_id: Option<String>,
}

/// Mirrors `StartIncidentInput` (`POST /startIncident`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartIncidentInput {
    /// The plan the incident is opened from.
    pub response_plan_arn: String,
    /// Idempotency token: a repeat with the same token returns the same incident ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Overrides the plan's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Overrides the plan's impact (1-5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<i32>,
    /// Overrides the plan's summary (at most 8000 characters) for a new incident. A Tocsin
    /// extension: not in ssm-incidents 2018-05-10, where a summary is set afterwards with
    /// UpdateIncidentRecord; a trigger merged into an open incident leaves its summary alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// What triggered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_details: Option<TriggerDetails>,
    /// Items to attach (0-100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_items: Option<Vec<RelatedItem>>,
}

/// Mirrors `StartIncidentOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartIncidentOutput {
    /// `arn:aws:ssm-incidents::<account>:incident-record/<plan>/<id>`.
    pub incident_record_arn: String,
}

/// Who and what created an incident (`IncidentRecordSource`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentRecordSource {
    /// Principal that created it.
    pub created_by: String,
    /// Trigger source, e.g. `aws.cloudwatch` or `aws.ssm-incidents.custom`.
    pub source: String,
    /// Service that invoked it, e.g. `events.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<String>,
    /// The triggering resource (alarm, rule) ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_arn: Option<String>,
}

/// A running runbook attached to an incident (`AutomationExecution`, union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomationExecution {
    /// Execution ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssm_execution_arn: Option<String>,
}

/// An incident (`IncidentRecord`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentRecord {
    /// Incident ARN.
    pub arn: String,
    /// Title.
    pub title: String,
    /// Impact 1-5.
    pub impact: i32,
    /// OPEN or RESOLVED.
    pub status: IncidentRecordStatus,
    /// Open incidents with the same dedupe string merge.
    pub dedupe_string: String,
    /// When it opened.
    pub creation_time: EpochSeconds,
    /// Last change.
    pub last_modified_time: EpochSeconds,
    /// Who changed it last.
    pub last_modified_by: String,
    /// Where it came from.
    pub incident_record_source: IncidentRecordSource,
    /// Summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// When it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_time: Option<EpochSeconds>,
    /// Runbooks started for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_executions: Option<Vec<AutomationExecution>>,
    /// Chat channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_channel: Option<ChatChannel>,
    /// Notification targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_targets: Option<Vec<NotificationTargetItem>>,
}

/// Mirrors `GetIncidentRecordOutput` (`GET /getIncidentRecord?arn=…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetIncidentRecordOutput {
    /// The incident.
    pub incident_record: IncidentRecord,
}

/// A filter condition (`Condition`, union).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Matches when the attribute is before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<EpochSeconds>,
    /// Matches when the attribute is after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<EpochSeconds>,
    /// Matches when the attribute equals one of these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<AttributeValueList>,
}

/// Values to compare with (`AttributeValueList`, union).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeValueList {
    /// String values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_values: Option<Vec<String>>,
    /// Integer values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integer_values: Option<Vec<i64>>,
}

/// A list filter (`Filter`). Keys for incidents: `status`, `impact`, `creationTime`,
/// `resolvedTime`, `createdBy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// Attribute name.
    pub key: String,
    /// Condition on it.
    pub condition: Condition,
}

/// Mirrors `ListIncidentRecordsInput` (`POST /listIncidentRecords`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListIncidentRecordsInput {
    /// Filters, all of which must hold (0-5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
    /// Page size, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One incident in a list (`IncidentRecordSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentRecordSummary {
    /// Incident ARN.
    pub arn: String,
    /// Title.
    pub title: String,
    /// Impact 1-5.
    pub impact: i32,
    /// OPEN or RESOLVED.
    pub status: IncidentRecordStatus,
    /// When it opened.
    pub creation_time: EpochSeconds,
    /// Where it came from.
    pub incident_record_source: IncidentRecordSource,
    /// When it was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_time: Option<EpochSeconds>,
}

/// Mirrors `ListIncidentRecordsOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListIncidentRecordsOutput {
    /// The page, newest first.
    pub incident_record_summaries: Vec<IncidentRecordSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `UpdateIncidentRecordInput` (`POST /updateIncidentRecord`, 204). Absent members
/// are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateIncidentRecordInput {
    /// Incident ARN.
    pub arn: String,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// New title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// New impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<i32>,
    /// New status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<IncidentRecordStatus>,
    /// New chat channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_channel: Option<ChatChannel>,
    /// New notification targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_targets: Option<Vec<NotificationTargetItem>>,
}

/// Mirrors `ListTimelineEventsInput` (`POST /listTimelineEvents`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTimelineEventsInput {
    /// The incident.
    pub incident_record_arn: String,
    /// Filters (`eventTime`, `eventType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
    /// Page size, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Only `EVENT_TIME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// `ASCENDING` (default) or `DESCENDING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<String>,
}

/// A reference from a timeline event (`EventReference`, union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventReference {
    /// A resource ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// A related item's generated id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_item_id: Option<String>,
}

/// One timeline entry without its data (`EventSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    /// Entry id (UUID).
    pub event_id: String,
    /// The incident.
    pub incident_record_arn: String,
    /// When it happened.
    pub event_time: EpochSeconds,
    /// When it was last changed.
    pub event_updated_time: EpochSeconds,
    /// Kind, e.g. `Custom Event`, or one of Tocsin's system kinds in
    /// [`crate::native::timeline_event_types`].
    pub event_type: String,
    /// References.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_references: Option<Vec<EventReference>>,
}

/// Mirrors `ListTimelineEventsOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTimelineEventsOutput {
    /// The page.
    pub event_summaries: Vec<EventSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A timeline entry with its data (`TimelineEvent`, as `GetTimelineEvent` returns it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    /// Entry id (UUID).
    pub event_id: String,
    /// The incident.
    pub incident_record_arn: String,
    /// When it happened.
    pub event_time: EpochSeconds,
    /// When it was last changed.
    pub event_updated_time: EpochSeconds,
    /// Kind.
    pub event_type: String,
    /// Free text or JSON (at most 12000 characters). Untrusted: render as text.
    pub event_data: String,
    /// References.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_references: Option<Vec<EventReference>>,
}

/// Mirrors `GetTimelineEventInput` (`GET /getTimelineEvent?eventId=&incidentRecordArn=`):
/// both members travel in the query string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTimelineEventInput {
    /// The entry's id (UUID). Required; `None` when the query omits it.
    #[serde(default)]
    pub event_id: Option<String>,
    /// The incident the entry belongs to. Required; `None` when the query omits it.
    #[serde(default)]
    pub incident_record_arn: Option<String>,
}

/// Mirrors `GetTimelineEventOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTimelineEventOutput {
    /// The entry with its data.
    pub event: TimelineEvent,
}

/// Mirrors `ListRelatedItemsInput` (`POST /listRelatedItems`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRelatedItemsInput {
    /// The incident.
    pub incident_record_arn: String,
    /// Page size, 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `ListRelatedItemsOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRelatedItemsOutput {
    /// The page.
    pub related_items: Vec<RelatedItem>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `CreateTimelineEventInput` (`POST /createTimelineEvent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTimelineEventInput {
    /// The incident.
    pub incident_record_arn: String,
    /// When it happened (epoch seconds).
    pub event_time: EpochSeconds,
    /// Its type (`Custom Event`, `Note`; at most 100 characters).
    pub event_type: String,
    /// Its data (a JSON string; at most 12,000 characters).
    pub event_data: String,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Related resources (kept with the entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_references: Option<Vec<serde_json::Value>>,
}

/// Mirrors `UpdateTimelineEventInput`: only `Custom Event` and `Note` entries can be
/// updated; `eventReferences`, when given, replace the entry's references.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTimelineEventInput {
    /// The incident.
    pub incident_record_arn: String,
    /// The entry.
    pub event_id: String,
    /// A new time (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<EpochSeconds>,
    /// A new type (`Custom Event` or `Note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// New data (at most 12,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_data: Option<String>,
    /// New references (replacing all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_references: Option<Vec<EventReference>>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

/// Mirrors `DeleteTimelineEventInput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTimelineEventInput {
    /// The incident.
    pub incident_record_arn: String,
    /// The entry.
    pub event_id: String,
}

/// Mirrors `CreateTimelineEventOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTimelineEventOutput {
    /// The new entry's id.
    pub event_id: String,
    /// The incident.
    pub incident_record_arn: String,
}

/// One change of `UpdateRelatedItems` (`RelatedItemsUpdate`, union).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedItemsUpdate {
    /// Attach this item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_to_add: Option<RelatedItem>,
    /// Detach the item with this identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_to_remove: Option<ItemIdentifier>,
}

/// Mirrors `UpdateRelatedItemsInput` (`POST /updateRelatedItems`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRelatedItemsInput {
    /// The incident.
    pub incident_record_arn: String,
    /// The change.
    pub related_items_update: RelatedItemsUpdate,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

/// Mirrors `ListIncidentFindingsInput` (`POST /listIncidentFindings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListIncidentFindingsInput {
    /// The incident.
    pub incident_record_arn: String,
    /// Page size, 1-20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Token from the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `BatchGetIncidentFindingsInput` (`POST /batchGetIncidentFindings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchGetIncidentFindingsInput {
    /// The incident.
    pub incident_record_arn: String,
    /// At most 20 finding ids.
    pub finding_ids: Vec<String>,
}

/// One finding as `ListIncidentFindings` lists it (`FindingSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingSummary {
    /// The finding's id (a CodeDeploy deployment id, or the first change event's id).
    pub id: String,
    /// When it was last updated.
    pub last_modified_time: EpochSeconds,
}

/// Mirrors `ListIncidentFindingsOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListIncidentFindingsOutput {
    /// The page.
    pub findings: Vec<FindingSummary>,
    /// Present when more pages follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A CodeDeploy deployment around the incident (`CodeDeployDeployment`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeDeployDeployment {
    /// The deployment group.
    pub deployment_group_arn: String,
    /// The deployment's id.
    pub deployment_id: String,
    /// When it began.
    pub start_time: EpochSeconds,
    /// When it ended; absent while it is in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<EpochSeconds>,
}

/// A CloudFormation stack creation or update around the incident
/// (`CloudFormationStackUpdate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudFormationStackUpdate {
    /// The stack.
    pub stack_arn: String,
    /// When it began.
    pub start_time: EpochSeconds,
    /// When it ended; absent while it is in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<EpochSeconds>,
}

/// What a finding is (`FindingDetails`, union: one member is set).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingDetails {
    /// A CloudFormation stack update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_formation_stack_update: Option<CloudFormationStackUpdate>,
    /// A CodeDeploy deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_deploy_deployment: Option<CodeDeployDeployment>,
}

/// A finding with its details (`Finding`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The finding's id.
    pub id: String,
    /// When it was created.
    pub creation_time: EpochSeconds,
    /// When it was last updated.
    pub last_modified_time: EpochSeconds,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<FindingDetails>,
}

/// A finding `BatchGetIncidentFindings` could not return (`BatchGetIncidentFindingsError`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchGetIncidentFindingsError {
    /// The error code, e.g. `ResourceNotFoundException`.
    pub code: String,
    /// The finding asked for.
    pub finding_id: String,
    /// Why.
    pub message: String,
}

/// Mirrors `BatchGetIncidentFindingsOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchGetIncidentFindingsOutput {
    /// The ids that could not be returned.
    pub errors: Vec<BatchGetIncidentFindingsError>,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// The body of `TagResource` (`POST /tags/{resourceArn}`; the ARN travels in the path).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceBody {
    /// Tags to add or replace.
    pub tags: TagMap,
}

/// Mirrors `ListTagsForResourceResponse` (`GET /tags/{resourceArn}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTagsForResourceOutput {
    /// The resource's tags.
    pub tags: TagMap,
}
