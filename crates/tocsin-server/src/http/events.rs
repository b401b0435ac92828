//! The EventBridge awsJson1.1 operations (API 2015-10-07): `POST /` with
//! `X-Amz-Target: AWSEvents.<Operation>`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tocsin_api::events::{
    ListRulesRequest, ListRulesResponse, ListTargetsByRuleRequest, ListTargetsByRuleResponse,
    PutEventsRequest, PutRuleRequest, PutRuleResponse, PutTargetsRequest, RemoveTargetsRequest,
    Rule, RuleRef, RuleState, Target, TargetResultEntry, TargetsResponse, TestEventPatternRequest,
    TestEventPatternResponse,
};
use tocsin_api::native::Change;
use tocsin_pattern::Pattern;
use tocsin_pattern::transform::TargetInput;

use crate::arns;
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult, AwsJsonError, parse_body};
use crate::ingest;
use crate::state::AppState;
use crate::validate::{self, Page};

/// Largest `EventPattern` accepted (`EventPattern` max length in the model).
const MAX_PATTERN_CHARS: usize = 4096;

fn ok<T: Serialize>(value: &T) -> ApiResult<Response> {
    let body = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    Ok(response)
}

/// `POST /`: routes on `X-Amz-Target`. Unknown targets get `UnknownOperationException`.
pub async fn dispatch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let result = match target.strip_prefix("AWSEvents.") {
        Some("PutRule") => put_rule(&state, &caller, &body).await,
        Some("DescribeRule") => describe_rule(&state, &caller, &body).await,
        Some("ListRules") => list_rules(&state, &caller, &body).await,
        Some("DeleteRule") => delete_rule(&state, &caller, &body).await,
        Some("PutTargets") => put_targets(&state, &caller, &body).await,
        Some("ListTargetsByRule") => list_targets_by_rule(&state, &caller, &body).await,
        Some("RemoveTargets") => remove_targets(&state, &caller, &body).await,
        Some("PutEvents") => put_events(&state, &caller, &body).await,
        Some("TestEventPattern") => test_event_pattern(&caller, &body),
        _ if target.is_empty() => Err(ApiError::UnknownOperation(
            "Missing X-Amz-Target header: expected AWSEvents.<Operation>.".into(),
        )),
        _ => Err(ApiError::UnknownOperation(format!(
            "Operation {target} is not supported."
        ))),
    };
    result.unwrap_or_else(|e| AwsJsonError(e).into_response())
}

fn rule_name(name: &str) -> ApiResult<()> {
    validate::name("name", name, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")
}

/// Parses and validates a pattern as EventBridge would, with its error wording.
pub fn parse_pattern(text: &str) -> ApiResult<Pattern> {
    if text.chars().count() > MAX_PATTERN_CHARS {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to {MAX_PATTERN_CHARS}"
        )));
    }
    Pattern::parse(text).map_err(|e| ApiError::InvalidEventPattern(e.to_string()))
}

