//! The forms of the rules page's buses, archives, replays and backtest sections:
//! `CreateEventBus`, `CreateArchive`, `StartReplay` and `POST /v1/rules/backtest`.

use tocsin_api::EpochSeconds;
use tocsin_api::events::{
    CreateArchiveRequest, CreateEventBusRequest, ReplayDestination, StartReplayRequest,
};

use super::maintenance::LocalDateTime;
use super::{non_empty, required};
use crate::api::archives::BacktestRequest;

/// The message for a bus without a name.
pub const BUS_NAME_MESSAGE: &str = "A bus name is required.";

/// The message for an archive without a name.
pub const ARCHIVE_NAME_MESSAGE: &str = "An archive name is required.";

/// The message for an archive (or a replay, or a backtest) without its archive or bus.
pub const SOURCE_MESSAGE: &str = "Choose an event bus or archive first.";

/// The message for a retention that is not a whole number of days.
pub const RETENTION_MESSAGE: &str = "Retention is a whole number of days (0 or empty: forever).";

/// The message for a replay without a name.
pub const REPLAY_NAME_MESSAGE: &str = "A replay name is required.";

/// The message for a backtest without a pattern.
pub const PATTERN_MESSAGE: &str = "An event pattern is required.";

/// The message for a time range whose end is not after its start.
pub const RANGE_MESSAGE: &str = "The end must be after the start.";

/// `arn:aws:events:<region>:<account>:archive/<name>` for an archive of the bus `bus_arn`
/// (`arn:aws:events:<region>:<account>:event-bus/<bus>`): `ListArchives` names a bus, not
/// the archive's own ARN.
pub fn archive_arn(bus_arn: &str, archive_name: &str) -> Option<String> {
    let (prefix, _) = bus_arn.split_once(":event-bus/")?;
    Some(format!("{prefix}:archive/{archive_name}"))
}

/// The bus name in a bus ARN (`…:event-bus/<name>`), or the text as it is.
pub fn bus_name_of(bus_arn: &str) -> &str {
    bus_arn
        .split_once(":event-bus/")
        .map_or(bus_arn, |(_, name)| name)
}

/// A pattern as typed: compact JSON when it is JSON (anything else is sent as typed, for
/// the server to refuse in its own words).
fn compact(pattern: &str) -> String {
    let text = pattern.trim();
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string(&v).ok())
        .unwrap_or_else(|| text.to_owned())
}

/// A `datetime-local` value as epoch seconds (`None` when empty).
fn time(
    text: &str,
    what: &str,
    to_epoch: &impl Fn(LocalDateTime) -> Option<EpochSeconds>,
) -> Result<Option<EpochSeconds>, String> {
    match text.trim() {
        "" => Ok(None),
        t => LocalDateTime::parse(t)
            .and_then(to_epoch)
            .map(Some)
            .ok_or_else(|| format!("The {what} is not a date and time.")),
    }
}

/// The new-bus form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BusForm {
    /// The bus's name.
    pub name: String,
    /// A description (optional).
    pub description: String,
}

impl BusForm {
    /// `CreateEventBus` input (the server checks the name's characters).
    pub fn create_input(&self) -> Result<CreateEventBusRequest, String> {
        Ok(CreateEventBusRequest {
            name: required(&self.name, BUS_NAME_MESSAGE)?.to_owned(),
            description: non_empty(&self.description),
            ..CreateEventBusRequest::default()
        })
    }
}

/// The new-archive form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArchiveForm {
    /// The archive's name.
    pub name: String,
    /// The ARN of the bus whose events it keeps.
    pub bus_arn: String,
    /// Only events matching this pattern are kept (optional: all).
    pub pattern: String,
    /// Days events are kept (optional: forever).
    pub retention_days: String,
    /// A description (optional).
    pub description: String,
}

impl ArchiveForm {
    /// `CreateArchive` input.
    pub fn create_input(&self) -> Result<CreateArchiveRequest, String> {
        let name = required(&self.name, ARCHIVE_NAME_MESSAGE)?.to_owned();
        let bus = required(&self.bus_arn, SOURCE_MESSAGE)?.to_owned();
        let retention_days = match self.retention_days.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>()
                    .ok()
                    .filter(|d| *d >= 0)
                    .ok_or_else(|| RETENTION_MESSAGE.to_owned())?,
            ),
        };
        Ok(CreateArchiveRequest {
            archive_name: name,
            event_source_arn: bus,
            description: non_empty(&self.description),
            event_pattern: non_empty(&self.pattern).map(|p| compact(&p)),
            retention_days,
            kms_key_identifier: None,
        })
    }
}

