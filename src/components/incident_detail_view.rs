//! The head of the incident detail page: title, status, actions, fields and response
//! metrics.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::incidents::IncidentRecordStatus;
use tocsin_api::native::IncidentDetail;

use crate::clock::local_datetime;
use crate::components::impact_badge::ImpactBadge;
use crate::components::incident_actions::{IncidentActions, IncidentEditor};
use crate::format::{encode_component, metric_duration};

/// The head of the detail page for one fetched [`IncidentDetail`] (its runbooks, timeline
/// and related items follow it on the page).
#[component]
pub fn IncidentDetailView(
    /// What `GET /v1/incident` returned.
    detail: IncidentDetail,
    /// The page's editing state.
    editor: IncidentEditor,
    /// Whether the key may resolve and edit (otherwise no actions are shown).
    can_work: bool,
) -> impl IntoView {
    let record = detail.incident.incident.clone();
    let is_open = record.status == IncidentRecordStatus::Open;
    view! {
        <header class="detail-head">
            <h1 class="incident-title" id="incident-title">{record.title.clone()}</h1>
            <div class="detail-badges">
                <ImpactBadge impact=record.impact />
                <span class=if is_open { "status status-open" } else { "status status-resolved" } id="incident-status">
                    {record.status.as_str()}
                </span>
            </div>
        </header>
        {can_work.then(|| view! { <IncidentActions detail=detail.clone() editor /> })}
        <dl class="fields">
            <dt>"ARN"</dt>
            <dd class="mono">{record.arn.clone()}</dd>
            <dt>"Response plan"</dt>
            <dd>
                <A
                    href=format!(
                        "/plans/edit?arn={}",
                        encode_component(&detail.incident.response_plan_arn),
                    )
                    attr:id="incident-plan-link"
                >
                    {detail.incident.response_plan_name.clone()}
                </A>
            </dd>
            <dt>"Opened"</dt>
            <dd>{local_datetime(record.creation_time)}</dd>
            <dt>"Resolved"</dt>
            <dd>{record.resolved_time.map(local_datetime).unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Last modified"</dt>
            <dd>
                {format!("{} by {}", local_datetime(record.last_modified_time), record.last_modified_by)}
            </dd>
            <dt>"Source"</dt>
            <dd>
                {format!(
                    "{} (created by {})",
                    record.incident_record_source.source, record.incident_record_source.created_by,
                )}
            </dd>
            <dt>"Dedupe string"</dt>
            <dd class="mono">{record.dedupe_string.clone()}</dd>
            <dt>"Time to first acknowledgement"</dt>
            <dd id="metric-time-to-acknowledge">
                {metric_duration(detail.metrics.time_to_first_acknowledgement)}
            </dd>
            <dt>"Time to resolve"</dt>
            <dd id="metric-time-to-resolve">{metric_duration(detail.metrics.time_to_resolve)}</dd>
            <dt>"Summary"</dt>
            <dd class="summary">{record.summary.clone().unwrap_or_else(|| "—".to_owned())}</dd>
        </dl>
    }
}
