//! The response-plan engine: CreateResponsePlan, GetResponsePlan, ListResponsePlans,
//! UpdateResponsePlan and DeleteResponsePlan (ssm-incidents 2018-05-10). Every change is
//! written with its change-feed entry in the caller's transaction.

use tocsin_api::incidents::{
    CreateResponsePlanInput, DeleteResponsePlanInput, GetResponsePlanOutput, IncidentTemplate,
    ListResponsePlansInput, ListResponsePlansOutput, ResponsePlanSummary, UpdateResponsePlanInput,
};
use tocsin_api::native::Change;

use crate::clock;
use crate::config::ServerConfig;
use crate::domain::arns;
use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate::{self, Page};
use crate::store::{StoreError, StoreTx, StoredPlan};

const CREATE_RESPONSE_PLAN: &str = "CreateResponsePlan";

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

/// The unions and nested lists of plans and incidents, as the ssm-incidents 2018-05-10 model
/// constrains them: `chatChannel` sets exactly one of `chatbotSns` (1-5 topic ARNs) and
/// `empty`; each notification target sets `snsTopicArn`; each engagement is an
/// `ssm-contacts` ARN of at most 2,048 characters; each action sets `ssmAutomation`; at most
/// one integration, setting `pagerDutyConfiguration`.
///
/// Errors: `ValidationException` naming the member.
pub(crate) fn check_unions(
    chat: Option<&tocsin_api::incidents::ChatChannel>,
    targets_at: &str,
    targets: Option<&Vec<tocsin_api::incidents::NotificationTargetItem>>,
    engagements: Option<&Vec<String>>,
    actions: Option<&Vec<tocsin_api::incidents::Action>>,
    integrations: Option<&Vec<serde_json::Value>>,
) -> ApiResult<()> {
    let union =
        |at: &str| ApiError::Validation(format!("{at} must set exactly one of its members."));
    if let Some(c) = chat {
        match (&c.chatbot_sns, &c.empty) {
            (Some(topics), None) => {
                validate::list_length("chatChannel.chatbotSns", topics.len(), 1, 5)?;
                for t in topics {
                    validate::arn("chatChannel.chatbotSns.member", t)?;
                }
            }
            (None, Some(_)) => {}
            _ => return Err(union("chatChannel")),
        }
    }
    if let Some(targets) = targets {
        validate::list_length(targets_at, targets.len(), 0, 10)?;
        for t in targets {
            match &t.sns_topic_arn {
                Some(arn) => validate::arn(&format!("{targets_at}.member.snsTopicArn"), arn)?,
                None => return Err(union(&format!("{targets_at}.member"))),
            }
        }
    }
    for e in engagements.into_iter().flatten() {
        validate::length("engagements.member", e, 0, 2048)?;
        validate::arn("engagements.member", e)?;
        if !e.contains(":ssm-contacts:") {
            return Err(ApiError::Validation(format!(
                "1 validation error detected: Value '{e}' at 'engagements.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-cn|-us-gov)?:ssm-contacts:[a-z0-9-]*:([0-9]{{12}}):contact/[a-z0-9_-]+$"
            )));
        }
    }
    for a in actions.into_iter().flatten() {
        if a.ssm_automation.is_none() {
            return Err(union("actions.member"));
        }
    }
    if let Some(list) = integrations {
        validate::list_length("integrations", list.len(), 0, 1)?;
        for i in list {
            let ok = i
                .as_object()
                .is_some_and(|o| o.len() == 1 && o.contains_key("pagerDutyConfiguration"));
            if !ok {
                return Err(union("integrations.member"));
            }
        }
    }
    Ok(())
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

/// Mirrors CreateResponsePlan: returns the new plan's ARN.
///
/// Errors: `ValidationException` (name, template, parts, token); `ConflictException` if the
/// name is taken. A repeated `clientToken` returns the first ARN and writes nothing.
pub async fn create_response_plan(
    tx: &mut dyn StoreTx,
    config: &ServerConfig,
    input: CreateResponsePlanInput,
) -> ApiResult<String> {
    validate::name("name", &input.name, 200, "-_", "^[a-zA-Z0-9-_]*$")?;
    validate_template(&input.incident_template, "incidentTemplate.")?;
    validate_plan_parts(
        input.display_name.as_deref(),
        input.engagements.as_ref(),
        input.actions.as_ref(),
    )?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    check_unions(
        input.chat_channel.as_ref(),
        "incidentTemplate.notificationTargets",
        input.incident_template.notification_targets.as_ref(),
        input.engagements.as_ref(),
        input.actions.as_ref(),
        input.integrations.as_ref(),
    )?;
    if let Some(tags) = &input.tags {
        validate::list_length("tags", tags.len(), 1, 50)?;
        crate::domain::tags::check("tags", tags)?;
    }
    if let Some(tags) = &input.incident_template.incident_tags {
        validate::list_length("incidentTemplate.incidentTags", tags.len(), 1, 50)?;
        crate::domain::tags::check("incidentTemplate.incidentTags", tags)?;
    }
    if let Some(token) = &input.client_token
        && let Some(arn) = tx.client_token(CREATE_RESPONSE_PLAN, token).await?
    {
        return Ok(arn);
    }
    let arn = arns::response_plan(&config.account_id, &input.name);
    let now = clock::now();
    let plan = StoredPlan {
        plan: input.plan(arn.clone()),
        created_at: now,
        updated_at: now,
    };
    tx.insert_plan(&plan).await.map_err(|e| match e {
        StoreError::AlreadyExists(_) => ApiError::Conflict(format!(
            "A response plan named {} already exists.",
            input.name
        )),
        other => other.into(),
    })?;
    if let Some(tags) = &input.tags {
        crate::domain::tags::put(tx, &arn, tags).await?;
    }
    tx.append_change(&Change::ResponsePlanChanged { arn: arn.clone() })
        .await?;
    if let Some(token) = &input.client_token {
        tx.put_client_token(CREATE_RESPONSE_PLAN, token, &arn)
            .await?;
    }
    Ok(arn)
}

/// Mirrors GetResponsePlan. Errors: `ValidationException` for a malformed ARN,
/// `ResourceNotFoundException`.
pub async fn get_response_plan(tx: &mut dyn StoreTx, arn: &str) -> ApiResult<StoredPlan> {
    validate::arn("arn", arn)?;
    tx.plan(arn)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Response plan {arn} does not exist.")))
}

/// Mirrors ListResponsePlans, ordered by name (`maxResults` 1-100).
pub async fn list_response_plans(
    tx: &mut dyn StoreTx,
    input: ListResponsePlansInput,
) -> ApiResult<ListResponsePlansOutput> {
    let page = Page::parse(
        "maxResults",
        input.max_results,
        input.next_token.as_deref(),
        100,
    )?;
    let plans = tx.plans(page.offset, page.limit).await?;
    let next_token = page.next_token(plans.len());
    let response_plan_summaries = plans
        .into_iter()
        .map(|p| ResponsePlanSummary {
            arn: p.plan.arn,
            name: p.plan.name,
            display_name: p.plan.display_name,
        })
        .collect();
    Ok(ListResponsePlansOutput {
        response_plan_summaries,
        next_token,
    })
}

/// Mirrors UpdateResponsePlan: members that are absent stay as they are.
///
/// Errors: `ValidationException`, `ResourceNotFoundException`.
pub async fn update_response_plan(
    tx: &mut dyn StoreTx,
    input: UpdateResponsePlanInput,
) -> ApiResult<()> {
    validate::arn("arn", &input.arn)?;
    validate::opt_length("clientToken", input.client_token.as_deref(), 128)?;
    check_unions(
        input.chat_channel.as_ref(),
        "incidentTemplateNotificationTargets",
        input.incident_template_notification_targets.as_ref(),
        input.engagements.as_ref(),
        input.actions.as_ref(),
        input.integrations.as_ref(),
    )?;
    validate_plan_parts(
        input.display_name.as_deref(),
        input.engagements.as_ref(),
        input.actions.as_ref(),
    )?;
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
        crate::domain::tags::check("incidentTemplateTags", &v)?;
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
    Ok(())
}

/// Mirrors DeleteResponsePlan: succeeds also when the plan does not exist (as AWS does).
/// Returns whether a plan was deleted.
pub async fn delete_response_plan(
    tx: &mut dyn StoreTx,
    input: DeleteResponsePlanInput,
) -> ApiResult<bool> {
    validate::arn("arn", &input.arn)?;
    let deleted = tx.delete_plan(&input.arn).await?;
    if deleted {
        tx.delete_tags(&input.arn).await?;
        tx.delete_policies(&input.arn).await?;
        tx.append_change(&Change::ResponsePlanDeleted { arn: input.arn })
            .await?;
    }
    Ok(deleted)
}

/// A plan Tocsin writes itself (the `--seed-example` plan, the self-watching plan): a name,
/// display name and incident template (title, impact, summary) and nothing else, inserted
/// in `tx` with its `ResponsePlanChanged` feed entry.
///
/// Errors: the store's (a plan of that ARN exists: `AlreadyExists`).
pub async fn insert_simple_plan(
    tx: &mut dyn StoreTx,
    arn: &str,
    name: &str,
    display_name: &str,
    (title, impact, summary): (&str, i32, &str),
) -> Result<(), StoreError> {
    let now = clock::now();
    tx.insert_plan(&StoredPlan {
        plan: GetResponsePlanOutput {
            arn: arn.to_owned(),
            name: name.to_owned(),
            display_name: Some(display_name.to_owned()),
            incident_template: IncidentTemplate {
                title: title.to_owned(),
                impact,
                summary: Some(summary.to_owned()),
                dedupe_string: None,
                notification_targets: None,
                incident_tags: None,
            },
            chat_channel: None,
            engagements: None,
            actions: None,
            integrations: None,
        },
        created_at: now,
        updated_at: now,
    })
    .await?;
    tx.append_change(&Change::ResponsePlanChanged {
        arn: arn.to_owned(),
    })
    .await?;
    Ok(())
}
