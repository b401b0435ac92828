//! The top navigation bar (hidden in kiosk mode).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// Whether the current URL asks for kiosk mode (`?kiosk=1`): no navigation, no controls.
pub fn use_kiosk() -> Signal<bool> {
    let query = use_query_map();
    Signal::derive(move || query.with(|q| matches!(q.get("kiosk").as_deref(), Some("1" | "true"))))
}

/// Links to every page, unless in kiosk mode.
#[component]
pub fn NavBar() -> impl IntoView {
    let kiosk = use_kiosk();
    view! {
        <Show when=move || !kiosk.get()>
            <nav class="nav" aria-label="Main">
                <span class="brand">"Tocsin"</span>
                <A href="/wall">"Wall"</A>
                <A href="/incidents">"Incidents"</A>
                <A href="/start">"Start incident"</A>
                <A href="/plans">"Response plans"</A>
                <A href="/rules">"Rules"</A>
                <A href="/settings">"Settings"</A>
            </nav>
        </Show>
    }
}
