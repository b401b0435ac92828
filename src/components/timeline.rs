//! An incident's timeline, told as a story.

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::incidents::TimelineEvent;
use tocsin_api::timeline::{NOTE, story};

use crate::clock::{local_datetime, now_secs};
use crate::format::{ago, pretty_event_data};

/// How often the relative times ("4m 12s ago") move on (ms).
const RELATIVE_TIME_TICK_MS: u32 = 15_000;

/// The timeline, oldest first (`ol#timeline`). Each entry (`li.timeline-event`, with
/// `data-event-type`) is one sentence ([`tocsin_api::timeline::story`]) with who acted,
/// the local time and how long ago; notes read as quotes; the raw event data stays behind
/// a closed "Details" toggle. Untrusted text is text, never markup.
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
    let now = RwSignal::new(now_secs());
    let tick = SendWrapper::new(Interval::new(RELATIVE_TIME_TICK_MS, move || {
        now.try_set(now_secs());
    }));
    on_cleanup(move || drop(tick));
    view! {
        <ol class="timeline" id="timeline">
            {events
                .into_iter()
                .map(|e| {
                    let told = story(&e.event_type, &e.event_data);
                    let is_note = e.event_type == NOTE;
                    let at = e.event_time;
                    let details = pretty_event_data(&e.event_data);
                    let kind = e.event_type.clone();
                    view! {
                        <li
                            class=if is_note { "timeline-event timeline-note" } else { "timeline-event" }
                            data-event-id=e.event_id
                            data-event-type=kind
                        >
                            <p class="timeline-sentence">
                                {if is_note {
                                    view! {
                                        <span class="label">"Note"</span>
                                        " "
                                        <q>{told.sentence}</q>
                                    }
                                        .into_any()
                                } else {
                                    told.sentence.into_any()
                                }}
                            </p>
                            <p class="timeline-meta">
                                {told
                                    .actor
                                    .map(|who| {
                                        view! {
                                            <span class="timeline-actor">{who}</span>
                                            " · "
                                        }
                                    })}
                                <time class="timeline-time">{local_datetime(at)}</time>
                                " · "
                                <span class="timeline-ago">{move || ago(at, now.get())}</span>
                            </p>
                            <details class="timeline-details">
                                <summary>"Details"</summary>
                                <p class="muted">{e.event_type}</p>
                                <pre class="event-data">{details}</pre>
                            </details>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
