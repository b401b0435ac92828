//! The error of an action's last run, shown inline.

use std::fmt::Display;

use leptos::prelude::*;

use crate::components::error_note::ErrorNote;

/// An [`ErrorNote`] with the error of `action`'s last run, while that run failed.
#[component]
pub fn ActionError<I, O, E>(
    /// The action whose result to watch.
    action: Action<I, Result<O, E>>,
    /// Element id of the note (for tests).
    id: &'static str,
) -> impl IntoView
where
    I: 'static,
    O: Clone + Send + Sync + 'static,
    E: Display + Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <ErrorNote id=id message=e.to_string() /> })
    }
}
