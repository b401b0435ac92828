//! SQL for both backends: accepted events.

use async_trait::async_trait;

use tocsin_api::native::Change;

use super::Tx;
use crate::store::StoreResult;

#[async_trait]
impl crate::store::EventStore for Tx {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_event(
        &mut self,
        event_id: &str,
        event_bus_name: &str,
        received_at: f64,
        envelope: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO events (event_id, event_bus_name, received_at, body) VALUES ($1, $2, $3, $4)",
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
    async fn insert_events(&mut self, events: &[(String, String, f64, String)]) -> StoreResult<()> {
        // 4 variables a row: far below SQLite's 32,766 in the chunks written here.
        for chunk in events.chunks(1000) {
            let mut sql = sqlx::QueryBuilder::new("");
            push_event_rows(&mut sql, chunk);
            // Not cached: each batch size is its own statement text.
            sql.build().persistent(false).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn insert_events_announced(
        &mut self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<Option<i64>> {
        // Backend-specific: SQLite sends both inserts as one statement text.
        self.insert_events_and_feed(events, changes).await
    }

    async fn event(&mut self, event_id: &str) -> StoreResult<Option<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT event_bus_name, body FROM events WHERE event_id = $1")
                .bind(event_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }
}

/// Pushes `INSERT INTO events … VALUES …` for `events` (`(event_id, event_bus_name,
/// received_at, body)`, 4 variables a row) onto `sql`.
pub(super) fn push_event_rows<'a>(
    sql: &mut sqlx::QueryBuilder<'a, super::Db>,
    events: &'a [(String, String, f64, String)],
) {
    sql.push("INSERT INTO events (event_id, event_bus_name, received_at, body) ");
    sql.push_values(events, |mut row, (id, bus, at, body)| {
        row.push_bind(id)
            .push_bind(bus)
            .push_bind(*at)
            .push_bind(body);
    });
}
