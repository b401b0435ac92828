//! Settings fixed at start-up, shared by every layer (no HTTP types here).

use std::path::PathBuf;
use std::time::Duration;

/// The names of the loopback interface a `Host` header may use.
pub const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// Settings fixed at start-up.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// 12-digit account id used in ARNs and event envelopes.
    pub account_id: String,
    /// Region used in ARNs and event envelopes.
    pub region: String,
    /// Directory holding the built SPA (`index.html` + assets), served at `/`.
    pub web_dir: PathBuf,
    /// Origins allowed to call the API from a browser (CORS); empty: same origin only.
    pub cors_origins: Vec<String>,
    /// Interval between SSE keep-alive comments.
    pub keep_alive: Duration,
    /// Networks outbound requests may reach although the SSRF guard forbids them.
    pub outbound_allow: Vec<ipnet::IpNet>,
    /// First wait before a crashed background worker is restarted; doubles per crash up
    /// to [`ServerConfig::worker_backoff_max`].
    pub worker_backoff: Duration,
    /// Longest wait before restarting a crashed worker.
    pub worker_backoff_max: Duration,
    /// How long a rule change waits for the matcher to compile it before answering
    /// `InternalException` (the rule is stored and applies once the matcher catches up).
    pub matcher_wait: Duration,
    /// Largest input a target may receive, in bytes (default 256 KiB, EventBridge's event
    /// size); a larger rendered input fails that delivery instead of being sent.
    pub max_target_input_bytes: usize,
    /// Most rules one event bus may hold (default 300, as EventBridge's default quota);
    /// PutRule beyond it answers `LimitExceededException`.
    pub max_rules_per_bus: usize,
    /// The key that seals access-key secrets (from `--key-file`; a fresh one by default, for
    /// databases that live only in memory). Its `Debug` output is redacted.
    pub server_key: crate::domain::keys::ServerKey,
    /// `--insecure-no-auth` (loopback only): a request without credentials is an anonymous
    /// admin. For local experiments; bad credentials are still refused.
    pub insecure_no_auth: bool,
    /// Host names (without ports) the `Host` header may carry: the loopback aliases by
    /// default, the listen address and every `--public-host`. Empty: no check.
    pub allowed_hosts: Vec<String>,
    /// Requests each access key may make per second, sustained (bursts of twice that);
    /// beyond it: `ThrottlingException`. 0 turns the limit off.
    pub rate_limit_per_key: u32,
    /// Most live streams (`/v1/stream`) open at once; one more answers 503 with the reason.
    pub max_streams: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            web_dir: PathBuf::from("dist"),
            cors_origins: Vec::new(),
            keep_alive: Duration::from_secs(15),
            outbound_allow: Vec::new(),
            worker_backoff: Duration::from_secs(1),
            worker_backoff_max: Duration::from_secs(60),
            matcher_wait: Duration::from_secs(10),
            max_target_input_bytes: 256 * 1024,
            max_rules_per_bus: 300,
            server_key: crate::domain::keys::ServerKey::generate(),
            insecure_no_auth: false,
            allowed_hosts: LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect(),
            rate_limit_per_key: 200,
            max_streams: 2000,
        }
    }
}
