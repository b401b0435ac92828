//! Settings: where the API is.

use leptos::prelude::*;

use crate::api::Api;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::format::normalize_base_url;
use crate::{set_api_base, use_api_base};

/// `/settings`: the API base URL (default: this page's origin), with a connection test.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let base = use_api_base();
    let suggested = use_context::<crate::SuggestedApi>().and_then(|s| s.0);
    let draft = RwSignal::new(suggested.clone().unwrap_or_else(|| base.get_untracked()));
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);

    let test = Action::new_local(move |base: &String| {
        let api = Api::new(base.clone());
        async move { api.health().await }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match normalize_base_url(&draft.get_untracked()) {
            Some(url) => {
                error.set(None);
                set_api_base(Some(url.clone()));
                draft.set(url);
                saved.set(true);
            }
            None => {
                saved.set(false);
                error.set(Some(
                    "Enter an http:// or https:// URL, e.g. https://tocsin.example:8787".to_owned(),
                ));
            }
        }
    };
    let on_reset = move |_| {
        set_api_base(None);
        draft.set(base.get_untracked());
        error.set(None);
        saved.set(true);
    };

    view! {
        <section class="page">
            <h1>"Settings"</h1>
            <form class="form" id="settings-form" on:submit=on_submit>
                <TextField
                    id="api-base"
                    label="API base URL"
                    value=draft
                    input_type="url"
                    required=true
                    on_input=move |_| saved.set(false)
                />
                {suggested.map(|url| view! {
                    <p class="notice" id="api-suggested">
                        "A link asks to use " <code>{url}</code> " as the API. Your key would be "
                        "sent there: save it only if you trust it."
                    </p>
                })}
                <p class="hint">
                    "Where Tocsin's API is. Defaults to this page's origin. A link with "
                    <code>"?api=https://host:port"</code> " only suggests one here; nothing "
                    "changes until you save it."
                </p>
                <div class="actions">
                    <button type="submit" id="settings-save">"Save"</button>
                    <button type="button" id="settings-reset" on:click=on_reset>
                        "Use this page's origin"
                    </button>
                    <button
                        type="button"
                        id="settings-test"
                        on:click=move |_| {
                            test.dispatch_local(base.get_untracked());
                        }
                    >
                        "Test connection"
                    </button>
                </div>
            </form>
            <p>"Current: " <code id="api-base-current">{move || base.get()}</code></p>
            <Show when=move || saved.get()>
                <p class="ok" role="status">"Saved."</p>
            </Show>
            {move || error.get().map(|m| view! { <ErrorNote id="settings-error" message=m /> })}
            {move || {
                test.value()
                    .get()
                    .map(|r| match r {
                        Ok(h) => {
                            view! {
                                <p class="ok" id="settings-test-result">
                                    {format!("Connected: Tocsin {} ({})", h.version, h.status)}
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! { <ErrorNote id="settings-test-result" message=e.to_string() /> }
                                .into_any()
                        }
                    })
            }}
        </section>
    }
}
