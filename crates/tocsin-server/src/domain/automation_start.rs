//! Starting automation executions: from `StartAutomationExecution`, and from a response plan
//! when an incident is created (`actions[].ssmAutomation`, with `dynamicParameters`). A start
//! only writes the execution (status `InProgress`, due now); the runbook engine
//! ([`crate::domain::automation`]) runs its steps. Kept apart from the engine so the incident
//! engine can start runbooks without depending on what runbooks call.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};
use tocsin_api::incidents::{
    AutomationExecution, ItemIdentifier, ItemValue, RelatedItem, SsmAutomation,
};
use tocsin_api::native::{AutomationSummary, Change, timeline_event_types as kinds};
use tocsin_api::ssm::ParameterMap;
use tocsin_runbook::{Document, Format};

use crate::config::ServerConfig;
use crate::domain::documents;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::timeline::{append_timeline, attach_items, timeline_entry};
use crate::store::{RunAs, StoreTx, StoredExecution, StoredIncident};

/// What to start.
#[derive(Debug, Clone)]
pub struct StartRequest {
    /// The document.
    pub document_name: String,
    /// A number, `$DEFAULT` (default) or `$LATEST`.
    pub document_version: Option<String>,
    /// Parameters: name → values.
    pub parameters: ParameterMap,
    /// Idempotency token.
    pub client_token: Option<String>,
    /// `Auto` (default) or `Interactive`.
    pub mode: Option<String>,
    /// The principal that starts it.
    pub executed_by: String,
    /// Whose rights its API calls use.
    pub run_as: RunAs,
    /// The incident it responds to.
    pub incident_arn: Option<String>,
}

/// The ARN of an execution, as an incident's `automationExecutions` and related items name it.
pub fn execution_arn(config: &ServerConfig, id: &str) -> String {
    format!(
        "arn:aws:ssm:{}:{}:automation-execution/{id}",
        config.region, config.account_id
    )
}

/// The change-feed entry announcing an execution's state.
pub fn summary(exec: &StoredExecution, doc: Option<&Document>) -> Change {
    let step = exec
        .current_step
        .and_then(|i| doc.and_then(|d| d.steps.get(i)));
    Change::AutomationChanged(AutomationSummary {
        automation_execution_id: exec.id.clone(),
        document_name: exec.document_name.clone(),
        status: exec.status.clone(),
        current_step_name: step.map(|s| s.name.clone()),
        current_action: step.map(|s| s.action.as_str().to_owned()),
        incident_record_arn: exec.incident_arn.clone(),
    })
}

