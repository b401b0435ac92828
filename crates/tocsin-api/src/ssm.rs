//! AWS Systems Manager shapes for Automation (`ssm`, API 2014-11-06, awsJson1.1:
//! `POST /` with `X-Amz-Target: AmazonSSM.<Operation>`): documents, automation executions,
//! step executions, signals and document tags. Members are PascalCase as in the botocore
//! model; times are epoch seconds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// `X-Amz-Target` prefix of Systems Manager operations.
pub const TARGET_PREFIX: &str = "AmazonSSM.";

/// Parameters as StartAutomationExecution takes them (`AutomationParameterMap`): name → values.
pub type ParameterMap = BTreeMap<String, Vec<String>>;

/// A tag (`Tag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// 1-128 characters.
    pub key: String,
    /// 0-256 characters.
    pub value: String,
}

/// Mirrors `CreateDocumentRequest` (Automation documents only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDocumentRequest {
    /// The document, JSON or YAML.
    pub content: String,
    /// 3-128 of `[a-zA-Z0-9_.-]`; not starting with `AWS`, `Amazon` or `amzn`.
    pub name: String,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A name for this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// Must be `Automation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    /// `JSON` (default) or `YAML`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_format: Option<String>,
    /// Accepted and stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// Mirrors `UpdateDocumentRequest`: a new version of a document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDocumentRequest {
    /// The new content.
    pub content: String,
    /// The document.
    pub name: String,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A name for the new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// The version being updated: `$LATEST` or the latest version's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_version: Option<String>,
    /// `JSON` (default) or `YAML`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_format: Option<String>,
    /// Accepted and stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
}

/// A declared parameter as `DescribeDocument` lists it (`DocumentParameter`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentParameter {
    /// Name.
    pub name: String,
    /// `String` or `StringList` (the model's only two; list types are `StringList`).
    #[serde(rename = "Type")]
    pub kind: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The default as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
}

/// A document version's description (`DocumentDescription`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentDescription {
    /// SHA-256 of the content.
    pub hash: String,
    /// Always `Sha256`.
    pub hash_type: String,
    /// Name.
    pub name: String,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Version name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// The account id for the caller's documents; `Amazon` or `Tocsin` for built-ins.
    pub owner: String,
    /// When this version was created.
    pub created_date: EpochSeconds,
    /// Always `Active`.
    pub status: String,
    /// This version's number.
    pub document_version: String,
    /// The document's `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Declared parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Vec<DocumentParameter>>,
    /// Always `["Windows", "Linux", "MacOS"]`, as AWS reports for Automation documents.
    pub platform_types: Vec<String>,
    /// Always `Automation`.
    pub document_type: String,
    /// Always `0.3`.
    pub schema_version: String,
    /// The newest version.
    pub latest_version: String,
    /// The version runs use unless told otherwise.
    pub default_version: String,
    /// `JSON` or `YAML`, as created.
    pub document_format: String,
    /// As given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// Mirrors `CreateDocumentResult` and `UpdateDocumentResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentDescriptionResult {
    /// The version written.
    pub document_description: DocumentDescription,
}

/// Mirrors `GetDocumentRequest`, `DescribeDocumentRequest` and `DeleteDocumentRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentRef {
    /// The document.
    pub name: String,
    /// A version number, `$DEFAULT` or `$LATEST` (default: the default version; for delete,
    /// every version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_version: Option<String>,
    /// A version name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// For GetDocument: the format to return the content in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_format: Option<String>,
    /// For DeleteDocument: accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

/// Mirrors `GetDocumentResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDocumentResult {
    /// Name.
    pub name: String,
    /// When the version was created.
    pub created_date: EpochSeconds,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Version name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// Version number.
    pub document_version: String,
    /// Always `Active`.
    pub status: String,
    /// The content.
    pub content: String,
    /// Always `Automation`.
    pub document_type: String,
    /// The content's format.
    pub document_format: String,
}

/// Mirrors `DescribeDocumentResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentResult {
    /// The version described.
    pub document: DocumentDescription,
}

/// Mirrors `UpdateDocumentDefaultVersionRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDocumentDefaultVersionRequest {
    /// The document.
    pub name: String,
    /// The version number to make the default.
    pub document_version: String,
}

/// Mirrors `DocumentDefaultVersionDescription`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentDefaultVersionDescription {
    /// The document.
    pub name: String,
    /// The new default version.
    pub default_version: String,
    /// Its version name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version_name: Option<String>,
}

/// Mirrors `UpdateDocumentDefaultVersionResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateDocumentDefaultVersionResult {
    /// The result.
    pub description: DocumentDefaultVersionDescription,
}

/// A filter of `ListDocuments` (`DocumentKeyValuesFilter`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentKeyValuesFilter {
    /// `Name`, `Owner`, `DocumentType`, `SearchKeyword` or `tag:KEY`.
    #[serde(default)]
    pub key: Option<String>,
    /// Values (any).
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

/// A legacy filter of `ListDocuments` (`DocumentFilter`, lower-case members).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentFilter {
    /// `Name`, `Owner`, `PlatformTypes`, `DocumentType`.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Mirrors `ListDocumentsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentsRequest {
    /// Legacy filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_filter_list: Option<Vec<DocumentFilter>>,
    /// Filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<DocumentKeyValuesFilter>>,
    /// 1-50 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From an earlier page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One document in `ListDocuments` (`DocumentIdentifier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentIdentifier {
    /// Name.
    pub name: String,
    /// When it was created.
    pub created_date: EpochSeconds,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Owner (account id, `Amazon` or `Tocsin`).
    pub owner: String,
    /// The default version's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// Platforms.
    pub platform_types: Vec<String>,
    /// The default version.
    pub document_version: String,
    /// `Automation`.
    pub document_type: String,
    /// `0.3`.
    pub schema_version: String,
    /// `JSON` or `YAML`.
    pub document_format: String,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// Mirrors `ListDocumentsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentsResult {
    /// The page.
    pub document_identifiers: Vec<DocumentIdentifier>,
    /// The next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `ListDocumentVersionsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentVersionsRequest {
    /// The document.
    pub name: String,
    /// 1-50 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From an earlier page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One version (`DocumentVersionInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentVersionInfo {
    /// Name.
    pub name: String,
    /// Friendly name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Number.
    pub document_version: String,
    /// Version name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// When it was created.
    pub created_date: EpochSeconds,
    /// Whether it is the default.
    pub is_default_version: bool,
    /// `JSON` or `YAML`.
    pub document_format: String,
    /// `Active`.
    pub status: String,
}

/// Mirrors `ListDocumentVersionsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDocumentVersionsResult {
    /// Newest first.
    pub document_versions: Vec<DocumentVersionInfo>,
    /// The next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `AddTagsToResourceRequest`, `ListTagsForResourceRequest` and
/// `RemoveTagsFromResourceRequest` (`ResourceType` `Document` only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagsRequest {
    /// `Document`.
    pub resource_type: String,
    /// The document name.
    pub resource_id: String,
    /// AddTagsToResource: the tags to add or replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// RemoveTagsFromResource: the keys to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_keys: Option<Vec<String>>,
}

/// Mirrors `ListTagsForResourceResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceResult {
    /// The tags.
    pub tag_list: Vec<Tag>,
}

/// Mirrors `DescribeDocumentPermissionRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentPermissionRequest {
    /// The document.
    pub name: String,
    /// `Share`.
    pub permission_type: String,
}

/// Mirrors `DescribeDocumentPermissionResponse`: Tocsin documents are never shared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDocumentPermissionResponse {
    /// Always empty.
    pub account_ids: Vec<String>,
    /// Always empty.
    pub account_sharing_info_list: Vec<serde_json::Value>,
}

/// Mirrors `StartAutomationExecutionRequest` (the single-account, non-rate-controlled form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartAutomationExecutionRequest {
    /// The document.
    pub document_name: String,
    /// A number, `$DEFAULT` (default) or `$LATEST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_version: Option<String>,
    /// Parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ParameterMap>,
    /// Idempotency: the same token with the same request returns the same execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// `Auto` (default) or `Interactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Tags (accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// Mirrors `StartAutomationExecutionResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartAutomationExecutionResult {
    /// The execution id (a UUID).
    pub automation_execution_id: String,
}

/// Mirrors `GetAutomationExecutionRequest` and `StopAutomationExecutionRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionRef {
    /// The execution.
    pub automation_execution_id: String,
    /// StopAutomationExecution: `Complete` (default) or `Cancel`.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub stop_type: Option<String>,
}

/// Mirrors `FailureDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailureDetails {
    /// `InputValidation`, `PreVerification`, `Invocation` or `PollingResponse`.
    pub failure_stage: String,
    /// `Automation` or `Internal`.
    pub failure_type: String,
}

