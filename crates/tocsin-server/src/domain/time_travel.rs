//! "What did we know at 03:12?": the wall as it stood at a past moment, replayed from the
//! change feed (`GET /v1/wall?at=…`).
//!
//! The feed keeps `--retain-feed` (7 days by default); its oldest entry is the *horizon*,
//! and no moment before it can be shown. The replay folds every feed entry committed at or
//! before the moment, in order, the way the app's live wall folds them
//! (`src/wall_state.rs`): `incidentCreated`/`incidentUpdated` put the incident's state of
//! that time on the wall (a resolved one leaves it), `incidentDeleted` takes it off,
//! `timelineEventAdded` sets its card's last line and the recent activity,
//! `automationChanged` its runbooks. Incidents opened before the horizon enter from their
//! records when they were open at the moment (created before it, resolved after it or not
//! at all), as they are now, with their newest timeline entry up to the moment.

use std::collections::{BTreeMap, BTreeSet};

use tocsin_api::EpochSeconds;
use tocsin_api::incidents::{IncidentRecordStatus, TimelineEvent};
use tocsin_api::native::{
    Change, ChangeFeedEntry, RecentActivity, WALL_RECENT_ACTIVITY, WallIncident, WallSnapshot,
};

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::incidents::wall_incident;
use crate::store::{IncidentQuery, Store, StoreTx, TimelineQuery};

/// Feed entries read per page while replaying.
const PAGE: i64 = 1_000;

/// The wall folded from feed entries, oldest first.
#[derive(Debug, Default)]
pub struct Replay {
    /// Incidents open at the last entry folded, by ARN.
    open: BTreeMap<String, WallIncident>,
    /// Every incident the feed mentioned (open, resolved or deleted): those are not taken
    /// from their records.
    seen: BTreeSet<String>,
    /// Titles of incidents by ARN, as last seen (for recent activity).
    titles: BTreeMap<String, String>,
    /// The newest timeline entries, newest last, at most [`WALL_RECENT_ACTIVITY`].
    recent: Vec<TimelineEvent>,
    /// The last entry folded.
    as_of_change_id: i64,
}

impl Replay {
    /// Folds one entry (entries must come in id order).
    pub fn apply(&mut self, entry: &ChangeFeedEntry) {
        self.as_of_change_id = entry.id;
        match &entry.change {
            Change::IncidentCreated(incident) | Change::IncidentUpdated(incident) => {
                let arn = incident.incident.arn.clone();
                self.seen.insert(arn.clone());
                self.titles
                    .insert(arn.clone(), incident.incident.title.clone());
                if incident.incident.status == IncidentRecordStatus::Resolved {
                    self.open.remove(&arn);
                    return;
                }
                let mut incident = incident.clone();
                if let Some(existing) = self.open.get(&arn) {
                    incident.keep_newest_entry_of(existing);
                }
                self.open.insert(arn, incident);
            }
            Change::IncidentDeleted { arn } => {
                self.seen.insert(arn.clone());
                self.open.remove(arn);
            }
            Change::TimelineEventAdded(event) => {
                if let Some(incident) = self.open.get_mut(&event.incident_record_arn) {
                    incident.see_timeline_event(event);
                }
                self.recent.push(event.clone());
                if self.recent.len() > 4 * WALL_RECENT_ACTIVITY {
                    self.keep_newest();
                }
            }
            Change::AutomationChanged(summary) => {
                if let Some(incident) = summary
                    .incident_record_arn
                    .as_deref()
                    .and_then(|arn| self.open.get_mut(arn))
                {
                    incident.see_automation(summary);
                }
            }
            _ => {}
        }
    }

    /// Keeps the [`WALL_RECENT_ACTIVITY`] newest timeline entries (by event time).
    fn keep_newest(&mut self) {
        self.recent
            .sort_by(|a, b| a.event_time.total_cmp(&b.event_time));
        let excess = self.recent.len().saturating_sub(WALL_RECENT_ACTIVITY);
        self.recent.drain(..excess);
    }
}

/// The change feed's horizon: the time of its oldest entry (`None`: the feed is empty).
///
/// Errors: the store's.
pub async fn horizon(store: &dyn Store) -> ApiResult<Option<EpochSeconds>> {
    Ok(store.changes_after(0, 1).await?.first().map(|e| e.at))
}

