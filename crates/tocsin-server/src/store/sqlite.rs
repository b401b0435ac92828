//! The embedded SQLite backend: one file, WAL, `synchronous=FULL`, migrations applied on
//! open. Writers are serialised by an in-process lock (SQLite allows one writer anyway), so
//! change-feed ids are assigned in commit order; readers run concurrently on the WAL.

#![allow(
    clippy::duplicate_mod,
    reason = "the shared SQL in `sql/` is compiled once per backend, on purpose"
)]

mod appends;
mod direct;
mod recent;

// The SQL both backends share (`sql/`), compiled here against SQLite's types; the
// PostgreSQL backend compiles the same files against its own (see `sql/rows.rs`).
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
type Tx = SqliteTx;
type Db = Sqlite;
type DbRow = sqlx::sqlite::SqliteRow;
type DbArguments<'q> = sqlx::sqlite::SqliteArguments<'q>;
type DbConnection = sqlx::SqliteConnection;

/// The SQL that differs between the backends, for the shared modules.
mod dialect {
    /// The text at `path` inside the `body` JSON column.
    pub(super) fn json_text(path: &[&str]) -> String {
        format!("json_extract(body, '$.{}')", path.join("."))
    }

    /// `body` with its `resolved` member set to JSON `true` (a suppression).
    pub(super) const SET_RESOLVED: &str = "json_set(body, '$.resolved', json('true'))";
}

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tocsin_api::native::Change;
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::{FeedRow, KnownWrites, Store, StoreError, StoreResult, StoreTx};

/// WAL frames (pages) past which [`Store::checkpoint`] makes sure the WAL starts again:
/// SQLite's own automatic checkpoint size.
const REWIND_FRAMES: i64 = 1000;

/// A SQLite database file holding all of Tocsin's state.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    feed: Arc<super::Wakes>,
    /// The ingest writer's direct connection; none for an in-memory database.
    direct: Option<Arc<direct::DirectWriter>>,
    /// Write transactions committed since open ([`StoreTx::generation`]).
    generation: Arc<AtomicU64>,
    /// The feed rows the direct connection wrote last, for [`Store::feed_rows_after`].
    recent: Arc<recent::Recent>,
}

