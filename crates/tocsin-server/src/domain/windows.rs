//! Maintenance windows: while a window is active, events matching its pattern are stored
//! and visible but start no incidents, runbooks or engagements; each suppressed event is
//! recorded (a [`Suppression`]) and counted on the window. When an occurrence ends, the
//! window is *released* ([`crate::domain::events::release_window`]): for each suppressed
//! source, the latest event decides, and a source still firing opens its incident then.
//!
//! "Still firing", per source:
//! - Alertmanager alert: not resolved, and its `endsAt` not passed;
//! - PagerDuty dedup key: not resolved;
//! - CloudWatch alarm: the latest `detail.state.value` for the alarm ARN is `ALARM`;
//! - anything else: no event matching the window's resolved pattern (with the same source
//!   and resources) arrived after it; without a resolved pattern, still firing.
//!
//! A window is a one-off (`startsAt` to `endsAt`, or `durationSeconds`) or recurs (a cron
//! expression in an IANA time zone, each occurrence lasting `durationSeconds`, from
//! `startsAt` until `endsAt` if given). The scheduler wakes at each occurrence's start (to
//! announce it) and end (to release it).

use chrono::{TimeZone, Utc};
use croner::Cron;
use serde_json::json;
use tocsin_api::native::Change;
use tocsin_api::receivers::{
    CreateMaintenanceWindow, MaintenanceWindow, Recurrence, Suppression, WindowStatus,
};
use tocsin_pattern::Pattern;

use crate::domain::compiled::RuleChange;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::Caller;
use crate::store::{StoreTx, StoredSuppression, StoredWindow};

/// Longest occurrence: 31 days.
pub const MAX_DURATION_SECS: u64 = 31 * 24 * 3600;

/// When a window is active, compiled.
#[derive(Debug, Clone)]
pub struct Schedule {
    starts_at: f64,
    ends_at: Option<f64>,
    duration: f64,
    cron: Option<(Cron, chrono_tz::Tz)>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Validation(message.into())
}

fn parse_recurrence(r: &Recurrence) -> ApiResult<(Cron, chrono_tz::Tz)> {
    let fields = r.cron.split_whitespace().count();
    if fields != 5 {
        return Err(invalid(format!(
            "recurrence.cron {:?} must have five fields: minute hour day-of-month month day-of-week",
            r.cron
        )));
    }
    let cron: Cron = r
        .cron
        .parse()
        .map_err(|e| invalid(format!("recurrence.cron {:?}: {e}", r.cron)))?;
    let tz: chrono_tz::Tz = r.time_zone.parse().map_err(|_| {
        invalid(format!(
            "recurrence.timeZone {:?} is not an IANA time zone (e.g. Europe/Berlin)",
            r.time_zone
        ))
    })?;
    Ok((cron, tz))
}

impl Schedule {
    /// The schedule of a stored window.
    ///
    /// Errors: a recurrence that does not parse (validated at creation, so only a
    /// hand-edited database).
    pub fn of(w: &MaintenanceWindow) -> ApiResult<Self> {
        Ok(Schedule {
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            duration: w.duration_seconds as f64,
            cron: w.recurrence.as_ref().map(parse_recurrence).transpose()?,
        })
    }

    /// The occurrence active at `t`, or else the next one: `(start, end)`, epoch seconds.
    pub fn occurrence(&self, t: f64) -> Option<(f64, f64)> {
        match &self.cron {
            None => (t < self.starts_at + self.duration)
                .then_some((self.starts_at, self.starts_at + self.duration)),
            Some((cron, tz)) => {
                // An occurrence that began before t - duration has ended by t.
                let from = (t - self.duration).max(self.starts_at);
                let secs = from.ceil() as i64;
                let start = tz.timestamp_opt(secs, 0).single()?;
                let mut next = cron.find_next_occurrence(&start, true).ok()?;
                // One that ends exactly at t has ended: take the following one.
                if (next.with_timezone(&Utc).timestamp() as f64) + self.duration <= t {
                    next = cron.find_next_occurrence(&next, false).ok()?;
                }
                let s = next.with_timezone(&Utc).timestamp() as f64;
                if self.ends_at.is_some_and(|until| s >= until) {
                    return None;
                }
                Some((s, s + self.duration))
            }
        }
    }

    /// Whether the window suppresses at `t`.
    pub fn active(&self, t: f64) -> bool {
        self.occurrence(t).is_some_and(|(s, e)| s <= t && t < e)
    }

