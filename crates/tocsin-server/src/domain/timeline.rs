//! Timeline entries and related items of an incident, written with their change-feed
//! entries: shared by the incident engine and the runbook engine.

use tocsin_api::incidents::{RelatedItem, TimelineEvent};
use tocsin_api::native::Change;

use crate::domain::arns;
use crate::domain::error::ApiResult;
use crate::store::StoreTx;

/// The identity of a related item: its type and value, so each is attached once. Object
/// keys inside the value (a `pagerDutyIncidentDetail`) are sorted, so a value sent back with
/// its keys in another order names the same item.
pub(crate) fn item_identity(item: &RelatedItem) -> String {
    let value = serde_json::to_value(&item.identifier.value).unwrap_or_default();
    format!("{}|{}", item.identifier.item_type, sorted_keys(value))
}

/// The identity [`item_identity`] gave before keys were sorted (the value as sent), under
/// which items attached by earlier versions are stored.
pub(crate) fn item_identity_as_sent(item: &RelatedItem) -> String {
    format!(
        "{}|{}",
        item.identifier.item_type,
        serde_json::to_string(&item.identifier.value).unwrap_or_default()
    )
}

fn sorted_keys(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(String, serde_json::Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted_keys(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted_keys).collect())
        }
        other => other,
    }
}

/// A new timeline entry of `incident_arn` at `at` (epoch seconds), not yet written.
pub(crate) fn timeline_entry(
    incident_arn: &str,
    event_type: &str,
    data: serde_json::Value,
    at: f64,
) -> TimelineEvent {
    TimelineEvent {
        event_id: uuid::Uuid::new_v4().to_string(),
        incident_record_arn: incident_arn.to_owned(),
        event_time: at,
        event_updated_time: at,
        event_type: event_type.to_owned(),
        event_data: data.to_string(),
        event_references: None,
    }
}

/// Writes a timeline entry and announces it in the change feed.
pub(crate) async fn append_timeline(tx: &mut dyn StoreTx, event: TimelineEvent) -> ApiResult<()> {
    tx.insert_timeline_event(&event).await?;
    tx.append_change(&Change::TimelineEventAdded(event)).await?;
    Ok(())
}

pub(crate) async fn attach_items(
    tx: &mut dyn StoreTx,
    incident_arn: &str,
    items: &[RelatedItem],
) -> ApiResult<()> {
    for item in items {
        let mut item = item.clone();
        item.generated_id = Some(arns::related_item_id(&item.identifier.item_type));
        if tx
            .insert_related_item(incident_arn, &item_identity(&item), &item)
            .await?
        {
            tx.append_change(&Change::RelatedItemAdded {
                incident_record_arn: incident_arn.to_owned(),
                item,
            })
            .await?;
        }
    }
    Ok(())
}
