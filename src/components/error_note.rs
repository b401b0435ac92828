//! Error messages shown inline.

use leptos::prelude::*;

/// One error message (rendered as text), with `role="alert"`.
#[component]
pub fn ErrorNote(
    /// The message.
    #[prop(into)]
    message: String,
    /// Optional element id (for tests).
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    view! {
        <p class="error" role="alert" id=id>
            {message}
        </p>
    }
}

/// Fallback for an `<ErrorBoundary>`: every error's message.
#[component]
pub fn ErrorList(
    /// The boundary's errors.
    errors: ArcRwSignal<Errors>,
) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, e)| view! { <p>{e.to_string()}</p> })
                    .collect_view()
            }}
        </div>
    }
}
