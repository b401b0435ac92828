//! The incident list, filtered by status.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use tocsin_api::incidents::IncidentRecordStatus;

use crate::api::incidents::list_by_status_input;
use crate::components::error_note::ErrorList;
use crate::components::incident_row::IncidentRow;
use crate::use_api;

/// `/incidents?status=OPEN|RESOLVED`: newest first, with paging.
#[component]
pub fn IncidentsPage() -> impl IntoView {
    let api = use_api();
    let query = use_query_map();
    let status = Memo::new(move |_| match query.with(|q| q.get("status")).as_deref() {
        Some("RESOLVED") => IncidentRecordStatus::Resolved,
        _ => IncidentRecordStatus::Open,
    });
    // Tokens of the pages before the current one, and the current page's token.
    let token = RwSignal::new(None::<String>);
    let previous = RwSignal::new(Vec::<Option<String>>::new());
    Effect::watch(
        move || status.get(),
        move |_, _, _| {
            token.set(None);
            previous.set(Vec::new());
        },
        false,
    );

    let list = LocalResource::new(move || {
        let input = list_by_status_input(status.get(), token.get());
        let api = api.clone();
        async move { api.list_incident_records(&input).await }
    });

    let tab = move |s: IncidentRecordStatus, label: &'static str| {
        view! {
            <a
                href=format!("/incidents?status={}", s.as_str())
                class=move || if status.get() == s { "tab active" } else { "tab" }
                aria-current=move || (status.get() == s).then_some("page")
            >
                {label}
            </a>
        }
    };

    view! {
        <section class="page">
            <h1>"Incidents"</h1>
            // Links to the two lists (the current one marked), not ARIA tabs.
            <nav class="tabs" aria-label="Incidents by status">
                {tab(IncidentRecordStatus::Open, "Open")}
                {tab(IncidentRecordStatus::Resolved, "Resolved")}
            </nav>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        list.await
                            .map(|page| {
                                let next = page.next_token.clone();
                                let rows = page.incident_record_summaries;
                                view! {
                                    {if rows.is_empty() {
                                        view! { <p class="muted">"No incidents."</p> }.into_any()
                                    } else {
                                        view! {
                                            <table class="list" id="incident-list">
                                                <thead>
                                                    <tr>
                                                        <th>"Impact"</th>
                                                        <th>"Title"</th>
                                                        <th>"Status"</th>
                                                        <th>"Opened"</th>
                                                        <th>"Resolved"</th>
                                                        <th>"Source"</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {rows.into_iter().map(|r| view! { <IncidentRow record=r /> }).collect_view()}
                                                </tbody>
                                            </table>
                                        }
                                            .into_any()
                                    }}
                                    <div class="pager">
                                        <button
                                            type="button"
                                            disabled=move || previous.with(Vec::is_empty)
                                            on:click=move |_| {
                                                let mut back = None;
                                                previous.update(|p| back = p.pop());
                                                if let Some(t) = back {
                                                    token.set(t);
                                                }
                                            }
                                        >
                                            "← Newer"
                                        </button>
                                        <button
                                            type="button"
                                            disabled=next.is_none()
                                            on:click=move |_| {
                                                if let Some(n) = next.clone() {
                                                    let current = token.get_untracked();
                                                    previous.update(|p| p.push(current));
                                                    token.set(Some(n));
                                                }
                                            }
                                        >
                                            "Older →"
                                        </button>
                                    </div>
                                }
                            })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