    /// The next moment after `t` the window begins or ends (when the scheduler acts).
    pub fn next_boundary(&self, t: f64) -> Option<f64> {
        self.occurrence(t).map(|(s, e)| if s > t { s } else { e })
    }
}

/// `window` with its status and occurrence as of `now`.
pub fn as_of(mut window: MaintenanceWindow, now: f64) -> MaintenanceWindow {
    let occurrence = Schedule::of(&window).ok().and_then(|s| s.occurrence(now));
    window.status = match occurrence {
        None => WindowStatus::Ended,
        Some((s, _)) if s <= now => WindowStatus::Active,
        Some(_) => WindowStatus::Upcoming,
    };
    window.occurrence = occurrence;
    window
}

fn check_pattern(at: &str, text: &str) -> ApiResult<()> {
    Pattern::parse(text)
        .map(|_| ())
        .map_err(|e| invalid(format!("{at} is not a valid event pattern: {e}")))
}

/// The pattern that matches an incident's trigger: its source and, when it had any, its
/// resources (from the trigger's raw event).
fn pattern_of_incident(raw: Option<&str>, source: &str) -> String {
    let event: serde_json::Value = raw
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let source = event["source"].as_str().unwrap_or(source);
    let resources: Vec<&str> = event["resources"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    let mut pattern = json!({ "source": [source] });
    // Alerts carry no resources: their own identity (fingerprint, dedup key) scopes the
    // window to the thing that fired, not to every alert of the sender.
    let identity = ["fingerprint", "dedup_key"]
        .into_iter()
        .find_map(|k| event["detail"][k].as_str().map(|v| (k, v)));
    if let Some((key, value)) = identity {
        pattern["detail"] = json!({ key: [value] });
    } else if !resources.is_empty() {
        pattern["resources"] = json!(resources);
    } else if let Some(dt) = event["detail-type"].as_str() {
        pattern["detail-type"] = json!([dt]);
    }
    pattern.to_string()
}

/// Creates a window (`POST /v1/maintenance-windows`), announced with
/// `MaintenanceWindowChanged`.
///
/// Errors (`ValidationException`): no pattern (or incident), a pattern that does not
/// parse, no end or duration, an end before the start, an occurrence longer than 31 days,
/// a recurrence without a duration or with a bad cron expression or time zone, a name over
/// 128 or a reason over 1,000 characters. `ResourceNotFoundException` for an unknown
/// incident.
pub async fn create(
    tx: &mut dyn StoreTx,
    caller: &Caller,
    req: CreateMaintenanceWindow,
    now: f64,
) -> ApiResult<RuleChange<MaintenanceWindow>> {
    let (mut name, mut reason, mut pattern) = (req.name, req.reason, req.event_pattern);
    if let Some(arn) = &req.from_incident_arn {
        let incident = tx
            .incident(arn)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("Incident record {arn} does not exist.")))?;
        let record = &incident.record;
        let trigger = &record.incident_record_source;
        let raw = tx
            .timeline_events(arn)
            .await?
            .into_iter()
            .find(|e| e.event_type == tocsin_api::native::timeline_event_types::INCIDENT_CREATED)
            .and_then(|e| serde_json::from_str::<serde_json::Value>(&e.event_data).ok())
            .and_then(|d| d["triggerDetails"]["rawData"].as_str().map(str::to_owned));
        pattern.get_or_insert_with(|| pattern_of_incident(raw.as_deref(), &trigger.source));
        name.get_or_insert_with(|| {
            let title: String = record.title.chars().take(100).collect();
            format!("Maintenance: {title}")
        });
        reason.get_or_insert_with(|| format!("Created from incident \"{}\"", record.title));
    }
    let name = name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| invalid("name is required (or fromIncidentArn)."))?;
    if name.chars().count() > 128 {
        return Err(invalid("name must be at most 128 characters."));
    }
    let reason = reason.unwrap_or_default();
    if reason.chars().count() > 1000 {
        return Err(invalid("reason must be at most 1,000 characters."));
    }
    let pattern =
        pattern.ok_or_else(|| invalid("eventPattern is required (or fromIncidentArn)."))?;
    check_pattern("eventPattern", &pattern)?;
    if let Some(resolved) = &req.resolved_pattern {
        check_pattern("resolvedPattern", resolved)?;
    }
    let starts_at = req.starts_at.unwrap_or(now);
    let duration = match (req.duration_seconds, req.ends_at, &req.recurrence) {
        (Some(d), _, _) => d,
        (None, Some(end), None) if end > starts_at => (end - starts_at).ceil() as u64,
        (None, Some(_), None) => return Err(invalid("endsAt must be after startsAt.")),
        (None, _, Some(_)) => {
            return Err(invalid(
                "durationSeconds is required with a recurrence (how long each occurrence lasts).",
            ));
        }
        (None, None, None) => return Err(invalid("give endsAt or durationSeconds.")),
    };
    if !(1..=MAX_DURATION_SECS).contains(&duration) {
        return Err(invalid("durationSeconds must be 1 to 2678400 (31 days)."));
    }
    if let Some(r) = &req.recurrence {
        parse_recurrence(r)?;
    }
    let ends_at = match &req.recurrence {
        Some(_) => req.ends_at,
        None => Some(starts_at + duration as f64),
    };
    if ends_at.is_some_and(|e| e <= starts_at) {
        return Err(invalid("endsAt must be after startsAt."));
    }
    let window = MaintenanceWindow {
        id: format!("mw-{}", crate::domain::keys::random_hex(16)),
        name,
        reason,
        event_pattern: pattern,
        resolved_pattern: req.resolved_pattern,
        starts_at,
        ends_at,
        duration_seconds: duration,
        recurrence: req.recurrence,
        status: WindowStatus::Upcoming,
        occurrence: None,
        suppressed_count: 0,
        incident_arn: req.from_incident_arn,
        created_by: caller.principal.clone(),
        created_at: now,
    };
    let window = as_of(window, now);
    let wake_at = Schedule::of(&window)?.next_boundary(now);
    tx.put_window(&StoredWindow {
        window: window.clone(),
        wake_at,
    })
    .await?;
    let feed_id = tx
        .append_change(&Change::MaintenanceWindowChanged {
            window: Some(window.clone()),
            id: window.id.clone(),
        })
        .await?;
    Ok(RuleChange {
        output: window,
        feed_id: Some(feed_id),
    })
}

