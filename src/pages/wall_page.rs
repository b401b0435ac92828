//! The wall screen: open incidents by impact, live.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gloo_timers::callback::Interval;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::impact::Impact;
use tocsin_api::native::WallSnapshot;

use crate::api::Api;
use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::clock::local_hm_ms;
use crate::components::as_of::AsOf;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::error_note::ErrorNote;
use crate::components::impact_badge::ImpactBadge;
use crate::components::incident_card::IncidentCard;
use crate::components::maintenance_strip::MaintenanceStrip;
use crate::components::nav_bar::use_kiosk;
use crate::components::ticker::Ticker;
use crate::format::{backoff_delay_ms, impact_class, open_incidents_noun};
use crate::live::{ChangeFeed, ConnectionState, state_after_failures, use_live_resource};
use crate::use_api;
use crate::wall_state::{WallState, card_key};

/// How often a live wall re-reads the whole snapshot (a safety net, not the update path).
const RESYNC_MS: u32 = 10 * 60 * 1_000;

/// `/` and `/wall`: loads `GET /v1/wall`, then follows the change feed from the snapshot's
/// position. Readable from three metres; `?kiosk=1` hides every control. Maintenance
/// windows active now or beginning within a day show in a strip ([`MaintenanceStrip`])
/// above the incidents.
#[component]
pub fn WallPage() -> impl IntoView {
    let api = use_api();
    let kiosk = use_kiosk();
    let can_ack = may(use_auth().role_untracked(), Control::AcknowledgeIncidents);
    let wall = RwSignal::new(WallState::default());
    let loaded = RwSignal::new(false);
    let load_failures = RwSignal::new(0u32);
    let load_error = RwSignal::new(None::<String>);
    let snapshot_at = RwSignal::new(None::<f64>);

    // Changes patch the wall in place; nothing on the wall refetches because of one.
    let feed = ChangeFeed::new(api.clone());
    feed.subscribe(move |entry| {
        wall.try_update(|w| {
            w.apply(entry);
        });
    });

    // One clock for every ticking age on the page.
    let now_ms = RwSignal::new(js_sys::Date::now());
    let ticker = SendWrapper::new(Interval::new(1_000, move || {
        now_ms.try_set(js_sys::Date::now());
    }));
    on_cleanup(move || drop(ticker));

    // The snapshot (retrying with backoff until it loads). It loads again after a reconnect
    // (the live resource's resync) and every RESYNC_MS, so the wall converges on the server's
    // truth even if the server's history was reset or an entry was lost on the way.
    let alive = Arc::new(AtomicBool::new(true));
    let alive_for_cleanup = Arc::clone(&alive);
    on_cleanup(move || alive_for_cleanup.store(false, Ordering::Relaxed));
    let snapshot = use_live_resource(
        feed,
        move || load_snapshot(api.clone(), Arc::clone(&alive), load_failures, load_error),
        |_| false,
    );
    // Each snapshot replaces the wall, then the feed follows on from its position.
    Effect::new(move |_| {
        if let Some(Some(snapshot)) = snapshot.get() {
            let from = snapshot.as_of_change_id;
            wall.set(WallState::from_snapshot(snapshot));
            snapshot_at.set(Some(js_sys::Date::now()));
            load_error.set(None);
            loaded.set(true);
            feed.start(Some(from));
        }
    });
    let resync = SendWrapper::new(Interval::new(RESYNC_MS, move || {
        if feed.state().try_get_untracked() == Some(ConnectionState::Live) {
            snapshot.refetch();
        }
    }));
    on_cleanup(move || drop(resync));

    let feed_state = feed.state();
    let state = Signal::derive(move || {
        if loaded.get() {
            feed_state.get()
        } else {
            match load_failures.get() {
                0 => ConnectionState::Connecting,
                n => state_after_failures(n),
            }
        }
    });
    let feed_heard = feed.last_heard();
    let heard = Signal::derive(move || match (snapshot_at.get(), feed_heard.get()) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    });
    let live = Signal::derive(move || state.get() == ConnectionState::Live);
    let now_secs = Signal::derive(move || now_ms.get() / 1_000.0);
    let counts = Memo::new(move |_| wall.with(WallState::counts));
    let total = move || counts.get().iter().sum::<usize>();
    let ticker_items = Signal::derive(move || wall.with(WallState::ticker_with_titles));
    let windows = Memo::new(move |_| wall.with(WallState::maintenance_windows));

    view! {
        <div class="wall" class:kiosk=move || kiosk.get()>
            <header class="wall-head">
                <h1>
                    <span class="total" id="open-count">{total}</span>
                    " "
                    {move || open_incidents_noun(total())}
                </h1>
                <ul class="counts" aria-label="Open incidents per impact">
                    {Impact::ALL
                        .iter()
                        .map(|&impact| {
                            let (level, index) = (impact.get(), impact.get() as usize - 1);
                            view! {
                                <li class=format!("count {}", impact_class(level))>
                                    <span class="count-n">
                                        {move || counts.get()[index]}
                                    </span>
                                    " "
                                    <span class="count-label">{impact.label()}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <div class="wall-status">
                    <ConnectionBadge state=state />
                    <AsOf heard=heard live=live now_ms=now_ms />
                    <span class="clock">
                        <span class="clock-label">"Local time "</span>
                        <time>{move || local_hm_ms(now_ms.get())}</time>
                    </span>
                </div>
            </header>
            {move || {
                (!loaded.get())
                    .then(|| {
                        load_error
                            .get()
                            .map(|msg| {
                                view! {
                                    <ErrorNote
                                        id="wall-error"
                                        message=format!("{msg} — retrying…")
                                    />
                                }
                            })
                    })
            }}
            <MaintenanceStrip windows=windows now=now_secs />
            <div class="wall-body">
                <div class="groups">
                    <Show when=move || loaded.get() && total() == 0>
                        <p class="all-clear">"No open incidents"</p>
                    </Show>
                    {Impact::ALL
                        .iter()
                        .map(|&impact| {
                            let (impact, index) = (impact.get(), impact.get() as usize - 1);
                            let count = move || counts.get()[index];
                            view! {
                                <Show when=move || { count() > 0 }>
                                    <section
                                        class=format!("impact-group {}", impact_class(impact))
                                        data-impact=impact
                                    >
                                        <h2>
                                            <ImpactBadge impact=impact />
                                            <span class="group-count">
                                                {move || format!("{} open", count())}
                                            </span>
                                        </h2>
                                        <div class="cards">
                                            <For
                                                each=move || wall.with(|w| w.group(impact))
                                                key=card_key
                                                children=move |incident| {
                                                    view! {
                                                        <IncidentCard
                                                            incident=incident
                                                            now=now_secs
                                                            kiosk=kiosk
                                                            can_ack=can_ack
                                                        />
                                                    }
                                                }
                                            />
                                        </div>
                                    </section>
                                </Show>
                            }
                        })
                        .collect_view()}
                </div>
                <Ticker items=ticker_items />
            </div>
        </div>
    }
}

/// Loads `GET /v1/wall`, retrying with backoff (and reporting each failure) until it works;
/// `None` when the page went away first.
async fn load_snapshot(
    api: Api,
    alive: Arc<AtomicBool>,
    load_failures: RwSignal<u32>,
    load_error: RwSignal<Option<String>>,
) -> Option<WallSnapshot> {
    let mut failures = 0u32;
    while alive.load(Ordering::Relaxed) {
        match api.wall().await {
            Ok(snapshot) => return Some(snapshot),
            Err(err) => {
                failures += 1;
                load_failures.try_set(failures);
                load_error.try_set(Some(err.to_string()));
                let jitter = (js_sys::Math::random() * 1_000.0) as u32;
                TimeoutFuture::new(backoff_delay_ms(failures, jitter)).await;
            }
        }
    }
    None
}
