//! Who is calling, and what their role lets them do.
//!
//! Roles ([`Role`]): `producer` only sends events; `viewer` < `responder` < `admin` read and
//! act, each including the one before (and a responder or admin may also send events). The
//! HTTP layer authenticates a request's access key (SigV4 or a bearer token) into a
//! [`Caller`] and checks the role each operation declares where it is registered; engines
//! receive the caller to record `createdBy` / `lastModifiedBy` as the key's principal.

use crate::domain::error::ApiError;

pub use tocsin_api::auth::Role;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The principal ARN recorded as `createdBy` / `lastModifiedBy`:
    /// `arn:aws:iam::<account>:user/<key name>`.
    pub principal: String,
    /// The caller's role.
    pub role: Role,
    /// The access key it authenticated with (empty for the anonymous callers).
    pub access_key_id: String,
    /// The key's name.
    pub name: String,
    /// The address the request came from (`ip:port`; empty when unknown).
    pub source_address: String,
}

impl Caller {
    /// The caller of a key named `name` in `account_id`.
    pub fn of_key(account_id: &str, access_key_id: &str, name: &str, role: Role) -> Self {
        Caller {
            principal: crate::domain::keys::principal(account_id, name),
            role,
            access_key_id: access_key_id.to_owned(),
            name: name.to_owned(),
            source_address: String::new(),
        }
    }

    /// Every caller under `--insecure-no-auth` (loopback only): an admin named `anonymous`.
    pub fn anonymous_admin() -> Self {
        Caller {
            principal: "arn:aws:iam::000000000000:user/anonymous".into(),
            role: Role::Admin,
            access_key_id: String::new(),
            name: "anonymous".into(),
            source_address: String::new(),
        }
    }

    /// A caller without credentials, on the few public routes (`/healthz`): it may do
    /// nothing that needs a role.
    pub fn nobody() -> Self {
        Caller {
            principal: String::new(),
            role: Role::Producer,
            access_key_id: String::new(),
            name: String::new(),
            source_address: String::new(),
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
        let viewer = Caller::of_key("000000000000", "TOCSV", "v", Role::Viewer);
        assert_eq!(viewer.principal, "arn:aws:iam::000000000000:user/v");
        assert!(viewer.require(Role::Viewer).is_ok());
        assert!(matches!(
            viewer.require(Role::Responder),
            Err(ApiError::AccessDenied(_))
        ));
        let admin = Caller::of_key("000000000000", "TOCSA", "a", Role::Admin);
        assert!(admin.require(Role::Responder).is_ok());
    }
}
