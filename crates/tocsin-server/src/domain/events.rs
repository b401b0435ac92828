//! Ingest: `PutEvents` entries become EventBridge envelopes, are matched against the bus's
//! compiled rules, and every matching target's effect is applied, all in ONE transaction
//! that commits before the caller gets its 200. A crash before the commit leaves nothing; a
//! crash after it loses nothing.

use serde_json::json;
use tocsin_api::events::{PutEventsRequest, PutEventsResponse, PutEventsResultEntry};
use tocsin_api::incidents::{ItemIdentifier, ItemValue, RelatedItem, TriggerDetails};
use tocsin_api::native::{Change, EventReceived};
use tocsin_transform::DeliveryContext;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::alerts::{self, Hints};
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::heartbeats;
use crate::domain::identity::Caller;
use crate::domain::inbound::Inbound;
use crate::domain::incidents::{self, NewIncident};
use crate::domain::matcher::{CompiledRules, RuleRoute};
use crate::domain::targets::RouteTarget;
use crate::domain::validate;
use crate::domain::windows;
use crate::store::{Store, StoreTx};
use tocsin_api::receivers::Suppression;

/// Largest PutEvents request, summed over entries as EventBridge sizes them (256 KiB).
pub const MAX_BATCH_BYTES: usize = 256 * 1024;
/// Largest event a receiver puts on a bus (its whole envelope): room for PagerDuty's
/// 512 KB bodies, which EventBridge's 256 KiB would refuse.
pub const MAX_RECEIVED_EVENT_BYTES: usize = 640 * 1024;
/// Most entries in one PutEvents request.
pub const MAX_ENTRIES: usize = 10;
/// `rawData` of `triggerDetails` holds at most this many characters of the event.
const RAW_DATA_MAX: usize = 10_000;

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

/// What a new event's envelope is made of.
struct Parts<'a> {
    source: &'a str,
    detail_type: &'a str,
    account: &'a str,
    region: &'a str,
    /// Epoch seconds.
    time: f64,
    resources: &'a [String],
    detail: serde_json::Value,
}

/// A new event's EventBridge envelope (`version` 0, a fresh id): PutEvents entries, events
/// receivers put on a bus and heartbeat events are all made here. Returns (id, envelope).
fn new_envelope(p: Parts<'_>) -> (String, serde_json::Value) {
    let event_id = new_event_id();
    let envelope = json!({
        "version": "0",
        "id": event_id,
        "detail-type": p.detail_type,
        "source": p.source,
        "account": p.account,
        "time": clock::rfc3339(p.time),
        "region": p.region,
        "resources": p.resources,
        "detail": p.detail,
    });
    (event_id, envelope)
}

/// A new event id: a UUID, as EventBridge's are, but version 7 (RFC 9562: time-ordered,
/// 74 random bits), so ids this process makes only grow. The `events` table's primary-key
/// index then takes each batch's ids at its right edge, a page or two per commit, instead
/// of one random page per event as with version 4 (measured: the WAL written
/// in the first 10 s of `bench-ingest.py --cases tocsin-1` fell from 717 to 370 MB).
/// Clients treat the id as an opaque string.
fn new_event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A validated entry, ready to store: its bus and full envelope.
pub(crate) struct Accepted {
    index: usize,
    event_id: String,
    bus: String,
    envelope: serde_json::Value,
    hints: Hints,
    /// A scheduled rule's ARN: the event goes to that rule's targets only (no matching).
    route_to: Option<String>,
    /// A replay's `Destination.FilterArns`: only these of the matching rules get it.
    only_rules: Option<Vec<String>>,
    /// The rules it matches and its JSON text, worked out before the write lock (group
    /// commit); `None`: worked out in the transaction.
    prepared: Option<(Vec<std::sync::Arc<RuleRoute>>, String)>,
}

impl Accepted {
    /// Matches and renders the event now, outside any transaction.
    pub(crate) fn prepare(&mut self, rules: &CompiledRules) {
        if self.route_to.is_none() {
            self.prepared = Some((
                rules.matching(&self.bus, &self.envelope),
                self.envelope.to_string(),
            ));
        }
    }
}

fn accept(
    config: &ServerConfig,
    rules: &CompiledRules,
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
    let bus = crate::domain::buses::name_of(e.event_bus_name.as_deref())
        .map_err(|err| failed("InvalidArgument", err.to_string()))?;
    if !rules.has_bus(&bus) {
        return Err(failed(
            "ResourceNotFoundException",
            format!("Event bus {bus} does not exist."),
        ));
    }
    // Resources over 2,048 bytes were refused with the whole request (accept_request).
    let resources = e.resources.clone().unwrap_or_default();
    let (event_id, envelope) = new_envelope(Parts {
        source,
        detail_type,
        account: &config.account_id,
        region: &config.region,
        time: e.time.unwrap_or_else(clock::now),
        resources: &resources,
        detail,
    });
    Ok(Accepted {
        index,
        event_id,
        bus,
        envelope,
        hints: Hints::default(),
        route_to: None,
        only_rules: None,
        prepared: None,
    })
}