impl SqliteStore {
    /// [`Store::feed_rows_after`] as the database file answers it, never from the rows kept
    /// in memory.
    pub(crate) async fn stored_feed_rows_after(
        &self,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<FeedRow>> {
        Ok(sqlx::query_as::<_, FeedRow>(
            "SELECT id, at, body FROM change_feed WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The migrations this database has had (`_sqlx_migrations`), oldest first.
    pub async fn migration_versions(&self) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Opens (creating the file and its directory if needed) and migrates the database at
    /// `sqlite://PATH`. `sqlite::memory:` gives a private in-memory database (tests).
    pub async fn open(url: &str) -> StoreResult<Self> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if let Some(path) = super::sqlite_path(url) {
            if let Some(parent) = path.parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
            // Created here, owner-only (0600), before SQLite opens it; the WAL and shared
            // memory files SQLite adds take the database file's mode.
            if !path.exists() {
                crate::files::private_file(&path)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before PutEvents answers.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let options_path = options.get_filename().to_owned();
        let pool = SqlitePoolOptions::new()
            // One connection for an in-memory database: each connection would be its own DB.
            .max_connections(if in_memory { 1 } else { 8 })
            // An embedded database has no connection to lose: no ping round trip per
            // acquire (it lengthened every group commit).
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Database(e.into()))?;
        let latest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM change_feed")
            .fetch_one(&pool)
            .await?;
        let feed = super::Wakes::new(latest);
        Ok(Self {
            pool,
            writer: Arc::new(Mutex::new(())),
            feed: Arc::new(feed),
            generation: Arc::new(AtomicU64::new(0)),
            recent: Arc::default(),
            // The file sqlx opened (its URL parsing, percent-decoding included), opened
            // again now so a problem shows at start.
            direct: if in_memory {
                None
            } else {
                Some(Arc::new(direct::DirectWriter::open(
                    options_path.to_path_buf(),
                )?))
            },
        })
    }

    /// The connection pool, for tests that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[async_trait]
impl Store for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn write(&self) -> StoreResult<Box<dyn StoreTx>> {
        let guard = self.writer.clone().lock_owned().await;
        // IMMEDIATE: the write lock is taken at BEGIN, under the busy timeout. A deferred
        // BEGIN whose first statement reads would try to upgrade later, and SQLite answers
        // that upgrade "database is locked" at once (no waiting) while a transaction dropped
        // on an error path is still rolling back on another connection.
        let tx = super::begin_whole(&self.pool, "BEGIN IMMEDIATE".into()).await?;
        Ok(Box::new(SqliteTx {
            tx,
            _guard: Some(guard),
            last_change: None,
            saved_change: None,
            feed: self.feed.clone(),
            // Read under the writer lock: no commit can come between this and BEGIN.
            generation: Some((
                self.generation.load(Ordering::Acquire),
                self.generation.clone(),
            )),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn read(&self) -> StoreResult<Box<dyn StoreTx>> {
        let tx = self.pool.begin().await?;
        Ok(Box::new(SqliteTx {
            tx,
            _guard: None,
            last_change: None,
            saved_change: None,
            feed: self.feed.clone(),
            generation: None,
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn latest_change_id(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM change_feed")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn feed_rows_after(&self, after: i64, limit: i64) -> StoreResult<Vec<FeedRow>> {
        let newest = *self.feed.every.borrow();
        match self.recent.after(after, limit, newest) {
            Some(rows) => Ok(rows),
            None => self.stored_feed_rows_after(after, limit).await,
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn feed_floor(&self) -> StoreResult<i64> {
        // AUTOINCREMENT ids are never reused and retention deletes from the bottom, so the
        // floor is just below the oldest row left, or the last id ever given when none is.
        Ok(sqlx::query_scalar(
            "SELECT COALESCE((SELECT MIN(id) - 1 FROM change_feed), \
             (SELECT seq FROM sqlite_sequence WHERE name = 'change_feed'), 0)",
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

    /// A passive WAL checkpoint (it never waits and never holds the writer lock), and when
    /// the WAL holds more than [`REWIND_FRAMES`] frames, a second one under the writer
    /// lock: it copies the few frames committed meanwhile, so the whole WAL is in the
    /// database file and the next commit starts it again from the beginning (the file
    /// stays at its size, its contents bounded). The second pass runs whatever the first
    /// answered: the first reports the frames it saw, all of them copied, even while
    /// commits went on past them (under load the WAL then never started again and grew to
    /// 800 MB in a 20 s benchmark, ext4 zeroing each new block for 10-16% of the CPU).
    /// The pool's connections still checkpoint on their own after 1,000 frames; the ingest
    /// writer's direct connection does not.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn checkpoint(&self) -> StoreResult<()> {
        let passive = || {
            sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&self.pool)
        };
        // (busy, frames in the WAL, frames copied): -1s when the database is not in WAL.
        let (_, frames, _) = passive().await?;
        if frames > REWIND_FRAMES {
            let _guard = self.writer.lock().await;
            passive().await?;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn write_events_announced(
        &self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
    ) -> StoreResult<()> {
        if self.direct.is_none() {
            return super::events_announced_in_tx(self, events, changes).await;
        }
        self.write_direct(events, changes, &KnownWrites::default(), None)
            .await
            .map(|_| ())
    }

    /// Through the direct connection, as [`Store::write_events_announced`]; an in-memory
    /// database (none) answers `false`.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn write_known(
        &self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
        known: &KnownWrites,
        generation: u64,
    ) -> StoreResult<bool> {
        self.write_direct(events, changes, known, Some(generation))
            .await
    }
}

impl SqliteStore {
    /// Writes `events`, `changes` and `known` through the direct connection under the
    /// writer lock, if the store is at `generation` (any, with `None`), and wakes the feed
    /// tailer only: plain events and merges into open incidents make no work for the
    /// workers (no delivery, page or runbook). `false` (nothing written) without a direct
    /// connection (an in-memory database) or at another generation.
    ///
    /// Errors: SQLite's; nothing was written.
    async fn write_direct(
        &self,
        events: &[(String, String, f64, String)],
        changes: &[Change],
        known: &KnownWrites,
        generation: Option<u64>,
    ) -> StoreResult<bool> {
        let Some(direct) = &self.direct else {
            return Ok(false);
        };
        let bodies = changes
            .iter()
            .map(rows::encode)
            .collect::<StoreResult<Vec<String>>>()?;
        let _guard = self.writer.lock().await;
        if generation.is_some_and(|g| g != self.generation.load(Ordering::Acquire)) {
            return Ok(false);
        }
        let started = std::time::Instant::now();
        let at = crate::clock::now();
        let ids = direct.write(events, &bodies, known, at)?;
        crate::metrics::commit_latency(started.elapsed().as_secs_f64());
        if let Some(&last) = ids.last() {
            // Kept before it is announced: a reader that sees the new id finds the rows.
            self.recent
                .push(
                    ids.into_iter()
                        .zip(bodies)
                        .map(|(id, body)| FeedRow { id, at, body }),
                );
            self.feed.advance(last, false);
        }
        Ok(true)
    }
}

/// One SQLite transaction; holds the writer lock when it is a write transaction.
pub(crate) struct SqliteTx {
    pub(super) tx: Transaction<'static, Sqlite>,
    _guard: Option<OwnedMutexGuard<()>>,
    pub(super) last_change: Option<i64>,
    /// `last_change` when the open savepoint was taken.
    saved_change: Option<Option<i64>>,
    feed: Arc<super::Wakes>,
    /// A write transaction's generation when it began, and the store's counter.
    generation: Option<(u64, Arc<AtomicU64>)>,
}

#[async_trait]
impl StoreTx for SqliteTx {
    async fn savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("SAVEPOINT grouped")
            .execute(&mut *self.tx)
            .await?;
        self.saved_change = Some(self.last_change);
        Ok(())
    }

    async fn release_savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("RELEASE grouped")
            .execute(&mut *self.tx)
            .await?;
        self.saved_change = None;
        Ok(())
    }

    fn generation(&self) -> Option<u64> {
        self.generation.as_ref().map(|(at_begin, _)| *at_begin)
    }

    async fn rollback_to_savepoint(&mut self) -> StoreResult<()> {
        sqlx::query("ROLLBACK TO grouped")
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("RELEASE grouped")
            .execute(&mut *self.tx)
            .await?;
        if let Some(saved) = self.saved_change.take() {
            self.last_change = saved;
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let SqliteTx {
            tx,
            _guard,
            last_change,
            feed,
            generation,
            ..
        } = *self;
        let started = std::time::Instant::now();
        tx.commit().await?;
        if _guard.is_some() {
            crate::metrics::commit_latency(started.elapsed().as_secs_f64());
        }
        // Still under the writer lock: the next write transaction sees this commit counted.
        if let Some((_, counter)) = generation {
            counter.fetch_add(1, Ordering::AcqRel);
        }
        if let Some(id) = last_change {
            feed.advance(id, true);
        }
        drop(_guard);
        Ok(())
    }
}
