//! Maintenance: the windows that hold back what matching events would start, and the
//! heartbeats that expect events to keep coming.

use leptos::prelude::*;
use tocsin_api::native::Change;
use tocsin_api::receivers::MaintenanceWindow;

use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::connection_badge::ConnectionBadge;
use crate::components::create_window_form::CreateWindowForm;
use crate::components::error_note::ErrorNote;
use crate::components::heartbeats::Heartbeats;
use crate::components::maintenance_window_item::MaintenanceWindowItem;
use crate::live::{ChangeFeed, use_live_resource};
use crate::use_api;
use crate::wall_state::compare_windows;

/// `/maintenance`: for responders the [`CreateWindowForm`], then every maintenance window
/// (`GET /v1/maintenance-windows`: active, upcoming, then ended), one
/// [`MaintenanceWindowItem`] each, keyed by id, in `#window-list`, following
/// `maintenanceWindowChanged`; then the [`Heartbeats`] section, following
/// `heartbeatChanged`. Anyone who can read sees both; responders create and delete windows,
/// admins heartbeats.
#[component]
pub fn MaintenancePage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let can_manage = may(role, Control::ManageMaintenance);
    let can_manage_heartbeats = may(role, Control::ManageHeartbeats);
    let api = use_api();
    let feed = ChangeFeed::new(api.clone());
    let list_api = api.clone();
    let windows = use_live_resource(
        feed,
        move || {
            let api = list_api.clone();
            async move { api.list_maintenance_windows().await }
        },
        |entry| matches!(entry.change, Change::MaintenanceWindowChanged { .. }),
    );
    let refresh = Callback::new(move |()| windows.refetch());

    // The last list that loaded (kept through a failed reload), in display order.
    let list = Memo::new(move |previous: Option<&Vec<MaintenanceWindow>>| {
        windows.with(|r| match r {
            Some(Ok(list)) => {
                let mut list = list.clone();
                list.sort_by(compare_windows);
                list
            }
            _ => previous.cloned().unwrap_or_default(),
        })
    });
    let loaded = Memo::new(move |previous: Option<&bool>| {
        previous.copied().unwrap_or(false) || windows.with(|r| matches!(r, Some(Ok(_))))
    });
    let error = Memo::new(move |_| {
        windows.with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });

    let page = view! {
        <section class="page integrations-page maintenance-page">
            <div class="page-head">
                <h1>"Maintenance"</h1>
                <ConnectionBadge state=feed.state() />
            </div>
            <p class="hint">
                "While a maintenance window is active, events matching its pattern start nothing "
                "(no incidents, runbooks or engagements); when it ends, what is still firing is "
                "opened then."
            </p>
            {(!can_manage)
                .then(|| {
                    view! {
                        <p class="note" id="maintenance-read-only">
                            {cannot_message(role, "create or delete maintenance windows")}
                        </p>
                    }
                })}
            {can_manage.then(|| view! { <CreateWindowForm refresh /> })}
            <section class="integration-section" id="maintenance-windows" aria-labelledby="windows-title">
                <h2 id="windows-title">"Maintenance windows"</h2>
                {move || error.get().map(|m| view! { <ErrorNote id="windows-error" message=m /> })}
                <Show
                    when=move || loaded.get()
                    fallback=move || {
                        error.get().is_none().then(|| view! { <p class="muted">"Loading…"</p> })
                    }
                >
                    <Show when=move || list.with(Vec::is_empty)>
                        <p class="muted" id="no-windows">"No maintenance windows."</p>
                    </Show>
                </Show>
                <div id="window-list">
                    <For
                        each=move || list.get()
                        key=|w| w.id.clone()
                        children={
                            let api = api.clone();
                            move |w: MaintenanceWindow| {
                                let id = w.id.clone();
                                let window = Signal::derive(move || {
                                    list.with(|l| {
                                        l.iter()
                                            .find(|x| x.id == id)
                                            .cloned()
                                            .unwrap_or_else(|| w.clone())
                                    })
                                });
                                view! {
                                    <MaintenanceWindowItem api=api.clone() window refresh can_manage />
                                }
                            }
                        }
                    />
                </div>
            </section>
            <Heartbeats feed can_manage=can_manage_heartbeats />
        </section>
    };
    feed.start(None);
    page
}
