//! Topics and notifications (`/v1/topics…`, `/v1/notifications`): the topics response
//! plans notify, their subscriptions, test messages, and an incident's delivery log.
//!
//! A chat subscription's endpoint (a `slack` or `msteams` incoming-webhook URL) is a
//! write-only secret: it is sent when subscribing and comes back as
//! [`tocsin_api::sns::REDACTED_ENDPOINT`].

use tocsin_api::sns::{
    CreateTopic, NotificationDelivery, SubscribeEndpoint, SubscriptionRef, TestTopic,
    TestTopicResult, TopicRef, TopicView,
};

use super::{Api, ApiError};
use crate::format::encode_component;

/// The `GET /v1/notifications` path of one incident's delivery log.
pub fn notifications_path(incident_arn: &str) -> String {
    format!(
        "/v1/notifications?incidentArn={}",
        encode_component(incident_arn)
    )
}

impl Api {
    /// `GET /v1/topics`: every topic with its subscriptions (chat webhook URLs redacted).
    pub async fn list_topics(&self) -> Result<Vec<TopicView>, ApiError> {
        self.get_json("/v1/topics").await
    }

    /// `POST /v1/topics/create` (admin): creates a topic, or returns the one of that name.
    pub async fn create_topic(&self, input: &CreateTopic) -> Result<TopicRef, ApiError> {
        self.post_json("/v1/topics/create", input).await
    }

    /// `POST /v1/topics/delete` (admin, 204): deletes a topic and its subscriptions.
    pub async fn delete_topic(&self, topic_arn: &str) -> Result<(), ApiError> {
        let input = TopicRef {
            topic_arn: topic_arn.to_owned(),
        };
        self.post_empty("/v1/topics/delete", &input).await
    }

    /// `POST /v1/topics/subscribe`: subscribes an endpoint. The answer's ARN is
    /// `"pending confirmation"` until an `http`, `https` or `email` subscriber confirms.
    pub async fn subscribe(&self, input: &SubscribeEndpoint) -> Result<SubscriptionRef, ApiError> {
        self.post_json("/v1/topics/subscribe", input).await
    }

    /// `POST /v1/topics/unsubscribe` (204): removes a confirmed subscription.
    pub async fn unsubscribe(&self, subscription_arn: &str) -> Result<(), ApiError> {
        let input = SubscriptionRef {
            subscription_arn: subscription_arn.to_owned(),
        };
        self.post_empty("/v1/topics/unsubscribe", &input).await
    }

    /// `POST /v1/topics/test`: queues a test message to every confirmed subscription.
    pub async fn send_test_message(&self, topic_arn: &str) -> Result<TestTopicResult, ApiError> {
        let input = TestTopic {
            topic_arn: topic_arn.to_owned(),
        };
        self.post_json("/v1/topics/test", &input).await
    }

    /// `GET /v1/notifications?incidentArn=…`: an incident's notification deliveries, newest
    /// first, each with its attempts.
    pub async fn incident_notifications(
        &self,
        incident_arn: &str,
    ) -> Result<Vec<NotificationDelivery>, ApiError> {
        self.get_json(&notifications_path(incident_arn)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tocsin_api::delivery::DeliveryStatus;

    #[test]
    fn request_shapes() {
        let create = CreateTopic {
            name: "ops".to_owned(),
            display_name: Some("Ops".to_owned()),
        };
        assert_eq!(
            serde_json::to_value(&create).ok(),
            Some(serde_json::json!({"name": "ops", "displayName": "Ops"}))
        );
        let bare = CreateTopic {
            name: "ops".to_owned(),
            display_name: None,
        };
        assert_eq!(
            serde_json::to_value(&bare).ok(),
            Some(serde_json::json!({"name": "ops"}))
        );
        let subscribe = SubscribeEndpoint {
            topic_arn: "arn:t".to_owned(),
            protocol: "slack".to_owned(),
            endpoint: "https://hooks.slack.com/x".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&subscribe).ok(),
            Some(serde_json::json!({
                "topicArn": "arn:t",
                "protocol": "slack",
                "endpoint": "https://hooks.slack.com/x"
            }))
        );
        assert_eq!(
            serde_json::to_value(TestTopic {
                topic_arn: "arn:t".to_owned()
            })
            .ok(),
            Some(serde_json::json!({"topicArn": "arn:t"}))
        );
        assert_eq!(
            serde_json::to_value(SubscriptionRef {
                subscription_arn: "arn:t:1".to_owned()
            })
            .ok(),
            Some(serde_json::json!({"subscriptionArn": "arn:t:1"}))
        );
    }

    #[test]
    fn notifications_path_encodes_the_arn() {
        assert_eq!(
            notifications_path("arn:aws:ssm-incidents::000000000000:incident-record/p/1"),
            "/v1/notifications?incidentArn=arn%3Aaws%3Assm-incidents%3A%3A000000000000%3Aincident-record%2Fp%2F1"
        );
    }

    #[test]
    fn answer_shapes() {
        let topics: Vec<TopicView> = serde_json::from_str(
            r#"[{"topicArn":"arn:aws:sns:us-east-1:000000000000:ops","name":"ops","displayName":"",
                "subscriptions":[{"subscriptionArn":"arn:aws:sns:us-east-1:000000000000:ops:1",
                "topicArn":"arn:aws:sns:us-east-1:000000000000:ops","protocol":"slack",
                "endpoint":"REDACTED","pendingConfirmation":false,"rawMessageDelivery":false}],
                "tags":{}}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(topics[0].subscriptions[0].endpoint, "REDACTED");
        let result: TestTopicResult = serde_json::from_str(r#"{"messageId":"m","deliveries":2}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(result.deliveries, 2);
        let log: Vec<NotificationDelivery> = serde_json::from_str(
            r#"[{"id":3,"messageId":"m","kind":"Notification","topicArn":"arn:aws:sns:us-east-1:000000000000:ops",
                "subscriptionArn":"arn:aws:sns:us-east-1:000000000000:ops:1","protocol":"slack",
                "endpoint":"REDACTED","incidentArn":"arn:i","subject":"Incident opened",
                "status":"FAILED","attempts":[{"at":1.5,"ok":false,"code":500,"error":"HTTP 500"}],
                "maxAttempts":5,"createdAt":1.0,"updatedAt":2.0}]"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(log[0].status, DeliveryStatus::Failed);
        assert_eq!(log[0].attempts[0].code, Some(500));
    }
}
