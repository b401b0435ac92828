//! The incident editor (`#edit-form` on `/incident`) and the Resolve button.

use tocsin_api::incidents::{IncidentRecord, IncidentRecordStatus, UpdateIncidentRecordInput};

/// The incident edit form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentForm {
    /// Title.
    pub title: String,
    /// Impact `"1"`…`"5"`.
    pub impact: String,
    /// Summary.
    pub summary: String,
}

impl IncidentForm {
    /// The form filled from the incident as last fetched.
    pub fn from_record(record: &IncidentRecord) -> Self {
        Self {
            title: record.title.clone(),
            impact: record.impact.to_string(),
            summary: record.summary.clone().unwrap_or_default(),
        }
    }

    /// `UpdateIncidentRecord` input setting title (trimmed), summary (as typed) and impact
    /// (left as it is when not a number: the picker only offers 1-5).
    pub fn update_input(&self, arn: &str, client_token: String) -> UpdateIncidentRecordInput {
        UpdateIncidentRecordInput {
            arn: arn.to_owned(),
            client_token: Some(client_token),
            title: Some(self.title.trim().to_owned()),
            impact: self.impact.parse().ok(),
            summary: Some(self.summary.clone()),
            ..UpdateIncidentRecordInput::default()
        }
    }
}

/// `UpdateIncidentRecord` input resolving the incident `arn`.
pub fn resolve_input(arn: &str, client_token: String) -> UpdateIncidentRecordInput {
    UpdateIncidentRecordInput {
        arn: arn.to_owned(),
        client_token: Some(client_token),
        status: Some(IncidentRecordStatus::Resolved),
        ..UpdateIncidentRecordInput::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_form_sets_title_impact_and_summary() {
        let form = IncidentForm {
            title: " Disk full ".to_owned(),
            impact: "2".to_owned(),
            summary: " at 95% ".to_owned(),
        };
        let json = serde_json::to_value(form.update_input("arn:i", "tok".to_owned())).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({
                "arn": "arn:i",
                "clientToken": "tok",
                "title": "Disk full",
                "impact": 2,
                "summary": " at 95% "
            }))
        );
        let no_impact = IncidentForm {
            impact: String::new(),
            ..form
        };
        assert_eq!(no_impact.update_input("a", "t".to_owned()).impact, None);
    }

    #[test]
    fn resolving() {
        let input = resolve_input("arn:i", "tok".to_owned());
        assert_eq!(input.status, Some(IncidentRecordStatus::Resolved));
        assert_eq!(input.title, None);
        assert_eq!(input.client_token.as_deref(), Some("tok"));
    }
}
