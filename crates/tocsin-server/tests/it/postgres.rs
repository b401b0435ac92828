//! PostgreSQL (issue 14) on a real, throwaway cluster: `tocsin migrate` (several nodes
//! migrating at once), the schema's parity with SQLite, export and import, and several
//! nodes serving one database as one system (dedupe strings, client tokens, one feed).
//!
//! The cluster is Debian's PostgreSQL (`scripts/setup.sh` installs it), started by
//! [`Cluster::start`] in a directory of its own on a free loopback port, trusting local
//! connections, and stopped when the test ends. `initdb` refuses root, so as root (CI) the
//! cluster runs as the `postgres` user. With `TOCSIN_TEST_POSTGRES_URL` set (a server you
//! run, whose user may create databases), each test gets a new database on it instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use tocsin_server::ServerConfig;
use tocsin_server::store::postgres::PgStore;

use crate::stream::{read_until, sse_events};
use crate::support::{TestServer, Tocsin, alarm_entry, bearer_client, credentials_file};

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
        // Under /tmp whatever TMPDIR says: the postgres user must be able to reach it.
        let dir = tempfile::Builder::new()
            .prefix("tocsin-pg-")
            .tempdir_in("/tmp")
            .unwrap();
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

/// One cluster for the whole test process, started by the first test that asks for a
/// [`fresh_database`] (the Drop of a static never runs, so a watchdog process stops it and
/// deletes its directory once this process has exited).
static SHARED: tokio::sync::OnceCell<Cluster> = tokio::sync::OnceCell::const_new();

/// A new, empty database for one test (the store suite on PostgreSQL): on the process's
/// shared cluster, or on the server `TOCSIN_TEST_POSTGRES_URL` names.
pub async fn fresh_database() -> String {
    let cluster = SHARED
        .get_or_init(|| async {
            let mut cluster = Cluster::start().await;
            if let Some((dir, pg_ctl, as_postgres)) = cluster.own.take() {
                let data = dir.path().join("data");
                let stop = format!(
                    "{}{} -D {} -m immediate stop",
                    if as_postgres {
                        "runuser -u postgres -- "
                    } else {
                        ""
                    },
                    pg_ctl.display(),
                    data.display()
                );
                #[allow(
                    clippy::zombie_processes,
                    reason = "the watchdog outlives this process on purpose"
                )]
                let _watchdog = Command::new("sh")
                    .arg("-c")
                    .arg(format!(
                        "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop}; rm -rf {}",
                        std::process::id(),
                        dir.path().display()
                    ))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                // The watchdog deletes it; the TempDir must not first.
                let _ = dir.keep();
            }
            cluster
        })
        .await;
    let name = format!("tocsin_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = cluster.connect().await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut url = url::Url::parse(&cluster.url).unwrap();
    url.set_path(&name);
    url.to_string()
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
    // Serving from a server that is not there fails at start with the reason.
    let out = Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .args(["--key-file", "/nonexistent/server.key"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("Connection refused"), "{stderr}");
    assert!(!stderr.contains("hunter2secret"), "{stderr}");
}

/// An export's tables: name → (columns sorted, rows as column → cell JSON, sorted).
fn export_tables(path: &Path) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut tables: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines().skip(1) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(table) = value.get("table") {
            let columns: Vec<String> = serde_json::from_value(value["columns"].clone()).unwrap();
            let name = table.as_str().unwrap().to_owned();
            let mut sorted = columns.clone();
            sorted.sort();
            tables.insert(name.clone(), (sorted, Vec::new()));
            current = Some((name, columns));
        } else {
            let (name, columns) = current.as_ref().unwrap();
            let row: BTreeMap<&String, &serde_json::Value> =
                columns.iter().zip(value.as_array().unwrap()).collect();
            tables
                .get_mut(name)
                .unwrap()
                .1
                .push(serde_json::to_string(&row).unwrap());
        }
    }
    for (_, rows) in tables.values_mut() {
        rows.sort();
    }
    tables
}

