//! The audit log (`GET /v1/audit`, admin only): who changed what, newest first.

use tocsin_api::audit::{AuditEntry, AuditQuery};

use super::{Api, ApiError};
use crate::format::encode_component;

/// `/v1/audit` with the filters `query` sets, each value URL-encoded; filters it leaves
/// out are not sent.
pub fn audit_path(query: &AuditQuery) -> String {
    let mut params = Vec::new();
    if let Some(principal) = &query.principal {
        params.push(format!("principal={}", encode_component(principal)));
    }
    if let Some(operation) = &query.operation {
        params.push(format!("operation={}", encode_component(operation)));
    }
    if let Some(after) = query.after {
        params.push(format!("after={}", encode_component(&after.to_string())));
    }
    if let Some(before) = query.before {
        params.push(format!("before={}", encode_component(&before.to_string())));
    }
    if let Some(limit) = query.limit {
        params.push(format!("limit={limit}"));
    }
    if params.is_empty() {
        "/v1/audit".to_owned()
    } else {
        format!("/v1/audit?{}", params.join("&"))
    }
}

impl Api {
    /// `GET /v1/audit?…`: the audit entries `query` selects, newest first.
    pub async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, ApiError> {
        self.get_json(&audit_path(query)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::auth::Role;

    #[test]
    fn no_filters_no_query_string() {
        assert_eq!(audit_path(&AuditQuery::default()), "/v1/audit");
    }

    #[test]
    fn filters_are_url_encoded_in_order() {
        let query = AuditQuery {
            principal: Some("arn:aws:iam::000000000000:user/ci-bot".to_owned()),
            operation: Some("Start Incident&limit=1".to_owned()),
            after: Some(1_700_000_000.0),
            before: Some(1_700_000_060.5),
            limit: Some(25),
        };
        assert_eq!(
            audit_path(&query),
            "/v1/audit?principal=arn%3Aaws%3Aiam%3A%3A000000000000%3Auser%2Fci-bot\
             &operation=Start%20Incident%26limit%3D1&after=1700000000&before=1700000060.5&limit=25"
        );
        let only_limit = AuditQuery {
            limit: Some(100),
            ..AuditQuery::default()
        };
        assert_eq!(audit_path(&only_limit), "/v1/audit?limit=100");
    }

    #[test]
    fn answer_shape() {
        let body = r#"[
            {"seq":2,"at":1700000001.25,"principal":"arn:aws:iam::000000000000:user/admin","role":"admin",
             "operation":"CreateResponsePlan","resource":"arn:aws:ssm-incidents::000000000000:response-plan/web",
             "sourceAddress":"127.0.0.1","result":"success","mac":"ab"},
            {"seq":1,"at":1700000000,"principal":"local:tocsin-cli","role":"admin",
             "operation":"CreateKey","result":"ConflictException"}
        ]"#;
        let entries: Vec<AuditEntry> = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].operation, "CreateResponsePlan");
        assert_eq!(entries[0].source_address, "127.0.0.1");
        assert_eq!(entries[0].role, Role::Admin);
        assert_eq!(entries[1].resource, "");
        assert_eq!(entries[1].source_address, "");
        assert_eq!(entries[1].mac, "");
        assert_eq!(entries[1].result, "ConflictException");
    }
}
