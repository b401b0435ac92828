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
