//! The incident engine: opening incidents from response plans, merging duplicates,
//! updating and resolving them. Every function works inside the caller's transaction and
//! writes the timeline entries and change-feed entries its change implies, so the change
//! and its announcement commit together.
//!
//! Behaviour mirrors StartIncident / UpdateIncidentRecord (ssm-incidents 2018-05-10):
//! a `clientToken` seen before returns the first result without a second effect; while an
//! incident with the same non-empty `dedupeString` is OPEN, a new trigger adds a
//! "Trigger Deduplicated" timeline entry (and any new related items) to it instead of
//! opening another.

use serde_json::json;
use tocsin_api::incidents::{
    AttributeValueList, Condition, EventSummary, IncidentRecord, IncidentRecordSource,
    IncidentRecordStatus, IncidentRecordSummary, ListIncidentRecordsInput,
    ListIncidentRecordsOutput, ListRelatedItemsInput, ListRelatedItemsOutput,
    ListTimelineEventsInput, ListTimelineEventsOutput, RelatedItem, TimelineEvent, TriggerDetails,
    UpdateIncidentRecordInput,
};
use tocsin_api::native::{Change, WallIncident, timeline_event_types as kinds};

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::arns;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::notify;
use crate::domain::timeline::{
    append_timeline, attach_items, item_identity, item_identity_as_sent, timeline_entry,
};
use crate::domain::validate::{self, Page};
use crate::store::{IncidentQuery, StoreError, StoreTx, StoredIncident};

/// `incidentRecordSource.source` of incidents started by hand through the API.
pub const MANUAL_SOURCE: &str = tocsin_api::timeline::MANUAL_SOURCE;

/// A request to open an incident (from `StartIncident` or a rule target).
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// The response plan.
    pub response_plan_arn: String,
    /// Overrides the plan's title.
    pub title: Option<String>,
    /// Overrides the plan's impact.
    pub impact: Option<i32>,
    /// Overrides the plan's summary for a new incident (Tocsin's `StartIncident` extension;
    /// a merge or a replay leaves the open incident's summary alone).
    pub summary: Option<String>,
    /// What triggered it.
    pub trigger: TriggerDetails,
    /// Items to attach.
    pub related_items: Vec<RelatedItem>,
    /// Dedupe string used when the plan has none (rule targets derive one).
    pub fallback_dedupe: Option<String>,
    /// Idempotency token.
    pub client_token: Option<String>,
    /// Principal ARN of the caller.
    pub created_by: String,
    /// Service that invoked it (`events.amazonaws.com` for rule targets).
    pub invoked_by: Option<String>,
}

/// What [`start_incident`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    /// A new incident was opened.
    Created(String),
    /// The trigger merged into this open incident.
    Deduplicated(String),
    /// The client token was seen before; nothing changed.
    Replayed(String),
}

impl StartOutcome {
    /// The incident's ARN.
    pub fn arn(&self) -> &str {
        match self {
            Self::Created(a) | Self::Deduplicated(a) | Self::Replayed(a) => a,
        }
    }
}

const START_INCIDENT: &str = "StartIncident";
const UPDATE_INCIDENT: &str = "UpdateIncidentRecord";
const CREATE_TIMELINE_EVENT: &str = "CreateTimelineEvent";

/// Checks a related item's constraints (`RelatedItem`).
pub fn validate_related_item(at: &str, item: &RelatedItem) -> ApiResult<()> {
    let id = &item.identifier;
    if !tocsin_api::incidents::ITEM_TYPES.contains(&id.item_type.as_str()) {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{}' at '{at}.identifier.type' failed to satisfy constraint: Member must satisfy enum value set: {:?}",
            id.item_type,
            tocsin_api::incidents::ITEM_TYPES
        )));
    }
    let v = &id.value;
    let set = [
        v.arn.is_some(),
        v.url.is_some(),
        v.metric_definition.is_some(),
        v.pager_duty_incident_detail.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if set != 1 {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: '{at}.identifier.value' must set exactly one of arn, url, metricDefinition, pagerDutyIncidentDetail"
        )));
    }
    validate::opt_length(&format!("{at}.title"), item.title.as_deref(), 200)?;
    if let Some(generated) = item.generated_id.as_deref() {
        check_related_item_id(&format!("{at}.generatedId"), generated)?;
    }
    validate::opt_length(
        &format!("{at}.identifier.value.url"),
        v.url.as_deref(),
        1000,
    )?;
    validate::opt_length(
        &format!("{at}.identifier.value.arn"),
        v.arn.as_deref(),
        1000,
    )?;
    validate::opt_length(
        &format!("{at}.identifier.value.metricDefinition"),
        v.metric_definition.as_deref(),
        4000,
    )
}

/// Checks a `StartIncident` request's constraints before anything is written.
pub fn validate_new_incident(req: &NewIncident) -> ApiResult<()> {
    validate::arn("responsePlanArn", &req.response_plan_arn)?;
    validate::opt_length("title", req.title.as_deref(), 200)?;
    validate::opt_length("summary", req.summary.as_deref(), 8000)?;
    if let Some(impact) = req.impact {
        validate::impact("impact", impact)?;
    }
    validate::opt_length("clientToken", req.client_token.as_deref(), 128)?;
    validate::length("triggerDetails.source", &req.trigger.source, 0, 50)?;
    validate::opt_length(
        "triggerDetails.rawData",
        req.trigger.raw_data.as_deref(),
        10000,
    )?;
    if let Some(arn) = &req.trigger.trigger_arn {
        validate::arn("triggerDetails.triggerArn", arn)?;
    }
    validate::list_length("relatedItems", req.related_items.len(), 0, 100)?;
    for (i, item) in req.related_items.iter().enumerate() {
        validate_related_item(&format!("relatedItems.{}.member", i + 1), item)?;
    }
    Ok(())
}

/// Appends an `IncidentUpdated` feed entry with the incident as the wall shows it now (after
/// an acknowledgement or its lapse). Nothing when the incident does not exist.
pub async fn announce(tx: &mut dyn StoreTx, incident_arn: &str) -> ApiResult<()> {
    if let Some(stored) = tx.incident(incident_arn).await? {
        let wall = wall_incident(tx, stored).await?;
        tx.append_change(&Change::IncidentUpdated(wall)).await?;
    }
    Ok(())
}

/// Builds the wall-screen view of a stored incident (plan name, newest timeline entry).
pub async fn wall_incident(
    tx: &mut dyn StoreTx,
    incident: StoredIncident,
) -> ApiResult<WallIncident> {
    wall_incident_known(tx, incident, None, None).await
}

