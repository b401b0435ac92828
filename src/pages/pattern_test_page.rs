//! The pattern tester on its own page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::error_note::ErrorNote;
use crate::components::pattern_tester::PatternTester;
use crate::pattern_check::{SAMPLE_EVENT, SAMPLE_PATTERN, pretty_json};
use crate::use_api;

/// `/rules/test` (`?rule=NAME` loads that rule's pattern): test an event pattern against an
/// event as you type.
#[component]
pub fn PatternTestPage() -> impl IntoView {
    let api = use_api();
    let pattern = RwSignal::new(SAMPLE_PATTERN.to_owned());
    let event = RwSignal::new(SAMPLE_EVENT.to_owned());
    let load_error = RwSignal::new(None::<String>);
    let loaded_rule = RwSignal::new(None::<String>);
    let rule = use_query_map().with_untracked(|q| q.get("rule"));
    if let Some(name) = rule.filter(|n| !n.is_empty()) {
        spawn_local(async move {
            match api.describe_rule(&name).await {
                Ok(rule) => {
                    if let Some(p) = rule.event_pattern.as_deref() {
                        pattern.try_set(pretty_json(p));
                    }
                    loaded_rule.try_set(Some(rule.name));
                }
                Err(e) => {
                    load_error.try_set(Some(format!("Cannot load rule {name}: {e}")));
                }
            }
        });
    }
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Pattern tester"</h1>
                <A href="/rules" attr:class="button">
                    "All rules"
                </A>
            </div>
            {move || {
                loaded_rule
                    .get()
                    .map(|name| {
                        view! {
                            <p class="hint" id="tester-rule">
                                {format!("Pattern of rule {name} (edits here do not change the rule).")}
                            </p>
                        }
                    })
            }}
            {move || load_error.get().map(|m| view! { <ErrorNote id="tester-load-error" message=m /> })}
            <PatternTester pattern=pattern event=event no_heading=true />
        </section>
    }
}
