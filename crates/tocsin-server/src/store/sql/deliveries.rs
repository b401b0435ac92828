//! SQL for both backends: the HTTP delivery outbox.

use async_trait::async_trait;
use tocsin_api::native::{Delivery, DeliveryStatus};

use super::Tx;
use super::rows::{bodies, encode};
use crate::store::StoreResult;

#[async_trait]
impl crate::store::DeliveryStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_delivery(&mut self, delivery: &mut Delivery) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deliveries (status, next_attempt_at, body) VALUES ($1, $2, '{}') RETURNING id",
        )
        .bind(delivery.status.as_str())
        .bind(delivery.created_at)
        .fetch_one(&mut *self.tx)
        .await?;
        delivery.id = id;
        sqlx::query("UPDATE deliveries SET body = $1 WHERE id = $2")
            .bind(encode(&*delivery)?)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_delivery(
        &mut self,
        delivery: &Delivery,
        next_attempt_at: f64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET status = $1, next_attempt_at = $2, body = $3 WHERE id = $4",
        )
        .bind(delivery.status.as_str())
        .bind(next_attempt_at)
        .bind(encode(delivery)?)
        .bind(delivery.id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn due_delivery_rows(&mut self, now: f64, limit: i64) -> StoreResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, body FROM deliveries WHERE status = 'PENDING' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn deliveries(
        &mut self,
        status: Option<DeliveryStatus>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>> {
        bodies(sqlx::query_scalar(
            "SELECT body FROM deliveries WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(status.map(DeliveryStatus::as_str))
        .bind(limit), &mut self.tx).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_delivery_at(&mut self) -> StoreResult<Option<f64>> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'PENDING'",
        )
        .fetch_one(&mut *self.tx)
        .await?)
    }
}
