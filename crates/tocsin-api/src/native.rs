//! Tocsin-native shapes under `/v1/`: the change feed as the SSE stream carries it, and the
//! summary views the dashboard needs that AWS has no single call for.

use serde::{Deserialize, Serialize};

use crate::EpochSeconds;
use crate::incidents::{IncidentRecord, RelatedItem, TimelineEvent};

mod change_de;

/// `eventType` values of the timeline entries Tocsin writes itself.
pub mod timeline_event_types {
    /// The incident was opened; `eventData` is JSON with `title`, `impact`, `source`.
    pub const INCIDENT_CREATED: &str = "Incident Created";
    /// A trigger arrived while an incident with the same dedupe string was open; `eventData`
    /// is JSON with `source`, `triggerArn`, `timestamp`.
    pub const TRIGGER_DEDUPLICATED: &str = "Trigger Deduplicated";
    /// Title, summary, impact or status changed; `eventData` is JSON listing the changes.
    pub const INCIDENT_UPDATED: &str = "Incident Updated";
    /// The incident was resolved.
    pub const INCIDENT_RESOLVED: &str = "Incident Resolved";
    /// A runbook started for the incident; `eventData` is JSON with `automationExecutionId`,
    /// `documentName`, `documentVersion`.
    pub const AUTOMATION_STARTED: &str = "SSM Automation Execution Started";
    /// A runbook could not start (Incident Manager's wording); `eventData` has `documentName`
    /// and `reason`.
    pub const AUTOMATION_START_FAILED: &str = "SSM Automation Execution Start Failure for Incident";
    /// A runbook step waits for a responder (a pause or an approval); `eventData` has
    /// `automationExecutionId`, `stepName`, `action`, `message`.
    pub const AUTOMATION_WAITING: &str = "SSM Automation Execution Waiting";
    /// A runbook ended; `eventData` has `automationExecutionId`, `status`, `failureMessage`.
    pub const AUTOMATION_ENDED: &str = "SSM Automation Execution Ended";
    /// A contact was engaged; `eventData` has `engagementArn`, `contactArn`, `alias`.
    pub const ENGAGEMENT_STARTED: &str = "Engagement Started";
    /// A contact was paged; `eventData` has `pageArn`, `contactArn`, `alias`, `stage`.
    pub const PAGE_SENT: &str = "Page Sent";
    /// A page was accepted; `eventData` has `pageArn`, `alias`, `acceptType`, `note`.
    pub const PAGE_ACCEPTED: &str = "Page Accepted";
    /// An escalation plan moved to its next stage; `eventData` has `engagementArn`,
    /// `stage` (1-based).
    pub const ENGAGEMENT_ESCALATED: &str = "Engagement Escalated";
    /// An engagement stopped; `eventData` has `engagementArn`, `reason`.
    pub const ENGAGEMENT_STOPPED: &str = "Engagement Stopped";
    /// A responder acknowledged the incident; `eventData` has `by`, `note`, `until`.
    pub const INCIDENT_ACKNOWLEDGED: &str = "Incident Acknowledged";
    /// An acknowledgement's expiry passed while the incident was open; `eventData` has
    /// `by`, `acknowledgedAt`.
    pub const ACKNOWLEDGEMENT_LAPSED: &str = "Acknowledgement Lapsed";
    /// Every alert that fed the incident was resolved at its source (Alertmanager,
    /// PagerDuty), so the incident resolves itself; `eventData` has `receiver`, `sources`
    /// (the alerts' source keys) and `reason`.
    pub const ALERTS_RESOLVED: &str = "Alerts Resolved";
    /// A silence was created in (or expired from) an Alertmanager for an alert of the
    /// incident; `eventData` has `alertmanager`, `silenceId`, `fingerprint`, `action`
    /// (`created`, `expired`, `failed`) and `reason` when it failed.
    pub const SILENCE_CHANGED: &str = "Alertmanager Silence";
}

/// One committed state change, as stored in the change feed and sent on `GET /v1/stream`
/// (SSE `id:` is [`ChangeFeedEntry::id`], `data:` is this struct as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeFeedEntry {
    /// Strictly increasing in commit order.
    pub id: i64,
    /// Commit time.
    pub at: EpochSeconds,
    /// What changed.
    pub change: Change,
}

