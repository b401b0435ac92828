//! Background workers and the supervisor they run under.
//!
//! Every worker takes its dependencies explicitly (store, outbound policy, clock,
//! shutdown), never the HTTP layer's state, and runs under one [`Supervisor`] that restarts
//! it after a panic or an error with exponential back-off and reports its state (shown on
//! `/healthz`, which answers 503 while a worker is down). The workers today: `matcher`
//! (follows the change feed and recompiles the rules), `delivery` (HTTP target outbox) and
//! `runbooks` (advances automation executions that are due).

pub mod delivery;
pub mod effects;
pub mod hooks;
pub mod matcher;
pub mod notify;
pub mod runbooks;
pub mod supervisor;

pub use supervisor::{Supervisor, WorkerError};

/// What every worker needs: the store it reads and writes, and the shutdown signal.
#[derive(Clone)]
pub struct WorkerContext {
    /// Durable state and the change feed.
    pub store: std::sync::Arc<dyn crate::store::Store>,
    /// Becomes `true` at shutdown; a worker returns `Ok(())` then.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}
