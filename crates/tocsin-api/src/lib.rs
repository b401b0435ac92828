//! Wire types shared by the Tocsin server and its single-page app.
//!
//! Tocsin speaks two AWS protocols so that boto3, the AWS CLI and Terraform work against it
//! unchanged, plus a small native JSON API for what the dashboard needs and AWS lacks. This
//! crate holds the shapes of all three, plus the small knowledge both sides need once
//! ([`impact::Impact`], [`arn::TargetKind`] and ARN spelling, [`native::Change::incident_arn`]),
//! and nothing else: serde only, no I/O, so it compiles to `wasm32-unknown-unknown` for the SPA.
//!
//! The one decision to know: AWS shapes follow the botocore models that boto3 ships
//! (`ssm-incidents` 2018-05-10, `events` 2015-10-07) *exactly* (member names, optionality,
//! enum spellings). Timestamps travel as epoch seconds in JSON numbers ([`EpochSeconds`]), as both rest-json and
//! awsJson1.1 encode them.

pub mod arn;
pub mod audit;
pub mod auth;
pub mod boards;
pub mod contacts;
pub mod delivery;
pub mod error;
pub mod events;
pub mod impact;
pub mod incidents;
pub mod insights;
pub mod native;
pub mod receivers;
pub mod replication;
pub mod sns;
pub mod ssm;
pub mod timeline;

/// A point in time as AWS JSON protocols encode it: seconds since the Unix epoch, with a
/// fractional part for sub-second precision.
pub type EpochSeconds = f64;
