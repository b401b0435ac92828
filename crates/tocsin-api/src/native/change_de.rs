//! [`Change`]'s decoder, written by hand.
//!
//! serde's derive for an adjacently tagged enum (`{"kind": …, "data": …}`) compiles every
//! variant's decoder twice: once straight from the input and once from a buffered `Content`
//! for when `data` comes before `kind`. In the web app that was 90 KB of WebAssembly for
//! `Change` alone, plus a second copy of every payload type's decoder. This decoder reads
//! `kind`, then decodes `data` once, with the payload type's own decoder; `data` before
//! `kind` (PostgreSQL's `jsonb` orders keys that way) is held as a `serde_json::Value`,
//! turned back into text and decoded by the same path. The wire format is unchanged: the
//! encoder is still the derived one, and the tests check each variant both ways.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{AutomationSummary, Change, Delivery, EventReceived, WallIncident};
use crate::incidents::{ItemIdentifier, RelatedItem, TimelineEvent};
use crate::receivers::MaintenanceWindow;
use crate::sns::NotificationDelivery;

/// `kind`: one name per [`Change`] variant, camelCase.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    IncidentCreated,
    IncidentUpdated,
    TimelineEventAdded,
    RelatedItemAdded,
    RelatedItemRemoved,
    TagsChanged,
    ResponsePlanChanged,
    ResponsePlanDeleted,
    RuleChanged,
    ChangePatternChanged,
    ArchiveChanged,
    ReplayChanged,
    EventBusChanged,
    AccessKeyChanged,
    EventReceived,
    DeliveryChanged,
    AutomationChanged,
    NotificationChanged,
    IncidentDeleted,
    TimelineEventUpdated,
    TimelineEventDeleted,
    ReceiverChanged,
    HeartbeatChanged,
    BoardChanged,
    MaintenanceWindowChanged,
}

/// The entry's keys; any other is skipped, as the derive did.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum Key {
    Kind,
    Data,
    #[serde(other)]
    Other,
}

