//! One error type for every handler, rendered in the caller's protocol.
//!
//! Handlers return [`ApiError`]; the protocol wrappers [`RestJsonError`] (ssm-incidents and
//! `/v1/`) and [`AwsJsonError`] (EventBridge) turn it into the status code and error code
//! that protocol uses, with the AWS body `{"__type": ..., "message": ...}` and the
//! `x-amzn-ErrorType` header botocore reads. Internal errors are logged, not shown.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tocsin_api::error::AwsErrorBody;

use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `ValidationException`: a member is missing, too long, out of range or malformed.
    #[error("{0}")]
    Validation(String),
    /// 400 `SerializationException`: the body is not JSON.
    #[error("{0}")]
    Serialization(String),
    /// 404 (rest-json) / 400 (awsJson) `ResourceNotFoundException`.
    #[error("{0}")]
    NotFound(String),
    /// 409 (rest-json) / 400 (awsJson) `ConflictException` (EventBridge:
    /// `ResourceAlreadyExistsException`).
    #[error("{0}")]
    Conflict(String),
    /// 400 `InvalidEventPatternException` (EventBridge).
    #[error("{0}")]
    InvalidEventPattern(String),
    /// 400 `UnknownOperationException`: no such `X-Amz-Target` / path.
    #[error("{0}")]
    UnknownOperation(String),
    /// 403 `AccessDeniedException`: the caller's role may not do this.
    #[error("{0}")]
    AccessDenied(String),
    /// 500 `InternalServerException` / `InternalException`; the cause is logged only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::AlreadyExists(what) => ApiError::Conflict(format!("{what} already exists")),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn render(&self, aws_json: bool) -> Response {
        let (status, code) = match self {
            ApiError::Validation(_) => (StatusCode::BAD_REQUEST, "ValidationException"),
            ApiError::Serialization(_) => (StatusCode::BAD_REQUEST, "SerializationException"),
            ApiError::NotFound(_) if aws_json => {
                (StatusCode::BAD_REQUEST, "ResourceNotFoundException")
            }
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "ResourceNotFoundException"),
            ApiError::Conflict(_) if aws_json => {
                (StatusCode::BAD_REQUEST, "ResourceAlreadyExistsException")
            }
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "ConflictException"),
            ApiError::InvalidEventPattern(_) => {
                (StatusCode::BAD_REQUEST, "InvalidEventPatternException")
            }
            ApiError::UnknownOperation(_) => (StatusCode::BAD_REQUEST, "UnknownOperationException"),
            ApiError::AccessDenied(_) if aws_json => {
                (StatusCode::BAD_REQUEST, "AccessDeniedException")
            }
            ApiError::AccessDenied(_) => (StatusCode::FORBIDDEN, "AccessDeniedException"),
            ApiError::Internal(_) if aws_json => {
                (StatusCode::INTERNAL_SERVER_ERROR, "InternalException")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException"),
        };
        let message = match self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                "An internal error occurred; see the server log.".to_owned()
            }
            other => other.to_string(),
        };
        let body = AwsErrorBody {
            error_type: code.to_owned(),
            message,
        };
        let content_type = if aws_json {
            "application/x-amz-json-1.1"
        } else {
            "application/json"
        };
        let mut response =
            (status, serde_json::to_string(&body).unwrap_or_default()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type),
        );
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(code));
        response
    }
}

/// An [`ApiError`] rendered for rest-json (ssm-incidents) and Tocsin-native endpoints.
#[derive(Debug)]
pub struct RestJsonError(pub ApiError);

impl<E: Into<ApiError>> From<E> for RestJsonError {
    fn from(err: E) -> Self {
        RestJsonError(err.into())
    }
}

impl IntoResponse for RestJsonError {
    fn into_response(self) -> Response {
        self.0.render(false)
    }
}

/// An [`ApiError`] rendered for awsJson1.1 (EventBridge).
#[derive(Debug)]
pub struct AwsJsonError(pub ApiError);

impl<E: Into<ApiError>> From<E> for AwsJsonError {
    fn from(err: E) -> Self {
        AwsJsonError(err.into())
    }
}

impl IntoResponse for AwsJsonError {
    fn into_response(self) -> Response {
        self.0.render(true)
    }
}

/// Parses a JSON request body into `T`; an empty body counts as `{}` (botocore sends none
/// when no member is set). Syntax errors are `SerializationException`, shape errors
/// (missing member, wrong type) `ValidationException`.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::Serialization(format!("Request body is not valid JSON: {e}"))
            }
            Category::Data => ApiError::Validation(format!("1 validation error detected: {e}")),
        }
    })
}
