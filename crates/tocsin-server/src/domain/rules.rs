//! The rule engine: EventBridge rules and targets on a bus (API 2015-10-07): PutRule,
//! DescribeRule, ListRules, DeleteRule, PutTargets, ListTargetsByRule, RemoveTargets and
//! TestEventPattern. Each change is stored with a `RuleChanged` change-feed entry in the
//! caller's transaction; the functions return that entry's id so the caller can wait for
//! the matcher to compile it ([`crate::domain::matcher::RuleIndex::wait_compiled`]).

use tocsin_api::events::{
    ListRuleNamesByTargetRequest, ListRuleNamesByTargetResponse, ListRulesRequest,
    ListRulesResponse, ListTagsForResourceRequest, ListTagsForResourceResponse,
    ListTargetsByRuleRequest, ListTargetsByRuleResponse, PutRuleRequest, PutRuleResponse,
    PutTargetsRequest, RemoveTargetsRequest, Rule, RuleRef, RuleState, Tag, TagResourceRequest,
    TargetResultEntry, TargetsResponse, TestEventPatternRequest, TestEventPatternResponse,
    UntagResourceRequest,
};
use tocsin_api::native::Change;
use tocsin_pattern::Pattern;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::arns;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::schedules::Schedule;
use crate::domain::targets::validate_target;
use crate::domain::validate::{self, Page};
use crate::domain::{buses, tags};
use crate::store::StoreTx;

/// Most targets one rule may have (EventBridge's limit).
pub const MAX_TARGETS_PER_RULE: usize = 5;

/// Largest `EventPattern` accepted (`EventPattern` max length in the model).
const MAX_PATTERN_CHARS: usize = 4096;

pub use crate::domain::compiled::RuleChange;

fn rule_name(name: &str) -> ApiResult<()> {
    validate::name("name", name, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")
}

/// Parses and validates a pattern as EventBridge would, with its error wording
/// (`InvalidEventPatternException`; `ValidationException` above 4096 characters).
pub fn parse_pattern(text: &str) -> ApiResult<Pattern> {
    if text.chars().count() > MAX_PATTERN_CHARS {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to {MAX_PATTERN_CHARS}"
        )));
    }
    Pattern::parse(text).map_err(|e| ApiError::InvalidEventPattern(e.to_string()))
}

