//! Every HTTP request the SPA makes, as typed async functions.
//!
//! Components never build requests: they get an [`Api`] (the base URL, from the app context)
//! and call one of its methods. Each request carries an `AbortController` that fires when the
//! reactive owner that started it is cleaned up (the view went away) or after
//! [`REQUEST_TIMEOUT_MS`], so a wall screen never waits forever on a half-open connection.
//! Errors come back as [`ApiError`], whose `Display` is the server's own message when the
//! server sent an AWS-shaped error body.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use send_wrapper::SendWrapper;
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tocsin_api::events::{
    DEFAULT_EVENT_BUS, ListRulesRequest, ListRulesResponse, ListTargetsByRuleRequest,
    ListTargetsByRuleResponse, PutRuleRequest, PutRuleResponse, PutTargetsRequest,
    RemoveTargetsRequest, Rule, RuleRef, Target, TargetsResponse, TestEventPatternRequest,
    TestEventPatternResponse,
};
use tocsin_api::incidents::{
    CreateResponsePlanInput, CreateResponsePlanOutput, DeleteResponsePlanInput,
    GetResponsePlanOutput, ListIncidentRecordsInput, ListIncidentRecordsOutput,
    ListRelatedItemsInput, ListRelatedItemsOutput, ListResponsePlansInput, ListResponsePlansOutput,
    ListTimelineEventsInput, ListTimelineEventsOutput, ResponsePlanSummary, StartIncidentInput,
    StartIncidentOutput, UpdateIncidentRecordInput, UpdateResponsePlanInput,
};
use tocsin_api::native::{Health, IncidentDetail, WallSnapshot};

use crate::format::encode_component;

/// Requests still unanswered after this long are aborted.
pub const REQUEST_TIMEOUT_MS: u32 = 20_000;

