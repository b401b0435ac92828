//! The Integrations page's "Outbound webhooks" section: the list, the add/replace form and
//! Delete.

use leptos::prelude::*;
use tocsin_api::native::{OutboundWebhook, PutOutboundWebhook};

use crate::api::ApiError;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::components::loaded::Loaded;
use crate::format::principal_label;
use crate::forms::integrations::WebhookForm;
use crate::use_api;

/// `section#webhooks`: every outbound webhook (name, when created, by whom: never its URL
/// or headers, which the server does not give back), a form that adds one or replaces the
/// one of the same name (after a confirmation), and Delete (after a confirmation). The URL
/// and header fields are emptied once saved, since what they held cannot be read again.
/// Nothing in the change feed announces webhooks, so the list is read again after each
/// change made here.
#[component]
pub fn OutboundWebhooks() -> impl IntoView {
    let api = use_api();
    let list_api = api.clone();
    let webhooks = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.list_webhooks().await }
    });
    let refresh = Callback::new(move |()| webhooks.refetch());

    let defaults = WebhookForm::default();
    let name = RwSignal::new(defaults.name);
    let url = RwSignal::new(defaults.url);
    let headers = RwSignal::new(defaults.headers);
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);

    let save_api = api.clone();
    let save = Action::new_local(move |input: &PutOutboundWebhook| {
        let api = save_api.clone();
        let input = input.clone();
        async move {
            let hook = api.put_webhook(&input).await?;
            // The secrets are on the server now, and nowhere else: empty their fields.
            url.try_set(String::new());
            headers.try_set(String::new());
            saved.try_set(Some(hook.name));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let form = WebhookForm {
            name: name.get_untracked(),
            url: url.get_untracked(),
            headers: headers.get_untracked(),
        };
        match form.put_input() {
            Ok(input) => {
                form_error.set(None);
                let exists = webhooks.with_untracked(|list| {
                    matches!(list, Some(Ok(list)) if list.iter().any(|w| w.name == input.name))
                });
                let go = !exists
                    || window()
                        .confirm_with_message(&format!(
                            "Replace webhook {}? Its URL and headers are overwritten.",
                            input.name
                        ))
                        .unwrap_or(false);
                if go {
                    name.set(input.name.clone());
                    save.dispatch_local(input);
                }
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let delete = refreshing_action(refresh, move |name: String| {
        let api = api.clone();
        async move { api.delete_webhook(&name).await }
    });

    view! {
        <section class="integration-section" id="webhooks" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">"Outbound webhooks"</h2>
            <p class="hint">
                "Endpoints that runbooks' aws:invokeWebhook steps POST to, by name (IntegrationName). "
                "Calls go through the outbound guard: private and loopback addresses are refused."
            </p>
            <Loaded
                resource=webhooks
                render=move |list| view! { <WebhookTable webhooks=list delete /> }
            />
            <ActionError action=delete id="webhook-delete-error" />

            <h3>"Add or replace a webhook"</h3>
            <form class="form" id="webhook-form" autocomplete="off" on:submit=on_save>
                <TextField
                    id="webhook-name"
                    label="Name"
                    value=name
                    required=true
                    maxlength="128"
                    hint="What runbooks give as IntegrationName: letters, digits and _ - . (saving under an existing name replaces it)."
                />
                <TextField
                    id="webhook-url"
                    label="URL"
                    value=url
                    required=true
                    class="mono"
                    placeholder="https://hooks.example.com/…"
                />
                <TextArea id="webhook-headers" label="Headers" value=headers rows="4" code=true />
                <p class="hint">"One per line, as Name: value, e.g. Authorization: Bearer …"</p>
                <p class="note" id="webhook-secret-note">
                    "The URL and headers are secrets: they are stored sealed and cannot be read back, "
                    "here or through the API. To change them, save the webhook again with all of them."
                </p>
                <div class="actions">
                    <button type="submit" id="webhook-save" disabled=move || save.pending().get()>
                        "Save webhook"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="webhook-form-error" message=m /> })}
            <ActionError action=save id="webhook-save-error" />
            {move || {
                saved
                    .get()
                    .map(|name| {
                        view! {
                            <p class="ok" id="webhook-saved" role="status">
                                {format!(
                                    "Saved webhook {name}. Its URL and headers were cleared from the form: they cannot be read back.",
                                )}
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// `table#webhook-list`: one `tr.webhook-row[data-name]` per webhook.
#[component]
fn WebhookTable(
    webhooks: Vec<OutboundWebhook>,
    delete: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    if webhooks.is_empty() {
        return view! { <p class="muted" id="no-webhooks">"No outbound webhooks."</p> }.into_any();
    }
    view! {
        <table class="list" id="webhook-list">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Created"</th>
                    <th>"By"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {webhooks
                    .into_iter()
                    .map(|hook| {
                        let confirm = format!(
                            "Delete webhook {}? Runbook steps that call it fail until it is added again.",
                            hook.name,
                        );
                        let by = principal_label(&hook.created_by).to_owned();
                        view! {
                            <tr class="webhook-row" data-name=hook.name.clone()>
                                <td class="mono webhook-name">{hook.name.clone()}</td>
                                <td class="webhook-created">{local_datetime(hook.created_at)}</td>
                                <td class="webhook-created-by" title=hook.created_by.clone()>
                                    {by}
                                </td>
                                <td class="webhook-actions">
                                    <ActionButton
                                        action=delete
                                        input=hook.name.clone()
                                        class="webhook-delete small danger"
                                        confirm
                                    >
                                        "Delete"
                                    </ActionButton>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
