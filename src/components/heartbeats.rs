//! The Maintenance page's "Heartbeats" section: the dead man's switches, where each stands,
//! the create-or-replace form and Delete.

use leptos::prelude::*;
use tocsin_api::native::Change;
use tocsin_api::receivers::{Heartbeat, HeartbeatState, PutHeartbeat};

use crate::api::ApiError;
use crate::auth::cannot_message;
use crate::auth::session::use_auth;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::components::loaded::Loaded;
use crate::format::{format_age, heartbeat_state_class, heartbeat_state_label, one_line};
use crate::forms::maintenance::HeartbeatForm;
use crate::live::{ChangeFeed, use_live_resource};
use crate::use_api;

/// `section#heartbeats`: every heartbeat (`GET /v1/heartbeats`) in `table#heartbeat-list`,
/// one `tr.heartbeat-row[data-name][data-state]` each (name, pattern, interval, state
/// badge, last beat, due or missed at), following `heartbeatChanged` on `feed`; for admins a
/// form (`form#heartbeat-form`) that creates one or replaces the one of that name (after a
/// confirmation), and "Delete" (`button.heartbeat-delete`, after a confirmation).
#[component]
pub fn Heartbeats(
    /// The page's change feed (started by the page).
    feed: ChangeFeed,
    /// Whether the key may create and delete heartbeats (admin).
    can_manage: bool,
) -> impl IntoView {
    let role = use_auth().role_untracked();
    let api = use_api();
    let list_api = api.clone();
    let heartbeats = use_live_resource(
        feed,
        move || {
            let api = list_api.clone();
            async move { api.list_heartbeats().await }
        },
        |entry| matches!(entry.change, Change::HeartbeatChanged { .. }),
    );
    let refresh = Callback::new(move |()| heartbeats.refetch());

    let delete_api = api.clone();
    let delete = refreshing_action(refresh, move |name: String| {
        let api = delete_api.clone();
        async move { api.delete_heartbeat(&name).await }
    });

    view! {
        <section class="integration-section" id="heartbeats" aria-labelledby="heartbeats-title">
            <h2 id="heartbeats-title">"Heartbeats"</h2>
            <p class="hint">
                "A heartbeat expects an event matching its pattern at least once per interval. When "
                "none comes, it puts a Heartbeat Missed event on the bus (and Heartbeat Recovered when "
                "one comes again), for rules to act on."
            </p>
            {(!can_manage)
                .then(|| {
                    view! {
                        <p class="note" id="heartbeats-read-only">
                            {cannot_message(role, "create or delete heartbeats (an admin can)")}
                        </p>
                    }
                })}
            <Loaded
                resource=heartbeats
                render=move |list| view! { <HeartbeatTable heartbeats=list delete can_manage /> }
            />
            <ActionError action=delete id="heartbeat-delete-error" />
            {can_manage
                .then(|| {
                    let names = Signal::derive(move || {
                        heartbeats
                            .with(|r| match r {
                                Some(Ok(list)) => list.iter().map(|h| h.name.clone()).collect(),
                                _ => Vec::new(),
                            })
                    });
                    view! { <HeartbeatEditor names refresh /> }
                })}
        </section>
    }
}

