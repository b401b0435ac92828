//! Tocsin's own endpoints: the wall snapshot, an incident with everything about it,
//! acknowledging an incident, an incident's recent changes, health.

use serde::{Deserialize, Serialize};
use tocsin_api::native::{
    AcknowledgeIncident, Acknowledgement, Health, IncidentDetail, WallSnapshot,
};

use super::{Api, ApiError};
use crate::format::encode_component;

impl Api {
    /// `GET /v1/wall`: open incidents and the change-feed position they reflect.
    pub async fn wall(&self) -> Result<WallSnapshot, ApiError> {
        self.get_json("/v1/wall").await
    }

    /// `GET /v1/wall?at=…`: the wall as it stood at `at` (epoch seconds), replayed from the
    /// change feed; a 400 when `at` lies before the feed's horizon.
    pub async fn wall_at(&self, at: f64) -> Result<WallSnapshot, ApiError> {
        self.get_json(&format!("/v1/wall?at={at:.3}")).await
    }

    /// `GET /v1/incident?arn=…`: one incident with its timeline and related items.
    pub async fn incident_detail(&self, arn: &str) -> Result<IncidentDetail, ApiError> {
        self.get_json(&format!("/v1/incident?arn={}", encode_component(arn)))
            .await
    }

    /// `POST /v1/incidents/acknowledge` (responder): acknowledges an incident, with an
    /// optional note and expiry; answers the acknowledgement now in force.
    pub async fn acknowledge_incident(
        &self,
        input: &AcknowledgeIncident,
    ) -> Result<Acknowledgement, ApiError> {
        self.post_json("/v1/incidents/acknowledge", input).await
    }

    /// `GET /v1/incidents/recent-changes?arn=…`: the change events kept around the
    /// incident's time, newest first.
    pub async fn recent_changes(&self, arn: &str) -> Result<Vec<RecentChange>, ApiError> {
        self.get_json(&format!(
            "/v1/incidents/recent-changes?arn={}",
            encode_component(arn)
        ))
        .await
    }

    /// `GET /v1/insights?days=N[&responsePlanArn=…]`: how incidents went over the last
    /// `days` days (opened per day by impact, response times per plan, noisiest triggers
    /// and plans, dedupe ratio).
    pub async fn insights(
        &self,
        days: u32,
        plan: Option<&str>,
    ) -> Result<tocsin_api::insights::Insights, ApiError> {
        let mut path = format!("/v1/insights?days={days}");
        if let Some(plan) = plan.filter(|p| !p.is_empty()) {
            path.push_str("&responsePlanArn=");
            path.push_str(&encode_component(plan));
        }
        self.get_json(&path).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, ApiError> {
        self.get_json("/healthz").await
    }
}

/// One change event around an incident's time, as `GET /v1/incidents/recent-changes`
/// answers it: a CodeDeploy or CloudFormation change, or an event matching an admin-set
/// change pattern. Every text member is untrusted (it comes from the event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentChange {
    /// The event's id.
    #[serde(default)]
    pub event_id: Option<String>,
    /// When it happened (its `time`, else when it reached the bus), epoch seconds.
    pub time: f64,
    /// Its `source`.
    #[serde(default)]
    pub source: Option<String>,
    /// Its `detail-type`.
    #[serde(default)]
    pub detail_type: Option<String>,
    /// Its `resources`.
    #[serde(default)]
    pub resources: Option<Vec<String>>,
    /// Whether it names one of the incident's related resources.
    #[serde(default)]
    pub involved: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_changes_read_the_documented_shape() {
        let body = r#"[{"eventId":"e1","time":1.5,"source":"aws.codedeploy",
            "detailType":"CodeDeploy Deployment State-change Notification",
            "resources":["arn:a"],"involved":true},
            {"eventId":null,"time":2,"source":"my.flags","detailType":"Flip","resources":null,"involved":false}]"#;
        let changes: Vec<RecentChange> = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes[0].resources.as_deref(),
            Some(&["arn:a".to_owned()][..])
        );
        assert!(changes[0].involved);
        assert_eq!(changes[1].event_id, None);
        assert_eq!(changes[1].resources, None);
    }
}
