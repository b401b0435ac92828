//! SQLite: Accepted events.

use async_trait::async_trait;

use super::SqliteTx;
use crate::store::StoreResult;

#[async_trait]
impl crate::store::EventStore for SqliteTx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_event(
        &mut self,
        event_id: &str,
        event_bus_name: &str,
        received_at: f64,
        envelope: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO events (event_id, event_bus_name, received_at, body) VALUES (?, ?, ?, ?)",
        )
        .bind(event_id)
        .bind(event_bus_name)
        .bind(received_at)
        .bind(envelope)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn event(&mut self, event_id: &str) -> StoreResult<Option<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT event_bus_name, body FROM events WHERE event_id = ?")
                .bind(event_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }
}
