//! Shared test scaffolding: a server on a fresh SQLite file, and small request helpers.

use std::sync::Arc;

use serde_json::{Value, json};
use tocsin_api::auth::Role;
use tocsin_server::store::Store;
use tocsin_server::store::sqlite::SqliteStore;
use tocsin_server::{AppState, ServerConfig};

/// A running server on 127.0.0.1:<ephemeral> over its own database file (or, with
/// [`TestServer::start_on`], over any store: a PostgreSQL node). Its `client` sends an admin
/// key's bearer token with every request; `anonymous` sends none.
pub struct TestServer<S: Store + Clone = SqliteStore> {
    pub base: String,
    pub store: S,
    pub client: reqwest::Client,
    pub anonymous: reqwest::Client,
    /// The admin key `client` uses: (id, secret).
    pub admin: (String, String),
    server_key: tocsin_server::domain::keys::ServerKey,
    _dir: Option<tempfile::TempDir>,
    stop: tokio::sync::oneshot::Sender<()>,
}

/// A client that sends `Authorization: Bearer <id>:<secret>` with every request.
pub fn bearer_client(id: &str, secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {id}:{secret}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        // Below the server's 10 s idle limit (`header_read_timeout`): a pooled connection
        // reused just as the server closes it fails with `IncompleteMessage`.
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let mut server = TestServer::start_on(store, config, None).await;
        server._dir = Some(dir);
        server
    }

    /// Row counts of every table plus the newest change id: equal snapshots mean
    /// nothing was written.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for table in [
            "response_plans",
            "incidents",
            "timeline_events",
            "related_items",
            "client_tokens",
            "rules",
            "targets",
            "events",
            "change_feed",
            "deliveries",
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(self.store.pool())
                .await
                .unwrap();
            out.push((table.to_owned(), n));
        }
        let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM change_feed")
            .fetch_one(self.store.pool())
            .await
            .unwrap();
        out.push(("max_change_id".into(), max));
        out
    }
}

