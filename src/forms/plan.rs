//! The response-plan editor (`/plans/new`, `/plans/edit`): every member of
//! `CreateResponsePlan` (ssm-incidents 2018-05-10) as typed, checked field by field, turned
//! into `CreateResponsePlan` / `UpdateResponsePlan` input, and shown (and read back) "as
//! code": the JSON a boto3 or AWS CLI user sends.

use std::collections::BTreeMap;

use tocsin_api::incidents::{
    Action, ChatChannel, CreateResponsePlanInput, DynamicSsmParameterValue, GetResponsePlanOutput,
    IncidentTemplate, NotificationTargetItem, SsmAutomation, TagMap, UpdateResponsePlanInput,
};

use super::{impact, non_empty, required};

/// The message for a plan without a name.
pub const NAME_MESSAGE: &str = "A name is required.";
/// The message for a plan name with other characters than letters, digits, `-` and `_`.
pub const NAME_CHARS_MESSAGE: &str = "A name has only letters, digits, - and _.";
/// The message for a plan without an incident title.
pub const TITLE_MESSAGE: &str = "Incidents need a title.";
/// The message for a runbook without an IAM role ARN.
pub const ROLE_MESSAGE: &str =
    "A runbook needs an IAM role ARN (kept for AWS compatibility; Tocsin runs the runbook itself).";
/// The message for runbook settings without a document.
pub const DOCUMENT_MESSAGE: &str = "Choose the runbook's document, or clear its settings.";
/// The message for a PagerDuty integration filled in part.
pub const PAGERDUTY_MESSAGE: &str =
    "A PagerDuty integration needs its name, secret ID and service ID (or none of them).";
/// The dynamic-parameter variables a runbook may take from the incident.
pub const DYNAMIC_VARIABLES: [&str; 2] = ["INCIDENT_RECORD_ARN", "INVOLVED_RESOURCES"];
/// The target accounts a runbook may run in.
pub const TARGET_ACCOUNTS: [&str; 2] = ["RESPONSE_PLAN_OWNER_ACCOUNT", "IMPACTED_ACCOUNT"];
/// Most engagements a plan may have.
pub const MAX_ENGAGEMENTS: usize = 5;
/// Most notification targets a plan may have.
pub const MAX_TARGETS: usize = 10;
/// Most chat-channel topics a plan may have.
pub const MAX_CHAT_TOPICS: usize = 5;

/// A bad field: the id of the input it concerns (so the page shows the message there) and
/// the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input's element id (`title`, `runbook-parameters`, …).
    pub field: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The runbook a plan starts (`actions[0].ssmAutomation`), as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunbookFields {
    /// Automation document name; empty for no runbook.
    pub document_name: String,
    /// Document version (`$DEFAULT`, `$LATEST` or a number); empty for the default.
    pub document_version: String,
    /// IAM role ARN.
    pub role_arn: String,
    /// `""`, `RESPONSE_PLAN_OWNER_ACCOUNT` or `IMPACTED_ACCOUNT`.
    pub target_account: String,
    /// Static parameters, one `Name=value` a line; a name repeated gives a list.
    pub parameters: String,
    /// Parameters filled from the incident, one `Name=VARIABLE` a line.
    pub dynamic_parameters: String,
}

/// The PagerDuty integration (`integrations[0].pagerDutyConfiguration`), as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PagerDutyFields {
    /// The configuration's name.
    pub name: String,
    /// The secret holding the PagerDuty credentials.
    pub secret_id: String,
    /// The PagerDuty service incidents are created in.
    pub service_id: String,
}

/// Every field of a response plan, as typed.
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
    /// Tags put on each incident, one `key=value` a line.
    pub incident_tags: String,
    /// SNS topic ARNs notified of each incident.
    pub notification_targets: Vec<String>,
    /// SNS topic ARNs of the chat channel (`chatChannel.chatbotSns`); none for no channel.
    pub chat_topics: Vec<String>,
    /// Contact and escalation-plan ARNs engaged.
    pub engagements: Vec<String>,
    /// The runbook.
    pub runbook: RunbookFields,
    /// The PagerDuty integration.
    pub pagerduty: PagerDutyFields,
    /// Tags on the plan itself, one `key=value` a line.
    pub tags: String,
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
            incident_tags: String::new(),
            notification_targets: Vec::new(),
            chat_topics: Vec::new(),
            engagements: Vec::new(),
            runbook: RunbookFields::default(),
            pagerduty: PagerDutyFields::default(),
            tags: String::new(),
        }
    }
}

