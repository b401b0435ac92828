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
