//! The audit log (admin): who changed what, when, from where, and whether it went through.

use leptos::prelude::*;
use tocsin_api::audit::AuditEntry;

use crate::api::ApiError;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::clock::{local_datetime, now_secs};
use crate::components::error_note::{ErrorList, ErrorNote};
use crate::components::fields::TextField;
use crate::format::{audit_failed, audit_result_label, or_dash, principal_label};
use crate::forms::audit::{AuditForm, LIMIT_CHOICES, TimeWindow, summary};
use crate::use_api;

/// `/audit`: the audit log's entries, newest first, filtered by principal, operation, time
/// window and count. Text filters apply on "Apply" (or Enter), the pickers at once; "Apply"
/// also reads the log again. Admins only.
#[component]
pub fn AuditPage() -> impl IntoView {
    let auth = use_auth();
    let role = auth.role_untracked();
    if !may(role, Control::ReadAudit) {
        return view! {
            <section class="page">
                <h1>"Audit log"</h1>
                <p class="note" id="audit-denied">{cannot_message(role, "read the audit log")}</p>
            </section>
        }
        .into_any();
    }
    let own_principal = auth.identity_untracked().map(|i| i.principal);
    let api = use_api();

    let defaults = AuditForm::default();
    let principal = RwSignal::new(defaults.principal);
    let operation = RwSignal::new(defaults.operation);
    let window = RwSignal::new(defaults.window);
    let limit = RwSignal::new(defaults.limit);
    let form_error = RwSignal::new(None::<String>);
    let form = move || AuditForm {
        principal: principal.get_untracked(),
        operation: operation.get_untracked(),
        window: window.get_untracked(),
        limit: limit.get_untracked(),
    };

    let initial = form()
        .query(now_secs(), own_principal.as_deref())
        .unwrap_or_default();
    let applied = RwSignal::new(initial);
    let entries = LocalResource::new(move || {
        let query = applied.get();
        let api = api.clone();
        async move {
            let list = api.audit_entries(&query).await?;
            Ok::<_, ApiError>((list, query.limit))
        }
    });
    // Setting `applied` reads the log again even when the filters are the same.
    let apply = Callback::new(
        move |()| match form().query(now_secs(), own_principal.as_deref()) {
            Ok(query) => {
                form_error.set(None);
                applied.set(query);
            }
            Err(msg) => form_error.set(Some(msg)),
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply.run(());
    };
    let on_clear = move |_| {
        let defaults = AuditForm::default();
        principal.set(defaults.principal);
        operation.set(defaults.operation);
        window.set(defaults.window);
        limit.set(defaults.limit);
        apply.run(());
    };

    view! {
        <section class="page audit-page">
            <h1>"Audit log"</h1>
            <p class="hint">
                "Every change made through the API (plans, rules, incidents, keys), who made it and whether it went through. Refused changes are marked ✗."
            </p>
            <form class="form audit-filters" id="audit-filters" on:submit=on_submit>
                <TextField
                    id="audit-principal"
                    label="Principal"
                    value=principal
                    wrapper="audit-filter"
                    placeholder="everyone"
                    hint="A key name or a whole principal ARN (exact)."
                />
                <TextField
                    id="audit-operation"
                    label="Operation"
                    value=operation
                    wrapper="audit-filter"
                    placeholder="every operation"
                    hint="E.g. CreateResponsePlan, StartIncident, PutRule, CreateKey (exact)."
                />
                <div class="audit-filter">
                    <label for="audit-window">"Time"</label>
                    <select
                        id="audit-window"
                        name="audit-window"
                        prop:value=move || window.get()
                        on:change=move |ev| {
                            window.set(event_target_value(&ev));
                            apply.run(());
                        }
                    >
                        {TimeWindow::ALL
                            .iter()
                            .map(|w| {
                                let value = w.as_str();
                                view! {
                                    <option value=value selected=move || window.with(|x| x == value)>
                                        {w.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="audit-filter">
                    <label for="audit-limit">"Show"</label>
                    <select
                        id="audit-limit"
                        name="audit-limit"
                        prop:value=move || limit.get()
                        on:change=move |ev| {
                            limit.set(event_target_value(&ev));
                            apply.run(());
                        }
                    >
                        {LIMIT_CHOICES
                            .iter()
                            .map(|n| {
                                let value = n.to_string();
                                let chosen = value.clone();
                                view! {
                                    <option value=value selected=move || limit.with(|x| *x == chosen)>
                                        {format!("{n} newest")}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="actions">
                    <button type="submit" id="audit-apply">
                        "Apply"
                    </button>
                    <button type="button" id="audit-clear" on:click=on_clear>
                        "Clear filters"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="audit-form-error" message=m /> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        entries
                            .await
                            .map(|(list, limit)| view! { <AuditTable entries=list limit=limit /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
    .into_any()
}

/// `p#audit-summary` and `table#audit-list`: one `tr.audit-row[data-seq][data-result]` per
/// entry, `.audit-failed` (and `✗ failed: <code>` in words) when the call was refused.
#[component]
fn AuditTable(entries: Vec<AuditEntry>, limit: Option<i64>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted" id="audit-empty">"No audit entries match."</p> }
            .into_any();
    }
    view! {
        <p class="muted" id="audit-summary">{summary(entries.len(), limit)}</p>
        <table class="list" id="audit-list">
            <thead>
                <tr>
                    <th>"Time"</th>
                    <th>"Principal"</th>
                    <th>"Role"</th>
                    <th>"Operation"</th>
                    <th>"Resource"</th>
                    <th>"Source address"</th>
                    <th>"Result"</th>
                </tr>
            </thead>
            <tbody>
                {entries
                    .into_iter()
                    .map(|entry| {
                        let failed = audit_failed(&entry.result);
                        view! {
                            <tr
                                class=if failed { "audit-row audit-failed" } else { "audit-row" }
                                data-seq=entry.seq.to_string()
                                data-result=entry.result.clone()
                            >
                                <td class="audit-time" title=format!("#{}", entry.seq)>
                                    {local_datetime(entry.at)}
                                </td>
                                <td class="audit-principal" title=entry.principal.clone()>
                                    {principal_label(&entry.principal).to_owned()}
                                </td>
                                <td class="audit-role">{entry.role.as_str()}</td>
                                <td class="audit-operation">{entry.operation.clone()}</td>
                                <td class="audit-resource mono">{or_dash(&entry.resource).to_owned()}</td>
                                <td class="audit-source mono">
                                    {or_dash(&entry.source_address).to_owned()}
                                </td>
                                <td class="audit-result">{audit_result_label(&entry.result)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
