//! Stored shapes and the store trait for contacts and contact channels (see
//! [`crate::domain::contacts`]).

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tocsin_api::contacts::{ContactChannel, GetContactResult};

use crate::store::StoreResult;

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredContact {
    /// The contact, as `GetContact` returns it.
    pub contact: GetContactResult,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Epoch seconds.
    pub created_at: f64,
}

/// A contact channel as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredChannel {
    /// The channel, as `ListContactChannels` shows it.
    pub channel: ContactChannel,
    /// The activation code sent last (6 digits), until the channel is activated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_code: Option<String>,
    /// Epoch seconds.
    pub created_at: f64,
}

/// Contacts and their channels.
#[async_trait]
pub trait ContactStore: Send {
    /// Creates or replaces a contact.
    async fn put_contact(&mut self, contact: &StoredContact) -> StoreResult<()>;
    /// One contact.
    async fn contact(&mut self, arn: &str) -> StoreResult<Option<StoredContact>>;
    /// Every contact, by ARN.
    async fn contacts(&mut self) -> StoreResult<Vec<StoredContact>>;
    /// Deletes a contact and its channels; false when there was none.
    async fn delete_contact(&mut self, arn: &str) -> StoreResult<bool>;
    /// Creates or replaces a channel.
    async fn put_channel(&mut self, channel: &StoredChannel) -> StoreResult<()>;
    /// One channel.
    async fn channel(&mut self, arn: &str) -> StoreResult<Option<StoredChannel>>;
    /// A contact's channels, oldest first.
    async fn channels(&mut self, contact_arn: &str) -> StoreResult<Vec<StoredChannel>>;
    /// Deletes a channel; false when there was none.
    async fn delete_channel(&mut self, arn: &str) -> StoreResult<bool>;
}

/// An engagement as stored: what `DescribeEngagement` shows, and where its escalation
/// stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEngagement {
    /// As `DescribeEngagement` returns it.
    pub engagement: tocsin_api::contacts::DescribeEngagementResult,
    /// Whether the contact engaged is an escalation plan (stages of contacts).
    pub escalation: bool,
    /// The escalation stage running (0-based).
    pub stage: usize,
    /// When that stage began, epoch seconds (later stages begin exactly a stage's duration
    /// after it, whatever time the scheduler ran).
    pub stage_started_at: f64,
    /// When the scheduler next acts: the stage's end; `None` when nothing is pending.
    pub wake_at: Option<f64>,
    /// An incident acknowledgement holds the escalation until this time (epoch seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_until: Option<f64>,
}

/// A page as stored: what `DescribePage` shows, its receipts, and where the paged
/// contact's own plan (stages of channels, retries) stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPage {
    /// As `DescribePage` returns it.
    pub page: tocsin_api::contacts::DescribePageResult,
    /// Whether the contact's acceptance (`READ`) stops the engagement.
    pub essential: bool,
    /// The code the page carries (`AcceptCode`).
    pub accept_code: String,
    /// The single-use token of the page's accept link, until used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_token: Option<String>,
    /// When the link's token expires, epoch seconds.
    pub link_expires_at: f64,
    /// Receipts, oldest first.
    pub receipts: Vec<tocsin_api::contacts::Receipt>,
    /// The stage of the contact's plan running (0-based).
    pub stage: usize,
    /// When that stage began, epoch seconds.
    pub stage_started_at: f64,
    /// When each channel was last sent this page, epoch seconds.
    pub last_sent: BTreeMap<String, f64>,
    /// When the scheduler next acts (a retry, the next stage); `None` when done.
    pub wake_at: Option<f64>,
    /// The access-key principal the contact is (its `tocsin:principal` tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

/// What the escalation scheduler has to do now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DueEscalations {
    /// Engagements at a stage's end.
    pub engagements: Vec<String>,
    /// Pages due a retry or their contact's next stage.
    pub pages: Vec<String>,
    /// Incidents whose acknowledgement expires.
    pub acknowledgements: Vec<String>,
}

/// Engagements, pages and incident acknowledgements.
#[async_trait]
pub trait EngagementStore: Send {
    /// Creates or replaces an engagement.
    async fn put_engagement(&mut self, e: &StoredEngagement) -> StoreResult<()>;
    /// One engagement.
    async fn engagement(&mut self, arn: &str) -> StoreResult<Option<StoredEngagement>>;
    /// Engagements, newest first, optionally one incident's.
    async fn engagements(
        &mut self,
        incident_id: Option<&str>,
    ) -> StoreResult<Vec<StoredEngagement>>;
    /// Creates or replaces a page.
    async fn put_page(&mut self, p: &StoredPage) -> StoreResult<()>;
    /// One page.
    async fn page(&mut self, arn: &str) -> StoreResult<Option<StoredPage>>;
    /// An engagement's pages, oldest first.
    async fn pages_by_engagement(&mut self, engagement_arn: &str) -> StoreResult<Vec<StoredPage>>;
    /// A contact's pages, oldest first.
    async fn pages_by_contact(&mut self, contact_arn: &str) -> StoreResult<Vec<StoredPage>>;
    /// ARNs of engagements, pages and acknowledged incidents whose `wake_at` (an
    /// acknowledgement's expiry) has come.
    async fn due_escalations(&mut self, now: f64) -> StoreResult<DueEscalations>;
    /// Records an incident's acknowledgement (replacing the last); it wakes the scheduler
    /// at its expiry unless lapsed.
    async fn put_acknowledgement(
        &mut self,
        incident_arn: &str,
        ack: &tocsin_api::native::Acknowledgement,
    ) -> StoreResult<()>;
    /// An incident's last acknowledgement.
    async fn acknowledgement(
        &mut self,
        incident_arn: &str,
    ) -> StoreResult<Option<tocsin_api::native::Acknowledgement>>;
    /// The soonest `wake_at` of any engagement, page or acknowledgement.
    async fn next_escalation_at(&mut self) -> StoreResult<Option<f64>>;
}
