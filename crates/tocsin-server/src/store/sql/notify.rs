//! SQL for both backends: topics, subscriptions and the notification outbox.

use async_trait::async_trait;

use super::Tx;
use super::rows::{bodies, body, encode, touched};
use crate::store::{StoreResult, StoredNotification, StoredSubscription, StoredTopic};

#[async_trait]
impl crate::store::NotifyStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_topic(&mut self, t: &StoredTopic) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO topics (arn, created_at, body) VALUES ($1, $2, $3) \
             ON CONFLICT (arn) DO UPDATE SET body = $3",
        )
        .bind(&t.arn)
        .bind(t.created_at)
        .bind(encode(t)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn topic(&mut self, arn: &str) -> StoreResult<Option<StoredTopic>> {
        body(
            sqlx::query_scalar("SELECT body FROM topics WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn topics(&mut self, after: &str, limit: i64) -> StoreResult<Vec<StoredTopic>> {
        bodies(
            sqlx::query_scalar("SELECT body FROM topics WHERE arn > $1 ORDER BY arn LIMIT $2")
                .bind(after)
                .bind(limit),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_topic(&mut self, arn: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM subscriptions WHERE topic_arn = $1")
            .bind(arn)
            .execute(&mut *self.tx)
            .await?;
        touched(
            sqlx::query("DELETE FROM topics WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_subscription(&mut self, s: &StoredSubscription) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO subscriptions (arn, topic_arn, token, created_at, body) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arn) DO UPDATE SET token = $3, body = $5",
        )
        .bind(&s.arn)
        .bind(&s.topic_arn)
        .bind(&s.token)
        .bind(s.created_at)
        .bind(encode(s)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn subscription(&mut self, arn: &str) -> StoreResult<Option<StoredSubscription>> {
        body(
            sqlx::query_scalar("SELECT body FROM subscriptions WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn subscription_by_token(
        &mut self,
        token: &str,
    ) -> StoreResult<Option<StoredSubscription>> {
        body(
            sqlx::query_scalar("SELECT body FROM subscriptions WHERE token = $1").bind(token),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn subscriptions(&mut self, topic_arn: &str) -> StoreResult<Vec<StoredSubscription>> {
        bodies(
            sqlx::query_scalar(
                "SELECT body FROM subscriptions WHERE topic_arn = $1 ORDER BY created_at, arn",
            )
            .bind(topic_arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_subscription(&mut self, arn: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM subscriptions WHERE arn = $1").bind(arn),
            &mut self.tx,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_notification(&mut self, n: &mut StoredNotification) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO notifications (status, next_attempt_at, incident_arn, body) \
             VALUES ($1, $2, $3, '{}') RETURNING id",
        )
        .bind(n.delivery.status.as_str())
        .bind(n.next_attempt_at)
        .bind(&n.delivery.incident_arn)
        .fetch_one(&mut *self.tx)
        .await?;
        n.delivery.id = id;
        self.update_notification(n).await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_notification(&mut self, n: &StoredNotification) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET status = $1, next_attempt_at = $2, body = $3 WHERE id = $4",
        )
        .bind(n.delivery.status.as_str())
        .bind(n.next_attempt_at)
        .bind(encode(n)?)
        .bind(n.delivery.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_notification_rows(
        &mut self,
        now: f64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, body FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_notification_at(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM notifications WHERE status = 'PENDING'",
        )
        .fetch_one(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn notifications(
        &mut self,
        incident_arn: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<StoredNotification>> {
        match incident_arn {
            Some(arn) => {
                bodies(
                    sqlx::query_scalar(
                        "SELECT body FROM notifications WHERE incident_arn = $1 ORDER BY id DESC LIMIT $2",
                    )
                    .bind(arn)
                    .bind(limit),
                    &mut self.tx,
                )
                .await
            }
            None => {
                bodies(
                    sqlx::query_scalar("SELECT body FROM notifications ORDER BY id DESC LIMIT $1")
                        .bind(limit),
                    &mut self.tx,
                )
                .await
            }
        }
    }
}
