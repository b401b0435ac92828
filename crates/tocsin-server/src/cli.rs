//! The `tocsin` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Tocsin: event-driven incident response. Ingests events, routes them with EventBridge
/// event patterns, opens incidents from response plans and shows them live.
#[derive(Debug, Parser)]
#[command(name = "tocsin", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: AWS-compatible APIs, native API, live stream and web app on one port.
    Serve(Box<ServeArgs>),
    /// Work with EventBridge event patterns offline.
    #[command(subcommand)]
    Pattern(PatternCommand),
    /// Manage access keys (works while the server runs).
    Keys(KeysArgs),
    /// Manage receivers: where Alertmanager, PagerDuty senders, EventBridge API
    /// destinations, SNS subscriptions and signed webhooks post (works while the server
    /// runs).
    Receivers(ReceiversArgs),
    /// Check or export the audit log.
    Audit(AuditArgs),
    /// Take an online, consistent copy of the SQLite database (`VACUUM INTO`) and its key
    /// file (`FILE.key`), safe while the server runs.
    Backup(BackupArgs),
    /// Put a backup (and its `FILE.key`) in place of the database; stop the server first.
    Restore(RestoreArgs),
    /// Apply the database's migrations and exit: `sqlite://PATH` (created if missing) or
    /// `postgres://…` (safe while other nodes start or migrate: one advisory lock).
    Migrate(MigrateArgs),
    /// Write the whole database (every table, ids kept) to one file and its server key to
    /// `FILE.key`: to move an installation between SQLite and PostgreSQL.
    Export(ExportArgs),
    /// Read an export (and its `FILE.key`) into an empty database, migrating it first.
    Import(ImportArgs),
}

/// `tocsin export --to FILE`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The database to export and its key file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Where the export goes (must not exist); the key goes to `FILE.key`.
    #[arg(long)]
    pub to: PathBuf,
}

/// `tocsin import --from FILE`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The database to import into (empty; migrated first) and where its key goes.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The export (with `FILE.key` beside it).
    #[arg(long)]
    pub from: PathBuf,
}

/// `tocsin migrate`.
#[derive(Debug, clap::Args)]
pub struct MigrateArgs {
    /// The database (`--database-url`, `TOCSIN_DATABASE_URL`).
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `tocsin backup --to FILE`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Database and key file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Where the copy goes (must not exist); the key goes to `FILE.key`.
    #[arg(long)]
    pub to: PathBuf,
}

/// `tocsin restore --from FILE`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// Database and key file to replace.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The backup (with `FILE.key` beside it).
    #[arg(long)]
    pub from: PathBuf,
    /// Replace an existing database.
    #[arg(long)]
    pub force: bool,
}

/// `tocsin audit ...`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Database and key file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// `tocsin audit` subcommands.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum AuditCommand {
    /// Check the keyed chain; exits 1 naming the first entry that does not verify.
    Verify,
    /// Print every entry as a JSON line, oldest first.
    Export,
}

/// Where the keys live: the same database and key file as `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Database URL, as for `serve`.
    #[arg(
        long,
        env = "TOCSIN_DATABASE_URL",
        default_value = "sqlite://./data/tocsin.db",
        global = true
    )]
    pub database_url: String,
    /// The server key file (64 hex digits, mode 0600) that seals access-key secrets.
    /// Default: `server.key` beside the SQLite file; required with any other database.
    #[arg(long, env = "TOCSIN_KEY_FILE", global = true)]
    pub key_file: Option<PathBuf>,
}

/// `tocsin keys ...`.
#[derive(Debug, clap::Args)]
pub struct KeysArgs {
    /// Database and key file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// How `tocsin keys` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// JSON (one document).
    Json,
}

/// `tocsin keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it with its secret (shown once). JSON:
    /// `{"accessKeyId", "secretAccessKey", "role", "name"}`.
    Create {
        /// A name for people (1-64 of letters, digits and +=,.@_-); the principal is
        /// `arn:aws:iam::<account>:user/<name>`.
        #[arg(long)]
        name: String,
        /// producer (put events only), viewer (read and stream), responder (work
        /// incidents), admin (everything).
        #[arg(long, value_parser = ["producer", "viewer", "responder", "admin"])]
        role: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// List keys (never their secrets).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// Disable a key: it authenticates nothing until enabled again.
    Disable {
        /// The access key id.
        id: String,
    },
    /// Enable a disabled key.
    Enable {
        /// The access key id.
        id: String,
    },
    /// Delete a key for good.
    Delete {
        /// The access key id.
        id: String,
    },
}

