//! One runbook execution on the incident page, live.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::native::Change;
use tocsin_api::ssm::AutomationExecution;

use crate::api::{Api, ApiError};
use crate::components::error_note::ErrorNote;
use crate::components::run_state_badge::RunStateBadge;
use crate::components::runbook_controls::RunbookControls;
use crate::components::step_list::StepList;
use crate::format::execution_href;
use crate::live::{ChangeFeed, use_live_resource};
use crate::runbook::{RunState, pending_input};

/// Whether a change-feed entry reports a transition of the execution `id`.
pub fn is_about_execution(change: &Change, id: &str) -> bool {
    matches!(change, Change::AutomationChanged(s) if s.automation_execution_id == id)
}

/// `article.execution[data-id]`: the document (linking to the execution's page), its status,
/// current step and steps, refetched whenever the change feed reports a transition of this
/// execution (and after a reconnect); with `can_run`, the controls the current step needs.
#[component]
pub fn ExecutionItem(
    /// The API client.
    api: Api,
    /// The page's change feed.
    feed: ChangeFeed,
    /// The execution.
    #[prop(into)]
    execution_id: String,
    /// Whether the key may answer and stop runbooks (responder, admin).
    can_run: bool,
) -> impl IntoView {
    let fetch_api = api.clone();
    let fetch_id = execution_id.clone();
    let watched_id = execution_id.clone();
    let execution = use_live_resource(
        feed,
        move || {
            let api = fetch_api.clone();
            let id = fetch_id.clone();
            async move { api.get_automation_execution(&id).await }
        },
        move |entry| is_about_execution(&entry.change, &watched_id),
    );
    let current = Memo::new(move |_| execution.get());
    let loaded = move || current.with(|c| c.as_ref().and_then(|r| r.as_ref().ok()).cloned());
    let pending = Memo::new(move |_| {
        current.with(|c| match c {
            Some(Ok(e)) => pending_input(e),
            _ => None,
        })
    });
    let ended = Memo::new(move |_| {
        current.with(|c| match c {
            Some(Ok(e)) => RunState::of(&e.automation_execution_status).is_terminal(),
            _ => true,
        })
    });
    let href = execution_href(&execution_id);

    let head = move || match loaded() {
        Some(e) => head_view(&e).into_any(),
        None => view! { <span class="muted">"Loading…"</span> }.into_any(),
    };
    let error = move || {
        current.with(|c| match c {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    };

    view! {
        <article class="execution" data-id=execution_id.clone()>
            <header class="execution-head">
                <A href=href attr:class="execution-link">
                    {move || {
                        loaded()
                            .map(|e| e.document_name)
                            .unwrap_or_else(|| "Runbook".to_owned())
                    }}
                </A>
                {head}
            </header>
            {move || error().map(|e: ApiError| view! { <ErrorNote message=e.to_string() /> })}
            {can_run
                .then(|| {
                    view! {
                        <RunbookControls
                            api=api.clone()
                            execution_id=execution_id.clone()
                            pending=pending
                            ended=ended
                            on_change=Callback::new(move |()| execution.refetch())
                        />
                    }
                })}
            {move || loaded().map(|e| view! { <StepList steps=e.step_executions /> })}
        </article>
    }
}

/// Status, current step and failure of a loaded execution.
fn head_view(execution: &AutomationExecution) -> impl IntoView + use<> {
    let current = execution.current_step_name.clone().map(|step| {
        let action = execution.current_action.clone().unwrap_or_default();
        view! {
            <span class="execution-current">
                <span class="label">"Step "</span>
                <span class="current-step">{step}</span>
                " "
                <code>{action}</code>
            </span>
        }
    });
    let failure = execution
        .failure_message
        .clone()
        .map(|m| view! { <p class="step-failure execution-failure">{m}</p> });
    view! {
        <RunStateBadge
            status=execution.automation_execution_status.clone()
            class="execution-status"
        />
        {current}
        {failure}
    }
}
