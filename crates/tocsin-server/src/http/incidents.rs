//! The `ssm-incidents` rest-json operations (API 2018-05-10): response plans, incidents,
//! timeline and related items. Paths, methods and success codes follow the botocore model;
//! each handler parses, calls one engine function in one transaction, and answers typed.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tocsin_api::incidents::{
    CreateResponsePlanInput, CreateResponsePlanOutput, DeleteResponsePlanInput,
    GetIncidentRecordOutput, GetResponsePlanOutput, GetTimelineEventInput, GetTimelineEventOutput,
    ListIncidentRecordsInput, ListIncidentRecordsOutput, ListRelatedItemsInput,
    ListRelatedItemsOutput, ListResponsePlansInput, ListResponsePlansOutput,
    ListTimelineEventsInput, ListTimelineEventsOutput, StartIncidentInput, StartIncidentOutput,
    TriggerDetails, UpdateIncidentRecordInput, UpdateResponsePlanInput,
};

use crate::clock;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::incidents::{self, MANUAL_SOURCE, NewIncident};
use crate::domain::{arns, plans};
use crate::http::audit::Audit;
use crate::http::error::RestJsonError;
use crate::http::extract::{Admin, Require, Responder, RestJson, Viewer};
use crate::http::routes::Routes;
use crate::http::routes::Verb::{Get, Post};
use crate::http::state::AppState;

type RestResult<T> = Result<T, RestJsonError>;

/// The rest-json routes, each with its role.
pub fn routes() -> Routes {
    Routes::new()
        .route(
            Post,
            "/createResponsePlan",
            "CreateResponsePlan",
            create_response_plan,
        )
        .route(
            Get,
            "/getResponsePlan",
            "GetResponsePlan",
            get_response_plan,
        )
        .route(
            Post,
            "/listResponsePlans",
            "ListResponsePlans",
            list_response_plans,
        )
        .route(
            Post,
            "/updateResponsePlan",
            "UpdateResponsePlan",
            update_response_plan,
        )
        .route(
            Post,
            "/deleteResponsePlan",
            "DeleteResponsePlan",
            delete_response_plan,
        )
        .route(Post, "/startIncident", "StartIncident", start_incident)
        .route(
            Get,
            "/getTimelineEvent",
            "GetTimelineEvent",
            get_timeline_event,
        )
        .route(
            Get,
            "/getIncidentRecord",
            "GetIncidentRecord",
            get_incident_record,
        )
        .route(
            Post,
            "/listIncidentRecords",
            "ListIncidentRecords",
            list_incident_records,
        )
        .route(
            Post,
            "/updateIncidentRecord",
            "UpdateIncidentRecord",
            update_incident_record,
        )
        .route(
            Post,
            "/listTimelineEvents",
            "ListTimelineEvents",
            list_timeline_events,
        )
        .route(
            Post,
            "/listRelatedItems",
            "ListRelatedItems",
            list_related_items,
        )
        .route(
            Post,
            "/listIncidentFindings",
            "ListIncidentFindings",
            list_incident_findings,
        )
        .route(
            Post,
            "/batchGetIncidentFindings",
            "BatchGetIncidentFindings",
            batch_get_incident_findings,
        )
        .route(
            Post,
            "/createTimelineEvent",
            "CreateTimelineEvent",
            create_timeline_event,
        )
        .route(
            Post,
            "/updateTimelineEvent",
            "UpdateTimelineEvent",
            update_timeline_event,
        )
        .route(
            Post,
            "/deleteTimelineEvent",
            "DeleteTimelineEvent",
            delete_timeline_event,
        )
        .route(
            Post,
            "/updateRelatedItems",
            "UpdateRelatedItems",
            update_related_items,
        )
        .route(
            Post,
            "/createReplicationSet",
            "CreateReplicationSet",
            create_replication_set,
        )
        .route(
            Get,
            "/getReplicationSet",
            "GetReplicationSet",
            get_replication_set,
        )
        .route(
            Post,
            "/listReplicationSets",
            "ListReplicationSets",
            list_replication_sets,
        )
        .route(
            Post,
            "/updateReplicationSet",
            "UpdateReplicationSet",
            update_replication_set,
        )
        .route(
            Post,
            "/deleteReplicationSet",
            "DeleteReplicationSet",
            delete_replication_set,
        )
        .route(
            Post,
            "/updateDeletionProtection",
            "UpdateDeletionProtection",
            update_deletion_protection,
        )
        .route(
            Post,
            "/putResourcePolicy",
            "PutResourcePolicy",
            put_resource_policy,
        )
        .route(
            Post,
            "/getResourcePolicies",
            "GetResourcePolicies",
            get_resource_policies,
        )
        .route(
            Post,
            "/deleteResourcePolicy",
            "DeleteResourcePolicy",
            delete_resource_policy,
        )
        .route(
            Post,
            "/deleteIncidentRecord",
            "DeleteIncidentRecord",
            delete_incident_record,
        )
        .route(Post, "/tags/{resourceArn}", "TagResource", tag_resource)
        .route(
            crate::http::routes::Verb::Delete,
            "/tags/{resourceArn}",
            "UntagResource",
            untag_resource,
        )
        .route(
            Get,
            "/tags/{resourceArn}",
            "ListTagsForResource",
            list_tags_for_resource,
        )
}

