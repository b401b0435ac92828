//! One automation execution: its status, parameters, outputs and steps. Live.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tocsin_api::ssm::AutomationExecution;

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::clock::local_datetime;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::error_note::ErrorList;
use crate::components::execution_item::is_about_execution;
use crate::components::run_state_badge::RunStateBadge;
use crate::components::runbook_controls::RunbookControls;
use crate::components::step_list::StepList;
use crate::format::{incident_href, runbook_href};
use crate::forms::runbook::INCIDENT_PARAMETER;
use crate::live::{ChangeFeed, use_live_resource};
use crate::runbook::{RunState, pending_input};
use crate::use_api;

/// `/runbooks/execution?id=…`: `GetAutomationExecution`, refetched whenever the change feed
/// reports a transition of this execution (and after a reconnect). Shows the status, the
/// document, times, parameters, outputs and every step with its inputs, outputs and failure;
/// keys that may run runbooks also get the current step's controls and Stop.
#[component]
pub fn ExecutionPage() -> impl IntoView {
    let can_run = may(use_auth().role_untracked(), Control::RunRunbooks);
    let api = use_api();
    let query = use_query_map();
    let id = Memo::new(move |_| query.with(|q| q.get("id")).unwrap_or_default());

    let feed = ChangeFeed::new(api.clone());
    let fetch_api = api.clone();
    let execution = use_live_resource(
        feed,
        move || {
            let id = id.get();
            let api = fetch_api.clone();
            async move {
                if id.is_empty() {
                    return Err(ApiError::Http {
                        status: 400,
                        error_type: None,
                        message: "No execution id in the address (expected ?id=…).".to_owned(),
                    });
                }
                api.get_automation_execution(&id).await
            }
        },
        move |entry| {
            id.try_with_untracked(|id| is_about_execution(&entry.change, id))
                .unwrap_or(false)
        },
    );
    feed.start(None);

    let pending = Memo::new(move |_| {
        execution.with(|e| match e {
            Some(Ok(e)) => pending_input(e),
            _ => None,
        })
    });
    let ended = Memo::new(move |_| {
        execution.with(|e| match e {
            Some(Ok(e)) => RunState::of(&e.automation_execution_status).is_terminal(),
            _ => true,
        })
    });
    let loaded = Memo::new(move |previous: Option<&bool>| {
        previous.copied().unwrap_or(false) || execution.with(|e| matches!(e, Some(Ok(_))))
    });

    view! {
        <section class="page execution-page">
            <div class="page-status">
                <ConnectionBadge state=feed.state() />
            </div>
            <h1>"Runbook execution"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        execution.await.map(|e| view! { <ExecutionFields execution=e /> })
                    })}
                </ErrorBoundary>
            </Transition>
            {can_run
                .then(|| {
                    view! {
                        <Show when=move || loaded.get()>
                            <RunbookControls
                                api=api.clone()
                                execution_id=id.get_untracked()
                                pending=pending
                                ended=ended
                                on_change=Callback::new(move |()| execution.refetch())
                            />
                        </Show>
                    }
                })}
            <h2>"Steps"</h2>
            <Transition fallback=|| ()>
                <ErrorBoundary fallback=|_| ()>
                    {move || Suspend::new(async move {
                        execution
                            .await
                            .map(|e| view! { <StepList steps=e.step_executions detailed=true /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The execution's status, document, times, parameters and outputs.
#[component]
fn ExecutionFields(execution: AutomationExecution) -> impl IntoView {
    let e = execution;
    let incident = e
        .parameters
        .get(INCIDENT_PARAMETER)
        .and_then(|v| v.first())
        .filter(|arn| arn.starts_with("arn:"))
        .cloned();
    let current = e.current_step_name.clone().map(|step| {
        let action = e.current_action.clone().unwrap_or_default();
        view! {
            <dt>"Current step"</dt>
            <dd id="execution-current">
                <span class="current-step">{step}</span>
                " "
                <code>{action}</code>
            </dd>
        }
    });
    view! {
        <div class="detail-badges">
            <RunStateBadge
                status=e.automation_execution_status.clone()
                class="execution-status"
            />
        </div>
        <dl class="fields" id="execution-fields">
            <dt>"Runbook"</dt>
            <dd>
                <A href=runbook_href(&e.document_name)>
                    <span id="execution-document">{e.document_name.clone()}</span>
                </A>
                {format!(" (version {})", e.document_version)}
            </dd>
            <dt>"Execution id"</dt>
            <dd class="mono">{e.automation_execution_id.clone()}</dd>
            {current}
            <dt>"Started"</dt>
            <dd>{local_datetime(e.execution_start_time)}</dd>
            <dt>"Ended"</dt>
            <dd>{e.execution_end_time.map(local_datetime).unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Started by"</dt>
            <dd class="mono">{e.executed_by.clone()}</dd>
            <dt>"Mode"</dt>
            <dd>{e.mode.clone()}</dd>
            {incident
                .map(|arn| {
                    view! {
                        <dt>"Incident"</dt>
                        <dd>
                            <A href=incident_href(&arn)>
                                <span class="mono" id="execution-incident">{arn.clone()}</span>
                            </A>
                        </dd>
                    }
                })}
            {e
                .failure_message
                .clone()
                .map(|m| {
                    view! {
                        <dt>"Failure"</dt>
                        <dd class="step-failure" id="execution-failure">{m}</dd>
                    }
                })}
        </dl>
        <h2>"Parameters"</h2>
        <ValueList id="execution-parameters" values=e.parameters empty="No parameters." />
        <h2>"Outputs"</h2>
        <ValueList id="execution-outputs" values=e.outputs empty="No outputs (yet)." />
    }
}

/// Name → values, as a definition list (each value list one item per line).
#[component]
fn ValueList(
    id: &'static str,
    values: std::collections::BTreeMap<String, Vec<String>>,
    empty: &'static str,
) -> impl IntoView {
    if values.is_empty() {
        return view! { <p class="muted" id=id>{empty}</p> }.into_any();
    }
    view! {
        <dl class="fields step-values" id=id>
            {values
                .into_iter()
                .map(|(name, items)| {
                    view! {
                        <dt>{name}</dt>
                        <dd>
                            <pre class="step-value">{items.join("\n")}</pre>
                        </dd>
                    }
                })
                .collect_view()}
        </dl>
    }
    .into_any()
}
