//! Tocsin-native endpoints: health, the dashboard's summary views and the live stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use futures::stream::{self, StreamExt};
use serde::Deserialize;
use tocsin_api::native::{Delivery, Health, IncidentDetail, WallSnapshot};

use crate::domain::views;
use crate::http::error::{ApiError, RestJsonError};
use crate::http::extract::{Public, Require, Viewer};
use crate::http::routes::Routes;
use crate::http::routes::Verb::Get;
use crate::http::state::AppState;

/// Most change-feed entries read per query while streaming.
const STREAM_BATCH: i64 = 500;

type RestResult<T> = Result<T, RestJsonError>;

/// The native routes, each with its role.
pub fn routes() -> Routes {
    Routes::new()
        .route(Get, "/healthz", "Health", healthz)
        .route(Get, "/v1/wall", "GetWall", wall)
        .route(Get, "/v1/incident", "GetIncidentDetail", incident_detail)
        .route(
            Get,
            "/v1/incidents/recent-changes",
            "ListRecentChanges",
            recent_changes,
        )
        .route(
            Get,
            "/v1/change-patterns",
            "ListChangePatterns",
            change_patterns,
        )
        .route(
            crate::http::routes::Verb::Post,
            "/v1/change-patterns",
            "PutChangePattern",
            put_change_pattern,
        )
        .route(
            crate::http::routes::Verb::Post,
            "/v1/change-patterns/delete",
            "DeleteChangePattern",
            delete_change_pattern,
        )
        .route(
            crate::http::routes::Verb::Post,
            "/v1/rules/backtest",
            "BacktestRule",
            backtest,
        )
        .route(Get, "/v1/stream", "Stream", stream)
        .route(Get, "/v1/deliveries", "ListDeliveries", deliveries)
        .route(
            crate::http::routes::Verb::Post,
            "/v1/incidents/acknowledge",
            "AcknowledgeIncident",
            acknowledge,
        )
}

/// `POST /v1/incidents/acknowledge {"incidentRecordArn", "note"?, "expiresInSeconds"?}`:
/// acknowledges an incident as the caller (see
/// [`crate::domain::engagements::acknowledge_incident`]); answers the acknowledgement.
async fn acknowledge(
    Require { caller, .. }: Require<crate::http::extract::Responder>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<
        tocsin_api::native::AcknowledgeIncident,
    >,
) -> RestResult<Json<tocsin_api::native::Acknowledgement>> {
    let audit = crate::http::audit::Audit::new(
        &caller,
        "AcknowledgeIncident",
        req.incident_record_arn.clone(),
    );
    let ack = write_tx!(s, audit, |tx| {
        let arn = req.incident_record_arn.clone();
        let ack = crate::domain::engagements::acknowledge_incident(
            tx,
            &s.config,
            &caller,
            req,
            crate::clock::now(),
        )
        .await?;
        crate::domain::incidents::announce(tx, &arn).await?;
        ack
    });
    Ok(Json(ack))
}