// The struct variants' payloads, shared where variants have the same fields.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArnData {
    arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameData {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NameDeletedData {
    name: String,
    #[serde(default)]
    deleted: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceData {
    resource_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplayData {
    name: String,
    state: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessKeyData {
    access_key_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemAddedData {
    incident_record_arn: String,
    item: RelatedItem,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemRemovedData {
    incident_record_arn: String,
    identifier: ItemIdentifier,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventDeletedData {
    incident_record_arn: String,
    event_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WindowData {
    #[serde(default)]
    window: Option<MaintenanceWindow>,
    id: String,
}

/// Decodes `data` as the payload of `kind`.
struct Data(Kind);

impl<'de> DeserializeSeed<'de> for Data {
    type Value = Change;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Change, D::Error> {
        let named = |n: NameDeletedData| (n.name, n.deleted);
        Ok(match self.0 {
            Kind::IncidentCreated => Change::IncidentCreated(WallIncident::deserialize(d)?),
            Kind::IncidentUpdated => Change::IncidentUpdated(WallIncident::deserialize(d)?),
            Kind::TimelineEventAdded => Change::TimelineEventAdded(TimelineEvent::deserialize(d)?),
            Kind::TimelineEventUpdated => {
                Change::TimelineEventUpdated(TimelineEvent::deserialize(d)?)
            }
            Kind::EventReceived => Change::EventReceived(EventReceived::deserialize(d)?),
            Kind::DeliveryChanged => Change::DeliveryChanged(Delivery::deserialize(d)?),
            Kind::AutomationChanged => {
                Change::AutomationChanged(AutomationSummary::deserialize(d)?)
            }
            Kind::NotificationChanged => {
                Change::NotificationChanged(NotificationDelivery::deserialize(d)?)
            }
            Kind::RelatedItemAdded => {
                let p = ItemAddedData::deserialize(d)?;
                Change::RelatedItemAdded {
                    incident_record_arn: p.incident_record_arn,
                    item: p.item,
                }
            }
            Kind::RelatedItemRemoved => {
                let p = ItemRemovedData::deserialize(d)?;
                Change::RelatedItemRemoved {
                    incident_record_arn: p.incident_record_arn,
                    identifier: p.identifier,
                }
            }
            Kind::TimelineEventDeleted => {
                let p = EventDeletedData::deserialize(d)?;
                Change::TimelineEventDeleted {
                    incident_record_arn: p.incident_record_arn,
                    event_id: p.event_id,
                }
            }
            Kind::TagsChanged => Change::TagsChanged {
                resource_arn: ResourceData::deserialize(d)?.resource_arn,
            },
            Kind::ResponsePlanChanged => Change::ResponsePlanChanged {
                arn: ArnData::deserialize(d)?.arn,
            },
            Kind::ResponsePlanDeleted => Change::ResponsePlanDeleted {
                arn: ArnData::deserialize(d)?.arn,
            },
            Kind::RuleChanged => Change::RuleChanged {
                arn: ArnData::deserialize(d)?.arn,
            },
            Kind::IncidentDeleted => Change::IncidentDeleted {
                arn: ArnData::deserialize(d)?.arn,
            },
            Kind::ChangePatternChanged => Change::ChangePatternChanged {
                name: NameData::deserialize(d)?.name,
            },
            Kind::ReceiverChanged => Change::ReceiverChanged {
                name: NameData::deserialize(d)?.name,
            },
            Kind::ReplayChanged => {
                let p = ReplayData::deserialize(d)?;
                Change::ReplayChanged {
                    name: p.name,
                    state: p.state,
                }
            }
            Kind::AccessKeyChanged => Change::AccessKeyChanged {
                access_key_id: AccessKeyData::deserialize(d)?.access_key_id,
            },
            Kind::ArchiveChanged => {
                let (name, deleted) = named(NameDeletedData::deserialize(d)?);
                Change::ArchiveChanged { name, deleted }
            }
            Kind::EventBusChanged => {
                let (name, deleted) = named(NameDeletedData::deserialize(d)?);
                Change::EventBusChanged { name, deleted }
            }
            Kind::HeartbeatChanged => {
                let (name, deleted) = named(NameDeletedData::deserialize(d)?);
                Change::HeartbeatChanged { name, deleted }
            }
            Kind::BoardChanged => {
                let (name, deleted) = named(NameDeletedData::deserialize(d)?);
                Change::BoardChanged { name, deleted }
            }
            Kind::MaintenanceWindowChanged => {
                let p = WindowData::deserialize(d)?;
                Change::MaintenanceWindowChanged {
                    window: p.window,
                    id: p.id,
                }
            }
        })
    }
}

struct ChangeVisitor;

impl<'de> Visitor<'de> for ChangeVisitor {
    type Value = Change;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a change-feed change: an object with `kind` and `data`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Change, A::Error> {
        let mut kind = None;
        let mut change = None;
        let mut early: Option<serde_json::Value> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Kind if kind.is_some() => return Err(de::Error::duplicate_field("kind")),
                Key::Data if change.is_some() || early.is_some() => {
                    return Err(de::Error::duplicate_field("data"));
                }
                Key::Kind => kind = Some(map.next_value::<Kind>()?),
                Key::Data => match kind {
                    Some(kind) => change = Some(map.next_value_seed(Data(kind))?),
                    None => early = Some(map.next_value()?),
                },
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("kind"))?;
        match (change, early) {
            (Some(change), _) => Ok(change),
            (None, Some(data)) => {
                // `data` came first: decode its text with the one decoder per payload type.
                let text = data.to_string();
                Data(kind)
                    .deserialize(&mut serde_json::Deserializer::from_str(&text))
                    .map_err(de::Error::custom)
            }
            (None, None) => Err(de::Error::missing_field("data")),
        }
    }
}

impl<'de> Deserialize<'de> for Change {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ChangeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::Change;

    /// The variant's position, by an exhaustive match: a new variant fails to compile here
    /// until it has a sample below (and a `Kind` in the decoder, or its sample fails).
    fn variant(change: &Change) -> usize {
        match change {
            Change::IncidentCreated(_) => 0,
            Change::IncidentUpdated(_) => 1,
            Change::TimelineEventAdded(_) => 2,
            Change::RelatedItemAdded { .. } => 3,
            Change::RelatedItemRemoved { .. } => 4,
            Change::TagsChanged { .. } => 5,
            Change::ResponsePlanChanged { .. } => 6,
            Change::ResponsePlanDeleted { .. } => 7,
            Change::RuleChanged { .. } => 8,
            Change::ChangePatternChanged { .. } => 9,
            Change::ArchiveChanged { .. } => 10,
            Change::ReplayChanged { .. } => 11,
            Change::EventBusChanged { .. } => 12,
            Change::AccessKeyChanged { .. } => 13,
            Change::EventReceived(_) => 14,
            Change::DeliveryChanged(_) => 15,
            Change::AutomationChanged(_) => 16,
            Change::NotificationChanged(_) => 17,
            Change::IncidentDeleted { .. } => 18,
            Change::TimelineEventUpdated(_) => 19,
            Change::TimelineEventDeleted { .. } => 20,
            Change::ReceiverChanged { .. } => 21,
            Change::HeartbeatChanged { .. } => 22,
            Change::BoardChanged { .. } => 23,
            Change::MaintenanceWindowChanged { .. } => 24,
        }
    }
    const VARIANTS: usize = 25;

    fn samples() -> Vec<Value> {
        let incident = json!({
            "incident": {
                "arn": "arn:aws:ssm-incidents::123456789012:incident-record/p/1",
                "title": "t", "impact": 2, "status": "OPEN", "dedupeString": "d",
                "creationTime": 1.0, "lastModifiedTime": 1.5, "lastModifiedBy": "me",
                "incidentRecordSource": {"createdBy": "me", "source": "aws.ssm-incidents.custom"}
            },
            "responsePlanArn": "arn:aws:ssm-incidents::123456789012:response-plan/p",
            "responsePlanName": "p",
            "tags": {"team": "db"}
        });
        let event = json!({
            "eventId": "e1", "incidentRecordArn": "arn:i", "eventTime": 2.0,
            "eventUpdatedTime": 2.0, "eventType": "Custom Event", "eventData": "\"note\""
        });
        let identifier = json!({"type": "OTHER", "value": {"url": "https://x"}});
        let window = json!({
            "id": "w1", "name": "patch", "reason": "r", "eventPattern": "{}",
            "startsAt": 10.0, "durationSeconds": 60, "status": "ACTIVE", "suppressedCount": 3,
            "createdBy": "maria", "createdAt": 5.0
        });
        let named = |kind: &str| json!({"kind": kind, "data": {"name": "n"}});
        let deleted = |kind: &str| json!({"kind": kind, "data": {"name": "n", "deleted": true}});
        let arn = |kind: &str| json!({"kind": kind, "data": {"arn": "arn:x"}});
        vec![
            json!({"kind": "incidentCreated", "data": incident}),
            json!({"kind": "incidentUpdated", "data": incident}),
            json!({"kind": "timelineEventAdded", "data": event}),
            json!({"kind": "relatedItemAdded", "data": {"incidentRecordArn": "arn:i", "item": {"identifier": identifier, "title": "runbook"}}}),
            json!({"kind": "relatedItemRemoved", "data": {"incidentRecordArn": "arn:i", "identifier": identifier}}),
            json!({"kind": "tagsChanged", "data": {"resourceArn": "arn:r"}}),
            arn("responsePlanChanged"),
            arn("responsePlanDeleted"),
            arn("ruleChanged"),
            named("changePatternChanged"),
            deleted("archiveChanged"),
            json!({"kind": "replayChanged", "data": {"name": "n", "state": "RUNNING"}}),
            json!({"kind": "eventBusChanged", "data": {"name": "n", "deleted": false}}),
            json!({"kind": "accessKeyChanged", "data": {"accessKeyId": "AKIA1"}}),
            json!({"kind": "eventReceived", "data": {"eventId": "e", "eventBusName": "default", "source": "s", "detailType": "d", "matchedRules": ["r"]}}),
            json!({"kind": "deliveryChanged", "data": {"id": 7, "eventId": "e", "ruleArn": "arn:r", "targetId": "t", "url": "https://x", "headers": {"a": "b"}, "body": "{}", "status": "FAILED", "attempts": 2, "maxAttempts": 5, "deadline": 9.0, "createdAt": 1.0, "updatedAt": 2.0, "lastStatusCode": 503, "lastError": "busy"}}),
            json!({"kind": "automationChanged", "data": {"automationExecutionId": "x", "documentName": "d", "status": "Waiting", "currentStepName": "approve", "incidentRecordArn": "arn:i"}}),
            json!({"kind": "notificationChanged", "data": {"id": 1, "messageId": "m", "kind": "incident", "topicArn": "arn:t", "subscriptionArn": "arn:s", "protocol": "https", "endpoint": "https://x", "incidentArn": "arn:i", "status": "PENDING", "attempts": [], "maxAttempts": 3, "createdAt": 1.0, "updatedAt": 1.0}}),
            arn("incidentDeleted"),
            json!({"kind": "timelineEventUpdated", "data": event}),
            json!({"kind": "timelineEventDeleted", "data": {"incidentRecordArn": "arn:i", "eventId": "e1"}}),
            named("receiverChanged"),
            deleted("heartbeatChanged"),
            deleted("boardChanged"),
            json!({"kind": "maintenanceWindowChanged", "data": {"window": window, "id": "w1"}}),
        ]
    }

    /// `{"data": …, "kind": …}`: the order PostgreSQL's `jsonb` gives.
    fn data_first(sample: &Value) -> String {
        format!(
            "{{\"data\":{},\"kind\":{}}}",
            sample["data"], sample["kind"]
        )
    }

    #[test]
    fn every_variant_decodes_from_what_the_encoder_writes_in_either_key_order() {
        let mut seen = [false; VARIANTS];
        for sample in samples() {
            let text = sample.to_string();
            let change: Change =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            seen[variant(&change)] = true;
            // The derived encoder writes it back: same kind, and the data decoded again is
            // the same change (fields the encoder leaves out when empty come back empty).
            let again = serde_json::to_value(&change).expect("encodes");
            assert_eq!(again["kind"], sample["kind"], "{text}");
            let from_again: Change = serde_json::from_value(again.clone()).expect("decodes");
            assert_eq!(from_again, change, "{text}");
            let reordered: Change = serde_json::from_str(&data_first(&again))
                .unwrap_or_else(|e| panic!("{}: {e}", data_first(&again)));
            assert_eq!(reordered, change, "data before kind: {text}");
            // A key the decoder does not know is skipped, before or after the others.
            let extra = format!("{{\"v\":1,{},\"w\":[2]}}", &text[1..text.len() - 1]);
            assert_eq!(
                serde_json::from_str::<Change>(&extra).expect("extra keys"),
                change
            );
        }
        assert_eq!(seen, [true; VARIANTS], "a variant has no sample");
    }

    #[test]
    fn the_payload_is_read_field_for_field() {
        let change: Change =
            serde_json::from_str(r#"{"kind":"maintenanceWindowChanged","data":{"id":"w9"}}"#)
                .expect("window is optional");
        assert_eq!(
            change,
            Change::MaintenanceWindowChanged {
                window: None,
                id: "w9".into()
            }
        );
        let change: Change = serde_json::from_str(r#"{"data":{"name":"a"},"kind":"boardChanged"}"#)
            .expect("decodes");
        assert_eq!(
            change,
            Change::BoardChanged {
                name: "a".into(),
                deleted: false
            }
        );
        let change: Change = serde_json::from_str(
            r#"{"kind":"replayChanged","data":{"state":"FAILED","name":"r"}}"#,
        )
        .expect("decodes");
        assert_eq!(
            change,
            Change::ReplayChanged {
                name: "r".into(),
                state: "FAILED".into()
            }
        );
    }

    #[test]
    fn a_bad_change_is_refused_with_the_reason() {
        for (text, reason) in [
            (r#"{"data":{"arn":"a"}}"#, "missing field `kind`"),
            (r#"{"kind":"ruleChanged"}"#, "missing field `data`"),
            (
                r#"{"kind":"ruleMoved","data":{"arn":"a"}}"#,
                "unknown variant `ruleMoved`",
            ),
            (r#"{"kind":"ruleChanged","data":{}}"#, "missing field `arn`"),
            (r#"{"data":{},"kind":"ruleChanged"}"#, "missing field `arn`"),
            (
                r#"{"kind":"ruleChanged","data":{"arn":7}}"#,
                "invalid type: integer `7`",
            ),
            (
                r#"{"kind":"ruleChanged","kind":"ruleChanged","data":{"arn":"a"}}"#,
                "duplicate field `kind`",
            ),
            (
                r#"{"kind":"ruleChanged","data":{"arn":"a"},"data":{"arn":"b"}}"#,
                "duplicate field `data`",
            ),
            (r#"["ruleChanged",{"arn":"a"}]"#, "invalid type: sequence"),
            (
                r#"{"kind":"ruleChanged","data":{"arn":"a"}"#,
                "EOF while parsing",
            ),
        ] {
            let err = serde_json::from_str::<Change>(text)
                .expect_err(text)
                .to_string();
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
