//! One contact on the Contacts page: a personal contact with its channels and plan, or an
//! escalation plan with its stages; "Edit" and "Delete contact".

use leptos::prelude::*;
use tocsin_api::contacts::{
    Contact, ContactChannel, CreateContactChannelRequest, GetContactResult, UpdateContactRequest,
};

use crate::api::{Api, ApiError};
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::edit_contact_form::EditContactForm;
use crate::components::error_note::ErrorNote;
use crate::format::contact_alias;
use crate::forms::contacts::{EmailChannelForm, check_activation_code};

/// A contact's channels as `ListContactChannels` answers them.
type ChannelsResource = LocalResource<Result<Vec<ContactChannel>, ApiError>>;

/// `article.contact[data-alias][data-type]`: alias, display name, type and ARN; for a
/// personal contact its channels ([`ChannelList`]); its plan's stages ([`PlanStages`]); for
/// admins "Edit" (`button.contact-edit`: reads the contact with `GetContact`, and a personal
/// contact's channels, then opens an [`EditContactForm`]; once saved says
/// `p.contact-saved`, the server's refusal is `p.contact-save-error`) and "Delete contact"
/// (`button.contact-delete`, after a confirmation).
#[component]
pub fn ContactItem(
    /// The API client.
    api: Api,
    /// The contact, as listed.
    contact: Contact,
    /// Reads the contact list again.
    refresh: Callback<()>,
    /// Whether the key may activate channels and send codes again (responder, admin).
    can_activate: bool,
    /// Whether the key may add and delete channels and edit and delete contacts (admin).
    can_manage: bool,
    /// The personal contacts an escalation plan's stage may engage (its edit form).
    #[prop(into)]
    contacts: Signal<Vec<Contact>>,
) -> impl IntoView {
    let arn = contact.contact_arn.clone();
    let alias = contact.alias.clone();
    let is_personal = contact.contact_type == "PERSONAL";

    let detail_api = api.clone();
    let detail_arn = arn.clone();
    let detail = LocalResource::new(move || {
        let api = detail_api.clone();
        let arn = detail_arn.clone();
        async move { api.get_contact(&arn).await }
    });
    let channels: Option<ChannelsResource> = is_personal.then(|| {
        let api = api.clone();
        let arn = arn.clone();
        LocalResource::new(move || {
            let api = api.clone();
            let arn = arn.clone();
            async move { api.list_contact_channels(&arn).await }
        })
    });

    // The edit form: open with what GetContact (and, for a personal contact, its activated
    // channels) answered when "Edit" was pressed.
    let editing = RwSignal::new(None::<(GetContactResult, Vec<ContactChannel>)>);
    let saved = RwSignal::new(None::<String>);
    let display_name = RwSignal::new(contact.display_name.clone().unwrap_or_default());
    let open_api = api.clone();
    let open_arn = arn.clone();
    let open_edit = Action::new_local(move |_: &()| {
        let api = open_api.clone();
        let arn = open_arn.clone();
        async move {
            let contact = api.get_contact(&arn).await?;
            let channels = if is_personal {
                api.list_contact_channels(&arn)
                    .await?
                    .into_iter()
                    .filter(|c| c.activation_status == "ACTIVATED")
                    .collect()
            } else {
                Vec::new()
            };
            editing.try_set(Some((contact, channels)));
            Ok::<(), ApiError>(())
        }
    });
    let save_api = api.clone();
    let save = Action::new_local(move |input: &UpdateContactRequest| {
        let api = save_api.clone();
        let input = input.clone();
        async move {
            api.update_contact(&input).await?;
            if let Some(name) = input.display_name {
                display_name.try_set(name);
            }
            editing.try_set(None);
            saved.try_set(Some("Saved.".to_owned()));
            detail.refetch();
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_edit = move |_| {
        saved.set(None);
        open_edit.dispatch_local(());
    };
    let on_cancel = Callback::new(move |()| editing.set(None));

    let delete_api = api.clone();
    let delete_arn = arn.clone();
    let delete = refreshing_action(refresh, move |()| {
        let api = delete_api.clone();
        let arn = delete_arn.clone();
        async move { api.delete_contact(&arn).await }
    });
    let confirm_delete = format!(
        "Delete contact {alias}? Response plans and escalation plans that engage it stop engaging it."
    );
    let kind = if is_personal {
        "personal contact"
    } else {
        "escalation plan"
    };

    view! {
        <article class="rule contact" data-alias=alias.clone() data-type=contact.contact_type.clone()>
            <div class="rule-head">
                <h3 class="rule-name contact-alias">{alias.clone()}</h3>
                {move || {
                    let name = display_name.get();
                    (!name.is_empty())
                        .then(|| view! { <span class="muted contact-display-name">{name}</span> })
                }}
                <span class="muted contact-type">{kind}</span>
                <div class="rule-actions">
                    {can_manage
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="small contact-edit"
                                    disabled=move || {
                                        open_edit.pending().get() || editing.with(Option::is_some)
                                    }
                                    on:click=on_edit
                                >
                                    "Edit"
                                </button>
                                <ActionButton
                                    action=delete
                                    input=()
                                    class="small danger contact-delete"
                                    confirm=confirm_delete
                                >
                                    "Delete contact"
                                </ActionButton>
                            }
                        })}
                </div>
            </div>
            <p class="rule-description mono contact-arn">{arn.clone()}</p>
            <ActionError action=delete class="contact-delete-error" />
            <ActionError action=open_edit class="contact-edit-load-error" />
            {move || {
                editing
                    .get()
                    .map(|(contact, channels)| {
                        view! {
                            <EditContactForm contact channels contacts save on_cancel />
                        }
                    })
            }}
            <ActionError action=save class="contact-save-error" />
            {move || saved.get().map(|m| view! { <p class="ok contact-saved" role="status">{m}</p> })}
            {channels
                .map(|channels| {
                    view! { <ChannelList api contact_arn=arn channels can_activate can_manage /> }
                })}
            <PlanStages detail channels />
        </article>
    }
}

