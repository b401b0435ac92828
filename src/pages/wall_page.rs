//! The wall screen: open incidents by impact, live.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gloo_timers::callback::Interval;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::impact::Impact;
use tocsin_api::native::WallSnapshot;

use crate::alerts;
use crate::api::Api;
use crate::auth::session::use_auth;
use crate::auth::{Control, may};
use crate::boards::{self, BoardChoice};
use crate::clock::local_hm_ms;
use crate::components::as_of::AsOf;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::error_note::ErrorNote;
use crate::components::impact_badge::ImpactBadge;
use crate::components::incident_card::IncidentCard;
use crate::components::maintenance_strip::MaintenanceStrip;
use crate::components::nav_bar::use_kiosk;
use crate::components::ticker::Ticker;
use crate::components::time_scrubber::TimeScrubber;
use crate::components::wall_row::{WallRow, WallSummary};
use crate::format::{backoff_delay_ms, impact_class, open_incidents_noun};
use crate::live::{ChangeFeed, ConnectionState, state_after_failures, use_live_resource};
use crate::use_api;
use crate::wall_layout::{
    Density, GroupLayout, PAGE_TURN_MS, PlanLayout, WallLayout, fit, fit_plans, fits_screen,
    page_range, paged_slice, scale,
};
use crate::wall_state::{WallState, card_key};
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use tocsin_api::boards::BoardGroupBy;
use tocsin_api::native::{Change, WallIncident};

/// The wall on show: the live one, or the one as it stood at a past moment; through the
/// board on show, when there is one.
#[derive(Clone, Copy)]
struct ShownWall {
    live: RwSignal<WallState>,
    past: RwSignal<Option<WallState>>,
    /// The board's share of the wall (`None`: the whole wall).
    on_board: Memo<Option<WallState>>,
}

impl ShownWall {
    /// `f` of the whole wall on show, live or past, before any board (tracked).
    fn with_whole<R>(
        live: RwSignal<WallState>,
        past: RwSignal<Option<WallState>>,
        f: impl FnOnce(&WallState) -> R,
    ) -> R {
        past.with(|p| match p {
            Some(p) => f(p),
            None => live.with(f),
        })
    }

    /// `f` of the wall on show (tracked).
    fn with<R>(&self, f: impl FnOnce(&WallState) -> R) -> R {
        let (live, past) = (self.live, self.past);
        self.on_board.with(|b| match b {
            Some(b) => f(b),
            None => Self::with_whole(live, past, f),
        })
    }
}

/// The moment `?at=` names (epoch seconds or anything `Date.parse` reads, e.g. RFC 3339),
/// in epoch seconds.
fn parse_at(text: &str) -> Option<f64> {
    let text = text.trim();
    text.parse::<f64>().ok().or_else(|| {
        let ms = js_sys::Date::parse(text);
        ms.is_finite().then_some(ms / 1_000.0)
    })
}

/// How often the page checks the incident area's size (a resize, the maintenance strip or
/// an error note appearing above it), ms.
const MEASURE_MS: u32 = 500;

/// Most columns the style sheet draws (`.cols-1` … `.cols-12`).
const MAX_COLUMNS: usize = 12;

/// Space kept free below the incident area, base px (times the scale).
const BOTTOM_MARGIN: f64 = 16.0;

/// How often a live wall re-reads the whole snapshot (a safety net, not the update path).
const RESYNC_MS: u32 = 10 * 60 * 1_000;

