//! One rule in the rules list: state, pattern or schedule, targets, and what can be done
//! with it.

use leptos::prelude::*;
use tocsin_api::arn::TargetKind;
use tocsin_api::events::Rule;
use tocsin_api::incidents::ResponsePlanSummary;
use tocsin_api::native::Delivery;

use crate::api::events::{RuleRow, remove_target_input, targets_outcome};
use crate::clock::local_datetime;
use crate::components::action_button::ActionButton;
use crate::components::add_target_form::AddTargetForm;
use crate::components::error_note::ErrorNote;
use crate::pattern_check::pretty_json;

/// Dead letters a rule shows at most (the count covers them all).
const MAX_LETTERS_SHOWN: usize = 5;
use crate::use_api;

/// `article.rule[data-name][data-state]`: a rule with its state, its pattern or schedule
/// (`.rule-schedule`) and its targets; edit, test, enable or disable
/// (`button.rule-toggle`: `EnableRule`/`DisableRule`), delete, add and remove targets, all on
/// the rule's own bus. Its dead letters (`.dead-letters`: deliveries given up and targets
/// that could not run, with why) show under its targets, live.
#[component]
pub fn RuleItem(
    /// The rule and its targets.
    row: RuleRow,
    /// Response plans to offer as targets.
    #[prop(into)]
    plans: Signal<Vec<ResponsePlanSummary>>,
    /// The newest dead letters of every rule; this rule's show under its targets.
    #[prop(into)]
    dead_letters: Signal<Vec<Delivery>>,
    /// Called with the rule when "Edit" is pressed.
    #[prop(into)]
    on_edit: Callback<Rule>,
    /// Called with the rule's pattern when "Test pattern" is pressed.
    #[prop(into)]
    on_test: Callback<String>,
    /// Called after the rule or its targets changed here.
    #[prop(into)]
    on_changed: Callback<()>,
    /// Called with the rule's name after it was deleted here.
    #[prop(into)]
    on_deleted: Callback<String>,
    /// Whether the key may change rules and targets (otherwise only "Test pattern").
    #[prop(optional)]
    manage: bool,
) -> impl IntoView {
    let api = use_api();
    let RuleRow { rule, targets } = row;
    let name = rule.name.clone();
    let bus = rule.event_bus_name.clone();
    let pattern = rule
        .event_pattern
        .as_deref()
        .map(pretty_json)
        .unwrap_or_default();
    let enabled = rule.state.is_enabled();

    let delete_api = api.clone();
    let delete_bus = bus.clone();
    let delete = Action::new_local(move |name: &String| {
        let api = delete_api.clone();
        let name = name.clone();
        let bus = delete_bus.clone();
        async move {
            api.delete_rule(&name, &bus)
                .await
                .map_err(|e| e.to_string())?;
            on_deleted.run(name);
            on_changed.run(());
            Ok::<(), String>(())
        }
    });
    let toggle_api = api.clone();
    let toggle_bus = bus.clone();
    let toggle = Action::new_local(move |(name, enable): &(String, bool)| {
        let api = toggle_api.clone();
        let (name, enable) = (name.clone(), *enable);
        let bus = toggle_bus.clone();
        async move {
            api.set_rule_enabled(&name, &bus, enable)
                .await
                .map_err(|e| e.to_string())?;
            on_changed.run(());
            Ok::<(), String>(())
        }
    });
    let remove_bus = bus.clone();
    let remove = Action::new_local(move |(rule, id): &(String, String)| {
        let api = api.clone();
        let input = remove_target_input(rule, &remove_bus, id);
        async move {
            let out = api
                .remove_targets(&input)
                .await
                .map_err(|e| e.to_string())?;
            targets_outcome(&out)?;
            on_changed.run(());
            Ok::<(), String>(())
        }
    });
    let delete_name = name.clone();
    let on_delete = move |_| {
        let confirmed = window()
            .confirm_with_message(&format!(
                "Delete rule {delete_name}? (A rule with targets cannot be deleted.)"
            ))
            .unwrap_or(false);
        if confirmed {
            delete.dispatch_local(delete_name.clone());
        }
    };
    let edit_rule = rule.clone();
    let test_pattern = pattern.clone();

    let targets_view = match targets {
        Err(msg) => {
            view! { <ErrorNote message=format!("Cannot list targets: {msg}") /> }.into_any()
        }
        Ok(list) if list.is_empty() => view! {
            <p class="muted no-targets">"No targets: matching events go nowhere yet."</p>
        }
        .into_any(),
        Ok(list) => {
            let rule_name = name.clone();
            view! {
                <ul class="targets">
                    {list
                        .into_iter()
                        .map(|t| {
                            let remove_key = (rule_name.clone(), t.id.clone());
                            view! {
                                <li class="target" data-id=t.id.clone()>
                                    <code class="target-id">{t.id.clone()}</code>
                                    " → "
                                    <span class="label">{TargetKind::of(&t.arn).describe()}</span>
                                    " "
                                    <code class="target-arn">{t.arn.clone()}</code>
                                    {manage
                                        .then(|| {
                                            view! {
                                                " "
                                                <button
                                                    type="button"
                                                    class="target-remove small"
                                                    aria-label=format!("Remove target {}", t.id)
                                                    disabled=move || remove.pending().get()
                                                    on:click=move |_| {
                                                        remove.dispatch_local(remove_key.clone());
                                                    }
                                                >
                                                    "Remove"
                                                </button>
                                            }
                                        })}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }
    };

    let rule_arn = rule.arn.clone();
    let letters = move || {
        dead_letters.with(|all| {
            all.iter()
                .filter(|d| d.rule_arn == rule_arn)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let letters_view = move || {
        let mine = letters();
        (!mine.is_empty()).then(|| {
            let count = mine.len();
            view! {
                <div class="dead-letters" role="status">
                    <p class="dead-letters-head">
                        <strong>
                            {if count == 1 {
                                "1 dead letter".to_owned()
                            } else {
                                format!("{count} dead letters")
                            }}
                        </strong>
                        ": events this rule's targets did not get (newest first)"
                    </p>
                    <ul>
                        {mine
                            .into_iter()
                            .take(MAX_LETTERS_SHOWN)
                            .map(|d| {
                                view! {
                                    <li class="dead-letter" data-target=d.target_id.clone()>
                                        <code>{d.target_id.clone()}</code>
                                        " · "
                                        <span class="muted">{local_datetime(d.updated_at)}</span>
                                        " · "
                                        <span class="dead-letter-reason">
                                            {d.last_error.clone().unwrap_or_default()}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    };

    let toggle_input = (name.clone(), !enabled);
    let schedule = rule.schedule_expression.clone();
    let has_pattern = rule.event_pattern.is_some();

    view! {
        <article
            class="rule"
            data-name=name.clone()
            data-bus=bus.clone()
            data-state=if enabled { "ENABLED" } else { "DISABLED" }
        >
            <header class="rule-head">
                <h3 class="rule-name">{name.clone()}</h3>
                <span class=if enabled {
                    "rule-state rule-enabled"
                } else {
                    "rule-state rule-disabled"
                }>{if enabled { "● Enabled" } else { "○ Disabled" }}</span>
                <div class="rule-actions">
                    {manage
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="rule-edit small"
                                    on:click=move |_| on_edit.run(edit_rule.clone())
                                >
                                    "Edit"
                                </button>
                            }
                        })}
                    {manage
                        .then(|| {
                            view! {
                                <ActionButton action=toggle input=toggle_input class="rule-toggle small">
                                    {if enabled { "Disable" } else { "Enable" }}
                                </ActionButton>
                            }
                        })}
                    {has_pattern
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="rule-test small"
                                    on:click=move |_| on_test.run(test_pattern.clone())
                                >
                                    "Test pattern"
                                </button>
                            }
                        })}
                    {manage
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="rule-delete small danger"
                                    disabled=move || delete.pending().get()
                                    on:click=on_delete
                                >
                                    "Delete"
                                </button>
                            }
                        })}
                </div>
            </header>
            {rule
                .description
                .filter(|d| !d.is_empty())
                .map(|d| view! { <p class="rule-description">{d}</p> })}
            <div class="rule-body">
                <div>
                    {schedule
                        .map(|s| {
                            view! {
                                <h4>"Schedule"</h4>
                                <p class="mono rule-schedule">{s}</p>
                            }
                        })}
                    {has_pattern
                        .then(|| {
                            view! {
                                <h4>"Event pattern"</h4>
                                <pre class="rule-pattern">{pattern}</pre>
                            }
                        })}
                </div>
                <div>
                    <h4>"Targets"</h4>
                    {targets_view}
                    {letters_view}
                    {manage
                        .then(|| {
                            view! {
                                <AddTargetForm
                                    rule=name.clone()
                                    bus=bus.clone()
                                    plans=plans
                                    on_added=on_changed
                                />
                            }
                        })}
                </div>
            </div>
            {move || {
                delete
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|m| view! { <p class="error rule-error" role="alert">{m}</p> })
            }}
            {move || {
                toggle
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|m| view! { <p class="error rule-error" role="alert">{m}</p> })
            }}
            {move || {
                remove
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|m| view! { <p class="error rule-error" role="alert">{m}</p> })
            }}
        </article>
    }
}