/// The dedupe string a rule-triggered incident gets when its plan sets none: the rule and
/// the event's resources (sorted), so a repeating alarm merges into one open incident.
pub fn derived_dedupe(rule_arn: &str, envelope: &serde_json::Value) -> String {
    let resources = alerts::sorted_resources(envelope);
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

/// Checks a PutEvents request: the batch as a whole (refused with an error) and each entry
/// (a refused entry gets its error code in the results).
pub(crate) fn accept_request(
    config: &ServerConfig,
    rules: &CompiledRules,
    req: &PutEventsRequest,
) -> ApiResult<(Vec<PutEventsResultEntry>, Vec<Accepted>)> {
    let n = req.entries.len();
    validate::list_length("entries", n, 1, MAX_ENTRIES)?;
    if req.entries.iter().map(entry_size).sum::<usize>() > MAX_BATCH_BYTES {
        return Err(ApiError::Validation(
            "Total size of the entries in the request is over the limit.".into(),
        ));
    }
    // The model's member constraints refuse the whole request (before any entry runs);
    // what only the service knows (an unknown bus, a missing Source) fails its entry alone.
    for e in &req.entries {
        if let Some(bus) = e.event_bus_name.as_deref() {
            crate::domain::buses::name_of(Some(bus))?;
        }
        if let Some(long) = e.resources.iter().flatten().find(|r| r.len() > 2048) {
            return Err(ApiError::Validation(format!(
                "Parameter Resources is not valid. Reason: resource of {} bytes exceeds 2048.",
                long.len()
            )));
        }
        validate::opt_length("entries.member.traceHeader", e.trace_header.as_deref(), 500)?;
        if e.trace_header.as_deref() == Some("") {
            validate::length("entries.member.traceHeader", "", 1, 500)?;
        }
    }
    if let Some(id) = req.endpoint_id.as_deref() {
        validate::length("endpointId", id, 1, 50)?;
        let ok = id.split_once('.').is_some_and(|(a, b)| {
            let part =
                |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            part(a) && part(b)
        });
        if !ok {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{id}' at 'endpointId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Za-z0-9\\-]+[\\.][A-Za-z0-9\\-]+$"
            )));
        }
    }
    let mut results = vec![PutEventsResultEntry::default(); n];
    let mut accepted = Vec::new();
    for (i, entry) in req.entries.iter().enumerate() {
        match accept(config, rules, i, entry) {
            Ok(a) => accepted.push(a),
            Err(fail) => results[i] = fail,
        }
    }
    Ok((results, accepted))
}

pub(crate) fn accepted_ids(accepted: &[Accepted]) -> Vec<(usize, String)> {
    accepted
        .iter()
        .map(|a| (a.index, a.event_id.clone()))
        .collect()
}

