//! The rule editor (`#rule-form` on `/rules`): `PutRule` on the default bus.

use tocsin_api::events::{DEFAULT_EVENT_BUS, PutRuleRequest, Rule, RuleState};

use super::required;
use crate::pattern_check::pretty_json;

/// The message for a rule without a name.
pub const NAME_MESSAGE: &str = "A rule name is required.";

/// The message for a rule without an event pattern.
pub const PATTERN_MESSAGE: &str = "An event pattern is required.";

/// The rule form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleForm {
    /// Rule name.
    pub name: String,
    /// Description.
    pub description: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// The event pattern (JSON text).
    pub pattern: String,
}

impl RuleForm {
    /// The form filled from an existing rule, its pattern pretty-printed.
    pub fn from_rule(rule: &Rule) -> Self {
        Self {
            name: rule.name.clone(),
            description: rule.description.clone().unwrap_or_default(),
            state: state_value(rule.state).to_owned(),
            pattern: rule
                .event_pattern
                .as_deref()
                .map(pretty_json)
                .unwrap_or_default(),
        }
    }

    /// `PutRule` input on the default bus. A pattern that is JSON is sent compact (same
    /// meaning, key order kept), so pretty-printing in the form does not eat into
    /// EventBridge's 4096-character limit; anything else is sent as typed for the server to
    /// refuse with its own message.
    pub fn put_input(&self) -> Result<PutRuleRequest, String> {
        let name = required(&self.name, NAME_MESSAGE)?;
        let pattern = required(&self.pattern, PATTERN_MESSAGE)?;
        let pattern = serde_json::from_str::<serde_json::Value>(pattern)
            .ok()
            .and_then(|v| serde_json::to_string(&v).ok())
            .unwrap_or_else(|| pattern.to_owned());
        let state = match self.state.as_str() {
            "DISABLED" => RuleState::Disabled,
            _ => RuleState::Enabled,
        };
        Ok(PutRuleRequest {
            name: name.to_owned(),
            event_pattern: Some(pattern),
            state: Some(state),
            description: Some(self.description.trim().to_owned()),
            event_bus_name: Some(DEFAULT_EVENT_BUS.to_owned()),
            ..PutRuleRequest::default()
        })
    }
}

/// The form's value for a rule state: `ENABLED` or `DISABLED`.
pub fn state_value(state: RuleState) -> &'static str {
    if state.is_enabled() {
        "ENABLED"
    } else {
        "DISABLED"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::events::tests::rule;

    #[test]
    fn a_rule_fills_the_form_pretty() {
        let form = RuleForm::from_rule(&rule());
        assert_eq!(form.name, "alarms");
        assert_eq!(form.state, "DISABLED");
        assert_eq!(form.pattern, "{\n  \"source\": [\"aws.cloudwatch\"]\n}");
    }

    #[test]
    fn the_form_sends_a_compact_pattern() {
        let mut form = RuleForm::from_rule(&rule());
        form.state = "ENABLED".to_owned();
        form.description = " d ".to_owned();
        let json = form
            .put_input()
            .ok()
            .and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({
                "Name": "alarms",
                "EventPattern": "{\"source\":[\"aws.cloudwatch\"]}",
                "State": "ENABLED",
                "Description": "d",
                "EventBusName": "default"
            }))
        );
    }

    #[test]
    fn the_form_passes_invalid_json_on_and_refuses_empty_fields() {
        let form = RuleForm {
            name: "x".to_owned(),
            pattern: "{oops".to_owned(),
            ..RuleForm::default()
        };
        assert_eq!(
            form.put_input().ok().and_then(|i| i.event_pattern),
            Some("{oops".to_owned())
        );
        assert!(RuleForm::default().put_input().is_err());
        let no_pattern = RuleForm {
            name: "x".to_owned(),
            ..RuleForm::default()
        };
        assert!(no_pattern.put_input().is_err());
    }

    #[test]
    fn each_bad_field_gives_its_message() {
        let no_name = RuleForm {
            name: " ".to_owned(),
            pattern: "{}".to_owned(),
            ..RuleForm::default()
        };
        assert_eq!(no_name.put_input().err(), Some(NAME_MESSAGE.to_owned()));
        let no_pattern = RuleForm {
            name: "x".to_owned(),
            pattern: "\n ".to_owned(),
            ..RuleForm::default()
        };
        assert_eq!(
            no_pattern.put_input().err(),
            Some(PATTERN_MESSAGE.to_owned())
        );
        // Anything but DISABLED enables.
        let state = RuleForm {
            name: "x".to_owned(),
            pattern: "{}".to_owned(),
            ..RuleForm::default()
        };
        assert_eq!(
            state.put_input().ok().and_then(|i| i.state),
            Some(RuleState::Enabled)
        );
    }
}