/// What a change-feed entry records. JSON: `{"kind": "incidentCreated", "data": {...}}`.
/// Encoded by serde's derive; decoded by hand (`change_de.rs`: the same format, each
/// payload's decoder compiled once, which keeps the web app smaller).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    content = "data",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Change {
    /// An incident was opened.
    IncidentCreated(WallIncident),
    /// An incident's title, summary, impact or status changed (or a trigger merged into it).
    IncidentUpdated(WallIncident),
    /// A timeline entry was added.
    TimelineEventAdded(TimelineEvent),
    /// A related item was attached.
    RelatedItemAdded {
        /// The incident.
        incident_record_arn: String,
        /// The item.
        item: RelatedItem,
    },
    /// A related item was detached (`UpdateRelatedItems` with `itemToRemove`).
    RelatedItemRemoved {
        /// The incident.
        incident_record_arn: String,
        /// The item's identifier, as the caller named it.
        identifier: crate::incidents::ItemIdentifier,
    },
    /// Tags were added to, changed on or removed from a resource (a response plan, an
    /// incident record or the replication set: `TagResource`, `UntagResource`).
    TagsChanged {
        /// The resource.
        resource_arn: String,
    },
    /// A response plan was created or updated.
    ResponsePlanChanged {
        /// Plan ARN.
        arn: String,
    },
    /// A response plan was deleted.
    ResponsePlanDeleted {
        /// Plan ARN.
        arn: String,
    },
    /// A rule or its targets were created, changed or deleted.
    RuleChanged {
        /// Rule ARN.
        arn: String,
    },
    /// A change pattern (events shown as an incident's recent changes) was set or deleted.
    ChangePatternChanged {
        /// Its name.
        name: String,
    },
    /// An archive was created, updated or deleted (`deleted`).
    ArchiveChanged {
        /// Archive name.
        name: String,
        /// Whether it was deleted.
        #[serde(default)]
        deleted: bool,
    },
    /// A replay started, progressed, or reached a state (`STARTING`, `RUNNING`,
    /// `CANCELLING`, `COMPLETED`, `CANCELLED`, `FAILED`).
    ReplayChanged {
        /// Replay name.
        name: String,
        /// Its state now.
        state: String,
    },
    /// An event bus was created, updated or deleted (`deleted`).
    EventBusChanged {
        /// Bus name.
        name: String,
        /// Whether it was deleted.
        #[serde(default)]
        deleted: bool,
    },
    /// An access key was created, enabled, disabled or deleted (never carries the secret).
    AccessKeyChanged {
        /// The key's id.
        access_key_id: String,
    },
    /// An event was accepted onto a bus.
    EventReceived(EventReceived),
    /// An HTTP target delivery was queued, attempted, delivered or given up, or a rule
    /// target that could not run was dead-lettered (`status` FAILED, `lastError` why).
    DeliveryChanged(Delivery),
    /// An automation execution started, moved to another step, waits, or ended.
    AutomationChanged(AutomationSummary),
    /// A notification delivery (a topic's message to one subscription, or a page) was
    /// queued, attempted, delivered or given up.
    NotificationChanged(crate::sns::NotificationDelivery),
    /// An incident record was deleted (`DeleteIncidentRecord`) with its timeline and related
    /// items.
    IncidentDeleted {
        /// The incident.
        arn: String,
    },
    /// A timeline entry (`Custom Event` or `Note`) was updated.
    TimelineEventUpdated(TimelineEvent),
    /// A timeline entry (`Custom Event` or `Note`) was deleted.
    TimelineEventDeleted {
        /// The incident.
        incident_record_arn: String,
        /// The entry.
        event_id: String,
    },
    /// A receiver was created, had its settings changed, or was deleted (never carries the
    /// secret; events it receives are `EventReceived`).
    ReceiverChanged {
        /// Its name.
        name: String,
    },
    /// A heartbeat was created, replaced, beat after a miss, was missed, or was deleted
    /// (`deleted`).
    HeartbeatChanged {
        /// Its name.
        name: String,
        /// Whether it was deleted.
        #[serde(default)]
        deleted: bool,
    },
    /// A board (a saved wall view) was created, replaced or deleted (`deleted`).
    BoardChanged {
        /// Its name.
        name: String,
        /// Whether it was deleted.
        #[serde(default)]
        deleted: bool,
    },
    /// A maintenance window was created, began, suppressed an event, ended, or was deleted.
    MaintenanceWindowChanged {
        /// The window as it stands (none: deleted).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<crate::receivers::MaintenanceWindow>,
        /// Its id.
        id: String,
    },
}

