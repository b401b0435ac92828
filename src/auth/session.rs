//! The signed-in key in the browser: where it is kept, the reactive [`Auth`] context, and
//! the check (`GET /v1/whoami`) that tells whose key it is.
//!
//! The key (`ID:SECRET`) is kept in `sessionStorage` (this tab, until it is closed), or in
//! `localStorage` when the person ticked "Remember on this device" or when it came from a
//! kiosk link (`#key=…`), so a wall screen survives reloads and power cuts. On start the app
//! reads the kiosk fragment first (and removes it from the address bar at once), then
//! `sessionStorage`, then `localStorage`, and asks `whoami` (retrying with backoff while the
//! server cannot be reached) before any page loads data. A request refused for its
//! credentials anywhere signs the person out with a note; the route guard
//! ([`crate::components::require_key::RequireKey`]) then sends them to the sign-in page.

use std::cell::Cell;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use tocsin_api::auth::Role;

use super::{Credentials, Identity, rejection_note, rejects_credentials, take_fragment_key};
use crate::api::{Api, ApiError};
use crate::format::backoff_delay_ms;

/// The storage item holding the signed-in key as `ID:SECRET`.
pub const KEY_STORAGE_KEY: &str = "tocsin.accessKey";

/// Where the current key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The sign-in form (`remembered`: kept in `localStorage`).
    SignIn {
        /// Whether "Remember on this device" was ticked.
        remembered: bool,
    },
    /// A kiosk link's `#key=` fragment (kept in `localStorage`).
    Fragment,
    /// `sessionStorage`, from earlier in this tab.
    SessionStorage,
    /// `localStorage`, from an earlier visit.
    LocalStorage,
}

/// A key in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The key.
    pub credentials: Credentials,
    /// Where it came from.
    pub source: KeySource,
}

/// Where the sign-in stands, as the route guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthState {
    /// No key.
    SignedOut,
    /// A key, not checked yet.
    Checking,
    /// A key that could not be checked yet (the server is unreachable): retrying.
    Unreachable(String),
    /// A checked key.
    Ready(Identity),
}

/// The app's sign-in state. `Copy`; provided as context by [`provide_auth_context`].
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    identity: RwSignal<Option<Identity>>,
    check_error: RwSignal<Option<String>>,
    note: RwSignal<Option<String>>,
}

thread_local! {
    /// The app's [`Auth`], for the API client to report refused credentials to.
    static CURRENT: Cell<Option<Auth>> = const { Cell::new(None) };
}

impl Auth {
    /// Where the sign-in stands (tracked).
    pub fn state(&self) -> AuthState {
        match (self.session.with(Option::is_some), self.identity.get()) {
            (false, _) => AuthState::SignedOut,
            (true, Some(identity)) => AuthState::Ready(identity),
            (true, None) => match self.check_error.get() {
                Some(msg) => AuthState::Unreachable(msg),
                None => AuthState::Checking,
            },
        }
    }

    /// The checked identity (tracked); `None` while signed out or checking.
    pub fn identity(&self) -> Option<Identity> {
        self.identity.get()
    }

    /// Whether a key is in use (tracked), checked or not.
    pub fn has_key(&self) -> bool {
        self.session.with(Option::is_some)
    }

    /// The checked key's role, not tracked (pages read it once: the guard rebuilds them
    /// when it changes).
    pub fn role_untracked(&self) -> Option<Role> {
        self.identity
            .try_with_untracked(|i| i.as_ref().map(|i| i.role))
            .flatten()
    }

    /// The checked identity, not tracked.
    pub fn identity_untracked(&self) -> Option<Identity> {
        self.identity.try_get_untracked().flatten()
    }

    /// The key in use, not tracked.
    pub fn credentials_untracked(&self) -> Option<Credentials> {
        self.session
            .try_with_untracked(|s| s.as_ref().map(|s| s.credentials.clone()))
            .flatten()
    }

    /// Where the key in use came from, not tracked.
    pub fn source_untracked(&self) -> Option<KeySource> {
        self.session
            .try_with_untracked(|s| s.as_ref().map(|s| s.source))
            .flatten()
    }

    /// The note for the sign-in page (why the person was sent there), tracked.
    pub fn note(&self) -> Option<String> {
        self.note.get()
    }

    /// Signs in with a key `whoami` has just accepted; keeps it in `localStorage` when
    /// `remember`, otherwise in `sessionStorage` (and forgets any remembered key).
    pub fn sign_in(&self, credentials: Credentials, identity: Identity, remember: bool) {
        store_key(&credentials, remember);
        self.check_error.set(None);
        self.note.set(None);
        self.identity.set(Some(identity));
        self.session.set(Some(Session {
            credentials,
            source: KeySource::SignIn {
                remembered: remember,
            },
        }));
    }

    /// Signs out: forgets the key in both storages; `note` is shown on the sign-in page.
    pub fn sign_out(&self, note: Option<String>) {
        forget_key();
        self.note.try_set(note);
        self.check_error.try_set(None);
        self.identity.try_set(None);
        self.session.try_set(None);
    }

