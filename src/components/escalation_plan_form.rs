//! The Contacts page's "Create an escalation plan" form.

use leptos::prelude::*;
use tocsin_api::contacts::{Contact, CreateContactRequest};

use crate::api::ApiError;
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::forms::contacts::{EscalationForm, StageForm, StageTargetForm};
use crate::use_api;

/// `form#escalation-form`: an alias, an optional display name and stages (a
/// [`StageEditor`] in `#escalation-stages`; "Add stage" adds one). "Create escalation plan" sends `SSMContacts.CreateContact` (an
/// `ESCALATION` contact), says `#escalation-created`, empties the form and reads the list
/// again.
#[component]
pub fn EscalationPlanForm(
    /// The personal contacts a stage may engage.
    #[prop(into)]
    contacts: Signal<Vec<Contact>>,
    /// Reads the contact list again.
    refresh: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let alias = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let stages = RwSignal::new(vec![StageForm::default()]);
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);

    let create = Action::new_local(move |input: &CreateContactRequest| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let arn = api.create_contact(&input).await?;
            alias.try_set(String::new());
            display_name.try_set(String::new());
            stages.try_set(vec![StageForm::default()]);
            created.try_set(Some(format!(
                "Created escalation plan {}: {arn}",
                input.alias
            )));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let form = EscalationForm {
            alias: alias.get_untracked(),
            display_name: display_name.get_untracked(),
            stages: stages.get_untracked(),
        };
        match form.create_input() {
            Ok(input) => {
                form_error.set(None);
                create.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section
            class="integration-section"
            id="create-escalation"
            aria-labelledby="create-escalation-title"
        >
            <h2 id="create-escalation-title">"Create an escalation plan"</h2>
            <form class="form" id="escalation-form" autocomplete="off" on:submit=on_create>
                <TextField
                    id="escalation-alias"
                    label="Alias"
                    value=alias
                    required=true
                    maxlength="255"
                    class="mono"
                />
                <TextField
                    id="escalation-display-name"
                    label="Display name (optional)"
                    value=display_name
                    maxlength="255"
                />
                <div id="escalation-stages">
                    <StageEditor stages contacts />
                </div>
                <div class="actions">
                    <button
                        type="button"
                        id="escalation-add-stage"
                        class="small"
                        on:click=move |_| stages.update(|s| s.push(StageForm::default()))
                    >
                        "Add stage"
                    </button>
                    <button
                        type="submit"
                        id="escalation-create"
                        disabled=move || create.pending().get()
                    >
                        "Create escalation plan"
                    </button>
                </div>
            </form>
            {move || {
                form_error.get().map(|m| view! { <ErrorNote id="escalation-form-error" message=m /> })
            }}
            <ActionError action=create id="escalation-create-error" />
            {move || {
                created
                    .get()
                    .map(|m| view! { <p class="ok" id="escalation-created" role="status">{m}</p> })
            }}
        </section>
    }
}

/// The stages of an escalation plan's form (`fieldset.stage[data-stage]`, numbered from 1),
/// each with a duration in minutes (`input.stage-duration`, 0-30) and one or more personal
/// contacts (`select.stage-contact`) with an "essential" checkbox (`input.stage-essential`);
/// "Add contact" (`button.stage-add-contact`), "Remove" (`button.stage-remove-contact`) and
/// "Remove stage" (`button.stage-remove`) change them. Used by [`EscalationPlanForm`] and by
/// an escalation plan's edit form.
#[component]
pub fn StageEditor(
    /// The stages, as typed.
    stages: RwSignal<Vec<StageForm>>,
    /// The personal contacts a stage may engage.
    #[prop(into)]
    contacts: Signal<Vec<Contact>>,
) -> impl IntoView {
    // The stages are drawn again after each change (a value is taken on `change`, so typing
    // is not interrupted).
    move || {
        let count = stages.with(Vec::len);
        stages
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, stage)| {
                let n = i + 1;
                let targets = stage
                    .targets
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        let chosen = t.contact_arn.clone();
                        let can_remove = stage.targets.len() > 1;
                        view! {
                            <div class="stage-target">
                                <select
                                    class="stage-contact"
                                    aria-label=format!("Stage {n} contact {}", j + 1)
                                    on:change=move |ev| {
                                        let value = event_target_value(&ev);
                                        stages.update(|s| s[i].targets[j].contact_arn = value);
                                    }
                                >
                                    <option value="" selected=chosen.is_empty()>
                                        "Choose a contact"
                                    </option>
                                    {contacts
                                        .get()
                                        .into_iter()
                                        .map(|c| {
                                            let selected = c.contact_arn == chosen;
                                            let label = match &c.display_name {
                                                Some(d) if !d.is_empty() => format!("{} ({d})", c.alias),
                                                _ => c.alias.clone(),
                                            };
                                            view! {
                                                <option value=c.contact_arn.clone() selected=selected>
                                                    {label}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                                <label class="checkbox">
                                    <input
                                        type="checkbox"
                                        class="stage-essential"
                                        prop:checked=t.essential
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            stages.update(|s| s[i].targets[j].essential = on);
                                        }
                                    />
                                    " essential"
                                </label>
                                {can_remove
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="small stage-remove-contact"
                                                on:click=move |_| {
                                                    stages.update(|s| {
                                                        s[i].targets.remove(j);
                                                    })
                                                }
                                            >
                                                "Remove"
                                            </button>
                                        }
                                    })}
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <fieldset class="stage" data-stage=n>
                        <legend>{format!("Stage {n}")}</legend>
                        <label>
                            "Duration (minutes, 0-30)"
                            <input
                                type="number"
                                class="stage-duration"
                                min="0"
                                max="30"
                                prop:value=stage.duration.clone()
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    stages.update(|s| s[i].duration = value);
                                }
                            />
                        </label>
                        {targets}
                        <button
                            type="button"
                            class="small stage-add-contact"
                            on:click=move |_| {
                                stages
                                    .update(|s| {
                                        s[i]
                                            .targets
                                            .push(StageTargetForm {
                                                contact_arn: String::new(),
                                                essential: false,
                                            })
                                    })
                            }
                        >
                            "Add contact"
                        </button>
                        {(count > 1)
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="small stage-remove"
                                        on:click=move |_| {
                                            stages.update(|s| {
                                                s.remove(i);
                                            })
                                        }
                                    >
                                        "Remove stage"
                                    </button>
                                }
                            })}
                    </fieldset>
                }
            })
            .collect_view()
    }
}
