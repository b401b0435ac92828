//! Resolve and edit an incident.

use leptos::prelude::*;
use tocsin_api::incidents::{IncidentRecordStatus, UpdateIncidentRecordInput};
use tocsin_api::native::IncidentDetail;

use crate::api::{Api, ApiError, new_client_token};
use crate::components::error_note::ErrorNote;
use crate::components::impact_select::ImpactSelect;

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
        update.dispatch_local(UpdateIncidentRecordInput {
            arn: resolve_arn.clone(),
            client_token: Some(new_client_token()),
            status: Some(IncidentRecordStatus::Resolved),
            ..UpdateIncidentRecordInput::default()
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch_local(UpdateIncidentRecordInput {
            arn: arn.clone(),
            client_token: Some(new_client_token()),
            title: Some(title.get_untracked().trim().to_owned()),
            impact: impact.get_untracked().parse().ok(),
            summary: Some(summary.get_untracked()),
            ..UpdateIncidentRecordInput::default()
        });
        editing.set(false);
    };
    let toggle = move |_| {
        if !editing.get_untracked() {
            title.set(record.title.clone());
            impact.set(record.impact.to_string());
            summary.set(record.summary.clone().unwrap_or_default());
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
        {move || {
            update
                .value()
                .get()
                .and_then(Result::err)
                .map(|e| view! { <ErrorNote id="update-error" message=e.to_string() /> })
        }}
        <Show when=move || editing.get()>
            <form class="form" id="edit-form" on:submit=save.clone()>
                <label for="edit-title">"Title"</label>
                <input
                    id="edit-title"
                    name="edit-title"
                    required
                    maxlength="200"
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <label for="edit-impact">"Impact"</label>
                <ImpactSelect id="edit-impact" value=impact />
                <label for="edit-summary">"Summary"</label>
                <textarea
                    id="edit-summary"
                    name="edit-summary"
                    maxlength="8000"
                    rows="5"
                    prop:value=move || summary.get()
                    on:input=move |ev| summary.set(event_target_value(&ev))
                ></textarea>
                <button type="submit" id="edit-submit" disabled=move || update.pending().get()>
                    "Save"
                </button>
            </form>
        </Show>
    }
}
