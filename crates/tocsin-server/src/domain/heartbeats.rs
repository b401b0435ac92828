//! Heartbeats (dead man's switches): a monitor names an event pattern and an interval;
//! every matching event is a beat and moves the deadline to one interval after it. When the
//! deadline passes without a beat, the scheduler puts a `Heartbeat Missed` event on the bus
//! (source `tocsin.heartbeat`, dated at the deadline, not when Tocsin noticed), so a rule can
//! open an incident from any plan; the next beat puts `Heartbeat Recovered`.
//!
//! Durable and exactly once: the state (`MISSED`) is written in the transaction that puts
//! the `Heartbeat Missed` event; a deadline that passed while Tocsin was down is missed once
//! at start; a missed heartbeat has no deadline until it beats again.

use serde_json::json;
use tocsin_api::native::Change;
use tocsin_api::receivers::{Heartbeat, HeartbeatState, PutHeartbeat};
use tocsin_pattern::Pattern;

use crate::config::ServerConfig;
use crate::domain::compiled::RuleChange;
use crate::domain::error::{ApiError, ApiResult};
use crate::store::{StoreTx, StoredHeartbeat};

/// The `source` of the events heartbeats put on the bus (they never beat a heartbeat).
pub const SOURCE: &str = "tocsin.heartbeat";
/// `detail-type` of a missed deadline.
pub const MISSED: &str = "Heartbeat Missed";
/// `detail-type` of the first beat after a miss.
pub const RECOVERED: &str = "Heartbeat Recovered";
/// Longest interval: 31 days.
pub const MAX_INTERVAL_SECS: u64 = 31 * 24 * 3600;

/// A heartbeat's ARN (the `resources` of its events):
/// `arn:aws:tocsin:<region>:<account>:heartbeat/<name>`.
pub fn arn(config: &ServerConfig, name: &str) -> String {
    format!(
        "arn:aws:tocsin:{}:{}:heartbeat/{name}",
        config.region, config.account_id
    )
}

/// An event a heartbeat puts on its bus: (bus, source, detail-type, resources, detail,
/// time).
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatEvent {
    /// The bus.
    pub bus: String,
    /// `Heartbeat Missed` or `Heartbeat Recovered`.
    pub detail_type: &'static str,
    /// The heartbeat's ARN.
    pub resources: Vec<String>,
    /// `{name, intervalSeconds, lastBeatAt, dueAt}`.
    pub detail: serde_json::Value,
    /// When it happened (the deadline for a miss), epoch seconds.
    pub time: f64,
}

fn event(
    config: &ServerConfig,
    h: &Heartbeat,
    detail_type: &'static str,
    time: f64,
) -> HeartbeatEvent {
    HeartbeatEvent {
        bus: h.event_bus_name.clone(),
        detail_type,
        resources: vec![arn(config, &h.name)],
        detail: json!({
            "name": h.name,
            "intervalSeconds": h.interval_seconds,
            "lastBeatAt": h.last_beat_at,
            "dueAt": h.due_at,
            "missedAt": h.missed_at,
        }),
        time,
    }
}

/// Creates or replaces a heartbeat (`POST /v1/heartbeats`); its clock starts now.
///
/// Errors (`ValidationException`): a bad name, a pattern that does not parse, an interval
/// outside 1 s to 31 days.
/// `bus` is `req.eventBusName` as [`crate::domain::buses::resolve`] resolved it.
pub async fn put(
    tx: &mut dyn StoreTx,
    req: PutHeartbeat,
    bus: String,
    now: f64,
) -> ApiResult<RuleChange<Heartbeat>> {
    crate::domain::receivers::check_name(&req.name)?;
    Pattern::parse(&req.event_pattern).map_err(|e| {
        ApiError::Validation(format!("eventPattern is not a valid event pattern: {e}"))
    })?;
    if !(1..=MAX_INTERVAL_SECS).contains(&req.interval_seconds) {
        return Err(ApiError::Validation(
            "intervalSeconds must be 1 to 2678400 (31 days).".into(),
        ));
    }
    let heartbeat = Heartbeat {
        name: req.name,
        event_pattern: req.event_pattern,
        event_bus_name: bus,
        interval_seconds: req.interval_seconds,
        state: HeartbeatState::Waiting,
        last_beat_at: None,
        due_at: Some(now + req.interval_seconds as f64),
        missed_at: None,
        created_at: now,
    };
    tx.put_heartbeat(&StoredHeartbeat {
        heartbeat: heartbeat.clone(),
    })
    .await?;
    let feed_id = tx
        .append_change(&Change::HeartbeatChanged {
            name: heartbeat.name.clone(),
            deleted: false,
        })
        .await?;
    Ok(RuleChange {
        output: heartbeat,
        feed_id: Some(feed_id),
    })
}

/// Deletes a heartbeat. Errors: `ResourceNotFoundException`.
pub async fn delete(tx: &mut dyn StoreTx, name: &str) -> ApiResult<RuleChange<()>> {
    if !tx.delete_heartbeat(name).await? {
        return Err(ApiError::NotFound(format!(
            "Heartbeat {name} does not exist."
        )));
    }
    let feed_id = tx
        .append_change(&Change::HeartbeatChanged {
            name: name.to_owned(),
            deleted: true,
        })
        .await?;
    Ok(RuleChange {
        output: (),
        feed_id: Some(feed_id),
    })
}

/// Every heartbeat, by name.
pub async fn list(tx: &mut dyn StoreTx) -> ApiResult<Vec<Heartbeat>> {
    Ok(tx
        .heartbeats()
        .await?
        .into_iter()
        .map(|h| h.heartbeat)
        .collect())
}

/// A beat at `now`: the deadline moves; after a miss, returns the `Heartbeat Recovered`
/// event to put on the bus.
pub async fn beat(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
    now: f64,
) -> ApiResult<Option<HeartbeatEvent>> {
    let Some(mut stored) = tx.heartbeat(name).await? else {
        return Ok(None);
    };
    let h = &mut stored.heartbeat;
    let recovered = h.state == HeartbeatState::Missed;
    h.state = HeartbeatState::Ok;
    h.last_beat_at = Some(now);
    h.due_at = Some(now + h.interval_seconds as f64);
    let out = recovered.then(|| event(config, h, RECOVERED, now));
    tx.put_heartbeat(&stored).await?;
    if recovered {
        tx.append_change(&Change::HeartbeatChanged {
            name: name.to_owned(),
            deleted: false,
        })
        .await?;
    }
    Ok(out)
}

/// The scheduler's turn for a heartbeat whose deadline may have passed: marks it missed
/// (once) and returns the `Heartbeat Missed` event, dated at the deadline.
pub async fn miss(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
    now: f64,
) -> ApiResult<Option<HeartbeatEvent>> {
    let Some(mut stored) = tx.heartbeat(name).await? else {
        return Ok(None);
    };
    let h = &mut stored.heartbeat;
    let Some(due) = h.due_at.filter(|d| *d <= now) else {
        return Ok(None);
    };
    if h.state == HeartbeatState::Missed {
        return Ok(None);
    }
    h.state = HeartbeatState::Missed;
    h.missed_at = Some(due);
    let out = event(config, h, MISSED, due);
    h.due_at = None;
    tx.put_heartbeat(&stored).await?;
    tx.append_change(&Change::HeartbeatChanged {
        name: name.to_owned(),
        deleted: false,
    })
    .await?;
    Ok(Some(out))
}
