//! Ingest: `PutEvents` entries become EventBridge envelopes, are matched against the bus's
//! compiled rules, and every matching target's effect is applied, all in ONE transaction
//! that commits before the caller gets its 200. A crash before the commit leaves nothing; a
//! crash after it loses nothing.

use serde_json::json;
use tocsin_api::events::{
    DEFAULT_EVENT_BUS, PutEventsRequest, PutEventsResponse, PutEventsResultEntry,
};
use tocsin_api::incidents::{ItemIdentifier, ItemValue, RelatedItem, TriggerDetails};
use tocsin_api::native::{Change, EventReceived};
use tocsin_transform::DeliveryContext;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::Caller;
use crate::domain::incidents::{self, NewIncident};
use crate::domain::matcher::CompiledRules;
use crate::domain::validate;
use crate::store::{Store, StoreTx};

/// Largest PutEvents request, summed over entries as EventBridge sizes them (256 KiB).
pub const MAX_BATCH_BYTES: usize = 256 * 1024;
/// Most entries in one PutEvents request.
pub const MAX_ENTRIES: usize = 10;
/// `rawData` of `triggerDetails` holds at most this many characters of the event.
const RAW_DATA_MAX: usize = 10_000;

/// Resolves `EventBusName` (a name or an event-bus ARN) to a bus this node has.
pub fn resolve_bus(name_or_arn: Option<&str>) -> Result<String, ApiError> {
    let given = name_or_arn.unwrap_or(DEFAULT_EVENT_BUS);
    let name = given.rsplit_once(":event-bus/").map_or(given, |(_, n)| n);
    if name == DEFAULT_EVENT_BUS {
        Ok(name.to_owned())
    } else {
        Err(ApiError::NotFound(format!(
            "Event bus {name} does not exist."
        )))
    }
}

/// An entry's size as EventBridge counts it: 14 bytes for `Time` when present, plus the
/// UTF-8 bytes of `Source`, `DetailType`, `Detail` and each resource.
fn entry_size(e: &tocsin_api::events::PutEventsRequestEntry) -> usize {
    e.time.map_or(0, |_| 14)
        + e.source.as_deref().map_or(0, str::len)
        + e.detail_type.as_deref().map_or(0, str::len)
        + e.detail.as_deref().map_or(0, str::len)
        + e.resources.iter().flatten().map(String::len).sum::<usize>()
}

fn failed(code: &str, message: impl Into<String>) -> PutEventsResultEntry {
    PutEventsResultEntry {
        event_id: None,
        error_code: Some(code.into()),
        error_message: Some(message.into()),
    }
}

/// A validated entry, ready to store: its bus and full envelope.
struct Accepted {
    index: usize,
    event_id: String,
    bus: String,
    envelope: serde_json::Value,
}

fn accept(
    config: &ServerConfig,
    index: usize,
    e: &tocsin_api::events::PutEventsRequestEntry,
) -> Result<Accepted, PutEventsResultEntry> {
    let missing = |member: &str| {
        failed(
            "InvalidArgument",
            format!("Parameter {member} is not valid. Reason: {member} is a required argument."),
        )
    };
    let source = e
        .source
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Source"))?;
    let detail_type = e
        .detail_type
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("DetailType"))?;
    let detail_text = e
        .detail
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing("Detail"))?;
    let detail: serde_json::Value = serde_json::from_str(detail_text)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| failed("MalformedDetail", "Detail is malformed."))?;
    let bus = resolve_bus(e.event_bus_name.as_deref())
        .map_err(|err| failed("ResourceNotFoundException", err.to_string()))?;
    let resources = e.resources.clone().unwrap_or_default();
    if let Some(long) = resources.iter().find(|r| r.len() > 2048) {
        return Err(failed(
            "InvalidArgument",
            format!(
                "Parameter Resources is not valid. Reason: resource of {} bytes exceeds 2048.",
                long.len()
            ),
        ));
    }
    let time = e.time.unwrap_or_else(clock::now);
    let event_id = uuid::Uuid::new_v4().to_string();
    let envelope = json!({
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source,
        "account": config.account_id,
        "time": clock::rfc3339(time),
        "region": config.region,
        "resources": resources,
        "detail": detail,
    });
    Ok(Accepted {
        index,
        event_id,
        bus,
        envelope,
    })
}

