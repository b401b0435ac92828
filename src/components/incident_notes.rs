//! The incident page's "Notes" section: the incident's `Note` timeline entries; write, edit
//! and delete them.

use leptos::prelude::*;
use tocsin_api::incidents::{
    CreateTimelineEventInput, DeleteTimelineEventInput, TimelineEvent, UpdateTimelineEventInput,
};

use crate::api::{Api, ApiError, new_client_token};
use crate::clock::{local_datetime, now_secs};
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextArea;
use crate::forms::note::{
    create_note_input, delete_note_input, is_note, note_text, update_note_input,
};

/// `section#notes`: the incident's notes (timeline entries of type `Note`), oldest first,
/// one `li.incident-note[data-event-id]` each with its time and its text (`.note-text`, text only,
/// line breaks kept). For keys that may work incidents: `form#note-form` writes a note
/// (`CreateTimelineEvent`), and each note has "Edit" (`button.note-edit`, which opens
/// `form.note-edit-form` in place: `UpdateTimelineEvent`) and "Delete"
/// (`button.note-delete`, after a confirmation: `DeleteTimelineEvent`).
///
/// The notes come from the page's incident (`timeline`), which follows the change feed;
/// after each change made here `on_changed` reads it again. The draft of a new note and of
/// the note being edited live here, so a refetch keeps what is typed.
#[component]
pub fn IncidentNotes(
    /// The API client.
    api: Api,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// The incident's timeline as last fetched.
    #[prop(into)]
    timeline: Signal<Vec<TimelineEvent>>,
    /// Whether the key may write, edit and delete notes (responder, admin).
    can_work: bool,
    /// Reads the incident again (after a change made here).
    on_changed: Callback<()>,
) -> impl IntoView {
    let notes = Memo::new(move |_| {
        let mut notes: Vec<TimelineEvent> =
            timeline.with(|t| t.iter().filter(|e| is_note(e)).cloned().collect());
        notes.sort_by(|a, b| a.event_time.total_cmp(&b.event_time));
        notes
    });
    let text = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<String>);
    let draft = RwSignal::new(String::new());
    let edit_error = RwSignal::new(None::<String>);

    let create_api = api.clone();
    let create = Action::new_local(move |input: &CreateTimelineEventInput| {
        let api = create_api.clone();
        let input = input.clone();
        async move {
            api.create_timeline_event(&input).await?;
            text.try_set(String::new());
            on_changed.run(());
            Ok::<(), ApiError>(())
        }
    });
    let update_api = api.clone();
    let update = Action::new_local(move |input: &UpdateTimelineEventInput| {
        let api = update_api.clone();
        let input = input.clone();
        async move {
            api.update_timeline_event(&input).await?;
            if editing.try_get_untracked().flatten().as_deref() == Some(input.event_id.as_str()) {
                editing.try_set(None);
            }
            on_changed.run(());
            Ok::<(), ApiError>(())
        }
    });
    let delete = refreshing_action(on_changed, move |input: DeleteTimelineEventInput| {
        let api = api.clone();
        async move { api.delete_timeline_event(&input).await }
    });

    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match create_note_input(
            &incident_arn.get_untracked(),
            &text.get_untracked(),
            now_secs(),
            new_client_token(),
        ) {
            Ok(input) => {
                form_error.set(None);
                create.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let note_view = move |note: TimelineEvent| {
        let id = note.event_id.clone();
        let shown = note_text(&note.event_data);
        let is_editing = {
            let id = id.clone();
            move || editing.with(|e| e.as_deref() == Some(id.as_str()))
        };
        let controls = can_work.then(|| {
            let edit_id = id.clone();
            let edit_text = shown.clone();
            let on_edit = move |_| {
                draft.set(edit_text.clone());
                edit_error.set(None);
                editing.set(Some(edit_id.clone()));
            };
            let delete_input = delete_note_input(&incident_arn.get_untracked(), &id);
            view! {
                <div class="note-actions">
                    <button type="button" class="note-edit small" on:click=on_edit>
                        "Edit"
                    </button>
                    <ActionButton
                        action=delete
                        input=delete_input
                        class="note-delete small danger"
                        confirm="Delete this note?"
                    >
                        "Delete"
                    </ActionButton>
                </div>
            }
        });
        let save_id = id.clone();
        let on_save = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match update_note_input(
                &incident_arn.get_untracked(),
                &save_id,
                &draft.get_untracked(),
                new_client_token(),
            ) {
                Ok(input) => {
                    edit_error.set(None);
                    update.dispatch_local(input);
                }
                Err(msg) => edit_error.set(Some(msg)),
            }
        };
        view! {
            <li class="incident-note" data-event-id=id.clone()>
                <div class="note-meta">
                    <time>{local_datetime(note.event_time)}</time>
                    {controls}
                </div>
                <Show
                    when=is_editing.clone()
                    fallback=move || view! { <p class="note-text">{shown.clone()}</p> }
                >
                    <form class="form note-edit-form" on:submit=on_save.clone()>
                        <textarea
                            class="note-edit-text"
                            aria-label="Note text"
                            rows="4"
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                        ></textarea>
                        <div class="actions">
                            <button type="submit" class="note-save" disabled=move || update.pending().get()>
                                "Save note"
                            </button>
                            <button type="button" class="note-cancel" on:click=move |_| editing.set(None)>
                                "Cancel"
                            </button>
                        </div>
                        {move || edit_error.get().map(|m| view! { <ErrorNote class="note-edit-error" message=m /> })}
                    </form>
                </Show>
            </li>
        }
    };

    view! {
        <section class="notes" id="notes" aria-labelledby="notes-title">
            <h2 id="notes-title">"Notes"</h2>
            <Show when=move || notes.with(Vec::is_empty)>
                <p class="muted" id="no-notes">
                    "No notes yet."
                </p>
            </Show>
            <ul class="note-list" id="note-list">
                <For
                    each=move || notes.get()
                    key=|n| (n.event_id.clone(), n.event_updated_time.to_bits(), n.event_data.clone())
                    children=note_view
                />
            </ul>
            <ActionError action=update id="note-update-error" />
            <ActionError action=delete id="note-delete-error" />
            {can_work
                .then(|| {
                    view! {
                        <form class="form" id="note-form" on:submit=on_create>
                            <TextArea id="note-text" label="New note" value=text rows="3" maxlength="11000" />
                            <div class="actions">
                                <button type="submit" id="note-submit" disabled=move || create.pending().get()>
                                    "Add note"
                                </button>
                            </div>
                        </form>
                        {move || form_error.get().map(|m| view! { <ErrorNote id="note-form-error" message=m /> })}
                        <ActionError action=create id="note-error" />
                    }
                })}
        </section>
    }
}
