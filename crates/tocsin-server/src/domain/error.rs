//! The error kinds every engine reports, named as the AWS protocols name them, with no
//! knowledge of HTTP: the `http` layer renders them (status code, `__type`, headers) per
//! protocol, so an engine can be called from a worker, a test or a CLI just as well.

use crate::store::StoreError;

/// A boxed error that keeps its source chain (for internal errors).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why an operation failed. Each variant names the AWS error code it becomes; the HTTP
/// status depends on the protocol (rest-json uses 4xx/5xx per code, awsJson1.1 answers
/// every client error with 400).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `ValidationException`: a member is missing, too long, out of range or malformed.
    #[error("{0}")]
    Validation(String),
    /// `SerializationException`: the body is not JSON.
    #[error("{0}")]
    Serialization(String),
    /// `ResourceNotFoundException`.
    #[error("{0}")]
    NotFound(String),
    /// `ConflictException` (EventBridge: `ResourceAlreadyExistsException`).
    #[error("{0}")]
    Conflict(String),
    /// `InvalidEventPatternException` (EventBridge).
    #[error("{0}")]
    InvalidEventPattern(String),
    /// `UnknownOperationException`: no such `X-Amz-Target` / path.
    #[error("{0}")]
    UnknownOperation(String),
    /// `LimitExceededException` (EventBridge; ssm-incidents: `ServiceQuotaExceededException`):
    /// a quota, such as rules per bus or targets per rule, would be exceeded.
    #[error("{0}")]
    LimitExceeded(String),
    /// `MissingAuthenticationTokenException`: the request carries no credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// `UnrecognizedClientException`: the access key id is unknown or disabled.
    #[error("{0}")]
    UnrecognizedClient(String),
    /// `InvalidSignatureException`: the signature or secret does not match, or the request
    /// is too old or too new.
    #[error("{0}")]
    InvalidSignature(String),
    /// `IncompleteSignatureException`: the `Authorization` header is malformed.
    #[error("{0}")]
    IncompleteSignature(String),
    /// `ThrottlingException`: the caller sends more requests than its rate limit allows.
    #[error("{0}")]
    Throttled(String),
    /// `ServiceUnavailableException`: a capacity limit of this server (open streams) is
    /// reached.
    #[error("{0}")]
    Unavailable(String),
    /// `AccessDeniedException`: the caller's role may not do this.
    #[error("{0}")]
    AccessDenied(String),
    /// A client error the service names itself (SSM's `InvalidDocument`,
    /// `AutomationExecutionNotFoundException`, …): 400 with that code on every protocol.
    #[error("{message}")]
    Service {
        /// The error code (`__type`).
        code: &'static str,
        /// What went wrong.
        message: String,
    },
    /// `InternalServerException` / `InternalException`. The source is kept for the log; the
    /// caller sees a generic message.
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::AlreadyExists(what) => ApiError::Conflict(format!("{what} already exists")),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl ApiError {
    /// The AWS error code (rest-json spelling), as the audit log records a failure.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "ValidationException",
            ApiError::Serialization(_) => "SerializationException",
            ApiError::NotFound(_) => "ResourceNotFoundException",
            ApiError::Conflict(_) => "ConflictException",
            ApiError::InvalidEventPattern(_) => "InvalidEventPatternException",
            ApiError::UnknownOperation(_) => "UnknownOperationException",
            ApiError::LimitExceeded(_) => "LimitExceededException",
            ApiError::Unauthenticated(_) => "MissingAuthenticationTokenException",
            ApiError::UnrecognizedClient(_) => "UnrecognizedClientException",
            ApiError::InvalidSignature(_) => "InvalidSignatureException",
            ApiError::IncompleteSignature(_) => "IncompleteSignatureException",
            ApiError::AccessDenied(_) => "AccessDeniedException",
            ApiError::Throttled(_) => "ThrottlingException",
            ApiError::Unavailable(_) => "ServiceUnavailableException",
            ApiError::Service { code, .. } => code,
            ApiError::Internal(_) => "InternalServerException",
        }
    }
}

/// Result type of engine functions.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A client error named by the service: `ApiError::Service { code, message }`.
    pub fn service(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Service {
            code,
            message: message.into(),
        }
    }
}
