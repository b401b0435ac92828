//! ssm-incidents incident records: list, start, update, timeline (notes), related items,
//! tags and findings.

use tocsin_api::incidents::{
    AttributeValueList, BatchGetIncidentFindingsInput, BatchGetIncidentFindingsOutput, Condition,
    CreateTimelineEventInput, CreateTimelineEventOutput, DeleteTimelineEventInput, Filter, Finding,
    IncidentRecordStatus, ListIncidentFindingsInput, ListIncidentFindingsOutput,
    ListIncidentRecordsInput, ListIncidentRecordsOutput, ListRelatedItemsInput,
    ListRelatedItemsOutput, ListTagsForResourceOutput, ListTimelineEventsInput,
    ListTimelineEventsOutput, StartIncidentInput, StartIncidentOutput, TagMap, TagResourceBody,
    UpdateIncidentRecordInput, UpdateRelatedItemsInput, UpdateTimelineEventInput,
};

use super::paging::all_pages;
use super::{Api, ApiError};
use crate::format::encode_component;

/// Most findings one `ListIncidentFindings` page and one `BatchGetIncidentFindings` call
/// carry (the model's limit).
pub const FINDINGS_PAGE: usize = 20;

/// `/tags/{resourceArn}`: the ARN as one path segment (its `:` and `/` percent-encoded, as
/// botocore sends a non-greedy URI label).
pub fn tags_path(resource_arn: &str) -> String {
    format!("/tags/{}", encode_component(resource_arn))
}

