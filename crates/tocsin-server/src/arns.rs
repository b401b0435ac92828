//! Tocsin's ARNs, shaped as AWS shapes them so SDKs and Terraform accept them.

/// `arn:aws:ssm-incidents::<account>:response-plan/<name>`.
pub fn response_plan(account: &str, name: &str) -> String {
    format!("arn:aws:ssm-incidents::{account}:response-plan/{name}")
}

/// The plan name of a response-plan ARN, if it is one.
pub fn response_plan_name(arn: &str) -> Option<&str> {
    let (head, name) = arn.split_once(":response-plan/")?;
    (head.starts_with("arn:aws") && head.contains(":ssm-incidents:") && !name.is_empty())
        .then_some(name)
}

/// `arn:aws:ssm-incidents::<account>:incident-record/<plan name>/<uuid>`.
pub fn incident_record(account: &str, plan_name: &str) -> String {
    format!(
        "arn:aws:ssm-incidents::{account}:incident-record/{plan_name}/{}",
        uuid::Uuid::new_v4()
    )
}

/// `arn:aws:events:<region>:<account>:rule/<name>` on the default bus,
/// `…:rule/<bus>/<name>` on others.
pub fn rule(region: &str, account: &str, event_bus_name: &str, name: &str) -> String {
    if event_bus_name == tocsin_api::events::DEFAULT_EVENT_BUS {
        format!("arn:aws:events:{region}:{account}:rule/{name}")
    } else {
        format!("arn:aws:events:{region}:{account}:rule/{event_bus_name}/{name}")
    }
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
    }
}
