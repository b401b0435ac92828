//! A runbook's (or a step's) status shown as colour *and* words.

use leptos::prelude::*;

use crate::runbook::RunState;

/// `span.run-state` with the status's words (`Waiting for input`, `Succeeded`, …), its
/// colour class, and the API's spelling in `data-status` (for tests and styles).
#[component]
pub fn RunStateBadge(
    /// The status as the API spells it (`InProgress`, `Waiting`, `Success`, …).
    #[prop(into)]
    status: String,
    /// Extra CSS classes (e.g. `step-status`).
    #[prop(optional)]
    class: Option<&'static str>,
) -> impl IntoView {
    let state = RunState::of(&status);
    let class = match class {
        Some(extra) => format!("run-state {} {extra}", state.class()),
        None => format!("run-state {}", state.class()),
    };
    view! {
        <span class=class data-status=status>
            {state.label()}
        </span>
    }
}
