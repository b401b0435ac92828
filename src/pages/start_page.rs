//! The "Start incident" form.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::incidents::StartIncidentInput;

use crate::api::new_client_token;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::error_note::ErrorNote;
use crate::components::fields::{ImpactSelect, TextField};
use crate::format::incident_href;
use crate::forms::start::{StartForm, plan_label};
use crate::use_api;

/// `/start`: pick a response plan, optionally override title and impact, start.
/// Every submission carries a fresh `clientToken`. A key whose role cannot start incidents
/// gets a note instead of the form.
#[component]
pub fn StartPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    if !may(role, Control::StartIncident) {
        return view! {
            <section class="page">
                <h1>"Start incident"</h1>
                <p class="note" id="start-denied">{cannot_message(role, "start incidents")}</p>
            </section>
        }
        .into_any();
    }
    let api = use_api();
    let plan = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let impact = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);

    let list_api = api.clone();
    let plans = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.all_response_plans().await }
    });
    // Preselect the first plan once the list arrives.
    Effect::new(move |_| {
        if let Some(Ok(list)) = plans.get()
            && plan.with_untracked(String::is_empty)
            && let Some(first) = list.first()
        {
            plan.set(first.arn.clone());
        }
    });

    let start = Action::new_local(move |input: &StartIncidentInput| {
        let api = api.clone();
        let input = input.clone();
        async move { api.start_incident(&input).await }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = StartForm {
            plan_arn: plan.get_untracked(),
            title: title.get_untracked(),
            impact: impact.get_untracked(),
        };
        match form.input(new_client_token()) {
            Ok(input) => {
                form_error.set(None);
                start.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let plan_options = move || match plans.get() {
        None => view! { <option value="" disabled=true>"Loading plans…"</option> }.into_any(),
        Some(Err(_)) => view! { <option value="">"(could not load plans)"</option> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <option value="">"(no response plans: create one first)"</option> }.into_any()
        }
        Some(Ok(list)) => list
            .iter()
            .map(|p| {
                let arn = p.arn.clone();
                let selected_arn = arn.clone();
                view! {
                    <option value=arn selected=move || plan.with(|x| *x == selected_arn)>
                        {plan_label(p)}
                    </option>
                }
            })
            .collect_view()
            .into_any(),
    };

    view! {
        <section class="page">
            <h1>"Start incident"</h1>
            <form class="form" id="start-form" on:submit=on_submit>
                <label for="plan">"Response plan"</label>
                <select
                    id="plan"
                    name="plan"
                    required
                    on:change=move |ev| plan.set(event_target_value(&ev))
                    prop:value=move || plan.get()
                >
                    {plan_options}
                </select>
                <TextField
                    id="title"
                    label="Title (optional: overrides the plan's)"
                    value=title
                    maxlength="200"
                />
                <ImpactSelect id="impact" label="Impact" value=impact default_label="Plan default" />
                <div class="actions">
                    <button type="submit" id="start-submit" disabled=move || start.pending().get()>
                        {move || if start.pending().get() { "Starting…" } else { "Start incident" }}
                    </button>
                </div>
            </form>
            {move || {
                plans
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="plans-error" message=e.to_string() /> })
            }}
            {move || form_error.get().map(|m| view! { <ErrorNote id="start-error" message=m /> })}
            {move || {
                start
                    .value()
                    .get()
                    .map(|result| match result {
                        Ok(out) => {
                            view! {
                                <p class="ok" id="start-result" role="status">
                                    "Incident started: "
                                    <A href=incident_href(&out.incident_record_arn)>
                                        <span id="new-incident-link">{out.incident_record_arn.clone()}</span>
                                    </A>
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! { <ErrorNote id="start-error" message=e.to_string() /> }.into_any()
                        }
                    })
            }}
        </section>
    }
    .into_any()
}
