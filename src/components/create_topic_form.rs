//! The Topics page's "Create a topic" form.

use leptos::prelude::*;
use tocsin_api::sns::CreateTopic;

use crate::api::ApiError;
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::forms::topics::TopicForm;
use crate::use_api;

/// `form#topic-form`: a name and an optional display name, then "Create topic"
/// (`POST /v1/topics/create`). Says `#topic-created` once done (creating a name that exists
/// keeps that topic, which it says too), empties the form and reads the list again.
#[component]
pub fn CreateTopicForm(
    /// The names of the topics listed now.
    #[prop(into)]
    names: Signal<Vec<String>>,
    /// Reads the topic list again.
    refresh: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let defaults = TopicForm::default();
    let name = RwSignal::new(defaults.name);
    let display_name = RwSignal::new(defaults.display_name);
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);

    let create = Action::new_local(move |(input, existed): &(CreateTopic, bool)| {
        let api = api.clone();
        let input = input.clone();
        let existed = *existed;
        async move {
            let topic = api.create_topic(&input).await?;
            name.try_set(String::new());
            display_name.try_set(String::new());
            let said = if existed {
                format!("Topic {} already exists: {}", input.name, topic.topic_arn)
            } else {
                format!("Created topic {}: {}", input.name, topic.topic_arn)
            };
            created.try_set(Some(said));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let form = TopicForm {
            name: name.get_untracked(),
            display_name: display_name.get_untracked(),
        };
        match form.create_input() {
            Ok(input) => {
                form_error.set(None);
                let existed = names.with_untracked(|n| n.contains(&input.name));
                create.dispatch_local((input, existed));
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section class="integration-section" id="create-topic" aria-labelledby="create-topic-title">
            <h2 id="create-topic-title">"Create a topic"</h2>
            <form class="form" id="topic-form" autocomplete="off" on:submit=on_create>
                <TextField
                    id="topic-name"
                    label="Name"
                    value=name
                    required=true
                    maxlength="256"
                    class="mono"
                    hint="Letters, digits, - and _ (the last part of the topic's ARN)."
                />
                <TextField
                    id="topic-display-name"
                    label="Display name (optional)"
                    value=display_name
                    maxlength="100"
                    hint="Email subjects and senders use it."
                />
                <div class="actions">
                    <button type="submit" id="topic-create" disabled=move || create.pending().get()>
                        "Create topic"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="topic-form-error" message=m /> })}
            <ActionError action=create id="topic-create-error" />
            {move || {
                created
                    .get()
                    .map(|m| view! { <p class="ok" id="topic-created" role="status">{m}</p> })
            }}
        </section>
    }
}
