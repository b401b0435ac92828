//! Resource policies of response plans, mirroring `PutResourcePolicy`,
//! `GetResourcePolicies` and `DeleteResourcePolicy` (ssm-incidents 2018-05-10). In AWS they
//! share a response plan with other accounts through RAM. Tocsin is one account: the
//! policies are validated (a JSON policy document of at most 4,000 characters), stored and
//! returned so that scripts and Terraform round-trip, and they grant nothing.

use serde_json::json;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate::{self, Page};
use crate::store::StoreTx;

async fn plan(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    validate::arn("resourceArn", arn)?;
    match tx.plan(arn).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound(format!(
            "Response plan {arn} does not exist."
        ))),
    }
}

/// Mirrors PutResourcePolicy: returns the new policy's id.
///
/// Errors: `ValidationException` (not a JSON policy with a `Statement`, over 4,000
/// characters), `ResourceNotFoundException` for an unknown response plan.
pub async fn put(
    tx: &mut dyn StoreTx,
    resource_arn: &str,
    policy: &str,
    now: f64,
) -> ApiResult<String> {
    validate::length("policy", policy, 1, 4000)?;
    let document: serde_json::Value = serde_json::from_str(policy)
        .map_err(|e| ApiError::Validation(format!("policy is not JSON: {e}")))?;
    if !document["Statement"].is_array() && !document["Statement"].is_object() {
        return Err(ApiError::Validation(
            "policy must be an IAM policy document with a Statement.".into(),
        ));
    }
    plan(tx, resource_arn).await?;
    let id = uuid::Uuid::new_v4().to_string();
    tx.put_policy(&id, resource_arn, policy, now).await?;
    Ok(id)
}

/// Mirrors GetResourcePolicies (`maxResults` 1-100).
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn list(
    tx: &mut dyn StoreTx,
    resource_arn: &str,
    max_results: Option<i32>,
    next_token: Option<&str>,
) -> ApiResult<serde_json::Value> {
    let page = Page::parse("maxResults", max_results, next_token, 100)?;
    plan(tx, resource_arn).await?;
    let all: Vec<serde_json::Value> = tx
        .policies(resource_arn)
        .await?
        .into_iter()
        .map(|(id, document)| {
            json!({"policyId": id, "policyDocument": document, "ramResourceShareRegion": ""})
        })
        .collect();
    Ok(page.answer("resourcePolicies", "nextToken", all))
}

/// Mirrors DeleteResourcePolicy.
///
/// Errors: `ResourceNotFoundException` for an unknown plan or policy.
pub async fn delete(tx: &mut dyn StoreTx, resource_arn: &str, policy_id: &str) -> ApiResult<()> {
    validate::length("policyId", policy_id, 1, 256)?;
    plan(tx, resource_arn).await?;
    if tx.delete_policy(resource_arn, policy_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "Resource policy {policy_id} does not exist on {resource_arn}."
        )))
    }
}
