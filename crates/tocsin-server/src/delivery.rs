//! HTTP targets: a rule target whose `Arn` is an `http://` or `https://` URL receives each
//! matching event (or what its input transformer makes of it) as a POST.
//!
//! Ingest writes a PENDING [`Delivery`] in the same transaction as the event (an outbox), so
//! an acknowledged event's deliveries are never lost; this worker drains them. Attempts
//! follow the target's `RetryPolicy` (`MaximumRetryAttempts`, default 185;
//! `MaximumEventAgeInSeconds`, default 86400) with exponential back-off from 1 s to 5 min.
//! Retryable: connection errors, timeouts, 401, 407, 409, 429 and 5xx (as EventBridge API
//! destinations); any other answer, or an address the outbound policy forbids, fails the
//! delivery at once. FAILED deliveries are the dead letters, listed by
//! `GET /v1/deliveries?status=FAILED`. Delivery is at least once: a crash between a
//! target's answer and the commit of its outcome repeats that attempt.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use tocsin_api::events::Target;
use tocsin_api::native::{Change, Delivery, DeliveryStatus};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::outbound::{self, OutboundPolicy};
use crate::state::AppState;
use crate::store::StoreResult;

/// Default `RetryPolicy.MaximumRetryAttempts`.
pub const DEFAULT_MAX_RETRIES: u32 = 185;
/// Default `RetryPolicy.MaximumEventAgeInSeconds`.
pub const DEFAULT_MAX_AGE_SECS: u32 = 86_400;
/// Deliveries attempted at once.
const PARALLEL: usize = 8;

/// Whether a target `Arn` names an HTTP target.
pub fn is_http_target(arn: &str) -> bool {
    arn.starts_with("http://") || arn.starts_with("https://")
}

/// The HTTP settings of a target, read from its `HttpParameters` and `RetryPolicy`.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpTarget {
    /// URL with `QueryStringParameters` appended.
    pub url: String,
    /// `HeaderParameters`.
    pub headers: BTreeMap<String, String>,
    /// 1 + `MaximumRetryAttempts`.
    pub max_attempts: u32,
    /// `MaximumEventAgeInSeconds`.
    pub max_age_secs: u32,
}

fn string_map(v: Option<&serde_json::Value>, what: &str) -> ApiResult<BTreeMap<String, String>> {
    match v {
        None => Ok(BTreeMap::new()),
        Some(serde_json::Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_owned())),
                None => Err(ApiError::Validation(format!(
                    "{what}.{k} must be a string."
                ))),
            })
            .collect(),
        Some(_) => Err(ApiError::Validation(format!(
            "{what} must be a map of strings."
        ))),
    }
}

