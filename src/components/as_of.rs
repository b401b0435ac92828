//! "Data as of HH:MM:SS", marked stale when the connection is not live.

use leptos::prelude::*;

use crate::clock::local_hms_ms;

/// Heard nothing for this long while "live": treat the data as stale anyway.
const STALE_AFTER_MS: f64 = 45_000.0;

/// `#as-of`: when the data was last confirmed current.
#[component]
pub fn AsOf(
    /// Last time the server was heard from (ms since the epoch).
    #[prop(into)]
    heard: Signal<Option<f64>>,
    /// Whether the connection is live now.
    #[prop(into)]
    live: Signal<bool>,
    /// The current time (ms since the epoch), ticking.
    #[prop(into)]
    now_ms: Signal<f64>,
) -> impl IntoView {
    let stale = move || {
        !live.get()
            || heard
                .get()
                .is_none_or(|h| now_ms.get() - h > STALE_AFTER_MS)
    };
    view! {
        <span id="as-of" class=move || if stale() { "as-of stale" } else { "as-of" }>
            {move || match heard.get() {
                Some(ms) => {
                    let suffix = if stale() { " (stale)" } else { "" };
                    format!("data as of {}{suffix}", local_hms_ms(ms))
                }
                None => "no data yet".to_owned(),
            }}
        </span>
    }
}
