//! EventBridge event buses, archives and replays (awsJson1.1), and Tocsin's rule backtest
//! (`POST /v1/rules/backtest`), which runs a draft pattern over an archive's events.

use serde::{Deserialize, Serialize};
use tocsin_api::events::{
    Archive, ArchiveRef, CreateArchiveRequest, CreateArchiveResponse, CreateEventBusRequest,
    CreateEventBusResponse, EventBus, EventBusRef, ListArchivesRequest, ListArchivesResponse,
    ListEventBusesRequest, ListEventBusesResponse, ListReplaysRequest, ListReplaysResponse, Replay,
    ReplayRef, StartReplayRequest, StartReplayResponse,
};

use super::paging::{PAGE_LIMIT, all_pages};
use super::{Api, ApiError};

/// The replay states in which the server still has work on a replay.
pub const ACTIVE_REPLAY_STATES: [&str; 3] = ["STARTING", "RUNNING", "CANCELLING"];

/// Whether a replay is still running (`STARTING`, `RUNNING` or `CANCELLING`): its progress
/// changes, and it can be cancelled unless it is already `CANCELLING`.
pub fn is_active_replay(replay: &Replay) -> bool {
    replay
        .state
        .as_deref()
        .is_some_and(|s| ACTIVE_REPLAY_STATES.contains(&s))
}

/// Whether `CancelReplay` applies to a replay (`STARTING` or `RUNNING`).
pub fn can_cancel_replay(replay: &Replay) -> bool {
    matches!(replay.state.as_deref(), Some("STARTING" | "RUNNING"))
}

/// `POST /v1/rules/backtest`: a draft pattern over the events an archive kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestRequest {
    /// The archive whose events are tried.
    pub archive_name: String,
    /// The draft pattern (JSON text).
    pub event_pattern: String,
    /// Epoch seconds (inclusive); the archive's beginning when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<f64>,
    /// Epoch seconds (exclusive); now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    /// The plan the rule would target (its dedupe string decides the incident count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_plan_arn: Option<String>,
    /// The name the rule would have (part of the derived dedupe string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_name: Option<String>,
}

/// An archived event as a backtest reports it. Untrusted text (from the event).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestEvent {
    /// The event's id.
    #[serde(default)]
    pub event_id: Option<String>,
    /// Its `time`, as the event has it.
    #[serde(default)]
    pub time: Option<serde_json::Value>,
    /// Its `source`.
    #[serde(default)]
    pub source: Option<serde_json::Value>,
    /// Its `detail-type`.
    #[serde(default)]
    pub detail_type: Option<serde_json::Value>,
}

/// An event that satisfied part of the pattern before one field failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NearMiss {
    /// The event.
    #[serde(flatten)]
    pub event: BacktestEvent,
    /// The field that decided the miss.
    #[serde(default)]
    pub field: Option<String>,
    /// Why it missed, in words.
    #[serde(default)]
    pub reason: Option<String>,
    /// How many of the pattern's fields it satisfied…
    #[serde(default)]
    pub fields_passed: u32,
    /// …of how many.
    #[serde(default)]
    pub fields_total: u32,
}

/// What a backtest answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestResult {
    /// Archived events tried.
    pub scanned: u64,
    /// Events the pattern matches.
    pub matched: u64,
    /// Incidents the matches would have opened after deduplication.
    pub incidents: u64,
    /// Whether the scan stopped at the server's limit.
    #[serde(default)]
    pub truncated: bool,
    /// Some of the events that matched.
    #[serde(default)]
    pub matched_sample: Vec<BacktestEvent>,
    /// The nearest misses, nearest first.
    #[serde(default)]
    pub near_misses: Vec<NearMiss>,
}

/// A JSON value from an event as text: a string as it is, anything else as JSON, nothing
/// as "—".
pub fn event_text(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(s)) => s.clone(),
        None | Some(serde_json::Value::Null) => "—".to_owned(),
        Some(other) => other.to_string(),
    }
}