/// [`wall_incident`] with what the caller already read: the incident's response plan and
/// its newest timeline entry (`Some(None)`: it has none).
async fn wall_incident_known(
    tx: &mut dyn StoreTx,
    incident: StoredIncident,
    plan: Option<&crate::store::StoredPlan>,
    latest: Option<Option<TimelineEvent>>,
) -> ApiResult<WallIncident> {
    let read;
    let plan = match plan {
        Some(plan) => Some(plan),
        None => {
            read = tx.plan(&incident.response_plan_arn).await?;
            read.as_ref()
        }
    };
    let plan_name = match plan {
        Some(p) => p.plan.label().to_owned(),
        None => arns::response_plan_name(&incident.response_plan_arn)
            .unwrap_or_default()
            .to_owned(),
    };
    let latest = match latest {
        Some(latest) => latest,
        None => tx.latest_timeline_event(&incident.record.arn).await?,
    };
    let runbooks = tx
        .executions_for_incident(&incident.record.arn)
        .await?
        .iter()
        .filter_map(|exec| {
            let doc = tocsin_runbook::Document::from_value(&exec.content).ok();
            match crate::domain::automation_start::summary(exec, doc.as_ref()) {
                Change::AutomationChanged(s) => Some(s),
                _ => None,
            }
        })
        .collect();
    let acknowledgement = tx
        .acknowledgement(&incident.record.arn)
        .await?
        .filter(|a| !a.lapsed);
    let tags = tx.tags(&incident.record.arn).await?.into_iter().collect();
    Ok(WallIncident {
        incident: incident.record,
        response_plan_arn: incident.response_plan_arn,
        response_plan_name: plan_name,
        latest_timeline_event: latest,
        runbooks,
        acknowledgement,
        tags,
    })
}

/// Seconds after a folded "Trigger Deduplicated" entry's first trigger during which more
/// triggers from the same source fold into it.
pub const TRIGGER_FOLD_SECS: f64 = 3600.0;

/// Records a trigger merged into the open incident `arn`. Repeats fold: when the
/// incident's newest timeline entry is a "Trigger Deduplicated" entry from the same source
/// and trigger, begun less than [`TRIGGER_FOLD_SECS`] ago, it is updated (`count` + 1,
/// `lastTime` and `timestamp` of this trigger, `eventUpdatedTime` now) instead of adding
/// an entry, so a flapping alarm adds one entry an hour, not one per evaluation. Its
/// `eventData` is `{"source", "triggerArn", "timestamp", "dedupeString", "count",
/// "firstTime", "lastTime"}` (times in epoch seconds).
///
/// Errors: store errors.
async fn record_deduplicated_trigger(
    tx: &mut dyn StoreTx,
    arn: &str,
    trigger: &TriggerDetails,
    dedupe: &str,
    now: f64,
) -> ApiResult<()> {
    if let Some(mut latest) = tx.latest_timeline_event(arn).await?
        && fold_trigger(&mut latest, trigger, now)
    {
        tx.update_timeline_event(&latest).await?;
        tx.append_change(&Change::TimelineEventUpdated(latest))
            .await?;
        return Ok(());
    }
    append_timeline(tx, trigger_entry(arn, trigger, dedupe, now)).await
}

/// Folds `trigger` into `latest` when `latest` is a "Trigger Deduplicated" entry from the
/// same source and trigger begun less than [`TRIGGER_FOLD_SECS`] before `now`: `count` + 1,
/// `lastTime` = `now`, `timestamp` of this trigger, `eventUpdatedTime` = `now`. Returns
/// whether it folded (`latest` is unchanged when not).
fn fold_trigger(latest: &mut TimelineEvent, trigger: &TriggerDetails, now: f64) -> bool {
    if latest.event_type != kinds::TRIGGER_DEDUPLICATED
        || now - latest.event_time >= TRIGGER_FOLD_SECS
    {
        return false;
    }
    let Ok(mut data) = serde_json::from_str::<serde_json::Value>(&latest.event_data) else {
        return false;
    };
    if data["source"] != json!(trigger.source) || data["triggerArn"] != json!(trigger.trigger_arn) {
        return false;
    }
    let count = data["count"].as_u64().unwrap_or(1) + 1;
    data["count"] = json!(count);
    data["lastTime"] = json!(now);
    data["timestamp"] = json!(trigger.timestamp);
    latest.event_data = data.to_string();
    latest.event_updated_time = now;
    true
}

/// A new "Trigger Deduplicated" entry (`count` 1) for `trigger` merged into `arn`.
fn trigger_entry(arn: &str, trigger: &TriggerDetails, dedupe: &str, now: f64) -> TimelineEvent {
    timeline_entry(
        arn,
        kinds::TRIGGER_DEDUPLICATED,
        json!({
            "source": trigger.source,
            "triggerArn": trigger.trigger_arn,
            "timestamp": trigger.timestamp,
            "dedupeString": dedupe,
            "count": 1,
            "firstTime": now,
            "lastTime": now,
        }),
        now,
    )
}

/// Incident writes held back while one ingest batch (a group commit, or one [`ingest`
/// pass](crate::domain::events)) runs, so that many triggers merged into the same open
/// incident cost a few statements per batch rather than about ten each: the response plans
/// read, the open incident of each dedupe string, and each incident's newest timeline entry
/// are remembered; repeated triggers fold into that entry in memory; and each merged-into
/// incident's `lastModifiedTime`, folded entry and `IncidentUpdated` feed entry are written
/// once, by [`HeldIncidents::flush`].
///
/// What it remembers is only valid while nothing else changes those incidents in the same
/// transaction: the caller flushes it before any write that may (an acknowledgement or
/// resolution from a receiver, a runbook target, a dead letter) and before the commit.
#[derive(Debug, Default, Clone)]
pub struct HeldIncidents {
    plans: std::collections::HashMap<String, Option<std::sync::Arc<crate::store::StoredPlan>>>,
    open_by_dedupe: std::collections::HashMap<String, String>,
    /// Merged-into incidents as read when first found open (none for one opened here).
    records: std::collections::HashMap<String, StoredIncident>,
    latest: std::collections::HashMap<String, HeldLatest>,
    /// Merged-into incidents in the order first touched, with the last merge's time and
    /// principal.
    touched: Vec<(String, f64, String)>,
    /// Related items attached (or found attached) in this batch: (incident, identity).
    attached: std::collections::HashSet<(String, String)>,
    /// Each merged-into incident as the last `IncidentUpdated` showed it.
    walls: std::collections::HashMap<String, WallIncident>,
}

/// An incident's newest timeline entry as the held writes left it.
#[derive(Debug, Clone)]
struct HeldLatest {
    entry: Option<TimelineEvent>,
    /// Folded in memory and not yet written.
    dirty: bool,
}

impl HeldIncidents {
    /// Whether writes are held that only [`HeldIncidents::flush`] makes.
    pub(crate) fn holds_writes(&self) -> bool {
        !self.touched.is_empty() || self.latest.values().any(|l| l.dirty)
    }

    /// The response plan `arn`, read once per batch.
    async fn plan(
        &mut self,
        tx: &mut dyn StoreTx,
        arn: &str,
    ) -> ApiResult<Option<std::sync::Arc<crate::store::StoredPlan>>> {
        if let Some(plan) = self.plans.get(arn) {
            return Ok(plan.clone());
        }
        let plan = tx.plan(arn).await?.map(std::sync::Arc::new);
        self.plans.insert(arn.to_owned(), plan.clone());
        Ok(plan)
    }

