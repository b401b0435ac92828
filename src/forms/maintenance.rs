//! The Maintenance page's forms (`/maintenance`): a maintenance window (name, reason, the
//! patterns, when, how long, whether it repeats) and a heartbeat (name, pattern, interval).
//!
//! Times are typed as `datetime-local` values (`2025-06-01T22:00`), which are local wall-
//! clock times: the form parses them ([`LocalDateTime`]) and the page turns them into epoch
//! seconds with the browser's time zone, passed in as a function so these rules stay pure.
//! Patterns are checked with `tocsin_pattern`, the server's own parser, and sent compact.

use tocsin_api::EpochSeconds;
use tocsin_api::receivers::{CreateMaintenanceWindow, PutHeartbeat, Recurrence};
use tocsin_pattern::Pattern;

use super::receivers::check_name;
use super::{non_empty, required};

/// The message for a window without a name.
pub const WINDOW_NAME_MESSAGE: &str = "A maintenance window needs a name.";

/// The longest reason the server accepts, in characters.
pub const REASON_MAX_CHARS: usize = 1_000;

/// The message for a missing event pattern.
pub const PATTERN_MESSAGE: &str = "An event pattern is required.";

/// The message for a one-off window with neither an end nor a duration.
pub const END_OR_DURATION_MESSAGE: &str = "Give an end or a duration.";

/// The message for a one-off window with both an end and a duration.
pub const NOT_BOTH_MESSAGE: &str =
    "Give an end or a duration, not both (with a recurrence, the end is when it stops repeating).";

/// The message for a recurring window without a duration.
pub const RECURRENCE_DURATION_MESSAGE: &str =
    "A recurring window needs a duration: how long each occurrence lasts.";

/// The message for a cron expression that is not five fields.
pub const CRON_MESSAGE: &str = "A recurrence is five cron fields: minute hour day-of-month month day-of-week (e.g. 0 2 * * SUN).";

/// The message for a duration that is not a whole number of minutes.
pub const DURATION_MESSAGE: &str = "The duration is a whole number of minutes, at least 1.";

/// The message for an end that is not after the start.
pub const END_AFTER_START_MESSAGE: &str = "The end must be after the start.";

/// The message for a heartbeat interval that is not 1 second to 31 days.
pub const INTERVAL_MESSAGE: &str =
    "The interval is a whole number of seconds from 1 to 2678400 (31 days).";

/// Longest heartbeat interval, in seconds (31 days).
pub const MAX_INTERVAL_SECONDS: u64 = 31 * 86_400;

/// A local date and time as a `datetime-local` input holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDateTime {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month, 1-31.
    pub day: u32,
    /// Hour, 0-23.
    pub hour: u32,
    /// Minute, 0-59.
    pub minute: u32,
    /// Second, 0-59.
    pub second: u32,
}

impl LocalDateTime {
    /// Parses `YYYY-MM-DDTHH:MM` (with optional `:SS`, and a space instead of `T`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (date, time) = text.split_once(['T', ' '])?;
        let mut d = date.split('-');
        let (year, month, day) = (d.next()?, d.next()?, d.next()?);
        if d.next().is_some() || year.len() != 4 {
            return None;
        }
        let mut t = time.split(':');
        let (hour, minute) = (t.next()?, t.next()?);
        let second = t.next().unwrap_or("0");
        let second = second.split('.').next().unwrap_or(second);
        if t.next().is_some() {
            return None;
        }
        let number = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let parsed = Self {
            year: year.parse().ok()?,
            month: number(month)?,
            day: number(day)?,
            hour: number(hour)?,
            minute: number(minute)?,
            second: number(second)?,
        };
        let valid = (1..=12).contains(&parsed.month)
            && (1..=31).contains(&parsed.day)
            && parsed.hour < 24
            && parsed.minute < 60
            && parsed.second < 60;
        valid.then_some(parsed)
    }
}

