//! `tocsin backup` and `tocsin restore`: an online, consistent copy of the SQLite database
//! with its server key, and bringing one back.
//!
//! The copy is SQLite's `VACUUM INTO` on a read transaction of the live database: one
//! consistent snapshot (every commit before it, none after), safe while `tocsin serve`
//! runs and writes, never a file copy of a live WAL database (which can miss the WAL or
//! tear a page). The server key (which seals access-key secrets, receiver secrets and
//! connection secrets, and keys the audit chain) is copied beside it as `FILE.key`,
//! owner-only: a database without its key cannot open its secrets.
//!
//! Restore checks the backup (`PRAGMA integrity_check`) before anything is replaced, then
//! puts it in place with a rename after removing the old database's `-wal` and `-shm`
//! files, and puts the key beside it. Stop the server first; restore refuses to replace an
//! existing database without `--force`.

use std::path::{Path, PathBuf};

use sqlx::Connection;
use sqlx::sqlite::SqliteConnectOptions;

use crate::keys_cli::key_file;

/// The key file a backup at `to` carries: `<to>.key`.
pub fn key_beside(to: &Path) -> PathBuf {
    let mut name = to.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// For a copy of the database to `to` (a backup or an export): `FILE.key` beside it and
/// the server key's text, read now. Errors: `to` or `FILE.key` exists (nothing is ever
/// overwritten), the key file is not given where it must be, or cannot be read.
pub(crate) fn carried_key(
    database_url: &str,
    key: Option<&Path>,
    to: &Path,
) -> Result<(PathBuf, String), String> {
    let key_path = key_file(database_url, key)?;
    let key_to = key_beside(to);
    for path in [to, key_to.as_path()] {
        if path.exists() {
            return Err(format!("{} exists; choose a new file", path.display()));
        }
    }
    let key_text = std::fs::read_to_string(&key_path)
        .map_err(|e| format!("cannot read the key file {}: {e}", key_path.display()))?;
    Ok((key_to, key_text))
}

/// Writes a consistent copy of the database at `database_url` to `to` (which must not
/// exist) and its key file to `<to>.key`. Returns a line for people.
///
/// Errors: not a SQLite database, `to` exists, the database or key cannot be read.
pub async fn backup(database_url: &str, key: Option<&Path>, to: &Path) -> Result<String, String> {
    let db = crate::store::sqlite_path(database_url).ok_or_else(|| {
        format!(
            "backup needs a SQLite database (sqlite://PATH), not {} (PostgreSQL: back it up with pg_dump and keep a copy of the --key-file beside it, or use tocsin export; see docs/deploy.md)",
            crate::store::redact_url(database_url)
        )
    })?;
    if !db.exists() {
        return Err(format!("no database at {}", db.display()));
    }
    let (key_to, key_text) = carried_key(database_url, key, to)?;
    let options = SqliteConnectOptions::new()
        .filename(&db)
        .busy_timeout(std::time::Duration::from_secs(30));
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("cannot open {}: {e}", db.display()))?;
    let target = to
        .to_str()
        .ok_or_else(|| format!("{} is not valid UTF-8", to.display()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(|e| format!("VACUUM INTO {}: {e}", to.display()))?;
    conn.close().await.map_err(|e| e.to_string())?;
    restrict(to)?;
    crate::files::write_private(&key_to, &key_text)
        .map_err(|e| format!("cannot write {}: {e}", key_to.display()))?;
    let (events, feed) = counts(to).await?;
    Ok(format!(
        "backed up {} to {} ({events} events, change feed to {feed}) and its key to {}",
        db.display(),
        to.display(),
        key_to.display()
    ))
}

/// Puts the backup at `from` (and `<from>.key`) in place of the database at
/// `database_url` and its key file. Returns a line for people.
///
/// Errors: the backup fails its integrity check or has no key beside it, or the database
/// exists and `force` is not set.
pub async fn restore(
    database_url: &str,
    key: Option<&Path>,
    from: &Path,
    force: bool,
) -> Result<String, String> {
    let db = crate::store::sqlite_path(database_url).ok_or_else(|| {
        format!(
            "restore needs a SQLite database (sqlite://PATH), not {}",
            crate::store::redact_url(database_url)
        )
    })?;
    let key_from = key_beside(from);
    let key_text = std::fs::read_to_string(&key_from).map_err(|e| {
        format!(
            "cannot read {} (a backup's key travels beside it): {e}",
            key_from.display()
        )
    })?;
    let check = integrity(from).await?;
    if check != "ok" {
        return Err(format!(
            "{} fails its integrity check: {check}",
            from.display()
        ));
    }
    if db.exists() && !force {
        return Err(format!(
            "{} exists: stop the server, then restore with --force to replace it",
            db.display()
        ));
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let staged = db.with_extension(format!("restore-{}", std::process::id()));
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(from, &staged).map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    restrict(&staged)?;
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())?;
    // The old database's WAL would be replayed onto the restored file: remove it first.
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    std::fs::rename(&staged, &db).map_err(|e| format!("cannot replace {}: {e}", db.display()))?;
    let key_path = key_file(database_url, key)?;
    crate::files::write_private(&key_path, &key_text)
        .map_err(|e| format!("cannot write {}: {e}", key_path.display()))?;
    let (events, feed) = counts(&db).await?;
    Ok(format!(
        "restored {} from {} ({events} events, change feed to {feed}); key at {}",
        db.display(),
        from.display(),
        key_path.display()
    ))
}

fn restrict(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn read_only(path: &Path) -> Result<sqlx::SqliteConnection, String> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// `PRAGMA integrity_check` of the file at `path`: `ok`, or what it found.
///
/// Errors: the file cannot be opened as a database.
pub async fn integrity(path: &Path) -> Result<String, String> {
    let mut conn = read_only(path).await?;
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| format!("{} is not a readable database: {e}", path.display()))?;
    Ok(rows.join("; "))
}

async fn counts(path: &Path) -> Result<(i64, i64), String> {
    let mut conn = read_only(path).await?;
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM events), (SELECT COALESCE(MAX(id), 0) FROM change_feed)",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| e.to_string())
}