/// An automation execution as the change feed announces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomationSummary {
    /// Its id.
    pub automation_execution_id: String,
    /// The document.
    pub document_name: String,
    /// `InProgress`, `Waiting`, `Success`, `Failed`, `TimedOut`, `Cancelled`.
    pub status: String,
    /// The step running or waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step_name: Option<String>,
    /// Its action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_action: Option<String>,
    /// The incident it responds to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_record_arn: Option<String>,
}

impl Change {
    /// The incident this change concerns, if it concerns one: the incident of
    /// `IncidentCreated`/`IncidentUpdated`, the incident a timeline entry or related item was
    /// added to or removed from, and an incident record whose tags changed. Used by the web app to refetch exactly the views a change affects.
    pub fn incident_arn(&self) -> Option<&str> {
        match self {
            Change::IncidentCreated(i) | Change::IncidentUpdated(i) => Some(&i.incident.arn),
            Change::TimelineEventAdded(e) | Change::TimelineEventUpdated(e) => {
                Some(&e.incident_record_arn)
            }
            Change::TimelineEventDeleted {
                incident_record_arn,
                ..
            } => Some(incident_record_arn),
            Change::IncidentDeleted { arn } => Some(arn),
            Change::RelatedItemAdded {
                incident_record_arn,
                ..
            }
            | Change::RelatedItemRemoved {
                incident_record_arn,
                ..
            } => Some(incident_record_arn),
            Change::TagsChanged { resource_arn } if resource_arn.contains(":incident-record/") => {
                Some(resource_arn)
            }
            Change::AutomationChanged(a) => a.incident_record_arn.as_deref(),
            Change::NotificationChanged(n) => n.incident_arn.as_deref(),
            _ => None,
        }
    }
}

pub use crate::delivery::DeliveryStatus;

/// One event's delivery to one HTTP target (a rule target whose `Arn` is an `http(s)://`
/// URL), with the body its input transformer produced. `GET /v1/deliveries` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Delivery id (increasing).
    pub id: i64,
    /// The event delivered.
    pub event_id: String,
    /// The rule that matched.
    pub rule_arn: String,
    /// The target's id within the rule.
    pub target_id: String,
    /// Where it is POSTed (query-string parameters included).
    pub url: String,
    /// Extra request headers (`HttpParameters.HeaderParameters`).
    pub headers: std::collections::BTreeMap<String, String>,
    /// The request body: the event, or what `Input`/`InputPath`/`InputTransformer` made of it.
    pub body: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// Most attempts (1 + `RetryPolicy.MaximumRetryAttempts`, default 1 + 185).
    pub max_attempts: u32,
    /// No attempt after this time (`RetryPolicy.MaximumEventAgeInSeconds`, default 24 h).
    pub deadline: EpochSeconds,
    /// When it was queued.
    pub created_at: EpochSeconds,
    /// Last change.
    pub updated_at: EpochSeconds,
    /// HTTP status of the last attempt, if it got one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status_code: Option<u16>,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Summary of an accepted event (the payload itself stays in the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventReceived {
    /// Event id.
    pub event_id: String,
    /// Bus name.
    pub event_bus_name: String,
    /// `source`.
    pub source: String,
    /// `detail-type`.
    pub detail_type: String,
    /// ARNs of the rules that matched it.
    pub matched_rules: Vec<String>,
}

/// An incident as the wall screen shows it: the record plus what a card needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WallIncident {
    /// The record.
    pub incident: IncidentRecord,
    /// ARN of the response plan it was opened from.
    pub response_plan_arn: String,
    /// That plan's display name (or name) at the time of the change.
    pub response_plan_name: String,
    /// The newest timeline entry, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_timeline_event: Option<TimelineEvent>,
    /// The runbooks (automation executions) started for it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runbooks: Vec<AutomationSummary>,
    /// The acknowledgement in force (none once it lapsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<Acknowledgement>,
    /// The incident record's tags (what boards filter on).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub tags: std::collections::BTreeMap<String, String>,
}

