//! The rules page's "Archives" section: archives keep a copy of the events that reach a
//! bus, for replays and backtests.

use leptos::prelude::*;
use tocsin_api::events::{Archive, CreateArchiveRequest, EventBus};

use crate::api::ApiError;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::components::list_status::{KeptList, ListStatus};
use crate::forms::archive::{ArchiveForm, bus_name_of};
use crate::use_api;

/// `section#archives`: the archives (`ListArchives`) in `table#archive-list`, one
/// `tr.archive-row[data-name]` each (name, bus, state, events kept, retention, created). For
/// admins: `form#archive-form` creates one on a bus, optionally only for events matching a
/// pattern and for some days (`CreateArchive`), and "Delete" (`button.archive-delete`,
/// after a confirmation) deletes one with every event it kept (`DeleteArchive`).
#[component]
pub fn Archives(
    /// The archives, following the change feed (`archiveChanged`, `replayChanged`).
    archives: KeptList<Archive>,
    /// Reads the archives again.
    refresh: Callback<()>,
    /// The buses an archive may be created on.
    #[prop(into)]
    buses: Signal<Vec<EventBus>>,
    /// Whether the key may create and delete archives (admin).
    manage: bool,
) -> impl IntoView {
    let api = use_api();
    let name = RwSignal::new(String::new());
    let bus_arn = RwSignal::new(String::new());
    let pattern = RwSignal::new(String::new());
    let retention = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);
    let create_api = api.clone();
    let create = Action::new_local(move |input: &CreateArchiveRequest| {
        let api = create_api.clone();
        let input = input.clone();
        async move {
            api.create_archive(&input).await?;
            name.try_set(String::new());
            created.try_set(Some(input.archive_name.clone()));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let delete = refreshing_action(refresh, move |archive: String| {
        let api = api.clone();
        async move { api.delete_archive(&archive).await }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let form = ArchiveForm {
            name: name.get_untracked(),
            bus_arn: bus_arn.get_untracked(),
            pattern: pattern.get_untracked(),
            retention_days: retention.get_untracked(),
            description: String::new(),
        };
        match form.create_input() {
            Ok(input) => {
                form_error.set(None);
                create.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section class="rules-section" id="archives" aria-labelledby="archives-title">
            <h2 id="archives-title">"Archives"</h2>
            <p class="hint">
                "An archive keeps a copy of the events that reach its bus (those matching its pattern, if it has one), to replay them onto the bus or to backtest a draft rule against."
            </p>
            <ListStatus list=archives error_id="archives-error" empty_id="no-archives" empty="No archives." />
            <Show when=move || archives.list.with(|l| !l.is_empty())>
                <table class="list" id="archive-list">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Bus"</th>
                            <th>"State"</th>
                            <th>"Events"</th>
                            <th>"Retention"</th>
                            <th>"Created"</th>
                            {manage.then(|| view! { <th>"Actions"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || archives.list.get()
                            key=|a| serde_json::to_string(a).unwrap_or_default()
                            children=move |a: Archive| {
                                let archive_name = a.archive_name.clone().unwrap_or_default();
                                let bus = a.event_source_arn.clone().unwrap_or_default();
                                let retention = match a.retention_days {
                                    None | Some(0) => "forever".to_owned(),
                                    Some(1) => "1 day".to_owned(),
                                    Some(days) => format!("{days} days"),
                                };
                                let confirm = format!(
                                    "Delete archive {archive_name} and every event it kept?",
                                );
                                view! {
                                    <tr class="archive-row" data-name=archive_name.clone()>
                                        <td class="mono archive-name">{archive_name.clone()}</td>
                                        <td class="mono archive-bus" title=bus.clone()>
                                            {bus_name_of(&bus).to_owned()}
                                        </td>
                                        <td class="archive-state">{a.state.clone().unwrap_or_default()}</td>
                                        <td class="archive-events">{a.event_count.unwrap_or(0)}</td>
                                        <td class="archive-retention">{retention}</td>
                                        <td class="archive-created">
                                            {a.creation_time.map(local_datetime).unwrap_or_else(|| "—".to_owned())}
                                        </td>
                                        {manage
                                            .then(|| {
                                                view! {
                                                    <td>
                                                        <ActionButton
                                                            action=delete
                                                            input=archive_name.clone()
                                                            class="archive-delete small danger"
                                                            confirm
                                                        >
                                                            "Delete"
                                                        </ActionButton>
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
            <ActionError action=delete id="archive-delete-error" />
            {manage
                .then(|| {
                    view! {
                        <h3>"New archive"</h3>
                        <form class="form" id="archive-form" on:submit=on_create>
                            <TextField
                                id="archive-name"
                                label="Name"
                                value=name
                                required=true
                                maxlength="48"
                                hint="Letters, digits, '.', '-' and '_'."
                            />
                            <label for="archive-bus">"Event bus"</label>
                            <select
                                id="archive-bus"
                                name="archive-bus"
                                prop:value=move || bus_arn.get()
                                on:change=move |ev| bus_arn.set(event_target_value(&ev))
                            >
                                <option value="">"Choose a bus"</option>
                                {move || {
                                    buses
                                        .get()
                                        .into_iter()
                                        .map(|b| {
                                            let arn = b.arn.clone();
                                            view! {
                                                <option value=b.arn selected=move || bus_arn.with(|x| *x == arn)>
                                                    {b.name}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                            <TextArea
                                id="archive-pattern"
                                label="Event pattern (optional: every event)"
                                value=pattern
                                rows="4"
                                code=true
                            />
                            <TextField
                                id="archive-retention"
                                label="Retention in days (optional: forever)"
                                value=retention
                                input_type="number"
                            />
                            <div class="actions">
                                <button type="submit" id="archive-submit" disabled=move || create.pending().get()>
                                    "Create archive"
                                </button>
                            </div>
                        </form>
                        {move || form_error.get().map(|m| view! { <ErrorNote id="archive-form-error" message=m /> })}
                        <ActionError action=create id="archive-error" />
                        {move || {
                            created
                                .get()
                                .map(|n| {
                                    view! {
                                        <p class="ok" id="archive-created" role="status">
                                            {format!("✓ Created archive {n}.")}
                                        </p>
                                    }
                                })
                        }}
                    }
                })}
        </section>
    }
}