/// `TagResource`'s body.
#[derive(Debug, Deserialize)]
struct TagsBody {
    tags: Option<std::collections::BTreeMap<String, String>>,
}

/// Mirrors TagResource (`POST /tags/{resourceArn}`, `{"tags"}`): 204. On an incident record
/// it also announces the incident with its new tags (`IncidentUpdated`).
async fn tag_resource(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    axum::extract::Path(arn): axum::extract::Path<String>,
    RestJson(body): RestJson<TagsBody>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "TagResource", arn.clone());
    let tags = body.tags.unwrap_or_default();
    write_tx!(s, audit, |tx| {
        crate::domain::tags::tag_resource(tx, &arn, &tags).await?;
        // An incident's tags are on the wall (boards filter on them): announce it.
        crate::domain::incidents::announce(tx, &arn).await?
    });
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors UntagResource (`DELETE /tags/{resourceArn}?tagKeys=a&tagKeys=b`): 204.
async fn untag_resource(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    axum::extract::Path(arn): axum::extract::Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> RestResult<StatusCode> {
    let keys: Vec<String> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "tagKeys")
        .map(|(_, v)| v.into_owned())
        .collect();
    let audit = Audit::new(&caller, "UntagResource", arn.clone());
    write_tx!(s, audit, |tx| {
        crate::domain::tags::untag_resource(tx, &arn, &keys).await?;
        crate::domain::incidents::announce(tx, &arn).await?
    });
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors ListTagsForResource (`GET /tags/{resourceArn}`): `{"tags"}`.
async fn list_tags_for_resource(
    _: Require<Viewer>,
    State(s): State<AppState>,
    axum::extract::Path(arn): axum::extract::Path<String>,
) -> RestResult<Json<serde_json::Value>> {
    let tags = read_tx!(s, |tx| crate::domain::tags::list(tx, &arn).await?);
    Ok(Json(serde_json::json!({ "tags": tags })))
}

/// Mirrors CreateTimelineEvent: 201 with the entry's id.
async fn create_timeline_event(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::incidents::CreateTimelineEventInput>,
) -> RestResult<(
    StatusCode,
    Json<tocsin_api::incidents::CreateTimelineEventOutput>,
)> {
    let audit = Audit::new(
        &caller,
        "CreateTimelineEvent",
        input.incident_record_arn.clone(),
    );
    let out = write_tx!(s, audit, |tx| {
        incidents::create_timeline_event(tx, &caller.principal, input).await?
    });
    Ok((StatusCode::CREATED, Json(out)))
}

/// Mirrors UpdateTimelineEvent: 204.
async fn update_timeline_event(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::incidents::UpdateTimelineEventInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(
        &caller,
        "UpdateTimelineEvent",
        input.incident_record_arn.clone(),
    );
    write_tx!(s, audit, |tx| {
        incidents::update_timeline_event(tx, &caller.principal, input).await?
    });
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors DeleteTimelineEvent: 204.
async fn delete_timeline_event(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::incidents::DeleteTimelineEventInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(
        &caller,
        "DeleteTimelineEvent",
        input.incident_record_arn.clone(),
    );
    write_tx!(s, audit, |tx| {
        incidents::delete_timeline_event(tx, &caller.principal, input).await?
    });
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors UpdateRelatedItems: 204.
async fn update_related_items(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::incidents::UpdateRelatedItemsInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(
        &caller,
        "UpdateRelatedItems",
        input.incident_record_arn.clone(),
    );
    write_tx!(s, audit, |tx| incidents::update_related_items(tx, input)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// The `?arn=` query of the GET operations.
#[derive(Debug, Deserialize)]
pub struct ArnQuery {
    arn: Option<String>,
}

fn required_arn(q: ArnQuery) -> ApiResult<String> {
    q.arn.ok_or_else(|| {
        ApiError::Validation("1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null".into())
    })
}

/// Mirrors CreateResponsePlan: 201 with the new ARN.
async fn create_response_plan(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<CreateResponsePlanInput>,
) -> RestResult<(StatusCode, Json<CreateResponsePlanOutput>)> {
    let resource = arns::response_plan(&s.config.account_id, &input.name);
    let audit = Audit::new(&caller, "CreateResponsePlan", resource);
    let arn = write_tx!(s, audit, |tx| {
        plans::create_response_plan(tx, &s.config, input).await?
    });
    Ok((StatusCode::CREATED, Json(CreateResponsePlanOutput { arn })))
}

/// Mirrors GetResponsePlan (`GET /getResponsePlan?arn=`).
async fn get_response_plan(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<ArnQuery>,
) -> RestResult<Json<GetResponsePlanOutput>> {
    let arn = required_arn(q)?;
    read_tx!(s, |tx| {
        Ok(Json(plans::get_response_plan(tx, &arn).await?.plan))
    })
}

/// Mirrors ListResponsePlans.
async fn list_response_plans(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<ListResponsePlansInput>,
) -> RestResult<Json<ListResponsePlansOutput>> {
    Ok(Json(read_tx!(s, |tx| plans::list_response_plans(
        tx, input
    )
    .await?)))
}

/// Mirrors UpdateResponsePlan: 204.
async fn update_response_plan(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<UpdateResponsePlanInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "UpdateResponsePlan", input.arn.clone());
    write_tx!(s, audit, |tx| plans::update_response_plan(tx, input)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors DeleteResponsePlan: 204, also when the plan does not exist (as AWS).
async fn delete_response_plan(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<DeleteResponsePlanInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "DeleteResponsePlan", input.arn.clone());
    write_tx!(s, audit, |tx| plans::delete_response_plan(tx, input)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors StartIncident: opens (or dedupes into, or replays) an incident.
async fn start_incident(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(input): RestJson<StartIncidentInput>,
) -> RestResult<Json<StartIncidentOutput>> {
    let new = NewIncident {
        response_plan_arn: input.response_plan_arn,
        title: input.title,
        impact: input.impact,
        summary: input.summary,
        trigger: input.trigger_details.unwrap_or(TriggerDetails {
            source: MANUAL_SOURCE.into(),
            timestamp: clock::now(),
            trigger_arn: None,
            raw_data: None,
        }),
        related_items: input.related_items.unwrap_or_default(),
        fallback_dedupe: None,
        client_token: input.client_token,
        created_by: caller.principal.clone(),
        invoked_by: None,
    };
    let audit = Audit::new(&caller, "StartIncident", new.response_plan_arn.clone());
    // Checked before the write lock is taken, so a bad request never waits for it (and is
    // recorded as refused, as any refused change is).
    if let Err(err) = incidents::validate_new_incident(&new) {
        audit.failure(&s, &err).await;
        return Err(err.into());
    }
    let outcome = write_tx!(s, audit, |tx| {
        incidents::start_incident(tx, &s.config, new).await?
    });
    Ok(Json(StartIncidentOutput {
        incident_record_arn: outcome.arn().to_owned(),
    }))
}

/// Mirrors GetIncidentRecord (`GET /getIncidentRecord?arn=`).
async fn get_incident_record(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<ArnQuery>,
) -> RestResult<Json<GetIncidentRecordOutput>> {
    let arn = required_arn(q)?;
    read_tx!(s, |tx| {
        let incident = incidents::get_incident_record(tx, &arn).await?;
        Ok(Json(GetIncidentRecordOutput {
            incident_record: incident.record,
        }))
    })
}

/// Mirrors ListIncidentRecords.
async fn list_incident_records(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<ListIncidentRecordsInput>,
) -> RestResult<Json<ListIncidentRecordsOutput>> {
    read_tx!(s, |tx| {
        Ok(Json(incidents::list_incident_records(tx, input).await?))
    })
}

/// Mirrors UpdateIncidentRecord: 204.
async fn update_incident_record(
    Require { caller, .. }: Require<Responder>,
    State(s): State<AppState>,
    RestJson(input): RestJson<UpdateIncidentRecordInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "UpdateIncidentRecord", input.arn.clone());
    write_tx!(s, audit, |tx| {
        incidents::update_incident(tx, &s.config, &caller.principal, input).await?
    });
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors ListTimelineEvents.
async fn list_timeline_events(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<ListTimelineEventsInput>,
) -> RestResult<Json<ListTimelineEventsOutput>> {
    read_tx!(s, |tx| {
        Ok(Json(incidents::list_timeline_events(tx, input).await?))
    })
}

/// Mirrors GetTimelineEvent (`GET /getTimelineEvent?eventId=&incidentRecordArn=`).
async fn get_timeline_event(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<GetTimelineEventInput>,
) -> RestResult<Json<GetTimelineEventOutput>> {
    let missing = |member: &str| {
        ApiError::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    };
    let arn = q
        .incident_record_arn
        .ok_or_else(|| missing("incidentRecordArn"))?;
    let event_id = q.event_id.ok_or_else(|| missing("eventId"))?;
    read_tx!(s, |tx| {
        let event = incidents::get_timeline_event(tx, &arn, &event_id).await?;
        Ok(Json(GetTimelineEventOutput { event }))
    })
}

/// Mirrors ListRelatedItems.
async fn list_related_items(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<ListRelatedItemsInput>,
) -> RestResult<Json<ListRelatedItemsOutput>> {
    read_tx!(s, |tx| {
        Ok(Json(incidents::list_related_items(tx, input).await?))
    })
}

/// Mirrors ListIncidentFindings (see [`crate::domain::findings`]).
async fn list_incident_findings(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::incidents::ListIncidentFindingsInput>,
) -> RestResult<Json<serde_json::Value>> {
    read_tx!(s, |tx| {
        Ok(Json(
            crate::domain::findings::list(
                tx,
                &input.incident_record_arn,
                input.max_results,
                input.next_token.as_deref(),
            )
            .await?,
        ))
    })
}

/// Mirrors BatchGetIncidentFindings (see [`crate::domain::findings`]).
async fn batch_get_incident_findings(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::incidents::BatchGetIncidentFindingsInput>,
) -> RestResult<Json<serde_json::Value>> {
    read_tx!(s, |tx| {
        Ok(Json(
            crate::domain::findings::batch_get(tx, &input.incident_record_arn, &input.finding_ids)
                .await?,
        ))
    })
}

/// Mirrors CreateReplicationSet: 201 `{"arn"}`.
async fn create_replication_set(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::replication::CreateReplicationSetInput>,
) -> RestResult<(
    StatusCode,
    Json<tocsin_api::replication::CreateReplicationSetOutput>,
)> {
    let audit = Audit::new(&caller, "CreateReplicationSet", "replication-set");
    let arn = write_tx!(s, audit, |tx| crate::domain::replication::create(
        tx,
        &s.config.account_id,
        &caller.principal,
        input,
        crate::clock::now()
    )
    .await?);
    Ok((
        StatusCode::CREATED,
        Json(tocsin_api::replication::CreateReplicationSetOutput { arn }),
    ))
}

/// Mirrors GetReplicationSet (`GET /getReplicationSet?arn=`).
async fn get_replication_set(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<ArnQuery>,
) -> RestResult<Json<tocsin_api::replication::GetReplicationSetOutput>> {
    let arn = required_arn(q)?;
    let replication_set = read_tx!(s, |tx| crate::domain::replication::get(tx, &arn).await?);
    Ok(Json(tocsin_api::replication::GetReplicationSetOutput {
        replication_set,
    }))
}

/// Mirrors ListReplicationSets.
async fn list_replication_sets(
    _: Require<Viewer>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::replication::ListReplicationSetsInput>,
) -> RestResult<Json<tocsin_api::replication::ListReplicationSetsOutput>> {
    Ok(Json(read_tx!(s, |tx| crate::domain::replication::list(
        tx, input
    )
    .await?)))
}

/// Mirrors UpdateReplicationSet: 204.
async fn update_replication_set(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::replication::UpdateReplicationSetInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "UpdateReplicationSet", input.arn.clone());
    write_tx!(s, audit, |tx| crate::domain::replication::update(
        tx,
        &caller.principal,
        input,
        crate::clock::now()
    )
    .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors DeleteReplicationSet (`POST /deleteReplicationSet?arn=`): 204.
async fn delete_replication_set(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    Query(q): Query<ArnQuery>,
) -> RestResult<StatusCode> {
    let arn = required_arn(q)?;
    let audit = Audit::new(&caller, "DeleteReplicationSet", arn.clone());
    write_tx!(s, audit, |tx| crate::domain::replication::delete(tx, &arn)
        .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// Mirrors UpdateDeletionProtection: 204.
async fn update_deletion_protection(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(input): RestJson<tocsin_api::replication::UpdateDeletionProtectionInput>,
) -> RestResult<StatusCode> {
    let audit = Audit::new(&caller, "UpdateDeletionProtection", input.arn.clone());
    write_tx!(s, audit, |tx| crate::domain::replication::protect(
        tx,
        &caller.principal,
        input,
        crate::clock::now()
    )
    .await?);
    Ok(StatusCode::NO_CONTENT)
}

/// `PutResourcePolicy`'s and `DeleteResourcePolicy`'s body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyBody {
    resource_arn: Option<String>,
    policy: Option<String>,
    policy_id: Option<String>,
}

fn required(member: &str, value: Option<String>) -> ApiResult<String> {
    value.ok_or_else(|| {
        ApiError::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// Mirrors PutResourcePolicy: `{"policyId"}`.
async fn put_resource_policy(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(body): RestJson<PolicyBody>,
) -> RestResult<Json<serde_json::Value>> {
    let arn = required("resourceArn", body.resource_arn)?;
    let policy = required("policy", body.policy)?;
    let audit = Audit::new(&caller, "PutResourcePolicy", arn.clone());
    let id = write_tx!(s, audit, |tx| crate::domain::policies::put(
        tx,
        &arn,
        &policy,
        crate::clock::now()
    )
    .await?);
    Ok(Json(serde_json::json!({ "policyId": id })))
}

/// Query and body of GetResourcePolicies.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PoliciesQuery {
    resource_arn: Option<String>,
}

/// Mirrors GetResourcePolicies (`POST /getResourcePolicies?resourceArn=`).
async fn get_resource_policies(
    _: Require<Viewer>,
    State(s): State<AppState>,
    Query(q): Query<PoliciesQuery>,
    RestJson(page): RestJson<tocsin_api::replication::ListReplicationSetsInput>,
) -> RestResult<Json<serde_json::Value>> {
    let arn = required("resourceArn", q.resource_arn)?;
    Ok(Json(read_tx!(s, |tx| crate::domain::policies::list(
        tx,
        &arn,
        page.max_results,
        page.next_token.as_deref()
    )
    .await?)))
}

/// Mirrors DeleteResourcePolicy: `{}`.
async fn delete_resource_policy(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(body): RestJson<PolicyBody>,
) -> RestResult<Json<serde_json::Value>> {
    let arn = required("resourceArn", body.resource_arn)?;
    let id = required("policyId", body.policy_id)?;
    let audit = Audit::new(&caller, "DeleteResourcePolicy", arn.clone());
    write_tx!(s, audit, |tx| crate::domain::policies::delete(
        tx, &arn, &id
    )
    .await?);
    Ok(Json(serde_json::json!({})))
}

/// `DeleteIncidentRecord`'s body.
#[derive(Debug, Deserialize)]
struct ArnBody {
    arn: Option<String>,
}

/// Mirrors DeleteIncidentRecord: 204 (also for an incident that does not exist).
async fn delete_incident_record(
    Require { caller, .. }: Require<Admin>,
    State(s): State<AppState>,
    RestJson(body): RestJson<ArnBody>,
) -> RestResult<StatusCode> {
    let arn = required("arn", body.arn)?;
    let audit = Audit::new(&caller, "DeleteIncidentRecord", arn.clone());
    write_tx!(s, audit, |tx| incidents::delete_incident_record(
        tx,
        &arn,
        crate::clock::now()
    )
    .await?);
    Ok(StatusCode::NO_CONTENT)
}
