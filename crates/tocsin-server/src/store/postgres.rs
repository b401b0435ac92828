//! PostgreSQL, the backend for several nodes on one database (issue 14): so far its schema
//! and migrations, applied by `tocsin migrate`; the store traits are not implemented on it
//! yet, so `serve` refuses a `postgres://` URL with a reason (see [`super::open`]).
//!
//! The schema (`migrations/postgres`) has the same tables, columns and indexes as the SQLite
//! one, plus `feed_head`, which hands out change-feed ids in commit order across nodes (the
//! mechanism is described in the migration and in `ARCHITECTURE.md`).

use std::time::Duration;

use sqlx::{Connection, PgConnection};

use super::{StoreError, StoreResult};

/// How long [`migrate`] waits for the server to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `url` names a PostgreSQL database (`postgres://…` or `postgresql://…`, libpq's
/// two spellings).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Applies every migration in `migrations/postgres` that the database at `url` has not had,
/// and returns the versions it has now, oldest first.
///
/// Safe when several nodes start at once: sqlx's migrator holds a PostgreSQL advisory lock
/// while it checks and applies, so one node migrates and the others then find nothing to
/// do. Errors: `Database` when the server refuses the connection or the credentials, does
/// not answer within 10 s, or a migration fails (it is rolled back, and the database keeps
/// the versions before it).
pub async fn migrate(url: &str) -> StoreResult<Vec<i64>> {
    // One connection, not a pool: a pool would retry until its timeout and report only
    // that, where the connection's own error ("connection refused", a bad password) says why.
    let mut conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url))
        .await
        .map_err(|_| {
            StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )))
        })??;
    sqlx::migrate!("./migrations/postgres")
        .run(&mut conn)
        .await
        .map_err(|e| StoreError::Database(e.into()))?;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await?;
    conn.close().await?;
    Ok(versions)
}

#[cfg(test)]
mod tests {
    use super::is_postgres_url;

    #[test]
    fn both_libpq_spellings_are_postgres_and_nothing_else_is() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("postgresql://u@h:5433/db?sslmode=disable"));
        assert!(!is_postgres_url("sqlite://./data/tocsin.db"));
        assert!(!is_postgres_url("mysql://h/db"));
        assert!(!is_postgres_url("POSTGRES"));
    }
}
