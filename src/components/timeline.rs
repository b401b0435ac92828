//! An incident's timeline.

use leptos::prelude::*;
use tocsin_api::incidents::TimelineEvent;

use crate::clock::local_datetime;
use crate::format::pretty_event_data;

/// The timeline, oldest first; event data as text.
#[component]
pub fn Timeline(
    /// Entries as the server returned them.
    events: Vec<TimelineEvent>,
) -> impl IntoView {
    let mut events = events;
    events.sort_by(|a, b| a.event_time.total_cmp(&b.event_time));
    if events.is_empty() {
        return view! { <p class="muted">"No timeline entries."</p> }.into_any();
    }
    view! {
        <ol class="timeline" id="timeline">
            {events
                .into_iter()
                .map(|e| {
                    view! {
                        <li class="timeline-event" data-event-id=e.event_id>
                            <div class="timeline-meta">
                                <time>{local_datetime(e.event_time)}</time>
                                " "
                                <span class="label">{e.event_type}</span>
                            </div>
                            <pre class="event-data">{pretty_event_data(&e.event_data)}</pre>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