/// `UntagResource`'s path: [`tags_path`] with one `tagKeys` query parameter per key.
pub fn untag_path(resource_arn: &str, keys: &[String]) -> String {
    let query = keys
        .iter()
        .map(|k| format!("tagKeys={}", encode_component(k)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{}?{query}", tags_path(resource_arn))
}

/// Incidents per page of the incident list.
pub const INCIDENT_PAGE_SIZE: i32 = 50;

/// The `listIncidentRecords` input for one status and page (of [`INCIDENT_PAGE_SIZE`]).
pub fn list_by_status_input(
    status: IncidentRecordStatus,
    token: Option<String>,
) -> ListIncidentRecordsInput {
    ListIncidentRecordsInput {
        filters: Some(vec![Filter {
            key: "status".to_owned(),
            condition: Condition {
                equals: Some(AttributeValueList {
                    string_values: Some(vec![status.as_str().to_owned()]),
                    integer_values: None,
                }),
                ..Condition::default()
            },
        }]),
        max_results: Some(INCIDENT_PAGE_SIZE),
        next_token: token,
    }
}

impl Api {
    /// `POST /listIncidentRecords` (one page).
    pub async fn list_incident_records(
        &self,
        input: &ListIncidentRecordsInput,
    ) -> Result<ListIncidentRecordsOutput, ApiError> {
        self.post_json("/listIncidentRecords", input).await
    }

    /// `POST /startIncident`.
    pub async fn start_incident(
        &self,
        input: &StartIncidentInput,
    ) -> Result<StartIncidentOutput, ApiError> {
        self.post_json("/startIncident", input).await
    }

    /// `POST /updateIncidentRecord` (204).
    pub async fn update_incident_record(
        &self,
        input: &UpdateIncidentRecordInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/updateIncidentRecord", input).await
    }

    /// `POST /listTimelineEvents`.
    pub async fn list_timeline_events(
        &self,
        input: &ListTimelineEventsInput,
    ) -> Result<ListTimelineEventsOutput, ApiError> {
        self.post_json("/listTimelineEvents", input).await
    }

    /// `POST /createTimelineEvent` (201): a new `Custom Event` or `Note` entry.
    pub async fn create_timeline_event(
        &self,
        input: &CreateTimelineEventInput,
    ) -> Result<CreateTimelineEventOutput, ApiError> {
        self.post_json("/createTimelineEvent", input).await
    }

    /// `POST /updateTimelineEvent` (204): changes a `Custom Event` or `Note` entry.
    pub async fn update_timeline_event(
        &self,
        input: &UpdateTimelineEventInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/updateTimelineEvent", input).await
    }

    /// `POST /deleteTimelineEvent` (204): deletes a `Custom Event` or `Note` entry.
    pub async fn delete_timeline_event(
        &self,
        input: &DeleteTimelineEventInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/deleteTimelineEvent", input).await
    }

    /// `POST /updateRelatedItems` (204): attaches or detaches one related item.
    pub async fn update_related_items(
        &self,
        input: &UpdateRelatedItemsInput,
    ) -> Result<(), ApiError> {
        self.post_empty("/updateRelatedItems", input).await
    }

    /// `GET /tags/{resourceArn}`: a plan's or an incident's tags.
    pub async fn list_tags_for_resource(&self, resource_arn: &str) -> Result<TagMap, ApiError> {
        let out: ListTagsForResourceOutput = self.get_json(&tags_path(resource_arn)).await?;
        Ok(out.tags)
    }

    /// `POST /tags/{resourceArn}` (204): adds tags, replacing the values of keys it has.
    pub async fn tag_resource(&self, resource_arn: &str, tags: TagMap) -> Result<(), ApiError> {
        self.post_empty(&tags_path(resource_arn), &TagResourceBody { tags })
            .await
    }

    /// `DELETE /tags/{resourceArn}?tagKeys=…` (204): removes tags by key.
    pub async fn untag_resource(
        &self,
        resource_arn: &str,
        keys: &[String],
    ) -> Result<(), ApiError> {
        self.delete_empty(&untag_path(resource_arn, keys)).await
    }

    /// `POST /listIncidentFindings` (one page).
    pub async fn list_incident_findings(
        &self,
        input: &ListIncidentFindingsInput,
    ) -> Result<ListIncidentFindingsOutput, ApiError> {
        self.post_json("/listIncidentFindings", input).await
    }

    /// `POST /batchGetIncidentFindings`.
    pub async fn batch_get_incident_findings(
        &self,
        input: &BatchGetIncidentFindingsInput,
    ) -> Result<BatchGetIncidentFindingsOutput, ApiError> {
        self.post_json("/batchGetIncidentFindings", input).await
    }

    /// Every finding of an incident with its details, in the order `ListIncidentFindings`
    /// lists them: every page of ids, then their details [`FINDINGS_PAGE`] at a time. Ids the
    /// second call no longer finds (the window moved) are left out.
    pub async fn incident_findings(&self, arn: &str) -> Result<Vec<Finding>, ApiError> {
        let ids = all_pages(|next_token| async move {
            let input = ListIncidentFindingsInput {
                incident_record_arn: arn.to_owned(),
                max_results: Some(FINDINGS_PAGE as i32),
                next_token,
            };
            let page = self.list_incident_findings(&input).await?;
            Ok((
                page.findings.into_iter().map(|f| f.id).collect::<Vec<_>>(),
                page.next_token,
            ))
        })
        .await?;
        let mut findings = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(FINDINGS_PAGE) {
            let input = BatchGetIncidentFindingsInput {
                incident_record_arn: arn.to_owned(),
                finding_ids: chunk.to_vec(),
            };
            let mut got = self.batch_get_incident_findings(&input).await?.findings;
            got.sort_by_key(|f| chunk.iter().position(|id| *id == f.id));
            findings.extend(got);
        }
        Ok(findings)
    }

    /// `POST /listRelatedItems`.
    pub async fn list_related_items(
        &self,
        input: &ListRelatedItemsInput,
    ) -> Result<ListRelatedItemsOutput, ApiError> {
        self.post_json("/listRelatedItems", input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_paths_keep_the_arn_in_one_segment() {
        let arn = "arn:aws:ssm-incidents::1:incident-record/web/abc";
        assert_eq!(
            tags_path(arn),
            "/tags/arn%3Aaws%3Assm-incidents%3A%3A1%3Aincident-record%2Fweb%2Fabc"
        );
        assert_eq!(
            untag_path(arn, &["team".to_owned(), "a b&c".to_owned()]),
            format!("{}?tagKeys=team&tagKeys=a%20b%26c", tags_path(arn))
        );
    }

    #[test]
    fn status_filter_matches_the_documented_shape() {
        let input = list_by_status_input(IncidentRecordStatus::Open, None);
        let json = serde_json::to_value(&input).ok();
        assert_eq!(
            json,
            Some(serde_json::json!({
                "filters": [{"key": "status", "condition": {"equals": {"stringValues": ["OPEN"]}}}],
                "maxResults": 50
            }))
        );
    }
}
