//! The "Start incident" form.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::incidents::{ResponsePlanSummary, StartIncidentInput};

use crate::api::new_client_token;
use crate::components::error_note::ErrorNote;
use crate::components::impact_select::ImpactSelect;
use crate::format::incident_href;
use crate::use_api;

/// The `StartIncident` input for the form's values; empty overrides are left out.
pub fn start_input(
    plan_arn: &str,
    title: &str,
    impact: &str,
    client_token: String,
) -> Result<StartIncidentInput, String> {
    if plan_arn.is_empty() {
        return Err("Choose a response plan.".to_owned());
    }
    let impact = match impact.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(i) if (1..=5).contains(&i) => Some(i),
            _ => return Err("Choose an impact from 1 to 5.".to_owned()),
        },
    };
    let title = title.trim();
    Ok(StartIncidentInput {
        response_plan_arn: plan_arn.to_owned(),
        client_token: Some(client_token),
        title: (!title.is_empty()).then(|| title.to_owned()),
        impact,
        trigger_details: None,
        related_items: None,
    })
}

/// What a plan is called in the picker.
fn plan_label(plan: &ResponsePlanSummary) -> String {
    match &plan.display_name {
        Some(d) if !d.is_empty() => format!("{d} ({})", plan.name),
        _ => plan.name.clone(),
    }
}

/// `/start`: pick a response plan, optionally override title and impact, start.
/// Every submission carries a fresh `clientToken`.
#[component]
pub fn StartPage() -> impl IntoView {
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
        match start_input(
            &plan.get_untracked(),
            &title.get_untracked(),
            &impact.get_untracked(),
            new_client_token(),
        ) {
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
                <label for="title">"Title (optional: overrides the plan's)"</label>
                <input
                    id="title"
                    name="title"
                    type="text"
                    maxlength="200"
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <label for="impact">"Impact"</label>
                <ImpactSelect id="impact" value=impact default_label="Plan default" />
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_optional() {
        let input = start_input("arn:p", " ", "", "tok".to_owned()).ok();
        let json = input.and_then(|i| serde_json::to_value(i).ok());
        assert_eq!(
            json,
            Some(serde_json::json!({"responsePlanArn": "arn:p", "clientToken": "tok"}))
        );
        let input = start_input("arn:p", "Fire", "1", "t".to_owned()).ok();
        assert_eq!(
            input.as_ref().and_then(|i| i.title.as_deref()),
            Some("Fire")
        );
        assert_eq!(input.and_then(|i| i.impact), Some(1));
    }

    #[test]
    fn missing_plan_or_bad_impact_is_refused() {
        assert!(start_input("", "", "", "t".to_owned()).is_err());
        assert!(start_input("arn:p", "", "9", "t".to_owned()).is_err());
    }
}