/// `tocsin receivers ...`.
#[derive(Debug, clap::Args)]
pub struct ReceiversArgs {
    /// Database and key file.
    #[command(flatten)]
    pub store: StoreArgs,
    /// The API's external URL the receiver URLs are built from (as `serve --public-url`).
    #[arg(
        long,
        env = "TOCSIN_PUBLIC_URL",
        default_value = "http://127.0.0.1:8787",
        global = true
    )]
    pub public_url: String,
    /// What to do.
    #[command(subcommand)]
    pub command: ReceiversCommand,
}

/// `tocsin receivers` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReceiversCommand {
    /// Create a receiver; prints its secret (this once) and URL.
    Create {
        /// `eventbridge`, `sns`, `alertmanager`, `pagerduty` or `webhook`.
        #[arg(long, value_parser = ["eventbridge", "sns", "alertmanager", "pagerduty", "webhook"])]
        kind: String,
        /// Its name (1-64 of `A-Za-z0-9_.-`).
        #[arg(long)]
        name: String,
        /// The event bus it feeds.
        #[arg(long, default_value = "default")]
        bus: String,
        /// `text` or `json` (`{"name", "kind", "secret", "url"}`).
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// List receivers with their URLs and counters.
    List {
        /// `text` or `json`.
        #[arg(long, value_enum, default_value = "text")]
        output: OutputFormat,
    },
    /// Delete a receiver.
    Delete {
        /// Its name.
        name: String,
    },
}

/// `tocsin pattern ...`.
#[derive(Debug, Subcommand)]
pub enum PatternCommand {
    /// Test an event against a pattern with the matcher rules use. Prints the verdict; exits
    /// 0 when the event matches, 1 when it does not, 2 when the pattern (or event) is invalid
    /// or unreadable, with the reason (EventBridge's wording for patterns).
    Test {
        /// File holding the event pattern (JSON).
        #[arg(long)]
        pattern: PathBuf,
        /// File holding the event (JSON, the full EventBridge envelope).
        #[arg(long)]
        event: PathBuf,
    },
}

