//! The live-connection indicator.

use leptos::prelude::*;

use crate::live::ConnectionState;

/// `Live` / `Reconnecting…` / `Down` badge (`#connection-state`), colour plus words.
#[component]
pub fn ConnectionBadge(
    /// The state to show.
    #[prop(into)]
    state: Signal<ConnectionState>,
) -> impl IntoView {
    view! {
        <span
            id="connection-state"
            class=move || state.get().class()
            role="status"
            aria-live="polite"
        >
            {move || state.get().label()}
        </span>
    }
}
