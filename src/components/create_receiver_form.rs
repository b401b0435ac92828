//! The Receivers page's "Create a receiver" form, and the panel that shows the new
//! receiver's secret once.

use leptos::prelude::*;
use tocsin_api::receivers::{CreateReceiver, CreatedReceiver, ReceiverKind};

use crate::api::ApiError;
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{SelectField, TextArea, TextField};
use crate::components::snippet_view::SnippetList;
use crate::forms::receivers::ReceiverForm;
use crate::use_api;

/// `form#receiver-form`: a name, what it accepts (`select#receiver-kind`, the five kinds by
/// label), the event bus (`default`), and the fields the chosen kind reads; then "Create
/// receiver" (`POST /v1/receivers/create`). Once created, the form empties and
/// [`CreatedReceiverPanel`] shows the secret and the snippets that carry it, this once.
#[component]
pub fn CreateReceiverForm(
    /// Reads the receiver list again.
    refresh: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let defaults = ReceiverForm::default();
    let name = RwSignal::new(defaults.name);
    let kind = RwSignal::new(defaults.kind);
    let event_bus_name = RwSignal::new(defaults.event_bus_name);
    let auto_resolve = RwSignal::new(defaults.auto_resolve);
    let silence_url = RwSignal::new(defaults.silence_url);
    let source = RwSignal::new(defaults.source);
    let detail_type = RwSignal::new(defaults.detail_type);
    let resources_path = RwSignal::new(defaults.resources_path);
    let dedupe_path = RwSignal::new(defaults.dedupe_path);
    let api_key_header = RwSignal::new(defaults.api_key_header);
    let topic_arns = RwSignal::new(defaults.topic_arns);
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<CreatedReceiver>);

    let create = Action::new_local(move |input: &CreateReceiver| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let answer = api.create_receiver(&input).await?;
            name.try_set(String::new());
            created.try_set(Some(answer));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ReceiverForm {
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            event_bus_name: event_bus_name.get_untracked(),
            auto_resolve: auto_resolve.get_untracked(),
            silence_url: silence_url.get_untracked(),
            source: source.get_untracked(),
            detail_type: detail_type.get_untracked(),
            resources_path: resources_path.get_untracked(),
            dedupe_path: dedupe_path.get_untracked(),
            api_key_header: api_key_header.get_untracked(),
            topic_arns: topic_arns.get_untracked(),
        };
        match form.create_input() {
            Ok(input) => {
                form_error.set(None);
                created.set(None);
                create.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    let kinds = ReceiverKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect::<Vec<_>>();

    // The chosen kind's own fields.
    let kind_fields = move || {
        match ReceiverKind::parse(&kind.get()) {
        Some(ReceiverKind::Alertmanager) => view! {
            <label class="checkbox" for="receiver-auto-resolve">
                <input
                    type="checkbox"
                    id="receiver-auto-resolve"
                    name="receiver-auto-resolve"
                    prop:checked=move || auto_resolve.get()
                    on:change=move |ev| auto_resolve.set(event_target_checked(&ev))
                />
                "Resolve incidents when Alertmanager resolves every alert that fed them"
            </label>
            <TextField
                id="receiver-silence-url"
                label="Silence URL (optional)"
                value=silence_url
                class="mono"
                placeholder="http://alertmanager:9093"
                hint="The Alertmanager to create silences in when an incident it fed is acknowledged (default: the payload's externalURL)."
            />
        }
        .into_any(),
        Some(ReceiverKind::Webhook) => view! {
            <TextField
                id="receiver-source"
                label="Source (optional)"
                value=source
                class="mono"
                hint="The events' source (default webhook.<name>)."
            />
            <TextField
                id="receiver-detail-type"
                label="Detail type (optional)"
                value=detail_type
                hint="The events' detail-type (default Webhook)."
            />
            <TextField
                id="receiver-resources-path"
                label="Resources JSONPath (optional)"
                value=resources_path
                class="mono"
                placeholder="$.repository.html_url"
            />
            <TextField
                id="receiver-dedupe-path"
                label="Dedupe JSONPath (optional)"
                value=dedupe_path
                class="mono"
                placeholder="$.alert.id"
                hint="Where in the body the dedupe string of the incidents it opens is."
            />
        }
        .into_any(),
        Some(ReceiverKind::Eventbridge) => view! {
            <TextField
                id="receiver-api-key-header"
                label="API-key header (optional)"
                value=api_key_header
                class="mono"
                placeholder="x-api-key"
                hint="The header the API destination's connection sends the secret in."
            />
        }
        .into_any(),
        Some(ReceiverKind::Sns) => view! {
            <TextArea
                id="receiver-topic-arns"
                label="Topic ARNs, one per line (optional: any topic)"
                value=topic_arns
                rows="3"
                code=true
            />
        }
        .into_any(),
        Some(ReceiverKind::Pagerduty) => view! {
            <p class="hint" id="receiver-pagerduty-note">
                "Nothing to set: the secret is the routing key PagerDuty's integrations send."
            </p>
        }
        .into_any(),
        None => ().into_any(),
    }
    };

    view! {
        <section class="integration-section" id="create-receiver" aria-labelledby="create-receiver-title">
            <h2 id="create-receiver-title">"Create a receiver"</h2>
            <form class="form" id="receiver-form" autocomplete="off" on:submit=on_create>
                <TextField
                    id="receiver-name"
                    label="Name"
                    value=name
                    required=true
                    maxlength="64"
                    class="mono"
                    hint="Letters, digits, '.', '-' and '_' (part of its URL)."
                />
                <SelectField id="receiver-kind" label="Accepts" value=kind options=kinds />
                <TextField
                    id="receiver-event-bus"
                    label="Event bus"
                    value=event_bus_name
                    class="mono"
                    hint="The bus its events are put on; rules there decide what they start."
                />
                {kind_fields}
                <div class="actions">
                    <button type="submit" id="receiver-create" disabled=move || create.pending().get()>
                        "Create receiver"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="receiver-form-error" message=m /> })}
            <ActionError action=create id="receiver-create-error" />
            {move || {
                created
                    .get()
                    .map(|receiver| {
                        view! { <CreatedReceiverPanel receiver on_done=move |_| created.set(None) /> }
                    })
            }}
        </section>
    }
}

/// `section#new-receiver`: the receiver just created, with its URL (`#new-receiver-url`),
/// its secret (`#new-receiver-secret`) and the snippets that carry it (`pre.snippet`),
/// shown only this once.
#[component]
pub fn CreatedReceiverPanel(
    /// What creating it answered.
    receiver: CreatedReceiver,
    /// "I have copied it": hides the panel.
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="new-key new-receiver" id="new-receiver" role="status" aria-labelledby="new-receiver-title">
            <h3 id="new-receiver-title">
                {format!("Receiver created: {} ({})", receiver.name, receiver.kind.label())}
            </h3>
            <p class="warning" id="new-receiver-warning">
                "Shown once: copy the secret and the snippets below now. The secret cannot be read again; whoever has it can post events through this receiver."
            </p>
            <dl class="fields">
                <dt>"URL"</dt>
                <dd>
                    <code id="new-receiver-url">{receiver.url.clone()}</code>
                </dd>
                <dt>"Secret"</dt>
                <dd>
                    <code id="new-receiver-secret">{receiver.secret.clone()}</code>
                </dd>
            </dl>
            <SnippetList snippets=receiver.receiver.snippets.clone() />
            <div class="actions">
                <button type="button" id="new-receiver-done" on:click=move |_| on_done.run(())>
                    "I have copied it"
                </button>
            </div>
        </section>
    }
}
