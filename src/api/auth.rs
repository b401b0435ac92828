//! Who the key is (`GET /v1/whoami`), live-stream tickets (`POST /v1/stream-tickets`) and
//! access keys (`/v1/keys…`, admin only).

use serde::{Deserialize, Serialize};
use tocsin_api::auth::{
    AccessKey, CreateKeyInput, KeyRef, KeyStateInput, NewAccessKey, Role, StreamTicket,
};

use super::{Api, ApiError};
use crate::auth::Identity;

/// `GET /v1/keys` answers a bare array; a `{"keys": […]}` object is read too.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyList {
    Bare(Vec<AccessKey>),
    Wrapped { keys: Vec<AccessKey> },
}

/// The empty JSON object the ticket request sends.
#[derive(Debug, Serialize)]
struct Empty {}

impl Api {
    /// `GET /v1/whoami`: whose key this client sends, and its role.
    pub async fn whoami(&self) -> Result<Identity, ApiError> {
        self.get_json("/v1/whoami").await
    }

    /// `POST /v1/stream-tickets`: a single-use ticket to open the change stream with.
    pub async fn stream_ticket(&self) -> Result<StreamTicket, ApiError> {
        self.post_json("/v1/stream-tickets", &Empty {}).await
    }

    /// `GET /v1/keys`: every access key (never a secret).
    pub async fn list_keys(&self) -> Result<Vec<AccessKey>, ApiError> {
        let list: KeyList = self.get_json("/v1/keys").await?;
        Ok(match list {
            KeyList::Bare(keys) | KeyList::Wrapped { keys } => keys,
        })
    }

    /// `POST /v1/keys`: a new key, with its secret (shown once).
    pub async fn create_key(&self, name: &str, role: Role) -> Result<NewAccessKey, ApiError> {
        let input = CreateKeyInput {
            name: name.to_owned(),
            role,
        };
        self.post_json("/v1/keys", &input).await
    }

    /// `POST /v1/keys/state` (204): enables or disables a key.
    pub async fn set_key_enabled(
        &self,
        access_key_id: &str,
        enabled: bool,
    ) -> Result<(), ApiError> {
        let input = KeyStateInput {
            access_key_id: access_key_id.to_owned(),
            enabled,
        };
        self.post_empty("/v1/keys/state", &input).await
    }

    /// `POST /v1/keys/delete` (204): deletes a key.
    pub async fn delete_key(&self, access_key_id: &str) -> Result<(), ApiError> {
        let input = KeyRef {
            access_key_id: access_key_id.to_owned(),
        };
        self.post_empty("/v1/keys/delete", &input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shapes() {
        let create = CreateKeyInput {
            name: "wall".to_owned(),
            role: Role::Viewer,
        };
        assert_eq!(
            serde_json::to_value(&create).ok(),
            Some(serde_json::json!({"name": "wall", "role": "viewer"}))
        );
        let state = KeyStateInput {
            access_key_id: "K".to_owned(),
            enabled: false,
        };
        assert_eq!(
            serde_json::to_value(&state).ok(),
            Some(serde_json::json!({"accessKeyId": "K", "enabled": false}))
        );
        assert_eq!(serde_json::to_string(&Empty {}).ok().as_deref(), Some("{}"));
    }

    #[test]
    fn answer_shapes() {
        let who: Identity = serde_json::from_str(
            r#"{"accessKeyId":"K","name":"ci-bot","role":"viewer","principal":"arn:aws:iam::000000000000:user/ci-bot"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(who.role, Role::Viewer);
        assert_eq!(who.name, "ci-bot");
        let ticket: StreamTicket =
            serde_json::from_str(r#"{"ticket":"t-1","expiresAt":1700000060}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ticket.ticket, "t-1");
        assert_eq!(ticket.expires_at, 1_700_000_060.0);
        let key = r#"{"accessKeyId":"K","name":"n","role":"admin","createdAt":1.0,"enabled":true}"#;
        for body in [format!("[{key}]"), format!(r#"{{"keys":[{key}]}}"#)] {
            let list: KeyList = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}"));
            let (KeyList::Bare(keys) | KeyList::Wrapped { keys }) = list;
            assert_eq!(keys.len(), 1);
            assert_eq!(keys[0].role, Role::Admin);
            assert_eq!(keys[0].last_used_at, None);
        }
    }
}
