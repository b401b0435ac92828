//! The runbook engine: runs automation executions step by step, durably.
//!
//! Every transition happens in one store transaction together with the step execution row
//! it concerns and its change-feed entry, so a crash (even `kill -9`) leaves each execution
//! at a step boundary, and a restart goes on from there: a sleep wakes at its original
//! time, a pause or approval keeps waiting (its deadline unchanged). The actions Tocsin runs
//! itself (`aws:sleep`, `aws:pause`, `aws:approve`, `aws:branch`, `aws:executeAwsApi` on
//! Tocsin's own APIs) take effect inside that same transaction, so each step is recorded,
//! and takes effect, exactly once.
//!
//! Waiting costs nothing: an execution has a `wake_at` (a sleep's end, a pause's or
//! approval's deadline), and the runbook worker sleeps until the soonest one or until a
//! commit, never scanning executions. Signals (`SendAutomationSignal`) and stops advance the
//! execution in the caller's own transaction.
//!
//! Behaviour mirrors AWS Systems Manager Automation (2014-11-06); where AWS does not document
//! an outcome, the choice is written at the function that makes it.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tocsin_api::auth::Role;
use tocsin_api::native::timeline_event_types as kinds;
use tocsin_api::ssm::{
    AutomationExecution, AutomationExecutionMetadata, DescribeAutomationExecutionsRequest,
    DescribeAutomationExecutionsResult, DescribeAutomationStepExecutionsRequest,
    DescribeAutomationStepExecutionsResult, FailureDetails, SendAutomationSignalRequest,
    StepExecution,
};
use tocsin_runbook::document::{OnFailure, parse_duration};
use tocsin_runbook::flow::{self, ExecutionStatus, Next, StepOutcome};
use tocsin_runbook::params::ParamType;
use tocsin_runbook::template;
use tocsin_runbook::{Action, Document, Step};

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::audit::{self, NewEntry};
use crate::domain::automation_start::summary;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::Caller;
use crate::domain::matcher::CompiledRules;
use crate::domain::notify;
use crate::domain::timeline::{append_timeline, timeline_entry};
use crate::domain::{documents, events, incidents};
use crate::store::{Decision, StoreTx, StoredExecution, Wait, WaitKind};

/// The default (and, for approvals, the longest allowed is 30 days) wait of `aws:pause` and
/// `aws:approve`: 7 days, in seconds.
pub const DEFAULT_WAIT_SECS: u64 = 7 * 24 * 3600;
/// Most steps one execution may run (a guard against a loop that never ends).
pub const MAX_STEPS_RUN: u64 = 10_000;
/// Most steps run in one transaction before the execution yields to others.
const STEPS_PER_PASS: usize = 25;
/// Default `timeoutSeconds` of actions that run outside Tocsin (`aws:executeScript`,
/// `aws:invokeWebhook`), as Automation's default for `aws:executeScript`: 600 s.
pub const DEFAULT_EXTERNAL_SECS: u64 = 600;
/// How long after its timeout a dispatched external run counts as lost (the worker that ran
/// it stopped without recording a result).
const EXTERNAL_GRACE_SECS: f64 = 60.0;

/// An action to run outside Tocsin, taken by the runbook worker in the transaction that
/// recorded it; the worker runs it after the commit and reports with [`complete_external`].
/// At least once: a run interrupted by a crash is retried (within `maxAttempts`) or failed.
#[derive(Debug, Clone)]
pub struct ExternalJob {
    /// The execution.
    pub execution_id: String,
    /// Its step row.
    pub seq: i64,
    /// The step's name.
    pub step_name: String,
    /// `aws:executeScript` or `aws:invokeWebhook`.
    pub action: Action,
    /// The rendered inputs.
    pub inputs: serde_json::Map<String, Value>,
    /// The step's timeout, seconds.
    pub timeout_secs: f64,
}

/// How an external action ended.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalResult {
    /// `Success(None)`, `Failed` or `TimedOut`.
    pub outcome: StepOutcome,
    /// Outputs by name (`OutputPayload`, `Response`, `ResponseCode`); the step's declared
    /// outputs are selected from `Response`.
    pub outputs: BTreeMap<String, Value>,
    /// What it answered, as text.
    pub response: Option<String>,
    /// Why it failed.
    pub failure: Option<String>,
}

/// What the engine needs besides the transaction.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// Settings (account, region, the server key that signs audit entries).
    pub config: &'a ServerConfig,
    /// The compiled rules, for `aws:executeAwsApi` PutEvents.
    pub rules: &'a CompiledRules,
}

fn not_found(id: &str) -> ApiError {
    ApiError::service(
        "AutomationExecutionNotFoundException",
        format!("Automation execution {id} was not found."),
    )
}

fn bad_signal(message: impl Into<String>) -> ApiError {
    ApiError::service("InvalidAutomationSignalException", message)
}

fn document(exec: &StoredExecution) -> ApiResult<Document> {
    Document::from_value(&exec.content).map_err(|e| ApiError::Internal(e.to_string().into()))
}

/// Values of `{{ … }}` references during an execution.
fn lookup<'a>(
    engine: Engine<'a>,
    exec: &'a StoredExecution,
    now: f64,
) -> impl Fn(&str) -> Option<Value> + 'a {
    move |name: &str| match name {
        "automation:EXECUTION_ID" => Some(json!(exec.id)),
        "global:DATE_TIME" => Some(json!(clock::rfc3339(now))),
        "global:DATE" => Some(json!(clock::rfc3339(now).get(..10).unwrap_or_default())),
        "global:ACCOUNT_ID" => Some(json!(engine.config.account_id)),
        "global:REGION" => Some(json!(engine.config.region)),
        "global:AWS_PARTITION" => Some(json!("aws")),
        other => exec
            .parameters
            .get(other)
            .or_else(|| exec.outputs.get(other))
            .cloned(),
    }
}

fn text_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(template::as_text).collect(),
        other => vec![template::as_text(other)],
    }
}

