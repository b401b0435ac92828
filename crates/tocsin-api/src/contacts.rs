//! AWS Systems Manager Incident Manager Contacts (`ssm-contacts` 2021-05-03, awsJson1.1,
//! `X-Amz-Target: SSMContacts.<Operation>`): contacts, their plans and contact channels.
//! Member names, optionality and enum spellings follow the botocore model exactly.

use serde::{Deserialize, Serialize};

/// The `X-Amz-Target` prefix of every operation.
pub const TARGET_PREFIX: &str = "SSMContacts.";

/// A tag (`Tag`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// 1-128 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// 1-256 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A contact's engagement plan (`Plan`): stages run one after the other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Plan {
    /// The stages, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<Stage>>,
    /// On-call rotations (not supported by Tocsin: refused when given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_ids: Option<Vec<String>>,
}

/// One stage (`Stage`): who is engaged, and how long before the next stage starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Stage {
    /// 0-30 minutes.
    pub duration_in_minutes: i32,
    /// Channels (personal contacts) or contacts (escalation plans).
    pub targets: Vec<Target>,
}

/// A stage's target (`Target`, one member set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    /// A contact channel (in a personal contact's plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_target_info: Option<ChannelTargetInfo>,
    /// A contact (in an escalation plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_target_info: Option<ContactTargetInfo>,
}

/// `ChannelTargetInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChannelTargetInfo {
    /// The channel's ARN.
    pub contact_channel_id: String,
    /// Minutes between retries on this channel (0-60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval_in_minutes: Option<i32>,
}

/// `ContactTargetInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactTargetInfo {
    /// The contact's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Whether this contact's acknowledgement stops the escalation.
    pub is_essential: bool,
}

/// Mirrors `CreateContactRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateContactRequest {
    /// Unique, `^[a-z0-9_\-]*$`, 1-255.
    pub alias: String,
    /// Shown name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `PERSONAL` or `ESCALATION` (`ONCALL_SCHEDULE` is refused).
    #[serde(rename = "Type")]
    pub contact_type: String,
    /// The plan.
    pub plan: Plan,
    /// Tags; `tocsin:principal` names the access-key principal the contact is (so an
    /// incident acknowledgement accepts that person's pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_token: Option<String>,
}

/// `{"ContactArn"}`: CreateContact's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactArnOutput {
    /// The contact.
    pub contact_arn: String,
}

/// `{"ContactId"}`: GetContact's and DeleteContact's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactRef {
    /// The contact's ARN.
    pub contact_id: String,
}

/// Mirrors `GetContactResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetContactResult {
    /// ARN.
    pub contact_arn: String,
    /// Alias.
    pub alias: String,
    /// Shown name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `PERSONAL` or `ESCALATION`.
    #[serde(rename = "Type")]
    pub contact_type: String,
    /// The plan.
    pub plan: Plan,
}

/// A contact in a list (`Contact`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Contact {
    /// ARN.
    pub contact_arn: String,
    /// Alias.
    pub alias: String,
    /// Shown name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `PERSONAL` or `ESCALATION`.
    #[serde(rename = "Type")]
    pub contact_type: String,
}

/// Mirrors `ListContactsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListContactsRequest {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 0-1024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Only aliases starting with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_prefix: Option<String>,
    /// Only this type.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<String>,
}

/// Mirrors `ListContactsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListContactsResult {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Contacts.
    pub contacts: Vec<Contact>,
}

/// Mirrors `UpdateContactRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateContactRequest {
    /// The contact.
    pub contact_id: String,
    /// New shown name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
}

/// `ContactChannelAddress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactChannelAddress {
    /// An email address or an E.164 phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simple_address: Option<String>,
}

/// Mirrors `CreateContactChannelRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateContactChannelRequest {
    /// The contact.
    pub contact_id: String,
    /// Channel name.
    pub name: String,
    /// `EMAIL`, `SMS` or `VOICE`.
    #[serde(rename = "Type")]
    pub channel_type: String,
    /// Where to.
    pub delivery_address: ContactChannelAddress,
    /// Do not send the activation code now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_activation: Option<bool>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_token: Option<String>,
}

/// `{"ContactChannelArn"}`: CreateContactChannel's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactChannelArnOutput {
    /// The channel.
    pub contact_channel_arn: String,
}

/// `{"ContactChannelId"}`: SendActivationCode's and DeleteContactChannel's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactChannelRef {
    /// The channel's ARN.
    pub contact_channel_id: String,
}

/// Mirrors `ActivateContactChannelRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ActivateContactChannelRequest {
    /// The channel's ARN.
    pub contact_channel_id: String,
    /// The code sent to the channel (6-10 digits).
    pub activation_code: String,
}

/// Mirrors `ListContactChannelsRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListContactChannelsRequest {
    /// The contact.
    pub contact_id: String,
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 0-1024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
}

/// A contact channel (`ContactChannel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContactChannel {
    /// ARN.
    pub contact_channel_arn: String,
    /// The contact.
    pub contact_arn: String,
    /// Name.
    pub name: String,
    /// `EMAIL`, `SMS`, `VOICE`.
    #[serde(rename = "Type")]
    pub channel_type: String,
    /// Where to.
    pub delivery_address: ContactChannelAddress,
    /// `ACTIVATED` or `NOT_ACTIVATED`.
    pub activation_status: String,
}

