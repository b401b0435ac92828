//! Adds a target to a rule (`PutTargets` with an id and an ARN).

use leptos::prelude::*;
use tocsin_api::events::PutTargetsRequest;
use tocsin_api::incidents::ResponsePlanSummary;

use crate::api::events::targets_outcome;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::forms::target::{TargetForm, plan_choice_label};
use crate::use_api;

/// `form.target-form`: a response plan from a list, or any ARN or https URL typed in.
#[component]
pub fn AddTargetForm(
    /// The rule's name.
    #[prop(into)]
    rule: String,
    /// The rule's bus.
    #[prop(into)]
    bus: String,
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
    let form = move || TargetForm {
        id: id.get_untracked(),
        arn: arn.get_untracked(),
    };
    let add = Action::new_local(move |input: &PutTargetsRequest| {
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
        match form().put_input(&rule_name) {
            Ok(mut input) => {
                input.event_bus_name = Some(bus.clone());
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
        let mut picked = form();
        picked.pick_plan(&value);
        id.set(picked.id);
        arn.set(picked.arn);
    };
    let select_id = format!("target-plan-{rule}");

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
                                let label = plan_choice_label(&p);
                                view! { <option value=p.arn>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <TextField
                id=format!("target-id-{rule}")
                label="Target id"
                value=id
                class="target-id"
                maxlength="64"
                pattern="[.\\-_A-Za-z0-9]+"
                required=true
                wrapper="target-field"
            />
            <TextField
                id=format!("target-arn-{rule}")
                label="ARN or https URL"
                value=arn
                class="target-arn"
                required=true
                maxlength="1600"
                placeholder="arn:aws:ssm-incidents::…:response-plan/… or https://…"
                wrapper="target-field target-field-wide"
                on_input=move |_| choice.set(String::new())
            />
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
