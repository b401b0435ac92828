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
//! Every page but the sign-in page (and `/accept`, a page's email link) needs a key:
//! [`auth`] keeps the signed-in key (sent as `Authorization: Bearer ID:SECRET` by every
//! [`Api`]) and whose it is (`whoami`), and [`RequireKey`] guards each route, so a page is
//! only built once its key is checked, with the controls its role may use.
//!
//! Untrusted text (titles, summaries, event data, key names, runbook step names, messages
//! and outputs, webhook names, role ARNs, topic names and subscription endpoints, delivery
//! errors, receiver names, snippets and refusal reasons, maintenance windows' names, reasons
//! and patterns, heartbeat patterns, incident notes, related items and tags, findings and
//! change events, bus, archive and replay names, backtest samples) is only ever rendered as
//! text nodes.

pub mod alerts;
pub mod api;
pub mod auth;
pub mod boards;
pub mod charts;
pub mod clock;
pub mod components;
pub mod format;
pub mod forms;
pub mod heap;
pub mod live;
pub mod pages;
pub mod pattern_check;
pub mod runbook;
pub mod wall_layout;
pub mod wall_state;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::Api;
use crate::auth::session::{api_for, provide_auth_context, use_auth};
use crate::components::kiosk_gate::KioskGate;
use crate::components::nav_bar::NavBar;
use crate::components::require_key::RequireKey;
use crate::format::choose_base_url;
use crate::pages::accept_page::AcceptPage;
use crate::pages::audit_page::AuditPage;
use crate::pages::boards_page::BoardsPage;
use crate::pages::contacts_page::ContactsPage;
use crate::pages::execution_page::ExecutionPage;
use crate::pages::incident_page::IncidentPage;
use crate::pages::incidents_page::IncidentsPage;
use crate::pages::insights_page::InsightsPage;
use crate::pages::integrations_page::IntegrationsPage;
use crate::pages::keys_page::KeysPage;
use crate::pages::maintenance_page::MaintenancePage;
use crate::pages::not_found_page::NotFoundPage;
use crate::pages::pattern_test_page::PatternTestPage;
use crate::pages::plan_form_page::PlanFormPage;
use crate::pages::plans_page::PlansPage;
use crate::pages::receivers_page::ReceiversPage;
use crate::pages::rules_page::RulesPage;
use crate::pages::runbook_edit_page::RunbookEditPage;
use crate::pages::runbooks_page::RunbooksPage;
use crate::pages::settings_page::SettingsPage;
use crate::pages::sign_in_page::SignInPage;
use crate::pages::start_page::StartPage;
use crate::pages::topics_page::TopicsPage;
use crate::pages::wall_page::WallPage;

/// `localStorage` key holding the API base URL chosen by `?api=` or on the Settings page.
pub const API_BASE_STORAGE_KEY: &str = "tocsin.apiBase";