/// `GET /healthz`: 200 `{"status":"ok", "workers": [...], "matcherFeedId": N}` when the
/// database answers and every background worker is up; 503 with `"status":"degraded"`
/// while a worker is down (it is being restarted).
async fn healthz(
    _: Require<Public>,
    State(s): State<AppState>,
) -> RestResult<(StatusCode, Json<Health>)> {
    s.store.latest_change_id().await?;
    let workers = s.supervisor.health();
    let up = s.supervisor.all_up();
    let health = Health {
        status: if up { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        workers,
        matcher_feed_id: s.rules.compiled_id(),
    };
    let status = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((status, Json(health)))
}

/// `GET /v1/wall`: every OPEN incident with what a wall-screen card shows, and the
/// change-feed id the snapshot reflects.
async fn wall(_: Require<Viewer>, State(s): State<AppState>) -> RestResult<Json<WallSnapshot>> {
    read_tx!(s, |tx| {
        // Read the position first: anything committed later is replayed by the stream.
        let as_of_change_id = s.store.latest_change_id().await?;
        Ok(Json(views::wall_snapshot(tx, as_of_change_id).await?))
    })
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
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<DeliveryParams>,
) -> RestResult<Json<Vec<Delivery>>> {
    read_tx!(s, |tx| {
        Ok(Json(
            views::deliveries(tx, q.status.as_deref(), q.limit).await?,
        ))
    })
}

/// `?arn=` of `/v1/incident`.
#[derive(Debug, Deserialize)]
pub struct IncidentQueryParams {
    arn: Option<String>,
}

/// `GET /v1/incident?arn=`: the incident with its whole timeline (with event data) and
/// related items.
async fn incident_detail(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<IncidentQueryParams>,
) -> RestResult<Json<IncidentDetail>> {
    let arn = q
        .arn
        .ok_or_else(|| ApiError::Validation("Query parameter 'arn' is required.".into()))?;
    Ok(Json(
        read_tx!(s, |tx| views::incident_detail(tx, &arn).await?)
    ))
}

/// `GET /v1/incidents/recent-changes?arn=`: the change events of the incident's window
/// ([`crate::domain::findings::recent_changes`]), newest first.
async fn recent_changes(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<IncidentQueryParams>,
) -> RestResult<Json<Vec<serde_json::Value>>> {
    let arn = q
        .arn
        .ok_or_else(|| ApiError::Validation("Query parameter 'arn' is required.".into()))?;
    Ok(Json(read_tx!(s, |tx| {
        crate::domain::findings::recent_changes(tx, &arn).await?
    })))
}

/// `POST /v1/rules/backtest` ([`crate::domain::backtest::BacktestRequest`]): a draft
/// pattern over an archive's events (viewer).
async fn backtest(
    _: Require<Viewer>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<
        crate::domain::backtest::BacktestRequest,
    >,
) -> RestResult<Json<serde_json::Value>> {
    Ok(Json(read_tx!(s, |tx| {
        crate::domain::backtest::run(tx, &s.config, req, crate::clock::now()).await?
    })))
}

/// `GET /v1/change-patterns`: the admin-set change patterns.
async fn change_patterns(
    _: Require<Viewer>,
    State(s): State<AppState>,
) -> RestResult<Json<Vec<crate::domain::findings::ChangePattern>>> {
    Ok(Json(read_tx!(s, |tx| {
        crate::domain::findings::patterns(tx).await?
    })))
}

/// `POST /v1/change-patterns` `{"name", "eventPattern"}` (admin): creates or replaces one;
/// answers once ingest applies it.
async fn put_change_pattern(
    Require { caller, .. }: Require<crate::http::extract::Admin>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<
        crate::domain::findings::ChangePattern,
    >,
) -> RestResult<axum::http::StatusCode> {
    let audit = crate::http::audit::Audit::new(
        &caller,
        "PutChangePattern",
        format!("change-pattern/{}", req.name),
    );
    rule_change!(s, audit, |tx| crate::domain::compiled::RuleChange {
        output: (),
        feed_id: Some(crate::domain::findings::put_pattern(tx, req).await?),
    });
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /v1/change-patterns/delete` `{"name"}` (admin): 204.
async fn delete_change_pattern(
    Require { caller, .. }: Require<crate::http::extract::Admin>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<
        tocsin_api::receivers::ByName,
    >,
) -> RestResult<axum::http::StatusCode> {
    let audit = crate::http::audit::Audit::new(
        &caller,
        "DeleteChangePattern",
        format!("change-pattern/{}", req.name),
    );
    rule_change!(s, audit, |tx| crate::domain::compiled::RuleChange {
        output: (),
        feed_id: Some(crate::domain::findings::delete_pattern(tx, &req.name).await?),
    });
    Ok(axum::http::StatusCode::NO_CONTENT)
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
    _: Require<Viewer>,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<StreamParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, RestJsonError> {
    let header_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let slot = StreamSlot::take(&state.open_streams, state.config.max_streams)?;
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
        (state, wake, shutdown, start, false, slot),
        |(state, mut wake, mut shutdown, last, mut wait, slot)| async move {
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
                        return Some((
                            stream::iter(out),
                            (state, wake, shutdown, next, wait, slot),
                        ));
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

/// One of the `--max-streams` places for an open stream; freed when the stream ends.
struct StreamSlot(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl StreamSlot {
    /// Takes a place, or answers `ServiceUnavailableException` when all are taken.
    fn take(
        open: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
        max: usize,
    ) -> Result<Self, ApiError> {
        use std::sync::atomic::Ordering;
        let taken = open.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < max).then_some(n + 1)
        });
        match taken {
            Ok(_) => Ok(StreamSlot(open.clone())),
            Err(n) => Err(ApiError::Unavailable(format!(
                "This server has {n} live streams open, its limit (--max-streams); try again later."
            ))),
        }
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}
