//! SQL for both backends: the change feed and client tokens.

use async_trait::async_trait;
use tocsin_api::native::Change;

use super::Tx;
use super::rows::{encode, unique_violation};
use crate::clock;
use crate::store::{Expiring, StoreError, StoreResult};

#[async_trait]
impl crate::store::FeedStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_change(&mut self, change: &Change) -> StoreResult<i64> {
        self.insert_feed(&[encode(change)?], clock::now())
            .await?
            .ok_or_else(|| StoreError::Corrupt("no change-feed id for one entry".into()))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_changes(&mut self, changes: &[Change]) -> StoreResult<Option<i64>> {
        let at = clock::now();
        let mut last = None;
        for chunk in changes.chunks(1000) {
            let bodies = chunk
                .iter()
                .map(encode)
                .collect::<StoreResult<Vec<String>>>()?;
            last = self.insert_feed(&bodies, at).await?.or(last);
        }
        Ok(last)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn prune_expired(&mut self, what: Expiring, before: f64, limit: i64) -> StoreResult<u64> {
        let sql = match what {
            Expiring::Events => {
                "DELETE FROM events WHERE event_id IN (SELECT event_id FROM events \
                 WHERE received_at < $1 ORDER BY received_at LIMIT $2)"
            }
            // Ids grow with commit time: the oldest rows come first in id order.
            Expiring::Feed => {
                "DELETE FROM change_feed WHERE id IN (SELECT id FROM change_feed \
                 WHERE at < $1 ORDER BY id LIMIT $2)"
            }
            Expiring::Delivered => {
                "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries \
                 WHERE status = 'DELIVERED' AND next_attempt_at < $1 ORDER BY next_attempt_at LIMIT $2)"
            }
            Expiring::ClientTokens => {
                "DELETE FROM client_tokens WHERE (operation, token) IN \
                 (SELECT operation, token FROM client_tokens \
                 WHERE created_at < $1 ORDER BY created_at LIMIT $2)"
            }
        };
        Ok(sqlx::query(sql)
            .bind(before)
            .bind(limit)
            .execute(&mut *self.tx)
            .await?
            .rows_affected())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn client_token(&mut self, operation: &str, token: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT result FROM client_tokens WHERE operation = $1 AND token = $2",
        )
        .bind(operation)
        .bind(token)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_client_token(
        &mut self,
        operation: &str,
        token: &str,
    ) -> StoreResult<Option<(String, f64)>> {
        Ok(sqlx::query_as(
            "DELETE FROM client_tokens WHERE operation = $1 AND token = $2 \
             RETURNING result, created_at",
        )
        .bind(operation)
        .bind(token)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_client_token(
        &mut self,
        operation: &str,
        token: &str,
        result: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_tokens (operation, token, result, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(operation)
        .bind(token)
        .bind(result)
        .bind(clock::now())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| unique_violation(e, format!("client token {token}")))?;
        Ok(())
    }
}
