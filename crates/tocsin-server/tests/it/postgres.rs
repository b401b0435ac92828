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
