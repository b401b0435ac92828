//! "Start runbook" on the incident page: pick a document, fill in the parameters it
//! declares, start it.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::ssm::{DocumentParameter, StartAutomationExecutionRequest};

use crate::api::{Api, new_client_token};
use crate::components::error_note::ErrorNote;
use crate::format::execution_href;
use crate::forms::runbook::{initial_value, is_list, start_input};

/// A declared parameter and what is typed for it.
type ParameterInput = (DocumentParameter, RwSignal<String>);

/// `button#start-runbook-toggle`, which opens `form#start-runbook-form`: a runbook picker
/// (`select#runbook-document`), one field per parameter the chosen document declares
/// (`#param-NAME`; a `StringList` is a text area taking one item per line or comma-separated
/// items; `IncidentRecordArn` is prefilled with this incident), and Start
/// (`StartAutomationExecution` with a fresh client token).
#[component]
pub fn StartRunbookForm(
    /// The API client.
    api: Api,
    /// The incident the runbook is for.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// Called with the new execution's id.
    on_started: Callback<String>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <div class="start-runbook">
            <button
                type="button"
                id="start-runbook-toggle"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Close" } else { "Start runbook" }}
            </button>
            <Show when=move || open.get()>
                <StartRunbookFields
                    api=api.clone()
                    incident_arn
                    on_started=on_started
                />
            </Show>
        </div>
    }
}

/// The form itself, built when it is opened (and its drafts dropped when it is closed).
#[component]
fn StartRunbookFields(
    api: Api,
    incident_arn: Signal<String>,
    on_started: Callback<String>,
) -> impl IntoView {
    let document = RwSignal::new(String::new());
    let fields = RwSignal::new(Vec::<ParameterInput>::new());
    let form_error = RwSignal::new(None::<String>);

    let list_api = api.clone();
    let documents = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.all_documents().await }
    });
    let describe_api = api.clone();
    let description = LocalResource::new(move || {
        let name = document.get();
        let api = describe_api.clone();
        async move {
            if name.is_empty() {
                return Ok(None);
            }
            api.describe_document(&name, None).await.map(Some)
        }
    });
    // The chosen document's parameters become the form's fields.
    Effect::new(move |_| {
        let next = match description.get() {
            Some(Ok(Some(doc))) => doc
                .parameters
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    let arn = incident_arn.get_untracked();
                    let value = RwSignal::new(initial_value(&p, Some(&arn)));
                    (p, value)
                })
                .collect(),
            _ => Vec::new(),
        };
        fields.set(next);
    });

    let start = Action::new_local(move |input: &StartAutomationExecutionRequest| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let id = api.start_automation_execution(&input).await?;
            on_started.run(id.clone());
            Ok::<_, crate::api::ApiError>(id)
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let values: Vec<(DocumentParameter, String)> = fields.with_untracked(|fields| {
            fields
                .iter()
                .map(|(p, v)| (p.clone(), v.get_untracked()))
                .collect()
        });
        match start_input(&document.get_untracked(), &values, new_client_token()) {
            Ok(input) => {
                form_error.set(None);
                start.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let options = move || match documents.get() {
        None => view! { <option value="" disabled=true>"Loading runbooks…"</option> }.into_any(),
        Some(Err(_)) => view! { <option value="">"(could not load runbooks)"</option> }.into_any(),
        Some(Ok(list)) => view! {
            <option value="" selected=move || document.with(String::is_empty)>
                "Choose a runbook…"
            </option>
            {list
                .into_iter()
                .map(|d| {
                    let name = d.name.clone();
                    let chosen = name.clone();
                    let label = match d.display_name.as_deref() {
                        Some(display) if !display.is_empty() => format!("{display} ({name})"),
                        _ => name.clone(),
                    };
                    view! {
                        <option value=name selected=move || document.with(|x| *x == chosen)>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        }
        .into_any(),
    };

    let parameter_fields = move || {
        fields
            .get()
            .into_iter()
            .map(|(p, value)| parameter_field(p, value))
            .collect_view()
    };

    view! {
        <form class="form start-runbook-form" id="start-runbook-form" on:submit=on_submit>
            <label for="runbook-document">"Runbook"</label>
            <select
                id="runbook-document"
                name="runbook-document"
                required
                on:change=move |ev| document.set(event_target_value(&ev))
                prop:value=move || document.get()
            >
                {options}
            </select>
            {move || {
                description
                    .get()
                    .and_then(|r| r.ok().flatten())
                    .and_then(|d| d.description)
                    .map(|text| view! { <p class="hint" id="runbook-description">{text}</p> })
            }}
            {parameter_fields}
            <div class="actions">
                <button
                    type="submit"
                    id="start-runbook-submit"
                    disabled=move || start.pending().get() || document.with(String::is_empty)
                >
                    {move || if start.pending().get() { "Starting…" } else { "Start" }}
                </button>
            </div>
        </form>
        {move || {
            documents
                .get()
                .and_then(Result::err)
                .map(|e| view! { <ErrorNote id="runbook-documents-error" message=e.to_string() /> })
        }}
        {move || {
            description
                .get()
                .and_then(Result::err)
                .map(|e| view! { <ErrorNote id="runbook-describe-error" message=e.to_string() /> })
        }}
        {move || form_error.get().map(|m| view! { <ErrorNote id="start-runbook-error" message=m /> })}
        {move || {
            start
                .value()
                .get()
                .map(|result| match result {
                    Ok(id) => {
                        view! {
                            <p class="ok" id="runbook-started" role="status">
                                "Runbook started: "
                                <A href=execution_href(&id)>{id.clone()}</A>
                            </p>
                        }
                            .into_any()
                    }
                    Err(e) => {
                        view! { <ErrorNote id="start-runbook-error" message=e.to_string() /> }
                            .into_any()
                    }
                })
        }}
    }
}

/// One parameter's label, input (a text area for lists) and description.
fn parameter_field(parameter: DocumentParameter, value: RwSignal<String>) -> impl IntoView {
    let id = format!("param-{}", parameter.name);
    let list = is_list(&parameter.kind);
    let label = format!("{} ({})", parameter.name, parameter.kind);
    let hint = match (list, parameter.description) {
        (true, Some(d)) => Some(format!("{d} One item per line, or separated by commas.")),
        (true, None) => Some("One item per line, or separated by commas.".to_owned()),
        (false, d) => d,
    };
    let input = if list {
        view! {
            <textarea
                id=id.clone()
                name=id.clone()
                rows="3"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                name=id.clone()
                type="text"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
        .into_any()
    };
    view! {
        <label for=id.clone()>{label}</label>
        {input}
        {hint.map(|h| view! { <p class="hint">{h}</p> })}
    }
}
