//! SQLite: The change feed and client tokens.

use async_trait::async_trait;
use tocsin_api::native::Change;

use super::SqliteTx;
use super::rows::{encode, unique_violation};
use crate::clock;
use crate::store::StoreResult;

#[async_trait]
impl crate::store::FeedStore for SqliteTx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn append_change(&mut self, change: &Change) -> StoreResult<i64> {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO change_feed (at, body) VALUES (?, ?) RETURNING id")
                .bind(clock::now())
                .bind(encode(change)?)
                .fetch_one(&mut *self.tx)
                .await?;
        self.last_change = Some(id);
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn client_token(&mut self, operation: &str, token: &str) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT result FROM client_tokens WHERE operation = ? AND token = ?",
            )
            .bind(operation)
            .bind(token)
            .fetch_optional(&mut *self.tx)
            .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_client_token(
        &mut self,
        operation: &str,
        token: &str,
        result: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO client_tokens (operation, token, result, created_at) VALUES (?, ?, ?, ?)",
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