/// The start-replay form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplayForm {
    /// The replay's name.
    pub name: String,
    /// The archive's name.
    pub archive: String,
    /// From (`datetime-local`; empty: the archive's creation).
    pub from: String,
    /// To (`datetime-local`; empty: now).
    pub to: String,
    /// Rule ARNs, one a line (optional: every rule of the bus).
    pub filter_arns: String,
}

impl ReplayForm {
    /// `StartReplay` input for the archive `(name, bus ARN, creation time)` the form names,
    /// back onto that bus. `to_epoch` turns a local date and time into epoch seconds.
    pub fn start_input(
        &self,
        archive: Option<(&str, &str, Option<EpochSeconds>)>,
        to_epoch: impl Fn(LocalDateTime) -> Option<EpochSeconds>,
        now: EpochSeconds,
    ) -> Result<StartReplayRequest, String> {
        let name = required(&self.name, REPLAY_NAME_MESSAGE)?.to_owned();
        let (archive_name, bus_arn, created) = archive.ok_or_else(|| SOURCE_MESSAGE.to_owned())?;
        let source = archive_arn(bus_arn, archive_name).ok_or_else(|| SOURCE_MESSAGE.to_owned())?;
        let start = time(&self.from, "start", &to_epoch)?
            .or(created)
            .unwrap_or(0.0);
        let end = time(&self.to, "end", &to_epoch)?.unwrap_or(now);
        if end <= start {
            return Err(RANGE_MESSAGE.to_owned());
        }
        let filters: Vec<String> = self.filter_arns.lines().filter_map(non_empty).collect();
        Ok(StartReplayRequest {
            replay_name: name,
            description: None,
            event_source_arn: source,
            event_start_time: start,
            event_end_time: end,
            destination: ReplayDestination {
                arn: bus_arn.to_owned(),
                filter_arns: (!filters.is_empty()).then_some(filters),
            },
        })
    }
}

/// The backtest form, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BacktestForm {
    /// The archive's name.
    pub archive: String,
    /// The draft pattern.
    pub pattern: String,
    /// From (`datetime-local`; empty: the archive's beginning).
    pub from: String,
    /// To (`datetime-local`; empty: now).
    pub to: String,
    /// The response plan the rule would target (optional).
    pub plan_arn: String,
    /// The name the rule would have (optional).
    pub rule_name: String,
}

