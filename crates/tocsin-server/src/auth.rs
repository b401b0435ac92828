//! Who is calling, and what their role lets them do (invariant 6: every route checks).
//!
//! Roles are ordered: `viewer` < `responder` < `admin`. Every handler takes a [`Caller`] and
//! calls [`Caller::require`] with the least role its operation needs. Access keys (bearer
//! tokens for the SPA, SigV4 credentials for AWS SDKs) are a later change: until then every
//! caller is an anonymous admin, and this module is the one place that will change.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Read and stream (wall screens).
    Viewer,
    /// Start and update incidents, timelines, runbook approvals.
    Responder,
    /// Response plans, rules, runbooks, keys, configuration.
    Admin,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The principal ARN recorded as `createdBy` / `lastModifiedBy`.
    pub principal: String,
    /// The caller's role.
    pub role: Role,
}

impl Caller {
    /// Fails with `AccessDeniedException` unless the caller has at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::AccessDenied(format!(
                "{} has role {:?}; this operation needs {:?}",
                self.principal, self.role, needed
            )))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // No access keys yet: everyone is an anonymous admin (see the module docs).
        Ok(Caller {
            principal: "arn:aws:iam::000000000000:user/anonymous".into(),
            role: Role::Admin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        let viewer = Caller {
            principal: "v".into(),
            role: Role::Viewer,
        };
        assert!(viewer.require(Role::Viewer).is_ok());
        assert!(matches!(
            viewer.require(Role::Responder),
            Err(ApiError::AccessDenied(_))
        ));
        let admin = Caller {
            principal: "a".into(),
            role: Role::Admin,
        };
        assert!(admin.require(Role::Responder).is_ok());
    }
}
