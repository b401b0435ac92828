//! The EventBridge awsJson1.1 operations (API 2015-10-07): `POST /` with
//! `X-Amz-Target: AWSEvents.<Operation>`. One route carries every operation, so each
//! operation declares its role in [`OPERATIONS`], the dispatch table; the dispatcher checks
//! it before reading the body.

use tocsin_api::events::{
    ArchiveRef, CreateArchiveRequest, ListArchivesRequest, ListReplaysRequest, ReplayRef,
    StartReplayRequest, UpdateArchiveRequest,
};
use tocsin_api::events::{
    CreateEventBusRequest, EventBus, EventBusRef, ListEventBusesRequest, ListEventBusesResponse,
    UpdateEventBusRequest,
};
use tocsin_api::events::{
    ListRuleNamesByTargetRequest, ListRuleNamesByTargetResponse, ListRulesRequest,
    ListRulesResponse, ListTagsForResourceRequest, ListTagsForResourceResponse,
    ListTargetsByRuleRequest, ListTargetsByRuleResponse, PutEventsRequest, PutEventsResponse,
    PutRuleRequest, PutRuleResponse, PutTargetsRequest, RemoveTargetsRequest, Rule, RuleRef,
    TagResourceRequest, TargetsResponse, TestEventPatternRequest, TestEventPatternResponse,
    UntagResourceRequest,
};

use crate::clock;
use crate::domain::identity::Role;
use crate::domain::{archives, buses, destinations, rules};
use crate::http::audit::Audit;
use crate::http::operation::Operation;
use crate::http::state::AppState;

/// `X-Amz-Target` prefix of EventBridge operations.
pub const TARGET_PREFIX: &str = "AWSEvents.";