/// `key=value` lines of a tag map, keys in order.
pub(crate) fn tag_lines(tags: Option<&TagMap>) -> String {
    tags.into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The non-blank lines of `text`, trimmed, with their 1-based line numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// `key=value` lines as a tag map (keys ≤ 128, values ≤ 256 characters, at most 50), or
/// the line that is wrong.
pub(crate) fn parse_tags(field: &'static str, text: &str) -> Result<Option<TagMap>, FieldError> {
    let mut tags = TagMap::new();
    for (n, line) in lines(text) {
        let Some((k, v)) = line.split_once('=') else {
            return Err(FieldError::new(
                field,
                format!("Line {n}: write each tag as key=value."),
            ));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.chars().count() > 128 {
            return Err(FieldError::new(
                field,
                format!("Line {n}: a tag key has 1 to 128 characters."),
            ));
        }
        if v.chars().count() > 256 {
            return Err(FieldError::new(
                field,
                format!("Line {n}: a tag value is at most 256 characters."),
            ));
        }
        tags.insert(k.to_owned(), v.to_owned());
    }
    if tags.len() > 50 {
        return Err(FieldError::new(field, "At most 50 tags."));
    }
    Ok((!tags.is_empty()).then_some(tags))
}

impl RunbookFields {
    /// Whether nothing is filled in (no runbook).
    fn is_blank(&self) -> bool {
        *self == Self::default()
    }

    fn from_action(a: &SsmAutomation) -> Self {
        Self {
            document_name: a.document_name.clone(),
            document_version: a.document_version.clone().unwrap_or_default(),
            role_arn: a.role_arn.clone(),
            target_account: a.target_account.clone().unwrap_or_default(),
            parameters: a
                .parameters
                .iter()
                .flatten()
                .flat_map(|(k, vs)| vs.iter().map(move |v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join("\n"),
            dynamic_parameters: a
                .dynamic_parameters
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", v.variable.as_deref().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The `actions` member: none when blank, else one `ssmAutomation`.
    fn actions(&self) -> Result<Vec<Action>, FieldError> {
        if self.is_blank() {
            return Ok(Vec::new());
        }
        let document_name = required(&self.document_name, DOCUMENT_MESSAGE)
            .map_err(|m| FieldError::new("runbook-document", m))?;
        let role_arn = required(&self.role_arn, ROLE_MESSAGE)
            .map_err(|m| FieldError::new("runbook-role", m))?;
        if !role_arn.starts_with("arn:") {
            return Err(FieldError::new(
                "runbook-role",
                "An IAM role ARN starts with arn: (arn:aws:iam::ACCOUNT:role/NAME).",
            ));
        }
        let target_account = non_empty(&self.target_account);
        if let Some(t) = &target_account
            && !TARGET_ACCOUNTS.contains(&t.as_str())
        {
            return Err(FieldError::new(
                "runbook-target-account",
                format!(
                    "The target account is one of {}.",
                    TARGET_ACCOUNTS.join(", ")
                ),
            ));
        }
        let mut parameters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (n, line) in lines(&self.parameters) {
            let Some((k, v)) = line.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
                return Err(FieldError::new(
                    "runbook-parameters",
                    format!("Line {n}: write each parameter as Name=value."),
                ));
            };
            parameters
                .entry(k.trim().to_owned())
                .or_default()
                .push(v.trim().to_owned());
        }
        let mut dynamic: BTreeMap<String, DynamicSsmParameterValue> = BTreeMap::new();
        for (n, line) in lines(&self.dynamic_parameters) {
            let pair = line
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, v)| !k.is_empty() && DYNAMIC_VARIABLES.contains(v));
            let Some((k, v)) = pair else {
                return Err(FieldError::new(
                    "runbook-dynamic-parameters",
                    format!(
                        "Line {n}: write each as Name=VARIABLE, VARIABLE being {}.",
                        DYNAMIC_VARIABLES.join(" or ")
                    ),
                ));
            };
            if dynamic
                .insert(
                    k.to_owned(),
                    DynamicSsmParameterValue {
                        variable: Some(v.to_owned()),
                    },
                )
                .is_some()
            {
                return Err(FieldError::new(
                    "runbook-dynamic-parameters",
                    format!("Line {n}: {k} is given twice."),
                ));
            }
        }
        Ok(vec![Action {
            ssm_automation: Some(SsmAutomation {
                document_name: document_name.to_owned(),
                role_arn: role_arn.to_owned(),
                document_version: non_empty(&self.document_version),
                parameters: (!parameters.is_empty()).then_some(parameters),
                dynamic_parameters: (!dynamic.is_empty()).then_some(dynamic),
                target_account,
            }),
        }])
    }
}

impl PagerDutyFields {
    fn from_integration(value: &serde_json::Value) -> Option<Self> {
        let c = value.get("pagerDutyConfiguration")?;
        let s = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or("").to_owned();
        Some(Self {
            name: s(c.get("name")),
            secret_id: s(c.get("secretId")),
            service_id: s(c
                .get("pagerDutyIncidentConfiguration")
                .and_then(|p| p.get("serviceId"))),
        })
    }

    /// The `integrations` member: none when blank, else one `pagerDutyConfiguration`.
    fn integrations(&self) -> Result<Vec<serde_json::Value>, FieldError> {
        let parts = [&self.name, &self.secret_id, &self.service_id].map(|s| s.trim());
        if parts.iter().all(|p| p.is_empty()) {
            return Ok(Vec::new());
        }
        if let Some(i) = parts.iter().position(|p| p.is_empty()) {
            let field = ["pagerduty-name", "pagerduty-secret", "pagerduty-service"][i];
            return Err(FieldError::new(field, PAGERDUTY_MESSAGE));
        }
        Ok(vec![serde_json::json!({
            "pagerDutyConfiguration": {
                "name": parts[0],
                "secretId": parts[1],
                "pagerDutyIncidentConfiguration": {"serviceId": parts[2]},
            }
        })])
    }
}

/// The ARNs of a list field, trimmed, blank ones dropped, each once, at most `max`.
fn arn_list(
    field: &'static str,
    list: &[String],
    max: usize,
    what: &str,
) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for arn in list.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if !arn.starts_with("arn:") {
            return Err(FieldError::new(field, format!("{arn} is not an ARN.")));
        }
        if !out.iter().any(|a| a == arn) {
            out.push(arn.to_owned());
        }
    }
    if out.len() > max {
        return Err(FieldError::new(field, format!("At most {max} {what}.")));
    }
    Ok(out)
}

/// The parts of a plan the create and update inputs share, checked.
struct Checked {
    template: IncidentTemplate,
    chat_channel: Option<ChatChannel>,
    engagements: Vec<String>,
    actions: Vec<Action>,
    integrations: Vec<serde_json::Value>,
}

impl PlanForm {
    /// The form filled from an existing plan (its tags, which `GetResponsePlan` does not
    /// return, from `tags`).
    pub fn from_plan(plan: &GetResponsePlanOutput, tags: Option<&TagMap>) -> Self {
        let t = &plan.incident_template;
        Self {
            name: plan.name.clone(),
            display_name: plan.display_name.clone().unwrap_or_default(),
            title: t.title.clone(),
            impact: t.impact.to_string(),
            summary: t.summary.clone().unwrap_or_default(),
            dedupe_string: t.dedupe_string.clone().unwrap_or_default(),
            incident_tags: tag_lines(t.incident_tags.as_ref()),
            notification_targets: t
                .notification_targets
                .iter()
                .flatten()
                .filter_map(|n| n.sns_topic_arn.clone())
                .collect(),
            chat_topics: plan
                .chat_channel
                .as_ref()
                .and_then(|c| c.chatbot_sns.clone())
                .unwrap_or_default(),
            engagements: plan.engagements.clone().unwrap_or_default(),
            runbook: plan
                .actions
                .iter()
                .flatten()
                .find_map(|a| a.ssm_automation.as_ref())
                .map(RunbookFields::from_action)
                .unwrap_or_default(),
            pagerduty: plan
                .integrations
                .iter()
                .flatten()
                .find_map(PagerDutyFields::from_integration)
                .unwrap_or_default(),
            tags: tag_lines(tags),
        }
    }

    /// The form filled from `CreateResponsePlan` input (the "as code" JSON read back).
    pub fn from_input(input: &CreateResponsePlanInput) -> Self {
        Self::from_plan(&input.plan(String::new()), input.tags.as_ref())
    }

    fn checked(&self) -> Result<Checked, FieldError> {
        let title =
            required(&self.title, TITLE_MESSAGE).map_err(|m| FieldError::new("title", m))?;
        if title.chars().count() > 200 {
            return Err(FieldError::new(
                "title",
                "A title is at most 200 characters.",
            ));
        }
        let impact = impact(&self.impact).map_err(|m| FieldError::new("impact", m))?;
        let targets = arn_list(
            "notification-targets",
            &self.notification_targets,
            MAX_TARGETS,
            "notification targets",
        )?;
        let chat = arn_list(
            "chat-channel",
            &self.chat_topics,
            MAX_CHAT_TOPICS,
            "chat topics",
        )?;
        let engagements = arn_list(
            "engagements",
            &self.engagements,
            MAX_ENGAGEMENTS,
            "engagements",
        )?;
        if let Some(e) = engagements.iter().find(|e| !e.contains(":ssm-contacts:")) {
            return Err(FieldError::new(
                "engagements",
                format!("{e} is not a contact or escalation plan."),
            ));
        }
        Ok(Checked {
            template: IncidentTemplate {
                title: title.to_owned(),
                impact,
                summary: non_empty(&self.summary),
                dedupe_string: non_empty(&self.dedupe_string),
                notification_targets: (!targets.is_empty()).then(|| {
                    targets
                        .into_iter()
                        .map(|a| NotificationTargetItem {
                            sns_topic_arn: Some(a),
                        })
                        .collect()
                }),
                incident_tags: parse_tags("incident-tags", &self.incident_tags)?,
            },
            chat_channel: (!chat.is_empty()).then(|| ChatChannel {
                chatbot_sns: Some(chat),
                empty: None,
            }),
            engagements,
            actions: self.runbook.actions()?,
            integrations: self.pagerduty.integrations()?,
        })
    }

    /// `CreateResponsePlan` input; empty optional members are left out.
    ///
    /// Errors: the first bad field, with the id of its input.
    pub fn create_input(
        &self,
        client_token: Option<String>,
    ) -> Result<CreateResponsePlanInput, FieldError> {
        let name = required(&self.name, NAME_MESSAGE).map_err(|m| FieldError::new("name", m))?;
        if name.chars().count() > 200
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(FieldError::new("name", NAME_CHARS_MESSAGE));
        }
        let c = self.checked()?;
        Ok(CreateResponsePlanInput {
            name: name.to_owned(),
            incident_template: c.template,
            display_name: non_empty(&self.display_name),
            client_token,
            chat_channel: c.chat_channel,
            engagements: (!c.engagements.is_empty()).then_some(c.engagements),
            actions: (!c.actions.is_empty()).then_some(c.actions),
            integrations: (!c.integrations.is_empty()).then_some(c.integrations),
            tags: parse_tags("tags", &self.tags)?,
        })
    }

    /// `UpdateResponsePlan` input setting every member of the form: an emptied field clears
    /// it (no chat channel is `{"empty": {}}`). Plan tags are not part of it: see
    /// [`PlanForm::tag_changes`].
    ///
    /// Errors: the first bad field, with the id of its input.
    pub fn update_input(
        &self,
        arn: &str,
        client_token: String,
    ) -> Result<UpdateResponsePlanInput, FieldError> {
        let c = self.checked()?;
        parse_tags("tags", &self.tags)?;
        Ok(UpdateResponsePlanInput {
            arn: arn.to_owned(),
            client_token: Some(client_token),
            display_name: Some(self.display_name.trim().to_owned()),
            incident_template_title: Some(c.template.title),
            incident_template_impact: Some(c.template.impact),
            incident_template_summary: Some(self.summary.trim().to_owned()),
            incident_template_dedupe_string: Some(self.dedupe_string.trim().to_owned()),
            incident_template_notification_targets: Some(
                c.template.notification_targets.unwrap_or_default(),
            ),
            incident_template_tags: Some(c.template.incident_tags.unwrap_or_default()),
            chat_channel: Some(c.chat_channel.unwrap_or(ChatChannel {
                chatbot_sns: None,
                empty: Some(serde_json::Map::new()),
            })),
            engagements: Some(c.engagements),
            actions: Some(c.actions),
            integrations: Some(c.integrations),
        })
    }

    /// The plan tags to set and the keys to remove (`TagResource`, `UntagResource`) to go
    /// from `before` to the form's tags.
    ///
    /// Errors: a bad tag line.
    pub fn tag_changes(&self, before: &TagMap) -> Result<(TagMap, Vec<String>), FieldError> {
        let after = parse_tags("tags", &self.tags)?.unwrap_or_default();
        let set = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let removed = before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .cloned()
            .collect();
        Ok((set, removed))
    }

    /// The plan "as code": the `CreateResponsePlan` request body a boto3
    /// (`create_response_plan(**plan)`) or AWS CLI (`--cli-input-json`) user sends, pretty
    /// printed, without a client token.
    ///
    /// Errors: the first bad field.
    pub fn as_code(&self) -> Result<String, FieldError> {
        let input = self.create_input(None)?;
        Ok(serde_json::to_string_pretty(&input).unwrap_or_default())
    }

    /// The form read back from "as code" JSON.
    ///
    /// Errors: JSON that is not a `CreateResponsePlan` request, in words.
    pub fn from_code(code: &str) -> Result<Self, String> {
        serde_json::from_str::<CreateResponsePlanInput>(code)
            .map(|input| Self::from_input(&input))
            .map_err(|e| format!("This is not a CreateResponsePlan request: {e}."))
    }
}

