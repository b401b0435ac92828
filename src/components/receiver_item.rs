//! One receiver on the Receivers page: where senders post, what came in, what was refused,
//! its snippets and Delete.

use leptos::prelude::*;
use tocsin_api::receivers::Receiver;

use crate::api::Api;
use crate::clock::local_datetime;
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::snippet_view::SnippetList;
use crate::format::{ago, last_event_line, one_line, receiver_settings_lines};

/// `article.receiver-item[data-name][data-kind]`: the receiver's name, kind
/// (`.receiver-kind`, its label), URL (`.receiver-url`), event bus (`.receiver-bus`), last
/// event (`.receiver-last-event`: how long ago, and its detail-type), event and error counts
/// (`.receiver-event-count`, `.receiver-error-count`), last error with its time
/// (`.receiver-last-error`, when there was one), the settings its kind reads, its snippets
/// (`pre.snippet[data-title]`, the secret reading `<secret>`) and "Delete"
/// (`button.receiver-delete`, after a confirmation).
///
/// It follows `receiver` (the page's list, read again on every change), so counts move
/// without the item being rebuilt; `now` (epoch seconds) ticks the "ago" texts.
#[component]
pub fn ReceiverItem(
    /// The API client.
    api: Api,
    /// The receiver, as last listed.
    #[prop(into)]
    receiver: Signal<Receiver>,
    /// Now, epoch seconds.
    #[prop(into)]
    now: Signal<f64>,
    /// Reads the receiver list again.
    refresh: Callback<()>,
) -> impl IntoView {
    let (name, kind) = receiver.with_untracked(|r| (r.name.clone(), r.kind));
    let delete_name = name.clone();
    let delete = refreshing_action(refresh, move |()| {
        let api = api.clone();
        let name = delete_name.clone();
        async move { api.delete_receiver(&name).await }
    });
    let confirm =
        format!("Delete receiver {name}? Whatever posts to its URL is refused from now on.");
    let field = move |f: fn(&Receiver) -> String| move || receiver.with(f);

    view! {
        <article class="rule receiver-item" data-name=name.clone() data-kind=kind.as_str()>
            <div class="rule-head">
                <h3 class="rule-name receiver-name">{name.clone()}</h3>
                <span class="tag receiver-kind">{kind.label()}</span>
                <div class="rule-actions">
                    <ActionButton action=delete input=() class="small danger receiver-delete" confirm>
                        "Delete"
                    </ActionButton>
                </div>
            </div>
            <dl class="fields receiver-fields">
                <dt>"URL"</dt>
                <dd class="mono receiver-url">{field(|r| r.url.clone())}</dd>
                <dt>"Event bus"</dt>
                <dd class="receiver-bus">{field(|r| r.event_bus_name.clone())}</dd>
                <dt>"Last event"</dt>
                <dd class="receiver-last-event">
                    {move || {
                        receiver
                            .with(|r| {
                                last_event_line(r.last_event_at, r.last_event_summary.as_deref(), now.get())
                            })
                    }}
                </dd>
                <dt>"Events"</dt>
                <dd class="receiver-event-count">{field(|r| r.event_count.to_string())}</dd>
                <dt>"Errors"</dt>
                <dd class="receiver-error-count">{field(|r| r.error_count.to_string())}</dd>
                {move || {
                    receiver
                        .with(|r| r.last_error.clone().map(|e| (e, r.last_error_at)))
                        .map(|(error, at)| {
                            let when = at
                                .map(|at| format!(" ({}, {})", ago(at, now.get()), local_datetime(at)))
                                .unwrap_or_default();
                            view! {
                                <dt>"Last error"</dt>
                                <dd class="receiver-last-error">
                                    <span class="receiver-error-text">{one_line(&error, 300)}</span>
                                    <span class="muted">{when}</span>
                                </dd>
                            }
                        })
                }}
                {move || {
                    receiver
                        .with(|r| receiver_settings_lines(r.kind, &r.settings))
                        .into_iter()
                        .map(|(label, value)| view! {
                            <dt>{label}</dt>
                            <dd class="mono receiver-setting">{value}</dd>
                        })
                        .collect_view()
                }}
            </dl>
            <details class="receiver-snippets">
                <summary>"Configuration snippets (the secret reads <secret>)"</summary>
                {move || {
                    let snippets = receiver.with(|r| r.snippets.clone());
                    view! { <SnippetList snippets /> }
                }}
            </details>
            <ActionError action=delete class="receiver-delete-error" />
        </article>
    }
}
