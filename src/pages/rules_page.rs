//! Event buses and the rules on one of them, the rule form, archives and replays, the
//! backtest, and the pattern tester.

use leptos::prelude::*;
use leptos_router::components::A;
use tocsin_api::events::{DEFAULT_EVENT_BUS, Rule};
use tocsin_api::native::Change;

use crate::api::events::RuleRow;
use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::archives::Archives;
use crate::components::backtest::Backtest;
use crate::components::event_buses::EventBuses;
use crate::components::list_status::KeptList;
use crate::components::pattern_tester::PatternTester;
use crate::components::replays::Replays;
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

/// `/rules`: the event buses ([`EventBuses`]) and every rule on the one chosen there
/// (`default` at first) with its state, pattern or schedule and targets; create, edit,
/// enable, disable and delete rules, add and remove targets; archives ([`Archives`]),
/// replays with their progress ([`Replays`]), the backtest ([`Backtest`]) and the pattern
/// tester. Follows `ruleChanged` (the rules), `eventBusChanged` (the buses),
/// `archiveChanged`/`replayChanged` (archives and replays) and
/// `responsePlanChanged`/`responsePlanDeleted` (the plans offered as targets) entries of
/// the change feed, and reloads them all after a reconnect. Only admins see the controls
/// that change rules, targets, buses, archives and replays; everyone who can read sees them
/// all, and may backtest and test patterns.
#[component]
pub fn RulesPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let manage = may(role, Control::EditRules);
    let api = use_api();
    let feed = ChangeFeed::new(api.clone());
    let bus = RwSignal::new(DEFAULT_EVENT_BUS.to_owned());
    let rows_api = api.clone();
    let rows = use_live_resource(
        feed,
        move || {
            let bus = bus.get();
            let api = rows_api.clone();
            async move { api.rules_with_targets(&bus).await }
        },
        |entry| matches!(entry.change, Change::RuleChanged { .. }),
    );
    let refresh = Callback::new(move |()| rows.refetch());

    let buses_api = api.clone();
    let buses = use_live_resource(
        feed,
        move || {
            let api = buses_api.clone();
            async move { api.all_event_buses().await }
        },
        |entry| matches!(entry.change, Change::EventBusChanged { .. }),
    );
    let bus_list = KeptList::new(buses, |_| {});
    let refresh_buses = Callback::new(move |()| buses.refetch());
    let archives_api = api.clone();
    let archives = use_live_resource(
        feed,
        move || {
            let api = archives_api.clone();
            async move { api.all_archives().await }
        },
        |entry| {
            matches!(
                entry.change,
                Change::ArchiveChanged { .. } | Change::ReplayChanged { .. }
            )
        },
    );
    let archive_list = KeptList::new(archives, |_| {});
    let refresh_archives = Callback::new(move |()| archives.refetch());
    let replays_api = api.clone();
    let replays = use_live_resource(
        feed,
        move || {
            let api = replays_api.clone();
            async move { api.all_replays().await }
        },
        |entry| matches!(entry.change, Change::ReplayChanged { .. }),
    );
    // Newest first.
    let replay_list = KeptList::new(replays, |list| {
        list.sort_by(|a, b| {
            b.replay_start_time
                .unwrap_or(0.0)
                .total_cmp(&a.replay_start_time.unwrap_or(0.0))
        });
    });
    let refresh_replays = Callback::new(move |()| replays.refetch());

    let letters_api = api.clone();
    let dead_letters = use_live_resource(
        feed,
        move || {
            let api = letters_api.clone();
            async move { api.dead_letters().await }
        },
        |entry| {
            matches!(
                &entry.change,
                Change::DeliveryChanged(d) if d.status == tocsin_api::native::DeliveryStatus::Failed
            )
        },
    );
    let dead_letters =
        Signal::derive(move || dead_letters.get().and_then(Result::ok).unwrap_or_default());

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
    // A new rule goes on the bus the page shows.
    Effect::watch(
        move || bus.get(),
        move |bus, _, _| {
            if draft.editing.get_untracked().is_none() {
                draft.bus.set(bus.clone());
            }
        },
        false,
    );
    let backtest_pattern = RwSignal::new(SAMPLE_PATTERN.to_owned());
    let on_backtest = Callback::new(move |pattern: String| {
        backtest_pattern.set(pattern);
        reveal("backtest", Some("backtest-archive"));
    });
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
        draft.clear(&bus.get_untracked());
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
                "Rules on an event bus send matching events (or, on a schedule, Scheduled Events) to their targets: a response plan starts an incident, an https URL gets the event posted."
            </p>
            {(!manage)
                .then(|| {
                    view! {
                        <p class="note" id="rules-read-only">
                            {cannot_message(role, "change rules or targets")}
                        </p>
                    }
                })}
            <EventBuses buses=bus_list refresh=refresh_buses selected=bus manage=manage />
            <h2 id="rule-list-title">{move || format!("Rules on event bus {}", bus.get())}</h2>
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
                                dead_letters=dead_letters
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
                        <RuleEditor
                            draft=draft
                            page_bus=bus
                            on_saved=move |_| refresh.run(())
                            on_test=on_test
                            on_backtest=on_backtest
                        />
                    }
                })}
            <Archives
                archives=archive_list
                refresh=refresh_archives
                buses=bus_list.list
                manage=manage
            />
            <Replays
                replays=replay_list
                refresh=refresh_replays
                feed=feed
                archives=archive_list.list
                manage=manage
            />
            <Backtest archives=archive_list.list plans=plan_list pattern=backtest_pattern />
            <PatternTester pattern=tester_pattern event=tester_event />
        </section>
    }
}
