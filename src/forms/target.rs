//! The add-target form (`form.target-form` under each rule): `PutTargets` with one target.

use tocsin_api::events::{DEFAULT_EVENT_BUS, PutTargetsRequest, Target};
use tocsin_api::incidents::ResponsePlanSummary;

use super::required;

/// The message for a target without an id.
pub const ID_MESSAGE: &str = "A target id is required.";

/// The message for a target without an ARN.
pub const ARN_MESSAGE: &str = "A target ARN (or https URL) is required.";

/// The add-target form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TargetForm {
    /// Target id.
    pub id: String,
    /// Target ARN or URL.
    pub arn: String,
}

impl TargetForm {
    /// A response plan was picked: its ARN goes in, and its suggested id too unless an id
    /// was typed (an id still equal to the previous suggestion was not). An empty pick (the
    /// "type an ARN" choice) changes nothing.
    pub fn pick_plan(&mut self, plan_arn: &str) {
        if plan_arn.is_empty() {
            return;
        }
        if self.id.is_empty() || self.id == suggested_target_id(&self.arn) {
            self.id = suggested_target_id(plan_arn);
        }
        plan_arn.clone_into(&mut self.arn);
    }

    /// `PutTargets` input adding (or replacing) this one target of `rule`, with just an id and
    /// an ARN.
    pub fn put_input(&self, rule: &str) -> Result<PutTargetsRequest, String> {
        let id = required(&self.id, ID_MESSAGE)?;
        let arn = required(&self.arn, ARN_MESSAGE)?;
        Ok(PutTargetsRequest {
            rule: rule.to_owned(),
            event_bus_name: Some(DEFAULT_EVENT_BUS.to_owned()),
            targets: vec![Target {
                id: id.to_owned(),
                arn: arn.to_owned(),
                role_arn: None,
                input: None,
                input_path: None,
                input_transformer: None,
                other: serde_json::Map::new(),
            }],
        })
    }
}

/// A target id derived from a response-plan ARN or URL (the form's suggestion): the plan
/// name or host, reduced to `[.\-_A-Za-z0-9]`, at most 64 characters.
pub fn suggested_target_id(arn: &str) -> String {
    let base = if let Some((_, name)) = arn.split_once(":response-plan/") {
        name
    } else if let Some(rest) = arn
        .strip_prefix("https://")
        .or_else(|| arn.strip_prefix("http://"))
    {
        rest.split(['/', ':', '?']).next().unwrap_or_default()
    } else {
        arn.rsplit([':', '/']).next().unwrap_or_default()
    };
    base.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

/// What a plan is called in the target picker: `name — Display name`, or the name alone.
pub fn plan_choice_label(plan: &ResponsePlanSummary) -> String {
    match &plan.display_name {
        Some(d) if !d.is_empty() => format!("{} — {d}", plan.name),
        _ => plan.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::arn::TargetKind;

    use crate::forms::tests::plan_summary;

    fn form(id: &str, arn: &str) -> TargetForm {
        TargetForm {
            id: id.to_owned(),
            arn: arn.to_owned(),
        }
    }

    #[test]
    fn targets() {
        let input = form(" plan ", " arn:x ").put_input("r").ok();
        let target = input.as_ref().and_then(|i| i.targets.first());
        assert_eq!(
            target.map(|t| (t.id.as_str(), t.arn.as_str())),
            Some(("plan", "arn:x"))
        );
        assert!(form("", "arn:x").put_input("r").is_err());
        assert!(form("id", " ").put_input("r").is_err());
    }

    #[test]
    fn a_valid_form_builds_the_request() {
        let json = form("web", "https://hooks.example.com/x")
            .put_input("alarms")
            .ok()
            .and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({
                "Rule": "alarms",
                "EventBusName": "default",
                "Targets": [{"Id": "web", "Arn": "https://hooks.example.com/x"}]
            }))
        );
    }

    #[test]
    fn each_bad_field_gives_its_message() {
        assert_eq!(
            form(" ", "arn:x").put_input("r").err(),
            Some(ID_MESSAGE.to_owned())
        );
        assert_eq!(
            form("id", "").put_input("r").err(),
            Some(ARN_MESSAGE.to_owned())
        );
    }

    #[test]
    fn kinds_and_suggested_ids() {
        let plan = "arn:aws:ssm-incidents::123456789012:response-plan/db-down";
        assert_eq!(TargetKind::of(plan).describe(), "response plan");
        assert_eq!(suggested_target_id(plan), "db-down");
        assert_eq!(
            TargetKind::of("https://hooks.example.com/x").describe(),
            "HTTP endpoint"
        );
        assert_eq!(
            suggested_target_id("https://hooks.example.com:8443/x?y"),
            "hooks.example.com"
        );
        assert_eq!(
            TargetKind::of("arn:aws:sns:us-east-1:1:topic").describe(),
            "other"
        );
        assert_eq!(
            suggested_target_id("arn:aws:sns:us-east-1:1:my topic"),
            "my-topic"
        );
    }

    #[test]
    fn picking_a_plan_fills_arn_and_suggested_id() {
        let web = "arn:aws:ssm-incidents::1:response-plan/web";
        let db = "arn:aws:ssm-incidents::1:response-plan/db";
        let mut f = TargetForm::default();
        f.pick_plan(web);
        assert_eq!(f, form("web", web));
        // The id was the suggestion: it follows the new pick.
        f.pick_plan(db);
        assert_eq!(f, form("db", db));
        // A typed id stays.
        f.id = "mine".to_owned();
        f.pick_plan(web);
        assert_eq!(f, form("mine", web));
        // The empty choice changes nothing.
        f.pick_plan("");
        assert_eq!(f, form("mine", web));
    }

    #[test]
    fn plans_are_labelled_by_name() {
        let mut plan = plan_summary();
        assert_eq!(plan_choice_label(&plan), "db — Database");
        plan.display_name = None;
        assert_eq!(plan_choice_label(&plan), "db");
    }
}
