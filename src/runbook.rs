//! Runbooks (Systems Manager Automation) as the app shows them: what an execution's or a
//! step's status means in words and colour, which input a waiting execution needs from a
//! responder, the signals that answer it, which executions an incident has, the steps of a
//! document being edited, and at which step a validation error points.
//!
//! Nothing here touches the DOM or the network, so everything is unit-tested natively with
//! `cargo test -p tocsin-web`. Everything shown from here (step names, messages, outputs) is
//! untrusted text and is rendered as text nodes.

use tocsin_api::native::WallIncident;
use tocsin_api::ssm::{
    AutomationExecution, ExecutionRef, ParameterMap, SendAutomationSignalRequest, StepExecution,
};

/// The `currentAction` of a step waiting for approvals.
pub const APPROVE_ACTION: &str = "aws:approve";

/// The `currentAction` of a step waiting to be resumed.
pub const PAUSE_ACTION: &str = "aws:pause";

/// Owners of the built-in, read-only documents.
pub const BUILT_IN_OWNERS: [&str; 2] = ["Amazon", "Tocsin"];

/// Where an execution (or one of its steps) stands, as people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Not started yet (`Pending`).
    Pending,
    /// Running (`InProgress`).
    Running,
    /// Waiting for a responder: an approval or a resume (`Waiting`).
    Waiting,
    /// Ended well (`Success`).
    Succeeded,
    /// Ended in failure (`Failed`).
    Failed,
    /// Ended because a step took too long (`TimedOut`).
    TimedOut,
    /// Stopped (`Cancelled`).
    Cancelled,
    /// A status this version does not know.
    Unknown,
}

impl RunState {
    /// The state of an `AutomationExecutionStatus` or `StepStatus` as the API spells it.
    pub fn of(status: &str) -> Self {
        match status {
            "Pending" => Self::Pending,
            "InProgress" => Self::Running,
            "Waiting" => Self::Waiting,
            "Success" => Self::Succeeded,
            "Failed" => Self::Failed,
            "TimedOut" => Self::TimedOut,
            "Cancelled" | "Cancelling" => Self::Cancelled,
            _ => Self::Unknown,
        }
    }

    /// The words shown (colour is never the only sign).
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Waiting => "Waiting for input",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::TimedOut => "Timed out",
            Self::Cancelled => "Cancelled",
            Self::Unknown => "Unknown",
        }
    }

    /// CSS class carrying the state's colour (`run-running`, `run-waiting`, …).
    pub fn class(self) -> &'static str {
        match self {
            Self::Pending => "run-pending",
            Self::Running => "run-running",
            Self::Waiting => "run-waiting",
            Self::Succeeded => "run-succeeded",
            Self::Failed | Self::TimedOut => "run-failed",
            Self::Cancelled => "run-cancelled",
            Self::Unknown => "run-pending",
        }
    }

    /// Whether nothing more will happen (succeeded, failed, timed out, cancelled).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::Failed | Self::TimedOut | Self::Cancelled
        )
    }
}

