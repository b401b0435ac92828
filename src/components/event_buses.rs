//! The rules page's "Event buses" section: every bus, which one the page shows the rules
//! of, and creating and deleting buses.

use leptos::prelude::*;
use tocsin_api::events::{CreateEventBusRequest, DEFAULT_EVENT_BUS, EventBus};

use crate::api::ApiError;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::components::list_status::{KeptList, ListStatus};
use crate::forms::archive::BusForm;
use crate::use_api;

/// `section#buses`: the buses (`ListEventBuses`) in `table#bus-list`, one
/// `tr.bus-row[data-name]` each (name, ARN, description, created), the one whose rules the
/// page shows marked `aria-current`; "Show rules" (`button.bus-show-rules`) picks another.
/// For admins: `form#bus-form` creates a bus (`CreateEventBus`) and "Delete"
/// (`button.bus-delete`, after a confirmation, never on `default`) deletes one
/// (`DeleteEventBus`); the page then shows the default bus's rules again.
#[component]
pub fn EventBuses(
    /// The buses, following the change feed (`eventBusChanged`).
    buses: KeptList<EventBus>,
    /// Reads the buses again.
    refresh: Callback<()>,
    /// The bus whose rules the page shows.
    selected: RwSignal<String>,
    /// Whether the key may create and delete buses (admin).
    manage: bool,
) -> impl IntoView {
    let api = use_api();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);
    let create_api = api.clone();
    let create = Action::new_local(move |input: &CreateEventBusRequest| {
        let api = create_api.clone();
        let input = input.clone();
        async move {
            api.create_event_bus(&input).await?;
            name.try_set(String::new());
            description.try_set(String::new());
            created.try_set(Some(input.name.clone()));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let delete = refreshing_action(refresh, move |bus: String| {
        let api = api.clone();
        async move {
            api.delete_event_bus(&bus).await?;
            if selected.try_get_untracked().as_deref() == Some(bus.as_str()) {
                selected.try_set(DEFAULT_EVENT_BUS.to_owned());
            }
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let form = BusForm {
            name: name.get_untracked(),
            description: description.get_untracked(),
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
        <section class="rules-section" id="buses" aria-labelledby="buses-title">
            <h2 id="buses-title">"Event buses"</h2>
            <ListStatus list=buses error_id="buses-error" empty_id="no-buses" empty="No event buses." />
            <Show when=move || buses.list.with(|l| !l.is_empty())>
                <table class="list" id="bus-list">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"ARN"</th>
                            <th>"Description"</th>
                            <th>"Created"</th>
                            <th>"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || buses.list.get()
                            key=|b| serde_json::to_string(b).unwrap_or_default()
                            children=move |bus: EventBus| {
                                let bus_name = bus.name.clone();
                                let current_name = bus.name.clone();
                                let is_current = move || selected.with(|s| *s == current_name);
                                let show_name = bus.name.clone();
                                let deletable = manage && bus.name != DEFAULT_EVENT_BUS;
                                let confirm = format!(
                                    "Delete event bus {}? Its rules must be deleted first.",
                                    bus.name,
                                );
                                view! {
                                    <tr
                                        class="bus-row"
                                        class:selected=is_current.clone()
                                        data-name=bus.name.clone()
                                        aria-current=move || is_current().then_some("true")
                                    >
                                        <td class="mono bus-name">{bus_name}</td>
                                        <td class="mono bus-arn">{bus.arn.clone()}</td>
                                        <td class="bus-description">
                                            {bus.description.clone().unwrap_or_default()}
                                        </td>
                                        <td class="bus-created">
                                            {bus.creation_time.map(local_datetime).unwrap_or_else(|| "—".to_owned())}
                                        </td>
                                        <td class="bus-actions">
                                            <button
                                                type="button"
                                                class="bus-show-rules small"
                                                on:click=move |_| selected.set(show_name.clone())
                                            >
                                                "Show rules"
                                            </button>
                                            {deletable
                                                .then(|| {
                                                    view! {
                                                        " "
                                                        <ActionButton
                                                            action=delete
                                                            input=bus.name.clone()
                                                            class="bus-delete small danger"
                                                            confirm
                                                        >
                                                            "Delete"
                                                        </ActionButton>
                                                    }
                                                })}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </Show>
            <ActionError action=delete id="bus-delete-error" />
            {manage
                .then(|| {
                    view! {
                        <form class="form" id="bus-form" on:submit=on_create>
                            <TextField
                                id="bus-name"
                                label="New bus name"
                                value=name
                                required=true
                                maxlength="256"
                                hint="Letters, digits, '.', '-', '_' and '/'."
                            />
                            <TextField id="bus-description" label="Description" value=description maxlength="512" />
                            <div class="actions">
                                <button type="submit" id="bus-submit" disabled=move || create.pending().get()>
                                    "Create bus"
                                </button>
                            </div>
                        </form>
                        {move || form_error.get().map(|m| view! { <ErrorNote id="bus-form-error" message=m /> })}
                        <ActionError action=create id="bus-error" />
                        {move || {
                            created
                                .get()
                                .map(|n| {
                                    view! {
                                        <p class="ok" id="bus-created" role="status">
                                            {format!("✓ Created event bus {n}.")}
                                        </p>
                                    }
                                })
                        }}
                    }
                })}
        </section>
    }
}
