//! One row of the incident list.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::incidents::IncidentRecordSummary;

use crate::clock::local_datetime;
use crate::components::impact_badge::ImpactBadge;
use crate::format::incident_href;

/// A `<tr>` for one incident: impact, title (link), status, opened, resolved, source.
#[component]
pub fn IncidentRow(
    /// The incident.
    record: IncidentRecordSummary,
) -> impl IntoView {
    let href = incident_href(&record.arn);
    let resolved = record.resolved_time.map(local_datetime).unwrap_or_default();
    view! {
        <tr data-arn=record.arn>
            <td>
                <ImpactBadge impact=record.impact />
            </td>
            <td class="incident-title">
                <A href=href>{record.title}</A>
            </td>
            <td>{record.status.as_str()}</td>
            <td>{local_datetime(record.creation_time)}</td>
            <td>{resolved}</td>
            <td>{record.incident_record_source.source}</td>
        </tr>
    }
}