/// The id at the end of an execution ARN (`arn:aws:ssm:<region>:<account>:automation-execution/<id>`).
pub fn execution_id_from_arn(arn: &str) -> Option<&str> {
    arn.split_once(":automation-execution/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The executions started for an incident, oldest first and without repeats: those the
/// server lists in `runbooks`, then any other its record's `automationExecutions` name.
pub fn incident_execution_ids(incident: &WallIncident) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let from_record = incident
        .incident
        .automation_executions
        .iter()
        .flatten()
        .filter_map(|e| e.ssm_execution_arn.as_deref())
        .filter_map(execution_id_from_arn);
    let listed = incident
        .runbooks
        .iter()
        .map(|r| r.automation_execution_id.as_str());
    for id in listed.chain(from_record) {
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    ids
}

/// `first`, then the ids of `more` that `first` does not have.
pub fn merge_ids(first: &[String], more: &[String]) -> Vec<String> {
    let mut ids = first.to_vec();
    for id in more {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

/// Whether a document with this owner is built in (and so read-only).
pub fn is_built_in(owner: &str) -> bool {
    BUILT_IN_OWNERS.contains(&owner)
}

/// What a waiting execution needs from a responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingInput {
    /// An `aws:approve` step waits for approvals.
    Approval {
        /// The step.
        step: String,
        /// Who may approve (key names or principal ARNs), as the step's inputs name them.
        approvers: Vec<String>,
        /// The step's `Message`, if it has one.
        message: Option<String>,
    },
    /// An `aws:pause` step waits to be resumed ("Next step").
    Pause {
        /// The step.
        step: String,
    },
}

/// What `execution` waits for, if it is waiting at an approval or a pause.
pub fn pending_input(execution: &AutomationExecution) -> Option<PendingInput> {
    if RunState::of(&execution.automation_execution_status) != RunState::Waiting {
        return None;
    }
    let step = execution.current_step_name.clone()?;
    let running = execution
        .step_executions
        .iter()
        .rev()
        .find(|s| s.step_name == step);
    let action = execution
        .current_action
        .as_deref()
        .or_else(|| running.map(|s| s.action.as_str()))?;
    match action {
        APPROVE_ACTION => {
            let input = |name: &str| running.and_then(|s| s.inputs.get(name));
            Some(PendingInput::Approval {
                approvers: input("Approvers")
                    .map(|t| json_text_values(t))
                    .unwrap_or_default(),
                message: input("Message")
                    .map(|t| json_text_values(t).join("\n"))
                    .filter(|m| !m.is_empty()),
                step,
            })
        }
        PAUSE_ACTION => Some(PendingInput::Pause { step }),
        _ => None,
    }
}

/// Whether the key `who` is one of `approvers` (which name key names, principal ARNs or
/// access key ids, as the server compares them).
pub fn is_approver(approvers: &[String], who: &tocsin_api::auth::Whoami) -> bool {
    approvers
        .iter()
        .any(|a| *a == who.name || *a == who.principal || *a == who.access_key_id)
}

/// The values of an input as the API renders it (JSON text): each string of an array, a
/// string itself, anything else as JSON; text that is not JSON as it is.
pub fn json_text_values(text: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Ok(serde_json::Value::String(s)) => vec![s],
        Ok(serde_json::Value::Null) => Vec::new(),
        Ok(other) => vec![other.to_string()],
        Err(_) => vec![text.to_owned()],
    }
}

/// `SendAutomationSignal` approving (or, with `approve` false, rejecting) the waiting
/// approval, with `comment` when one was typed.
pub fn approval_signal(
    execution_id: &str,
    approve: bool,
    comment: &str,
) -> SendAutomationSignalRequest {
    let comment = comment.trim();
    let payload = (!comment.is_empty())
        .then(|| ParameterMap::from([("Comment".to_owned(), vec![comment.to_owned()])]));
    SendAutomationSignalRequest {
        automation_execution_id: execution_id.to_owned(),
        signal_type: if approve { "Approve" } else { "Reject" }.to_owned(),
        payload,
    }
}

/// `SendAutomationSignal` resuming the paused `step` ("Next step").
pub fn resume_signal(execution_id: &str, step: &str) -> SendAutomationSignalRequest {
    SendAutomationSignalRequest {
        automation_execution_id: execution_id.to_owned(),
        signal_type: "Resume".to_owned(),
        payload: Some(ParameterMap::from([(
            "StepName".to_owned(),
            vec![step.to_owned()],
        )])),
    }
}

/// `StopAutomationExecution` of an execution (the default type, `Complete`: it ends
/// `Cancelled`).
pub fn stop_request(execution_id: &str) -> ExecutionRef {
    ExecutionRef {
        automation_execution_id: execution_id.to_owned(),
        stop_type: None,
    }
}

/// A validation error as the server words it, and the step it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    /// The step named at the start of the message (`Step <name>: …` or `Step <name> is …`).
    pub step: Option<String>,
    /// The whole message.
    pub message: String,
}

/// Finds the step an `InvalidDocumentContent` message concerns: its messages about a step
/// start with `Step <name>:` (or `Step <name> is …`).
pub fn step_error(message: &str) -> StepError {
    let step = message.strip_prefix("Step ").and_then(|rest| {
        let end = rest.find(|c: char| c == ':' || c.is_whitespace())?;
        let name = &rest[..end];
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        valid.then(|| name.to_owned())
    });
    StepError {
        step,
        message: message.to_owned(),
    }
}

/// The step names of a document's `mainSteps`, in order, as well as can be told from text
/// being edited: JSON is parsed; YAML is read line by line (block style, which is what
/// people write and what Tocsin returns), so a document that is not valid yet still lists
/// the steps it has so far.
pub fn document_steps(content: &str) -> Vec<String> {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(content) {
        return value
            .get("mainSteps")
            .and_then(serde_json::Value::as_array)
            .map(|steps| {
                steps
                    .iter()
                    .filter_map(|s| s.get("name").and_then(serde_json::Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
    }
    yaml_steps(content)
}

/// Indentation (in columns) of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// A YAML scalar as written, without quotes or a trailing comment.
fn yaml_scalar(text: &str) -> String {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.split(quote).next()) {
            return inner.to_owned();
        }
    }
    text.split(" #").next().unwrap_or(text).trim().to_owned()
}

/// `mainSteps` step names of block-style YAML.
fn yaml_steps(content: &str) -> Vec<String> {
    let lines: Vec<&str> = content.lines().collect();
    let Some(start) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("mainSteps:"))
    else {
        return Vec::new();
    };
    let key_indent = indent(lines[start]);
    let mut names = Vec::new();
    // Column of the items' `- ` and of their keys, once the first item is seen.
    let mut item_indent = None;
    let mut key_column = 0;
    for line in &lines[start + 1..] {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let col = indent(line);
        let is_item = trimmed.starts_with("- ") || trimmed == "-";
        if col < key_indent || (col == key_indent && !is_item) {
            break;
        }
        let key_text = match item_indent {
            None if is_item => {
                item_indent = Some(col);
                key_column = col + 2;
                Some(trimmed[1..].trim_start())
            }
            None => None,
            Some(items) if is_item && col == items => Some(trimmed[1..].trim_start()),
            Some(_) if col == key_column => Some(trimmed),
            Some(_) => None,
        };
        if let Some(value) = key_text.and_then(|k| k.strip_prefix("name:")) {
            let name = yaml_scalar(value);
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

/// A step's time span: `start → end`, `start → …` while it runs, or `—`.
pub fn step_times(step: &StepExecution, format_time: impl Fn(f64) -> String) -> String {
    match (step.execution_start_time, step.execution_end_time) {
        (Some(start), Some(end)) => format!("{} → {}", format_time(start), format_time(end)),
        (Some(start), None) => format!("{} → …", format_time(start)),
        _ => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tocsin_api::incidents::{
        AutomationExecution as IncidentExecution, IncidentRecord, IncidentRecordSource,
        IncidentRecordStatus,
    };
    use tocsin_api::native::AutomationSummary;

    fn step(name: &str, action: &str, status: &str) -> StepExecution {
        StepExecution {
            step_name: name.to_owned(),
            action: action.to_owned(),
            timeout_seconds: None,
            on_failure: "Abort".to_owned(),
            max_attempts: 1,
            execution_start_time: Some(10.0),
            execution_end_time: None,
            step_status: status.to_owned(),
            response_code: None,
            inputs: BTreeMap::new(),
            outputs: BTreeMap::new(),
            response: None,
            failure_message: None,
            failure_details: None,
            step_execution_id: format!("{name}-id"),
            is_end: false,
            next_step: None,
            is_critical: true,
            valid_next_steps: None,
        }
    }

    fn execution(status: &str, steps: Vec<StepExecution>) -> AutomationExecution {
        let current = steps.last().cloned();
        AutomationExecution {
            automation_execution_id: "e1".to_owned(),
            document_name: "restart-web".to_owned(),
            document_version: "1".to_owned(),
            execution_start_time: 1.0,
            execution_end_time: None,
            automation_execution_status: status.to_owned(),
            step_executions: steps,
            step_executions_truncated: false,
            parameters: BTreeMap::new(),
            outputs: BTreeMap::new(),
            failure_message: None,
            mode: "Auto".to_owned(),
            executed_by: "me".to_owned(),
            current_step_name: current.as_ref().map(|s| s.step_name.clone()),
            current_action: current.map(|s| s.action),
        }
    }

    #[test]
    fn states_have_words_and_colours() {
        let table = [
            ("InProgress", "Running", "run-running", false),
            ("Waiting", "Waiting for input", "run-waiting", false),
            ("Success", "Succeeded", "run-succeeded", true),
            ("Failed", "Failed", "run-failed", true),
            ("TimedOut", "Timed out", "run-failed", true),
            ("Cancelled", "Cancelled", "run-cancelled", true),
            ("Pending", "Pending", "run-pending", false),
            ("Bogus", "Unknown", "run-pending", false),
        ];
        for (status, label, class, terminal) in table {
            let state = RunState::of(status);
            assert_eq!(state.label(), label, "{status}");
            assert_eq!(state.class(), class, "{status}");
            assert_eq!(state.is_terminal(), terminal, "{status}");
        }
    }

    #[test]
    fn execution_ids_come_from_arns() {
        assert_eq!(
            execution_id_from_arn("arn:aws:ssm:us-east-1:000000000000:automation-execution/ab-1"),
            Some("ab-1")
        );
        assert_eq!(execution_id_from_arn("arn:aws:ssm:x:1:document/d"), None);
        assert_eq!(execution_id_from_arn("x:automation-execution/"), None);
    }

    #[test]
    fn an_incident_lists_each_execution_once() {
        let summary = |id: &str| AutomationSummary {
            automation_execution_id: id.to_owned(),
            document_name: "d".to_owned(),
            status: "InProgress".to_owned(),
            current_step_name: None,
            current_action: None,
            incident_record_arn: Some("i".to_owned()),
        };
        let arn = |id: &str| IncidentExecution {
            ssm_execution_arn: Some(format!("arn:aws:ssm:r:1:automation-execution/{id}")),
        };
        let incident = WallIncident {
            incident: IncidentRecord {
                arn: "i".to_owned(),
                title: "t".to_owned(),
                impact: 1,
                status: IncidentRecordStatus::Open,
                dedupe_string: String::new(),
                creation_time: 0.0,
                last_modified_time: 0.0,
                last_modified_by: "me".to_owned(),
                incident_record_source: IncidentRecordSource {
                    created_by: "me".to_owned(),
                    source: "test".to_owned(),
                    invoked_by: None,
                    resource_arn: None,
                },
                summary: None,
                resolved_time: None,
                automation_executions: Some(vec![arn("a"), arn("c")]),
                chat_channel: None,
                notification_targets: None,
            },
            response_plan_arn: "p".to_owned(),
            response_plan_name: "P".to_owned(),
            latest_timeline_event: None,
            runbooks: vec![summary("a"), summary("b")],
            acknowledgement: None,
            tags: Default::default(),
        };
        assert_eq!(incident_execution_ids(&incident), ["a", "b", "c"]);
        let more = ["c".to_owned(), "d".to_owned()];
        assert_eq!(
            merge_ids(&incident_execution_ids(&incident), &more),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn built_in_owners_are_read_only() {
        assert!(is_built_in("Amazon"));
        assert!(is_built_in("Tocsin"));
        assert!(!is_built_in("000000000000"));
    }

    #[test]
    fn a_waiting_approval_names_its_approvers_and_message() {
        let mut approve = step("approve", APPROVE_ACTION, "Waiting");
        approve.inputs.insert(
            "Approvers".to_owned(),
            r#"["alice","arn:aws:iam::0:user/bob"]"#.to_owned(),
        );
        approve
            .inputs
            .insert("Message".to_owned(), r#""Restart?""#.to_owned());
        let exec = execution(
            "Waiting",
            vec![step("settle", "aws:sleep", "Success"), approve],
        );
        assert_eq!(
            pending_input(&exec),
            Some(PendingInput::Approval {
                step: "approve".to_owned(),
                approvers: vec!["alice".to_owned(), "arn:aws:iam::0:user/bob".to_owned()],
                message: Some("Restart?".to_owned()),
            })
        );
    }

    #[test]
    fn a_waiting_pause_needs_next_step_and_nothing_else_waits() {
        let exec = execution("Waiting", vec![step("hold", PAUSE_ACTION, "Waiting")]);
        assert_eq!(
            pending_input(&exec),
            Some(PendingInput::Pause {
                step: "hold".to_owned()
            })
        );
        let running = execution("InProgress", vec![step("hold", PAUSE_ACTION, "InProgress")]);
        assert_eq!(pending_input(&running), None);
        let sleeping = execution("Waiting", vec![step("nap", "aws:sleep", "Waiting")]);
        assert_eq!(pending_input(&sleeping), None);
        let ended = execution("Success", vec![step("hold", PAUSE_ACTION, "Success")]);
        assert_eq!(pending_input(&ended), None);
    }

    #[test]
    fn approvers_are_names_principals_or_key_ids() {
        let who = tocsin_api::auth::Whoami {
            access_key_id: "TOCSABCDEFGHIJ234567".to_owned(),
            name: "alice".to_owned(),
            role: tocsin_api::auth::Role::Responder,
            principal: "arn:aws:iam::000000000000:user/alice".to_owned(),
        };
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(is_approver(&list(&["bob", "alice"]), &who));
        assert!(is_approver(
            &list(&["arn:aws:iam::000000000000:user/alice"]),
            &who
        ));
        assert!(is_approver(&list(&["TOCSABCDEFGHIJ234567"]), &who));
        assert!(!is_approver(&list(&["bob", "Alice"]), &who));
    }

    #[test]
    fn input_values_from_json_text() {
        assert_eq!(json_text_values(r#"["a", 2]"#), ["a", "2"]);
        assert_eq!(json_text_values(r#""one""#), ["one"]);
        assert_eq!(json_text_values("not json"), ["not json"]);
        assert_eq!(json_text_values("null"), Vec::<String>::new());
        assert_eq!(json_text_values(r#"{"k":1}"#), [r#"{"k":1}"#]);
    }

    #[test]
    fn signals_match_the_documented_payloads() {
        let approve = serde_json::to_value(approval_signal("e", true, "  go ahead ")).ok();
        assert_eq!(
            approve,
            Some(serde_json::json!({
                "AutomationExecutionId": "e",
                "SignalType": "Approve",
                "Payload": {"Comment": ["go ahead"]}
            }))
        );
        let reject = serde_json::to_value(approval_signal("e", false, " ")).ok();
        assert_eq!(
            reject,
            Some(serde_json::json!({"AutomationExecutionId": "e", "SignalType": "Reject"}))
        );
        let resume = serde_json::to_value(resume_signal("e", "hold")).ok();
        assert_eq!(
            resume,
            Some(serde_json::json!({
                "AutomationExecutionId": "e",
                "SignalType": "Resume",
                "Payload": {"StepName": ["hold"]}
            }))
        );
        assert_eq!(
            serde_json::to_value(stop_request("e")).ok(),
            Some(serde_json::json!({"AutomationExecutionId": "e"}))
        );
    }

    #[test]
    fn validation_errors_point_at_their_step() {
        assert_eq!(
            step_error("Step approve: aws:approve needs Approvers."),
            StepError {
                step: Some("approve".to_owned()),
                message: "Step approve: aws:approve needs Approvers.".to_owned(),
            }
        );
        assert_eq!(
            step_error("Step b is unreachable: no step leads to it.").step,
            Some("b".to_owned())
        );
        assert_eq!(step_error("schemaVersion must be 0.3").step, None);
        assert_eq!(step_error("Step : x").step, None);
        assert_eq!(step_error("Step <b>: x").step, None);
    }

    #[test]
    fn steps_of_json_documents() {
        let doc = r#"{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:pause"},{"action":"aws:sleep","name":"b"}]}"#;
        assert_eq!(document_steps(doc), ["a", "b"]);
        assert_eq!(document_steps(r#"{"mainSteps": 3}"#), Vec::<String>::new());
    }

    #[test]
    fn steps_of_yaml_documents() {
        let doc = "\
description: 'name: not a step'
schemaVersion: '0.3'
parameters:
  name:
    type: String
mainSteps:
- name: settle
  action: aws:sleep
  inputs:
    name: nested, not a step
    Duration: PT1S
- action: aws:approve
  name: \"approve\"   # quoted
  inputs:
    Approvers: [a]
-   name: 'third'
outputs:
- name: not-a-step
";
        assert_eq!(document_steps(doc), ["settle", "approve", "third"]);

        let indented = "\
mainSteps:
  - name: one
    action: aws:pause
  - name: two # comment
    action: aws:pause
";
        assert_eq!(document_steps(indented), ["one", "two"]);

        // Half-typed documents still list what they have.
        assert_eq!(
            document_steps("mainSteps:\n- name: a\n  action: [\n"),
            ["a"]
        );
        assert_eq!(
            document_steps("schemaVersion: '0.3'\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn step_time_spans() {
        let mut s = step("a", "aws:sleep", "InProgress");
        assert_eq!(step_times(&s, |t| t.to_string()), "10 → …");
        s.execution_end_time = Some(12.0);
        assert_eq!(step_times(&s, |t| t.to_string()), "10 → 12");
        s.execution_start_time = None;
        assert_eq!(step_times(&s, |t| t.to_string()), "—");
    }
}
