//! The [`Api`] handle and the plumbing every request goes through: building, sending with an
//! abort signal and a timeout, turning error bodies into [`ApiError`]s, decoding JSON.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use send_wrapper::SendWrapper;
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tocsin_api::auth::Role;

use crate::auth::Credentials;

/// Requests still unanswered after this long are aborted.
pub const REQUEST_TIMEOUT_MS: u32 = 20_000;

/// Content type of EventBridge (awsJson1.1) requests.
pub const AWS_JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The AWS error body as both protocols send it: rest-json (`/v1/…`, ssm-incidents) and
/// awsJson1.1 (EventBridge). `__type` may carry a namespace (`com.amazonaws.events#X`) and
/// awsJson services sometimes spell the text `Message`.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(rename = "__type")]
    error_type: String,
    #[serde(alias = "Message")]
    message: String,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request never got an HTTP answer (server down, CORS, aborted, timed out).
    Network(String),
    /// The server answered with an error status.
    Http {
        /// HTTP status code.
        status: u16,
        /// AWS error code from `__type`, when the body had one.
        error_type: Option<String>,
        /// The server's message, or the response text.
        message: String,
    },
    /// The answer was not the JSON we expected.
    Decode(String),
    /// The key may not do this (`AccessDeniedException`): its role is too low.
    Denied {
        /// The signed-in key's role, when known.
        role: Option<Role>,
        /// The server's message.
        message: String,
    },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(msg) => write!(f, "Cannot reach the Tocsin API: {msg}"),
            Self::Http {
                status,
                error_type: Some(kind),
                message,
            } => write!(f, "{message} ({kind}, HTTP {status})"),
            Self::Http {
                status,
                error_type: None,
                message,
            } => write!(f, "HTTP {status}: {message}"),
            Self::Decode(msg) => write!(f, "Unexpected response from the server: {msg}"),
            Self::Denied { role, .. } => f.write_str(&crate::auth::denied_message(*role)),
        }
    }
}

impl std::error::Error for ApiError {}

/// Turns an error response body into an [`ApiError`]: the AWS error shape when it parses,
/// otherwise the (shortened) text.
pub fn error_from_body(status: u16, status_text: &str, body: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(err) => ApiError::Http {
            status,
            error_type: Some(
                err.error_type
                    .rsplit('#')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            message: err.message,
        },
        Err(_) => {
            // An HTML error page (proxy, static server) says nothing useful as text.
            let text = if body.trim_start().starts_with('<') {
                String::new()
            } else {
                crate::format::one_line(body, 300)
            };
            ApiError::Http {
                status,
                error_type: None,
                message: if text.is_empty() {
                    status_text.to_owned()
                } else {
                    text
                },
            }
        }
    }
}

/// A handle on the Tocsin API at one base URL (`https://host:port`, no trailing slash),
/// with the signed-in key (sent as `Authorization: Bearer ID:SECRET` on every request).
///
/// Its methods live with their area: [`crate::api::native`], [`crate::api::incidents`],
/// [`crate::api::plans`], [`crate::api::events`], [`crate::api::archives`],
/// [`crate::api::ssm`], [`crate::api::auth`],
/// [`crate::api::audit`], [`crate::api::integrations`], [`crate::api::topics`],
/// [`crate::api::contacts`] and [`crate::api::receivers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    base: String,
    credentials: Option<Credentials>,
    role: Option<Role>,
    report_rejections: bool,
}

/// Turns an error answer into what the app shows: a refusal by role becomes
/// [`ApiError::Denied`] (whose text names `role`); everything else is kept.
pub fn interpret_error(err: ApiError, role: Option<Role>) -> ApiError {
    if crate::auth::is_access_denied(&err)
        && let ApiError::Http { message, .. } = err
    {
        return ApiError::Denied { role, message };
    }
    err
}

