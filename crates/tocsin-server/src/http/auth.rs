//! Authentication at the edge: every request is turned into a [`Caller`] (or refused)
//! before any handler runs, by the [`authenticate`] middleware.
//!
//! - `Authorization: AWS4-HMAC-SHA256 …`: SigV4 ([`crate::http::sigv4`]); the body is read
//!   once to hash it, and the scope's service must be the operation's (`ssm-incidents` for
//!   rest-json paths, `events` for `AWSEvents.*`, `sns` for a query-protocol form; any
//!   service on `/v1/`).
//! - `Authorization: Bearer <accessKeyId>:<secretAccessKey>`: for scripts and the web app.
//! - `GET /v1/stream?ticket=…`: a single-use stream ticket (browsers' `EventSource` cannot
//!   send headers; no long-lived secret goes into a URL).
//! - Receiver routes (`/v1/receivers/<kind>/<name>`, `/v2/enqueue`): not looked at here;
//!   each checks its receiver's own secret ([`crate::http::receivers`]).
//! - Nothing: no caller; routes that need a role answer `MissingAuthenticationTokenException`.
//!   Under `--insecure-no-auth` (loopback only) the caller is an anonymous admin instead.
//!
//! Bad credentials are refused here, on every route, with the protocol's error
//! (`UnrecognizedClientException`, `InvalidSignatureException`,
//! `IncompleteSignatureException`); whether the caller's role suffices is checked by the
//! route ([`crate::http::extract::Require`], the dispatch tables).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::clock;
use crate::domain::error::ApiError;
use crate::domain::identity::Caller;
use crate::domain::keys;
use crate::http::error::{AwsJsonError, RestJsonError};
use crate::http::sigv4;
use crate::http::state::AppState;

/// A key's `lastUsedAt` is written at most this often.
const TOUCH_EVERY_SECS: f64 = 60.0;

/// The AWS service an operation at this path belongs to (`None`: a native route, any
/// service name is accepted).
fn service_of(
    method: &Method,
    path: &str,
    target: Option<&str>,
    form: bool,
) -> Option<&'static str> {
    if path == "/" && method == Method::POST {
        match target {
            Some(t) if t.starts_with(crate::http::events::TARGET_PREFIX) => Some("events"),
            Some(t) if t.starts_with(tocsin_api::contacts::TARGET_PREFIX) => Some("ssm-contacts"),
            None if form => Some("sns"),
            _ => None,
        }
    } else if path.starts_with("/v1/") || path == "/healthz" {
        None
    } else {
        Some("ssm-incidents")
    }
}

/// Looks a key up (in the [`keys::KeyCache`], else the database) and unseals its secret;
/// `UnrecognizedClientException` if unknown or disabled.
async fn key(
    state: &AppState,
    access_key_id: &str,
) -> Result<(tocsin_api::auth::AccessKey, String), ApiError> {
    if let Some(found) = state.key_cache.get(access_key_id) {
        return Ok(found);
    }
    let mut tx = state.store.read().await?;
    let (key, secret) = keys::key_with_secret(tx.as_mut(), &state.config.server_key, access_key_id)
        .await?
        .ok_or_else(|| {
            ApiError::UnrecognizedClient(
                "The security token included in the request is invalid.".into(),
            )
        })?;
    state.key_cache.put(&key, &secret);
    Ok((key, secret))
}

/// Records a key's use, at most once a minute per key, off the request's path.
fn touch(state: &AppState, access_key_id: &str) {
    let now = clock::now();
    let due = state
        .key_uses
        .lock()
        .map(|mut uses| {
            let last = uses.get(access_key_id).copied().unwrap_or(f64::MIN);
            let due = now - last >= TOUCH_EVERY_SECS;
            if due {
                uses.insert(access_key_id.to_owned(), now);
            }
            due
        })
        .unwrap_or(false);
    if due {
        let store = state.store.clone();
        let id = access_key_id.to_owned();
        tokio::spawn(async move {
            let result = async {
                let mut tx = store.write().await?;
                tx.touch_key(&id, now).await?;
                tx.commit().await
            }
            .await;
            if let Err(err) = result {
                tracing::warn!(%err, "could not record an access key's use");
            }
        });
    }
}

