//! The wall screen's state and how change-feed entries move it.
//!
//! A wall runs for weeks, so everything here is bounded: the open incidents (one entry per
//! open incident, removed on resolve, each with its runbooks' latest state), the maintenance
//! windows active now or beginning within [`WINDOW_HORIZON_SECS`] (one entry per window,
//! removed when it ends or is deleted) and a ticker of the most recent timeline entries
//! capped at [`TICKER_CAPACITY`], with each entry's text shortened.

use std::collections::{BTreeMap, VecDeque};

use tocsin_api::EpochSeconds;
use tocsin_api::boards::Board;
use tocsin_api::impact::Impact;
use tocsin_api::incidents::{IncidentRecordStatus, TimelineEvent};
use tocsin_api::native::{AutomationSummary, Change, ChangeFeedEntry, WallIncident, WallSnapshot};
use tocsin_api::receivers::{MaintenanceWindow, WindowStatus};

use tocsin_api::timeline::story;

use crate::format::one_line;

/// How many recent timeline entries the ticker keeps.
pub const TICKER_CAPACITY: usize = 20;

/// How far ahead the wall shows upcoming maintenance windows (as the snapshot does): a day.
pub const WINDOW_HORIZON_SECS: f64 = 86_400.0;

/// Longest summary (in characters) kept for a ticker entry.
const TICKER_TEXT_CHARS: usize = 160;

/// How many titles of incidents that left the wall are remembered, so that their late
/// timeline entries (e.g. "Incident Resolved", which follows the resolving update) still
/// show a title in the ticker.
const RESOLVED_TITLE_CAPACITY: usize = 50;

/// One line of the ticker of recent timeline entries.
#[derive(Debug, Clone, PartialEq)]
pub struct TickerItem {
    /// Change-feed id that carried it (unique, used as the list key).
    pub change_id: i64,
    /// The incident's ARN.
    pub incident_arn: String,
    /// The timeline entry's id (with `change_id`, what keys the ticker's line: lines from
    /// a snapshot are numbered from -1 in every snapshot).
    pub event_id: String,
    /// The incident's title when it was known, otherwise empty.
    pub incident_title: String,
    /// When the entry happened.
    pub event_time: EpochSeconds,
    /// Entry kind, e.g. `Incident Created`.
    pub event_type: String,
    /// A one-line summary of its data (untrusted text).
    pub summary: String,
}

impl TickerItem {
    /// The line for `event` of the incident titled `incident_title`, keyed by `change_id`;
    /// its summary is the entry's sentence ([`story`]) on one line.
    fn new(change_id: i64, incident_title: String, event: &TimelineEvent) -> Self {
        Self {
            change_id,
            incident_arn: event.incident_record_arn.clone(),
            event_id: event.event_id.clone(),
            incident_title,
            event_time: event.event_time,
            event_type: event.event_type.clone(),
            summary: one_line(
                &story(&event.event_type, &event.event_data).sentence,
                TICKER_TEXT_CHARS,
            ),
        }
    }
}

/// Open incidents by ARN, plus the ticker, plus the change-feed position they reflect.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WallState {
    incidents: BTreeMap<String, WallIncident>,
    ticker: VecDeque<TickerItem>,
    /// Incidents resolved recently, newest first (their late ticker entries still get a
    /// title, and a board still knows whether they were its own).
    resolved: VecDeque<WallIncident>,
    /// Maintenance windows active now or beginning soon, by id.
    windows: BTreeMap<String, MaintenanceWindow>,
    /// Highest change-feed id applied.
    pub as_of_change_id: i64,
}

/// The open incidents of one response plan (see [`WallState::plan_groups`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanGroup {
    /// The plan's ARN.
    pub arn: String,
    /// Its display name (or name).
    pub name: String,
    /// Its open incidents, most severe first, then newest first.
    pub incidents: Vec<WallIncident>,
}

impl PlanGroup {
    /// The impact of its most severe incident (1 is the most severe; 6 when empty).
    pub fn most_severe(&self) -> i32 {
        self.incidents
            .iter()
            .map(|i| i.incident.impact)
            .min()
            .unwrap_or(6)
    }
}

/// The incidents of one impact level, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpactGroup {
    /// Impact 1-5.
    pub impact: i32,
    /// The group's incidents, newest first.
    pub incidents: Vec<WallIncident>,
}

impl WallState {
    /// State from a `GET /v1/wall` snapshot (resolved incidents in it are ignored).
    pub fn from_snapshot(snapshot: WallSnapshot) -> Self {
        let mut state = Self {
            as_of_change_id: snapshot.as_of_change_id,
            ..Self::default()
        };
        for incident in snapshot.incidents {
            if incident.incident.status == IncidentRecordStatus::Open {
                state
                    .incidents
                    .insert(incident.incident.arn.clone(), incident);
            }
        }
        for window in snapshot.maintenance_windows {
            if window.status != WindowStatus::Ended {
                state.windows.insert(window.id.clone(), window);
            }
        }
        // History first: the snapshot's newest entries (newest first), keyed below every
        // change-feed id so they never collide with entries that arrive later.
        for (i, recent) in snapshot
            .recent_activity
            .into_iter()
            .take(TICKER_CAPACITY)
            .enumerate()
        {
            state.ticker.push_back(TickerItem::new(
                -1 - i as i64,
                recent.incident_title,
                &recent.event,
            ));
        }
        state
    }