/// The typed value of a declared output, from what a selector found.
fn typed_output(kind: ParamType, found: Value) -> Value {
    match (kind, &found) {
        (ParamType::String, Value::String(_)) => found,
        (ParamType::String, other) => Value::String(other.to_string()),
        (ParamType::Integer, Value::String(s)) => {
            s.parse::<i64>().map_or(found.clone(), Value::from)
        }
        (ParamType::Boolean, Value::String(s)) => {
            s.parse::<bool>().map_or(found.clone(), Value::Bool)
        }
        (ParamType::StringList, Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|v| Value::String(template::as_text(v)))
                .collect(),
        ),
        _ => found,
    }
}

/// A new step execution row (`seq`) for step `step` starting at `now`.
fn step_row(exec: &StoredExecution, seq: i64, step: &Step, now: f64) -> StepExecution {
    StepExecution {
        step_name: step.name.clone(),
        action: step.action.as_str().into(),
        timeout_seconds: step.timeout_seconds.map(|t| t as i64),
        on_failure: match &step.on_failure {
            OnFailure::Abort => "Abort".into(),
            OnFailure::Continue => "Continue".into(),
            OnFailure::Step(s) => format!("step:{s}"),
        },
        max_attempts: step.max_attempts as i32,
        execution_start_time: Some(now),
        execution_end_time: None,
        step_status: "InProgress".into(),
        response_code: None,
        inputs: BTreeMap::new(),
        outputs: BTreeMap::new(),
        response: None,
        failure_message: None,
        failure_details: None,
        step_execution_id: step_execution_id(exec, seq),
        is_end: step.is_end,
        next_step: step.next_step.clone(),
        is_critical: step.is_critical,
        valid_next_steps: step.branch.as_ref().map(|b| {
            b.choices
                .iter()
                .map(|c| c.next_step.clone())
                .chain(b.default.clone())
                .collect()
        }),
    }
}

/// The id of an execution's step execution `seq`: unique, and stable across retries.
fn step_execution_id(exec: &StoredExecution, seq: i64) -> String {
    format!("{}-{seq}", exec.id)
}

/// How a step's action ended when it ran.
enum Ran {
    /// It waits (sleep, pause, approval).
    Waits(Wait),
    /// It ended.
    Ended {
        outcome: StepOutcome,
        outputs: BTreeMap<String, Value>,
        response: Option<String>,
        failure: Option<String>,
    },
}

fn failed(message: impl Into<String>) -> Ran {
    Ran::Ended {
        outcome: StepOutcome::Failed,
        outputs: BTreeMap::new(),
        response: None,
        failure: Some(message.into()),
    }
}

/// The role an `aws:executeAwsApi` call needs, as the same operation over HTTP does.
fn api_role(api: &str) -> Role {
    match api {
        "PutEvents" => Role::Producer,
        "GetIncidentRecord" => Role::Viewer,
        _ => Role::Responder,
    }
}

/// Runs `aws:executeAwsApi` on one of Tocsin's own APIs, in `tx`, as the execution's
/// principal: checked against the role policy and recorded in the audit log like any call.
async fn execute_api(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    exec: &StoredExecution,
    step: &Step,
    inputs: &serde_json::Map<String, Value>,
    now: f64,
) -> Ran {
    let service = inputs
        .get("Service")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let api = inputs
        .get("Api")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut params = inputs.clone();
    params.remove("Service");
    params.remove("Api");
    let params = Value::Object(params);
    let caller = Caller {
        principal: exec.run_as.principal.clone(),
        role: exec.run_as.role,
        name: exec
            .run_as
            .principal
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
        access_key_id: String::new(),
        source_address: format!("automation:{}", exec.id),
    };
    let needed = api_role(api);
    let result: ApiResult<Value> = if !caller.role.grants(needed) {
        Err(ApiError::AccessDenied(format!(
            "{} has role {}; {service} {api} needs {needed}",
            caller.principal, caller.role
        )))
    } else {
        call_api(tx, engine, &caller, service, api, params, now).await
    };
    if audit::changes_state(api) {
        let entry = NewEntry {
            principal: caller.principal.clone(),
            role: caller.role,
            operation: api.to_owned(),
            resource: exec.incident_arn.clone().unwrap_or_default(),
            source_address: caller.source_address.clone(),
            result: match &result {
                Ok(_) => "success".into(),
                Err(e) => e.code().to_owned(),
            },
        };
        if let Err(e) = audit::append(tx, &engine.config.server_key, entry, now).await {
            return failed(format!("could not record the call in the audit log: {e}"));
        }
    }
    match result {
        Ok(response) => {
            let mut outputs = BTreeMap::new();
            for spec in &step.outputs {
                if let Some(found) = spec.selector.select(&response) {
                    outputs.insert(spec.name.clone(), typed_output(spec.kind, found));
                }
            }
            outputs.insert("Response".into(), response.clone());
            Ran::Ended {
                outcome: StepOutcome::Success(None),
                outputs,
                response: Some(response.to_string()),
                failure: None,
            }
        }
        Err(e) => failed(format!("{service} {api}: {}: {e}", e.code())),
    }
}

fn as_json<T: serde::Serialize>(value: &T) -> ApiResult<Value> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(Box::new(e)))
}

fn parse_input<T: serde::de::DeserializeOwned>(params: Value) -> ApiResult<T> {
    serde_json::from_value(params).map_err(|e| ApiError::Validation(format!("inputs: {e}")))
}

