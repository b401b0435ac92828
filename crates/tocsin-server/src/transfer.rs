//! `tocsin export` and `tocsin import`: a whole installation as one file, to move it between
//! SQLite and PostgreSQL (either way) or between two databases of one kind.
//!
//! The export is JSON lines: a header `{"format":"tocsin-export","version":1,"source":…}`,
//! then for each table a line `{"table":NAME,"columns":[…],"rows":N}` followed by its N
//! rows, each a JSON array of cells tagged by type (`{"i":7}`, `{"r":1.5}`, `{"t":"…"}`,
//! `{"b":"hex"}`, `"n"` for NULL), so integers, reals, text and bytes come back as they
//! were. Every table is carried as stored, ids included: change-feed ids (stream clients'
//! `Last-Event-ID`), timeline sequence numbers and the audit chain stay the same. The
//! server key that seals access-key secrets and keys the audit chain travels beside it as
//! `FILE.key` (owner-only), as with `tocsin backup`.
//!
//! Export reads one snapshot (a read transaction); import migrates the target, checks that
//! it has every exported table with the same columns and that those tables are empty, then
//! writes everything in one transaction (references checked at commit) and moves the
//! target's id counters past the imported ids (PostgreSQL's identity sequences and
//! `feed_head`). A failed import writes nothing. Both directions stream: a table is never
//! held in memory whole (export reads rows as the database returns them; import reads the
//! file twice, once to check its shape, then to write it in statements of 100 rows).

use std::collections::BTreeSet;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, Row, SqliteConnection, TypeInfo, ValueRef};

use crate::backup::key_beside;
use crate::keys_cli::key_file;
use crate::store::postgres::is_postgres_url;
use crate::store::redact_url;

/// The export format's version (the header's `version`).
const VERSION: u32 = 1;

/// Bookkeeping tables that are not carried (nor SQLite's own `sqlite_*` tables): each
/// database has its own migrations, and PostgreSQL's `feed_head` is recomputed from the
/// change feed.
const NOT_CARRIED: [&str; 2] = ["_sqlx_migrations", "feed_head"];

/// Rows per INSERT statement on import.
const ROWS_PER_INSERT: usize = 100;

/// One stored value, tagged by type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Cell {
    /// An integer.
    #[serde(rename = "i")]
    Int(i64),
    /// A real (epoch seconds, mostly).
    #[serde(rename = "r")]
    Real(f64),
    /// Text (JSON documents included).
    #[serde(rename = "t")]
    Text(String),
    /// Bytes, as hex.
    #[serde(rename = "b")]
    Blob(String),
    /// NULL.
    #[serde(rename = "n")]
    Null,
}

/// The first line of an export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    format: String,
    version: u32,
    /// `sqlite` or `postgres`.
    source: String,
    /// Epoch seconds.
    exported_at: f64,
}

/// The line before a table's rows.
#[derive(Debug, Serialize, Deserialize)]
struct TableHeader {
    table: String,
    columns: Vec<String>,
    rows: u64,
}

/// Binds each cell of `$cells` to the query `$query` (either backend's), in order. A NULL
/// goes as a text NULL, which either database takes for a column of any type.
macro_rules! bind_cells {
    ($query:expr, $cells:expr) => {{
        let mut q = $query;
        for cell in $cells {
            q = match cell {
                Cell::Int(v) => q.bind(*v),
                Cell::Real(v) => q.bind(*v),
                Cell::Text(v) => q.bind(v.clone()),
                Cell::Blob(v) => q.bind(unhex(v)?),
                Cell::Null => q.bind(None::<String>),
            };
        }
        q
    }};
}