    /// [`record_deduplicated_trigger`], folding in memory where it can.
    async fn trigger(
        &mut self,
        tx: &mut dyn StoreTx,
        arn: &str,
        trigger: &TriggerDetails,
        dedupe: &str,
        now: f64,
    ) -> ApiResult<()> {
        if !self.latest.contains_key(arn) {
            let entry = tx.latest_timeline_event(arn).await?;
            self.latest.insert(
                arn.to_owned(),
                HeldLatest {
                    entry,
                    dirty: false,
                },
            );
        }
        let Some(slot) = self.latest.get_mut(arn) else {
            return Ok(());
        };
        if let Some(entry) = &mut slot.entry
            && fold_trigger(entry, trigger, now)
        {
            slot.dirty = true;
            return Ok(());
        }
        if slot.dirty
            && let Some(entry) = &slot.entry
        {
            tx.update_timeline_event(entry).await?;
            tx.append_change(&Change::TimelineEventUpdated(entry.clone()))
                .await?;
        }
        let entry = trigger_entry(arn, trigger, dedupe, now);
        append_timeline(tx, entry.clone()).await?;
        *slot = HeldLatest {
            entry: Some(entry),
            dirty: false,
        };
        Ok(())
    }

    /// Notes a merge into `arn` at `at` by `principal`.
    fn touch(&mut self, arn: &str, at: f64, principal: &str) {
        match self.touched.iter_mut().find(|(a, _, _)| a == arn) {
            Some(slot) => {
                slot.1 = at;
                principal.clone_into(&mut slot.2);
            }
            None => self
                .touched
                .push((arn.to_owned(), at, principal.to_owned())),
        }
    }

    /// Writes what is held, in `tx`: per merged-into incident (in the order first touched)
    /// its folded timeline entry and `TimelineEventUpdated`, its `lastModifiedTime`/`By`,
    /// and one `IncidentUpdated` with the incident as the wall shows it now; then forgets
    /// everything remembered (the caller is about to write what may change it).
    ///
    /// Errors: store errors.
    pub async fn flush(&mut self, tx: &mut dyn StoreTx) -> ApiResult<()> {
        self.write(tx).await?;
        self.forget();
        Ok(())
    }

    /// Writes what is held, as [`HeldIncidents::flush`], but remembers what it read and
    /// wrote (the plans, the open incident of each dedupe string, each incident as
    /// written, its newest timeline entry, the related items attached, and the wall's view
    /// of it), so the next batch can start from it when nothing else committed in between
    /// (group commit checks that with [`StoreTx::generation`]). A repeating alarm's
    /// merge then costs no read at all.
    ///
    /// Errors: store errors (what is remembered may then be wrong: drop it).
    pub async fn write(&mut self, tx: &mut dyn StoreTx) -> ApiResult<()> {
        self.read_missing(tx).await?;
        let (known, changes) = self.known_writes().ok_or_else(|| {
            ApiError::Internal("a merged-into incident is still unknown after reading it".into())
        })?;
        for entry in &known.timeline {
            tx.update_timeline_event(entry).await?;
        }
        for stored in &known.incidents {
            tx.update_incident(stored).await?;
        }
        tx.append_changes(&changes).await?;
        Ok(())
    }

    /// Reads, in `tx`, what [`HeldIncidents::known_wall`] needs and is not known for each
    /// merged-into incident: its record, its newest timeline entry (every timeline write to
    /// a held incident goes through `trigger`, so a held entry is its newest) and the wall's
    /// view of it. An incident gone from the database is no longer written.
    async fn read_missing(&mut self, tx: &mut dyn StoreTx) -> ApiResult<()> {
        let mut gone = Vec::new();
        for (arn, _, _) in &self.touched {
            if !self.records.contains_key(arn) {
                match tx.incident(arn).await? {
                    Some(stored) => {
                        self.records.insert(arn.clone(), stored);
                    }
                    None => {
                        gone.push(arn.clone());
                        continue;
                    }
                }
            }
            if !self.latest.contains_key(arn) {
                let entry = tx.latest_timeline_event(arn).await?;
                let slot = HeldLatest {
                    entry,
                    dirty: false,
                };
                self.latest.insert(arn.clone(), slot);
            }
            if !self.walls.contains_key(arn)
                && let Some(stored) = self.records.get(arn)
            {
                let plan = self.plans.get(&stored.response_plan_arn).cloned().flatten();
                let latest = self.latest.get(arn).map(|l| l.entry.clone());
                let wall = wall_incident_known(tx, stored.clone(), plan.as_deref(), latest).await?;
                self.walls.insert(arn.clone(), wall);
            }
        }
        self.touched.retain(|(arn, _, _)| !gone.contains(arn));
        Ok(())
    }

    /// The writes of a merge into `arn` (at `at` by `principal`) when everything about the
    /// incident is known (as read and as last written: its record, newest entry, and the
    /// wall's view): the folded entry to overwrite, if it changed, the incident as it is now
    /// and its `IncidentUpdated` view; what is remembered is brought up to date. `None`,
    /// changing nothing, when something must be read.
    fn known_wall(
        &mut self,
        arn: &str,
        at: f64,
        principal: &str,
    ) -> Option<(Option<TimelineEvent>, StoredIncident, WallIncident)> {
        let (Some(latest), Some(stored), Some(known)) = (
            self.latest.get_mut(arn),
            self.records.get_mut(arn),
            self.walls.get_mut(arn),
        ) else {
            return None;
        };
        let entry = latest.dirty.then(|| latest.entry.clone()).flatten();
        latest.dirty = false;
        stored.record.last_modified_time = at;
        principal.clone_into(&mut stored.record.last_modified_by);
        // Runbooks, acknowledgement, tags and the plan's name are as last read: only the
        // incident and its newest entry changed since.
        known.incident = stored.record.clone();
        known.latest_timeline_event = latest.entry.clone();
        Some((entry, stored.clone(), known.clone()))
    }

    /// Everything held as writes that need no read ([`crate::store::Store::write_known`])
    /// and their feed entries, when every merged-into incident is known
    /// ([`HeldIncidents::known_wall`]); `None`, changing nothing, when one is not.
    pub(crate) fn known_writes(&mut self) -> Option<(crate::store::KnownWrites, Vec<Change>)> {
        let all_known = self.touched.iter().all(|(arn, _, _)| {
            self.latest.contains_key(arn)
                && self.records.contains_key(arn)
                && self.walls.contains_key(arn)
        });
        if !all_known {
            return None;
        }
        let mut known = crate::store::KnownWrites::default();
        let mut changes = Vec::new();
        for (arn, at, principal) in std::mem::take(&mut self.touched) {
            let (entry, stored, wall) = self.known_wall(&arn, at, &principal)?;
            if let Some(entry) = entry {
                changes.push(Change::TimelineEventUpdated(entry.clone()));
                known.timeline.push(entry);
            }
            known.incidents.push(stored);
            changes.push(Change::IncidentUpdated(wall));
        }
        Some((known, changes))
    }

