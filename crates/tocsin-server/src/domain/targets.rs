//! Targets: what a rule sends a matching event to, checked when it is stored (PutTargets)
//! and compiled once for the matcher. A target `Arn` that is a response-plan ARN opens an
//! incident; an `http(s)://` URL receives the event (or what its input transformer makes of
//! it) as a POST, through the outbox drained by the delivery worker (see
//! [`crate::worker::delivery`]). Mirrors `Target` of EventBridge 2015-10-07.

use std::collections::BTreeMap;

use tocsin_api::arn::TargetKind;
use tocsin_api::events::Target;
use tocsin_api::native::{Delivery, DeliveryStatus};
use tocsin_transform::TargetInput;

use crate::domain::error::{ApiError, ApiResult};
use crate::domain::validate;

/// Default `RetryPolicy.MaximumRetryAttempts`.
pub const DEFAULT_MAX_RETRIES: u32 = 185;
/// Default `RetryPolicy.MaximumEventAgeInSeconds`.
pub const DEFAULT_MAX_AGE_SECS: u32 = 86_400;

/// Headers a target may not set: they frame the request or steer where it goes, so a
/// target that sets them could smuggle a second request or reach another host.
/// (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`, `Upgrade`, `TE`,
/// `Keep-Alive` and every `Proxy-*`.)
pub fn is_reserved_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "host"
            | "content-length"
            | "transfer-encoding"
            | "connection"
            | "upgrade"
            | "te"
            | "keep-alive"
    ) || name.starts_with("proxy-")
}

/// What secrets are replaced with wherever they are shown.
pub const REDACTED: &str = "REDACTED";

/// `url` with every query value and the password of its credentials replaced by
/// [`REDACTED`] (query names and the user name are kept).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some(REDACTED));
            }
            if parsed.query().is_some() {
                let names: Vec<String> =
                    parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
                parsed
                    .query_pairs_mut()
                    .clear()
                    .extend_pairs(names.iter().map(|k| (k.as_str(), REDACTED)));
            }
            parsed.to_string()
        }
        Err(_) => REDACTED.to_owned(),
    }
}

/// A delivery as it may be shown (the delivery log, the change feed): header values and
/// query values, which often carry tokens, replaced by [`REDACTED`].
pub fn redacted_delivery(d: &Delivery) -> Delivery {
    let mut shown = d.clone();
    for value in shown.headers.values_mut() {
        *value = REDACTED.to_owned();
    }
    shown.url = redact_url(&d.url);
    shown
}

/// A target as a non-admin may see it: `HttpParameters` header and query values, and the
/// query string of an http(s) `Arn`, replaced by [`REDACTED`].
pub fn redacted_target(t: &Target) -> Target {
    let mut shown = t.clone();
    if is_http_target(&shown.arn) {
        shown.arn = redact_url(&shown.arn);
    }
    if let Some(serde_json::Value::Object(http)) = shown.other.get_mut("HttpParameters") {
        for key in ["HeaderParameters", "QueryStringParameters"] {
            if let Some(serde_json::Value::Object(map)) = http.get_mut(key) {
                for value in map.values_mut() {
                    *value = serde_json::Value::String(REDACTED.to_owned());
                }
            }
        }
    }
    shown
}