async fn call_api(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    caller: &Caller,
    service: &str,
    api: &str,
    mut params: Value,
    now: f64,
) -> ApiResult<Value> {
    match (service, api) {
        ("ssm-incidents", "CreateTimelineEvent") => {
            // A text time (`{{ global:DATE_TIME }}`) becomes epoch seconds.
            if let Some(t) = params.get("eventTime").and_then(Value::as_str) {
                let at = chrono::DateTime::parse_from_rfc3339(t)
                    .map(|d| d.timestamp_millis() as f64 / 1000.0)
                    .unwrap_or(now);
                params["eventTime"] = json!(at);
            }
            if params.get("eventTime").is_none() {
                params["eventTime"] = json!(now);
            }
            let out = incidents::create_timeline_event(tx, &caller.principal, parse_input(params)?)
                .await?;
            as_json(&out)
        }
        ("ssm-incidents", "UpdateIncidentRecord") => {
            if let Some(i) = params
                .get("impact")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<i64>().ok())
            {
                params["impact"] = json!(i);
            }
            incidents::update_incident(tx, engine.config, &caller.principal, parse_input(params)?)
                .await?;
            Ok(json!({}))
        }
        ("ssm-incidents", "UpdateRelatedItems") => {
            incidents::update_related_items(tx, parse_input(params)?).await?;
            Ok(json!({}))
        }
        ("ssm-incidents", "GetIncidentRecord") => {
            let arn = params
                .get("arn")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let found = incidents::get_incident_record(tx, &arn).await?;
            Ok(json!({"incidentRecord": found.record}))
        }
        ("events", "PutEvents") => {
            let out = events::put_events_in(
                tx,
                engine.rules,
                engine.config,
                caller,
                parse_input(params)?,
            )
            .await?;
            as_json(&out)
        }
        ("tocsin", "AcknowledgeIncident") => {
            let ack_arn = params
                .get("incidentRecordArn")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            // Input: {"incidentRecordArn", "note"?, "expiresInSeconds"?} (a number or its text).
            if let Some(secs) = params
                .get("expiresInSeconds")
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<f64>().ok())
            {
                params["expiresInSeconds"] = json!(secs);
            }
            let ack = crate::domain::engagements::acknowledge_incident(
                tx,
                engine.config,
                caller,
                parse_input(params)?,
                now,
            )
            .await?;
            incidents::announce(tx, &ack_arn).await?;
            as_json(&ack)
        }
        _ => Err(ApiError::Validation(format!(
            "{service} {api} is not an API runbooks may call."
        ))),
    }
}

/// The approvers a step names, as text.
fn approvers(inputs: &serde_json::Map<String, Value>) -> Vec<String> {
    inputs.get("Approvers").map(text_values).unwrap_or_default()
}

fn min_approvals(inputs: &serde_json::Map<String, Value>) -> usize {
    inputs
        .get("MinRequiredApprovals")
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(1)
        .max(1) as usize
}

/// Runs the action of `step` (its first attempt, or a retry).
async fn run_action(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    exec: &StoredExecution,
    step: &Step,
    inputs: &serde_json::Map<String, Value>,
    now: f64,
) -> Ran {
    let wait_secs = step.timeout_seconds.unwrap_or(DEFAULT_WAIT_SECS) as f64;
    match step.action {
        Action::Sleep => {
            let until = match (inputs.get("Duration"), inputs.get("Timestamp")) {
                (Some(d), _) => match parse_duration(&template::as_text(d)) {
                    Ok(secs) => now + secs.min(604_799.0),
                    Err(e) => return failed(e),
                },
                (None, Some(t)) => {
                    match chrono::DateTime::parse_from_rfc3339(&template::as_text(t)) {
                        Ok(at) => at.timestamp_millis() as f64 / 1000.0,
                        Err(e) => return failed(format!("Timestamp: {e}")),
                    }
                }
                (None, None) => return failed("aws:sleep needs Duration or Timestamp"),
            };
            Ran::Waits(Wait {
                kind: WaitKind::Sleep,
                until,
                decisions: Vec::new(),
                resumed: false,
                dispatched: false,
                inputs: None,
            })
        }
        Action::Pause => Ran::Waits(Wait {
            kind: WaitKind::Pause,
            until: now + wait_secs,
            decisions: Vec::new(),
            resumed: false,
            dispatched: false,
            inputs: None,
        }),
        Action::Approve => {
            let names = approvers(inputs);
            if names.is_empty() {
                return failed("aws:approve: Approvers is empty");
            }
            if min_approvals(inputs) > names.len() {
                return failed(
                    "aws:approve: MinRequiredApprovals is more than the approvers named",
                );
            }
            Ran::Waits(Wait {
                kind: WaitKind::Approve,
                until: now
                    + wait_secs.min(tocsin_runbook::document::MAX_APPROVE_TIMEOUT_SECS as f64),
                decisions: Vec::new(),
                resumed: false,
                dispatched: false,
                inputs: None,
            })
        }
        Action::Branch => {
            let Some(branch) = &step.branch else {
                return failed("aws:branch without Choices");
            };
            let look = lookup(engine, exec, now);
            match branch.choose(&look) {
                Ok(chosen) => Ran::Ended {
                    outcome: StepOutcome::Success(chosen.clone()),
                    outputs: BTreeMap::new(),
                    response: chosen.map(|c| format!("next step: {c}")),
                    failure: None,
                },
                Err(e) => failed(e),
            }
        }
        Action::ExecuteAwsApi => execute_api(tx, engine, exec, step, inputs, now).await,
        Action::InvokeWebhook | Action::ExecuteScript => Ran::Waits(Wait {
            kind: WaitKind::External,
            until: now,
            decisions: Vec::new(),
            resumed: false,
            dispatched: false,
            inputs: Some(Value::Object(inputs.clone())),
        }),
    }
}

