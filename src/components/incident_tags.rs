//! The incident page's "Tags" section: the incident record's tags; add and remove them.

use leptos::prelude::*;
use tocsin_api::incidents::TagMap;

use crate::api::{Api, ApiError};
use crate::components::action_button::{ActionButton, refreshing_action};
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::components::list_status::{KeptList, ListStatus};
use crate::forms::tags::TagForm;

/// `section#incident-tags`: the incident's tags (`ListTagsForResource`), by key, one
/// `li.tag[data-key]` each (`.tag-key`, `.tag-value`). For keys that may work incidents:
/// `form#tag-form` adds a tag or replaces the value of its key (`TagResource`), and
/// "Remove" (`button.tag-remove`) removes one (`UntagResource`). The list is read again
/// after each change made here and when the feed says this incident's tags changed
/// (`tagsChanged`, also for changes made elsewhere).
#[component]
pub fn IncidentTags(
    /// The API client.
    api: Api,
    /// The page's change feed (`tagsChanged` for this incident reads the tags again).
    feed: crate::live::ChangeFeed,
    /// The incident.
    #[prop(into)]
    incident_arn: Signal<String>,
    /// Whether the key may add and remove tags (responder, admin).
    can_work: bool,
) -> impl IntoView {
    let list_api = api.clone();
    let tags = crate::live::use_live_resource(
        feed,
        move || {
            let arn = incident_arn.get();
            let api = list_api.clone();
            async move {
                if arn.is_empty() {
                    return Ok(Vec::new());
                }
                let tags: TagMap = api.list_tags_for_resource(&arn).await?;
                Ok::<_, ApiError>(tags.into_iter().collect::<Vec<(String, String)>>())
            }
        },
        move |entry| {
            matches!(
                &entry.change,
                tocsin_api::native::Change::TagsChanged { resource_arn }
                    if incident_arn.try_with_untracked(|a| a == resource_arn).unwrap_or(false)
            )
        },
    );
    let refresh = Callback::new(move |()| tags.refetch());
    let kept = KeptList::new(tags, |_| {});

    let key = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<String>);
    let add_api = api.clone();
    let add = Action::new_local(move |tags: &TagMap| {
        let api = add_api.clone();
        let tags = tags.clone();
        async move {
            api.tag_resource(&incident_arn.get_untracked(), tags)
                .await?;
            key.try_set(String::new());
            value.try_set(String::new());
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let remove = refreshing_action(refresh, move |tag_key: String| {
        let api = api.clone();
        async move {
            api.untag_resource(&incident_arn.get_untracked(), &[tag_key])
                .await
        }
    });
    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = TagForm {
            key: key.get_untracked(),
            value: value.get_untracked(),
        };
        match form.tags() {
            Ok(tags) => {
                form_error.set(None);
                add.dispatch_local(tags);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section class="incident-tags" id="incident-tags" aria-labelledby="incident-tags-title">
            <h2 id="incident-tags-title">"Tags"</h2>
            <ListStatus list=kept error_id="tags-error" empty_id="no-tags" empty="No tags." />
            <ul class="tag-list" id="tag-list">
                <For
                    each=move || kept.list.get()
                    key=|t| t.clone()
                    children=move |(tag_key, tag_value)| {
                        view! {
                            <li class="tag" data-key=tag_key.clone()>
                                <span class="mono tag-key">{tag_key.clone()}</span>
                                " = "
                                <span class="mono tag-value">{tag_value}</span>
                                {can_work
                                    .then(|| {
                                        view! {
                                            " "
                                            <ActionButton action=remove input=tag_key.clone() class="tag-remove small">
                                                "Remove"
                                            </ActionButton>
                                        }
                                    })}
                            </li>
                        }
                    }
                />
            </ul>
            <ActionError action=remove id="tag-remove-error" />
            {can_work
                .then(|| {
                    view! {
                        <form class="form inline-form" id="tag-form" on:submit=on_add>
                            <TextField id="tag-key" label="Key" value=key required=true maxlength="128" />
                            <TextField id="tag-value" label="Value" value=value maxlength="256" />
                            <div class="actions">
                                <button type="submit" id="tag-submit" disabled=move || add.pending().get()>
                                    "Add tag"
                                </button>
                            </div>
                        </form>
                        {move || form_error.get().map(|m| view! { <ErrorNote id="tag-form-error" message=m /> })}
                        <ActionError action=add id="tag-error" />
                    }
                })}
        </section>
    }
}