/// Reads the rule `name` on `bus`; `ResourceNotFoundException` if there is none.
async fn find_rule(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    bus: &str,
    name: &str,
) -> ApiResult<Rule> {
    let arn = arns::rule(&config.region, &config.account_id, bus, name);
    tx.rule(&arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Rule {name} does not exist on EventBus {bus}.")))
}

/// Sets a scheduled rule's first firing: one period (or the next cron occurrence) after `now`.
async fn start_schedule(
    tx: &mut dyn StoreTx,
    arn: &str,
    schedule: &Schedule,
    now: f64,
) -> ApiResult<()> {
    match schedule.next_after(now) {
        Some(next) => tx.put_schedule(arn, next).await?,
        None => tx.delete_schedule(arn).await?,
    }
    Ok(())
}

/// Mirrors PutRule: creates or replaces a rule (its targets are kept). A rule has an
/// `EventPattern`, a `ScheduleExpression` ([`crate::domain::schedules`]; default bus only,
/// as in EventBridge) or both; a new or changed schedule first fires one period after
/// `now` (epoch seconds).
///
/// Errors: `ValidationException` (name, description, neither pattern nor schedule, a
/// schedule that does not parse or is not on the default bus),
/// `InvalidEventPatternException`, `ResourceNotFoundException` for an unknown bus,
/// `LimitExceededException` for a new rule on a bus that holds `max_rules_per_bus` rules
/// already.
pub async fn put_rule(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: PutRuleRequest,
    now: f64,
) -> ApiResult<RuleChange<PutRuleResponse>> {
    rule_name(&req.name)?;
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    validate::opt_length("description", req.description.as_deref(), 512)?;
    if let Some(role) = req.role_arn.as_deref() {
        validate::length("roleArn", role, 1, 1600)?;
    }
    if req.event_pattern.is_none() && req.schedule_expression.is_none() {
        return Err(ApiError::Validation(
            "Parameter(s) EventPattern or ScheduleExpression must be specified.".into(),
        ));
    }
    if let Some(pattern) = req.event_pattern.as_deref() {
        parse_pattern(pattern)?;
    }
    let schedule = match req.schedule_expression.as_deref() {
        Some(expr) => {
            let schedule = Schedule::parse(expr)?;
            if bus != tocsin_api::events::DEFAULT_EVENT_BUS {
                return Err(ApiError::Validation(
                    "ScheduleExpression is supported only on the default event bus.".into(),
                ));
            }
            Some((expr.to_owned(), schedule))
        }
        None => None,
    };
    let arn = arns::rule(&config.region, &config.account_id, &bus, &req.name);
    let before = tx.rule(&arn).await?;
    if before.is_none() && tx.rule_count(&bus).await? >= config.max_rules_per_bus as i64 {
        return Err(ApiError::LimitExceeded(format!(
            "The requested resource exceeds the maximum number allowed: event bus {bus} already has {} rules.",
            config.max_rules_per_bus
        )));
    }
    let rule = Rule {
        name: req.name,
        arn: arn.clone(),
        event_pattern: req.event_pattern,
        schedule_expression: schedule.as_ref().map(|(expr, _)| expr.clone()),
        state: req.state.unwrap_or(RuleState::Enabled),
        description: req.description,
        role_arn: req.role_arn,
        event_bus_name: bus,
        created_by: Some(config.account_id.clone()),
    };
    if let Some(tags) = &req.tags {
        tags::check_event_tags(tags)?;
    }
    // A new or changed schedule starts from now; an unchanged one keeps its next firing.
    let kept = before.as_ref().and_then(|b| b.schedule_expression.as_ref())
        == rule.schedule_expression.as_ref();
    match &schedule {
        Some((_, schedule)) if !kept || tx.schedule(&arn).await?.is_none() => {
            start_schedule(tx, &arn, schedule, now).await?
        }
        Some(_) => {}
        None => tx.delete_schedule(&arn).await?,
    }
    tx.put_rule(&rule).await?;
    if let Some(tags) = &req.tags {
        tags::put_event_tags(tx, &arn, tags).await?;
    }
    let feed_id = tx
        .append_change(&Change::RuleChanged { arn: arn.clone() })
        .await?;
    Ok(RuleChange {
        output: PutRuleResponse { rule_arn: arn },
        feed_id: Some(feed_id),
    })
}

/// Mirrors DescribeRule.
pub async fn describe_rule(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: RuleRef,
) -> ApiResult<Rule> {
    rule_name(&req.name)?;
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    find_rule(tx, config, &bus, &req.name).await
}

/// Mirrors ListRules: by name, optional `NamePrefix`, `Limit` 1-100.
pub async fn list_rules(
    tx: &mut dyn StoreTx,
    req: ListRulesRequest,
) -> ApiResult<ListRulesResponse> {
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    validate::opt_prefix("namePrefix", req.name_prefix.as_deref(), 64, ".-_")?;
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    let mut rules = tx
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
    Ok(ListRulesResponse { rules, next_token })
}

/// Mirrors DeleteRule: a rule with targets cannot be deleted (`ValidationException`);
/// deleting a missing rule succeeds and changes nothing.
pub async fn delete_rule(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: RuleRef,
) -> ApiResult<RuleChange<()>> {
    rule_name(&req.name)?;
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    let arn = arns::rule(&config.region, &config.account_id, &bus, &req.name);
    if !tx.targets(&arn).await?.is_empty() {
        return Err(ApiError::Validation(
            "Rule can't be deleted since it has targets.".into(),
        ));
    }
    let feed_id = if tx.delete_rule(&arn).await? {
        tx.delete_tags(&arn).await?;
        tx.delete_schedule(&arn).await?;
        Some(tx.append_change(&Change::RuleChanged { arn }).await?)
    } else {
        None
    };
    Ok(RuleChange {
        output: (),
        feed_id,
    })
}

/// Checks a PutTargets/RemoveTargets request's rule name and batch (1-100 entries, named
/// `batch.0`), then reads the rule.
async fn rule_of_batch(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    name: &str,
    bus: Option<&str>,
    batch: (&str, usize),
) -> ApiResult<Rule> {
    rule_name(name)?;
    validate::list_length(batch.0, batch.1, 1, 100)?;
    let bus = buses::resolve(tx, bus).await?;
    find_rule(tx, config, &bus, name).await
}

/// Announces a change of `rule_arn`'s targets and answers with the entries that failed.
async fn targets_changed(
    tx: &mut dyn StoreTx,
    rule_arn: &str,
    failed_entries: Vec<TargetResultEntry>,
) -> ApiResult<RuleChange<TargetsResponse>> {
    let feed_id = tx
        .append_change(&Change::RuleChanged {
            arn: rule_arn.to_owned(),
        })
        .await?;
    Ok(RuleChange {
        output: TargetsResponse {
            failed_entry_count: failed_entries.len() as i32,
            failed_entries,
        },
        feed_id: Some(feed_id),
    })
}

/// Mirrors PutTargets: adds or replaces targets of an existing rule (1-100 per call). Every
/// target is validated first; one invalid target fails the request with
/// `ValidationException` and nothing is written. A rule has at most
/// [`MAX_TARGETS_PER_RULE`] targets (`LimitExceededException`).
pub async fn put_targets(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: PutTargetsRequest,
) -> ApiResult<RuleChange<TargetsResponse>> {
    let batch = ("targets", req.targets.len());
    let rule = rule_of_batch(tx, config, &req.rule, req.event_bus_name.as_deref(), batch).await?;
    for t in &req.targets {
        validate_target(t)?;
        if let Some(role) = t.role_arn.as_deref() {
            validate::length("targets.member.roleArn", role, 1, 1600)?;
        }
        if tocsin_api::arn::api_destination_name(&t.arn).is_some() {
            crate::domain::destinations::check_target(tx, config, &t.arn).await?;
        }
    }
    let mut ids: std::collections::BTreeSet<String> = tx
        .targets(&rule.arn)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    ids.extend(req.targets.iter().map(|t| t.id.clone()));
    if ids.len() > MAX_TARGETS_PER_RULE {
        return Err(ApiError::LimitExceeded(format!(
            "The requested resource exceeds the maximum number allowed: a rule has at most {MAX_TARGETS_PER_RULE} targets."
        )));
    }
    for t in &req.targets {
        tx.put_target(&rule.arn, t).await?;
    }
    targets_changed(tx, &rule.arn, Vec::new()).await
}

/// Mirrors ListTargetsByRule, ordered by target id. Unless `reveal_secrets` (an admin
/// asking), HTTP targets' header and query values are redacted.
pub async fn list_targets_by_rule(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: ListTargetsByRuleRequest,
    reveal_secrets: bool,
) -> ApiResult<ListTargetsByRuleResponse> {
    rule_name(&req.rule)?;
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    let rule = find_rule(tx, config, &bus, &req.rule).await?;
    let mut all = tx.targets(&rule.arn).await?;
    if !reveal_secrets {
        all = all
            .iter()
            .map(crate::domain::targets::redacted_target)
            .collect();
    }
    let (targets, next_token) = page.slice(all);
    Ok(ListTargetsByRuleResponse {
        targets,
        next_token,
    })
}

/// Mirrors RemoveTargets: ids that are not targets of the rule are reported in
/// `FailedEntries`.
pub async fn remove_targets(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: RemoveTargetsRequest,
) -> ApiResult<RuleChange<TargetsResponse>> {
    let batch = ("ids", req.ids.len());
    for id in &req.ids {
        validate::name("ids.member", id, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")?;
    }
    let rule = rule_of_batch(tx, config, &req.rule, req.event_bus_name.as_deref(), batch).await?;
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
    targets_changed(tx, &rule.arn, failed_entries).await
}

/// Mirrors TestEventPattern: the same parser and matcher the rules use.
///
/// Errors: `InvalidEventPatternException`; `ValidationException` when `Event` is not a JSON
/// object.
pub fn test_event_pattern(req: TestEventPatternRequest) -> ApiResult<TestEventPatternResponse> {
    let pattern = parse_pattern(&req.event_pattern)?;
    let event: serde_json::Value = serde_json::from_str(&req.event)
        .ok()
        .filter(serde_json::Value::is_object)
        .ok_or_else(|| {
            ApiError::Validation("Parameter Event is not valid: it must be a JSON object.".into())
        })?;
    Ok(TestEventPatternResponse {
        result: pattern.matches(&event),
    })
}

/// Checks that `arn` names a rule or an event bus that exists (the resources EventBridge's
/// tag operations take).
async fn tagged_rule(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<()> {
    validate::arn("resourceARN", arn)?;
    if let Some((_, bus)) = arn.split_once(":event-bus/") {
        return buses::resolve(tx, Some(bus)).await.map(|_| ());
    }
    tx.rule(arn)
        .await?
        .map(|_| ())
        .ok_or_else(|| ApiError::NotFound(format!("Rule {arn} does not exist.")))
}

/// Mirrors TagResource on a rule: adds or replaces tags (key 1-128, value 0-256, at most
/// 50 per rule: `LimitExceededException`).
///
/// Errors: `ResourceNotFoundException` for an unknown rule, `ValidationException`.
pub async fn tag_resource(tx: &mut dyn StoreTx, req: TagResourceRequest) -> ApiResult<()> {
    tags::check_event_tags(&req.tags)?;
    tagged_rule(tx, &req.resource_arn).await?;
    tags::put_event_tags(tx, &req.resource_arn, &req.tags).await
}

/// Mirrors UntagResource on a rule (keys it does not have are ignored).
///
/// Errors: `ResourceNotFoundException` for an unknown rule.
pub async fn untag_resource(tx: &mut dyn StoreTx, req: UntagResourceRequest) -> ApiResult<()> {
    tagged_rule(tx, &req.resource_arn).await?;
    for key in &req.tag_keys {
        validate::length("tagKeys.member", key, 1, 128)?;
        tx.delete_tag(&req.resource_arn, key).await?;
    }
    Ok(())
}

/// Mirrors ListTagsForResource on a rule.
///
/// Errors: `ResourceNotFoundException` for an unknown rule.
pub async fn list_tags(
    tx: &mut dyn StoreTx,
    req: ListTagsForResourceRequest,
) -> ApiResult<ListTagsForResourceResponse> {
    tagged_rule(tx, &req.resource_arn).await?;
    let tags = tx
        .tags(&req.resource_arn)
        .await?
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect();
    Ok(ListTagsForResourceResponse { tags })
}

/// Mirrors EnableRule and DisableRule: sets the rule's state; a disabled rule matches
/// nothing from the moment this answers (read-your-writes through the matcher).
///
/// Errors: `ResourceNotFoundException` for an unknown rule or bus, `ValidationException`
/// for a bad name.
pub async fn set_rule_state(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    req: RuleRef,
    enabled: bool,
) -> ApiResult<RuleChange<()>> {
    rule_name(&req.name)?;
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    let mut rule = find_rule(tx, config, &bus, &req.name).await?;
    let state = if enabled {
        RuleState::Enabled
    } else {
        RuleState::Disabled
    };
    if rule.state == state {
        return Ok(RuleChange {
            output: (),
            feed_id: None,
        });
    }
    rule.state = state;
    // Re-enabled, a scheduled rule starts again from now rather than catching up on the
    // firings it had while disabled.
    if let (true, Some(expr)) = (enabled, rule.schedule_expression.as_deref()) {
        start_schedule(tx, &rule.arn, &Schedule::parse(expr)?, clock::now()).await?;
    }
    tx.put_rule(&rule).await?;
    let feed_id = tx
        .append_change(&Change::RuleChanged {
            arn: rule.arn.clone(),
        })
        .await?;
    Ok(RuleChange {
        output: (),
        feed_id: Some(feed_id),
    })
}

/// Mirrors ListRuleNamesByTarget: the rules on a bus with a target of `TargetArn`, by name,
/// `Limit` 1-100.
///
/// Errors: `ResourceNotFoundException` for an unknown bus, `ValidationException`.
pub async fn list_rule_names_by_target(
    tx: &mut dyn StoreTx,
    req: ListRuleNamesByTargetRequest,
) -> ApiResult<ListRuleNamesByTargetResponse> {
    validate::length("targetArn", &req.target_arn, 1, 1600)?;
    let bus = buses::resolve(tx, req.event_bus_name.as_deref()).await?;
    let page = Page::parse("limit", req.limit, req.next_token.as_deref(), 100)?;
    let mut names: Vec<String> = tx
        .all_rules()
        .await?
        .into_iter()
        .filter(|r| {
            r.rule.event_bus_name == bus && r.targets.iter().any(|t| t.arn == req.target_arn)
        })
        .map(|r| r.rule.name)
        .collect();
    names.sort();
    let (rule_names, next_token) = page.slice(names);
    Ok(ListRuleNamesByTargetResponse {
        rule_names,
        next_token,
    })
}