impl BacktestForm {
    /// `POST /v1/rules/backtest` input.
    pub fn request(
        &self,
        to_epoch: impl Fn(LocalDateTime) -> Option<EpochSeconds>,
    ) -> Result<BacktestRequest, String> {
        let archive_name = required(&self.archive, SOURCE_MESSAGE)?.to_owned();
        let pattern = required(&self.pattern, PATTERN_MESSAGE)?;
        let start_time = time(&self.from, "start", &to_epoch)?;
        let end_time = time(&self.to, "end", &to_epoch)?;
        if let (Some(start), Some(end)) = (start_time, end_time)
            && end <= start
        {
            return Err(RANGE_MESSAGE.to_owned());
        }
        Ok(BacktestRequest {
            archive_name,
            event_pattern: compact(pattern),
            start_time,
            end_time,
            response_plan_arn: non_empty(&self.plan_arn),
            rule_name: non_empty(&self.rule_name),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/ops";

    /// Minutes since 2026-01-01T00:00 as epoch seconds: enough of a clock for the forms.
    fn to_epoch(t: LocalDateTime) -> Option<EpochSeconds> {
        (t.year == 2026 && t.month == 1 && t.day == 1)
            .then(|| 1_767_225_600.0 + f64::from(t.hour * 3600 + t.minute * 60 + t.second))
    }

    #[test]
    fn archive_arns_come_from_the_bus() {
        assert_eq!(
            archive_arn(BUS, "keep").as_deref(),
            Some("arn:aws:events:us-east-1:123456789012:archive/keep")
        );
        assert_eq!(archive_arn("nope", "keep"), None);
        assert_eq!(bus_name_of(BUS), "ops");
        assert_eq!(bus_name_of("ops"), "ops");
    }

    #[test]
    fn buses_and_archives() {
        let bus = BusForm {
            name: " ops ".to_owned(),
            description: String::new(),
        };
        assert_eq!(
            serde_json::to_value(bus.create_input().unwrap()).unwrap(),
            serde_json::json!({"Name": "ops"})
        );
        assert_eq!(
            BusForm::default().create_input().err(),
            Some(BUS_NAME_MESSAGE.to_owned())
        );
        let archive = ArchiveForm {
            name: "keep".to_owned(),
            bus_arn: BUS.to_owned(),
            pattern: "{\n \"source\": [\"a\"]\n}".to_owned(),
            retention_days: "7".to_owned(),
            description: " d ".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(archive.create_input().unwrap()).unwrap(),
            serde_json::json!({"ArchiveName": "keep", "EventSourceArn": BUS, "Description": "d",
                "EventPattern": "{\"source\":[\"a\"]}", "RetentionDays": 7})
        );
        let forever = ArchiveForm {
            retention_days: String::new(),
            pattern: String::new(),
            ..archive.clone()
        };
        let input = forever.create_input().unwrap();
        assert_eq!((input.retention_days, input.event_pattern), (None, None));
        let bad = ArchiveForm {
            retention_days: "-1".to_owned(),
            ..archive.clone()
        };
        assert_eq!(bad.create_input().err(), Some(RETENTION_MESSAGE.to_owned()));
        let no_bus = ArchiveForm {
            bus_arn: String::new(),
            ..archive
        };
        assert_eq!(no_bus.create_input().err(), Some(SOURCE_MESSAGE.to_owned()));
    }

    #[test]
    fn replays_default_to_the_whole_archive_until_now() {
        let form = ReplayForm {
            name: "again".to_owned(),
            archive: "keep".to_owned(),
            ..ReplayForm::default()
        };
        let input = form
            .start_input(Some(("keep", BUS, Some(100.0))), to_epoch, 500.0)
            .unwrap();
        assert_eq!(
            serde_json::to_value(input).unwrap(),
            serde_json::json!({"ReplayName": "again",
                "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/keep",
                "EventStartTime": 100.0, "EventEndTime": 500.0, "Destination": {"Arn": BUS}})
        );
        let ranged = ReplayForm {
            from: "2026-01-01T00:01".to_owned(),
            to: "2026-01-01T00:02".to_owned(),
            filter_arns: "arn:r1\n\n arn:r2 ".to_owned(),
            ..form.clone()
        };
        let input = ranged
            .start_input(Some(("keep", BUS, None)), to_epoch, 5e9)
            .unwrap();
        assert_eq!(input.event_start_time, 1_767_225_660.0);
        assert_eq!(input.event_end_time, 1_767_225_720.0);
        assert_eq!(
            input.destination.filter_arns,
            Some(vec!["arn:r1".to_owned(), "arn:r2".to_owned()])
        );
        let backwards = ReplayForm {
            from: "2026-01-01T00:02".to_owned(),
            to: "2026-01-01T00:01".to_owned(),
            ..form.clone()
        };
        assert_eq!(
            backwards
                .start_input(Some(("keep", BUS, None)), to_epoch, 5e9)
                .err(),
            Some(RANGE_MESSAGE.to_owned())
        );
        assert_eq!(
            form.start_input(None, to_epoch, 5e9).err(),
            Some(SOURCE_MESSAGE.to_owned())
        );
        let garbled = ReplayForm {
            to: "yesterday".to_owned(),
            ..form
        };
        assert_eq!(
            garbled
                .start_input(Some(("keep", BUS, None)), to_epoch, 5e9)
                .err(),
            Some("The end is not a date and time.".to_owned())
        );
    }

    #[test]
    fn backtests() {
        let form = BacktestForm {
            archive: "keep".to_owned(),
            pattern: "{ \"source\": [\"a\"] }".to_owned(),
            rule_name: " draft ".to_owned(),
            ..BacktestForm::default()
        };
        assert_eq!(
            serde_json::to_value(form.request(to_epoch).unwrap()).unwrap(),
            serde_json::json!({"archiveName": "keep", "eventPattern": "{\"source\":[\"a\"]}",
                "ruleName": "draft"})
        );
        let no_pattern = BacktestForm {
            pattern: " ".to_owned(),
            ..form.clone()
        };
        assert_eq!(
            no_pattern.request(to_epoch).err(),
            Some(PATTERN_MESSAGE.to_owned())
        );
        let ranged = BacktestForm {
            from: "2026-01-01T00:01".to_owned(),
            to: "2026-01-01T00:01".to_owned(),
            ..form
        };
        assert_eq!(
            ranged.request(to_epoch).err(),
            Some(RANGE_MESSAGE.to_owned())
        );
    }
}
