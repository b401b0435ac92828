//! What every handler shares.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;

use crate::rules::RuleIndex;
use crate::store::Store;

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
    pub keep_alive: std::time::Duration,
    /// Networks outbound requests may reach although the SSRF guard forbids them.
    pub outbound_allow: Vec<ipnet::IpNet>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            web_dir: PathBuf::from("dist"),
            cors_origins: Vec::new(),
            keep_alive: std::time::Duration::from_secs(15),
            outbound_allow: Vec::new(),
        }
    }
}

/// Shared state: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Durable state.
    pub store: Arc<dyn Store>,
    /// The compiled rules of every bus.
    pub rules: Arc<RuleIndex>,
    /// Start-up settings.
    pub config: Arc<ServerConfig>,
    /// Becomes `true` when the server shuts down; long-lived responses (SSE) end then.
    pub shutdown: watch::Receiver<bool>,
    /// Where outbound HTTP may go.
    pub outbound: Arc<crate::outbound::OutboundPolicy>,
}

impl AppState {
    /// Builds state over a store, loading and compiling its rules. Returns the state and
    /// the sender that signals shutdown.
    pub async fn new(
        store: Arc<dyn Store>,
        config: ServerConfig,
    ) -> Result<(Self, watch::Sender<bool>), crate::store::StoreError> {
        let rules = Arc::new(RuleIndex::default());
        rules.reload(store.as_ref()).await?;
        let (tx, rx) = watch::channel(false);
        let outbound = Arc::new(crate::outbound::OutboundPolicy {
            allow: config.outbound_allow.clone(),
        });
        Ok((
            Self {
                store,
                rules,
                config: Arc::new(config),
                shutdown: rx,
                outbound,
            },
            tx,
        ))
    }
}
