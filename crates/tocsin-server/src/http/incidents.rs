//! The `ssm-incidents` rest-json operations (API 2018-05-10): response plans, incidents,
//! timeline and related items. Paths, methods and success codes follow the botocore model.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tocsin_api::incidents::{
    CreateResponsePlanInput, CreateResponsePlanOutput, DeleteResponsePlanInput, EventSummary,
    GetIncidentRecordOutput, GetResponsePlanOutput, IncidentRecordStatus, IncidentRecordSummary,
    IncidentTemplate, ListIncidentRecordsInput, ListIncidentRecordsOutput, ListRelatedItemsInput,
    ListRelatedItemsOutput, ListResponsePlansInput, ListResponsePlansOutput,
    ListTimelineEventsInput, ListTimelineEventsOutput, ResponsePlanSummary, StartIncidentInput,
    StartIncidentOutput, TriggerDetails, UpdateIncidentRecordInput, UpdateResponsePlanInput,
};
use tocsin_api::native::Change;

use crate::arns;
use crate::auth::{Caller, Role};
use crate::clock;
use crate::error::{ApiError, ApiResult, RestJsonError, parse_body};
use crate::incidents::{self, MANUAL_SOURCE, NewIncident};
use crate::state::AppState;
use crate::store::{IncidentQuery, StoredPlan};
use crate::validate::{self, Page};

type RestResult = Result<Response, RestJsonError>;

/// The rest-json routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/createResponsePlan", post(create_response_plan))
        .route("/getResponsePlan", get(get_response_plan))
        .route("/listResponsePlans", post(list_response_plans))
        .route("/updateResponsePlan", post(update_response_plan))
        .route("/deleteResponsePlan", post(delete_response_plan))
        .route("/startIncident", post(start_incident))
        .route("/getIncidentRecord", get(get_incident_record))
        .route("/listIncidentRecords", post(list_incident_records))
        .route("/updateIncidentRecord", post(update_incident_record))
        .route("/listTimelineEvents", post(list_timeline_events))
        .route("/listRelatedItems", post(list_related_items))
}

/// The `?arn=` query of the GET operations.
#[derive(Debug, Deserialize)]
pub struct ArnQuery {
    arn: Option<String>,
}

fn required_arn(q: ArnQuery) -> ApiResult<String> {
    let arn = q.arn.ok_or_else(|| {
        ApiError::Validation("1 validation error detected: Value null at 'arn' failed to satisfy constraint: Member must not be null".into())
    })?;
    validate::arn("arn", &arn)?;
    Ok(arn)
}

fn validate_template(t: &IncidentTemplate, prefix: &str) -> ApiResult<()> {
    validate::length(&format!("{prefix}title"), &t.title, 0, 200)?;
    validate::impact(&format!("{prefix}impact"), t.impact)?;
    validate::opt_length(&format!("{prefix}summary"), t.summary.as_deref(), 8000)?;
    validate::opt_length(
        &format!("{prefix}dedupeString"),
        t.dedupe_string.as_deref(),
        1000,
    )?;
    validate::list_length(
        &format!("{prefix}notificationTargets"),
        t.notification_targets.as_ref().map_or(0, Vec::len),
        0,
        10,
    )
}

fn validate_plan_parts(
    display_name: Option<&str>,
    engagements: Option<&Vec<String>>,
    actions: Option<&Vec<tocsin_api::incidents::Action>>,
) -> ApiResult<()> {
    validate::opt_length("displayName", display_name, 200)?;
    validate::list_length("engagements", engagements.map_or(0, Vec::len), 0, 5)?;
    validate::list_length("actions", actions.map_or(0, Vec::len), 0, 1)
}

