//! The change feed (`GET /v1/stream`, server-sent events) as signals and subscribers.
//!
//! One [`ChangeFeed`] owns one `EventSource` at a time and hands every entry, in order, to the
//! callbacks [subscribed](ChangeFeed::subscribe) to it, so one connection serves every live
//! view of a page. An `EventSource` cannot send an `Authorization` header, so before every
//! connection (the first and each reconnect) the feed asks `POST /v1/stream-tickets` (with
//! the key, like every request) for a single-use ticket and opens
//! `/v1/stream?ticket=…&lastEventId=…`: the secret never goes into a URL. On any error it
//! closes that source itself and reconnects with exponential backoff (1 s doubling to 4 s,
//! with jitter) and a fresh ticket, resuming after the last entry it delivered via
//! `lastEventId`, so nothing is missed and nothing is delivered twice. While the
//! connection is up, a watchdog probes `/healthz` every [`WATCHDOG_MS`]: a success refreshes
//! [`ChangeFeed::last_heard`] (SSE keep-alive comments are invisible to `EventSource`), a
//! failure forces a reconnect, so a half-open connection cannot leave a wall screen silently
//! frozen. Whenever the connection opens where entries may have been missed (after a failure,
//! or first when started without a position), [`ChangeFeed::resyncs`] moves, so views can
//! reload what they show. Everything is torn down when the owning view is cleaned up.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::native::ChangeFeedEntry;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use crate::api::Api;
use crate::format::{backoff_delay_ms, encode_component};

/// How often the watchdog probes the server while the stream is up.
pub const WATCHDOG_MS: u32 = 15_000;

/// Consecutive failures after which the state reads [`ConnectionState::Down`].
const DOWN_AFTER_FAILURES: u32 = 3;

/// The named SSE event the server sends when the position asked for cannot be resumed
/// from (older than the retained feed, or newer than its newest entry): `id:` the newest
/// entry, `data: {"reason", "lastEventId", "latestId"}`. The feed continues after
/// `latestId` and views reload (a [resync](ChangeFeed::resyncs)).
pub const RESET_EVENT: &str = "reset";

/// Named SSE events that only signal liveness (a server may send its keep-alives this way).
const KEEPALIVE_EVENTS: [&str; 2] = ["keepalive", "ping"];

/// Where the live connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// First connection attempt in progress.
    Connecting,
    /// Connected; entries arrive as they are committed.
    Live,
    /// The connection was lost; retrying.
    Reconnecting,
    /// Several attempts in a row failed; still retrying, with longer pauses.
    Down,
}

impl ConnectionState {
    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting…",
            Self::Live => "Live",
            Self::Reconnecting => "Reconnecting…",
            Self::Down => "Down",
        }
    }

    /// CSS class for the state badge.
    pub fn class(self) -> &'static str {
        match self {
            Self::Connecting => "conn conn-connecting",
            Self::Live => "conn conn-live",
            Self::Reconnecting => "conn conn-reconnecting",
            Self::Down => "conn conn-down",
        }
    }
}

/// The state after `failures` consecutive failed attempts.
pub fn state_after_failures(failures: u32) -> ConnectionState {
    if failures >= DOWN_AFTER_FAILURES {
        ConnectionState::Down
    } else {
        ConnectionState::Reconnecting
    }
}

/// The stream URL for a `ticket` (from `POST /v1/stream-tickets`), resuming after
/// `last_id` when there is one.
pub fn stream_url(base: &str, ticket: &str, last_id: Option<i64>) -> String {
    let ticket = encode_component(ticket);
    match last_id {
        Some(id) => format!("{base}/v1/stream?ticket={ticket}&lastEventId={id}"),
        None => format!("{base}/v1/stream?ticket={ticket}"),
    }
}

/// One open `EventSource` and the callbacks it holds.
struct Connection {
    source: EventSource,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    on_keepalive: Closure<dyn FnMut(Event)>,
    on_reset: Closure<dyn FnMut(MessageEvent)>,
}

impl Connection {
    fn close(&self) {
        self.source.set_onopen(None);
        self.source.set_onmessage(None);
        self.source.set_onerror(None);
        for name in KEEPALIVE_EVENTS {
            let _ = self.source.remove_event_listener_with_callback(
                name,
                self.on_keepalive.as_ref().unchecked_ref(),
            );
        }
        let _ = self.source.remove_event_listener_with_callback(
            RESET_EVENT,
            self.on_reset.as_ref().unchecked_ref(),
        );
        self.source.close();
    }
}