/// A pattern as typed: required or not, checked with the server's parser (its message,
/// prefixed with `label`), sent as compact JSON.
fn pattern(text: &str, label: &str) -> Result<String, String> {
    let compact = serde_json::from_str::<serde_json::Value>(text.trim())
        .ok()
        .and_then(|v| serde_json::to_string(&v).ok())
        .unwrap_or_else(|| text.trim().to_owned());
    Pattern::parse(&compact).map_err(|e| format!("{label}: {e}"))?;
    Ok(compact)
}

/// The new-window form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowForm {
    /// A short name.
    pub name: String,
    /// Why (optional).
    pub reason: String,
    /// The events it suppresses (JSON).
    pub event_pattern: String,
    /// What says a suppressed source stopped firing (JSON, optional).
    pub resolved_pattern: String,
    /// Start, `datetime-local` (empty: now).
    pub start: String,
    /// The start the form was opened with: left as it was, it means "now".
    pub start_prefilled: String,
    /// End, `datetime-local` (optional; with a recurrence, when it stops repeating).
    pub end: String,
    /// How long (each occurrence) lasts, in minutes (optional for a one-off window).
    pub duration_minutes: String,
    /// Five cron fields (optional: a one-off window).
    pub cron: String,
    /// The cron's IANA time zone (empty: UTC).
    pub time_zone: String,
}

impl WindowForm {
    /// The `POST /v1/maintenance-windows` input. `to_epoch` turns a local date and time into
    /// epoch seconds (`None`: no such local time); `now` is epoch seconds, for checking that
    /// an end without a start lies ahead.
    ///
    /// A start left as prefilled (or emptied) is left out: the server starts the window
    /// when it creates it. A one-off window has an end or a duration; a recurring one a
    /// duration, and optionally an end (its "until").
    pub fn create_input(
        &self,
        to_epoch: impl Fn(LocalDateTime) -> Option<EpochSeconds>,
        now: EpochSeconds,
    ) -> Result<CreateMaintenanceWindow, String> {
        let name = required(&self.name, WINDOW_NAME_MESSAGE)?.to_owned();
        let reason = non_empty(&self.reason);
        if reason
            .as_ref()
            .is_some_and(|r| r.chars().count() > REASON_MAX_CHARS)
        {
            return Err(format!(
                "The reason is at most {REASON_MAX_CHARS} characters."
            ));
        }
        let event_pattern = pattern(
            required(&self.event_pattern, PATTERN_MESSAGE)?,
            "Event pattern",
        )?;
        let resolved_pattern = match non_empty(&self.resolved_pattern) {
            Some(text) => Some(pattern(&text, "Resolved pattern")?),
            None => None,
        };
        let time = |text: &str, what: &str| -> Result<Option<EpochSeconds>, String> {
            match text.trim() {
                "" => Ok(None),
                t => LocalDateTime::parse(t)
                    .and_then(&to_epoch)
                    .map(Some)
                    .ok_or_else(|| format!("The {what} is not a date and time.")),
            }
        };
        let starts_at = if self.start.trim() == self.start_prefilled.trim() {
            None
        } else {
            time(&self.start, "start")?
        };
        let ends_at = time(&self.end, "end")?;
        if let Some(end) = ends_at
            && end <= starts_at.unwrap_or(now)
        {
            return Err(END_AFTER_START_MESSAGE.to_owned());
        }
        let duration_seconds = match self.duration_minutes.trim() {
            "" => None,
            text => match text.parse::<u64>() {
                Ok(minutes) if minutes >= 1 => Some(minutes * 60),
                _ => return Err(DURATION_MESSAGE.to_owned()),
            },
        };
        let recurrence = match non_empty(&self.cron) {
            Some(cron) => {
                let fields: Vec<&str> = cron.split_whitespace().collect();
                if fields.len() != 5 {
                    return Err(CRON_MESSAGE.to_owned());
                }
                Some(Recurrence {
                    cron: fields.join(" "),
                    time_zone: non_empty(&self.time_zone).unwrap_or_else(|| "UTC".to_owned()),
                })
            }
            None => None,
        };
        match (&recurrence, ends_at, duration_seconds) {
            (Some(_), _, None) => return Err(RECURRENCE_DURATION_MESSAGE.to_owned()),
            (None, None, None) => return Err(END_OR_DURATION_MESSAGE.to_owned()),
            (None, Some(_), Some(_)) => return Err(NOT_BOTH_MESSAGE.to_owned()),
            _ => {}
        }
        Ok(CreateMaintenanceWindow {
            name: Some(name),
            reason,
            event_pattern: Some(event_pattern),
            resolved_pattern,
            starts_at,
            ends_at,
            duration_seconds,
            recurrence,
            from_incident_arn: None,
        })
    }
}

