//! The Contacts page's edit form of one existing contact: its display name and its plan
//! (an escalation plan's stages of personal contacts, or a personal contact's stages of its
//! activated channels).

use leptos::prelude::*;
use tocsin_api::contacts::{Contact, ContactChannel, GetContactResult, UpdateContactRequest};

use crate::api::ApiError;
use crate::components::escalation_plan_form::StageEditor;
use crate::forms::contacts::{ChannelStageForm, EscalationEditForm, PersonalEditForm, StageForm};

/// `form.contact-edit-form`, filled in from `contact` (as `SSMContacts.GetContact` answered
/// it): the display name (`input.contact-edit-display-name`) and the plan's stages
/// (`.edit-stages`, "Add stage" is `button.edit-add-stage`). An escalation plan's stages are
/// a [`StageEditor`]; a personal contact's are [`ChannelStages`] of its activated
/// `channels`. "Save" (`button.contact-save`) checks the form (`p.contact-edit-error`) and
/// dispatches `save` (`SSMContacts.UpdateContact`); "Cancel" (`button.contact-edit-cancel`)
/// runs `on_cancel`.
#[component]
pub fn EditContactForm(
    /// The contact with its plan.
    contact: GetContactResult,
    /// A personal contact's activated channels (unused for an escalation plan).
    channels: Vec<ContactChannel>,
    /// The personal contacts an escalation plan's stage may engage.
    #[prop(into)]
    contacts: Signal<Vec<Contact>>,
    /// Sends the update (its result is shown by the contact).
    save: Action<UpdateContactRequest, Result<(), ApiError>>,
    /// Closes the form without saving.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let arn = contact.contact_arn.clone();
    let is_personal = contact.contact_type == "PERSONAL";
    let escalation = EscalationEditForm::from_contact(&contact);
    let personal = PersonalEditForm::from_contact(&contact, &channels);
    let display_name = RwSignal::new(escalation.display_name.clone());
    let stages = RwSignal::new(escalation.stages);
    let channel_stages = RwSignal::new(personal.stages);
    let form_error = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = if is_personal {
            PersonalEditForm {
                display_name: display_name.get_untracked(),
                stages: channel_stages.get_untracked(),
            }
            .update_input(&arn)
        } else {
            EscalationEditForm {
                display_name: display_name.get_untracked(),
                stages: stages.get_untracked(),
            }
            .update_input(&arn)
        };
        match input {
            Ok(input) => {
                form_error.set(None);
                save.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let has_channels = !channels.is_empty();
    let new_stage = ChannelStageForm::new(&channels);
    let stage_editor = if is_personal {
        view! {
            <p class="hint">
                "No stages: pages go to every activated channel. A stage pages the chosen "
                "channels, again every retry interval (0: once), until the next stage starts."
            </p>
            {(!has_channels)
                .then(|| {
                    view! {
                        <p class="muted edit-no-channels">
                            "No activated channels: activate one to give this contact stages."
                        </p>
                    }
                })}
            <div class="edit-stages">
                <ChannelStages stages=channel_stages channels />
            </div>
            {has_channels
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="small edit-add-stage"
                            on:click=move |_| channel_stages.update(|s| s.push(new_stage.clone()))
                        >
                            "Add stage"
                        </button>
                    }
                })}
        }
        .into_any()
    } else {
        view! {
            <div class="edit-stages">
                <StageEditor stages contacts />
            </div>
            <button
                type="button"
                class="small edit-add-stage"
                on:click=move |_| stages.update(|s| s.push(StageForm::default()))
            >
                "Add stage"
            </button>
        }
        .into_any()
    };

    view! {
        <form class="form contact-edit-form" autocomplete="off" on:submit=on_submit>
            <label>
                "Display name"
                <input
                    type="text"
                    class="contact-edit-display-name"
                    maxlength="255"
                    prop:value=move || display_name.get()
                    on:input=move |ev| display_name.set(event_target_value(&ev))
                />
            </label>
            <h4>"Stages"</h4>
            {stage_editor}
            <div class="actions">
                <button type="submit" class="contact-save" disabled=move || save.pending().get()>
                    "Save"
                </button>
                <button
                    type="button"
                    class="small contact-edit-cancel"
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
            </div>
            {move || {
                form_error
                    .get()
                    .map(|m| view! { <p class="error contact-edit-error" role="alert">{m}</p> })
            }}
        </form>
    }
}

/// A personal contact's plan stages (`fieldset.stage[data-stage]`, numbered from 1): a
/// duration in minutes (`input.stage-duration`, 0-30) and, per activated channel
/// (`div.stage-channel[data-name]`), a checkbox (`input.stage-channel-on`) and a retry
/// interval in minutes (`input.stage-channel-retry`, 0-60); "Remove stage"
/// (`button.stage-remove`).
#[component]
pub fn ChannelStages(
    /// The stages, as typed (one entry per channel of `channels`, in order).
    stages: RwSignal<Vec<ChannelStageForm>>,
    /// The contact's activated channels.
    channels: Vec<ContactChannel>,
) -> impl IntoView {
    // Drawn again after each change (values are taken on `change`, so typing is not
    // interrupted).
    move || {
        stages
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, stage)| {
                let n = i + 1;
                let rows = stage
                    .channels
                    .iter()
                    .enumerate()
                    .map(|(j, target)| {
                        let channel = channels.get(j);
                        let name = channel.map(|c| c.name.clone()).unwrap_or_default();
                        let address = channel
                            .and_then(|c| c.delivery_address.simple_address.clone())
                            .unwrap_or_default();
                        view! {
                            <div class="stage-channel" data-name=name.clone()>
                                <label class="checkbox">
                                    <input
                                        type="checkbox"
                                        class="stage-channel-on"
                                        prop:checked=target.on
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            stages.update(|s| s[i].channels[j].on = on);
                                        }
                                    />
                                    {format!(" {name} ({address})")}
                                </label>
                                <label>
                                    "Retry every (minutes, 0-60)"
                                    <input
                                        type="number"
                                        class="stage-channel-retry"
                                        min="0"
                                        max="60"
                                        prop:value=target.retry.clone()
                                        on:change=move |ev| {
                                            let value = event_target_value(&ev);
                                            stages.update(|s| s[i].channels[j].retry = value);
                                        }
                                    />
                                </label>
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
                        {rows}
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
                    </fieldset>
                }
            })
            .collect_view()
    }
}
