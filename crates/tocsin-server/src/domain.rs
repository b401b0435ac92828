//! The engines: everything Tocsin decides, with no knowledge of HTTP.
//!
//! Each engine function takes what it uses: a store transaction (`&mut dyn StoreTx`),
//! compiled rules, the start-up config, the caller's identity. It validates its input,
//! makes its change, and appends the change-feed entries the change implies, all inside
//! the caller's transaction; the caller commits. Errors are [`error::ApiError`] kinds,
//! which the HTTP layer renders per protocol.
//!
//! This layer never imports `axum` or `http` (a test in `tests/it/layers.rs` checks).

pub mod alerts;
pub mod archives;
pub mod arns;
pub mod audit;
pub mod automation;
pub mod automation_start;
pub mod backtest;
pub mod boards;
pub mod buses;
pub mod compiled;
pub mod contacts;
pub mod deliveries;
pub mod destinations;
pub mod documents;
pub mod engagements;
pub mod error;
pub mod events;
pub mod findings;
pub mod group_commit;
pub mod heartbeats;
pub mod identity;
pub mod inbound;
pub mod incidents;
pub mod insights;
pub mod keys;
pub mod matcher;
pub mod notify;
pub mod plans;
pub mod policies;
pub mod receivers;
pub mod replication;
pub mod rules;
pub mod schedules;
pub mod seed;
pub mod selfwatch;
pub mod service_roles;
pub mod signing;
pub mod silences;
pub mod tags;
pub mod targets;
pub mod time_travel;
pub mod timeline;
pub mod topics;
pub mod validate;
pub mod views;
pub mod webhooks;
pub mod windows;
