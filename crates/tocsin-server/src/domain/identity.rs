//! Who is calling, and what their role lets them do.
//!
//! Roles ([`Role`]): `producer` only sends events; `viewer` < `responder` < `admin` read and
//! act, each including the one before (and a responder or admin may also send events). The
//! HTTP layer turns a request into
//! a [`Caller`] and checks the role each operation declares where it is registered; engines
//! receive the caller to record `createdBy` / `lastModifiedBy`. Access keys (bearer tokens
//! for the SPA, SigV4 credentials for AWS SDKs) are a later change: until then every caller
//! is [`Caller::anonymous_admin`].

use crate::domain::error::ApiError;

pub use tocsin_api::auth::Role;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The principal ARN recorded as `createdBy` / `lastModifiedBy`.
    pub principal: String,
    /// The caller's role.
    pub role: Role,
}

impl Caller {
    /// The caller every request is until access keys exist.
    pub fn anonymous_admin() -> Self {
        Caller {
            principal: "arn:aws:iam::000000000000:user/anonymous".into(),
            role: Role::Admin,
        }
    }

    /// Fails with `AccessDeniedException` unless the caller has at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role.grants(needed) {
            Ok(())
        } else {
            Err(ApiError::AccessDenied(format!(
                "{} has role {:?}; this operation needs {:?}",
                self.principal, self.role, needed
            )))
        }
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
