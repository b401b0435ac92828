//! Incident Manager Contacts (API 2021-05-03, awsJson1.1): `POST /` with
//! `X-Amz-Target: SSMContacts.<Operation>`: contacts with their plans, and contact channels.
//! Reads are `viewer`; contacts and channels `admin` (activating a channel with the code it
//! received, and asking for a new code, `responder`).

use tocsin_api::contacts::{
    AcceptPageRequest, ActivateContactChannelRequest, ContactArnOutput, ContactChannelArnOutput,
    ContactChannelRef, ContactRef, CreateContactChannelRequest, CreateContactRequest,
    DescribeEngagementResult, DescribePageResult, EngagementArnOutput, EngagementRef,
    GetContactResult, ListContactChannelsRequest, ListContactChannelsResult, ListContactsRequest,
    ListContactsResult, ListEngagementsRequest, ListEngagementsResult, ListPageReceiptsResult,
    ListPagesRequest, ListPagesResult, PageRef, StartEngagementRequest, StopEngagementRequest,
    UpdateContactRequest,
};

use crate::clock;
use crate::domain::{contacts, engagements};
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
    operation! { "StartEngagement", Responder, (s, caller, req: StartEngagementRequest) -> EngagementArnOutput {
        let audit = Audit::new(caller, "StartEngagement", req.contact_id.clone());
        let engagement_arn = write_tx!(s, audit, |tx| engagements::start_engagement(tx, &s.config, req, clock::now()).await?);
        EngagementArnOutput { engagement_arn }
    }},
    operation! { "StopEngagement", Responder, (s, caller, req: StopEngagementRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "StopEngagement", req.engagement_id.clone());
        write_tx!(s, audit, |tx| engagements::stop_engagement(tx, &req.engagement_id, req.reason.clone(), clock::now()).await?);
        EmptyResponse::new()
    }},
    operation! { "DescribeEngagement", Viewer, (s, _caller, req: EngagementRef) -> DescribeEngagementResult {
        read_tx!(s, |tx| engagements::describe_engagement(tx, &req.engagement_id).await?)
    }},
    operation! { "ListEngagements", Viewer, (s, _caller, req: ListEngagementsRequest) -> ListEngagementsResult {
        read_tx!(s, |tx| engagements::list_engagements(tx, req).await?)
    }},
    operation! { "ListPagesByEngagement", Viewer, (s, _caller, req: ListPagesRequest) -> ListPagesResult {
        let req = ListPagesRequest { contact_id: None, ..req };
        read_tx!(s, |tx| engagements::list_pages(tx, req).await?)
    }},
    operation! { "ListPagesByContact", Viewer, (s, _caller, req: ListPagesRequest) -> ListPagesResult {
        let req = ListPagesRequest { engagement_id: None, ..req };
        read_tx!(s, |tx| engagements::list_pages(tx, req).await?)
    }},
    operation! { "DescribePage", Viewer, (s, _caller, req: PageRef) -> DescribePageResult {
        read_tx!(s, |tx| engagements::describe_page(tx, &req.page_id).await?)
    }},
    operation! { "ListPageReceipts", Viewer, (s, _caller, req: ListPagesRequest) -> ListPageReceiptsResult {
        read_tx!(s, |tx| engagements::list_receipts(tx, req).await?)
    }},
    operation! { "AcceptPage", Responder, (s, caller, req: AcceptPageRequest) -> EmptyResponse {
        let audit = Audit::new(caller, "AcceptPage", req.page_id.clone());
        write_tx!(s, audit, |tx| engagements::accept_page(tx, req, clock::now()).await?);
        EmptyResponse::new()
    }},
];

/// `POST /v1/pages/accept {"pageArn", "token"}`: the confirmation page's button (public: the
/// single-use token from the page's link is the proof). A plain GET of the link only loads
/// the app, so mail scanners that prefetch links acknowledge nothing.
async fn accept_link(
    _: crate::http::extract::Require<crate::http::extract::Public>,
    axum::extract::State(s): axum::extract::State<crate::http::state::AppState>,
    crate::http::extract::RestJson(req): crate::http::extract::RestJson<
        tocsin_api::contacts::AcceptPageLink,
    >,
) -> Result<axum::http::StatusCode, crate::http::error::RestJsonError> {
    let caller = crate::domain::identity::Caller::nobody();
    let audit = Audit::new(&caller, "AcceptPage", req.page_arn.clone());
    write_tx!(s, audit, |tx| engagements::accept_by_link(
        tx,
        &req.page_arn,
        &req.token,
        clock::now()
    )
    .await?);
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The public route a page's link leads to.
pub fn routes() -> crate::http::routes::Routes {
    crate::http::routes::Routes::new().route(
        crate::http::routes::Verb::Post,
        "/v1/pages/accept",
        "AcceptPageLink",
        accept_link,
    )
}
