//! The Maintenance page's "Create a maintenance window" form.

use leptos::prelude::*;
use tocsin_api::receivers::CreateMaintenanceWindow;

use crate::api::ApiError;
use crate::clock::{datetime_local_value, local_time_zone, local_to_epoch, now_secs};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::forms::maintenance::WindowForm;
use crate::use_api;

/// `form#window-form`: name, reason, event pattern and optional resolved pattern, start
/// (`datetime-local`, now), an end or a duration in minutes, and an optional recurrence
/// (cron and time zone, the browser's by default); then "Create window"
/// (`POST /v1/maintenance-windows`). Says `#window-created` once done and empties the
/// name, reason and patterns.
#[component]
pub fn CreateWindowForm(
    /// Reads the window list again.
    refresh: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let prefilled = datetime_local_value(now_secs());
    let name = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let event_pattern = RwSignal::new(String::new());
    let resolved_pattern = RwSignal::new(String::new());
    let start = RwSignal::new(prefilled.clone());
    let end = RwSignal::new(String::new());
    let duration_minutes = RwSignal::new(String::new());
    let cron = RwSignal::new(String::new());
    let time_zone = RwSignal::new(local_time_zone());
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);

    let create = Action::new_local(move |input: &CreateMaintenanceWindow| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let window = api.create_maintenance_window(&input).await?;
            for field in [name, reason, event_pattern, resolved_pattern] {
                field.try_set(String::new());
            }
            created.try_set(Some(format!(
                "Maintenance window {} created ({}).",
                window.name, window.id
            )));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let form = WindowForm {
            name: name.get_untracked(),
            reason: reason.get_untracked(),
            event_pattern: event_pattern.get_untracked(),
            resolved_pattern: resolved_pattern.get_untracked(),
            start: start.get_untracked(),
            start_prefilled: prefilled.clone(),
            end: end.get_untracked(),
            duration_minutes: duration_minutes.get_untracked(),
            cron: cron.get_untracked(),
            time_zone: time_zone.get_untracked(),
        };
        match form.create_input(local_to_epoch, now_secs()) {
            Ok(input) => {
                form_error.set(None);
                create.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section class="integration-section" id="create-window" aria-labelledby="create-window-title">
            <h2 id="create-window-title">"Create a maintenance window"</h2>
            <form class="form" id="window-form" autocomplete="off" on:submit=on_create>
                <TextField id="window-name" label="Name" value=name required=true maxlength="200" />
                <TextField
                    id="window-reason"
                    label="Reason (optional)"
                    value=reason
                    maxlength="1000"
                    hint="Why: shown with the window, and on the incidents it holds back."
                />
                <TextArea
                    id="window-pattern"
                    label="Event pattern: the events it suppresses"
                    value=event_pattern
                    rows="5"
                    required=true
                    code=true
                />
                <TextArea
                    id="window-resolved-pattern"
                    label="Resolved pattern (optional): an event that means a suppressed source stopped firing"
                    value=resolved_pattern
                    rows="3"
                    code=true
                />
                <TextField
                    id="window-start"
                    label="Start"
                    value=start
                    input_type="datetime-local"
                    hint="Local time; left as it is, the window starts when it is created."
                />
                <TextField
                    id="window-end"
                    label="End (optional)"
                    value=end
                    input_type="datetime-local"
                    hint="Give an end or a duration. With a recurrence, the end is when it stops repeating."
                />
                <TextField
                    id="window-duration"
                    label="Duration in minutes (optional)"
                    value=duration_minutes
                    input_type="number"
                    placeholder="60"
                    hint="How long the window (each occurrence, when it repeats) lasts."
                />
                <TextField
                    id="window-cron"
                    label="Repeats (optional): cron"
                    value=cron
                    class="mono"
                    placeholder="0 2 * * SUN"
                    hint="Five fields: minute hour day-of-month month day-of-week."
                />
                <TextField id="window-time-zone" label="Time zone of the cron" value=time_zone class="mono" />
                <div class="actions">
                    <button type="submit" id="window-create" disabled=move || create.pending().get()>
                        "Create window"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="window-form-error" message=m /> })}
            <ActionError action=create id="window-create-error" />
            {move || {
                created
                    .get()
                    .map(|m| view! { <p class="ok" id="window-created" role="status">{m}</p> })
            }}
        </section>
    }
}
