//! Findings and recent changes of an incident, from real change events on the buses.
//!
//! At ingest, every CodeDeploy deployment state-change event (`aws.codedeploy`,
//! `CodeDeploy Deployment State-change Notification`), CloudFormation stack status-change
//! event (`aws.cloudformation`, `CloudFormation Stack Status Change`) and event matching an
//! admin-set change pattern is kept in the reserved archive [`CHANGES`] for
//! [`CHANGES_RETENTION_DAYS`] days.
//!
//! - `ListIncidentFindings` / `BatchGetIncidentFindings` (ssm-incidents 2018-05-10) answer
//!   the CodeDeploy deployments and CloudFormation stack updates seen from
//!   [`WINDOW_SECONDS`] before the incident was created until it was resolved (or now) that
//!   involve its resources: one of the change event's `resources` (a deployment group or
//!   application, a stack) or the stack id is the ARN of one of the incident's related
//!   items. A deployment is one finding (id: its `deploymentId`; `startTime` its first event,
//!   `endTime` its `SUCCESS`, `FAILURE` or `STOP`); a stack's status changes in the window
//!   are one finding (id: the first event's id; `endTime` at a `*_COMPLETE` or `*_FAILED`
//!   status).
//! - Recent changes (native, `GET /v1/incidents/recent-changes`) are every kept event in the
//!   same window, newest first, whether or not it involves the incident's resources.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tocsin_api::native::Change;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate::{self, Page};
use crate::store::StoreTx;

/// The reserved archive change events are kept in (`:` cannot occur in an archive name).
pub const CHANGES: &str = "tocsin:changes";
/// Days change events are kept.
pub const CHANGES_RETENTION_DAYS: i32 = 30;
/// How far before an incident's creation changes count (two hours).
pub const WINDOW_SECONDS: f64 = 2.0 * 3600.0;
/// Most change events one incident's window reads.
const WINDOW_EVENTS: i64 = 5000;
/// Resource kind of change patterns in [`crate::store::ResourceStore`].
pub const CHANGE_PATTERN: &str = "change-pattern";

/// An admin-set change pattern: events matching it appear in incidents' recent changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePattern {
    /// Its name (1-64 of `A-Za-z0-9_.-`).
    pub name: String,
    /// An EventBridge event pattern.
    pub event_pattern: String,
}

/// Whether an event is a change AWS Incident Manager makes findings of.
pub fn is_aws_change(envelope: &Value) -> bool {
    matches!(
        (
            envelope["source"].as_str(),
            envelope["detail-type"].as_str()
        ),
        (
            Some("aws.codedeploy"),
            Some("CodeDeploy Deployment State-change Notification")
        ) | (
            Some("aws.cloudformation"),
            Some("CloudFormation Stack Status Change")
        )
    )
}

/// A finding, built from the change events of one deployment or stack.
#[derive(Debug, Clone, PartialEq)]
struct Built {
    id: String,
    created: f64,
    modified: f64,
    details: Value,
}

