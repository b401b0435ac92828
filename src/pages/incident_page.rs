//! One incident: fields, timeline, related items; resolve and edit. Live.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::ApiError;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::error_note::ErrorList;
use crate::components::incident_actions::IncidentEditor;
use crate::components::incident_detail_view::IncidentDetailView;
use crate::sse::{ChangeFeed, ConnectionState};
use crate::use_api;
use crate::wall_state::change_incident_arn;

/// `/incident?arn=…`: refetches whenever the change feed reports a change to this incident.
#[component]
pub fn IncidentPage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let arn = Memo::new(move |_| query.with(|q| q.get("arn")).unwrap_or_default());
    let version = RwSignal::new(0u64);

    let fetch_api = api.clone();
    let detail = LocalResource::new(move || {
        version.track();
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
    });

    // Live: refetch on any change about this incident, and after every (re)connect, since
    // changes may have happened while the stream was not open.
    let feed = ChangeFeed::new(api.clone(), move |entry| {
        let mine = arn
            .try_with_untracked(|a| change_incident_arn(&entry.change) == Some(a.as_str()))
            .unwrap_or(false);
        if mine {
            version.try_update(|v| *v += 1);
        }
    });
    feed.start(None);
    let state = feed.state();
    Effect::watch(
        move || state.get(),
        move |now, before, _| {
            if *now == ConnectionState::Live && before.is_some_and(|b| *b != ConnectionState::Live)
            {
                version.update(|v| *v += 1);
            }
        },
        false,
    );

    let refresh = Callback::new(move |()| version.update(|v| *v += 1));
    let editor = IncidentEditor::new(api, refresh);

    view! {
        <section class="page incident-page">
            <div class="page-status">
                <ConnectionBadge state=state />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        detail.await.map(|d| view! { <IncidentDetailView detail=d editor /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