impl Api {
    /// Every event bus (`ListEventBuses`, see [`all_pages`]), `default` included.
    pub async fn all_event_buses(&self) -> Result<Vec<EventBus>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListEventBusesRequest {
                limit: Some(PAGE_LIMIT),
                next_token,
                ..ListEventBusesRequest::default()
            };
            let page: ListEventBusesResponse = self
                .post_aws_json("AWSEvents.ListEventBuses", &input)
                .await?;
            Ok((page.event_buses, page.next_token))
        })
        .await
    }

    /// `CreateEventBus`.
    pub async fn create_event_bus(
        &self,
        input: &CreateEventBusRequest,
    ) -> Result<CreateEventBusResponse, ApiError> {
        self.post_aws_json("AWSEvents.CreateEventBus", input).await
    }

    /// `DeleteEventBus` (admin; `default` cannot be deleted).
    pub async fn delete_event_bus(&self, name: &str) -> Result<(), ApiError> {
        let input = EventBusRef {
            name: Some(name.to_owned()),
        };
        self.post_aws_json::<_, serde_json::Value>("AWSEvents.DeleteEventBus", &input)
            .await
            .map(drop)
    }

    /// Every archive (`ListArchives`, see [`all_pages`]).
    pub async fn all_archives(&self) -> Result<Vec<Archive>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListArchivesRequest {
                limit: Some(PAGE_LIMIT),
                next_token,
                ..ListArchivesRequest::default()
            };
            let page: ListArchivesResponse =
                self.post_aws_json("AWSEvents.ListArchives", &input).await?;
            Ok((page.archives.unwrap_or_default(), page.next_token))
        })
        .await
    }

    /// `CreateArchive`.
    pub async fn create_archive(
        &self,
        input: &CreateArchiveRequest,
    ) -> Result<CreateArchiveResponse, ApiError> {
        self.post_aws_json("AWSEvents.CreateArchive", input).await
    }

    /// `DeleteArchive`: the archive and every event it kept.
    pub async fn delete_archive(&self, name: &str) -> Result<(), ApiError> {
        let input = ArchiveRef {
            archive_name: name.to_owned(),
        };
        self.post_aws_json::<_, serde_json::Value>("AWSEvents.DeleteArchive", &input)
            .await
            .map(drop)
    }

    /// Every replay (`ListReplays`, see [`all_pages`]).
    pub async fn all_replays(&self) -> Result<Vec<Replay>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListReplaysRequest {
                limit: Some(PAGE_LIMIT),
                next_token,
                ..ListReplaysRequest::default()
            };
            let page: ListReplaysResponse =
                self.post_aws_json("AWSEvents.ListReplays", &input).await?;
            Ok((page.replays.unwrap_or_default(), page.next_token))
        })
        .await
    }

    /// `StartReplay`: the server runs it in batches.
    pub async fn start_replay(
        &self,
        input: &StartReplayRequest,
    ) -> Result<StartReplayResponse, ApiError> {
        self.post_aws_json("AWSEvents.StartReplay", input).await
    }

    /// `CancelReplay`: a running replay stops after its current batch.
    pub async fn cancel_replay(&self, name: &str) -> Result<StartReplayResponse, ApiError> {
        let input = ReplayRef {
            replay_name: name.to_owned(),
        };
        self.post_aws_json("AWSEvents.CancelReplay", &input).await
    }

    /// `POST /v1/rules/backtest`.
    pub async fn backtest(&self, input: &BacktestRequest) -> Result<BacktestResult, ApiError> {
        self.post_json("/v1/rules/backtest", input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(state: &str) -> Replay {
        Replay {
            replay_name: Some("r".to_owned()),
            state: Some(state.to_owned()),
            ..Replay::default()
        }
    }

    #[test]
    fn which_replays_are_running() {
        for state in ["STARTING", "RUNNING", "CANCELLING"] {
            assert!(is_active_replay(&replay(state)), "{state}");
        }
        for state in ["COMPLETED", "CANCELLED", "FAILED"] {
            assert!(!is_active_replay(&replay(state)), "{state}");
            assert!(!can_cancel_replay(&replay(state)), "{state}");
        }
        assert!(can_cancel_replay(&replay("RUNNING")));
        assert!(!can_cancel_replay(&replay("CANCELLING")));
        assert!(!is_active_replay(&Replay::default()));
    }

    #[test]
    fn backtest_answers_read_the_documented_shape() {
        let body = r#"{"scanned":3,"matched":1,"incidents":1,"truncated":false,
            "matchedSample":[{"eventId":"e1","time":"2026-01-01T00:00:00Z","source":"a","detailType":"b"}],
            "nearMisses":[{"eventId":"e2","time":"t","source":"a","detailType":"b",
                "field":"detail.state","reason":"no","fieldsPassed":1,"fieldsTotal":2}]}"#;
        let out: BacktestResult = serde_json::from_str(body).unwrap();
        assert_eq!((out.scanned, out.matched, out.incidents), (3, 1, 1));
        assert_eq!(out.matched_sample[0].event_id.as_deref(), Some("e1"));
        let miss = &out.near_misses[0];
        assert_eq!(miss.event.event_id.as_deref(), Some("e2"));
        assert_eq!(miss.field.as_deref(), Some("detail.state"));
        assert_eq!((miss.fields_passed, miss.fields_total), (1, 2));
        let request = BacktestRequest {
            archive_name: "a".to_owned(),
            event_pattern: "{}".to_owned(),
            end_time: Some(2.0),
            ..BacktestRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&request).ok(),
            Some(serde_json::json!({"archiveName": "a", "eventPattern": "{}", "endTime": 2.0}))
        );
    }

    #[test]
    fn event_values_as_text() {
        let s = serde_json::json!("aws.codedeploy");
        assert_eq!(event_text(Some(&s)), "aws.codedeploy");
        assert_eq!(event_text(Some(&serde_json::json!(3))), "3");
        assert_eq!(event_text(Some(&serde_json::Value::Null)), "—");
        assert_eq!(event_text(None), "—");
    }
}
