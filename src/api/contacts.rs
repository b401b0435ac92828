//! Incident Manager Contacts (awsJson1.1, `X-Amz-Target: SSMContacts.<Operation>`):
//! contacts, their channels and plans, engagements and their pages; and the public
//! `POST /v1/pages/accept` a page's email link leads to.
//!
//! Reads need a viewer key; contacts and channels are an admin's; activating a channel
//! (and sending its code again) a responder's. Accepting a page by its link needs no key:
//! the single-use token is the proof.

use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use tocsin_api::contacts::{
    AcceptPageLink, ActivateContactChannelRequest, Contact, ContactArnOutput, ContactChannel,
    ContactChannelArnOutput, ContactChannelRef, ContactRef, CreateContactChannelRequest,
    CreateContactRequest, Engagement, GetContactResult, ListContactChannelsRequest,
    ListContactChannelsResult, ListContactsRequest, ListContactsResult, ListEngagementsRequest,
    ListEngagementsResult, ListPagesRequest, ListPagesResult, Page, TARGET_PREFIX,
    UpdateContactRequest,
};

use super::paging::{PAGE_LIMIT, all_pages};
use super::{Api, ApiError};

impl Api {
    /// One Contacts operation: `POST /` with `X-Amz-Target: SSMContacts.<operation>`.
    async fn contacts_op<I: Serialize, O: DeserializeOwned>(
        &self,
        operation: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        self.post_aws_json(&format!("{TARGET_PREFIX}{operation}"), input)
            .await
    }