/// What a waiting step's wait has come to at `now`, if anything.
fn wait_outcome(wait: &Wait, inputs: &serde_json::Map<String, Value>, now: f64) -> Option<Ran> {
    let ended = |outcome, outputs: BTreeMap<String, Value>, failure: Option<String>| {
        Some(Ran::Ended {
            outcome,
            outputs,
            response: None,
            failure,
        })
    };
    match wait.kind {
        WaitKind::External => (wait.dispatched && now >= wait.until).then(|| {
            failed("The step's run outside Tocsin was interrupted (a restart or a crash) and may or may not have taken effect.")
        }),
        WaitKind::Sleep => (now >= wait.until).then(|| Ran::Ended {
            outcome: StepOutcome::Success(None),
            outputs: BTreeMap::new(),
            response: None,
            failure: None,
        }),
        WaitKind::Pause if wait.resumed => ended(StepOutcome::Success(None), BTreeMap::new(), None),
        WaitKind::Approve => {
            let decisions = json!(wait.decisions.iter().map(|d| json!({
                "Approver": d.principal, "Decision": d.decision, "Comment": d.comment, "Time": clock::rfc3339(d.at)
            })).collect::<Vec<_>>());
            let outputs = |status: &str| {
                BTreeMap::from([
                    ("ApprovalStatus".to_owned(), json!(status)),
                    ("ApproverDecisions".to_owned(), decisions.clone()),
                ])
            };
            // A rejection fails the step. AWS documents `Rejected` only as an
            // ApprovalStatus output, not the step's or the execution's status; Tocsin fails
            // the step, so `onFailure` decides (Abort, the default, ends the execution
            // `Failed`), which is how a rejected approval behaves in Automation consoles.
            if let Some(reject) = wait.decisions.iter().find(|d| d.decision == "Reject") {
                return ended(
                    StepOutcome::Failed,
                    outputs("Rejected"),
                    Some(format!(
                        "The approval was rejected by {}.",
                        reject.principal
                    )),
                );
            }
            let approvals = wait
                .decisions
                .iter()
                .filter(|d| d.decision == "Approve")
                .count();
            if approvals >= min_approvals(inputs) {
                return ended(StepOutcome::Success(None), outputs("Approved"), None);
            }
            (now >= wait.until).then(|| Ran::Ended {
                outcome: StepOutcome::TimedOut,
                outputs: outputs("Waiting"),
                response: None,
                failure: Some(
                    "The approval did not receive enough approvals before its timeout.".into(),
                ),
            })
        }
        WaitKind::Pause => (now >= wait.until).then(|| Ran::Ended {
            outcome: StepOutcome::TimedOut,
            outputs: BTreeMap::new(),
            response: None,
            failure: Some("The pause was not resumed before its timeout.".into()),
        }),
    }
}

fn rendered_inputs(
    engine: Engine<'_>,
    exec: &StoredExecution,
    step: &Step,
    now: f64,
) -> Result<serde_json::Map<String, Value>, String> {
    let look = lookup(engine, exec, now);
    match template::render(&Value::Object(step.inputs.clone()), &look)? {
        Value::Object(m) => Ok(m),
        _ => Err("inputs did not render to an object".into()),
    }
}

async fn timeline(
    tx: &mut dyn StoreTx,
    exec: &StoredExecution,
    kind: &str,
    data: Value,
    now: f64,
) -> ApiResult<()> {
    if let Some(arn) = &exec.incident_arn
        && tx.incident(arn).await?.is_some()
    {
        append_timeline(tx, timeline_entry(arn, kind, data, now)).await?;
    }
    Ok(())
}

/// A step began to wait for a responder (a pause or an approval): the incident's topics
/// hear "Runbook waiting for input", and an `aws:approve` step's `NotificationArn` topic (a
/// Tocsin topic) gets the approval request.
async fn announce_wait(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    exec: &StoredExecution,
    doc: &Document,
    now: f64,
) -> ApiResult<()> {
    let Some(index) = exec.current_step else {
        return Ok(());
    };
    let step = &doc.steps[index];
    let message = step
        .inputs
        .get("Message")
        .map(template::as_text)
        .unwrap_or_default();
    if let Some(arn) = &exec.incident_arn
        && let Some(incident) = tx.incident(arn).await?
        && incident.record.status == tocsin_api::incidents::IncidentRecordStatus::Open
    {
        let what = if step.action == Action::Approve {
            "approval"
        } else {
            "input"
        };
        notify::notify_incident(
            tx,
            engine.config,
            &incident.record,
            "RunbookWaiting",
            format!("Runbook {} waiting for {what}", exec.document_name),
            now,
        )
        .await?;
    }
    if step.action == Action::Approve
        && let Some(topic) = step.inputs.get("NotificationArn").map(template::as_text)
        && !topic.is_empty()
        && tx.topic(&topic).await?.is_some()
    {
        let text = format!(
            "Automation execution {} (document {}) waits for your approval at step {}.{}\nApprove or reject it with SendAutomationSignal, or in Tocsin: {}",
            exec.id,
            exec.document_name,
            step.name,
            if message.is_empty() {
                String::new()
            } else {
                format!("\n{message}")
            },
            engine
                .config
                .links
                .app_page("/runbooks/execution", &[("id", &exec.id)]),
        );
        let publication = notify::Publication {
            message: text,
            subject: Some("Approval requested".into()),
            ..Default::default()
        };
        notify::publish_in(tx, engine.config, &topic, &publication, now).await?;
    }
    Ok(())
}

/// Begins step `index`: writes its row, renders its inputs and runs its action.
async fn begin_step(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    exec: &mut StoredExecution,
    doc: &Document,
    index: usize,
    now: f64,
) -> ApiResult<Option<Ran>> {
    let step = &doc.steps[index];
    // A retry (attempts left after a failure) rewrites the step's row: a step is recorded once.
    let retry = exec.attempt > 0 && exec.current_seq.is_some();
    let seq = match exec.current_seq.filter(|_| retry) {
        Some(seq) => seq,
        None => {
            exec.next_seq += 1;
            exec.next_seq - 1
        }
    };
    let mut row = step_row(exec, seq, step, now);
    exec.current_step = Some(index);
    exec.current_seq = Some(seq);
    exec.wait = None;
    exec.steps_run += 1;
    let ran = match rendered_inputs(engine, exec, step, now) {
        Ok(inputs) => {
            row.inputs = inputs
                .iter()
                .filter(|(k, _)| step.action != Action::InvokeWebhook || *k != "Headers")
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect();
            run_action(tx, engine, exec, step, &inputs, now).await
        }
        Err(e) => failed(e),
    };
    if retry {
        tx.update_step(&exec.id, seq, &row).await?;
    } else {
        tx.insert_step(&exec.id, seq, &row).await?;
    }
    Ok(Some(ran))
}

