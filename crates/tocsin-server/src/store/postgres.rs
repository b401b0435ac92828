//! PostgreSQL, the backend for several nodes on one database (issue 14).
//!
//! The schema (`migrations/postgres`) has the same tables, columns and indexes as the SQLite
//! one, plus `feed_head`, which hands out change-feed ids in commit order across nodes (the
//! mechanism is described in the migration and in `ARCHITECTURE.md`). The SQL of every
//! store trait is the SQLite backend's, shared through `sql/` and compiled here against
//! PostgreSQL's types; what differs is in [`dialect`] and in this file.
//!
//! **Writers are serialised across nodes** by a transaction-scoped advisory lock
//! ([`WRITER_LOCK`]) taken when a write transaction begins: every invariant the SQLite
//! backend gets from its single writer (read-then-write engines, dedupe merging, the audit
//! chain's order, idempotency tokens) holds across nodes the same way, and the database's
//! constraints (the one-open-incident-per-dedupe-string index, primary keys) back them up.
//! Readers run at `REPEATABLE READ`: one snapshot per read transaction, as SQLite's WAL
//! gives. A commit that appended to the change feed sends `NOTIFY tocsin_feed` with its
//! newest id; every node LISTENs and wakes its feed tailer and workers from it.

#![allow(
    clippy::duplicate_mod,
    reason = "the shared SQL in `sql/` is compiled once per backend, on purpose"
)]

mod appends;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};
use tocsin_api::native::Change;
use tokio::sync::watch;

use super::{FeedRow, Store, StoreError, StoreResult, StoreTx};

// The SQL both backends share (`sql/`), compiled against PostgreSQL's types.
#[path = "sql/audit.rs"]
mod audit;
#[path = "sql/contacts.rs"]
mod contacts;
#[path = "sql/deliveries.rs"]
mod deliveries;
#[path = "sql/events.rs"]
mod events;
#[path = "sql/feed.rs"]
mod feed;
#[path = "sql/incidents.rs"]
mod incidents;
#[path = "sql/keys.rs"]
mod keys;
#[path = "sql/notify.rs"]
mod notify;
#[path = "sql/plans.rs"]
mod plans;
#[path = "sql/receivers.rs"]
mod receivers;
#[path = "sql/rows.rs"]
mod rows;
#[path = "sql/rules.rs"]
mod rules;
#[path = "sql/runbooks.rs"]
mod runbooks;
#[path = "sql/service_roles.rs"]
mod service_roles;
#[path = "sql/webhooks.rs"]
mod webhooks;

/// The names the shared SQL modules use for this backend.
type Tx = PgTx;
type Db = Postgres;
type DbRow = sqlx::postgres::PgRow;
type DbArguments<'q> = sqlx::postgres::PgArguments;
type DbConnection = PgConnection;

/// The SQL that differs between the backends, for the shared modules. `body` columns are
/// `TEXT` holding JSON (as in SQLite), read as `jsonb` where a query looks inside.
mod dialect {
    /// The text at `path` inside the `body` JSON column.
    pub(super) fn json_text(path: &[&str]) -> String {
        format!("(body::jsonb #>> '{{{}}}')", path.join(","))
    }

    /// `body` with its `resolved` member set to JSON `true` (a suppression).
    pub(super) const SET_RESOLVED: &str = "jsonb_set(body::jsonb, '{resolved}', 'true')::text";
}

/// The advisory lock (`pg_advisory_xact_lock`) every write transaction holds until it ends:
/// one writer at a time across every node on the database. Its value is arbitrary; only
/// Tocsin takes it.
pub const WRITER_LOCK: i64 = 0x7463_7369_6e77;

/// The session advisory lock (`pg_try_advisory_lock`) the node holding the scheduler
/// lease keeps on a connection of its own ([`PgStore::scheduler_lease`]).
pub const SCHEDULER_LOCK: i64 = 0x7463_7369_6e73;

/// How often a node waiting for the scheduler lease asks for it, and the holder checks
/// that its session still answers.
const LEASE_CHECK: Duration = Duration::from_secs(1);

/// How long the scheduler lease outlives a holder that stopped checking it (hung, paused,
/// cut off from the database): PostgreSQL ends its session, and the lock, after this long
/// idle.
const LEASE_EXPIRY: Duration = Duration::from_secs(10);

/// The channel commits announce new change-feed ids on (`NOTIFY tocsin_feed, 'ID WORK'`,
/// `WORK` 1 when workers have something to look at, 0 for plain events).
const FEED_CHANNEL: &str = "tocsin_feed";

