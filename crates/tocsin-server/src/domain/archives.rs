//! EventBridge archives and replays (EventBridge 2015-10-07): `CreateArchive`,
//! `DescribeArchive`, `ListArchives`, `UpdateArchive`, `DeleteArchive`, `StartReplay`,
//! `DescribeReplay`, `ListReplays`, `CancelReplay`.
//!
//! An archive keeps, in its own table (`archive_events`), a copy of every event that reaches
//! its bus and matches its pattern (all events without one), stamped with the time it
//! reached the bus; events older than `RetentionDays` (0: never) are deleted in small
//! batches by the archive worker. Replayed events are never archived again.
//!
//! A replay puts an archive's events from `[EventStartTime, EventEndTime)` back on the
//! archive's bus in their original order, each with a new id and a top-level `replay-name`,
//! routed to the rules in `Destination.FilterArns` (every rule of the bus when absent). The
//! archive worker runs it in batches of [`REPLAY_BATCH`] events per transaction, recording
//! `EventLastReplayedTime` and moving it through `STARTING`, `RUNNING` and `COMPLETED` (or
//! `CANCELLING` and `CANCELLED`), each change announced as `ReplayChanged`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use tocsin_api::events::{
    ArchiveRef, CreateArchiveRequest, ListArchivesRequest, ListReplaysRequest, ReplayDestination,
    ReplayRef, StartReplayRequest, UpdateArchiveRequest,
};
use tocsin_api::native::Change;

use crate::config::ServerConfig;
use crate::domain::buses;
use crate::domain::compiled::RuleChange;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate::{self, Page};
use crate::store::StoreTx;

/// Resource kind of archives in [`crate::store::ResourceStore`].
pub const ARCHIVE: &str = buses::ARCHIVE_KIND;
/// Resource kind of replays.
pub const REPLAY: &str = "replay";
/// Archived events replayed per transaction.
pub const REPLAY_BATCH: i64 = 100;
/// Most archives (EventBridge's default quota is 200 per account and region).
pub const MAX_ARCHIVES: usize = 200;
/// Most replays running at once (EventBridge's quota is 10).
pub const MAX_ACTIVE_REPLAYS: usize = 10;

/// A stored archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredArchive {
    /// Its name.
    pub name: String,
    /// The bus it keeps events of.
    pub event_bus_name: String,
    /// Description.
    pub description: Option<String>,
    /// Pattern (all events when absent).
    pub event_pattern: Option<String>,
    /// Days kept; 0: indefinitely.
    pub retention_days: i32,
    /// As given.
    pub kms_key_identifier: Option<String>,
    /// Epoch seconds.
    pub created_at: f64,
}

/// A stored replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredReplay {
    /// Its name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The archive it replays.
    pub archive: String,
    /// Where events go.
    pub destination: ReplayDestination,
    /// The bus name of `destination.arn`.
    pub event_bus_name: String,
    /// Epoch seconds, inclusive.
    pub event_start_time: f64,
    /// Epoch seconds, exclusive.
    pub event_end_time: f64,
    /// `STARTING`, `RUNNING`, `CANCELLING`, `COMPLETED`, `CANCELLED` or `FAILED`.
    pub state: String,
    /// Why it is in its state.
    pub state_reason: Option<String>,
    /// Epoch seconds.
    pub replay_start_time: f64,
    /// Epoch seconds, once it ended.
    pub replay_end_time: Option<f64>,
    /// The archive time of the last event replayed.
    pub event_last_replayed_time: Option<f64>,
    /// The last (archive time, event id) replayed: where the next batch starts.
    pub cursor: Option<(f64, String)>,
    /// Events replayed so far.
    pub replayed: u64,
}

impl StoredReplay {
    /// Whether the archive worker still has work on it.
    pub fn is_active(&self) -> bool {
        matches!(self.state.as_str(), "STARTING" | "RUNNING" | "CANCELLING")
    }
}

/// `arn:aws:events:<region>:<account>:archive/<name>`.
pub fn archive_arn(config: &ServerConfig, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:archive/{name}",
        config.region, config.account_id
    )
}

/// `arn:aws:events:<region>:<account>:replay/<name>`.
pub fn replay_arn(config: &ServerConfig, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:replay/{name}",
        config.region, config.account_id
    )
}

fn archive_name(name: &str) -> ApiResult<()> {
    validate::name("archiveName", name, 48, ".-_", "[\\.\\-_A-Za-z0-9]+")
}

