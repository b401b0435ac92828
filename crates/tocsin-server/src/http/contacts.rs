//! Incident Manager Contacts (API 2021-05-03, awsJson1.1): `POST /` with
//! `X-Amz-Target: SSMContacts.<Operation>`: contacts with their plans, and contact channels.
//! Reads are `viewer`; contacts and channels `admin` (activating a channel with the code it
//! received, and asking for a new code, `responder`).

use tocsin_api::contacts::{
    ActivateContactChannelRequest, ContactArnOutput, ContactChannelArnOutput, ContactChannelRef,
    ContactRef, CreateContactChannelRequest, CreateContactRequest, GetContactResult,
    ListContactChannelsRequest, ListContactChannelsResult, ListContactsRequest, ListContactsResult,
    UpdateContactRequest,
};

use crate::clock;
use crate::domain::contacts;
use crate::http::audit::Audit;
use crate::http::operation::Operation;

/// The `{}` some operations answer with.
type EmptyResponse = serde_json::Map<String, serde_json::Value>;

/// Every Contacts operation Tocsin answers, with its role.
pub static OPERATIONS: &[Operation] = &[
    operation! { "CreateContact", Admin, (s, caller, req: CreateContactRequest) -> ContactArnOutput {
        let audit = Audit::new(caller, "CreateContact", contacts::contact_arn(&s.config, &req.alias));
        let contact_arn = write_tx!(s, audit, |tx| contacts::create_contact(tx, &s.config, req, clock::now()).await?);
        ContactArnOutput { contact_arn }
    }},
    operation! { "GetContact", Viewer, (s, _caller, req: ContactRef) -> GetContactResult {
        read_tx!(s, |tx| contacts::get_contact(tx, &req.contact_id).await?)
    }},
    operation! { "ListContacts", Viewer, (s, _caller, req: ListContactsRequest) -> ListContactsResult {
        read_tx!(s, |tx| contacts::list_contacts(tx, req).await?)
    }},
    operation! { "UpdateContact", Admin, (s, caller, req: UpdateContactRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "UpdateContact", req.contact_id.clone());
        write_tx!(s, audit, |tx| contacts::update_contact(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "DeleteContact", Admin, (s, caller, req: ContactRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteContact", req.contact_id.clone());
        write_tx!(s, audit, |tx| contacts::delete_contact(tx, &req.contact_id).await?);
        EmptyResponse::new()
    }},
    operation! { "CreateContactChannel", Admin, (s, caller, req: CreateContactChannelRequest) -> ContactChannelArnOutput {
        let audit = Audit::new(caller, "CreateContactChannel", req.contact_id.clone());
        let contact_channel_arn = write_tx!(s, audit, |tx| contacts::create_channel(tx, &s.config, req, clock::now()).await?);
        ContactChannelArnOutput { contact_channel_arn }
    }},
    operation! { "ListContactChannels", Viewer, (s, _caller, req: ListContactChannelsRequest) -> ListContactChannelsResult {
        read_tx!(s, |tx| contacts::list_channels(tx, req).await?)
    }},
    operation! { "SendActivationCode", Responder, (s, caller, req: ContactChannelRef) -> EmptyResponse {
        let audit = Audit::new(caller, "SendActivationCode", req.contact_channel_id.clone());
        write_tx!(s, audit, |tx| contacts::send_activation_code(tx, &req.contact_channel_id, clock::now()).await?);
        EmptyResponse::new()
    }},
    operation! { "ActivateContactChannel", Responder, (s, caller, req: ActivateContactChannelRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "ActivateContactChannel", req.contact_channel_id.clone());
        write_tx!(s, audit, |tx| contacts::activate_channel(tx, req).await?);
        EmptyResponse::new()
    }},
    operation! { "DeleteContactChannel", Admin, (s, caller, req: ContactChannelRef) -> EmptyResponse {
        let audit = Audit::new(caller, "DeleteContactChannel", req.contact_channel_id.clone());
        write_tx!(s, audit, |tx| contacts::delete_channel(tx, &req.contact_channel_id).await?);
        EmptyResponse::new()
    }},
];