    /// Merges `req` into the open incident of its dedupe string without the database, when
    /// all it needs is known: the plan, the open incident, its newest entry (and the
    /// trigger folds into it) and every related item (attached already); there is no client
    /// token. Answers the incident's ARN; `None`, changing nothing, otherwise. The same
    /// merge [`start_incident_holding`] makes.
    pub(crate) fn merge_known(&mut self, req: &NewIncident, now: f64) -> Option<String> {
        if req.client_token.is_some() || validate_new_incident(req).is_err() {
            return None;
        }
        let plan = self.plans.get(&req.response_plan_arn)?.as_ref()?;
        let dedupe = merge_dedupe(&plan.plan.incident_template, req);
        if dedupe.is_empty() {
            return None;
        }
        let arn = self.open_by_dedupe.get(&dedupe)?.clone();
        if !req
            .related_items
            .iter()
            .all(|item| self.attached.contains(&(arn.clone(), item_identity(item))))
        {
            return None;
        }
        let slot = self.latest.get_mut(&arn)?;
        let mut entry = slot.entry.clone()?;
        if !fold_trigger(&mut entry, &req.trigger, now) {
            return None;
        }
        slot.entry = Some(entry);
        slot.dirty = true;
        self.touch(&arn, now, &req.created_by);
        Some(arn)
    }

    /// How many incidents it knows the open one of a dedupe string or the record of.
    pub(crate) fn incidents_known(&self) -> usize {
        self.open_by_dedupe.len().max(self.records.len())
    }

    /// Forgets everything remembered (nothing may be held: [`HeldIncidents::write`] first).
    pub fn forget(&mut self) {
        *self = HeldIncidents::default();
    }
}

/// The dedupe string a new incident from `template` gets: the plan's, else the request's
/// fallback (a rule target's derived one), else none (empty).
fn merge_dedupe(template: &tocsin_api::incidents::IncidentTemplate, req: &NewIncident) -> String {
    template
        .dedupe_string
        .clone()
        .filter(|d| !d.is_empty())
        .or(req.fallback_dedupe.clone())
        .unwrap_or_default()
}

/// Opens an incident from a response plan, or merges it into the open incident with the
/// same dedupe string, or replays an earlier result for the same client token.
///
/// Errors: `ResourceNotFoundException` if the plan does not exist; validation errors as
/// [`validate_new_incident`]. Nothing is written on error (the caller drops the tx).
pub async fn start_incident(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: NewIncident,
) -> ApiResult<StartOutcome> {
    start_incident_holding(tx, config, req, None).await
}

/// [`start_incident`]; with `held`, a merge into an open incident is held there
/// ([`HeldIncidents`]) and the caller must [`HeldIncidents::flush`] it before the commit.
///
/// Errors: as [`start_incident`].
pub async fn start_incident_holding(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: NewIncident,
    mut held: Option<&mut HeldIncidents>,
) -> ApiResult<StartOutcome> {
    validate_new_incident(&req)?;
    if let Some(token) = &req.client_token
        && let Some(arn) = tx.client_token(START_INCIDENT, token).await?
    {
        return Ok(StartOutcome::Replayed(arn));
    }
    let plan = match held.as_deref_mut() {
        Some(held) => held.plan(tx, &req.response_plan_arn).await?,
        None => tx
            .plan(&req.response_plan_arn)
            .await?
            .map(std::sync::Arc::new),
    }
    .ok_or_else(|| {
        ApiError::NotFound(format!(
            "Response plan {} does not exist.",
            req.response_plan_arn
        ))
    })?;
    let template = &plan.plan.incident_template;
    let dedupe = merge_dedupe(template, &req);
    let now = clock::now();

    if let Some(held) = held.as_deref_mut()
        && !dedupe.is_empty()
    {
        if let Some(arn) = held.merge_known(&req, now) {
            return Ok(StartOutcome::Deduplicated(arn));
        }
        let open = match held.open_by_dedupe.get(&dedupe) {
            Some(arn) => Some(arn.clone()),
            None => match tx.open_incident_by_dedupe(&dedupe).await? {
                Some(existing) => {
                    let arn = existing.record.arn.clone();
                    held.records.insert(arn.clone(), existing);
                    Some(arn)
                }
                None => None,
            },
        };
        if let Some(arn) = open {
            held.trigger(tx, &arn, &req.trigger, &dedupe, now).await?;
            // An alarm's resource arrives with every evaluation: tried once per batch.
            let new_items: Vec<RelatedItem> = req
                .related_items
                .iter()
                .filter(|item| held.attached.insert((arn.clone(), item_identity(item))))
                .cloned()
                .collect();
            attach_items(tx, &arn, &new_items).await?;
            held.touch(&arn, now, &req.created_by);
            held.open_by_dedupe.insert(dedupe, arn.clone());
            if let Some(token) = &req.client_token {
                tx.put_client_token(START_INCIDENT, token, &arn).await?;
            }
            return Ok(StartOutcome::Deduplicated(arn));
        }
    }
    let outcome = match if dedupe.is_empty() {
        None
    } else {
        tx.open_incident_by_dedupe(&dedupe).await?
    } {
        Some(mut existing) => {
            let arn = existing.record.arn.clone();
            record_deduplicated_trigger(tx, &arn, &req.trigger, &dedupe, now).await?;
            attach_items(tx, &arn, &req.related_items).await?;
            existing.record.last_modified_time = now;
            existing.record.last_modified_by = req.created_by.clone();
            tx.update_incident(&existing).await?;
            let wall = wall_incident(tx, existing).await?;
            tx.append_change(&Change::IncidentUpdated(wall)).await?;
            StartOutcome::Deduplicated(arn)
        }
        None => {
            let arn = arns::incident_record(&config.account_id, &plan.plan.name);
            let record = IncidentRecord {
                arn: arn.clone(),
                title: req
                    .title
                    .clone()
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| template.title.clone()),
                impact: req.impact.unwrap_or(template.impact),
                status: IncidentRecordStatus::Open,
                dedupe_string: dedupe.clone(),
                creation_time: now,
                last_modified_time: now,
                last_modified_by: req.created_by.clone(),
                incident_record_source: IncidentRecordSource {
                    created_by: req.created_by.clone(),
                    source: req.trigger.source.clone(),
                    invoked_by: req.invoked_by.clone(),
                    resource_arn: req.trigger.trigger_arn.clone(),
                },
                summary: req
                    .summary
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .or_else(|| template.summary.clone()),
                resolved_time: None,
                automation_executions: None,
                chat_channel: plan.plan.chat_channel.clone(),
                notification_targets: template.notification_targets.clone(),
            };
            let stored = StoredIncident {
                record,
                response_plan_arn: plan.plan.arn.clone(),
            };
            tx.insert_incident(&stored).await.map_err(|e| match e {
                // A concurrent trigger opened it first: impossible with serialised writers,
                // but the unique index is the backstop.
                StoreError::AlreadyExists(what) => {
                    ApiError::Conflict(format!("{what} is already open"))
                }
                other => other.into(),
            })?;
            if let Some(tags) = &plan.plan.incident_template.incident_tags {
                crate::domain::tags::put(tx, &arn, tags).await?;
            }
            // The incident is announced before its first timeline entry.
            let created = timeline_entry(
                &arn,
                kinds::INCIDENT_CREATED,
                json!({
                    "title": stored.record.title,
                    "impact": stored.record.impact,
                    "createdBy": req.created_by,
                    "responsePlanArn": plan.plan.arn,
                    "triggerDetails": req.trigger,
                }),
                now,
            );
            tx.insert_timeline_event(&created).await?;
            let wall = wall_incident(tx, stored).await?;
            tx.append_change(&Change::IncidentCreated(wall)).await?;
            tx.append_change(&Change::TimelineEventAdded(created))
                .await?;
            attach_items(tx, &arn, &req.related_items).await?;
            let runbooks: Vec<_> = plan
                .plan
                .actions
                .iter()
                .flatten()
                .filter_map(|a| a.ssm_automation.clone())
                .collect();
            if !runbooks.is_empty()
                && let Some(mut stored) = tx.incident(&arn).await?
            {
                crate::domain::automation_start::start_for_incident(
                    tx,
                    config,
                    &mut stored,
                    &runbooks,
                    now,
                )
                .await?;
                let wall = wall_incident(tx, stored).await?;
                tx.append_change(&Change::IncidentUpdated(wall)).await?;
            }
            for contact in plan.plan.engagements.iter().flatten() {
                let title = &template.title;
                let start = tocsin_api::contacts::StartEngagementRequest {
                    contact_id: contact.clone(),
                    sender: "Tocsin".into(),
                    subject: format!("Incident: {}", req.title.as_deref().unwrap_or(title)),
                    content: format!(
                        "You are engaged in incident {arn}.\nOpen it: {}",
                        config.links.incident(&arn)
                    ),
                    public_subject: None,
                    public_content: None,
                    incident_id: Some(arn.clone()),
                    idempotency_token: None,
                };
                if let Err(err) =
                    crate::domain::engagements::start_engagement(tx, config, start, now).await
                {
                    append_timeline(
                        tx,
                        timeline_entry(
                            &arn,
                            kinds::ENGAGEMENT_STOPPED,
                            json!({"contactArn": contact, "reason": format!("could not engage: {err}")}),
                            now,
                        ),
                    )
                    .await?;
                }
            }
            if let Some(stored) = tx.incident(&arn).await? {
                notify::notify_incident(
                    tx,
                    config,
                    &stored.record,
                    "IncidentCreated",
                    "Incident opened".into(),
                    now,
                )
                .await?;
            }
            if let Some(held) = held
                && !dedupe.is_empty()
            {
                held.open_by_dedupe.insert(dedupe.clone(), arn.clone());
            }
            StartOutcome::Created(arn)
        }
    };
    if let Some(token) = &req.client_token {
        tx.put_client_token(START_INCIDENT, token, outcome.arn())
            .await?;
    }
    Ok(outcome)
}

