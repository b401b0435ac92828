//! The top navigation bar (hidden in kiosk mode): the pages the signed-in key's role may
//! use, who is signed in, and "Sign out".

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::auth::session::use_auth;
use crate::auth::{SIGN_IN_PATH, identity_label, nav_links};

/// Whether the current URL asks for kiosk mode (`?kiosk=1`): no navigation, no controls.
pub fn use_kiosk() -> Signal<bool> {
    let query = use_query_map();
    Signal::derive(move || query.with(|q| matches!(q.get("kiosk").as_deref(), Some("1" | "true"))))
}

/// Links to the pages the key's role may use, `#whoami` (`name · role`) and `#sign-out`,
/// unless in kiosk mode.
#[component]
pub fn NavBar() -> impl IntoView {
    let kiosk = use_kiosk();
    let auth = use_auth();
    let navigate = use_navigate();
    let identity = Memo::new(move |_| auth.identity());
    let has_key = Memo::new(move |_| auth.has_key());
    let sign_out = move |_| {
        auth.sign_out(Some("Signed out.".to_owned()));
        navigate(SIGN_IN_PATH, NavigateOptions::default());
    };
    view! {
        <Show when=move || !kiosk.get()>
            <nav class="nav" aria-label="Main">
                <span class="brand">"Tocsin"</span>
                {move || {
                    nav_links(identity.get().map(|i| i.role))
                        .into_iter()
                        .map(|(href, label)| view! { <A href=href>{label}</A> })
                        .collect_view()
                }}
                <span class="nav-user">
                    {
                        let sign_out = sign_out.clone();
                        move || match identity.get() {
                            Some(who) => {
                                view! {
                                    <span class="whoami" id="whoami" title=who.principal.clone()>
                                        {identity_label(&who)}
                                    </span>
                                    <button
                                        type="button"
                                        id="sign-out"
                                        class="small"
                                        on:click=sign_out.clone()
                                    >
                                        "Sign out"
                                    </button>
                                }
                                    .into_any()
                            }
                            None if has_key.get() => {
                                view! { <span class="muted">"Checking key…"</span> }.into_any()
                            }
                            None => view! { <A href=SIGN_IN_PATH>"Sign in"</A> }.into_any(),
                        }
                    }
                </span>
            </nav>
        </Show>
    }
}
