//! The steps of an automation execution.

use leptos::prelude::*;
use tocsin_api::ssm::StepExecution;

use crate::clock::local_datetime;
use crate::components::run_state_badge::RunStateBadge;
use crate::format::pretty_event_data;
use crate::runbook::step_times;

/// `ol.steps`: each step run so far (`li.step[data-step=NAME]`) with its action, status,
/// times and failure message; `detailed` adds its inputs and outputs. Everything the runbook
/// wrote (names, messages, values) is shown as text.
#[component]
pub fn StepList(
    /// The steps, in the order they ran.
    steps: Vec<StepExecution>,
    /// Whether to show inputs and outputs too.
    #[prop(optional)]
    detailed: bool,
) -> impl IntoView {
    if steps.is_empty() {
        return view! { <p class="muted no-steps">"No step has run yet."</p> }.into_any();
    }
    view! {
        <ol class="steps">
            {steps
                .into_iter()
                .map(|step| {
                    let times = step_times(&step, local_datetime);
                    let inputs = detailed.then(|| step.inputs.clone()).filter(|m| !m.is_empty());
                    let outputs = detailed
                        .then(|| step.outputs.clone())
                        .filter(|m| !m.is_empty());
                    view! {
                        <li
                            class="step"
                            data-step=step.step_name.clone()
                            data-status=step.step_status.clone()
                        >
                            <div class="step-head">
                                <span class="step-name">{step.step_name.clone()}</span>
                                <code class="step-action">{step.action.clone()}</code>
                                <RunStateBadge status=step.step_status.clone() class="step-status" />
                                <span class="step-times muted">{times}</span>
                            </div>
                            {step
                                .failure_message
                                .clone()
                                .map(|m| view! { <p class="step-failure">{m}</p> })}
                            {inputs
                                .map(|inputs| {
                                    view! {
                                        <h4>"Inputs"</h4>
                                        <dl class="step-values step-inputs">
                                            {inputs
                                                .into_iter()
                                                .map(|(name, value)| {
                                                    view! {
                                                        <dt>{name}</dt>
                                                        <dd>
                                                            <pre class="step-value">{pretty_event_data(&value)}</pre>
                                                        </dd>
                                                    }
                                                })
                                                .collect_view()}
                                        </dl>
                                    }
                                })}
                            {outputs
                                .map(|outputs| {
                                    view! {
                                        <h4>"Outputs"</h4>
                                        <dl class="step-values step-outputs">
                                            {outputs
                                                .into_iter()
                                                .map(|(name, values)| {
                                                    view! {
                                                        <dt>{name}</dt>
                                                        <dd>
                                                            <pre class="step-value">
                                                                {values
                                                                    .iter()
                                                                    .map(|v| pretty_event_data(v))
                                                                    .collect::<Vec<_>>()
                                                                    .join("\n")}
                                                            </pre>
                                                        </dd>
                                                    }
                                                })
                                                .collect_view()}
                                        </dl>
                                    }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
