//! One incident: fields and metrics, its acknowledgement, runbooks, notes, timeline, related
//! items, tags, findings and recent changes, engagements, delivery log; acknowledge,
//! resolve and edit, write notes, attach items, tag. Live.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use tocsin_api::incidents::{IncidentRecordStatus, RelatedItem, TimelineEvent};
use tocsin_api::native::Acknowledgement;

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::clock::local_datetime;
use crate::components::acknowledgement::{AcknowledgeControl, AcknowledgementNote};
use crate::components::connection_badge::ConnectionBadge;
use crate::components::delivery_log::DeliveryLog;
use crate::components::engagement_progress::EngagementProgress;
use crate::components::error_note::ErrorList;
use crate::components::incident_actions::IncidentEditor;
use crate::components::incident_detail_view::IncidentDetailView;
use crate::components::incident_findings::IncidentFindings;
use crate::components::incident_notes::IncidentNotes;
use crate::components::incident_runbooks::IncidentRunbooks;
use crate::components::incident_tags::IncidentTags;
use crate::components::related_items::RelatedItems;
use crate::components::time_scrubber::TimeScrubber;
use crate::components::timeline::Timeline;
use crate::live::{ChangeFeed, is_about_incident, use_live_resource};
use crate::runbook::{incident_execution_ids, merge_ids};
use crate::use_api;

