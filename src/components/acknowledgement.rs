//! An incident's acknowledgement: what is in force, and the "Acknowledge" button with its
//! small form (a note and an expiry).

use leptos::prelude::*;
use tocsin_api::native::{AcknowledgeIncident, Acknowledgement};

use crate::api::ApiError;
use crate::clock::local_hm_ms;
use crate::format::acknowledged_by;
use crate::forms::acknowledge::{AcknowledgeForm, EXPIRY_CHOICES};
use crate::use_api;

/// `p.acknowledgement`: "Acknowledged by NAME" (`.ack-by`), "until HH:MM" (`.ack-until`)
/// when it expires, and the note (`.ack-note`), all as text.
#[component]
pub fn AcknowledgementNote(
    /// The acknowledgement in force.
    acknowledgement: Acknowledgement,
) -> impl IntoView {
    let until = acknowledgement
        .until
        .map(|u| format!("until {}", local_hm_ms(u * 1_000.0)));
    view! {
        <p class="acknowledgement" data-by=acknowledgement.by.clone()>
            <span class="ack-by">{acknowledged_by(&acknowledgement.name)}</span>
            {until.map(|u| view! { " " <span class="ack-until">{u}</span> })}
            {acknowledgement
                .note
                .filter(|n| !n.trim().is_empty())
                .map(|n| view! { " — " <span class="ack-note">{n}</span> })}
        </p>
    }
}

/// `div.ack-control`: an "Acknowledge" button (`button.ack-open`) that opens `form.ack-form`
/// (a note, `textarea.ack-note-input`; an expiry, `select.ack-expiry`: none, 15 min,
/// 30 min, 1 h, 4 h) whose `button.ack-submit` sends `POST /v1/incidents/acknowledge`. The
/// form closes and empties once it is done, and `on_done` gets the acknowledgement; the
/// server's refusal is shown in `p.ack-error`. Several may be on one page (wall cards), so
/// everything is found by class.
#[component]
pub fn AcknowledgeControl(
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// Called with the acknowledgement once the server took it.
    #[prop(optional, into)]
    on_done: Option<Callback<Acknowledgement>>,
) -> impl IntoView {
    let api = use_api();
    let open = RwSignal::new(false);
    let defaults = AcknowledgeForm::default();
    let note = RwSignal::new(defaults.note);
    let expiry = RwSignal::new(defaults.expiry);
    let form_error = RwSignal::new(None::<String>);
    let acknowledge = Action::new_local(move |input: &AcknowledgeIncident| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let ack = api.acknowledge_incident(&input).await?;
            open.try_set(false);
            note.try_set(String::new());
            expiry.try_set(String::new());
            if let Some(on_done) = on_done {
                on_done.run(ack.clone());
            }
            Ok::<Acknowledgement, ApiError>(ack)
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = AcknowledgeForm {
            note: note.get_untracked(),
            expiry: expiry.get_untracked(),
        };
        match form.input(&incident_arn.get_untracked()) {
            Ok(input) => {
                form_error.set(None);
                acknowledge.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    view! {
        <div class="ack-control">
            <button
                type="button"
                class="small ack-open"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Cancel" } else { "Acknowledge" }}
            </button>
            <Show when=move || open.get()>
                <form class="form ack-form" autocomplete="off" on:submit=on_submit>
                    <label>
                        "Note (optional)"
                        <textarea
                            class="ack-note-input"
                            rows="2"
                            maxlength="1000"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <label>
                        "Expires"
                        <select
                            class="ack-expiry"
                            prop:value=move || expiry.get()
                            on:change=move |ev| expiry.set(event_target_value(&ev))
                        >
                            {EXPIRY_CHOICES
                                .iter()
                                .map(|&(value, label)| {
                                    view! {
                                        <option value=value selected=move || expiry.with(|e| e == value)>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <button
                        type="submit"
                        class="small ack-submit"
                        disabled=move || acknowledge.pending().get()
                    >
                        "Acknowledge"
                    </button>
                </form>
            </Show>
            {move || {
                form_error.get().map(|m| view! { <p class="error ack-error" role="alert">{m}</p> })
            }}
            {move || {
                acknowledge
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|e| view! { <p class="error ack-error" role="alert">{e.to_string()}</p> })
            }}
        </div>
    }
}