/// Whether a target `Arn` names an HTTP target.
pub fn is_http_target(arn: &str) -> bool {
    matches!(
        TargetKind::of(arn),
        TargetKind::Http | TargetKind::ApiDestination { .. }
    )
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
        // An API destination's request is built at attempt time from its ARN
        // (`crate::domain::destinations::resolve`); the target's own query parameters ride
        // along after a `?`.
        let api_destination = matches!(TargetKind::of(&t.arn), TargetKind::ApiDestination { .. });
        let mut url = if api_destination {
            reqwest::Url::parse("https://api-destination.invalid/").ok()
        } else {
            reqwest::Url::parse(&t.arn).ok()
        }
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
            if is_reserved_header(k) {
                return Err(ApiError::Validation(format!(
                    "Target {}: header {k} is set by Tocsin and cannot be a HeaderParameter.",
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
        let url = if api_destination {
            match url.query() {
                Some(q) => format!("{}?{q}", t.arn),
                None => t.arn.clone(),
            }
        } else {
            url.to_string()
        };
        Ok(HttpTarget {
            url,
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

/// A target, compiled: what it receives and, for HTTP targets, where and how.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTarget {
    /// The target as stored.
    pub target: Target,
    /// Its `Input`/`InputPath`/`InputTransformer`, validated.
    pub input: TargetInput,
    /// Its HTTP settings, when its `Arn` is an http(s) URL.
    pub http: Option<HttpTarget>,
}

/// Reads a target's `Input`/`InputPath`/`InputTransformer` exactly as they will be rendered.
fn target_input(t: &Target) -> Result<TargetInput, String> {
    let transformer = t.input_transformer.as_ref().map(|x| {
        (
            x.input_paths_map.clone().unwrap_or_default(),
            x.input_template.clone(),
        )
    });
    TargetInput::new(
        t.input.as_deref(),
        t.input_path.as_deref(),
        transformer
            .as_ref()
            .map(|(paths, template)| (paths, template.as_str())),
    )
    .map_err(|e| e.to_string())
}

/// What a rule target may be, for errors that refuse another kind.
pub const DELIVERABLE: &str = "a target is an http(s) URL, an API destination (arn:aws:events:…:api-destination/…), a response plan (arn:aws:ssm-incidents::…:response-plan/…) or an Automation document (arn:aws:ssm:…:automation-definition/…)";

/// Whether Tocsin can deliver to a target with this `Arn`: http(s) URLs, API destinations,
/// response plans and Automation documents. Other AWS services' ARNs (Lambda, SQS, SNS, …)
/// would be stored and never run, so PutTargets refuses them.
pub fn deliverable(arn: &str) -> bool {
    !matches!(
        tocsin_api::arn::TargetKind::of(arn),
        tocsin_api::arn::TargetKind::Other
    )
}

/// Checks one target (PutTargets time): its id, its ARN (one Tocsin delivers to, see
/// [`deliverable`]), its input settings, and for HTTP targets their `HttpParameters` and
/// `RetryPolicy`.
///
/// Errors: `ValidationException` naming the target and the member.
pub fn validate_target(t: &Target) -> ApiResult<RouteTarget> {
    validate::name("Targets.member.Id", &t.id, 64, ".-_", "[\\.\\-_A-Za-z0-9]+")?;
    validate::length("Targets.member.Arn", &t.arn, 1, 1600)?;
    if !deliverable(&t.arn) {
        return Err(ApiError::Validation(format!(
            "Target {}: Tocsin cannot deliver to {:?}: {DELIVERABLE}.",
            t.id, t.arn
        )));
    }
    compile(t)
}

/// A target's input and HTTP settings, compiled (its ARN's kind is not checked: a stored
/// target of a kind Tocsin cannot deliver to still compiles, and each event it gets is
/// dead-lettered with the reason).
fn compile(t: &Target) -> ApiResult<RouteTarget> {
    let input =
        target_input(t).map_err(|e| ApiError::Validation(format!("Target {}: {e}", t.id)))?;
    let http = if is_http_target(&t.arn) {
        Some(HttpTarget::from_target(t)?)
    } else {
        None
    };
    Ok(RouteTarget {
        target: t.clone(),
        input,
        http,
    })
}

/// Compiles a stored target for the matcher; `None` (logged) if it no longer validates.
pub fn compile_target(rule_arn: &str, target: Target) -> Option<RouteTarget> {
    match compile(&target) {
        Ok(compiled) => Some(compiled),
        Err(e) => {
            tracing::warn!(rule = rule_arn, target = %target.id, %e, "skipping target with invalid settings");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_secrets() {
        assert_eq!(
            redact_url("https://am:hunter2@alertmanager.example:9093/api?token=t&x=1"),
            "https://am:REDACTED@alertmanager.example:9093/api?token=REDACTED&x=REDACTED"
        );
        assert_eq!(redact_url("http://a.example/p"), "http://a.example/p");
        assert_eq!(redact_url("not a url"), "REDACTED");
    }

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
        for reserved in [
            "Host",
            "content-length",
            "Transfer-Encoding",
            "Connection",
            "Proxy-Authorization",
            "proxy-connection",
        ] {
            let err = HttpTarget::from_target(&target(
                "https://x",
                serde_json::json!({"HttpParameters": {"HeaderParameters": {reserved: "v"}}}),
            ))
            .unwrap_err();
            assert!(
                err.to_string().contains("cannot be a HeaderParameter"),
                "{reserved}: {err}"
            );
        }
        let secretive = target(
            "https://hooks.example.com/x?token=abc",
            serde_json::json!({"HttpParameters": {"HeaderParameters": {"Authorization": "Bearer t"}, "QueryStringParameters": {"key": "k1"}}}),
        );
        let shown = serde_json::to_string(&redacted_target(&secretive)).unwrap();
        assert!(
            !shown.contains("Bearer t") && !shown.contains("k1") && !shown.contains("abc"),
            "{shown}"
        );
        assert!(
            shown.contains("token=REDACTED") && shown.contains("Authorization"),
            "{shown}"
        );
        let d =
            HttpTarget::from_target(&secretive)
                .unwrap()
                .delivery("e", "r", "t", "{}".into(), 0.0);
        let shown = serde_json::to_string(&redacted_delivery(&d)).unwrap();
        assert!(
            !shown.contains("Bearer t") && !shown.contains("k1") && !shown.contains("abc"),
            "{shown}"
        );
        assert!(
            HttpTarget::from_target(&target(
                "https://x",
                serde_json::json!({"HttpParameters": {"HeaderParameters": {"X-Proxy-Id": "v", "Authorization": "Bearer t"}}}),
            ))
            .is_ok(),
            "ordinary headers, also ones that merely contain 'proxy', are fine"
        );
    }
}