    /// Applies one change-feed entry. Entries at or below [`Self::as_of_change_id`] were
    /// already applied (a replay after reconnecting) and are skipped. Returns whether the
    /// state changed.
    pub fn apply(&mut self, entry: &ChangeFeedEntry) -> bool {
        if entry.id <= self.as_of_change_id {
            return false;
        }
        self.as_of_change_id = entry.id;
        match &entry.change {
            Change::IncidentCreated(incident) | Change::IncidentUpdated(incident) => {
                self.upsert(incident.clone());
                true
            }
            Change::TimelineEventAdded(event) => {
                self.add_timeline_event(entry.id, event);
                true
            }
            Change::AutomationChanged(summary) => self.update_runbook(summary),
            Change::IncidentDeleted { arn } => self.incidents.remove(arn).is_some(),
            Change::MaintenanceWindowChanged { window, id } => {
                self.update_window(id, window.as_ref(), entry.at)
            }
            _ => false,
        }
    }

    /// Puts a window's new state on the wall (replacing the one of its id), or takes it off
    /// when it was deleted, ended, or (upcoming) begins later than [`WINDOW_HORIZON_SECS`]
    /// after `at`, the change's time, as the snapshot would. Returns whether the wall
    /// changed.
    fn update_window(&mut self, id: &str, window: Option<&MaintenanceWindow>, at: f64) -> bool {
        match window {
            Some(window) if shows_window(window, at) => {
                let before = self.windows.insert(id.to_owned(), window.clone());
                before.as_ref() != Some(window)
            }
            _ => self.windows.remove(id).is_some(),
        }
    }

    /// Puts an execution's new state on its incident's card (replacing its earlier state, or
    /// adding it when the card did not list it yet). Executions of incidents not on the wall,
    /// or of none, change nothing.
    fn update_runbook(&mut self, summary: &AutomationSummary) -> bool {
        let Some(incident) = summary
            .incident_record_arn
            .as_deref()
            .and_then(|arn| self.incidents.get_mut(arn))
        else {
            return false;
        };
        incident.see_automation(summary);
        true
    }

    fn upsert(&mut self, mut incident: WallIncident) {
        let arn = incident.incident.arn.clone();
        if incident.incident.status == IncidentRecordStatus::Resolved {
            self.incidents.remove(&arn);
            self.resolved.retain(|r| r.incident.arn != arn);
            // Only what the ticker and boards read is kept.
            incident.latest_timeline_event = None;
            incident.runbooks.clear();
            self.resolved.push_front(incident);
            self.resolved.truncate(RESOLVED_TITLE_CAPACITY);
            return;
        }
        if let Some(existing) = self.incidents.get(&arn) {
            // Keep the newer of the two latest entries: the update may predate one we saw.
            incident.keep_newest_entry_of(existing);
        }
        self.incidents.insert(arn, incident);
    }

    fn add_timeline_event(&mut self, change_id: i64, event: &TimelineEvent) {
        let mut title = self
            .resolved_title(&event.incident_record_arn)
            .unwrap_or_default()
            .to_owned();
        if let Some(incident) = self.incidents.get_mut(&event.incident_record_arn) {
            title = incident.incident.title.clone();
            incident.see_timeline_event(event);
        }
        self.ticker
            .push_front(TickerItem::new(change_id, title, event));
        self.ticker.truncate(TICKER_CAPACITY);
    }

    fn resolved_title(&self, arn: &str) -> Option<&str> {
        self.resolved
            .iter()
            .find(|r| r.incident.arn == arn)
            .map(|r| r.incident.title.as_str())
    }

    /// The oldest open incident of `impact` (the last of [`Self::group`]) as (title,
    /// creation time), without copying the group.
    pub fn oldest(&self, impact: i32) -> Option<(String, f64)> {
        self.incidents
            .values()
            .filter(|i| Impact::clamped(i.incident.impact).get() == impact)
            .min_by(|a, b| {
                a.incident
                    .creation_time
                    .total_cmp(&b.incident.creation_time)
                    .then_with(|| b.incident.arn.cmp(&a.incident.arn))
            })
            .map(|i| (i.incident.title.clone(), i.incident.creation_time))
    }

    /// The wall as `board` shows it: its incidents only, the ticker's entries of incidents
    /// on it (open, or resolved while they matched it), and every maintenance window.
    pub fn on_board(&self, board: &Board) -> WallState {
        let incidents: BTreeMap<String, WallIncident> = self
            .incidents
            .iter()
            .filter(|(_, i)| board.shows(i))
            .map(|(arn, i)| (arn.clone(), i.clone()))
            .collect();
        let resolved: VecDeque<WallIncident> = self
            .resolved
            .iter()
            .filter(|i| board.shows(i))
            .cloned()
            .collect();
        let ticker = self
            .ticker
            .iter()
            .filter(|t| {
                incidents.contains_key(&t.incident_arn)
                    || resolved.iter().any(|r| r.incident.arn == t.incident_arn)
            })
            .cloned()
            .collect();
        WallState {
            incidents,
            ticker,
            resolved,
            windows: self.windows.clone(),
            as_of_change_id: self.as_of_change_id,
        }
    }

