//! Resolve and edit an incident, and hold back what triggered it for an hour.

use leptos::prelude::*;
use tocsin_api::incidents::{IncidentRecordStatus, UpdateIncidentRecordInput};
use tocsin_api::native::IncidentDetail;
use tocsin_api::receivers::MaintenanceWindow;

use crate::api::{Api, ApiError, new_client_token};
use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::components::action_button::ActionButton;
use crate::components::action_error::ActionError;
use crate::components::fields::{ImpactSelect, TextArea, TextField};
use crate::forms::incident::{IncidentForm, resolve_input};
use crate::forms::maintenance::window_from_incident;

/// The incident page's editing state. It lives on the page, not in the detail view, so a
/// live refetch (which re-renders the detail) neither closes the editor nor loses the draft.
#[derive(Clone, Copy)]
pub struct IncidentEditor {
    /// `UpdateIncidentRecord` (resolve or save).
    pub update: Action<UpdateIncidentRecordInput, Result<(), ApiError>>,
    /// The one-click maintenance window for an incident (its ARN in; the ARN and the window
    /// out), kept here so what it reports survives a refetch of the incident.
    pub create_window: Action<String, Result<(String, MaintenanceWindow), ApiError>>,
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
        let window_api = api.clone();
        let update = Action::new_local(move |input: &UpdateIncidentRecordInput| {
            let api = api.clone();
            let input = input.clone();
            async move { api.update_incident_record(&input).await }
        });
        let create_window = Action::new_local(move |arn: &String| {
            let api = window_api.clone();
            let arn = arn.clone();
            async move {
                let window = api
                    .create_maintenance_window(&window_from_incident(&arn))
                    .await?;
                Ok((arn, window))
            }
        });
        Effect::watch(
            move || update.version().get(),
            move |_, _, _| refresh.run(()),
            false,
        );
        Self {
            update,
            create_window,
            editing: RwSignal::new(false),
            title: RwSignal::new(String::new()),
            impact: RwSignal::new(String::new()),
            summary: RwSignal::new(String::new()),
        }
    }
}

/// Resolve button, the title/impact/summary editor and, for keys that may create
/// maintenance windows, "Create maintenance window" (`button.create-window`: an hour-long
/// window matching what triggered the incident, `POST /v1/maintenance-windows` with
/// `fromIncidentArn`), which then says `p.window-created` "Maintenance window NAME created"
/// with a link to `/maintenance`.
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
        create_window,
        editing,
        title,
        impact,
        summary,
    } = editor;
    let can_window = may(use_auth().role_untracked(), Control::ManageMaintenance);
    let window_arn = arn.clone();
    let shown_arn = arn.clone();
    // What the last click answered, for this incident only (the page may have moved on).
    let window_result = move || {
        create_window.value().get().filter(|r| match r {
            Ok((a, _)) => *a == shown_arn,
            Err(_) => true,
        })
    };

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
            {can_window
                .then(|| {
                    view! {
                        <ActionButton
                            action=create_window
                            input=window_arn
                            class="create-window"
                            title=Some("Suppress what triggered this incident for an hour")
                        >
                            "Create maintenance window"
                        </ActionButton>
                    }
                })}
        </div>
        <ActionError action=update id="update-error" />
        {move || match window_result() {
            Some(Ok((_, window))) => {
                view! {
                    <p class="ok window-created" role="status">
                        "Maintenance window "
                        <span class="window-created-name">{window.name}</span>
                        " created. "
                        <a href="/maintenance">"Maintenance windows"</a>
                    </p>
                }
                    .into_any()
            }
            Some(Err(e)) => {
                view! { <p class="error window-create-error" role="alert">{e.to_string()}</p> }
                    .into_any()
            }
            None => ().into_any(),
        }}
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
