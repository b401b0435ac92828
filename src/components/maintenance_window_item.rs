//! One maintenance window on the Maintenance page: when, why, what it matches, what it
//! suppressed, and Delete.

use leptos::prelude::*;
use tocsin_api::receivers::{MaintenanceWindow, Suppression};

use crate::api::Api;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::format::{
    incident_href, principal_label, recurrence_label, suppression_outcome, window_status_class,
    window_status_label,
};
use crate::pattern_check::pretty_json;

/// `article.maintenance-window-item[data-id][data-status]`: the window's name
/// (`.window-name`), status badge (`.window-status`: UPCOMING, ACTIVE or ENDED), reason
/// (`.window-reason`), current or next occurrence in local time (`.window-occurrence`),
/// recurrence (`.window-recurrence`), patterns (`.window-pattern`,
/// `.window-resolved-pattern`), how many events it suppressed
/// (`.window-suppressed-count`), the suppressed events on demand
/// (`button.window-suppressions-toggle`, then [`SuppressionTable`]) and, for responders,
/// "Delete" (`button.window-delete`, after a confirmation).
///
/// It follows `window` (the page's list, read again on every change), so the suppression
/// list, once open, is read again when the count moves.
#[component]
pub fn MaintenanceWindowItem(
    /// The API client.
    api: Api,
    /// The window, as last listed.
    #[prop(into)]
    window: Signal<MaintenanceWindow>,
    /// Reads the list again.
    refresh: Callback<()>,
    /// Whether the key may delete windows (responder, admin).
    can_manage: bool,
) -> impl IntoView {
    let (id, name) = window.with_untracked(|w| (w.id.clone(), w.name.clone()));

    let delete_api = api.clone();
    let delete_id = id.clone();
    let delete = refreshing_action(refresh, move |()| {
        let api = delete_api.clone();
        let id = delete_id.clone();
        async move { api.delete_maintenance_window(&id).await }
    });
    let confirm =
        format!("Delete maintenance window {name}? What it matches is no longer suppressed.");

    // The suppressed events: read when opened, and again when the count moves.
    let open = RwSignal::new(false);
    let count = Memo::new(move |_| window.with(|w| w.suppressed_count));
    let list_id = id.clone();
    let suppressions = LocalResource::new(move || {
        let (is_open, _) = (open.get(), count.get());
        let api = api.clone();
        let id = list_id.clone();
        async move {
            if is_open {
                api.window_suppressions(&id).await.map(Some)
            } else {
                Ok(None)
            }
        }
    });

    let status = move || window.with(|w| w.status);
    view! {
        <article
            class="rule maintenance-window-item"
            data-id=id.clone()
            data-status=move || window_status_label(status())
        >
            <div class="rule-head">
                <h3 class="rule-name window-name">{move || window.with(|w| w.name.clone())}</h3>
                <span class=move || format!("rule-state window-status {}", window_status_class(status()))>
                    {move || window_status_label(status())}
                </span>
                <div class="rule-actions">
                    {can_manage
                        .then(|| {
                            view! {
                                <ActionButton
                                    action=delete
                                    input=()
                                    class="small danger window-delete"
                                    confirm
                                >
                                    "Delete"
                                </ActionButton>
                            }
                        })}
                </div>
            </div>
            <p class="rule-description window-reason">{move || window.with(|w| w.reason.clone())}</p>
            <dl class="fields window-fields">
                <dt>"Occurrence"</dt>
                <dd class="window-occurrence">{move || window.with(occurrence_text)}</dd>
                <dt>"Repeats"</dt>
                <dd class="window-recurrence">{move || window.with(recurrence_text)}</dd>
                <dt>"Suppressed"</dt>
                <dd class="window-suppressed-count">{move || count.get().to_string()}</dd>
                <dt>"Created"</dt>
                <dd>
                    {move || {
                        window
                            .with(|w| {
                                format!(
                                    "{} by {}",
                                    local_datetime(w.created_at),
                                    principal_label(&w.created_by),
                                )
                            })
                    }}
                </dd>
                {move || {
                    window
                        .with(|w| w.incident_arn.clone())
                        .map(|arn| {
                            view! {
                                <dt>"From incident"</dt>
                                <dd class="mono window-incident">
                                    <a href=incident_href(&arn)>{arn.clone()}</a>
                                </dd>
                            }
                        })
                }}
            </dl>
            <div class="rule-body">
                <div>
                    <h4>"Event pattern"</h4>
                    <pre class="rule-pattern window-pattern">
                        {move || window.with(|w| pretty_json(&w.event_pattern))}
                    </pre>
                </div>
                {move || {
                    window
                        .with(|w| w.resolved_pattern.clone())
                        .map(|p| {
                            view! {
                                <div>
                                    <h4>"Resolved pattern"</h4>
                                    <pre class="rule-pattern window-resolved-pattern">{pretty_json(&p)}</pre>
                                </div>
                            }
                        })
                }}
            </div>
            <button
                type="button"
                class="small window-suppressions-toggle"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Hide suppressed events" } else { "Show suppressed events" }}
            </button>
            <Show when=move || open.get()>
                {move || match suppressions.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => {
                        view! { <ErrorNote class="window-suppressions-error" message=e.to_string() /> }
                            .into_any()
                    }
                    Some(Ok(list)) => {
                        view! { <SuppressionTable suppressions=list.unwrap_or_default() /> }.into_any()
                    }
                }}
            </Show>
            <ActionError action=delete class="window-delete-error" />
        </article>
    }
}