/// Mirrors CreateResponsePlan: 201 with the new ARN; `ConflictException` if the name is
/// taken; a repeated `clientToken` returns the first ARN.
async fn create_response_plan(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Admin)?;
    let input: CreateResponsePlanInput = parse_body(&body)?;
    validate::name("name", &input.name, 200, "-_", "^[a-zA-Z0-9-_]*$")?;
    validate_template(&input.incident_template, "incidentTemplate.")?;
    validate_plan_parts(
        input.display_name.as_deref(),
        input.engagements.as_ref(),
        input.actions.as_ref(),
    )?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    let mut tx = state.store.write().await?;
    if let Some(token) = &input.client_token
        && let Some(arn) = tx.client_token("CreateResponsePlan", token).await?
    {
        return Ok((StatusCode::CREATED, Json(CreateResponsePlanOutput { arn })).into_response());
    }
    let arn = arns::response_plan(&state.config.account_id, &input.name);
    let now = clock::now();
    let plan = StoredPlan {
        plan: GetResponsePlanOutput {
            arn: arn.clone(),
            name: input.name.clone(),
            incident_template: input.incident_template,
            display_name: input.display_name,
            chat_channel: input.chat_channel,
            engagements: input.engagements,
            actions: input.actions,
            integrations: input.integrations,
        },
        created_at: now,
        updated_at: now,
    };
    tx.insert_plan(&plan).await.map_err(|e| match e {
        crate::store::StoreError::AlreadyExists(_) => ApiError::Conflict(format!(
            "A response plan named {} already exists.",
            input.name
        )),
        other => other.into(),
    })?;
    tx.append_change(&Change::ResponsePlanChanged { arn: arn.clone() })
        .await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token("CreateResponsePlan", token, &arn)
            .await?;
    }
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(CreateResponsePlanOutput { arn })).into_response())
}

async fn load_plan(state: &AppState, arn: &str) -> ApiResult<StoredPlan> {
    state
        .store
        .read()
        .await?
        .plan(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Response plan {arn} does not exist.")))
}

/// Mirrors GetResponsePlan (`GET /getResponsePlan?arn=`).
async fn get_response_plan(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ArnQuery>,
) -> RestResult {
    caller.require(Role::Viewer)?;
    let arn = required_arn(q)?;
    Ok(Json(load_plan(&state, &arn).await?.plan).into_response())
}

/// Mirrors ListResponsePlans, ordered by name.
async fn list_response_plans(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Viewer)?;
    let input: ListResponsePlansInput = parse_body(&body)?;
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    let plans = state
        .store
        .read()
        .await?
        .plans(page.offset, page.limit)
        .await?;
    let next_token = page.next_token(plans.len());
    let response_plan_summaries = plans
        .into_iter()
        .map(|p| ResponsePlanSummary {
            arn: p.plan.arn,
            name: p.plan.name,
            display_name: p.plan.display_name,
        })
        .collect();
    Ok(Json(ListResponsePlansOutput {
        response_plan_summaries,
        next_token,
    })
    .into_response())
}

