//! The incident page's "Runbooks" section.

use leptos::prelude::*;

use crate::api::Api;
use crate::components::execution_item::ExecutionItem;
use crate::components::start_runbook_form::StartRunbookForm;
use crate::live::ChangeFeed;

/// `section#runbooks`: every execution of the incident (an [`ExecutionItem`] each, keyed by
/// id, so a live update of one re-renders only that one and keeps what is typed in the
/// others) and, for keys that may run runbooks, "Start runbook".
#[component]
pub fn IncidentRunbooks(
    /// The API client.
    api: Api,
    /// The page's change feed.
    feed: ChangeFeed,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// Its executions' ids, oldest first.
    #[prop(into)]
    execution_ids: Signal<Vec<String>>,
    /// Whether the key may start, answer and stop runbooks (responder, admin).
    can_run: bool,
    /// Called with the id of an execution started here.
    on_started: Callback<String>,
) -> impl IntoView {
    let item_api = api.clone();
    view! {
        <section class="runbooks" id="runbooks">
            <h2>"Runbooks"</h2>
            <Show when=move || execution_ids.with(Vec::is_empty)>
                <p class="muted" id="no-runbooks">"No runbook has run for this incident."</p>
            </Show>
            <div class="executions">
                <For
                    each=move || execution_ids.get()
                    key=|id| id.clone()
                    children=move |id| {
                        view! {
                            <ExecutionItem
                                api=item_api.clone()
                                feed=feed
                                execution_id=id
                                can_run=can_run
                            />
                        }
                    }
                />
            </div>
            {can_run
                .then(|| {
                    view! { <StartRunbookForm api=api.clone() incident_arn on_started /> }
                })}
        </section>
    }
}
