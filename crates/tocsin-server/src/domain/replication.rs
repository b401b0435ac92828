//! Incident Manager's replication set (ssm-incidents 2018-05-10). Incident Manager needs one
//! before anything else; Terraform's `aws_ssmincidents_response_plan` depends on an
//! `aws_ssmincidents_replication_set`. Tocsin keeps at most one. Its data lives in Tocsin's
//! own database (SQLite or PostgreSQL), not in AWS regions, so the requested regions are
//! recorded and reported `ACTIVE`, and KMS keys are recorded but not used. Deletion
//! protection is honoured.

use std::collections::BTreeMap;

use tocsin_api::replication::{
    CreateReplicationSetInput, ListReplicationSetsInput, ListReplicationSetsOutput, RegionInfo,
    ReplicationSet, UpdateDeletionProtectionInput, UpdateReplicationSetInput,
};

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate::{self, Page};
use crate::store::StoreTx;

const CREATE: &str = "CreateReplicationSet";
const UPDATE: &str = "UpdateReplicationSet";
const PROTECT: &str = "UpdateDeletionProtection";
/// Most regions in a replication set.
pub const MAX_REGIONS: usize = 3;

fn check_region(name: &str) -> ApiResult<()> {
    validate::length("regionName", name, 1, 20)?;
    // `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`.
    let parts: Vec<&str> = name.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts.last().is_some_and(|d| d.parse::<u8>().is_ok());
    if ok {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "{name:?} is not an AWS region name (like us-east-1)."
        )))
    }
}

/// A region's record; without a key it reports `DefaultKey`, as Incident Manager does (the
/// Terraform provider keeps that value in state and compares it on every plan).
fn region(now: f64, key: Option<String>) -> RegionInfo {
    RegionInfo {
        status: "ACTIVE".into(),
        status_update_date_time: now,
        sse_kms_key_id: Some(
            key.filter(|k| !k.is_empty())
                .unwrap_or_else(|| "DefaultKey".into()),
        ),
        status_message: Some("Tocsin keeps incident data in its own database".into()),
    }
}

