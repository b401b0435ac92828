//! Tocsin-native endpoints: health, the dashboard's summary views and the live stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::Stream;
use futures::stream::{self, StreamExt};
use serde::Deserialize;
use tocsin_api::incidents::IncidentRecordStatus;
use tocsin_api::native::{DeliveryStatus, Health, IncidentDetail, WallSnapshot};

use crate::auth::{Caller, Role};
use crate::clock;
use crate::error::{ApiError, RestJsonError};
use crate::incidents::wall_incident;
use crate::state::AppState;
use crate::store::IncidentQuery;

/// Most change-feed entries read per query while streaming.
const STREAM_BATCH: i64 = 500;

/// The native routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/wall", get(wall))
        .route("/v1/incident", get(incident_detail))
        .route("/v1/stream", get(stream))
        .route("/v1/deliveries", get(deliveries))
}

/// `GET /healthz`: 200 `{"status":"ok"}` when the database answers.
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, RestJsonError> {
    state.store.latest_change_id().await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// `GET /v1/wall`: every OPEN incident with what a wall-screen card shows, and the
/// change-feed id the snapshot reflects (read in the same transaction).
async fn wall(State(state): State<AppState>, caller: Caller) -> Result<Response, RestJsonError> {
    caller.require(Role::Viewer)?;
    let mut tx = state.store.read().await?;
    // Read the position first: anything committed later is replayed by the stream.
    let as_of_change_id = state.store.latest_change_id().await?;
    let mut incidents = Vec::new();
    let mut offset = 0;
    loop {
        let page = tx
            .incidents(&IncidentQuery {
                statuses: vec![IncidentRecordStatus::Open],
                offset,
                limit: 500,
                ..Default::default()
            })
            .await?;
        let n = page.len() as i64;
        for incident in page {
            incidents.push(wall_incident(tx.as_mut(), incident).await?);
        }
        if n < 500 {
            break;
        }
        offset += n;
    }
    incidents.sort_by(|a, b| {
        a.incident.impact.cmp(&b.incident.impact).then(
            b.incident
                .creation_time
                .total_cmp(&a.incident.creation_time),
        )
    });
    Ok(Json(WallSnapshot {
        as_of_change_id,
        generated_at: clock::now(),
        incidents,
    })
    .into_response())
}

/// Query of `/v1/deliveries`.
#[derive(Debug, Deserialize)]
pub struct DeliveryParams {
    status: Option<String>,
    limit: Option<i64>,
}

/// `GET /v1/deliveries?status=PENDING|DELIVERED|FAILED&limit=N` (default 100, at most
/// 1000): HTTP target deliveries, newest first. `status=FAILED` lists the dead letters.
async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DeliveryParams>,
) -> Result<Response, RestJsonError> {
    caller.require(Role::Viewer)?;
    let status = match q.status.as_deref() {
        None => None,
        Some("PENDING") => Some(DeliveryStatus::Pending),
        Some("DELIVERED") => Some(DeliveryStatus::Delivered),
        Some("FAILED") => Some(DeliveryStatus::Failed),
        Some(other) => {
            return Err(ApiError::Validation(format!(
                "status '{other}' is not one of PENDING, DELIVERED, FAILED."
            ))
            .into());
        }
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::Validation("limit must be 1-1000.".into()).into());
    }
    let list = state.store.read().await?.deliveries(status, limit).await?;
    Ok(Json(list).into_response())
}

/// `?arn=` of `/v1/incident`.
#[derive(Debug, Deserialize)]
pub struct IncidentQueryParams {
    arn: Option<String>,
}

/// `GET /v1/incident?arn=`: the incident with its whole timeline (with event data) and
/// related items.
async fn incident_detail(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<IncidentQueryParams>,
) -> Result<Response, RestJsonError> {
    caller.require(Role::Viewer)?;
    let arn = q
        .arn
        .ok_or_else(|| ApiError::Validation("Query parameter 'arn' is required.".into()))?;
    let mut tx = state.store.read().await?;
    let stored = tx
        .incident(&arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Incident record {arn} does not exist.")))?;
    let incident = wall_incident(tx.as_mut(), stored).await?;
    let timeline_events = tx.timeline_events(&arn).await?;
    let related_items = tx.related_items(&arn).await?;
    Ok(Json(IncidentDetail {
        incident,
        timeline_events,
        related_items,
    })
    .into_response())
}

/// `?lastEventId=` of `/v1/stream` (for EventSource clients, which cannot set headers).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamParams {
    last_event_id: Option<i64>,
}

/// `GET /v1/stream`: server-sent events, one per change-feed entry (`id:` the entry id,
/// `data:` the entry as JSON), in commit order. Resumes after `Last-Event-ID` (header) or
/// `?lastEventId=`; without either it starts at the current end of the feed. Keep-alive
/// comments flow while idle. The stream ends when the server shuts down.
async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<StreamParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, RestJsonError> {
    caller.require(Role::Viewer)?;
    let header_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    // Subscribe before reading the position so no commit falls between the two.
    let wake = state.store.subscribe();
    let start = match header_id.or(params.last_event_id) {
        Some(id) => id,
        None => state.store.latest_change_id().await?,
    };
    let keep_alive = KeepAlive::new()
        .interval(state.config.keep_alive)
        .text("keep-alive");
    let shutdown = state.shutdown.clone();
    let events = stream::unfold(
        (state, wake, shutdown, start, false),
        |(state, mut wake, mut shutdown, last, mut wait)| async move {
            loop {
                if wait {
                    tokio::select! {
                        changed = wake.changed() => if changed.is_err() { return None },
                        _ = shutdown.wait_for(|s| *s) => return None,
                        // A safety net: re-read the feed now and then even without a wake-up
                        // (another node's commit once PostgreSQL is in).
                        _ = tokio::time::sleep(Duration::from_secs(5)) => {},
                    }
                }
                if *shutdown.borrow() {
                    return None;
                }
                match state.store.changes_after(last, STREAM_BATCH).await {
                    Ok(batch) if batch.is_empty() => wait = true,
                    Ok(batch) => {
                        wait = (batch.len() as i64) < STREAM_BATCH;
                        let next = batch.last().map_or(last, |e| e.id);
                        let out: Vec<Result<Event, Infallible>> = batch
                            .iter()
                            .map(|entry| {
                                Ok(Event::default()
                                    .id(entry.id.to_string())
                                    .data(serde_json::to_string(entry).unwrap_or_default()))
                            })
                            .collect();
                        return Some((stream::iter(out), (state, wake, shutdown, next, wait)));
                    }
                    Err(err) => {
                        tracing::warn!(%err, "change feed read failed; retrying");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        },
    )
    .flatten();
    Ok(Sse::new(events).keep_alive(keep_alive))
}