fn replay_name(name: &str) -> ApiResult<()> {
    validate::name("replayName", name, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, body: serde_json::Value) -> ApiResult<T> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::Internal(format!("stored {what}: {e}").into()))
}

/// An archive by name, if it exists.
pub async fn archive(tx: &mut dyn StoreTx, name: &str) -> ApiResult<Option<StoredArchive>> {
    match tx.resource(ARCHIVE, name).await? {
        Some(body) => decode("archive", body).map(Some),
        None => Ok(None),
    }
}

async fn existing_archive(tx: &mut dyn StoreTx, name: &str) -> ApiResult<StoredArchive> {
    archive(tx, name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Archive {name} does not exist.")))
}

/// Every archive, by name.
pub async fn all_archives(tx: &mut dyn StoreTx) -> ApiResult<Vec<StoredArchive>> {
    tx.resources(ARCHIVE, "")
        .await?
        .into_iter()
        .map(|b| decode("archive", b))
        .collect()
}

/// A replay by name, if it exists.
pub async fn replay(tx: &mut dyn StoreTx, name: &str) -> ApiResult<Option<StoredReplay>> {
    match tx.resource(REPLAY, name).await? {
        Some(body) => decode("replay", body).map(Some),
        None => Ok(None),
    }
}

/// Every replay, by name.
pub async fn all_replays(tx: &mut dyn StoreTx) -> ApiResult<Vec<StoredReplay>> {
    tx.resources(REPLAY, "")
        .await?
        .into_iter()
        .map(|b| decode("replay", b))
        .collect()
}

/// Stores a replay and announces its state.
pub async fn save_replay(tx: &mut dyn StoreTx, r: &StoredReplay) -> ApiResult<()> {
    tx.put_resource(
        REPLAY,
        &r.name,
        &serde_json::to_value(r).unwrap_or_default(),
    )
    .await?;
    tx.append_change(&Change::ReplayChanged {
        name: r.name.clone(),
        state: r.state.clone(),
    })
    .await?;
    Ok(())
}

fn check_archive_settings(
    description: Option<&str>,
    kms: Option<&str>,
    pattern: Option<&str>,
    retention_days: Option<i32>,
) -> ApiResult<()> {
    validate::opt_length("description", description, 512)?;
    validate::opt_kms_key(kms)?;
    if let Some(p) = pattern {
        crate::domain::rules::parse_pattern(p)?;
    }
    if let Some(days) = retention_days
        && days < 0
    {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{days}' at 'retentionDays' failed to satisfy constraint: Member must have value greater than or equal to 0"
        )));
    }
    Ok(())
}

fn archive_changed(name: &str, deleted: bool) -> Change {
    Change::ArchiveChanged {
        name: name.to_owned(),
        deleted,
    }
}

/// The bus an `EventSourceArn` names (an event-bus ARN of this account and region).
async fn source_bus(tx: &mut dyn StoreTx, config: &ServerConfig, arn: &str) -> ApiResult<String> {
    validate::length("eventSourceArn", arn, 1, 1600)?;
    let Some((_, name)) = arn.split_once(":event-bus/") else {
        return Err(ApiError::Validation(format!(
            "Parameter EventSourceArn is not valid. Reason: {arn} is not an event bus ARN."
        )));
    };
    let bus = buses::resolve(tx, Some(name)).await?;
    if buses::arn(config, &bus) != arn {
        return Err(ApiError::NotFound(format!(
            "Event bus {arn} does not exist."
        )));
    }
    Ok(bus)
}