/// Mirrors `ListContactChannelsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListContactChannelsResult {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Channels.
    pub contact_channels: Vec<ContactChannel>,
}

/// Mirrors `StartEngagementRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartEngagementRequest {
    /// The contact (personal or escalation plan) to engage.
    pub contact_id: String,
    /// Who engages (shown in pages).
    pub sender: String,
    /// Page subject (email subject).
    pub subject: String,
    /// Page body.
    pub content: String,
    /// Subject for SMS/voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_subject: Option<String>,
    /// Body for SMS/voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_content: Option<String>,
    /// The incident (an incident record ARN when a response plan engages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_token: Option<String>,
}

/// `{"EngagementArn"}`: StartEngagement's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EngagementArnOutput {
    /// The engagement.
    pub engagement_arn: String,
}

/// `{"EngagementId"}`: DescribeEngagement's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EngagementRef {
    /// The engagement's ARN.
    pub engagement_id: String,
}

/// Mirrors `StopEngagementRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StopEngagementRequest {
    /// The engagement's ARN.
    pub engagement_id: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Mirrors `DescribeEngagementResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeEngagementResult {
    /// The contact engaged.
    pub contact_arn: String,
    /// The engagement.
    pub engagement_arn: String,
    /// Who engaged.
    pub sender: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub content: String,
    /// Subject for SMS/voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_subject: Option<String>,
    /// Body for SMS/voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_content: Option<String>,
    /// The incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Start, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<f64>,
    /// Stop, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<f64>,
}

/// An engagement in a list (`Engagement`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Engagement {
    /// The engagement.
    pub engagement_arn: String,
    /// The contact engaged.
    pub contact_arn: String,
    /// Who engaged.
    pub sender: String,
    /// The incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Start, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<f64>,
    /// Stop, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<f64>,
}

/// `TimeRange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeRange {
    /// From, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<f64>,
    /// To, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
}

/// Mirrors `ListEngagementsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEngagementsRequest {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 0-1024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// Only this incident's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Only those started in this range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_range_value: Option<TimeRange>,
}

/// Mirrors `ListEngagementsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEngagementsResult {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Engagements, newest first.
    pub engagements: Vec<Engagement>,
}

/// The input of `ListPagesByEngagement`, `ListPagesByContact` and `ListPageReceipts`: one
/// id (`EngagementId`, `ContactId` or `PageId`) and paging.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPagesRequest {
    /// `ListPagesByEngagement`'s engagement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_id: Option<String>,
    /// `ListPagesByContact`'s contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// `ListPageReceipts`' page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_id: Option<String>,
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// 0-1024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
}

/// A page (`Page`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page {
    /// The page.
    pub page_arn: String,
    /// Its engagement.
    pub engagement_arn: String,
    /// The contact paged.
    pub contact_arn: String,
    /// Who engaged.
    pub sender: String,
    /// The incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Sent, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_time: Option<f64>,
    /// Acknowledged as delivered, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_time: Option<f64>,
    /// Acknowledged as read, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_time: Option<f64>,
}

/// Mirrors `ListPagesByEngagementResult` / `ListPagesByContactResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPagesResult {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Pages, oldest first.
    pub pages: Vec<Page>,
}

/// `{"PageId"}`: DescribePage's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PageRef {
    /// The page's ARN.
    pub page_id: String,
}

/// Mirrors `DescribePageResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribePageResult {
    /// The page.
    pub page_arn: String,
    /// Its engagement.
    pub engagement_arn: String,
    /// The contact paged.
    pub contact_arn: String,
    /// Who engaged.
    pub sender: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub content: String,
    /// Subject for SMS/voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_subject: Option<String>,
    /// Body for SMS/voice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_content: Option<String>,
    /// The incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_id: Option<String>,
    /// Sent, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_time: Option<f64>,
    /// Read, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_time: Option<f64>,
    /// Delivered, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_time: Option<f64>,
}

/// A receipt (`Receipt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Receipt {
    /// The channel it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_channel_arn: Option<String>,
    /// `SENT`, `DELIVERED`, `READ`, `ERROR`, `STOP`.
    pub receipt_type: String,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_info: Option<String>,
    /// When, epoch seconds.
    pub receipt_time: f64,
}

/// Mirrors `ListPageReceiptsResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPageReceiptsResult {
    /// Page token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Receipts, oldest first.
    pub receipts: Vec<Receipt>,
}

/// Mirrors `AcceptPageRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AcceptPageRequest {
    /// The page.
    pub page_id: String,
    /// The channel the page was received on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_channel_id: Option<String>,
    /// `DELIVERED` (a receipt) or `READ` (an acknowledgement).
    pub accept_type: String,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The code the page carried.
    pub accept_code: String,
    /// `ENFORCE` (the code must match) or `IGNORE` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_code_validation: Option<String>,
}

/// `POST /v1/pages/accept`: accepts a page (`READ`) through the link its email carried; the
/// token is single-use, expires, and is bound to that page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptPageLink {
    /// The page.
    pub page_arn: String,
    /// The token from the link.
    pub token: String,
}
