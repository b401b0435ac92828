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
use crate::worker::feed;

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
        .route(Get, "/v1/insights", "GetInsights", insights)
        .route(Get, "/v1/boards", "ListBoards", boards)
        .route(
            crate::http::routes::Verb::Post,
            "/v1/boards",
            "PutBoard",
            put_board,
        )
        .route(
            crate::http::routes::Verb::Post,
            "/v1/boards/delete",
            "DeleteBoard",
            delete_board,
        )
        .route(Get, "/v1/stream", "Stream", stream)
        .route(Get, "/metrics", "Metrics", metrics)
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

/// `GET /healthz`: 200 `{"status":"ok", "workers": [...], "matcherFeedId": N,
/// "databaseRoundTripMs": 0.2, "schedulerLease": true}` when the
/// database answers and every background worker is up; 503 with `"status":"degraded"`
/// while a worker is down (it is being restarted).
async fn healthz(
    _: Require<Public>,
    State(s): State<AppState>,
) -> RestResult<(StatusCode, Json<Health>)> {
    let asked = std::time::Instant::now();
    s.store.latest_change_id().await?;
    let database_round_trip_ms = asked.elapsed().as_secs_f64() * 1_000.0;
    let workers = s.supervisor.health();
    let up = s.supervisor.all_up();
    let health = Health {
        status: if up { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        workers,
        matcher_feed_id: s.rules.compiled_id(),
        database_round_trip_ms,
        scheduler_lease: *s.leading.borrow(),
    };
    let status = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((status, Json(health)))
}

/// Query of `/v1/wall`.
#[derive(Debug, Deserialize)]
pub struct WallParams {
    /// A past moment: epoch seconds (`1764471120.5`) or RFC 3339 (`2026-11-30T03:12:00Z`).
    at: Option<String>,
}

/// The moment `?at=` names, in epoch seconds.
///
/// Errors: `ValidationException` for text that is neither.
fn parse_at(text: &str) -> Result<f64, ApiError> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return Ok(seconds);
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis() as f64 / 1_000.0)
        .map_err(|_| {
            ApiError::Validation(format!(
                "at ({text}) is neither epoch seconds nor an RFC 3339 time (2026-11-30T03:12:00Z)."
            ))
        })
}

/// `GET /v1/wall`: every OPEN incident with what a wall-screen card shows, the change-feed
/// id the snapshot reflects and the feed's horizon. With `?at=` (epoch seconds or RFC
/// 3339): the wall as it stood then, replayed from the change feed
/// ([`crate::domain::time_travel::wall_at`]); a moment before the horizon or in the future
/// is a 400 naming it.
async fn wall(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<WallParams>,
) -> RestResult<Json<WallSnapshot>> {
    use crate::domain::time_travel;
    if let Some(at) = q.at.as_deref() {
        let at = parse_at(at)?;
        let now = crate::clock::now();
        return Ok(Json(read_tx!(s, |tx| {
            time_travel::wall_at(s.store.as_ref(), tx, at, now).await?
        })));
    }
    // Read the position first: anything committed later is replayed by the stream.
    let as_of_change_id = s.store.latest_change_id().await?;
    let horizon = time_travel::horizon(s.store.as_ref()).await?;
    let mut snapshot = read_tx!(s, |tx| views::wall_snapshot(tx, as_of_change_id).await?);
    snapshot.feed_horizon = horizon;
    Ok(Json(snapshot))
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

/// Query of `/v1/insights`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsightsParams {
    /// Days back, 1-366 (default 30).
    days: Option<String>,
    /// Only this response plan's incidents.
    response_plan_arn: Option<String>,
}

/// `GET /v1/insights?days=N&responsePlanArn=ARN` (viewer): incidents opened per UTC day by
/// impact, time to acknowledge and to resolve per plan (median, p90), the noisiest
/// triggers and plans, the dedupe ratio ([`crate::domain::insights`]). Errors: 400
/// `ValidationException` for `days` that is not a number from 1 to 366.
async fn insights(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<InsightsParams>,
) -> RestResult<Json<tocsin_api::insights::Insights>> {
    use crate::domain::insights::{DEFAULT_DAYS, MAX_DAYS};
    let days = match q.days.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_DAYS,
        Some(text) => text.parse::<u32>().map_err(|_| {
            ApiError::Validation(format!(
                "days ({text}) must be a whole number from 1 to {MAX_DAYS}."
            ))
        })?,
    };
    let plan = q.response_plan_arn.filter(|p| !p.trim().is_empty());
    Ok(Json(read_tx!(s, |tx| {
        crate::domain::insights::insights(tx, days, plan.as_deref(), crate::clock::now()).await?
    })))
}