impl<S: Store + Clone> TestServer<S> {
    /// A server over `store` (a node: several may share one database) with `config`. With
    /// `admin` its client uses that key; without, a new admin key is made for it.
    pub async fn start_on(store: S, config: ServerConfig, admin: Option<(String, String)>) -> Self {
        let server_key = config.server_key.clone();
        let (state, stop_streams) = AppState::new(Arc::new(store.clone()), config)
            .await
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            tocsin_server::serve(
                listener,
                state,
                stop_streams,
                async {
                    let _ = stopped.await;
                },
                None,
            )
            .await
            .unwrap();
        });
        let mut server = TestServer {
            base,
            store,
            client: reqwest::Client::new(),
            anonymous: reqwest::Client::new(),
            admin: (String::new(), String::new()),
            server_key,
            _dir: None,
            stop,
        };
        let (id, secret) = match admin {
            Some(key) => key,
            None => server.key("test-admin", Role::Admin).await,
        };
        server.client = bearer_client(&id, &secret);
        server.admin = (id, secret);
        server
    }

    /// The server key this server seals secrets and keys its audit chain with.
    pub fn server_key(&self) -> tocsin_server::domain::keys::ServerKey {
        self.server_key.clone()
    }

    /// Creates an access key; returns (id, secret).
    pub async fn key(&self, name: &str, role: Role) -> (String, String) {
        let mut tx = self.store.write().await.unwrap();
        let key = tocsin_server::domain::keys::create_key(
            tx.as_mut(),
            &self.server_key,
            name,
            role,
            tocsin_server::clock::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        (key.access_key_id, key.secret_access_key)
    }

    pub fn stop(self) {
        let _ = self.stop.send(());
    }

    /// POSTs an EventBridge operation; returns (status, body).
    pub async fn events(&self, op: &str, body: &Value) -> (u16, Value) {
        self.raw_events(&format!("AWSEvents.{op}"), body.to_string())
            .await
    }

    pub async fn raw_events(&self, target: &str, body: String) -> (u16, Value) {
        answer(
            self.client
                .post(format!("{}/", self.base))
                .header("X-Amz-Target", target)
                .header("Content-Type", "application/x-amz-json-1.1")
                .body(body),
        )
        .await
    }

    /// POSTs a rest-json operation; returns (status, body).
    /// An `AmazonSSM.<op>` call (Systems Manager, awsJson1.1) as the test admin.
    pub async fn ssm(&self, op: &str, body: &Value) -> (u16, Value) {
        self.raw_events(&format!("AmazonSSM.{op}"), body.to_string())
            .await
    }

    pub async fn rest(&self, path: &str, body: &Value) -> (u16, Value) {
        self.raw_rest(path, body.to_string()).await
    }

    pub async fn raw_rest(&self, path: &str, body: String) -> (u16, Value) {
        answer(
            self.client
                .post(format!("{}{path}", self.base))
                .header("Content-Type", "application/json")
                .body(body),
        )
        .await
    }

    /// GETs a path; returns the response as it is (for streams and headers).
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// GETs a path; returns (status, body as JSON or null).
    pub async fn raw_get(&self, path: &str) -> (u16, Value) {
        answer(self.client.get(format!("{}{path}", self.base))).await
    }

    /// Sends the sample alarm through PutEvents (must be accepted); returns how many
    /// incident records exist afterwards.
    pub async fn send_alarm_and_count_incidents(&self) -> usize {
        let (status, body) = self
            .events("PutEvents", &json!({"Entries": [alarm_entry()]}))
            .await;
        assert_eq!(
            (status, &body["FailedEntryCount"]),
            (200, &json!(0)),
            "{body}"
        );
        let (status, list) = self.rest("/listIncidentRecords", &json!({})).await;
        assert_eq!(status, 200, "{list}");
        list["incidentRecordSummaries"].as_array().unwrap().len()
    }

    /// Creates a plan, a rule matching CloudWatch alarm events and a plan target.
    /// Returns the plan ARN.
    pub async fn alarm_route(&self, plan: &str, impact: i64) -> String {
        let (status, created) = self
            .rest("/createResponsePlan", &json!({"name": plan, "incidentTemplate": {"title": format!("{plan} title"), "impact": impact}}))
            .await;
        assert_eq!(status, 201, "{created}");
        let arn = created["arn"].as_str().unwrap().to_owned();
        let pattern =
            json!({"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]});
        let (status, body) = self
            .events(
                "PutRule",
                &json!({"Name": plan, "EventPattern": pattern.to_string()}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = self
            .events(
                "PutTargets",
                &json!({"Rule": plan, "Targets": [{"Id": "plan", "Arn": arn}]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["FailedEntryCount"], 0);
        arn
    }
}

/// Sends a request; returns (status, body as JSON or null).
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The documented single-metric CloudWatch alarm event as a PutEvents entry.
pub fn alarm_entry() -> Value {
    let event: Value = serde_json::from_str(include_str!(
        "../../../../examples/events/cloudwatch-alarm-state-change-single-metric.json"
    ))
    .unwrap();
    json!({
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": event["detail"].to_string(),
        "Resources": event["resources"],
    })
}

/// GETs `url` with `client` and decodes the JSON answer.
pub async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tocsin serve` on 127.0.0.1:`port` over `db`, without the web app: add arguments, then
/// spawn.
pub fn serve_command(db: &str, port: u16) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tocsin"));
    command.args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--database-url",
        db,
        "--web-dir",
        "/nonexistent",
    ]);
    command
}

/// The real `tocsin` binary, serving on a free loopback port. `client` sends the admin key
/// the first start wrote beside the database (when it wrote one).
pub struct Tocsin {
    pub child: std::process::Child,
    pub base: String,
    pub client: reqwest::Client,
}

/// The (id, secret) of the `admin-credentials` file beside the SQLite database `db`.
pub fn admin_credentials(db: &str) -> Option<(String, String)> {
    let path = std::path::Path::new(db.trim_start_matches("sqlite://"))
        .parent()?
        .join("admin-credentials");
    credentials_file(&path)
}

/// The (id, secret) of the `[tocsin]` profile of the AWS shared-credentials file at `path`
/// (what `--bootstrap-credentials-file` names).
pub fn credentials_file(path: &std::path::Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::to_owned)
    };
    Some((
        field("aws_access_key_id = ")?,
        field("aws_secret_access_key = ")?,
    ))
}

impl Tocsin {
    /// Starts `tocsin serve` on `db` with extra `args` (environment as inherited) and
    /// waits until `/healthz` answers 200 (30 s at most).
    pub async fn start(db: &str, args: &[&str]) -> Self {
        Self::start_with_env(db, args, &[]).await
    }

    /// As [`Tocsin::start`], with extra environment variables.
    pub async fn start_with_env(db: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = serve_command(db, port)
            .args(args)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "tocsin did not become healthy"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let client = match admin_credentials(db) {
            Some((id, secret)) => bearer_client(&id, &secret),
            None => reqwest::Client::new(),
        };
        Tocsin {
            child,
            base,
            client,
        }
    }
}

impl Drop for Tocsin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
