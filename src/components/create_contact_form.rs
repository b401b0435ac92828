//! The Contacts page's "Create a personal contact" form.

use leptos::prelude::*;
use tocsin_api::contacts::CreateContactRequest;

use crate::api::ApiError;
use crate::components::action_error::ActionError;
use crate::components::error_note::ErrorNote;
use crate::components::fields::TextField;
use crate::forms::contacts::PersonalContactForm;
use crate::use_api;

/// `form#contact-form`: an alias, an optional display name and an optional principal (the
/// access-key principal this person is, tagged `tocsin:principal`, so their incident
/// acknowledgement accepts their pages; "Use mine" fills in the signed-in key's), then
/// "Create contact" (`SSMContacts.CreateContact`, a `PERSONAL` contact). Says
/// `#contact-created` once done, empties the form and reads the list again.
#[component]
pub fn CreateContactForm(
    /// Reads the contact list again.
    refresh: Callback<()>,
    /// The signed-in key's principal.
    my_principal: Option<String>,
) -> impl IntoView {
    let api = use_api();
    let defaults = PersonalContactForm::default();
    let alias = RwSignal::new(defaults.alias);
    let display_name = RwSignal::new(defaults.display_name);
    let principal = RwSignal::new(defaults.principal);
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);

    let create = Action::new_local(move |input: &CreateContactRequest| {
        let api = api.clone();
        let input = input.clone();
        async move {
            let arn = api.create_contact(&input).await?;
            alias.try_set(String::new());
            display_name.try_set(String::new());
            principal.try_set(String::new());
            created.try_set(Some(format!("Created contact {}: {arn}", input.alias)));
            refresh.run(());
            Ok::<(), ApiError>(())
        }
    });
    let on_create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        let form = PersonalContactForm {
            alias: alias.get_untracked(),
            display_name: display_name.get_untracked(),
            principal: principal.get_untracked(),
        };
        match form.create_input() {
            Ok(input) => {
                form_error.set(None);
                create.dispatch_local(input);
            }
            Err(msg) => form_error.set(Some(msg)),
        }
    };

    view! {
        <section class="integration-section" id="create-contact" aria-labelledby="create-contact-title">
            <h2 id="create-contact-title">"Create a personal contact"</h2>
            <form class="form" id="contact-form" autocomplete="off" on:submit=on_create>
                <TextField
                    id="contact-alias"
                    label="Alias"
                    value=alias
                    required=true
                    maxlength="255"
                    class="mono"
                    hint="Lower-case letters, digits, - and _ (the last part of the contact's ARN)."
                />
                <TextField
                    id="contact-display-name"
                    label="Display name (optional)"
                    value=display_name
                    maxlength="255"
                />
                <TextField
                    id="contact-principal"
                    label="Principal (optional)"
                    value=principal
                    maxlength="256"
                    class="mono"
                    placeholder="arn:aws:iam::000000000000:user/maria"
                    hint="The access-key principal this person signs in as: their incident acknowledgement accepts their pages."
                />
                {my_principal
                    .map(|mine| {
                        view! {
                            <button
                                type="button"
                                class="small"
                                id="contact-principal-mine"
                                on:click=move |_| principal.set(mine.clone())
                            >
                                "Use mine"
                            </button>
                        }
                    })}
                <div class="actions">
                    <button type="submit" id="contact-create" disabled=move || create.pending().get()>
                        "Create contact"
                    </button>
                </div>
            </form>
            {move || form_error.get().map(|m| view! { <ErrorNote id="contact-form-error" message=m /> })}
            <ActionError action=create id="contact-create-error" />
            {move || {
                created
                    .get()
                    .map(|m| view! { <p class="ok" id="contact-created" role="status">{m}</p> })
            }}
        </section>
    }
}
