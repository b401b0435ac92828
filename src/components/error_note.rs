//! Error messages shown inline.

use leptos::prelude::*;

/// The classes of an error note: `error`, then `extra` when given.
pub fn error_class(extra: Option<&str>) -> String {
    match extra {
        Some(extra) => format!("error {extra}"),
        None => "error".to_owned(),
    }
}

/// One error message (rendered as text) in a `p.error`, with `role="alert"`.
#[component]
pub fn ErrorNote(
    /// The message.
    #[prop(into)]
    message: String,
    /// Optional element id (for tests).
    #[prop(optional, into)]
    id: Option<String>,
    /// Optional CSS class besides `error` (for notes found by class).
    #[prop(optional)]
    class: Option<&'static str>,
) -> impl IntoView {
    view! {
        <p class=error_class(class) role="alert" id=id>
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
