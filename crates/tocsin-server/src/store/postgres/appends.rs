//! PostgreSQL: appending to the change feed. Ids come from `feed_head` (`UPDATE … RETURNING`
//! in the same statement as the insert): the row lock it takes is held until the
//! transaction ends, so the next writer's ids wait for this one's commit and a reader never
//! sees id N+1 before id N (the writer lock already serialises writers; this keeps the
//! promise even for a write outside it).

use tocsin_api::native::Change;

use super::PgTx;
use crate::store::{EventStore, FeedStore, StoreError, StoreResult};

impl PgTx {
    /// Appends `bodies` (encoded changes) to the change feed at `at` in one statement;
    /// returns the highest id given, none for no bodies. The shared feed code's backend half.
    pub(super) async fn insert_feed(
        &mut self,
        bodies: &[String],
        at: f64,
    ) -> StoreResult<Option<i64>> {
        if bodies.is_empty() {
            return Ok(None);
        }
        let count = i64::try_from(bodies.len())
            .map_err(|_| StoreError::Corrupt("too many change-feed entries".into()))?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "WITH head AS (UPDATE feed_head SET last_id = last_id + $1 RETURNING last_id) \
             INSERT INTO change_feed (id, at, body) \
             SELECT head.last_id - $1 + b.n, $2, b.body \
             FROM head, unnest($3::text[]) WITH ORDINALITY AS b(body, n) RETURNING id",
        )
        .bind(count)
        .bind(at)
        .bind(bodies)
        .fetch_all(&mut *self.tx)
        .await?;
        if ids.len() != bodies.len() {
            return Err(StoreError::Database(sqlx::Error::Protocol(format!(
                "{} feed ids for {} entries",
                ids.len(),
                bodies.len()
            ))));
        }
        let last = ids.into_iter().max();
        if last.is_some() {
            self.last_change = last;
        }
        Ok(last)
    }

    /// [`EventStore::insert_events_announced`]: the events, then their feed entries (a
    /// prepared statement holds one SQL statement in PostgreSQL).
    pub(super) async fn insert_events_and_feed(
        &mut self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<Option<i64>> {
        self.insert_events(events).await?;
        self.append_changes(changes).await
    }
}