/// The incident's window and resources, and the change events in it: (time on the bus,
/// event id, envelope).
async fn window(
    tx: &mut dyn StoreTx,
    arn: &str,
) -> ApiResult<(BTreeSet<String>, Vec<(f64, String, Value)>)> {
    validate::arn("incidentRecordArn", arn)?;
    let incident = tx
        .incident(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Incident record {arn} does not exist.")))?;
    let record = incident.record;
    let from = record.creation_time - WINDOW_SECONDS;
    let to = record.resolved_time.unwrap_or(f64::MAX);
    let resources = tx
        .related_items(arn)
        .await?
        .into_iter()
        .filter_map(|item| item.identifier.value.arn)
        .collect();
    let mut events: Vec<(f64, String, Value)> = tx
        .archived_events(CHANGES, from, to, None, WINDOW_EVENTS)
        .await?
        .into_iter()
        .filter_map(|(at, id, body)| serde_json::from_str(&body).ok().map(|v| (at, id, v)))
        .collect();
    // In the order the changes happened (one PutEvents batch shares its arrival time).
    events.sort_by(|a, b| {
        event_time(a.0, &a.2)
            .total_cmp(&event_time(b.0, &b.2))
            .then(a.0.total_cmp(&b.0))
    });
    Ok((resources, events))
}

fn event_time(at: f64, envelope: &Value) -> f64 {
    envelope["time"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(at, |t| t.timestamp() as f64)
}

fn involves(envelope: &Value, also: Option<&str>, resources: &BTreeSet<String>) -> bool {
    envelope["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .chain(also)
        .any(|r| resources.contains(r))
}

/// The findings of an incident's change events, oldest first.
fn build(resources: &BTreeSet<String>, events: &[(f64, String, Value)]) -> Vec<Built> {
    let mut by_key: BTreeMap<String, Built> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (at, id, e) in events {
        let t = event_time(*at, e);
        let detail = &e["detail"];
        let (key, details, ended) = match e["source"].as_str() {
            Some("aws.codedeploy") if is_aws_change(e) => {
                let Some(deployment) = detail["deploymentId"].as_str() else {
                    continue;
                };
                if !involves(e, None, resources) {
                    continue;
                }
                let group = e["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .find(|r| r.contains(":deploymentgroup:"))
                    .unwrap_or_default();
                let state = detail["state"].as_str().unwrap_or_default();
                (
                    format!("codedeploy:{deployment}"),
                    json!({"codeDeployDeployment": {"deploymentGroupArn": group, "deploymentId": deployment, "startTime": t}}),
                    matches!(state, "SUCCESS" | "FAILURE" | "STOP"),
                )
            }
            Some("aws.cloudformation") if is_aws_change(e) => {
                let stack = detail["stack-id"]
                    .as_str()
                    .or_else(|| e["resources"][0].as_str())
                    .unwrap_or_default();
                if stack.is_empty() || !involves(e, Some(stack), resources) {
                    continue;
                }
                let status = detail["status-details"]["status"]
                    .as_str()
                    .unwrap_or_default();
                (
                    format!("cloudformation:{stack}"),
                    json!({"cloudFormationStackUpdate": {"stackArn": stack, "startTime": t}}),
                    status.ends_with("_COMPLETE") || status.ends_with("_FAILED"),
                )
            }
            _ => continue,
        };
        let entry = by_key.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            Built {
                id: match details.get("codeDeployDeployment") {
                    Some(d) => d["deploymentId"].as_str().unwrap_or_default().to_owned(),
                    None => id.clone(),
                },
                created: t,
                modified: t,
                details,
            }
        });
        entry.modified = entry.modified.max(t);
        if ended {
            let inner = entry
                .details
                .as_object_mut()
                .and_then(|o| o.values_mut().next());
            if let Some(inner) = inner {
                inner["endTime"] = json!(t);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| by_key.remove(&k))
        .collect()
}

/// Mirrors ListIncidentFindings: `{findings: [{id, lastModifiedTime}], nextToken}`,
/// `maxResults` 1-20.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn list(
    tx: &mut dyn StoreTx,
    arn: &str,
    max_results: Option<i32>,
    next_token: Option<&str>,
) -> ApiResult<Value> {
    let page = Page::parse("maxResults", max_results, next_token, 20)?;
    let (resources, events) = window(tx, arn).await?;
    let all: Vec<Value> = build(&resources, &events)
        .into_iter()
        .map(|f| json!({"id": f.id, "lastModifiedTime": f.modified}))
        .collect();
    Ok(page.answer("findings", "nextToken", all))
}

/// Mirrors BatchGetIncidentFindings: each id found is a `Finding` with its
/// `codeDeployDeployment` or `cloudFormationStackUpdate` details; each id not found an
/// error entry (`ResourceNotFoundException`). At most 20 ids.
///
/// Errors: `ResourceNotFoundException` (the incident), `ValidationException`.
pub async fn batch_get(tx: &mut dyn StoreTx, arn: &str, ids: &[String]) -> ApiResult<Value> {
    validate::list_length("findingIds", ids.len(), 0, 20)?;
    for id in ids {
        validate::length("findingIds.member", id, 0, 128)?;
    }
    let (resources, events) = window(tx, arn).await?;
    let built = build(&resources, &events);
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for id in ids {
        match built.iter().find(|f| &f.id == id) {
            Some(f) => findings.push(json!({
                "id": f.id,
                "creationTime": f.created,
                "lastModifiedTime": f.modified,
                "details": f.details,
            })),
            None => errors.push(json!({
                "findingId": id,
                "code": "ResourceNotFoundException",
                "message": format!("Finding {id} does not exist for this incident."),
            })),
        }
    }
    Ok(json!({"findings": findings, "errors": errors}))
}

/// The incident's recent changes (native): every kept change event in its window, newest
/// first, at most 100: `[{eventId, time, source, detailType, resources, involved}]`, where
/// `involved` says whether it names one of the incident's related resources.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn recent_changes(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<Vec<Value>> {
    let (resources, events) = window(tx, arn).await?;
    Ok(events
        .iter()
        .rev()
        .take(100)
        .map(|(at, _, e)| {
            json!({
                "eventId": e["id"],
                "time": event_time(*at, e),
                "source": e["source"],
                "detailType": e["detail-type"],
                "resources": e["resources"],
                "involved": involves(e, e["detail"]["stack-id"].as_str(), &resources),
            })
        })
        .collect())
}

/// The admin-set change patterns, by name.
pub async fn patterns(tx: &mut dyn StoreTx) -> ApiResult<Vec<ChangePattern>> {
    tx.resources(CHANGE_PATTERN, "")
        .await?
        .into_iter()
        .map(|b| {
            serde_json::from_value(b)
                .map_err(|e| ApiError::Internal(format!("stored change pattern: {e}").into()))
        })
        .collect()
}

/// Creates or replaces a change pattern (admin). Returns the feed id to wait for.
///
/// Errors: `ValidationException` (name), `InvalidEventPatternException`.
pub async fn put_pattern(tx: &mut dyn StoreTx, p: ChangePattern) -> ApiResult<i64> {
    validate::simple_name(&p.name, 64)?;
    crate::domain::rules::parse_pattern(&p.event_pattern)?;
    tx.put_resource(
        CHANGE_PATTERN,
        &p.name,
        &serde_json::to_value(&p).unwrap_or_default(),
    )
    .await?;
    Ok(tx
        .append_change(&Change::ChangePatternChanged { name: p.name })
        .await?)
}

/// Deletes a change pattern. Errors: `ResourceNotFoundException`.
pub async fn delete_pattern(tx: &mut dyn StoreTx, name: &str) -> ApiResult<i64> {
    if !tx.delete_resource(CHANGE_PATTERN, name).await? {
        return Err(ApiError::NotFound(format!(
            "Change pattern {name} does not exist."
        )));
    }
    Ok(tx
        .append_change(&Change::ChangePatternChanged {
            name: name.to_owned(),
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy(id: &str, state: &str, time: &str) -> Value {
        json!({
            "id": format!("{id}-{state}"), "source": "aws.codedeploy", "time": time,
            "detail-type": "CodeDeploy Deployment State-change Notification",
            "resources": ["arn:aws:codedeploy:us-east-1:123456789012:application:web", "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/prod"],
            "detail": {"deploymentId": id, "state": state}
        })
    }

    #[test]
    fn deployments_and_stacks_become_findings() {
        let group = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/prod";
        let stack = "arn:aws:cloudformation:us-east-1:123456789012:stack/web/1";
        let resources: BTreeSet<String> = [group.to_owned(), stack.to_owned()].into();
        let cfn = |status: &str, time: &str| {
            json!({"id": format!("cfn-{status}"), "source": "aws.cloudformation", "time": time,
                "detail-type": "CloudFormation Stack Status Change", "resources": [stack],
                "detail": {"stack-id": stack, "status-details": {"status": status}}})
        };
        let events: Vec<(f64, String, Value)> = [
            deploy("d-1", "START", "2026-01-01T10:00:00Z"),
            cfn("UPDATE_IN_PROGRESS", "2026-01-01T10:01:00Z"),
            deploy("d-1", "SUCCESS", "2026-01-01T10:05:00Z"),
            cfn("UPDATE_COMPLETE", "2026-01-01T10:06:00Z"),
            deploy("d-other", "START", "2026-01-01T10:07:00Z"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i as f64, e["id"].as_str().unwrap().to_owned(), e))
        .collect();
        let built = build(&resources, &events);
        assert_eq!(built.len(), 3, "{built:?}");
        assert_eq!(built[0].id, "d-1");
        let d = &built[0].details["codeDeployDeployment"];
        assert_eq!(d["deploymentGroupArn"], group);
        assert_eq!(d["startTime"], json!(1_767_261_600.0));
        assert_eq!(d["endTime"], json!(1_767_261_900.0));
        assert_eq!(built[1].id, "cfn-UPDATE_IN_PROGRESS");
        assert_eq!(
            built[1].details["cloudFormationStackUpdate"]["stackArn"],
            stack
        );
        assert!(built[1].details["cloudFormationStackUpdate"]["endTime"].is_number());
        assert_eq!(built[2].id, "d-other");
        assert!(
            built[2].details["codeDeployDeployment"]
                .get("endTime")
                .is_none()
        );
        // Nothing involves an incident without those resources.
        assert!(build(&BTreeSet::new(), &events).is_empty());
    }
}
