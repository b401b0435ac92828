//! SQLite: appending to the change feed (AUTOINCREMENT ids: one writer at a time commits,
//! so ids follow commit order), and events with their feed entries in one statement text.

use sqlx::Sqlite;
use tocsin_api::native::Change;

use super::SqliteTx;
use super::events::push_event_rows;
use super::rows::encode;
use crate::clock;
use crate::store::{FeedStore, StoreResult};

/// Pushes `INSERT INTO change_feed (at, body) VALUES … RETURNING id` for `bodies` (encoded
/// changes, all at `at`, 2 variables a row) onto `sql`.
pub(super) fn push_feed_rows<'a>(
    sql: &mut sqlx::QueryBuilder<'a, Sqlite>,
    bodies: &'a [String],
    at: f64,
) {
    sql.push("INSERT INTO change_feed (at, body) ");
    sql.push_values(bodies, |mut row, body| {
        row.push_bind(at).push_bind(body);
    });
    sql.push(" RETURNING id");
}

impl SqliteTx {
    /// Runs `sql`, which ends with [`push_feed_rows`] for `expected` entries (statement text
    /// not cached: each batch size is its own text); returns the highest feed id and records
    /// it as the transaction's last change.
    ///
    /// Errors: database errors; a protocol error when not `expected` ids came back.
    pub(super) async fn insert_feed_rows(
        &mut self,
        mut sql: sqlx::QueryBuilder<'_, Sqlite>,
        expected: usize,
    ) -> StoreResult<Option<i64>> {
        let ids: Vec<i64> = sql
            .build_query_scalar()
            .persistent(false)
            .fetch_all(&mut *self.tx)
            .await?;
        if ids.len() != expected {
            return Err(crate::store::StoreError::Database(sqlx::Error::Protocol(
                format!("{} feed ids for {expected} entries", ids.len()),
            )));
        }
        let last = ids.into_iter().max();
        if last.is_some() {
            self.last_change = last;
        }
        Ok(last)
    }

    /// Appends `bodies` (encoded changes, at most 1,000) to the change feed at `at`; returns
    /// the highest id given, none for no bodies. The shared feed code's backend half.
    pub(super) async fn insert_feed(
        &mut self,
        bodies: &[String],
        at: f64,
    ) -> StoreResult<Option<i64>> {
        match bodies {
            [] => return Ok(None),
            // The common case, as a cached statement.
            [body] => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO change_feed (at, body) VALUES ($1, $2) RETURNING id",
                )
                .bind(at)
                .bind(body)
                .fetch_one(&mut *self.tx)
                .await?;
                self.last_change = Some(id);
                return Ok(Some(id));
            }
            _ => {}
        }
        let mut sql = sqlx::QueryBuilder::new("");
        push_feed_rows(&mut sql, bodies, at);
        self.insert_feed_rows(sql, bodies.len()).await
    }

    /// [`crate::store::EventStore::insert_events_announced`]: one statement text of two
    /// statements, their variables bound in order (sqlx binds a multi-statement query's
    /// arguments across its statements); within SQLite's 32,766 variables up to these
    /// sizes, else the two calls.
    pub(super) async fn insert_events_and_feed(
        &mut self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<Option<i64>> {
        use crate::store::EventStore;
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
}
