//! EventBridge (awsJson1.1) rules and their targets on any bus, enabling and disabling
//! rules, and `TestEventPattern`. Buses, archives and replays are in
//! [`crate::api::archives`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use tocsin_api::events::{
    DEFAULT_EVENT_BUS, ListRulesRequest, ListRulesResponse, ListTargetsByRuleRequest,
    ListTargetsByRuleResponse, PutRuleRequest, PutRuleResponse, PutTargetsRequest,
    RemoveTargetsRequest, Rule, RuleRef, Target, TargetsResponse, TestEventPatternRequest,
    TestEventPatternResponse,
};

use super::paging::{PAGE_LIMIT, all_pages};
use super::{Api, ApiError};

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

/// A `DescribeRule`/`DeleteRule`/`EnableRule`/`DisableRule` input naming a rule on `bus`.
pub fn rule_ref(name: &str, bus: &str) -> RuleRef {
    RuleRef {
        name: name.to_owned(),
        event_bus_name: Some(bus.to_owned()),
        force: None,
    }
}

/// `RemoveTargets` input for one target of a rule on `bus`.
pub fn remove_target_input(rule: &str, bus: &str, id: &str) -> RemoveTargetsRequest {
    RemoveTargetsRequest {
        rule: rule.to_owned(),
        event_bus_name: Some(bus.to_owned()),
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

impl Api {
    /// One EventBridge operation: `POST /` with `X-Amz-Target: AWSEvents.<operation>`.
    async fn events<I: Serialize, O: DeserializeOwned>(
        &self,
        operation: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        self.post_aws_json(&format!("AWSEvents.{operation}"), input)
            .await
    }

    /// `ListRules` (one page).
    pub async fn list_rules(
        &self,
        input: &ListRulesRequest,
    ) -> Result<ListRulesResponse, ApiError> {
        self.events("ListRules", input).await
    }

    /// Every rule on `bus` (see [`all_pages`]).
    pub async fn all_rules(&self, bus: &str) -> Result<Vec<Rule>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListRulesRequest {
                event_bus_name: Some(bus.to_owned()),
                limit: Some(PAGE_LIMIT),
                next_token,
                ..ListRulesRequest::default()
            };
            let page = self.list_rules(&input).await?;
            Ok((page.rules, page.next_token))
        })
        .await
    }

    /// `GET /v1/deliveries?status=FAILED&limit=500`: the newest dead letters of every rule
    /// (HTTP deliveries given up, and targets that could not run, with `lastError` saying
    /// why), newest first.
    pub async fn dead_letters(&self) -> Result<Vec<tocsin_api::native::Delivery>, ApiError> {
        self.get_json("/v1/deliveries?status=FAILED&limit=500")
            .await
    }

    /// Every rule on `bus` with its targets (a rule whose targets cannot be listed still
    /// shows).
    pub async fn rules_with_targets(&self, bus: &str) -> Result<Vec<RuleRow>, String> {
        let rules = self.all_rules(bus).await.map_err(|e| e.to_string())?;
        let mut rows = Vec::with_capacity(rules.len());
        for rule in rules {
            let targets = self
                .all_targets(&rule.name, bus)
                .await
                .map_err(|e| e.to_string());
            rows.push(RuleRow { rule, targets });
        }
        Ok(rows)
    }

    /// `DescribeRule` on the default bus.
    pub async fn describe_rule(&self, name: &str) -> Result<Rule, ApiError> {
        self.events("DescribeRule", &rule_ref(name, DEFAULT_EVENT_BUS))
            .await
    }

    /// `PutRule`: creates or replaces a rule.
    pub async fn put_rule(&self, input: &PutRuleRequest) -> Result<PutRuleResponse, ApiError> {
        self.events("PutRule", input).await
    }

    /// `DeleteRule` on `bus` (refused while the rule has targets).
    pub async fn delete_rule(&self, name: &str, bus: &str) -> Result<(), ApiError> {
        self.events::<_, serde_json::Value>("DeleteRule", &rule_ref(name, bus))
            .await
            .map(drop)
    }

    /// `EnableRule` (`enable`) or `DisableRule` on `bus`.
    pub async fn set_rule_enabled(
        &self,
        name: &str,
        bus: &str,
        enable: bool,
    ) -> Result<(), ApiError> {
        let operation = if enable { "EnableRule" } else { "DisableRule" };
        self.events::<_, serde_json::Value>(operation, &rule_ref(name, bus))
            .await
            .map(drop)
    }

    /// `ListTargetsByRule` (one page).
    pub async fn list_targets_by_rule(
        &self,
        input: &ListTargetsByRuleRequest,
    ) -> Result<ListTargetsByRuleResponse, ApiError> {
        self.events("ListTargetsByRule", input).await
    }

    /// Every target of a rule on `bus` (see [`all_pages`]).
    pub async fn all_targets(&self, rule: &str, bus: &str) -> Result<Vec<Target>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListTargetsByRuleRequest {
                rule: rule.to_owned(),
                event_bus_name: Some(bus.to_owned()),
                limit: Some(PAGE_LIMIT),
                next_token,
            };
            let page = self.list_targets_by_rule(&input).await?;
            Ok((page.targets, page.next_token))
        })
        .await
    }

    /// `PutTargets` (per-target failures are in the answer, see [`targets_outcome`]).
    pub async fn put_targets(
        &self,
        input: &PutTargetsRequest,
    ) -> Result<TargetsResponse, ApiError> {
        self.events("PutTargets", input).await
    }

    /// `RemoveTargets` (per-target failures are in the answer, see [`targets_outcome`]).
    pub async fn remove_targets(
        &self,
        input: &RemoveTargetsRequest,
    ) -> Result<TargetsResponse, ApiError> {
        self.events("RemoveTargets", input).await
    }

    /// `TestEventPattern`: whether the server's matcher says `event` matches `pattern`.
    pub async fn test_event_pattern(&self, pattern: &str, event: &str) -> Result<bool, ApiError> {
        let input = TestEventPatternRequest {
            event_pattern: pattern.to_owned(),
            event: event.to_owned(),
        };
        let out: TestEventPatternResponse = self.events("TestEventPattern", &input).await?;
        Ok(out.result)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tocsin_api::events::{RuleState, TargetResultEntry};

    /// A disabled rule `alarms` on the default bus matching CloudWatch events.
    pub(crate) fn rule() -> Rule {
        Rule {
            name: "alarms".to_owned(),
            arn: "arn:aws:events:us-east-1:1:rule/alarms".to_owned(),
            event_pattern: Some(r#"{"source":["aws.cloudwatch"]}"#.to_owned()),
            schedule_expression: None,
            state: RuleState::Disabled,
            description: None,
            role_arn: None,
            event_bus_name: "default".to_owned(),
            created_by: None,
        }
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
    fn removing_one_target() {
        let input = remove_target_input("r", "ops", "t");
        assert_eq!(input.ids, vec!["t".to_owned()]);
        assert_eq!(input.rule, "r");
        assert_eq!(input.event_bus_name.as_deref(), Some("ops"));
        let named = rule_ref("r", "ops");
        assert_eq!(
            serde_json::to_value(&named).ok(),
            Some(serde_json::json!({"Name": "r", "EventBusName": "ops"}))
        );
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
}
