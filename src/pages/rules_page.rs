//! Rules on the default event bus, the rule form, and the pattern tester.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::events::Rule;
use tocsin_api::native::Change;

use crate::api::events::RuleRow;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::pattern_tester::PatternTester;
use crate::components::rule_editor::{RuleDraft, RuleEditor};
use crate::components::rule_item::RuleItem;
use crate::live::{ChangeFeed, use_live_resource};
use crate::pattern_check::{SAMPLE_EVENT, SAMPLE_PATTERN};
use crate::use_api;

/// Scrolls the element with this id into view (and focuses `focus_id`, when given).
pub fn reveal(id: &str, focus_id: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = document.get_element_by_id(id) {
        el.scroll_into_view();
    }
    if let Some(el) = focus_id
        .and_then(|f| document.get_element_by_id(f))
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
    {
        let _ = el.focus();
    }
}

/// `/rules`: every rule with its state, pattern and targets; create, edit and delete rules,
/// add and remove targets; test patterns. Follows `ruleChanged` (the rules) and
/// `responsePlanChanged`/`responsePlanDeleted` (the plans offered as targets) entries of the
/// change feed, and reloads both after a reconnect. Only admins see the controls that change
/// rules and targets; everyone who can read sees the rules and the tester.
#[component]
pub fn RulesPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let manage = may(role, Control::EditRules);
    let api = use_api();
    let feed = ChangeFeed::new(api.clone());
    let rows_api = api.clone();
    let rows = use_live_resource(
        feed,
        move || {
            let api = rows_api.clone();
            async move { api.rules_with_targets().await }
        },
        |entry| matches!(entry.change, Change::RuleChanged { .. }),
    );
    let refresh = Callback::new(move |()| rows.refetch());

    let plans = use_live_resource(
        feed,
        move || {
            let api = api.clone();
            async move { api.all_response_plans().await }
        },
        |entry| {
            matches!(
                entry.change,
                Change::ResponsePlanChanged { .. } | Change::ResponsePlanDeleted { .. }
            )
        },
    );
    let plan_list = Signal::derive(move || plans.get().and_then(Result::ok).unwrap_or_default());
    feed.start(None);

    let draft = RuleDraft::new(SAMPLE_PATTERN);
    let tester_pattern = RwSignal::new(SAMPLE_PATTERN.to_owned());
    let tester_event = RwSignal::new(SAMPLE_EVENT.to_owned());
    let on_test = Callback::new(move |pattern: String| {
        tester_pattern.set(pattern);
        reveal("pattern-tester", Some("pattern-input"));
    });
    let on_edit = Callback::new(move |rule: Rule| {
        draft.load(&rule);
        reveal("rule-editor", Some("rule-description"));
    });
    // The rule being edited is gone: the form goes back to creating (what was typed stays).
    let on_deleted = Callback::new(move |name: String| {
        if draft.editing.get_untracked().as_deref() == Some(name.as_str()) {
            draft.editing.set(None);
        }
    });
    let on_new = move |_| {
        draft.clear();
        reveal("rule-editor", Some("rule-name"));
    };

    view! {
        <section class="page rules-page">
            <div class="page-head">
                <h1>"Rules"</h1>
                <div class="actions">
                    <A href="/rules/test" attr:class="button">
                        "Pattern tester only"
                    </A>
                    {manage
                        .then(|| {
                            view! {
                                <button type="button" id="new-rule" on:click=on_new>
                                    "New rule"
                                </button>
                            }
                        })}
                </div>
            </div>
            <p class="hint">
                "Rules on the default event bus send matching events to their targets: a response plan starts an incident, an https URL gets the event posted."
            </p>
            {(!manage)
                .then(|| {
                    view! {
                        <p class="note" id="rules-read-only">
                            {cannot_message(role, "change rules or targets")}
                        </p>
                    }
                })}
            <section id="rule-list" aria-label="Rules" aria-busy=move || rows.with(Option::is_none)>
                {move || match rows.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(msg)) => {
                        view! {
                            <p class="error" role="alert" id="rules-error">
                                {msg}
                            </p>
                        }
                            .into_any()
                    }
                    Some(Ok(list)) if list.is_empty() => {
                        view! { <p class="muted" id="no-rules">"No rules yet: create one below."</p> }
                            .into_any()
                    }
                    Some(Ok(_)) => ().into_any(),
                }}
                <For
                    each=move || rows.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned().unwrap_or_default())
                    key=RuleRow::key
                    children=move |row| {
                        view! {
                            <RuleItem
                                row=row
                                plans=plan_list
                                on_edit=on_edit
                                on_test=on_test
                                on_changed=refresh
                                on_deleted=on_deleted
                                manage=manage
                            />
                        }
                    }
                />
            </section>
            {manage
                .then(|| {
                    view! {
                        <RuleEditor draft=draft on_saved=move |_| refresh.run(()) on_test=on_test />
                    }
                })}
            <PatternTester pattern=tester_pattern event=tester_event />
        </section>
    }
}
