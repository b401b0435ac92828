//! What is firing at the sources Tocsin receives from: Alertmanager alerts (by
//! fingerprint), PagerDuty dedup keys and CloudWatch alarms (by alarm ARN), each an
//! [`AlertSource`] keyed by a *source key*. Receivers attach [`Hints`] to the events they put
//! on a bus; ingest applies the hints' [`AlertUpdate`] after the event's targets ran:
//!
//! - `Trigger`: the source fires; the incident its event opened (or merged into) is linked.
//! - `Resolve`: the source stopped. When every source that fed an open incident has stopped
//!   and the receiver resolves by itself (Alertmanager's default), or the sender resolved
//!   explicitly (PagerDuty `resolve`), the incident resolves with an `Alerts Resolved`
//!   timeline entry. A resolve for a source that fed nothing does nothing.
//! - `Acknowledge` (PagerDuty `acknowledge`): acknowledges the incident, which holds its
//!   escalation.
//!
//! CloudWatch `Alarm State Change` events are tracked from any ingest path (only to decide
//! what is still firing when a maintenance window ends), without changing what they open.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tocsin_api::incidents::{IncidentRecordStatus, RelatedItem, UpdateIncidentRecordInput};
use tocsin_api::native::timeline_event_types as kinds;

use crate::config::ServerConfig;
use crate::domain::error::ApiResult;
use crate::domain::identity::Caller;
use crate::domain::timeline::{append_timeline, timeline_entry};
use crate::store::{AlertSource, StoreTx};

/// What a source says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AlertAction {
    /// It fires (opens or merges).
    Trigger,
    /// A responder at the source acknowledged it.
    Acknowledge,
    /// It stopped firing.
    Resolve,
}

/// A receiver's statement about one source, applied after the event's targets ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertUpdate {
    /// `alertmanager:<receiver>:<fingerprint>`, `pagerduty:<receiver>:<dedup_key>`.
    pub source_key: String,
    /// What happened.
    pub action: AlertAction,
    /// The receiver's name (the principal of what follows: `receiver/<name>`).
    pub receiver: String,
    /// Alertmanager's `endsAt`, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<f64>,
    /// Alertmanager labels (a silence's matchers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Where to silence it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_url: Option<String>,
    /// Resolve the incident when all its sources stopped.
    #[serde(default)]
    pub auto_resolve: bool,
    /// A resolve that resolves the incident whatever its other sources (PagerDuty).
    #[serde(default)]
    pub force: bool,
}

/// How a receiver's event opens incidents, beyond what its rules say. Stored with a
/// suppression so that a maintenance window's end opens the incident the same way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hints {
    /// The incident's title (PagerDuty's summary, an alert's summary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The incident's impact (PagerDuty's severity through the receiver's table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<i32>,
    /// The dedupe key used when the plan sets no dedupe string (the rule's ARN is put in
    /// front of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe: Option<String>,
    /// Related items to attach (PagerDuty links and images).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_items: Vec<RelatedItem>,
    /// The source's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<AlertUpdate>,
}

impl Hints {
    /// Whether the event may open incidents and start runbooks: anything but an
    /// acknowledgement or a resolution.
    pub fn opens(&self) -> bool {
        self.alert
            .as_ref()
            .is_none_or(|a| a.action == AlertAction::Trigger)
    }
}

/// The source key of a CloudWatch alarm state-change event and whether it is in `ALARM`.
pub fn cloudwatch_state(envelope: &serde_json::Value) -> Option<(String, bool)> {
    if envelope["source"] != "aws.cloudwatch"
        || envelope["detail-type"] != "CloudWatch Alarm State Change"
    {
        return None;
    }
    let arn = envelope["resources"][0].as_str()?;
    let firing = envelope["detail"]["state"]["value"] == "ALARM";
    Some((format!("cloudwatch:{arn}"), firing))
}

