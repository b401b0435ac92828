//! The outbound heartbeat (`--heartbeat-url`): every `--heartbeat-interval` (a minute by
//! default) Tocsin GETs the URL of an external dead man's switch (healthchecks.io, a cron
//! monitor, another Tocsin's heartbeat receiver) while it is healthy: the database answers
//! and every background worker is up. When Tocsin is down, hung or degraded the pings
//! stop, and the switch alerts on its own: Tocsin cannot report its own death.
//!
//! The URL is the operator's own setting (not user input), so it is not held to the
//! outbound allowlist; it may carry a token, so it is never logged.

use std::sync::Arc;
use std::time::Duration;

use crate::worker::{Supervisor, WorkerContext, WorkerError};

/// Pings the dead man's switch.
#[derive(Clone)]
pub struct Pulse {
    /// Store (health is checked with a read) and shutdown.
    pub ctx: WorkerContext,
    /// Whether every worker is up.
    pub supervisor: Arc<Supervisor>,
    /// Where to send the GET.
    pub url: String,
    /// How often.
    pub interval: Duration,
}

impl Pulse {
    /// Whether Tocsin is healthy enough to say so.
    async fn healthy(&self) -> bool {
        self.supervisor.all_up() && self.ctx.store.latest_change_id().await.is_ok()
    }

    /// Pings until shutdown.
    ///
    /// Errors: the HTTP client cannot be built.
    pub async fn run(self) -> Result<(), WorkerError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("tocsin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| WorkerError::from(format!("heartbeat client: {e}")))?;
        let mut shutdown = self.ctx.shutdown.clone();
        loop {
            if self.healthy().await {
                match client.get(&self.url).send().await {
                    Ok(r) if r.status().is_success() => {
                        tracing::debug!("heartbeat sent");
                    }
                    Ok(r) => {
                        tracing::warn!(
                            status = r.status().as_u16(),
                            "the heartbeat URL refused the ping"
                        )
                    }
                    Err(err) => {
                        tracing::warn!(err = %err.without_url(), "the heartbeat ping failed")
                    }
                }
            } else {
                tracing::warn!("not healthy: heartbeat not sent");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.interval) => {},
                _ = shutdown.wait_for(|s| *s) => return Ok(()),
            }
        }
    }
}