/// Applies `UpdateIncidentRecord`: title, summary, impact, status (and chat channel,
/// notification targets). Writes an "Incident Updated" timeline entry listing the changes
/// and, on resolution, an "Incident Resolved" entry and `resolvedTime`.
///
/// Errors: `ResourceNotFoundException` for an unknown ARN; `ValidationException` for bad
/// members; `ConflictException` when reopening would leave two OPEN incidents with one
/// dedupe string.
pub async fn update_incident(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    principal: &str,
    input: UpdateIncidentRecordInput,
) -> ApiResult<()> {
    validate::arn("arn", &input.arn)?;
    validate::opt_length("title", input.title.as_deref(), 200)?;
    validate::opt_length("summary", input.summary.as_deref(), 8000)?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    crate::domain::plans::check_unions(
        input.chat_channel.as_ref(),
        "notificationTargets",
        input.notification_targets.as_ref(),
        None,
        None,
        None,
    )?;
    if let Some(impact) = input.impact {
        validate::impact("impact", impact)?;
    }
    if let Some(token) = &input.client_token
        && tx.client_token(UPDATE_INCIDENT, token).await?.is_some()
    {
        return Ok(());
    }
    let mut incident = tx.incident(&input.arn).await?.ok_or_else(|| {
        ApiError::NotFound(format!("Incident record {} does not exist.", input.arn))
    })?;
    let now = clock::now();
    let record = &mut incident.record;
    let mut changes = serde_json::Map::new();
    if let Some(title) = input.title.filter(|t| *t != record.title) {
        changes.insert("title".into(), json!({"from": record.title, "to": title}));
        record.title = title;
    }
    if let Some(summary) = input.summary.filter(|s| Some(s) != record.summary.as_ref()) {
        changes.insert(
            "summary".into(),
            json!({"from": record.summary, "to": summary}),
        );
        record.summary = Some(summary);
    }
    let mut impact_change = None;
    if let Some(impact) = input.impact.filter(|i| *i != record.impact) {
        impact_change = Some((record.impact, impact));
        changes.insert(
            "impact".into(),
            json!({"from": record.impact, "to": impact}),
        );
        record.impact = impact;
    }
    if let Some(channel) = input.chat_channel {
        record.chat_channel = Some(channel);
        changes.insert("chatChannel".into(), json!("changed"));
    }
    if let Some(targets) = input.notification_targets {
        record.notification_targets = Some(targets);
        changes.insert("notificationTargets".into(), json!("changed"));
    }
    let mut resolved = false;
    let mut reopened = false;
    if let Some(status) = input.status.filter(|s| *s != record.status) {
        changes.insert(
            "status".into(),
            json!({"from": record.status, "to": status}),
        );
        record.status = status;
        match status {
            IncidentRecordStatus::Resolved => {
                record.resolved_time = Some(now);
                resolved = true;
            }
            IncidentRecordStatus::Open => {
                record.resolved_time = None;
                reopened = true;
            }
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    record.last_modified_time = now;
    record.last_modified_by = principal.to_owned();
    let arn = record.arn.clone();
    tx.update_incident(&incident).await.map_err(|e| match e {
        StoreError::AlreadyExists(_) => ApiError::Conflict(format!(
            "Cannot reopen {arn}: another incident with its dedupe string is open."
        )),
        other => other.into(),
    })?;
    // Who changed it, beside the changes (`tocsin_api::timeline::story` names them).
    changes.insert("updatedBy".into(), json!(principal));
    append_timeline(
        tx,
        timeline_entry(
            &arn,
            kinds::INCIDENT_UPDATED,
            serde_json::Value::Object(changes),
            now,
        ),
    )
    .await?;
    if resolved {
        crate::domain::engagements::stop_for_incident(tx, &arn, "incident resolved", now).await?;
        crate::domain::silences::on_resolved(tx, &arn, now).await?;
        append_timeline(
            tx,
            timeline_entry(
                &arn,
                kinds::INCIDENT_RESOLVED,
                json!({"resolvedBy": principal}),
                now,
            ),
        )
        .await?;
    }
    let label = |i: i32| format!("{i} ({})", tocsin_api::impact::Impact::clamped(i).label());
    let notice = if resolved {
        Some(("IncidentResolved", "Incident resolved".to_owned()))
    } else if reopened {
        Some(("StatusChanged", "Incident reopened".to_owned()))
    } else {
        impact_change.map(|(from, to)| {
            (
                "ImpactChanged",
                format!("Impact changed from {} to {}", label(from), label(to)),
            )
        })
    };
    if let Some((reason, headline)) = notice {
        notify::notify_incident(tx, config, &incident.record, reason, headline, now).await?;
    }
    let wall = wall_incident(tx, incident).await?;
    tx.append_change(&Change::IncidentUpdated(wall)).await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token(UPDATE_INCIDENT, token, &arn).await?;
    }
    Ok(())
}

/// Mirrors GetIncidentRecord. Errors: `ValidationException` for a malformed ARN,
/// `ResourceNotFoundException`.
pub async fn get_incident_record(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredIncident> {
    validate::arn("arn", arn)?;
    tx.incident(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Incident record {arn} does not exist.")))
}

/// `eventReferences` (ssm-incidents `EventReference`, a union): at most 10, each exactly
/// one of `resource` (an ARN of at most 1,000 characters) and `relatedItemId` (a generated
/// related-item id: `related-item/<TYPE>/<32 hex>`, at most 200 characters).
fn check_event_references(refs: &[tocsin_api::incidents::EventReference]) -> ApiResult<()> {
    validate::list_length("eventReferences", refs.len(), 0, 10)?;
    for r in refs {
        match (&r.resource, &r.related_item_id) {
            (Some(arn), None) => validate::arn("eventReferences.member.resource", arn)?,
            (None, Some(id)) => {
                check_related_item_id("eventReferences.member.relatedItemId", id)?;
            }
            _ => {
                return Err(ApiError::Validation(
                    "An eventReference must set exactly one of resource and relatedItemId.".into(),
                ));
            }
        }
    }
    Ok(())
}

/// A related item's generated id: at most 200 characters, `related-item/<TYPE>/<32 hex>`.
fn check_related_item_id(at: &str, id: &str) -> ApiResult<()> {
    validate::length(at, id, 1, 200)?;
    let ok = id
        .strip_prefix("related-item/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(kind, hex)| {
            tocsin_api::incidents::ITEM_TYPES.contains(&kind)
                && hex.len() == 32
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{id}' at '{at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^related-item/(ANALYSIS|INCIDENT|METRIC|PARENT|ATTACHMENT|OTHER|AUTOMATION|INVOLVED_RESOURCE|TASK)/([0-9]|[A-F]){{32}}$"
        )))
    }
}

/// A filter `condition` (a union) must set exactly one of `before`, `after` and `equals`.
fn check_condition(c: &tocsin_api::incidents::Condition) -> ApiResult<()> {
    let set = usize::from(c.before.is_some())
        + usize::from(c.after.is_some())
        + usize::from(c.equals.is_some());
    if set == 1 {
        Ok(())
    } else {
        Err(ApiError::Validation(
            "A filter condition must set exactly one of before, after and equals.".into(),
        ))
    }
}

/// The values a filter condition's `equals` lists (none when it has none).
fn equals<'a, T: 'a>(
    c: &'a Condition,
    values: impl FnOnce(&'a AttributeValueList) -> &'a Option<Vec<T>>,
) -> impl Iterator<Item = &'a T> {
    c.equals
        .as_ref()
        .and_then(|e| values(e).as_ref())
        .into_iter()
        .flatten()
}

/// Reads `ListIncidentRecords` filters (`status`, `impact`, `createdBy`, `creationTime`; at
/// most 5; values ORed within a filter, filters ANDed) and
/// its page into a store query.
fn incident_query(input: &ListIncidentRecordsInput) -> ApiResult<IncidentQuery> {
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    let mut q = IncidentQuery {
        limit: page.limit,
        offset: page.offset,
        ..Default::default()
    };
    let filters = input.filters.as_deref().unwrap_or_default();
    validate::list_length("filters", filters.len(), 0, 5)?;
    // Values within a filter are ORed, filters are ANDed: for these single-valued
    // attributes, two filters on one key keep the values both allow.
    fn and<T: PartialEq + Clone>(
        q: &mut IncidentQuery,
        seen: &mut bool,
        have: &mut Vec<T>,
        new: Vec<T>,
    ) {
        if *seen {
            have.retain(|v| new.contains(v));
            if have.is_empty() {
                q.nothing = true;
            }
        } else {
            *have = new;
            *seen = true;
        }
    }
    let (mut seen_status, mut seen_impact, mut seen_by) = (false, false, false);
    for f in filters {
        let c = &f.condition;
        check_condition(c)?;
        match f.key.as_str() {
            "status" => {
                let mut values = Vec::new();
                for s in equals(c, |e| &e.string_values) {
                    values.push(match s.as_str() {
                        "OPEN" => IncidentRecordStatus::Open,
                        "RESOLVED" => IncidentRecordStatus::Resolved,
                        other => {
                            return Err(ApiError::Validation(format!(
                                "Invalid status filter value '{other}': expected OPEN or RESOLVED."
                            )));
                        }
                    });
                }
                let mut have = std::mem::take(&mut q.statuses);
                and(&mut q, &mut seen_status, &mut have, values);
                q.statuses = have;
            }
            "impact" => {
                let mut values = Vec::new();
                for i in equals(c, |e| &e.integer_values) {
                    values.push(i32::try_from(*i).map_err(|_| {
                        ApiError::Validation(format!("Invalid impact filter value {i}."))
                    })?);
                }
                let mut have = std::mem::take(&mut q.impacts);
                and(&mut q, &mut seen_impact, &mut have, values);
                q.impacts = have;
            }
            "createdBy" => {
                let values: Vec<String> = equals(c, |e| &e.string_values).cloned().collect();
                let mut have = std::mem::take(&mut q.created_by);
                and(&mut q, &mut seen_by, &mut have, values);
                q.created_by = have;
            }
            "creationTime" => {
                if let Some(after) = c.after {
                    q.created_after = Some(q.created_after.map_or(after, |a| a.max(after)));
                }
                if let Some(before) = c.before {
                    q.created_before = Some(q.created_before.map_or(before, |b| b.min(before)));
                }
            }
            other => {
                return Err(ApiError::Validation(format!(
                    "Unsupported filter key '{other}': use status, impact, createdBy or creationTime."
                )));
            }
        }
    }
    Ok(q)
}

/// Mirrors ListIncidentRecords, newest first; filters `status`, `impact`, `creationTime`.
pub async fn list_incident_records(
    tx: &mut dyn StoreTx,
    input: ListIncidentRecordsInput,
) -> ApiResult<ListIncidentRecordsOutput> {
    let q = incident_query(&input)?;
    let rows = tx.incidents(&q).await?;
    let next_token = Page {
        offset: q.offset,
        limit: q.limit,
    }
    .next_token(rows.len());
    let incident_record_summaries = rows
        .into_iter()
        .map(|i| {
            let r = i.record;
            IncidentRecordSummary {
                arn: r.arn,
                title: r.title,
                impact: r.impact,
                status: r.status,
                creation_time: r.creation_time,
                incident_record_source: r.incident_record_source,
                resolved_time: r.resolved_time,
            }
        })
        .collect();
    Ok(ListIncidentRecordsOutput {
        incident_record_summaries,
        next_token,
    })
}

/// The page of a list over one incident's entries (`maxResults` 1-100), after checking the
/// incident exists.
async fn incident_page(
    tx: &mut dyn StoreTx,
    incident_record_arn: &str,
    max_results: Option<i32>,
    next_token: Option<&str>,
) -> ApiResult<Page> {
    require_incident(tx, "incidentRecordArn", incident_record_arn).await?;
    Page::parse("maxResults", max_results, next_token, 100)
}

/// Fails unless `arn` is a well-formed ARN of an existing incident.
async fn require_incident(tx: &mut dyn StoreTx, at: &str, arn: &str) -> ApiResult<()> {
    validate::arn(at, arn)?;
    match tx.incident(arn).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound(format!(
            "Incident record {arn} does not exist."
        ))),
    }
}