impl HttpTarget {
    /// Reads and checks a target's HTTP settings (PutTargets time).
    ///
    /// Errors (`ValidationException`): a URL that is not http(s); header names or values
    /// that are not valid HTTP; `MaximumRetryAttempts` outside 0-185;
    /// `MaximumEventAgeInSeconds` outside 60-86400.
    pub fn from_target(t: &Target) -> ApiResult<Self> {
        let mut url = reqwest::Url::parse(&t.arn)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                ApiError::Validation(format!(
                    "Target {}: Arn {} is not an http(s) URL.",
                    t.id, t.arn
                ))
            })?;
        let http = t.other.get("HttpParameters");
        let headers = string_map(
            http.and_then(|h| h.get("HeaderParameters")),
            "HttpParameters.HeaderParameters",
        )?;
        for (k, v) in &headers {
            if reqwest::header::HeaderName::from_bytes(k.as_bytes()).is_err()
                || reqwest::header::HeaderValue::from_str(v).is_err()
            {
                return Err(ApiError::Validation(format!(
                    "Target {}: header {k} is not a valid HTTP header.",
                    t.id
                )));
            }
        }
        let query = string_map(
            http.and_then(|h| h.get("QueryStringParameters")),
            "HttpParameters.QueryStringParameters",
        )?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        let retry = t.other.get("RetryPolicy");
        let number = |key: &str, default: u32, min: u32, max: u32| -> ApiResult<u32> {
            match retry.and_then(|r| r.get(key)) {
                None => Ok(default),
                Some(v) => v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        ApiError::Validation(format!(
                            "Target {}: RetryPolicy.{key} must be {min}-{max}.",
                            t.id
                        ))
                    }),
            }
        };
        Ok(HttpTarget {
            url: url.to_string(),
            headers,
            max_attempts: 1 + number("MaximumRetryAttempts", DEFAULT_MAX_RETRIES, 0, 185)?,
            max_age_secs: number("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_SECS, 60, 86_400)?,
        })
    }

    /// A new PENDING delivery of `body` for `event_id`.
    pub fn delivery(
        &self,
        event_id: &str,
        rule_arn: &str,
        target_id: &str,
        body: String,
        now: f64,
    ) -> Delivery {
        Delivery {
            id: 0,
            event_id: event_id.to_owned(),
            rule_arn: rule_arn.to_owned(),
            target_id: target_id.to_owned(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            max_attempts: self.max_attempts,
            deadline: now + f64::from(self.max_age_secs),
            created_at: now,
            updated_at: now,
            last_status_code: None,
            last_error: None,
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// 2xx.
    Delivered(u16),
    /// Worth another try (status if any, reason).
    Retry(Option<u16>, String),
    /// Not worth another try.
    Fail(Option<u16>, String),
}

/// Makes one attempt.
pub async fn attempt(client: &reqwest::Client, policy: &OutboundPolicy, d: &Delivery) -> Attempt {
    let url = match outbound::check_url(&d.url, policy) {
        Ok(u) => u,
        Err(reason) => return Attempt::Fail(None, reason),
    };
    let content_type = if serde_json::from_str::<serde_json::Value>(&d.body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(d.body.clone());
    for (k, v) in &d.headers {
        request = request.header(k, v);
    }
    match request.send().await {
        Ok(response) => {
            let code = response.status().as_u16();
            if response.status().is_success() {
                Attempt::Delivered(code)
            } else if matches!(code, 401 | 407 | 409 | 429) || response.status().is_server_error() {
                Attempt::Retry(Some(code), format!("target answered {code}"))
            } else {
                Attempt::Fail(Some(code), format!("target answered {code}"))
            }
        }
        Err(err) => {
            let text = format!("{err:?}");
            if text.contains("may not reach") {
                Attempt::Fail(
                    None,
                    "the target's address may not be reached by outbound requests".into(),
                )
            } else {
                Attempt::Retry(None, format!("request failed: {err}"))
            }
        }
    }
}

/// Back-off before attempt `n + 1` after `n` failed attempts: 1 s, 2 s, 4 s … 5 min.
pub fn backoff_secs(failed_attempts: u32) -> f64 {
    f64::from(
        2u32.saturating_pow(failed_attempts.saturating_sub(1))
            .min(300),
    )
}

/// Applies an attempt's outcome to a delivery; returns the next attempt time.
pub fn record(d: &mut Delivery, outcome: Attempt, now: f64) -> f64 {
    d.attempts += 1;
    d.updated_at = now;
    match outcome {
        Attempt::Delivered(code) => {
            d.status = DeliveryStatus::Delivered;
            d.last_status_code = Some(code);
            d.last_error = None;
        }
        Attempt::Fail(code, reason) => {
            d.status = DeliveryStatus::Failed;
            d.last_status_code = code;
            d.last_error = Some(reason);
        }
        Attempt::Retry(code, reason) => {
            d.last_status_code = code;
            let next = now + backoff_secs(d.attempts);
            if d.attempts >= d.max_attempts || next > d.deadline {
                d.status = DeliveryStatus::Failed;
                d.last_error = Some(format!("{reason}; gave up after {} attempts", d.attempts));
            } else {
                d.last_error = Some(reason);
                return next;
            }
        }
    }
    now
}

/// One pass: attempts every due delivery and commits each outcome with its change-feed
/// entry. Returns how many were attempted.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> StoreResult<usize> {
    let due = state
        .store
        .read()
        .await?
        .due_deliveries(clock::now(), 64)
        .await?;
    let n = due.len();
    let policy = state.outbound.as_ref();
    let mut outcomes = futures::stream::iter(due)
        .map(|d| async move {
            let outcome = attempt(client, policy, &d).await;
            (d, outcome)
        })
        .buffer_unordered(PARALLEL);
    while let Some((mut d, outcome)) = outcomes.next().await {
        let next = record(&mut d, outcome, clock::now());
        tracing::info!(delivery = d.id, status = d.status.as_str(), attempts = d.attempts, error = ?d.last_error, "delivery attempt");
        let mut tx = state.store.write().await?;
        tx.update_delivery(&d, next).await?;
        tx.append_change(&Change::DeliveryChanged(d)).await?;
        tx.commit().await?;
    }
    Ok(n)
}

/// The delivery worker: runs passes until shutdown, waking on new commits and when the
/// next retry falls due.
pub async fn run(state: AppState) {
    let client = match outbound::client(state.outbound.clone()) {
        Ok(c) => c,
        Err(err) => {
            tracing::error!(%err, "cannot build the outbound HTTP client; HTTP targets are not delivered");
            return;
        }
    };
    let mut wake = state.store.subscribe();
    let mut shutdown = state.shutdown.clone();
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(err) = deliver_due(&state, &client).await {
            tracing::warn!(%err, "delivery pass failed");
        }
        let wait = match state.store.read().await {
            Ok(mut tx) => match tx.next_delivery_at().await {
                Ok(Some(at)) => (at - clock::now()).clamp(0.05, 5.0),
                _ => 5.0,
            },
            Err(_) => 5.0,
        };
        tokio::select! {
            _ = wake.changed() => {},
            _ = tokio::time::sleep(Duration::from_secs_f64(wait)) => {},
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(arn: &str, other: serde_json::Value) -> Target {
        Target {
            id: "t".into(),
            arn: arn.into(),
            role_arn: None,
            input: None,
            input_path: None,
            input_transformer: None,
            other: other.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn http_settings_are_read_and_checked() {
        let t = target(
            "https://hooks.example.com/x",
            serde_json::json!({"HttpParameters": {"HeaderParameters": {"X-Team": "sre"}, "QueryStringParameters": {"a": "1 2"}},
                               "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120}}),
        );
        let h = HttpTarget::from_target(&t).unwrap();
        assert_eq!(h.url, "https://hooks.example.com/x?a=1+2");
        assert_eq!(h.headers["X-Team"], "sre");
        assert_eq!((h.max_attempts, h.max_age_secs), (4, 120));
        assert!(HttpTarget::from_target(&target("ftp://x", serde_json::json!({}))).is_err());
        assert!(
            HttpTarget::from_target(&target(
                "https://x",
                serde_json::json!({"RetryPolicy": {"MaximumRetryAttempts": 186}})
            ))
            .is_err()
        );
        assert!(
            HttpTarget::from_target(&target(
                "https://x",
                serde_json::json!({"RetryPolicy": {"MaximumEventAgeInSeconds": 59}})
            ))
            .is_err()
        );
        assert!(
            HttpTarget::from_target(&target(
                "https://x",
                serde_json::json!({"HttpParameters": {"HeaderParameters": {"bad header": "v"}}})
            ))
            .is_err()
        );
    }

    #[test]
    fn retries_back_off_and_give_up() {
        let h = HttpTarget {
            url: "https://x".into(),
            headers: BTreeMap::new(),
            max_attempts: 3,
            max_age_secs: 3600,
        };
        let mut d = h.delivery("e", "r", "t", "{}".into(), 1000.0);
        assert_eq!(
            record(&mut d, Attempt::Retry(Some(503), "503".into()), 1000.0),
            1001.0
        );
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(
            record(&mut d, Attempt::Retry(None, "timeout".into()), 1001.0),
            1003.0
        );
        record(&mut d, Attempt::Retry(Some(500), "500".into()), 1003.0);
        assert_eq!(
            d.status,
            DeliveryStatus::Failed,
            "third failure of three attempts is final"
        );
        assert!(
            d.last_error
                .as_deref()
                .unwrap()
                .contains("gave up after 3 attempts")
        );
        let mut ok = h.delivery("e", "r", "t", "{}".into(), 0.0);
        record(&mut ok, Attempt::Delivered(204), 0.0);
        assert_eq!(
            (ok.status, ok.last_status_code),
            (DeliveryStatus::Delivered, Some(204))
        );
        assert_eq!(backoff_secs(20), 300.0);
    }
}