/// `table#heartbeat-list`, or `p#no-heartbeats`.
#[component]
fn HeartbeatTable(
    heartbeats: Vec<Heartbeat>,
    delete: Action<String, Result<(), ApiError>>,
    can_manage: bool,
) -> impl IntoView {
    if heartbeats.is_empty() {
        return view! { <p class="muted" id="no-heartbeats">"No heartbeats."</p> }.into_any();
    }
    view! {
        <table class="list" id="heartbeat-list">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Pattern"</th>
                    <th>"Interval"</th>
                    <th>"State"</th>
                    <th>"Last beat"</th>
                    <th>"Due / missed"</th>
                    {can_manage.then(|| view! { <th>"Actions"</th> })}
                </tr>
            </thead>
            <tbody>
                {heartbeats
                    .into_iter()
                    .map(|h| {
                        let confirm = format!(
                            "Delete heartbeat {}? Nothing watches for its events any more.",
                            h.name,
                        );
                        let deadline = match (h.state, h.missed_at, h.due_at) {
                            (HeartbeatState::Missed, Some(at), _) => {
                                format!("missed at {}", local_datetime(at))
                            }
                            (_, _, Some(at)) => format!("due at {}", local_datetime(at)),
                            _ => "—".to_owned(),
                        };
                        view! {
                            <tr
                                class="heartbeat-row"
                                data-name=h.name.clone()
                                data-state=heartbeat_state_label(h.state)
                            >
                                <td class="mono heartbeat-name">{h.name.clone()}</td>
                                <td class="mono heartbeat-pattern">{one_line(&h.event_pattern, 200)}</td>
                                <td class="heartbeat-interval">{format_age(h.interval_seconds as f64)}</td>
                                <td>
                                    <span class=format!(
                                        "rule-state heartbeat-state {}",
                                        heartbeat_state_class(h.state),
                                    )>{heartbeat_state_label(h.state)}</span>
                                </td>
                                <td class="heartbeat-last-beat">
                                    {h.last_beat_at.map(local_datetime).unwrap_or_else(|| "never".to_owned())}
                                </td>
                                <td class="heartbeat-deadline">{deadline}</td>
                                {can_manage
                                    .then(|| {
                                        view! {
                                            <td>
                                                <ActionButton
                                                    action=delete
                                                    input=h.name.clone()
                                                    class="small danger heartbeat-delete"
                                                    confirm
                                                >
                                                    "Delete"
                                                </ActionButton>
                                            </td>
                                        }
                                    })}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// `form#heartbeat-form`: name, pattern and interval in seconds, then "Save heartbeat"
/// (`POST /v1/heartbeats`); replacing an existing name asks first (its clock starts again).
#[component]
fn HeartbeatEditor(names: Signal<Vec<String>>, refresh: Callback<()>) -> impl IntoView {
    let api = use_api();
    let defaults = HeartbeatForm::default();
    let name = RwSignal::new(defaults.name);
    let event_pattern = RwSignal::new(defaults.event_pattern);
    let interval_seconds = RwSignal::new("3600".to_owned());
    let form_error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);

    let save = Action::new_local(move |input: &PutHeartbeat| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let beat = api.put_heartbeat(&input).await?;
            name.try_set(String::new());
            saved.try_set(Some(format!("Heartbeat {} saved.", beat.name)));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let form = HeartbeatForm {
            name: name.get_untracked(),
            event_pattern: event_pattern.get_untracked(),
            interval_seconds: interval_seconds.get_untracked(),
        };
        match form.put_input() {
            Ok(input) => {
                form_error.set(None);
                let exists = names.with_untracked(|n| n.contains(&input.name));
                let go = !exists
                    || window()
                        .confirm_with_message(&format!(
                            "Replace heartbeat {}? Its clock starts again.",
                            input.name
                        ))
                        .unwrap_or(false);
                if go {
                    save.dispatch_local(input);
                }
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <h3>"Create or replace a heartbeat"</h3>
        <form class="form" id="heartbeat-form" autocomplete="off" on:submit=on_save>
            <TextField
                id="heartbeat-name"
                label="Name"
                value=name
                required=true
                maxlength="64"
                class="mono"
                hint="Letters, digits, '.', '-' and '_'."
            />
            <TextArea
                id="heartbeat-pattern"
                label="Event pattern: what counts as a beat"
                value=event_pattern
                rows="4"
                required=true
                code=true
            />
            <TextField
                id="heartbeat-interval"
                label="Interval in seconds"
                value=interval_seconds
                input_type="number"
                required=true
                hint="How long without a beat before it is missed (1 second to 31 days)."
            />
            <div class="actions">
                <button type="submit" id="heartbeat-save" disabled=move || save.pending().get()>
                    "Save heartbeat"
                </button>
            </div>
        </form>
        {move || form_error.get().map(|m| view! { <ErrorNote id="heartbeat-form-error" message=m /> })}
        <ActionError action=save id="heartbeat-save-error" />
        {move || saved.get().map(|m| view! { <p class="ok" id="heartbeat-saved" role="status">{m}</p> })}
    }
}
