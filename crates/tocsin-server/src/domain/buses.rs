//! Event buses, mirroring `CreateEventBus`, `DescribeEventBus`, `ListEventBuses`,
//! `UpdateEventBus` and `DeleteEventBus` (EventBridge 2015-10-07). The `default` bus always
//! exists; custom buses are stored as `event-bus` resources. Rules, targets, `PutEvents`
//! entries, receivers and heartbeats name a bus by name or ARN, and rules are matched per
//! bus ([`crate::domain::matcher::CompiledRules`]). Each change appends an
//! `EventBusChanged` feed entry, so the matcher learns the bus before the call answers.

use serde::{Deserialize, Serialize};
use tocsin_api::events::{
    CreateEventBusRequest, DEFAULT_EVENT_BUS, DeadLetterConfig, EventBus, ListEventBusesRequest,
    ListEventBusesResponse, UpdateEventBusRequest,
};
use tocsin_api::native::Change;

use crate::config::ServerConfig;
use crate::domain::compiled::RuleChange;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate::{self, Page};
use crate::store::StoreTx;

/// Resource kind of event buses in [`crate::store::ResourceStore`].
pub const KIND: &str = "event-bus";

/// Resource kind of archives (see [`crate::domain::archives`]), which a bus must not
/// have when it is deleted.
pub const ARCHIVE_KIND: &str = "archive";

/// Most custom buses (EventBridge's default quota is 100 per account and region).
pub const MAX_BUSES: usize = 100;

/// What is stored of a bus (its ARN is derived from the configured region and account).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StoredBus {
    name: String,
    description: Option<String>,
    kms_key_identifier: Option<String>,
    dead_letter_config: Option<DeadLetterConfig>,
    log_config: Option<serde_json::Value>,
    created_at: f64,
    modified_at: f64,
}

/// `arn:aws:events:<region>:<account>:event-bus/<name>`.
pub fn arn(config: &ServerConfig, name: &str) -> String {
    format!(
        "arn:aws:events:{}:{}:event-bus/{name}",
        config.region, config.account_id
    )
}

/// The bus name in `EventBusName` (a name or an event-bus ARN; `default` when absent),
/// validated against `EventBusNameOrArn` (1-1600 characters, names of
/// `[/.\-_A-Za-z0-9]`). Whether the bus exists is checked by [`resolve`] or, at ingest,
/// by the compiled matcher.
pub fn name_of(name_or_arn: Option<&str>) -> ApiResult<String> {
    let given = name_or_arn.unwrap_or(DEFAULT_EVENT_BUS);
    validate::length("eventBusName", given, 1, 1600)?;
    let name = given.rsplit_once(":event-bus/").map_or(given, |(_, n)| n);
    validate::name("eventBusName", name, 256, "/.-_", "[/\\.\\-_A-Za-z0-9]+")?;
    Ok(name.to_owned())
}

fn not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("Event bus {name} does not exist."))
}

async fn stored(tx: &mut dyn StoreTx, name: &str) -> ApiResult<Option<StoredBus>> {
    match tx.resource(KIND, name).await? {
        Some(body) => Ok(Some(serde_json::from_value(body).map_err(|e| {
            ApiError::Internal(format!("stored event bus {name}: {e}").into())
        })?)),
        None => Ok(None),
    }
}

/// Resolves `EventBusName` to a bus that exists: `ResourceNotFoundException` otherwise.
pub async fn resolve(tx: &mut dyn StoreTx, name_or_arn: Option<&str>) -> ApiResult<String> {
    let name = name_of(name_or_arn)?;
    if name == DEFAULT_EVENT_BUS || stored(tx, &name).await?.is_some() {
        Ok(name)
    } else {
        Err(not_found(&name))
    }
}

/// The names of every bus: `default` and the custom ones.
pub async fn names(tx: &mut dyn StoreTx) -> ApiResult<Vec<String>> {
    let mut out = vec![DEFAULT_EVENT_BUS.to_owned()];
    for body in tx.resources(KIND, "").await? {
        if let Some(name) = body["name"].as_str()
            && name != DEFAULT_EVENT_BUS
        {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

fn view(config: &ServerConfig, b: StoredBus) -> EventBus {
    EventBus {
        arn: arn(config, &b.name),
        name: b.name,
        description: b.description,
        kms_key_identifier: b.kms_key_identifier,
        dead_letter_config: b.dead_letter_config,
        log_config: b.log_config,
        creation_time: (b.created_at > 0.0).then_some(b.created_at),
        last_modified_time: (b.modified_at > 0.0).then_some(b.modified_at),
    }
}

fn check_settings(
    description: Option<&str>,
    kms: Option<&str>,
    dlq: Option<&DeadLetterConfig>,
    log: Option<&serde_json::Value>,
) -> ApiResult<()> {
    validate::opt_length("description", description, 512)?;
    if let Some(log) = log {
        for (member, allowed) in [
            ("IncludeDetail", &["NONE", "FULL"][..]),
            ("Level", &["OFF", "ERROR", "INFO", "TRACE"][..]),
        ] {
            if let Some(v) = log.get(member)
                && !v.as_str().is_some_and(|v| allowed.contains(&v))
            {
                return Err(ApiError::Validation(format!(
                    "1 validation error detected: Value '{v}' at 'logConfig.{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    member.to_lowercase(),
                    allowed.join(", ")
                )));
            }
        }
    }
    if let Some(k) = kms {
        validate::length("kmsKeyIdentifier", k, 0, 2048)?;
        if !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/:".contains(c))
        {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{k}' at 'kmsKeyIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-/:]*$"
            )));
        }
    }
    if let Some(arn) = dlq.and_then(|d| d.arn.as_deref()) {
        validate::length("deadLetterConfig.arn", arn, 1, 1600)?;
    }
    Ok(())
}