/// Mirrors CreateArchive: answers `{ArchiveArn, State: ENABLED, CreationTime}`; events
/// reaching the bus are kept from the moment this answers.
///
/// Errors: `ResourceAlreadyExistsException`, `ResourceNotFoundException` (the bus),
/// `InvalidEventPatternException`, `LimitExceededException` past [`MAX_ARCHIVES`],
/// `ValidationException`.
pub async fn create_archive(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: CreateArchiveRequest,
    now: f64,
) -> ApiResult<RuleChange<serde_json::Value>> {
    archive_name(&req.archive_name)?;
    check_archive_settings(
        req.description.as_deref(),
        req.kms_key_identifier.as_deref(),
        req.event_pattern.as_deref(),
        req.retention_days,
    )?;
    let bus = source_bus(tx, config, &req.event_source_arn).await?;
    if archive(tx, &req.archive_name).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "Archive {} already exists.",
            req.archive_name
        )));
    }
    if all_archives(tx).await?.len() >= MAX_ARCHIVES {
        return Err(ApiError::LimitExceeded(format!(
            "The requested resource exceeds the maximum number allowed: at most {MAX_ARCHIVES} archives."
        )));
    }
    let a = StoredArchive {
        name: req.archive_name,
        event_bus_name: bus,
        description: req.description,
        event_pattern: req.event_pattern,
        retention_days: req.retention_days.unwrap_or(0),
        kms_key_identifier: req.kms_key_identifier,
        created_at: now,
    };
    tx.put_resource(
        ARCHIVE,
        &a.name,
        &serde_json::to_value(&a).unwrap_or_default(),
    )
    .await?;
    let feed_id = tx.append_change(&archive_changed(&a.name, false)).await?;
    Ok(RuleChange {
        output: json!({
            "ArchiveArn": archive_arn(config, &a.name),
            "State": "ENABLED",
            "CreationTime": now,
        }),
        feed_id: Some(feed_id),
    })
}

/// Mirrors DescribeArchive, with the archive's `EventCount` and `SizeBytes` as stored.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn describe_archive(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ArchiveRef,
) -> ApiResult<serde_json::Value> {
    archive_name(&req.archive_name)?;
    let a = existing_archive(tx, &req.archive_name).await?;
    let mut out = summary(tx, config, &a).await?;
    out["ArchiveArn"] = json!(archive_arn(config, &a.name));
    if let Some(d) = &a.description {
        out["Description"] = json!(d);
    }
    if let Some(p) = &a.event_pattern {
        out["EventPattern"] = json!(p);
    }
    if let Some(k) = &a.kms_key_identifier {
        out["KmsKeyIdentifier"] = json!(k);
    }
    Ok(out)
}

/// The model's `Archive` (a ListArchives entry).
async fn summary(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    a: &StoredArchive,
) -> ApiResult<serde_json::Value> {
    let (count, bytes) = tx.archive_stats(&a.name).await?;
    Ok(json!({
        "ArchiveName": a.name,
        "EventSourceArn": buses::arn(config, &a.event_bus_name),
        "State": "ENABLED",
        "RetentionDays": a.retention_days,
        "SizeBytes": bytes,
        "EventCount": count,
        "CreationTime": a.created_at,
    }))
}

/// Mirrors ListArchives (`NamePrefix`, `EventSourceArn`, `State`, `Limit` 1-100).
///
/// Errors: `ValidationException`.
pub async fn list_archives(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ListArchivesRequest,
) -> ApiResult<serde_json::Value> {
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    validate::opt_prefix("namePrefix", req.name_prefix.as_deref(), 48, ".-_")?;
    validate::opt_arn("eventSourceArn", req.event_source_arn.as_deref(), 1600)?;
    if let Some(state) = req.state.as_deref() {
        validate::one_of(
            "state",
            state,
            &[
                "ENABLED",
                "DISABLED",
                "CREATING",
                "UPDATING",
                "CREATE_FAILED",
                "UPDATE_FAILED",
            ],
        )?;
    }
    let prefix = req.name_prefix.unwrap_or_default();
    let mut out = Vec::new();
    for a in all_archives(tx).await? {
        let bus_arn = buses::arn(config, &a.event_bus_name);
        if a.name.starts_with(&prefix)
            && req.event_source_arn.as_deref().is_none_or(|s| s == bus_arn)
            && req.state.as_deref().is_none_or(|s| s == "ENABLED")
        {
            out.push(summary(tx, config, &a).await?);
        }
    }
    Ok(page.answer("Archives", "NextToken", out))
}

