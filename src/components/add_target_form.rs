//! Adds a target to a rule (`PutTargets` with an id and an ARN).

use leptos::prelude::*;
use tocsin_api::incidents::ResponsePlanSummary;

use crate::components::error_note::ErrorNote;
use crate::rules::{add_target_input, suggested_target_id, targets_outcome};
use crate::use_api;

/// `form.target-form`: a response plan from a list, or any ARN or https URL typed in.
#[component]
pub fn AddTargetForm(
    /// The rule's name.
    #[prop(into)]
    rule: String,
    /// Response plans to offer.
    #[prop(into)]
    plans: Signal<Vec<ResponsePlanSummary>>,
    /// Called after the target was added.
    #[prop(into)]
    on_added: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let id = RwSignal::new(String::new());
    let arn = RwSignal::new(String::new());
    let choice = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let add = Action::new_local(move |input: &tocsin_api::events::PutTargetsRequest| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let out = api.put_targets(&input).await.map_err(|e| e.to_string())?;
            targets_outcome(&out)?;
            id.try_set(String::new());
            arn.try_set(String::new());
            choice.try_set(String::new());
            on_added.run(());
            Ok::<(), String>(())
        }
    });
    let rule_name = rule.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match add_target_input(&rule_name, &id.get_untracked(), &arn.get_untracked()) {
            Ok(input) => {
                form_error.set(None);
                add.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    // Picking a plan fills in its ARN, and an id unless one was typed.
    let on_choose = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        choice.set(value.clone());
        if !value.is_empty() {
            let suggested_before = suggested_target_id(&arn.get_untracked());
            if id.with_untracked(|i| i.is_empty() || *i == suggested_before) {
                id.set(suggested_target_id(&value));
            }
            arn.set(value);
        }
    };
    let select_id = format!("target-plan-{rule}");
    let id_id = format!("target-id-{rule}");
    let arn_id = format!("target-arn-{rule}");

    view! {
        <form class="target-form" on:submit=on_submit aria-label=format!("Add a target to {rule}")>
            <div class="target-field">
                <label for=select_id.clone()>"Response plan"</label>
                <select
                    id=select_id
                    class="target-plan"
                    prop:value=move || choice.get()
                    on:change=on_choose
                >
                    <option value="">"(type an ARN or https URL)"</option>
                    {move || {
                        plans
                            .get()
                            .into_iter()
                            .map(|p| {
                                let label = match &p.display_name {
                                    Some(d) if !d.is_empty() => format!("{} — {d}", p.name),
                                    _ => p.name.clone(),
                                };
                                view! { <option value=p.arn>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div class="target-field">
                <label for=id_id.clone()>"Target id"</label>
                <input
                    id=id_id
                    class="target-id"
                    type="text"
                    maxlength="64"
                    pattern="[.\\-_A-Za-z0-9]+"
                    required
                    prop:value=move || id.get()
                    on:input=move |ev| id.set(event_target_value(&ev))
                />
            </div>
            <div class="target-field target-field-wide">
                <label for=arn_id.clone()>"ARN or https URL"</label>
                <input
                    id=arn_id
                    class="target-arn"
                    type="text"
                    required
                    maxlength="1600"
                    placeholder="arn:aws:ssm-incidents::…:response-plan/… or https://…"
                    prop:value=move || arn.get()
                    on:input=move |ev| {
                        arn.set(event_target_value(&ev));
                        choice.set(String::new());
                    }
                />
            </div>
            <button type="submit" class="target-add" disabled=move || add.pending().get()>
                "Add target"
            </button>
        </form>
        {move || form_error.get().map(|m| view! { <ErrorNote message=m /> })}
        {move || {
            add.value().get().and_then(Result::err).map(|m| view! { <ErrorNote message=m /> })
        }}
    }
}
