//! SQLite: The change feed and client tokens.

use async_trait::async_trait;
use tocsin_api::native::Change;

use super::SqliteTx;
use super::rows::{encode, unique_violation};
use crate::clock;
use crate::store::{Expiring, StoreResult};

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
    async fn append_changes(&mut self, changes: &[Change]) -> StoreResult<Option<i64>> {
        let at = clock::now();
        let mut last = None;
        for chunk in changes.chunks(1000) {
            let bodies = chunk
                .iter()
                .map(encode)
                .collect::<StoreResult<Vec<String>>>()?;
            let mut sql = sqlx::QueryBuilder::new("");
            push_feed_rows(&mut sql, &bodies, at);
            last = self.insert_feed_rows(sql, bodies.len()).await?.or(last);
        }
        Ok(last)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn prune_expired(&mut self, what: Expiring, before: f64, limit: i64) -> StoreResult<u64> {
        let sql = match what {
            Expiring::Events => {
                "DELETE FROM events WHERE event_id IN (SELECT event_id FROM events \
                 WHERE received_at < ? ORDER BY received_at LIMIT ?)"
            }
            // Ids grow with commit time: the oldest rows come first in id order.
            Expiring::Feed => {
                "DELETE FROM change_feed WHERE id IN (SELECT id FROM change_feed \
                 WHERE at < ? ORDER BY id LIMIT ?)"
            }
            Expiring::Delivered => {
                "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries \
                 WHERE status = 'DELIVERED' AND next_attempt_at < ? ORDER BY next_attempt_at LIMIT ?)"
            }
            Expiring::ClientTokens => {
                "DELETE FROM client_tokens WHERE rowid IN (SELECT rowid FROM client_tokens \
                 WHERE created_at < ? ORDER BY created_at LIMIT ?)"
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

/// Pushes `INSERT INTO change_feed (at, body) VALUES … RETURNING id` for `bodies` (encoded
/// changes, all at `at`, 2 variables a row) onto `sql`.
pub(super) fn push_feed_rows<'a>(
    sql: &mut sqlx::QueryBuilder<'a, sqlx::Sqlite>,
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
        mut sql: sqlx::QueryBuilder<'_, sqlx::Sqlite>,
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
}