fn changed(name: &str, deleted: bool) -> Change {
    Change::EventBusChanged {
        name: name.to_owned(),
        deleted,
    }
}

/// Mirrors CreateEventBus: answers `{EventBusArn, Description, KmsKeyIdentifier,
/// DeadLetterConfig, LogConfig}`.
///
/// Errors: `ResourceAlreadyExistsException` (also for `default`), `ResourceNotFoundException`
/// for an `EventSourceName` (Tocsin has no partner event sources), `LimitExceededException`
/// past [`MAX_BUSES`], `ValidationException`.
pub async fn create(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: CreateEventBusRequest,
    now: f64,
) -> ApiResult<RuleChange<serde_json::Value>> {
    validate::name("name", &req.name, 256, "/.-_", "[/\\.\\-_A-Za-z0-9]+")?;
    check_settings(
        req.description.as_deref(),
        req.kms_key_identifier.as_deref(),
        req.dead_letter_config.as_ref(),
        req.log_config.as_ref(),
    )?;
    if let Some(tags) = &req.tags {
        crate::domain::tags::check_event_tags(tags)?;
    }
    if let Some(source) = &req.event_source_name {
        validate::length("eventSourceName", source, 1, 256)?;
        let parts: Vec<&str> = source.split('/').collect();
        if parts[0] != "aws.partner"
            || parts.len() < 3
            || parts[1..].iter().any(|p| {
                p.is_empty()
                    || !p
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
            })
        {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{source}' at 'eventSourceName' failed to satisfy constraint: Member must satisfy regular expression pattern: aws\\.partner(/[\\.\\-_A-Za-z0-9]+){{2,}}"
            )));
        }
        return Err(ApiError::NotFound(format!(
            "Event source {source} does not exist."
        )));
    }
    if req.name == DEFAULT_EVENT_BUS || stored(tx, &req.name).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "Event bus {} already exists.",
            req.name
        )));
    }
    if names(tx).await?.len() > MAX_BUSES {
        return Err(ApiError::LimitExceeded(format!(
            "The requested resource exceeds the maximum number allowed: at most {MAX_BUSES} event buses."
        )));
    }
    let bus = StoredBus {
        name: req.name.clone(),
        description: req.description,
        kms_key_identifier: req.kms_key_identifier,
        dead_letter_config: req.dead_letter_config,
        log_config: req.log_config,
        created_at: now,
        modified_at: now,
    };
    tx.put_resource(
        KIND,
        &bus.name,
        &serde_json::to_value(&bus).unwrap_or_default(),
    )
    .await?;
    let bus_arn = arn(config, &bus.name);
    if let Some(tags) = &req.tags {
        crate::domain::tags::put_event_tags(tx, &bus_arn, tags).await?;
    }
    let feed_id = tx.append_change(&changed(&bus.name, false)).await?;
    let mut out = serde_json::json!({ "EventBusArn": bus_arn });
    let v = view(config, bus);
    if let Some(d) = v.description {
        out["Description"] = d.into();
    }
    if let Some(k) = v.kms_key_identifier {
        out["KmsKeyIdentifier"] = k.into();
    }
    if let Some(d) = v.dead_letter_config {
        out["DeadLetterConfig"] = serde_json::to_value(d).unwrap_or_default();
    }
    if let Some(l) = v.log_config {
        out["LogConfig"] = l;
    }
    Ok(RuleChange {
        output: out,
        feed_id: Some(feed_id),
    })
}

/// Mirrors DescribeEventBus (`default` when `Name` is absent).
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn describe(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name_or_arn: Option<&str>,
) -> ApiResult<EventBus> {
    let name = name_of(name_or_arn)?;
    match stored(tx, &name).await? {
        Some(b) => Ok(view(config, b)),
        None if name == DEFAULT_EVENT_BUS => Ok(view(
            config,
            StoredBus {
                name,
                ..StoredBus::default()
            },
        )),
        None => Err(not_found(&name)),
    }
}