/// Mirrors UpdateResponsePlan: absent members stay; 204.
async fn update_response_plan(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Admin)?;
    let input: UpdateResponsePlanInput = parse_body(&body)?;
    validate::arn("arn", &input.arn)?;
    validate_plan_parts(
        input.display_name.as_deref(),
        input.engagements.as_ref(),
        input.actions.as_ref(),
    )?;
    let mut tx = state.store.write().await?;
    let mut stored = tx.plan(&input.arn).await?.ok_or_else(|| {
        ApiError::NotFound(format!("Response plan {} does not exist.", input.arn))
    })?;
    let plan = &mut stored.plan;
    let t = &mut plan.incident_template;
    if let Some(v) = input.incident_template_title {
        t.title = v;
    }
    if let Some(v) = input.incident_template_impact {
        t.impact = v;
    }
    validate::overwrite(&mut t.summary, input.incident_template_summary);
    validate::overwrite(&mut t.dedupe_string, input.incident_template_dedupe_string);
    validate::overwrite(
        &mut t.notification_targets,
        input.incident_template_notification_targets,
    );
    if let Some(v) = input.incident_template_tags {
        t.incident_tags = (!v.is_empty()).then_some(v);
    }
    validate_template(t, "incidentTemplate")?;
    validate::overwrite(&mut plan.display_name, input.display_name);
    validate::overwrite(&mut plan.chat_channel, input.chat_channel);
    validate::overwrite(&mut plan.engagements, input.engagements);
    validate::overwrite(&mut plan.actions, input.actions);
    validate::overwrite(&mut plan.integrations, input.integrations);
    stored.updated_at = clock::now();
    tx.update_plan(&stored).await?;
    tx.append_change(&Change::ResponsePlanChanged { arn: input.arn })
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Mirrors DeleteResponsePlan: 204, also when the plan does not exist (as AWS).
async fn delete_response_plan(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Admin)?;
    let input: DeleteResponsePlanInput = parse_body(&body)?;
    validate::arn("arn", &input.arn)?;
    let mut tx = state.store.write().await?;
    if tx.delete_plan(&input.arn).await? {
        tx.append_change(&Change::ResponsePlanDeleted { arn: input.arn })
            .await?;
        tx.commit().await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Mirrors StartIncident: opens (or dedupes into, or replays) an incident.
async fn start_incident(State(state): State<AppState>, caller: Caller, body: Bytes) -> RestResult {
    caller.require(Role::Responder)?;
    let input: StartIncidentInput = parse_body(&body)?;
    let new = NewIncident {
        response_plan_arn: input.response_plan_arn,
        title: input.title,
        impact: input.impact,
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
    incidents::validate_new_incident(&new)?;
    let mut tx = state.store.write().await?;
    let outcome = incidents::start_incident(tx.as_mut(), &state.config, new).await?;
    tx.commit().await?;
    Ok(Json(StartIncidentOutput {
        incident_record_arn: outcome.arn().to_owned(),
    })
    .into_response())
}

/// Mirrors GetIncidentRecord (`GET /getIncidentRecord?arn=`).
async fn get_incident_record(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ArnQuery>,
) -> RestResult {
    caller.require(Role::Viewer)?;
    let arn = required_arn(q)?;
    let incident = state
        .store
        .read()
        .await?
        .incident(&arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Incident record {arn} does not exist.")))?;
    Ok(Json(GetIncidentRecordOutput {
        incident_record: incident.record,
    })
    .into_response())
}

fn incident_query(input: &ListIncidentRecordsInput) -> ApiResult<IncidentQuery> {
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    let mut q = IncidentQuery {
        limit: page.limit,
        offset: page.offset,
        ..Default::default()
    };
    let filters = input.filters.as_deref().unwrap_or_default();
    validate::list_length("filters", filters.len(), 0, 5)?;
    for f in filters {
        let c = &f.condition;
        match f.key.as_str() {
            "status" => {
                for s in c
                    .equals
                    .as_ref()
                    .and_then(|e| e.string_values.as_ref())
                    .into_iter()
                    .flatten()
                {
                    q.statuses.push(match s.as_str() {
                        "OPEN" => IncidentRecordStatus::Open,
                        "RESOLVED" => IncidentRecordStatus::Resolved,
                        other => {
                            return Err(ApiError::Validation(format!(
                                "Invalid status filter value '{other}': expected OPEN or RESOLVED."
                            )));
                        }
                    });
                }
            }
            "impact" => {
                for i in c
                    .equals
                    .as_ref()
                    .and_then(|e| e.integer_values.as_ref())
                    .into_iter()
                    .flatten()
                {
                    q.impacts.push(i32::try_from(*i).map_err(|_| {
                        ApiError::Validation(format!("Invalid impact filter value {i}."))
                    })?);
                }
            }
            "creationTime" => {
                q.created_after = c.after.or(q.created_after);
                q.created_before = c.before.or(q.created_before);
            }
            other => {
                return Err(ApiError::Validation(format!(
                    "Unsupported filter key '{other}': use status, impact or creationTime."
                )));
            }
        }
    }
    Ok(q)
}

/// Mirrors ListIncidentRecords, newest first; filters `status`, `impact`, `creationTime`.
async fn list_incident_records(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Viewer)?;
    let input: ListIncidentRecordsInput = parse_body(&body)?;
    let q = incident_query(&input)?;
    let rows = state.store.read().await?.incidents(&q).await?;
    let next_token = Page {
        offset: q.offset,
        limit: q.limit,
    }
    .next_token(rows.len());
    let incident_record_summaries = rows
        .into_iter()
        .map(|i| {
            let r = i.record;
            IncidentRecordSummary {
                arn: r.arn,
                title: r.title,
                impact: r.impact,
                status: r.status,
                creation_time: r.creation_time,
                incident_record_source: r.incident_record_source,
                resolved_time: r.resolved_time,
            }
        })
        .collect();
    Ok(Json(ListIncidentRecordsOutput {
        incident_record_summaries,
        next_token,
    })
    .into_response())
}

/// Mirrors UpdateIncidentRecord: 204.
async fn update_incident_record(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Responder)?;
    let input: UpdateIncidentRecordInput = parse_body(&body)?;
    let mut tx = state.store.write().await?;
    incidents::update_incident(tx.as_mut(), &caller.principal, input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn require_incident(state: &AppState, arn: &str) -> ApiResult<()> {
    validate::arn("incidentRecordArn", arn)?;
    match state.store.read().await?.incident(arn).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound(format!(
            "Incident record {arn} does not exist."
        ))),
    }
}

/// Mirrors ListTimelineEvents: sorted by event time (`sortOrder` ASCENDING by default);
/// filters `eventType` (stringValues) and `eventTime` (before/after).
async fn list_timeline_events(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Viewer)?;
    let input: ListTimelineEventsInput = parse_body(&body)?;
    require_incident(&state, &input.incident_record_arn).await?;
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    if let Some(s) = input.sort_by.as_deref().filter(|s| *s != "EVENT_TIME") {
        return Err(ApiError::Validation(format!("1 validation error detected: Value '{s}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [EVENT_TIME]")).into());
    }
    let descending = match input.sort_order.as_deref() {
        None | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(s) => return Err(ApiError::Validation(format!("1 validation error detected: Value '{s}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [ASCENDING, DESCENDING]")).into()),
    };
    let mut events = state
        .store
        .read()
        .await?
        .timeline_events(&input.incident_record_arn)
        .await?;
    for f in input.filters.as_deref().unwrap_or_default() {
        let c = &f.condition;
        match f.key.as_str() {
            "eventType" => {
                let wanted = c
                    .equals
                    .as_ref()
                    .and_then(|e| e.string_values.clone())
                    .unwrap_or_default();
                events.retain(|e| wanted.contains(&e.event_type));
            }
            "eventTime" => events.retain(|e| {
                c.after.is_none_or(|a| e.event_time > a)
                    && c.before.is_none_or(|b| e.event_time < b)
            }),
            other => {
                return Err(ApiError::Validation(format!(
                    "Unsupported filter key '{other}': use eventType or eventTime."
                ))
                .into());
            }
        }
    }
    if descending {
        events.reverse();
    }
    let (events, next_token) = page.slice(events);
    let event_summaries: Vec<EventSummary> = events
        .into_iter()
        .map(|e| EventSummary {
            event_id: e.event_id,
            incident_record_arn: e.incident_record_arn,
            event_time: e.event_time,
            event_updated_time: e.event_updated_time,
            event_type: e.event_type,
            event_references: e.event_references,
        })
        .collect();
    Ok(Json(ListTimelineEventsOutput {
        event_summaries,
        next_token,
    })
    .into_response())
}

/// Mirrors ListRelatedItems, in the order items were attached.
async fn list_related_items(
    State(state): State<AppState>,
    caller: Caller,
    body: Bytes,
) -> RestResult {
    caller.require(Role::Viewer)?;
    let input: ListRelatedItemsInput = parse_body(&body)?;
    require_incident(&state, &input.incident_record_arn).await?;
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    let items = state
        .store
        .read()
        .await?
        .related_items(&input.incident_record_arn)
        .await?;
    let (related_items, next_token) = page.slice(items);
    Ok(Json(ListRelatedItemsOutput {
        related_items,
        next_token,
    })
    .into_response())
}