    /// The open incidents grouped by response plan: the plan with the most severe incident
    /// first, then the plan with more incidents, then by name; within a plan, most severe
    /// first, then newest first.
    pub fn plan_groups(&self) -> Vec<PlanGroup> {
        let mut by_plan: BTreeMap<&str, PlanGroup> = BTreeMap::new();
        for i in self.incidents.values() {
            by_plan
                .entry(i.response_plan_arn.as_str())
                .or_insert_with(|| PlanGroup {
                    arn: i.response_plan_arn.clone(),
                    name: i.response_plan_name.clone(),
                    incidents: Vec::new(),
                })
                .incidents
                .push(i.clone());
        }
        let mut groups: Vec<PlanGroup> = by_plan.into_values().collect();
        for g in &mut groups {
            g.incidents.sort_by(|a, b| {
                a.incident
                    .impact
                    .cmp(&b.incident.impact)
                    .then(
                        b.incident
                            .creation_time
                            .total_cmp(&a.incident.creation_time),
                    )
                    .then_with(|| a.incident.arn.cmp(&b.incident.arn))
            });
        }
        groups.sort_by(|a, b| {
            a.most_severe()
                .cmp(&b.most_severe())
                .then(b.incidents.len().cmp(&a.incidents.len()))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.arn.cmp(&b.arn))
        });
        groups
    }

    /// Number of open incidents.
    pub fn len(&self) -> usize {
        self.incidents.len()
    }

    /// Whether no incident is open.
    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
    }

    /// An open incident by ARN.
    pub fn get(&self, arn: &str) -> Option<&WallIncident> {
        self.incidents.get(arn)
    }

    /// The open incidents of one impact (out-of-range impacts count as the nearest level),
    /// newest first.
    pub fn group(&self, impact: i32) -> Vec<WallIncident> {
        let mut list: Vec<WallIncident> = self
            .incidents
            .values()
            .filter(|i| Impact::clamped(i.incident.impact).get() == impact)
            .cloned()
            .collect();
        list.sort_by(|a, b| {
            b.incident
                .creation_time
                .total_cmp(&a.incident.creation_time)
                .then_with(|| a.incident.arn.cmp(&b.incident.arn))
        });
        list
    }

    /// All five impact groups, 1 (critical) first, including empty ones.
    pub fn groups(&self) -> Vec<ImpactGroup> {
        Impact::ALL
            .iter()
            .map(|impact| ImpactGroup {
                impact: impact.get(),
                incidents: self.group(impact.get()),
            })
            .collect()
    }

    /// Open incidents per impact, index 0 = impact 1.
    pub fn counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for incident in self.incidents.values() {
            let i = Impact::clamped(incident.incident.impact).get() - 1;
            counts[i as usize] += 1;
        }
        counts
    }

    /// The maintenance windows on the wall: active ones first, then by when (their current
    /// or next occurrence) they begin.
    pub fn maintenance_windows(&self) -> Vec<MaintenanceWindow> {
        let mut list: Vec<MaintenanceWindow> = self.windows.values().cloned().collect();
        list.sort_by(compare_windows);
        list
    }

    /// The ticker, newest first.
    pub fn ticker(&self) -> impl Iterator<Item = &TickerItem> {
        self.ticker.iter()
    }

    /// The ticker, newest first, with titles filled in from the open (or recently resolved)
    /// incidents where an entry arrived before its incident did.
    pub fn ticker_with_titles(&self) -> Vec<TickerItem> {
        self.ticker
            .iter()
            .map(|item| {
                let mut item = item.clone();
                if item.incident_title.is_empty() {
                    if let Some(incident) = self.incidents.get(&item.incident_arn) {
                        item.incident_title = incident.incident.title.clone();
                    } else if let Some(title) = self.resolved_title(&item.incident_arn) {
                        item.incident_title = title.to_owned();
                    }
                }
                item
            })
            .collect()
    }
}

/// The order windows are listed in: active, then upcoming, then ended; within each, by
/// when their current (or next) occurrence begins; then by id.
pub fn compare_windows(a: &MaintenanceWindow, b: &MaintenanceWindow) -> std::cmp::Ordering {
    let rank = |w: &MaintenanceWindow| match w.status {
        WindowStatus::Active => 0,
        WindowStatus::Upcoming => 1,
        WindowStatus::Ended => 2,
    };
    rank(a)
        .cmp(&rank(b))
        .then_with(|| window_start(a).total_cmp(&window_start(b)))
        .then_with(|| a.id.cmp(&b.id))
}

/// When a window's current (or next) occurrence begins, epoch seconds.
fn window_start(window: &MaintenanceWindow) -> f64 {
    window
        .occurrence
        .map_or(window.starts_at, |(start, _)| start)
}

/// Whether the wall shows `window` at `now` (epoch seconds): active, or upcoming within
/// [`WINDOW_HORIZON_SECS`].
fn shows_window(window: &MaintenanceWindow, now: f64) -> bool {
    match window.status {
        WindowStatus::Active => true,
        WindowStatus::Upcoming => window_start(window) <= now + WINDOW_HORIZON_SECS,
        WindowStatus::Ended => false,
    }
}

