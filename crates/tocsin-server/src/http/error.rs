//! Rendering engine errors in the caller's protocol, and logging internal ones once.
//!
//! [`RestJsonError`] (ssm-incidents and `/v1/`) and [`AwsJsonError`] (awsJson1.1) turn an
//! [`ApiError`] into the status code and error code that protocol uses, with the AWS body
//! `{"__type": ..., "message": ...}` and the `x-amzn-ErrorType` header botocore reads.
//! Rendering has no side effects: an internal error's full source chain travels in the
//! response's extensions ([`InternalErrorReport`]) to the [`log_internal_errors`]
//! middleware, which logs it once with the request's method and path; the caller only sees
//! a generic message.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tocsin_api::error::AwsErrorBody;

pub use crate::domain::error::{ApiError, ApiResult};

/// The source chain of an internal error, carried in a response's extensions to the
/// logging middleware.
#[derive(Debug, Clone)]
pub struct InternalErrorReport(pub String);

fn render(err: &ApiError, aws_json: bool) -> Response {
    let (status, code) = match err {
        ApiError::Validation(_) => (StatusCode::BAD_REQUEST, "ValidationException"),
        ApiError::Serialization(_) => (StatusCode::BAD_REQUEST, "SerializationException"),
        ApiError::NotFound(_) if aws_json => (StatusCode::BAD_REQUEST, "ResourceNotFoundException"),
        ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "ResourceNotFoundException"),
        ApiError::Conflict(_) if aws_json => {
            (StatusCode::BAD_REQUEST, "ResourceAlreadyExistsException")
        }
        ApiError::Conflict(_) => (StatusCode::CONFLICT, "ConflictException"),
        ApiError::InvalidEventPattern(_) => {
            (StatusCode::BAD_REQUEST, "InvalidEventPatternException")
        }
        ApiError::UnknownOperation(_) => (StatusCode::BAD_REQUEST, "UnknownOperationException"),
        ApiError::LimitExceeded(_) if aws_json => {
            (StatusCode::BAD_REQUEST, "LimitExceededException")
        }
        ApiError::LimitExceeded(_) => (
            StatusCode::PAYMENT_REQUIRED,
            "ServiceQuotaExceededException",
        ),
        ApiError::Unauthenticated(_) if aws_json => (
            StatusCode::BAD_REQUEST,
            "MissingAuthenticationTokenException",
        ),
        ApiError::Unauthenticated(_) => (
            StatusCode::UNAUTHORIZED,
            "MissingAuthenticationTokenException",
        ),
        ApiError::UnrecognizedClient(_) if aws_json => {
            (StatusCode::BAD_REQUEST, "UnrecognizedClientException")
        }
        ApiError::UnrecognizedClient(_) => (StatusCode::FORBIDDEN, "UnrecognizedClientException"),
        ApiError::InvalidSignature(_) if aws_json => {
            (StatusCode::BAD_REQUEST, "InvalidSignatureException")
        }
        ApiError::InvalidSignature(_) => (StatusCode::FORBIDDEN, "InvalidSignatureException"),
        ApiError::IncompleteSignature(_) if aws_json => {
            (StatusCode::BAD_REQUEST, "IncompleteSignatureException")
        }
        ApiError::IncompleteSignature(_) => (StatusCode::FORBIDDEN, "IncompleteSignatureException"),
        ApiError::Throttled(_) if aws_json => (StatusCode::BAD_REQUEST, "ThrottlingException"),
        ApiError::Throttled(_) => (StatusCode::TOO_MANY_REQUESTS, "ThrottlingException"),
        ApiError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailableException",
        ),
        ApiError::AccessDenied(_) if aws_json => (StatusCode::BAD_REQUEST, "AccessDeniedException"),
        ApiError::AccessDenied(_) => (StatusCode::FORBIDDEN, "AccessDeniedException"),
        ApiError::Service { code, .. } => (StatusCode::BAD_REQUEST, *code),
        ApiError::Internal(_) if aws_json => {
            (StatusCode::INTERNAL_SERVER_ERROR, "InternalException")
        }
        ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException"),
    };
    let (message, report) = match err {
        ApiError::Internal(source) => {
            let mut chain = source.to_string();
            let mut next = std::error::Error::source(source.as_ref());
            while let Some(cause) = next {
                chain.push_str(": ");
                chain.push_str(&cause.to_string());
                next = cause.source();
            }
            (
                "An internal error occurred; see the server log.".to_owned(),
                Some(InternalErrorReport(chain)),
            )
        }
        other => (other.to_string(), None),
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
    let mut response = (status, serde_json::to_string(&body).unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    headers.insert("x-amzn-ErrorType", HeaderValue::from_static(code));
    if let Some(report) = report {
        response.extensions_mut().insert(report);
    }
    response
}

/// Defines an error type that renders an [`ApiError`] in one protocol.
macro_rules! protocol_error {
    ($(#[$doc:meta])* $name:ident, aws_json = $aws_json:literal) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(pub ApiError);

        impl<E: Into<ApiError>> From<E> for $name {
            fn from(err: E) -> Self {
                $name(err.into())
            }
        }

        impl IntoResponse for $name {
            fn into_response(self) -> Response {
                render(&self.0, $aws_json)
            }
        }
    };
}

protocol_error!(
    /// An [`ApiError`] rendered for rest-json (ssm-incidents) and Tocsin-native endpoints:
    /// 400 validation/serialization/unknown operation, 403 access denied, 404 not found, 409
    /// conflict, 500 internal.
    RestJsonError,
    aws_json = false
);

protocol_error!(
    /// An [`ApiError`] rendered for awsJson1.1 (EventBridge): 400 for every client error,
    /// with EventBridge's codes (`ResourceAlreadyExistsException` for a conflict), 500
    /// internal.
    AwsJsonError,
    aws_json = true
);

/// Logs the internal error a response carries, once, with the request it answered.
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if let Some(InternalErrorReport(chain)) = response.extensions().get::<InternalErrorReport>() {
        tracing::error!(%method, %path, error = %chain, "internal error");
    }
    response
}
