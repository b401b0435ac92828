//! Receivers (admin): the inbound endpoints other tools post to, what came in through them,
//! and how to configure each sender.

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::native::Change;
use tocsin_api::receivers::Receiver;

use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::clock::now_secs;
use crate::components::connection_badge::ConnectionBadge;
use crate::components::create_receiver_form::CreateReceiverForm;
use crate::components::list_status::{KeptList, ListStatus};
use crate::components::receiver_item::ReceiverItem;
use crate::live::{ChangeFeed, use_live_resource};
use crate::use_api;

/// At most one reread of the list per this long while events stream in.
const EVENT_REFRESH_MS: u32 = 2_000;

/// How often the list is read again regardless: refused requests (bad secret, bad payload)
/// move a receiver's error count without a change-feed entry.
const POLL_MS: u32 = 30_000;

/// `/receivers`: the [`CreateReceiverForm`] (whose answer shows the new secret once), then
/// every receiver (`GET /v1/receivers`), one [`ReceiverItem`] each, keyed by name, in
/// `#receiver-list`. The list is read again on `receiverChanged`, and (at most every
/// [`EVENT_REFRESH_MS`]) on `eventReceived` for a bus a receiver feeds, so counters and the
/// last event move while the page is open; and every [`POLL_MS`], for the error counts,
/// which no entry announces. Admins only.
#[component]
pub fn ReceiversPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    if !may(role, Control::ManageReceivers) {
        return view! {
            <section class="page">
                <h1>"Receivers"</h1>
                <p class="note" id="receivers-denied">
                    {cannot_message(role, "manage receivers (an admin can)")}
                </p>
            </section>
        }
        .into_any();
    }
    let api = use_api();
    let feed = ChangeFeed::new(api.clone());
    let list_api = api.clone();
    let receivers = use_live_resource(
        feed,
        move || {
            let api = list_api.clone();
            async move { api.list_receivers().await }
        },
        |entry| matches!(entry.change, Change::ReceiverChanged { .. }),
    );
    let refresh = Callback::new(move |()| receivers.refetch());

    // The last list that loaded (kept through a failed reload).
    let kept = KeptList::new(receivers, |_| ());
    let list = kept.list;

    // Events arriving on a receiver's bus move its counters: read the list again, at most
    // once per EVENT_REFRESH_MS however many arrive.
    let scheduled = RwSignal::new(false);
    feed.subscribe(move |entry| {
        let Change::EventReceived(event) = &entry.change else {
            return;
        };
        let fed = list
            .try_with_untracked(|l| l.iter().any(|r| r.event_bus_name == event.event_bus_name))
            .unwrap_or(false);
        if !fed || scheduled.try_get_untracked() != Some(false) {
            return;
        }
        scheduled.set(true);
        Timeout::new(EVENT_REFRESH_MS, move || {
            if scheduled.try_set(false).is_none() {
                receivers.refetch();
            }
        })
        .forget();
    });
    feed.start(None);

    let now = RwSignal::new(now_secs());
    let clock = SendWrapper::new(Interval::new(5_000, move || {
        now.try_set(now_secs());
    }));
    on_cleanup(move || drop(clock));
    let poll = SendWrapper::new(Interval::new(POLL_MS, move || {
        if scheduled.try_get_untracked().is_some() {
            receivers.refetch();
        }
    }));
    on_cleanup(move || drop(poll));

    view! {
        <section class="page integrations-page receivers-page">
            <div class="page-head">
                <h1>"Receivers"</h1>
                <ConnectionBadge state=feed.state() />
            </div>
            <p class="hint">
                "Endpoints other tools post to: each turns what its sender speaks (an EventBridge API "
                "destination, an SNS subscription, Alertmanager, PagerDuty Events v2, a signed webhook) "
                "into events on an event bus, where rules decide what they start. Each has a secret, "
                "shown once when it is created."
            </p>
            <CreateReceiverForm refresh />
            <section class="integration-section" id="receivers" aria-labelledby="receivers-title">
                <h2 id="receivers-title">"All receivers"</h2>
                <ListStatus list=kept error_id="receivers-error" empty_id="no-receivers" empty="No receivers." />
                <div id="receiver-list">
                    <For
                        each=move || list.get()
                        key=|r| r.name.clone()
                        children={
                            let api = api.clone();
                            move |r: Receiver| {
                                let receiver = kept.follow(r, |a, b| a.name == b.name);
                                view! { <ReceiverItem api=api.clone() receiver now refresh /> }
                            }
                        }
                    />
                </div>
            </section>
        </section>
    }
    .into_any()
}