/// Mirrors ListTimelineEvents: sorted by event time (`sortOrder` ASCENDING by default);
/// filters `eventType` (stringValues) and `eventTime` (before/after).
pub async fn list_timeline_events(
    tx: &mut dyn StoreTx,
    input: ListTimelineEventsInput,
) -> ApiResult<ListTimelineEventsOutput> {
    let page = incident_page(
        tx,
        &input.incident_record_arn,
        input.max_results,
        input.next_token.as_deref(),
    )
    .await?;
    if let Some(s) = input.sort_by.as_deref().filter(|s| *s != "EVENT_TIME") {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{s}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [EVENT_TIME]"
        )));
    }
    let descending = match input.sort_order.as_deref() {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(s) => {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{s}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [ASCENDING, DESCENDING]"
            )));
        }
    };
    let mut q = crate::store::TimelineQuery {
        descending,
        offset: page.offset,
        limit: page.limit,
        ..Default::default()
    };
    let filters = input.filters.as_deref().unwrap_or_default();
    validate::list_length("filters", filters.len(), 0, 5)?;
    let mut seen_type = false;
    for f in filters {
        let c = &f.condition;
        check_condition(c)?;
        match f.key.as_str() {
            "eventType" => {
                let wanted: Vec<String> = equals(c, |e| &e.string_values).cloned().collect();
                if seen_type {
                    q.event_types.retain(|t| wanted.contains(t));
                    q.nothing |= q.event_types.is_empty();
                } else {
                    q.event_types = wanted;
                    seen_type = true;
                }
            }
            "eventTime" => {
                if let Some(after) = c.after {
                    q.after = Some(q.after.map_or(after, |a| a.max(after)));
                }
                if let Some(before) = c.before {
                    q.before = Some(q.before.map_or(before, |b| b.min(before)));
                }
            }
            other => {
                return Err(ApiError::Validation(format!(
                    "Unsupported filter key '{other}': use eventType or eventTime."
                )));
            }
        }
    }
    let events = tx.timeline_page(&input.incident_record_arn, &q).await?;
    let next_token = page.next_token(events.len());
    let event_summaries: Vec<EventSummary> = events
        .into_iter()
        .map(|e| EventSummary {
            event_id: e.event_id,
            incident_record_arn: e.incident_record_arn,
            event_time: e.event_time,
            event_updated_time: e.event_updated_time,
            event_type: e.event_type,
            event_references: e.event_references,
        })
        .collect();
    Ok(ListTimelineEventsOutput {
        event_summaries,
        next_token,
    })
}