async fn find_rule(state: &AppState, bus: &str, name: &str) -> ApiResult<Rule> {
    let arn = arns::rule(&state.config.region, &state.config.account_id, bus, name);
    state
        .store
        .read()
        .await?
        .rule(&arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Rule {name} does not exist on EventBus {bus}.")))
}

/// Mirrors PutRule: creates or replaces a rule (its targets are kept) and recompiles.
async fn put_rule(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let req: PutRuleRequest = parse_body(body)?;
    rule_name(&req.name)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    validate::opt_length("description", req.description.as_deref(), 512)?;
    if req.schedule_expression.is_some() {
        return Err(ApiError::Validation(
            "ScheduleExpression is not supported by Tocsin yet; use EventPattern.".into(),
        ));
    }
    let pattern = req.event_pattern.as_deref().ok_or_else(|| {
        ApiError::Validation(
            "Parameter(s) EventPattern or ScheduleExpression must be specified.".into(),
        )
    })?;
    parse_pattern(pattern)?;
    let arn = arns::rule(
        &state.config.region,
        &state.config.account_id,
        &bus,
        &req.name,
    );
    let rule = Rule {
        name: req.name,
        arn: arn.clone(),
        event_pattern: Some(pattern.to_owned()),
        state: req.state.unwrap_or(RuleState::Enabled),
        description: req.description,
        role_arn: req.role_arn,
        event_bus_name: bus,
        created_by: Some(state.config.account_id.clone()),
    };
    let mut tx = state.store.write().await?;
    tx.put_rule(&rule).await?;
    tx.append_change(&Change::RuleChanged { arn: arn.clone() })
        .await?;
    tx.commit().await?;
    state.rules.reload(state.store.as_ref()).await?;
    ok(&PutRuleResponse { rule_arn: arn })
}

/// Mirrors DescribeRule.
async fn describe_rule(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let req: RuleRef = parse_body(body)?;
    rule_name(&req.name)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    ok(&find_rule(state, &bus, &req.name).await?)
}

/// Mirrors ListRules: by name, optional `NamePrefix`, `Limit` 1-100.
async fn list_rules(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let req: ListRulesRequest = parse_body(body)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    let mut rules = state
        .store
        .read()
        .await?
        .rules(
            &bus,
            req.name_prefix.as_deref().unwrap_or_default(),
            page.offset,
            page.limit,
        )
        .await?;
    for r in &mut rules {
        r.created_by = None;
    }
    let next_token = page.next_token(rules.len());
    ok(&ListRulesResponse { rules, next_token })
}

/// Mirrors DeleteRule: a rule with targets cannot be deleted; deleting a missing rule
/// succeeds.
async fn delete_rule(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let req: RuleRef = parse_body(body)?;
    rule_name(&req.name)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    let arn = arns::rule(
        &state.config.region,
        &state.config.account_id,
        &bus,
        &req.name,
    );
    let mut tx = state.store.write().await?;
    if !tx.targets(&arn).await?.is_empty() {
        return Err(ApiError::Validation(
            "Rule can't be deleted since it has targets.".into(),
        ));
    }
    if tx.delete_rule(&arn).await? {
        tx.append_change(&Change::RuleChanged { arn }).await?;
        tx.commit().await?;
        state.rules.reload(state.store.as_ref()).await?;
    }
    ok(&serde_json::json!({}))
}

/// Checks one target: its id, its ARN, and its input settings (`Input`, `InputPath`,
/// `InputTransformer`, validated exactly as they will be rendered at delivery).
fn validate_target(t: &Target) -> ApiResult<()> {
    validate::name("Targets.member.Id", &t.id, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")?;
    validate::length("Targets.member.Arn", &t.arn, 1, 1600)?;
    let transformer = t.input_transformer.as_ref().map(|x| {
        (
            x.input_paths_map.clone().unwrap_or_default(),
            x.input_template.clone(),
        )
    });
    TargetInput::new(
        t.input.as_deref(),
        t.input_path.as_deref(),
        transformer
            .as_ref()
            .map(|(paths, template)| (paths, template.as_str())),
    )
    .map_err(|e| ApiError::Validation(format!("Target {}: {e}", t.id)))?;
    if crate::delivery::is_http_target(&t.arn) {
        crate::delivery::HttpTarget::from_target(t)?;
    }
    Ok(())
}

/// Mirrors PutTargets: adds or replaces targets of an existing rule (1-100 per call). Every
/// target is validated first; one invalid target fails the request with
/// `ValidationException` and nothing is written.
async fn put_targets(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let req: PutTargetsRequest = parse_body(body)?;
    rule_name(&req.rule)?;
    validate::list_length("targets", req.targets.len(), 1, 100)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    let rule = find_rule(state, &bus, &req.rule).await?;
    for t in &req.targets {
        validate_target(t)?;
    }
    let mut tx = state.store.write().await?;
    for t in &req.targets {
        tx.put_target(&rule.arn, t).await?;
    }
    tx.append_change(&Change::RuleChanged {
        arn: rule.arn.clone(),
    })
    .await?;
    tx.commit().await?;
    state.rules.reload(state.store.as_ref()).await?;
    ok(&TargetsResponse {
        failed_entry_count: 0,
        failed_entries: Vec::new(),
    })
}

/// Mirrors ListTargetsByRule, ordered by target id.
async fn list_targets_by_rule(
    state: &AppState,
    caller: &Caller,
    body: &[u8],
) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let req: ListTargetsByRuleRequest = parse_body(body)?;
    rule_name(&req.rule)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    let rule = find_rule(state, &bus, &req.rule).await?;
    let all = state.store.read().await?.targets(&rule.arn).await?;
    let (targets, next_token) = page.slice(all);
    ok(&ListTargetsByRuleResponse {
        targets,
        next_token,
    })
}

/// Mirrors RemoveTargets: ids that are not targets of the rule are reported in
/// `FailedEntries`.
async fn remove_targets(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let req: RemoveTargetsRequest = parse_body(body)?;
    rule_name(&req.rule)?;
    validate::list_length("ids", req.ids.len(), 1, 100)?;
    let bus = ingest::resolve_bus(req.event_bus_name.as_deref())?;
    let rule = find_rule(state, &bus, &req.rule).await?;
    let mut tx = state.store.write().await?;
    let mut failed_entries = Vec::new();
    for id in &req.ids {
        if !tx.delete_target(&rule.arn, id).await? {
            failed_entries.push(TargetResultEntry {
                target_id: id.clone(),
                error_code: "ResourceNotFoundException".into(),
                error_message: format!("Target {id} does not exist on rule {}.", rule.name),
            });
        }
    }
    tx.append_change(&Change::RuleChanged {
        arn: rule.arn.clone(),
    })
    .await?;
    tx.commit().await?;
    state.rules.reload(state.store.as_ref()).await?;
    ok(&TargetsResponse {
        failed_entry_count: failed_entries.len() as i32,
        failed_entries,
    })
}

/// Mirrors PutEvents.
async fn put_events(state: &AppState, caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Responder)?;
    let req: PutEventsRequest = parse_body(body)?;
    ok(&ingest::put_events(state, caller, req).await?)
}

/// Mirrors TestEventPattern: the same parser and matcher the rules use.
fn test_event_pattern(caller: &Caller, body: &[u8]) -> ApiResult<Response> {
    caller.require(Role::Viewer)?;
    let req: TestEventPatternRequest = parse_body(body)?;
    let pattern = parse_pattern(&req.event_pattern)?;
    let event: serde_json::Value = serde_json::from_str(&req.event)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| {
            ApiError::Validation("Parameter Event is not valid: it must be a JSON object.".into())
        })?;
    ok(&TestEventPatternResponse {
        result: pattern.matches(&event),
    })
}
