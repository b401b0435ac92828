//! The route guard: a page is built only once its key is checked.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};

use crate::auth::session::{AuthState, use_auth};
use crate::auth::{SIGN_IN_PATH, sign_in_href};
use crate::components::error_note::ErrorNote;

/// Shows `children` when a checked key is signed in ("Checking your key…" while `whoami`
/// runs, the error while the server cannot be reached); without a key, goes to the sign-in
/// page, which comes back here afterwards. The page is rebuilt when the key changes, so it
/// always reads the current key and role.
#[component]
pub fn RequireKey(
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let navigate = use_navigate();
    let state = Memo::new(move |_| auth.state());
    Effect::new(move |_| {
        if state.get() == AuthState::SignedOut {
            let path = location.pathname.get_untracked();
            if path != SIGN_IN_PATH {
                let here = format!("{path}{}", location.search.get_untracked());
                navigate(
                    &sign_in_href(&here),
                    NavigateOptions {
                        replace: true,
                        ..NavigateOptions::default()
                    },
                );
            }
        }
    });
    move || match state.get() {
        AuthState::Ready(_) => children().into_any(),
        AuthState::SignedOut => view! {
            <section class="page">
                <p class="muted" id="auth-redirect">"Sign in to continue…"</p>
            </section>
        }
        .into_any(),
        AuthState::Checking => view! {
            <section class="page">
                <p class="muted" id="auth-checking">"Checking your key…"</p>
            </section>
        }
        .into_any(),
        AuthState::Unreachable(msg) => view! {
            <section class="page">
                <ErrorNote
                    id="auth-unreachable"
                    message=format!("Cannot check your key: {msg} — retrying…")
                />
            </section>
        }
        .into_any(),
    }
}
