//! One open incident on the wall.

use leptos::prelude::*;
use tocsin_api::native::WallIncident;
use tocsin_api::timeline::story;

use crate::components::acknowledgement::{AcknowledgeControl, AcknowledgementNote};
use crate::components::impact_badge::ImpactBadge;
use crate::components::wall_row::title_link;
use crate::format::{ago, format_age, impact_class, incident_href, one_line};
use crate::runbook::RunState;

/// Longest latest-entry summary on a card, in characters.
const LATEST_CHARS: usize = 140;

/// `article.incident-card`: title, impact, ticking age, response plan, its runbooks' states
/// (`li.card-runbook`, in words and colour), the acknowledgement in force
/// (`p.acknowledgement`: "Acknowledged by NAME" and the note) and the latest timeline entry;
/// outside kiosk mode, for keys that may acknowledge, an "Acknowledge" control.
#[component]
pub fn IncidentCard(
    /// The incident.
    incident: WallIncident,
    /// Now, in seconds since the epoch (ticks every second).
    #[prop(into)]
    now: Signal<f64>,
    /// Kiosk mode: the title is not a link, and there are no controls.
    #[prop(into)]
    kiosk: Signal<bool>,
    /// Whether the key may acknowledge incidents (responder, admin).
    #[prop(optional)]
    can_ack: bool,
) -> impl IntoView {
    let acknowledgement = incident
        .acknowledgement
        .map(|a| view! { <AcknowledgementNote acknowledgement=a /> });
    let record = incident.incident;
    let created = record.creation_time;
    let href = incident_href(&record.arn);
    let ack_arn = record.arn.clone();
    let title = record.title;
    let runbooks = (!incident.runbooks.is_empty()).then(|| {
        view! {
            <ul class="card-runbooks" aria-label="Runbooks">
                {incident
                    .runbooks
                    .into_iter()
                    .map(|r| {
                        let state = RunState::of(&r.status);
                        let step = (state == RunState::Waiting || state == RunState::Running)
                            .then_some(r.current_step_name)
                            .flatten()
                            .map(|s| format!(" · {s}"));
                        view! {
                            <li
                                class=format!("card-runbook {}", state.class())
                                data-id=r.automation_execution_id
                                data-status=r.status
                            >
                                <span class="card-runbook-name">{r.document_name}</span>
                                " "
                                <span class="card-runbook-state">{state.label()}</span>
                                {step.map(|s| view! { <span class="card-runbook-step">{s}</span> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    });
    // The newest entry as a sentence, and how long ago it happened.
    let latest = incident.latest_timeline_event.map(|e| {
        (
            one_line(&story(&e.event_type, &e.event_data).sentence, LATEST_CHARS),
            e.event_time,
        )
    });
    view! {
        <article
            class=format!("incident-card {}", impact_class(record.impact))
            data-arn=record.arn
        >
            <header class="card-head">
                <ImpactBadge impact=record.impact />
                <span class="age" title="Open for">
                    {move || format_age(now.get() - created)}
                </span>
                {move || {
                    (can_ack && !kiosk.get())
                        .then(|| view! { <AcknowledgeControl incident_arn=ack_arn.clone() /> })
                }}
            </header>
            <h3 class="incident-title">{title_link(title, href, kiosk)}</h3>
            <p class="plan">
                <span class="label">"Plan "</span>
                {incident.response_plan_name}
            </p>
            {runbooks}
            {acknowledgement}
            {latest
                .map(|(sentence, at)| {
                    view! {
                        <p class="latest">
                            {sentence}
                            <span class="latest-ago">{move || format!(" · {}", ago(at, now.get()))}</span>
                        </p>
                    }
                })}
        </article>
    }
}