/// The one-click window of the incident page: an hour from now, matching what triggered
/// `incident_arn` (the server builds the pattern, name and reason).
pub fn window_from_incident(incident_arn: &str) -> CreateMaintenanceWindow {
    CreateMaintenanceWindow {
        from_incident_arn: Some(incident_arn.to_owned()),
        duration_seconds: Some(3_600),
        ..CreateMaintenanceWindow::default()
    }
}

/// The new-heartbeat form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeartbeatForm {
    /// Its name.
    pub name: String,
    /// The pattern a beat matches (JSON).
    pub event_pattern: String,
    /// Seconds allowed between beats.
    pub interval_seconds: String,
}

impl HeartbeatForm {
    /// The `POST /v1/heartbeats` input (on the default bus).
    pub fn put_input(&self) -> Result<PutHeartbeat, String> {
        let name = check_name(&self.name)?;
        let event_pattern = pattern(
            required(&self.event_pattern, PATTERN_MESSAGE)?,
            "Event pattern",
        )?;
        let interval_seconds = match self.interval_seconds.trim().parse::<u64>() {
            Ok(s) if (1..=MAX_INTERVAL_SECONDS).contains(&s) => s,
            _ => return Err(INTERVAL_MESSAGE.to_owned()),
        };
        Ok(PutHeartbeat {
            name,
            event_pattern,
            interval_seconds,
            event_bus_name: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Local time as UTC (what a browser in UTC does).
    fn utc(t: LocalDateTime) -> Option<f64> {
        // Days from 1970-01-01 (civil calendar, Howard Hinnant's algorithm).
        let (y, m, d) = (
            i64::from(t.year) - i64::from(t.month <= 2),
            i64::from(t.month),
            i64::from(t.day),
        );
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(
            (days * 86_400
                + i64::from(t.hour) * 3_600
                + i64::from(t.minute) * 60
                + i64::from(t.second)) as f64,
        )
    }

    const PATTERN: &str = r#"{
      "source": ["aws.cloudwatch"]
    }"#;

    fn window() -> WindowForm {
        WindowForm {
            name: " db upgrade ".to_owned(),
            reason: " Postgres 17 ".to_owned(),
            event_pattern: PATTERN.to_owned(),
            start: "2025-06-01T22:00".to_owned(),
            start_prefilled: "2025-06-01T21:13".to_owned(),
            duration_minutes: "90".to_owned(),
            ..WindowForm::default()
        }
    }

    const NOW: f64 = 1_748_800_000.0; // 2025-06-01T17:46:40Z

    #[test]
    fn local_date_times() {
        assert_eq!(
            LocalDateTime::parse("2025-06-01T22:05"),
            Some(LocalDateTime {
                year: 2025,
                month: 6,
                day: 1,
                hour: 22,
                minute: 5,
                second: 0
            })
        );
        assert_eq!(
            LocalDateTime::parse("2025-06-01 22:05:09").map(|t| t.second),
            Some(9)
        );
        assert_eq!(
            LocalDateTime::parse("2025-06-01T22:05:09.500").map(|t| t.second),
            Some(9)
        );
        for bad in [
            "",
            "2025-06-01",
            "2025-13-01T00:00",
            "2025-06-01T24:00",
            "25-06-01T10:00",
            "2025-06-01T10:00:00:00",
            "2025-06-01Tab:00",
        ] {
            assert_eq!(LocalDateTime::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            LocalDateTime::parse("1970-01-02T00:00").and_then(utc),
            Some(86_400.0)
        );
    }

    #[test]
    fn a_one_off_window() {
        let input = window().create_input(utc, NOW);
        assert_eq!(
            input,
            Ok(CreateMaintenanceWindow {
                name: Some("db upgrade".to_owned()),
                reason: Some("Postgres 17".to_owned()),
                event_pattern: Some(r#"{"source":["aws.cloudwatch"]}"#.to_owned()),
                resolved_pattern: None,
                starts_at: Some(1_748_815_200.0),
                ends_at: None,
                duration_seconds: Some(5_400),
                recurrence: None,
                from_incident_arn: None,
            })
        );
        // The start as prefilled means now; an end instead of a duration.
        let f = WindowForm {
            start: " 2025-06-01T21:13".to_owned(),
            duration_minutes: String::new(),
            end: "2025-06-01T23:00".to_owned(),
            reason: String::new(),
            ..window()
        };
        let input = f.create_input(utc, NOW);
        assert_eq!(
            input
                .as_ref()
                .map(|i| (i.starts_at, i.ends_at, i.duration_seconds, i.reason.clone())),
            Ok((None, Some(1_748_818_800.0), None, None))
        );
    }

    #[test]
    fn end_or_duration() {
        let neither = WindowForm {
            duration_minutes: " ".to_owned(),
            ..window()
        };
        assert_eq!(
            neither.create_input(utc, NOW),
            Err(END_OR_DURATION_MESSAGE.to_owned())
        );
        let both = WindowForm {
            end: "2025-06-02T01:00".to_owned(),
            ..window()
        };
        assert_eq!(
            both.create_input(utc, NOW),
            Err(NOT_BOTH_MESSAGE.to_owned())
        );
        let before = WindowForm {
            end: "2025-06-01T21:00".to_owned(),
            duration_minutes: String::new(),
            ..window()
        };
        assert_eq!(
            before.create_input(utc, NOW),
            Err(END_AFTER_START_MESSAGE.to_owned())
        );
        // Without a start, the end is compared with now.
        let past = WindowForm {
            start: String::new(),
            end: "2025-06-01T17:00".to_owned(),
            duration_minutes: String::new(),
            ..window()
        };
        assert_eq!(
            past.create_input(utc, NOW),
            Err(END_AFTER_START_MESSAGE.to_owned())
        );
        for bad in ["0", "-5", "1.5", "soon"] {
            let f = WindowForm {
                duration_minutes: bad.to_owned(),
                ..window()
            };
            assert_eq!(
                f.create_input(utc, NOW),
                Err(DURATION_MESSAGE.to_owned()),
                "{bad}"
            );
        }
        let garbled = WindowForm {
            end: "tomorrow".to_owned(),
            ..window()
        };
        assert_eq!(
            garbled.create_input(utc, NOW),
            Err("The end is not a date and time.".to_owned())
        );
        let nowhere = WindowForm {
            end: "2025-06-02T01:00".to_owned(),
            duration_minutes: String::new(),
            ..window()
        };
        assert_eq!(
            nowhere.create_input(|_| None, NOW),
            Err("The start is not a date and time.".to_owned())
        );
    }

    #[test]
    fn recurring_windows() {
        let f = WindowForm {
            cron: " 0  2 * * SUN ".to_owned(),
            time_zone: "Europe/Berlin".to_owned(),
            end: "2025-12-31T00:00".to_owned(),
            ..window()
        };
        let input = f.create_input(utc, NOW);
        assert_eq!(
            input.as_ref().map(|i| i.recurrence.clone()),
            Ok(Some(Recurrence {
                cron: "0 2 * * SUN".to_owned(),
                time_zone: "Europe/Berlin".to_owned()
            }))
        );
        assert_eq!(
            input.map(|i| (i.ends_at.is_some(), i.duration_seconds)),
            Ok((true, Some(5_400)))
        );
        let utc_default = WindowForm {
            cron: "0 2 * * *".to_owned(),
            ..window()
        };
        assert_eq!(
            utc_default
                .create_input(utc, NOW)
                .ok()
                .and_then(|i| i.recurrence)
                .map(|r| r.time_zone),
            Some("UTC".to_owned())
        );
        let no_duration = WindowForm {
            cron: "0 2 * * *".to_owned(),
            duration_minutes: String::new(),
            ..window()
        };
        assert_eq!(
            no_duration.create_input(utc, NOW),
            Err(RECURRENCE_DURATION_MESSAGE.to_owned())
        );
        let short = WindowForm {
            cron: "0 2 * *".to_owned(),
            ..window()
        };
        assert_eq!(short.create_input(utc, NOW), Err(CRON_MESSAGE.to_owned()));
    }

    #[test]
    fn names_reasons_and_patterns() {
        let f = WindowForm {
            name: "  ".to_owned(),
            ..window()
        };
        assert_eq!(
            f.create_input(utc, NOW),
            Err(WINDOW_NAME_MESSAGE.to_owned())
        );
        let f = WindowForm {
            reason: "x".repeat(REASON_MAX_CHARS + 1),
            ..window()
        };
        assert!(
            f.create_input(utc, NOW)
                .is_err_and(|e| e.contains("at most"))
        );
        let f = WindowForm {
            event_pattern: String::new(),
            ..window()
        };
        assert_eq!(f.create_input(utc, NOW), Err(PATTERN_MESSAGE.to_owned()));
        let f = WindowForm {
            event_pattern: r#"{"source": "aws.cloudwatch"}"#.to_owned(),
            ..window()
        };
        assert!(
            f.create_input(utc, NOW)
                .is_err_and(|e| e.starts_with("Event pattern: ")),
        );
        let f = WindowForm {
            resolved_pattern: "{not json".to_owned(),
            ..window()
        };
        assert!(
            f.create_input(utc, NOW)
                .is_err_and(|e| e.starts_with("Resolved pattern: ")),
        );
        let f = WindowForm {
            resolved_pattern: r#"{"detail": {"state": {"value": ["OK"]}}}"#.to_owned(),
            ..window()
        };
        assert_eq!(
            f.create_input(utc, NOW).map(|i| i.resolved_pattern),
            Ok(Some(r#"{"detail":{"state":{"value":["OK"]}}}"#.to_owned()))
        );
    }

    #[test]
    fn from_an_incident() {
        assert_eq!(
            serde_json::to_value(window_from_incident("arn:i")).ok(),
            Some(serde_json::json!({"fromIncidentArn": "arn:i", "durationSeconds": 3600}))
        );
    }

    #[test]
    fn heartbeats() {
        let f = HeartbeatForm {
            name: " nightly-backup ".to_owned(),
            event_pattern: r#"{ "source": ["backup"] }"#.to_owned(),
            interval_seconds: " 86400 ".to_owned(),
        };
        assert_eq!(
            f.put_input(),
            Ok(PutHeartbeat {
                name: "nightly-backup".to_owned(),
                event_pattern: r#"{"source":["backup"]}"#.to_owned(),
                interval_seconds: 86_400,
                event_bus_name: None,
            })
        );
        for bad in ["", "0", "-1", "2678401", "1h"] {
            let f = HeartbeatForm {
                interval_seconds: bad.to_owned(),
                ..f.clone()
            };
            assert_eq!(f.put_input(), Err(INTERVAL_MESSAGE.to_owned()), "{bad:?}");
        }
        let f = HeartbeatForm {
            name: "a b".to_owned(),
            ..f
        };
        assert!(f.put_input().is_err());
    }
}
