//! The incident page's "Delivery log" section: every notification sent about the incident.

use gloo_timers::callback::Interval;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use tocsin_api::delivery::DeliveryStatus;
use tocsin_api::sns::NotificationDelivery;

use crate::api::Api;
use crate::clock::local_datetime;
use crate::components::error_note::ErrorNote;
use crate::format::{arn_last_segment, endpoint_label, last_attempt_error};
use crate::live::{ChangeFeed, ConnectionState, is_notification_about, use_live_resource};

/// How often the log is read again while the change feed is not live (it follows the feed
/// otherwise).
pub const POLL_WHILE_OFFLINE_MS: u32 = 5_000;

/// CSS classes of a delivery's status badge (the app's state pill, which does not wrap).
fn status_class(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Delivered => "rule-state rule-enabled",
        DeliveryStatus::Failed => "rule-state disagree",
        DeliveryStatus::Pending => "rule-state rule-disabled",
    }
}

/// `section#delivery-log`: the incident's notification deliveries (`GET
/// /v1/notifications?incidentArn=…`), newest first, one `tr.delivery-row`
/// (`data-testid="delivery-row"`) each: when it was queued, the topic's name, protocol,
/// endpoint (a chat webhook's as "(secret webhook URL)"), subject, status, how many attempts
/// were made and the last attempt error. Reads the log again on every `notificationChanged`
/// entry about the incident, after every reconnect of `feed`, and every
/// [`POLL_WHILE_OFFLINE_MS`] while `feed` is not live.
#[component]
pub fn DeliveryLog(
    /// The API client.
    api: Api,
    /// The page's change feed.
    feed: ChangeFeed,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
) -> impl IntoView {
    let deliveries = use_live_resource(
        feed,
        move || {
            let arn = incident_arn.get();
            let api = api.clone();
            async move {
                if arn.is_empty() {
                    return Ok(Vec::new());
                }
                api.incident_notifications(&arn).await
            }
        },
        move |entry| {
            incident_arn
                .try_with_untracked(|arn| is_notification_about(entry, arn))
                .unwrap_or(false)
        },
    );
    let state = feed.state();
    let poll = Interval::new(POLL_WHILE_OFFLINE_MS, move || {
        let live = state.try_get_untracked() == Some(ConnectionState::Live);
        if !live {
            deliveries.refetch();
        }
    });
    let poll = SendWrapper::new(poll);
    on_cleanup(move || drop(poll));

    // The last log that loaded (kept through a failed reload), and the last error.
    let rows = Memo::new(
        move |previous: Option<&Option<Vec<NotificationDelivery>>>| {
            deliveries.with(|r| match r {
                Some(Ok(list)) => Some(list.clone()),
                _ => previous.cloned().flatten(),
            })
        },
    );
    let error = Memo::new(move |_| {
        deliveries.with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    });

    view! {
        <section class="delivery-log" id="delivery-log" aria-labelledby="delivery-log-title">
            <h2 id="delivery-log-title">"Delivery log"</h2>
            {move || error.get().map(|m| view! { <ErrorNote id="delivery-log-error" message=m /> })}
            {move || match rows.get() {
                None if error.with(Option::is_none) => {
                    view! { <p class="muted">"Loading…"</p> }.into_any()
                }
                None => ().into_any(),
                Some(list) if list.is_empty() => {
                    view! {
                        <p class="muted" id="no-deliveries">
                            "No notification has been sent about this incident."
                        </p>
                    }
                        .into_any()
                }
                Some(list) => view! { <DeliveryTable deliveries=list /> }.into_any(),
            }}
        </section>
    }
}

/// `table#delivery-list`.
#[component]
fn DeliveryTable(deliveries: Vec<NotificationDelivery>) -> impl IntoView {
    view! {
        <table class="list" id="delivery-list">
            <thead>
                <tr>
                    <th>"Queued"</th>
                    <th>"Topic"</th>
                    <th>"Protocol"</th>
                    <th>"Endpoint"</th>
                    <th>"Subject"</th>
                    <th>"Status"</th>
                    <th>"Attempts"</th>
                    <th>"Last error"</th>
                </tr>
            </thead>
            <tbody>
                {deliveries
                    .into_iter()
                    .map(|d| {
                        let attempts = d.attempts.len();
                        view! {
                            <tr
                                class="delivery-row"
                                data-testid="delivery-row"
                                data-id=d.id.to_string()
                                data-protocol=d.protocol.clone()
                                data-status=d.status.as_str()
                            >
                                <td class="delivery-time">{local_datetime(d.created_at)}</td>
                                <td class="mono delivery-topic" title=d.topic_arn.clone()>
                                    {arn_last_segment(&d.topic_arn).to_owned()}
                                </td>
                                <td class="delivery-protocol">{d.protocol.clone()}</td>
                                <td class="mono delivery-endpoint">
                                    {endpoint_label(&d.protocol, &d.endpoint)}
                                </td>
                                <td class="delivery-subject">
                                    {d.subject.clone().unwrap_or_else(|| "—".to_owned())}
                                </td>
                                <td class="delivery-status">
                                    <span class=status_class(d.status)>{d.status.as_str()}</span>
                                </td>
                                <td
                                    class="delivery-attempts"
                                    title=format!("{attempts} of at most {}", d.max_attempts)
                                >
                                    {attempts}
                                </td>
                                <td class="delivery-error">{last_attempt_error(&d.attempts)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
