//! The response-plan form (`/plans/new`, `/plans/edit`).

use tocsin_api::incidents::{
    CreateResponsePlanInput, GetResponsePlanOutput, IncidentTemplate, UpdateResponsePlanInput,
};

use super::{impact, non_empty, required};

/// The message for a plan without a name.
pub const NAME_MESSAGE: &str = "A name is required.";

/// The editable fields of a response plan, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanForm {
    /// Plan name (fixed once created).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Incident title.
    pub title: String,
    /// Impact `"1"`…`"5"`.
    pub impact: String,
    /// Incident summary.
    pub summary: String,
    /// Dedupe string.
    pub dedupe_string: String,
}

impl Default for PlanForm {
    /// An empty form for a new plan, impact 3.
    fn default() -> Self {
        Self {
            name: String::new(),
            display_name: String::new(),
            title: String::new(),
            impact: "3".to_owned(),
            summary: String::new(),
            dedupe_string: String::new(),
        }
    }
}

impl PlanForm {
    /// The form filled from an existing plan.
    pub fn from_plan(plan: &GetResponsePlanOutput) -> Self {
        let t = &plan.incident_template;
        Self {
            name: plan.name.clone(),
            display_name: plan.display_name.clone().unwrap_or_default(),
            title: t.title.clone(),
            impact: t.impact.to_string(),
            summary: t.summary.clone().unwrap_or_default(),
            dedupe_string: t.dedupe_string.clone().unwrap_or_default(),
        }
    }

    /// `CreateResponsePlan` input; empty optional fields are left out.
    pub fn create_input(&self, client_token: String) -> Result<CreateResponsePlanInput, String> {
        let name = required(&self.name, NAME_MESSAGE)?;
        Ok(CreateResponsePlanInput {
            name: name.to_owned(),
            incident_template: IncidentTemplate {
                title: self.title.trim().to_owned(),
                impact: impact(&self.impact)?,
                summary: non_empty(&self.summary),
                dedupe_string: non_empty(&self.dedupe_string),
                notification_targets: None,
                incident_tags: None,
            },
            display_name: non_empty(&self.display_name),
            client_token: Some(client_token),
            chat_channel: None,
            engagements: None,
            actions: None,
            integrations: None,
            tags: None,
        })
    }

    /// `UpdateResponsePlan` input setting every field of the form (an empty field clears it).
    pub fn update_input(
        &self,
        arn: &str,
        client_token: String,
    ) -> Result<UpdateResponsePlanInput, String> {
        Ok(UpdateResponsePlanInput {
            arn: arn.to_owned(),
            client_token: Some(client_token),
            display_name: Some(self.display_name.trim().to_owned()),
            incident_template_title: Some(self.title.trim().to_owned()),
            incident_template_impact: Some(impact(&self.impact)?),
            incident_template_summary: Some(self.summary.trim().to_owned()),
            incident_template_dedupe_string: Some(self.dedupe_string.trim().to_owned()),
            ..UpdateResponsePlanInput::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::IMPACT_MESSAGE;

    fn form() -> PlanForm {
        PlanForm {
            name: " db-down ".to_owned(),
            display_name: String::new(),
            title: "Database down".to_owned(),
            impact: "2".to_owned(),
            summary: "  ".to_owned(),
            dedupe_string: "db".to_owned(),
        }
    }

    #[test]
    fn create_leaves_empty_optionals_out() {
        let input = form().create_input("tok".to_owned());
        let json = input.ok().and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({
                "name": "db-down",
                "incidentTemplate": {"title": "Database down", "impact": 2, "dedupeString": "db"},
                "clientToken": "tok"
            }))
        );
    }

    #[test]
    fn create_sends_filled_optionals_trimmed() {
        let mut f = form();
        f.display_name = " DB ".to_owned();
        f.summary = " gone ".to_owned();
        let input = f.create_input("tok".to_owned()).ok();
        assert_eq!(
            input.as_ref().and_then(|i| i.display_name.as_deref()),
            Some("DB")
        );
        assert_eq!(
            input.and_then(|i| i.incident_template.summary),
            Some("gone".to_owned())
        );
    }

    #[test]
    fn bad_input_is_refused() {
        let mut f = form();
        f.impact = "7".to_owned();
        assert!(f.create_input("t".to_owned()).is_err());
        let mut f = form();
        f.name = " ".to_owned();
        assert!(f.create_input("t".to_owned()).is_err());
    }

    #[test]
    fn each_bad_field_gives_its_message() {
        let mut f = form();
        f.name = " ".to_owned();
        assert_eq!(
            f.create_input("t".to_owned()).err(),
            Some(NAME_MESSAGE.to_owned())
        );
        let mut f = form();
        f.impact = "0".to_owned();
        assert_eq!(
            f.create_input("t".to_owned()).err(),
            Some(IMPACT_MESSAGE.to_owned())
        );
        assert_eq!(
            f.update_input("arn:x", "t".to_owned()).err(),
            Some(IMPACT_MESSAGE.to_owned())
        );
        // The name cannot change once created, so an update does not check it.
        let mut f = form();
        f.name = String::new();
        assert!(f.update_input("arn:x", "t".to_owned()).is_ok());
    }

    #[test]
    fn update_sets_every_field() {
        let input = form().update_input("arn:x", "tok".to_owned()).ok();
        let input = input.and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            input,
            Some(serde_json::json!({
                "arn": "arn:x",
                "clientToken": "tok",
                "displayName": "",
                "incidentTemplateTitle": "Database down",
                "incidentTemplateImpact": 2,
                "incidentTemplateSummary": "",
                "incidentTemplateDedupeString": "db"
            }))
        );
    }

    #[test]
    fn new_plans_start_at_impact_3() {
        assert_eq!(PlanForm::default().impact, "3");
    }
}
