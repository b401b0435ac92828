//! A runbook document: view it, edit it (a new version per save), pick its default version.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use tocsin_api::ssm::{CreateDocumentRequest, DocumentDescription, UpdateDocumentRequest};

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::clock::local_datetime;
use crate::components::action_button::ActionButton;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::format::runbook_href;
use crate::forms::runbook::{DocumentForm, FORMATS, NEW_DOCUMENT_YAML};
use crate::runbook::{StepError, document_steps, is_built_in, step_error};
use crate::use_api;

/// The error code of a document the server could not accept.
const INVALID_CONTENT: &str = "InvalidDocumentContent";

/// What the editor saves.
#[derive(Debug, Clone)]
enum Save {
    Create(CreateDocumentRequest),
    Update(UpdateDocumentRequest),
}

/// The step a refused save concerns (`InvalidDocumentContent` messages name it), if any.
fn save_step_error(err: &ApiError) -> Option<StepError> {
    match err {
        ApiError::Http {
            error_type: Some(kind),
            message,
            ..
        } if kind == INVALID_CONTENT => Some(step_error(message)),
        _ => None,
    }
}

/// `/runbooks/new` (admins) and `/runbooks/edit?name=…` (everyone who can read): the
/// document's text (`textarea#doc-content`) with its format, the steps it has
/// (`ol#doc-steps`; a validation error about a step is shown at that step), and its
/// versions (`table#version-list`) with "Open" and, for admins, "Make default". Saving
/// creates the document or a new version (`UpdateDocument` on `$LATEST`). Built-in
/// documents (owner `Amazon` or `Tocsin`) and keys below admin get no editing controls.
#[component]
pub fn RunbookEditPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let can_edit = may(role, Control::EditRunbooks);
    let query = use_query_map();
    let existing = query.with_untracked(|q| q.get("name"));
    let creating = existing.is_none();
    if creating && !can_edit {
        return view! {
            <section class="page">
                <h1>"New runbook"</h1>
                <p class="note" id="runbook-denied">{cannot_message(role, "create runbooks")}</p>
            </section>
        }
        .into_any();
    }
    let api = use_api();
    let navigate = use_navigate();
    let doc_name = existing.clone().unwrap_or_default();

    // The draft.
    let name = RwSignal::new(doc_name.clone());
    let format = RwSignal::new("YAML".to_owned());
    let content = RwSignal::new(if creating {
        NEW_DOCUMENT_YAML.to_owned()
    } else {
        String::new()
    });
    let version_name = RwSignal::new(String::new());
    // The version whose text is in the editor.
    let shown_version = RwSignal::new(None::<String>);
    let loading = RwSignal::new(!creating);
    let load_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    // Moves after every change that makes the description and versions stale.
    let changes = RwSignal::new(0u32);

    let describe_api = api.clone();
    let describe_name = doc_name.clone();
    let description = LocalResource::new(move || {
        changes.track();
        let api = describe_api.clone();
        let name = describe_name.clone();
        async move {
            if name.is_empty() {
                return Ok(None);
            }
            api.describe_document(&name, None).await.map(Some)
        }
    });
    let versions_api = api.clone();
    let versions_name = doc_name.clone();
    let versions = LocalResource::new(move || {
        changes.track();
        let api = versions_api.clone();
        let name = versions_name.clone();
        async move {
            if name.is_empty() {
                return Ok(Vec::new());
            }
            api.all_document_versions(&name).await
        }
    });
    let described = Memo::new(move |_| {
        description.with(|d| match d {
            Some(Ok(Some(d))) => Some(d.clone()),
            _ => None,
        })
    });
    let built_in =
        Memo::new(move |_| described.with(|d| d.as_ref().is_some_and(|d| is_built_in(&d.owner))));
    // Editing only once the owner is known (a built-in stays read-only).
    let editable = Memo::new(move |_| {
        can_edit && (creating || described.with(Option::is_some) && !built_in.get())
    });

    // Loads a version's text into the editor (`None`: the latest).
    let load_api = api.clone();
    let load_name = doc_name.clone();
    let load = move |version: Option<String>| {
        let api = load_api.clone();
        let name = load_name.clone();
        loading.set(true);
        spawn_local(async move {
            let version = version.unwrap_or_else(|| "$LATEST".to_owned());
            match api.get_document(&name, Some(&version)).await {
                Ok(doc) => {
                    content.try_set(doc.content);
                    format.try_set(doc.document_format);
                    shown_version.try_set(Some(doc.document_version));
                    load_error.try_set(None);
                }
                Err(e) => {
                    load_error.try_set(Some(e.to_string()));
                }
            }
            loading.try_set(false);
        });
    };
    if !creating {
        load(None);
    }

    let save_api = api.clone();
    let save_nav = navigate.clone();
    let save = Action::new_local(move |input: &Save| {
        let api = save_api.clone();
        let input = input.clone();
        let navigate = save_nav.clone();
        async move {
            match input {
                Save::Create(doc) => {
                    let out = api.create_document(&doc).await?;
                    navigate(&runbook_href(&out.name), NavigateOptions::default());
                    Ok::<DocumentDescription, ApiError>(out)
                }
                Save::Update(doc) => {
                    let out = api.update_document(&doc).await?;
                    shown_version.try_set(Some(out.document_version.clone()));
                    saved.try_set(Some(format!(
                        "Saved as version {} (the default stays version {}).",
                        out.document_version, out.default_version
                    )));
                    version_name.try_set(String::new());
                    changes.try_update(|n| *n += 1);
                    Ok(out)
                }
            }
        }
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let form = DocumentForm {
            name: name.get_untracked(),
            format: format.get_untracked(),
            content: content.get_untracked(),
            version_name: version_name.get_untracked(),
        };
        let checked = if creating {
            form.create_input().map(Save::Create)
        } else {
            form.update_input().map(Save::Update)
        };
        match checked {
            Ok(input) => {
                form_error.set(None);
                save.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    // The last save's refusal, and the step it names.
    let save_error = Memo::new(move |_| save.value().get().and_then(Result::err));
    let invalid_step =
        Memo::new(move |_| save_error.with(|e| e.as_ref().and_then(save_step_error)));
    let steps = Memo::new(move |_| content.with(|c| document_steps(c)));
    let error_at_listed_step = Memo::new(move |_| {
        invalid_step.with(|e| {
            e.as_ref()
                .and_then(|e| e.step.clone())
                .is_some_and(|s| steps.with(|steps| steps.contains(&s)))
        })
    });

    let default_api = api.clone();
    let default_name = doc_name.clone();
    let make_default = Action::new_local(move |version: &String| {
        let api = default_api.clone();
        let name = default_name.clone();
        let version = version.clone();
        async move {
            api.update_document_default_version(&name, &version).await?;
            changes.try_update(|n| *n += 1);
            Ok::<(), ApiError>(())
        }
    });

    let delete_nav = navigate.clone();
    let delete_name = doc_name.clone();
    let delete = Action::new_local(move |_: &()| {
        let api = api.clone();
        let name = delete_name.clone();
        let navigate = delete_nav.clone();
        async move {
            api.delete_document(&name).await?;
            navigate("/runbooks", NavigateOptions::default());
            Ok::<(), ApiError>(())
        }
    });
    let on_delete = move |_| {
        let confirmed = window()
            .confirm_with_message("Delete this runbook and all its versions?")
            .unwrap_or(false);
        if confirmed {
            delete.dispatch_local(());
        }
    };

    let head = move || {
        described.get().map(|d| {
            let owner = d.owner.clone();
            view! {
                <dl class="fields" id="doc-fields">
                    <dt>"Owner"</dt>
                    <dd id="doc-owner">{owner}</dd>
                    <dt>"Default version"</dt>
                    <dd id="doc-default-version">{d.default_version.clone()}</dd>
                    <dt>"Latest version"</dt>
                    <dd id="doc-latest-version">{d.latest_version.clone()}</dd>
                    <dt>"Description"</dt>
                    <dd class="summary">{d.description.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                </dl>
            }
        })
    };

    let notes = move || {
        if creating {
            return None;
        }
        if built_in.get() {
            let owner = described.with(|d| d.as_ref().map(|d| d.owner.clone()).unwrap_or_default());
            return Some(view! {
                <p class="note" id="doc-read-only">
                    {format!("Built-in runbook (owner {owner}): read only. Copy its text into a new runbook to change it.")}
                </p>
            }
            .into_any());
        }
        (!can_edit).then(|| {
            view! {
                <p class="note" id="doc-read-only">{cannot_message(role, "edit runbooks")}</p>
            }
            .into_any()
        })
    };

    let step_list = move || {
        let error = invalid_step.get();
        let list = steps.get();
        if list.is_empty() {
            return view! { <p class="muted" id="doc-no-steps">"No steps found in mainSteps."</p> }
                .into_any();
        }
        view! {
            <ol class="doc-steps" id="doc-steps">
                {list
                    .into_iter()
                    .map(|step| {
                        let message = error
                            .as_ref()
                            .filter(|e| e.step.as_deref() == Some(step.as_str()))
                            .map(|e| e.message.clone());
                        let class = if message.is_some() { "doc-step step-invalid" } else { "doc-step" };
                        let key = step.clone();
                        view! {
                            <li class=class data-step=key>
                                <span class="step-name">{step}</span>
                                {message
                                    .map(|m| view! { <p class="error step-error" role="alert">{m}</p> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };

    let version_rows = move || {
        let can_default = editable.get();
        versions.get().map(|result| match result {
            Err(e) => view! { <ErrorNote id="versions-error" message=e.to_string() /> }.into_any(),
            Ok(list) => view! {
                <table class="list" id="version-list">
                    <thead>
                        <tr>
                            <th>"Version"</th>
                            <th>"Created"</th>
                            <th>"Format"</th>
                            <th>"Default"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .into_iter()
                            .map(|v| {
                                let number = v.document_version.clone();
                                let open_version = number.clone();
                                let default_version = number.clone();
                                let shown_number = number.clone();
                                let label = match &v.version_name {
                                    Some(n) => format!("{number} ({n})"),
                                    None => number.clone(),
                                };
                                let load = load.clone();
                                view! {
                                    <tr
                                        class="version-row"
                                        class:shown=move || shown_version.with(|s| s.as_deref() == Some(shown_number.as_str()))
                                        data-version=number
                                    >
                                        <td class="version-number">{label}</td>
                                        <td>{local_datetime(v.created_date)}</td>
                                        <td>{v.document_format}</td>
                                        <td class="version-default">
                                            {if v.is_default_version {
                                                view! { <span class="tag tag-default">"default"</span> }.into_any()
                                            } else if can_default {
                                                view! {
                                                    <ActionButton
                                                        action=make_default
                                                        input=default_version
                                                        class="small make-default"
                                                    >
                                                        "Make default"
                                                    </ActionButton>
                                                }
                                                    .into_any()
                                            } else {
                                                ().into_any()
                                            }}
                                        </td>
                                        <td>
                                            <button
                                                type="button"
                                                class="small open-version"
                                                on:click=move |_| load(Some(open_version.clone()))
                                            >
                                                "Open"
                                            </button>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
            .into_any(),
        })
    };

    view! {
        <section class="page runbook-edit-page">
            <h1 id="doc-title">
                {if creating { "New runbook".to_owned() } else { doc_name.clone() }}
            </h1>
            {move || load_error.get().map(|m| view! { <ErrorNote id="doc-load-error" message=m /> })}
            {move || {
                description
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="doc-describe-error" message=e.to_string() /> })
            }}
            {head}
            {notes}
            <form class="form doc-form" id="doc-form" on:submit=on_save>
                {creating
                    .then(|| {
                        view! {
                            <TextField
                                id="doc-name"
                                label="Name"
                                value=name
                                required=true
                                maxlength="128"
                                pattern="[A-Za-z0-9_.\\-]{3,128}"
                                hint="3-128 letters, digits, _ . and -. Cannot be changed later."
                            />
                        }
                    })}
                <div class="doc-editor">
                    <div class="doc-text">
                        <div class="label-row">
                            <label for="doc-content">
                                {move || match shown_version.get() {
                                    Some(v) => format!("Document (version {v})"),
                                    None => "Document".to_owned(),
                                }}
                            </label>
                            <select
                                id="doc-format"
                                name="doc-format"
                                aria-label="Format"
                                disabled=move || !editable.get()
                                on:change=move |ev| format.set(event_target_value(&ev))
                                prop:value=move || format.get()
                            >
                                {FORMATS
                                    .iter()
                                    .map(|&f| {
                                        view! {
                                            <option value=f selected=move || format.with(|x| x == f)>
                                                {f}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <textarea
                            id="doc-content"
                            name="doc-content"
                            class="code-input"
                            rows="24"
                            spellcheck="false"
                            autocomplete="off"
                            readonly=move || !editable.get()
                            prop:value=move || content.get()
                            on:input=move |ev| content.set(event_target_value(&ev))
                        ></textarea>
                    </div>
                    <div class="doc-steps-panel">
                        <h2>"Steps"</h2>
                        {step_list}
                    </div>
                </div>
                <Show when=move || editable.get()>
                    <TextField
                        id="doc-version-name"
                        label="Version name (optional)"
                        value=version_name
                        maxlength="128"
                    />
                    <div class="actions">
                        <button
                            type="submit"
                            id="doc-save"
                            disabled=move || save.pending().get() || loading.get()
                        >
                            {if creating { "Create" } else { "Save as new version" }}
                        </button>
                        {(!creating)
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        id="doc-delete"
                                        class="danger"
                                        disabled=move || delete.pending().get()
                                        on:click=on_delete
                                    >
                                        "Delete"
                                    </button>
                                }
                            })}
                    </div>
                </Show>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="doc-error" message=m /> })}
            {move || {
                save_error
                    .get()
                    .map(|e| {
                        let message = match invalid_step.get() {
                            Some(StepError { step: Some(step), .. }) if error_at_listed_step.get() => {
                                format!("Not saved: the document is not valid at step {step} (see Steps).")
                            }
                            _ => format!("Not saved: {e}"),
                        };
                        view! { <ErrorNote id="doc-save-error" message=message /> }
                    })
            }}
            {move || saved.get().map(|m| view! { <p class="ok" id="doc-saved" role="status">{m}</p> })}
            {move || {
                make_default
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="default-error" message=e.to_string() /> })
            }}
            {move || {
                delete
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <ErrorNote id="doc-delete-error" message=e.to_string() /> })
            }}
            {(!creating)
                .then(|| {
                    view! {
                        <h2>"Versions"</h2>
                        {version_rows}
                    }
                })}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_invalid_content_points_at_a_step() {
        let invalid = ApiError::Http {
            status: 400,
            error_type: Some(INVALID_CONTENT.to_owned()),
            message: "Step a: bad".to_owned(),
        };
        assert_eq!(
            save_step_error(&invalid).and_then(|e| e.step),
            Some("a".to_owned())
        );
        let other = ApiError::Http {
            status: 400,
            error_type: Some("DuplicateDocumentContent".to_owned()),
            message: "Step a: same".to_owned(),
        };
        assert_eq!(save_step_error(&other), None);
    }
}
