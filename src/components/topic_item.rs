//! One topic on the Topics page: its subscriptions, "Send test message", the subscribe form,
//! Unsubscribe and "Delete topic".

use leptos::prelude::*;
use tocsin_api::sns::{SubscribeEndpoint, SubscriptionView, TopicView, secret_endpoint};

use crate::api::{Api, ApiError};
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::format::{
    PENDING_CONFIRMATION, endpoint_label, is_confirmed_subscription_arn, subscribed_message,
    test_message_queued,
};
use crate::forms::topics::{PROTOCOL_CHOICES, SubscribeForm};

/// `article.topic[data-name][data-arn]`: the topic's name, display name and ARN, its
/// subscriptions (`tr.subscription-row`: protocol, endpoint — a chat webhook's as "(secret
/// webhook URL)" —, whether it is confirmed or "pending confirmation", and Unsubscribe for
/// confirmed ones), "Send test message" (`button.topic-test`, which reports how many
/// subscriptions the message was queued for), a subscribe form (`form.subscribe-form`, whose
/// endpoint is emptied once subscribed, since a chat webhook URL is a secret) and "Delete
/// topic" (`button.topic-delete`, after a confirmation).
///
/// The topic follows `topic` (the page's list, read again after every change made here), so
/// what is typed in its form and what it last reported survive a reload of the list.
#[component]
pub fn TopicItem(
    /// The API client.
    api: Api,
    /// The topic, as last listed.
    #[prop(into)]
    topic: Signal<TopicView>,
    /// Reads the topic list again.
    refresh: Callback<()>,
    /// Whether the key may subscribe, unsubscribe and send test messages (responder, admin).
    can_subscribe: bool,
    /// Whether the key may delete topics and subscribe chat webhooks (admin).
    can_manage: bool,
) -> impl IntoView {
    let (arn, name) = topic.with_untracked(|t| (t.topic_arn.clone(), t.name.clone()));
    // Element ids: topic names are unique and made of [A-Za-z0-9_-].
    let protocol_id = format!("subscribe-protocol-{name}");
    let endpoint_id = format!("subscribe-endpoint-{name}");

    let test_api = api.clone();
    let test_arn = arn.clone();
    let test = Action::new_local(move |_: &()| {
        let api = test_api.clone();
        let arn = test_arn.clone();
        async move { api.send_test_message(&arn).await }
    });

    let delete_api = api.clone();
    let delete_arn = arn.clone();
    let delete = refreshing_action(refresh, move |()| {
        let api = delete_api.clone();
        let arn = delete_arn.clone();
        async move { api.delete_topic(&arn).await }
    });
    let confirm_delete = format!(
        "Delete topic {name}? Its subscriptions go with it, and response plans that notify it stop notifying anyone."
    );

    let unsubscribe_api = api.clone();
    let unsubscribe = refreshing_action(refresh, move |subscription_arn: String| {
        let api = unsubscribe_api.clone();
        async move { api.unsubscribe(&subscription_arn).await }
    });

    let defaults = SubscribeForm::default();
    let protocol = RwSignal::new(defaults.protocol);
    let endpoint = RwSignal::new(defaults.endpoint);
    let form_error = RwSignal::new(None::<String>);
    let subscribed = RwSignal::new(None::<String>);
    let subscribe = Action::new_local(move |input: &SubscribeEndpoint| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let answer = api.subscribe(&input).await?;
            // A chat webhook URL is a secret, on the server now and nowhere else.
            endpoint.try_set(String::new());
            subscribed.try_set(Some(subscribed_message(
                &input.protocol,
                &answer.subscription_arn,
            )));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let subscribe_arn = arn.clone();
    let on_subscribe = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        subscribed.set(None);
        let form = SubscribeForm {
            protocol: protocol.get_untracked(),
            endpoint: endpoint.get_untracked(),
        };
        match form.subscribe_input(&subscribe_arn) {
            Ok(input) => {
                form_error.set(None);
                subscribe.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };
    let offered: Vec<&'static str> = PROTOCOL_CHOICES
        .into_iter()
        .filter(|p| can_manage || !secret_endpoint(p))
        .collect();
    let placeholder = move || match protocol.get().as_str() {
        "email" => "oncall@example.com",
        "slack" => "https://hooks.slack.com/services/…",
        "msteams" => "https://….webhook.office.com/…",
        "http" => "http://…",
        _ => "https://…",
    };

    let display_name = topic.with_untracked(|t| t.display_name.clone());
    view! {
        <article class="rule topic" data-name=name.clone() data-arn=arn.clone()>
            <div class="rule-head">
                <h3 class="rule-name topic-name">{name.clone()}</h3>
                {(!display_name.is_empty())
                    .then(|| view! { <span class="muted topic-display-name">{display_name}</span> })}
                <div class="rule-actions">
                    {can_subscribe
                        .then(|| {
                            view! {
                                <ActionButton action=test input=() class="small topic-test">
                                    "Send test message"
                                </ActionButton>
                            }
                        })}
                    {can_manage
                        .then(|| {
                            view! {
                                <ActionButton
                                    action=delete
                                    input=()
                                    class="small danger topic-delete"
                                    confirm=confirm_delete
                                >
                                    "Delete topic"
                                </ActionButton>
                            }
                        })}
                </div>
            </div>
            <p class="rule-description mono topic-arn">{arn.clone()}</p>
            {move || {
                test.value()
                    .get()
                    .and_then(Result::ok)
                    .map(|r| {
                        view! {
                            <p class="ok topic-test-result" role="status">
                                {test_message_queued(r.deliveries)}
                            </p>
                        }
                    })
            }}
            <ActionError action=test class="topic-test-error" />
            <ActionError action=delete class="topic-delete-error" />

            <h4>"Subscriptions"</h4>
            {move || {
                let subscriptions = topic.with(|t| t.subscriptions.clone());
                view! { <SubscriptionTable subscriptions unsubscribe can_subscribe /> }
            }}
            <ActionError action=unsubscribe class="unsubscribe-error" />

            {can_subscribe
                .then(|| {
                    view! {
                        <form class="target-form subscribe-form" autocomplete="off" on:submit=on_subscribe>
                            <div class="target-field">
                                <label for=protocol_id.clone()>"Protocol"</label>
                                <select
                                    id=protocol_id.clone()
                                    name=protocol_id.clone()
                                    class="subscribe-protocol"
                                    prop:value=move || protocol.get()
                                    on:change=move |ev| protocol.set(event_target_value(&ev))
                                >
                                    {offered
                                        .iter()
                                        .map(|&p| {
                                            view! {
                                                <option value=p selected=move || protocol.with(|x| x == p)>
                                                    {p}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                            <div class="target-field target-field-wide">
                                <label for=endpoint_id.clone()>"Endpoint"</label>
                                <input
                                    id=endpoint_id.clone()
                                    name=endpoint_id.clone()
                                    type="text"
                                    class="mono subscribe-endpoint"
                                    required=true
                                    placeholder=placeholder
                                    prop:value=move || endpoint.get()
                                    on:input=move |ev| endpoint.set(event_target_value(&ev))
                                />
                            </div>
                            <button
                                type="submit"
                                class="small subscribe-submit"
                                disabled=move || subscribe.pending().get()
                            >
                                "Subscribe"
                            </button>
                        </form>
                        <Show when=move || protocol.with(|p| secret_endpoint(p))>
                            <p class="hint subscribe-secret-note">
                                "A chat webhook URL is a secret: it is stored sealed and shown only as (secret webhook URL)."
                            </p>
                        </Show>
                    }
                })}
            {move || {
                form_error
                    .get()
                    .map(|m| view! { <ErrorNote class="subscribe-form-error" message=m /> })
            }}
            <ActionError action=subscribe class="subscribe-error" />
            {move || {
                subscribed
                    .get()
                    .map(|m| view! { <p class="ok subscribe-result" role="status">{m}</p> })
            }}
        </article>
    }
}

/// `table.subscription-list`: one `tr.subscription-row[data-protocol]` per subscription, or
/// `p.no-subscriptions`.
#[component]
fn SubscriptionTable(
    subscriptions: Vec<SubscriptionView>,
    unsubscribe: Action<String, Result<(), ApiError>>,
    can_subscribe: bool,
) -> impl IntoView {
    if subscriptions.is_empty() {
        return view! { <p class="muted no-subscriptions">"No subscriptions."</p> }.into_any();
    }
    view! {
        <table class="list subscription-list">
            <thead>
                <tr>
                    <th>"Protocol"</th>
                    <th>"Endpoint"</th>
                    <th>"State"</th>
                    <th>"Actions"</th>
                </tr>
            </thead>
            <tbody>
                {subscriptions
                    .into_iter()
                    .map(|s| {
                        let confirmed = !s.pending_confirmation
                            && is_confirmed_subscription_arn(&s.subscription_arn);
                        let state = if confirmed { "confirmed" } else { PENDING_CONFIRMATION };
                        let confirm = format!(
                            "Unsubscribe this {} endpoint? It gets no more messages from this topic.",
                            s.protocol,
                        );
                        let subscription_arn = s.subscription_arn.clone();
                        view! {
                            <tr
                                class="subscription-row"
                                data-protocol=s.protocol.clone()
                                data-state=state
                            >
                                <td class="subscription-protocol">{s.protocol.clone()}</td>
                                <td class="mono subscription-endpoint">
                                    {endpoint_label(&s.protocol, &s.endpoint)}
                                </td>
                                <td class="subscription-state">{state}</td>
                                <td class="subscription-actions">
                                    {(can_subscribe && confirmed)
                                        .then(|| {
                                            view! {
                                                <ActionButton
                                                    action=unsubscribe
                                                    input=subscription_arn
                                                    class="small subscription-unsubscribe"
                                                    confirm
                                                >
                                                    "Unsubscribe"
                                                </ActionButton>
                                            }
                                        })}
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