/// Flags of `tocsin serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "TOCSIN_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Database URL: `sqlite://PATH` (file and directory created on first start; WAL;
    /// migrations applied automatically).
    #[arg(
        long,
        env = "TOCSIN_DATABASE_URL",
        default_value = "sqlite://./data/tocsin.db"
    )]
    pub database_url: String,
    /// The server key file (64 hex digits, mode 0600, created on first start) that seals
    /// access-key secrets. Default: `server.key` beside the SQLite file; required with any
    /// other database.
    #[arg(long, env = "TOCSIN_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Where the first start writes the admin key it mints, in AWS shared-credentials format
    /// (profile `[tocsin]`, mode 0600). Default: `admin-credentials` beside the SQLite file.
    #[arg(long, env = "TOCSIN_BOOTSTRAP_CREDENTIALS_FILE")]
    pub bootstrap_credentials_file: Option<PathBuf>,
    /// Directory of the built web app (trunk's `dist/`), served at `/`. Default: the app
    /// compiled into the binary (release builds, cargo feature `embed-web`), or `dist` in the
    /// working directory when the binary carries none.
    #[arg(long, env = "TOCSIN_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Seed one clearly labelled example response plan and rule (CloudWatch alarm → plan)
    /// into an empty database. Off by default: plain `serve` seeds nothing.
    #[arg(long, env = "TOCSIN_SEED_EXAMPLE")]
    pub seed_example: bool,
    /// 12-digit account id used in ARNs and event envelopes.
    #[arg(long, env = "TOCSIN_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,
    /// Region used in ARNs and event envelopes.
    #[arg(long, env = "TOCSIN_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Origin allowed to call the API from a browser (CORS), e.g. a CDN hosting the web app.
    /// Repeat for several; none: same origin only.
    #[arg(
        long = "cors-origin",
        env = "TOCSIN_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Seconds between keep-alive comments on idle event streams.
    #[arg(long, env = "TOCSIN_KEEP_ALIVE_SECS", default_value_t = 15)]
    pub keep_alive_secs: u64,
    /// Network (CIDR) outbound requests (HTTP targets) may reach although it is loopback,
    /// private or link-local, e.g. `10.20.0.0/16` for an internal webhook. Repeat for several.
    #[arg(
        long = "outbound-allow",
        env = "TOCSIN_OUTBOUND_ALLOW",
        value_delimiter = ','
    )]
    pub outbound_allow: Vec<ipnet::IpNet>,
    /// Extra trusted root certificates (a PEM file) for outbound HTTPS: HTTP targets,
    /// webhooks and https subscriptions behind an internal CA.
    #[arg(long, env = "TOCSIN_OUTBOUND_CA_FILE")]
    pub outbound_ca_file: Option<PathBuf>,
    /// The SMTP relay email goes through: `smtp://[user:password@]host[:port]` (append
    /// `?tls=required` for STARTTLS) or `smtps://…` (TLS from the start). Without it, email
    /// subscriptions and contact channels fail with a reason saying so.
    #[arg(long, env = "TOCSIN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// An HTTP(S) gateway that delivers SMS and voice messages: Tocsin POSTs
    /// `{"type": "SMS"|"VOICE", "to", "subject", "message"}` to it. Without it, SMS and
    /// VOICE contact channels are refused.
    #[arg(long, env = "TOCSIN_SMS_GATEWAY_URL", hide_env_values = true)]
    pub sms_gateway_url: Option<String>,
    /// A host (`host` or `host:port`) SNS receivers also accept signing certificates and
    /// subscription confirmations from, over http or https, besides
    /// `sns.<region>.amazonaws.com`. For tests and SNS-compatible servers; repeat for
    /// several.
    #[arg(
        long = "sns-cert-allow",
        env = "TOCSIN_SNS_CERT_ALLOW",
        value_delimiter = ','
    )]
    pub sns_cert_allow: Vec<String>,
    /// The AWS regions whose SNS hosts (`sns.<region>.amazonaws.com`) SNS receivers trust
    /// for signing certificates and subscription confirmations. Default: --region. Repeat
    /// for several.
    #[arg(long = "sns-region", env = "TOCSIN_SNS_REGIONS", value_delimiter = ',')]
    pub sns_regions: Vec<String>,
    /// How long stored events are kept (`7d`, `12h`, `90m`; `forever` keeps them). Archives
    /// keep their own retention.
    #[arg(long, env = "TOCSIN_RETAIN_EVENTS", default_value = "7d", value_parser = retention)]
    pub retain_events: Retained,
    /// How long change-feed entries are kept: how far back a stream can resume (older ids
    /// get a `reset` event) and the app's time travel reaches.
    #[arg(long, env = "TOCSIN_RETAIN_FEED", default_value = "7d", value_parser = retention)]
    pub retain_feed: Retained,
    /// How long delivered deliveries are kept (dead letters stay until deleted).
    #[arg(long, env = "TOCSIN_RETAIN_DELIVERIES", default_value = "7d", value_parser = retention)]
    pub retain_deliveries: Retained,
    /// How long `clientToken` idempotency records are kept: a retry with the same token
    /// within this window answers the first result; after it, the token is new again.
    #[arg(long, env = "TOCSIN_RETAIN_CLIENT_TOKENS", default_value = "7d", value_parser = retention)]
    pub retain_client_tokens: Retained,
    /// A token a Prometheus scraper may send to `GET /metrics` as `Authorization: Bearer
    /// <token>` instead of an access key (16 characters or more). Without it, `/metrics`
    /// needs a viewer key.
    #[arg(long, env = "TOCSIN_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// An external dead man's switch (healthchecks.io and the like): Tocsin GETs this URL
    /// every --heartbeat-interval while it is healthy, so the switch alerts when Tocsin is
    /// down. Never logged (it may carry a token).
    #[arg(long, env = "TOCSIN_HEARTBEAT_URL", hide_env_values = true)]
    pub heartbeat_url: Option<String>,
    /// How often the --heartbeat-url is pinged (`60s`).
    #[arg(long, env = "TOCSIN_HEARTBEAT_INTERVAL", default_value = "60s", value_parser = duration)]
    pub heartbeat_interval: std::time::Duration,
    /// How often the retention job runs (`60s`).
    #[arg(long, env = "TOCSIN_RETENTION_INTERVAL", default_value = "60s", value_parser = duration)]
    pub retention_interval: std::time::Duration,
    /// The `From` address of Tocsin's email (default `tocsin@` and the --public-url host).
    #[arg(long, env = "TOCSIN_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Largest input, in bytes, a target may receive once its input transformer has run; a
    /// larger one fails that delivery (the event and other targets go on).
    #[arg(long, env = "TOCSIN_MAX_TARGET_INPUT_BYTES", default_value_t = 256 * 1024)]
    pub max_target_input_bytes: usize,
    /// Most rules one event bus may hold; PutRule beyond it answers LimitExceededException.
    #[arg(long, env = "TOCSIN_MAX_RULES_PER_BUS", default_value_t = 300)]
    pub max_rules_per_bus: usize,
    /// A host name clients use to reach this server (the `Host` header is checked against
    /// it, against DNS rebinding). Repeat for several; required when --listen is a wildcard
    /// address (0.0.0.0, [::]). The loopback names are accepted when listening on loopback.
    #[arg(
        long = "public-host",
        env = "TOCSIN_PUBLIC_HOSTS",
        value_delimiter = ','
    )]
    pub public_hosts: Vec<String>,
    /// The API's external URL (e.g. `https://tocsin.example.com`), used in every link Tocsin
    /// sends (notifications, pages, receiver snippets); its host is accepted in `Host`.
    /// Default: `http://` (or `https://`) and the --listen address.
    #[arg(long, env = "TOCSIN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Where the web app is hosted when not by this server (a CDN); links to pages point
    /// there and its origin may call the API (CORS). Default: --public-url.
    #[arg(long, env = "TOCSIN_APP_URL")]
    pub app_url: Option<String>,
    /// Seconds a connection may take to send a request's headers, and may stay idle between
    /// requests, before it is closed.
    #[arg(long, env = "TOCSIN_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Seconds a request body may take to arrive; a slower one is refused (400, saying so).
    #[arg(long, env = "TOCSIN_BODY_READ_TIMEOUT_SECS", default_value_t = 30)]
    pub body_read_timeout_secs: u64,
    /// Requests per second each access key may make, sustained (bursts of twice that); more
    /// answer ThrottlingException (429 on ssm-incidents). 0: no limit.
    #[arg(long, env = "TOCSIN_RATE_LIMIT_PER_KEY", default_value_t = 200)]
    pub rate_limit_per_key: u32,
    /// Most live event streams open at once; one more answers 503 with the reason.
    #[arg(long, env = "TOCSIN_MAX_STREAMS", default_value_t = 10000)]
    pub max_streams: usize,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key). Without it, plain HTTP
    /// (put a reverse proxy in front, as README's recipe shows).
    #[arg(long, env = "TOCSIN_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "TOCSIN_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Let runbooks run `aws:executeScript` steps: local `python3` in isolated mode, with a
    /// clean environment, resource limits and its process group killed at the step's
    /// timeout; not a sandbox (it runs as the server's user). Off by default.
    #[arg(long, env = "TOCSIN_ENABLE_EXECUTE_SCRIPT")]
    pub enable_execute_script: bool,
    /// For local experiments only: a request without credentials acts as an admin. Refused
    /// unless --listen is a loopback address; logged as a warning at every start.
    #[arg(long, env = "TOCSIN_INSECURE_NO_AUTH")]
    pub insecure_no_auth: bool,
    /// Log format: `text` or `json`. Levels come from `RUST_LOG` (default `info`).
    #[arg(long, env = "TOCSIN_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

/// A retention: a duration, or `None` for `forever`.
pub type Retained = Option<std::time::Duration>;

/// Parses a retention: `forever`, or a duration as [`duration`] reads it.
pub fn retention(text: &str) -> Result<Retained, String> {
    if text.trim().eq_ignore_ascii_case("forever") {
        return Ok(None);
    }
    duration(text).map(Some)
}

/// Parses a positive duration with units (`7d`, `12h`, `90m`, `30s`, `1h 30m`; humantime).
pub fn duration(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text.trim()) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("must be more than zero".into()),
        Err(e) => Err(format!("{e} (examples: 7d, 12h, 90m, 30s)")),
    }
}
