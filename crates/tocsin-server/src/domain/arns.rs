//! Tocsin's ARNs, shaped as AWS shapes them so SDKs and Terraform accept them. The ones
//! both the server and the web app need live in [`tocsin_api::arn`]; the ones that mint
//! fresh identifiers live here.

pub use tocsin_api::arn::{response_plan, response_plan_name, rule};

/// `arn:aws:ssm-incidents::<account>:incident-record/<plan name>/<uuid>`.
pub fn incident_record(account: &str, plan_name: &str) -> String {
    format!(
        "arn:aws:ssm-incidents::{account}:incident-record/{plan_name}/{}",
        uuid::Uuid::new_v4()
    )
}

/// A related item's generated id: `related-item/<TYPE>/<32 uppercase hex>`.
pub fn related_item_id(item_type: &str) -> String {
    format!(
        "related-item/{item_type}/{}",
        uuid::Uuid::new_v4().simple().to_string().to_uppercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_arn_round_trip() {
        let arn = response_plan("000000000000", "web");
        assert_eq!(response_plan_name(&arn), Some("web"));
        assert_eq!(
            response_plan_name("arn:aws:sns:us-east-1:000000000000:topic"),
            None
        );
        let id = related_item_id("INVOLVED_RESOURCE");
        assert!(id.starts_with("related-item/INVOLVED_RESOURCE/") && id.len() == 31 + 32);
        assert!(
            incident_record("000000000000", "web")
                .starts_with("arn:aws:ssm-incidents::000000000000:incident-record/web/")
        );
    }
}