/// `GET /v1/boards`: every board (saved wall view), by name (viewer).
async fn boards(
    _: Require<Viewer>,
    State(s): State<AppState>,
) -> RestResult<Json<Vec<tocsin_api::boards::Board>>> {
    Ok(Json(
        read_tx!(s, |tx| crate::domain::boards::list(tx).await?)
    ))
}

/// `POST /v1/boards` ([`tocsin_api::boards::Board`], responder): creates or replaces a
/// board; answers it as stored (with `updatedBy`, `updatedAt`). Errors: 400
/// `ValidationException` naming the field.
async fn put_board(
    Require { caller, .. }: Require<crate::http::extract::Responder>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<tocsin_api::boards::Board>,
) -> RestResult<Json<tocsin_api::boards::Board>> {
    let audit = crate::http::audit::Audit::new(&caller, "PutBoard", format!("board/{}", req.name));
    let board = write_tx!(s, audit, |tx| {
        crate::domain::boards::put(tx, &caller, req.clone(), crate::clock::now()).await?
    });
    Ok(Json(board))
}

/// `POST /v1/boards/delete` `{"name"}` (responder): 204; 404 when there is no such board.
async fn delete_board(
    Require { caller, .. }: Require<crate::http::extract::Responder>,
    State(s): State<AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<
        tocsin_api::boards::DeleteBoard,
    >,
) -> RestResult<StatusCode> {
    let audit =
        crate::http::audit::Audit::new(&caller, "DeleteBoard", format!("board/{}", req.name));
    write_tx!(s, audit, |tx| crate::domain::boards::delete(tx, &req.name)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /metrics`: every metric in the Prometheus text exposition format 0.0.4 (see
/// [`crate::metrics`] for the list). Needs a viewer key, or the operator's scrape token
/// (`--metrics-token`, sent as `Authorization: Bearer <token>`).
async fn metrics(
    _: Require<Viewer>,
    State(state): State<AppState>,
) -> RestResult<impl axum::response::IntoResponse> {
    let queues = state.store.queue_depths().await?;
    crate::metrics::sample(
        state
            .open_streams
            .load(std::sync::atomic::Ordering::Relaxed),
        state.feed.position(),
        &queues,
    );
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(),
    ))
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
///
/// Two named events tell the client what plain entries cannot:
/// - `event: reset` (first, `id:` the newest entry, `data: {"reason", "lastEventId",
///   "latestId"}`) when the id it resumes from is older than the retained feed (entries it
///   never saw were deleted) or newer than the newest entry (another database, or a typo):
///   the client reloads its snapshot; the stream goes on after `latestId`.
/// - `event: closed` (`data: {"reason"}`) just before the server ends a stream that fell
///   more than [`feed::CHANNEL_BATCHES`] batches behind; the client reconnects with
///   `Last-Event-ID` and catches up from the database.
///
/// Entries come from the one feed tailer ([`crate::worker::feed`]); a stream reads the
/// database only to catch up when it connects.
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
    // Subscribe before reading the position: every entry above it arrives on `live`.
    let live = state.feed.subscribe();
    let position = state.feed.position();
    let newest = state.store.latest_change_id().await?;
    let mut prelude = Vec::new();
    let start = match header_id.or(params.last_event_id) {
        None => newest,
        Some(id) if id > newest => {
            prelude.push(reset(id, newest, "newer than the newest change-feed entry"));
            newest
        }
        Some(id) => {
            let floor = state.store.feed_floor().await?;
            if id < floor {
                prelude.push(reset(
                    id,
                    newest,
                    "older than the retained change feed (entries after it were deleted)",
                ));
                newest
            } else {
                id
            }
        }
    };
    let keep_alive = KeepAlive::new()
        .interval(state.config.keep_alive)
        .text("keep-alive");
    let tail = Tail {
        shutdown: state.shutdown.clone(),
        state,
        live,
        last: start,
        catch_up_to: position,
        ended: false,
        _slot: slot,
    };
    let events = stream::iter(prelude.into_iter().map(Ok)).chain(
        stream::unfold(tail, |mut tail| async move {
            let out = tail.next().await?;
            Some((stream::iter(out.into_iter().map(Ok)), tail))
        })
        .flatten(),
    );
    Ok(Sse::new(events).keep_alive(keep_alive))
}

/// The `reset` event for a stream asked to resume after `asked` (see [`stream`]).
fn reset(asked: i64, newest: i64, why: &str) -> Event {
    Event::default().event("reset").id(newest.to_string()).data(
        serde_json::json!({
            "reason": format!("lastEventId {asked} is {why}; reload the snapshot"),
            "lastEventId": asked,
            "latestId": newest,
        })
        .to_string(),
    )
}

/// One stream's place: catching up from the database to `catch_up_to`, then following
/// the tailer's batches.
struct Tail {
    state: AppState,
    shutdown: tokio::sync::watch::Receiver<bool>,
    live: tokio::sync::broadcast::Receiver<feed::Batch>,
    /// The newest id sent (or skipped as already known).
    last: i64,
    /// The tailer's position when the stream subscribed.
    catch_up_to: i64,
    ended: bool,
    _slot: StreamSlot,
}

impl Tail {
    fn events(&mut self, entries: &[feed::Rendered]) -> Vec<Event> {
        let out: Vec<Event> = entries
            .iter()
            .filter(|e| e.id > self.last)
            .map(|e| Event::default().id(e.id.to_string()).data(&e.data))
            .collect();
        if let Some(e) = entries.last() {
            self.last = self.last.max(e.id);
        }
        out
    }

    /// The next events to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Vec<Event>> {
        use tokio::sync::broadcast::error::RecvError;
        if self.ended || *self.shutdown.borrow() {
            return None;
        }
        while self.last < self.catch_up_to {
            match self
                .state
                .store
                .feed_rows_after(self.last, feed::READ_BATCH)
                .await
            {
                Ok(rows) if rows.is_empty() => break,
                Ok(rows) => {
                    let rendered: Vec<feed::Rendered> =
                        rows.iter().map(feed::Rendered::of).collect();
                    return Some(self.events(&rendered));
                }
                Err(err) => {
                    tracing::warn!(%err, "change feed read failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    if *self.shutdown.borrow() {
                        return None;
                    }
                }
            }
        }
        self.catch_up_to = 0;
        loop {
            let received = tokio::select! {
                r = self.live.recv() => r,
                _ = self.shutdown.wait_for(|s| *s) => return None,
            };
            match received {
                Ok(batch) => {
                    let out = self.events(&batch);
                    if !out.is_empty() {
                        return Some(out);
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    self.ended = true;
                    tracing::info!(
                        missed,
                        last = self.last,
                        "closing a stream that fell behind"
                    );
                    return Some(vec![
                        Event::default().event("closed").data(
                            serde_json::json!({
                                "reason": format!(
                                    "this stream fell {missed} batches behind the change feed; \
                                     reconnect with Last-Event-ID {} to catch up",
                                    self.last
                                ),
                            })
                            .to_string(),
                        ),
                    ]);
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    fn batch(ids: std::ops::Range<i64>) -> feed::Batch {
        std::sync::Arc::new(
            ids.map(|id| feed::Rendered {
                id,
                data: format!("{{\"id\":{id}}}"),
            })
            .collect(),
        )
    }

    /// A stream that falls more batches behind than the channel holds is sent
    /// `event: closed` with the id to resume from, and then ends (issue 12).
    #[tokio::test]
    async fn a_stream_that_lags_is_closed_with_the_id_to_resume_from() {
        let store = SqliteStore::open("sqlite::memory:").await.unwrap();
        let (state, _stop) = AppState::new(
            std::sync::Arc::new(store),
            crate::config::ServerConfig::default(),
        )
        .await
        .unwrap();
        let (sender, live) = tokio::sync::broadcast::channel(2);
        sender.send(batch(1..3)).unwrap();
        let mut tail = Tail {
            shutdown: state.shutdown.clone(),
            state: state.clone(),
            live,
            last: 0,
            catch_up_to: 0,
            ended: false,
            _slot: StreamSlot::take(&state.open_streams, 10).unwrap(),
        };
        let first = tail.next().await.unwrap();
        assert_eq!(first.len(), 2, "entries 1 and 2 are sent");
        // Five more batches into a channel of two: the stream lost three.
        for n in 0..5 {
            sender.send(batch(3 + n..4 + n)).unwrap();
        }
        let closed = tail.next().await.unwrap();
        assert_eq!(closed.len(), 1);
        let text = format!("{:?}", closed[0]);
        assert!(text.contains("closed"), "{text}");
        assert!(
            text.contains("fell 3 batches behind") && text.contains("Last-Event-ID 2"),
            "{text}"
        );
        assert!(
            tail.next().await.is_none(),
            "the stream ends after `closed`"
        );
    }
}