/// Applies how the current step ended: updates its row, records outputs, and moves the
/// execution to the next step or to its end.
async fn finish_step(
    tx: &mut dyn StoreTx,
    exec: &mut StoredExecution,
    doc: &Document,
    ran: Ran,
    now: f64,
) -> ApiResult<()> {
    let (Some(index), Some(seq)) = (exec.current_step, exec.current_seq) else {
        return Ok(());
    };
    let step = &doc.steps[index];
    let wanted = step_execution_id(exec, seq);
    let Some(mut row) = tx
        .steps(&exec.id)
        .await?
        .into_iter()
        .find(|r| r.step_execution_id == wanted)
    else {
        return Err(ApiError::Internal(
            format!("step row {seq} of {} is missing", exec.id).into(),
        ));
    };
    match ran {
        Ran::Waits(wait) => {
            let waiting = matches!(wait.kind, WaitKind::Pause | WaitKind::Approve);
            row.step_status = if waiting { "Waiting" } else { "InProgress" }.into();
            exec.status = if waiting { "Waiting" } else { "InProgress" }.into();
            exec.wake_at = Some(wait.until);
            if waiting {
                let message = step.inputs.get("Message").map(template::as_text);
                timeline(
                    tx,
                    exec,
                    kinds::AUTOMATION_WAITING,
                    json!({"automationExecutionId": exec.id, "stepName": step.name, "action": step.action.as_str(), "message": message}),
                    now,
                )
                .await?;
            }
            exec.wait = Some(wait);
            tx.update_step(&exec.id, seq, &row).await?;
        }
        Ran::Ended {
            outcome,
            outputs,
            response,
            failure,
        } => {
            // A failed attempt with attempts left runs again, in the same row.
            if matches!(outcome, StepOutcome::Failed) && exec.attempt + 1 < step.max_attempts {
                exec.attempt += 1;
                row.failure_message = failure;
                tx.update_step(&exec.id, seq, &row).await?;
                exec.wait = None;
                exec.wake_at = Some(now);
                return Ok(());
            }
            row.execution_end_time = Some(now);
            row.step_status = match &outcome {
                StepOutcome::Success(_) => "Success",
                StepOutcome::Failed => "Failed",
                StepOutcome::TimedOut => "TimedOut",
                StepOutcome::Cancelled => "Cancelled",
            }
            .into();
            row.response = response;
            if let Some(message) = &failure {
                row.failure_message = Some(message.clone());
                row.failure_details = Some(FailureDetails {
                    failure_stage: "Invocation".into(),
                    failure_type: "Automation".into(),
                });
            }
            for (name, value) in &outputs {
                row.outputs.insert(name.clone(), text_values(value));
                exec.outputs
                    .insert(format!("{}.{name}", step.name), value.clone());
            }
            tx.update_step(&exec.id, seq, &row).await?;
            if !matches!(outcome, StepOutcome::Success(_) | StepOutcome::Cancelled)
                && flow::fails_execution(doc, index)
            {
                exec.critical_failed = true;
                exec.failure_message = failure
                    .clone()
                    .map(|f| format!("Step {} failed: {f}", step.name));
            }
            exec.attempt = 0;
            exec.wait = None;
            let next = if exec.steps_run >= MAX_STEPS_RUN {
                exec.failure_message = Some(format!("Stopped after {MAX_STEPS_RUN} steps."));
                Next::End(ExecutionStatus::Failed)
            } else {
                flow::after(doc, index, &outcome, exec.critical_failed)
            };
            match next {
                Next::Step(j) => {
                    exec.current_step = Some(j);
                    exec.current_seq = None;
                    exec.status = "InProgress".into();
                    exec.wake_at = Some(now);
                }
                Next::End(status) => end(tx, exec, doc, status, now).await?,
            }
        }
    }
    Ok(())
}

async fn end(
    tx: &mut dyn StoreTx,
    exec: &mut StoredExecution,
    doc: &Document,
    status: ExecutionStatus,
    now: f64,
) -> ApiResult<()> {
    exec.status = status.as_str().into();
    exec.ended_at = Some(now);
    exec.current_step = None;
    exec.current_seq = None;
    exec.wait = None;
    exec.wake_at = None;
    if status == ExecutionStatus::Success {
        exec.failure_message = None;
    }
    let _ = doc;
    timeline(
        tx,
        exec,
        kinds::AUTOMATION_ENDED,
        json!({"automationExecutionId": exec.id, "status": exec.status, "failureMessage": exec.failure_message}),
        now,
    )
    .await
}

/// Runs execution `id` as far as it can go at `now`: finished waits end, following steps run,
/// until a step waits or the execution ends (at most a few dozen steps per call; a longer run
/// stays due and goes on in the next call). Does nothing to an execution that is not due.
/// Returns the external actions it took (at most one): the caller runs them once this
/// transaction has committed and reports with [`complete_external`].
///
/// Errors: store errors (the caller drops the transaction; nothing happened).
pub async fn advance(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    id: &str,
    now: f64,
) -> ApiResult<Vec<ExternalJob>> {
    let Some(mut exec) = tx.execution(id).await? else {
        return Ok(Vec::new());
    };
    if exec.wake_at.is_none_or(|w| w > now) {
        return Ok(Vec::new());
    }
    let doc = document(&exec)?;
    let mut jobs = Vec::new();
    run(tx, engine, &mut exec, &doc, now, Some(&mut jobs)).await?;
    tx.update_execution(&exec).await?;
    tx.append_change(&summary(&exec, Some(&doc))).await?;
    Ok(jobs)
}

