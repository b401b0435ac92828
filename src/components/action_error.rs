//! The error of an action's last run, shown inline.

use std::fmt::Display;

use leptos::prelude::*;

use crate::components::error_note::error_class;

/// A `p.error` (`role="alert"`, like an
/// [`ErrorNote`](crate::components::error_note::ErrorNote)) with the error of `action`'s last
/// run, while that run failed. Give it an `id` when the page has one such note, or a
/// `class` when several are on one page (one per item) and tests find them by class.
#[component]
pub fn ActionError<I, O, E>(
    /// The action whose result to watch.
    action: Action<I, Result<O, E>>,
    /// Element id of the note (for tests).
    #[prop(optional)]
    id: Option<&'static str>,
    /// CSS class of the note besides `error` (for tests).
    #[prop(optional)]
    class: Option<&'static str>,
) -> impl IntoView
where
    I: 'static,
    O: Clone + Send + Sync + 'static,
    E: Display + Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::err).map(|e| {
            view! {
                <p class=error_class(class) role="alert" id=id>
                    {e.to_string()}
                </p>
            }
        })
    }
}