/// Every window as of `now`: active first, then upcoming by start, then ended.
pub async fn list(tx: &mut dyn StoreTx, now: f64) -> ApiResult<Vec<MaintenanceWindow>> {
    let mut all: Vec<MaintenanceWindow> = tx
        .windows()
        .await?
        .into_iter()
        .map(|w| as_of(w.window, now))
        .collect();
    let rank = |w: &MaintenanceWindow| match w.status {
        WindowStatus::Active => 0,
        WindowStatus::Upcoming => 1,
        WindowStatus::Ended => 2,
    };
    all.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then(
            a.occurrence
                .map(|o| o.0)
                .partial_cmp(&b.occurrence.map(|o| o.0))
                .unwrap_or(std::cmp::Ordering::Equal),
        )
    });
    Ok(all)
}

/// The windows the wall shows: active, or beginning within 24 hours.
pub async fn on_wall(tx: &mut dyn StoreTx, now: f64) -> ApiResult<Vec<MaintenanceWindow>> {
    Ok(list(tx, now)
        .await?
        .into_iter()
        .filter(|w| match (w.status, w.occurrence) {
            (WindowStatus::Active, _) => true,
            (WindowStatus::Upcoming, Some((s, _))) => s - now <= 24.0 * 3600.0,
            _ => false,
        })
        .collect())
}

/// Deletes a window and its suppressions (release what it held first: see
/// [`crate::domain::events::release_window`]). Errors: `ResourceNotFoundException`.
pub async fn delete(tx: &mut dyn StoreTx, id: &str) -> ApiResult<RuleChange<()>> {
    if !tx.delete_window(id).await? {
        return Err(ApiError::NotFound(format!(
            "Maintenance window {id} does not exist."
        )));
    }
    let feed_id = tx
        .append_change(&Change::MaintenanceWindowChanged {
            window: None,
            id: id.to_owned(),
        })
        .await?;
    Ok(RuleChange {
        output: (),
        feed_id: Some(feed_id),
    })
}

/// A window's suppressions, oldest first (at most 1,000).
/// Errors: `ResourceNotFoundException`.
pub async fn suppressions(tx: &mut dyn StoreTx, id: &str) -> ApiResult<Vec<Suppression>> {
    if tx.window(id).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "Maintenance window {id} does not exist."
        )));
    }
    Ok(tx
        .suppressions(id, false, 1000)
        .await?
        .into_iter()
        .map(|(_, s)| s.suppression)
        .collect())
}