/// Mirrors GetTimelineEvent (ssm-incidents 2018-05-10): one entry of an incident's
/// timeline, with its data.
///
/// Errors: `ValidationException` for a missing member, a malformed ARN or an event id over
/// 50 characters; `ResourceNotFoundException` for an unknown incident or entry.
pub async fn get_timeline_event(
    tx: &mut dyn StoreTx,
    incident_record_arn: &str,
    event_id: &str,
) -> ApiResult<TimelineEvent> {
    validate::length("eventId", event_id, 1, 50)?;
    require_incident(tx, "incidentRecordArn", incident_record_arn).await?;
    tx.timeline_event(incident_record_arn, event_id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Timeline event {event_id} does not exist on incident record {incident_record_arn}."
            ))
        })
}

/// Mirrors ListRelatedItems, in the order items were attached; pages are read in the
/// database.
pub async fn list_related_items(
    tx: &mut dyn StoreTx,
    input: ListRelatedItemsInput,
) -> ApiResult<ListRelatedItemsOutput> {
    let ListRelatedItemsInput {
        incident_record_arn: arn,
        max_results,
        next_token,
    } = input;
    let page = incident_page(tx, &arn, max_results, next_token.as_deref()).await?;
    // One row past the page tells whether another follows (the token is exact).
    let mut related_items = tx
        .related_items_page(&arn, page.offset, page.limit + 1)
        .await?;
    let next_token = (related_items.len() as i64 > page.limit).then(|| {
        related_items.truncate(page.limit as usize);
        (page.offset + page.limit).to_string()
    });
    Ok(ListRelatedItemsOutput {
        related_items,
        next_token,
    })
}

/// Mirrors CreateTimelineEvent (ssm-incidents 2018-05-10): adds an entry to an incident's
/// timeline. A repeated client token answers the first entry again.
///
/// Errors: `ValidationException` (ARN, lengths, `eventData` not JSON), `ResourceNotFoundException`.
pub async fn create_timeline_event(
    tx: &mut dyn StoreTx,
    principal: &str,
    input: tocsin_api::incidents::CreateTimelineEventInput,
) -> ApiResult<tocsin_api::incidents::CreateTimelineEventOutput> {
    validate::arn("incidentRecordArn", &input.incident_record_arn)?;
    validate::opt_length("eventType", Some(&input.event_type), 100)?;
    validate::opt_length("eventData", Some(&input.event_data), 12_000)?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    if input.event_type.is_empty() {
        return Err(ApiError::Validation("eventType must not be empty.".into()));
    }
    if let Some(refs) = &input.event_references {
        let refs: Vec<tocsin_api::incidents::EventReference> = refs
            .iter()
            .map(|r| serde_json::from_value(r.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| ApiError::Validation(format!("eventReferences: {e}")))?;
        check_event_references(&refs)?;
    }
    if let Some(token) = &input.client_token
        && let Some(id) = tx.client_token(CREATE_TIMELINE_EVENT, token).await?
    {
        return Ok(tocsin_api::incidents::CreateTimelineEventOutput {
            event_id: id,
            incident_record_arn: input.incident_record_arn,
        });
    }
    let mut incident = tx
        .incident(&input.incident_record_arn)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "Incident record {} does not exist.",
                input.incident_record_arn
            ))
        })?;
    let mut event = timeline_entry(
        &input.incident_record_arn,
        &input.event_type,
        serde_json::Value::Null,
        input.event_time,
    );
    event.event_data = input.event_data;
    event.event_references = input.event_references.map(|refs| {
        refs.into_iter()
            .filter_map(|r| serde_json::from_value(r).ok())
            .collect()
    });
    event.event_updated_time = clock::now();
    let id = event.event_id.clone();
    append_timeline(tx, event).await?;
    incident.record.last_modified_time = clock::now();
    incident.record.last_modified_by = principal.to_owned();
    tx.update_incident(&incident).await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token(CREATE_TIMELINE_EVENT, token, &id)
            .await?;
    }
    Ok(tocsin_api::incidents::CreateTimelineEventOutput {
        event_id: id,
        incident_record_arn: input.incident_record_arn,
    })
}

