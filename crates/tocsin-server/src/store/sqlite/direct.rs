//! SQLite: the ingest writer's direct connection ([`crate::store::Store::write_events_announced`]).
//!
//! sqlx runs each connection on a thread of its own and every statement is a round trip to
//! it (0.15 ms idle, about 0.4 ms under load, measured in `docs/benchmarks.md`): a group
//! commit of plain events (`BEGIN`, two inserts, `COMMIT`) spent most of its time in those
//! trips. This connection ([`rusqlite`], on the same SQLite library sqlx bundles) runs on
//! the calling thread instead, the ingest writer's own, so such a batch is one fsync plus
//! microseconds of statements. It is opened with the store, on the file sqlx opened, with
//! the pool's settings (WAL,
//! `synchronous=FULL`, the busy timeout) but no automatic checkpoint (the checkpoint job
//! does it, [`crate::worker::checkpoint`]), and writes under the store's writer lock, so
//! change-feed ids keep commit order. An in-memory database has none (another connection
//! would be another database).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, named_params, params};

use crate::store::{KnownWrites, StoreResult};

/// The direct connection, opened on first use and dropped after a failure (the next write
/// opens a fresh one).
#[derive(Debug)]
pub(super) struct DirectWriter {
    path: PathBuf,
    conn: Mutex<Option<Connection>>,
}

impl DirectWriter {
    /// Opens the database file at `path`, which the pool has opened and migrated already
    /// (it is never created here), and prepares its statements, so a wrong file or schema
    /// fails at start.
    ///
    /// Errors: SQLite's (no such file, not a database, no such table).
    pub(super) fn open(path: PathBuf) -> StoreResult<Self> {
        let conn = open(&path)?;
        prepare(&conn)?;
        Ok(DirectWriter {
            path,
            conn: Mutex::new(Some(conn)),
        })
    }

    /// Inserts `events` and the change-feed rows `bodies` (encoded changes, all at `at`),
    /// and overwrites the timeline entries and incidents in `known`, in one
    /// `BEGIN IMMEDIATE` transaction and commits; blocks the calling thread meanwhile.
    /// The caller holds the store's writer lock. Returns the feed ids written, one per body,
    /// in order.
    ///
    /// Errors: SQLite's; the transaction was rolled back. After any error but a constraint
    /// violation (an event id stored already) the connection is dropped, and the next
    /// write opens a new one.
    pub(super) fn write(
        &self,
        events: &[(String, String, f64, String)],
        bodies: &[String],
        known: &KnownWrites,
        at: f64,
    ) -> StoreResult<Vec<i64>> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = match slot.as_mut() {
            Some(conn) => conn,
            None => slot.insert(open(&self.path)?),
        };
        let written = insert(conn, events, bodies, known, at);
        if let Err(crate::store::StoreError::Direct(err)) = &written
            && err.sqlite_error_code() != Some(rusqlite::ErrorCode::ConstraintViolation)
        {
            *slot = None;
        }
        written
    }
}

/// The two statements a batch runs.
const INSERT_EVENT: &str =
    "INSERT INTO events (event_id, event_bus_name, received_at, body) VALUES (?1, ?2, ?3, ?4)";
const INSERT_CHANGE: &str = "INSERT INTO change_feed (at, body) VALUES (?1, ?2)";

/// Prepares (and caches) both statements: fails when the tables are not there.
fn prepare(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached(INSERT_EVENT)?;
    conn.prepare_cached(INSERT_CHANGE)?;
    Ok(())
}

/// Opens `path` as the pool's connections are set up; never creates the file (the pool
/// has created and migrated it).
fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk before PutEvents answers.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Checkpoints are the checkpoint job's (`Store::checkpoint`), off the writer's path.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(conn)
}