    /// Every contact (`ListContacts`, all pages): personal contacts and escalation plans.
    pub async fn list_contacts(&self) -> Result<Vec<Contact>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListContactsRequest {
                next_token,
                max_results: Some(PAGE_LIMIT),
                ..ListContactsRequest::default()
            };
            let page: ListContactsResult = self.contacts_op("ListContacts", &input).await?;
            Ok((page.contacts, page.next_token))
        })
        .await
    }

    /// `GetContact`: a contact with its plan.
    pub async fn get_contact(&self, contact_arn: &str) -> Result<GetContactResult, ApiError> {
        let input = ContactRef {
            contact_id: contact_arn.to_owned(),
        };
        self.contacts_op("GetContact", &input).await
    }

    /// `CreateContact` (admin): answers the new contact's ARN.
    pub async fn create_contact(&self, input: &CreateContactRequest) -> Result<String, ApiError> {
        let out: ContactArnOutput = self.contacts_op("CreateContact", input).await?;
        Ok(out.contact_arn)
    }

    /// `UpdateContact` (admin): a new display name or plan.
    pub async fn update_contact(&self, input: &UpdateContactRequest) -> Result<(), ApiError> {
        let _: IgnoredAny = self.contacts_op("UpdateContact", input).await?;
        Ok(())
    }

    /// `DeleteContact` (admin).
    pub async fn delete_contact(&self, contact_arn: &str) -> Result<(), ApiError> {
        let input = ContactRef {
            contact_id: contact_arn.to_owned(),
        };
        let _: IgnoredAny = self.contacts_op("DeleteContact", &input).await?;
        Ok(())
    }

    /// A contact's channels (`ListContactChannels`, all pages).
    pub async fn list_contact_channels(
        &self,
        contact_arn: &str,
    ) -> Result<Vec<ContactChannel>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListContactChannelsRequest {
                contact_id: contact_arn.to_owned(),
                next_token,
                max_results: Some(PAGE_LIMIT),
            };
            let page: ListContactChannelsResult =
                self.contacts_op("ListContactChannels", &input).await?;
            Ok((page.contact_channels, page.next_token))
        })
        .await
    }

    /// `CreateContactChannel` (admin): answers the channel's ARN; the server sends the
    /// channel its activation code.
    pub async fn create_contact_channel(
        &self,
        input: &CreateContactChannelRequest,
    ) -> Result<String, ApiError> {
        let out: ContactChannelArnOutput = self.contacts_op("CreateContactChannel", input).await?;
        Ok(out.contact_channel_arn)
    }

    /// `ActivateContactChannel` (responder): the code the channel received.
    pub async fn activate_contact_channel(
        &self,
        channel_arn: &str,
        code: &str,
    ) -> Result<(), ApiError> {
        let input = ActivateContactChannelRequest {
            contact_channel_id: channel_arn.to_owned(),
            activation_code: code.to_owned(),
        };
        let _: IgnoredAny = self.contacts_op("ActivateContactChannel", &input).await?;
        Ok(())
    }

    /// `SendActivationCode` (responder): a new code to the channel.
    pub async fn send_activation_code(&self, channel_arn: &str) -> Result<(), ApiError> {
        let input = ContactChannelRef {
            contact_channel_id: channel_arn.to_owned(),
        };
        let _: IgnoredAny = self.contacts_op("SendActivationCode", &input).await?;
        Ok(())
    }

    /// `DeleteContactChannel` (admin).
    pub async fn delete_contact_channel(&self, channel_arn: &str) -> Result<(), ApiError> {
        let input = ContactChannelRef {
            contact_channel_id: channel_arn.to_owned(),
        };
        let _: IgnoredAny = self.contacts_op("DeleteContactChannel", &input).await?;
        Ok(())
    }

    /// An incident's engagements (`ListEngagements {IncidentId}`, all pages), newest first.
    pub async fn incident_engagements(
        &self,
        incident_arn: &str,
    ) -> Result<Vec<Engagement>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListEngagementsRequest {
                next_token,
                max_results: Some(PAGE_LIMIT),
                incident_id: Some(incident_arn.to_owned()),
                ..ListEngagementsRequest::default()
            };
            let page: ListEngagementsResult = self.contacts_op("ListEngagements", &input).await?;
            Ok((page.engagements, page.next_token))
        })
        .await
    }

    /// An engagement's pages (`ListPagesByEngagement`, all pages), oldest first.
    pub async fn engagement_pages(&self, engagement_arn: &str) -> Result<Vec<Page>, ApiError> {
        all_pages(|next_token| async move {
            let input = ListPagesRequest {
                engagement_id: Some(engagement_arn.to_owned()),
                next_token,
                max_results: Some(PAGE_LIMIT),
                ..ListPagesRequest::default()
            };
            let page: ListPagesResult = self.contacts_op("ListPagesByEngagement", &input).await?;
            Ok((page.pages, page.next_token))
        })
        .await
    }

    /// `POST /v1/pages/accept` (public, 204): accepts a page with the token its email link
    /// carried.
    pub async fn accept_page_link(&self, page_arn: &str, token: &str) -> Result<(), ApiError> {
        let input = AcceptPageLink {
            page_arn: page_arn.to_owned(),
            token: token.to_owned(),
        };
        self.post_empty("/v1/pages/accept", &input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_shapes() {
        let list = ListEngagementsRequest {
            incident_id: Some("arn:i".to_owned()),
            ..ListEngagementsRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&list).ok(),
            Some(serde_json::json!({"IncidentId": "arn:i"}))
        );
        let pages = ListPagesRequest {
            engagement_id: Some("arn:e".to_owned()),
            ..ListPagesRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&pages).ok(),
            Some(serde_json::json!({"EngagementId": "arn:e"}))
        );
        let accept = AcceptPageLink {
            page_arn: "arn:p".to_owned(),
            token: "t".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&accept).ok(),
            Some(serde_json::json!({"pageArn": "arn:p", "token": "t"}))
        );
    }

    #[test]
    fn answer_shapes() {
        let list: ListContactsResult = serde_json::from_str(
            r#"{"Contacts":[{"ContactArn":"arn:aws:ssm-contacts:us-east-1:000000000000:contact/maria",
                "Alias":"maria","DisplayName":"Maria","Type":"PERSONAL"}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(list.contacts[0].alias, "maria");
        let channels: ListContactChannelsResult = serde_json::from_str(
            r#"{"ContactChannels":[{"ContactChannelArn":"arn:c","ContactArn":"arn:m","Name":"work",
                "Type":"EMAIL","DeliveryAddress":{"SimpleAddress":"m@example.com"},
                "ActivationStatus":"NOT_ACTIVATED"}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            channels.contact_channels[0].activation_status,
            "NOT_ACTIVATED"
        );
        let pages: ListPagesResult = serde_json::from_str(
            r#"{"Pages":[{"PageArn":"arn:p","EngagementArn":"arn:e","ContactArn":"arn:m",
                "Sender":"tocsin","SentTime":1.5}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pages.pages[0].sent_time, Some(1.5));
        assert_eq!(pages.pages[0].read_time, None);
    }
}