/// Finds who is calling; on success the request goes on with the [`Caller`] in its
/// extensions (or none, without credentials).
async fn identify(state: &AppState, request: Request) -> Result<Request, ApiError> {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let account = &state.config.account_id;
    let (mut request, caller) = match authorization {
        Some(text) if text.starts_with(sigv4::ALGORITHM) => {
            let auth = sigv4::parse_authorization(&text)
                .map_err(|e| ApiError::IncompleteSignature(e.to_string()))?;
            let (key, secret) = key(state, &auth.access_key_id).await?;
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, crate::http::MAX_BODY_BYTES)
                .await
                .map_err(|e| {
                    ApiError::Validation(format!("Could not read the request body: {e}"))
                })?;
            let target = parts
                .headers
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok());
            let form = crate::http::sns::is_form(&parts.headers);
            let service = if form && target.is_none() && crate::http::sts::is_sts(&bytes) {
                Some("sts")
            } else {
                service_of(&parts.method, parts.uri.path(), target, form)
            };
            let signed = sigv4::Signed {
                method: &parts.method,
                uri: &parts.uri,
                headers: &parts.headers,
                body: &bytes,
            };
            sigv4::verify(&auth, &secret, &signed, service, clock::now() as i64).map_err(|e| {
                match e {
                    sigv4::SigV4Error::Incomplete(m) => ApiError::IncompleteSignature(m),
                    sigv4::SigV4Error::Invalid(m) => ApiError::InvalidSignature(m),
                }
            })?;
            touch(state, &key.access_key_id);
            let caller = Caller::of_key(account, &key.access_key_id, &key.name, key.role);
            (Request::from_parts(parts, Body::from(bytes)), Some(caller))
        }
        Some(text)
            if text.starts_with("Bearer ")
                && request.uri().path() == "/metrics"
                && state
                    .config
                    .metrics_token
                    .as_ref()
                    .is_some_and(|t| t.matches(text["Bearer ".len()..].trim())) =>
        {
            let caller = Caller::of_key(
                account,
                "",
                "metrics-scraper",
                tocsin_api::auth::Role::Viewer,
            );
            (request, Some(caller))
        }
        Some(text) if text.starts_with("Bearer ") => {
            let token = text["Bearer ".len()..].trim();
            let (id, secret) = token.split_once(':').ok_or_else(|| {
                ApiError::IncompleteSignature(
                    "A bearer token is <accessKeyId>:<secretAccessKey>.".into(),
                )
            })?;
            let (key, expected) = key(state, id).await?;
            if !bool::from(expected.as_bytes().ct_eq(secret.as_bytes())) {
                return Err(ApiError::InvalidSignature(
                    "The secret access key does not match the access key id.".into(),
                ));
            }
            touch(state, &key.access_key_id);
            let caller = Caller::of_key(account, &key.access_key_id, &key.name, key.role);
            (request, Some(caller))
        }
        Some(_) => {
            return Err(ApiError::IncompleteSignature(
                "The Authorization header must be AWS4-HMAC-SHA256 (SigV4) or Bearer <accessKeyId>:<secretAccessKey>.".into(),
            ));
        }
        None => {
            let ticket = (request.uri().path() == "/v1/stream")
                .then(|| {
                    url::form_urlencoded::parse(
                        request.uri().query().unwrap_or_default().as_bytes(),
                    )
                    .find(|(k, _)| k == "ticket")
                    .map(|(_, v)| v.into_owned())
                })
                .flatten();
            let caller = match ticket {
                Some(t) => Some(crate::http::tickets::redeem(state.store.as_ref(), &t).await?.ok_or_else(|| {
                    ApiError::UnrecognizedClient("The stream ticket is unknown, used or expired; get a new one from POST /v1/stream-tickets.".into())
                })?),
                None if state.config.insecure_no_auth => Some(Caller::anonymous_admin()),
                None => None,
            };
            (request, caller)
        }
    };
    if let Some(caller) = &caller
        && !caller.access_key_id.is_empty()
        && let Some(limiter) = &state.rate_limiter
        && limiter.check_key(&caller.access_key_id).is_err()
    {
        return Err(ApiError::Throttled(format!(
            "Rate exceeded: access key {} may make {} requests per second.",
            caller.access_key_id, state.config.rate_limit_per_key
        )));
    }
    if let Some(mut caller) = caller {
        if let Some(axum::extract::ConnectInfo(peer)) =
            request
                .extensions()
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        {
            caller.source_address = peer.to_string();
        }
        request.extensions_mut().insert(caller);
    }
    Ok(request)
}

/// The middleware: identifies the caller or answers with the protocol's error.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // Receivers check their own secret (which may be in `Authorization`, as Alertmanager's
    // bearer and EventBridge's Basic are): no access key is looked for.
    if crate::http::receivers::is_receiver_request(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let aws_json = request.uri().path() == "/" && request.method() == Method::POST;
    let query_protocol = aws_json
        && crate::http::sns::is_form(request.headers())
        && !request.headers().contains_key("x-amz-target");
    match identify(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(err) if query_protocol => crate::http::sns::SnsError(err).into_response(),
        Err(err) if aws_json => AwsJsonError(err).into_response(),
        Err(err) => RestJsonError(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_by_route() {
        assert_eq!(
            service_of(&Method::POST, "/", Some("AWSEvents.PutEvents"), false),
            Some("events")
        );
        assert_eq!(service_of(&Method::POST, "/", None, false), None);
        assert_eq!(service_of(&Method::POST, "/", None, true), Some("sns"));
        assert_eq!(
            service_of(&Method::GET, "/getResponsePlan", None, false),
            Some("ssm-incidents")
        );
        assert_eq!(
            service_of(&Method::POST, "/startIncident", None, false),
            Some("ssm-incidents")
        );
        assert_eq!(service_of(&Method::GET, "/v1/wall", None, false), None);
    }
}
