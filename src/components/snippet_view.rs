//! One snippet to paste into a sender (a receiver's configuration), with a copy button.

use leptos::prelude::*;
use tocsin_api::receivers::Snippet;
use wasm_bindgen::{JsCast, JsValue};

/// `figure.snippet-box`: the snippet's title, a "Copy" button (`button.snippet-copy`, which
/// says "Copied" once the browser took the text) and `pre.snippet[data-title]
/// [data-language]` holding the text (as text).
#[component]
pub fn SnippetView(
    /// The snippet.
    snippet: Snippet,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = snippet.text.clone();
    let on_copy = move |_| {
        if copy_to_clipboard(&text) {
            copied.set(true);
        }
    };
    view! {
        <figure class="snippet-box">
            <figcaption class="snippet-head">
                <span class="snippet-title">{snippet.title.clone()}</span>
                <button type="button" class="small snippet-copy" on:click=on_copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </figcaption>
            <pre
                class="snippet"
                data-title=snippet.title.clone()
                data-language=snippet.language.clone()
            >
                {snippet.text}
            </pre>
        </figure>
    }
}

/// The snippets of a receiver, one [`SnippetView`] each, or `p.no-snippets`.
#[component]
pub fn SnippetList(
    /// The snippets.
    snippets: Vec<Snippet>,
) -> impl IntoView {
    if snippets.is_empty() {
        return view! { <p class="muted no-snippets">"No snippets."</p> }.into_any();
    }
    view! {
        <div class="snippets">
            {snippets
                .into_iter()
                .map(|snippet| view! { <SnippetView snippet /> })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// Hands `text` to `navigator.clipboard.writeText` (secure contexts only); whether the
/// browser offered a clipboard.
fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let get = |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name));
    let Ok(clipboard) = get(&window.into(), "navigator").and_then(|n| get(&n, "clipboard")) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    match get(&clipboard, "writeText").map(JsCast::dyn_into::<js_sys::Function>) {
        Ok(Ok(write)) => write.call1(&clipboard, &JsValue::from_str(text)).is_ok(),
        _ => false,
    }
}
