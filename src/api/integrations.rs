//! Integrations (admin only): outbound webhooks (`/v1/webhooks…`), which runbooks'
//! `aws:invokeWebhook` steps call by name, and service roles (`/v1/service-roles…`), the role
//! each service principal (a response plan's or a rule target's `roleArn`) acts with.
//!
//! A webhook's URL and headers are write-only secrets: they are sent when it is saved and
//! never come back; the list carries names only.

use tocsin_api::native::{
    DeleteOutboundWebhook, DeleteServiceRole, OutboundWebhook, PutOutboundWebhook, PutServiceRole,
    ServiceRole,
};

use super::{Api, ApiError};

impl Api {
    /// `GET /v1/webhooks`: every outbound webhook's name, creation time and creator (never
    /// its URL or headers).
    pub async fn list_webhooks(&self) -> Result<Vec<OutboundWebhook>, ApiError> {
        self.get_json("/v1/webhooks").await
    }

    /// `POST /v1/webhooks` (201): creates or replaces an outbound webhook.
    pub async fn put_webhook(
        &self,
        input: &PutOutboundWebhook,
    ) -> Result<OutboundWebhook, ApiError> {
        self.post_json("/v1/webhooks", input).await
    }

    /// `POST /v1/webhooks/delete` (204): deletes an outbound webhook.
    pub async fn delete_webhook(&self, name: &str) -> Result<(), ApiError> {
        let input = DeleteOutboundWebhook {
            name: name.to_owned(),
        };
        self.post_empty("/v1/webhooks/delete", &input).await
    }

    /// `GET /v1/service-roles`: every service principal with an assigned role.
    pub async fn list_service_roles(&self) -> Result<Vec<ServiceRole>, ApiError> {
        self.get_json("/v1/service-roles").await
    }

    /// `POST /v1/service-roles` (201): assigns a role to a service principal.
    pub async fn put_service_role(&self, input: &PutServiceRole) -> Result<ServiceRole, ApiError> {
        self.post_json("/v1/service-roles", input).await
    }

    /// `POST /v1/service-roles/delete` (204): the principal acts as `responder` again.
    pub async fn delete_service_role(&self, role_arn: &str) -> Result<(), ApiError> {
        let input = DeleteServiceRole {
            role_arn: role_arn.to_owned(),
        };
        self.post_empty("/v1/service-roles/delete", &input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::auth::Role;

    #[test]
    fn request_shapes() {
        let put = PutOutboundWebhook {
            name: "pager".to_owned(),
            url: "https://hooks.example.com/x".to_owned(),
            headers: [("X-Token".to_owned(), "t".to_owned())].into(),
        };
        assert_eq!(
            serde_json::to_value(&put).ok(),
            Some(serde_json::json!({
                "name": "pager",
                "url": "https://hooks.example.com/x",
                "headers": {"X-Token": "t"}
            }))
        );
        let role = PutServiceRole {
            role_arn: "arn:aws:iam::000000000000:role/R".to_owned(),
            role: Role::Viewer,
        };
        assert_eq!(
            serde_json::to_value(&role).ok(),
            Some(
                serde_json::json!({"roleArn": "arn:aws:iam::000000000000:role/R", "role": "viewer"})
            )
        );
        let delete = DeleteServiceRole {
            role_arn: "arn:r".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&delete).ok(),
            Some(serde_json::json!({"roleArn": "arn:r"}))
        );
    }

    #[test]
    fn answer_shapes() {
        let hooks: Vec<OutboundWebhook> = serde_json::from_str(
            r#"[{"name":"pager","createdAt":1700000000,"createdBy":"arn:aws:iam::000000000000:user/admin"}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].name, "pager");
        assert_eq!(hooks[0].created_at, 1_700_000_000.0);
        let roles: Vec<ServiceRole> = serde_json::from_str(
            r#"[{"roleArn":"arn:aws:iam::000000000000:role/R","role":"admin","assignedAt":1.5,"assignedBy":"admin"}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(roles[0].role, Role::Admin);
        assert_eq!(roles[0].assigned_at, 1.5);
        assert_eq!(roles[0].assigned_by, "admin");
    }
}
