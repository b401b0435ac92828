//! ssm-incidents incident records: list, start, update, timeline, related items.

use tocsin_api::incidents::{
    AttributeValueList, Condition, Filter, IncidentRecordStatus, ListIncidentRecordsInput,
    ListIncidentRecordsOutput, ListRelatedItemsInput, ListRelatedItemsOutput,
    ListTimelineEventsInput, ListTimelineEventsOutput, StartIncidentInput, StartIncidentOutput,
    UpdateIncidentRecordInput,
};

use super::{Api, ApiError};

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