/// `start – end` of the window's current or next occurrence, in local time (or its own
/// start and end, or "open-ended").
fn occurrence_text(window: &MaintenanceWindow) -> String {
    match (window.occurrence, window.ends_at) {
        (Some((start, end)), _) => format!("{} – {}", local_datetime(start), local_datetime(end)),
        (None, Some(end)) => format!(
            "{} – {}",
            local_datetime(window.starts_at),
            local_datetime(end)
        ),
        (None, None) => format!("from {} (open-ended)", local_datetime(window.starts_at)),
    }
}

/// The recurrence (`0 2 * * SUN (UTC), 90 min each, until …`), or "no (one-off)".
fn recurrence_text(window: &MaintenanceWindow) -> String {
    match &window.recurrence {
        Some(r) => {
            let mut text = format!(
                "{}, {} min each",
                recurrence_label(r),
                window.duration_seconds / 60
            );
            if let Some(until) = window.ends_at {
                text.push_str(&format!(", until {}", local_datetime(until)));
            }
            text
        }
        None => "no (one-off)".to_owned(),
    }
}

/// `table.suppression-list`: one `tr.suppression-row[data-event-id]` per suppressed event
/// (when, source and detail-type, what was firing, the rules it would have run, and the
/// outcome once the window ended), or `p.no-suppressions`.
#[component]
pub fn SuppressionTable(
    /// The suppressed events.
    suppressions: Vec<Suppression>,
) -> impl IntoView {
    if suppressions.is_empty() {
        return view! { <p class="muted no-suppressions">"Nothing suppressed."</p> }.into_any();
    }
    view! {
        <table class="list suppression-list">
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"Event"</th>
                    <th>"Firing"</th>
                    <th>"Rules"</th>
                    <th>"Outcome"</th>
                </tr>
            </thead>
            <tbody>
                {suppressions
                    .into_iter()
                    .map(|s| {
                        view! {
                            <tr class="suppression-row" data-event-id=s.event_id.clone()>
                                <td class="suppression-at">{local_datetime(s.at)}</td>
                                <td class="suppression-event">
                                    {format!("{} · {}", s.source, s.detail_type)}
                                </td>
                                <td class="mono suppression-key">{s.source_key.clone()}</td>
                                <td class="mono suppression-rules">{s.rule_arns.join(", ")}</td>
                                <td class="suppression-outcome">
                                    {suppression_outcome(s.outcome.as_deref()).to_owned()}
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
