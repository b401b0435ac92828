//! A resource's view once it has loaded, with its loading and error notes.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::error_note::ErrorList;

/// What a resource loaded, shown by `render` once it has: "Loading…" (`p.muted`) until then,
/// an [`ErrorList`] when it failed. The `<Transition>` keeps what was shown while the
/// resource loads again.
#[component]
pub fn Loaded<T, V, F>(
    /// The resource to wait for.
    resource: LocalResource<Result<T, ApiError>>,
    /// The view of what it loaded.
    render: F,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || {
                    let render = render.clone();
                    Suspend::new(async move { resource.await.map(render) })
                }}
            </ErrorBoundary>
        </Transition>
    }
}