impl PlanForm {
    /// The `CreateResponsePlan` input the preview shows: the form's, or, while some parts
    /// are still wrong, the form's without those parts (runbook, integration, tags,
    /// topics, contacts), with the message of each part left out. `Err` when the template
    /// itself (title, impact) is not there yet. The name is not checked.
    pub fn preview_input(&self) -> Result<(CreateResponsePlanInput, Vec<FieldError>), FieldError> {
        let mut form = self.clone();
        form.name = "preview".to_owned();
        let mut left_out = Vec::new();
        loop {
            match form.create_input(None) {
                Ok(input) => return Ok((input, left_out)),
                Err(e) => {
                    match e.field {
                        f if f.starts_with("runbook") => form.runbook = RunbookFields::default(),
                        f if f.starts_with("pagerduty") => {
                            form.pagerduty = PagerDutyFields::default()
                        }
                        "incident-tags" => form.incident_tags.clear(),
                        "tags" => form.tags.clear(),
                        "notification-targets" => form.notification_targets.clear(),
                        "chat-channel" => form.chat_topics.clear(),
                        "engagements" => form.engagements.clear(),
                        _ => return Err(e),
                    }
                    left_out.push(e);
                }
            }
        }
    }
}

/// The form field a server `ValidationException` or `ConflictException` message concerns
/// (its `at '…'` member path, or the member it starts with), when there is one.
pub fn field_of_server_error(message: &str) -> Option<&'static str> {
    const FIELDS: [(&str, &str); 16] = [
        ("incidentTemplate.title", "title"),
        ("incidentTemplateTitle", "title"),
        ("incidentTemplate.impact", "impact"),
        ("incidentTemplateImpact", "impact"),
        ("incidentTemplate.summary", "summary"),
        ("incidentTemplate.dedupeString", "dedupe-string"),
        (
            "incidentTemplate.notificationTargets",
            "notification-targets",
        ),
        (
            "incidentTemplateNotificationTargets",
            "notification-targets",
        ),
        ("incidentTemplate.incidentTags", "incident-tags"),
        ("incidentTemplateTags", "incident-tags"),
        ("displayName", "display-name"),
        ("chatChannel", "chat-channel"),
        ("engagements", "engagements"),
        ("actions", "runbook-document"),
        ("integrations", "pagerduty-name"),
        ("tags", "tags"),
    ];
    let at = message
        .split_once("at '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(path, _)| path);
    let subject = at.unwrap_or_else(|| message.split_whitespace().next().unwrap_or(""));
    if let Some((_, field)) = FIELDS.iter().find(|(path, _)| subject.starts_with(path)) {
        return Some(field);
    }
    if subject == "name" || message.starts_with("A response plan named") {
        return Some("name");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::IMPACT_MESSAGE;

    fn form() -> PlanForm {
        PlanForm {
            name: " db-down ".to_owned(),
            title: "Database down".to_owned(),
            impact: "2".to_owned(),
            summary: "  ".to_owned(),
            dedupe_string: "db".to_owned(),
            ..PlanForm::default()
        }
    }

    fn full() -> PlanForm {
        PlanForm {
            display_name: "Database".to_owned(),
            summary: "The primary is gone".to_owned(),
            incident_tags: "team=db\n\n service = orders ".to_owned(),
            notification_targets: vec!["arn:aws:sns:eu-west-1:111122223333:ops".to_owned()],
            chat_topics: vec!["arn:aws:sns:eu-west-1:111122223333:chat".to_owned()],
            engagements: vec![
                "arn:aws:ssm-contacts:eu-west-1:111122223333:contact/maria".to_owned(),
            ],
            runbook: RunbookFields {
                document_name: "Restart-Db".to_owned(),
                document_version: "$LATEST".to_owned(),
                role_arn: "arn:aws:iam::111122223333:role/runbooks".to_owned(),
                target_account: "RESPONSE_PLAN_OWNER_ACCOUNT".to_owned(),
                parameters: "Host=db-1\nHost=db-2\nMode=fast".to_owned(),
                dynamic_parameters: "Incident=INCIDENT_RECORD_ARN".to_owned(),
            },
            pagerduty: PagerDutyFields {
                name: "pd".to_owned(),
                secret_id: "pd-secret".to_owned(),
                service_id: "PSERVICE".to_owned(),
            },
            tags: "owner=sre".to_owned(),
            ..form()
        }
    }

    #[test]
    fn create_leaves_empty_optionals_out() {
        let input = form().create_input(Some("tok".to_owned()));
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
    fn create_sends_every_member() {
        let json = full()
            .create_input(None)
            .ok()
            .and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({
                "name": "db-down",
                "incidentTemplate": {
                    "title": "Database down",
                    "impact": 2,
                    "summary": "The primary is gone",
                    "dedupeString": "db",
                    "notificationTargets": [{"snsTopicArn": "arn:aws:sns:eu-west-1:111122223333:ops"}],
                    "incidentTags": {"service": "orders", "team": "db"}
                },
                "displayName": "Database",
                "chatChannel": {"chatbotSns": ["arn:aws:sns:eu-west-1:111122223333:chat"]},
                "engagements": ["arn:aws:ssm-contacts:eu-west-1:111122223333:contact/maria"],
                "actions": [{"ssmAutomation": {
                    "documentName": "Restart-Db",
                    "roleArn": "arn:aws:iam::111122223333:role/runbooks",
                    "documentVersion": "$LATEST",
                    "parameters": {"Host": ["db-1", "db-2"], "Mode": ["fast"]},
                    "dynamicParameters": {"Incident": {"variable": "INCIDENT_RECORD_ARN"}},
                    "targetAccount": "RESPONSE_PLAN_OWNER_ACCOUNT"
                }}],
                "integrations": [{"pagerDutyConfiguration": {
                    "name": "pd",
                    "secretId": "pd-secret",
                    "pagerDutyIncidentConfiguration": {"serviceId": "PSERVICE"}
                }}],
                "tags": {"owner": "sre"}
            }))
        );
    }

    #[test]
    fn as_code_reads_back_into_the_same_form() {
        let f = full();
        let code = f.as_code().unwrap_or_default();
        assert!(!code.contains("clientToken"), "{code}");
        let back = PlanForm::from_code(&code);
        let mut expected = f.clone();
        expected.name = "db-down".to_owned();
        expected.summary = "The primary is gone".to_owned();
        expected.incident_tags = "service=orders\nteam=db".to_owned();
        assert_eq!(back, Ok(expected));
        assert!(PlanForm::from_code("{\"name\": 1}").is_err());
    }

    #[test]
    fn each_bad_field_names_its_input() {
        type Change = Box<dyn Fn(&mut PlanForm)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|f| f.name = " ".to_owned()), "name"),
            (Box::new(|f| f.name = "db down".to_owned()), "name"),
            (Box::new(|f| f.title = String::new()), "title"),
            (Box::new(|f| f.impact = "7".to_owned()), "impact"),
            (
                Box::new(|f| f.incident_tags = "team".to_owned()),
                "incident-tags",
            ),
            (Box::new(|f| f.tags = "=x".to_owned()), "tags"),
            (
                Box::new(|f| f.notification_targets = vec!["ops".to_owned()]),
                "notification-targets",
            ),
            (
                Box::new(|f| f.engagements = vec!["arn:aws:sns:r:1:t".to_owned()]),
                "engagements",
            ),
            (
                Box::new(|f| {
                    f.engagements = (0..6)
                        .map(|i| format!("arn:aws:ssm-contacts:r:1:contact/c{i}"))
                        .collect()
                }),
                "engagements",
            ),
            (
                Box::new(|f| f.runbook.document_name = String::new()),
                "runbook-document",
            ),
            (
                Box::new(|f| f.runbook.role_arn = String::new()),
                "runbook-role",
            ),
            (
                Box::new(|f| f.runbook.parameters = "novalue".to_owned()),
                "runbook-parameters",
            ),
            (
                Box::new(|f| f.runbook.dynamic_parameters = "X=SOMETHING".to_owned()),
                "runbook-dynamic-parameters",
            ),
            (
                Box::new(|f| f.runbook.target_account = "MINE".to_owned()),
                "runbook-target-account",
            ),
            (
                Box::new(|f| f.pagerduty.secret_id = String::new()),
                "pagerduty-secret",
            ),
        ];
        for (change, field) in cases {
            let mut f = full();
            change(&mut f);
            assert_eq!(
                f.create_input(None).err().map(|e| e.field),
                Some(field),
                "{field}"
            );
        }
        let mut f = form();
        f.impact = "0".to_owned();
        let err = f.update_input("arn:x", "t".to_owned()).err();
        assert_eq!(err.map(|e| e.message), Some(IMPACT_MESSAGE.to_owned()));
        // The name cannot change once created, so an update does not check it.
        let mut f = form();
        f.name = String::new();
        assert!(f.update_input("arn:x", "t".to_owned()).is_ok());
    }

    #[test]
    fn update_sets_every_member_and_clears_emptied_ones() {
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
                "incidentTemplateDedupeString": "db",
                "incidentTemplateNotificationTargets": [],
                "incidentTemplateTags": {},
                "chatChannel": {"empty": {}},
                "engagements": [],
                "actions": [],
                "integrations": []
            }))
        );
    }

    #[test]
    fn tag_changes_set_new_values_and_remove_dropped_keys() {
        let mut f = form();
        f.tags = "owner=sre\nteam=db".to_owned();
        let before = TagMap::from([
            ("owner".to_owned(), "sre".to_owned()),
            ("old".to_owned(), "x".to_owned()),
            ("team".to_owned(), "web".to_owned()),
        ]);
        assert_eq!(
            f.tag_changes(&before),
            Ok((
                TagMap::from([("team".to_owned(), "db".to_owned())]),
                vec!["old".to_owned()]
            ))
        );
    }

    #[test]
    fn server_messages_find_their_field() {
        for (message, field) in [
            (
                "1 validation error detected: Value 'x' at 'incidentTemplate.title' failed to satisfy constraint",
                Some("title"),
            ),
            (
                "chatChannel.chatbotSns must have 1 to 5 members.",
                Some("chat-channel"),
            ),
            (
                "1 validation error detected: Value 'e' at 'engagements.member' failed",
                Some("engagements"),
            ),
            ("A response plan named db already exists.", Some("name")),
            ("Something else went wrong.", None),
        ] {
            assert_eq!(field_of_server_error(message), field, "{message}");
        }
    }

    #[test]
    fn the_preview_leaves_out_the_parts_still_wrong() {
        let mut f = full();
        f.name = String::new();
        f.runbook.parameters = "novalue".to_owned();
        f.incident_tags = "team".to_owned();
        let (input, left_out) = f.preview_input().expect("a preview");
        assert!(input.actions.is_none() && input.incident_template.incident_tags.is_none());
        assert_eq!(input.engagements.map(|e| e.len()), Some(1));
        let fields: Vec<_> = left_out.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["incident-tags", "runbook-parameters"]);
        f.title = String::new();
        assert_eq!(f.preview_input().err().map(|e| e.field), Some("title"));
    }

    #[test]
    fn new_plans_start_at_impact_3() {
        assert_eq!(PlanForm::default().impact, "3");
    }
}