impl WallIncident {
    /// Takes `earlier`'s newest timeline entry when it is newer than this state's (an
    /// incident update can carry an older entry than one already seen, or none). How the
    /// wall and its replay (`GET /v1/wall?at=`) fold `incidentUpdated`.
    pub fn keep_newest_entry_of(&mut self, earlier: &WallIncident) {
        let keep_earlier = match (&earlier.latest_timeline_event, &self.latest_timeline_event) {
            (Some(_), None) => true,
            (Some(old), Some(new)) => old.event_time > new.event_time,
            _ => false,
        };
        if keep_earlier {
            self.latest_timeline_event = earlier.latest_timeline_event.clone();
        }
    }

    /// Makes `event` the card's last line unless a newer entry is already there; how the
    /// wall folds `timelineEventAdded`.
    pub fn see_timeline_event(&mut self, event: &TimelineEvent) {
        let newer = self
            .latest_timeline_event
            .as_ref()
            .is_none_or(|old| old.event_time <= event.event_time);
        if newer {
            self.latest_timeline_event = Some(event.clone());
        }
    }

    /// Puts an execution's new state among the runbooks (replacing its earlier state, or
    /// adding it); how the wall folds `automationChanged`.
    pub fn see_automation(&mut self, summary: &AutomationSummary) {
        match self
            .runbooks
            .iter_mut()
            .find(|r| r.automation_execution_id == summary.automation_execution_id)
        {
            Some(known) => *known = summary.clone(),
            None => self.runbooks.push(summary.clone()),
        }
    }
}

/// An incident's acknowledgement (a Tocsin extension: AWS has only per-page acceptance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Acknowledgement {
    /// The responder's principal.
    pub by: String,
    /// The responder's name (the access key's name).
    pub name: String,
    /// When, epoch seconds.
    pub at: EpochSeconds,
    /// What they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When it lapses (the incident asks again), epoch seconds; none: until resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<EpochSeconds>,
    /// Whether it lapsed.
    #[serde(default)]
    pub lapsed: bool,
}

/// `POST /v1/incidents/acknowledge`, and `aws:executeAwsApi` `Service: tocsin`,
/// `Api: AcknowledgeIncident` in runbooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcknowledgeIncident {
    /// The incident.
    pub incident_record_arn: String,
    /// A note (at most 1,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Seconds until the acknowledgement lapses (1 to 7 days); none: until resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<f64>,
}

/// An incident's response metrics, computed from its timeline (Incident Manager's
/// `TimeToFirstAcknowledgement` and `TimeToResolveIncident`), in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentMetrics {
    /// From creation to the first acknowledgement or accepted page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_first_acknowledgement: Option<f64>,
    /// From creation to resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_resolve: Option<f64>,
}

/// `GET /v1/wall`: every open incident, and the change-feed position the snapshot reflects.
/// Connect to `/v1/stream?lastEventId=<asOfChangeId>` to follow on without a gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WallSnapshot {
    /// Highest change-feed id included.
    pub as_of_change_id: i64,
    /// Server time of the snapshot.
    pub generated_at: EpochSeconds,
    /// Open incidents, highest impact (1) first, then newest first.
    pub incidents: Vec<WallIncident>,
    /// Maintenance windows active now or beginning within the next 24 hours, soonest first.
    #[serde(default)]
    pub maintenance_windows: Vec<crate::receivers::MaintenanceWindow>,
    /// The newest timeline entries across every incident, open or resolved, newest first
    /// (at most [`WALL_RECENT_ACTIVITY`]): the wall's recent activity from history on load.
    #[serde(default)]
    pub recent_activity: Vec<RecentActivity>,
    /// The change feed's horizon (epoch seconds): the earliest moment `GET /v1/wall?at=`
    /// can show (`--retain-feed`); absent when the feed is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_horizon: Option<EpochSeconds>,
}

/// How many timeline entries a [`WallSnapshot`] carries as recent activity.
pub const WALL_RECENT_ACTIVITY: usize = 20;