async fn the_set(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<ReplicationSet> {
    validate::arn("arn", arn)?;
    tx.replication_sets()
        .await?
        .into_iter()
        .find(|s| s.arn == arn)
        .ok_or_else(|| ApiError::NotFound(format!("Replication set {arn} does not exist.")))
}

/// Mirrors CreateReplicationSet: 1-3 regions; returns the ARN.
///
/// Errors: `ConflictException` when one exists, `ValidationException`.
pub async fn create(
    tx: &mut dyn StoreTx,
    account: &str,
    principal: &str,
    input: CreateReplicationSetInput,
    now: f64,
) -> ApiResult<String> {
    validate::list_length("regions", input.regions.len(), 1, MAX_REGIONS)?;
    for (name, value) in &input.regions {
        check_region(name)?;
        validate::opt_length("sseKmsKeyId", value.sse_kms_key_id.as_deref(), 2048)?;
    }
    if let Some(tags) = &input.tags {
        validate::list_length("tags", tags.len(), 1, 50)?;
        crate::domain::tags::check("tags", tags)?;
    }
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    if let Some(token) = &input.client_token
        && let Some(arn) = tx.client_token(CREATE, token).await?
    {
        return Ok(arn);
    }
    if let Some(existing) = tx.replication_sets().await?.first() {
        return Err(ApiError::Conflict(format!(
            "A replication set already exists: {}.",
            existing.arn
        )));
    }
    let arn = format!(
        "arn:aws:ssm-incidents::{account}:replication-set/{}",
        uuid::Uuid::new_v4()
    );
    let region_map: BTreeMap<String, RegionInfo> = input
        .regions
        .into_iter()
        .map(|(name, v)| (name, region(now, v.sse_kms_key_id)))
        .collect();
    tx.put_replication_set(&ReplicationSet {
        arn: arn.clone(),
        created_by: principal.to_owned(),
        created_time: now,
        deletion_protected: false,
        last_modified_by: principal.to_owned(),
        last_modified_time: now,
        region_map,
        status: "ACTIVE".into(),
    })
    .await?;
    if let Some(tags) = &input.tags {
        crate::domain::tags::put(tx, &arn, tags).await?;
    }
    if let Some(token) = &input.client_token {
        tx.put_client_token(CREATE, token, &arn).await?;
    }
    Ok(arn)
}

/// Mirrors GetReplicationSet. Errors: `ResourceNotFoundException`.
pub async fn get(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<ReplicationSet> {
    the_set(tx, arn).await
}

/// Mirrors ListReplicationSets (`maxResults` 1-100).
pub async fn list(
    tx: &mut dyn StoreTx,
    input: ListReplicationSetsInput,
) -> ApiResult<ListReplicationSetsOutput> {
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    let arns = tx
        .replication_sets()
        .await?
        .into_iter()
        .map(|s| s.arn)
        .collect();
    let (replication_set_arns, next_token) = page.slice(arns);
    Ok(ListReplicationSetsOutput {
        replication_set_arns,
        next_token,
    })
}

/// Mirrors UpdateReplicationSet: exactly one action, adding a region (at most 3) or
/// deleting one (at least one stays).
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn update(
    tx: &mut dyn StoreTx,
    principal: &str,
    input: UpdateReplicationSetInput,
    now: f64,
) -> ApiResult<()> {
    validate::list_length("actions", input.actions.len(), 1, 1)?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    if let Some(token) = &input.client_token
        && tx.client_token(UPDATE, token).await?.is_some()
    {
        return Ok(());
    }
    let mut set = the_set(tx, &input.arn).await?;
    let action = &input.actions[0];
    match (&action.add_region_action, &action.delete_region_action) {
        (Some(add), None) => {
            check_region(&add.region_name)?;
            if set.region_map.contains_key(&add.region_name) {
                return Err(ApiError::Validation(format!(
                    "Region {} is already in the replication set.",
                    add.region_name
                )));
            }
            if set.region_map.len() >= MAX_REGIONS {
                return Err(ApiError::Validation(format!(
                    "A replication set has at most {MAX_REGIONS} regions."
                )));
            }
            set.region_map.insert(
                add.region_name.clone(),
                region(now, add.sse_kms_key_id.clone()),
            );
        }
        (None, Some(delete)) => {
            if set.region_map.remove(&delete.region_name).is_none() {
                return Err(ApiError::Validation(format!(
                    "Region {} is not in the replication set.",
                    delete.region_name
                )));
            }
            if set.region_map.is_empty() {
                return Err(ApiError::Validation(
                    "The last region cannot be removed: delete the replication set instead.".into(),
                ));
            }
        }
        _ => {
            return Err(ApiError::Validation(
                "An action must set exactly one of addRegionAction and deleteRegionAction.".into(),
            ));
        }
    }
    set.last_modified_by = principal.to_owned();
    set.last_modified_time = now;
    tx.put_replication_set(&set).await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token(UPDATE, token, &input.arn).await?;
    }
    Ok(())
}

/// Mirrors UpdateDeletionProtection. Errors: `ResourceNotFoundException`.
pub async fn protect(
    tx: &mut dyn StoreTx,
    principal: &str,
    input: UpdateDeletionProtectionInput,
    now: f64,
) -> ApiResult<()> {
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    let mut set = the_set(tx, &input.arn).await?;
    set.deletion_protected = input.deletion_protected;
    set.last_modified_by = principal.to_owned();
    set.last_modified_time = now;
    tx.put_replication_set(&set).await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token(PROTECT, token, &input.arn).await?;
    }
    Ok(())
}

/// Mirrors DeleteReplicationSet.
///
/// Errors: `ResourceNotFoundException`; `ValidationException` while deletion protection is
/// on.
pub async fn delete(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    let set = the_set(tx, arn).await?;
    if set.deletion_protected {
        return Err(ApiError::Validation(
            "Deletion protection is enabled for the replication set: turn it off with UpdateDeletionProtection first.".into(),
        ));
    }
    tx.delete_replication_set(arn).await?;
    tx.delete_tags(arn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in ["", "useast1", "US-EAST-1", "us-east", "mars-north-1x"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }
}