fn request_hash(req: &StartRequest) -> String {
    let text = json!({
        "document": req.document_name,
        "version": req.document_version,
        "parameters": req.parameters,
        "mode": req.mode,
    })
    .to_string();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Mirrors StartAutomationExecution (SSM 2014-11-06): resolves the document version and the
/// parameters, and stores a new execution due now. The same client token with the same
/// request answers the first execution again.
///
/// Errors: `AutomationDefinitionNotFoundException`, `AutomationDefinitionVersionNotFoundException`,
/// `InvalidAutomationExecutionParametersException`, `IdempotentParameterMismatch`,
/// `ValidationException` (mode, token).
pub async fn start(tx: &mut dyn StoreTx, req: StartRequest, now: f64) -> ApiResult<String> {
    let hash = request_hash(&req);
    if let Some(token) = &req.client_token {
        if token.len() != 36 || uuid::Uuid::parse_str(token).is_err() {
            return Err(ApiError::Validation(
                "ClientToken must be a UUID (36 characters).".into(),
            ));
        }
        if let Some(existing) = tx.execution_by_token(token).await? {
            return if existing.request_hash.as_deref() == Some(hash.as_str()) {
                Ok(existing.id)
            } else {
                Err(ApiError::service(
                    "IdempotentParameterMismatch",
                    "ClientToken was used before with different parameters.",
                ))
            };
        }
    }
    let mode = req.mode.clone().unwrap_or_else(|| "Auto".into());
    if mode != "Auto" && mode != "Interactive" {
        return Err(ApiError::Validation(format!(
            "Mode {mode} is not Auto or Interactive."
        )));
    }
    let (_, version) = documents::version(
        tx,
        &req.document_name,
        req.document_version.as_deref(),
        None,
    )
    .await
    .map_err(|e| match e {
        ApiError::Service {
            code: "InvalidDocument",
            ..
        } => ApiError::service(
            "AutomationDefinitionNotFoundException",
            format!("Automation definition {} was not found.", req.document_name),
        ),
        ApiError::Service {
            code: "InvalidDocumentVersion",
            message,
        } => ApiError::service("AutomationDefinitionVersionNotFoundException", message),
        other => other,
    })?;
    let format = Format::parse(Some(&version.format)).unwrap_or(Format::Json);
    let content = tocsin_runbook::document::parse_content(&version.content, format)
        .map_err(|e| ApiError::Internal(e.to_string().into()))?;
    let doc =
        Document::from_value(&content).map_err(|e| ApiError::Internal(e.to_string().into()))?;
    let parameters = tocsin_runbook::params::resolve(&doc.parameters, &req.parameters)
        .map_err(|m| ApiError::service("InvalidAutomationExecutionParametersException", m))?;
    let id = uuid::Uuid::new_v4().to_string();
    let exec = StoredExecution {
        id: id.clone(),
        document_name: req.document_name.clone(),
        document_version: version.version.to_string(),
        content,
        parameters,
        status: "InProgress".into(),
        mode,
        started_at: now,
        ended_at: None,
        executed_by: req.executed_by.clone(),
        run_as: req.run_as.clone(),
        current_step: None,
        current_seq: None,
        wait: None,
        attempt: 0,
        outputs: BTreeMap::new(),
        critical_failed: false,
        failure_message: None,
        client_token: req.client_token.clone(),
        request_hash: Some(hash),
        incident_arn: req.incident_arn.clone(),
        wake_at: Some(now),
        steps_run: 0,
        next_seq: 0,
    };
    tx.insert_execution(&exec).await?;
    tx.append_change(&summary(&exec, Some(&doc))).await?;
    Ok(id)
}

/// Starts the runbooks of a newly created incident's response plan
/// (`actions[].ssmAutomation`), in the incident's transaction: `INCIDENT_RECORD_ARN` fills a
/// String parameter, `INVOLVED_RESOURCES` a StringList of the incident's `INVOLVED_RESOURCE`
/// related items. Each start is recorded on the incident (`automationExecutions`, an
/// `AUTOMATION` related item, a timeline entry); a start that fails is recorded as
/// "SSM Automation Execution Start Failure for Incident" and the incident stands.
///
/// The execution acts as the service principal named by the action's `roleArn`, with the
/// role an admin assigned it (responder by default, see [`crate::domain::service_roles`]).
///
/// Errors: store errors only.
pub async fn start_for_incident(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    incident: &mut StoredIncident,
    actions: &[SsmAutomation],
    now: f64,
) -> ApiResult<()> {
    let arn = incident.record.arn.clone();
    for action in actions {
        let mut parameters = action.parameters.clone().unwrap_or_default();
        for (name, dynamic) in action.dynamic_parameters.clone().unwrap_or_default() {
            let values = match dynamic.variable.as_deref() {
                Some("INCIDENT_RECORD_ARN") => vec![arn.clone()],
                Some("INVOLVED_RESOURCES") => tx
                    .related_items(&arn)
                    .await?
                    .into_iter()
                    .filter(|i| i.identifier.item_type == "INVOLVED_RESOURCE")
                    .filter_map(|i| i.identifier.value.arn)
                    .collect(),
                _ => continue,
            };
            parameters.insert(name, values);
        }
        let req = StartRequest {
            document_name: action.document_name.clone(),
            document_version: action.document_version.clone(),
            parameters,
            client_token: None,
            mode: None,
            executed_by: action.role_arn.clone(),
            run_as: RunAs {
                principal: action.role_arn.clone(),
                role: crate::domain::service_roles::role_for(tx, &action.role_arn).await?,
            },
            incident_arn: Some(arn.clone()),
        };
        match start(tx, req, now).await {
            Ok(id) => {
                link(
                    tx,
                    config,
                    incident,
                    &id,
                    &action.document_name,
                    action.document_version.as_deref(),
                    now,
                )
                .await?;
            }
            Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
            Err(err) => {
                tracing::warn!(incident = %arn, document = %action.document_name, %err, "runbook did not start");
                append_timeline(
                    tx,
                    timeline_entry(
                        &arn,
                        kinds::AUTOMATION_START_FAILED,
                        json!({"documentName": action.document_name, "reason": err.to_string()}),
                        now,
                    ),
                )
                .await?;
            }
        }
    }
    tx.update_incident(incident).await?;
    Ok(())
}

/// Records on `incident` that execution `id` of `document` responds to it: its
/// `automationExecutions`, an `AUTOMATION` related item, a timeline entry. The caller writes
/// the incident.
async fn link(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    incident: &mut StoredIncident,
    id: &str,
    document: &str,
    version: Option<&str>,
    now: f64,
) -> ApiResult<()> {
    let arn = incident.record.arn.clone();
    let exec_arn = execution_arn(config, id);
    incident
        .record
        .automation_executions
        .get_or_insert_with(Vec::new)
        .push(AutomationExecution {
            ssm_execution_arn: Some(exec_arn.clone()),
        });
    let item = RelatedItem {
        identifier: ItemIdentifier {
            item_type: "AUTOMATION".into(),
            value: ItemValue {
                arn: Some(exec_arn),
                url: None,
                metric_definition: None,
                pager_duty_incident_detail: None,
            },
        },
        title: Some(format!("Runbook {document}")),
        generated_id: None,
    };
    attach_items(tx, &arn, std::slice::from_ref(&item)).await?;
    append_timeline(
        tx,
        timeline_entry(
            &arn,
            kinds::AUTOMATION_STARTED,
            json!({"automationExecutionId": id, "documentName": document, "documentVersion": version}),
            now,
        ),
    )
    .await
}

/// StartAutomationExecution for an incident: when the `IncidentRecordArn` parameter (the
/// name AWS's incident runbooks use) names an existing incident, the execution responds to
/// it and is recorded on it as a response plan's would be. Returns the execution id and the
/// incident it was linked to.
///
/// Errors: as [`start`].
pub async fn start_for_request(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    mut req: StartRequest,
    now: f64,
) -> ApiResult<(String, Option<StoredIncident>)> {
    let named = req
        .parameters
        .get("IncidentRecordArn")
        .and_then(|v| v.first())
        .filter(|a| a.contains(":incident-record/"))
        .cloned();
    let mut incident = match named {
        Some(arn) => tx.incident(&arn).await?,
        None => None,
    };
    if let Some(found) = &incident {
        req.incident_arn = Some(found.record.arn.clone());
    }
    let document = req.document_name.clone();
    let version = req.document_version.clone();
    let replayed = match &req.client_token {
        Some(token) => tx.execution_by_token(token).await?.is_some(),
        None => false,
    };
    let id = start(tx, req, now).await?;
    if let Some(found) = incident.as_mut()
        && !replayed
    {
        link(tx, config, found, &id, &document, version.as_deref(), now).await?;
        tx.update_incident(found).await?;
    }
    Ok((id, if replayed { None } else { incident }))
}
