//! Who may do what: the four roles of an access key, and the shapes of the keys themselves
//! as `/v1/keys` and `tocsin keys` show them. The secret appears in exactly one shape,
//! [`NewAccessKey`], returned once when a key is created.

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;

/// What an access key may do.
///
/// `producer` only sends events (PutEvents, receivers); `viewer` reads and streams;
/// `responder` reads and works incidents (and may send events); `admin` may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sends events only: scripts and exporters.
    Producer,
    /// Reads and streams: wall screens.
    Viewer,
    /// Starts and updates incidents, timelines, approvals, acknowledgements.
    Responder,
    /// Response plans, rules, runbooks, keys, configuration.
    Admin,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 4] = [Role::Producer, Role::Viewer, Role::Responder, Role::Admin];

    /// Whether a caller with this role may call an operation that needs `needed`.
    pub fn grants(self, needed: Role) -> bool {
        match needed {
            Role::Producer => matches!(self, Role::Producer | Role::Responder | Role::Admin),
            Role::Viewer => matches!(self, Role::Viewer | Role::Responder | Role::Admin),
            Role::Responder => matches!(self, Role::Responder | Role::Admin),
            Role::Admin => self == Role::Admin,
        }
    }

    /// The wire spelling: `producer`, `viewer`, `responder`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Viewer => "viewer",
            Role::Responder => "responder",
            Role::Admin => "admin",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An access key without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessKey {
    /// 20 upper-case letters and digits, AWS style (`TOCS…`).
    pub access_key_id: String,
    /// A name for people; the principal is `arn:aws:iam::<account>:user/<name>`.
    pub name: String,
    /// What the key may do.
    pub role: Role,
    /// When it was created.
    pub created_at: EpochSeconds,
    /// When it was last used (to the minute), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<EpochSeconds>,
    /// Disabled keys authenticate nothing.
    pub enabled: bool,
}

/// A key just created, with its secret: shown once, never readable again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccessKey {
    /// The access key id.
    pub access_key_id: String,
    /// The 40-character secret.
    pub secret_access_key: String,
    /// What the key may do.
    pub role: Role,
    /// Its name.
    pub name: String,
}

/// `GET /v1/whoami`: who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Whoami {
    /// The access key id.
    pub access_key_id: String,
    /// The key's name.
    pub name: String,
    /// The key's role.
    pub role: Role,
    /// The principal ARN recorded as `createdBy`.
    pub principal: String,
}

/// `POST /v1/stream-tickets`: a single-use ticket for `GET /v1/stream?ticket=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamTicket {
    /// The opaque ticket.
    pub ticket: String,
    /// When it stops being valid.
    pub expires_at: EpochSeconds,
}

/// `POST /v1/keys`: create a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateKeyInput {
    /// Name (1-64 of letters, digits and `+=,.@_-`).
    pub name: String,
    /// Role.
    pub role: Role,
}

/// `POST /v1/keys/state`: enable or disable a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyStateInput {
    /// The key.
    pub access_key_id: String,
    /// Whether it may authenticate.
    pub enabled: bool,
}

/// `POST /v1/keys/delete`: delete a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRef {
    /// The key.
    pub access_key_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_role_grants() {
        use Role::*;
        // (caller, needed, granted)
        let table = [
            (Producer, Producer, true),
            (Producer, Viewer, false),
            (Producer, Responder, false),
            (Producer, Admin, false),
            (Viewer, Producer, false),
            (Viewer, Viewer, true),
            (Viewer, Responder, false),
            (Viewer, Admin, false),
            (Responder, Producer, true),
            (Responder, Viewer, true),
            (Responder, Responder, true),
            (Responder, Admin, false),
            (Admin, Producer, true),
            (Admin, Viewer, true),
            (Admin, Responder, true),
            (Admin, Admin, true),
        ];
        for (caller, needed, granted) in table {
            assert_eq!(caller.grants(needed), granted, "{caller} → {needed}");
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
