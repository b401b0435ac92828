//! The incident page's "Related items" section: what is attached to the incident; attach
//! and detach items.

use leptos::prelude::*;
use tocsin_api::incidents::{ITEM_TYPES, RelatedItem, RelatedItemsUpdate, UpdateRelatedItemsInput};

use crate::api::{Api, ApiError, new_client_token};
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::format::is_safe_link;
use crate::forms::related::{RelatedItemForm, VALUE_KINDS, group_by_type, value_kind, value_text};

/// One related item's value: an http(s) URL as a link that opens in a new tab without
/// giving it this page (`a.related-link`, `rel="noopener noreferrer"`), anything else (other
/// URLs such as `javascript:`, ARNs, metric definitions, PagerDuty incidents) as text
/// (`span.related-value`).
#[component]
pub fn RelatedValue(
    /// The item.
    item: RelatedItem,
) -> impl IntoView {
    let value = item.identifier.value;
    match value.url.clone() {
        Some(url) if is_safe_link(&url) => {
            let href = url.clone();
            view! {
                <a class="related-link related-value" href=href rel="noopener noreferrer" target="_blank">
                    {url}
                </a>
            }
            .into_any()
        }
        _ => view! { <span class="mono related-value">{value_text(&value)}</span> }.into_any(),
    }
}

/// `section#related`: the incident's related items in `div#related-items`, grouped by type
/// (`section.related-group[data-type]` with a heading in words, involved resources first:
/// [`group_by_type`]), one `li.related-item[data-type][data-kind]` each (type, title,
/// [`RelatedValue`]). For keys
/// that may work incidents: "Remove" (`button.related-remove`, after a confirmation) and
/// `form#related-form`, which attaches an item of any type with any kind of value
/// (`UpdateRelatedItems`). The list comes from the page's incident; after each change made
/// here `on_changed` reads it again (a detached item is not announced in the change feed).
#[component]
pub fn RelatedItems(
    /// The API client.
    api: Api,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// The related items as last fetched.
    #[prop(into)]
    items: Signal<Vec<RelatedItem>>,
    /// Whether the key may attach and detach items (responder, admin).
    can_work: bool,
    /// Reads the incident again (after a change made here).
    on_changed: Callback<()>,
) -> impl IntoView {
    let defaults = RelatedItemForm::default();
    let item_type = RwSignal::new(defaults.item_type);
    let kind = RwSignal::new(defaults.kind);
    let value = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);

    let add_api = api.clone();
    let add = Action::new_local(move |input: &UpdateRelatedItemsInput| {
        let api = add_api.clone();
        let input = input.clone();
        async move {
            api.update_related_items(&input).await?;
            value.try_set(String::new());
            title.try_set(String::new());
            on_changed.run(());
            Ok::<(), ApiError>(())
        }
    });
    let remove = refreshing_action(on_changed, move |input: UpdateRelatedItemsInput| {
        let api = api.clone();
        async move { api.update_related_items(&input).await }
    });

    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = RelatedItemForm {
            item_type: item_type.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
            title: title.get_untracked(),
        };
        match form.item() {
            Ok(item) => {
                form_error.set(None);
                add.dispatch_local(UpdateRelatedItemsInput {
                    incident_record_arn: incident_arn.get_untracked(),
                    related_items_update: RelatedItemsUpdate {
                        item_to_add: Some(item),
                        item_to_remove: None,
                    },
                    client_token: Some(new_client_token()),
                });
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    let list = move || {
        let items = items.get();
        if items.is_empty() {
            return view! { <p class="muted" id="no-related-items">"No related items."</p> }
                .into_any();
        }
        view! {
            <div id="related-items">
                {group_by_type(items)
                    .into_iter()
                    .map(|(group_type, heading, items)| {
                        view! {
                            <section class="related-group" data-type=group_type>
                                <h3>{heading}</h3>
                                <ul class="related">
                                    {items
                                        .into_iter()
                                        .map(|item| {
                        let remove_control = can_work
                            .then(|| {
                                let input = UpdateRelatedItemsInput {
                                    incident_record_arn: incident_arn.get_untracked(),
                                    related_items_update: RelatedItemsUpdate {
                                        item_to_add: None,
                                        item_to_remove: Some(item.identifier.clone()),
                                    },
                                    client_token: None,
                                };
                                view! {
                                    " "
                                    <ActionButton
                                        action=remove
                                        input=input
                                        class="related-remove small"
                                        confirm="Remove this related item from the incident?"
                                    >
                                        "Remove"
                                    </ActionButton>
                                }
                            });
                        view! {
                            <li
                                class="related-item"
                                data-type=item.identifier.item_type.clone()
                                data-kind=value_kind(&item.identifier.value)
                            >
                                <span class="label related-type">{item.identifier.item_type.clone()}</span>
                                " "
                                <strong class="related-name">{item.title.clone().unwrap_or_default()}</strong>
                                " "
                                <RelatedValue item=item.clone() />
                                {remove_control}
                            </li>
                        }
                    })
                                        .collect_view()}
                                </ul>
                            </section>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any()
    };

    view! {
        <section class="related-section" id="related" aria-labelledby="related-title">
            <h2 id="related-title">"Related items"</h2>
            {list}
            <ActionError action=remove id="related-remove-error" />
            {can_work
                .then(|| {
                    view! {
                        <form class="form" id="related-form" on:submit=on_add>
                            <label for="related-type">"Type"</label>
                            <select
                                id="related-type"
                                name="related-type"
                                prop:value=move || item_type.get()
                                on:change=move |ev| item_type.set(event_target_value(&ev))
                            >
                                {ITEM_TYPES
                                    .iter()
                                    .map(|t| {
                                        view! {
                                            <option value=*t selected=move || item_type.with(|x| x == t)>
                                                {*t}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <label for="related-kind">"Value"</label>
                            <select
                                id="related-kind"
                                name="related-kind"
                                prop:value=move || kind.get()
                                on:change=move |ev| kind.set(event_target_value(&ev))
                            >
                                {VALUE_KINDS
                                    .iter()
                                    .map(|(v, label)| {
                                        view! {
                                            <option value=*v selected=move || kind.with(|x| x == v)>
                                                {*label}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <TextField
                                id="related-value"
                                label="ARN, URL, metric definition or PagerDuty incident id"
                                value=value
                                required=true
                                maxlength="4000"
                            />
                            <TextField id="related-item-title" label="Title (optional)" value=title maxlength="200" />
                            <div class="actions">
                                <button type="submit" id="related-submit" disabled=move || add.pending().get()>
                                    "Add related item"
                                </button>
                            </div>
                        </form>
                        {move || form_error.get().map(|m| view! { <ErrorNote id="related-form-error" message=m /> })}
                        <ActionError action=add id="related-error" />
                    }
                })}
        </section>
    }
}
