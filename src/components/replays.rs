//! The rules page's "Replays" section: archived events put back on their bus, with their
//! progress.

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::events::{Archive, Replay, StartReplayRequest};

use crate::api::ApiError;
use crate::api::archives::{can_cancel_replay, is_active_replay};
use crate::clock::{local_datetime, local_to_epoch, now_secs};
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::components::list_status::{KeptList, ListStatus};
use crate::forms::archive::ReplayForm;
use crate::live::{ChangeFeed, ConnectionState};
use crate::use_api;

/// How often the replays are read again while one runs and the change feed is not live
/// (they follow `replayChanged` otherwise).
pub const POLL_WHILE_REPLAYING_MS: u32 = 2_000;

/// CSS classes of a replay state's badge.
fn state_class(state: &str) -> &'static str {
    match state {
        "COMPLETED" => "rule-state rule-enabled replay-state",
        "FAILED" | "CANCELLED" => "rule-state disagree replay-state",
        _ => "rule-state rule-disabled replay-state",
    }
}

/// `section#replays`: the replays (`ListReplays`) in `table#replay-list`, one
/// `tr.replay-row[data-name][data-state]` each: its archive, state
/// (`STARTING`, `RUNNING`, `CANCELLING`, `COMPLETED`, `CANCELLED`, `FAILED`), the range of
/// archived events, how far it got (`.replay-last`: the archive time of the last event
/// replayed), when it began and ended. The list follows `replayChanged` on `feed`, which
/// the server sends after each batch; while a replay runs and the feed is not live, it is
/// read every [`POLL_WHILE_REPLAYING_MS`]. For admins: `form#replay-form` starts one
/// (`StartReplay`, back onto the archive's bus; an empty start means the archive's
/// creation, an empty end now, and rule ARNs, one a line, limit it to those rules), and
/// "Cancel" (`button.replay-cancel`) cancels a running one (`CancelReplay`).
#[component]
pub fn Replays(
    /// The replays, following the change feed.
    replays: KeptList<Replay>,
    /// Reads the replays again.
    refresh: Callback<()>,
    /// The page's change feed.
    feed: ChangeFeed,
    /// The archives a replay may come from.
    #[prop(into)]
    archives: Signal<Vec<Archive>>,
    /// Whether the key may start and cancel replays (admin).
    manage: bool,
) -> impl IntoView {
    let api = use_api();
    let state = feed.state();
    let active = Memo::new(move |_| replays.list.with(|l| l.iter().any(is_active_replay)));
    let poll = Interval::new(POLL_WHILE_REPLAYING_MS, move || {
        let live = state.try_get_untracked() == Some(ConnectionState::Live);
        if !live && active.try_get_untracked() == Some(true) {
            refresh.run(());
        }
    });
    let poll = SendWrapper::new(poll);
    on_cleanup(move || drop(poll));

    let name = RwSignal::new(String::new());
    let archive = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let filters = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let started = RwSignal::new(None::<String>);
    let start_api = api.clone();
    let start = Action::new_local(move |input: &StartReplayRequest| {
        let api = start_api.clone();
        let input = input.clone();
        async move {
            api.start_replay(&input).await?;
            name.try_set(String::new());
            started.try_set(Some(input.replay_name.clone()));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let cancel = refreshing_action(refresh, move |replay: String| {
        let api = api.clone();
        async move { api.cancel_replay(&replay).await }
    });
    let on_start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        started.set(None);
        let form = ReplayForm {
            name: name.get_untracked(),
            archive: archive.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
            filter_arns: filters.get_untracked(),
        };
        let chosen = archives.with_untracked(|list| {
            list.iter()
                .find(|a| a.archive_name.as_deref() == Some(form.archive.as_str()))
                .cloned()
        });
        let source = chosen.as_ref().map(|a| {
            (
                a.archive_name.as_deref().unwrap_or_default(),
                a.event_source_arn.as_deref().unwrap_or_default(),
                a.creation_time,
            )
        });
        match form.start_input(source, local_to_epoch, now_secs()) {
            Ok(input) => {
                form_error.set(None);
                start.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section class="rules-section" id="replays" aria-labelledby="replays-title">
            <h2 id="replays-title">"Replays"</h2>
            <ListStatus list=replays error_id="replays-error" empty_id="no-replays" empty="No replays." />
            <Show when=move || replays.list.with(|l| !l.is_empty())>
                <table class="list" id="replay-list">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Archive"</th>
                            <th>"State"</th>
                            <th>"Events from"</th>
                            <th>"Events until"</th>
                            <th>"Replayed up to"</th>
                            <th>"Began"</th>
                            <th>"Ended"</th>
                            {manage.then(|| view! { <th>"Actions"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || replays.list.get()
                            key=|r| serde_json::to_string(r).unwrap_or_default()
                            children=move |r: Replay| {
                                let replay_name = r.replay_name.clone().unwrap_or_default();
                                let replay_state = r.state.clone().unwrap_or_default();
                                let archive_name = r
                                    .event_source_arn
                                    .as_deref()
                                    .and_then(|a| a.split_once(":archive/"))
                                    .map(|(_, n)| n.to_owned())
                                    .unwrap_or_default();
                                let time = |t: Option<f64>| t.map(local_datetime).unwrap_or_else(|| "—".to_owned());
                                let cancellable = manage && can_cancel_replay(&r);
                                view! {
                                    <tr class="replay-row" data-name=replay_name.clone() data-state=replay_state.clone()>
                                        <td class="mono replay-name">{replay_name.clone()}</td>
                                        <td class="mono replay-archive">{archive_name}</td>
                                        <td>
                                            <span class=state_class(&replay_state) title=r.state_reason.clone()>
                                                {replay_state.clone()}
                                            </span>
                                        </td>
                                        <td class="replay-from">{time(r.event_start_time)}</td>
                                        <td class="replay-to">{time(r.event_end_time)}</td>
                                        <td class="replay-last">{time(r.event_last_replayed_time)}</td>
                                        <td class="replay-began">{time(r.replay_start_time)}</td>
                                        <td class="replay-ended">{time(r.replay_end_time)}</td>
                                        {manage
                                            .then(|| {
                                                view! {
                                                    <td>
                                                        {cancellable
                                                            .then(|| {
                                                                view! {
                                                                    <ActionButton
                                                                        action=cancel
                                                                        input=replay_name.clone()
                                                                        class="replay-cancel small danger"
                                                                    >
                                                                        "Cancel"
                                                                    </ActionButton>
                                                                }
                                                            })}
                                                    </td>
                                                }
                                            })}
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </Show>
            <ActionError action=cancel id="replay-cancel-error" />
            {manage
                .then(|| {
                    view! {
                        <h3>"Start a replay"</h3>
                        <form class="form" id="replay-form" on:submit=on_start>
                            <TextField
                                id="replay-name"
                                label="Name"
                                value=name
                                required=true
                                maxlength="64"
                                hint="Letters, digits, '.', '-' and '_'; unique among replays."
                            />
                            <label for="replay-archive">"Archive"</label>
                            <select
                                id="replay-archive"
                                name="replay-archive"
                                prop:value=move || archive.get()
                                on:change=move |ev| archive.set(event_target_value(&ev))
                            >
                                <option value="">"Choose an archive"</option>
                                {move || {
                                    archives
                                        .get()
                                        .into_iter()
                                        .filter_map(|a| a.archive_name)
                                        .map(|n| {
                                            let shown = n.clone();
                                            let chosen = n.clone();
                                            view! {
                                                <option value=n selected=move || archive.with(|x| *x == chosen)>
                                                    {shown}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                            <TextField
                                id="replay-from"
                                label="Events from (optional: the archive's creation)"
                                value=from
                                input_type="datetime-local"
                            />
                            <TextField
                                id="replay-to"
                                label="Events until (optional: now)"
                                value=to
                                input_type="datetime-local"
                            />
                            <TextArea
                                id="replay-filters"
                                label="Only to these rules (rule ARNs, one a line; optional: every rule of the bus)"
                                value=filters
                                rows="2"
                                code=true
                            />
                            <div class="actions">
                                <button type="submit" id="replay-submit" disabled=move || start.pending().get()>
                                    "Start replay"
                                </button>
                            </div>
                        </form>
                        {move || form_error.get().map(|m| view! { <ErrorNote id="replay-form-error" message=m /> })}
                        <ActionError action=start id="replay-error" />
                        {move || {
                            started
                                .get()
                                .map(|n| {
                                    view! {
                                        <p class="ok" id="replay-started" role="status">
                                            {format!("✓ Started replay {n}.")}
                                        </p>
                                    }
                                })
                        }}
                    }
                })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_badges() {
        assert!(state_class("COMPLETED").contains("rule-enabled"));
        assert!(state_class("FAILED").contains("disagree"));
        assert!(state_class("RUNNING").contains("rule-disabled"));
    }
}