/// The wall as it stood at `at` (epoch seconds): its open incidents, most severe first,
/// then newest first, and the recent activity up to then; `generatedAt` is `at`, and
/// `asOfChangeId` the last feed entry replayed. Maintenance windows are not replayed (the
/// list is empty).
///
/// Errors: `ValidationException` when `at` is not a finite time, is in the future, or lies
/// before the feed's horizon (naming the horizon and `--retain-feed`); the store's.
pub async fn wall_at(
    store: &dyn Store,
    tx: &mut dyn StoreTx,
    at: EpochSeconds,
    now: EpochSeconds,
) -> ApiResult<WallSnapshot> {
    if !at.is_finite() || at > now + 1.0 {
        return Err(ApiError::Validation(format!(
            "at ({at}) must be a past time in epoch seconds."
        )));
    }
    let horizon = horizon(store).await?.unwrap_or(now);
    if at < horizon {
        return Err(ApiError::Validation(format!(
            "at ({at}) lies before the change feed's horizon ({horizon}): the feed keeps what changed for --retain-feed (7 days by default)."
        )));
    }
    let mut replay = Replay::default();
    let mut after = 0;
    'pages: loop {
        let page = store.changes_after(after, PAGE).await?;
        for entry in &page {
            if entry.at > at {
                break 'pages;
            }
            replay.apply(entry);
            after = entry.id;
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    replay.keep_newest();

    // Incidents opened before the horizon and not mentioned since: from their records.
    let before_horizon = crate::domain::views::every_incident(
        tx,
        IncidentQuery {
            created_before: Some(horizon),
            ..Default::default()
        },
    )
    .await?;
    for stored in before_horizon {
        let record = &stored.record;
        let open_then =
            record.creation_time <= at && record.resolved_time.is_none_or(|resolved| resolved > at);
        if !open_then || replay.seen.contains(&record.arn) {
            continue;
        }
        let arn = record.arn.clone();
        let mut incident = wall_incident(tx, stored).await?;
        incident.incident.status = IncidentRecordStatus::Open;
        incident.incident.resolved_time = None;
        incident.latest_timeline_event = tx
            .timeline_page(
                &arn,
                &TimelineQuery {
                    before: Some(at),
                    descending: true,
                    limit: 1,
                    ..Default::default()
                },
            )
            .await?
            .into_iter()
            .next();
        replay
            .titles
            .insert(arn.clone(), incident.incident.title.clone());
        replay.open.insert(arn, incident);
    }

    let mut incidents: Vec<WallIncident> = replay.open.into_values().collect();
    incidents.sort_by(|a, b| {
        a.incident.impact.cmp(&b.incident.impact).then(
            b.incident
                .creation_time
                .total_cmp(&a.incident.creation_time),
        )
    });
    let recent_activity = replay
        .recent
        .into_iter()
        .rev()
        .map(|event| RecentActivity {
            incident_title: replay
                .titles
                .get(&event.incident_record_arn)
                .cloned()
                .unwrap_or_default(),
            event,
        })
        .collect();
    Ok(WallSnapshot {
        as_of_change_id: replay.as_of_change_id,
        generated_at: at,
        incidents,
        maintenance_windows: Vec::new(),
        recent_activity,
        feed_horizon: Some(horizon),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(arn: &str, title: &str, status: &str, at: f64) -> WallIncident {
        serde_json::from_value(serde_json::json!({
            "incident": {
                "arn": arn, "title": title, "impact": 2, "status": status,
                "dedupeString": "", "creationTime": 1.0, "lastModifiedTime": at,
                "lastModifiedBy": "me",
                "incidentRecordSource": {"createdBy": "me", "source": "test"}
            },
            "responsePlanArn": "arn:plan", "responsePlanName": "plan", "runbooks": []
        }))
        .expect("a wall incident")
    }

    fn event(arn: &str, id: &str, at: f64) -> TimelineEvent {
        serde_json::from_value(serde_json::json!({
            "eventId": id, "incidentRecordArn": arn, "eventTime": at,
            "eventUpdatedTime": at, "eventType": "Custom Event", "eventData": "\"x\""
        }))
        .expect("a timeline event")
    }

    fn entry(id: i64, change: Change) -> ChangeFeedEntry {
        ChangeFeedEntry {
            id,
            at: id as f64,
            change,
        }
    }

    #[test]
    fn the_replay_keeps_what_was_open_with_its_state_of_then() {
        let mut r = Replay::default();
        r.apply(&entry(
            1,
            Change::IncidentCreated(incident("a", "A", "OPEN", 1.0)),
        ));
        r.apply(&entry(
            2,
            Change::IncidentCreated(incident("b", "B", "OPEN", 2.0)),
        ));
        r.apply(&entry(3, Change::TimelineEventAdded(event("a", "e1", 3.0))));
        r.apply(&entry(
            4,
            Change::IncidentUpdated(incident("a", "A renamed", "OPEN", 4.0)),
        ));
        r.apply(&entry(
            5,
            Change::IncidentUpdated(incident("b", "B", "RESOLVED", 5.0)),
        ));
        r.apply(&entry(
            6,
            Change::IncidentCreated(incident("c", "C", "OPEN", 6.0)),
        ));
        r.apply(&entry(
            7,
            Change::IncidentDeleted {
                arn: "c".to_owned(),
            },
        ));
        assert_eq!(r.as_of_change_id, 7);
        assert_eq!(r.open.keys().collect::<Vec<_>>(), ["a"]);
        let a = &r.open["a"];
        assert_eq!(a.incident.title, "A renamed");
        // The update carried no timeline entry: the newer one seen stays on the card.
        assert_eq!(
            a.latest_timeline_event
                .as_ref()
                .map(|e| e.event_id.as_str()),
            Some("e1")
        );
        assert!(["a", "b", "c"].iter().all(|arn| r.seen.contains(*arn)));
    }

    #[test]
    fn recent_activity_keeps_the_newest_entries() {
        let mut r = Replay::default();
        r.apply(&entry(
            1,
            Change::IncidentCreated(incident("a", "A", "OPEN", 1.0)),
        ));
        for i in 0..100 {
            r.apply(&entry(
                i + 2,
                Change::TimelineEventAdded(event("a", &format!("e{i}"), i as f64)),
            ));
        }
        r.keep_newest();
        assert_eq!(r.recent.len(), WALL_RECENT_ACTIVITY);
        assert_eq!(r.recent.last().map(|e| e.event_id.as_str()), Some("e99"));
        assert_eq!(r.recent.first().map(|e| e.event_id.as_str()), Some("e80"));
    }
}
