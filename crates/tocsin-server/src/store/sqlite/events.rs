//! SQLite: Accepted events.

use async_trait::async_trait;

use tocsin_api::native::Change;

use super::SqliteTx;
use super::feed::push_feed_rows;
use super::rows::encode;
use crate::clock;
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
        use crate::store::FeedStore;
        // One statement text of two statements, their variables bound in order (sqlx binds
        // a multi-statement query's arguments across its statements); within SQLite's
        // 32,766 variables up to these sizes, else the two calls.
        if events.is_empty() || changes.is_empty() || events.len() > 1000 || changes.len() > 1000 {
            self.insert_events(events).await?;
            return self.append_changes(changes).await;
        }
        let at = clock::now();
        let bodies = changes
            .iter()
            .map(encode)
            .collect::<StoreResult<Vec<String>>>()?;
        let mut sql = sqlx::QueryBuilder::new("");
        push_event_rows(&mut sql, events);
        sql.push("; ");
        push_feed_rows(&mut sql, &bodies, at);
        self.insert_feed_rows(sql, bodies.len()).await
    }

    async fn event(&mut self, event_id: &str) -> StoreResult<Option<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT event_bus_name, body FROM events WHERE event_id = ?")
                .bind(event_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }
}

/// Pushes `INSERT INTO events … VALUES …` for `events` (`(event_id, event_bus_name,
/// received_at, body)`, 4 variables a row) onto `sql`.
fn push_event_rows<'a>(
    sql: &mut sqlx::QueryBuilder<'a, sqlx::Sqlite>,
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