/// One timeline entry of the wall's recent activity, with its incident's title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentActivity {
    /// The incident's title now (empty when the incident is gone).
    pub incident_title: String,
    /// The entry, with its data.
    pub event: TimelineEvent,
}

/// `GET /v1/incident?arn=…`: an incident with its whole timeline and related items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentDetail {
    /// The incident with its plan.
    pub incident: WallIncident,
    /// Timeline, oldest first, with event data.
    pub timeline_events: Vec<TimelineEvent>,
    /// Related items.
    pub related_items: Vec<RelatedItem>,
    /// Time to first acknowledgement and to resolution.
    #[serde(default)]
    pub metrics: IncidentMetrics,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok`, or `degraded` while a background worker is down (then the answer is 503).
    pub status: String,
    /// Server version.
    pub version: String,
    /// Each background worker's state (`matcher`, `delivery`, …).
    #[serde(default)]
    pub workers: Vec<WorkerHealth>,
    /// The change-feed id the rule matcher has compiled up to.
    #[serde(default)]
    pub matcher_feed_id: i64,
    /// How long this health check's database query took, in milliseconds (the database's
    /// round trip as this node sees it, queueing for a pooled connection included).
    #[serde(default)]
    pub database_round_trip_ms: f64,
    /// Whether this node holds the scheduler lease, so its delivery, notification, runbook,
    /// escalation, watch, silence, archive and retention workers run (always on SQLite; on
    /// PostgreSQL one node at a time).
    #[serde(default)]
    pub scheduler_lease: bool,
}

/// Whether a background worker is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkerState {
    /// Running.
    Up,
    /// Crashed; waiting for its restart.
    Down,
}

/// One background worker, as `/healthz` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerHealth {
    /// Worker name.
    pub name: String,
    /// Up or down.
    pub state: WorkerState,
    /// How often it has been restarted since start-up.
    pub restarts: u32,
    /// Why it last stopped (a panic message or an error), if it ever did.
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_fields_are_camel_case_on_the_wire() {
        let change = Change::ResponsePlanDeleted { arn: "a".into() };
        assert_eq!(
            serde_json::to_value(&change).unwrap(),
            serde_json::json!({"kind": "responsePlanDeleted", "data": {"arn": "a"}})
        );
        let json = serde_json::json!({"kind": "relatedItemAdded", "data": {"incidentRecordArn": "i", "item": {"identifier": {"type": "OTHER", "value": {"url": "https://x"}}}}});
        let parsed: Change = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json);
    }
}

/// An outbound webhook as the API shows it: never its URL or headers (secrets, sealed at rest).
/// `GET /v1/webhooks` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundWebhook {
    /// Its name, as `aws:invokeWebhook`'s `IntegrationName` gives it.
    pub name: String,
    /// When it was created or last replaced.
    pub created_at: EpochSeconds,
    /// Who created or replaced it.
    pub created_by: String,
}

/// `POST /v1/webhooks`: creates or replaces an outbound webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutOutboundWebhook {
    /// 1-128 of `[A-Za-z0-9_.-]`.
    pub name: String,
    /// Where `aws:invokeWebhook` POSTs (`http` or `https`); a secret.
    pub url: String,
    /// Extra request headers (e.g. a token); secrets.
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
}

/// `POST /v1/webhooks/delete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteOutboundWebhook {
    /// The webhook.
    pub name: String,
}

/// The role a service principal acts with: runbooks started by a response plan or a rule
/// target act as the principal their `roleArn` names. `GET /v1/service-roles` lists the roles
/// an admin assigned; any other principal is a `responder`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRole {
    /// The principal (a plan's or target's `roleArn`).
    pub role_arn: String,
    /// Its role.
    pub role: crate::auth::Role,
    /// When it was assigned.
    pub assigned_at: EpochSeconds,
    /// Who assigned it.
    pub assigned_by: String,
}

/// `POST /v1/service-roles`: assigns a role to a service principal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutServiceRole {
    /// The principal.
    pub role_arn: String,
    /// Its role.
    pub role: crate::auth::Role,
}

/// `POST /v1/service-roles/delete`: the principal goes back to `responder`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteServiceRole {
    /// The principal.
    pub role_arn: String,
}
