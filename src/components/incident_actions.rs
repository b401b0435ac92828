//! Resolve and edit an incident.

use leptos::prelude::*;
use tocsin_api::incidents::{IncidentRecordStatus, UpdateIncidentRecordInput};
use tocsin_api::native::IncidentDetail;

use crate::api::{Api, ApiError, new_client_token};
use crate::components::action_error::ActionError;
use crate::components::fields::{ImpactSelect, TextArea, TextField};
use crate::forms::incident::{IncidentForm, resolve_input};

/// The incident page's editing state. It lives on the page, not in the detail view, so a
/// live refetch (which re-renders the detail) neither closes the editor nor loses the draft.
#[derive(Clone, Copy)]
pub struct IncidentEditor {
    /// `UpdateIncidentRecord` (resolve or save).
    pub update: Action<UpdateIncidentRecordInput, Result<(), ApiError>>,
    /// Whether the edit form is open.
    pub editing: RwSignal<bool>,
    /// Draft title.
    pub title: RwSignal<String>,
    /// Draft impact (`"1"`…`"5"`).
    pub impact: RwSignal<String>,
    /// Draft summary.
    pub summary: RwSignal<String>,
}

impl IncidentEditor {
    /// Creates the editor; `refresh` runs after every successful update.
    pub fn new(api: Api, refresh: Callback<()>) -> Self {
        let update = Action::new_local(move |input: &UpdateIncidentRecordInput| {
            let api = api.clone();
            let input = input.clone();
            async move { api.update_incident_record(&input).await }
        });
        Effect::watch(
            move || update.version().get(),
            move |_, _, _| refresh.run(()),
            false,
        );
        Self {
            update,
            editing: RwSignal::new(false),
            title: RwSignal::new(String::new()),
            impact: RwSignal::new(String::new()),
            summary: RwSignal::new(String::new()),
        }
    }
}

/// Resolve button and the title/impact/summary editor.
#[component]
pub fn IncidentActions(
    /// The incident as last fetched.
    detail: IncidentDetail,
    /// The page's editing state.
    editor: IncidentEditor,
) -> impl IntoView {
    let record = detail.incident.incident;
    let arn = record.arn.clone();
    let is_open = record.status == IncidentRecordStatus::Open;
    let IncidentEditor {
        update,
        editing,
        title,
        impact,
        summary,
    } = editor;

    let resolve_arn = arn.clone();
    let resolve = move |_| {
        update.dispatch_local(resolve_input(&resolve_arn, new_client_token()));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = IncidentForm {
            title: title.get_untracked(),
            impact: impact.get_untracked(),
            summary: summary.get_untracked(),
        };
        update.dispatch_local(form.update_input(&arn, new_client_token()));
        editing.set(false);
    };
    let toggle = move |_| {
        if !editing.get_untracked() {
            let form = IncidentForm::from_record(&record);
            title.set(form.title);
            impact.set(form.impact);
            summary.set(form.summary);
        }
        editing.update(|e| *e = !*e);
    };

    view! {
        <div class="actions">
            {is_open
                .then(|| {
                    view! {
                        <button
                            type="button"
                            id="resolve"
                            class="danger"
                            disabled=move || update.pending().get()
                            on:click=resolve
                        >
                            "Resolve"
                        </button>
                    }
                })}
            <button type="button" id="edit-toggle" on:click=toggle>
                {move || if editing.get() { "Cancel edit" } else { "Edit" }}
            </button>
        </div>
        <ActionError action=update id="update-error" />
        <Show when=move || editing.get()>
            <form class="form" id="edit-form" on:submit=save.clone()>
                <TextField id="edit-title" label="Title" value=title required=true maxlength="200" />
                <ImpactSelect id="edit-impact" label="Impact" value=impact />
                <TextArea id="edit-summary" label="Summary" value=summary rows="5" maxlength="8000" />
                <button type="submit" id="edit-submit" disabled=move || update.pending().get()>
                    "Save"
                </button>
            </form>
        </Show>
    }
}
