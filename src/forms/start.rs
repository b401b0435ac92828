//! The "Start incident" form (`/start`).

use tocsin_api::impact::Impact;
use tocsin_api::incidents::{GetResponsePlanOutput, ResponsePlanSummary, StartIncidentInput};

use super::related::RelatedItemForm;
use super::{non_empty, optional_impact};

/// The message for a form without a response plan.
pub const PLAN_MESSAGE: &str = "Choose a response plan.";

/// How long a repeated submission of the same form reuses its client token, so a double
/// click or a retried submit opens one incident (ms).
pub const DOUBLE_SUBMIT_WINDOW_MS: f64 = 30_000.0;

/// The Start-incident form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartForm {
    /// The chosen response plan's ARN.
    pub plan_arn: String,
    /// Title override (empty: the plan's).
    pub title: String,
    /// Impact override `"1"`…`"5"` (empty: the plan's).
    pub impact: String,
    /// Summary override (empty: the plan's).
    pub summary: String,
    /// Involved resources and other related items to attach; a row with neither a value nor
    /// a title is ignored.
    pub related: Vec<RelatedItemForm>,
}

impl StartForm {
    /// The `StartIncident` input; empty overrides are left out. A related item's error names
    /// its row: `Related item 2: A value is required.`
    pub fn input(&self, client_token: String) -> Result<StartIncidentInput, String> {
        if self.plan_arn.is_empty() {
            return Err(PLAN_MESSAGE.to_owned());
        }
        let impact = optional_impact(&self.impact)?;
        let mut related = Vec::new();
        for (i, row) in self.related.iter().enumerate() {
            if row.value.trim().is_empty() && row.title.trim().is_empty() {
                continue;
            }
            related.push(
                row.item()
                    .map_err(|e| format!("Related item {}: {e}", i + 1))?,
            );
        }
        Ok(StartIncidentInput {
            response_plan_arn: self.plan_arn.clone(),
            client_token: Some(client_token),
            title: non_empty(&self.title),
            impact,
            summary: non_empty(&self.summary),
            trigger_details: None,
            related_items: (!related.is_empty()).then_some(related),
        })
    }
}

/// The client token of the last submission, kept for [`DOUBLE_SUBMIT_WINDOW_MS`]: the same
/// input submitted again within the window gets the same token (the server answers with
/// the incident it already opened); anything else gets a fresh one.
#[derive(Debug, Clone, Default)]
pub struct ClientTokens {
    last: Option<(String, String, f64)>,
}

impl ClientTokens {
    /// The token for `input` (whose own `client_token` is ignored) submitted at `now_ms`;
    /// `fresh` makes a new one.
    pub fn token(
        &mut self,
        input: &StartIncidentInput,
        now_ms: f64,
        fresh: impl FnOnce() -> String,
    ) -> String {
        let mut bare = input.clone();
        bare.client_token = None;
        let fingerprint = serde_json::to_string(&bare).unwrap_or_default();
        if let Some((seen, token, at)) = &self.last
            && *seen == fingerprint
            && now_ms - at < DOUBLE_SUBMIT_WINDOW_MS
        {
            return token.clone();
        }
        let token = fresh();
        self.last = Some((fingerprint, token.clone(), now_ms));
        token
    }
}

/// What a plan is called in the picker: `Display name (name)`, or the name alone.
pub fn plan_label(plan: &ResponsePlanSummary) -> String {
    match &plan.display_name {
        Some(d) if !d.is_empty() => format!("{d} ({})", plan.name),
        _ => plan.name.clone(),
    }
}

