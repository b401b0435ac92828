//! `POST /`: the awsJson1.1 endpoint every multiplexed AWS service shares, routed on
//! `X-Amz-Target` to its service's dispatch table: `AWSEvents.*` (EventBridge) and
//! `AmazonSSM.*` (Systems Manager Automation) and `SSMContacts.*` (Incident Manager
//! Contacts). A form body without `X-Amz-Target` is the
//! query protocol (SNS), handed to [`crate::http::sns::dispatch`].

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::domain::error::ApiError;
use crate::domain::identity::Caller;
use crate::http::error::AwsJsonError;
use crate::http::extract::{missing_credentials, role_refused};
use crate::http::operation::Operation;
use crate::http::state::AppState;
use crate::http::{contacts, events, sns, ssm};

/// Every dispatch table with its `X-Amz-Target` prefix.
pub fn tables() -> [(&'static str, &'static [Operation]); 3] {
    [
        (events::TARGET_PREFIX, events::OPERATIONS),
        (tocsin_api::ssm::TARGET_PREFIX, ssm::OPERATIONS),
        (tocsin_api::contacts::TARGET_PREFIX, contacts::OPERATIONS),
    ]
}

/// The operation an `X-Amz-Target` names.
fn operation_for(target: &str) -> Option<&'static Operation> {
    tables().into_iter().find_map(|(prefix, table)| {
        target
            .strip_prefix(prefix)
            .and_then(|name| table.iter().find(|op| op.name == name))
    })
}

/// `POST /`: routes on `X-Amz-Target`. Unknown targets get `UnknownOperationException`; a
/// caller without the operation's role gets `AccessDeniedException` before the body is read.
pub async fn dispatch(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if target.is_empty() && sns::is_form(&headers) && crate::http::sts::is_sts(&body) {
        return crate::http::sts::dispatch(state, caller.map(|c| c.0), body).await;
    }
    if target.is_empty() && sns::is_form(&headers) {
        return sns::dispatch(state, caller.map(|c| c.0), body).await;
    }
    let operation = operation_for(target);
    let Some(operation) = operation else {
        let err = if target.is_empty() {
            ApiError::UnknownOperation(
                "Missing X-Amz-Target header: expected AWSEvents.<Operation>, AmazonSSM.<Operation> or SSMContacts.<Operation>.".into(),
            )
        } else {
            ApiError::UnknownOperation(format!("Operation {target} is not supported."))
        };
        return AwsJsonError(err).into_response();
    };
    let Some(axum::Extension(caller)) = caller else {
        return AwsJsonError(missing_credentials()).into_response();
    };
    if let Err(err) = caller.require(operation.role) {
        return role_refused(AwsJsonError(err).into_response(), operation.name, caller);
    }
    match (operation.call)(state, caller, body).await {
        Ok(response) => response,
        Err(err) => AwsJsonError(err).into_response(),
    }
}