impl Api {
    /// An API client for `base` (already normalised, see [`crate::format::normalize_base_url`]),
    /// without a key.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            credentials: None,
            role: None,
            report_rejections: true,
        }
    }

    /// The same client sending `credentials` (whose role, when known, is `role`: refusals
    /// by role name it).
    pub fn with_credentials(
        mut self,
        credentials: Option<Credentials>,
        role: Option<Role>,
    ) -> Self {
        self.credentials = credentials;
        self.role = role;
        self
    }

    /// The same client, but a refusal of its credentials (401, unknown key, wrong secret)
    /// does not sign the person out: for checking a key before it is signed in.
    pub fn without_rejection_reports(mut self) -> Self {
        self.report_rejections = false;
        self
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The key this client sends, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `GET path` (which may carry a query string), answered with JSON.
    pub(crate) async fn get_json<O: DeserializeOwned>(&self, path: &str) -> Result<O, ApiError> {
        json(
            self.send(Request::get(&self.url(path)), None::<&()>)
                .await?,
        )
        .await
    }

    /// `POST path` with a JSON body, answered with JSON.
    pub(crate) async fn post_json<I: Serialize, O: DeserializeOwned>(
        &self,
        path: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        json(
            self.send(Request::post(&self.url(path)), Some(input))
                .await?,
        )
        .await
    }

    /// `POST path` with a JSON body, answered with no body worth reading (204).
    pub(crate) async fn post_empty<I: Serialize>(
        &self,
        path: &str,
        input: &I,
    ) -> Result<(), ApiError> {
        self.send(Request::post(&self.url(path)), Some(input))
            .await?;
        Ok(())
    }

    /// `DELETE path` (which may carry a query string), answered with no body worth reading
    /// (204).
    pub(crate) async fn delete_empty(&self, path: &str) -> Result<(), ApiError> {
        self.send(Request::delete(&self.url(path)), None::<&()>)
            .await?;
        Ok(())
    }

    /// `POST /` with an awsJson1.1 body and `X-Amz-Target: <target>`, answered with JSON.
    pub(crate) async fn post_aws_json<I: Serialize, O: DeserializeOwned>(
        &self,
        target: &str,
        input: &I,
    ) -> Result<O, ApiError> {
        let body = serde_json::to_string(input).map_err(|e| ApiError::Decode(e.to_string()))?;
        let builder = Request::post(&self.url("/"))
            .header("X-Amz-Target", target)
            .header("Content-Type", AWS_JSON_CONTENT_TYPE);
        json(self.send_text(builder, Some(body)).await?).await
    }

    /// Sends a request (with an optional JSON body) and returns the response when its
    /// status is 2xx; otherwise the error from its body.
    async fn send<B: Serialize + ?Sized>(
        &self,
        builder: RequestBuilder,
        body: Option<&B>,
    ) -> Result<Response, ApiError> {
        let body = match body {
            Some(body) => {
                Some(serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?)
            }
            None => None,
        };
        let builder = if body.is_some() {
            builder.header("Content-Type", "application/json")
        } else {
            builder
        };
        self.send_text(builder, body).await
    }

    /// Sends a request with an optional body (its `Content-Type` already set on `builder`),
    /// with the key's `Authorization` header. A refusal of the key itself signs the person
    /// out (the sign-in page then says why); a refusal by role becomes [`ApiError::Denied`].
    async fn send_text(
        &self,
        builder: RequestBuilder,
        body: Option<String>,
    ) -> Result<Response, ApiError> {
        let builder = match &self.credentials {
            Some(credentials) => builder.header("Authorization", &credentials.bearer()),
            None => builder,
        };
        match send_text(builder, body).await {
            Ok(response) => Ok(response),
            Err(err) => {
                if self.report_rejections && crate::auth::rejects_credentials(&err) {
                    crate::auth::session::report_rejected(self.credentials.as_ref(), &err);
                }
                Err(interpret_error(err, self.role))
            }
        }
    }
}

