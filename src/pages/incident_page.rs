//! One incident: fields, timeline, related items; resolve and edit. Live.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::components::connection_badge::ConnectionBadge;
use crate::components::error_note::ErrorList;
use crate::components::incident_actions::IncidentEditor;
use crate::components::incident_detail_view::IncidentDetailView;
use crate::live::{ChangeFeed, is_about_incident, use_live_resource};
use crate::use_api;

/// `/incident?arn=…`: refetches whenever the change feed reports a change to this incident,
/// and after every (re)connect, since changes may have happened while the stream was not open.
/// Resolve and edit are there only for keys that may work incidents (responder, admin).
#[component]
pub fn IncidentPage() -> impl IntoView {
    let can_work = may(use_auth().role_untracked(), Control::WorkIncident);
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
    let editor = IncidentEditor::new(api, refresh);

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
        </section>
    }
}