async fn run(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    exec: &mut StoredExecution,
    doc: &Document,
    now: f64,
    mut jobs: Option<&mut Vec<ExternalJob>>,
) -> ApiResult<()> {
    for _ in 0..STEPS_PER_PASS {
        if ExecutionStatus::parse(&exec.status).is_some_and(ExecutionStatus::is_terminal) {
            exec.wake_at = None;
            return Ok(());
        }
        let index = exec.current_step.unwrap_or(0);
        let ran = match (&exec.wait, exec.current_seq) {
            (Some(wait), Some(seq)) if wait.kind == WaitKind::External && !wait.dispatched => {
                // Taken by the runbook worker, which acts after this transaction commits;
                // anyone else leaves it due for the worker.
                if let Some(jobs) = jobs.as_deref_mut() {
                    let step = &doc.steps[index];
                    let timeout = step.timeout_seconds.unwrap_or(DEFAULT_EXTERNAL_SECS) as f64;
                    let inputs = wait.inputs.clone().unwrap_or_default();
                    let mut taken = wait.clone();
                    taken.dispatched = true;
                    taken.until = now + timeout + EXTERNAL_GRACE_SECS;
                    exec.wake_at = Some(taken.until);
                    exec.wait = Some(taken);
                    jobs.push(ExternalJob {
                        execution_id: exec.id.clone(),
                        seq,
                        step_name: step.name.clone(),
                        action: step.action,
                        inputs: inputs.as_object().cloned().unwrap_or_default(),
                        timeout_secs: timeout,
                    });
                } else {
                    exec.wake_at = Some(now);
                }
                return Ok(());
            }
            (Some(wait), Some(_)) => {
                let inputs =
                    rendered_inputs(engine, exec, &doc.steps[index], now).unwrap_or_default();
                match wait_outcome(wait, &inputs, now) {
                    Some(ran) => ran,
                    None => {
                        exec.wake_at = Some(wait.until);
                        return Ok(());
                    }
                }
            }
            _ => match begin_step(tx, engine, exec, doc, index, now).await? {
                Some(ran) => ran,
                None => return Ok(()),
            },
        };
        let waits = matches!(ran, Ran::Waits(_));
        finish_step(tx, exec, doc, ran, now).await?;
        if waits && exec.status == "Waiting" {
            announce_wait(tx, engine, exec, doc, now).await?;
        }
        // A sleep that is already over ends, and an external step is taken, on the next turn
        // of this loop.
        if waits && exec.wake_at.is_some_and(|w| w > now) {
            return Ok(());
        }
    }
    exec.wake_at = Some(now);
    Ok(())
}

/// Mirrors SendAutomationSignal: `Approve`/`Reject` (an approver of the waiting
/// `aws:approve` step; `Comment` in the payload), `Resume` (the waiting `aws:pause` step;
/// `StepName` may name it), `StartStep` (Interactive mode: run `StepName` next), `StopStep`
/// (cancel the running step named by `StepExecutionId`). The execution advances in the same
/// transaction. The same principal approving twice counts once.
///
/// Errors: `AutomationExecutionNotFoundException`, `InvalidAutomationSignalException`
/// (nothing waits for this signal, not an approver, a payload that names another step).
pub async fn signal(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    caller: &Caller,
    req: SendAutomationSignalRequest,
    now: f64,
) -> ApiResult<()> {
    let mut exec = tx
        .execution(&req.automation_execution_id)
        .await?
        .ok_or_else(|| not_found(&req.automation_execution_id))?;
    if ExecutionStatus::parse(&exec.status).is_some_and(ExecutionStatus::is_terminal) {
        return Err(bad_signal(format!(
            "Automation execution {} has ended ({}).",
            exec.id, exec.status
        )));
    }
    let doc = document(&exec)?;
    let payload = req.payload.clone().unwrap_or_default();
    let first = |key: &str| payload.get(key).and_then(|v| v.first()).cloned();
    let index = exec.current_step.unwrap_or(0);
    let step = &doc.steps[index];
    let names_step = |name: Option<String>| name.is_none_or(|n| n == step.name);
    match req.signal_type.as_str() {
        "Approve" | "Reject" => {
            let inputs = rendered_inputs(engine, &exec, step, now).unwrap_or_default();
            let Some(wait) = exec.wait.as_mut().filter(|w| w.kind == WaitKind::Approve) else {
                return Err(bad_signal(
                    "No step of this execution is waiting for an approval.",
                ));
            };
            let listed = approvers(&inputs);
            if !listed.iter().any(|a| {
                a == &caller.principal
                    || a == &caller.name
                    || (!caller.access_key_id.is_empty() && a == &caller.access_key_id)
            }) {
                return Err(bad_signal(format!(
                    "{} is not an approver of step {}.",
                    caller.principal, step.name
                )));
            }
            if !wait
                .decisions
                .iter()
                .any(|d| d.principal == caller.principal)
            {
                wait.decisions.push(Decision {
                    principal: caller.principal.clone(),
                    decision: req.signal_type.clone(),
                    comment: first("Comment"),
                    at: now,
                });
            }
        }
        "Resume" => {
            let Some(wait) = exec.wait.as_mut().filter(|w| w.kind == WaitKind::Pause) else {
                return Err(bad_signal("No step of this execution is paused."));
            };
            if !names_step(first("StepName")) {
                return Err(bad_signal(format!(
                    "Step {} is the paused step, not {:?}.",
                    step.name,
                    first("StepName")
                )));
            }
            wait.resumed = true;
        }
        "StartStep" => {
            if exec.mode != "Interactive" {
                return Err(bad_signal(
                    "StartStep is for executions started in Interactive mode.",
                ));
            }
            let name = first("StepName")
                .ok_or_else(|| bad_signal("StartStep needs StepName in the payload."))?;
            let j = doc
                .step_index(&name)
                .ok_or_else(|| bad_signal(format!("The document has no step {name}.")))?;
            if exec.wait.is_some() {
                finish_step(
                    tx,
                    &mut exec,
                    &doc,
                    Ran::Ended {
                        outcome: StepOutcome::Cancelled,
                        outputs: BTreeMap::new(),
                        response: None,
                        failure: None,
                    },
                    now,
                )
                .await?;
            }
            exec.current_step = Some(j);
            exec.current_seq = None;
            exec.wait = None;
            exec.status = "InProgress".into();
            exec.ended_at = None;
        }
        "StopStep" => {
            let wanted = first("StepExecutionId")
                .ok_or_else(|| bad_signal("StopStep needs StepExecutionId in the payload."))?;
            let current = exec.current_seq.map(|seq| step_execution_id(&exec, seq));
            if current.as_deref() != Some(wanted.as_str()) {
                return Err(bad_signal(format!(
                    "Step execution {wanted} is not running."
                )));
            }
            finish_step(
                tx,
                &mut exec,
                &doc,
                Ran::Ended {
                    outcome: StepOutcome::Cancelled,
                    outputs: BTreeMap::new(),
                    response: None,
                    failure: Some("Stopped by StopStep.".into()),
                },
                now,
            )
            .await?;
        }
        other => {
            return Err(bad_signal(format!(
                "SignalType {other} is not supported here."
            )));
        }
    }
    exec.wake_at = Some(now);
    run(tx, engine, &mut exec, &doc, now, None).await?;
    tx.update_execution(&exec).await?;
    tx.append_change(&summary(&exec, Some(&doc))).await?;
    Ok(())
}