/// Closes a connection and drops its callbacks on a later turn of the event loop, because
/// this may run inside one of those callbacks.
fn retire(connection: Connection) {
    connection.close();
    wasm_bindgen_futures::spawn_local(async move { drop(connection) });
}

/// A callback for every new entry.
type Subscriber = Rc<dyn Fn(&ChangeFeedEntry)>;

struct Inner {
    api: Api,
    subscribers: Vec<Subscriber>,
    gap: GapTracker,
    connection: Option<Connection>,
    retry: Option<Timeout>,
    watchdog: Option<Interval>,
    last_id: Option<i64>,
    failures: u32,
    /// Counts connection attempts, so a ticket that arrives after a newer attempt started
    /// (or after the feed stopped) is not used.
    attempt: u64,
    probing: bool,
    stopped: bool,
    set_state: WriteSignal<ConnectionState>,
    set_heard: WriteSignal<Option<f64>>,
    set_resyncs: WriteSignal<u64>,
}

impl Inner {
    fn stop(&mut self) {
        self.stopped = true;
        self.retry = None;
        self.watchdog = None;
        if let Some(c) = self.connection.take() {
            retire(c);
        }
    }
}

type Shared = Rc<RefCell<Inner>>;

/// A live subscription to the change feed. `Copy`; torn down with the view that created it.
#[derive(Clone, Copy)]
pub struct ChangeFeed {
    state: ReadSignal<ConnectionState>,
    heard: ReadSignal<Option<f64>>,
    resyncs: ReadSignal<u64>,
    inner: StoredValue<Shared, LocalStorage>,
}

impl ChangeFeed {
    /// Creates a feed with no subscribers. It does not connect until [`ChangeFeed::start`].
    pub fn new(api: Api) -> Self {
        let (state, set_state) = signal(ConnectionState::Connecting);
        let (heard, set_heard) = signal(None::<f64>);
        let (resyncs, set_resyncs) = signal(0u64);
        let shared: Shared = Rc::new(RefCell::new(Inner {
            api,
            subscribers: Vec::new(),
            gap: GapTracker::default(),
            connection: None,
            retry: None,
            watchdog: None,
            last_id: None,
            failures: 0,
            attempt: 0,
            probing: false,
            stopped: false,
            set_state,
            set_heard,
            set_resyncs,
        }));
        let for_cleanup = SendWrapper::new(Rc::clone(&shared));
        on_cleanup(move || {
            if let Ok(mut inner) = for_cleanup.try_borrow_mut() {
                inner.stop();
            }
        });
        Self {
            state,
            heard,
            resyncs,
            inner: StoredValue::new_local(shared),
        }
    }

    /// Calls `on_entry` for every new entry, in order, from now on.
    pub fn subscribe(&self, on_entry: impl Fn(&ChangeFeedEntry) + 'static) {
        if let Some(shared) = self.inner.try_get_value() {
            shared.borrow_mut().subscribers.push(Rc::new(on_entry));
        }
    }

    /// Connects (or reconnects), delivering entries after `after`: the position the caller's
    /// data reflects. With `None` (all new entries), the caller's data may predate the
    /// connection, so its opening counts as a [resync](ChangeFeed::resyncs).
    pub fn start(&self, after: Option<i64>) {
        let Some(shared) = self.inner.try_get_value() else {
            return;
        };
        {
            let mut inner = shared.borrow_mut();
            if inner.stopped {
                return;
            }
            inner.last_id = after;
            inner.failures = 0;
            inner.gap.started(after);
            if inner.watchdog.is_none() {
                let weak = Rc::downgrade(&shared);
                inner.watchdog = Some(Interval::new(WATCHDOG_MS, move || probe(&weak)));
            }
        }
        connect(&shared);
    }

    /// The connection state.
    pub fn state(&self) -> ReadSignal<ConnectionState> {
        self.state
    }

    /// When the server was last heard from (ms since the epoch): an entry, the connection
    /// opening, a keep-alive event or a successful watchdog probe.
    pub fn last_heard(&self) -> ReadSignal<Option<f64>> {
        self.heard
    }

    /// How many times the connection opened where entries may have been missed: after a
    /// failure, or the first time after [`ChangeFeed::start`] with no position. Views that
    /// show server data reload it when this moves.
    pub fn resyncs(&self) -> ReadSignal<u64> {
        self.resyncs
    }
}

/// Whether the next opening of the connection may follow a gap in the entries delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GapTracker {
    pending: bool,
}