/// How long a write transaction waits for the writer lock before it fails (a node stuck
/// holding it would otherwise stop every other node's writes silently).
const LOCK_TIMEOUT: &str = "30s";

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

/// A PostgreSQL database holding all of Tocsin's state, shared by every node that opens it.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    feed: Arc<super::Wakes>,
}

impl PgStore {
    /// Migrates the database at `url` ([`migrate`]: safe when several nodes start at once),
    /// opens a pool of connections to it and starts listening for other nodes' commits.
    ///
    /// Errors: `Database` when the server refuses the connection or the credentials, does
    /// not answer within 10 s, or a migration fails.
    pub async fn open(url: &str) -> StoreResult<Self> {
        migrate(url).await?;
        // A transaction left idle (its node hung mid-write, holding the writer lock) is ended
        // after a minute, so the other nodes' writes go on; no lock is waited for longer
        // than LOCK_TIMEOUT.
        let options = url.parse::<PgConnectOptions>()?.options([
            ("idle_in_transaction_session_timeout", "60s"),
            ("lock_timeout", LOCK_TIMEOUT),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await?;
        let latest = latest_id(&pool).await?;
        let feed = Arc::new(super::Wakes::new(latest));
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(FEED_CHANNEL).await?;
        tokio::spawn(listen(listener, feed.clone()));
        Ok(Self { pool, feed })
    }

    /// The connection pool, for tests that inspect the database directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Begins a write transaction: waits (at most [`LOCK_TIMEOUT`]) for [`WRITER_LOCK`].
    async fn begin_write(&self) -> StoreResult<PgTx> {
        // One round trip: both statements in one simple query (the pool's sessions carry
        // `lock_timeout`).
        let tx = super::begin_whole(
            &self.pool,
            format!("BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})").into(),
        )
        .await?;
        Ok(PgTx {
            tx,
            writer: true,
            last_change: None,
            saved_change: None,
            work: true,
            feed: self.feed.clone(),
        })
    }
}

/// The newest committed change-feed id (`feed_head`, which retention never lowers).
async fn latest_id(pool: &PgPool) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT last_id FROM feed_head")
        .fetch_one(pool)
        .await?)
}

/// Follows `tocsin_feed` notifications (this node's commits and every other node's) into
/// `feed`. sqlx's listener reconnects by itself after a lost connection; notifications sent
/// meanwhile are lost, so after each error the newest id is read again, and a periodic read
/// catches anything a notification missed.
async fn listen(mut listener: PgListener, feed: Arc<super::Wakes>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            note = listener.try_recv() => match note {
                Ok(Some(note)) => {
                    let mut words = note.payload().split(' ');
                    let id = words.next().and_then(|w| w.parse::<i64>().ok());
                    let work = words.next() != Some("0");
                    if let Some(id) = id {
                        feed.advance(id, work);
                    }
                }
                // The connection was lost and is being re-established.
                Ok(None) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "change-feed listener failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
            _ = tick.tick() => {
                match sqlx::query_scalar::<_, i64>("SELECT last_id FROM feed_head")
                    .fetch_one(&mut listener)
                    .await
                {
                    Ok(id) => feed.advance(id, true),
                    Err(err) => tracing::debug!(error = %err, "change-feed head read failed"),
                }
            }
        }
    }
}