/// The whole app: context, navigation and routes. Every route but `/sign-in`, `/accept` (a
/// page's email link, whose token is the proof) and `/settings` (to point the app at
/// another server) waits for a checked key.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame>
            <Routes fallback=|| view! { <NotFoundPage /> }>
                <Route path=path!("/sign-in") view=SignInPage />
                <Route path=path!("/accept") view=AcceptPage />
                <Route path=path!("/") view=wall />
                <Route path=path!("/wall") view=wall />
                <Route
                    path=path!("/boards")
                    view=|| view! { <RequireKey><BoardsPage /></RequireKey> }
                />
                <Route
                    path=path!("/incidents")
                    view=|| view! { <RequireKey><IncidentsPage /></RequireKey> }
                />
                <Route
                    path=path!("/incident")
                    view=|| view! { <RequireKey><IncidentPage /></RequireKey> }
                />
                <Route
                    path=path!("/insights")
                    view=|| view! { <RequireKey><InsightsPage /></RequireKey> }
                />
                <Route
                    path=path!("/plans")
                    view=|| view! { <RequireKey><PlansPage /></RequireKey> }
                />
                <Route
                    path=path!("/plans/new")
                    view=|| view! { <RequireKey><PlanFormPage /></RequireKey> }
                />
                <Route
                    path=path!("/plans/edit")
                    view=|| view! { <RequireKey><PlanFormPage /></RequireKey> }
                />
                <Route
                    path=path!("/rules")
                    view=|| view! { <RequireKey><RulesPage /></RequireKey> }
                />
                <Route
                    path=path!("/rules/test")
                    view=|| view! { <RequireKey><PatternTestPage /></RequireKey> }
                />
                <Route
                    path=path!("/runbooks")
                    view=|| view! { <RequireKey><RunbooksPage /></RequireKey> }
                />
                <Route
                    path=path!("/runbooks/new")
                    view=|| view! { <RequireKey><RunbookEditPage /></RequireKey> }
                />
                <Route
                    path=path!("/runbooks/edit")
                    view=|| view! { <RequireKey><RunbookEditPage /></RequireKey> }
                />
                <Route
                    path=path!("/runbooks/execution")
                    view=|| view! { <RequireKey><ExecutionPage /></RequireKey> }
                />
                <Route
                    path=path!("/start")
                    view=|| view! { <RequireKey><StartPage /></RequireKey> }
                />
                <Route
                    path=path!("/keys")
                    view=|| view! { <RequireKey><KeysPage /></RequireKey> }
                />
                <Route
                    path=path!("/topics")
                    view=|| view! { <RequireKey><TopicsPage /></RequireKey> }
                />
                <Route
                    path=path!("/contacts")
                    view=|| view! { <RequireKey><ContactsPage /></RequireKey> }
                />
                <Route
                    path=path!("/integrations")
                    view=|| view! { <RequireKey><IntegrationsPage /></RequireKey> }
                />
                <Route
                    path=path!("/receivers")
                    view=|| view! { <RequireKey><ReceiversPage /></RequireKey> }
                />
                <Route
                    path=path!("/maintenance")
                    view=|| view! { <RequireKey><MaintenancePage /></RequireKey> }
                />
                <Route
                    path=path!("/audit")
                    view=|| view! { <RequireKey><AuditPage /></RequireKey> }
                />
                <Route path=path!("/settings") view=SettingsPage />
            </Routes>
        </AppFrame>
    }
}

/// What both apps ([`App`], [`WallApp`]) put around their routes: the API base and auth
/// context, the router, the navigation bar and `<main>`.
#[component]
fn AppFrame(
    /// The `<Routes>`.
    children: Children,
) -> impl IntoView {
    provide_api_context();
    provide_auth_context(use_api_base().get_untracked());
    view! {
        <Router>
            <NavBar />
            <main id="main">{children()}</main>
        </Router>
    }
}

/// The wall alone, the app the wall routes (`/` and `/wall`) load first (binary
/// `tocsin-wall`, built beside the whole app's `tocsin-web`; `index.html`'s loader picks one
/// by the path: `/` and `/wall`, its `WALL_PATHS`, are these routes). The same navigation bar
/// and wall as [`App`]; any other
/// path, reached by a link on the wall (an incident, the sign-in page), is loaded as a new
/// page so the whole app takes over ([`WholeAppPage`]): the pages the wall does not show stay
/// out of its download.
#[component]
pub fn WallApp() -> impl IntoView {
    view! {
        <AppFrame>
            <Routes fallback=|| view! { <WholeAppPage /> }>
                <Route path=path!("/") view=wall />
                <Route path=path!("/wall") view=wall />
            </Routes>
        </AppFrame>
    }
}

/// `sessionStorage` key naming a path the wall app handed to the whole app; the loader in
/// `index.html` then loads the whole app for that path whatever it is (and removes the key),
/// so a path the two disagree on can never reload in a loop.
pub const WHOLE_APP_STORAGE_KEY: &str = "tocsin.wholeApp";

/// In the wall app, any path but the wall's: reloads the page (the URL already changed) so
/// that `index.html` loads the whole app for it, after noting the path under
/// [`WHOLE_APP_STORAGE_KEY`].
#[component]
pub fn WholeAppPage() -> impl IntoView {
    Effect::new(move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let path = location.pathname().unwrap_or_default();
        if let Ok(Some(session)) = window.session_storage() {
            let _ = session.set_item(WHOLE_APP_STORAGE_KEY, &path);
        }
        let _ = location.reload();
    });
    view! {
        <section class="page">
            <p class="muted" id="loading-app">"Loading…"</p>
        </section>
    }
}

