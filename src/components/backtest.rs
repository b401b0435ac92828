//! The rules page's "Backtest" section: a draft pattern run over an archive's events.

use leptos::prelude::*;
use tocsin_api::events::Archive;
use tocsin_api::incidents::ResponsePlanSummary;

use crate::api::archives::{BacktestRequest, BacktestResult, event_text};
use crate::clock::local_to_epoch;
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::{TextArea, TextField};
use crate::forms::archive::BacktestForm;
use crate::use_api;

/// `section#backtest`: `form#backtest-form` runs a draft pattern over the events an archive
/// kept (`POST /v1/rules/backtest`; optionally in a time range, for a response plan and a
/// rule name, which decide how matches deduplicate into incidents). `#backtest-result` then
/// says how many events were tried (`#backtest-scanned`), matched (`#backtest-matched`) and
/// how many incidents they would have opened after deduplication (`#backtest-incidents`),
/// with a sample of the matches and the nearest misses (`tr.near-miss`: the deciding field
/// and why it failed). Anyone who can read may backtest.
#[component]
pub fn Backtest(
    /// The archives to backtest against.
    #[prop(into)]
    archives: Signal<Vec<Archive>>,
    /// Response plans a rule could target.
    #[prop(into)]
    plans: Signal<Vec<ResponsePlanSummary>>,
    /// The draft pattern (the rule editor's "Backtest this pattern" fills it in).
    pattern: RwSignal<String>,
) -> impl IntoView {
    let api = use_api();
    let archive = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let plan = RwSignal::new(String::new());
    let rule_name = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let run = Action::new_local(move |input: &BacktestRequest| {
        let api = api.clone();
        let input = input.clone();
        async move { api.backtest(&input).await }
    });
    let on_run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = BacktestForm {
            archive: archive.get_untracked(),
            pattern: pattern.get_untracked(),
            from: from.get_untracked(),
            to: to.get_untracked(),
            plan_arn: plan.get_untracked(),
            rule_name: rule_name.get_untracked(),
        };
        match form.request(local_to_epoch) {
            Ok(input) => {
                form_error.set(None);
                run.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    let result = move || run.value().get().and_then(Result::ok);

    view! {
        <section class="rules-section" id="backtest" aria-labelledby="backtest-title">
            <h2 id="backtest-title">"Backtest a pattern"</h2>
            <p class="hint">
                "Runs a draft pattern over the events an archive kept: how many would have matched, how many incidents they would have opened after deduplication, and the events that came closest without matching."
            </p>
            <form class="form" id="backtest-form" on:submit=on_run>
                <label for="backtest-archive">"Archive"</label>
                <select
                    id="backtest-archive"
                    name="backtest-archive"
                    prop:value=move || archive.get()
                    on:change=move |ev| archive.set(event_target_value(&ev))
                >
                    <option value="">"Choose an archive"</option>
                    {move || {
                        archives
                            .get()
                            .into_iter()
                            .filter_map(|a| a.archive_name)
                            .map(|n| {
                                let shown = n.clone();
                                let chosen = n.clone();
                                view! {
                                    <option value=n selected=move || archive.with(|x| *x == chosen)>
                                        {shown}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <TextArea id="backtest-pattern" label="Event pattern" value=pattern rows="6" code=true required=true />
                <TextField
                    id="backtest-from"
                    label="Events from (optional: the archive's beginning)"
                    value=from
                    input_type="datetime-local"
                />
                <TextField id="backtest-to" label="Events until (optional: now)" value=to input_type="datetime-local" />
                <label for="backtest-plan">"Response plan (optional)"</label>
                <select
                    id="backtest-plan"
                    name="backtest-plan"
                    prop:value=move || plan.get()
                    on:change=move |ev| plan.set(event_target_value(&ev))
                >
                    <option value="">"None: one incident per rule and resources"</option>
                    {move || {
                        plans
                            .get()
                            .into_iter()
                            .map(|p| {
                                let chosen = p.arn.clone();
                                let label = p.display_name.clone().unwrap_or_else(|| p.name.clone());
                                view! {
                                    <option value=p.arn selected=move || plan.with(|x| *x == chosen)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <TextField
                    id="backtest-rule-name"
                    label="Rule name (optional)"
                    value=rule_name
                    maxlength="64"
                    hint="Part of the dedupe string a rule target derives."
                />
                <div class="actions">
                    <button type="submit" id="backtest-submit" disabled=move || run.pending().get()>
                        {move || if run.pending().get() { "Running…" } else { "Run backtest" }}
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="backtest-form-error" message=m /> })}
            <ActionError action=run id="backtest-error" />
            {move || result().map(|r| view! { <BacktestReport result=r /> })}
        </section>
    }
}

/// `#backtest-result`.
#[component]
fn BacktestReport(result: BacktestResult) -> impl IntoView {
    let BacktestResult {
        scanned,
        matched,
        incidents,
        truncated,
        matched_sample,
        near_misses,
    } = result;
    view! {
        <div class="backtest-result" id="backtest-result" role="status">
            <dl class="fields">
                <dt>"Events tried"</dt>
                <dd id="backtest-scanned">{scanned}</dd>
                <dt>"Matched"</dt>
                <dd id="backtest-matched">{matched}</dd>
                <dt>"Incidents after deduplication"</dt>
                <dd id="backtest-incidents">{incidents}</dd>
            </dl>
            {truncated
                .then(|| {
                    view! {
                        <p class="note" id="backtest-truncated">
                            "The archive holds more events than one backtest reads: narrow the time range."
                        </p>
                    }
                })}
            <h3>"Matched (sample)"</h3>
            {if matched_sample.is_empty() {
                view! { <p class="muted" id="backtest-no-matches">"No event matched."</p> }.into_any()
            } else {
                view! {
                    <ul class="backtest-matches" id="backtest-matched-sample">
                        {matched_sample
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li class="backtest-match mono" data-event-id=e.event_id.clone().unwrap_or_default()>
                                        {format!(
                                            "{} · {} · {}",
                                            event_text(e.time.as_ref()),
                                            event_text(e.source.as_ref()),
                                            event_text(e.detail_type.as_ref()),
                                        )}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <h3>"Nearest misses"</h3>
            {if near_misses.is_empty() {
                view! { <p class="muted" id="backtest-no-near-misses">"No near misses."</p> }.into_any()
            } else {
                view! {
                    <table class="list" id="backtest-near-misses">
                        <thead>
                            <tr>
                                <th>"Event"</th>
                                <th>"Source"</th>
                                <th>"Detail type"</th>
                                <th>"Deciding field"</th>
                                <th>"Why it missed"</th>
                                <th>"Fields satisfied"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {near_misses
                                .into_iter()
                                .map(|m| {
                                    view! {
                                        <tr class="near-miss" data-event-id=m.event.event_id.clone().unwrap_or_default()>
                                            <td class="mono near-miss-time">{event_text(m.event.time.as_ref())}</td>
                                            <td class="mono near-miss-source">{event_text(m.event.source.as_ref())}</td>
                                            <td class="near-miss-detail-type">
                                                {event_text(m.event.detail_type.as_ref())}
                                            </td>
                                            <td class="mono near-miss-field">{m.field.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                            <td class="near-miss-reason">{m.reason.clone().unwrap_or_default()}</td>
                                            <td class="near-miss-score">
                                                {format!("{} of {}", m.fields_passed, m.fields_total)}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </div>
    }
}
