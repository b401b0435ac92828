//! Integrations (admin): outbound webhooks that runbooks call, and the roles service
//! principals act with.

use leptos::prelude::*;

use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::outbound_webhooks::OutboundWebhooks;
use crate::components::service_roles::ServiceRoles;

/// `/integrations`: the "Outbound webhooks" section ([`OutboundWebhooks`]: names only, the
/// URL and headers being write-only secrets) and the "Service roles" section
/// ([`ServiceRoles`]). Admins only; any other key is told so and sees nothing of either.
#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    if !may(role, Control::ManageIntegrations) {
        return view! {
            <section class="page">
                <h1>"Integrations"</h1>
                <p class="note" id="integrations-denied">
                    {cannot_message(role, "manage integrations (outbound webhooks and service roles)")}
                </p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="page integrations-page">
            <h1>"Integrations"</h1>
            <p class="hint">
                "What runbooks reach outside Tocsin, and with which role they act inside it."
            </p>
            <OutboundWebhooks />
            <ServiceRoles />
        </section>
    }
    .into_any()
}