fn tocsin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tocsin"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stops a `tocsin serve` the way systemd does (SIGTERM) and waits for it.
fn stop(mut server: crate::support::Tocsin) {
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let _ = server.child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_from_sqlite_to_postgres_and_back_with_every_row() {
    use serde_json::json;
    let cluster = Cluster::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let live = format!("sqlite://{}", path("live/t.db"));
    std::fs::create_dir_all(dir.path().join("live")).unwrap();

    // An installation with plans, incidents, timelines, events, keys and audit entries.
    let server = crate::support::Tocsin::start(&live, &[]).await;
    let post = |op: &str, body: serde_json::Value| {
        let request = server
            .client
            .post(format!("{}{op}", server.base))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        let op = op.to_owned();
        async move {
            let r = request.send().await.unwrap();
            assert!(r.status().is_success(), "{op}: {}", r.status());
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let plan = post(
        "/createResponsePlan",
        json!({"name": "moved", "incidentTemplate": {"title": "Checkout down", "impact": 2}}),
    )
    .await;
    let plan_arn = plan["arn"].as_str().unwrap().to_owned();
    for title in ["Checkout down", "Search slow"] {
        let started = post(
            "/startIncident",
            json!({"responsePlanArn": plan_arn, "title": title, "impact": 2}),
        )
        .await;
        post(
            "/createTimelineEvent",
            json!({"incidentRecordArn": started["incidentRecordArn"], "eventTime": 1_764_547_200.25,
                   "eventType": "Custom Event", "eventData": "\"rolled back\""}),
        )
        .await;
    }
    let r = server
        .client
        .post(format!("{}/", server.base))
        .header("X-Amz-Target", "AWSEvents.PutEvents")
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(
            json!({"Entries": [crate::support::alarm_entry(), crate::support::alarm_entry()]})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    stop(server);
    // An operator's ANALYZE adds SQLite's own statistics tables; they are not carried.
    let mut source = SqliteConnection::connect(&live).await.unwrap();
    sqlx::query("ANALYZE").execute(&mut source).await.unwrap();
    source.close().await.unwrap();

    // SQLite → PostgreSQL → SQLite.
    let one = path("one.jsonl");
    ok(&tocsin(&["export", "--database-url", &live, "--to", &one]));
    let pg_key = path("pg/server.key");
    std::fs::create_dir_all(dir.path().join("pg")).unwrap();
    let imported = ok(&tocsin(&[
        "import",
        "--database-url",
        &cluster.url,
        "--key-file",
        &pg_key,
        "--from",
        &one,
    ]));
    assert!(imported.contains("sqlite export"), "{imported}");
    assert_eq!(
        std::fs::read_to_string(&pg_key).unwrap(),
        std::fs::read_to_string(dir.path().join("live/server.key")).unwrap(),
        "the key travels with the export"
    );
    let two = path("two.jsonl");
    ok(&tocsin(&[
        "export",
        "--database-url",
        &cluster.url,
        "--key-file",
        &pg_key,
        "--to",
        &two,
    ]));
    let back = format!("sqlite://{}", path("back/t.db"));
    ok(&tocsin(&[
        "import",
        "--database-url",
        &back,
        "--from",
        &two,
    ]));
    let three = path("three.jsonl");
    ok(&tocsin(&[
        "export",
        "--database-url",
        &back,
        "--to",
        &three,
    ]));

    let (a, b, c) = (
        export_tables(Path::new(&one)),
        export_tables(Path::new(&two)),
        export_tables(Path::new(&three)),
    );
    for table in [
        "incidents",
        "timeline_events",
        "change_feed",
        "audit_log",
        "events",
        "access_keys",
    ] {
        assert!(!a[table].1.is_empty(), "{table} is empty in the source");
    }
    assert_eq!(a.len(), b.len());
    for (table, rows) in &a {
        assert_eq!(
            Some(rows),
            b.get(table),
            "{table}: PostgreSQL differs from SQLite"
        );
        assert_eq!(Some(rows), c.get(table), "{table}: the round trip differs");
    }

    // A node on the imported PostgreSQL database and one on the SQLite source give the
    // same answers to the list operations.
    let on_sqlite = crate::support::Tocsin::start(&live, &[]).await;
    let mut on_postgres =
        crate::support::Tocsin::start(&cluster.url, &["--key-file", &pg_key]).await;
    let (id, secret) = credentials_file(&dir.path().join("live/admin-credentials")).unwrap();
    on_postgres.client = bearer_client(&id, &secret);
    let mut answers = Vec::new();
    for node in [&on_sqlite, &on_postgres] {
        answers.push(list_everything(node).await);
    }
    assert!(
        answers[0]["/listTimelineEvents"].as_array().unwrap().len() == 2,
        "{}",
        answers[0]
    );
    for (operation, answer) in answers[0].as_object().unwrap() {
        assert_eq!(
            Some(answer),
            answers[1].get(operation),
            "{operation} answers alike on SQLite and PostgreSQL"
        );
    }
    stop(on_sqlite);
    stop(on_postgres);

    // PostgreSQL's counters continue after the imported ids.
    let mut pg = cluster.connect().await;
    let (head, last): (i64, i64) =
        sqlx::query_as("SELECT last_id, (SELECT MAX(id) FROM change_feed) FROM feed_head")
            .fetch_one(&mut pg)
            .await
            .unwrap();
    assert_eq!(head, last);
    let max_seq: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM timeline_events")
        .fetch_one(&mut pg)
        .await
        .unwrap();
    let arn: String = sqlx::query_scalar("SELECT arn FROM incidents LIMIT 1")
        .fetch_one(&mut pg)
        .await
        .unwrap();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO timeline_events (event_id, incident_arn, event_time, body) \
         VALUES ('new', $1, 0, '{}') RETURNING seq",
    )
    .bind(&arn)
    .fetch_one(&mut pg)
    .await
    .unwrap();
    assert!(seq > max_seq, "{seq} after {max_seq}");

    // The round-tripped SQLite database keeps its audit chain and serves the same keys.
    let verified = ok(&tocsin(&["audit", "--database-url", &back, "verify"]));
    assert!(verified.contains("intact"), "{verified}");
    std::fs::copy(
        dir.path().join("live/admin-credentials"),
        dir.path().join("back/admin-credentials"),
    )
    .unwrap();
    let again = crate::support::Tocsin::start(&back, &[]).await;
    let r = again
        .client
        .post(format!("{}/listIncidentRecords", again.base))
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "the admin key works after the move"
    );
    let listed: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        listed["incidentRecordSummaries"].as_array().unwrap().len(),
        2
    );
    stop(again);

    // Bad input: a second import into a database that has rows, a truncated export and a
    // missing key file are refused, and write nothing.
    let refused = tocsin(&[
        "import",
        "--database-url",
        &cluster.url,
        "--key-file",
        &pg_key,
        "--from",
        &one,
    ]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("import goes into an empty database")
    );
    let text = std::fs::read_to_string(&one).unwrap();
    let cut = path("cut.jsonl");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    std::fs::copy(format!("{one}.key"), format!("{cut}.key")).unwrap();
    let empty = format!("sqlite://{}", path("empty/t.db"));
    let truncated = tocsin(&["import", "--database-url", &empty, "--from", &cut]);
    let stderr = String::from_utf8_lossy(&truncated.stderr);
    assert!(!truncated.status.success());
    assert!(stderr.contains("line "), "{stderr}");
    let no_key = path("nokey.jsonl");
    std::fs::copy(&one, &no_key).unwrap();
    let keyless = tocsin(&["import", "--database-url", &empty, "--from", &no_key]);
    assert!(String::from_utf8_lossy(&keyless.stderr).contains("key travels beside it"));
    // Both are refused before the target is touched: the database was not even created.
    assert!(!dir.path().join("empty/t.db").exists());
    // A row the target refuses (an incident status outside its CHECK), after tables that
    // were written: the whole import is rolled back.
    let bad = path("bad.jsonl");
    std::fs::write(
        &bad,
        text.replacen(r#"{"t":"OPEN"}"#, r#"{"t":"BOGUS"}"#, 1),
    )
    .unwrap();
    std::fs::copy(format!("{one}.key"), format!("{bad}.key")).unwrap();
    let refused = tocsin(&["import", "--database-url", &empty, "--from", &bad]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("inserting into incidents") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("empty/server.key").exists(),
        "no key for a refused import"
    );
    let mut lite = SqliteConnection::connect(&empty).await.unwrap();
    for table in a.keys() {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut lite)
            .await
            .unwrap();
        assert_eq!(rows, 0, "a refused import left rows in {table}");
    }
}

/// `count` nodes over the database at `url`: each its own [`PgStore`] (pool, listener) and
/// HTTP server, all with one server key (the same `--key-file` on every node) and the first
/// node's admin key.
async fn nodes(url: &str, count: usize) -> Vec<TestServer<PgStore>> {
    let config = ServerConfig {
        keep_alive: Duration::from_millis(300),
        ..ServerConfig::default()
    };
    let mut nodes: Vec<TestServer<PgStore>> = Vec::new();
    for _ in 0..count {
        let store = PgStore::open(url).await.unwrap();
        let admin = nodes.first().map(|n| n.admin.clone());
        nodes.push(TestServer::start_on(store, config.clone(), admin).await);
    }
    nodes
}

/// Issue 14, "three nodes, one database": 1,000 concurrent triggers carrying one dedupe
/// string, spread over three nodes, open exactly one incident whose deduplicated-trigger
/// counts total 999; 200 StartIncident calls with 20 client tokens spread over the nodes
/// return 20 ARNs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_merge_one_dedupe_string_and_honour_client_tokens() {
    let cluster = Cluster::start().await;
    let nodes = nodes(&cluster.url, 3).await;
    nodes[0].alarm_route("db-down", 2).await;
    // The rule written on node A reaches every node's matcher within a second (a NOTIFY
    // away; asserted with room for a loaded machine).
    let written = nodes[0].raw_get("/healthz").await.1["matcherFeedId"]
        .as_i64()
        .unwrap();
    let asked = std::time::Instant::now();
    for node in &nodes[1..] {
        while node.raw_get("/healthz").await.1["matcherFeedId"]
            .as_i64()
            .unwrap()
            < written
        {
            assert!(
                asked.elapsed() < Duration::from_secs(3),
                "node {} had not compiled the rule after 3 s",
                node.base
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let triggers = futures::stream::iter(0..1000)
        .map(|i| {
            let node = &nodes[i % 3];
            async move {
                node.events("PutEvents", &json!({"Entries": [alarm_entry()]}))
                    .await
            }
        })
        .buffer_unordered(48)
        .collect::<Vec<_>>()
        .await;
    for (status, body) in &triggers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["FailedEntryCount"], 0, "{body}");
    }
    // Every node answers the same: one incident.
    let mut arn = String::new();
    for node in &nodes {
        let (_, list) = node.rest("/listIncidentRecords", &json!({})).await;
        let incidents = list["incidentRecordSummaries"].as_array().unwrap();
        assert_eq!(incidents.len(), 1, "{list}");
        arn = incidents[0]["arn"].as_str().unwrap().to_owned();
    }
    let mut deduplicated = 0;
    let mut token = None::<String>;
    loop {
        let mut query = json!({"incidentRecordArn": arn, "maxResults": 100});
        if let Some(t) = &token {
            query["nextToken"] = json!(t);
        }
        let (_, page) = nodes[1].rest("/listTimelineEvents", &query).await;
        for e in page["eventSummaries"].as_array().unwrap() {
            if e["eventType"] != "Trigger Deduplicated" {
                continue;
            }
            let (status, entry) = nodes[2]
                .raw_get(&format!(
                    "/getTimelineEvent?incidentRecordArn={}&eventId={}",
                    encoded(&arn),
                    e["eventId"].as_str().unwrap()
                ))
                .await;
            assert_eq!(status, 200, "{entry}");
            let data: Value =
                serde_json::from_str(entry["event"]["eventData"].as_str().unwrap()).unwrap();
            deduplicated += data["count"].as_i64().unwrap();
        }
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        deduplicated, 999,
        "every trigger but the first merged, counted once"
    );

    let (status, plan) = nodes[0]
        .rest(
            "/createResponsePlan",
            &json!({"name": "tokens", "incidentTemplate": {"title": "T", "impact": 3}}),
        )
        .await;
    assert_eq!(status, 201, "{plan}");
    let plan = plan["arn"].as_str().unwrap().to_owned();
    let starts = futures::stream::iter(0..200)
        .map(|i| {
            let node = &nodes[i % 3];
            let plan = plan.clone();
            async move {
                let token = format!("token-{}", i % 20);
                let answer = node
                    .rest(
                        "/startIncident",
                        &json!({"responsePlanArn": plan, "clientToken": token}),
                    )
                    .await;
                (token, answer)
            }
        })
        .buffer_unordered(48)
        .collect::<Vec<_>>()
        .await;
    let mut by_token: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (token, (status, body)) in &starts {
        assert_eq!(*status, 200, "{body}");
        by_token
            .entry(token.clone())
            .or_default()
            .insert(body["incidentRecordArn"].as_str().unwrap().to_owned());
    }
    // Each token's 10 calls got one ARN, and the 20 tokens 20 different ones.
    assert!(
        by_token.values().all(|arns| arns.len() == 1),
        "{by_token:?}"
    );
    let arns: BTreeSet<&String> = by_token.values().flatten().collect();
    assert_eq!(arns.len(), 20, "200 calls with 20 tokens gave {arns:?}");
    let (_, list) = nodes[2].rest("/listIncidentRecords", &json!({})).await;
    assert_eq!(
        list["incidentRecordSummaries"].as_array().unwrap().len(),
        21,
        "one merged incident and one per token: {list}"
    );
    for node in nodes {
        node.stop();
    }
}

/// Issue 14, "one feed": a stream client on node A (with a stream ticket node B issued)
/// sees changes written on nodes B and C in one order (ids rising), and resuming on node C
/// with `Last-Event-ID` misses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_serves_one_feed_resumable_on_any_node() {
    let cluster = Cluster::start().await;
    let nodes = nodes(&cluster.url, 3).await;
    // Opened with a stream ticket node B issued: tickets are valid on any node, once.
    let (status, ticket) = nodes[1].rest("/v1/stream-tickets", &json!({})).await;
    assert_eq!(status, 200, "{ticket}");
    let ticket = ticket["ticket"].as_str().unwrap().to_owned();
    let live = nodes[0]
        .anonymous
        .get(format!("{}/v1/stream?ticket={ticket}", nodes[0].base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let again = nodes[2]
        .anonymous
        .get(format!("{}/v1/stream?ticket={ticket}", nodes[2].base))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 403, "a ticket is used once across nodes");
    let mut titles = Vec::new();
    for (i, node) in nodes.iter().enumerate().skip(1) {
        let (status, body) = node
            .rest(
                "/createResponsePlan",
                &json!({"name": format!("from-node-{i}"), "incidentTemplate": {"title": "T", "impact": 3}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        titles.push(format!("from-node-{i}"));
    }
    let text = read_until(live, Duration::from_secs(10), |t| {
        titles.iter().all(|name| t.contains(name.as_str()))
    })
    .await;
    let seen = sse_events(&text);
    let ids: Vec<i64> = seen.iter().filter_map(|(_, id, _)| *id).collect();
    assert!(
        titles.iter().all(|name| text.contains(name.as_str())),
        "node A's stream saw the writes of B and C: {text}"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "one order: {ids:?}");
    let first = ids[0];

    // Resumed on node C just before the first entry, it gets the same entries again.
    let resumed = nodes[2]
        .client
        .get(format!("{}/v1/stream", nodes[2].base))
        .header("Last-Event-ID", (first - 1).to_string())
        .send()
        .await
        .unwrap();
    let last = *ids.last().unwrap();
    let again = read_until(resumed, Duration::from_secs(10), |t| {
        sse_events(t).iter().any(|(_, id, _)| *id == Some(last))
    })
    .await;
    let again_ids: Vec<i64> = sse_events(&again)
        .iter()
        .filter_map(|(_, id, _)| *id)
        .take_while(|id| *id <= last)
        .collect();
    assert_eq!(
        again_ids, ids,
        "node C resumed with nothing missed: {again}"
    );
    for node in nodes {
        node.stop();
    }
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `tocsin serve` on the PostgreSQL database `url` with the key file and the admin
/// credentials in `dir` (shared by every node), HTTP targets on loopback allowed; its
/// client uses the admin key the first node minted.
async fn node_process(url: &str, dir: &Path) -> Tocsin {
    let key = dir.join("server.key");
    let credentials = dir.join("admin-credentials");
    let mut node = Tocsin::start(
        url,
        &[
            "--key-file",
            key.to_str().unwrap(),
            "--bootstrap-credentials-file",
            credentials.to_str().unwrap(),
            "--outbound-allow",
            "127.0.0.0/8",
        ],
    )
    .await;
    let (id, secret) = credentials_file(&credentials).expect("the first node's admin key");
    node.client = bearer_client(&id, &secret);
    node
}

/// The node's `/healthz` answer.
async fn health(node: &Tocsin) -> Value {
    node.client
        .get(format!("{}/healthz", node.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Two node processes on `url`: A, started first and waited for until it holds the
/// scheduler lease, and B, which must not hold it (one node at a time).
async fn lease_holder_and_standby(url: &str, dir: &Path) -> (Tocsin, Tocsin) {
    let a = node_process(url, dir).await;
    eventually(
        "node A to hold the lease",
        10,
        || health(&a),
        |h| h["schedulerLease"] == true,
    )
    .await;
    let b = node_process(url, dir).await;
    assert_eq!(
        health(&b).await["schedulerLease"],
        false,
        "one node at a time"
    );
    (a, b)
}

/// Calls `fetch` every 100 ms until `done` holds for its value (at most `seconds`).
async fn eventually<F, Fut>(
    what: &str,
    seconds: u64,
    mut fetch: F,
    done: impl Fn(&Value) -> bool,
) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    loop {
        let value = fetch().await;
        if done(&value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {value}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An awsJson1.1 call (`X-Amz-Target: PREFIX.OP`) to a node; the answer's body.
async fn aws(node: &Tocsin, target: &str, body: Value) -> Value {
    let r = node
        .client
        .post(format!("{}/", node.base))
        .header("X-Amz-Target", target)
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{target}: {status} {body}");
    body
}

/// Issue 14, "node failure": node A holds the scheduler lease, has HTTP deliveries in
/// flight (the receiver answers slowly) and a runbook execution in a sleep when it is
/// killed with SIGKILL. Node B takes the lease over, delivers every outstanding webhook
/// (the receiver sees each at least once; each delivery row is finished once) and finishes
/// the execution with each step recorded once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_deliveries_and_runbook_are_finished_by_another_node() {
    let cluster = Cluster::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut a, b) = lease_holder_and_standby(&cluster.url, dir.path()).await;

    // A receiver that records each request's event id and answers after 2 s.
    let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let record = record.clone();
            async move {
                let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                record
                    .lock()
                    .unwrap()
                    .push(event["id"].as_str().unwrap_or_default().to_owned());
                tokio::time::sleep(Duration::from_secs(2)).await;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let pattern = json!({"source": ["aws.cloudwatch"]}).to_string();
    aws(
        &a,
        "AWSEvents.PutRule",
        json!({"Name": "to-hook", "EventPattern": pattern}),
    )
    .await;
    aws(
        &a,
        "AWSEvents.PutTargets",
        json!({"Rule": "to-hook", "Targets": [{"Id": "hook", "Arn": hook}]}),
    )
    .await;
    let document = json!({"schemaVersion": "0.3", "mainSteps": [
        {"name": "nap", "action": "aws:sleep", "inputs": {"Duration": "PT5S"}},
        {"name": "after", "action": "aws:sleep", "inputs": {"Duration": "PT0S"}}
    ]});
    aws(
        &a,
        "AmazonSSM.CreateDocument",
        json!({"Name": "sleepy", "Content": document.to_string()}),
    )
    .await;
    let execution = aws(
        &a,
        "AmazonSSM.StartAutomationExecution",
        json!({"DocumentName": "sleepy"}),
    )
    .await["AutomationExecutionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let entries: Vec<Value> = (0..10).map(|_| alarm_entry()).collect();
    let put = aws(&a, "AWSEvents.PutEvents", json!({"Entries": entries})).await;
    assert_eq!(put["FailedEntryCount"], 0, "{put}");
    let ids: BTreeSet<String> = put["Entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["EventId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 10);

    // A has attempts in flight and the execution in its sleep: kill it.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while seen.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "node A sent nothing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = aws(
        &a,
        "AmazonSSM.GetAutomationExecution",
        json!({"AutomationExecutionId": execution}),
    )
    .await;
    assert_eq!(
        status["AutomationExecution"]["CurrentStepName"], "nap",
        "{status}"
    );
    a.child.kill().unwrap();
    a.child.wait().unwrap();

    eventually(
        "node B to take the lease over",
        20,
        || health(&b),
        |h| h["schedulerLease"] == true,
    )
    .await;
    let done = eventually(
        "node B to finish the execution",
        30,
        || {
            aws(
                &b,
                "AmazonSSM.GetAutomationExecution",
                json!({"AutomationExecutionId": execution}),
            )
        },
        |e| e["AutomationExecution"]["AutomationExecutionStatus"] == "Success",
    )
    .await;
    let steps: Vec<&str> = done["AutomationExecution"]["StepExecutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["StepName"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["nap", "after"], "each step recorded once: {done}");
    let deliveries = eventually(
        "node B to deliver every webhook",
        60,
        || async {
            b.client
                .get(format!("{}/v1/deliveries", b.base))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        },
        |list| {
            list.as_array()
                .is_some_and(|l| l.len() == 10 && l.iter().all(|d| d["status"] == "DELIVERED"))
        },
    )
    .await;
    let received: BTreeSet<String> = seen.lock().unwrap().iter().cloned().collect();
    assert_eq!(received, ids, "the receiver saw every event at least once");
    // Each delivery row ended once: one DELIVERED change per delivery in the feed.
    let mut pg = cluster.connect().await;
    let ended: Vec<(String, i64)> = sqlx::query_as(
        "SELECT body::jsonb #>> '{data,id}', COUNT(*) FROM change_feed \
         WHERE body::jsonb ->> 'kind' = 'deliveryChanged' \
         AND body::jsonb #>> '{data,status}' = 'DELIVERED' GROUP BY 1",
    )
    .fetch_all(&mut pg)
    .await
    .unwrap();
    assert_eq!(ended.len(), 10, "{ended:?} {deliveries}");
    assert!(
        ended.iter().all(|(_, n)| *n == 1),
        "a delivery ended twice: {ended:?}"
    );
}

/// The answers of the list operations a node serves, by operation (paged answers whole;
/// per-incident lists for every incident), for comparing two nodes.
async fn list_everything(node: &Tocsin) -> Value {
    let rest = |path: &'static str, body: Value| {
        let request = node
            .client
            .post(format!("{}{path}", node.base))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        async move {
            let r = request.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let get = |path: &'static str| {
        let request = node.client.get(format!("{}{path}", node.base));
        async move {
            let r = request.send().await.unwrap();
            assert!(r.status().is_success(), "{path}: {}", r.status());
            r.json::<Value>().await.unwrap()
        }
    };
    let mut out = serde_json::Map::new();
    let incidents = rest("/listIncidentRecords", json!({})).await;
    let mut timelines = Vec::new();
    let mut related = Vec::new();
    for incident in incidents["incidentRecordSummaries"].as_array().unwrap() {
        let arn = incident["arn"].clone();
        timelines.push(rest("/listTimelineEvents", json!({"incidentRecordArn": arn})).await);
        related.push(rest("/listRelatedItems", json!({"incidentRecordArn": arn})).await);
    }
    out.insert("/listIncidentRecords".into(), incidents);
    out.insert("/listTimelineEvents".into(), Value::Array(timelines));
    out.insert("/listRelatedItems".into(), Value::Array(related));
    out.insert(
        "/listResponsePlans".into(),
        rest("/listResponsePlans", json!({})).await,
    );
    out.insert(
        "/listReplicationSets".into(),
        rest("/listReplicationSets", json!({})).await,
    );
    for (target, body) in [
        ("AWSEvents.ListRules", json!({})),
        ("AWSEvents.ListEventBuses", json!({})),
        ("AWSEvents.ListArchives", json!({})),
        ("AWSEvents.ListReplays", json!({})),
        ("AWSEvents.ListConnections", json!({})),
        ("AWSEvents.ListApiDestinations", json!({})),
        ("AmazonSSM.ListDocuments", json!({})),
        ("AmazonSSM.DescribeAutomationExecutions", json!({})),
        ("SSMContacts.ListContacts", json!({})),
        ("SSMContacts.ListEngagements", json!({})),
    ] {
        out.insert(target.into(), aws(node, target, body).await);
    }
    let rules = out["AWSEvents.ListRules"]["Rules"]
        .as_array()
        .unwrap()
        .clone();
    let mut targets = Vec::new();
    for rule in rules {
        targets.push(
            aws(
                node,
                "AWSEvents.ListTargetsByRule",
                json!({"Rule": rule["Name"]}),
            )
            .await,
        );
    }
    out.insert("AWSEvents.ListTargetsByRule".into(), Value::Array(targets));
    for path in [
        "/v1/boards",
        "/v1/receivers",
        "/v1/heartbeats",
        "/v1/topics",
        "/v1/webhooks",
        "/v1/service-roles",
        "/v1/audit",
    ] {
        out.insert(path.into(), get(path).await);
    }
    // Less `lastUsedAt`, which these very calls move.
    let mut keys = get("/v1/keys").await;
    for key in keys.as_array_mut().unwrap() {
        key.as_object_mut().unwrap().remove("lastUsedAt");
    }
    out.insert("/v1/keys".into(), keys);
    out.insert("/v1/deliveries".into(), get("/v1/deliveries").await);
    Value::Object(out)
}

/// The scheduler lease expires: a holder that hangs (SIGSTOP, as a frozen VM or a cut-off
/// network would look to the database) loses it to another node after about
/// `LEASE_EXPIRY` (10 s), and once it runs again it finds it lost and does not take it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_lease_holder_loses_the_lease_to_another_node() {
    let cluster = Cluster::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = lease_holder_and_standby(&cluster.url, dir.path()).await;
    let signal = |name: &str| {
        let status = Command::new("kill")
            .args([name, &a.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    signal("-STOP");
    let hung = std::time::Instant::now();
    eventually(
        "node B to take the lease over",
        30,
        || health(&b),
        |h| h["schedulerLease"] == true,
    )
    .await;
    let took = hung.elapsed();
    assert!(
        took >= Duration::from_secs(8),
        "the lease moved after {took:?}, before it could have expired"
    );
    signal("-CONT");
    eventually(
        "node A to find its lease lost",
        15,
        || health(&a),
        |h| h["schedulerLease"] == false,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(health(&b).await["schedulerLease"], true, "node B keeps it");
    assert_eq!(health(&a).await["schedulerLease"], false, "node A waits");
}
