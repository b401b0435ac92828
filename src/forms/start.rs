//! The "Start incident" form (`/start`).

use tocsin_api::incidents::{ResponsePlanSummary, StartIncidentInput};

use super::{non_empty, optional_impact};

/// The message for a form without a response plan.
pub const PLAN_MESSAGE: &str = "Choose a response plan.";

/// The Start-incident form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartForm {
    /// The chosen response plan's ARN.
    pub plan_arn: String,
    /// Title override (empty: the plan's).
    pub title: String,
    /// Impact override `"1"`…`"5"` (empty: the plan's).
    pub impact: String,
}

impl StartForm {
    /// The `StartIncident` input; empty overrides are left out.
    pub fn input(&self, client_token: String) -> Result<StartIncidentInput, String> {
        if self.plan_arn.is_empty() {
            return Err(PLAN_MESSAGE.to_owned());
        }
        let impact = optional_impact(&self.impact)?;
        Ok(StartIncidentInput {
            response_plan_arn: self.plan_arn.clone(),
            client_token: Some(client_token),
            title: non_empty(&self.title),
            impact,
            trigger_details: None,
            related_items: None,
        })
    }
}

/// What a plan is called in the picker: `Display name (name)`, or the name alone.
pub fn plan_label(plan: &ResponsePlanSummary) -> String {
    match &plan.display_name {
        Some(d) if !d.is_empty() => format!("{d} ({})", plan.name),
        _ => plan.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::IMPACT_MESSAGE;
    use crate::forms::tests::plan_summary;

    fn form(plan_arn: &str, title: &str, impact: &str) -> StartForm {
        StartForm {
            plan_arn: plan_arn.to_owned(),
            title: title.to_owned(),
            impact: impact.to_owned(),
        }
    }

    #[test]
    fn overrides_are_optional() {
        let input = form("arn:p", " ", "").input("tok".to_owned()).ok();
        let json = input.and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({"responsePlanArn": "arn:p", "clientToken": "tok"}))
        );
        let input = form("arn:p", "Fire", "1").input("t".to_owned()).ok();
        assert_eq!(
            input.as_ref().and_then(|i| i.title.as_deref()),
            Some("Fire")
        );
        assert_eq!(input.and_then(|i| i.impact), Some(1));
    }

    #[test]
    fn missing_plan_or_bad_impact_is_refused() {
        assert!(form("", "", "").input("t".to_owned()).is_err());
        assert!(form("arn:p", "", "9").input("t".to_owned()).is_err());
    }

    #[test]
    fn each_bad_field_gives_its_message() {
        assert_eq!(
            form("", "x", "1").input("t".to_owned()).err(),
            Some(PLAN_MESSAGE.to_owned())
        );
        assert_eq!(
            form("arn:p", "x", "high").input("t".to_owned()).err(),
            Some(IMPACT_MESSAGE.to_owned())
        );
    }

    #[test]
    fn plans_are_labelled_by_display_name() {
        let mut plan = plan_summary();
        assert_eq!(plan_label(&plan), "Database (db)");
        plan.display_name = Some(String::new());
        assert_eq!(plan_label(&plan), "db");
    }
}
