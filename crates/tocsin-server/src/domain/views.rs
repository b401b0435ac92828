//! The Tocsin-native read views the dashboards need and AWS lacks: the wall snapshot, one
//! incident with its whole timeline, and the delivery log.

use tocsin_api::incidents::IncidentRecordStatus;
use tocsin_api::native::{Delivery, DeliveryStatus, IncidentDetail, WallSnapshot};

use crate::clock;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::incidents::wall_incident;
use crate::store::{IncidentQuery, StoreTx};

/// Every incident `query` selects (its `offset` and `limit` are ignored), read from the
/// store 500 at a time.
pub async fn every_incident(
    tx: &mut dyn StoreTx,
    mut query: IncidentQuery,
) -> ApiResult<Vec<crate::store::StoredIncident>> {
    const PAGE: i64 = 500;
    let mut all = Vec::new();
    query.offset = 0;
    query.limit = PAGE;
    loop {
        let page = tx.incidents(&query).await?;
        let n = page.len() as i64;
        all.extend(page);
        if n < PAGE {
            return Ok(all);
        }
        query.offset += n;
    }
}

/// Every OPEN incident with what a wall-screen card shows, most severe first, then newest
/// first. `as_of_change_id` is the feed position the caller read before opening `tx`:
/// anything committed later is replayed by the stream.
pub async fn wall_snapshot(tx: &mut dyn StoreTx, as_of_change_id: i64) -> ApiResult<WallSnapshot> {
    let open = every_incident(
        tx,
        IncidentQuery {
            statuses: vec![IncidentRecordStatus::Open],
            ..Default::default()
        },
    )
    .await?;
    let mut incidents = Vec::with_capacity(open.len());
    for incident in open {
        incidents.push(wall_incident(tx, incident).await?);
    }
    incidents.sort_by(|a, b| {
        a.incident.impact.cmp(&b.incident.impact).then(
            b.incident
                .creation_time
                .total_cmp(&a.incident.creation_time),
        )
    });
    let now = clock::now();
    let maintenance_windows = crate::domain::windows::on_wall(tx, now).await?;
    // The recent activity, titled from the open incidents, else from the store.
    let mut recent_activity = Vec::new();
    for event in tx
        .recent_timeline_events(tocsin_api::native::WALL_RECENT_ACTIVITY as i64)
        .await?
    {
        let open = incidents
            .iter()
            .find(|i| i.incident.arn == event.incident_record_arn)
            .map(|i| i.incident.title.clone());
        let incident_title = match open {
            Some(title) => title,
            None => tx
                .incident(&event.incident_record_arn)
                .await?
                .map(|i| i.record.title)
                .unwrap_or_default(),
        };
        recent_activity.push(tocsin_api::native::RecentActivity {
            incident_title,
            event,
        });
    }
    Ok(WallSnapshot {
        as_of_change_id,
        generated_at: now,
        incidents,
        maintenance_windows,
        recent_activity,
        feed_horizon: None,
    })
}

/// One incident with its whole timeline (with event data) and related items.
///
/// Errors: `ResourceNotFoundException`.
pub async fn incident_detail(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<IncidentDetail> {
    let stored = tx
        .incident(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Incident record {arn} does not exist.")))?;
    let incident = wall_incident(tx, stored).await?;
    let timeline_events = tx.timeline_events(arn).await?;
    let related_items = tx.related_items(arn).await?;
    let metrics = metrics(&incident.incident, &timeline_events);
    Ok(IncidentDetail {
        incident,
        timeline_events,
        related_items,
        metrics,
    })
}

/// Incident Manager's `TimeToFirstAcknowledgement` (creation to the first acknowledgement
/// or accepted page on the timeline) and `TimeToResolveIncident` (creation to
/// `resolvedTime`), in seconds.
pub fn metrics(
    record: &tocsin_api::incidents::IncidentRecord,
    timeline: &[tocsin_api::incidents::TimelineEvent],
) -> tocsin_api::native::IncidentMetrics {
    use tocsin_api::native::timeline_event_types as kinds;
    let first_ack = timeline
        .iter()
        .filter(|e| {
            e.event_type == kinds::INCIDENT_ACKNOWLEDGED || e.event_type == kinds::PAGE_ACCEPTED
        })
        .map(|e| e.event_time)
        .fold(None, |min: Option<f64>, t| {
            Some(min.map_or(t, |m| m.min(t)))
        });
    tocsin_api::native::IncidentMetrics {
        time_to_first_acknowledgement: first_ack.map(|t| (t - record.creation_time).max(0.0)),
        time_to_resolve: record
            .resolved_time
            .map(|t| (t - record.creation_time).max(0.0)),
    }
}

/// HTTP target deliveries, newest first, with header and query values redacted; `status` is `PENDING`, `DELIVERED` or `FAILED`
/// (the dead letters), `limit` 1-1000 (default 100).
///
/// Errors: `ValidationException` for another status or limit.
pub async fn deliveries(
    tx: &mut dyn StoreTx,
    status: Option<&str>,
    limit: Option<i64>,
) -> ApiResult<Vec<Delivery>> {
    let status = match status {
        None => None,
        Some("PENDING") => Some(DeliveryStatus::Pending),
        Some("DELIVERED") => Some(DeliveryStatus::Delivered),
        Some("FAILED") => Some(DeliveryStatus::Failed),
        Some(other) => {
            return Err(ApiError::Validation(format!(
                "status '{other}' is not one of PENDING, DELIVERED, FAILED."
            )));
        }
    };
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::Validation("limit must be 1-1000.".into()));
    }
    Ok(tx
        .deliveries(status, limit)
        .await?
        .iter()
        .map(crate::domain::targets::redacted_delivery)
        .collect())
}
