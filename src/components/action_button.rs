//! A button that runs an action, after a confirmation when it asks one.

use std::future::Future;

use leptos::prelude::*;

use crate::api::ApiError;

/// `button[type=button]` with `class` (and `id`, `title` when given) that dispatches a clone
/// of `input` to `action`: at once, or, when `confirm` is given, only once the person says OK
/// to it (`window.confirm`). Disabled while `action` runs and while `locked` holds. Show the
/// action's error next to it with an
/// [`ActionError`](crate::components::action_error::ActionError).
#[component]
pub fn ActionButton<I, O>(
    /// The action to run.
    action: Action<I, O>,
    /// What to run it with (cloned on every click).
    input: I,
    /// The button's CSS classes.
    class: &'static str,
    /// Element id, when there is one such button on the page.
    #[prop(optional)]
    id: Option<&'static str>,
    /// A tooltip, if any.
    #[prop(default = None)]
    title: Option<&'static str>,
    /// The question to ask first; the action runs only when it is answered OK.
    #[prop(optional, into)]
    confirm: Option<String>,
    /// Keeps the button disabled while true (besides while `action` runs).
    #[prop(optional, into)]
    locked: Signal<bool>,
    /// The button's label.
    children: Children,
) -> impl IntoView
where
    I: Clone + 'static,
    O: 'static,
{
    let on_click = move |_| {
        let go = confirm
            .as_deref()
            .is_none_or(|question| window().confirm_with_message(question).unwrap_or(false));
        if go {
            action.dispatch_local(input.clone());
        }
    };
    view! {
        <button
            type="button"
            id=id
            class=class
            title=title
            disabled=move || locked.get() || action.pending().get()
            on:click=on_click
        >
            {children()}
        </button>
    }
}

/// An action that runs `run` with its input and, once that succeeded, `refresh` (which reads
/// again the list the change shows in). Its value is only whether it worked: what the server
/// answered is dropped.
pub fn refreshing_action<I, O, Fut>(
    refresh: Callback<()>,
    run: impl Fn(I) -> Fut + 'static,
) -> Action<I, Result<(), ApiError>>
where
    I: Clone + 'static,
    O: 'static,
    Fut: Future<Output = Result<O, ApiError>> + 'static,
{
    Action::new_local(move |input: &I| {
        let done = run(input.clone());
        async move {
            done.await?;
            refresh.run(());
            Ok(())
        }
    })
}