/// `/` and `/wall`: loads `GET /v1/wall`, then follows the change feed from the snapshot's
/// position. Readable from three metres; `?kiosk=1` hides every control. Maintenance
/// windows active now or beginning within a day show in a strip ([`MaintenanceStrip`])
/// above the incidents.
///
/// On a screen at least [`crate::wall_layout::FIT_MIN_W`] wide the wall fits the viewport
/// and never scrolls: every type size scales with the screen (`--u`), and each impact group
/// is drawn as full cards, compact rows or a summary line as [`fit`] chooses from the
/// measured incident area; when even compact critical and high incidents overflow, they
/// page ("Page 1/3", turning every [`PAGE_TURN_MS`]). Smaller screens scroll as a page.
///
/// Time travel (`?at=` in the URL, or the "Time travel" control): the wall as it stood at
/// a past moment (`GET /v1/wall?at=`, replayed from the change feed back to its horizon),
/// marked "As it stood at …"; the live wall keeps following the feed underneath, and
/// "Now" shows it again.
#[component]
pub fn WallPage() -> impl IntoView {
    let api = use_api();
    let kiosk = use_kiosk();
    let can_ack = may(use_auth().role_untracked(), Control::AcknowledgeIncidents);
    let wall = RwSignal::new(WallState::default());
    let past = RwSignal::new(None::<WallState>);
    let past_at = RwSignal::new(
        use_query_map().with_untracked(|q| q.get("at").as_deref().and_then(parse_at)),
    );
    let past_error = RwSignal::new(None::<String>);
    let horizon = RwSignal::new(None::<f64>);
    let scrub_open = RwSignal::new(past_at.get_untracked().is_some());
    // Boards: `?board=` or a rotation `?boards=a,b&every=N`.
    let query = use_query_map();
    let names = Memo::new(move |_| {
        query.with(|q| boards::rotation(q.get("board").as_deref(), q.get("boards").as_deref()))
    });
    let every =
        Memo::new(move |_| query.with(|q| boards::rotation_secs(q.get("every").as_deref())));
    let step = RwSignal::new(0usize);
    let feed = ChangeFeed::new(api.clone());
    let boards_api = api.clone();
    let saved_boards = use_live_resource(
        feed,
        move || {
            let api = boards_api.clone();
            let wanted = !names.get().is_empty();
            async move {
                if wanted {
                    Some(api.list_boards().await.map_err(|e| e.to_string()))
                } else {
                    None
                }
            }
        },
        |entry| matches!(entry.change, Change::BoardChanged { .. }),
    );
    let choice = Memo::new(move |_| {
        let loaded = saved_boards.get().flatten();
        let loaded = loaded
            .as_ref()
            .map(|r| r.as_ref().map(Vec::as_slice).map_err(Clone::clone));
        names.with(|n| boards::choose(n, step.get(), loaded))
    });
    let rotate = SendWrapper::new(Interval::new(1_000, {
        let mut shown_for = 0u32;
        move || {
            shown_for += 1;
            let len = names.try_with_untracked(Vec::len).unwrap_or(0);
            if len > 1 && shown_for >= every.try_get_untracked().unwrap_or(30) {
                shown_for = 0;
                step.try_update(|s| *s = s.wrapping_add(1));
            }
        }
    }));
    on_cleanup(move || drop(rotate));
    let on_board = Memo::new(move |_| match choice.get() {
        BoardChoice::All => None,
        BoardChoice::Board { board, .. } => {
            Some(ShownWall::with_whole(wall, past, |w| w.on_board(&board)))
        }
        // Nothing shows until the board is known: never the whole wall in its place.
        BoardChoice::Loading | BoardChoice::Unavailable(_) => Some(WallState::default()),
    });
    let by_plan = Memo::new(
        move |_| matches!(choice.get(), BoardChoice::Board { board, .. } if board.group_by == BoardGroupBy::ResponsePlan),
    );
    let shown = ShownWall {
        live: wall,
        past,
        on_board,
    };
    let past_api = api.clone();
    Effect::new(move |_| match past_at.get() {
        None => {
            past.set(None);
            past_error.set(None);
        }
        Some(t) => {
            let api = past_api.clone();
            spawn_local(async move {
                let result = api.wall_at(t).await;
                // A later choice wins over a slow answer.
                if past_at.try_get_untracked() != Some(Some(t)) {
                    return;
                }
                match result {
                    Ok(snapshot) => {
                        horizon.try_set(snapshot.feed_horizon);
                        past.try_set(Some(WallState::from_snapshot(snapshot)));
                        past_error.try_set(None);
                    }
                    Err(e) => {
                        past_error.try_set(Some(e.to_string()));
                    }
                }
            });
        }
    });
    let loaded = RwSignal::new(false);
    let load_failures = RwSignal::new(0u32);
    let load_error = RwSignal::new(None::<String>);
    let snapshot_at = RwSignal::new(None::<f64>);

    // Changes patch the wall in place; nothing on the wall refetches because of one. A
    // critical incident that opens while the wall looks on sounds this browser's alerts.
    let sound_on = RwSignal::new(alerts::enabled(alerts::SOUND_KEY));
    let desktop_on = RwSignal::new(alerts::enabled(alerts::DESKTOP_KEY));
    feed.subscribe(move |entry| {
        let fresh = wall.try_update(|w| w.apply(entry)).unwrap_or(false);
        if let (true, Change::IncidentCreated(incident)) = (fresh, &entry.change) {
            let on_a_board = || {
                let names = names.get_untracked();
                names.is_empty()
                    || saved_boards.get_untracked().flatten().is_some_and(|r| {
                        r.is_ok_and(|all| {
                            all.iter()
                                .any(|b| names.contains(&b.name) && b.shows(incident))
                        })
                    })
            };
            if incident.incident.impact == 1 && on_a_board() {
                sound_alerts(
                    incident,
                    sound_on.get_untracked(),
                    desktop_on.get_untracked(),
                );
            }
        }
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
            horizon.set(snapshot.feed_horizon);
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
    let counts = Memo::new(move |_| shown.with(WallState::counts));
    let total = move || counts.get().iter().sum::<usize>();
    let ticker_items = Signal::derive(move || shown.with(WallState::ticker_with_titles));
    let windows = Memo::new(move |_| shown.with(WallState::maintenance_windows));

    // The screen and the incident area (CSS px), measured now and then; the layout follows.
    let viewport = RwSignal::new(viewport_size());
    let area = RwSignal::new((0.0f64, 0.0f64));
    let body_ref = NodeRef::<leptos::html::Div>::new();
    let groups_ref = NodeRef::<leptos::html::Div>::new();
    let measure = move || {
        let size = viewport_size();
        if viewport.try_get_untracked() != Some(size) {
            viewport.try_set(size);
        }
        if let (Some(body), Some(groups)) = (body_ref.get_untracked(), groups_ref.get_untracked()) {
            let u = scale(size.0, size.1);
            let top = body.get_bounding_client_rect().top();
            let measured = (
                f64::from(groups.client_width()),
                (size.1 - top - BOTTOM_MARGIN * u).max(0.0).floor(),
            );
            if area.try_get_untracked() != Some(measured) {
                area.try_set(measured);
            }
        }
    };
    let on_resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || on_resize.remove());
    let measurer = SendWrapper::new(Interval::new(MEASURE_MS, measure));
    on_cleanup(move || drop(measurer));
    Effect::new(move |_| {
        let _ = (
            loaded.get(),
            windows.get(),
            scrub_open.get(),
            past_at.get(),
            past_error.get(),
        );
        request_animation_frame(measure);
    });
    let fitted = Memo::new(move |_| {
        let (w, h) = viewport.get();
        fits_screen(w, h)
    });
    let u = Memo::new(move |_| {
        let (w, h) = viewport.get();
        scale(w, h)
    });
    let layout = Memo::new(move |_| {
        let (w, h) = area.get();
        if !fitted.get() || h <= 0.0 {
            return WallLayout::default();
        }
        fit(counts.get(), w / u.get(), h / u.get())
    });
    // The page of critical and high incidents on show, when they page.
    let page = RwSignal::new(0usize);
    let pager = SendWrapper::new(Interval::new(PAGE_TURN_MS, move || {
        page.try_update(|p| *p = p.wrapping_add(1));
    }));
    on_cleanup(move || drop(pager));
    // Sizes go through the CSSOM (`style.setProperty`), which the app's
    // Content-Security-Policy (`style-src 'self'`, no inline styles) allows.
    let wall_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let value = fitted.get().then(|| format!("{:.4}", u.get()));
        set_style(wall_ref.get(), "--u", value);
    });
    Effect::new(move |_| {
        let (_, h) = area.get();
        let value = (fitted.get() && h > 0.0).then(|| format!("{h}px"));
        set_style(body_ref.get(), "height", value);
    });
    view! {
        <div
            class="wall"
            class:kiosk=move || kiosk.get()
            class:fit=move || fitted.get()
            class:past=move || past_at.get().is_some()
            node_ref=wall_ref
        >
            <header class="wall-head">
                <h1>
                    {move || match choice.get() {
                        BoardChoice::Board { board, position, of } => {
                            let turn = (of > 1).then(|| format!("{}/{of}", position + 1));
                            Some(view! {
                                <span class="board-heading" id="board-heading">
                                    {board.heading().to_owned()}
                                </span>
                                {turn.map(|t| view! {
                                    <span class="board-turn" id="board-turn" title="Board in the rotation">{t}</span>
                                })}
                                " · "
                            })
                        }
                        _ => None,
                    }}
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
                    <Show when=move || !kiosk.get()>
                        <AlertToggles sound=sound_on desktop=desktop_on />
                        <button
                            type="button"
                            class="small"
                            id="time-travel"
                            aria-expanded=move || scrub_open.get().to_string()
                            on:click=move |_| {
                                let open = !scrub_open.get_untracked();
                                scrub_open.set(open);
                                if !open {
                                    past_at.set(None);
                                }
                            }
                        >
                            "Time travel"
                        </button>
                    </Show>
                </div>
            </header>
            {move || {
                past_at
                    .get()
                    .map(|t| {
                        view! {
                            <p class="as-it-stood-line" role="status">
                                <span class="as-it-stood" id="as-it-stood">
                                    {format!("As it stood at {}", crate::clock::local_datetime(t))}
                                </span>
                            </p>
                        }
                    })
            }}
            <Show when=move || scrub_open.get() && !kiosk.get()>
                <TimeScrubber id="wall-scrub" at=past_at horizon=horizon now=now_secs />
            </Show>
            {move || past_error.get().map(|m| view! { <ErrorNote id="wall-scrub-error" message=m /> })}
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
            {move || match choice.get() {
                BoardChoice::Unavailable(m) => Some(view! { <ErrorNote id="board-error" message=m /> }.into_any()),
                BoardChoice::Loading => Some(view! { <p class="muted" id="board-loading">"Loading the board…"</p> }.into_any()),
                _ => None,
            }}
            <MaintenanceStrip windows=windows now=now_secs />
            <div class="wall-body" node_ref=body_ref>
                <div class="groups" node_ref=groups_ref>
                    <Show when=move || loaded.get() && total() == 0>
                        <p class="all-clear">"No open incidents"</p>
                    </Show>
                    <Show when=move || by_plan.get()>
                        <PlanGroups
                            shown=shown
                            area=area
                            u=u
                            fitted=fitted
                            page=page
                            now=now_secs
                            kiosk=kiosk
                            can_ack=can_ack
                        />
                    </Show>
                    {Impact::ALL
                        .iter()
                        .map(|&impact| {
                            let (impact, index) = (impact.get(), impact.get() as usize - 1);
                            let count = move || counts.get()[index];
                            let group = Memo::new(move |_| layout.get().groups[index]);
                            let density = Memo::new(move |_| group.get().density);
                            // The incidents on show: all of them, or this page's share.
                            let on_show = move || {
                                let l = layout.get();
                                let critical = counts.get()[0];
                                shown.with(|w| {
                                    let list = w.group(impact);
                                    let range = page_range(l.paging, page.get(), impact, critical, list.len());
                                    list[range].to_vec()
                                })
                            };
                            // A memo: the summary line re-renders when its oldest incident
                            // changes, not on every change to the wall.
                            let oldest = Memo::new(move |_| shown.with(|w| w.oldest(impact)));
                            let page_label = move || {
                                let l = layout.get();
                                l.paging
                                    .filter(|_| impact == 1 || (impact == 2 && counts.get()[0] == 0))
                                    .map(|p| format!("Page {}/{}", page.get() % p.pages + 1, p.pages))
                            };
                            view! {
                                <Show when=move || { count() > 0 && !by_plan.get() }>
                                    <Show
                                        when=move || density.get() != Density::Summary
                                        fallback=move || {
                                            view! {
                                                <WallSummary
                                                    impact=impact
                                                    count=Signal::derive(count)
                                                    oldest=oldest
                                                    now=now_secs
                                                />
                                            }
                                        }
                                    >
                                        <section
                                            class=move || {
                                                format!(
                                                    "impact-group {} {} cols-{}",
                                                    impact_class(impact),
                                                    density.get().class(),
                                                    group.get().columns.min(MAX_COLUMNS),
                                                )
                                            }
                                            data-impact=impact
                                        >
                                            <h2>
                                                <ImpactBadge impact=impact />
                                                <span class="group-count">
                                                    {move || format!("{} open", count())}
                                                </span>
                                                {move || {
                                                    page_label()
                                                        .map(|p| view! { <span class="page-of">{p}</span> })
                                                }}
                                            </h2>
                                            <Show
                                                when=move || density.get() == Density::Full
                                                fallback=move || {
                                                    view! {
                                                        <ul class="rows">
                                                            <For
                                                                each=on_show
                                                                key=card_key
                                                                children=move |incident| {
                                                                    view! {
                                                                        <WallRow incident=incident now=now_secs kiosk=kiosk />
                                                                    }
                                                                }
                                                            />
                                                        </ul>
                                                    }
                                                }
                                            >
                                                <div class="cards">
                                                    <For
                                                        each=on_show
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
                                            </Show>
                                        </section>
                                    </Show>
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

/// Sets (`Some`) or removes (`None`) the style property `name` of `el` through the CSSOM,
/// which the app's Content-Security-Policy allows where inline style attributes are not.
fn set_style(el: Option<leptos::web_sys::HtmlDivElement>, name: &str, value: Option<String>) {
    if let Some(el) = el {
        let style = web_sys::HtmlElement::style(&el);
        let _ = match value {
            Some(v) => style.set_property(name, &v),
            None => style.remove_property(name).map(|_| ()),
        };
    }
}

/// The browser window's inner size, CSS px (0×0 when unknown).
fn viewport_size() -> (f64, f64) {
    let window = window();
    let dim = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    (dim(window.inner_width()), dim(window.inner_height()))
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

/// Plays the chime and shows a desktop notification (each when on in this browser) for a
/// critical incident that just opened.
fn sound_alerts(incident: &WallIncident, sound: bool, desktop: bool) {
    if sound {
        let _ = alerts::chime();
    }
    if desktop {
        let body = format!(
            "{} · {}",
            Impact::clamped(incident.incident.impact),
            incident.response_plan_name
        );
        let _ = alerts::notify(&incident.incident.title, &body, &incident.incident.arn);
    }
}

/// The per-browser alert switches: a chime and a desktop notification when a new critical
/// incident opens on this wall (see [`alerts`]).
#[component]
fn AlertToggles(sound: RwSignal<bool>, desktop: RwSignal<bool>) -> impl IntoView {
    let toggle = move |signal: RwSignal<bool>, key: &'static str| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            alerts::set_enabled(key, on);
            signal.set(on);
        }
    };
    view! {
        <span class="alert-toggles" title="When a new critical incident opens, in this browser">
            <label>
                <input
                    type="checkbox"
                    id="alert-sound"
                    prop:checked=move || sound.get()
                    on:change=toggle(sound, alerts::SOUND_KEY)
                />
                " Chime"
            </label>
            <label>
                <input
                    type="checkbox"
                    id="alert-desktop"
                    prop:checked=move || desktop.get()
                    on:change=toggle(desktop, alerts::DESKTOP_KEY)
                />
                " Desktop alert"
            </label>
        </span>
    }
}

/// One response plan's share of the page on show.
#[derive(Clone, PartialEq)]
struct PlanSlice {
    arn: String,
    name: String,
    /// The plan's open incidents (all pages).
    open: usize,
    /// Those on this page.
    incidents: Vec<WallIncident>,
    group: GroupLayout,
}

/// A board grouped by response plan: one section per plan (the plan with the most severe
/// incident first), every section drawn at one density that [`fit_plans`] chooses from the
/// incident area; rows name their impact, since no heading does. When even compact rows
/// overflow, the incidents page, every [`PAGE_TURN_MS`].
#[component]
fn PlanGroups(
    shown: ShownWall,
    area: RwSignal<(f64, f64)>,
    u: Memo<f64>,
    fitted: Memo<bool>,
    page: RwSignal<usize>,
    now: Signal<f64>,
    kiosk: Signal<bool>,
    can_ack: bool,
) -> impl IntoView {
    // One memo from the wall to the page's slices: the plan groups, their layout in the
    // measured area, and the page on show. (Kept as one: with the groups and the layout as
    // two memos both read here, the render stopped following the groups.)
    let slices = Memo::new(move |_| {
        let groups = shown.with(WallState::plan_groups);
        let (w, h) = area.get();
        let layout = if fitted.get() && h > 0.0 {
            let counts: Vec<usize> = groups.iter().map(|g| g.incidents.len()).collect();
            fit_plans(&counts, w / u.get(), h / u.get())
        } else {
            PlanLayout {
                group: GroupLayout {
                    density: Density::Full,
                    columns: 1,
                },
                paging: None,
            }
        };
        let p = page.get();
        let mut offset = 0;
        let mut out = Vec::new();
        for g in groups {
            let len = g.incidents.len();
            let range = paged_slice(layout.paging, p, offset, len);
            offset += len;
            if !range.is_empty() {
                out.push(PlanSlice {
                    arn: g.arn,
                    name: g.name,
                    open: len,
                    incidents: g.incidents[range].to_vec(),
                    group: layout.group,
                });
            }
        }
        let label = layout
            .paging
            .map(|paging| format!("Page {}/{}", p % paging.pages + 1, paging.pages));
        (out, label)
    });
    let plan_arns =
        move || slices.with(|(s, _)| s.iter().map(|p| p.arn.clone()).collect::<Vec<_>>());
    let page_label = move || slices.with(|(_, l)| l.clone());
    // Keyed by plan, then by incident (as the impact groups are): a change re-renders only
    // what it changed, never every card on the board (re-rendering every card on each of 10
    // changes a second grew the WebAssembly memory by about 1 MB a minute).
    view! {
        <div class="plan-groups">
            {move || page_label().map(|p| view! { <p class="page-of plan-pages">{p}</p> })}
            <For
                each=plan_arns
                key=|arn| arn.clone()
                children=move |arn| view! { <PlanSection slices=slices arn=arn now=now kiosk=kiosk can_ack=can_ack /> }
            />
        </div>
    }
}

/// One response plan's section of a board grouped by plan: its name and count, and its
/// incidents on the page on show as full cards or rows, keyed.
#[component]
fn PlanSection(
    slices: Memo<(Vec<PlanSlice>, Option<String>)>,
    arn: String,
    now: Signal<f64>,
    kiosk: Signal<bool>,
    can_ack: bool,
) -> impl IntoView {
    let this = {
        let arn = arn.clone();
        Memo::new(move |_| slices.with(|(s, _)| s.iter().find(|p| p.arn == arn).cloned()))
    };
    let class = move || {
        this.with(|p| {
            let g = p.as_ref().map_or(
                GroupLayout {
                    density: Density::Full,
                    columns: 1,
                },
                |p| p.group,
            );
            format!(
                "plan-group {} cols-{}",
                g.density.class(),
                g.columns.min(MAX_COLUMNS)
            )
        })
    };
    let name = move || this.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let count = move || this.with(|p| format!("{} open", p.as_ref().map_or(0, |p| p.open)));
    let full = move || this.with(|p| p.as_ref().is_some_and(|p| p.group.density == Density::Full));
    let list = move || this.with(|p| p.as_ref().map(|p| p.incidents.clone()).unwrap_or_default());
    view! {
        <section class=class data-plan=arn>
            <h2>
                <span class="plan-name">{name}</span>
                <span class="group-count">{count}</span>
            </h2>
            <Show
                when=full
                fallback=move || {
                    view! {
                        <ul class="rows">
                            <For
                                each=list
                                key=card_key
                                children=move |incident| {
                                    view! { <WallRow incident=incident now=now kiosk=kiosk with_impact=true /> }
                                }
                            />
                        </ul>
                    }
                }
            >
                <div class="cards">
                    <For
                        each=list
                        key=card_key
                        children=move |incident| {
                            view! { <IncidentCard incident=incident now=now kiosk=kiosk can_ack=can_ack /> }
                        }
                    />
                </div>
            </Show>
        </section>
    }
}