impl GapTracker {
    /// Started after `after`: with no position, the caller's data may predate the stream.
    pub fn started(&mut self, after: Option<i64>) {
        self.pending = after.is_none();
    }

    /// The connection failed: entries may be missed until it is open again.
    pub fn failed(&mut self) {
        self.pending = true;
    }

    /// The connection opened: whether the caller should resync (asked once per gap).
    pub fn opened(&mut self) -> bool {
        std::mem::take(&mut self.pending)
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Starts a connection attempt: asks for a stream ticket, then opens the stream with it.
fn connect(shared: &Shared) {
    let (api, attempt) = {
        let mut inner = shared.borrow_mut();
        if inner.stopped {
            return;
        }
        inner.retry = None;
        if let Some(old) = inner.connection.take() {
            retire(old);
        }
        inner.attempt = inner.attempt.wrapping_add(1);
        (inner.api.clone(), inner.attempt)
    };
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let ticket = api.stream_ticket().await;
        let Some(shared) = weak.upgrade() else {
            return;
        };
        {
            let inner = shared.borrow();
            if inner.stopped || inner.attempt != attempt {
                return;
            }
        }
        match ticket {
            Ok(ticket) => open(&shared, &ticket.ticket),
            Err(err) => {
                web_sys::console::warn_1(
                    &format!("tocsin: cannot get a stream ticket: {err}").into(),
                );
                failed(&shared);
            }
        }
    });
}

/// Opens the `EventSource` with a fresh `ticket`.
fn open(shared: &Shared, ticket: &str) {
    let mut inner = shared.borrow_mut();
    if inner.stopped {
        return;
    }
    let url = stream_url(inner.api.base(), ticket, inner.last_id);
    let source = match EventSource::new(&url) {
        Ok(source) => source,
        Err(err) => {
            web_sys::console::warn_2(&"tocsin: cannot open the event stream".into(), &err);
            drop(inner);
            failed(shared);
            return;
        }
    };

    let weak = Rc::downgrade(shared);
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if let Some(shared) = weak.upgrade() {
            let inner = &mut *shared.borrow_mut();
            inner.failures = 0;
            inner.set_state.try_set(ConnectionState::Live);
            inner.set_heard.try_set(Some(now_ms()));
            if inner.gap.opened() {
                inner.set_resyncs.try_update(|n| *n += 1);
            }
        }
    });
    let weak = Rc::downgrade(shared);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(shared) = weak.upgrade() {
            deliver(&shared, &ev);
        }
    });
    let weak = Rc::downgrade(shared);
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if let Some(shared) = weak.upgrade() {
            failed(&shared);
        }
    });
    let weak = Rc::downgrade(shared);
    let on_keepalive = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if let Some(shared) = weak.upgrade() {
            shared.borrow().set_heard.try_set(Some(now_ms()));
        }
    });

    let weak = Rc::downgrade(shared);
    let on_reset = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(shared) = weak.upgrade() {
            reset(&shared, &ev);
        }
    });

    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    let _ = source.add_event_listener_with_callback(RESET_EVENT, on_reset.as_ref().unchecked_ref());
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    for name in KEEPALIVE_EVENTS {
        let _ =
            source.add_event_listener_with_callback(name, on_keepalive.as_ref().unchecked_ref());
    }
    inner.connection = Some(Connection {
        source,
        _on_open: on_open,
        _on_message: on_message,
        _on_error: on_error,
        on_keepalive,
        on_reset,
    });
}

/// The `latestId` of a `reset` event's data.
pub fn reset_position(data: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(data)
        .ok()?
        .get("latestId")?
        .as_i64()
}

/// A `reset` event: the entries after our position are gone (or our position is from
/// another database). Continue after the server's newest entry and tell views to reload.
fn reset(shared: &Shared, ev: &MessageEvent) {
    let position = ev
        .data()
        .as_string()
        .and_then(|d| reset_position(&d))
        .or_else(|| ev.last_event_id().parse::<i64>().ok());
    let mut inner = shared.borrow_mut();
    inner.set_heard.try_set(Some(now_ms()));
    if let Some(id) = position {
        web_sys::console::info_1(
            &format!("tocsin: the change feed was reset to {id}; reloading").into(),
        );
        inner.last_id = Some(id);
        inner.set_resyncs.try_update(|n| *n += 1);
    }
}

