//! Maintenance: the windows that hold back what matching events would start, and the
//! heartbeats that expect events to keep coming.

use leptos::prelude::*;
use tocsin_api::native::Change;
use tocsin_api::receivers::MaintenanceWindow;

use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::connection_badge::ConnectionBadge;
use crate::components::create_window_form::CreateWindowForm;
use crate::components::heartbeats::Heartbeats;
use crate::components::list_status::{KeptList, ListStatus};
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
    let kept = KeptList::new(windows, |l| l.sort_by(compare_windows));
    let list = kept.list;

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
                <ListStatus list=kept error_id="windows-error" empty_id="no-windows" empty="No maintenance windows." />
                <div id="window-list">
                    <For
                        each=move || list.get()
                        key=|w| w.id.clone()
                        children={
                            let api = api.clone();
                            move |w: MaintenanceWindow| {
                                let window = kept.follow(w, |a, b| a.id == b.id);
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
