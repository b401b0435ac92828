//! The wall's ticker of recent timeline entries.

use leptos::prelude::*;

use crate::clock::local_hms_ms;
use crate::format::short_incident_id;
use crate::wall_state::TickerItem;

/// The most recent timeline entries, newest first (already capped by the wall state).
#[component]
pub fn Ticker(
    /// The entries.
    #[prop(into)]
    items: Signal<Vec<TickerItem>>,
) -> impl IntoView {
    view! {
        <section class="ticker" aria-label="Recent timeline entries">
            <h2>"Recent activity"</h2>
            <Show
                when=move || items.with(|i| !i.is_empty())
                fallback=|| view! { <p class="muted">"Nothing yet."</p> }
            >
                <ol>
                    <For
                        each=move || items.get()
                        key=|item| (item.change_id, item.event_id.clone(), item.incident_title.clone())
                        children=|item| {
                            // The incident's title; only when it is unknown, a short id.
                            let who = if item.incident_title.is_empty() {
                                view! {
                                    <span class="ticker-id" title=item.incident_arn.clone()>
                                        {format!("incident {}", short_incident_id(&item.incident_arn))}
                                    </span>
                                }
                                    .into_any()
                            } else {
                                view! { <strong class="ticker-title">{item.incident_title}</strong> }
                                    .into_any()
                            };
                            view! {
                                <li>
                                    <time>{local_hms_ms(item.event_time * 1_000.0)}</time>
                                    " "
                                    {who}
                                    " · "
                                    <span class="ticker-sentence">{item.summary}</span>
                                </li>
                            }
                        }
                    />
                </ol>
            </Show>
        </section>
    }
}
