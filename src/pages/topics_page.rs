//! Topics: what response plans notify, and who each topic sends to.

use leptos::prelude::*;
use tocsin_api::sns::TopicView;

use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::create_topic_form::CreateTopicForm;
use crate::components::list_status::{KeptList, ListStatus};
use crate::components::topic_item::TopicItem;
use crate::use_api;

/// `/topics`: every topic (`GET /v1/topics`) with its subscriptions, one [`TopicItem`] each
/// (keyed by ARN, so what is typed in one survives a reload of the list), and for admins the
/// [`CreateTopicForm`] above them. Anyone who can read sees the topics; responders may also
/// subscribe endpoints (not chat webhooks), unsubscribe and send test messages; admins may
/// also create and delete topics and subscribe chat webhooks. Nothing in the change feed
/// announces topics, so the list is read again after each change made here.
#[component]
pub fn TopicsPage() -> impl IntoView {
    let role = use_auth().role_untracked();
    let can_subscribe = may(role, Control::SubscribeTopics);
    let can_manage = may(role, Control::ManageTopics);
    let api = use_api();
    let list_api = api.clone();
    let topics = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.list_topics().await }
    });
    let refresh = Callback::new(move |()| topics.refetch());

    // The last list that loaded (kept through a failed reload).
    let kept = KeptList::new(topics, |_| ());
    let list = kept.list;
    let names = Signal::derive(move || list.with(|l| l.iter().map(|t| t.name.clone()).collect()));

    let read_only = if can_manage {
        None
    } else if can_subscribe {
        Some(cannot_message(
            role,
            "create or delete topics or subscribe chat webhooks (an admin can)",
        ))
    } else {
        Some(cannot_message(role, "change topics or subscriptions"))
    };

    view! {
        <section class="page integrations-page topics-page">
            <h1>"Topics"</h1>
            <p class="hint">
                "Response plans notify topics (their notificationTargets). A topic sends each message "
                "to its subscriptions: https and http endpoints, email addresses, and Slack or "
                "Microsoft Teams incoming webhooks."
            </p>
            {read_only.map(|m| view! { <p class="note" id="topics-read-only">{m}</p> })}
            {can_manage.then(|| view! { <CreateTopicForm names refresh /> })}
            <section class="integration-section" id="topics" aria-labelledby="topics-title">
                <h2 id="topics-title">"All topics"</h2>
                <ListStatus list=kept error_id="topics-error" empty_id="no-topics" empty="No topics." />
                <div id="topic-list">
                    <For
                        each=move || list.get()
                        key=|t| t.topic_arn.clone()
                        children={
                            let api = api.clone();
                            move |t: TopicView| {
                                let topic = kept.follow(t, |a, b| a.topic_arn == b.topic_arn);
                                view! {
                                    <TopicItem
                                        api=api.clone()
                                        topic
                                        refresh
                                        can_subscribe
                                        can_manage
                                    />
                                }
                            }
                        }
                    />
                </div>
            </section>
        </section>
    }
}
