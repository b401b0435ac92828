//! Response plans.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::components::error_note::ErrorList;
use crate::format::plan_edit_href;
use crate::use_api;

/// `/plans`: every response plan, linking to its editor (for admins; others see the list).
#[component]
pub fn PlansPage() -> impl IntoView {
    let can_edit = may(use_auth().role_untracked(), Control::EditPlans);
    let api = use_api();
    let plans = LocalResource::new(move || {
        let api = api.clone();
        async move { api.all_response_plans().await }
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Response plans"</h1>
                {can_edit
                    .then(|| {
                        view! {
                            <A href="/plans/new" attr:id="new-plan" attr:class="button">
                                "New response plan"
                            </A>
                        }
                    })}
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        plans
                            .await
                            .map(|plans| {
                                if plans.is_empty() {
                                    return view! {
                                        <p class="muted">"No response plans yet."</p>
                                    }
                                        .into_any();
                                }
                                view! {
                                    <table class="list" id="plan-list">
                                        <thead>
                                            <tr>
                                                <th>"Name"</th>
                                                <th>"Display name"</th>
                                                <th>"ARN"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {plans
                                                .into_iter()
                                                .map(|p| {
                                                    let href = plan_edit_href(&p.arn);
                                                    let row_arn = p.arn.clone();
                                                    view! {
                                                        <tr data-arn=row_arn>
                                                            <td>
                                                                {if can_edit {
                                                                    view! { <A href=href>{p.name}</A> }.into_any()
                                                                } else {
                                                                    p.name.into_any()
                                                                }}
                                                            </td>
                                                            <td>{p.display_name.unwrap_or_default()}</td>
                                                            <td class="mono">{p.arn}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                                    .into_any()
                            })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