/// Mirrors UpdateRelatedItems (ssm-incidents 2018-05-10): attaches or detaches one related
/// item.
///
/// Errors: `ValidationException` (neither or both of `itemToAdd`/`itemToRemove`, a bad
/// item), `ResourceNotFoundException` (the incident, or the item to remove).
pub async fn update_related_items(
    tx: &mut dyn StoreTx,
    input: tocsin_api::incidents::UpdateRelatedItemsInput,
) -> ApiResult<()> {
    validate::arn("incidentRecordArn", &input.incident_record_arn)?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    let arn = &input.incident_record_arn;
    if tx.incident(arn).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "Incident record {arn} does not exist."
        )));
    }
    match (
        input.related_items_update.item_to_add,
        input.related_items_update.item_to_remove,
    ) {
        (Some(item), None) => {
            validate_related_item("relatedItemsUpdate.itemToAdd", &item)?;
            attach_items(tx, arn, std::slice::from_ref(&item)).await
        }
        (None, Some(identifier)) => {
            let probe = RelatedItem {
                identifier,
                title: None,
                generated_id: None,
            };
            if tx.delete_related_item(arn, &item_identity(&probe)).await?
                || tx
                    .delete_related_item(arn, &item_identity_as_sent(&probe))
                    .await?
            {
                tx.append_change(&Change::RelatedItemRemoved {
                    incident_record_arn: arn.clone(),
                    identifier: probe.identifier,
                })
                .await?;
                Ok(())
            } else {
                Err(ApiError::NotFound(format!(
                    "Incident record {arn} has no such related item."
                )))
            }
        }
        _ => Err(ApiError::Validation(
            "relatedItemsUpdate must have exactly one of itemToAdd and itemToRemove.".into(),
        )),
    }
}

const UPDATE_TIMELINE_EVENT: &str = "UpdateTimelineEvent";
/// The timeline entry types responders write, the only ones that can be updated or deleted
/// (Tocsin's own entries are the incident's record).
pub const EDITABLE_EVENT_TYPES: [&str; 2] = ["Custom Event", "Note"];

/// The editable timeline entry `event_id` of an incident.
///
/// Errors: `ResourceNotFoundException`; `ValidationException` for an entry Tocsin wrote.
async fn editable_event(
    tx: &mut dyn StoreTx,
    incident_arn: &str,
    event_id: &str,
) -> ApiResult<Option<tocsin_api::incidents::TimelineEvent>> {
    validate::arn("incidentRecordArn", incident_arn)?;
    validate::length("eventId", event_id, 1, 100)?;
    let Some(event) = tx.timeline_event(incident_arn, event_id).await? else {
        return Ok(None);
    };
    if !EDITABLE_EVENT_TYPES.contains(&event.event_type.as_str()) {
        return Err(ApiError::Validation(format!(
            "Timeline event {event_id} is a {:?} entry: only Custom Event and Note entries can be changed.",
            event.event_type
        )));
    }
    Ok(Some(event))
}

/// Mirrors UpdateTimelineEvent: changes a `Custom Event` or `Note` entry's time, type (to
/// `Custom Event` or `Note`), data (at most 12,000 characters) and references (replaced).
///
/// Errors: `ResourceNotFoundException` (incident or entry), `ValidationException`.
pub async fn update_timeline_event(
    tx: &mut dyn StoreTx,
    principal: &str,
    input: tocsin_api::incidents::UpdateTimelineEventInput,
) -> ApiResult<()> {
    validate::opt_length("eventData", input.event_data.as_deref(), 12_000)?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    if let Some(t) = &input.event_type
        && !EDITABLE_EVENT_TYPES.contains(&t.as_str())
    {
        return Err(ApiError::Validation(format!(
            "eventType {t:?} must be Custom Event or Note."
        )));
    }
    validate::length("eventId", &input.event_id, 1, 50)?;
    if let Some(refs) = &input.event_references {
        check_event_references(refs)?;
    }
    if let Some(token) = &input.client_token
        && tx
            .client_token(UPDATE_TIMELINE_EVENT, token)
            .await?
            .is_some()
    {
        return Ok(());
    }
    let mut event = editable_event(tx, &input.incident_record_arn, &input.event_id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("Timeline event {} does not exist.", input.event_id))
        })?;
    if let Some(t) = input.event_time {
        event.event_time = t;
    }
    if let Some(t) = input.event_type {
        event.event_type = t;
    }
    if let Some(d) = input.event_data {
        event.event_data = d;
    }
    if let Some(r) = input.event_references {
        event.event_references = Some(r);
    }
    let now = clock::now();
    event.event_updated_time = now;
    tx.update_timeline_event(&event).await?;
    touch_incident(tx, &event.incident_record_arn, principal, now).await?;
    tx.append_change(&Change::TimelineEventUpdated(event))
        .await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token(UPDATE_TIMELINE_EVENT, token, &input.event_id)
            .await?;
    }
    Ok(())
}

/// Mirrors DeleteTimelineEvent: deletes a `Custom Event` or `Note` entry; deleting one that
/// does not exist succeeds (the model has no ResourceNotFoundException for it).
///
/// Errors: `ValidationException` (a bad ARN, an entry Tocsin wrote).
pub async fn delete_timeline_event(
    tx: &mut dyn StoreTx,
    principal: &str,
    input: tocsin_api::incidents::DeleteTimelineEventInput,
) -> ApiResult<()> {
    validate::length("eventId", &input.event_id, 1, 50)?;
    if editable_event(tx, &input.incident_record_arn, &input.event_id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    tx.delete_timeline_event(&input.incident_record_arn, &input.event_id)
        .await?;
    touch_incident(tx, &input.incident_record_arn, principal, clock::now()).await?;
    tx.append_change(&Change::TimelineEventDeleted {
        incident_record_arn: input.incident_record_arn,
        event_id: input.event_id,
    })
    .await?;
    Ok(())
}

/// Records who changed an incident last, and when.
async fn touch_incident(
    tx: &mut dyn StoreTx,
    arn: &str,
    principal: &str,
    now: f64,
) -> ApiResult<()> {
    if let Some(mut incident) = tx.incident(arn).await? {
        incident.record.last_modified_time = now;
        incident.record.last_modified_by = principal.to_owned();
        tx.update_incident(&incident).await?;
    }
    Ok(())
}

/// Mirrors DeleteIncidentRecord: deletes the incident with its timeline, related items,
/// tags and acknowledgement; its engagements stop and Alertmanager silences for it expire.
/// Deleting one that does not exist succeeds (the model has no ResourceNotFoundException
/// for it).
///
/// Errors: `ValidationException` for a malformed ARN.
pub async fn delete_incident_record(tx: &mut dyn StoreTx, arn: &str, now: f64) -> ApiResult<()> {
    validate::arn("arn", arn)?;
    if tx.incident(arn).await?.is_none() {
        return Ok(());
    }
    crate::domain::engagements::stop_for_incident(tx, arn, "incident deleted", now).await?;
    crate::domain::silences::on_resolved(tx, arn, now).await?;
    tx.delete_incident(arn).await?;
    tx.delete_tags(arn).await?;
    tx.append_change(&Change::IncidentDeleted {
        arn: arn.to_owned(),
    })
    .await?;
    Ok(())
}
