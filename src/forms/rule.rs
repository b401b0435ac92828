//! The rule editor (`#rule-form` on `/rules`): `PutRule` with an event pattern or a
//! schedule, on the bus the page shows.

use tocsin_api::events::{DEFAULT_EVENT_BUS, PutRuleRequest, Rule, RuleState};

use super::required;
use crate::pattern_check::pretty_json;

/// The message for a rule without a name.
pub const NAME_MESSAGE: &str = "A rule name is required.";

/// The message for a rule without an event pattern.
pub const PATTERN_MESSAGE: &str = "An event pattern is required.";

/// The message for a scheduled rule without a schedule.
pub const SCHEDULE_MESSAGE: &str =
    "A schedule is required: rate(5 minutes) or cron(0 12 * * ? *), for example.";

/// [`RuleForm::trigger`] of a rule that runs on a schedule.
pub const TRIGGER_SCHEDULE: &str = "schedule";

/// [`RuleForm::trigger`] of a rule that matches events.
pub const TRIGGER_PATTERN: &str = "pattern";

/// [`RuleForm::trigger`] of a rule that matches events and also runs on a schedule
/// (EventBridge's `PutRule` takes both).
pub const TRIGGER_BOTH: &str = "both";

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
    /// What triggers the rule: [`TRIGGER_SCHEDULE`], or anything else for its pattern.
    pub trigger: String,
    /// The schedule (`rate(…)` or `cron(…)`), for a scheduled rule.
    pub schedule: String,
    /// The bus the rule is on (empty: `default`).
    pub bus: String,
}

impl RuleForm {
    /// The form filled from an existing rule, its pattern pretty-printed; a rule with a
    /// schedule is a scheduled rule, and one with a schedule and a pattern keeps both.
    pub fn from_rule(rule: &Rule) -> Self {
        let scheduled = rule.schedule_expression.is_some();
        let matching = rule.event_pattern.is_some();
        Self {
            name: rule.name.clone(),
            description: rule.description.clone().unwrap_or_default(),
            state: state_value(rule.state).to_owned(),
            pattern: rule
                .event_pattern
                .as_deref()
                .map(pretty_json)
                .unwrap_or_default(),
            trigger: match (scheduled, matching) {
                (true, true) => TRIGGER_BOTH,
                (true, false) => TRIGGER_SCHEDULE,
                _ => TRIGGER_PATTERN,
            }
            .to_owned(),
            schedule: rule.schedule_expression.clone().unwrap_or_default(),
            bus: rule.event_bus_name.clone(),
        }
    }

    /// Whether the form makes a scheduled rule (with or without a pattern).
    pub fn is_scheduled(&self) -> bool {
        self.trigger == TRIGGER_SCHEDULE || self.trigger == TRIGGER_BOTH
    }

    /// Whether the form makes a rule that matches events (with or without a schedule).
    pub fn is_matching(&self) -> bool {
        self.trigger != TRIGGER_SCHEDULE
    }

    /// `PutRule` input on the form's bus: the event pattern, the schedule (as typed: the
    /// server checks it and says what is wrong), or both, as the trigger says. A pattern that is
    /// JSON is sent compact (same meaning, key order kept), so pretty-printing in the form
    /// does not eat into EventBridge's 4096-character limit; anything else is sent as typed
    /// for the server to refuse with its own message.
    pub fn put_input(&self) -> Result<PutRuleRequest, String> {
        let name = required(&self.name, NAME_MESSAGE)?;
        let event_pattern = if self.is_matching() {
            let pattern = required(&self.pattern, PATTERN_MESSAGE)?;
            Some(
                serde_json::from_str::<serde_json::Value>(pattern)
                    .ok()
                    .and_then(|v| serde_json::to_string(&v).ok())
                    .unwrap_or_else(|| pattern.to_owned()),
            )
        } else {
            None
        };
        let schedule_expression = if self.is_scheduled() {
            Some(required(&self.schedule, SCHEDULE_MESSAGE)?.to_owned())
        } else {
            None
        };
        let state = match self.state.as_str() {
            "DISABLED" => RuleState::Disabled,
            _ => RuleState::Enabled,
        };
        let bus = match self.bus.trim() {
            "" => DEFAULT_EVENT_BUS,
            bus => bus,
        };
        Ok(PutRuleRequest {
            name: name.to_owned(),
            event_pattern,
            schedule_expression,
            state: Some(state),
            description: Some(self.description.trim().to_owned()),
            event_bus_name: Some(bus.to_owned()),
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
        assert_eq!(form.trigger, TRIGGER_PATTERN);
        assert_eq!(form.bus, "default");
    }

    #[test]
    fn a_rule_with_a_pattern_and_a_schedule_keeps_both() {
        let mut both = rule();
        both.schedule_expression = Some("rate(1 hour)".to_owned());
        let form = RuleForm::from_rule(&both);
        assert_eq!(form.trigger, TRIGGER_BOTH);
        let input = form.put_input().expect("valid");
        assert_eq!(
            input.event_pattern.as_deref(),
            Some(r#"{"source":["aws.cloudwatch"]}"#)
        );
        assert_eq!(input.schedule_expression.as_deref(), Some("rate(1 hour)"));
    }

    #[test]
    fn scheduled_rules_send_their_schedule_on_their_bus() {
        let mut scheduled = rule();
        scheduled.event_pattern = None;
        scheduled.schedule_expression = Some("rate(5 minutes)".to_owned());
        let form = RuleForm::from_rule(&scheduled);
        assert!(form.is_scheduled());
        assert_eq!(form.schedule, "rate(5 minutes)");
        let json = form
            .put_input()
            .ok()
            .and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({
                "Name": "alarms",
                "ScheduleExpression": "rate(5 minutes)",
                "State": "DISABLED",
                "Description": "",
                "EventBusName": "default"
            }))
        );
        let no_schedule = RuleForm {
            schedule: " ".to_owned(),
            ..form.clone()
        };
        assert_eq!(
            no_schedule.put_input().err(),
            Some(SCHEDULE_MESSAGE.to_owned())
        );
        let on_ops = RuleForm {
            trigger: TRIGGER_PATTERN.to_owned(),
            pattern: "{}".to_owned(),
            bus: "ops".to_owned(),
            ..form
        };
        let input = on_ops.put_input().unwrap();
        assert_eq!(input.event_bus_name.as_deref(), Some("ops"));
        assert_eq!(input.schedule_expression, None);
        assert_eq!(input.event_pattern.as_deref(), Some("{}"));
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