/// Mirrors StopAutomationExecution: the running or waiting step is cancelled and its
/// `onCancel` decides (a cancellation step runs, or the execution ends `Cancelled`).
///
/// Errors: `AutomationExecutionNotFoundException`, `InvalidAutomationStatusUpdateException`
/// (it has ended).
pub async fn stop(tx: &mut dyn StoreTx, engine: Engine<'_>, id: &str, now: f64) -> ApiResult<()> {
    let mut exec = tx.execution(id).await?.ok_or_else(|| not_found(id))?;
    if ExecutionStatus::parse(&exec.status).is_some_and(ExecutionStatus::is_terminal) {
        return Err(ApiError::service(
            "InvalidAutomationStatusUpdateException",
            format!("Automation execution {id} has ended ({}).", exec.status),
        ));
    }
    let doc = document(&exec)?;
    if exec.current_seq.is_some() {
        finish_step(
            tx,
            &mut exec,
            &doc,
            Ran::Ended {
                outcome: StepOutcome::Cancelled,
                outputs: BTreeMap::new(),
                response: None,
                failure: Some("Cancelled by StopAutomationExecution.".into()),
            },
            now,
        )
        .await?;
    } else {
        end(tx, &mut exec, &doc, ExecutionStatus::Cancelled, now).await?;
    }
    run(tx, engine, &mut exec, &doc, now, None).await?;
    tx.update_execution(&exec).await?;
    tx.append_change(&summary(&exec, Some(&doc))).await?;
    Ok(())
}

fn current(exec: &StoredExecution) -> (Option<String>, Option<String>) {
    let doc = document(exec).ok();
    let step = exec
        .current_step
        .and_then(|i| doc.as_ref().and_then(|d| d.steps.get(i).cloned()));
    (
        step.as_ref().map(|s| s.name.clone()),
        step.map(|s| s.action.as_str().to_owned()),
    )
}

fn outputs_of(exec: &StoredExecution) -> BTreeMap<String, Vec<String>> {
    let doc = document(exec).ok();
    doc.map(|d| {
        d.outputs
            .iter()
            .filter_map(|o| exec.outputs.get(o).map(|v| (o.clone(), text_values(v))))
            .collect()
    })
    .unwrap_or_default()
}

fn parameters_of(exec: &StoredExecution) -> BTreeMap<String, Vec<String>> {
    exec.parameters
        .iter()
        .map(|(k, v)| (k.clone(), text_values(v)))
        .collect()
}

/// Mirrors GetAutomationExecution.
///
/// Errors: `AutomationExecutionNotFoundException`.
pub async fn get(tx: &mut dyn StoreTx, id: &str) -> ApiResult<AutomationExecution> {
    let exec = tx.execution(id).await?.ok_or_else(|| not_found(id))?;
    let (current_step_name, current_action) = current(&exec);
    Ok(AutomationExecution {
        automation_execution_id: exec.id.clone(),
        document_name: exec.document_name.clone(),
        document_version: exec.document_version.clone(),
        execution_start_time: exec.started_at,
        execution_end_time: exec.ended_at,
        automation_execution_status: exec.status.clone(),
        step_executions: tx.steps(id).await?,
        step_executions_truncated: false,
        parameters: parameters_of(&exec),
        outputs: outputs_of(&exec),
        failure_message: exec.failure_message.clone(),
        mode: exec.mode.clone(),
        executed_by: exec.executed_by.clone(),
        current_step_name,
        current_action,
    })
}

/// A `StartTimeBefore` (`before`) or `StartTimeAfter` filter: whether `at` is before (or at
/// or after) any of the given times.
///
/// Errors: `InvalidFilterValue` for a value that is not a time.
fn started(at: f64, values: &[String], before: bool) -> ApiResult<bool> {
    let times = values
        .iter()
        .map(|v| epoch(v))
        .collect::<ApiResult<Vec<f64>>>()?;
    Ok(times.iter().any(|&t| if before { at < t } else { at >= t }))
}

fn epoch(text: &str) -> ApiResult<f64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|d| d.timestamp_millis() as f64 / 1000.0)
        .or_else(|_| text.parse::<f64>())
        .map_err(|_| ApiError::service("InvalidFilterValue", format!("{text} is not a time.")))
}

/// Mirrors DescribeAutomationExecutions: newest first, filtered by `DocumentNamePrefix`,
/// `ExecutionStatus`, `ExecutionId`, `CurrentAction`, `StartTimeBefore`, `StartTimeAfter`.
///
/// Errors: `InvalidFilterKey`, `InvalidFilterValue`, `InvalidNextToken`.
pub async fn describe_executions(
    tx: &mut dyn StoreTx,
    req: DescribeAutomationExecutionsRequest,
) -> ApiResult<DescribeAutomationExecutionsResult> {
    let (offset, limit) = documents::page(req.next_token.as_deref(), req.max_results)?;
    let filters = req.filters.unwrap_or_default();
    for f in &filters {
        if ![
            "DocumentNamePrefix",
            "ExecutionStatus",
            "ExecutionId",
            "CurrentAction",
            "StartTimeBefore",
            "StartTimeAfter",
        ]
        .contains(&f.key.as_str())
        {
            return Err(ApiError::service(
                "InvalidFilterKey",
                format!("Filter key {} is not supported.", f.key),
            ));
        }
    }
    let mut out = Vec::new();
    for exec in tx.executions(0, 10_000).await? {
        let (current_step_name, current_action) = current(&exec);
        let mut keep = true;
        for f in &filters {
            let any = |p: &dyn Fn(&str) -> bool| f.values.iter().any(|v| p(v));
            keep &= match f.key.as_str() {
                "DocumentNamePrefix" => any(&|v| exec.document_name.starts_with(v)),
                "ExecutionStatus" => any(&|v| exec.status == v),
                "ExecutionId" => any(&|v| exec.id == v),
                "CurrentAction" => any(&|v| current_action.as_deref() == Some(v)),
                "StartTimeBefore" => started(exec.started_at, &f.values, true)?,
                _ => started(exec.started_at, &f.values, false)?,
            };
        }
        if keep {
            out.push(AutomationExecutionMetadata {
                automation_execution_id: exec.id.clone(),
                document_name: exec.document_name.clone(),
                document_version: exec.document_version.clone(),
                automation_execution_status: exec.status.clone(),
                execution_start_time: exec.started_at,
                execution_end_time: exec.ended_at,
                executed_by: exec.executed_by.clone(),
                outputs: outputs_of(&exec),
                mode: exec.mode.clone(),
                current_step_name,
                current_action,
                failure_message: exec.failure_message.clone(),
                automation_type: "Local".into(),
            });
        }
    }
    let next = (offset + limit < out.len()).then(|| (offset + limit).to_string());
    Ok(DescribeAutomationExecutionsResult {
        automation_execution_metadata_list: out.into_iter().skip(offset).take(limit).collect(),
        next_token: next,
    })
}