/// What starting from `plan` does with no overrides, as (label, sentence) rows for the
/// form's preview: its title, impact, summary, dedupe rule, and who and what it sets off.
pub fn plan_defaults(plan: &GetResponsePlanOutput) -> Vec<(&'static str, String)> {
    let template = &plan.incident_template;
    let impact = Impact::clamped(template.impact);
    let mut rows = vec![
        ("Title", template.title.clone()),
        ("Impact", format!("{} · {}", impact.get(), impact.label())),
        (
            "Summary",
            template
                .summary
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| "None".to_owned()),
        ),
        (
            "Duplicates",
            match template.dedupe_string.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => {
                    format!("Merged into the open incident with dedupe string \u{201c}{d}\u{201d}")
                }
                None => "Every start opens a new incident".to_owned(),
            },
        ),
    ];
    let topics = template.notification_targets.as_ref().map_or(0, Vec::len);
    if topics > 0 {
        rows.push(("Notifies", count(topics, "SNS topic", "SNS topics")));
    }
    let engagements = plan.engagements.as_ref().map_or(0, Vec::len);
    if engagements > 0 {
        rows.push((
            "Engages",
            count(
                engagements,
                "contact or escalation plan",
                "contacts or escalation plans",
            ),
        ));
    }
    if let Some(channels) = plan
        .chat_channel
        .as_ref()
        .and_then(|c| c.chatbot_sns.as_ref())
        .filter(|c| !c.is_empty())
    {
        rows.push((
            "Chat",
            count(channels.len(), "chat channel topic", "chat channel topics"),
        ));
    }
    for automation in plan
        .actions
        .iter()
        .flatten()
        .filter_map(|a| a.ssm_automation.as_ref())
    {
        let version = automation
            .document_version
            .as_deref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default();
        rows.push((
            "Runbook",
            format!("Starts {}{version}", automation.document_name),
        ));
    }
    rows
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
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
            ..StartForm::default()
        }
    }

    fn related(item_type: &str, kind: &str, value: &str, title: &str) -> RelatedItemForm {
        RelatedItemForm {
            item_type: item_type.to_owned(),
            kind: kind.to_owned(),
            value: value.to_owned(),
            title: title.to_owned(),
        }
    }

    #[test]
    fn summary_and_related_items_go_into_the_input() {
        let mut f = form("arn:p", "", "");
        f.summary = "Checkout is failing for EU users".to_owned();
        f.related = vec![
            related(
                "INVOLVED_RESOURCE",
                "arn",
                " arn:aws:ec2:eu-west-1:1:instance/i-1 ",
                "",
            ),
            related("OTHER", "url", "", ""),
            related("OTHER", "url", "https://status.example.com", "Status page"),
        ];
        let json = serde_json::to_value(f.input("tok".to_owned()).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "responsePlanArn": "arn:p",
                "clientToken": "tok",
                "summary": "Checkout is failing for EU users",
                "relatedItems": [
                    {"identifier": {"type": "INVOLVED_RESOURCE",
                                    "value": {"arn": "arn:aws:ec2:eu-west-1:1:instance/i-1"}}},
                    {"identifier": {"type": "OTHER", "value": {"url": "https://status.example.com"}},
                     "title": "Status page"}
                ]
            })
        );
    }

    #[test]
    fn a_bad_related_item_is_named_by_its_row() {
        let mut f = form("arn:p", "", "");
        f.related = vec![
            related("OTHER", "url", "https://a", ""),
            related("OTHER", "url", "", "A title but no value"),
        ];
        assert_eq!(
            f.input("t".to_owned()).err().as_deref(),
            Some("Related item 2: A value is required.")
        );
    }

    #[test]
    fn a_repeated_submission_reuses_its_token_within_the_window_only() {
        let mut tokens = ClientTokens::default();
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            format!("t{n}")
        };
        let a = form("arn:p", "Fire", "1").input(String::new()).unwrap();
        let b = form("arn:p", "Fire", "2").input(String::new()).unwrap();
        assert_eq!(tokens.token(&a, 0.0, &mut fresh), "t1");
        assert_eq!(tokens.token(&a, 500.0, &mut fresh), "t1");
        // Another input is another incident.
        assert_eq!(tokens.token(&b, 600.0, &mut fresh), "t2");
        assert_eq!(tokens.token(&a, 700.0, &mut fresh), "t3");
        // The same input after the window opens another.
        assert_eq!(
            tokens.token(&a, 700.0 + DOUBLE_SUBMIT_WINDOW_MS, &mut fresh),
            "t4"
        );
    }

    #[test]
    fn a_plans_defaults_read_as_sentences() {
        let plan: GetResponsePlanOutput = serde_json::from_value(serde_json::json!({
            "arn": "arn:aws:ssm-incidents::000000000000:response-plan/db",
            "name": "db",
            "incidentTemplate": {
                "title": "Database down", "impact": 2, "dedupeString": "db-primary",
                "notificationTargets": [{"snsTopicArn": "arn:aws:sns:us-east-1:000000000000:ops"}]
            },
            "engagements": ["arn:aws:ssm-contacts:us-east-1:000000000000:contact/maria",
                            "arn:aws:ssm-contacts:us-east-1:000000000000:contact/oncall"],
            "actions": [{"ssmAutomation": {"documentName": "RestartDb", "roleArn": "arn:aws:iam::000000000000:role/r",
                                           "documentVersion": "3"}}]
        }))
        .unwrap();
        let rows = plan_defaults(&plan);
        let text = |label: &str| {
            rows.iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(text("Title"), Some("Database down"));
        assert_eq!(text("Impact"), Some("2 · High"));
        assert_eq!(text("Summary"), Some("None"));
        assert_eq!(
            text("Duplicates"),
            Some("Merged into the open incident with dedupe string \u{201c}db-primary\u{201d}")
        );
        assert_eq!(text("Notifies"), Some("1 SNS topic"));
        assert_eq!(text("Engages"), Some("2 contacts or escalation plans"));
        assert_eq!(text("Runbook"), Some("Starts RestartDb (version 3)"));
        assert_eq!(text("Chat"), None);
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