/// A database connection of either kind.
enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Db {
    async fn open(database_url: &str) -> Result<Self, String> {
        let shown = redact_url(database_url);
        if is_postgres_url(database_url) {
            let conn = PgConnection::connect(database_url)
                .await
                .map_err(|e| format!("{shown}: {e}"))?;
            Ok(Self::Postgres(conn))
        } else if database_url.starts_with("sqlite:") {
            let options: SqliteConnectOptions = database_url
                .parse()
                .map_err(|e: sqlx::Error| format!("{shown}: {e}"))?;
            // Not read-only, even to export: a read-only connection cannot recover a WAL
            // left by a server that was killed.
            let conn = SqliteConnection::connect_with(
                &options
                    .foreign_keys(true)
                    .busy_timeout(std::time::Duration::from_secs(30)),
            )
            .await
            .map_err(|e| format!("{shown}: {e}"))?;
            Ok(Self::Sqlite(conn))
        } else {
            Err(format!(
                "{shown}: not a database this build knows (sqlite://PATH, postgres://…)"
            ))
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    async fn execute(&mut self, sql: &str) -> Result<(), String> {
        match self {
            Self::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
            Self::Postgres(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
        }
        .map_err(|e| format!("{sql}: {e}"))
    }

    /// The tables and their columns (in column order), tables by name.
    async fn tables(&mut self) -> Result<Vec<(String, Vec<String>)>, String> {
        let pairs: Vec<(String, String)> =
            match self {
                Self::Sqlite(c) => {
                    sqlx::query_as(
                        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' ORDER BY m.name, p.cid",
                    )
                    .fetch_all(c)
                    .await
                }
                Self::Postgres(c) => sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
                )
                .fetch_all(c)
                .await,
            }
            .map_err(|e| format!("cannot list the tables: {e}"))?;
        let mut tables: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in pairs {
            // SQLite's own tables (`sqlite_sequence`, `sqlite_stat1` after an ANALYZE, …)
            // are the engine's, not Tocsin's.
            if NOT_CARRIED.contains(&table.as_str()) || table.starts_with("sqlite_") {
                continue;
            }
            match tables.last_mut() {
                Some((t, columns)) if *t == table => columns.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        Ok(tables)
    }

    async fn count(&mut self, table: &str) -> Result<i64, String> {
        let sql = format!("SELECT COUNT(*) FROM {}", quote(table));
        match self {
            Self::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
            Self::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(c).await,
        }
        .map_err(|e| format!("{sql}: {e}"))
    }

    /// Calls `each` with every row of `table` (its cells in `columns` order), streamed
    /// from the database: a table is never held in memory whole. Returns the row count.
    async fn each_row(
        &mut self,
        table: &str,
        columns: &[String],
        mut each: impl FnMut(Vec<Cell>) -> Result<(), String>,
    ) -> Result<u64, String> {
        let list = columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {list} FROM {}", quote(table));
        let failed = |e: sqlx::Error| format!("{sql}: {e}");
        let mut n = 0;
        match self {
            Self::Sqlite(c) => {
                let ordered = format!("{sql} ORDER BY rowid");
                let mut rows = sqlx::query(&ordered).fetch(c);
                while let Some(row) = rows.try_next().await.map_err(failed)? {
                    each(cells(&row, sqlite_kind)?)?;
                    n += 1;
                }
            }
            Self::Postgres(c) => {
                let mut rows = sqlx::query(&sql).fetch(c);
                while let Some(row) = rows.try_next().await.map_err(failed)? {
                    each(cells(&row, pg_kind)?)?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Inserts `rows` into `table` in statements of [`ROWS_PER_INSERT`] rows.
    async fn insert(
        &mut self,
        table: &str,
        columns: &[String],
        rows: &[Vec<Cell>],
    ) -> Result<(), String> {
        let list = columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", ");
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut n = 0;
            let values = chunk
                .iter()
                .map(|row| {
                    let marks = row
                        .iter()
                        .map(|_| {
                            n += 1;
                            match self {
                                Self::Sqlite(_) => format!("?{n}"),
                                Self::Postgres(_) => format!("${n}"),
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("({marks})")
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO {} ({list}) VALUES {values}", quote(table));
            let cells = chunk.iter().flatten();
            let done = match self {
                Self::Sqlite(c) => bind_cells!(sqlx::query(&sql), cells)
                    .execute(c)
                    .await
                    .map(drop),
                Self::Postgres(c) => bind_cells!(sqlx::query(&sql), cells)
                    .execute(c)
                    .await
                    .map(drop),
            };
            done.map_err(|e| format!("inserting into {table}: {e}"))?;
        }
        Ok(())
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn unhex(text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text).map_err(|e| format!("a byte value is not hex: {e}"))
}

/// The type of a stored value, from the name its database gives it.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// SQLite's storage classes.
fn sqlite_kind(name: &str) -> Option<Kind> {
    match name {
        "INTEGER" => Some(Kind::Int),
        "REAL" => Some(Kind::Real),
        "TEXT" => Some(Kind::Text),
        "BLOB" => Some(Kind::Blob),
        _ => None,
    }
}

/// The PostgreSQL types the schema uses.
fn pg_kind(name: &str) -> Option<Kind> {
    match name {
        "INT8" => Some(Kind::Int),
        "FLOAT8" => Some(Kind::Real),
        "TEXT" => Some(Kind::Text),
        "BYTEA" => Some(Kind::Blob),
        _ => None,
    }
}

/// A row's cells, each typed by `kind_of` (the database's name for the value's type).
/// Errors: a value of a type the format does not carry.
fn cells<R>(row: &R, kind_of: fn(&str) -> Option<Kind>) -> Result<Vec<Cell>, String>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i).map_err(|e| e.to_string())?;
            if raw.is_null() {
                return Ok(Cell::Null);
            }
            let name = raw.type_info().name().to_owned();
            let err = |e: sqlx::Error| e.to_string();
            Ok(match kind_of(&name) {
                Some(Kind::Int) => Cell::Int(row.try_get(i).map_err(err)?),
                Some(Kind::Real) => Cell::Real(row.try_get(i).map_err(err)?),
                Some(Kind::Text) => Cell::Text(row.try_get(i).map_err(err)?),
                Some(Kind::Blob) => {
                    Cell::Blob(hex::encode(row.try_get::<Vec<u8>, _>(i).map_err(err)?))
                }
                None => {
                    return Err(format!(
                        "a value of type {name}, which exports do not carry"
                    ));
                }
            })
        })
        .collect()
}

/// `tocsin export --to FILE`: writes the database `database_url` names to `to` (which must
/// not exist, nor `FILE.key`) and its server key to `FILE.key`. Returns a line for people.
///
/// Errors: a line naming what failed (the database unreachable, a file that exists, a value
/// of a type the format does not carry).
pub async fn export(database_url: &str, key: Option<&Path>, to: &Path) -> Result<String, String> {
    let shown = redact_url(database_url);
    let (key_to, key_text) = crate::backup::carried_key(database_url, key, to)?;
    let mut db = Db::open(database_url).await?;
    // One snapshot for every table.
    match db {
        Db::Sqlite(_) => db.execute("BEGIN").await?,
        Db::Postgres(_) => {
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
        }
    }
    let tables = db.tables().await?;
    let file = crate::files::private_file(to)
        .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let mut out = BufWriter::new(file);
    let header = Header {
        format: "tocsin-export".to_owned(),
        version: VERSION,
        source: db.kind().to_owned(),
        exported_at: crate::clock::now(),
    };
    let mut total = 0u64;
    let result: Result<(), String> = async {
        write_line(&mut out, &header)?;
        for (table, columns) in &tables {
            let rows = u64::try_from(db.count(table).await?).map_err(|e| e.to_string())?;
            write_line(
                &mut out,
                &TableHeader {
                    table: table.clone(),
                    columns: columns.clone(),
                    rows,
                },
            )?;
            let written = db
                .each_row(table, columns, |row| write_line(&mut out, &row))
                .await?;
            if written != rows {
                return Err(format!("{table}: counted {rows} rows, read {written}"));
            }
            total += rows;
        }
        out.flush().map_err(|e| e.to_string())?;
        out.get_ref().sync_all().map_err(|e| e.to_string())
    }
    .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(to);
        return Err(format!("exporting {shown}: {e}"));
    }
    db.execute("COMMIT").await?;
    crate::files::write_private(&key_to, &key_text)
        .map_err(|e| format!("cannot write {}: {e}", key_to.display()))?;
    Ok(format!(
        "exported {shown} ({} tables, {total} rows) to {} and its key to {}",
        tables.len(),
        to.display(),
        key_to.display()
    ))
}

fn write_line<T: Serialize>(out: &mut impl Write, value: &T) -> Result<(), String> {
    serde_json::to_writer(&mut *out, value).map_err(|e| e.to_string())?;
    out.write_all(b"\n").map_err(|e| e.to_string())
}

/// Reads an export line by line, checking its shape; never holds more than a line.
struct ExportReader {
    lines: std::iter::Enumerate<std::io::Lines<std::io::BufReader<std::fs::File>>>,
    /// The line last read (1-based), for messages.
    line: usize,
}

impl ExportReader {
    /// Opens `from` and reads its header. Errors: unreadable, or not a tocsin export of
    /// this version.
    fn open(from: &Path) -> Result<(Self, Header), String> {
        let file = std::fs::File::open(from).map_err(|e| format!("{}: {e}", from.display()))?;
        let mut reader = Self {
            lines: std::io::BufReader::new(file).lines().enumerate(),
            line: 0,
        };
        let first = reader
            .next_line()?
            .ok_or_else(|| "the file is empty".to_owned())?;
        let header: Header = serde_json::from_str(&first)
            .map_err(|e| format!("line 1 is not a tocsin export header: {e}"))?;
        if header.format != "tocsin-export" || header.version != VERSION {
            return Err(format!(
                "line 1: format {} version {}, expected tocsin-export version {VERSION}",
                header.format, header.version
            ));
        }
        Ok((reader, header))
    }

    fn next_line(&mut self) -> Result<Option<String>, String> {
        match self.lines.next() {
            Some((n, line)) => {
                self.line = n + 1;
                line.map(Some)
                    .map_err(|e| format!("line {}: {e}", self.line))
            }
            None => Ok(None),
        }
    }

    /// The next table's line, or `None` at the end of the file.
    fn next_table(&mut self) -> Result<Option<TableHeader>, String> {
        let Some(line) = self.next_line()? else {
            return Ok(None);
        };
        serde_json::from_str(&line)
            .map(Some)
            .map_err(|e| format!("line {}: not a table line: {e}", self.line))
    }

    /// The next row of `table`. Errors: the file ends early, or the row is not `columns`
    /// cells.
    fn next_row(&mut self, table: &TableHeader) -> Result<Vec<Cell>, String> {
        let line = self.next_line()?.ok_or_else(|| {
            format!(
                "the file ends inside {} (after line {})",
                table.table, self.line
            )
        })?;
        let row: Vec<Cell> =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", self.line))?;
        if row.len() != table.columns.len() {
            return Err(format!(
                "line {}: {} cells for {} columns of {}",
                self.line,
                row.len(),
                table.columns.len(),
                table.table
            ));
        }
        Ok(row)
    }
}

/// `tocsin import --from FILE`: migrates the database `database_url` names (created if a
/// SQLite file is missing), then writes the export `from` into it, and puts `FILE.key`
/// where the server key goes. Returns a line for people.
///
/// Errors (nothing written): an unreadable or malformed export (naming the line), no
/// `FILE.key`, a different server key already at the key path, a table the target lacks or
/// whose columns differ, a table that already has rows (import goes into an empty
/// database), or a row the target refuses (naming the table).
pub async fn import(database_url: &str, key: Option<&Path>, from: &Path) -> Result<String, String> {
    let shown = redact_url(database_url);
    // First pass: the whole file's shape, before the target is touched.
    let (mut reader, header) = ExportReader::open(from)?;
    let mut tables: Vec<TableHeader> = Vec::new();
    while let Some(table) = reader.next_table()? {
        for _ in 0..table.rows {
            reader.next_row(&table)?;
        }
        tables.push(table);
    }
    let key_from = key_beside(from);
    let key_text = std::fs::read_to_string(&key_from).map_err(|e| {
        format!(
            "cannot read {} (an export's key travels beside it): {e}",
            key_from.display()
        )
    })?;
    let key_path = key_file(database_url, key)?;
    if let Ok(existing) = std::fs::read_to_string(&key_path)
        && existing.trim() != key_text.trim()
    {
        return Err(format!(
            "a different server key is at {}: the imported secrets and audit chain need \
             the export's key ({}); move the other key away first",
            key_path.display(),
            key_from.display()
        ));
    }
    crate::store::migrate(database_url).await?;
    let mut db = Db::open(database_url).await?;
    let target: Vec<(String, Vec<String>)> = db.tables().await?;
    for table in &tables {
        let Some((_, columns)) = target.iter().find(|(t, _)| *t == table.table) else {
            return Err(format!("{shown} has no table {}", table.table));
        };
        let want: BTreeSet<&String> = table.columns.iter().collect();
        let have: BTreeSet<&String> = columns.iter().collect();
        if want != have {
            return Err(format!(
                "{}: the export's columns {:?} differ from {shown}'s {:?}",
                table.table, table.columns, columns
            ));
        }
        let rows = db.count(&table.table).await?;
        if rows > 0 {
            return Err(format!(
                "{}: {rows} rows already in {shown}; import goes into an empty database",
                table.table
            ));
        }
    }
    db.execute("BEGIN").await?;
    // References are checked at commit, so tables go in in the file's order.
    match db {
        Db::Sqlite(_) => db.execute("PRAGMA defer_foreign_keys = ON").await?,
        Db::Postgres(_) => db.execute("SET CONSTRAINTS ALL DEFERRED").await?,
    }
    let written: Result<u64, String> = async {
        let (mut reader, _) = ExportReader::open(from)?;
        let mut total = 0;
        while let Some(table) = reader.next_table()? {
            let mut chunk = Vec::with_capacity(ROWS_PER_INSERT);
            for _ in 0..table.rows {
                chunk.push(reader.next_row(&table)?);
                if chunk.len() == ROWS_PER_INSERT {
                    db.insert(&table.table, &table.columns, &chunk).await?;
                    chunk.clear();
                }
            }
            db.insert(&table.table, &table.columns, &chunk).await?;
            total += table.rows;
        }
        if let Db::Postgres(_) = db {
            move_counters(&mut db).await?;
        }
        Ok(total)
    }
    .await;
    let total = match written {
        Ok(total) => {
            db.execute("COMMIT").await?;
            total
        }
        Err(e) => {
            let _ = db.execute("ROLLBACK").await;
            return Err(format!("importing into {shown}: {e} (nothing was written)"));
        }
    };
    if !key_path.exists() {
        crate::files::write_private(&key_path, &key_text)
            .map_err(|e| format!("cannot write {}: {e}", key_path.display()))?;
    }
    Ok(format!(
        "imported {} ({} export, {} tables, {total} rows) into {shown}; key at {}",
        from.display(),
        header.source,
        tables.len(),
        key_path.display()
    ))
}

/// PostgreSQL: moves every identity sequence past its column's largest imported value, and
/// `feed_head` to the change feed's last id, so new rows and feed entries follow them.
async fn move_counters(db: &mut Db) -> Result<(), String> {
    let Db::Postgres(conn) = db else {
        return Ok(());
    };
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    for (table, column) in identities {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({c}), 1), MAX({c}) IS NOT NULL) FROM {t}",
            c = quote(&column),
            t = quote(&table)
        );
        sqlx::query(&sql)
            .bind(&table)
            .bind(&column)
            .execute(&mut *conn)
            .await
            .map_err(|e| format!("{table}.{column}'s sequence: {e}"))?;
    }
    sqlx::query("UPDATE feed_head SET last_id = (SELECT COALESCE(MAX(id), 0) FROM change_feed)")
        .execute(&mut *conn)
        .await
        .map_err(|e| format!("feed_head: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Cell;

    #[test]
    fn cells_keep_their_types_through_json() {
        let row = vec![
            Cell::Int(7),
            Cell::Real(1_764_547_200.125),
            Cell::Text("{\"a\":1}".to_owned()),
            Cell::Blob("00ff".to_owned()),
            Cell::Null,
            Cell::Real(5.0),
        ];
        let line = serde_json::to_string(&row).unwrap();
        assert_eq!(
            line,
            r#"[{"i":7},{"r":1764547200.125},{"t":"{\"a\":1}"},{"b":"00ff"},"n",{"r":5.0}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<Cell>>(&line).unwrap(), row);
    }
}