/// Mirrors ListEventBuses: every bus by name (`default` included), `NamePrefix`, `Limit`
/// 1-100.
///
/// Errors: `ValidationException`.
pub async fn list(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ListEventBusesRequest,
) -> ApiResult<ListEventBusesResponse> {
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    validate::opt_prefix("namePrefix", req.name_prefix.as_deref(), 256, "/.-_")?;
    let prefix = req.name_prefix.unwrap_or_default();
    let mut all = Vec::new();
    for name in names(tx).await? {
        if name.starts_with(&prefix) {
            // A list entry is the model's `EventBus`: no KMS, dead-letter or log settings.
            let mut bus = describe(tx, config, Some(&name)).await?;
            bus.kms_key_identifier = None;
            bus.dead_letter_config = None;
            bus.log_config = None;
            all.push(bus);
        }
    }
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let (event_buses, next_token) = page.slice(all);
    Ok(ListEventBusesResponse {
        event_buses,
        next_token,
    })
}

/// Mirrors UpdateEventBus (`default` when `Name` is absent): the given settings replace
/// the stored ones. Answers `{Arn, Name, Description, KmsKeyIdentifier, DeadLetterConfig,
/// LogConfig}`.
///
/// Errors: `ResourceNotFoundException`, `ValidationException`.
pub async fn update(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: UpdateEventBusRequest,
    now: f64,
) -> ApiResult<EventBus> {
    let name = name_of(req.name.as_deref())?;
    check_settings(
        req.description.as_deref(),
        req.kms_key_identifier.as_deref(),
        req.dead_letter_config.as_ref(),
        req.log_config.as_ref(),
    )?;
    let mut bus = match stored(tx, &name).await? {
        Some(b) => b,
        None if name == DEFAULT_EVENT_BUS => StoredBus {
            name: name.clone(),
            ..StoredBus::default()
        },
        None => return Err(not_found(&name)),
    };
    validate::overwrite(&mut bus.description, req.description);
    validate::overwrite(&mut bus.kms_key_identifier, req.kms_key_identifier);
    validate::overwrite(&mut bus.dead_letter_config, req.dead_letter_config);
    validate::overwrite(&mut bus.log_config, req.log_config);
    bus.modified_at = now;
    tx.put_resource(KIND, &name, &serde_json::to_value(&bus).unwrap_or_default())
        .await?;
    tx.append_change(&changed(&name, false)).await?;
    let mut v = view(config, bus);
    v.creation_time = None;
    v.last_modified_time = None;
    Ok(v)
}

/// Mirrors DeleteEventBus: deleting a bus that does not exist succeeds, as in EventBridge.
/// A bus that still has rules, archives, receivers or heartbeats is refused (EventBridge
/// asks for the rules to be deleted first), and `default` cannot be deleted.
///
/// Errors: `ValidationException`.
pub async fn delete(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: Option<&str>,
) -> ApiResult<RuleChange<()>> {
    let Some(name) = name else {
        return Err(ApiError::Validation(
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null".into(),
        ));
    };
    validate::name("name", name, 256, "/.-_", "[/\\.\\-_A-Za-z0-9]+")?;
    if name == DEFAULT_EVENT_BUS {
        return Err(ApiError::Validation(
            "Cannot delete event bus default.".into(),
        ));
    }
    if stored(tx, name).await?.is_none() {
        return Ok(RuleChange {
            output: (),
            feed_id: None,
        });
    }
    let rules = tx.rule_count(name).await?;
    if rules > 0 {
        return Err(ApiError::Validation(format!(
            "Event bus {name} still has {rules} rule(s); delete them first."
        )));
    }
    let archives: Vec<String> = tx
        .resources(ARCHIVE_KIND, "")
        .await?
        .into_iter()
        .filter(|a| a["event_bus_name"] == name)
        .filter_map(|a| a["name"].as_str().map(|n| format!("archive {n}")))
        .collect();
    let users: Vec<String> = tx
        .receivers()
        .await?
        .into_iter()
        .filter(|r| r.receiver.event_bus_name == name)
        .map(|r| format!("receiver {}", r.receiver.name))
        .chain(
            tx.heartbeats()
                .await?
                .into_iter()
                .filter(|h| h.heartbeat.event_bus_name == name)
                .map(|h| format!("heartbeat {}", h.heartbeat.name)),
        )
        .chain(archives)
        .collect();
    if !users.is_empty() {
        return Err(ApiError::Validation(format!(
            "Event bus {name} still feeds {}; delete or move them first.",
            users.join(", ")
        )));
    }
    tx.delete_resource(KIND, name).await?;
    tx.delete_tags(&arn(config, name)).await?;
    let feed_id = tx.append_change(&changed(name, true)).await?;
    Ok(RuleChange {
        output: (),
        feed_id: Some(feed_id),
    })
}