/// Sends a request with an optional body (its `Content-Type` already set on `builder`).
async fn send_text(builder: RequestBuilder, body: Option<String>) -> Result<Response, ApiError> {
    let controller =
        web_sys::AbortController::new().map_err(|e| ApiError::Network(format!("{e:?}")))?;
    let builder = builder
        .abort_signal(Some(&controller.signal()))
        .header("Accept", "application/json");
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Network(e.to_string()))?;

    // Abort when the view that asked goes away, and after a timeout.
    let on_drop = SendWrapper::new(controller.clone());
    if leptos::prelude::Owner::current().is_some() {
        leptos::prelude::on_cleanup(move || on_drop.abort());
    }
    let timeout_controller = controller.clone();
    // Dropping the timer (when this function returns) cancels it.
    let _timeout = gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || {
        timeout_controller.abort();
    });

    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let status_text = response.status_text();
    let text = response.text().await.unwrap_or_default();
    Err(error_from_body(status, &status_text, &text))
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let text = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// A fresh idempotency token (UUID v4) from the browser's CSPRNG. Uses `crypto.randomUUID`
/// where available (secure contexts) and `crypto.getRandomValues` otherwise.
pub fn new_client_token() -> String {
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        // randomUUID is missing on plain-http origins other than localhost.
        let has_random_uuid = js_sys::Reflect::get(&crypto, &"randomUUID".into())
            .map(|f| f.is_function())
            .unwrap_or(false);
        if has_random_uuid {
            return crypto.random_uuid();
        }
        let mut bytes = [0u8; 16];
        if crypto.get_random_values_with_u8_array(&mut bytes).is_ok() {
            return crate::format::uuid_v4_from_bytes(bytes);
        }
    }
    // No Web Crypto at all (very old browser): Math.random is the best there is.
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        *b = (js_sys::Math::random() * 256.0) as u8;
    }
    crate::format::uuid_v4_from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_error_bodies_show_their_message() {
        let err = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"ValidationException","message":"impact must be 1-5"}"#,
        );
        assert_eq!(
            err.to_string(),
            "impact must be 1-5 (ValidationException, HTTP 400)"
        );
    }

    #[test]
    fn aws_json_error_bodies_show_their_message() {
        let err = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"InvalidEventPatternException","message":"Event pattern is not valid. Reason: x"}"#,
        );
        assert_eq!(
            err,
            ApiError::Http {
                status: 400,
                error_type: Some("InvalidEventPatternException".to_owned()),
                message: "Event pattern is not valid. Reason: x".to_owned(),
            }
        );
        let err = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"com.amazonaws.events#ResourceNotFoundException","Message":"Rule r does not exist."}"#,
        );
        assert_eq!(
            err.to_string(),
            "Rule r does not exist. (ResourceNotFoundException, HTTP 400)"
        );
    }

    #[test]
    fn other_bodies_show_text_or_status() {
        let err = error_from_body(502, "Bad Gateway", "");
        assert_eq!(err.to_string(), "HTTP 502: Bad Gateway");
        let err = error_from_body(500, "x", "oops\nmore");
        assert_eq!(err.to_string(), "HTTP 500: oops more");
        let err = error_from_body(404, "Not Found", "<!DOCTYPE html><p>x</p>");
        assert_eq!(err.to_string(), "HTTP 404: Not Found");
    }

    #[test]
    fn urls() {
        let api = Api::new("http://h:1");
        assert_eq!(api.url("/v1/wall"), "http://h:1/v1/wall");
        assert_eq!(api.base(), "http://h:1");
        assert_eq!(api.credentials(), None);
    }

    #[test]
    fn refusals_by_role_name_the_role() {
        for status in [403, 400] {
            let err = error_from_body(
                status,
                "Forbidden",
                r#"{"__type":"AccessDeniedException","message":"needs responder"}"#,
            );
            let shown = interpret_error(err, Some(Role::Viewer));
            assert_eq!(
                shown,
                ApiError::Denied {
                    role: Some(Role::Viewer),
                    message: "needs responder".to_owned()
                }
            );
            assert_eq!(shown.to_string(), "Your key (role viewer) may not do this.");
        }
        let other = error_from_body(
            400,
            "Bad Request",
            r#"{"__type":"ValidationException","message":"m"}"#,
        );
        assert_eq!(interpret_error(other.clone(), Some(Role::Admin)), other);
    }
}