/// Mirrors UpdateArchive: the given description, pattern (for events from now on),
/// retention and KMS key replace the stored ones.
///
/// Errors: `ResourceNotFoundException`, `InvalidEventPatternException`,
/// `ValidationException`.
pub async fn update_archive(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: UpdateArchiveRequest,
) -> ApiResult<RuleChange<serde_json::Value>> {
    archive_name(&req.archive_name)?;
    check_archive_settings(
        req.description.as_deref(),
        req.kms_key_identifier.as_deref(),
        req.event_pattern.as_deref(),
        req.retention_days,
    )?;
    let mut a = existing_archive(tx, &req.archive_name).await?;
    validate::overwrite(&mut a.description, req.description);
    validate::overwrite(&mut a.event_pattern, req.event_pattern);
    validate::overwrite(&mut a.kms_key_identifier, req.kms_key_identifier);
    if let Some(days) = req.retention_days {
        a.retention_days = days;
    }
    tx.put_resource(
        ARCHIVE,
        &a.name,
        &serde_json::to_value(&a).unwrap_or_default(),
    )
    .await?;
    let feed_id = tx.append_change(&archive_changed(&a.name, false)).await?;
    Ok(RuleChange {
        output: json!({
            "ArchiveArn": archive_arn(config, &a.name),
            "State": "ENABLED",
            "CreationTime": a.created_at,
        }),
        feed_id: Some(feed_id),
    })
}

/// Mirrors DeleteArchive: the archive and every event it kept. A replay still running from
/// it is refused.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn delete_archive(tx: &mut dyn StoreTx, req: ArchiveRef) -> ApiResult<RuleChange<()>> {
    archive_name(&req.archive_name)?;
    existing_archive(tx, &req.archive_name).await?;
    if let Some(r) = all_replays(tx)
        .await?
        .into_iter()
        .find(|r| r.archive == req.archive_name && r.is_active())
    {
        return Err(ApiError::Validation(format!(
            "Archive {} is being replayed by {}; cancel it first.",
            req.archive_name, r.name
        )));
    }
    tx.delete_resource(ARCHIVE, &req.archive_name).await?;
    tx.delete_archived(&req.archive_name).await?;
    let feed_id = tx
        .append_change(&archive_changed(&req.archive_name, true))
        .await?;
    Ok(RuleChange {
        output: (),
        feed_id: Some(feed_id),
    })
}

/// Mirrors StartReplay: answers `{ReplayArn, State: STARTING, ReplayStartTime}`; the
/// archive worker runs it.
///
/// Errors: `ResourceNotFoundException` (the archive), `ResourceAlreadyExistsException`,
/// `LimitExceededException` past [`MAX_ACTIVE_REPLAYS`] running, `ValidationException`
/// (times not in order or in the future, a destination other than the archive's bus, a
/// filter that is not a rule of that bus).
pub async fn start_replay(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: StartReplayRequest,
    now: f64,
) -> ApiResult<serde_json::Value> {
    replay_name(&req.replay_name)?;
    validate::opt_length("description", req.description.as_deref(), 512)?;
    validate::opt_arn("eventSourceArn", Some(&req.event_source_arn), 1600)?;
    validate::length("destination.arn", &req.destination.arn, 1, 1600)?;
    if req.event_start_time >= req.event_end_time {
        return Err(ApiError::Validation(
            "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.".into(),
        ));
    }
    if req.event_end_time > now + 1.0 {
        return Err(ApiError::Validation(
            "Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future."
                .into(),
        ));
    }
    let archive = req
        .event_source_arn
        .split_once(":archive/")
        .map(|(_, n)| n.to_owned())
        .filter(|n| archive_arn(config, n) == req.event_source_arn)
        .ok_or_else(|| {
            ApiError::NotFound(format!("Archive {} does not exist.", req.event_source_arn))
        })?;
    let a = existing_archive(tx, &archive).await?;
    if req.destination.arn != buses::arn(config, &a.event_bus_name) {
        return Err(ApiError::Validation(
            "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.".into(),
        ));
    }
    for rule in req.destination.filter_arns.iter().flatten() {
        validate::length("destination.filterArns.member", rule, 1, 1600)?;
        let on_bus = tx
            .rule(rule)
            .await?
            .is_some_and(|r| r.event_bus_name == a.event_bus_name);
        if !on_bus {
            return Err(ApiError::Validation(format!(
                "Parameter Destination.FilterArns is not valid. Reason: {rule} is not a rule on event bus {}.",
                a.event_bus_name
            )));
        }
    }
    let replays = all_replays(tx).await?;
    if replays.iter().any(|r| r.name == req.replay_name) {
        return Err(ApiError::Conflict(format!(
            "Replay {} already exists.",
            req.replay_name
        )));
    }
    if replays.iter().filter(|r| r.is_active()).count() >= MAX_ACTIVE_REPLAYS {
        return Err(ApiError::LimitExceeded(format!(
            "The requested resource exceeds the maximum number allowed: at most {MAX_ACTIVE_REPLAYS} replays running."
        )));
    }
    let r = StoredReplay {
        name: req.replay_name,
        description: req.description,
        archive,
        event_bus_name: a.event_bus_name,
        destination: req.destination,
        event_start_time: req.event_start_time,
        event_end_time: req.event_end_time,
        state: "STARTING".into(),
        state_reason: None,
        replay_start_time: now,
        replay_end_time: None,
        event_last_replayed_time: None,
        cursor: None,
        replayed: 0,
    };
    save_replay(tx, &r).await?;
    Ok(json!({
        "ReplayArn": replay_arn(config, &r.name),
        "State": r.state,
        "ReplayStartTime": now,
    }))
}

