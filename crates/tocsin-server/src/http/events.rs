//! The EventBridge awsJson1.1 operations (API 2015-10-07): `POST /` with
//! `X-Amz-Target: AWSEvents.<Operation>`. One route carries every operation, so each
//! operation declares its role in [`OPERATIONS`], the dispatch table; the dispatcher checks
//! it before reading the body.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use tocsin_api::events::{
    ListRulesRequest, ListRulesResponse, ListTargetsByRuleRequest, ListTargetsByRuleResponse,
    PutEventsRequest, PutEventsResponse, PutRuleRequest, PutRuleResponse, PutTargetsRequest,
    RemoveTargetsRequest, Rule, RuleRef, TargetsResponse, TestEventPatternRequest,
    TestEventPatternResponse,
};

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::{Caller, Role};
use crate::domain::{events, rules};
use crate::http::audit::Audit;
use crate::http::error::AwsJsonError;
use crate::http::extract::{AwsJson, missing_credentials, role_refused};
use crate::http::state::AppState;

/// `X-Amz-Target` prefix of EventBridge operations.
pub const TARGET_PREFIX: &str = "AWSEvents.";

/// One operation of a multiplexed endpoint: its name, the least role it needs, and how to
/// run it on a parsed caller and raw body.
pub struct Operation {
    /// Operation name (the part after `AWSEvents.`).
    pub name: &'static str,
    /// The least role that may call it.
    pub role: Role,
    call: fn(AppState, Caller, Bytes) -> BoxFuture<'static, ApiResult<Response>>,
}

/// Builds an [`Operation`]:
/// `operation! { "Name", Role, (state, caller, input: In) -> Out { body } }`. The body runs
/// with the parsed awsJson input and evaluates to the typed output (rendered as
/// `200 application/x-amz-json-1.1`); `?` in it returns the error, which the dispatcher
/// renders as an awsJson error.
macro_rules! operation {
    ($name:literal, $role:ident, ($s:pat_param, $caller:pat_param, $input:ident: $in:ty) -> $out:ty $body:block) => {
        Operation {
            name: $name,
            role: Role::$role,
            call: |state, caller, body| {
                Box::pin(async move {
                    let AwsJson($input): AwsJson<$in> = AwsJson::parse(&body)?;
                    let $s: &AppState = &state;
                    let $caller: &Caller = &caller;
                    let out: $out = $body;
                    Ok(AwsJson(out).into_response())
                })
            },
        }
    };
}

/// Every EventBridge operation Tocsin answers (EventBridge 2015-10-07), with its role. Rule
/// changes answer once the matcher has compiled them (read-your-writes).
pub static OPERATIONS: &[Operation] = &[
    operation! { "PutRule", Admin, (s, caller, req: PutRuleRequest) -> PutRuleResponse {
        let audit = Audit::new(caller, "PutRule", rule_arn(s, req.event_bus_name.as_deref(), &req.name));
        rule_change!(s, audit, |tx| rules::put_rule(tx, &s.config, req).await?)
    }},
    operation! { "DescribeRule", Viewer, (s, _, req: RuleRef) -> Rule {
        read_tx!(s, |tx| rules::describe_rule(tx, &s.config, req).await?)
    }},
    operation! { "ListRules", Viewer, (s, _, req: ListRulesRequest) -> ListRulesResponse {
        read_tx!(s, |tx| rules::list_rules(tx, req).await?)
    }},
    operation! { "DeleteRule", Admin, (s, caller, req: RuleRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteRule", rule_arn(s, req.event_bus_name.as_deref(), &req.name));
        rule_change!(s, audit, |tx| rules::delete_rule(tx, &s.config, req).await?);
        EmptyResponse::new()
    }},
    operation! { "PutTargets", Admin, (s, caller, req: PutTargetsRequest) -> TargetsResponse {
        let audit = Audit::new(caller, "PutTargets", rule_arn(s, req.event_bus_name.as_deref(), &req.rule));
        rule_change!(s, audit, |tx| rules::put_targets(tx, &s.config, req).await?)
    }},
    operation! { "ListTargetsByRule", Viewer, (s, caller, req: ListTargetsByRuleRequest) -> ListTargetsByRuleResponse {
        read_tx!(s, |tx| rules::list_targets_by_rule(tx, &s.config, req, caller.role == Role::Admin).await?)
    }},
    operation! { "RemoveTargets", Admin, (s, caller, req: RemoveTargetsRequest) -> TargetsResponse {
        let audit = Audit::new(caller, "RemoveTargets", rule_arn(s, req.event_bus_name.as_deref(), &req.rule));
        rule_change!(s, audit, |tx| rules::remove_targets(tx, &s.config, req).await?)
    }},
    operation! { "PutEvents", Producer, (s, caller, req: PutEventsRequest) -> PutEventsResponse {
        let rules = s.rules.snapshot();
        events::put_events(s.store.as_ref(), &rules, &s.config, caller, req).await?
    }},
    operation! { "TestEventPattern", Viewer, (_, _, req: TestEventPatternRequest) -> TestEventPatternResponse {
        rules::test_event_pattern(req)?
    }},
];

/// The ARN of rule `name` on a bus given by name or ARN (for the audit log; the bus is not
/// checked here).
fn rule_arn(s: &AppState, bus: Option<&str>, name: &str) -> String {
    let bus = bus.unwrap_or(tocsin_api::events::DEFAULT_EVENT_BUS);
    let bus = bus.rsplit_once(":event-bus/").map_or(bus, |(_, b)| b);
    crate::domain::arns::rule(&s.config.region, &s.config.account_id, bus, name)
}

/// The `{}` some operations answer with.
type EmptyResponse = serde_json::Map<String, serde_json::Value>;

/// `POST /`: routes on `X-Amz-Target`. Unknown targets get `UnknownOperationException`; a
/// caller without the operation's role gets `AccessDeniedException` before the body is read.
pub async fn dispatch(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target
        .strip_prefix(TARGET_PREFIX)
        .and_then(|name| OPERATIONS.iter().find(|op| op.name == name));
    let Some(operation) = operation else {
        let err = if target.is_empty() {
            ApiError::UnknownOperation(
                "Missing X-Amz-Target header: expected AWSEvents.<Operation>.".into(),
            )
        } else {
            ApiError::UnknownOperation(format!("Operation {target} is not supported."))
        };
        return AwsJsonError(err).into_response();
    };
    let Some(axum::Extension(caller)) = caller else {
        return AwsJsonError(missing_credentials()).into_response();
    };
    if let Err(err) = caller.require(operation.role) {
        return role_refused(AwsJsonError(err).into_response(), operation.name, caller);
    }
    match (operation.call)(state, caller, body).await {
        Ok(response) => response,
        Err(err) => AwsJsonError(err).into_response(),
    }
}
