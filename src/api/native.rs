//! Tocsin's own endpoints: the wall snapshot, an incident with everything about it,
//! acknowledging an incident, health.

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

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, ApiError> {
        self.get_json("/healthz").await
    }
}
