//! PostgreSQL (issue 14, so far its schema): `tocsin migrate` on a real, throwaway
//! PostgreSQL cluster, several nodes migrating at once, and the schema's parity with SQLite.
//!
//! The cluster is Debian's PostgreSQL (`scripts/setup.sh` installs it), started by
//! [`Cluster::start`] in a directory of its own on a free loopback port, trusting local
//! connections, and stopped when the test ends. `initdb` refuses root, so as root (CI) the
//! cluster runs as the `postgres` user. With `TOCSIN_TEST_POSTGRES_URL` set (a server you
//! run, whose user may create databases), each test gets a new database on it instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sqlx::{Connection, PgConnection, Row, SqliteConnection};

/// A PostgreSQL database for one test: on a cluster of its own, or on the server
/// `TOCSIN_TEST_POSTGRES_URL` names.
struct Cluster {
    /// The database's URL.
    url: String,
    /// The cluster's directory and `pg_ctl`, when the test started one.
    own: Option<(tempfile::TempDir, PathBuf, bool)>,
}

impl Cluster {
    async fn start() -> Self {
        if let Ok(base) = std::env::var("TOCSIN_TEST_POSTGRES_URL") {
            let name = format!("tocsin_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = PgConnection::connect(&base).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let mut url = url::Url::parse(&base).unwrap();
            url.set_path(&name);
            return Self {
                url: url.to_string(),
                own: None,
            };
        }
        let bin = postgres_bindir();
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = id(&["-u"]) == 0;
        if as_postgres {
            // Debian's postgresql package adds the user (scripts/setup.sh installs it).
            let (uid, gid) = (id(&["-u", "postgres"]), id(&["-g", "postgres"]));
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let data = dir.path().join("data");
        let port = free_port();
        run(
            as_postgres,
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "--auth=trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.path().display()
        );
        let log = dir.path().join("log");
        run(
            as_postgres,
            &bin.join("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        Self {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            own: Some((dir, bin.join("pg_ctl"), as_postgres)),
        }
    }

    async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some((dir, pg_ctl, as_postgres)) = &self.own {
            let data = dir.path().join("data");
            let mut command = command(*as_postgres, pg_ctl);
            command
                .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let _ = command.status();
        }
    }
}

/// The newest PostgreSQL's `bin` directory under Debian's `/usr/lib/postgresql`.
fn postgres_bindir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's PostgreSQL packages (scripts/setup.sh installs them)")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
        .1
}

/// `id ARGS` as a number (a user or group id).
fn id(args: &[&str]) -> u32 {
    let out = Command::new("id").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "id {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(as_postgres: bool, program: &Path, args: &[&str]) {
    let out = command(as_postgres, program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tocsin_migrate(url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(["migrate", "--database-url", url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The migrations in `migrations/postgres`, by version.
fn postgres_migration_versions() -> Vec<i64> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut versions: Vec<i64> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".sql")?.split('_').next()?.parse().ok()
        })
        .collect();
    versions.sort_unstable();
    versions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_migrating_at_once_apply_each_migration_once() {
    let cluster = Cluster::start().await;
    let nodes: Vec<_> = (0..3).map(|_| tocsin_migrate(&cluster.url)).collect();
    let expected = postgres_migration_versions();
    let last = expected.last().copied().unwrap();
    for node in nodes {
        let out = node.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!(
                "schema at migration {last} ({} applied in all)",
                expected.len()
            )),
            "{stdout}"
        );
    }
    let mut conn = cluster.connect().await;
    let rows: Vec<(i64, bool)> =
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        rows,
        expected.iter().map(|v| (*v, true)).collect::<Vec<_>>(),
        "each migration recorded once, applied"
    );
    // The change feed's id counter starts at 0, one row.
    let heads: Vec<i64> = sqlx::query_scalar("SELECT last_id FROM feed_head")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(heads, vec![0]);
    // Migrating again finds nothing to do.
    let again = tocsin_migrate(&cluster.url).wait_with_output().unwrap();
    assert!(again.status.success());
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, i64::try_from(expected.len()).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_schema_has_every_sqlite_table_column_and_index() {
    let cluster = Cluster::start().await;
    let out = tocsin_migrate(&cluster.url).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("t.db").display());
    let out = tocsin_migrate(&sqlite_url).wait_with_output().unwrap();
    assert!(out.status.success());

    let mut lite = SqliteConnection::connect(&sqlite_url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT IN ('sqlite_sequence', '_sqlx_migrations') ORDER BY name",
    )
    .fetch_all(&mut lite)
    .await
    .unwrap();
    assert!(tables.len() > 30, "{tables:?}");
    let mut sqlite_columns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for table in &tables {
        let names: Vec<String> =
            sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&mut lite)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
        sqlite_columns.insert(table.clone(), names.into_iter().collect());
    }
    let sqlite_indexes: BTreeSet<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
    )
    .fetch_all(&mut lite)
    .await
    .unwrap()
    .into_iter()
    .collect();

    let mut pg = cluster.connect().await;
    let mut pg_columns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in sqlx::query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public'",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap()
    {
        pg_columns.entry(row.get(0)).or_default().insert(row.get(1));
    }
    for (table, columns) in &sqlite_columns {
        assert_eq!(
            pg_columns.get(table),
            Some(columns),
            "table {table}: PostgreSQL's columns differ from SQLite's (add a migration in \
             migrations/postgres)"
        );
    }
    let pg_indexes: BTreeSet<String> =
        sqlx::query_scalar("SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'")
            .fetch_all(&mut pg)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let missing: Vec<_> = sqlite_indexes.difference(&pg_indexes).collect();
    assert!(
        missing.is_empty(),
        "indexes missing in PostgreSQL: {missing:?}"
    );
    // The dedupe rule is the database's on both: a second OPEN incident with the same
    // dedupe string is refused, a RESOLVED one is not.
    let insert = "INSERT INTO incidents (arn, response_plan_arn, status, impact, dedupe_string, \
                  creation_time, body) VALUES ($1, 'p', $2, 1, 'db-down', 0, '{}')";
    for (arn, status) in [("a", "OPEN"), ("b", "RESOLVED")] {
        sqlx::query(insert)
            .bind(arn)
            .bind(status)
            .execute(&mut pg)
            .await
            .unwrap();
    }
    let second_open = sqlx::query(insert)
        .bind("c")
        .bind("OPEN")
        .execute(&mut pg)
        .await
        .unwrap_err();
    assert!(
        second_open.to_string().contains("incidents_open_dedupe"),
        "{second_open}"
    );
}

#[test]
fn postgres_urls_get_reasons_and_never_show_the_password() {
    // No server on this port: migrate names the connection's own error.
    let port = free_port();
    let url = format!("postgres://tocsin:hunter2secret@127.0.0.1:{port}/tocsin");
    let out = tocsin_migrate(&url).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert!(stderr.contains("tocsin:***@127.0.0.1"), "{stderr}");
    assert!(!stderr.contains("hunter2secret"), "{stderr}");
    // Serving from PostgreSQL is refused with a reason, before anything listens.
    let out = Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("not built yet"), "{stderr}");
    assert!(!stderr.contains("hunter2secret"), "{stderr}");
}