#[async_trait]
impl Store for PgStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn write(&self) -> StoreResult<Box<dyn StoreTx>> {
        Ok(Box::new(self.begin_write().await?))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn read(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx =
            super::begin_whole(&self.pool, "BEGIN ISOLATION LEVEL REPEATABLE READ".into()).await?;
        Ok(Box::new(PgTx {
            tx,
            writer: false,
            last_change: None,
            saved_change: None,
            work: true,
            feed: self.feed.clone(),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn latest_change_id(&self) -> StoreResult<i64> {
        latest_id(&self.pool).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn feed_rows_after(&self, after: i64, limit: i64) -> StoreResult<Vec<FeedRow>> {
        Ok(sqlx::query_as::<_, FeedRow>(
            "SELECT id, at, body FROM change_feed WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn feed_floor(&self) -> StoreResult<i64> {
        // Ids are never reused (feed_head only grows) and retention deletes from the bottom.
        Ok(sqlx::query_scalar(
            "SELECT COALESCE((SELECT MIN(id) - 1 FROM change_feed), \
             (SELECT last_id FROM feed_head))",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn queue_depths(&self) -> StoreResult<Vec<(&'static str, i64)>> {
        let mut conn = self.pool.acquire().await?;
        rows::queue_depths(&mut conn).await
    }

    fn subscribe(&self) -> watch::Receiver<i64> {
        self.feed.every.subscribe()
    }

    fn subscribe_work(&self) -> watch::Receiver<i64> {
        self.feed.work.subscribe()
    }

    /// Asks for [`SCHEDULER_LOCK`] every [`LEASE_CHECK`] on a connection of its own until
    /// it is granted. The lock is the session's: it ends with the session, so a node killed
    /// loses it at once, and a node hung or cut off loses it once its session has been idle
    /// for [`LEASE_EXPIRY`] (`idle_session_timeout`: the holder checks every second, so
    /// only a node that stopped doing so is idle that long); the next node asking gets it.
    async fn scheduler_lease(&self) -> StoreResult<Box<dyn super::SchedulerLease>> {
        let options = self.pool.connect_options();
        let mut conn = PgConnection::connect_with(&options).await?;
        let expiry = format!("SET idle_session_timeout = '{}s'", LEASE_EXPIRY.as_secs());
        if let Err(err) = sqlx::query(&expiry).execute(&mut conn).await {
            // PostgreSQL before 14: the lease then ends only when the server notices the
            // connection is gone.
            tracing::warn!(error = %err, "the scheduler lease cannot expire on this server");
        }
        loop {
            let granted: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(SCHEDULER_LOCK)
                .fetch_one(&mut conn)
                .await?;
            if granted {
                tracing::info!("this node holds the scheduler lease");
                return Ok(Box::new(PgLease { conn }));
            }
            tokio::time::sleep(LEASE_CHECK).await;
        }
    }

    /// A write transaction like any other, except that its commit wakes the feed tailer only
    /// (plain events give the workers nothing to do).
    #[tracing::instrument(level = "debug", skip_all)]
    async fn write_events_announced(
        &self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<()> {
        use super::EventStore;
        let mut tx = Box::new(self.begin_write().await?);
        tx.work = false;
        tx.insert_events_announced(events, changes).await?;
        tx.commit().await
    }
}

/// The scheduler lease on PostgreSQL: a session holding [`SCHEDULER_LOCK`].
struct PgLease {
    conn: PgConnection,
}

#[async_trait]
impl super::SchedulerLease for PgLease {
    /// Checks every [`LEASE_CHECK`] that the session still answers (within 5 s); the first
    /// time it does not, the lease is lost: the server may already have ended the session
    /// and handed the lock to another node.
    async fn lost(&mut self) {
        loop {
            tokio::time::sleep(LEASE_CHECK).await;
            let answered = tokio::time::timeout(
                Duration::from_secs(5),
                sqlx::query("SELECT 1").execute(&mut self.conn),
            )
            .await;
            if !matches!(answered, Ok(Ok(_))) {
                tracing::warn!("the scheduler lease's session stopped answering; lease lost");
                return;
            }
        }
    }
}

/// One PostgreSQL transaction; a write transaction holds [`WRITER_LOCK`] until it ends.
pub(crate) struct PgTx {
    pub(super) tx: Transaction<'static, Postgres>,
    writer: bool,
    pub(super) last_change: Option<i64>,
    /// `last_change` when the open savepoint was taken.
    saved_change: Option<Option<i64>>,
    /// Whether workers are woken by this commit: false only for plain events
    /// ([`Store::write_events_announced`]).
    work: bool,
    feed: Arc<super::Wakes>,
}

#[async_trait]
impl StoreTx for PgTx {
    async fn savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("SAVEPOINT grouped")
            .execute(&mut *self.tx)
            .await?;
        self.saved_change = Some(self.last_change);
        Ok(())
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("RELEASE SAVEPOINT grouped")
            .execute(&mut *self.tx)
            .await?;
        self.saved_change = None;
        Ok(())
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        // Also what makes a transaction usable again after a failed statement.
        sqlx::query("ROLLBACK TO SAVEPOINT grouped")
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("RELEASE SAVEPOINT grouped")
            .execute(&mut *self.tx)
            .await?;
        if let Some(saved) = self.saved_change.take() {
            self.last_change = saved;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn commit(mut self: Box<Self>) -> StoreResult<()> {
        if let Some(id) = self.last_change {
            // Delivered to every listener (this node's too) when, and only if, it commits.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(FEED_CHANNEL)
                .bind(format!("{id} {}", u8::from(self.work)))
                .execute(&mut *self.tx)
                .await?;
        }
        let PgTx {
            tx,
            writer,
            last_change,
            work,
            feed,
            ..
        } = *self;
        let started = std::time::Instant::now();
        tx.commit().await?;
        if writer {
            crate::metrics::commit_latency(started.elapsed().as_secs_f64());
        }
        if let Some(id) = last_change {
            feed.advance(id, work);
        }
        Ok(())
    }
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