/// The wall route: a checked key, and in kiosk mode a viewer key only.
fn wall() -> impl IntoView {
    view! {
        <RequireKey>
            <KioskGate>
                <WallPage />
            </KioskGate>
        </RequireKey>
    }
}

/// An API base URL a `?api=` link suggested, not yet confirmed on the Settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedApi(pub Option<String>);

thread_local! {
    /// The API base URL of the deploy-time `config.json`, read once before the app mounts.
    static DEPLOYED_API: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// How long the app waits for `config.json` before it starts without one.
pub const DEPLOY_CONFIG_TIMEOUT_MS: u32 = 3_000;

/// Reads `/config.json` beside `index.html` (revalidated, never from a stale cache) and keeps
/// its `apiBaseUrl` ([`format::config_api_base`]) as the API base URL to use when the user
/// has not chosen one in Settings: an app hosted as static files on a CDN finds its API there
/// with no rebuild. A missing, slow (over [`DEPLOY_CONFIG_TIMEOUT_MS`]) or invalid file
/// leaves the page's origin as the default. Call before mounting [`App`].
pub async fn load_deploy_config() {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let _timeout = controller
        .clone()
        .map(|c| gloo_timers::callback::Timeout::new(DEPLOY_CONFIG_TIMEOUT_MS, move || c.abort()));
    let response = gloo_net::http::Request::get("/config.json")
        .cache(web_sys::RequestCache::NoCache)
        .abort_signal(signal.as_ref())
        .send()
        .await;
    let body = match response {
        Ok(response) if response.ok() => response.text().await.ok(),
        _ => None,
    };
    let configured = body.as_deref().and_then(format::config_api_base);
    if body.is_some() && configured.is_none() {
        web_sys::console::warn_1(
            &"tocsin: config.json has no valid apiBaseUrl (an http(s) URL); using the page's origin"
                .into(),
        );
    }
    DEPLOYED_API.with(|cell| *cell.borrow_mut() = configured);
}

/// The API base URL to use when the user chose none: `config.json`'s, else the page's origin.
fn default_base_url() -> String {
    DEPLOYED_API
        .with(|cell| cell.borrow().clone())
        .unwrap_or_else(|| {
            web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default()
        })
}

/// App-wide context: the API base URL.
#[derive(Debug, Clone, Copy)]
pub struct ApiBaseContext(RwSignal<String>);

/// Works out the API base URL (`localStorage`, then `config.json`'s, then the page's origin;
/// see [`load_deploy_config`]) and provides it as
/// context, with any different API a `?api=` parameter suggests ([`SuggestedApi`]), which
/// the Settings page offers to save.
pub fn provide_api_context() {
    let window = web_sys::window();
    let origin = default_base_url();
    let query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("api"));
    let stored = storage().and_then(|s| s.get_item(API_BASE_STORAGE_KEY).ok().flatten());
    // A `?api=` in a link is only a suggestion: the app would send the signed-in key to it,
    // so it is used and remembered only once the user saves it on the Settings page.
    let base = choose_base_url(None, stored.as_deref(), &origin);
    let suggested = crate::format::suggested_api(query.as_deref(), &base);
    provide_context(ApiBaseContext(RwSignal::new(base)));
    provide_context(SuggestedApi(suggested));
}

/// The API client for the current base URL with the signed-in key (both read once: pages
/// are rebuilt on navigation, and by the route guard when the key changes, so a changed
/// base applies from the next page on).
pub fn use_api() -> Api {
    api_for(
        &use_auth(),
        expect_context::<ApiBaseContext>().0.get_untracked(),
    )
}

/// The current base URL as a signal.
pub fn use_api_base() -> Signal<String> {
    expect_context::<ApiBaseContext>().0.into()
}

/// Sets the API base URL (or, with `None`, goes back to the default: `config.json`'s, else the
/// page's origin) and remembers the choice in `localStorage`.
pub fn set_api_base(base: Option<String>) {
    let origin = default_base_url();
    store_base(base.as_deref());
    let value = choose_base_url(None, base.as_deref(), &origin);
    expect_context::<ApiBaseContext>().0.set(value);
}

/// The browser's `localStorage`, when it has one (private modes may not).
pub fn storage() -> Option<web_sys::Storage> {
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
