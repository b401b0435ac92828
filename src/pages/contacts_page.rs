//! Contacts: the people and escalation plans response plans engage, and their channels.

use leptos::prelude::*;
use tocsin_api::contacts::Contact;

use crate::auth::session::use_auth;
use crate::auth::{Control, cannot_message, may};
use crate::components::contact_item::ContactItem;
use crate::components::create_contact_form::CreateContactForm;
use crate::components::escalation_plan_form::EscalationPlanForm;
use crate::components::list_status::{KeptList, ListStatus};
use crate::use_api;

/// `/contacts`: every contact (`SSMContacts.ListContacts`), one [`ContactItem`] each (keyed
/// by ARN): a personal contact with its channels, an escalation plan with its stages. Admins
/// also get the [`CreateContactForm`] and the [`EscalationPlanForm`] above them, add and
/// delete channels, and edit (display name and plan) and delete contacts; responders may activate channels with their codes
/// and send codes again. Nothing in the change feed announces contacts, so the list is read
/// again after each change made here.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let auth = use_auth();
    let role = auth.role_untracked();
    let my_principal = auth.identity_untracked().map(|i| i.principal);
    let can_activate = may(role, Control::ActivateChannels);
    let can_manage = may(role, Control::ManageContacts);
    let api = use_api();
    let list_api = api.clone();
    let contacts = LocalResource::new(move || {
        let api = list_api.clone();
        async move { api.list_contacts().await }
    });
    let refresh = Callback::new(move |()| contacts.refetch());

    // The last list that loaded (kept through a failed reload).
    let kept = KeptList::new(contacts, |_| ());
    let list = kept.list;
    let personal = Signal::derive(move || {
        list.with(|l| {
            l.iter()
                .filter(|c| c.contact_type == "PERSONAL")
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    let read_only = if can_manage {
        None
    } else if can_activate {
        Some(cannot_message(
            role,
            "create, edit or delete contacts or channels (an admin can)",
        ))
    } else {
        Some(cannot_message(role, "change contacts or channels"))
    };

    view! {
        <section class="page integrations-page contacts-page">
            <h1>"Contacts"</h1>
            <p class="hint">
                "Response plans engage contacts. A personal contact is paged on its activated "
                "channels; an escalation plan engages personal contacts stage by stage until an "
                "essential one acknowledges."
            </p>
            {read_only.map(|m| view! { <p class="note" id="contacts-read-only">{m}</p> })}
            {can_manage
                .then(|| {
                    view! {
                        <CreateContactForm refresh my_principal=my_principal.clone() />
                        <EscalationPlanForm contacts=personal refresh />
                    }
                })}
            <section class="integration-section" id="contacts" aria-labelledby="contacts-title">
                <h2 id="contacts-title">"All contacts"</h2>
                <ListStatus list=kept error_id="contacts-error" empty_id="no-contacts" empty="No contacts." />
                <div id="contact-list">
                    <For
                        each=move || list.get()
                        key=|c| c.contact_arn.clone()
                        children={
                            let api = api.clone();
                            move |contact: Contact| {
                                view! {
                                    <ContactItem
                                        api=api.clone()
                                        contact
                                        refresh
                                        can_activate
                                        can_manage
                                        contacts=personal
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