/// One step of an execution (`StepExecution`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepExecution {
    /// The step's name.
    pub step_name: String,
    /// Its action (`aws:pause`).
    pub action: String,
    /// Its timeout, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// `Abort`, `Continue` or `step:NAME`.
    pub on_failure: String,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_start_time: Option<EpochSeconds>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_end_time: Option<EpochSeconds>,
    /// `Pending`, `InProgress`, `Waiting`, `Success`, `Failed`, `TimedOut`, `Cancelled`.
    pub step_status: String,
    /// The webhook's HTTP status, for `aws:invokeWebhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<String>,
    /// Rendered inputs: name → JSON text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
    /// Outputs: name → values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, Vec<String>>,
    /// What the action answered (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// Where it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_details: Option<FailureDetails>,
    /// Unique id.
    pub step_execution_id: String,
    /// Whether the execution ends after it.
    pub is_end: bool,
    /// The step that follows on success, when named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    /// Whether its failure fails the execution.
    pub is_critical: bool,
    /// Where a branch or pause may lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_next_steps: Option<Vec<String>>,
}

/// An execution (`AutomationExecution`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutomationExecution {
    /// Its id.
    pub automation_execution_id: String,
    /// The document.
    pub document_name: String,
    /// The version it runs.
    pub document_version: String,
    /// When it started.
    pub execution_start_time: EpochSeconds,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_end_time: Option<EpochSeconds>,
    /// Its status.
    pub automation_execution_status: String,
    /// Its steps so far, in order.
    pub step_executions: Vec<StepExecution>,
    /// Always false.
    pub step_executions_truncated: bool,
    /// Parameters as given (defaults filled).
    pub parameters: BTreeMap<String, Vec<String>>,
    /// The document's `outputs`, once known.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, Vec<String>>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// `Auto` or `Interactive`.
    pub mode: String,
    /// The principal that started it.
    pub executed_by: String,
    /// The step running or waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_name: Option<String>,
    /// Its action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_action: Option<String>,
}

/// A filter of `DescribeAutomationExecutions` (`AutomationExecutionFilter`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionFilter {
    /// `DocumentNamePrefix`, `ExecutionStatus`, `ExecutionId`, `CurrentAction`,
    /// `StartTimeBefore`, `StartTimeAfter` (and, for steps, `StepName`, `Action`,
    /// `StepExecutionStatus`, `StepExecutionId`).
    pub key: String,
    /// Any of these.
    pub values: Vec<String>,
}

/// Mirrors `DescribeAutomationExecutionsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutomationExecutionsRequest {
    /// Filters (all must hold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<ExecutionFilter>>,
    /// 1-50 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// From an earlier page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One execution in a listing (`AutomationExecutionMetadata`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutomationExecutionMetadata {
    /// Its id.
    pub automation_execution_id: String,
    /// The document.
    pub document_name: String,
    /// The version.
    pub document_version: String,
    /// Its status.
    pub automation_execution_status: String,
    /// When it started.
    pub execution_start_time: EpochSeconds,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_end_time: Option<EpochSeconds>,
    /// Who started it.
    pub executed_by: String,
    /// Outputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, Vec<String>>,
    /// `Auto` or `Interactive`.
    pub mode: String,
    /// The current step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_name: Option<String>,
    /// Its action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_action: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// `Executable`.
    pub automation_type: String,
}

/// Mirrors `DescribeAutomationExecutionsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutomationExecutionsResult {
    /// The page, newest first.
    pub automation_execution_metadata_list: Vec<AutomationExecutionMetadata>,
    /// The next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `DescribeAutomationStepExecutionsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutomationStepExecutionsRequest {
    /// The execution.
    pub automation_execution_id: String,
    /// Filters (all must hold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<ExecutionFilter>>,
    /// From an earlier page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 1-50 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// Newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse_order: Option<bool>,
}

/// Mirrors `DescribeAutomationStepExecutionsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAutomationStepExecutionsResult {
    /// The page.
    pub step_executions: Vec<StepExecution>,
    /// The next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `SendAutomationSignalRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendAutomationSignalRequest {
    /// The execution.
    pub automation_execution_id: String,
    /// `Approve`, `Reject`, `Resume`, `StartStep`, `StopStep`.
    pub signal_type: String,
    /// `{"Comment": [..]}` for Approve/Reject, `{"StepName": [..]}` for Resume/StartStep,
    /// `{"StepExecutionId": [..]}` for StopStep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<ParameterMap>,
}

/// Mirrors `GetAutomationExecutionResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetAutomationExecutionResult {
    /// The execution.
    pub automation_execution: AutomationExecution,
}