/// A personal contact's channels (`table.channel-list`, one [`ChannelRow`] each) and, for
/// admins, `form.channel-form` to add an email channel (the server emails it an
/// activation code).
#[component]
fn ChannelList(
    api: Api,
    contact_arn: String,
    channels: ChannelsResource,
    can_activate: bool,
    can_manage: bool,
) -> impl IntoView {
    let reload = Callback::new(move |()| channels.refetch());
    let list = Memo::new(move |previous: Option<&Vec<ContactChannel>>| {
        channels.with(|r| match r {
            Some(Ok(list)) => list.clone(),
            _ => previous.cloned().unwrap_or_default(),
        })
    });
    let error = Memo::new(move |_| {
        channels.with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });

    let name = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let added = RwSignal::new(None::<String>);
    let add_api = api.clone();
    let add = Action::new_local(move |input: &CreateContactChannelRequest| {
        let api = add_api.clone();
        let input = input.clone();
        async move {
            api.create_contact_channel(&input).await?;
            name.try_set(String::new());
            address.try_set(String::new());
            added.try_set(Some(format!(
                "Added channel {}: an activation code was sent to {}.",
                input.name,
                input.delivery_address.simple_address.unwrap_or_default()
            )));
            reload.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        added.set(None);
        let form = EmailChannelForm {
            name: name.get_untracked(),
            address: address.get_untracked(),
        };
        match form.create_input(&contact_arn) {
            Ok(input) => {
                form_error.set(None);
                add.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <h4>"Channels"</h4>
        {move || error.get().map(|m| view! { <ErrorNote class="channels-error" message=m /> })}
        {move || {
            if list.with(Vec::is_empty) {
                return view! { <p class="muted no-channels">"No channels."</p> }.into_any();
            }
            view! {
                <table class="list channel-list">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Type"</th>
                            <th>"Address"</th>
                            <th>"Status"</th>
                            <th>"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || list.get()
                            key=|c| format!("{}|{}", c.contact_channel_arn, c.activation_status)
                            children={
                                let api = api.clone();
                                move |channel: ContactChannel| {
                                    view! {
                                        <ChannelRow
                                            api=api.clone()
                                            channel
                                            reload
                                            can_activate
                                            can_manage
                                        />
                                    }
                                }
                            }
                        />
                    </tbody>
                </table>
            }
                .into_any()
        }}
        {can_manage
            .then(|| {
                view! {
                    <form class="target-form channel-form" autocomplete="off" on:submit=on_add>
                        <div class="target-field">
                            <label>
                                "Channel name"
                                <input
                                    type="text"
                                    class="channel-name"
                                    required=true
                                    maxlength="255"
                                    placeholder="work email"
                                    prop:value=move || name.get()
                                    on:input=move |ev| name.set(event_target_value(&ev))
                                />
                            </label>
                        </div>
                        <div class="target-field target-field-wide">
                            <label>
                                "Email address"
                                <input
                                    type="email"
                                    class="mono channel-address"
                                    required=true
                                    placeholder="maria@example.com"
                                    prop:value=move || address.get()
                                    on:input=move |ev| address.set(event_target_value(&ev))
                                />
                            </label>
                        </div>
                        <button
                            type="submit"
                            class="small channel-add"
                            disabled=move || add.pending().get()
                        >
                            "Add email channel"
                        </button>
                    </form>
                }
            })}
        {move || {
            form_error
                .get()
                .map(|m| view! { <ErrorNote class="channel-form-error" message=m /> })
        }}
        <ActionError action=add class="channel-add-error" />
        {move || added.get().map(|m| view! { <p class="ok channel-added" role="status">{m}</p> })}
    }
}

/// `tr.channel-row[data-name][data-status]`: name, type, address and activation status;
/// while it is not activated, an activation code field (`input.channel-code`) with
/// "Activate" (`button.channel-activate`) and "Send code again" (`button.channel-resend`);
/// for admins "Delete" (`button.channel-delete`, after a confirmation).
#[component]
fn ChannelRow(
    api: Api,
    channel: ContactChannel,
    reload: Callback<()>,
    can_activate: bool,
    can_manage: bool,
) -> impl IntoView {
    let arn = channel.contact_channel_arn.clone();
    let activated = channel.activation_status == "ACTIVATED";
    let code = RwSignal::new(String::new());
    let code_error = RwSignal::new(None::<String>);

    let activate_api = api.clone();
    let activate_arn = arn.clone();
    let activate = Action::new_local(move |code: &String| {
        let api = activate_api.clone();
        let arn = activate_arn.clone();
        let code = code.clone();
        async move {
            api.activate_contact_channel(&arn, &code).await?;
            reload.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_activate = move |_| match check_activation_code(&code.get_untracked()) {
        Ok(c) => {
            code_error.set(None);
            activate.dispatch_local(c);
        }
        Err(msg) => code_error.set(Some(msg)),
    };

    let resend_api = api.clone();
    let resend_arn = arn.clone();
    let resend = Action::new_local(move |_: &()| {
        let api = resend_api.clone();
        let arn = resend_arn.clone();
        async move { api.send_activation_code(&arn).await }
    });

    let delete_arn = arn.clone();
    let delete = refreshing_action(reload, move |()| {
        let api = api.clone();
        let arn = delete_arn.clone();
        async move { api.delete_contact_channel(&arn).await }
    });
    let confirm_delete = format!("Delete channel {}?", channel.name);

    view! {
        <tr
            class="channel-row"
            data-name=channel.name.clone()
            data-status=channel.activation_status.clone()
        >
            <td class="channel-name-cell">{channel.name.clone()}</td>
            <td class="channel-type">{channel.channel_type.clone()}</td>
            <td class="mono channel-address-cell">
                {channel.delivery_address.simple_address.clone().unwrap_or_default()}
            </td>
            <td class="channel-status">{channel.activation_status.clone()}</td>
            <td class="channel-actions">
                {(can_activate && !activated)
                    .then(|| {
                        view! {
                            <input
                                type="text"
                                class="mono channel-code"
                                inputmode="numeric"
                                autocomplete="one-time-code"
                                maxlength="10"
                                placeholder="123456"
                                aria-label="Activation code"
                                prop:value=move || code.get()
                                on:input=move |ev| code.set(event_target_value(&ev))
                            />
                            <button
                                type="button"
                                class="small channel-activate"
                                disabled=move || activate.pending().get()
                                on:click=on_activate
                            >
                                "Activate"
                            </button>
                            <ActionButton action=resend input=() class="small channel-resend">
                                "Send code again"
                            </ActionButton>
                        }
                    })}
                {can_manage
                    .then(|| {
                        view! {
                            <ActionButton
                                action=delete
                                input=()
                                class="small danger channel-delete"
                                confirm=confirm_delete
                            >
                                "Delete"
                            </ActionButton>
                        }
                    })}
                {move || {
                    code_error.get().map(|m| view! { <ErrorNote class="channel-code-error" message=m /> })
                }}
                <ActionError action=activate class="channel-activate-error" />
                <ActionError action=resend class="channel-resend-error" />
                <ActionError action=delete class="channel-delete-error" />
                {move || {
                    matches!(resend.value().get(), Some(Ok(())))
                        .then(|| view! { <p class="ok channel-resent" role="status">"A new code was sent."</p> })
                }}
            </td>
        </tr>
    }
}

/// A contact's plan (`ol.plan-stages`, from `SSMContacts.GetContact`): per stage
/// (`li.plan-stage`) its duration and what it engages: an escalation plan's contacts
/// (essential ones marked), a personal contact's channels by name (with their retry
/// interval). A personal contact without stages is paged on every activated channel.
#[component]
fn PlanStages(
    detail: LocalResource<Result<GetContactResult, ApiError>>,
    channels: Option<ChannelsResource>,
) -> impl IntoView {
    let channel_name = move |arn: &str| {
        channels
            .and_then(|c| {
                c.with(|r| match r {
                    Some(Ok(list)) => list
                        .iter()
                        .find(|ch| ch.contact_channel_arn == arn)
                        .map(|ch| ch.name.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_owned())
    };
    let personal = channels.is_some();
    move || {
        detail.with(|d| match d {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => {
                view! { <ErrorNote class="plan-error" message=e.to_string() /> }.into_any()
            }
            Some(Ok(contact)) => {
                let stages = contact.plan.stages.clone().unwrap_or_default();
                let heading = personal.then(|| view! { <h4>"Plan"</h4> });
                if stages.is_empty() {
                    let none = if personal {
                        "No stages: pages go to every activated channel."
                    } else {
                        "No stages."
                    };
                    return view! { {heading} <p class="muted no-stages">{none}</p> }.into_any();
                }
                view! {
                    {heading}
                    <ol class="plan-stages">
                        {stages
                            .into_iter()
                            .map(|stage| {
                                let contacts = stage
                                    .targets
                                    .iter()
                                    .filter_map(|t| t.contact_target_info.as_ref())
                                    .map(|c| {
                                        let alias = c
                                            .contact_id
                                            .as_deref()
                                            .map(contact_alias)
                                            .unwrap_or("—");
                                        if c.is_essential {
                                            format!("{alias} (essential)")
                                        } else {
                                            alias.to_owned()
                                        }
                                    });
                                let channels = stage
                                    .targets
                                    .iter()
                                    .filter_map(|t| t.channel_target_info.as_ref())
                                    .map(|c| {
                                        let name = channel_name(&c.contact_channel_id);
                                        match c.retry_interval_in_minutes.unwrap_or(0) {
                                            0 => name,
                                            retry => format!("{name} (retry every {retry} min)"),
                                        }
                                    });
                                let who = contacts.chain(channels).collect::<Vec<_>>().join(", ");
                                view! {
                                    <li class="plan-stage">
                                        {format!("{} min: {who}", stage.duration_in_minutes)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any()
            }
        })
    }
}