/// The model's `Replay` (a ListReplays entry).
fn replay_summary(config: &ServerConfig, r: &StoredReplay) -> serde_json::Value {
    let mut out = json!({
        "ReplayName": r.name,
        "EventSourceArn": archive_arn(config, &r.archive),
        "State": r.state,
        "EventStartTime": r.event_start_time,
        "EventEndTime": r.event_end_time,
        "ReplayStartTime": r.replay_start_time,
    });
    if let Some(reason) = &r.state_reason {
        out["StateReason"] = json!(reason);
    }
    if let Some(t) = r.event_last_replayed_time {
        out["EventLastReplayedTime"] = json!(t);
    }
    if let Some(t) = r.replay_end_time {
        out["ReplayEndTime"] = json!(t);
    }
    out
}

/// Mirrors DescribeReplay.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn describe_replay(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ReplayRef,
) -> ApiResult<serde_json::Value> {
    replay_name(&req.replay_name)?;
    let r = replay(tx, &req.replay_name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Replay {} does not exist.", req.replay_name)))?;
    let mut out = replay_summary(config, &r);
    out["ReplayArn"] = json!(replay_arn(config, &r.name));
    out["Destination"] = serde_json::to_value(&r.destination).unwrap_or_default();
    if let Some(d) = &r.description {
        out["Description"] = json!(d);
    }
    Ok(out)
}

/// Mirrors ListReplays (`NamePrefix`, `State`, `EventSourceArn`, `Limit` 1-100).
///
/// Errors: `ValidationException`.
pub async fn list_replays(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ListReplaysRequest,
) -> ApiResult<serde_json::Value> {
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    validate::opt_prefix("namePrefix", req.name_prefix.as_deref(), 64, ".-_")?;
    validate::opt_arn("eventSourceArn", req.event_source_arn.as_deref(), 1600)?;
    if let Some(state) = req.state.as_deref() {
        validate::one_of(
            "state",
            state,
            &[
                "STARTING",
                "RUNNING",
                "CANCELLING",
                "COMPLETED",
                "CANCELLED",
                "FAILED",
            ],
        )?;
    }
    let prefix = req.name_prefix.unwrap_or_default();
    let all: Vec<serde_json::Value> = all_replays(tx)
        .await?
        .iter()
        .filter(|r| {
            r.name.starts_with(&prefix)
                && req.state.as_deref().is_none_or(|s| s == r.state)
                && req
                    .event_source_arn
                    .as_deref()
                    .is_none_or(|s| s == archive_arn(config, &r.archive))
        })
        .map(|r| replay_summary(config, r))
        .collect();
    Ok(page.answer("Replays", "NextToken", all))
}

/// Mirrors CancelReplay: a `STARTING` or `RUNNING` replay becomes `CANCELLING` (the worker
/// stops it after its current batch and marks it `CANCELLED`).
///
/// Errors: `ResourceNotFoundException`, `IllegalStatusException` for a replay that is not
/// running.
pub async fn cancel_replay(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ReplayRef,
) -> ApiResult<serde_json::Value> {
    replay_name(&req.replay_name)?;
    let mut r = replay(tx, &req.replay_name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Replay {} does not exist.", req.replay_name)))?;
    if !matches!(r.state.as_str(), "STARTING" | "RUNNING") {
        return Err(ApiError::service(
            "IllegalStatusException",
            format!("Replay {} is {} and cannot be cancelled.", r.name, r.state),
        ));
    }
    r.state = "CANCELLING".into();
    r.state_reason = Some("Cancellation requested.".into());
    save_replay(tx, &r).await?;
    Ok(json!({
        "ReplayArn": replay_arn(config, &r.name),
        "State": r.state,
        "StateReason": r.state_reason,
    }))
}
