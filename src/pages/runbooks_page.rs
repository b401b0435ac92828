//! Runbooks: the Automation documents and the latest executions.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::native::Change;

use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::clock::local_datetime;
use crate::components::loaded::Loaded;
use crate::components::run_state_badge::RunStateBadge;
use crate::format::{execution_href, runbook_href};
use crate::live::{ChangeFeed, use_live_resource};
use crate::runbook::is_built_in;
use crate::use_api;

/// `/runbooks`: every document (`ListDocuments`: the built-ins and the account's own) with
/// its owner, default version and format, each linking to its page; and the newest
/// executions (`DescribeAutomationExecutions`), kept current from the change feed. Admins
/// also get "New runbook".
#[component]
pub fn RunbooksPage() -> impl IntoView {
    let can_edit = may(use_auth().role_untracked(), Control::EditRunbooks);
    let api = use_api();
    let list_api = api.clone();
    let documents = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.all_documents().await }
    });
    let feed = ChangeFeed::new(api.clone());
    let executions = use_live_resource(
        feed,
        move || {
            let api = api.clone();
            async move { api.recent_automation_executions().await }
        },
        |entry| matches!(entry.change, Change::AutomationChanged(_)),
    );
    feed.start(None);

    view! {
        <section class="page runbooks-page">
            <div class="page-head">
                <h1>"Runbooks"</h1>
                {can_edit
                    .then(|| {
                        view! {
                            <A href="/runbooks/new" attr:id="new-runbook" attr:class="button">
                                "New runbook"
                            </A>
                        }
                    })}
            </div>
            <p class="hint">
                "Automation documents (schema 0.3). Response plans start them for new incidents; "
                "responders start them from an incident's page."
            </p>
            <Loaded
                resource=documents
                render=move |list| {
                    view! {
                        <table class="list" id="document-list">
                            <thead>
                                <tr>
                                    <th>"Name"</th>
                                    <th>"Owner"</th>
                                    <th>"Default version"</th>
                                    <th>"Format"</th>
                                    <th>"Created"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|d| {
                                        let built_in = is_built_in(&d.owner);
                                        // Built-ins carry no creation time (0).
                                        let created = if d.created_date > 0.0 {
                                            local_datetime(d.created_date)
                                        } else {
                                            "—".to_owned()
                                        };
                                        let version = match &d.version_name {
                                            Some(v) => format!("{} ({v})", d.document_version),
                                            None => d.document_version.clone(),
                                        };
                                        let (href, row_name) = (runbook_href(&d.name), d.name.clone());
                                        view! {
                                            <tr class="document-row" data-name=row_name>
                                                <td>
                                                    <A href=href>{d.name}</A>
                                                    {d
                                                        .display_name
                                                        .filter(|n| !n.is_empty())
                                                        .map(|n| view! { <div class="muted">{n}</div> })}
                                                </td>
                                                <td class="document-owner">
                                                    {d.owner}
                                                    {built_in
                                                        .then(|| view! { <span class="tag">"built-in"</span> })}
                                                </td>
                                                <td class="document-version">{version}</td>
                                                <td class="document-format">{d.document_format}</td>
                                                <td>{created}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                }
            />
            <h2>"Recent executions"</h2>
            <Loaded
                resource=executions
                render=move |list| {
                    if list.is_empty() {
                        return view! {
                            <p class="muted" id="no-executions">"No runbook has run yet."</p>
                        }
                            .into_any();
                    }
                    view! {
                        <table class="list" id="execution-list">
                            <thead>
                                <tr>
                                    <th>"Runbook"</th>
                                    <th>"Status"</th>
                                    <th>"Current step"</th>
                                    <th>"Started"</th>
                                    <th>"Execution"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list
                                    .into_iter()
                                    .map(|e| {
                                        let href = execution_href(&e.automation_execution_id);
                                        let row_id = e.automation_execution_id.clone();
                                        view! {
                                            <tr class="execution-row" data-id=row_id>
                                                <td>{e.document_name}</td>
                                                <td>
                                                    <RunStateBadge status=e.automation_execution_status />
                                                </td>
                                                <td>{e.current_step_name.unwrap_or_else(|| "—".to_owned())}</td>
                                                <td>{local_datetime(e.execution_start_time)}</td>
                                                <td class="mono">
                                                    <A href=href>{e.automation_execution_id}</A>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            />
        </section>
    }
}