/// Every EventBridge operation Tocsin answers (EventBridge 2015-10-07), with its role. Rule
/// changes answer once the matcher has compiled them (read-your-writes).
pub static OPERATIONS: &[Operation] = &[
    operation! { "PutRule", Admin, (s, caller, req: PutRuleRequest) -> PutRuleResponse {
        let audit = Audit::new(caller, "PutRule", rule_arn(s, req.event_bus_name.as_deref(), &req.name));
        rule_change!(s, audit, |tx| rules::put_rule(tx, &s.config, req, clock::now()).await?)
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
    operation! { "EnableRule", Admin, (s, caller, req: RuleRef) -> EmptyResponse {
        let audit = Audit::new(caller, "EnableRule", rule_arn(s, req.event_bus_name.as_deref(), &req.name));
        rule_change!(s, audit, |tx| rules::set_rule_state(tx, &s.config, req, true).await?);
        EmptyResponse::new()
    }},
    operation! { "DisableRule", Admin, (s, caller, req: RuleRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DisableRule", rule_arn(s, req.event_bus_name.as_deref(), &req.name));
        rule_change!(s, audit, |tx| rules::set_rule_state(tx, &s.config, req, false).await?);
        EmptyResponse::new()
    }},
    operation! { "ListRuleNamesByTarget", Viewer, (s, _, req: ListRuleNamesByTargetRequest) -> ListRuleNamesByTargetResponse {
        read_tx!(s, |tx| rules::list_rule_names_by_target(tx, req).await?)
    }},
    operation! { "TagResource", Admin, (s, caller, req: TagResourceRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "TagResource", req.resource_arn.clone());
        write_tx!(s, audit, |tx| rules::tag_resource(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "UntagResource", Admin, (s, caller, req: UntagResourceRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "UntagResource", req.resource_arn.clone());
        write_tx!(s, audit, |tx| rules::untag_resource(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "ListTagsForResource", Viewer, (s, _, req: ListTagsForResourceRequest) -> ListTagsForResourceResponse {
        read_tx!(s, |tx| rules::list_tags(tx, req).await?)
    }},
    operation! { "CreateEventBus", Admin, (s, caller, req: CreateEventBusRequest) -> serde_json::Value {
        let audit = Audit::new(caller, "CreateEventBus", buses::arn(&s.config, &req.name));
        rule_change!(s, audit, |tx| buses::create(tx, &s.config, req, clock::now()).await?)
    }},
    operation! { "DescribeEventBus", Viewer, (s, _, req: EventBusRef) -> EventBus {
        read_tx!(s, |tx| buses::describe(tx, &s.config, req.name.as_deref()).await?)
    }},
    operation! { "ListEventBuses", Viewer, (s, _, req: ListEventBusesRequest) -> ListEventBusesResponse {
        read_tx!(s, |tx| buses::list(tx, &s.config, req).await?)
    }},
    operation! { "UpdateEventBus", Admin, (s, caller, req: UpdateEventBusRequest) -> EventBus {
        let name = req.name.clone().unwrap_or_else(|| tocsin_api::events::DEFAULT_EVENT_BUS.into());
        let audit = Audit::new(caller, "UpdateEventBus", buses::arn(&s.config, &name));
        write_tx!(s, audit, |tx| buses::update(tx, &s.config, req, clock::now()).await?)
    }},
    operation! { "DeleteEventBus", Admin, (s, caller, req: EventBusRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteEventBus", buses::arn(&s.config, req.name.as_deref().unwrap_or_default()));
        rule_change!(s, audit, |tx| buses::delete(tx, &s.config, req.name.as_deref()).await?);
        EmptyResponse::new()
    }},
    operation! { "CreateArchive", Admin, (s, caller, req: CreateArchiveRequest) -> serde_json::Value {
        let audit = Audit::new(caller, "CreateArchive", archives::archive_arn(&s.config, &req.archive_name));
        rule_change!(s, audit, |tx| archives::create_archive(tx, &s.config, req, clock::now()).await?)
    }},
    operation! { "DescribeArchive", Viewer, (s, _, req: ArchiveRef) -> serde_json::Value {
        read_tx!(s, |tx| archives::describe_archive(tx, &s.config, req).await?)
    }},
    operation! { "ListArchives", Viewer, (s, _, req: ListArchivesRequest) -> serde_json::Value {
        read_tx!(s, |tx| archives::list_archives(tx, &s.config, req).await?)
    }},
    operation! { "UpdateArchive", Admin, (s, caller, req: UpdateArchiveRequest) -> serde_json::Value {
        let audit = Audit::new(caller, "UpdateArchive", archives::archive_arn(&s.config, &req.archive_name));
        rule_change!(s, audit, |tx| archives::update_archive(tx, &s.config, req).await?)
    }},
    operation! { "DeleteArchive", Admin, (s, caller, req: ArchiveRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteArchive", archives::archive_arn(&s.config, &req.archive_name));
        rule_change!(s, audit, |tx| archives::delete_archive(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "StartReplay", Admin, (s, caller, req: StartReplayRequest) -> serde_json::Value {
        let audit = Audit::new(caller, "StartReplay", archives::replay_arn(&s.config, &req.replay_name));
        write_tx!(s, audit, |tx| archives::start_replay(tx, &s.config, req, clock::now()).await?)
    }},
    operation! { "DescribeReplay", Viewer, (s, _, req: ReplayRef) -> serde_json::Value {
        read_tx!(s, |tx| archives::describe_replay(tx, &s.config, req).await?)
    }},
    operation! { "ListReplays", Viewer, (s, _, req: ListReplaysRequest) -> serde_json::Value {
        read_tx!(s, |tx| archives::list_replays(tx, &s.config, req).await?)
    }},
    operation! { "CancelReplay", Admin, (s, caller, req: ReplayRef) -> serde_json::Value {
        let audit = Audit::new(caller, "CancelReplay", archives::replay_arn(&s.config, &req.replay_name));
        write_tx!(s, audit, |tx| archives::cancel_replay(tx, &s.config, req).await?)
    }},
    operation! { "CreateConnection", Admin, (s, caller, req: serde_json::Value) -> serde_json::Value {
        let audit = Audit::new(caller, "CreateConnection", named("connection", &req));
        write_tx!(s, audit, |tx| destinations::create_connection(tx, &s.config, &req, clock::now()).await?)
    }},
    operation! { "DescribeConnection", Viewer, (s, _, req: serde_json::Value) -> serde_json::Value {
        read_tx!(s, |tx| destinations::describe_connection(tx, &s.config, req["Name"].as_str().unwrap_or_default()).await?)
    }},
    operation! { "ListConnections", Viewer, (s, _, req: serde_json::Value) -> serde_json::Value {
        read_tx!(s, |tx| destinations::list_connections(tx, &s.config, &req).await?)
    }},
    operation! { "UpdateConnection", Admin, (s, caller, req: serde_json::Value) -> serde_json::Value {
        let audit = Audit::new(caller, "UpdateConnection", named("connection", &req));
        write_tx!(s, audit, |tx| destinations::update_connection(tx, &s.config, &req, clock::now()).await?)
    }},
    operation! { "DeleteConnection", Admin, (s, caller, req: serde_json::Value) -> serde_json::Value {
        let audit = Audit::new(caller, "DeleteConnection", named("connection", &req));
        write_tx!(s, audit, |tx| destinations::delete_connection(tx, &s.config, req["Name"].as_str().unwrap_or_default()).await?)
    }},
    operation! { "CreateApiDestination", Admin, (s, caller, req: serde_json::Value) -> serde_json::Value {
        let audit = Audit::new(caller, "CreateApiDestination", named("api-destination", &req));
        write_tx!(s, audit, |tx| destinations::create_destination(tx, &s.config, &req, clock::now()).await?)
    }},
    operation! { "DescribeApiDestination", Viewer, (s, _, req: serde_json::Value) -> serde_json::Value {
        read_tx!(s, |tx| destinations::describe_destination(tx, &s.config, req["Name"].as_str().unwrap_or_default()).await?)
    }},
    operation! { "ListApiDestinations", Viewer, (s, _, req: serde_json::Value) -> serde_json::Value {
        read_tx!(s, |tx| destinations::list_destinations(tx, &s.config, &req).await?)
    }},
    operation! { "UpdateApiDestination", Admin, (s, caller, req: serde_json::Value) -> serde_json::Value {
        let audit = Audit::new(caller, "UpdateApiDestination", named("api-destination", &req));
        write_tx!(s, audit, |tx| destinations::update_destination(tx, &s.config, &req, clock::now()).await?)
    }},
    operation! { "DeleteApiDestination", Admin, (s, caller, req: serde_json::Value) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteApiDestination", named("api-destination", &req));
        write_tx!(s, audit, |tx| destinations::delete_destination(tx, req["Name"].as_str().unwrap_or_default()).await?);
        EmptyResponse::new()
    }},
    operation! { "PutEvents", Producer, (s, caller, req: PutEventsRequest) -> PutEventsResponse {
        let rules = s.rules.snapshot();
        crate::domain::group_commit::put_events(&s.ingest, rules, &s.config, caller, req).await?
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

/// `<kind>/<Name>` for the audit log (never a secret: only the name is read).
fn named(kind: &str, req: &serde_json::Value) -> String {
    format!("{kind}/{}", req["Name"].as_str().unwrap_or_default())
}

/// The `{}` some operations answer with.
type EmptyResponse = serde_json::Map<String, serde_json::Value>;