/// `/incident?arn=…`: refetches whenever the change feed reports a change to this incident
/// (its runbooks' transitions included), and after every (re)connect, since changes may have
/// happened while the stream was not open. Resolve, edit and the runbook controls are there
/// only for keys that may work incidents (responder, admin), and so is "Acknowledge".
///
/// The acknowledgement in force (`section#acknowledgement`) follows the incident; one just
/// made here shows at once, until the incident is read again. The [`EngagementProgress`]
/// follows the incident's engagements and pages.
///
/// The runbooks section sits between two views of the same resource and is not rebuilt by
/// a refetch: each execution in it follows the feed itself, and what is typed there (an
/// approval comment, the start form) survives other changes to the incident. The
/// [`DeliveryLog`] at the end follows the incident's notification deliveries the same way.
///
/// Notes ([`IncidentNotes`]) and related items ([`RelatedItems`]) follow the incident as last
/// fetched (kept through a failed refetch) and, like [`IncidentTags`], are changed only by
/// keys that may work incidents; the incident is read again after each change they make.
/// [`IncidentFindings`] reads findings and recent changes again when the related resources
/// change.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let can_work = may(role, Control::WorkIncident);
    let can_run = may(role, Control::RunRunbooks);
    let can_ack = may(role, Control::AcknowledgeIncidents);
    let api = use_api();
    let query = use_query_map();
    let arn = Memo::new(move |_| query.with(|q| q.get("arn")).unwrap_or_default());

    let feed = ChangeFeed::new(api.clone());
    let fetch_api = api.clone();
    let detail = use_live_resource(
        feed,
        move || {
            let arn = arn.get();
            let api = fetch_api.clone();
            async move {
                if arn.is_empty() {
                    return Err(ApiError::Http {
                        status: 400,
                        error_type: None,
                        message: "No incident ARN in the address (expected ?arn=…).".to_owned(),
                    });
                }
                api.incident_detail(&arn).await
            }
        },
        move |entry| {
            arn.try_with_untracked(|a| is_about_incident(entry, a))
                .unwrap_or(false)
        },
    );
    feed.start(None);

    let refresh = Callback::new(move |()| detail.refetch());
    // The timeline and related items as last fetched (kept through a failed refetch), and
    // the ARNs among the related items (what findings are about).
    let timeline = Memo::new(move |previous: Option<&Vec<TimelineEvent>>| {
        detail.with(|d| match d {
            Some(Ok(d)) => d.timeline_events.clone(),
            _ => previous.cloned().unwrap_or_default(),
        })
    });
    // When the incident opened (the timeline scrubber's horizon), as last fetched.
    let created = Memo::new(move |previous: Option<&Option<f64>>| {
        detail.with(|d| match d {
            Some(Ok(d)) => Some(d.incident.incident.creation_time),
            _ => previous.copied().flatten(),
        })
    });
    let related = Memo::new(move |previous: Option<&Vec<RelatedItem>>| {
        detail.with(|d| match d {
            Some(Ok(d)) => d.related_items.clone(),
            _ => previous.cloned().unwrap_or_default(),
        })
    });
    let related_arns = Memo::new(move |_| {
        related.with(|items| {
            items
                .iter()
                .filter_map(|i| i.identifier.value.arn.clone())
                .collect::<Vec<_>>()
        })
    });
    let notes_api = api.clone();
    let related_api = api.clone();
    let tags_api = api.clone();
    let findings_api = api.clone();
    let log_api = api.clone();
    let engagements_api = api.clone();
    let editor = IncidentEditor::new(api.clone(), refresh);

    // The incident's executions: those the server knows (kept through a failed refetch),
    // then any started from this page (a runbook started by hand names the incident only in
    // its parameters).
    let known_ids = Memo::new(move |previous: Option<&Vec<String>>| {
        detail.with(|d| match d {
            Some(Ok(d)) => incident_execution_ids(&d.incident),
            _ => previous.cloned().unwrap_or_default(),
        })
    });
    // The acknowledgement as last fetched (`None` until the incident loaded), one made here
    // since, and whether the incident is open.
    let fetched_ack = Memo::new(move |previous: Option<&Option<Option<Acknowledgement>>>| {
        detail.with(|d| match d {
            Some(Ok(d)) => Some(d.incident.acknowledgement.clone()),
            _ => previous.cloned().flatten(),
        })
    });
    let just_acked = RwSignal::new(None::<Acknowledgement>);
    Effect::watch(
        move || fetched_ack.get(),
        move |_, _, _| just_acked.set(None),
        false,
    );
    let shown_ack =
        Signal::derive(move || just_acked.get().or_else(|| fetched_ack.get().flatten()));
    let is_open = Memo::new(move |previous: Option<&bool>| {
        detail.with(|d| match d {
            Some(Ok(d)) => d.incident.incident.status == IncidentRecordStatus::Open,
            _ => previous.copied().unwrap_or(false),
        })
    });
    let on_acked = Callback::new(move |ack: Acknowledgement| just_acked.set(Some(ack)));

    let started_here = RwSignal::new(Vec::<String>::new());
    let execution_ids = Signal::derive(move || merge_ids(&known_ids.get(), &started_here.get()));
    // Time travel on the timeline: the moment shown (`None`: now) and a ticking now.
    let scrub_at = RwSignal::new(None::<f64>);
    let scrub_now = RwSignal::new(crate::clock::now_secs());
    let scrub_tick =
        send_wrapper::SendWrapper::new(gloo_timers::callback::Interval::new(1_000, move || {
            scrub_now.try_set(crate::clock::now_secs());
        }));
    on_cleanup(move || drop(scrub_tick));
    let loaded = Memo::new(move |previous: Option<&bool>| {
        previous.copied().unwrap_or(false) || detail.with(|d| matches!(d, Some(Ok(_))))
    });
    Effect::watch(
        move || arn.get(),
        move |_, _, _| started_here.set(Vec::new()),
        false,
    );
    let on_started = Callback::new(move |id: String| {
        started_here.update(|ids| {
            if !ids.contains(&id) {
                ids.push(id);
            }
        });
    });

    view! {
        <section class="page incident-page">
            <div class="page-status">
                <ConnectionBadge state=feed.state() />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        detail.await.map(|d| view! { <IncidentDetailView detail=d editor can_work /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <Show when=move || loaded.get()>
                <section class="ack-section" id="acknowledgement" aria-label="Acknowledgement">
                    {move || match shown_ack.get() {
                        Some(a) => view! { <AcknowledgementNote acknowledgement=a /> }.into_any(),
                        None => {
                            view! { <p class="muted" id="not-acknowledged">"Not acknowledged."</p> }
                                .into_any()
                        }
                    }}
                    {can_ack
                        .then(|| {
                            view! {
                                <Show when=move || is_open.get()>
                                    <AcknowledgeControl incident_arn=arn on_done=on_acked />
                                </Show>
                            }
                        })}
                </section>
            </Show>
            <Show when=move || loaded.get()>
                <IncidentRunbooks
                    api=api.clone()
                    feed=feed
                    incident_arn=arn
                    execution_ids=execution_ids
                    can_run=can_run
                    on_started=on_started
                />
            </Show>
            <Show when=move || loaded.get()>
                <IncidentNotes
                    api=notes_api.clone()
                    incident_arn=arn
                    timeline=timeline
                    can_work=can_work
                    on_changed=refresh
                />
            </Show>
            // Not inside a `Transition`: one keeps the old view on screen while a refetch is
            // pending, after what its closure created (the scrubber's signals) was disposed,
            // and the next clock tick then read a disposed signal (a panic).
            <Show when=move || loaded.get()>
                <h2>"Timeline"</h2>
                <TimeScrubber id="incident-scrub" at=scrub_at horizon=created now=scrub_now />
                {move || {
                    scrub_at
                        .get()
                        .map(|t| {
                            let (known, total) = timeline
                                .with(|events| (entries_until(events, Some(t)).len(), events.len()));
                            view! {
                                <p class="as-it-stood-line" role="status">
                                    <span class="as-it-stood" id="timeline-as-it-stood">
                                        {format!(
                                            "As it stood at {}: {known} of {total} entries",
                                            local_datetime(t),
                                        )}
                                    </span>
                                </p>
                            }
                        })
                }}
                {move || {
                    let at = scrub_at.get();
                    view! { <Timeline events=timeline.with(|events| entries_until(events, at)) /> }
                }}
            </Show>
            <Show when=move || loaded.get()>
                <RelatedItems
                    api=related_api.clone()
                    incident_arn=arn
                    items=related
                    can_work=can_work
                    on_changed=refresh
                />
                <IncidentTags
                    api=tags_api.clone()
                    feed=feed
                    incident_arn=arn
                    can_work=can_work
                />
                <IncidentFindings
                    api=findings_api.clone()
                    feed=feed
                    incident_arn=arn
                    resources=related_arns
                />
            </Show>
            <Show when=move || loaded.get()>
                <EngagementProgress api=engagements_api.clone() feed=feed incident_arn=arn />
            </Show>
            <Show when=move || loaded.get()>
                <DeliveryLog api=log_api.clone() feed=feed incident_arn=arn />
            </Show>
        </section>
    }
}

/// The timeline entries that had happened by `at` (epoch seconds; `None`: all of them).
fn entries_until(events: &[TimelineEvent], at: Option<f64>) -> Vec<TimelineEvent> {
    events
        .iter()
        .filter(|e| at.is_none_or(|t| e.event_time <= t))
        .cloned()
        .collect()
}
