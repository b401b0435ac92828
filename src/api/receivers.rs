//! Receivers (`/v1/receivers…`, admin), heartbeats (`/v1/heartbeats…`) and maintenance
//! windows (`/v1/maintenance-windows…`): what other tools push into Tocsin, the dead man's
//! switches that expect it, and the windows that suppress what it would start.
//!
//! A receiver's secret is shown once, in the answer to creating it ([`CreatedReceiver`]);
//! the list shows `<secret>` in its place.

use tocsin_api::receivers::{
    ById, ByName, CreateMaintenanceWindow, CreateReceiver, CreatedReceiver, Heartbeat,
    MaintenanceWindow, PutHeartbeat, Receiver, Suppression, UpdateReceiver,
};

use super::{Api, ApiError};
use crate::format::encode_component;

/// The `GET /v1/maintenance-windows/suppressions` path of one window.
pub fn suppressions_path(window_id: &str) -> String {
    format!(
        "/v1/maintenance-windows/suppressions?id={}",
        encode_component(window_id)
    )
}

impl Api {
    /// `GET /v1/receivers` (admin): every receiver with its counters and snippets (the
    /// secret reads `<secret>` in them).
    pub async fn list_receivers(&self) -> Result<Vec<Receiver>, ApiError> {
        self.get_json("/v1/receivers").await
    }

    /// `POST /v1/receivers/create` (admin): creates a receiver; the answer is the only
    /// place its secret is ever shown.
    pub async fn create_receiver(
        &self,
        input: &CreateReceiver,
    ) -> Result<CreatedReceiver, ApiError> {
        self.post_json("/v1/receivers/create", input).await
    }

    /// `POST /v1/receivers/update` (admin): replaces a receiver's settings.
    pub async fn update_receiver(&self, input: &UpdateReceiver) -> Result<Receiver, ApiError> {
        self.post_json("/v1/receivers/update", input).await
    }

    /// `POST /v1/receivers/delete` (admin): deletes a receiver (its URL stops answering).
    pub async fn delete_receiver(&self, name: &str) -> Result<(), ApiError> {
        let input = ByName {
            name: name.to_owned(),
        };
        self.post_empty("/v1/receivers/delete", &input).await
    }

    /// `GET /v1/heartbeats`: every heartbeat and where it stands.
    pub async fn list_heartbeats(&self) -> Result<Vec<Heartbeat>, ApiError> {
        self.get_json("/v1/heartbeats").await
    }

    /// `POST /v1/heartbeats` (admin): creates or replaces a heartbeat.
    pub async fn put_heartbeat(&self, input: &PutHeartbeat) -> Result<Heartbeat, ApiError> {
        self.post_json("/v1/heartbeats", input).await
    }

    /// `POST /v1/heartbeats/delete` (admin): deletes a heartbeat.
    pub async fn delete_heartbeat(&self, name: &str) -> Result<(), ApiError> {
        let input = ByName {
            name: name.to_owned(),
        };
        self.post_empty("/v1/heartbeats/delete", &input).await
    }

    /// `GET /v1/maintenance-windows`: every window with its status.
    pub async fn list_maintenance_windows(&self) -> Result<Vec<MaintenanceWindow>, ApiError> {
        self.get_json("/v1/maintenance-windows").await
    }

    /// `POST /v1/maintenance-windows` (responder): creates a window, from a pattern or from
    /// an incident's trigger (`fromIncidentArn`).
    pub async fn create_maintenance_window(
        &self,
        input: &CreateMaintenanceWindow,
    ) -> Result<MaintenanceWindow, ApiError> {
        self.post_json("/v1/maintenance-windows", input).await
    }

    /// `POST /v1/maintenance-windows/delete` (responder): deletes a window.
    pub async fn delete_maintenance_window(&self, id: &str) -> Result<(), ApiError> {
        let input = ById { id: id.to_owned() };
        self.post_empty("/v1/maintenance-windows/delete", &input)
            .await
    }

    /// `GET /v1/maintenance-windows/suppressions?id=…`: the events a window suppressed.
    pub async fn window_suppressions(&self, window_id: &str) -> Result<Vec<Suppression>, ApiError> {
        self.get_json(&suppressions_path(window_id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::receivers::{HeartbeatState, ReceiverKind, WindowStatus};

    #[test]
    fn request_shapes() {
        let create = CreateReceiver {
            name: "prom".to_owned(),
            kind: ReceiverKind::Alertmanager,
            event_bus_name: None,
            settings: None,
        };
        assert_eq!(
            serde_json::to_value(&create).ok(),
            Some(serde_json::json!({"name": "prom", "kind": "alertmanager"}))
        );
        assert_eq!(
            serde_json::to_value(ById {
                id: "mw-1".to_owned()
            })
            .ok(),
            Some(serde_json::json!({"id": "mw-1"}))
        );
        let from_incident = CreateMaintenanceWindow {
            from_incident_arn: Some("arn:i".to_owned()),
            duration_seconds: Some(3600),
            ..CreateMaintenanceWindow::default()
        };
        assert_eq!(
            serde_json::to_value(&from_incident).ok(),
            Some(serde_json::json!({"fromIncidentArn": "arn:i", "durationSeconds": 3600}))
        );
    }

    #[test]
    fn suppressions_path_encodes_the_id() {
        assert_eq!(
            suppressions_path("mw-1&x=2"),
            "/v1/maintenance-windows/suppressions?id=mw-1%26x%3D2"
        );
    }

    #[test]
    fn answer_shapes() {
        let created: CreatedReceiver = serde_json::from_str(
            r#"{"name":"prom","kind":"alertmanager","secret":"s3cr3t","url":"http://h/v1/receivers/alertmanager/prom",
                "receiver":{"name":"prom","kind":"alertmanager","eventBusName":"default",
                "url":"http://h/v1/receivers/alertmanager/prom","settings":{"autoResolve":true},
                "createdAt":1.0,"createdBy":"admin",
                "snippets":[{"title":"alertmanager.yml receiver","language":"yaml","text":"s3cr3t"}]}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(created.receiver.snippets[0].text, "s3cr3t");
        assert_eq!(created.receiver.event_count, 0);
        let beats: Vec<Heartbeat> = serde_json::from_str(
            r#"[{"name":"backup","eventPattern":"{}","eventBusName":"default","intervalSeconds":60,
                "state":"MISSED","missedAt":5.0,"createdAt":1.0}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(beats[0].state, HeartbeatState::Missed);
        let windows: Vec<MaintenanceWindow> = serde_json::from_str(
            r#"[{"id":"mw-1","name":"db","reason":"upgrade","eventPattern":"{}","startsAt":1.0,
                "durationSeconds":3600,"status":"ACTIVE","occurrence":[1.0,3601.0],
                "createdBy":"admin","createdAt":1.0}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(windows[0].status, WindowStatus::Active);
        assert_eq!(windows[0].occurrence, Some((1.0, 3601.0)));
    }
}
