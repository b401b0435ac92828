//! The typed edge: request bodies parsed into the wire types with AWS-shaped rejections,
//! responses with the protocol's content type, and the caller's role checked by type.
//!
//! - [`RestJson<T>`]: a rest-json (ssm-incidents) or native body; its rejection is a
//!   [`RestJsonError`]. As a response, `200 application/json`.
//! - [`AwsJson<T>`]: an awsJson1.1 body (EventBridge); as a response,
//!   `200 application/x-amz-json-1.1`.
//! - [`Require<R>`]: the caller the authentication middleware found, who has at least role
//!   `R` ([`Producer`], [`Viewer`], [`Responder`], [`Admin`], [`AnyKey`]); otherwise
//!   `MissingAuthenticationTokenException` or `AccessDeniedException`.

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::identity::{Caller, Role};
use crate::http::error::{AwsJsonError, RestJsonError};

/// Parses a JSON request body into `T`; an empty body counts as `{}` (botocore sends none
/// when no member is set). Syntax errors are `SerializationException`, shape errors
/// (missing member, wrong type) `ValidationException`.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let classify = |e: serde_json::Error, path: Option<String>| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::Serialization(format!("Request body is not valid JSON: {e}"))
            }
            // Name the member (`groupBy: unknown variant ...`); a missing member names
            // itself.
            Category::Data => match path.filter(|p| p != ".") {
                Some(path) => {
                    ApiError::Validation(format!("1 validation error detected: {path}: {e}"))
                }
                None => ApiError::Validation(format!("1 validation error detected: {e}")),
            },
        }
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        classify(e.into_inner(), Some(path))
    })?;
    de.end().map_err(|e| classify(e, None))?;
    Ok(value)
}

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> ApiResult<Bytes> {
    Bytes::from_request(req, state)
        .await
        .map_err(|e| ApiError::Validation(format!("Could not read the request body: {e}")))
}

fn json_response<T: Serialize>(value: &T, content_type: &'static str) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => {
            let mut response = (StatusCode::OK, body).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            response
        }
        Err(e) => RestJsonError(ApiError::Internal(Box::new(e))).into_response(),
    }
}

/// A rest-json body in, or a `200 application/json` body out.
#[derive(Debug, Clone)]
pub struct RestJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for RestJson<T> {
    type Rejection = RestJsonError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        Ok(RestJson(parse_body(&bytes)?))
    }
}

impl<T: Serialize> IntoResponse for RestJson<T> {
    fn into_response(self) -> Response {
        json_response(&self.0, "application/json")
    }
}

/// An awsJson1.1 body in, or a `200 application/x-amz-json-1.1` body out.
#[derive(Debug, Clone)]
pub struct AwsJson<T>(pub T);

impl<T: DeserializeOwned> AwsJson<T> {
    /// Parses an awsJson1.1 body (the dispatcher reads the body once for every operation).
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
        parse_body(body).map(AwsJson)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AwsJson<T> {
    type Rejection = AwsJsonError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        Ok(Self::parse(&bytes)?)
    }
}

impl<T: Serialize> IntoResponse for AwsJson<T> {
    fn into_response(self) -> Response {
        json_response(&self.0, "application/x-amz-json-1.1")
    }
}

/// Who may call an operation: anyone (health checks only), or callers with at least a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No role needed (`/healthz`, for load balancers).
    Public,
    /// Any valid access key, whatever its role (`/v1/whoami`).
    Authenticated,
    /// At least this role.
    Role(Role),
    /// No access key: the route checks its receiver's own secret, signature or token
    /// (`/v1/receivers/<kind>/<name>`, `/v2/enqueue`).
    Receiver,
}

/// A role an operation can require, as a type.
pub trait RoleMarker: Send + Sync + 'static {
    /// Who may call.
    const ACCESS: Access;
}

/// Anyone: only for health checks.
#[derive(Debug)]
pub struct Public;
/// Any valid access key.
#[derive(Debug)]
pub struct AnyKey;

/// A receiver's sender: authenticated by the receiver, not by an access key.
#[derive(Debug)]
pub struct ReceiverAuth;

/// Send events only.
#[derive(Debug)]
pub struct Producer;
/// Read and stream (wall screens).
#[derive(Debug)]
pub struct Viewer;
/// Start and update incidents, timelines, runbook approvals.
#[derive(Debug)]
pub struct Responder;
/// Plans, rules, runbooks, keys, configuration.
#[derive(Debug)]
pub struct Admin;

impl RoleMarker for Public {
    const ACCESS: Access = Access::Public;
}
impl RoleMarker for ReceiverAuth {
    const ACCESS: Access = Access::Receiver;
}
impl RoleMarker for AnyKey {
    const ACCESS: Access = Access::Authenticated;
}
impl RoleMarker for Producer {
    const ACCESS: Access = Access::Role(Role::Producer);
}
impl RoleMarker for Viewer {
    const ACCESS: Access = Access::Role(Role::Viewer);
}
impl RoleMarker for Responder {
    const ACCESS: Access = Access::Role(Role::Responder);
}
impl RoleMarker for Admin {
    const ACCESS: Access = Access::Role(Role::Admin);
}

/// The error for a request that needs a role but carries no credentials.
pub fn missing_credentials() -> ApiError {
    ApiError::Unauthenticated(
        "Missing credentials: sign the request (SigV4) or send Authorization: Bearer <accessKeyId>:<secretAccessKey>.".into(),
    )
}

/// The caller of a request, who has at least role `R`. Every path route's handler takes
/// one as its first argument, and [`crate::http::routes::Routes`] only accepts handlers that
/// do, so a route without a role check does not compile.
#[derive(Debug)]
pub struct Require<R: RoleMarker> {
    /// The caller.
    pub caller: Caller,
    _role: PhantomData<R>,
}

impl<R: RoleMarker, S: Send + Sync> FromRequestParts<S> for Require<R> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let caller = parts.extensions.get::<Caller>().cloned();
        let caller = match (R::ACCESS, caller) {
            (Access::Public | Access::Receiver, caller) => caller.unwrap_or_else(Caller::nobody),
            (_, None) => return Err(RestJsonError(missing_credentials()).into_response()),
            (Access::Authenticated, Some(caller)) => caller,
            (Access::Role(role), Some(caller)) => {
                if let Err(err) = caller.require(role) {
                    let operation = parts
                        .extensions
                        .get::<OperationName>()
                        .map_or("Unknown", |o| o.0);
                    return Err(role_refused(
                        RestJsonError(err).into_response(),
                        operation,
                        caller,
                    ));
                }
                caller
            }
        };
        Ok(Require {
            caller,
            _role: PhantomData,
        })
    }
}

/// The name of the operation a path route runs (`StartIncident`), put in the request's
/// extensions by [`crate::http::routes::Routes::route`].
#[derive(Debug, Clone, Copy)]
pub struct OperationName(pub &'static str);

/// Carried in the extensions of a response that refused a known caller at the role check,
/// so that the refusal of a state-changing operation reaches the audit log
/// ([`crate::http::audit::record_role_refusals`]).
#[derive(Debug, Clone)]
pub struct RoleRefused {
    /// The operation refused.
    pub operation: &'static str,
    /// Who called it.
    pub caller: Caller,
}

/// Marks `response` (an access-denied answer) as the refusal of `operation` to `caller`.
pub fn role_refused(mut response: Response, operation: &'static str, caller: Caller) -> Response {
    response
        .extensions_mut()
        .insert(RoleRefused { operation, caller });
    response
}
