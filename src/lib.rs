//! Tocsin's single-page app (Leptos CSR, built to WebAssembly by trunk).
//!
//! The SPA is static and talks to Tocsin only through its public HTTP API, like any other
//! client. It is organised by concern: all requests go through [`api`] (one file per area),
//! all live updates through [`live`] (the change feed and `use_live_resource`), every form's
//! rules are plain data in [`forms`], route components are in [`pages`] and reusable view
//! pieces (form fields included) in [`components`]. The one decision to know: the API base
//! URL is app state, not a build constant — it defaults to the page's origin, can be set with
//! `?api=https://host:port` (remembered in `localStorage`) or on the Settings page, so one
//! build works from any origin.
//!
//! Untrusted text (titles, summaries, event data) is only ever rendered as text nodes.

pub mod api;
pub mod clock;
pub mod components;
pub mod format;
pub mod forms;
pub mod live;
pub mod pages;
pub mod pattern_check;
pub mod wall_state;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::Api;
use crate::components::nav_bar::NavBar;
use crate::format::{choose_base_url, normalize_base_url};
use crate::pages::incident_page::IncidentPage;
use crate::pages::incidents_page::IncidentsPage;
use crate::pages::not_found_page::NotFoundPage;
use crate::pages::pattern_test_page::PatternTestPage;
use crate::pages::plan_form_page::PlanFormPage;
use crate::pages::plans_page::PlansPage;
use crate::pages::rules_page::RulesPage;
use crate::pages::settings_page::SettingsPage;
use crate::pages::start_page::StartPage;
use crate::pages::wall_page::WallPage;

/// `localStorage` key holding the API base URL chosen by `?api=` or on the Settings page.
pub const API_BASE_STORAGE_KEY: &str = "tocsin.apiBase";

/// The whole app: context, navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_api_context();
    view! {
        <Router>
            <NavBar />
            <main id="main">
                <Routes fallback=|| view! { <NotFoundPage /> }>
                    <Route path=path!("/") view=WallPage />
                    <Route path=path!("/wall") view=WallPage />
                    <Route path=path!("/incidents") view=IncidentsPage />
                    <Route path=path!("/incident") view=IncidentPage />
                    <Route path=path!("/plans") view=PlansPage />
                    <Route path=path!("/plans/new") view=PlanFormPage />
                    <Route path=path!("/plans/edit") view=PlanFormPage />
                    <Route path=path!("/rules") view=RulesPage />
                    <Route path=path!("/rules/test") view=PatternTestPage />
                    <Route path=path!("/start") view=StartPage />
                    <Route path=path!("/settings") view=SettingsPage />
                </Routes>
            </main>
        </Router>
    }
}

/// App-wide context: the API base URL.
#[derive(Debug, Clone, Copy)]
pub struct ApiBaseContext(RwSignal<String>);

/// Works out the API base URL (`?api=` parameter, then `localStorage`, then the page's
/// origin), remembers a valid `?api=` value, and provides it as context.
pub fn provide_api_context() {
    let window = web_sys::window();
    let origin = window
        .as_ref()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("api"));
    let stored = storage().and_then(|s| s.get_item(API_BASE_STORAGE_KEY).ok().flatten());
    if let Some(valid) = query.as_deref().and_then(normalize_base_url) {
        store_base(Some(&valid));
    }
    let base = choose_base_url(query.as_deref(), stored.as_deref(), &origin);
    provide_context(ApiBaseContext(RwSignal::new(base)));
}

/// The API client for the current base URL (read once: pages are rebuilt on navigation, so
/// a changed base applies from the next page on).
pub fn use_api() -> Api {
    Api::new(expect_context::<ApiBaseContext>().0.get_untracked())
}

/// The current base URL as a signal.
pub fn use_api_base() -> Signal<String> {
    expect_context::<ApiBaseContext>().0.into()
}

/// Sets the API base URL (or, with `None`, goes back to the page's origin) and remembers
/// the choice in `localStorage`.
pub fn set_api_base(base: Option<String>) {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    store_base(base.as_deref());
    let value = choose_base_url(None, base.as_deref(), &origin);
    expect_context::<ApiBaseContext>().0.set(value);
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn store_base(base: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match base {
            Some(base) => storage.set_item(API_BASE_STORAGE_KEY, base),
            None => storage.remove_item(API_BASE_STORAGE_KEY),
        };
    }
}