/// Content type of EventBridge (awsJson1.1) requests.
pub const AWS_JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The AWS error body as both protocols send it: rest-json (`/v1/…`, ssm-incidents) and
/// awsJson1.1 (EventBridge). `__type` may carry a namespace (`com.amazonaws.events#X`) and
/// awsJson services sometimes spell the text `Message`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(rename = "__type")]
    error_type: String,
    #[serde(alias = "Message")]
    message: String,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an HTTP answer (server down, CORS, aborted, timed out).
    Network(String),
    /// The server answered with an error status.
    Http {
        /// HTTP status code.
        status: u16,
        /// AWS error code from `__type`, when the body had one.
        error_type: Option<String>,
        /// The server's message, or the response text.
        message: String,
    },
    /// The answer was not the JSON we expected.
    Decode(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(msg) => write!(f, "Cannot reach the Tocsin API: {msg}"),
            Self::Http {
                status,
                error_type: Some(kind),
                message,
            } => write!(f, "{message} ({kind}, HTTP {status})"),
            Self::Http {
                status,
                error_type: None,
                message,
            } => write!(f, "HTTP {status}: {message}"),
            Self::Decode(msg) => write!(f, "Unexpected response from the server: {msg}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// Turns an error response body into an [`ApiError`]: the AWS error shape when it parses,
/// otherwise the (shortened) text.
pub fn error_from_body(status: u16, status_text: &str, body: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(err) => ApiError::Http {
            status,
            error_type: Some(
                err.error_type
                    .rsplit('#')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            message: err.message,
        },
        Err(_) => {
            // An HTML error page (proxy, static server) says nothing useful as text.
            let text = if body.trim_start().starts_with('<') {
                String::new()
            } else {
                crate::format::one_line(body, 300)
            };
            ApiError::Http {
                status,
                error_type: None,
                message: if text.is_empty() {
                    status_text.to_owned()
                } else {
                    text
                },
            }
        }
    }
}

/// A handle on the Tocsin API at one base URL (`https://host:port`, no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    base: String,
}

impl Api {
    /// An API client for `base` (already normalised, see [`crate::format::normalize_base_url`]).
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    // ----- Tocsin-native -----

    /// `GET /v1/wall`: open incidents and the change-feed position they reflect.
    pub async fn wall(&self) -> Result<WallSnapshot, ApiError> {
        json(send(Request::get(&self.url("/v1/wall")), None::<&()>).await?).await
    }

    /// `GET /v1/incident?arn=…`: one incident with its timeline and related items.
    pub async fn incident_detail(&self, arn: &str) -> Result<IncidentDetail, ApiError> {
        let url = self.url(&format!("/v1/incident?arn={}", encode_component(arn)));
        json(send(Request::get(&url), None::<&()>).await?).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, ApiError> {
        json(send(Request::get(&self.url("/healthz")), None::<&()>).await?).await
    }

    // ----- ssm-incidents: incidents -----

    /// `POST /listIncidentRecords`.
    pub async fn list_incident_records(
        &self,
        input: &ListIncidentRecordsInput,
    ) -> Result<ListIncidentRecordsOutput, ApiError> {
        self.post_json("/listIncidentRecords", input).await
    }

    /// `POST /startIncident`.
    pub async fn start_incident(
        &self,
        input: &StartIncidentInput,
    ) -> Result<StartIncidentOutput, ApiError> {
        self.post_json("/startIncident", input).await
    }

    /// `POST /updateIncidentRecord` (204).
    pub async fn update_incident_record(
        &self,
        input: &UpdateIncidentRecordInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/updateIncidentRecord", input).await
    }

    /// `POST /listTimelineEvents`.
    pub async fn list_timeline_events(
        &self,
        input: &ListTimelineEventsInput,
    ) -> Result<ListTimelineEventsOutput, ApiError> {
        self.post_json("/listTimelineEvents", input).await
    }

    /// `POST /listRelatedItems`.
    pub async fn list_related_items(
        &self,
        input: &ListRelatedItemsInput,
    ) -> Result<ListRelatedItemsOutput, ApiError> {
        self.post_json("/listRelatedItems", input).await
    }

    // ----- ssm-incidents: response plans -----

    /// `POST /createResponsePlan` (201).
    pub async fn create_response_plan(
        &self,
        input: &CreateResponsePlanInput,
    ) -> Result<CreateResponsePlanOutput, ApiError> {
        self.post_json("/createResponsePlan", input).await
    }

    /// `GET /getResponsePlan?arn=…`.
    pub async fn get_response_plan(&self, arn: &str) -> Result<GetResponsePlanOutput, ApiError> {
        let url = self.url(&format!("/getResponsePlan?arn={}", encode_component(arn)));
        json(send(Request::get(&url), None::<&()>).await?).await
    }

    /// `POST /listResponsePlans` (one page).
    pub async fn list_response_plans(
        &self,
        input: &ListResponsePlansInput,
    ) -> Result<ListResponsePlansOutput, ApiError> {
        self.post_json("/listResponsePlans", input).await
    }

    /// Every response plan, following `nextToken` (at most 20 pages of 100).
    pub async fn all_response_plans(&self) -> Result<Vec<ResponsePlanSummary>, ApiError> {
        let mut plans = Vec::new();
        let mut input = ListResponsePlansInput {
            max_results: Some(100),
            next_token: None,
        };
        for _ in 0..20 {
            let page = self.list_response_plans(&input).await?;
            plans.extend(page.response_plan_summaries);
            match page.next_token {
                Some(token) => input.next_token = Some(token),
                None => break,
            }
        }
        Ok(plans)
    }

    /// `POST /updateResponsePlan` (204).
    pub async fn update_response_plan(
        &self,
        input: &UpdateResponsePlanInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/updateResponsePlan", input).await
    }

    /// `POST /deleteResponsePlan` (204).
    pub async fn delete_response_plan(&self, arn: &str) -> Result<(), ApiError> {
        let input = DeleteResponsePlanInput {
            arn: arn.to_owned(),
        };
        self.post_empty("/deleteResponsePlan", &input).await
    }

    // ----- EventBridge (awsJson1.1, default bus) -----

    /// `ListRules` (one page).
    pub async fn list_rules(
        &self,
        input: &ListRulesRequest,
    ) -> Result<ListRulesResponse, ApiError> {
        self.events("ListRules", input).await
    }

    /// Every rule on the default bus, following `NextToken` (at most 20 pages of 100).
    pub async fn all_rules(&self) -> Result<Vec<Rule>, ApiError> {
        let mut rules = Vec::new();
        let mut input = ListRulesRequest {
            event_bus_name: Some(DEFAULT_EVENT_BUS.to_owned()),
            limit: Some(100),
            ..ListRulesRequest::default()
        };
        for _ in 0..20 {
            let page = self.list_rules(&input).await?;
            rules.extend(page.rules);
            match page.next_token {
                Some(token) => input.next_token = Some(token),
                None => break,
            }
        }
        Ok(rules)
    }

    /// `DescribeRule` on the default bus.
    pub async fn describe_rule(&self, name: &str) -> Result<Rule, ApiError> {
        self.events("DescribeRule", &rule_ref(name)).await
    }

    /// `PutRule`: creates or replaces a rule.
    pub async fn put_rule(&self, input: &PutRuleRequest) -> Result<PutRuleResponse, ApiError> {
        self.events("PutRule", input).await
    }

    /// `DeleteRule` on the default bus (refused while the rule has targets).
    pub async fn delete_rule(&self, name: &str) -> Result<(), ApiError> {
        self.events::<_, serde_json::Value>("DeleteRule", &rule_ref(name))
            .await
            .map(drop)
    }

    /// `ListTargetsByRule` (one page).
    pub async fn list_targets_by_rule(
        &self,
        input: &ListTargetsByRuleRequest,
    ) -> Result<ListTargetsByRuleResponse, ApiError> {
        self.events("ListTargetsByRule", input).await
    }

    /// Every target of a rule on the default bus, following `NextToken` (at most 20 pages).
    pub async fn all_targets(&self, rule: &str) -> Result<Vec<Target>, ApiError> {
        let mut targets = Vec::new();
        let mut input = ListTargetsByRuleRequest {
            rule: rule.to_owned(),
            event_bus_name: Some(DEFAULT_EVENT_BUS.to_owned()),
            limit: Some(100),
            next_token: None,
        };
        for _ in 0..20 {
            let page = self.list_targets_by_rule(&input).await?;
            targets.extend(page.targets);
            match page.next_token {
                Some(token) => input.next_token = Some(token),
                None => break,
            }
        }
        Ok(targets)
    }

    /// `PutTargets` (per-target failures are in the answer, see
    /// [`crate::rules::targets_outcome`]).
    pub async fn put_targets(
        &self,
        input: &PutTargetsRequest,
    ) -> Result<TargetsResponse, ApiError> {
        self.events("PutTargets", input).await
    }

    /// `RemoveTargets`.
    pub async fn remove_targets(
        &self,
        input: &RemoveTargetsRequest,
    ) -> Result<TargetsResponse, ApiError> {
        self.events("RemoveTargets", input).await
    }

    /// `TestEventPattern`: whether the server's matcher says `event` matches `pattern`.
    pub async fn test_event_pattern(&self, pattern: &str, event: &str) -> Result<bool, ApiError> {
        let input = TestEventPatternRequest {
            event_pattern: pattern.to_owned(),
            event: event.to_owned(),
        };
        let out: TestEventPatternResponse = self.events("TestEventPattern", &input).await?;
        Ok(out.result)
    }

    // ----- plumbing -----

    /// One EventBridge operation: `POST /` with `X-Amz-Target: AWSEvents.<operation>`.
    async fn events<I: Serialize, O: DeserializeOwned>(
        &self,
        operation: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        let body = serde_json::to_string(input).map_err(|e| ApiError::Decode(e.to_string()))?;
        let builder = Request::post(&self.url("/"))
            .header("X-Amz-Target", &format!("AWSEvents.{operation}"))
            .header("Content-Type", AWS_JSON_CONTENT_TYPE);
        json(send_text(builder, Some(body)).await?).await
    }

    async fn post_json<I: Serialize, O: DeserializeOwned>(
        &self,
        path: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        json(send(Request::post(&self.url(path)), Some(input)).await?).await
    }

    async fn post_empty<I: Serialize>(&self, path: &str, input: &I) -> Result<(), ApiError> {
        send(Request::post(&self.url(path)), Some(input)).await?;
        Ok(())
    }
}

/// A `DescribeRule`/`DeleteRule` input naming a rule on the default bus.
fn rule_ref(name: &str) -> RuleRef {
    RuleRef {
        name: name.to_owned(),
        event_bus_name: Some(DEFAULT_EVENT_BUS.to_owned()),
        force: None,
    }
}

/// Sends a request (with an optional JSON body) and returns the response when its status is
/// 2xx; otherwise the error from its body.
async fn send<B: Serialize + ?Sized>(
    builder: RequestBuilder,
    body: Option<&B>,
) -> Result<Response, ApiError> {
    let body = match body {
        Some(body) => {
            Some(serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?)
        }
        None => None,
    };
    let builder = if body.is_some() {
        builder.header("Content-Type", "application/json")
    } else {
        builder
    };
    send_text(builder, body).await
}

/// Sends a request with an optional body (its `Content-Type` already set on `builder`).
async fn send_text(builder: RequestBuilder, body: Option<String>) -> Result<Response, ApiError> {
    let controller =
        web_sys::AbortController::new().map_err(|e| ApiError::Network(format!("{e:?}")))?;
    let builder = builder
        .abort_signal(Some(&controller.signal()))
        .header("Accept", "application/json");
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;

    // Abort when the view that asked goes away, and after a timeout.
    let on_drop = SendWrapper::new(controller.clone());
    if leptos::prelude::Owner::current().is_some() {
        leptos::prelude::on_cleanup(move || on_drop.abort());
    }
    let timeout_controller = controller.clone();
    // Dropping the timer (when this function returns) cancels it.
    let _timeout = gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || {
        timeout_controller.abort();
    });

    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let status_text = response.status_text();
    let text = response.text().await.unwrap_or_default();
    Err(error_from_body(status, &status_text, &text))
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// A fresh idempotency token (UUID v4) from the browser's CSPRNG. Uses `crypto.randomUUID`
/// where available (secure contexts) and `crypto.getRandomValues` otherwise.
pub fn new_client_token() -> String {
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        // randomUUID is missing on plain-http origins other than localhost.
        let has_random_uuid = js_sys::Reflect::get(&crypto, &"randomUUID".into())
            .map(|f| f.is_function())
            .unwrap_or(false);
        if has_random_uuid {
            return crypto.random_uuid();
        }
        let mut bytes = [0u8; 16];
        if crypto.get_random_values_with_u8_array(&mut bytes).is_ok() {
            return crate::format::uuid_v4_from_bytes(bytes);
        }
    }
    // No Web Crypto at all (very old browser): Math.random is the best there is.
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        *b = (js_sys::Math::random() * 256.0) as u8;
    }
    crate::format::uuid_v4_from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_error_bodies_show_their_message() {
        let err = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"ValidationException","message":"impact must be 1-5"}"#,
        );
        assert_eq!(
            err.to_string(),
            "impact must be 1-5 (ValidationException, HTTP 400)"
        );
    }

    #[test]
    fn aws_json_error_bodies_show_their_message() {
        let err = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"InvalidEventPatternException","message":"Event pattern is not valid. Reason: x"}"#,
        );
        assert_eq!(
            err,
            ApiError::Http {
                status: 400,
                error_type: Some("InvalidEventPatternException".to_owned()),
                message: "Event pattern is not valid. Reason: x".to_owned(),
            }
        );
        let err = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"com.amazonaws.events#ResourceNotFoundException","Message":"Rule r does not exist."}"#,
        );
        assert_eq!(
            err.to_string(),
            "Rule r does not exist. (ResourceNotFoundException, HTTP 400)"
        );
    }

    #[test]
    fn other_bodies_show_text_or_status() {
        let err = error_from_body(502, "Bad Gateway", "");
        assert_eq!(err.to_string(), "HTTP 502: Bad Gateway");
        let err = error_from_body(500, "x", "oops\nmore");
        assert_eq!(err.to_string(), "HTTP 500: oops more");
        let err = error_from_body(404, "Not Found", "<!DOCTYPE html><p>x</p>");
        assert_eq!(err.to_string(), "HTTP 404: Not Found");
    }

    #[test]
    fn urls() {
        let api = Api::new("http://h:1");
        assert_eq!(api.url("/v1/wall"), "http://h:1/v1/wall");
        assert_eq!(api.base(), "http://h:1");
    }
}