/// Records that window `id` held back the targets of `rule_arns` for an event, and counts
/// it on the window.
pub async fn record_suppression(
    tx: &mut dyn StoreTx,
    id: &str,
    suppression: Suppression,
    hints: serde_json::Value,
    now: f64,
) -> ApiResult<()> {
    let Some(mut stored) = tx.window(id).await? else {
        return Ok(());
    };
    tx.insert_suppression(&StoredSuppression {
        suppression,
        hints,
        resolved: false,
    })
    .await?;
    stored.window.suppressed_count += 1;
    stored.window = as_of(stored.window, now);
    tx.put_window(&stored).await?;
    tx.append_change(&Change::MaintenanceWindowChanged {
        window: Some(stored.window.clone()),
        id: id.to_owned(),
    })
    .await?;
    Ok(())
}

/// After the scheduler's turn at a boundary: the window's new state and next wake,
/// announced.
pub async fn advance(tx: &mut dyn StoreTx, id: &str, now: f64) -> ApiResult<()> {
    let Some(mut stored) = tx.window(id).await? else {
        return Ok(());
    };
    stored.window = as_of(stored.window, now);
    stored.wake_at = Schedule::of(&stored.window)?.next_boundary(now);
    tx.put_window(&stored).await?;
    tx.append_change(&Change::MaintenanceWindowChanged {
        window: Some(stored.window.clone()),
        id: id.to_owned(),
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(recurrence: Option<Recurrence>, starts_at: f64, duration: u64) -> MaintenanceWindow {
        MaintenanceWindow {
            id: "mw-1".into(),
            name: "n".into(),
            reason: String::new(),
            event_pattern: "{}".into(),
            resolved_pattern: None,
            starts_at,
            ends_at: recurrence.is_none().then_some(starts_at + duration as f64),
            duration_seconds: duration,
            recurrence,
            status: WindowStatus::Upcoming,
            occurrence: None,
            suppressed_count: 0,
            incident_arn: None,
            created_by: String::new(),
            created_at: 0.0,
        }
    }

    #[test]
    fn one_off_windows() {
        let s = Schedule::of(&window(None, 100.0, 50)).unwrap();
        assert!(!s.active(99.0));
        assert!(s.active(100.0));
        assert!(s.active(149.0));
        assert!(!s.active(150.0));
        assert_eq!(s.next_boundary(0.0), Some(100.0));
        assert_eq!(s.next_boundary(120.0), Some(150.0));
        assert_eq!(s.next_boundary(150.0), None);
    }

    #[test]
    fn every_sunday_two_to_four_in_berlin() {
        let r = Recurrence {
            cron: "0 2 * * SUN".into(),
            time_zone: "Europe/Berlin".into(),
        };
        // 2026-11-28 12:00 UTC is a Saturday; Berlin is UTC+1 in winter.
        let saturday = 1_795_867_200.0;
        let s = Schedule::of(&window(Some(r), saturday - 86_400.0 * 30.0, 7200)).unwrap();
        let (start, end) = s.occurrence(saturday).unwrap();
        // Sunday 2026-11-29 02:00 Berlin = 01:00 UTC.
        assert_eq!(start, 1_795_914_000.0);
        assert_eq!(end - start, 7200.0);
        assert!(!s.active(saturday));
        assert!(s.active(start + 60.0));
        assert!(!s.active(end));
        // The next occurrence is a week later.
        assert_eq!(s.occurrence(end).unwrap().0, start + 7.0 * 86_400.0);
    }

    #[test]
    fn bad_recurrences_are_refused() {
        for (cron, tz) in [
            ("0 2 * *", "UTC"),
            ("x 2 * * *", "UTC"),
            ("0 2 * * *", "Mars/Olympus"),
        ] {
            let r = Recurrence {
                cron: cron.into(),
                time_zone: tz.into(),
            };
            assert!(parse_recurrence(&r).is_err(), "{cron} {tz}");
        }
    }

    #[test]
    fn incident_patterns() {
        let raw = r#"{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","resources":["arn:a"]}"#;
        assert_eq!(
            pattern_of_incident(Some(raw), "ignored"),
            r#"{"source":["aws.cloudwatch"],"resources":["arn:a"]}"#
        );
        let alert = r#"{"source":"prometheus.alertmanager","detail-type":"Alertmanager Alert","resources":[],"detail":{"fingerprint":"4c9a"}}"#;
        assert_eq!(
            pattern_of_incident(Some(alert), "x"),
            r#"{"source":["prometheus.alertmanager"],"detail":{"fingerprint":["4c9a"]}}"#
        );
        assert_eq!(
            pattern_of_incident(None, "aws.ssm-incidents.custom"),
            r#"{"source":["aws.ssm-incidents.custom"]}"#
        );
    }
}