/// The dedupe string a rule-triggered incident gets when its plan sets none: the rule and
/// the event's resources (sorted), so a repeating alarm merges into one open incident.
pub fn derived_dedupe(rule_arn: &str, envelope: &serde_json::Value) -> String {
    let mut resources: Vec<&str> = envelope["resources"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    resources.sort_unstable();
    resources.dedup();
    if resources.is_empty() {
        format!(
            "{rule_arn}|{}|{}",
            envelope["source"].as_str().unwrap_or_default(),
            envelope["detail-type"].as_str().unwrap_or_default()
        )
    } else {
        format!("{rule_arn}|{}", resources.join(","))
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.to_owned(),
    }
}

/// Handles `PutEvents` (EventBridge 2015-10-07): validates the batch (1-10 entries, 256 KiB),
/// gives each entry a result in request order (`EventId`, or `ErrorCode`/`ErrorMessage`),
/// and commits the accepted events and every effect of their matches before returning.
///
/// `rules` is the matcher snapshot to route with; `caller` becomes the `createdBy` of any
/// incident a rule target opens.
pub async fn put_events(
    store: &dyn Store,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    req: PutEventsRequest,
) -> ApiResult<PutEventsResponse> {
    let (results, accepted) = accept_request(config, &req)?;
    if !accepted.is_empty() {
        let mut tx = store.write().await?;
        ingest(tx.as_mut(), rules, config, caller, &accepted).await?;
        tx.commit().await?;
    }
    Ok(respond(results, accepted))
}

/// Checks a PutEvents request: the batch as a whole (refused with an error) and each entry
/// (a refused entry gets its error code in the results).
fn accept_request(
    config: &ServerConfig,
    req: &PutEventsRequest,
) -> ApiResult<(Vec<PutEventsResultEntry>, Vec<Accepted>)> {
    let n = req.entries.len();
    validate::list_length("entries", n, 1, MAX_ENTRIES)?;
    if req.entries.iter().map(entry_size).sum::<usize>() > MAX_BATCH_BYTES {
        return Err(ApiError::Validation(
            "Total size of the entries in the request is over the limit.".into(),
        ));
    }
    let mut results = vec![PutEventsResultEntry::default(); n];
    let mut accepted = Vec::new();
    for (i, entry) in req.entries.iter().enumerate() {
        match accept(config, i, entry) {
            Ok(a) => accepted.push(a),
            Err(fail) => results[i] = fail,
        }
    }
    Ok((results, accepted))
}

/// The PutEvents answer once the accepted entries are stored.
fn respond(mut results: Vec<PutEventsResultEntry>, accepted: Vec<Accepted>) -> PutEventsResponse {
    for a in accepted {
        results[a.index] = PutEventsResultEntry {
            event_id: Some(a.event_id),
            error_code: None,
            error_message: None,
        };
    }
    let failed_entry_count = results.iter().filter(|r| r.error_code.is_some()).count() as i32;
    PutEventsResponse {
        failed_entry_count,
        entries: results,
    }
}

/// Stores accepted events and runs what their rules route them to, in `tx` (the caller
/// commits): incident targets open incidents, HTTP targets queue deliveries.
///
/// Errors: store errors (the caller drops the transaction).
async fn ingest(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    accepted: &[Accepted],
) -> ApiResult<()> {
    let received_at = clock::now();
    for a in accepted {
        let text = a.envelope.to_string();
        tx.insert_event(&a.event_id, &a.bus, received_at, &text)
            .await?;
        let routes = rules.matching(&a.bus, &a.envelope);
        for route in &routes {
            for compiled in &route.targets {
                let target = &compiled.target;
                if let Some(http) = &compiled.http {
                    let ingestion_time = clock::rfc3339(received_at);
                    let ctx = DeliveryContext {
                        rule_arn: &route.rule_arn,
                        rule_name: &route.rule_name,
                        ingestion_time: &ingestion_time,
                    };
                    let rendered = compiled.input.render_capped(
                        &a.envelope,
                        &ctx,
                        config.max_target_input_bytes,
                    );
                    let mut delivery = http.delivery(
                        &a.event_id,
                        &route.rule_arn,
                        &target.id,
                        rendered.clone().unwrap_or_default(),
                        received_at,
                    );
                    if let Err(too_large) = rendered {
                        // Fails this delivery only: the event and other targets go on.
                        tracing::warn!(event = %a.event_id, rule = %route.rule_arn, target = %target.id, %too_large, "target input over the cap");
                        delivery.status = tocsin_api::native::DeliveryStatus::Failed;
                        delivery.last_error = Some(format!("not sent: {too_large}"));
                    }
                    tx.insert_delivery(&mut delivery).await?;
                    tx.append_change(&Change::DeliveryChanged(
                        crate::domain::targets::redacted_delivery(&delivery),
                    ))
                    .await?;
                    continue;
                }
                if let Some((document, version)) =
                    tocsin_api::arn::automation_definition(&target.arn)
                {
                    let ingestion_time = clock::rfc3339(received_at);
                    let ctx = DeliveryContext {
                        rule_arn: &route.rule_arn,
                        rule_name: &route.rule_name,
                        ingestion_time: &ingestion_time,
                    };
                    let input = compiled
                        .input
                        .render_capped(&a.envelope, &ctx, config.max_target_input_bytes)
                        .map_err(|too_large| too_large.to_string());
                    let principal = target
                        .role_arn
                        .clone()
                        .unwrap_or_else(|| route.rule_arn.clone());
                    match start_runbook(tx, document, version, input, principal, received_at).await
                    {
                        Ok(id) => {
                            tracing::info!(event = %a.event_id, rule = %route.rule_arn, execution = %id, "rule target started a runbook")
                        }
                        Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
                        Err(err) => {
                            tracing::warn!(event = %a.event_id, rule = %route.rule_arn, target = %target.id, %err, "failed invocation: the runbook did not start")
                        }
                    }
                    continue;
                }
                if tocsin_api::arn::response_plan_name(&target.arn).is_none() {
                    tracing::debug!(target = %target.arn, "target kind not delivered yet");
                    continue;
                }
                let related_items = a.envelope["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                    .filter(|r| validate::arn("resource", r).is_ok())
                    .map(|r| RelatedItem {
                        identifier: ItemIdentifier {
                            item_type: "INVOLVED_RESOURCE".into(),
                            value: ItemValue {
                                arn: Some(r.to_owned()),
                                url: None,
                                metric_definition: None,
                                pager_duty_incident_detail: None,
                            },
                        },
                        title: None,
                        generated_id: None,
                    })
                    .take(100)
                    .collect();
                let new = NewIncident {
                    response_plan_arn: target.arn.clone(),
                    title: None,
                    impact: None,
                    trigger: TriggerDetails {
                        source: truncate_chars(
                            a.envelope["source"].as_str().unwrap_or_default(),
                            50,
                        ),
                        timestamp: received_at,
                        trigger_arn: Some(route.rule_arn.clone()),
                        raw_data: Some(truncate_chars(&text, RAW_DATA_MAX)),
                    },
                    related_items,
                    fallback_dedupe: Some(derived_dedupe(&route.rule_arn, &a.envelope)),
                    client_token: None,
                    created_by: caller.principal.clone(),
                    invoked_by: Some("events.amazonaws.com".into()),
                };
                match incidents::start_incident(&mut *tx, config, new).await {
                    Ok(outcome) => {
                        tracing::info!(event = %a.event_id, rule = %route.rule_arn, ?outcome, "rule target ran")
                    }
                    // A deleted plan or an unusable event fails this target only; the
                    // event is still accepted (as EventBridge does with failed targets).
                    Err(err @ (ApiError::NotFound(_) | ApiError::Validation(_))) => {
                        tracing::warn!(event = %a.event_id, rule = %route.rule_arn, %err, "rule target failed")
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        tx.append_change(&Change::EventReceived(EventReceived {
            event_id: a.event_id.clone(),
            event_bus_name: a.bus.clone(),
            source: a.envelope["source"].as_str().unwrap_or_default().to_owned(),
            detail_type: a.envelope["detail-type"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            matched_rules: routes.iter().map(|r| r.rule_arn.clone()).collect(),
        }))
        .await?;
    }
    Ok(())
}

/// Starts the runbook a rule target names, with the parameters its rendered input gives.
/// EventBridge requires an Automation target's input to be an object of parameter name →
/// list of strings; anything else is a failed invocation.
///
/// Errors: the input is not that shape (`ValidationException`), or the start is refused
/// (as StartAutomationExecution refuses it).
async fn start_runbook(
    tx: &mut dyn StoreTx,
    document: &str,
    version: Option<&str>,
    input: Result<String, String>,
    principal: String,
    now: f64,
) -> ApiResult<String> {
    let text = input.map_err(ApiError::Validation)?;
    let parameters: tocsin_api::ssm::ParameterMap = serde_json::from_str(&text).map_err(|_| {
        ApiError::Validation(format!(
            "the target's input must be an object of parameter name to a list of strings, as EventBridge requires for Automation targets; got {}",
            truncate_chars(&text, 200)
        ))
    })?;
    let req = crate::domain::automation_start::StartRequest {
        document_name: document.to_owned(),
        document_version: version.map(str::to_owned),
        parameters,
        client_token: None,
        mode: None,
        executed_by: principal.clone(),
        run_as: crate::store::RunAs {
            role: crate::domain::service_roles::role_for(tx, &principal).await?,
            principal,
        },
        incident_arn: None,
    };
    crate::domain::automation_start::start(tx, req, now).await
}

/// PutEvents inside a transaction the caller owns (a runbook step's): validates and ingests
/// as [`put_events`] does, without opening or committing a transaction.
///
/// Errors: as [`put_events`].
pub async fn put_events_in(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    req: PutEventsRequest,
) -> ApiResult<PutEventsResponse> {
    let (results, accepted) = accept_request(config, &req)?;
    ingest(tx, rules, config, caller, &accepted).await?;
    Ok(respond(results, accepted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_depends_on_rule_and_sorted_resources() {
        let a = json!({"source": "s", "detail-type": "d", "resources": ["b", "a"]});
        let b = json!({"source": "s", "detail-type": "d", "resources": ["a", "b", "a"]});
        assert_eq!(derived_dedupe("r", &a), derived_dedupe("r", &b));
        assert_ne!(derived_dedupe("r", &a), derived_dedupe("r2", &a));
        let none = json!({"source": "s", "detail-type": "d", "resources": []});
        assert_eq!(derived_dedupe("r", &none), "r|s|d");
    }

    #[test]
    fn bus_names_and_arns_resolve() {
        assert_eq!(resolve_bus(None).unwrap(), "default");
        assert_eq!(
            resolve_bus(Some(
                "arn:aws:events:us-east-1:000000000000:event-bus/default"
            ))
            .unwrap(),
            "default"
        );
        assert!(matches!(
            resolve_bus(Some("other")),
            Err(ApiError::NotFound(_))
        ));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 10), "hi");
    }
}