fn insert(
    conn: &mut Connection,
    events: &[(String, String, f64, String)],
    bodies: &[String],
    known: &KnownWrites,
    at: f64,
) -> StoreResult<Vec<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(bodies.len());
    {
        let mut insert_event = tx.prepare_cached(INSERT_EVENT)?;
        for (id, bus, received_at, body) in events {
            insert_event.execute(params![id, bus, received_at, body])?;
        }
        if !known.timeline.is_empty() {
            let mut update = tx.prepare_cached(super::incidents::UPDATE_TIMELINE_EVENT)?;
            for e in &known.timeline {
                update.execute(named_params! {
                    "$1": e.incident_record_arn,
                    "$2": e.event_id,
                    "$3": e.event_time,
                    "$4": super::rows::encode(e)?,
                })?;
            }
        }
        if !known.incidents.is_empty() {
            let mut update = tx.prepare_cached(super::incidents::UPDATE_INCIDENT)?;
            for i in &known.incidents {
                let r = &i.record;
                update.execute(named_params! {
                    "$1": r.status.as_str(),
                    "$2": r.impact,
                    "$3": super::rows::encode(r)?,
                    "$4": r.arn,
                })?;
            }
        }
        let mut insert_change = tx.prepare_cached(INSERT_CHANGE)?;
        for body in bodies {
            insert_change.execute(params![at, body])?;
            ids.push(tx.last_insert_rowid());
        }
    }
    tx.commit()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use tocsin_api::native::{Change, EventReceived};

    use crate::store::Store;
    use crate::store::sqlite::SqliteStore;

    /// `events` rows as the store takes them: (event_id, event_bus_name, received_at, body).
    type Rows = Vec<(String, String, f64, String)>;

    fn events(ids: &[&str], body: &str) -> (Rows, Vec<Change>) {
        let rows = ids
            .iter()
            .map(|id| (id.to_string(), "default".into(), 1.0, body.to_owned()))
            .collect();
        let changes = ids
            .iter()
            .map(|id| {
                Change::EventReceived(EventReceived {
                    event_id: id.to_string(),
                    event_bus_name: "default".into(),
                    source: "test".into(),
                    detail_type: "Test".into(),
                    matched_rules: Vec::new(),
                })
            })
            .collect();
        (rows, changes)
    }

    async fn count(store: &SqliteStore, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(store.pool())
            .await
            .unwrap()
    }

    async fn open() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn plain_events_are_written_directly_and_wake_the_tailer_not_the_workers() {
        let (_dir, store) = open().await;
        let mut every = store.subscribe();
        let mut work = store.subscribe_work();
        let (rows, changes) = events(&["e1", "e2", "e3"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        assert_eq!(count(&store, "events").await, 3);
        let feed = store.changes_after(0, 10).await.unwrap();
        assert_eq!(feed.len(), 3);
        assert!(feed.windows(2).all(|w| w[0].id < w[1].id), "{feed:?}");
        assert_eq!(feed[0].change, changes[0]);
        assert!(every.has_changed().unwrap());
        assert_eq!(*every.borrow_and_update(), feed[2].id);
        assert!(
            !work.has_changed().unwrap(),
            "plain events give the workers nothing to do"
        );
        // A commit through a transaction moves both.
        let mut tx = store.write().await.unwrap();
        let (_, more) = events(&["e4"], "{}");
        let id = tx.append_changes(&more).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert!(id > feed[2].id);
        assert_eq!(*every.borrow_and_update(), id);
        assert!(work.has_changed().unwrap());
        assert_eq!(*work.borrow_and_update(), id);
    }

    #[tokio::test]
    async fn the_feed_read_after_direct_writes_is_the_databases_own_answer() {
        let (_dir, store) = open().await;
        // Direct batches and transactions interleaved: the transactions' rows are not kept
        // in memory, so reads across them must come from the database.
        let mut n = 0;
        for round in 0..4 {
            for _ in 0..3 {
                let ids: Vec<String> = (0..5).map(|i| format!("e{n}-{i}")).collect();
                n += 1;
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let (rows, changes) = events(&ids, &format!("{{\"round\":{round}}}"));
                store.write_events_announced(&rows, &changes).await.unwrap();
            }
            if round % 2 == 1 {
                let mut tx = store.write().await.unwrap();
                let (_, more) = events(&[&format!("tx{round}")], "{}");
                tx.append_changes(&more).await.unwrap();
                tx.commit().await.unwrap();
            }
        }
        let newest = store.latest_change_id().await.unwrap();
        assert_eq!(newest, 4 * 3 * 5 + 2);
        for after in -1..=newest + 1 {
            for limit in [1, 2, 7, 500] {
                assert_eq!(
                    store.feed_rows_after(after, limit).await.unwrap(),
                    store.stored_feed_rows_after(after, limit).await.unwrap(),
                    "after {after}, limit {limit}"
                );
            }
        }
        // A row written behind the store's back (another process) is found too.
        sqlx::query("INSERT INTO change_feed (at, body) VALUES (1.0, '{}')")
            .execute(store.pool())
            .await
            .unwrap();
        let (rows, changes) = events(&["late"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        assert_eq!(
            store.feed_rows_after(newest, 500).await.unwrap(),
            store.stored_feed_rows_after(newest, 500).await.unwrap()
        );
        assert_eq!(store.feed_rows_after(newest, 500).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn the_rows_just_written_are_read_from_memory() {
        let (_dir, store) = open().await;
        let (rows, changes) = events(&["a", "b"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        let written = store.stored_feed_rows_after(0, 500).await.unwrap();
        assert_eq!(written.len(), 2);
        // Gone from the file behind the store's back: still answered, so from memory.
        sqlx::query("DELETE FROM change_feed")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(store.feed_rows_after(0, 500).await.unwrap(), written);
    }

    #[tokio::test]
    async fn it_writes_to_the_file_sqlx_opened() {
        // sqlx percent-decodes the URL's path: "a%20b" is the directory "a b".
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a b")).unwrap();
        let url = format!("sqlite://{}/a%20b/t.db", dir.path().display());
        let store = SqliteStore::open(&url).await.unwrap();
        let (rows, changes) = events(&["e1"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        assert_eq!(count(&store, "events").await, 1);
        assert_eq!(store.changes_after(0, 10).await.unwrap().len(), 1);
        assert!(
            !dir.path().join("a%20b").exists(),
            "no stray directory beside the database"
        );
    }

    #[tokio::test]
    async fn a_refused_batch_stores_nothing_and_the_next_is_written() {
        let (_dir, store) = open().await;
        let (rows, changes) = events(&["e1"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        let before = store.latest_change_id().await.unwrap();
        // e2 is new, e1 is stored already: the whole batch is refused.
        let (rows, changes) = events(&["e2", "e1"], "{}");
        let err = store
            .write_events_announced(&rows, &changes)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(count(&store, "events").await, 1, "nothing of the batch");
        assert_eq!(store.latest_change_id().await.unwrap(), before);
        // The connection was kept (a constraint violation); the next batch is written.
        let (rows, changes) = events(&["e3"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        assert_eq!(count(&store, "events").await, 2);
        assert!(store.latest_change_id().await.unwrap() > before);
    }

    /// Frames in the WAL now (a passive checkpoint answers how many it holds).
    async fn wal_frames(store: &SqliteStore) -> i64 {
        let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(store.pool())
            .await
            .unwrap();
        frames
    }

    /// Commits 3,000 events of 2 KB in 300 batches and checks the WAL holds them all (over
    /// 6 MB): the direct connection does not checkpoint (at its own 1,000 frames SQLite
    /// would have started it again, at about 4 MB). Measured by the file's size, since
    /// [`wal_frames`]' passive checkpoint would copy them all.
    async fn fill_wal(dir: &tempfile::TempDir, store: &SqliteStore) {
        let body = "x".repeat(2000);
        for batch in 0..300 {
            let ids: Vec<String> = (0..10).map(|i| format!("e{batch}-{i}")).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let (rows, changes) = events(&ids, &body);
            store.write_events_announced(&rows, &changes).await.unwrap();
        }
        let wal = std::fs::metadata(dir.path().join("t.db-wal"))
            .unwrap()
            .len();
        assert!(wal > 6_000_000, "{wal} bytes of WAL");
    }

    #[tokio::test]
    async fn the_checkpoint_job_keeps_the_wal_short() {
        let (dir, store) = open().await;
        fill_wal(&dir, &store).await;
        store.checkpoint().await.unwrap();
        // Everything was copied, so the next commit starts the WAL again.
        let (rows, changes) = events(&["last"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        let frames = wal_frames(&store).await;
        assert!(frames < 20, "{frames} frames after the checkpoint");
        assert_eq!(count(&store, "events").await, 3001);
    }

    /// Under load commits go on while the checkpoint copies; the WAL must still start again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_starts_again_when_commits_go_on_during_the_checkpoint() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let (dir, store) = open().await;
        fill_wal(&dir, &store).await;
        // A writer commits one event at a time until the checkpoint has returned.
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (store, stop, written) = (store.clone(), stop.clone(), written.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let (rows, changes) = events(&[&format!("w{n}")], "{}");
                    store.write_events_announced(&rows, &changes).await.unwrap();
                    written.fetch_add(1, Ordering::SeqCst);
                    n += 1;
                }
            })
        };
        while written.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let before = written.load(Ordering::SeqCst);
        store.checkpoint().await.unwrap();
        let during = written.load(Ordering::SeqCst) - before;
        stop.store(true, Ordering::SeqCst);
        writer.await.unwrap();
        assert!(during > 0, "no commit came in during the checkpoint");
        let (rows, changes) = events(&["last"], "{}");
        store.write_events_announced(&rows, &changes).await.unwrap();
        // Started again: only the few small commits since (about 5 frames each), not the
        // 1,500 and more frames of the batches above.
        let frames = wal_frames(&store).await;
        assert!(frames < 100, "{frames} frames after the checkpoint");
    }
}