/// Mirrors DescribeAutomationStepExecutions: every step execution, in order (or newest first
/// with `ReverseOrder`), filtered by `StepName`, `Action`, `StepExecutionStatus`,
/// `StepExecutionId`, `StartTimeBefore`, `StartTimeAfter`.
///
/// Errors: `AutomationExecutionNotFoundException`, `InvalidFilterKey`, `InvalidNextToken`.
pub async fn describe_steps(
    tx: &mut dyn StoreTx,
    req: DescribeAutomationStepExecutionsRequest,
) -> ApiResult<DescribeAutomationStepExecutionsResult> {
    let (offset, limit) = documents::page(req.next_token.as_deref(), req.max_results)?;
    tx.execution(&req.automation_execution_id)
        .await?
        .ok_or_else(|| not_found(&req.automation_execution_id))?;
    let mut steps = tx.steps(&req.automation_execution_id).await?;
    if req.reverse_order == Some(true) {
        steps.reverse();
    }
    let filters = req.filters.unwrap_or_default();
    let mut out = Vec::new();
    for s in steps {
        let mut keep = true;
        for f in &filters {
            let any = |p: &dyn Fn(&str) -> bool| f.values.iter().any(|v| p(v));
            keep &= match f.key.as_str() {
                "StepName" => any(&|v| s.step_name == v),
                "Action" => any(&|v| s.action == v),
                "StepExecutionStatus" => any(&|v| s.step_status == v),
                "StepExecutionId" => any(&|v| s.step_execution_id == v),
                "StartTimeBefore" => {
                    started(s.execution_start_time.unwrap_or(0.0), &f.values, true)?
                }
                "StartTimeAfter" => {
                    started(s.execution_start_time.unwrap_or(0.0), &f.values, false)?
                }
                other => {
                    return Err(ApiError::service(
                        "InvalidFilterKey",
                        format!("Filter key {other} is not supported."),
                    ));
                }
            };
        }
        if keep {
            out.push(s);
        }
    }
    let next = (offset + limit < out.len()).then(|| (offset + limit).to_string());
    Ok(DescribeAutomationStepExecutionsResult {
        step_executions: out.into_iter().skip(offset).take(limit).collect(),
        next_token: next,
    })
}

/// Records how external action `seq` of execution `id` ended (see [`ExternalJob`]) and runs
/// the execution on. A result for a step that is no longer running (the execution was
/// stopped meanwhile, or the run was declared lost) is ignored. Returns the next external
/// actions taken.
///
/// Errors: store errors.
pub async fn complete_external(
    tx: &mut dyn StoreTx,
    engine: Engine<'_>,
    id: &str,
    seq: i64,
    result: ExternalResult,
    now: f64,
) -> ApiResult<Vec<ExternalJob>> {
    let Some(mut exec) = tx.execution(id).await? else {
        return Ok(Vec::new());
    };
    let running = exec.current_seq == Some(seq)
        && exec
            .wait
            .as_ref()
            .is_some_and(|w| w.kind == WaitKind::External && w.dispatched);
    if !running {
        return Ok(Vec::new());
    }
    let doc = document(&exec)?;
    let mut outputs = result.outputs;
    if let Some(index) = exec.current_step
        && let Some(payload) = outputs.get("Response").cloned()
    {
        for spec in &doc.steps[index].outputs {
            if let Some(found) = spec.selector.select(&payload) {
                outputs.insert(spec.name.clone(), typed_output(spec.kind, found));
            }
        }
    }
    let ran = Ran::Ended {
        outcome: result.outcome,
        outputs,
        response: result.response,
        failure: result.failure,
    };
    finish_step(tx, &mut exec, &doc, ran, now).await?;
    let mut jobs = Vec::new();
    run(tx, engine, &mut exec, &doc, now, Some(&mut jobs)).await?;
    tx.update_execution(&exec).await?;
    tx.append_change(&summary(&exec, Some(&doc))).await?;
    Ok(jobs)
}

/// Ends execution `id` as `Failed` with `reason`, when the engine cannot advance it (its stored
/// document no longer parses, a store row is missing): one broken execution must not stop
/// the others. Writes the failure and its feed entry in `tx`.
///
/// Errors: store errors.
pub async fn fail_broken(tx: &mut dyn StoreTx, id: &str, reason: &str, now: f64) -> ApiResult<()> {
    let Some(mut exec) = tx.execution(id).await? else {
        return Ok(());
    };
    exec.status = ExecutionStatus::Failed.as_str().into();
    exec.ended_at = Some(now);
    exec.wait = None;
    exec.wake_at = None;
    exec.failure_message = Some(format!("The execution could not go on: {reason}"));
    timeline(
        tx,
        &exec,
        kinds::AUTOMATION_ENDED,
        json!({"automationExecutionId": exec.id, "status": exec.status, "failureMessage": exec.failure_message}),
        now,
    )
    .await?;
    tx.update_execution(&exec).await?;
    tx.append_change(&summary(&exec, document(&exec).ok().as_ref()))
        .await?;
    Ok(())
}
