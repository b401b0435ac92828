//! The roles service principals act with. A runbook started by a response plan or a rule
//! target acts as the principal its `roleArn` names (AWS would assume that IAM role); here an
//! admin assigns that principal one of Tocsin's roles, and a principal nobody assigned is a
//! `responder` (enough for the timeline, incident updates and related items runbooks make).

use tocsin_api::auth::Role;
use tocsin_api::native::{PutServiceRole, ServiceRole};

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate;
use crate::store::StoreTx;

/// The role a principal gets when no admin assigned one.
pub const DEFAULT_ROLE: Role = Role::Responder;

/// The role `role_arn` acts with: the one assigned, else [`DEFAULT_ROLE`].
///
/// Errors: store errors.
pub async fn role_for(tx: &mut dyn StoreTx, role_arn: &str) -> ApiResult<Role> {
    Ok(tx
        .service_role(role_arn)
        .await?
        .map_or(DEFAULT_ROLE, |r| r.role))
}

/// Assigns a role to a service principal.
///
/// Errors: `ValidationException` for a malformed ARN.
pub async fn put(
    tx: &mut dyn StoreTx,
    principal: &str,
    req: PutServiceRole,
    now: f64,
) -> ApiResult<ServiceRole> {
    validate::arn("roleArn", &req.role_arn)?;
    let role = ServiceRole {
        role_arn: req.role_arn,
        role: req.role,
        assigned_at: now,
        assigned_by: principal.to_owned(),
    };
    tx.put_service_role(&role).await?;
    Ok(role)
}

/// Every assignment.
///
/// Errors: store errors.
pub async fn list(tx: &mut dyn StoreTx) -> ApiResult<Vec<ServiceRole>> {
    Ok(tx.service_roles().await?)
}

/// Removes an assignment (the principal is a responder again).
///
/// Errors: `ResourceNotFoundException`.
pub async fn delete(tx: &mut dyn StoreTx, role_arn: &str) -> ApiResult<()> {
    if tx.delete_service_role(role_arn).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "No role is assigned to {role_arn}."
        )))
    }
}
