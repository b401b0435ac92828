//! Sign in with an access key.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::Api;
use crate::auth::session::use_auth;
use crate::auth::{Credentials, identity_label, safe_return_path, sign_in_failure};
use crate::components::error_note::ErrorNote;
use crate::use_api_base;

/// `/sign-in?next=/path`: an access key id and its secret (a password field), "Remember on
/// this device", and Sign in. The key is checked with `GET /v1/whoami`; when it is accepted
/// it is kept (in `sessionStorage`, or `localStorage` when remembered) and the page goes to
/// `next` (default `/wall`). A refused key says why.
#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    let base = use_api_base();
    let navigate = use_navigate();
    let next = use_query_map().with_untracked(|q| q.get("next"));
    let target = safe_return_path(next.as_deref());

    let key_id = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);

    let check = Action::new_local(move |credentials: &Credentials| {
        let credentials = credentials.clone();
        let api = Api::new(base.get_untracked())
            .with_credentials(Some(credentials.clone()), None)
            .without_rejection_reports();
        let navigate = navigate.clone();
        let target = target.clone();
        async move {
            let identity = api.whoami().await.map_err(|e| sign_in_failure(&e))?;
            auth.sign_in(credentials, identity, remember.get_untracked());
            secret.try_set(String::new());
            navigate(&target, NavigateOptions::default());
            Ok::<(), String>(())
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Credentials::from_form(&key_id.get_untracked(), &secret.get_untracked()) {
            Ok(credentials) => {
                form_error.set(None);
                check.dispatch_local(credentials);
            }
            Err(err) => form_error.set(Some(err.to_string())),
        }
    };

    let error = move || {
        form_error.get().or_else(|| {
            check
                .value()
                .get()
                .and_then(Result::err)
                .filter(|_| !check.pending().get())
        })
    };

    view! {
        <section class="page sign-in-page">
            <h1>"Sign in"</h1>
            {move || {
                auth.note()
                    .map(|note| {
                        view! {
                            <p class="note" id="sign-in-note" role="status">
                                {note}
                            </p>
                        }
                    })
            }}
            {move || {
                auth.identity()
                    .map(|who| {
                        view! {
                            <p class="muted" id="signed-in-as">
                                {format!("Signed in as {}. Sign in below to use another key.", identity_label(&who))}
                            </p>
                        }
                    })
            }}
            <form class="form" id="sign-in-form" on:submit=on_submit autocomplete="on">
                <label for="access-key-id">"Access key id"</label>
                <input
                    id="access-key-id"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="characters"
                    spellcheck="false"
                    required
                    placeholder="TOCS…"
                    prop:value=move || key_id.get()
                    on:input=move |ev| key_id.set(event_target_value(&ev))
                />
                <label for="secret-access-key">"Secret access key"</label>
                <input
                    id="secret-access-key"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    spellcheck="false"
                    prop:value=move || secret.get()
                    on:input=move |ev| secret.set(event_target_value(&ev))
                />
                <p class="hint">
                    "You can also paste ID:SECRET into the first field. An admin makes keys on the Keys page, or with "
                    <code>"tocsin keys create"</code> "."
                </p>
                <label class="checkbox" for="remember">
                    <input
                        id="remember"
                        name="remember"
                        type="checkbox"
                        prop:checked=move || remember.get()
                        on:change=move |ev| remember.set(event_target_checked(&ev))
                    />
                    " Remember on this device"
                </label>
                <p class="hint">
                    "Unticked, the key is forgotten when this tab closes. Only tick it on a device that is yours."
                </p>
                <div class="actions">
                    <button type="submit" id="sign-in-submit" disabled=move || check.pending().get()>
                        {move || if check.pending().get() { "Checking…" } else { "Sign in" }}
                    </button>
                </div>
            </form>
            {move || error().map(|m| view! { <ErrorNote id="sign-in-error" message=m /> })}
        </section>
    }
}