/// What a window's line on the wall says about time: `("until", end)` for an active window
/// (its occurrence's end, else its own end), `("from", start)` for an upcoming one; `None`
/// when there is nothing to say (an active window without a known end).
pub fn window_time(window: &MaintenanceWindow) -> Option<(&'static str, f64)> {
    match window.status {
        WindowStatus::Active => window
            .occurrence
            .map(|(_, end)| end)
            .or(window.ends_at)
            .map(|end| ("until", end)),
        WindowStatus::Upcoming => Some(("from", window_start(window))),
        WindowStatus::Ended => None,
    }
}

/// A key for a window's line that changes whenever anything the line shows changes.
pub fn window_key(window: &MaintenanceWindow) -> String {
    let (start, end) = window.occurrence.unwrap_or((window.starts_at, 0.0));
    format!(
        "{}|{:?}|{}|{}|{}|{}",
        window.id,
        window.status,
        start,
        end,
        window.ends_at.unwrap_or_default(),
        window.name
    )
}

/// A key for a card that changes whenever anything the card shows changes, so a keyed list
/// re-renders exactly the cards that changed.
pub fn card_key(incident: &WallIncident) -> String {
    let latest = incident
        .latest_timeline_event
        .as_ref()
        .map(|e| e.event_id.as_str())
        .unwrap_or("");
    let runbooks: String = incident
        .runbooks
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{}",
                r.automation_execution_id,
                r.status,
                r.current_step_name.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let acknowledgement = incident
        .acknowledgement
        .as_ref()
        .map(|a| {
            format!(
                "{}:{}:{}:{}",
                a.at,
                a.name,
                a.until.unwrap_or_default(),
                a.note.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default();
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        incident.incident.arn,
        incident.incident.last_modified_time,
        incident.incident.impact,
        latest,
        incident.response_plan_name,
        runbooks,
        incident.incident.title,
        acknowledgement
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::incidents::{IncidentRecord, IncidentRecordSource};
    use tocsin_api::native::RecentActivity;

    fn incident(
        arn: &str,
        impact: i32,
        created: f64,
        status: IncidentRecordStatus,
    ) -> WallIncident {
        WallIncident {
            incident: IncidentRecord {
                arn: arn.to_owned(),
                title: format!("title {arn}"),
                impact,
                status,
                dedupe_string: String::new(),
                creation_time: created,
                last_modified_time: created,
                last_modified_by: "me".to_owned(),
                incident_record_source: IncidentRecordSource {
                    created_by: "me".to_owned(),
                    source: "test".to_owned(),
                    invoked_by: None,
                    resource_arn: None,
                },
                summary: None,
                resolved_time: None,
                automation_executions: None,
                chat_channel: None,
                notification_targets: None,
            },
            response_plan_arn: "plan".to_owned(),
            response_plan_name: "Plan".to_owned(),
            latest_timeline_event: None,
            runbooks: Vec::new(),
            acknowledgement: None,
            tags: Default::default(),
        }
    }

    fn event(arn: &str, id: &str, time: f64, data: &str) -> TimelineEvent {
        TimelineEvent {
            event_id: id.to_owned(),
            incident_record_arn: arn.to_owned(),
            event_time: time,
            event_updated_time: time,
            event_type: "Custom Event".to_owned(),
            event_data: data.to_owned(),
            event_references: None,
        }
    }

    fn entry(id: i64, change: Change) -> ChangeFeedEntry {
        ChangeFeedEntry {
            id,
            at: 0.0,
            change,
        }
    }

    fn snapshot() -> WallState {
        WallState::from_snapshot(WallSnapshot {
            as_of_change_id: 10,
            generated_at: 0.0,
            incidents: vec![
                incident("a", 1, 100.0, IncidentRecordStatus::Open),
                incident("b", 1, 200.0, IncidentRecordStatus::Open),
                incident("c", 3, 50.0, IncidentRecordStatus::Open),
                incident("d", 2, 50.0, IncidentRecordStatus::Resolved),
            ],
            maintenance_windows: Vec::new(),
            recent_activity: Vec::new(),
            feed_horizon: None,
        })
    }

    #[test]
    fn the_ticker_starts_with_the_snapshots_recent_activity() {
        let recent = |arn: &str, id: &str, time: f64, title: &str| RecentActivity {
            incident_title: title.to_owned(),
            event: event(arn, id, time, r#"{"content":"rolled back"}"#),
        };
        let mut wall = WallState::from_snapshot(WallSnapshot {
            as_of_change_id: 10,
            generated_at: 0.0,
            incidents: vec![incident("a", 1, 100.0, IncidentRecordStatus::Open)],
            maintenance_windows: Vec::new(),
            recent_activity: vec![
                recent("a", "e2", 300.0, "title a"),
                recent("gone", "e1", 200.0, "Resolved last week"),
            ],
            feed_horizon: None,
        });
        let ticker: Vec<(i64, String, String)> = wall
            .ticker()
            .map(|t| (t.change_id, t.incident_title.clone(), t.summary.clone()))
            .collect();
        assert_eq!(
            ticker,
            [
                (
                    -1,
                    "title a".to_owned(),
                    "Custom Event: rolled back".to_owned()
                ),
                (
                    -2,
                    "Resolved last week".to_owned(),
                    "Custom Event: rolled back".to_owned()
                ),
            ]
        );
        // What arrives later goes in front of the history.
        wall.apply(&entry(
            11,
            Change::TimelineEventAdded(event("a", "e3", 400.0, r#"{"content":"fixed"}"#)),
        ));
        assert_eq!(
            wall.ticker().map(|t| t.change_id).collect::<Vec<_>>(),
            [11, -1, -2]
        );
    }

    #[test]
    fn a_board_shows_its_incidents_and_their_ticker_entries() {
        let mut wall = snapshot();
        let mut on_plan_b = incident("e", 2, 300.0, IncidentRecordStatus::Open);
        on_plan_b.response_plan_arn = "plan-b".to_owned();
        on_plan_b.response_plan_name = "B".to_owned();
        wall.apply(&entry(11, Change::IncidentCreated(on_plan_b.clone())));
        wall.apply(&entry(
            12,
            Change::TimelineEventAdded(event("e", "e1", 301.0, "{}")),
        ));
        wall.apply(&entry(
            13,
            Change::TimelineEventAdded(event("a", "a1", 302.0, "{}")),
        ));
        let board = Board {
            name: "b".into(),
            response_plan_arns: vec!["plan-b".into()],
            ..Board::default()
        };
        let shown = wall.on_board(&board);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown.counts(), [0, 1, 0, 0, 0]);
        let ticker: Vec<_> = shown.ticker().map(|t| t.event_id.clone()).collect();
        assert_eq!(ticker, ["e1"]);
        // Resolved while on the board: its later entries still show there.
        let mut resolved = on_plan_b;
        resolved.incident.status = IncidentRecordStatus::Resolved;
        wall.apply(&entry(14, Change::IncidentUpdated(resolved)));
        wall.apply(&entry(
            15,
            Change::TimelineEventAdded(event("e", "e2", 303.0, "{}")),
        ));
        let shown = wall.on_board(&board);
        assert!(shown.is_empty());
        let ticker: Vec<_> = shown.ticker().map(|t| t.event_id.clone()).collect();
        assert_eq!(ticker, ["e2", "e1"]);
        assert_eq!(shown.ticker_with_titles()[0].incident_title, "title e");
    }

    #[test]
    fn plan_groups_put_the_most_severe_plan_first() {
        let mut wall = snapshot();
        let mut quiet = incident("q", 4, 10.0, IncidentRecordStatus::Open);
        quiet.response_plan_arn = "a-quiet".to_owned();
        quiet.response_plan_name = "Quiet".to_owned();
        wall.apply(&entry(11, Change::IncidentCreated(quiet)));
        let groups = wall.plan_groups();
        let summary: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.incidents
                        .iter()
                        .map(|i| i.incident.arn.as_str())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [("Plan", vec!["b", "a", "c"]), ("Quiet", vec!["q"])],
            "impact first, then newest first"
        );
        assert_eq!(groups[0].most_severe(), 1);
    }

    #[test]
    fn snapshot_groups_and_counts() {
        let wall = snapshot();
        assert_eq!(wall.len(), 3);
        assert_eq!(wall.counts(), [2, 0, 1, 0, 0]);
        let groups = wall.groups();
        assert_eq!(groups.len(), 5);
        let arns: Vec<_> = groups[0]
            .incidents
            .iter()
            .map(|i| i.incident.arn.as_str())
            .collect();
        assert_eq!(arns, ["b", "a"], "newest first");
        assert!(groups[1].incidents.is_empty());
    }

    #[test]
    fn a_deleted_incident_leaves_the_wall() {
        let mut wall = snapshot();
        assert!(wall.apply(&entry(11, Change::IncidentDeleted { arn: "a".into() })));
        assert!(wall.get("a").is_none());
        assert_eq!(wall.counts(), [1, 0, 1, 0, 0]);
        assert!(!wall.apply(&entry(12, Change::IncidentDeleted { arn: "zz".into() })));
    }

    #[test]
    fn out_of_range_impact_lands_in_nearest_group() {
        let mut wall = WallState::default();
        wall.apply(&entry(
            1,
            Change::IncidentCreated(incident("x", 9, 1.0, IncidentRecordStatus::Open)),
        ));
        assert_eq!(wall.counts(), [0, 0, 0, 0, 1]);
        assert_eq!(wall.group(5).len(), 1);
    }

    #[test]
    fn create_update_resolve() {
        let mut wall = snapshot();
        assert!(wall.apply(&entry(
            11,
            Change::IncidentCreated(incident("e", 4, 300.0, IncidentRecordStatus::Open))
        )));
        assert_eq!(wall.counts(), [2, 0, 1, 1, 0]);

        let mut moved = incident("e", 2, 300.0, IncidentRecordStatus::Open);
        moved.incident.title = "renamed".to_owned();
        wall.apply(&entry(12, Change::IncidentUpdated(moved)));
        assert_eq!(wall.counts(), [2, 1, 1, 0, 0]);
        assert_eq!(
            wall.get("e").map(|i| i.incident.title.as_str()),
            Some("renamed")
        );

        wall.apply(&entry(
            13,
            Change::IncidentUpdated(incident("a", 1, 100.0, IncidentRecordStatus::Resolved)),
        ));
        assert!(wall.get("a").is_none());
        assert_eq!(wall.len(), 3);
        assert_eq!(wall.as_of_change_id, 13);
    }

    #[test]
    fn replayed_entries_are_skipped() {
        let mut wall = snapshot();
        let stale = entry(
            10,
            Change::IncidentCreated(incident("z", 1, 1.0, IncidentRecordStatus::Open)),
        );
        assert!(!wall.apply(&stale));
        assert!(wall.get("z").is_none());
    }

    #[test]
    fn resolving_an_unknown_incident_is_harmless() {
        let mut wall = snapshot();
        wall.apply(&entry(
            11,
            Change::IncidentUpdated(incident("nope", 1, 1.0, IncidentRecordStatus::Resolved)),
        ));
        assert_eq!(wall.len(), 3);
    }

    #[test]
    fn timeline_events_update_cards_and_ticker() {
        let mut wall = snapshot();
        wall.apply(&entry(
            11,
            Change::TimelineEventAdded(event("a", "e1", 500.0, r#"{"note":"disk at 95%"}"#)),
        ));
        let latest = wall
            .get("a")
            .and_then(|i| i.latest_timeline_event.as_ref())
            .map(|e| e.event_id.clone());
        assert_eq!(latest.as_deref(), Some("e1"));
        let first = wall.ticker().next().cloned();
        assert_eq!(
            first.as_ref().map(|t| t.summary.as_str()),
            Some("Custom Event: disk at 95%")
        );
        assert_eq!(first.map(|t| t.incident_title), Some("title a".to_owned()));

        // An older entry arriving later does not replace the newer one on the card.
        wall.apply(&entry(
            12,
            Change::TimelineEventAdded(event("a", "e0", 400.0, "old")),
        ));
        let latest = wall
            .get("a")
            .and_then(|i| i.latest_timeline_event.as_ref())
            .map(|e| e.event_id.clone());
        assert_eq!(latest.as_deref(), Some("e1"));

        // An update without a latest entry keeps the card's.
        wall.apply(&entry(
            13,
            Change::IncidentUpdated(incident("a", 1, 100.0, IncidentRecordStatus::Open)),
        ));
        assert!(
            wall.get("a")
                .and_then(|i| i.latest_timeline_event.as_ref())
                .is_some()
        );

        // An incident resolved off the wall keeps its title for its late entries.
        wall.apply(&entry(
            15,
            Change::IncidentUpdated(incident("a", 1, 100.0, IncidentRecordStatus::Resolved)),
        ));
        wall.apply(&entry(
            16,
            Change::TimelineEventAdded(event("a", "e3", 700.0, "resolved")),
        ));
        assert!(wall.get("a").is_none());
        assert_eq!(
            wall.ticker().next().map(|t| t.incident_title.as_str()),
            Some("title a")
        );

        // Entries for incidents never seen still reach the ticker, untitled.
        wall.apply(&entry(
            17,
            Change::TimelineEventAdded(event("gone", "e2", 600.0, "x")),
        ));
        assert_eq!(
            wall.ticker().next().map(|t| t.incident_title.as_str()),
            Some("")
        );
    }

    #[test]
    fn ticker_is_bounded() {
        let mut wall = snapshot();
        let long = "y".repeat(10_000);
        for id in 11..1_011 {
            wall.apply(&entry(
                id,
                Change::TimelineEventAdded(event("a", &format!("e{id}"), id as f64, &long)),
            ));
        }
        assert_eq!(wall.ticker().count(), TICKER_CAPACITY);
        assert_eq!(wall.ticker().next().map(|t| t.change_id), Some(1_010));
        assert!(
            wall.ticker()
                .all(|t| t.summary.chars().count() <= TICKER_TEXT_CHARS + 1)
        );
    }

    #[test]
    fn other_changes_only_advance_the_position() {
        let mut wall = snapshot();
        assert!(!wall.apply(&entry(
            11,
            Change::ResponsePlanDeleted {
                arn: "p".to_owned()
            }
        )));
        assert_eq!(wall.as_of_change_id, 11);
        assert_eq!(wall.len(), 3);
    }

    #[test]
    fn changes_name_their_incident() {
        let created = Change::IncidentCreated(incident("a", 1, 1.0, IncidentRecordStatus::Open));
        assert_eq!(created.incident_arn(), Some("a"));
        let ev = Change::TimelineEventAdded(event("b", "e", 1.0, ""));
        assert_eq!(ev.incident_arn(), Some("b"));
        let other = Change::RuleChanged {
            arn: "r".to_owned(),
        };
        assert_eq!(other.incident_arn(), None);
    }

    #[test]
    fn the_oldest_of_an_impact_is_the_last_of_its_group() {
        let mut wall = WallState::default();
        for (arn, impact, created) in [("a", 3, 5.0), ("b", 3, 2.0), ("c", 3, 2.0), ("d", 1, 1.0)] {
            wall.upsert(incident(arn, impact, created, IncidentRecordStatus::Open));
        }
        let last = wall
            .group(3)
            .last()
            .map(|i| (i.incident.title.clone(), i.incident.creation_time));
        assert_eq!(wall.oldest(3), last);
        assert_eq!(wall.oldest(3).map(|(_, t)| t), Some(2.0));
        assert_eq!(wall.oldest(2), None);
    }

    #[test]
    fn card_keys_change_with_content() {
        let a = incident("a", 1, 1.0, IncidentRecordStatus::Open);
        let mut b = a.clone();
        assert_eq!(card_key(&a), card_key(&b));
        b.latest_timeline_event = Some(event("a", "e9", 2.0, ""));
        assert_ne!(card_key(&a), card_key(&b));
        let mut c = a.clone();
        c.runbooks
            .push(runbook("x", Some("a"), "InProgress", Some("settle")));
        assert_ne!(card_key(&a), card_key(&c));
        let mut d = c.clone();
        d.runbooks[0].status = "Waiting".to_owned();
        assert_ne!(card_key(&c), card_key(&d));
        let mut e = a.clone();
        e.acknowledgement = Some(tocsin_api::native::Acknowledgement {
            by: "arn:aws:iam::000000000000:user/maria".to_owned(),
            name: "maria".to_owned(),
            at: 5.0,
            note: Some("on it".to_owned()),
            until: None,
            lapsed: false,
        });
        assert_ne!(card_key(&a), card_key(&e));
    }

    fn runbook(
        id: &str,
        incident: Option<&str>,
        status: &str,
        step: Option<&str>,
    ) -> AutomationSummary {
        AutomationSummary {
            automation_execution_id: id.to_owned(),
            document_name: "restart-web".to_owned(),
            status: status.to_owned(),
            current_step_name: step.map(str::to_owned),
            current_action: step.map(|_| "aws:approve".to_owned()),
            incident_record_arn: incident.map(str::to_owned),
        }
    }

    #[test]
    fn automation_changes_update_their_incidents_runbooks() {
        let mut wall = snapshot();
        // A new execution of incident a is added to its card.
        assert!(wall.apply(&entry(
            11,
            Change::AutomationChanged(runbook("x", Some("a"), "InProgress", Some("settle")))
        )));
        assert_eq!(
            wall.get("a").map(|i| i.runbooks.clone()),
            Some(vec![runbook("x", Some("a"), "InProgress", Some("settle"))])
        );
        // Its next state replaces the earlier one; another execution is listed after it.
        wall.apply(&entry(
            12,
            Change::AutomationChanged(runbook("y", Some("a"), "InProgress", None)),
        ));
        assert!(wall.apply(&entry(
            13,
            Change::AutomationChanged(runbook("x", Some("a"), "Waiting", Some("approve")))
        )));
        let states: Vec<_> = wall
            .get("a")
            .map(|i| {
                i.runbooks
                    .iter()
                    .map(|r| (r.automation_execution_id.clone(), r.status.clone()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            states,
            [
                ("x".to_owned(), "Waiting".to_owned()),
                ("y".to_owned(), "InProgress".to_owned())
            ]
        );
        assert_eq!(
            wall.get("a")
                .and_then(|i| i.runbooks[0].current_step_name.clone())
                .as_deref(),
            Some("approve")
        );
        // Other incidents' cards are untouched.
        assert_eq!(wall.get("b").map(|i| i.runbooks.len()), Some(0));

        // Executions of no incident, or of one not on the wall, only advance the position.
        assert!(!wall.apply(&entry(
            14,
            Change::AutomationChanged(runbook("z", None, "Success", None))
        )));
        assert!(!wall.apply(&entry(
            15,
            Change::AutomationChanged(runbook("z", Some("gone"), "Success", None))
        )));
        assert_eq!(wall.as_of_change_id, 15);

        // A replayed (older) entry does not undo a newer state.
        assert!(!wall.apply(&entry(
            13,
            Change::AutomationChanged(runbook("x", Some("a"), "InProgress", Some("settle")))
        )));
        assert_eq!(
            wall.get("a").map(|i| i.runbooks[0].status.as_str()),
            Some("Waiting")
        );

        // The change names its incident, so the incident page refetches on it.
        let change = Change::AutomationChanged(runbook("x", Some("a"), "Success", None));
        assert_eq!(change.incident_arn(), Some("a"));
    }

    fn window(id: &str, status: WindowStatus, start: f64, end: f64) -> MaintenanceWindow {
        MaintenanceWindow {
            id: id.to_owned(),
            name: format!("window {id}"),
            reason: "upgrade".to_owned(),
            event_pattern: r#"{"source":["aws.cloudwatch"]}"#.to_owned(),
            resolved_pattern: None,
            starts_at: start,
            ends_at: Some(end),
            duration_seconds: (end - start) as u64,
            recurrence: None,
            status,
            occurrence: Some((start, end)),
            suppressed_count: 0,
            incident_arn: None,
            created_by: "me".to_owned(),
            created_at: 0.0,
        }
    }

    fn window_change(
        id: i64,
        at: f64,
        window_id: &str,
        w: Option<MaintenanceWindow>,
    ) -> ChangeFeedEntry {
        ChangeFeedEntry {
            id,
            at,
            change: Change::MaintenanceWindowChanged {
                window: w,
                id: window_id.to_owned(),
            },
        }
    }

    fn window_ids(wall: &WallState) -> Vec<String> {
        wall.maintenance_windows()
            .into_iter()
            .map(|w| w.id)
            .collect()
    }

    #[test]
    fn snapshot_windows_active_first_then_soonest() {
        let wall = WallState::from_snapshot(WallSnapshot {
            as_of_change_id: 5,
            generated_at: 1_000.0,
            incidents: Vec::new(),
            maintenance_windows: vec![
                window("mw-late", WindowStatus::Upcoming, 5_000.0, 6_000.0),
                window("mw-soon", WindowStatus::Upcoming, 2_000.0, 3_000.0),
                window("mw-now", WindowStatus::Active, 500.0, 4_000.0),
                window("mw-gone", WindowStatus::Ended, 100.0, 200.0),
            ],
            recent_activity: Vec::new(),
            feed_horizon: None,
        });
        assert_eq!(window_ids(&wall), ["mw-now", "mw-soon", "mw-late"]);
        assert!(wall.is_empty(), "windows are not incidents");
    }

    #[test]
    fn window_changes_replace_and_remove_by_id() {
        let mut wall = snapshot();
        let now = 10_000.0;
        // Created, upcoming within the day: shown.
        let upcoming = window("mw-1", WindowStatus::Upcoming, now + 600.0, now + 4_200.0);
        assert!(wall.apply(&window_change(11, now, "mw-1", Some(upcoming.clone()))));
        assert_eq!(window_ids(&wall), ["mw-1"]);
        // It began: replaced, not added twice.
        let active = window("mw-1", WindowStatus::Active, now + 600.0, now + 4_200.0);
        assert!(wall.apply(&window_change(
            12,
            now + 600.0,
            "mw-1",
            Some(active.clone())
        )));
        assert_eq!(wall.maintenance_windows(), std::slice::from_ref(&active));
        // The same state again (it suppressed nothing new the wall shows) changes nothing.
        assert!(!wall.apply(&window_change(
            13,
            now + 700.0,
            "mw-1",
            Some(active.clone())
        )));
        // A window for next week is not on the wall (the snapshot would not have it).
        let later = window(
            "mw-2",
            WindowStatus::Upcoming,
            now + 7.0 * 86_400.0,
            now + 8.0 * 86_400.0,
        );
        assert!(!wall.apply(&window_change(14, now, "mw-2", Some(later))));
        assert_eq!(window_ids(&wall), ["mw-1"]);
        // A replayed (older) entry does not bring back an earlier state.
        assert!(!wall.apply(&window_change(11, now, "mw-1", Some(upcoming))));
        assert_eq!(wall.maintenance_windows()[0].status, WindowStatus::Active);
        // It ended: removed.
        let ended = window("mw-1", WindowStatus::Ended, now + 600.0, now + 4_200.0);
        assert!(wall.apply(&window_change(15, now + 4_200.0, "mw-1", Some(ended))));
        assert!(wall.maintenance_windows().is_empty());
        // Deleted (no window): removed; deleting one the wall does not show is harmless.
        wall.apply(&window_change(
            16,
            now,
            "mw-3",
            Some(window("mw-3", WindowStatus::Active, now, now + 60.0)),
        ));
        assert_eq!(window_ids(&wall), ["mw-3"]);
        assert!(wall.apply(&window_change(17, now, "mw-3", None)));
        assert!(!wall.apply(&window_change(18, now, "mw-404", None)));
        assert!(wall.maintenance_windows().is_empty());
        assert_eq!(wall.as_of_change_id, 18);
        assert_eq!(wall.len(), 3, "incidents untouched");
    }

    #[test]
    fn window_lines_say_until_or_from() {
        let active = window("a", WindowStatus::Active, 100.0, 200.0);
        assert_eq!(window_time(&active), Some(("until", 200.0)));
        let upcoming = window("u", WindowStatus::Upcoming, 300.0, 400.0);
        assert_eq!(window_time(&upcoming), Some(("from", 300.0)));
        let open_ended = MaintenanceWindow {
            occurrence: None,
            ends_at: None,
            ..active.clone()
        };
        assert_eq!(window_time(&open_ended), None);
        let recurring = MaintenanceWindow {
            occurrence: None,
            starts_at: 50.0,
            ..upcoming.clone()
        };
        assert_eq!(window_time(&recurring), Some(("from", 50.0)));
        assert_eq!(
            window_time(&window("e", WindowStatus::Ended, 1.0, 2.0)),
            None
        );
        assert_ne!(window_key(&active), window_key(&upcoming));
        let renamed = MaintenanceWindow {
            name: "other".to_owned(),
            ..active.clone()
        };
        assert_ne!(window_key(&active), window_key(&renamed));
        let begun = MaintenanceWindow {
            status: WindowStatus::Upcoming,
            ..active.clone()
        };
        assert_ne!(window_key(&active), window_key(&begun));
    }
}
