//! One operation of a multiplexed awsJson1.1 endpoint (`POST /` with `X-Amz-Target`): its
//! name, the least role it needs, and how it runs. Each service's dispatch table
//! ([`crate::http::events::OPERATIONS`], [`crate::http::ssm::OPERATIONS`]) is a list of these,
//! built with the `operation!` macro.

use axum::body::Bytes;
use axum::response::Response;
use futures::future::BoxFuture;

use crate::domain::error::ApiResult;
use crate::domain::identity::{Caller, Role};
use crate::http::state::AppState;

/// One operation of a multiplexed endpoint: its name, the least role it needs, and how to
/// run it on a parsed caller and raw body.
pub struct Operation {
    /// Operation name (the part after `AWSEvents.`).
    pub name: &'static str,
    /// The least role that may call it.
    pub role: Role,
    /// Runs it on the caller and the raw body (built by the `operation!` macro).
    pub call: fn(AppState, Caller, Bytes) -> BoxFuture<'static, ApiResult<Response>>,
}