/// An event's `resources`, sorted, without duplicates.
pub fn sorted_resources(envelope: &serde_json::Value) -> Vec<&str> {
    let mut resources: Vec<&str> = envelope["resources"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    resources.sort_unstable();
    resources.dedup();
    resources
}

/// The key of a source Tocsin does not track (neither an alert nor an alarm): its source
/// and sorted resources. A maintenance window's resolved pattern resolves by this key.
pub fn generic_key(envelope: &serde_json::Value) -> String {
    let resources = sorted_resources(envelope);
    format!(
        "event:{}|{}",
        envelope["source"].as_str().unwrap_or_default(),
        resources.join(",")
    )
}

/// The source key an event is suppressed and released under.
pub fn source_key(envelope: &serde_json::Value, hints: &Hints) -> String {
    hints
        .alert
        .as_ref()
        .map(|a| a.source_key.clone())
        .or_else(|| cloudwatch_state(envelope).map(|(k, _)| k))
        .unwrap_or_else(|| generic_key(envelope))
}

/// Whether a tracked source fires at `now` (an Alertmanager alert whose `endsAt` passed has
/// stopped, even without a resolved notification).
pub fn still_firing(source: &AlertSource, now: f64) -> bool {
    source.firing && source.ends_at.is_none_or(|e| e > now)
}

async fn open_incident(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<bool> {
    Ok(tx
        .incident(arn)
        .await?
        .is_some_and(|i| i.record.status == IncidentRecordStatus::Open))
}

/// Records a CloudWatch alarm's state (for maintenance windows).
pub async fn track_cloudwatch(
    tx: &mut dyn StoreTx,
    envelope: &serde_json::Value,
    opened: &[String],
    event_id: &str,
    now: f64,
) -> ApiResult<()> {
    let Some((key, firing)) = cloudwatch_state(envelope) else {
        return Ok(());
    };
    let previous = tx.alert_source(&key).await?;
    let source = AlertSource {
        source_key: key.clone(),
        firing,
        ends_at: None,
        labels: BTreeMap::new(),
        silence_url: None,
        auto_resolve: false,
        incident_arns: linked(tx, previous.as_ref(), opened).await?,
        last_event_id: event_id.to_owned(),
        updated_at: now,
    };
    tx.put_alert_source(&source).await?;
    if !firing {
        tx.resolve_suppressions(&key, None).await?;
    }
    Ok(())
}

/// The incidents a source is linked to after it fired again: those its event opened or
/// merged into, and those it fed before that are still open.
async fn linked(
    tx: &mut dyn StoreTx,
    previous: Option<&AlertSource>,
    opened: &[String],
) -> ApiResult<Vec<String>> {
    let mut arns: Vec<String> = opened.to_vec();
    for arn in previous
        .map(|p| p.incident_arns.as_slice())
        .unwrap_or_default()
    {
        if !arns.contains(arn) && open_incident(tx, arn).await? {
            arns.push(arn.clone());
        }
    }
    Ok(arns)
}

/// Applies a receiver's update about one source, after the event's targets ran; `opened`
/// are the incidents they opened or merged into.
///
/// Errors: store errors; the acknowledgement or resolution refused (an internal
/// inconsistency: both check the incident is open first).
pub async fn apply(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    update: &AlertUpdate,
    opened: &[String],
    event_id: &str,
    now: f64,
) -> ApiResult<()> {
    let previous = tx.alert_source(&update.source_key).await?;
    match update.action {
        AlertAction::Trigger => {
            let incident_arns = linked(tx, previous.as_ref(), opened).await?;
            tx.put_alert_source(&AlertSource {
                source_key: update.source_key.clone(),
                firing: true,
                ends_at: update.ends_at,
                labels: update.labels.clone(),
                silence_url: update.silence_url.clone(),
                auto_resolve: update.auto_resolve,
                incident_arns,
                last_event_id: event_id.to_owned(),
                updated_at: now,
            })
            .await?;
        }
        AlertAction::Resolve => {
            let Some(mut source) = previous else {
                return Ok(());
            };
            let was_firing = source.firing;
            source.firing = false;
            source.ends_at = Some(update.ends_at.unwrap_or(now).min(now));
            source.last_event_id = event_id.to_owned();
            source.updated_at = now;
            tx.put_alert_source(&source).await?;
            tx.resolve_suppressions(&source.source_key, None).await?;
            if update.force || (was_firing && source.auto_resolve) {
                for arn in &source.incident_arns {
                    resolve_if_done(tx, config, arn, &update.receiver, update.force, now).await?;
                }
            }
        }
        AlertAction::Acknowledge => {
            let arns = previous.map(|p| p.incident_arns).unwrap_or_default();
            for arn in arns {
                if open_incident(tx, &arn).await? {
                    let caller = receiver_caller(config, &update.receiver);
                    crate::domain::engagements::acknowledge_incident(
                        tx,
                        config,
                        &caller,
                        tocsin_api::native::AcknowledgeIncident {
                            incident_record_arn: arn,
                            note: Some(format!("Acknowledged at the source ({})", update.receiver)),
                            expires_in_seconds: None,
                        },
                        now,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Whether some incident a source fed is still open (a PagerDuty acknowledge or resolve for
/// a key whose incidents are all resolved is dropped).
pub async fn feeds_open_incident(tx: &mut dyn StoreTx, source_key: &str) -> ApiResult<bool> {
    let Some(source) = tx.alert_source(source_key).await? else {
        return Ok(false);
    };
    if !source.firing {
        return Ok(false);
    }
    for arn in &source.incident_arns {
        if open_incident(tx, arn).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The principal receivers act as: `arn:aws:iam::<account>:user/receiver/<name>`.
pub fn receiver_caller(config: &ServerConfig, receiver: &str) -> Caller {
    Caller {
        principal: format!(
            "arn:aws:iam::{}:user/receiver/{receiver}",
            config.account_id
        ),
        role: tocsin_api::auth::Role::Producer,
        access_key_id: String::new(),
        name: format!("receiver {receiver}"),
        source_address: String::new(),
    }
}

/// Resolves `incident_arn` when it is open and (unless `force`) none of the sources that
/// fed it still fires, with an `Alerts Resolved` timeline entry first.
///
/// Errors: store errors.
pub async fn resolve_if_done(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    incident_arn: &str,
    receiver: &str,
    force: bool,
    now: f64,
) -> ApiResult<bool> {
    if !open_incident(tx, incident_arn).await? {
        return Ok(false);
    }
    let sources = tx.alert_sources_of(incident_arn).await?;
    if !force && sources.iter().any(|s| still_firing(s, now)) {
        return Ok(false);
    }
    let keys: Vec<&str> = sources.iter().map(|s| s.source_key.as_str()).collect();
    append_timeline(
        tx,
        timeline_entry(
            incident_arn,
            kinds::ALERTS_RESOLVED,
            json!({
                "receiver": receiver,
                "sources": keys,
                "reason": if force { "resolved by the sender" } else { "every alert that fed the incident was resolved at its source" },
            }),
            now,
        ),
    )
    .await?;
    let caller = receiver_caller(config, receiver);
    crate::domain::incidents::update_incident(
        tx,
        config,
        &caller.principal,
        UpdateIncidentRecordInput {
            arn: incident_arn.to_owned(),
            status: Some(IncidentRecordStatus::Resolved),
            ..Default::default()
        },
    )
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let alarm = json!({"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
            "resources": ["arn:aws:cloudwatch:us-east-1:1:alarm:a"], "detail": {"state": {"value": "ALARM"}}});
        assert_eq!(
            cloudwatch_state(&alarm),
            Some((
                "cloudwatch:arn:aws:cloudwatch:us-east-1:1:alarm:a".into(),
                true
            ))
        );
        let other = json!({"source": "x", "detail-type": "y", "resources": ["b", "a", "b"]});
        assert_eq!(cloudwatch_state(&other), None);
        assert_eq!(generic_key(&other), "event:x|a,b");
        assert_eq!(source_key(&other, &Hints::default()), "event:x|a,b");
        let hints = Hints {
            alert: Some(AlertUpdate {
                source_key: "alertmanager:r:f".into(),
                action: AlertAction::Resolve,
                receiver: "r".into(),
                ends_at: None,
                labels: BTreeMap::new(),
                silence_url: None,
                auto_resolve: true,
                force: false,
            }),
            ..Default::default()
        };
        assert_eq!(source_key(&other, &hints), "alertmanager:r:f");
        assert!(!hints.opens());
        assert!(Hints::default().opens());
    }
}
