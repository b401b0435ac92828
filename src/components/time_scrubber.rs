//! "What did we know at 03:12?": the control that picks a past moment to show.

use leptos::prelude::*;

use crate::clock::{local_datetime, local_to_epoch};
use crate::forms::maintenance::LocalDateTime;

/// Within this many seconds of now, a chosen moment means "live".
const LIVE_WITHIN_SECS: f64 = 2.0;

/// The moment `value` (a `datetime-local` input's `YYYY-MM-DDTHH:MM[:SS]`, local time)
/// names, in epoch seconds.
fn moment(value: &str) -> Option<f64> {
    LocalDateTime::parse(value).and_then(local_to_epoch)
}

/// `YYYY-MM-DDTHH:MM:SS` (local time) of `epoch_secs`, for a `datetime-local` input.
fn input_value(epoch_secs: f64) -> String {
    local_datetime(epoch_secs).replacen(' ', "T", 1)
}

/// `div.scrubber#{id}`: a slider from the change feed's horizon to now and a date-and-time
/// field (to the second) choosing the moment to show, written to `at` (epoch seconds;
/// `None`, or a moment within 2 s of now, is live), a "Now" button back to live, and how
/// far back the feed reaches. Controls are `#{id}-range`, `#{id}-time`, `#{id}-now`.
#[component]
pub fn TimeScrubber(
    /// Element id prefix.
    id: &'static str,
    /// The moment shown; `None` is live.
    at: RwSignal<Option<f64>>,
    /// The change feed's horizon (epoch seconds), when known.
    #[prop(into)]
    horizon: Signal<Option<f64>>,
    /// Now, epoch seconds (ticking).
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    let choose = move |t: Option<f64>| {
        let now = now.get_untracked();
        let t = t.filter(|t| *t < now - LIVE_WITHIN_SECS);
        let t = t.map(|t| horizon.get_untracked().map_or(t, |h| t.max(h)));
        at.set(t);
    };
    let min = move || horizon.get().unwrap_or_else(|| now.get() - 3_600.0).floor();
    view! {
        <div class="scrubber" id=id role="group" aria-label="Time travel">
            <label for=format!("{id}-range")>"Time travel"</label>
            <input
                type="range"
                id=format!("{id}-range")
                min=min
                max=move || now.get().floor()
                step="1"
                aria-valuetext=move || at.get().map_or_else(|| "now".to_owned(), local_datetime)
                prop:value=move || at.get().unwrap_or_else(|| now.get()).floor().to_string()
                on:change=move |ev| choose(event_target_value(&ev).parse::<f64>().ok())
            />
            <label class="visually-hidden" for=format!("{id}-time")>"Moment"</label>
            <input
                type="datetime-local"
                id=format!("{id}-time")
                step="1"
                prop:value=move || input_value(at.get().unwrap_or_else(|| now.get()))
                on:change=move |ev| choose(moment(&event_target_value(&ev)))
            />
            <button
                type="button"
                id=format!("{id}-now")
                class="small"
                disabled=move || at.get().is_none()
                on:click=move |_| at.set(None)
            >
                "Now"
            </button>
            <span class="horizon muted">
                {move || {
                    horizon
                        .get()
                        .map(|h| format!("History reaches back to {}", local_datetime(h)))
                }}
            </span>
        </div>
    }
}