    /// Forgets the stored key but keeps using it in this page (a kiosk wall that refuses a
    /// key it was just given keeps showing why, but does not keep the key).
    pub fn forget_stored_key(&self) {
        forget_key();
    }
}

/// The app's [`Auth`].
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The API client for `base` with the signed-in key.
pub fn api_for(auth: &Auth, base: String) -> Api {
    Api::new(base).with_credentials(auth.credentials_untracked(), auth.role_untracked())
}

/// Finds the key (kiosk fragment, then `sessionStorage`, then `localStorage`), provides
/// [`Auth`] as context and starts checking the key against `base`.
///
/// A `#key=…` fragment is removed from the address bar before anything else happens (the
/// router reads the cleaned address), and its key is kept in `localStorage`.
pub fn provide_auth_context(base: String) {
    let mut note = None;
    let mut session = None;
    if let Some(found) = fragment_key() {
        match Credentials::parse_pair(&found) {
            Ok(credentials) => {
                store_key(&credentials, true);
                session = Some(Session {
                    credentials,
                    source: KeySource::Fragment,
                });
            }
            Err(err) => note = Some(format!("The key in the address was not valid: {err}")),
        }
    }
    if session.is_none() {
        session = stored_key(storage(Kind::Session), KeySource::SessionStorage)
            .or_else(|| stored_key(storage(Kind::Local), KeySource::LocalStorage));
    }
    let auth = Auth {
        session: RwSignal::new(session),
        identity: RwSignal::new(None),
        check_error: RwSignal::new(None),
        note: RwSignal::new(note),
    };
    provide_context(auth);
    CURRENT.with(|c| c.set(Some(auth)));
    if let Some(credentials) = auth.credentials_untracked() {
        leptos::task::spawn_local(check_key(auth, base, credentials));
    }
}

/// Asks `whoami` about `credentials` until it answers (backing off while the server cannot
/// be reached), then records the identity; a refused key signs out with a note.
async fn check_key(auth: Auth, base: String, credentials: Credentials) {
    let api = Api::new(base)
        .with_credentials(Some(credentials.clone()), None)
        .without_rejection_reports();
    let still_current = || auth.credentials_untracked().as_ref() == Some(&credentials);
    let mut failures = 0u32;
    loop {
        if !still_current() {
            return;
        }
        let result = api.whoami().await;
        if !still_current() {
            return;
        }
        match result {
            Ok(identity) => {
                auth.check_error.try_set(None);
                auth.identity.try_set(Some(identity));
                return;
            }
            Err(err) if rejects_credentials(&err) => {
                auth.sign_out(Some(rejection_note(&err)));
                return;
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                auth.check_error.try_set(Some(err.to_string()));
                let jitter = (js_sys::Math::random() * 1_000.0) as u32;
                TimeoutFuture::new(backoff_delay_ms(failures, jitter)).await;
            }
        }
    }
}

/// Called by the API client when the server refused `used` (401, unknown key, wrong
/// secret): signs out if that is still the key in use.
pub(crate) fn report_rejected(used: Option<&Credentials>, err: &ApiError) {
    let Some(auth) = CURRENT.with(Cell::get) else {
        return;
    };
    let current = auth.credentials_untracked();
    if current.is_some() && current.as_ref() == used {
        auth.sign_out(Some(rejection_note(err)));
    }
}

/// The `#key=` value of the address, removed from the address bar at once
/// (`history.replaceState`, keeping the path, the query and any other fragment part).
fn fragment_key() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let found = take_fragment_key(&location.hash().ok()?)?;
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let clean = format!("{path}{search}{}", found.rest);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some(found.value)
}

#[derive(Clone, Copy)]
enum Kind {
    Session,
    Local,
}

fn storage(kind: Kind) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    match kind {
        Kind::Session => window.session_storage().ok().flatten(),
        Kind::Local => window.local_storage().ok().flatten(),
    }
}

fn stored_key(storage: Option<web_sys::Storage>, source: KeySource) -> Option<Session> {
    let text = storage?.get_item(KEY_STORAGE_KEY).ok().flatten()?;
    // A damaged entry is forgotten rather than sent.
    Credentials::parse_pair(&text)
        .ok()
        .map(|credentials| Session {
            credentials,
            source,
        })
}

/// Keeps the key in `localStorage` (`remember`) or `sessionStorage`, and removes it from
/// the other.
fn store_key(credentials: &Credentials, remember: bool) {
    let (keep, drop) = if remember {
        (Kind::Local, Kind::Session)
    } else {
        (Kind::Session, Kind::Local)
    };
    if let Some(s) = storage(drop) {
        let _ = s.remove_item(KEY_STORAGE_KEY);
    }
    if let Some(s) = storage(keep) {
        let _ = s.set_item(KEY_STORAGE_KEY, &credentials.pair());
    }
}

/// Removes the key from both storages.
fn forget_key() {
    for kind in [Kind::Session, Kind::Local] {
        if let Some(s) = storage(kind) {
            let _ = s.remove_item(KEY_STORAGE_KEY);
        }
    }
}