/// The PutEvents answer once the accepted entries (index, event id) are stored.
pub(crate) fn respond(
    mut results: Vec<PutEventsResultEntry>,
    accepted: Vec<(usize, String)>,
) -> PutEventsResponse {
    for (index, event_id) in accepted {
        results[index] = PutEventsResultEntry {
            event_id: Some(event_id),
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
/// commits): incident targets open incidents, HTTP targets queue deliveries, Automation
/// targets start runbooks. Then, per event: a maintenance window that matches it holds back
/// its incident and runbook targets (recorded as a suppression); the source state its hints
/// (or a CloudWatch alarm) carry is applied; heartbeats whose pattern it matches beat.
/// Events heartbeats put on the bus in turn (`Heartbeat Recovered`) are ingested in the same
/// transaction. Returns, per accepted event, the incident it opened or merged into.
///
/// Errors: store errors (the caller drops the transaction).
pub(crate) async fn ingest(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    accepted: &[Accepted],
) -> ApiResult<Vec<Option<String>>> {
    let mut plain = Held::default();
    let opened = ingest_holding(tx, rules, config, caller, accepted, &mut plain).await?;
    plain.flush(tx).await?;
    Ok(opened)
}

/// [`ingest`], with plain events' writes held in `plain` for the caller to
/// [`Held::flush`] (group commit flushes once per batch).
///
/// Errors: store errors.
pub(crate) async fn ingest_holding(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    accepted: &[Accepted],
    plain: &mut Held,
) -> ApiResult<Vec<Option<String>>> {
    let received_at = clock::now();
    let mut opened = Vec::with_capacity(accepted.len());
    let mut follow_ups = std::collections::VecDeque::new();
    for a in accepted {
        opened.push(
            ingest_one(
                tx,
                rules,
                config,
                caller,
                a,
                received_at,
                &mut follow_ups,
                plain,
            )
            .await?,
        );
    }
    while let Some(a) = follow_ups.pop_front() {
        ingest_one(
            tx,
            rules,
            config,
            caller,
            &a,
            received_at,
            &mut follow_ups,
            plain,
        )
        .await?;
    }
    Ok(opened)
}

/// Writes held back within one ingest batch, to be written together.
///
/// Plain events (an event that matched no rule and touches nothing else: no archive, no
/// alert state, no heartbeat, no maintenance window) and events whose only effects are
/// incident targets and HTTP deliveries (see [`holds_incidents`]) cost one `events` row and
/// one `eventReceived` feed entry each, and many are written in two multi-row statements
/// instead of two statements each. Triggers such events merge into open incidents are held
/// in [`incidents::HeldIncidents`]. Any other event flushes everything held first, so
/// `eventReceived` entries keep the events' order and such an event sees every earlier
/// write; within a batch, the incident entries of held events may precede their
/// `eventReceived` entries (all commit together).
#[derive(Debug, Default)]
pub struct Held {
    events: Vec<(String, String, f64, String)>,
    changes: Vec<Change>,
    incidents: incidents::HeldIncidents,
}

impl Held {
    /// Writes what is held, in `tx`: the events, their `eventReceived` entries, then the
    /// held incident writes ([`incidents::HeldIncidents::flush`]).
    ///
    /// Errors: store errors (an event id already stored, for one).
    pub async fn flush(&mut self, tx: &mut dyn StoreTx) -> ApiResult<()> {
        self.write_events(tx).await?;
        self.incidents.flush(tx).await
    }

    /// [`Held::flush`] at the end of a batch: what the held incident writes read and wrote
    /// is kept ([`incidents::HeldIncidents::write`]) for [`Held::into_incidents`].
    ///
    /// Errors: store errors (drop this `Held`: what it remembers may be wrong).
    pub async fn finish(&mut self, tx: &mut dyn StoreTx) -> ApiResult<()> {
        self.write_events(tx).await?;
        self.incidents.write(tx).await
    }

    async fn write_events(&mut self, tx: &mut dyn StoreTx) -> ApiResult<()> {
        if !self.events.is_empty() || !self.changes.is_empty() {
            tx.insert_events_announced(&self.events, &self.changes)
                .await?;
            self.events.clear();
            self.changes.clear();
        }
        Ok(())
    }

    /// Nothing held yet, starting from what an earlier batch's held incident writes knew
    /// (valid only when nothing else committed since: [`StoreTx::generation`]).
    pub fn knowing(incidents: incidents::HeldIncidents) -> Self {
        Held {
            incidents,
            ..Held::default()
        }
    }

    /// What the held incident writes know after [`Held::finish`].
    pub fn into_incidents(self) -> incidents::HeldIncidents {
        self.incidents
    }

    /// Writes what is held in a transaction of its own and commits it: plain events with
    /// [`Store::write_events_announced`], merges into known open incidents with
    /// [`Store::write_known`] when the store is still at `generation` (what the held
    /// incidents know was read and written by the commit that brought it there). Group
    /// commit's way with a batch whose every request held all its writes ([`hold_plain`]).
    /// Answers whether it wrote; `false` (nothing written) when the merges need a
    /// transaction after all (`generation` unknown or passed, an incident not known).
    ///
    /// Errors: store errors (nothing was stored).
    pub async fn write_alone(
        &mut self,
        store: &dyn Store,
        generation: Option<u64>,
    ) -> ApiResult<bool> {
        if !self.incidents.holds_writes() {
            store
                .write_events_announced(&self.events, &self.changes)
                .await?;
            return Ok(true);
        }
        let Some(generation) = generation else {
            return Ok(false);
        };
        let Some((known, incident_changes)) = self.incidents.known_writes() else {
            return Ok(false);
        };
        let mut changes = std::mem::take(&mut self.changes);
        changes.extend(incident_changes);
        Ok(store
            .write_known(&self.events, &changes, &known, generation)
            .await?)
    }
}

#[cfg(test)]
impl Held {
    /// Holds one plain event `event_id` on `default` with its `eventReceived` entry (tests).
    pub(crate) fn hold_for_test(&mut self, event_id: &str) {
        self.events
            .push((event_id.into(), "default".into(), clock::now(), "{}".into()));
        self.changes.push(Change::EventReceived(EventReceived {
            event_id: event_id.into(),
            event_bus_name: "default".into(),
            source: "test".into(),
            detail_type: "Test".into(),
            matched_rules: Vec::new(),
        }));
    }
}

/// Whether an event with these routes, not plain, may have its writes held ([`Held`]):
/// its alert update, if any, is a trigger (an acknowledgement or resolution changes
/// incidents outside the merge), and every target is an incident target or an HTTP target,
/// so all it changes in incidents goes through [`incidents::start_incident_holding`].
fn holds_incidents(a: &Accepted, routes: &[std::sync::Arc<RuleRoute>]) -> bool {
    a.hints
        .alert
        .as_ref()
        .is_none_or(|u| matches!(u.action, alerts::AlertAction::Trigger))
        && routes.iter().all(|route| {
            route.targets.iter().all(|t| {
                t.http.is_some() || tocsin_api::arn::response_plan_name(&t.target.arn).is_some()
            })
        })
}

/// Whether an event with these routes does nothing but get stored and announced (see
/// [`Held`]).
fn is_plain(rules: &CompiledRules, a: &Accepted, routes: &[std::sync::Arc<RuleRoute>]) -> bool {
    routes.is_empty() && touches_no_state(rules, a)
}

/// Whether an event with these routes, matched at `received_at`, does nothing but get
/// stored and announced and trigger its rules' response-plan targets (no HTTP target, no
/// runbook, no maintenance window holding it back): group commit may hold such an event's
/// merges into open incidents it knows ([`hold_plain`]).
fn triggers_plans_only(
    rules: &CompiledRules,
    a: &Accepted,
    routes: &[std::sync::Arc<RuleRoute>],
    received_at: f64,
) -> bool {
    !routes.is_empty()
        && routes.iter().all(|route| {
            route.targets.iter().all(|t| {
                t.http.is_none() && tocsin_api::arn::response_plan_name(&t.target.arn).is_some()
            })
        })
        && touches_no_state(rules, a)
        && rules.suppressing_window(&a.envelope, received_at).is_none()
}

/// Whether storing `a` touches nothing but its own row and feed entry, whatever its rules'
/// targets do: no alert state (hints or a CloudWatch alarm), no archive, no replay, no
/// change finding, no maintenance window it resolves, no heartbeat it beats.
fn touches_no_state(rules: &CompiledRules, a: &Accepted) -> bool {
    a.hints.alert.is_none()
        && a.envelope.get("replay-name").is_none()
        && rules.archiving(&a.bus, &a.envelope).is_empty()
        && !rules.is_change(&a.envelope)
        && alerts::cloudwatch_state(&a.envelope).is_none()
        && rules.windows_resolved_by(&a.envelope).is_empty()
        && (a.envelope["source"] == heartbeats::SOURCE
            || rules.beating(&a.bus, &a.envelope).is_empty())
}

/// The rules `a` goes to (a scheduled rule's own, or the ones it matches, narrowed to a
/// replay's filter) and its JSON text: prepared before the write lock, else worked out now.
fn routes_and_text(
    rules: &CompiledRules,
    a: &Accepted,
) -> (Vec<std::sync::Arc<RuleRoute>>, String) {
    let (mut routes, text) = match (&a.route_to, &a.prepared) {
        (Some(rule_arn), _) => (
            rules.scheduled(rule_arn).into_iter().collect(),
            a.envelope.to_string(),
        ),
        (None, Some((routes, text))) => (routes.clone(), text.clone()),
        (None, None) => (rules.matching(&a.bus, &a.envelope), a.envelope.to_string()),
    };
    if let Some(only) = &a.only_rules {
        routes.retain(|r| only.contains(&r.rule_arn));
    }
    (routes, text)
}

/// Holds every event of `accepted` in `held` and answers true when all of them can be
/// written without reading the database: plain events ([`Held`]: their `events` rows and
/// `eventReceived` entries), and events that only trigger response plans whose every
/// trigger merges into an open incident `held` knows
/// ([`incidents::HeldIncidents::merge_known`]: the folded timeline entry and the incident
/// to overwrite). Group commit writes a batch made only of such requests with
/// [`Held::write_alone`]. Answers false when one cannot be held (`held` may then have
/// changed: drop it).
pub(crate) fn hold_plain(
    rules: &CompiledRules,
    caller: &Caller,
    accepted: &[Accepted],
    held: &mut Held,
) -> bool {
    let received_at = clock::now();
    let mut plain = Vec::with_capacity(accepted.len());
    for a in accepted {
        let (routes, text) = routes_and_text(rules, a);
        if !is_plain(rules, a, &routes) && !triggers_plans_only(rules, a, &routes, received_at) {
            return false;
        }
        plain.push((a, routes, text));
    }
    // A merge changes what `held` knows even when a later one cannot be held: the caller
    // then drops `held` (group commit writes the batch in a transaction, from what it knew
    // before).
    for (a, routes, text) in &plain {
        for route in routes {
            for t in &route.targets {
                let new = new_incident_for(caller, a, route, &t.target, text, received_at);
                if held.incidents.merge_known(&new, received_at).is_none() {
                    return false;
                }
            }
        }
    }
    for (a, routes, text) in plain {
        held.events
            .push((a.event_id.clone(), a.bus.clone(), received_at, text));
        held.changes.push(received_change(a, &routes));
    }
    true
}

/// One event of [`ingest`]; heartbeat events it causes go on `follow_ups`.
#[allow(
    clippy::too_many_arguments,
    reason = "the ingest pass's parts, passed down as they are"
)]
async fn ingest_one(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    a: &Accepted,
    received_at: f64,
    follow_ups: &mut std::collections::VecDeque<Accepted>,
    plain: &mut Held,
) -> ApiResult<Option<String>> {
    let (routes, text) = routes_and_text(rules, a);
    if is_plain(rules, a, &routes) {
        plain
            .events
            .push((a.event_id.clone(), a.bus.clone(), received_at, text));
        plain.changes.push(received_change(a, &routes));
        return Ok(None);
    }
    let holds = holds_incidents(a, &routes);
    if holds {
        plain
            .events
            .push((a.event_id.clone(), a.bus.clone(), received_at, text.clone()));
    } else {
        plain.flush(tx).await?;
        tx.insert_event(&a.event_id, &a.bus, received_at, &text)
            .await?;
    }
    // Replayed events are not archived again.
    if a.envelope.get("replay-name").is_none() {
        for archive in rules.archiving(&a.bus, &a.envelope) {
            tx.archive_event(archive, received_at, &a.event_id, &text)
                .await?;
        }
        if rules.is_change(&a.envelope) {
            tx.archive_event(
                crate::domain::findings::CHANGES,
                received_at,
                &a.event_id,
                &text,
            )
            .await?;
        }
    }
    let opens = a.hints.opens();
    let window = if opens {
        rules.suppressing_window(&a.envelope, received_at)
    } else {
        None
    };
    let mut held: Vec<String> = Vec::new();
    let mut opened: Vec<String> = Vec::new();
    for route in &routes {
        for compiled in &route.targets {
            if let Some(http) = &compiled.http {
                queue_delivery(tx, config, a, route, compiled, http, received_at).await?;
                continue;
            }
            if !opens {
                continue;
            }
            if window.is_some() {
                if !held.contains(&route.rule_arn) {
                    held.push(route.rule_arn.clone());
                }
                continue;
            }
            let held = holds.then_some(&mut plain.incidents);
            if let Some(arn) = run_target(
                tx,
                config,
                caller,
                a,
                route,
                compiled,
                &text,
                received_at,
                held,
            )
            .await?
                && !opened.contains(&arn)
            {
                opened.push(arn);
            }
        }
    }
    if let Some(w) = window
        && !held.is_empty()
    {
        let suppression = Suppression {
            window_id: w.id.clone(),
            event_id: a.event_id.clone(),
            source: a.envelope["source"].as_str().unwrap_or_default().to_owned(),
            detail_type: a.envelope["detail-type"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            source_key: alerts::source_key(&a.envelope, &a.hints),
            at: received_at,
            rule_arns: held,
            outcome: None,
        };
        let hints = serde_json::to_value(&a.hints).unwrap_or_default();
        windows::record_suppression(tx, &w.id, suppression, hints, received_at).await?;
        tracing::info!(event = %a.event_id, window = %w.id, "maintenance window suppressed the event's incident and runbook targets");
    }
    match &a.hints.alert {
        Some(update) => {
            alerts::apply(tx, config, update, &opened, &a.event_id, received_at).await?
        }
        None => {
            alerts::track_cloudwatch(tx, &a.envelope, &opened, &a.event_id, received_at).await?;
            if alerts::cloudwatch_state(&a.envelope).is_none() {
                let key = alerts::generic_key(&a.envelope);
                for window in rules.windows_resolved_by(&a.envelope) {
                    tx.resolve_suppressions(&key, Some(window)).await?;
                }
            }
        }
    }
    if a.envelope["source"] != heartbeats::SOURCE {
        for name in rules.beating(&a.bus, &a.envelope) {
            if let Some(event) = heartbeats::beat(tx, config, &name, received_at).await? {
                follow_ups.push_back(heartbeat_event(config, event));
            }
        }
    }
    if holds {
        plain.changes.push(received_change(a, &routes));
    } else {
        tx.append_change(&received_change(a, &routes)).await?;
    }
    Ok(opened.into_iter().next())
}

/// The `eventReceived` feed entry of an event and the rules it matched.
fn received_change(a: &Accepted, routes: &[std::sync::Arc<RuleRoute>]) -> Change {
    Change::EventReceived(EventReceived {
        event_id: a.event_id.clone(),
        event_bus_name: a.bus.clone(),
        source: a.envelope["source"].as_str().unwrap_or_default().to_owned(),
        detail_type: a.envelope["detail-type"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        matched_rules: routes.iter().map(|r| r.rule_arn.clone()).collect(),
    })
}

/// Queues an HTTP target's delivery of an event (failed at once when the rendered input is
/// over the cap).
async fn queue_delivery(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    a: &Accepted,
    route: &RuleRoute,
    compiled: &RouteTarget,
    http: &crate::domain::targets::HttpTarget,
    received_at: f64,
) -> ApiResult<()> {
    let target = &compiled.target;
    let ingestion_time = clock::rfc3339(received_at);
    let ctx = DeliveryContext {
        rule_arn: &route.rule_arn,
        rule_name: &route.rule_name,
        ingestion_time: &ingestion_time,
    };
    let rendered = compiled
        .input
        .render_capped(&a.envelope, &ctx, config.max_target_input_bytes);
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
    Ok(())
}

/// Runs one incident or Automation target for an event; returns the incident it opened or
/// merged into. A target that fails (a deleted plan, an unusable input) fails alone, as
/// EventBridge's failed invocations do.
///
/// Errors: store errors only.
#[allow(clippy::too_many_arguments)]
async fn run_target(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    caller: &Caller,
    a: &Accepted,
    route: &RuleRoute,
    compiled: &RouteTarget,
    text: &str,
    received_at: f64,
    mut held: Option<&mut incidents::HeldIncidents>,
) -> ApiResult<Option<String>> {
    let target = &compiled.target;
    if let Some((document, version)) = tocsin_api::arn::automation_definition(&target.arn) {
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
        match start_runbook(tx, document, version, input, principal, received_at).await {
            Ok(id) => {
                tracing::info!(event = %a.event_id, rule = %route.rule_arn, execution = %id, "rule target started a runbook")
            }
            Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
            Err(err) => {
                tracing::warn!(event = %a.event_id, rule = %route.rule_arn, target = %target.id, %err, "failed invocation: the runbook did not start");
                let reason = format!("the runbook did not start: {err}");
                dead_letter_target(tx, config, a, route, target, &reason, received_at).await?;
            }
        }
        return Ok(None);
    }
    if tocsin_api::arn::response_plan_name(&target.arn).is_none() {
        // PutTargets refuses such ARNs; one stored by an earlier version still fails loudly.
        let reason = format!(
            "Tocsin cannot deliver to {}: {}",
            target.arn,
            crate::domain::targets::DELIVERABLE
        );
        dead_letter_target(tx, config, a, route, target, &reason, received_at).await?;
        return Ok(None);
    }
    let new = new_incident_for(caller, a, route, target, text, received_at);
    match incidents::start_incident_holding(&mut *tx, config, new, held.as_deref_mut()).await {
        Ok(outcome) => {
            // One line per incident opened; merges (a flapping alarm's every evaluation)
            // only at debug level.
            if matches!(outcome, incidents::StartOutcome::Created(_)) {
                tracing::info!(event = %a.event_id, rule = %route.rule_arn, ?outcome, "rule target ran");
            } else {
                tracing::debug!(event = %a.event_id, rule = %route.rule_arn, ?outcome, "rule target ran");
            }
            Ok(Some(outcome.arn().to_owned()))
        }
        // A deleted plan or an unusable event fails this target only; the
        // event is still accepted (as EventBridge does with failed targets).
        Err(err @ (ApiError::NotFound(_) | ApiError::Validation(_))) => {
            tracing::warn!(event = %a.event_id, rule = %route.rule_arn, %err, "rule target failed");
            let reason = format!("no incident was opened: {err}");
            // The dead letter may open (or merge into) the self-watching incident: held
            // incident writes go first.
            if let Some(held) = held {
                held.flush(tx).await?;
            }
            dead_letter_target(tx, config, a, route, target, &reason, received_at).await?;
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// The incident a response-plan target asks for when `a` matches `route`: the plan's,
/// triggered by the rule, with the event's resources (ARNs) and hints' related items
/// (100 at most), the receiver's dedupe key or one derived from the rule and resources.
fn new_incident_for(
    caller: &Caller,
    a: &Accepted,
    route: &RuleRoute,
    target: &tocsin_api::events::Target,
    text: &str,
    received_at: f64,
) -> NewIncident {
    let mut related_items: Vec<RelatedItem> = a.envelope["resources"]
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
    related_items.extend(a.hints.related_items.iter().cloned());
    related_items.truncate(100);
    let fallback_dedupe = match &a.hints.dedupe {
        Some(key) => format!("{}|{key}", route.rule_arn),
        None => derived_dedupe(&route.rule_arn, &a.envelope),
    };
    NewIncident {
        response_plan_arn: target.arn.clone(),
        title: a.hints.title.clone(),
        impact: a.hints.impact,
        summary: None,
        trigger: TriggerDetails {
            source: truncate_chars(a.envelope["source"].as_str().unwrap_or_default(), 50),
            timestamp: received_at,
            trigger_arn: Some(route.rule_arn.clone()),
            raw_data: Some(truncate_chars(text, RAW_DATA_MAX)),
        },
        related_items,
        fallback_dedupe: Some(fallback_dedupe),
        client_token: None,
        created_by: caller.principal.clone(),
        invoked_by: Some("events.amazonaws.com".into()),
    }
}

/// A rule target that could not run (a deleted response plan, an unusable input, a runbook
/// that did not start, an ARN Tocsin cannot deliver to): recorded, in `tx`, as a `FAILED`
/// delivery of the event to the target's ARN with the reason (the dead letter, listed by
/// `GET /v1/deliveries?status=FAILED` and on the rule in the app), announced in the change
/// feed, and reported by the self-watching incident ([`crate::domain::selfwatch`]). The
/// event and the rule's other targets go on.
///
/// Errors: store errors (a self-watching incident that cannot open is only logged).
async fn dead_letter_target(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    a: &Accepted,
    route: &RuleRoute,
    target: &tocsin_api::events::Target,
    reason: &str,
    received_at: f64,
) -> ApiResult<()> {
    let mut delivery = tocsin_api::native::Delivery {
        id: 0,
        event_id: a.event_id.clone(),
        rule_arn: route.rule_arn.clone(),
        target_id: target.id.clone(),
        url: target.arn.clone(),
        headers: Default::default(),
        body: String::new(),
        status: tocsin_api::native::DeliveryStatus::Failed,
        attempts: 0,
        max_attempts: 0,
        deadline: received_at,
        created_at: received_at,
        updated_at: received_at,
        last_status_code: None,
        last_error: Some(reason.to_owned()),
    };
    tx.insert_delivery(&mut delivery).await?;
    tx.append_change(&Change::DeliveryChanged(delivery.clone()))
        .await?;
    let name = format!("{}/{}", route.rule_name, target.id);
    let letter = crate::domain::selfwatch::DeadLetter {
        kind: "target",
        name: &name,
        id: delivery.id,
        reason,
        incident_arn: None,
    };
    match crate::domain::selfwatch::dead_letter(tx, config, letter).await {
        Err(err @ ApiError::Internal(_)) => Err(err),
        Err(err) => {
            tracing::warn!(%err, rule = %route.rule_arn, target = %target.id, "the self-watching incident for a failed target did not open");
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

fn heartbeat_event(config: &ServerConfig, e: heartbeats::HeartbeatEvent) -> Accepted {
    let (event_id, envelope) = new_envelope(Parts {
        source: heartbeats::SOURCE,
        detail_type: e.detail_type,
        account: &config.account_id,
        region: &config.region,
        time: e.time,
        resources: &e.resources,
        detail: e.detail,
    });
    Accepted {
        index: 0,
        envelope,
        event_id,
        bus: e.bus,
        hints: Hints::default(),
        route_to: None,
        only_rules: None,
        prepared: None,
    }
}

/// Turns what a receiver made of its input into events on `bus`, as PutEvents would,
/// each with its hints, matched against `rules` and rendered: everything but the write, so
/// it runs before the group commit's queue ([`crate::domain::group_commit`]).
///
/// Errors: an event over [`MAX_RECEIVED_EVENT_BYTES`] or with a resource over 2,048 bytes
/// (`ValidationException`: the receiver answers 400 and nothing is written).
pub(crate) fn accept_received(
    rules: &CompiledRules,
    config: &ServerConfig,
    bus: &str,
    inbound: Vec<Inbound>,
) -> ApiResult<Vec<Accepted>> {
    let now = clock::now();
    let mut accepted = Vec::with_capacity(inbound.len());
    for (index, i) in inbound.into_iter().enumerate() {
        let (event_id, envelope) = new_envelope(Parts {
            source: &i.source,
            detail_type: &i.detail_type,
            account: i.account.as_deref().unwrap_or(&config.account_id),
            region: i.region.as_deref().unwrap_or(&config.region),
            time: i.time.unwrap_or(now),
            resources: &i.resources,
            detail: i.detail,
        });
        let text = envelope.to_string();
        let size = text.len();
        if size > MAX_RECEIVED_EVENT_BYTES {
            return Err(ApiError::Validation(format!(
                "event {index} is {size} bytes; a received event is at most {MAX_RECEIVED_EVENT_BYTES}"
            )));
        }
        if let Some(long) = i.resources.iter().find(|r| r.len() > 2048) {
            return Err(ApiError::Validation(format!(
                "event {index} has a resource of {} bytes (at most 2048)",
                long.len()
            )));
        }
        // Matched and rendered here, once: the text measured above is the text stored.
        let routes = rules.matching(bus, &envelope);
        accepted.push(Accepted {
            index,
            event_id,
            bus: bus.to_owned(),
            envelope,
            hints: i.hints,
            route_to: None,
            only_rules: None,
            prepared: Some((routes, text)),
        });
    }
    Ok(accepted)
}

/// Stores events [`accept_received`] made, in `tx` (the caller commits; plain events'
/// writes are left in `plain` to flush), and runs their rules' targets; returns, per
/// event, its id and the incident it opened or merged into.
///
/// Errors: store errors.
pub(crate) async fn receive(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    accepted: &[Accepted],
    plain: &mut Held,
) -> ApiResult<Vec<(String, Option<String>)>> {
    let opened = ingest_holding(tx, rules, config, caller, accepted, plain).await?;
    Ok(accepted
        .iter()
        .map(|a| a.event_id.clone())
        .zip(opened)
        .collect())
}

/// The scheduler's turn for a heartbeat whose deadline passed: marks it missed and puts
/// `Heartbeat Missed` on its bus (dated at the deadline), in `tx`. Returns whether it was
/// missed now (false: it beat in time, was missed before, or is gone).
///
/// Errors: store errors.
pub async fn miss_heartbeat(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    name: &str,
    now: f64,
) -> ApiResult<bool> {
    let Some(event) = heartbeats::miss(tx, config, name, now).await? else {
        return Ok(false);
    };
    let caller = crate::domain::alerts::receiver_caller(config, &format!("heartbeat-{name}"));
    ingest(
        tx,
        rules,
        config,
        &caller,
        &[heartbeat_event(config, event)],
    )
    .await?;
    Ok(true)
}

/// A maintenance window's occurrence ended: for each source it suppressed, the latest
/// suppressed event decides. A source still firing (see [`crate::domain::windows`]) runs
/// that event's incident and runbook targets now, with its original hints, unless another
/// active window holds it (it moves there); the others open nothing. Each suppression
/// records its outcome (`OPENED`, `RESOLVED`, `SUPERSEDED`, `HELD`).
///
/// Errors: store errors.
pub async fn release_window(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    window_id: &str,
    now: f64,
) -> ApiResult<usize> {
    let mut opened = 0;
    loop {
        let pending = tx.suppressions(window_id, true, RELEASE_BATCH).await?;
        if pending.is_empty() {
            return Ok(opened);
        }
        opened += release_batch(tx, rules, config, window_id, pending, now).await?;
    }
}

/// Suppressions a window's end decides per read.
const RELEASE_BATCH: i64 = 1000;

/// Decides one batch of a window's suppressions (see [`release_window`]).
async fn release_batch(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    window_id: &str,
    pending: Vec<(i64, crate::store::StoredSuppression)>,
    now: f64,
) -> ApiResult<usize> {
    let mut latest: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for (id, s) in &pending {
        latest.insert(s.suppression.source_key.clone(), *id);
    }
    let mut opened = 0;
    for (id, mut s) in pending {
        let key = s.suppression.source_key.clone();
        if latest.get(&key) != Some(&id) {
            s.suppression.outcome = Some("SUPERSEDED".into());
            tx.update_suppression(id, &s, true).await?;
            continue;
        }
        let firing = match tx.alert_source(&key).await? {
            Some(source) => alerts::still_firing(&source, now),
            None => !s.resolved,
        };
        let mut outcome = "RESOLVED";
        if firing && let Some((bus, body)) = tx.event(&s.suppression.event_id).await? {
            let envelope: serde_json::Value = serde_json::from_str(&body).map_err(|e| {
                ApiError::Internal(format!("stored event does not parse: {e}").into())
            })?;
            // Another window that holds the event now keeps holding it.
            if let Some(other) = rules
                .suppressing_window(&envelope, now)
                .filter(|w| w.id != window_id)
            {
                let mut held = s.suppression.clone();
                held.window_id = other.id.clone();
                held.at = now;
                windows::record_suppression(tx, &other.id, held, s.hints.clone(), now).await?;
                s.suppression.outcome = Some("HELD".into());
                tx.update_suppression(id, &s, true).await?;
                continue;
            }
            let hints: Hints = serde_json::from_value(s.hints.clone()).unwrap_or_default();
            let a = Accepted {
                index: 0,
                event_id: s.suppression.event_id.clone(),
                bus: bus.clone(),
                envelope,
                hints,
                route_to: None,
                only_rules: None,
                prepared: None,
            };
            let caller =
                crate::domain::alerts::receiver_caller(config, &format!("window-{window_id}"));
            let text = a.envelope.to_string();
            let mut opened_now: Vec<String> = Vec::new();
            for route in rules.matching(&bus, &a.envelope) {
                for compiled in route.targets.iter().filter(|t| t.http.is_none()) {
                    if let Some(arn) =
                        run_target(tx, config, &caller, &a, &route, compiled, &text, now, None)
                            .await?
                        && !opened_now.contains(&arn)
                    {
                        opened_now.push(arn);
                    }
                }
            }
            if let Some(mut source) = tx.alert_source(&key).await? {
                for arn in opened_now {
                    if !source.incident_arns.contains(&arn) {
                        source.incident_arns.push(arn);
                    }
                }
                tx.put_alert_source(&source).await?;
            }
            outcome = "OPENED";
            opened += 1;
        }
        s.suppression.outcome = Some(outcome.into());
        tx.update_suppression(id, &s, true).await?;
    }
    Ok(opened)
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
/// as [`crate::domain::group_commit::put_events`] does, without opening or committing a transaction.
///
/// Errors: as [`crate::domain::group_commit::put_events`].
pub async fn put_events_in(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    caller: &Caller,
    req: PutEventsRequest,
) -> ApiResult<PutEventsResponse> {
    let (results, accepted) = accept_request(config, rules, &req)?;
    let ids = accepted_ids(&accepted);
    ingest(tx, rules, config, caller, &accepted).await?;
    Ok(respond(results, ids))
}

/// A scheduled rule's firing, as [`fire_schedule`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    /// The `Scheduled Event`'s id.
    pub event_id: String,
    /// The occurrence it stands for (epoch seconds; the event's `time`).
    pub at: f64,
    /// Earlier occurrences it stands for too (missed while Tocsin was down).
    pub missed: u64,
}

/// Fires a scheduled rule that fell due (`next_at <= now`), in `tx` (the caller commits):
/// one `Scheduled Event` (`source` `aws.events`, `resources` the rule's ARN, `detail` `{}`,
/// `time` the occurrence) to the rule's targets only, as EventBridge sends it, and the rule's
/// next firing, written together so a restart neither repeats nor skips a firing.
///
/// Catch-up: when several occurrences passed (Tocsin was down), one event fires for the
/// latest of them and the schedule goes on from there. A disabled rule fires nothing (its
/// schedule just advances); a deleted or unscheduled rule's row is removed. Returns the
/// firing, if one happened.
///
/// Errors: store errors.
pub async fn fire_schedule(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    rule_arn: &str,
    next_at: f64,
    now: f64,
) -> ApiResult<Option<Firing>> {
    let rule = tx.rule(rule_arn).await?;
    let Some((rule, expr)) = rule.and_then(|r| r.schedule_expression.clone().map(|e| (r, e)))
    else {
        tx.delete_schedule(rule_arn).await?;
        return Ok(None);
    };
    let schedule = crate::domain::schedules::Schedule::parse(&expr)?;
    let (at, missed, next) = schedule.latest_due(next_at, now);
    match next {
        Some(next) => tx.put_schedule(rule_arn, next).await?,
        None => tx.delete_schedule(rule_arn).await?,
    }
    if !rule.state.is_enabled() {
        return Ok(None);
    }
    let (event_id, envelope) = new_envelope(Parts {
        source: "aws.events",
        detail_type: "Scheduled Event",
        account: &config.account_id,
        region: &config.region,
        time: at,
        resources: &[rule_arn.to_owned()],
        detail: json!({}),
    });
    let caller = crate::domain::alerts::receiver_caller(config, "scheduler");
    let accepted = Accepted {
        index: 0,
        event_id: event_id.clone(),
        bus: rule.event_bus_name.clone(),
        envelope,
        hints: Hints::default(),
        route_to: Some(rule_arn.to_owned()),
        only_rules: None,
        prepared: None,
    };
    ingest(tx, rules, config, &caller, &[accepted]).await?;
    Ok(Some(Firing {
        event_id,
        at,
        missed,
    }))
}

/// One step of a replay ([`crate::domain::archives`]), in `tx` (the caller commits): a
/// `STARTING` replay becomes `RUNNING`; a running one puts its next
/// [`crate::domain::archives::REPLAY_BATCH`] archived events back on its bus (each with a
/// new id and `replay-name`, routed to its `FilterArns` or every matching rule, never
/// archived again) and records its progress, becoming `COMPLETED` after the last; a
/// `CANCELLING` one becomes `CANCELLED`; one whose archive was deleted `FAILED`. Returns
/// whether more steps are needed.
///
/// Errors: store errors (the caller marks the replay `FAILED`).
pub async fn replay_step(
    tx: &mut dyn StoreTx,
    rules: &CompiledRules,
    config: &ServerConfig,
    name: &str,
    now: f64,
) -> ApiResult<bool> {
    use crate::domain::archives::{self, REPLAY_BATCH};
    let Some(mut r) = archives::replay(tx, name).await? else {
        return Ok(false);
    };
    match r.state.as_str() {
        "CANCELLING" => {
            r.state = "CANCELLED".into();
            r.state_reason = Some(format!("Cancelled after {} events.", r.replayed));
            r.replay_end_time = Some(now);
            archives::save_replay(tx, &r).await?;
            return Ok(false);
        }
        "STARTING" => r.state = "RUNNING".into(),
        "RUNNING" => {}
        _ => return Ok(false),
    }
    if archives::archive(tx, &r.archive).await?.is_none() {
        r.state = "FAILED".into();
        r.state_reason = Some(format!("Archive {} was deleted.", r.archive));
        r.replay_end_time = Some(now);
        archives::save_replay(tx, &r).await?;
        return Ok(false);
    }
    let page = tx
        .archived_events(
            &r.archive,
            r.event_start_time,
            r.event_end_time,
            r.cursor.clone(),
            REPLAY_BATCH,
        )
        .await?;
    let only_rules = r
        .destination
        .filter_arns
        .clone()
        .filter(|list| !list.is_empty());
    let mut batch = Vec::with_capacity(page.len());
    for (index, (_, original, body)) in page.iter().enumerate() {
        let Ok(mut envelope) = serde_json::from_str::<serde_json::Value>(body) else {
            tracing::warn!(replay = name, event = %original, "skipping an archived event that does not decode");
            continue;
        };
        let event_id = new_event_id();
        envelope["id"] = json!(event_id);
        envelope["replay-name"] = json!(r.name);
        batch.push(Accepted {
            index,
            event_id,
            bus: r.event_bus_name.clone(),
            envelope,
            hints: Hints::default(),
            route_to: None,
            only_rules: only_rules.clone(),
            prepared: None,
        });
    }
    let caller = crate::domain::alerts::receiver_caller(config, &format!("replay-{name}"));
    ingest(tx, rules, config, &caller, &batch).await?;
    if let Some((at, id, _)) = page.last() {
        r.cursor = Some((*at, id.clone()));
        r.event_last_replayed_time = Some(*at);
    }
    r.replayed += page.len() as u64;
    let more = page.len() as i64 == REPLAY_BATCH;
    if !more {
        r.state = "COMPLETED".into();
        r.state_reason = Some(format!("Replayed {} events.", r.replayed));
        r.replay_end_time = Some(now);
    }
    archives::save_replay(tx, &r).await?;
    Ok(more)
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
    fn event_ids_are_uuids_that_only_grow() {
        let ids: Vec<String> = (0..10_000).map(|_| new_event_id()).collect();
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 7, "{id}");
            assert_eq!(id.len(), 36, "{id}");
        }
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ids made in one millisecond still grow"
        );
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("hi", 10), "hi");
    }
}
