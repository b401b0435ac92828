//! Incident Manager's replication set (ssm-incidents 2018-05-10): `CreateReplicationSet`,
//! `GetReplicationSet`, `ListReplicationSets`, `UpdateReplicationSet`,
//! `DeleteReplicationSet`, `UpdateDeletionProtection`. Tocsin keeps at most one; its data
//! lives in Tocsin's own database, so the regions are recorded and reported `ACTIVE`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// Mirrors `RegionMapInputValue`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionMapInputValue {
    /// A KMS key (recorded, not used: Tocsin's data is in its own database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_kms_key_id: Option<String>,
}

/// Mirrors `CreateReplicationSetInput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateReplicationSetInput {
    /// 1-3 regions.
    pub regions: BTreeMap<String, RegionMapInputValue>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// Mirrors `CreateReplicationSetOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateReplicationSetOutput {
    /// The new set's ARN.
    pub arn: String,
}

/// Mirrors `RegionInfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionInfo {
    /// Always `ACTIVE` in Tocsin.
    pub status: String,
    /// When the status was set, epoch seconds.
    pub status_update_date_time: EpochSeconds,
    /// The KMS key given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_kms_key_id: Option<String>,
    /// A note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
}

/// Mirrors `ReplicationSet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationSet {
    /// Its ARN.
    pub arn: String,
    /// Who created it.
    pub created_by: String,
    /// Epoch seconds.
    pub created_time: EpochSeconds,
    /// Whether `DeleteReplicationSet` is refused.
    pub deletion_protected: bool,
    /// Who changed it last.
    pub last_modified_by: String,
    /// Epoch seconds.
    pub last_modified_time: EpochSeconds,
    /// Region name → its state.
    pub region_map: BTreeMap<String, RegionInfo>,
    /// Always `ACTIVE` in Tocsin.
    pub status: String,
}

/// Mirrors `GetReplicationSetOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetReplicationSetOutput {
    /// The set.
    pub replication_set: ReplicationSet,
}

/// Mirrors `ListReplicationSetsInput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListReplicationSetsInput {
    /// 1-100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i32>,
    /// From a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `ListReplicationSetsOutput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListReplicationSetsOutput {
    /// At most one in Tocsin.
    pub replication_set_arns: Vec<String>,
    /// Never set (one page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Mirrors `AddRegionAction`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddRegionAction {
    /// The region.
    pub region_name: String,
    /// A KMS key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_kms_key_id: Option<String>,
}

/// Mirrors `DeleteRegionAction`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRegionAction {
    /// The region.
    pub region_name: String,
}

/// Mirrors `UpdateReplicationSetAction` (a union: exactly one member).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReplicationSetAction {
    /// Add a region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_region_action: Option<AddRegionAction>,
    /// Remove a region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_region_action: Option<DeleteRegionAction>,
}

/// Mirrors `UpdateReplicationSetInput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateReplicationSetInput {
    /// The set.
    pub arn: String,
    /// Exactly one action.
    pub actions: Vec<UpdateReplicationSetAction>,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}

/// Mirrors `UpdateDeletionProtectionInput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDeletionProtectionInput {
    /// The set.
    pub arn: String,
    /// Refuse `DeleteReplicationSet` while true.
    pub deletion_protected: bool,
    /// Idempotency token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
}
