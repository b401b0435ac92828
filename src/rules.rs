//! The rules page's forms as plain data: what was typed in, turned into EventBridge requests.

use tocsin_api::events::{
    DEFAULT_EVENT_BUS, PutRuleRequest, PutTargetsRequest, RemoveTargetsRequest, Rule, RuleState,
    Target, TargetsResponse,
};

use crate::pattern_check::pretty_json;

/// A rule with its targets, as the rules page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    /// The rule.
    pub rule: Rule,
    /// Its targets, or why they could not be listed.
    pub targets: Result<Vec<Target>, String>,
}

impl RuleRow {
    /// A key that changes whenever anything shown about the row does (so a refresh
    /// re-renders only the rows that changed, keeping what is typed in the others).
    pub fn key(&self) -> String {
        let targets = match &self.targets {
            Ok(list) => serde_json::to_string(list).unwrap_or_default(),
            Err(err) => err.clone(),
        };
        format!(
            "{}\u{0}{}\u{0}{targets}",
            self.rule.name,
            serde_json::to_string(&self.rule).unwrap_or_default()
        )
    }
}

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
        let name = self.name.trim();
        if name.is_empty() {
            return Err("A rule name is required.".to_owned());
        }
        let pattern = self.pattern.trim();
        if pattern.is_empty() {
            return Err("An event pattern is required.".to_owned());
        }
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

/// `PutTargets` input adding (or replacing) one target with just an id and an ARN.
pub fn add_target_input(rule: &str, id: &str, arn: &str) -> Result<PutTargetsRequest, String> {
    let id = id.trim();
    let arn = arn.trim();
    if id.is_empty() {
        return Err("A target id is required.".to_owned());
    }
    if arn.is_empty() {
        return Err("A target ARN (or https URL) is required.".to_owned());
    }
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

/// `RemoveTargets` input for one target.
pub fn remove_target_input(rule: &str, id: &str) -> RemoveTargetsRequest {
    RemoveTargetsRequest {
        rule: rule.to_owned(),
        event_bus_name: Some(DEFAULT_EVENT_BUS.to_owned()),
        ids: vec![id.to_owned()],
        force: None,
    }
}

/// A `PutTargets`/`RemoveTargets` answer as a result: the failed entries, if any, as one
/// message.
pub fn targets_outcome(response: &TargetsResponse) -> Result<(), String> {
    if response.failed_entry_count == 0 && response.failed_entries.is_empty() {
        return Ok(());
    }
    Err(response
        .failed_entries
        .iter()
        .map(|e| format!("{}: {} ({})", e.target_id, e.error_message, e.error_code))
        .collect::<Vec<_>>()
        .join("; "))
}

/// What kind of target an ARN is, in words.
pub fn target_kind(arn: &str) -> &'static str {
    if arn.starts_with("arn:") && arn.contains(":response-plan/") {
        "response plan"
    } else if arn.starts_with("https://") || arn.starts_with("http://") {
        "HTTP endpoint"
    } else {
        "other"
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

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::events::TargetResultEntry;

    fn rule() -> Rule {
        Rule {
            name: "alarms".to_owned(),
            arn: "arn:aws:events:us-east-1:1:rule/alarms".to_owned(),
            event_pattern: Some(r#"{"source":["aws.cloudwatch"]}"#.to_owned()),
            state: RuleState::Disabled,
            description: None,
            role_arn: None,
            event_bus_name: "default".to_owned(),
            created_by: None,
        }
    }

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
    fn row_keys_follow_the_content() {
        let row = RuleRow {
            rule: rule(),
            targets: Ok(vec![]),
        };
        let mut changed = row.clone();
        changed.rule.state = RuleState::Enabled;
        assert_ne!(row.key(), changed.key());
        assert_eq!(row.key(), row.clone().key());
    }

    #[test]
    fn targets() {
        let input = add_target_input("r", " plan ", " arn:x ").ok();
        let target = input.as_ref().and_then(|i| i.targets.first());
        assert_eq!(
            target.map(|t| (t.id.as_str(), t.arn.as_str())),
            Some(("plan", "arn:x"))
        );
        assert!(add_target_input("r", "", "arn:x").is_err());
        assert!(add_target_input("r", "id", " ").is_err());
        assert_eq!(remove_target_input("r", "t").ids, vec!["t".to_owned()]);
    }

    #[test]
    fn target_failures_become_one_message() {
        let ok = TargetsResponse {
            failed_entry_count: 0,
            failed_entries: vec![],
        };
        assert_eq!(targets_outcome(&ok), Ok(()));
        let failed = TargetsResponse {
            failed_entry_count: 1,
            failed_entries: vec![TargetResultEntry {
                target_id: "t".to_owned(),
                error_code: "E".to_owned(),
                error_message: "bad".to_owned(),
            }],
        };
        assert_eq!(targets_outcome(&failed), Err("t: bad (E)".to_owned()));
    }

    #[test]
    fn kinds_and_suggested_ids() {
        let plan = "arn:aws:ssm-incidents::123456789012:response-plan/db-down";
        assert_eq!(target_kind(plan), "response plan");
        assert_eq!(suggested_target_id(plan), "db-down");
        assert_eq!(target_kind("https://hooks.example.com/x"), "HTTP endpoint");
        assert_eq!(
            suggested_target_id("https://hooks.example.com:8443/x?y"),
            "hooks.example.com"
        );
        assert_eq!(target_kind("arn:aws:sns:us-east-1:1:topic"), "other");
        assert_eq!(
            suggested_target_id("arn:aws:sns:us-east-1:1:my topic"),
            "my-topic"
        );
    }
}
