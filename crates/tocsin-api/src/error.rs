//! The AWS error body, as both rest-json and awsJson1.1 return it.

use serde::{Deserialize, Serialize};

/// An AWS-shaped error body: `{"__type": "ValidationException", "message": "..."}`.
///
/// botocore reads the error code from `__type` (or the `x-amzn-ErrorType` header) and the
/// text from `message`; Tocsin-native endpoints (`/v1/...`) use the same body so every client
/// parses one error shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwsErrorBody {
    /// The error code, e.g. `ValidationException`, `ResourceNotFoundException`.
    #[serde(rename = "__type")]
    pub error_type: String,
    /// Human-readable reason.
    pub message: String,
}
