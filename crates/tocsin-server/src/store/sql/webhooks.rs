//! SQL for both backends: outbound webhooks (sealed URL and headers).

use async_trait::async_trait;
use sqlx::Row;

use super::Tx;
use super::rows::touched;
use crate::store::{StoreResult, StoredWebhook};

fn from_row(row: &super::DbRow) -> StoredWebhook {
    StoredWebhook {
        name: row.get("name"),
        created_at: row.get("created_at"),
        created_by: row.get("created_by"),
        nonce: row.get("nonce"),
        sealed: row.get("sealed"),
    }
}

#[async_trait]
impl crate::store::WebhookStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn put_webhook(&mut self, w: &StoredWebhook) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO outbound_webhooks (name, created_at, created_by, nonce, sealed) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET \
             created_at = $2, created_by = $3, nonce = $4, sealed = $5",
        )
        .bind(&w.name)
        .bind(w.created_at)
        .bind(&w.created_by)
        .bind(&w.nonce)
        .bind(&w.sealed)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook(&mut self, name: &str) -> StoreResult<Option<StoredWebhook>> {
        Ok(
            sqlx::query("SELECT * FROM outbound_webhooks WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *self.tx)
                .await?
                .as_ref()
                .map(from_row),
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhooks(&mut self) -> StoreResult<Vec<StoredWebhook>> {
        Ok(sqlx::query("SELECT * FROM outbound_webhooks ORDER BY name")
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(from_row)
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_webhook(&mut self, name: &str) -> StoreResult<bool> {
        touched(
            sqlx::query("DELETE FROM outbound_webhooks WHERE name = $1").bind(name),
            &mut self.tx,
        )
        .await
    }
}