/// Parses one SSE message and hands it on if it is new.
fn deliver(shared: &Shared, ev: &MessageEvent) {
    let Some(text) = ev.data().as_string() else {
        return;
    };
    let callback = {
        let mut inner = shared.borrow_mut();
        inner.set_heard.try_set(Some(now_ms()));
        let entry = match serde_json::from_str::<ChangeFeedEntry>(&text) {
            Ok(entry) => entry,
            Err(err) => {
                // A change kind this build does not know yet: skip it, keep the position.
                web_sys::console::warn_1(
                    &format!("tocsin: skipping unreadable change-feed entry: {err}").into(),
                );
                if let Ok(id) = ev.last_event_id().parse::<i64>() {
                    inner.last_id = Some(inner.last_id.map_or(id, |last| last.max(id)));
                }
                return;
            }
        };
        if inner.last_id.is_some_and(|last| entry.id <= last) {
            return;
        }
        inner.last_id = Some(entry.id);
        Some((inner.subscribers.clone(), entry))
    };
    // Call out without holding the borrow: a subscriber may touch the feed.
    if let Some((subscribers, entry)) = callback {
        for on_entry in subscribers {
            on_entry(&entry);
        }
    }
}

/// Closes the current connection and schedules the next attempt.
fn failed(shared: &Shared) {
    let mut inner = shared.borrow_mut();
    if inner.stopped {
        return;
    }
    if let Some(old) = inner.connection.take() {
        retire(old);
    }
    inner.failures = inner.failures.saturating_add(1);
    inner.gap.failed();
    inner
        .set_state
        .try_set(state_after_failures(inner.failures));
    let jitter = (js_sys::Math::random() * 1_000.0) as u32;
    let delay = backoff_delay_ms(inner.failures, jitter);
    let weak = Rc::downgrade(shared);
    inner.retry = Some(Timeout::new(delay, move || {
        if let Some(shared) = weak.upgrade() {
            connect(&shared);
        }
    }));
}

/// Watchdog tick: while connected, check the server answers; if not, reconnect.
fn probe(weak: &Weak<RefCell<Inner>>) {
    let Some(shared) = weak.upgrade() else {
        return;
    };
    let api = {
        let mut inner = shared.borrow_mut();
        let open = inner
            .connection
            .as_ref()
            .is_some_and(|c| c.source.ready_state() == EventSource::OPEN);
        if inner.stopped || inner.probing || !open {
            return;
        }
        inner.probing = true;
        inner.api.clone()
    };
    let weak = weak.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = api.health().await;
        let Some(shared) = weak.upgrade() else {
            return;
        };
        shared.borrow_mut().probing = false;
        match result {
            Ok(_) => {
                shared.borrow().set_heard.try_set(Some(now_ms()));
            }
            Err(err) => {
                web_sys::console::warn_1(
                    &format!("tocsin: watchdog probe failed, reconnecting: {err}").into(),
                );
                failed(&shared);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_ticket_and_resume_after_the_last_id() {
        assert_eq!(
            stream_url("http://h", "t1", None),
            "http://h/v1/stream?ticket=t1"
        );
        assert_eq!(
            stream_url("http://h", "t1", Some(42)),
            "http://h/v1/stream?ticket=t1&lastEventId=42"
        );
        // An opaque ticket is encoded, whatever it holds.
        assert_eq!(
            stream_url("http://h", "a+b/c=&d", Some(0)),
            "http://h/v1/stream?ticket=a%2Bb%2Fc%3D%26d&lastEventId=0"
        );
    }

    #[test]
    fn a_reset_names_the_position_to_continue_from() {
        assert_eq!(
            reset_position(r#"{"reason":"x","lastEventId":900,"latestId":42}"#),
            Some(42)
        );
        assert_eq!(reset_position(r#"{"reason":"x"}"#), None);
        assert_eq!(reset_position("not json"), None);
    }

    #[test]
    fn failures_escalate_to_down() {
        assert_eq!(state_after_failures(1), ConnectionState::Reconnecting);
        assert_eq!(state_after_failures(2), ConnectionState::Reconnecting);
        assert_eq!(state_after_failures(3), ConnectionState::Down);
        assert_eq!(ConnectionState::Live.label(), "Live");
    }

    #[test]
    fn resync_after_gaps_only() {
        // Started from a known position: the first opening needs no resync.
        let mut gap = GapTracker::default();
        gap.started(Some(10));
        assert!(!gap.opened());
        // Started with no position: the first opening does, once.
        gap.started(None);
        assert!(gap.opened());
        assert!(!gap.opened());
        // Any failure: the next opening does, once, however many failures came before.
        gap.failed();
        gap.failed();
        assert!(gap.opened());
        assert!(!gap.opened());
    }
}
